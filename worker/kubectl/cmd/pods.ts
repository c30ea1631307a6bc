// Commands that reach into pods: logs (`-f` streams until Ctrl-C), exec (a command over the
// WebSocket `v5.channel.k8s.io` protocol, `-it` taking over the console's terminal), and top
// (metrics.k8s.io).
// Models staging/src/k8s.io/kubectl/pkg/cmd/{logs/logs.go,exec/exec.go,top/top_pod.go,top/top_node.go},
// polymorphichelpers/attachablepodforobject.go and pkg/util/podutils (ByLogging).
import type { Pod } from "kubernetes-types/core/v1";
import type { KubeObject } from "../../resources/types";
import type { KubeList, Query } from "../client";
import { SELECTOR_FLAG, type Command, type Ctx } from "../command";
import { resourcePath } from "../discovery";
import { isNotFound, KubectlError, StatusError } from "../errors";
import { TabWriter, TABLE_OPTIONS } from "../printers/tabwriter";
import { readStream } from "../watch";
import { milliValue, quantity, value } from "../describe/writer";
import { formatSelector } from "../describe/workloads";
import { itemsOf } from "./get";

// --- choosing a pod ---

const ready = (p: Pod) => p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
const readyTime = (p: Pod) => Date.parse(p.status?.conditions?.find((c) => c.type === "Ready")?.lastTransitionTime ?? "") || 0;
const restarts = (p: Pod) => Math.max(0, ...(p.status?.containerStatuses ?? []).map((c) => c.restartCount ?? 0));

/** Models podutils.ByLogging: the pod whose logs are most useful comes first. */
function byLogging(a: Pod, b: Pod): number {
  const an = a.spec?.nodeName ?? "";
  const bn = b.spec?.nodeName ?? "";
  if (an !== bn && (!an || !bn)) return an ? -1 : 1;
  const rank: Record<string, number> = { Running: 0, Unknown: 1, Pending: 2 };
  const ra = rank[a.status?.phase ?? ""] ?? 0;
  const rb = rank[b.status?.phase ?? ""] ?? 0;
  if (ra !== rb) return ra - rb;
  if (ready(a) !== ready(b)) return ready(a) ? -1 : 1;
  if (ready(a) && ready(b) && readyTime(a) !== readyTime(b)) return readyTime(a) - readyTime(b);
  if (restarts(a) !== restarts(b)) return restarts(b) - restarts(a);
  const ca = Date.parse(a.metadata?.creationTimestamp ?? "") || Infinity;
  const cb = Date.parse(b.metadata?.creationTimestamp ?? "") || Infinity;
  return ca - cb;
}

/** The pod `POD` or `TYPE/NAME` stands for (a workload's first pod by ByLogging, announced as kubectl does). */
async function podFor(ctx: Ctx, arg: string, ns: string, announce = false): Promise<Pod> {
  const disc = await ctx.discovery();
  const slash = arg.indexOf("/");
  const mapping = slash < 0 ? disc.mustFind("pods") : disc.mustFind(arg.slice(0, slash));
  const name = slash < 0 ? arg : arg.slice(slash + 1);
  const obj = await ctx.client.get<KubeObject>(resourcePath(mapping, ns, name));
  if (obj.kind === "Pod" || mapping.resource === "pods") return obj as unknown as Pod;
  const spec = obj.spec as { selector?: Record<string, unknown> } | undefined;
  let selector: string;
  if (obj.kind === "Service" || obj.kind === "ReplicationController") selector = Object.entries((spec?.selector ?? {}) as Record<string, string>).map(([k, v]) => `${k}=${v}`).join(",");
  else selector = formatSelector(spec?.selector as never);
  if (!selector || selector === "<none>") throw new KubectlError(`cannot attach to ${obj.kind}: selector for ${obj.kind} not implemented`);
  const list = await ctx.client.get<KubeList>(`/api/v1/namespaces/${encodeURIComponent(ns)}/pods`, { labelSelector: selector });
  const pods = (itemsOf(list) as unknown as Pod[]).map((p, i) => ({ p, i })).sort((x, y) => byLogging(x.p, y.p) || x.i - y.i).map((x) => x.p);
  if (!pods.length) throw new KubectlError(`timed out waiting for the condition`);
  // logs says which pod it chose; exec does not.
  if (pods.length > 1 && announce) ctx.err(`Found ${pods.length} pods, using pod/${pods[0].metadata?.name}\n`);
  return pods[0];
}

