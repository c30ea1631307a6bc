// Sends one fuzz request through the Worker and checks what came back: never a 5xx (a gateway's
// 502/503/504 excepted on the proxy and outside routes), an answer within the time bound, and an
// error body of the shape its route promises.
import { createExecutionContext, env } from "cloudflare:test";
import worker from "../../../worker/index";
import { ORIGIN } from "../helpers";

/**
 * The Worker's own fetch handler, called in-process: the test pool's SELF.fetch adds a cost to every
 * request that grows with the number already sent, which thousands of requests cannot afford.
 */
export function fetchWorker(request: Request): Promise<Response> {
  return (worker as unknown as ExportedHandler<typeof env>).fetch!(request as Request<unknown, IncomingRequestCfProperties>, env, createExecutionContext()) as Promise<Response>;
}
import type { FuzzRequest, Shape, Target } from "./generators";

export interface Outcome {
  status: number;
  ms: number;
  problem?: string;
}

export type Ids = Record<Exclude<Target, "none">, string>;

/** The request as printed in a failure: enough to send it again by hand. */
export function describeRequest(req: FuzzRequest, ids?: Ids): string {
  const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n)}… (${s.length} chars)` : s);
  const body = req.body === undefined ? "" : typeof req.body === "string" ? clip(JSON.stringify(req.body), 600) : `<${req.body.length} bytes: ${Array.from(req.body.slice(0, 48), (b) => b.toString(16).padStart(2, "0")).join("")}>`;
  const path = ids ? resolvePath(req, ids) : req.path;
  const frames = req.ws ? ` frames=${clip(JSON.stringify(req.ws.frames.map((f) => (typeof f === "string" ? f : Array.from(f.slice(0, 40))))), 600)}` : "";
  return `[${req.category} → ${req.target}] ${req.method} ${clip(path, 400)} headers=${JSON.stringify(req.headers ?? {})} body=${body}${frames}`;
}

function resolvePath(req: FuzzRequest, ids: Ids): string {
  return req.target === "none" ? req.path : req.path.replace("$ID", ids[req.target]);
}

const GATEWAY_CODES = new Set([502, 503, 504]);

/** What a JavaScript exception looks like when it leaks into an answer (a console's stderr, an exec's output). */
export const CRASH = /Cannot read propert(y|ies) of|is not a function|is not iterable|Maximum call stack size exceeded|Invalid (time value|array length|string length)|Invalid regular expression: \/| in JSON at position |Unexpected (token|end of JSON)|URI malformed|\b(TypeError|RangeError|ReferenceError|URIError)\b/;

/** A proxy's or an outside route's 502/503/504: the simulated network's answer, not a server failure. */
export function isGatewayAnswer(req: FuzzRequest, status: number): boolean {
  return req.shape === "gateway" && GATEWAY_CODES.has(status);
}

/** What is wrong with an error answer's body, for its route's promised shape. */
function shapeProblem(shape: Shape, status: number, contentType: string, text: string, method: string): string | undefined {
  if (method === "HEAD") return undefined;
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (shape === "gateway") {
    if (json?.kind === "Status") return statusProblem(json, status);
    if (!text.trim()) return "an error answer without a body";
    return undefined;
  }
  if (shape === "kube") return json ? statusProblem(json, status) : `not a Status object: ${contentType} ${JSON.stringify(text.slice(0, 200))}`;
  // The sandbox service's and the console's errors: {"error": "..."}.
  if (!json || typeof json !== "object") return `not the service's JSON error: ${contentType} ${JSON.stringify(text.slice(0, 200))}`;
  if (typeof json.error !== "string" || !json.error) return `no "error" message in ${JSON.stringify(text.slice(0, 200))}`;
  return undefined;
}

function statusProblem(s: any, status: number): string | undefined {
  if (s?.kind !== "Status" || s.apiVersion !== "v1") return `not a Status object: ${JSON.stringify(s).slice(0, 200)}`;
  if (s.status !== "Failure") return `Status.status is ${JSON.stringify(s.status)}`;
  if (s.code !== status) return `Status.code ${s.code} on an HTTP ${status}`;
  if (typeof s.reason !== "string" || !s.reason) return "Status without a reason";
  if (typeof s.message !== "string" || !s.message.trim()) return "Status without a message";
  return undefined;
}

function statusVerdict(req: FuzzRequest, status: number): string | undefined {
  if (status >= 500 && !isGatewayAnswer(req, status)) return `HTTP ${status}`;
  if (req.refuse && status < 400) return `HTTP ${status} for a request that must be refused`;
  return undefined;
}

/** Races `p` against the time bound; a hang is reported, never waited out. */
async function bounded<T>(p: Promise<T>, ms: number): Promise<T | "timeout"> {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const timeout = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), ms)));
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The shape an answer must have where the request really lands: a path with `..` segments is
 * resolved by the URL parser first, so `/s/<id>/../../api/sandboxes` reaches the service and
 * `/s/<id>/../../x` a static page (whose 404 has no particular shape).
 */
