// Container validation: names, images, ports, env, volume mounts, resources and probes.
// Models pkg/apis/core/validation/validation.go validateContainerCommon, validateContainers
import type { FieldError } from "../types";
import {
  arr,
  child,
  duplicate,
  forbidden,
  IS_NEGATIVE,
  idx,
  invalid,
  key,
  nonNegative,
  notFound,
  notSupported,
  num,
  type Obj,
  rec,
  required,
  sortedKeys,
  str,
} from "./field";
import {
  isConfigMapKey,
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  isRelaxedEnvVarName,
  isValidPortName,
  isValidPortNum,
} from "./formats";
import { cmpQuantity, formatQuantity, isInteger, parseQuantity, sign } from "./quantity";

export const PROTOCOLS = ["SCTP", "TCP", "UDP"];

export function dnsLabel(value: string, field: string): FieldError[] {
  return isDNS1123Label(value).map((m) => invalid(field, value, m));
}

/** An IntOrString port: a number in range or an IANA port name. */
export function validatePortNumOrName(port: unknown, field: string): FieldError[] {
  if (typeof port === "number") return isValidPortNum(port).map((m) => invalid(field, port, m));
  if (typeof port === "string") return isValidPortName(port).map((m) => invalid(field, port, m));
  return [];
}

function validateContainerPorts(ports: unknown, field: string): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  arr(ports).forEach((p, i) => {
    const port = rec(p) ?? {};
    const pp = idx(field, i);
    const name = str(port.name);
    if (name) {
      const msgs = isValidPortName(name);
      if (msgs.length) for (const m of msgs) errs.push(invalid(child(pp, "name"), name, m));
      else if (names.has(name)) errs.push(duplicate(child(pp, "name"), name));
      else names.add(name);
    }
    const cp = num(port.containerPort) ?? 0;
    if (!cp) errs.push(required(child(pp, "containerPort")));
    else for (const m of isValidPortNum(cp)) errs.push(invalid(child(pp, "containerPort"), cp, m));
    const hp = num(port.hostPort) ?? 0;
    if (hp) for (const m of isValidPortNum(hp)) errs.push(invalid(child(pp, "hostPort"), hp, m));
    const proto = str(port.protocol);
    if (!proto) errs.push(required(child(pp, "protocol")));
    else if (!PROTOCOLS.includes(proto)) errs.push(notSupported(child(pp, "protocol"), proto, PROTOCOLS));
  });
  return errs;
}

function validateKeySelector(sel: Obj, field: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const m of isDNS1123Subdomain(str(sel.name))) errs.push(invalid(child(field, "name"), str(sel.name), m));
  const k = str(sel.key);
  if (!k) errs.push(required(child(field, "key")));
  else for (const m of isConfigMapKey(k)) errs.push(invalid(child(field, "key"), k, m));
  return errs;
}

function validateEnv(env: unknown, field: string): FieldError[] {
  const errs: FieldError[] = [];
  arr(env).forEach((e, i) => {
    const ev = rec(e) ?? {};
    const p = idx(field, i);
    const name = str(ev.name);
    if (!name) errs.push(required(child(p, "name")));
    for (const m of isRelaxedEnvVarName(name)) errs.push(invalid(child(p, "name"), name, m));
    const from = rec(ev.valueFrom);
    if (!from) return;
    const vp = child(p, "valueFrom");
    let sources = 0;
    if (rec(from.fieldRef)) {
      sources++;
      const fp = str(rec(from.fieldRef)?.fieldPath);
      if (!fp) errs.push(required(child(vp, "fieldRef", "fieldPath")));
    }
    if (rec(from.resourceFieldRef)) {
      sources++;
      if (!str(rec(from.resourceFieldRef)?.resource)) errs.push(required(child(vp, "resourceFieldRef", "resource")));
    }
    for (const kind of ["configMapKeyRef", "secretKeyRef"]) {
      const sel = rec(from[kind]);
      if (!sel) continue;
      sources++;
      errs.push(...validateKeySelector(sel, child(vp, kind)));
    }
    if (sources === 0) errs.push(invalid(vp, "", "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`"));
    else if (str(ev.value)) errs.push(invalid(vp, "", "may not be specified when `value` is not empty"));
    else if (sources > 1) errs.push(invalid(vp, "", "may not have more than one field specified at a time"));
  });
  return errs;
}