/** The container a command targets: `-c`, the default-container annotation, or the first (announced). */
function containerOf(ctx: Ctx, pod: Pod, asked: string): string {
  if (asked) return asked;
  const containers = pod.spec?.containers ?? [];
  const annotated = pod.metadata?.annotations?.["kubectl.kubernetes.io/default-container"];
  if (annotated && containers.some((c) => c.name === annotated)) return annotated;
  if (containers.length > 1) {
    const init = (pod.spec?.initContainers ?? []).map((c) => `${c.name} (init)`);
    ctx.err(`Defaulted container "${containers[0].name}" out of: ${[...containers.map((c) => c.name), ...init].join(", ")}\n`);
  }
  return containers[0]?.name ?? "";
}

// --- logs ---

export const logsCommand: Command = {
  name: "logs",
  flags: [
    SELECTOR_FLAG,
    { name: "container", short: "c", type: "string", default: "" },
    { name: "follow", short: "f", type: "bool" },
    { name: "previous", short: "p", type: "bool" },
    { name: "tail", type: "int", default: -1 },
    { name: "timestamps", type: "bool" },
    { name: "since", type: "string", default: "0s" },
    { name: "since-time", type: "string", default: "" },
    { name: "limit-bytes", type: "int", default: 0 },
    { name: "all-containers", type: "bool" },
    { name: "prefix", type: "bool" },
    { name: "ignore-errors", type: "bool" },
    { name: "max-log-requests", type: "int", default: 5 },
    { name: "pod-running-timeout", type: "string", default: "20s" },
    { name: "insecure-skip-tls-verify-backend", type: "bool" },
  ],
  async run(ctx) {
    const f = ctx.flags;
    const ns = ctx.namespace;
    if (ctx.args.length === 0 && !f.str("selector")) {
      throw new KubectlError("expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nPOD or TYPE/NAME is a required argument for the logs command", 1, "help");
    }
    let pods: Pod[];
    if (f.str("selector")) {
      const list = await ctx.client.get<KubeList>(`/api/v1/namespaces/${encodeURIComponent(ns)}/pods`, { labelSelector: f.str("selector") });
      pods = itemsOf(list) as unknown as Pod[];
      if (!pods.length) {
        ctx.err(`No resources found in ${ns} namespace.\n`);
        return 0;
      }
    } else {
      try {
        pods = [await podFor(ctx, ctx.args[0], ns, true)];
      } catch (e) {
        if (e instanceof StatusError && isNotFound(e)) throw new KubectlError(`error from server (NotFound): ${e.message} in namespace "${ns}"`);
        throw e;
      }
    }
    const tail = f.str("selector") && !f.changed("tail") ? 10 : f.int("tail");
    for (const pod of pods) {
      const containers = f.bool("all-containers") ? (pod.spec?.containers ?? []).map((c) => c.name) : [containerOf(ctx, pod, f.str("container") || ctx.args[1] || "")];
      for (const container of containers) {
        const query: Query = { container };
        if (f.bool("follow")) query.follow = "true";
        if (f.bool("previous")) query.previous = "true";
        if (tail >= 0) query.tailLines = String(tail);
        if (f.bool("timestamps")) query.timestamps = "true";
        if (f.int("limit-bytes") > 0) query.limitBytes = String(f.int("limit-bytes"));
        const since = parseGoDuration(f.str("since"));
        if (since > 0) query.sinceSeconds = String(Math.ceil(since / 1000));
        if (f.str("since-time")) query.sinceTime = f.str("since-time");
        const res = await ctx.client.raw("GET", `/api/v1/namespaces/${encodeURIComponent(pod.metadata?.namespace ?? ns)}/pods/${encodeURIComponent(pod.metadata?.name ?? "")}/log`, { query, accept: "*/*" });
        if (res.status >= 400) {
          const { statusErrorOf } = await import("../client");
          throw statusErrorOf(res.status, await res.text());
        }
        const prefix = f.bool("prefix") ? `[pod/${pod.metadata?.name}/${container}] ` : "";
        let pending = "";
        const interrupted = await readStream(res, ctx.env.signal, (text) => {
          if (!prefix) return ctx.out(text);
          pending += text;
          const lines = pending.split("\n");
          pending = lines.pop() ?? "";
          for (const l of lines) ctx.out(`${prefix}${l}\n`);
        });
        if (pending) ctx.out(`${prefix}${pending}`);
        if (interrupted) return 130;
      }
    }
    return 0;
  },
};

