// The console's endpoints, served by the sandbox's Durable Object:
//   GET  /s/<id>/console/terminal?node=<node>  WebSocket; client → server JSON text frames
//        {"type":"input","data":"<keystrokes>"} and {"type":"resize","cols":N,"rows":N}; server →
//        client {"type":"output","data":"<terminal bytes>"} and {"type":"exit","code":N}.
//   POST /s/<id>/console/run {"command","node"?,"stdin"?,"timeoutSeconds"?} → {"stdout","stderr","exitCode"}:
//        one command line in a fresh shell (no terminal); a command that streams (`get -w`,
//        `logs -f`) is interrupted after timeoutSeconds (default 10) of wall time, as Ctrl-C would.
//   GET  /s/<id>/console/watch?w=<collection path>@<resourceVersion>&…  the page's watches and the
//        clock in one stream, holding one watch slot (worker/service/watch-mux.ts).
import { jsonResponse } from "../api/negotiate";
import { watchMany } from "../service/watch-mux";
import type { ConsoleHost } from "./host";
import { ConsoleShell } from "./shell";
import { TerminalSession } from "./terminal";

const MAX_COMMAND_BYTES = 256 * 1024;
const DEFAULT_TIMEOUT_S = 10;
const MAX_TIMEOUT_S = 300;

/** The node a console opens on: the one asked for, else the first control-plane node. */
function nodeFor(host: ConsoleHost, asked: string | null | undefined): string | { error: string } {
  const nodes = host.nodes();
  if (asked) return nodes.some((n) => n.name === asked) ? asked : { error: `node "${asked}" not found` };
  const cp = nodes.find((n) => n.controlPlane) ?? nodes[0];
  return cp ? cp.name : { error: "the sandbox has no nodes" };
}

export async function handleConsole(host: ConsoleHost, request: Request, path: string): Promise<Response> {
  const url = new URL(request.url);
  if (path === "/console/terminal") {
    if ((request.headers.get("upgrade") ?? "").toLowerCase() !== "websocket") return jsonResponse({ error: "expected a WebSocket upgrade" }, 426);
    const node = nodeFor(host, url.searchParams.get("node"));
    if (typeof node !== "string") return jsonResponse(node, 404);
    // A terminal is a session like exec's, holding one of the sandbox's exec slots (a 429 when none is free).
    return terminal(host, node, host.guard?.streams.acquire("exec"));
  }
  if (path === "/console/watch") {
    if (request.method !== "GET") return jsonResponse({ error: "use GET" }, 405);
    const guard = host.guard;
    return watchMany(url, (p) => host.watch(p), { hold: guard && (() => guard.streams.acquire("watch")), clock: host.clock });
  }
  if (path === "/console/run") {
    if (request.method !== "POST") return jsonResponse({ error: "use POST" }, 405);
    let body: Record<string, unknown>;
    try {
      body = (await request.json()) as Record<string, unknown>;
    } catch {
      return jsonResponse({ error: 'expected a JSON object such as {"command": "kubectl get pods"}' }, 400);
    }
    if (typeof body !== "object" || body === null || typeof body.command !== "string") return jsonResponse({ error: "command must be a string (a command line)" }, 400);
    if (body.command.length > MAX_COMMAND_BYTES) return jsonResponse({ error: `command is longer than ${MAX_COMMAND_BYTES} bytes` }, 413);
    if (body.node !== undefined && typeof body.node !== "string") return jsonResponse({ error: "node must be a string" }, 400);
    if (body.stdin !== undefined && typeof body.stdin !== "string") return jsonResponse({ error: "stdin must be a string" }, 400);
    const timeout = body.timeoutSeconds === undefined ? DEFAULT_TIMEOUT_S : Number(body.timeoutSeconds);
    if (!Number.isFinite(timeout) || timeout <= 0 || timeout > MAX_TIMEOUT_S) return jsonResponse({ error: `timeoutSeconds must be a number of seconds between 0 and ${MAX_TIMEOUT_S}` }, 400);
    const node = nodeFor(host, body.node as string | undefined);
    if (typeof node !== "string") return jsonResponse(node, 404);
    return jsonResponse(await runOnce(host, node, body.command, (body.stdin as string | undefined) ?? "", timeout));
  }
  return jsonResponse({ error: "not found" }, 404);
}

async function runOnce(host: ConsoleHost, node: string, command: string, stdin: string, timeoutS: number): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  const shell = new ConsoleShell(host, node);
  const result = { stdout: "", stderr: "", exitCode: 0 };
  const abort = new AbortController();
  // Wall time, not the sandbox clock: this only bounds how long the request stays open.
  const timer = setTimeout(() => abort.abort(), timeoutS * 1000);
  try {
    const r = await shell.run(command, { stdin, out: (t) => (result.stdout += t), err: (t) => (result.stderr += t) }, { signal: abort.signal });
    result.exitCode = r.code;
  } finally {
    clearTimeout(timer);
  }
  return result;
}

function terminal(host: ConsoleHost, node: string, release?: () => void): Response {
  const pair = new WebSocketPair();
  const [client, socket] = [pair[0], pair[1]];
  socket.accept();
  const close = () => {
    release?.();
    try {
      socket.close(1000, "exit");
    } catch {
      // Already closed.
    }
  };
  const session = new TerminalSession(
    host,
    node,
    (msg) => {
      try {
        socket.send(JSON.stringify(msg));
      } catch {
        session.dispose();
      }
    },
    close,
  );
  socket.addEventListener("message", (ev) => {
    if (typeof ev.data !== "string") return;
    let msg: { type?: unknown; data?: unknown; cols?: unknown; rows?: unknown };
    try {
      msg = JSON.parse(ev.data) as typeof msg;
    } catch {
      return;
    }
    if (msg.type === "input" && typeof msg.data === "string") session.input(msg.data);
    else if (msg.type === "resize") session.resize(Number(msg.cols), Number(msg.rows));
  });
  socket.addEventListener("close", () => {
    session.dispose();
    close();
  });
  socket.addEventListener("error", () => {
    release?.();
    session.dispose();
  });
  session.start();
  return new Response(null, { status: 101, webSocket: client });
}