function validateEnvFrom(envFrom: unknown, field: string): FieldError[] {
  const errs: FieldError[] = [];
  arr(envFrom).forEach((e, i) => {
    const src = rec(e) ?? {};
    const p = idx(field, i);
    const refs = ["configMapRef", "secretRef"].filter((k) => rec(src[k]));
    if (refs.length === 0) errs.push(invalid(p, "", "must specify one of: `configMapRef` or `secretRef`"));
    else if (refs.length > 1) errs.push(invalid(p, "", "may not have more than one field specified at a time"));
    for (const r of refs) {
      const name = str(rec(src[r])?.name);
      for (const m of isDNS1123Subdomain(name)) errs.push(invalid(child(p, r, "name"), name, m));
    }
  });
  return errs;
}

function validateVolumeMounts(mounts: unknown, volumes: Set<string>, field: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  arr(mounts).forEach((m, i) => {
    const mnt = rec(m) ?? {};
    const p = idx(field, i);
    const name = str(mnt.name);
    if (!name) errs.push(required(child(p, "name")));
    if (!volumes.has(name)) errs.push(notFound(child(p, "name"), name));
    const path = str(mnt.mountPath);
    if (!path) errs.push(required(child(p, "mountPath")));
    if (seen.has(path)) errs.push(invalid(child(p, "mountPath"), path, "must be unique"));
    seen.add(path);
  });
  return errs;
}

const STANDARD_CONTAINER_RESOURCES = ["cpu", "memory", "ephemeral-storage"];

function isHugePages(name: string): boolean {
  return name.startsWith("hugepages-");
}

/** Native resources have no domain or the kubernetes.io domain; only those may be overcommitted. */
function isNative(name: string): boolean {
  return !name.includes("/") || name.includes("kubernetes.io/");
}

function validateContainerResourceName(name: string, field: string): FieldError[] {
  const errs = isQualifiedName(name).map((m) => invalid(field, name, m));
  if (!name.includes("/")) {
    if (!STANDARD_CONTAINER_RESOURCES.includes(name) && !isHugePages(name)) {
      errs.push(invalid(field, name, "must be a standard resource for containers"));
    }
  } else if (!isNative(name) && name.startsWith("requests.")) {
    errs.push(invalid(field, name, "doesn't follow extended resource name standard"));
  }
  return errs;
}

// Models pkg/apis/core/validation/validation.go validateResourceRequirements
export function validateResources(resources: unknown, field: string): FieldError[] {
  const errs: FieldError[] = [];
  const r = rec(resources) ?? {};
  const limPath = child(field, "limits");
  const reqPath = child(field, "requests");
  const limits = rec(r.limits);
  const requests = rec(r.requests);
  const quantityErrors = (name: string, v: unknown, p: string) => {
    const q = parseQuantity(v);
    if (typeof q === "string") return [invalid(p, String(v), q)];
    const out: FieldError[] = [];
    if (sign(q) < 0) out.push(invalid(p, formatQuantity(q), IS_NEGATIVE));
    if (!isNative(name) && !isInteger(q)) out.push(invalid(p, formatQuantity(q), "must be an integer"));
    return out;
  };
  for (const name of sortedKeys(limits)) {
    errs.push(...validateContainerResourceName(name, key(limPath, name)));
    errs.push(...quantityErrors(name, limits?.[name], key(limPath, name)));
  }
  for (const name of sortedKeys(requests)) {
    const p = key(reqPath, name);
    errs.push(...validateContainerResourceName(name, p));
    errs.push(...quantityErrors(name, requests?.[name], p));
    const req = parseQuantity(requests?.[name]);
    if (typeof req === "string") continue;
    if (limits && limits[name] !== undefined) {
      const lim = parseQuantity(limits[name]);
      if (typeof lim === "string") continue;
      const overcommit = isNative(name) && !isHugePages(name);
      if (!overcommit && cmpQuantity(req, lim) !== 0) {
        errs.push(invalid(reqPath, formatQuantity(req), `must be equal to ${name} limit of ${formatQuantity(lim)}`));
      } else if (cmpQuantity(req, lim) > 0) {
        errs.push(invalid(reqPath, formatQuantity(req), `must be less than or equal to ${name} limit of ${formatQuantity(lim)}`));
      }
    } else if (!isNative(name) || isHugePages(name)) {
      errs.push(required(limPath, "Limit must be set for non overcommitable resources"));
    }
  }
  return errs;
}