/** Go's time.ParseDuration (`1h30m`, `10s`, `500ms`) in milliseconds. */
export function parseGoDuration(s: string): number {
  let ms = 0;
  for (const m of s.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) ms += Number(m[1]) * ({ ns: 1e-6, us: 1e-3, "µs": 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2]] ?? 0);
  return ms;
}

// --- exec ---

const STDIN = 0;
const STDOUT = 1;
const STDERR = 2;
const ERROR = 3;
const CLOSE = 255;

export const execCommand: Command = {
  name: "exec",
  flags: [
    { name: "container", short: "c", type: "string", default: "" },
    { name: "stdin", short: "i", type: "bool" },
    { name: "tty", short: "t", type: "bool" },
    { name: "quiet", short: "q", type: "bool" },
    { name: "filename", short: "f", type: "stringSlice", default: [] },
    { name: "pod-running-timeout", type: "string", default: "1m0s" },
  ],
  async run(ctx) {
    const f = ctx.flags;
    const at = f.parsed.argsLenAtDash;
    const before = at < 0 ? ctx.args.slice(0, 1) : ctx.args.slice(0, at);
    const command = at < 0 ? ctx.args.slice(1) : ctx.args.slice(at);
    if (before.length === 0) throw new KubectlError("pod, type/name or --filename must be specified", 1, "help");
    if (at < 0 && ctx.args.length > 1) {
      throw new KubectlError("exec [POD] [COMMAND] is not supported anymore. Use exec [POD] -- [COMMAND] instead", 1, "help");
    }
    if (command.length === 0) throw new KubectlError("you must specify at least one command for the container", 1, "help");
    const ns = ctx.namespace;
    let pod: Pod;
    try {
      pod = await podFor(ctx, before[0], ns);
    } catch (e) {
      throw e;
    }
    const phase = pod.status?.phase;
    if (phase === "Succeeded" || phase === "Failed") throw new KubectlError(`cannot exec into a container in a completed pod; current phase is ${phase}`);
    const container = containerOf(ctx, pod, f.str("container"));
    let tty = f.bool("tty");
    const terminal = ctx.env.terminal;
    if (tty && !terminal) {
      if (!f.bool("quiet")) ctx.err("Unable to use a TTY - input is not a terminal or the right kind of file\n");
      tty = false;
    }
    const stdin = f.bool("stdin");
    const query: Query = { command, container, stdout: "true" };
    if (stdin) query.stdin = "true";
    if (!tty) query.stderr = "true";
    if (tty) query.tty = "true";
    const res = await ctx.client.raw("GET", `/api/v1/namespaces/${encodeURIComponent(ns)}/pods/${encodeURIComponent(pod.metadata?.name ?? "")}/exec`, {
      query,
      headers: { upgrade: "websocket", connection: "Upgrade", "sec-websocket-protocol": "v5.channel.k8s.io", "sec-websocket-version": "13", "sec-websocket-key": "a3ViZXBsYXktY29uc29sZQ==" },
    });
    const ws = (res as Response & { webSocket?: WebSocket | null }).webSocket;
    if (res.status !== 101 || !ws) {
      const { statusErrorOf } = await import("../client");
      throw statusErrorOf(res.status, await res.text());
    }
    return runStream(ctx, ws, { stdin, tty, terminal: tty ? terminal : undefined });
  },
};

