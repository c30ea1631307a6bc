// networking.k8s.io: Ingress, IngressClass and NetworkPolicy, and the DefaultIngressClass
// admission plugin.
// Models pkg/apis/networking/validation/validation.go, pkg/apis/networking/v1/defaults.go and
// plugin/pkg/admission/network/defaultingressclass/admission.go
import type { FieldError, KubeObject } from "../types";
import { PROTOCOLS } from "./containers";
import {
  FIELD_IMMUTABLE,
  arr,
  child,
  ensure,
  forbidden,
  idx,
  invalid,
  lit,
  notSupported,
  num,
  type Obj,
  rec,
  required,
  spec as specOf,
  str,
  tooLong,
} from "./field";
import {
  isCIDR,
  isDNS1035Label,
  isDNS1123Subdomain,
  isIP,
  isValidPortName,
  isValidPortNum,
  isWildcardDNS1123Subdomain,
} from "./formats";
import { validateLabelSelector } from "./meta";

const PATH_TYPES = ["Exact", "ImplementationSpecific", "Prefix"];
const INVALID_SEQUENCES = ["//", "/./", "/../", "%2f", "%2F"];
const INVALID_SUFFIXES = ["/..", "/."];

// Models pkg/apis/networking/validation/validation.go validateIngressBackend
function validateBackend(b: Obj, p: string): FieldError[] {
  const errs: FieldError[] = [];
  const resource = rec(b.resource);
  const service = rec(b.service);
  if (resource && service) return [invalid(p, "", "cannot set both resource and service backends")];
  if (resource) {
    if (!str(resource.kind)) errs.push(required(child(p, "resource", "kind")));
    if (!str(resource.name)) errs.push(required(child(p, "resource", "name")));
    return errs;
  }
  if (!service) return [invalid(p, "", "resource or service backend is required")];
  const name = str(service.name);
  if (!name) errs.push(required(child(p, "service", "name")));
  else for (const m of isDNS1035Label(name)) errs.push(invalid(child(p, "service", "name"), name, m));
  const port = rec(service.port) ?? {};
  const portName = str(port.name);
  const portNumber = num(port.number) ?? 0;
  if (portName && portNumber) errs.push(invalid(p, "", "cannot set both port name & port number"));
  else if (portName) for (const m of isValidPortName(portName)) errs.push(invalid(child(p, "service", "port", "name"), portName, m));
  else if (portNumber) for (const m of isValidPortNum(portNumber)) errs.push(invalid(child(p, "service", "port", "number"), portNumber, m));
  else errs.push(required(p, "port name or number is required"));
  return errs;
}

function validatePath(path: Obj, p: string): FieldError[] {
  const errs: FieldError[] = [];
  const pathType = path.pathType;
  if (pathType == null) return [required(child(p, "pathType"), "pathType must be specified")];
  const value = str(path.path);
  if (pathType === "Exact" || pathType === "Prefix") {
    if (!value.startsWith("/")) errs.push(invalid(child(p, "path"), value, "must be an absolute path"));
    if (value) {
      for (const seq of INVALID_SEQUENCES) if (value.includes(seq)) errs.push(invalid(child(p, "path"), value, `must not contain '${seq}'`));
      for (const suf of INVALID_SUFFIXES) if (value.endsWith(suf)) errs.push(invalid(child(p, "path"), value, `cannot end with '${suf}'`));
    }
  } else if (pathType === "ImplementationSpecific") {
    if (value && !value.startsWith("/")) errs.push(invalid(child(p, "path"), value, "must be an absolute path"));
  } else {
    errs.push(notSupported(child(p, "pathType"), pathType, PATH_TYPES));
  }
  errs.push(...validateBackend(rec(path.backend) ?? {}, child(p, "backend")));
  return errs;
}

