// The requests a container instance served, for its access log: the kubelet's httpGet probes, from
// their schedule in the runtime record; the requests commands sent it (curl or wget in kubectl exec
// or the node shell), kept with the command's commit as the newest MAX_SERVED of each container; and
// the endless request loops of other containers (network/loop-requests.ts), from their pace. Each
// source answers runs of requests that logs.ts turns into lines.
import type { Container, Pod, Probe } from "kubernetes-types/core/v1";
import type { ControllerContext } from "../controllers/types";
import { loopRequests } from "../network/loop-requests";
import type { ServedRequest } from "../network/types";
import { LANGUAGE_ACCESS_LOGS } from "../runtime/images/languages";
import { TUTORIAL_ACCESS_LOGS } from "../runtime/images/tutorials";
import { WEB_ACCESS_LOGS, type AccessLog, type AccessRecord } from "../runtime/images/web";
import type { Change } from "../store/object-store";
import { utf8Length } from "../util/utf8";
import { runHook } from "./hooks";
import { modelOf } from "./models";
import { evaluateProbe, httpGet, nextChange } from "./probe-eval";
import { adoptRecord, CONTAINERS, podIdentity, type ContainerRuntime, type Instance, type PodRuntime, type ProbeKind, type ServedEntry } from "./record";
import { containerSpec, graceSeconds, specOf, type PodWork } from "./work";

/** Sub-millisecond stamps for `n` lines written in one go: stable across reads, and increasing. */
export function nanos(n: number, key: (j: number) => string): number[] {
  return Array.from({ length: n }, (_, j) => hash(key(j)) % 1_000_000).sort((a, b) => a - b);
}

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

// ---- Requests a container served -----------------------------------------------------------------

/** One container instance as the log sources see it. `c.current` is the instance (a previous one rebuilt). */
export interface InstanceView {
  w: PodWork;
  c: ContainerRuntime;
  inst: Instance;
  rebuilt: boolean;
}

/** Identical requests at a fixed period: `count` of them from `first` on (a single request has count 1). */
export interface RequestRun {
  first: number;
  period: number;
  count: number;
  port: number;
  request: Omit<AccessRecord, "at">;
  /** Stable across reads (its lines' sub-millisecond stamps derive from it); the run's place otherwise. */
  key?: string;
  /** A single request's sub-millisecond stamp, when its order among others of that ms is known. */
  ns?: number;
}

/**
 * What a container instance served up to `upTo`. The probes are the first source; requests through
 * Services can be added as another.
 */
export type RequestSource = (v: InstanceView, upTo: number) => RequestRun[];

export const ACCESS_LOGS: Record<string, AccessLog> = { ...WEB_ACCESS_LOGS, ...LANGUAGE_ACCESS_LOGS, ...TUTORIAL_ACCESS_LOGS };
const PROBE_KINDS = ["startup", "liveness", "readiness"] as const;
const periodOf = (p: Probe) => (p.periodSeconds ?? 10) * 1000;
type Window = { origin: number; last: number };
type Answer = { first: number; count: number; ok: boolean; res?: { status: number; body: string } | { error: string } };

/** A probe's first tick, placed as probes.ts places it: initial delay (or the gate), then the ticker. */
function firstTick(p: Probe, startedAt: number, gate: number): number {
  return Math.max(startedAt + (p.initialDelaySeconds ?? 0) * 1000, gate) + Math.min(periodOf(p), 1000);
}

function resolvePort(spec: Container | undefined, port: number | string | undefined): number | undefined {
  if (typeof port === "number") return port;
  if (port === undefined) return undefined;
  if (/^\d+$/.test(port)) return Number(port);
  return spec?.ports?.find((p) => p.name === port)?.containerPort;
}

function probePath(p: Probe): string {
  const path = p.httpGet?.path || "/";
  return path.startsWith("/") ? path : `/${path}`;
}

/** The answers to a probe's ticks from `origin` through `last`: one run per stretch in which nothing changes. */
function answers(v: InstanceView, p: Probe, origin: number, last: number): Answer[] {
  const period = periodOf(p);
  const port = p.httpGet ? resolvePort(containerSpec(v.w, v.c), p.httpGet.port as number | string) : undefined;
  const out: Answer[] = [];
  for (let t = origin, guard = 0; t <= last && guard < 10_000; guard++) {
    let n = Math.floor((last - t) / period) + 1;
    const change = nextChange(v.w, v.c, t);
    if (change !== undefined && change > t) n = Math.min(n, Math.ceil((change - t) / period));
    if (p.httpGet) {
      const res = port === undefined ? { error: "no port" } : httpGet(v.w, v.c, port, probePath(p), t, p.httpGet.scheme ?? "HTTP", p.httpGet.host);
      out.push({ first: t, count: n, ok: !("error" in res) && res.status >= 200 && res.status < 400, res });
    } else out.push({ first: t, count: n, ok: evaluateProbe(v.w, v.c, p, t).ok });
    t += n * period;
  }
  return out;
}