/** Speaks the channel protocol over an accepted socket; resolves with the command's exit code. */
export function runStream(ctx: Ctx, ws: WebSocket, o: { stdin: boolean; tty: boolean; terminal?: { takeInput(fn: (d: string) => void): () => void } }): Promise<number> {
  const encoder = new TextEncoder();
  const decoder = { out: new TextDecoder(), err: new TextDecoder() };
  (ws as WebSocket & { binaryType?: string }).binaryType = "arraybuffer";
  ws.accept();
  const frame = (channel: number, bytes: Uint8Array) => {
    const b = new Uint8Array(bytes.length + 1);
    b[0] = channel;
    b.set(bytes, 1);
    return b;
  };
  return new Promise<number>((resolve) => {
    let status: { status?: string; reason?: string; message?: string; details?: { causes?: { reason?: string; message?: string }[] } } | undefined;
    let release: (() => void) | undefined;
    const finish = () => {
      release?.();
      try {
        // Completes the closing handshake the server started.
        ws.close(1000, "");
      } catch {
        // Already closed.
      }
      ctx.env.signal.removeEventListener("abort", onAbort);
      if (!status || status.status === "Success") return resolve(0);
      if (status.reason === "NonZeroExitCode") {
        const code = Number(status.details?.causes?.find((c) => c.reason === "ExitCode")?.message ?? 1);
        if (!o.tty) ctx.err(`command terminated with exit code ${code}\n`);
        return resolve(code);
      }
      ctx.err(`error: ${status.message ?? "exec failed"}\n`);
      resolve(1);
    };
    const onAbort = () => {
      try {
        ws.close(1000, "");
      } catch {
        // Already closed.
      }
      resolve(130);
    };
    ctx.env.signal.addEventListener("abort", onAbort);
    // Frames are handled in order; one that arrives as a Blob is read before the next is looked at.
    let queue: Promise<void> = Promise.resolve();
    const handle = (data: Uint8Array) => {
      if (!data.length) return;
      const body = data.subarray(1);
      if (data[0] === STDOUT) ctx.out(decoder.out.decode(body, { stream: true }));
      else if (data[0] === STDERR) ctx.err(decoder.err.decode(body, { stream: true }));
      else if (data[0] === ERROR) status = JSON.parse(new TextDecoder().decode(body));
    };
    ws.addEventListener("message", (ev) => {
      const d = ev.data as string | ArrayBuffer | Blob;
      queue = queue.then(async () => handle(typeof d === "string" ? encoder.encode(d) : d instanceof ArrayBuffer ? new Uint8Array(d) : new Uint8Array(await d.arrayBuffer())));
    });
    ws.addEventListener("close", () => void queue.then(finish));
    ws.addEventListener("error", () => void queue.then(finish));
    if (o.terminal) {
      // The remote shell echoes and edits the line itself; keystrokes go straight through.
      release = o.terminal.takeInput((d) => {
        try {
          ws.send(frame(STDIN, encoder.encode(d)));
        } catch {
          // The session ended.
        }
      });
    } else if (o.stdin) {
      if (ctx.env.stdin) ws.send(frame(STDIN, encoder.encode(ctx.env.stdin)));
      ws.send(new Uint8Array([CLOSE, STDIN]));
    }
  });
}

// --- top ---

function cpuCell(v: string): string {
  return `${milliValue(quantity(v))}m`;
}

function memCell(v: string): string {
  return `${Math.floor(value(quantity(v)) / (1024 * 1024))}Mi`;
}

interface PodMetrics {
  metadata: { name: string; namespace?: string; creationTimestamp?: string };
  containers: { name: string; usage: { cpu: string; memory: string } }[];
}

/** Go's time.Duration.String() of a whole number of milliseconds. */
function goDuration(ms: number): string {
  if (ms === 0) return "0s";
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = (ms % 60_000) / 1000;
  let out = "";
  if (h) out += `${h}h`;
  if (h || m) out += `${m}m`;
  out += `${Number.isInteger(s) ? s : s.toFixed(3).replace(/0+$/, "")}s`;
  return out;
}