const HANDLERS = ["exec", "httpGet", "tcpSocket", "grpc"];

// Models pkg/apis/core/validation/validation.go validateHandler
export function validateHandler(h: Obj, field: string, kinds = HANDLERS): FieldError[] {
  const errs: FieldError[] = [];
  let count = 0;
  for (const kind of kinds) {
    const action = rec(h[kind]);
    if (!action) continue;
    if (count > 0) {
      errs.push(forbidden(child(field, kind), "may not specify more than 1 handler type"));
      continue;
    }
    count++;
    const p = child(field, kind);
    if (kind === "exec" && !arr(action.command).length) errs.push(required(child(p, "command")));
    if (kind === "httpGet") {
      if (!str(action.path)) errs.push(required(child(p, "path")));
      errs.push(...validatePortNumOrName(action.port, child(p, "port")));
      const scheme = str(action.scheme);
      if (!["HTTP", "HTTPS"].includes(scheme)) errs.push(notSupported(child(p, "scheme"), scheme, ["HTTP", "HTTPS"]));
    }
    if (kind === "tcpSocket") errs.push(...validatePortNumOrName(action.port, child(p, "port")));
    if (kind === "grpc") {
      const port = num(action.port) ?? 0;
      for (const m of isValidPortNum(port)) errs.push(invalid(child(p, "port"), port, m));
    }
    if (kind === "sleep") {
      const s = num(action.seconds) ?? 0;
      if (s < 0) errs.push(invalid(child(p, "seconds"), s, "must be non-negative"));
    }
  }
  if (count === 0) errs.push(required(field, "must specify a handler type"));
  return errs;
}

function validateProbe(probe: unknown, field: string, kind: "liveness" | "readiness" | "startup"): FieldError[] {
  const p = rec(probe);
  if (!p) return [];
  const errs = validateHandler(p, field);
  for (const f of ["initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold", "failureThreshold"]) {
    errs.push(...nonNegative(p[f], child(field, f)));
  }
  const grace = num(p.terminationGracePeriodSeconds);
  if (grace !== undefined) {
    if (kind === "readiness") errs.push(invalid(child(field, "terminationGracePeriodSeconds"), grace, "must not be set for readinessProbes"));
    else if (grace <= 0) errs.push(invalid(child(field, "terminationGracePeriodSeconds"), grace, "must be greater than 0"));
  }
  if (kind !== "readiness" && p.successThreshold !== undefined && p.successThreshold !== 1) {
    errs.push(invalid(child(field, "successThreshold"), p.successThreshold, "must be 1"));
  }
  return errs;
}

const PULL_POLICIES = ["Always", "IfNotPresent", "Never"];

