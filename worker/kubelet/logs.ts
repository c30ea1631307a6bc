// Container logs as the kubelet serves them: what one container instance's process printed (stdout
// and stderr in time order) up to virtual now, and the access-log lines its server wrote for the
// requests it answered. Nothing is stored per line: the output comes from re-running the pure
// process model for the instance's spec and start time, and the requests from the sources that know
// what the container served (served.ts). A previous instance is rebuilt from its terminated state.
// Like the kubelet's log manager, the file rotates at 10 MiB (MAX_LOG_BYTES; checked every 10 s) and
// only the current file is read.
// Models pkg/kubelet/kubelet_pods.go validateContainerLogStatus, pkg/kubelet/kuberuntime/logs/logs.go
// ReadLogs and pkg/kubelet/logs/container_log_manager.go rotateLogs
import type { ContainerStatus, Pod } from "kubernetes-types/core/v1";
import type { ControllerContext } from "../controllers/types";
import { readOnlyContext } from "../controllers/read-only";
import type { KubeObject } from "../resources/types";
import type { OutputLine } from "../runtime/types";
import { utf8Length } from "../util/utf8";
import { modelOf, modelVersion, rerun } from "./models";
import { listenerAt } from "./probe-eval";
import { adoptRecord, CONTAINERS, podIdentity, type Instance, type PodRuntime } from "./record";
import { ACCESS_LOGS, nanos, REQUEST_SOURCES, type InstanceView, type RequestRun } from "./served";
import { containerSpec, type PodWork } from "./work";

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


// ---- The log of one instance ---------------------------------------------------------------------

/** Bytes a line takes in the runtime's log file: `<RFC3339Nano> <stream> F <text>\n`. */
const FILE_LINE_OVERHEAD = 41;
/** The kubelet's containerLogMaxSize default; a sandbox may set its own (MAX_LOG_BYTES, sandbox/limits.ts). */
export const MAX_FILE_BYTES = 10 * 1024 * 1024;
const ROTATE_CHECK_MS = 10_000;


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
