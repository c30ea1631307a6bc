// Service, Endpoints and EndpointSlice: defaults and validation.
// Models pkg/apis/core/v1/defaults.go SetDefaults_Service and pkg/apis/core/validation/validation.go ValidateService
import { deepEqual } from "../../util/equal";
import type { FieldError, KubeObject } from "../types";
import { PROTOCOLS, dnsLabel, validatePortNumOrName } from "./containers";
import {
  FIELD_IMMUTABLE,
  arr,
  child,
  duplicate,
  ensure,
  forbidden,
  goStringSlice,
  idx,
  invalid,
  lit,
  notSupported,
  num,
  type Obj,
  rec,
  required,
  setDefault,
  spec as specOf,
  str,
} from "./field";
import { IP_MSG, isDNS1123Subdomain, isIP, isIPv4, isIPv6 } from "./formats";
import { validateLabels } from "./meta";

function externallyAccessible(spec: Obj): boolean {
  const type = str(spec.type);
  return type === "LoadBalancer" || type === "NodePort" || (type === "ClusterIP" && arr(spec.externalIPs).length > 0);
}

// Models pkg/apis/core/v1/defaults.go SetDefaults_Service (plus the IP family fields the registry fills)
export function defaultService(obj: KubeObject): void {
  const spec = ensure(obj, "spec");
  setDefault(spec, "sessionAffinity", "None");
  if (spec.sessionAffinity === "None") delete spec.sessionAffinityConfig;
  if (spec.sessionAffinity === "ClientIP") {
    const cfg = ensure(spec, "sessionAffinityConfig");
    const clientIP = ensure(cfg, "clientIP");
    if (typeof clientIP.timeoutSeconds !== "number") clientIP.timeoutSeconds = 10800;
  }
  setDefault(spec, "type", "ClusterIP");
  for (const p of arr(spec.ports)) {
    const port = rec(p);
    if (!port) continue;
    setDefault(port, "protocol", "TCP");
    if (port.targetPort === undefined || port.targetPort === null || port.targetPort === 0 || port.targetPort === "") port.targetPort = port.port;
  }
  if (externallyAccessible(spec)) setDefault(spec, "externalTrafficPolicy", "Cluster");
  if (["NodePort", "LoadBalancer", "ClusterIP"].includes(str(spec.type))) setDefault(spec, "internalTrafficPolicy", "Cluster");
  if (spec.type === "LoadBalancer" && typeof spec.allocateLoadBalancerNodePorts !== "boolean") spec.allocateLoadBalancerNodePorts = true;
  if (spec.type === "LoadBalancer") {
    // An ingress IP is a virtual IP unless its writer says it is a proxy (LoadBalancerIPMode, GA in 1.32).
    for (const i of arr(rec(rec(obj.status)?.loadBalancer)?.ingress)) {
      const ing = rec(i);
      if (ing && str(ing.ip) && ing.ipMode == null) ing.ipMode = "VIP";
    }
  }
  if (spec.type === "ExternalName") return;
  // ClusterIP and ClusterIPs describe the same allocation; keep them in step.
  const ips = arr(spec.clusterIPs);
  if (!str(spec.clusterIP) && ips.length) spec.clusterIP = ips[0];
  if (str(spec.clusterIP) && !ips.length) spec.clusterIPs = [spec.clusterIP];
  const headlessNoSelector = spec.clusterIP === "None" && !Object.keys(rec(spec.selector) ?? {}).length;
  setDefault(spec, "ipFamilyPolicy", headlessNoSelector ? "RequireDualStack" : "SingleStack");
  if (!arr(spec.ipFamilies).length) spec.ipFamilies = [str(spec.clusterIP) && isIPv6(str(spec.clusterIP)) ? "IPv6" : "IPv4"];
}

const SERVICE_TYPES = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"];
const FAMILY_POLICIES = ["PreferDualStack", "RequireDualStack", "SingleStack"];

function goServicePortKey(protocol: string, port: number): string {
  return `core.ServicePort{Name:"", Protocol:${JSON.stringify(protocol)}, AppProtocol:(*string)(nil), Port:${port}, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}`;
}