/** The tick at which `threshold` answers in a row that are `ok` (or not) are first reached. */
function crossing(runs: Answer[], period: number, ok: boolean, threshold: number): number | undefined {
  let streak = 0;
  for (const r of runs) {
    if (r.ok !== ok) {
      streak = 0;
      continue;
    }
    if (streak + r.count >= threshold) return r.first + (threshold - streak - 1) * period;
    streak += r.count;
  }
  return undefined;
}

/** When a rebuilt instance's postStart hook let its probes start. */
function postStartEnd(v: InstanceView): number {
  const hook = containerSpec(v.w, v.c)?.lifecycle?.postStart;
  if (!hook) return v.inst.startedAt;
  const scratch: PodWork = { ...v.w, now: v.inst.startedAt, rec: structuredClone(v.w.rec), wakes: [] };
  try {
    return v.inst.startedAt + runHook(scratch, { ...v.c, layer: undefined }, hook, graceSeconds(v.w) * 1000).duration;
  } catch {
    return v.inst.startedAt;
  }
}

/** The ticks at which the kubelet sent each probe to the instance (inclusive), up to `upTo`. */
function probeWindows(v: InstanceView, upTo: number): Partial<Record<ProbeKind, Window>> {
  const { inst } = v;
  const spec = containerSpec(v.w, v.c);
  // Probes only reach a running container.
  const runningLast = Math.min(upTo, (inst.exit?.at ?? Infinity) - 1);
  const out: Partial<Record<ProbeKind, Window>> = {};
  if (!v.rebuilt) {
    for (const kind of PROBE_KINDS) {
      const st = inst.probes?.[kind];
      if (!st) continue;
      let last = runningLast;
      // Liveness and startup stop when the pod is deleted, or are held once they failed the container.
      const stop = inst.stopping;
      if (kind !== "readiness" && stop) last = Math.min(last, stop.reason === "delete" ? stop.since - 1 : stop.since);
      if (kind === "startup" && inst.startedOk !== undefined) last = Math.min(last, inst.startedOk);
      out[kind] = { origin: st.origin, last };
    }
    return out;
  }
  // A previous instance: replay the probes from its start, as the kubelet counted them then.
  const gate = postStartEnd(v);
  let startedOk: number | undefined = gate;
  const sp = spec?.startupProbe;
  if (sp) {
    const origin = firstTick(sp, inst.startedAt, gate);
    const runs = answers(v, sp, origin, runningLast);
    const ok = crossing(runs, periodOf(sp), true, sp.successThreshold ?? 1);
    const failed = crossing(runs, periodOf(sp), false, sp.failureThreshold ?? 3);
    startedOk = ok !== undefined && (failed === undefined || ok < failed) ? ok : undefined;
    out.startup = { origin, last: startedOk ?? failed ?? runningLast };
  }
  if (startedOk === undefined) return out;
  for (const kind of ["liveness", "readiness"] as const) {
    const p = spec?.[`${kind}Probe`];
    if (!p) continue;
    const origin = firstTick(p, inst.startedAt, startedOk);
    let last = runningLast;
    if (kind === "liveness") last = crossing(answers(v, p, origin, runningLast), periodOf(p), false, p.failureThreshold ?? 3) ?? last;
    out[kind] = { origin, last };
  }
  return out;
}

/** The node's bridge address (.1 of its pod CIDR): probes leave the node's network namespace from it. */
function probeClient(w: PodWork): string {
  if (specOf(w).hostNetwork) return w.hostIP;
  const node = w.ctx.get("/nodes", "", w.node);
  const cidr = String((node?.spec as { podCIDR?: string } | undefined)?.podCIDR ?? "");
  const net = cidr.split("/")[0] || (w.rec.ip ?? "").replace(/\.\d+$/, ".0");
  const parts = net.split(".").map(Number);
  parts[3] += 1;
  return parts.join(".");
}

/** `kube-probe/1.32`: the prober's User-Agent carries the kubelet's major.minor version. */
function probeAgent(w: PodWork): string {
  const node = w.ctx.get("/nodes", "", w.node);
  const version = String((node?.status as { nodeInfo?: { kubeletVersion?: string } } | undefined)?.nodeInfo?.kubeletVersion ?? "v1.32");
  return `kube-probe/${/(\d+\.\d+)/.exec(version)?.[1] ?? "1.32"}`;
}

/** Whether any listener of the container on `port` writes an access log at all. */
function logsAccess(v: InstanceView, port: number | undefined): boolean {
  return !!modelOf(v.w, v.c)?.listeners.some((l) => l.port === port && l.server !== undefined && l.server in ACCESS_LOGS);
}

