// `pods/exec` and `pods/attach` over WebSocket, the way kubectl 1.30+ speaks them: the
// `v5.channel.k8s.io` subprotocol (and v4, which lacks only the stdin-close signal), binary frames
// whose first byte is the channel — 0 stdin, 1 stdout, 2 stderr, 3 the final Status, 4 resize,
// 255 close — ended by a Status on channel 3 and a normal close. Requests the API server would refuse
// before upgrading (pod or container unknown, no node, a read-only link) get an HTTP Status; what the
// kubelet refuses (container not running, command not found) arrives on channel 3 after the upgrade.
// SPDY, which kubectl 1.27–1.29 use, needs a raw connection a Worker cannot hijack: it is refused with
// a Status that says what to do instead.
// Models staging/src/k8s.io/apimachinery/pkg/util/httpstream/wsstream (negotiation), pkg/registry/core/pod/strategy.go
// streamLocation/validateContainer, and client-go tools/remotecommand/proxy StreamTranslatorHandler (statuses).
import type { Pod } from "kubernetes-types/core/v1";
import { ControllerRuntime } from "../controllers/runtime";
import { AttachSession, ExecSession, type SessionEnd, type SessionIo } from "../kubelet/exec-session";
import { attachedShell, endAttachedShell, type ExecTarget, type Runner } from "../kubelet/exec";
import { servedChanges } from "../kubelet/served";
import { CONTAINERS, type PodRuntime } from "../kubelet/record";
import { journalServed } from "../network/memory";
import type { ApiContext } from "./context";
import { badRequest, forbidden, methodNotAllowed, notFound } from "./status";

const PROTOCOLS = ["v5.channel.k8s.io", "v4.channel.k8s.io"];
const STDIN = 0;
const STDOUT = 1;
const STDERR = 2;
const ERROR = 3;
const RESIZE = 4;
const CLOSE = 255;
/** kubectl reads frames into 32 KiB buffers; larger output is sent in pieces of that size. */
const FRAME_BYTES = 32 * 1024;
/** How often an attach looks at the container for new output (wall time). */
const ATTACH_POLL_MS = 250;

export const SPDY_UNSUPPORTED =
  "kubeplay serves exec, attach and cp over WebSocket only, and this kubectl asked for SPDY: use kubectl 1.30 or newer, or with kubectl 1.29 set KUBECTL_REMOTE_COMMAND_WEBSOCKETS=true";