// Models pkg/apis/core/validation/validation.go ValidateService
export function validateService(obj: KubeObject, old?: KubeObject): FieldError[] {
  const spec = specOf(obj);
  const prev = old ? specOf(old) : undefined;
  const errs: FieldError[] = [];
  const type = str(spec.type);
  const headless = spec.clusterIP === "None";
  const ports = arr(spec.ports).map((p) => rec(p) ?? {});
  // Fields that a type change leaves behind are dropped by the update path, not rejected.
  const leftover = (f: string) => !!prev && prev.type !== type && deepEqual(prev[f], spec[f]);
  if (!ports.length && !headless && type !== "ExternalName") errs.push(required("spec.ports"));
  if (type === "LoadBalancer" || type === "NodePort") {
    if (headless) errs.push(invalid("spec.clusterIPs[0]", "None", `may not be set to 'None' for ${type} services`));
  }
  if (type === "LoadBalancer") {
    ports.forEach((p, i) => {
      if (p.port === 10250) errs.push(invalid(idx("spec.ports", i), 10250, "may not expose port 10250 externally since it is used by kubelet"));
    });
  }
  if (type === "ExternalName") {
    if (arr(spec.clusterIPs).length && !leftover("clusterIPs")) errs.push(forbidden("spec.clusterIPs", "may not be set for ExternalName services"));
    if (arr(spec.ipFamilies).length && !leftover("ipFamilies")) errs.push(forbidden("spec.ipFamilies", "may not be set for ExternalName services"));
    if (spec.ipFamilyPolicy != null && !leftover("ipFamilyPolicy")) errs.push(forbidden("spec.ipFamilyPolicy", "may not be set for ExternalName services"));
    const cname = str(spec.externalName).replace(/\.$/, "");
    if (!cname) errs.push(required("spec.externalName"));
    else for (const m of isDNS1123Subdomain(cname)) errs.push(invalid("spec.externalName", cname, m));
  }
  const names = new Set<string>();
  ports.forEach((p, i) => {
    const pp = idx("spec.ports", i);
    const name = str(p.name);
    if (ports.length > 1 && !name) errs.push(required(child(pp, "name")));
    else if (name) {
      errs.push(...dnsLabel(name, child(pp, "name")));
      if (names.has(name)) errs.push(duplicate(child(pp, "name"), name));
      else names.add(name);
    }
    const port = num(p.port) ?? 0;
    if (port < 1 || port > 65535) errs.push(invalid(child(pp, "port"), port, "must be between 1 and 65535, inclusive"));
    const proto = str(p.protocol);
    if (!proto) errs.push(required(child(pp, "protocol")));
    else if (!PROTOCOLS.includes(proto)) errs.push(notSupported(child(pp, "protocol"), proto, PROTOCOLS));
    errs.push(...validatePortNumOrName(p.targetPort, child(pp, "targetPort")));
  });
  if (spec.selector != null) errs.push(...validateLabels(spec.selector, "spec.selector"));
  const affinity = str(spec.sessionAffinity);
  if (!affinity) errs.push(required("spec.sessionAffinity"));
  else if (affinity !== "ClientIP" && affinity !== "None") errs.push(notSupported("spec.sessionAffinity", affinity, ["ClientIP", "None"]));
  if (affinity === "ClientIP") {
    const t = num(rec(rec(spec.sessionAffinityConfig)?.clientIP)?.timeoutSeconds) ?? 0;
    if (t <= 0 || t > 86400) errs.push(invalid("spec.sessionAffinityConfig.clientIP.timeoutSeconds", t, "must be greater than 0 and less than 86400"));
  } else if (affinity === "None" && spec.sessionAffinityConfig != null) {
    errs.push(forbidden("spec.sessionAffinityConfig", "must not be set when session affinity is None"));
  }
  if (type !== "ExternalName") errs.push(...validateClusterIPs(spec, old ? specOf(old) : undefined));
  arr(spec.externalIPs).forEach((ip, i) => {
    if (!isIP(str(ip))) errs.push(invalid(idx("spec.externalIPs", i), str(ip), IP_MSG));
  });
  if (!type) errs.push(required("spec.type"));
  else if (!SERVICE_TYPES.includes(type)) errs.push(notSupported("spec.type", type, SERVICE_TYPES));
  if (type === "ClusterIP") {
    ports.forEach((p, i) => {
      const same = prev && ["NodePort", "LoadBalancer"].includes(str(prev.type)) && rec(arr(prev.ports)[i])?.nodePort === p.nodePort;
      if (p.nodePort && !same) errs.push(forbidden(child(idx("spec.ports", i), "nodePort"), "may not be used when `type` is 'ClusterIP'"));
    });
  }
  const nodePorts = new Set<string>();
  const portKeys = new Set<string>();
  ports.forEach((p, i) => {
    const np = num(p.nodePort) ?? 0;
    if (np) {
      const k = `${str(p.protocol)}/${np}`;
      if (nodePorts.has(k)) errs.push(duplicate(child(idx("spec.ports", i), "nodePort"), np));
      nodePorts.add(k);
    }
    const k = `${str(p.protocol)}/${num(p.port) ?? 0}`;
    if (portKeys.has(k)) errs.push(duplicate(idx("spec.ports", i), lit(goServicePortKey(str(p.protocol), num(p.port) ?? 0))));
    portKeys.add(k);
  });
  const etp = spec.externalTrafficPolicy;
  if (!externallyAccessible(spec)) {
    if (etp != null && etp !== "" && !leftover("externalTrafficPolicy")) {
      errs.push(invalid("spec.externalTrafficPolicy", str(etp), "may only be set for externally-accessible services"));
    }
  } else if (!str(etp)) errs.push(required("spec.externalTrafficPolicy"));
  else if (etp !== "Cluster" && etp !== "Local") errs.push(notSupported("spec.externalTrafficPolicy", etp, ["Cluster", "Local"]));
  const itp = spec.internalTrafficPolicy;
  if (itp != null && itp !== "Cluster" && itp !== "Local") errs.push(notSupported("spec.internalTrafficPolicy", itp, ["Cluster", "Local"]));
  return errs;
}

