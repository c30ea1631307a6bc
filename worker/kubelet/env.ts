// A container's environment as the kubelet builds it: service links, envFrom, env values with
// `$(VAR)` references, and valueFrom (ConfigMaps, Secrets, the downward API). A missing ConfigMap
// or Secret key is a CreateContainerConfigError with upstream's wording.
// Models pkg/kubelet/kubelet_pods.go makeEnvironmentVariables and getServiceEnvVarMap
import type { Container, EnvVar, Service } from "kubernetes-types/core/v1";
import { expandKubeVars } from "../runtime/process";
import { parseQuantity } from "../runtime/units";
import type { PodWork } from "./work";
import { specOf } from "./work";

export class ConfigError extends Error {}

function decode(b64: string): string {
  try {
    return atob(b64);
  } catch {
    return "";
  }
}

function configData(w: PodWork, kind: "ConfigMap" | "Secret", name: string, optional: boolean | undefined): Record<string, string> | undefined {
  if (w.lenient) optional = true;
  const ns = w.pod.metadata.namespace ?? "default";
  const obj = w.ctx.get(kind === "ConfigMap" ? "/configmaps" : "/secrets", ns, name);
  if (!obj) {
    if (optional) return undefined;
    throw new ConfigError(`${kind.toLowerCase()} "${name}" not found`);
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries((obj.data as Record<string, string> | undefined) ?? {})) out[k] = kind === "Secret" ? decode(v) : v;
  if (kind === "Secret") for (const [k, v] of Object.entries((obj.stringData as Record<string, string> | undefined) ?? {})) out[k] = v;
  return out;
}

// Models pkg/fieldpath/fieldpath.go FormatMap: keys sorted, values quoted as Go's %q does.
function formatMap(m: Record<string, string> | undefined): string {
  return Object.keys(m ?? {})
    .sort()
    .map((k) => `${k}=${JSON.stringify(m![k])}`)
    .join("\n");
}

/** The downward API: `metadata.name`, `metadata.labels['app']`, `status.podIP`, … */
export function fieldValue(w: PodWork, path: string): string {
  const m = w.pod.metadata;
  const sel = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (sel) return (sel[1] === "labels" ? m.labels : m.annotations)?.[sel[2]] ?? "";
  const spec = specOf(w);
  switch (path) {
    case "metadata.name":
      return m.name ?? "";
    case "metadata.namespace":
      return m.namespace ?? "";
    case "metadata.uid":
      return m.uid ?? "";
    case "metadata.labels":
      return formatMap(m.labels);
    case "metadata.annotations":
      return formatMap(m.annotations);
    case "spec.nodeName":
      return spec.nodeName ?? "";
    case "spec.serviceAccountName":
      return spec.serviceAccountName ?? "default";
    case "status.hostIP":
    case "status.hostIPs":
      return w.hostIP;
    case "status.podIP":
    case "status.podIPs":
      return w.rec.ip ?? "";
  }
  return "";
}

/** `limits.memory` and friends, in the divisor's units (rounded up, as upstream). */
export function resourceValue(c: Container | undefined, resource: string, divisor?: unknown, nodeAllocatable?: Record<string, string>): string {
  const [kind, name] = resource.split(".");
  const table = (kind === "limits" ? c?.resources?.limits : c?.resources?.requests) as Record<string, unknown> | undefined;
  const raw = table?.[name] ?? (kind === "limits" ? nodeAllocatable?.[name] : undefined) ?? 0;
  const value = parseQuantity(raw) ?? 0;
  const div = parseQuantity(divisor ?? (name === "cpu" ? "1" : "1")) || 1;
  return String(Math.ceil(value / div));
}