function validateCommon(c: Obj, p: string, volumes: Set<string>): FieldError[] {
  const errs: FieldError[] = [];
  const name = str(c.name);
  if (!name) errs.push(required(child(p, "name")));
  else errs.push(...dnsLabel(name, child(p, "name")));
  if (!str(c.image)) errs.push(required(child(p, "image")));
  const tmp = str(c.terminationMessagePolicy);
  if (!tmp) errs.push(required(child(p, "terminationMessagePolicy")));
  else if (!["File", "FallbackToLogsOnError"].includes(tmp)) {
    errs.push(notSupported(child(p, "terminationMessagePolicy"), tmp, ["File", "FallbackToLogsOnError"]));
  }
  errs.push(...validateContainerPorts(c.ports, child(p, "ports")));
  errs.push(...validateEnv(c.env, child(p, "env")));
  errs.push(...validateEnvFrom(c.envFrom, child(p, "envFrom")));
  errs.push(...validateVolumeMounts(c.volumeMounts, volumes, child(p, "volumeMounts")));
  const pull = str(c.imagePullPolicy);
  if (!pull) errs.push(required(child(p, "imagePullPolicy")));
  else if (!PULL_POLICIES.includes(pull)) errs.push(notSupported(child(p, "imagePullPolicy"), pull, PULL_POLICIES));
  errs.push(...validateResources(c.resources, child(p, "resources")));
  return errs;
}

function validateLifecycle(lc: unknown, field: string): FieldError[] {
  const l = rec(lc);
  if (!l) return [];
  const errs: FieldError[] = [];
  for (const hook of ["postStart", "preStop"]) {
    const h = rec(l[hook]);
    if (h) errs.push(...validateHandler(h, child(field, hook), ["exec", "httpGet", "tcpSocket", "sleep"]));
  }
  return errs;
}

export function validateContainers(spec: Obj, field: string, volumes: Set<string>): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  const containers = arr(spec.containers);
  const cp = child(field, "containers");
  containers.forEach((c, i) => {
    const ctr = rec(c) ?? {};
    const p = idx(cp, i);
    errs.push(...validateCommon(ctr, p, volumes));
    const name = str(ctr.name);
    if (names.has(name)) errs.push(duplicate(child(p, "name"), name));
    else names.add(name);
    errs.push(...validateLifecycle(ctr.lifecycle, child(p, "lifecycle")));
    errs.push(...validateProbe(ctr.livenessProbe, child(p, "livenessProbe"), "liveness"));
    errs.push(...validateProbe(ctr.readinessProbe, child(p, "readinessProbe"), "readiness"));
    errs.push(...validateProbe(ctr.startupProbe, child(p, "startupProbe"), "startup"));
    if (ctr.restartPolicy !== undefined) errs.push(forbidden(child(p, "restartPolicy"), "may not be set for non-init containers"));
  });
  if (!containers.length) errs.push(required(cp));
  const ip = child(field, "initContainers");
  arr(spec.initContainers).forEach((c, i) => {
    const ctr = rec(c) ?? {};
    const p = idx(ip, i);
    errs.push(...validateCommon(ctr, p, volumes));
    const name = str(ctr.name);
    if (names.has(name)) errs.push(duplicate(child(p, "name"), name));
    else names.add(name);
    const restartable = ctr.restartPolicy === "Always";
    if (ctr.restartPolicy !== undefined && !restartable) errs.push(notSupported(child(p, "restartPolicy"), ctr.restartPolicy, ["Always"]));
    if (restartable) {
      errs.push(...validateLifecycle(ctr.lifecycle, child(p, "lifecycle")));
      errs.push(...validateProbe(ctr.livenessProbe, child(p, "livenessProbe"), "liveness"));
      errs.push(...validateProbe(ctr.readinessProbe, child(p, "readinessProbe"), "readiness"));
      errs.push(...validateProbe(ctr.startupProbe, child(p, "startupProbe"), "startup"));
    } else {
      for (const f of ["lifecycle", "livenessProbe", "readinessProbe", "startupProbe"]) {
        if (ctr[f] !== undefined) errs.push(forbidden(child(p, f), "may not be set for init containers without restartPolicy=Always"));
      }
    }
  });
  return errs;
}