function validateClusterIPs(spec: Obj, prev: Obj | undefined): FieldError[] {
  const errs: FieldError[] = [];
  const ips = arr(spec.clusterIPs).map(str);
  ips.forEach((ip, i) => {
    if (i === 0 && ip === "None") {
      if (ips.length > 1) errs.push(invalid("spec.clusterIPs", goStringSlice(ips), "'None' must be the first and only value"));
      return;
    }
    if (!isIP(ip)) errs.push(invalid(idx("spec.clusterIPs", i), ip, IP_MSG));
  });
  const policy = spec.ipFamilyPolicy;
  if (policy != null && !FAMILY_POLICIES.includes(str(policy))) errs.push(notSupported("spec.ipFamilyPolicy", policy, FAMILY_POLICIES));
  const seen = new Set<string>();
  arr(spec.ipFamilies).forEach((f, i) => {
    const fam = str(f);
    if (fam !== "IPv4" && fam !== "IPv6") errs.push(notSupported(idx("spec.ipFamilies", i), fam, ["IPv4", "IPv6"]));
    else if (seen.has(fam)) errs.push(duplicate(idx("spec.ipFamilies", i), fam));
    seen.add(fam);
  });
  if (prev && prev.type !== "ExternalName") {
    const before = str(prev.clusterIP);
    const now = str(spec.clusterIP);
    // An omitted clusterIP keeps the allocated one; only a different value is a change.
    if (before && now && before !== now) errs.push(invalid("spec.clusterIPs[0]", goStringSlice(arr(spec.clusterIPs).length ? spec.clusterIPs : [now]), "may not change once set"));
    const famBefore = str(arr(prev.ipFamilies)[0]);
    const famNow = str(arr(spec.ipFamilies)[0]);
    if (famBefore && famNow && famBefore !== famNow) errs.push(invalid("spec.ipFamilies[0]", famNow, "may not change once set"));
  }
  return errs;
}

/** What the Service update strategy does before validation: drops fields the new type does not use. */
export function prepareServiceUpdate(svc: KubeObject, old: KubeObject): void {
  const spec = ensure(svc, "spec");
  const prev = specOf(old);
  if (spec.type === prev.type) return;
  if (spec.type === "ExternalName") {
    for (const f of ["clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy", "internalTrafficPolicy"]) if (deepEqual(spec[f], prev[f])) delete spec[f];
  }
  if (!externallyAccessible(spec) && deepEqual(spec.externalTrafficPolicy, prev.externalTrafficPolicy)) delete spec.externalTrafficPolicy;
  if (spec.type !== "NodePort" && spec.type !== "LoadBalancer") {
    arr(spec.ports).forEach((p, i) => {
      const port = rec(p);
      if (port && port.nodePort === rec(arr(prev.ports)[i])?.nodePort) delete port.nodePort;
    });
  }
  if (spec.type !== "LoadBalancer" && deepEqual(spec.allocateLoadBalancerNodePorts, prev.allocateLoadBalancerNodePorts)) {
    delete spec.allocateLoadBalancerNodePorts;
  }
}

// ---- Endpoints ----

export function defaultEndpoints(obj: KubeObject): void {
  for (const s of arr(obj.subsets)) {
    for (const p of arr(rec(s)?.ports)) {
      const port = rec(p);
      if (port) setDefault(port, "protocol", "TCP");
    }
  }
}

function specialIP(ip: string): string | undefined {
  if (ip === "0.0.0.0" || ip === "::") return `may not be unspecified (${ip})`;
  if (ip.startsWith("127.") || ip === "::1") return "may not be in the loopback range (127.0.0.0/8, ::1/128)";
  if (ip.startsWith("169.254.") || ip.toLowerCase().startsWith("fe80:")) return "may not be in the link-local range (169.254.0.0/16, fe80::/10)";
  if (isIPv4(ip) && Number(ip.split(".")[0]) >= 224 && Number(ip.split(".")[0]) <= 239) return "may not be in the multicast range (224.0.0.0/4, ff00::/8)";
  return undefined;
}