function serviceEnv(w: PodWork): Record<string, string> {
  const out: Record<string, string> = {};
  const ns = w.pod.metadata.namespace ?? "default";
  const services = [...w.ctx.list("/services", ns)];
  if (ns !== "default") {
    const k = w.ctx.get("/services", "default", "kubernetes");
    if (k) services.push(k);
  }
  const links = specOf(w).enableServiceLinks !== false;
  for (const s of services as unknown as Service[]) {
    const ip = s.spec?.clusterIP;
    if (!ip || ip === "None") continue;
    if (!links && !(s.metadata?.name === "kubernetes" && s.metadata.namespace === "default")) continue;
    let vars = serviceVars.get(s);
    if (!vars) serviceVars.set(s, (vars = varsOf(s, ip)));
    for (const [k, v] of vars) out[k] = v;
  }
  return out;
}

/** Each stored Service's variables (it is replaced on change, never edited), in the order they are set. */
const serviceVars = new WeakMap<object, [string, string][]>();

function varsOf(s: Service, ip: string): [string, string][] {
  const out: Record<string, string> = {};
  const name = (s.metadata?.name ?? "").toUpperCase().replace(/-/g, "_");
  const ports = s.spec?.ports ?? [];
  if (ports.length > 0) {
    out[`${name}_SERVICE_HOST`] = ip;
    out[`${name}_SERVICE_PORT`] = String(ports[0].port);
    for (const p of ports) if (p.name) out[`${name}_SERVICE_PORT_${p.name.toUpperCase().replace(/-/g, "_")}`] = String(p.port);
    const proto = (ports[0].protocol ?? "TCP").toLowerCase();
    out[`${name}_PORT`] = `${proto}://${ip}:${ports[0].port}`;
    for (const p of ports) {
      const pr = p.protocol ?? "TCP";
      const base = `${name}_PORT_${p.port}_${pr}`;
      out[base] = `${pr.toLowerCase()}://${ip}:${p.port}`;
      out[`${base}_PROTO`] = pr.toLowerCase();
      out[`${base}_PORT`] = String(p.port);
      out[`${base}_ADDR`] = ip;
    }
  }
  return Object.entries(out);
}

/** The environment of container `c`; throws ConfigError for what blocks its creation. */
export function containerEnv(w: PodWork, c: Container): Record<string, string> {
  const env: Record<string, string> = { ...serviceEnv(w) };
  const ns = w.pod.metadata.namespace ?? "default";
  for (const from of c.envFrom ?? []) {
    const src = from.configMapRef ? { kind: "ConfigMap" as const, ref: from.configMapRef } : from.secretRef ? { kind: "Secret" as const, ref: from.secretRef } : undefined;
    if (!src) continue;
    const data = configData(w, src.kind, src.ref.name ?? "", src.ref.optional);
    for (const [k, v] of Object.entries(data ?? {})) env[`${from.prefix ?? ""}${k}`] = v;
  }
  const nodeObj = w.ctx.get("/nodes", "", w.node);
  const allocatable = (nodeObj?.status as { allocatable?: Record<string, string> } | undefined)?.allocatable;
  for (const e of (c.env ?? []) as EnvVar[]) {
    if (e.valueFrom) {
      const vf = e.valueFrom;
      if (vf.fieldRef) env[e.name] = fieldValue(w, vf.fieldRef.fieldPath);
      else if (vf.resourceFieldRef) {
        const target = vf.resourceFieldRef.containerName ? [...(specOf(w).containers ?? []), ...(specOf(w).initContainers ?? [])].find((x) => x.name === vf.resourceFieldRef?.containerName) : c;
        env[e.name] = resourceValue(target, vf.resourceFieldRef.resource, vf.resourceFieldRef.divisor, allocatable);
      } else {
        const ref = vf.configMapKeyRef ?? vf.secretKeyRef;
        const kind = vf.configMapKeyRef ? "ConfigMap" : "Secret";
        if (!ref) continue;
        const data = configData(w, kind, ref.name ?? "", ref.optional);
        if (data === undefined) continue;
        if (!(ref.key in data)) {
          if (ref.optional || w.lenient) continue;
          throw new ConfigError(`couldn't find key ${ref.key} in ${kind} ${ns}/${ref.name}`);
        }
        env[e.name] = data[ref.key];
      }
    } else env[e.name] = expandKubeVars(e.value ?? "", env);
  }
  return env;
}