// Models pkg/probe/http/request.go NewRequestForHTTPGetAction (GET, User-Agent kube-probe/<major>.<minor>)
const probeRequests: RequestSource = (v, upTo) => {
  const spec = containerSpec(v.w, v.c);
  const kinds = PROBE_KINDS.filter((k) => {
    const g = spec?.[`${k}Probe`]?.httpGet;
    return g && (!g.host || g.host === v.w.rec.ip) && logsAccess(v, resolvePort(spec, g.port as number | string));
  });
  if (kinds.length === 0) return [];
  const windows = probeWindows(v, upTo);
  const out: RequestRun[] = [];
  for (const kind of kinds) {
    const p = spec![`${kind}Probe`]!;
    const win = windows[kind];
    if (!win) continue;
    const port = resolvePort(spec, p.httpGet!.port as number | string)!;
    for (const a of answers(v, p, win.origin, Math.min(win.last, upTo))) {
      if (!a.res || "error" in a.res) continue;
      const request = { client: probeClient(v.w), method: "GET", path: probePath(p), status: a.res.status, bytes: utf8Length(a.res.body), userAgent: probeAgent(v.w) };
      out.push({ first: a.first, period: periodOf(p), count: a.count, port, request });
    }
  }
  return out;
};

/** Requests commands sent the instance, as kept in its container's record (servedChanges). */
const commandRequests: RequestSource = (v, upTo) => {
  const entries = (v.c.served ?? []).filter((e) => e.id === v.inst.id && e.at <= upTo);
  // Requests answered within one ms keep the order they were sent in.
  const perMs = new Map<number, number>();
  for (const e of entries) perMs.set(e.at, (perMs.get(e.at) ?? 0) + 1);
  const taken = new Map<number, number>();
  return entries.map((e) => {
    const k = taken.get(e.at) ?? 0;
    taken.set(e.at, k + 1);
    const ns = nanos(perMs.get(e.at)!, (j) => `${v.inst.id}|served|${e.at}|${j}`)[k];
    const { client, method, path, status, bytes, userAgent, referer, forwardedFor } = e;
    return { first: e.at, period: 1, count: 1, port: e.port, key: `served|${e.at}|${k}`, ns, request: { client, method, path, status, bytes, userAgent, referer, forwardedFor } };
  });
};

export const REQUEST_SOURCES: RequestSource[] = [probeRequests, commandRequests, loopRequests];

// ---- Keeping what commands were served -----------------------------------------------------------

/** Served requests kept per container (its current and last instance): the newest, older ones fall off. */
export const MAX_SERVED = 100;
/** Longest path or User-Agent kept: a record stays small whatever a command sends. */
const MAX_FIELD = 2048;

/**
 * The runtime-record writes that keep `served` (a command's journal, network/memory.ts) for the
 * serving containers' logs: one put per pod, committed with the command. A pod gone or replaced
 * since is skipped.
 */
export function servedChanges(reader: Pick<ControllerContext, "get">, now: number, served: ServedRequest[]): Change[] {
  const byPod = new Map<string, ServedRequest[]>();
  for (const s of served) {
    // A server that keeps no access log has nothing to show for it: no write.
    if (s.server === undefined || !(s.server in ACCESS_LOGS)) continue;
    const key = `${s.namespace}/${s.pod}`;
    const list = byPod.get(key);
    if (list) list.push(s);
    else byPod.set(key, [s]);
  }
  const changes: Change[] = [];
  for (const list of byPod.values()) {
    const { namespace, pod: name, uid } = list[0];
    const pod = reader.get("/pods", namespace, name);
    if (!pod || podIdentity(pod) !== uid) continue;
    const stored = reader.get(CONTAINERS, namespace, name) as PodRuntime | undefined;
    const rec = stored && stored.uid === uid ? structuredClone(stored) : adoptRecord(pod, (pod as Pod).spec?.nodeName ?? "", now);
    if (!rec) continue;
    let kept = false;
    for (const s of list) {
      const c = rec.containers.find((x) => x.name === s.container);
      if (!c || c.current?.id !== s.instance) continue;
      const live = new Set([c.current.id, c.last?.containerID]);
      const entry: ServedEntry = { id: s.instance, at: s.at, port: s.port, client: s.client, method: s.method, path: s.path.slice(0, MAX_FIELD), status: s.status, bytes: s.bytes, userAgent: s.userAgent.slice(0, MAX_FIELD) };
      if (s.referer) entry.referer = s.referer.slice(0, MAX_FIELD);
      if (s.forwardedFor) entry.forwardedFor = s.forwardedFor.slice(0, MAX_FIELD);
      c.served = [...(c.served ?? []).filter((e) => live.has(e.id)), entry].slice(-MAX_SERVED);
      kept = true;
    }
    if (kept) changes.push({ type: "put", resource: CONTAINERS, object: rec });
  }
  return changes;
}