interface StreamParams {
  command: string[];
  container: string;
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

// Models strconv.ParseBool, which the query parameter codec uses.
function bool(v: string | null): boolean {
  return v !== null && ["1", "t", "T", "true", "TRUE", "True"].includes(v);
}

function paramsOf(url: URL): StreamParams {
  const q = url.searchParams;
  return { command: q.getAll("command"), container: q.get("container") ?? "", stdin: bool(q.get("stdin")), stdout: bool(q.get("stdout")), stderr: bool(q.get("stderr")), tty: bool(q.get("tty")) };
}

/** The container the request names, or the one a single-container pod has (upstream's wording otherwise). */
function containerOf(pod: Pod, name: string, wanted: string): string {
  const spec = pod.spec;
  const all = [...(spec?.initContainers ?? []), ...(spec?.containers ?? []), ...(spec?.ephemeralContainers ?? [])].map((c) => c.name);
  if (wanted) {
    if (!all.includes(wanted)) throw badRequest(`container ${wanted} is not valid for pod ${name}`);
    return wanted;
  }
  const containers = spec?.containers ?? [];
  if (containers.length === 1) return containers[0].name;
  if (containers.length === 0) throw badRequest(`a container name must be specified for pod ${name}`);
  throw badRequest(`a container name must be specified for pod ${name}, choose one of: [${all.join(" ")}]`);
}

/** The subprotocol to answer with: the first the client offers that is served here. */
function negotiate(request: Request): string {
  const offered = (request.headers.get("sec-websocket-protocol") ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const chosen = offered.find((p) => PROTOCOLS.includes(p));
  if (!chosen) throw badRequest(`requested protocol(s) are not supported: [${offered.join(" ")}]; supports [${PROTOCOLS.join(" ")}]`);
  return chosen;
}

/**
 * Steps of a session run holding the write lock; what they wrote is committed and the cluster
 * reacts. The requests containers answered for the step's commands are kept with it, for their logs.
 */
function runnerFor(ctx: ApiContext): Runner {
  return async (step) => {
    let wrote = false;
    const result = await ctx.store.exclusive(async () => {
      const rt = new ControllerRuntime(ctx.store, ctx.clock, ctx.rng);
      const journal = journalServed(ctx.rng);
      let r: ReturnType<typeof step>;
      try {
        r = step(rt);
      } finally {
        journal.close();
      }
      for (const change of servedChanges(rt, rt.now(), journal.served)) rt.emit(change);
      if (rt.changes.length) {
        await ctx.store.commit(rt.changes, {});
        wrote = true;
      }
      return r;
    });
    if (wrote) ctx.afterWrite();
    return result;
  };
}

// Models staging/src/k8s.io/apimachinery/pkg/util/remotecommand constants (NonZeroExitCode, ExitCode).
function finalStatus(end: SessionEnd, command: string[]): Record<string, unknown> {
  if ("error" in end) {
    return { metadata: {}, status: "Failure", message: `Internal error occurred: ${end.error}`, reason: "InternalError", details: { causes: [{ message: end.error }] }, code: 500 };
  }
  if (end.code === 0) return { metadata: {}, status: "Success" };
  return {
    metadata: {},
    status: "Failure",
    message: `command terminated with non-zero exit code: error executing command [${command.join(" ")}], exit code ${end.code}`,
    reason: "NonZeroExitCode",
    details: { causes: [{ reason: "ExitCode", message: String(end.code) }] },
  };
}

const encoder = new TextEncoder();

function frame(channel: number, bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length + 1);
  out[0] = channel;
  out.set(bytes, 1);
  return out;
}

/** Wall time between the upgrade and the first frame out, as an exec's start takes on a node. */
const STREAM_SETUP_MS = 30;

/** Wires a session to the socket: frames out, stdin/resize/close in. */
function serve(socket: WebSocket, p: StreamParams, command: string[], session: { input?(t: string): unknown; endInput?(): unknown; close(): void }, release?: () => void): SessionIo {
  const sendNow = (data: Uint8Array) => {
    try {
      socket.send(data);
    } catch {
      session.close();
    }
  };
  // kubectl's WebSocket client (1.29–1.31) registers its streams only after the upgrade and drops
  // frames that arrive first ("Unknown stream id 1"); a kubelet's exec takes a moment to start, so
  // the first frames (and the close) wait as long.
  let held: (Uint8Array | "close")[] | undefined = [];
  const closeNow = () => {
    try {
      socket.close(1000, "");
    } catch {
      // The client left first.
    }
  };
  setTimeout(() => {
    const frames = held ?? [];
    held = undefined;
    for (const f of frames) {
      if (f === "close") closeNow();
      else sendNow(f);
    }
  }, STREAM_SETUP_MS);
  const send = (data: Uint8Array) => (held ? held.push(data) : sendNow(data));
  const decoder = new TextDecoder();
  let ended = false;
  socket.addEventListener("message", (ev) => {
    if (typeof ev.data === "string") return;
    const data = new Uint8Array(ev.data as ArrayBuffer);
    if (data.length === 0) return;
    if (data[0] === STDIN && p.stdin) void session.input?.(decoder.decode(data.subarray(1), { stream: true }));
    else if (data[0] === CLOSE && data[1] === STDIN && p.stdin) {
      const rest = decoder.decode();
      if (rest) void session.input?.(rest);
      void session.endInput?.();
    }
    // RESIZE: the simulated programs draw nothing that depends on the terminal's size.
    else if (data[0] === RESIZE) return;
  });
  const gone = () => {
    release?.();
    session.close();
  };
  socket.addEventListener("close", () => {
    gone();
    try {
      socket.close(1000, "");
    } catch {
      // Already closed.
    }
  });
  socket.addEventListener("error", gone);
  return {
    write(stream, text) {
      if ((stream === "stdout" && !p.stdout) || (stream === "stderr" && !p.stderr)) return;
      const bytes = encoder.encode(text);
      for (let at = 0; at < bytes.length; at += FRAME_BYTES) send(frame(stream === "stdout" ? STDOUT : STDERR, bytes.subarray(at, at + FRAME_BYTES)));
    },
    end(result) {
      if (ended) return;
      ended = true;
      release?.();
      send(frame(ERROR, encoder.encode(JSON.stringify(finalStatus(result, command)))));
      if (held) held.push("close");
      else closeNow();
    },
  };
}

/** `GET|POST /api/v1/namespaces/{ns}/pods/{name}/exec|attach`. */
export async function streamSubresource(ctx: ApiContext, request: Request, url: URL, ns: string, name: string, sub: "exec" | "attach"): Promise<Response> {
  if (ctx.readOnly) throw forbidden("", "pods", name, "this is a read-only link to the sandbox; it cannot make changes");
  if (request.method !== "GET" && request.method !== "POST") throw methodNotAllowed();
  const p = paramsOf(url);
  const pod = ctx.store.get("/pods", ns, name) as Pod | undefined;
  if (!pod) throw notFound("", "pods", name);
  const container = containerOf(pod, name, p.container);
  if (!pod.spec?.nodeName) throw badRequest(`pod ${name} does not have a host assigned`);
  // Models pkg/kubelet/cri/streaming/remotecommand NewOptions.
  if (!p.stdin && !p.stdout && !p.stderr) throw badRequest("you must specify at least 1 of stdin, stdout, stderr");
  const upgrade = (request.headers.get("upgrade") ?? "").toLowerCase();
  // The platform drops a SPDY request's Upgrade header; its X-Stream-Protocol-Version list remains.
  if (!upgrade.includes("websocket") && (upgrade.includes("spdy") || request.headers.has("x-stream-protocol-version"))) throw badRequest(SPDY_UNSUPPORTED);
  if (!upgrade.includes("websocket")) throw badRequest("Upgrade request required");
  const protocol = negotiate(request);
  if (p.tty) p.stderr = false;
  // The session holds one of the sandbox's exec slots until it ends or the client leaves.
  const release = ctx.guard?.streams.acquire("exec");

  const pair = new WebSocketPair();
  const [client, socket] = [pair[0], pair[1]];
  // Frames are handled as they arrive, in order: bytes at once rather than Blobs to await.
  socket.binaryType = "arraybuffer";
  socket.accept();
  const target: ExecTarget = { namespace: ns, pod: name, container };
  const run = runnerFor(ctx);
  if (sub === "exec") {
    const holder: { s?: ExecSession } = {};
    let stopWatching = () => {};
    const done = () => {
      stopWatching();
      release?.();
    };
    const io = serve(socket, p, p.command, { input: (t) => holder.s?.input(t), endInput: () => holder.s?.endInput(), close: () => holder.s?.close() }, done);
    const session = (holder.s = new ExecSession({ target, command: p.command, stdin: p.stdin, tty: p.tty }, run, io));
    stopWatching = whenContainerGoes(ctx, target, () => void session.containerGone());
    void session.start();
  } else if (p.stdin && attachedShell(pod, container)) {
    // The container's shell waits on its open stdin (`kubectl run -it … -- sh`): what is typed runs
    // in it as in an exec'd shell, and when it ends the container's stdin is closed with it.
    const argv = attachedShell(pod, container)!;
    const holder: { s?: ExecSession } = {};
    const io = serve(socket, p, argv, { input: (t) => holder.s?.input(t), endInput: () => holder.s?.endInput(), close: () => holder.s?.close() }, release);
    const ending: SessionIo = {
      write: (stream, text) => io.write(stream, text),
      end: (result) => {
        io.end(result);
        if ("code" in result) void run((c) => endAttachedShell(c, target, result.code)).catch((e) => console.error("ending the attached shell failed", e));
      },
    };
    holder.s = new ExecSession({ target, command: argv, stdin: true, tty: p.tty }, run, ending);
    void holder.s.start();
  } else {
    const holder: { s?: AttachSession } = {};
    const io = serve(socket, p, [], { close: () => holder.s?.close() }, release);
    const session = (holder.s = new AttachSession(target, p.tty, run, io));
    // Output appears as virtual time passes, which no event announces: look again every so often.
    const tick = async () => {
      try {
        await session.poll();
      } catch (e) {
        session.close();
        failed(io, e);
      }
      if (!session.done) setTimeout(tick, ATTACH_POLL_MS);
    };
    void tick();
  }
  return new Response(null, { status: 101, webSocket: client, headers: { "sec-websocket-protocol": protocol } });
}

/**
 * Calls `gone` once the container instance running now stops running — killed by a probe, exited,
 * restarted, its pod deleted — as a session in it then ends (SIGKILL, 137) even when idle. Returns
 * the way to stop watching.
 */
function whenContainerGoes(ctx: ApiContext, target: ExecTarget, gone: () => void): () => void {
  const instance = () => {
    const rec = ctx.store.get(CONTAINERS, target.namespace, target.pod) as PodRuntime | undefined;
    const inst = rec?.containers.find((c) => c.name === target.container)?.current;
    return inst && !inst.stopping && !(inst.exit && inst.exit.at <= ctx.clock.now()) ? inst.id : undefined;
  };
  const id = instance();
  if (id === undefined) return () => {};
  const unsubscribe = ctx.store.subscribe((e) => {
    if ((e.resource !== CONTAINERS && e.resource !== "/pods") || e.object.metadata.namespace !== target.namespace || e.object.metadata.name !== target.pod) return;
    if (instance() === id) return;
    unsubscribe();
    gone();
  });
  return unsubscribe;
}

function failed(io: SessionIo, e: unknown): void {
  console.error("attach session failed", e);
  io.end({ error: String((e as Error)?.message ?? e) });
}
