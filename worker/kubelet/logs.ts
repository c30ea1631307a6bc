// Container logs as the kubelet serves them: what one container instance's process printed (stdout
// and stderr in time order) up to virtual now, and the access-log lines its server wrote for the
// requests it answered. Nothing is stored per line: the output comes from re-running the pure
// process model for the instance's spec and start time, and the requests from sources that know
// what the container served: the kubelet's httpGet probes, from their schedule in the runtime
// record, and the requests commands sent it (curl or wget in kubectl exec or the node shell), kept
// with the command's commit as the newest MAX_SERVED of each container, and the endless request
// loops of other containers (network/loop-requests.ts), from their pace. A previous instance is rebuilt from its terminated state. Like the kubelet's log
// manager, the file rotates at 10 MiB (MAX_LOG_BYTES; checked every 10 s) and only the current file is read.
// Models pkg/kubelet/kubelet_pods.go validateContainerLogStatus, pkg/kubelet/kuberuntime/logs/logs.go
// ReadLogs and pkg/kubelet/logs/container_log_manager.go rotateLogs
import type { Container, ContainerStatus, Pod, Probe } from "kubernetes-types/core/v1";
import type { ControllerContext } from "../controllers/types";
import { readOnlyContext } from "../controllers/read-only";
import { loopRequests } from "../network/loop-requests";
import type { ServedRequest } from "../network/types";
import type { KubeObject } from "../resources/types";
import { LANGUAGE_ACCESS_LOGS } from "../runtime/images/languages";
import { TUTORIAL_ACCESS_LOGS } from "../runtime/images/tutorials";
import { WEB_ACCESS_LOGS, type AccessLog, type AccessRecord } from "../runtime/images/web";
import type { OutputLine } from "../runtime/types";
import { runHook } from "./hooks";
import { modelOf, modelVersion, rerun } from "./models";
import { evaluateProbe, httpGet, listenerAt, nextChange } from "./probe-eval";
import type { Change } from "../store/object-store";
import { adoptRecord, CONTAINERS, podIdentity, type ContainerRuntime, type Instance, type PodRuntime, type ProbeKind, type ServedEntry } from "./record";
import { containerSpec, graceSeconds, specOf, type PodWork } from "./work";

/** One line of a container's log. The runtime stamps lines to the nanosecond: `ns` is the part below `at`'s ms. */
export interface LogEntry {
  at: number;
  ns: number;
  stream: "stdout" | "stderr";
  text: string;
}

// ---- Which container a request reads -------------------------------------------------------------