function effectiveShape(req: FuzzRequest, url: URL): Shape | undefined {
  const path = url.pathname;
  if (path.startsWith("/api/")) return "service";
  if (!path.startsWith("/s/")) return undefined;
  if (/^\/s\/[^/]+\/console\/watch$/.test(path)) return "kube";
  if (/^\/s\/[^/]+\/console\//.test(path)) return "console";
  return req.shape === "service" || req.shape === "console" ? "kube" : req.shape;
}

/** A watch (or a followed log) answers with a stream that stays open: only its head is awaited. */
function isStream(req: FuzzRequest, url: URL): boolean {
  if (req.stream) return true;
  const watch = url.searchParams.get("watch");
  // (A present `follow` is true unless "0" or "false", as the apiserver converts query booleans.)
  const follow = url.searchParams.get("follow");
  return /\/watch(\/|$)/.test(url.pathname) || watch === "true" || watch === "1" || /\/console\/watch$/.test(url.pathname) || (/\/log$/.test(url.pathname) && follow !== null && !["0", "false"].includes(follow.toLowerCase()));
}

export async function send(req: FuzzRequest, ids: Ids, timeoutMs: number): Promise<Outcome> {
  const started = Date.now();
  const url = `${ORIGIN}${resolvePath(req, ids)}`;
  const parsed = new URL(url);
  const shape = effectiveShape(req, parsed);
  const stream = isStream(req, parsed);
  // Header values a client can send at all: HTTP has no way to carry control characters or non-Latin-1 text there.
  const headers = Object.fromEntries(Object.entries(req.headers ?? {}).map(([k, v]) => [k, v.replace(/[^\x20-\x7e]/g, "?")]));
  const init: RequestInit = { method: req.method, headers };
  if (req.body !== undefined && !["GET", "HEAD"].includes(req.method.toUpperCase())) init.body = req.body as BodyInit;
  const result = await bounded(
    (async (): Promise<Omit<Outcome, "ms">> => {
      let res: Response;
      try {
        res = await fetchWorker(new Request(url, init));
      } catch (e) {
        // A request the runtime itself cannot send (an invalid method or header) never reached the Worker.
        if (e instanceof TypeError) return { status: 0, problem: `the test could not send this request: ${e.message}` };
        throw e;
      }
      if (req.ws && res.status === 101) return { status: 101, problem: await converse(req, res) };
      const verdict = statusVerdict(req, res.status);
      if (stream && res.status < 300) {
        await res.body?.cancel();
        return { status: res.status, problem: verdict };
      }
      const text = await res.text();
      if (verdict) return { status: res.status, problem: `${verdict}: ${text.slice(0, 300)}` };
      const crash = CRASH.exec(text);
      if (crash) return { status: res.status, problem: `a JavaScript error in the answer: …${text.slice(Math.max(0, crash.index - 150), crash.index + 150)}…` };
      if (res.status >= 400) {
        const problem = shape ? shapeProblem(shape, res.status, res.headers.get("content-type") ?? "", text, req.method) : undefined;
        return { status: res.status, problem };
      }
      if (req.ws && req.ws.kind === "exec" && res.status < 300) return { status: res.status, problem: `HTTP ${res.status} instead of an upgrade` };
      if ((res.headers.get("content-type") ?? "").startsWith("application/json") && req.method !== "HEAD") {
        try {
          JSON.parse(text);
        } catch {
          return { status: res.status, problem: `invalid JSON in a ${res.status} answer: ${text.slice(0, 200)}` };
        }
      }
      return { status: res.status };
    })(),
    timeoutMs,
  );
  const ms = Date.now() - started;
  if (result === "timeout") return { status: -1, ms, problem: `no answer within ${timeoutMs} ms` };
  return { ...result, ms };
}

/** Drives an accepted WebSocket: sends the frames, listens a while, checks what came back. */
async function converse(req: FuzzRequest, res: Response): Promise<string | undefined> {
  const ws = res.webSocket!;
  ws.binaryType = "arraybuffer";
  ws.accept();
  const problems: string[] = [];
  const received: (string | Uint8Array)[] = [];
  let closed = false;
  const closedP = new Promise<void>((resolve) =>
    ws.addEventListener("close", () => {
      closed = true;
      resolve();
    }),
  );
  ws.addEventListener("message", (ev) => received.push(typeof ev.data === "string" ? ev.data : new Uint8Array(ev.data as ArrayBuffer)));
  for (const f of req.ws!.frames) {
    if (closed) break;
    try {
      ws.send(f);
    } catch {
      break;
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  await Promise.race([closedP, new Promise((r) => setTimeout(r, req.ws!.waitMs))]);
  if (!closed) {
    try {
      ws.close(1000, "fuzz done");
    } catch {
      // Closed meanwhile.
    }
  }
  const output = received.map((m) => (typeof m === "string" ? m : new TextDecoder().decode(m.subarray(1)))).join("");
  const crash = CRASH.exec(output);
  if (crash) problems.push(`a JavaScript error in the output: …${output.slice(Math.max(0, crash.index - 150), crash.index + 150)}…`);
  if (req.ws!.kind === "exec") {
    const status = received.filter((m): m is Uint8Array => m instanceof Uint8Array && m[0] === 3);
    if (closed && status.length === 0) problems.push("exec closed without a Status on channel 3");
    for (const s of status) {
      try {
        const st = JSON.parse(new TextDecoder().decode(s.subarray(1)));
        if (st.status !== "Success" && st.status !== "Failure") problems.push(`channel-3 Status ${JSON.stringify(st).slice(0, 200)}`);
        if (CRASH.test(st.message ?? "")) problems.push(`exec crashed: ${st.message.slice(0, 300)}`);
      } catch {
        problems.push("channel 3 is not a Status");
      }
    }
  } else {
    for (const m of received) {
      if (typeof m !== "string") {
        problems.push("a binary frame from the terminal");
        continue;
      }
      try {
        const msg = JSON.parse(m);
        if (msg.type !== "output" && msg.type !== "exit") problems.push(`terminal frame of type ${JSON.stringify(msg.type)}`);
        if (msg.type === "output" && CRASH.test(msg.data)) problems.push(`terminal printed a crash: ${String(msg.data).slice(0, 300)}`);
      } catch {
        problems.push("a terminal frame that is not JSON");
      }
    }
  }
  return problems.length ? problems.join("; ") : undefined;
}