// Models pkg/apis/networking/validation/validation.go ValidateIngressSpec
export function validateIngress(obj: KubeObject): FieldError[] {
  const spec = specOf(obj);
  const errs: FieldError[] = [];
  const rules = arr(spec.rules);
  if (!rules.length && !rec(spec.defaultBackend)) errs.push(invalid("spec", lit("[]networking.IngressRule(nil)"), "either `defaultBackend` or `rules` must be specified"));
  if (rec(spec.defaultBackend)) errs.push(...validateBackend(rec(spec.defaultBackend) ?? {}, "spec.defaultBackend"));
  rules.forEach((r, i) => {
    const rule = rec(r) ?? {};
    const p = idx("spec.rules", i);
    const host = str(rule.host);
    if (host) {
      if (isIP(host)) errs.push(invalid(child(p, "host"), host, "must be a DNS name, not an IP address"));
      const msgs = host.includes("*") ? isWildcardDNS1123Subdomain(host) : isDNS1123Subdomain(host);
      for (const m of msgs) errs.push(invalid(child(p, "host"), host, m));
    }
    const http = rec(rule.http);
    if (!http) return;
    const paths = arr(http.paths);
    if (!paths.length) errs.push(required(child(p, "http", "paths")));
    paths.forEach((x, j) => errs.push(...validatePath(rec(x) ?? {}, idx(child(p, "http", "paths"), j))));
  });
  arr(spec.tls).forEach((t, i) => {
    arr(rec(t)?.hosts).forEach((h, j) => {
      const host = str(h);
      const msgs = host.includes("*") ? isWildcardDNS1123Subdomain(host) : isDNS1123Subdomain(host);
      for (const m of msgs) errs.push(invalid(idx(child(idx("spec.tls", i), "hosts"), j), host, m));
    });
  });
  const cls = spec.ingressClassName;
  if (cls != null) for (const m of isDNS1123Subdomain(str(cls))) errs.push(invalid("spec.ingressClassName", str(cls), m));
  return errs;
}

// Models pkg/apis/networking/validation/validation.go ValidateIngressClass
export function validateIngressClass(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const controller = str(specOf(obj).controller);
  if (!controller) errs.push(required("spec.controller"));
  else {
    if (controller.length > 250) errs.push(tooLong("spec.controller", 250));
    const [host, ...rest] = controller.split("/");
    const path = rest.join("/");
    if (!rest.length || !host || !path) errs.push(invalid("spec.controller", controller, 'must be a domain-prefixed path (such as "acme.io/foo")'));
    else {
      for (const m of isDNS1123Subdomain(host)) errs.push(invalid("spec.controller", host, m));
      if (!/^[A-Za-z0-9/\-._~%!$&'()*+,;=:]+$/.test(path)) {
        errs.push(invalid("spec.controller", path, "Invalid path (regex used for validation is '[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+')"));
      }
    }
  }
  const params = rec(specOf(obj).parameters);
  if (params) {
    if (!str(params.kind)) errs.push(required("spec.parameters.kind"));
    if (!str(params.name)) errs.push(required("spec.parameters.name"));
    const scope = params.scope;
    if (scope != null && scope !== "Cluster" && scope !== "Namespace") errs.push(notSupported("spec.parameters.scope", scope, ["Cluster", "Namespace"]));
    if (scope === "Namespace" && !str(params.namespace)) errs.push(required("spec.parameters.namespace", "`parameters.scope` is set to 'Namespace'"));
  }
  return errs;
}

export function validateIngressClassUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const a = str(specOf(obj).controller);
  return a === str(specOf(old).controller) ? [] : [invalid("spec.controller", a, FIELD_IMMUTABLE)];
}

// Models pkg/apis/networking/v1/defaults.go SetDefaults_NetworkPolicy
export function defaultNetworkPolicy(obj: KubeObject): void {
  const spec = ensure(obj, "spec");
  if (!arr(spec.policyTypes).length) {
    spec.policyTypes = arr(spec.egress).length ? ["Ingress", "Egress"] : ["Ingress"];
  }
  for (const dir of ["ingress", "egress"]) {
    for (const rule of arr(spec[dir])) {
      for (const port of arr(rec(rule)?.ports)) {
        const p = rec(port);
        if (p && p.protocol == null) p.protocol = "TCP";
      }
    }
  }
}

function validatePeers(peers: unknown, field: string): FieldError[] {
  const errs: FieldError[] = [];
  arr(peers).forEach((x, i) => {
    const peer = rec(x) ?? {};
    const p = idx(field, i);
    const selectors = ["podSelector", "namespaceSelector"].filter((k) => peer[k] != null);
    const block = rec(peer.ipBlock);
    if (!selectors.length && !block) errs.push(required(p, "must specify a peer"));
    else if (selectors.length && block) errs.push(forbidden(p, "may not specify both ipBlock and another peer"));
    for (const k of selectors) errs.push(...validateLabelSelector(peer[k], child(p, k)));
    if (block) {
      const cidr = str(block.cidr);
      if (!cidr) errs.push(required(child(p, "ipBlock", "cidr")));
      else if (!isCIDR(cidr)) errs.push(invalid(child(p, "ipBlock", "cidr"), cidr, "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"));
      arr(block.except).forEach((e, j) => {
        if (!isCIDR(str(e))) errs.push(invalid(idx(child(p, "ipBlock", "except"), j), str(e), "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"));
      });
    }
  });
  return errs;
}