const topPod: Command = {
  name: "pod",
  aliases: ["pods", "po"],
  flags: [SELECTOR_FLAG, { name: "all-namespaces", short: "A", type: "bool" }, { name: "containers", type: "bool" }, { name: "no-headers", type: "bool" }, { name: "sort-by", type: "string", default: "" }, { name: "sum", type: "bool" }, { name: "field-selector", type: "string", default: "" }, { name: "use-protocol-buffers", type: "bool", default: true }],
  async run(ctx) {
    const f = ctx.flags;
    const all = f.bool("all-namespaces");
    const ns = ctx.namespace;
    const base = all ? "/apis/metrics.k8s.io/v1beta1/pods" : `/apis/metrics.k8s.io/v1beta1/namespaces/${encodeURIComponent(ns)}/pods`;
    const query: Query = {};
    if (f.str("selector")) query.labelSelector = f.str("selector");
    if (f.str("field-selector")) query.fieldSelector = f.str("field-selector");
    let metrics: PodMetrics[];
    const name = ctx.args[0];
    if (name) {
      try {
        metrics = [await ctx.client.get<PodMetrics>(`${base}/${encodeURIComponent(name)}`)];
      } catch (e) {
        if (!isNotFound(e)) throw e;
        await ctx.client.get(`/api/v1/namespaces/${encodeURIComponent(ns)}/pods/${encodeURIComponent(name)}`);
        const pod = await ctx.client.get<KubeObject>(`/api/v1/namespaces/${encodeURIComponent(ns)}/pods/${encodeURIComponent(name)}`);
        throw new KubectlError(`Metrics not available for pod ${ns}/${name}, age: ${goDuration(ctx.env.now() - Date.parse(pod.metadata.creationTimestamp ?? ""))}`);
      }
    } else {
      metrics = (await ctx.client.get<{ items: PodMetrics[] }>(base, query)).items ?? [];
      if (metrics.length === 0) {
        const pods = itemsOf(await ctx.client.get<KubeList>(all ? "/api/v1/pods" : `/api/v1/namespaces/${encodeURIComponent(ns)}/pods`, query));
        if (!pods.length) {
          ctx.err(all ? "No resources found\n" : `No resources found in ${ns} namespace.\n`);
          return 0;
        }
        const p = pods[0];
        throw new KubectlError(`Metrics not available for pod ${p.metadata.namespace}/${p.metadata.name}, age: ${goDuration(ctx.env.now() - Date.parse(p.metadata.creationTimestamp ?? ""))}`);
      }
    }
    const total = (m: PodMetrics, r: "cpu" | "memory") => m.containers.reduce((s, c) => s + (r === "cpu" ? milliValue(quantity(c.usage.cpu)) : value(quantity(c.usage.memory))), 0);
    const sortBy = f.str("sort-by");
    if (sortBy === "cpu" || sortBy === "memory") metrics = [...metrics].sort((a, b) => total(b, sortBy) - total(a, sortBy));
    const w = new TabWriter(TABLE_OPTIONS);
    const containers = f.bool("containers");
    if (!f.bool("no-headers")) w.write(`${all ? "NAMESPACE\t" : ""}${containers ? "POD\t" : ""}NAME\tCPU(cores)\tMEMORY(bytes)\t\n`);
    let cpuSum = 0;
    let memSum = 0;
    for (const m of metrics) {
      const nsCell = all ? `${m.metadata.namespace}\t` : "";
      if (containers) for (const c of m.containers) w.write(`${nsCell}${m.metadata.name}\t${c.name}\t${cpuCell(c.usage.cpu)}\t${memCell(c.usage.memory)}\t\n`);
      else w.write(`${nsCell}${m.metadata.name}\t${total(m, "cpu")}m\t${Math.floor(total(m, "memory") / (1024 * 1024))}Mi\t\n`);
      cpuSum += total(m, "cpu");
      memSum += total(m, "memory");
    }
    if (f.bool("sum")) {
      const pad = (all ? "\t" : "") + (containers ? "\t" : "");
      w.write(`${pad}\t________\t________\t\n${pad}\t${cpuSum}m\t${Math.floor(memSum / (1024 * 1024))}Mi\t\n`);
    }
    ctx.out(w.flush());
    return 0;
  },
};

const topNode: Command = {
  name: "node",
  aliases: ["nodes", "no"],
  flags: [SELECTOR_FLAG, { name: "no-headers", type: "bool" }, { name: "sort-by", type: "string", default: "" }, { name: "show-capacity", type: "bool" }, { name: "use-protocol-buffers", type: "bool", default: true }],
  async run(ctx) {
    const f = ctx.flags;
    const query: Query = {};
    if (f.str("selector")) query.labelSelector = f.str("selector");
    const name = ctx.args[0];
    const nodes = name ? [await ctx.client.get<KubeObject>(`/api/v1/nodes/${encodeURIComponent(name)}`)] : itemsOf(await ctx.client.get<KubeList>("/api/v1/nodes", query));
    const metrics = name
      ? [await ctx.client.get<{ metadata: { name: string }; usage: { cpu: string; memory: string } }>(`/apis/metrics.k8s.io/v1beta1/nodes/${encodeURIComponent(name)}`)]
      : ((await ctx.client.get<{ items: { metadata: { name: string }; usage: { cpu: string; memory: string } }[] }>("/apis/metrics.k8s.io/v1beta1/nodes", query)).items ?? []);
    if (!metrics.length) throw new KubectlError("metrics not available yet");
    const byName = new Map(nodes.map((n) => [n.metadata.name ?? "", n]));
    let rows = metrics.map((m) => {
      const n = byName.get(m.metadata.name);
      const st = (n?.status ?? {}) as { allocatable?: Record<string, string>; capacity?: Record<string, string> };
      const avail = f.bool("show-capacity") ? st.capacity : st.allocatable;
      const cpu = milliValue(quantity(m.usage.cpu));
      const mem = value(quantity(m.usage.memory));
      const cpuPct = Math.trunc((cpu / (milliValue(quantity(avail?.cpu ?? "0")) || 1)) * 100);
      const memPct = Math.trunc((mem / (value(quantity(avail?.memory ?? "0")) || 1)) * 100);
      return { name: m.metadata.name, cpu, mem, cpuPct, memPct };
    });
    const sortBy = f.str("sort-by");
    if (sortBy === "cpu") rows = rows.sort((a, b) => b.cpu - a.cpu);
    if (sortBy === "memory") rows = rows.sort((a, b) => b.mem - a.mem);
    const w = new TabWriter(TABLE_OPTIONS);
    if (!f.bool("no-headers")) w.write("NAME\tCPU(cores)\tCPU(%)\tMEMORY(bytes)\tMEMORY(%)\t\n");
    for (const r of rows) w.write(`${r.name}\t${r.cpu}m\t${r.cpuPct}%\t${Math.floor(r.mem / (1024 * 1024))}Mi\t${r.memPct}%\t\n`);
    const missing = nodes.filter((n) => !metrics.some((m) => m.metadata.name === n.metadata.name));
    for (const n of missing) w.write(`${n.metadata.name}\t<unknown>\t<unknown>\t<unknown>\t<unknown>\t\n`);
    ctx.out(w.flush());
    return 0;
  },
};