// Models pkg/apis/core/validation/validation.go validateEndpointSubsets
export function validateEndpoints(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  arr(obj.subsets).forEach((s, i) => {
    const ss = rec(s) ?? {};
    const p = idx("subsets", i);
    if (!arr(ss.addresses).length && !arr(ss.notReadyAddresses).length) errs.push(required(p, "must specify `addresses` or `notReadyAddresses`"));
    for (const list of ["addresses", "notReadyAddresses"]) {
      arr(ss[list]).forEach((a, j) => {
        const addr = rec(a) ?? {};
        const ap = idx(child(p, list), j);
        const ip = str(addr.ip);
        if (!isIP(ip)) errs.push(invalid(child(ap, "ip"), ip, IP_MSG));
        else {
          const special = specialIP(ip);
          if (special) errs.push(invalid(child(ap, "ip"), ip, special));
        }
        if (str(addr.hostname)) errs.push(...dnsLabel(str(addr.hostname), child(ap, "hostname")));
        if (addr.nodeName != null) for (const m of isDNS1123Subdomain(str(addr.nodeName))) errs.push(invalid(child(ap, "nodeName"), str(addr.nodeName), m));
      });
    }
    const ports = arr(ss.ports);
    ports.forEach((x, j) => {
      const port = rec(x) ?? {};
      const pp = idx(child(p, "ports"), j);
      const name = str(port.name);
      if (ports.length > 1 && !name) errs.push(required(child(pp, "name")));
      else if (name) errs.push(...dnsLabel(name, child(pp, "name")));
      const n = num(port.port) ?? 0;
      if (n < 1 || n > 65535) errs.push(invalid(child(pp, "port"), n, "must be between 1 and 65535, inclusive"));
      const proto = str(port.protocol);
      if (!proto) errs.push(required(child(pp, "protocol")));
      else if (!PROTOCOLS.includes(proto)) errs.push(notSupported(child(pp, "protocol"), proto, PROTOCOLS));
    });
  });
  return errs;
}

// ---- EndpointSlice ----

export function defaultEndpointSlice(obj: KubeObject): void {
  for (const p of arr(obj.ports)) {
    const port = rec(p);
    if (!port) continue;
    if (port.name == null) port.name = "";
    if (port.protocol == null) port.protocol = "TCP";
  }
}

const ADDRESS_TYPES = ["FQDN", "IPv4", "IPv6"];

// Models pkg/apis/discovery/validation/validation.go ValidateEndpointSlice
export function validateEndpointSlice(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const addressType = str(obj.addressType);
  arr(obj.endpoints).forEach((e, i) => {
    const ep = rec(e) ?? {};
    const p = idx("endpoints", i);
    const addrs = arr(ep.addresses);
    if (!addrs.length) errs.push(required(child(p, "addresses"), "must contain at least 1 address"));
    addrs.forEach((a, j) => {
      const addr = str(a);
      const ap = idx(child(p, "addresses"), j);
      if (addressType === "IPv4" && !isIPv4(addr)) errs.push(invalid(ap, addr, "must be a valid IPv4 address"));
      if (addressType === "IPv6" && !isIPv6(addr)) errs.push(invalid(ap, addr, "must be a valid IPv6 address"));
      if (addressType === "FQDN") for (const m of isDNS1123Subdomain(addr.replace(/\.$/, ""))) errs.push(invalid(ap, addr, m));
    });
    if (ep.nodeName != null) for (const m of isDNS1123Subdomain(str(ep.nodeName))) errs.push(invalid(child(p, "nodeName"), str(ep.nodeName), m));
    if (ep.hostname != null) errs.push(...dnsLabel(str(ep.hostname), child(p, "hostname")));
  });
  const names = new Set<string>();
  arr(obj.ports).forEach((x, i) => {
    const port = rec(x) ?? {};
    const p = idx("ports", i);
    const name = str(port.name);
    if (name) errs.push(...dnsLabel(name, child(p, "name")));
    if (names.has(name)) errs.push(duplicate(child(p, "name"), name));
    names.add(name);
    if (port.protocol == null) errs.push(required(child(p, "protocol")));
    else if (!PROTOCOLS.includes(str(port.protocol))) errs.push(notSupported(child(p, "protocol"), port.protocol, PROTOCOLS));
  });
  if (!addressType) errs.push(required("addressType"));
  else if (!ADDRESS_TYPES.includes(addressType)) errs.push(notSupported("addressType", addressType, ADDRESS_TYPES));
  return errs;
}

export function validateEndpointSliceUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  return obj.addressType === old.addressType ? [] : [invalid("addressType", str(obj.addressType), FIELD_IMMUTABLE)];
}