function validatePolicyPorts(ports: unknown, field: string): FieldError[] {
  const errs: FieldError[] = [];
  arr(ports).forEach((x, i) => {
    const port = rec(x) ?? {};
    const p = idx(field, i);
    const proto = port.protocol;
    if (proto != null && !PROTOCOLS.includes(str(proto))) errs.push(notSupported(child(p, "protocol"), proto, PROTOCOLS));
    const value = port.port;
    if (typeof value === "number") for (const m of isValidPortNum(value)) errs.push(invalid(child(p, "port"), value, m));
    else if (typeof value === "string") for (const m of isValidPortName(value)) errs.push(invalid(child(p, "port"), value, m));
    const end = num(port.endPort);
    if (end !== undefined) {
      if (value == null) errs.push(required(child(p, "port"), "must be specified when endPort is specified"));
      else if (typeof value === "string") errs.push(forbidden(child(p, "endPort"), "may not be specified when `port` is non-numeric"));
      else if (typeof value === "number" && end < value) errs.push(invalid(child(p, "endPort"), end, "must be greater than or equal to `port`"));
    }
  });
  return errs;
}

// Models pkg/apis/networking/validation/validation.go ValidateNetworkPolicySpec
export function validateNetworkPolicy(obj: KubeObject): FieldError[] {
  const spec = specOf(obj);
  const errs = validateLabelSelector(spec.podSelector, "spec.podSelector");
  arr(spec.ingress).forEach((r, i) => {
    const rule = rec(r) ?? {};
    const p = idx("spec.ingress", i);
    errs.push(...validatePolicyPorts(rule.ports, child(p, "ports")), ...validatePeers(rule.from, child(p, "from")));
  });
  arr(spec.egress).forEach((r, i) => {
    const rule = rec(r) ?? {};
    const p = idx("spec.egress", i);
    errs.push(...validatePolicyPorts(rule.ports, child(p, "ports")), ...validatePeers(rule.to, child(p, "to")));
  });
  const types = arr(spec.policyTypes);
  if (types.length > 2) errs.push(invalid("spec.policyTypes", lit(`&[]networking.PolicyType{${types.map((t) => JSON.stringify(str(t))).join(", ")}}`), "may not specify more than two policyTypes"));
  else types.forEach((t, i) => {
    if (t !== "Ingress" && t !== "Egress") errs.push(notSupported(idx("spec.policyTypes", i), str(t), ["Ingress", "Egress"]));
  });
  return errs;
}


export const DEFAULT_INGRESS_CLASS = "ingressclass.kubernetes.io/is-default-class";
const LEGACY_CLASS_ANNOTATION = "kubernetes.io/ingress.class";

/**
 * DefaultIngressClass (mutating admission of a create): an Ingress that names no class, neither in
 * spec.ingressClassName nor in the legacy annotation, gets the IngressClass annotated
 * `ingressclass.kubernetes.io/is-default-class: "true"` — the newest such class when there are
 * several (then the first by name); none, and it stays without a class.
 */
export function admitDefaultIngressClass(obj: KubeObject, classes: KubeObject[]): void {
  const spec = (obj.spec ?? {}) as Obj;
  if (spec.ingressClassName !== undefined && spec.ingressClassName !== null) return;
  if (obj.metadata.annotations?.[LEGACY_CLASS_ANNOTATION] !== undefined) return;
  const created = (c: KubeObject) => Date.parse(c.metadata.creationTimestamp ?? "") || 0;
  const defaults = classes.filter((c) => c.metadata.annotations?.[DEFAULT_INGRESS_CLASS] === "true");
  const byName = (a: KubeObject, b: KubeObject) => ((a.metadata.name ?? "") < (b.metadata.name ?? "") ? -1 : 1);
  defaults.sort((a, b) => created(b) - created(a) || byName(a, b));
  const chosen = defaults[0]?.metadata.name;
  if (chosen) obj.spec = { ...spec, ingressClassName: chosen };
}