/** The container id a log request reads, from the pod's status as the kubelet reports it; or why there is none. */
export function logContainerID(pod: Pod, container: string, previous: boolean): { id: string } | { error: string } {
  const pname = pod.metadata?.name ?? "";
  const find = (list: ContainerStatus[] | undefined) => list?.find((s) => s.name === container);
  const cs = find(pod.status?.containerStatuses) ?? find(pod.status?.initContainerStatuses) ?? find(pod.status?.ephemeralContainerStatuses);
  const about = `container "${container}" in pod "${pname}"`;
  if (!cs) return { error: `${about} is not available` };
  const last = cs.lastState?.terminated;
  const { waiting, running, terminated } = cs.state ?? {};
  const id = (s: string | undefined) => ({ id: (s ?? "").replace(/^\w+:\/\//, "") });
  if (previous) return last?.containerID ? id(last.containerID) : { error: `previous terminated container "${container}" in pod "${pname}" not found` };
  if (running) return id(cs.containerID);
  if (terminated) {
    // When the next container did not start, the terminated state has no id: the last one's log is read.
    if (terminated.containerID) return id(terminated.containerID);
    return last?.containerID ? id(last.containerID) : { error: `${about} is terminated` };
  }
  if (last) return last.containerID ? id(last.containerID) : { error: `${about} is terminated` };
  if (waiting) {
    if (waiting.reason === "ErrImagePull") return { error: `${about} is waiting to start: image can't be pulled` };
    if (waiting.reason === "ImagePullBackOff") return { error: `${about} is waiting to start: trying and failing to pull image` };
    return { error: `${about} is waiting to start: ${waiting.reason ?? ""}` };
  }
  return { error: `${about} is waiting to start - no logs yet` };
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

const ACCESS_LOGS: Record<string, AccessLog> = { ...WEB_ACCESS_LOGS, ...LANGUAGE_ACCESS_LOGS, ...TUTORIAL_ACCESS_LOGS };
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

// ---- The log of one instance ---------------------------------------------------------------------

/** Bytes a line takes in the runtime's log file: `<RFC3339Nano> <stream> F <text>\n`. */
const FILE_LINE_OVERHEAD = 41;
/** The kubelet's containerLogMaxSize default; a sandbox may set its own (MAX_LOG_BYTES, sandbox/limits.ts). */
export const MAX_FILE_BYTES = 10 * 1024 * 1024;
const ROTATE_CHECK_MS = 10_000;

export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c < 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** Sub-millisecond stamps for `n` lines written in one go: stable across reads, and increasing. */
function nanos(n: number, key: (j: number) => string): number[] {
  return Array.from({ length: n }, (_, j) => hash(key(j)) % 1_000_000).sort((a, b) => a - b);
}

/** A run of requests as log lines: each tick writes the same number of lines of the same size. */
interface LoggedRun {
  key: string;
  first: number;
  period: number;
  count: number;
  stream: "stdout" | "stderr";
  lines: (t: number) => string[];
  perTick: number;
  bytesPerTick: number;
  ns?: number;
}

/** Ticks of `r` at or before `t`. */
function ticksUpTo(r: LoggedRun, t: number): number {
  if (t < r.first) return 0;
  return Math.min(r.count, Math.floor((t - r.first) / r.period) + 1);
}

export class ContainerLog {
  private readonly outBytes: number[] = [0];

  constructor(
    /** The instance's id, start and end (its exit; undefined while it runs). */
    readonly id: string,
    readonly start: number,
    readonly end: number | undefined,
    private readonly out: LogEntry[],
    private readonly runs: LoggedRun[],
    /** What the process printed is known up to here (a re-run's horizon); Infinity when all of it is. */
    private readonly knownUntil = Infinity,
  ) {
    for (const e of out) this.outBytes.push(this.outBytes[this.outBytes.length - 1] + utf8Length(e.text) + FILE_LINE_OVERHEAD);
  }

  /** How many printed lines are at or before `t`. */
  private outUpTo(t: number): number {
    let lo = 0;
    let hi = this.out.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.out[mid].at <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  linesUpTo(t: number): number {
    return this.outUpTo(t) + this.runs.reduce((n, r) => n + ticksUpTo(r, t) * r.perTick, 0);
  }

  /** The size of the log file (never rotated) once everything up to `t` was written. */
  bytesUpTo(t: number): number {
    return this.outBytes[this.outUpTo(t)] + this.runs.reduce((n, r) => n + ticksUpTo(r, t) * r.bytesPerTick, 0);
  }

  /** The lines after `after` up to `upTo` (ms, both ends as stated), in order. */
  entries(after: number, upTo: number): LogEntry[] {
    const out = this.out.slice(this.outUpTo(after), this.outUpTo(upTo));
    for (const r of this.runs) {
      for (let k = ticksUpTo(r, after); k < ticksUpTo(r, upTo); k++) {
        const at = r.first + k * r.period;
        const texts = r.lines(at);
        const ns = r.ns !== undefined ? texts.map((_, j) => Math.min(999_999, r.ns! + j)) : nanos(texts.length, (j) => `${this.id}|${r.key}|${k}|${j}`);
        texts.forEach((text, j) => out.push({ at, ns: ns[j], stream: r.stream, text }));
      }
    }
    return out.sort((a, b) => a.at - b.at || a.ns - b.ns);
  }

  /**
   * The next moment after `t` a line is written, if one is known — or, past what a re-run covered,
   * the moment to look again.
   */
  nextAfter(t: number): number | undefined {
    let best = this.out[this.outUpTo(t)]?.at;
    for (const r of this.runs) {
      const k = ticksUpTo(r, t);
      if (k < r.count) best = Math.min(best ?? Infinity, r.first + k * r.period);
    }
    if (Number.isFinite(this.knownUntil)) best = Math.min(best ?? Infinity, Math.max(t, this.knownUntil) + 1);
    return best;
  }
}

/** Process output found by re-running the model with a horizon, per instance: doubling keeps re-runs rare. */
const horizonRuns = new Map<string, { horizon: number; complete: boolean; output: OutputLine[] }>();
const MAX_HORIZON_RUNS = 200;
const MIN_HORIZON_MS = 10 * 60_000;

/**
 * What the instance's process printed by `offset` (ms into its run). The kubelet's model stops at the
 * first turn of an endless loop (one turn tells when it exits); a log needs every turn, so such a
 * process is simulated again up to the offset asked for.
 */
function printed(v: InstanceView, offset: number): { output: OutputLine[]; until: number } {
  const base = modelOf(v.w, v.c);
  if (!base || base.exit) return { output: base?.output ?? [], until: Infinity };
  // A model simulated again after a network change has a new version: what was re-run before is stale.
  const key = modelVersion(v.w, v.c);
  const hit = horizonRuns.get(key);
  if (hit && (hit.complete || hit.horizon >= offset)) return { output: hit.output, until: hit.complete ? Infinity : hit.horizon };
  const horizon = Math.max(offset, (hit?.horizon ?? 0) * 2, MIN_HORIZON_MS);
  // The replay sees the network as its model did, at each call's time (a load generator prints what
  // its server answered then).
  const model = rerun(v.w, v.c, horizon);
  horizonRuns.delete(key);
  if (horizonRuns.size >= MAX_HORIZON_RUNS) horizonRuns.delete(horizonRuns.keys().next().value as string);
  horizonRuns.set(key, { horizon, complete: model.complete, output: model.output });
  return { output: model.output, until: model.complete ? Infinity : horizon };
}

/**
 * Memoises a run's lines per second: every access-log format stamps to the second, and a busy
 * run (a load loop, dozens of requests a second) would otherwise format each line anew.
 */
function bySecond(lines: (at: number) => string[]): (at: number) => string[] {
  let second = NaN;
  let last: string[] = [];
  return (at) => {
    const s = Math.floor(at / 1000);
    if (s !== second) {
      second = s;
      last = lines(at);
    }
    return last;
  };
}

function logRun(v: InstanceView, r: RequestRun, i: number): LoggedRun | undefined {
  const server = listenerAt(v.w, v.c, r.port, r.first)?.server;
  const format = server === undefined ? undefined : ACCESS_LOGS[server];
  if (!format) return undefined;
  const sample = format({ ...r.request, at: r.first });
  return {
    key: r.key ?? `${i}|${r.first}`,
    first: r.first,
    period: r.period,
    count: r.count,
    stream: sample.stream,
    lines: bySecond((at) => format({ ...r.request, at }).lines),
    ns: r.ns,
    perTick: sample.lines.length,
    bytesPerTick: sample.lines.reduce((n, l) => n + utf8Length(l) + FILE_LINE_OVERHEAD, 0),
  };
}

/** The log of one instance as known at `upTo`. */
export function instanceLog(v: InstanceView, upTo: number): ContainerLog {
  const { inst } = v;
  const warm = inst.warm ?? 0;
  const end = inst.exit?.at;
  const limit = Math.min(upTo, end ?? Infinity);
  const endOffset = end === undefined ? Infinity : end - inst.startedAt + warm;
  // An adopted container was found running: what it printed before is shown at its start.
  const known = printed(v, limit - inst.startedAt + warm);
  const lines = known.output.filter((l) => l.at <= endOffset);
  const out: LogEntry[] = [];
  for (let i = 0; i < lines.length; ) {
    let j = i;
    while (j < lines.length && lines[j].at === lines[i].at) j++;
    const at = inst.startedAt + Math.max(0, lines[i].at - warm);
    const ns = nanos(j - i, (k) => `${inst.id}|${lines[i].at}|${k}`);
    for (let k = i; k < j; k++) out.push({ at, ns: ns[k - i], stream: lines[k].stream, text: lines[k].text });
    i = j;
  }
  const runs = REQUEST_SOURCES.flatMap((src) => src(v, limit))
    .map((r, i) => logRun(v, r, i))
    .filter((r): r is LoggedRun => r !== undefined);
  return new ContainerLog(inst.id, inst.startedAt, end, out, runs, inst.startedAt + known.until - warm);
}

/** The log of container `name`'s instance `id` (current or previous) of `pod`, as known now; undefined when gone. */
export function openContainerLog(ctx: ControllerContext, pod: KubeObject, node: KubeObject, name: string, id: string): ContainerLog | undefined {
  const now = ctx.now();
  const ns = pod.metadata.namespace ?? "default";
  const nodeName = node.metadata.name ?? "";
  const stored = ctx.get(CONTAINERS, ns, pod.metadata.name ?? "") as PodRuntime | undefined;
  const rec = stored && stored.uid === podIdentity(pod) ? stored : adoptRecord(pod, nodeName, now);
  const c = rec?.containers.find((x) => x.name === name);
  if (!rec || !c) return undefined;
  const addresses = (node.status as { addresses?: { type: string; address: string }[] } | undefined)?.addresses ?? [];
  const w: PodWork = { ctx, now, pod, rec, node: nodeName, hostIP: addresses.find((a) => a.type === "InternalIP")?.address ?? "", wakes: [], lenient: true };
  if (c.current?.id === id) return instanceLog({ w, c, inst: c.current, rebuilt: false }, now);
  const last = c.last;
  if (last?.containerID !== id) return undefined;
  const image = c.current?.image ?? containerSpec(w, c)?.image ?? "";
  const inst: Instance = { id, image, imageID: "", startedAt: last.startedAt, exit: { at: last.finishedAt, code: last.exitCode, reason: last.reason, message: last.message } };
  return instanceLog({ w, c: { ...c, current: inst, last: undefined, layer: undefined }, inst, rebuilt: true }, now);
}

// ---- Reading --------------------------------------------------------------------------------------

/** Where the current log file begins: after the last rotation the log manager made by `upTo`. */
export function fileStart(log: ContainerLog, upTo: number, maxFileBytes = MAX_FILE_BYTES): number {
  let base = log.start - 1;
  let baseBytes = 0;
  const total = log.bytesUpTo(upTo);
  while (total - baseBytes >= maxFileBytes) {
    let lo = base;
    let hi = upTo;
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (log.bytesUpTo(mid) - baseBytes >= maxFileBytes) hi = mid;
      else lo = mid;
    }
    const rotated = Math.ceil(hi / ROTATE_CHECK_MS) * ROTATE_CHECK_MS;
    if (rotated > upTo) break;
    base = rotated;
    baseBytes = log.bytesUpTo(rotated);
  }
  return base;
}

export interface ReadOptions {
  tailLines?: number;
  /** Virtual epoch ms: lines stamped before are skipped. */
  since?: number;
  /** Where the file rotates (default the kubelet's 10 MiB). */
  maxFileBytes?: number;
}

/** A read of the log now: its lines, and the moment they cover up to (a follow goes on from there). */
export function readLog(log: ContainerLog, now: number, opts: ReadOptions): { entries: LogEntry[]; upTo: number } {
  const upTo = Math.min(now, log.end ?? now);
  let after = fileStart(log, upTo, opts.maxFileBytes);
  const tail = opts.tailLines;
  if (tail !== undefined) {
    // The last `tail` lines of the file come first; the since filter applies to those.
    const total = log.linesUpTo(upTo);
    if (tail === 0) after = upTo;
    else if (total - log.linesUpTo(after) > tail) {
      let lo = after;
      let hi = upTo;
      while (hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2);
        if (total - log.linesUpTo(mid) >= tail) lo = mid;
        else hi = mid;
      }
      after = lo;
    }
  } else if (opts.since !== undefined) after = Math.max(after, opts.since - 1);
  let entries = log.entries(after, upTo);
  if (tail !== undefined) entries = entries.slice(Math.max(0, entries.length - tail));
  if (opts.since !== undefined) entries = entries.filter((e) => e.at >= opts.since!);
  return { entries, upTo };
}

/** `2026-11-23T10:00:05.123456789Z`: the fixed-width RFC 3339 the kubelet prefixes lines with. */
export function logTimestamp(e: LogEntry): string {
  return new Date(e.at).toISOString().replace(/Z$/, `${String(e.ns).padStart(6, "0")}Z`);
}

export function formatEntries(entries: LogEntry[], timestamps: boolean): string {
  return entries.map((e) => `${timestamps ? `${logTimestamp(e)} ` : ""}${e.text}\n`).join("");
}

export { readOnlyContext };