export const topCommand: Command = { name: "top", flags: [], sub: [topNode, topPod] };

/** Opens exec or attach on a pod over WebSocket and speaks to it until it ends. */
export async function streamPod(ctx: Ctx, sub: "exec" | "attach", ns: string, pod: string, query: Query, o: { stdin: boolean; tty: boolean }): Promise<number> {
  const res = await ctx.client.raw("GET", `/api/v1/namespaces/${encodeURIComponent(ns)}/pods/${encodeURIComponent(pod)}/${sub}`, {
    query,
    headers: { upgrade: "websocket", connection: "Upgrade", "sec-websocket-protocol": "v5.channel.k8s.io", "sec-websocket-version": "13", "sec-websocket-key": "a3ViZXBsYXktY29uc29sZQ==" },
  });
  const ws = (res as Response & { webSocket?: WebSocket | null }).webSocket;
  if (res.status !== 101 || !ws) {
    const { statusErrorOf } = await import("../client");
    throw statusErrorOf(res.status, await res.text());
  }
  return runStream(ctx, ws, { stdin: o.stdin, tty: o.tty, terminal: o.tty ? ctx.env.terminal : undefined });
}

/** Waits (watching) until the pod runs or ends; false when the wait timed out or was interrupted. */
export async function waitForRunning(ctx: Ctx, ns: string, name: string, timeoutMs: number): Promise<"running" | "ended" | "timeout"> {
  const phase = (o: KubeObject) => (o.status as { phase?: string } | undefined)?.phase ?? "";
  const running = (o: KubeObject) => {
    const p = phase(o);
    if (p === "Succeeded" || p === "Failed") return "ended";
    const st = (o.status as { containerStatuses?: { state?: { running?: unknown } }[] } | undefined)?.containerStatuses ?? [];
    return p === "Running" || st.some((c) => c.state?.running) ? "running" : undefined;
  };
  const current = await ctx.client.get<KubeObject>(`/api/v1/namespaces/${encodeURIComponent(ns)}/pods/${encodeURIComponent(name)}`);
  const now = running(current);
  if (now) return now;
  const abort = new AbortController();
  const onAbort = () => abort.abort();
  ctx.env.signal.addEventListener("abort", onAbort);
  // Wall time: how long the person at the terminal waits for the pod (--pod-running-timeout).
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  let result = "timeout" as "running" | "ended" | "timeout";
  try {
    const res = await ctx.client.raw("GET", `/api/v1/namespaces/${encodeURIComponent(ns)}/pods`, { query: { fieldSelector: `metadata.name=${name}`, resourceVersion: current.metadata.resourceVersion, watch: "true" } });
    const { readWatch } = await import("../watch");
    await readWatch(res, abort.signal, (ev) => {
      const r = running(ev.object as KubeObject);
      if (r) {
        result = r;
        abort.abort();
      }
    });
  } finally {
    clearTimeout(timer);
    ctx.env.signal.removeEventListener("abort", onAbort);
  }
  return result;
}
