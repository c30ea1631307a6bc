// BusyBox nc (its netcat 1.10 build, nc_bloaty): a port check (`-z`, `-v` says "open"), an HTTP
// request written on stdin and the raw answer printed, and a listener (`-l -p PORT`) that a
// tcpSocket probe or a client finds open. Only one exchange per connection is modelled.
// Models busybox networking/nc_bloaty.c nc_main
import { clientEnv, SYN_TIMEOUT_MS, waitFor } from "../../network/client-env";
import { REASONS } from "../../network/deliver";
import type { ConnectOutcome } from "../../network/types";
import type { Program } from "./proc";

interface NcOptions {
  listen: boolean;
  zero: boolean;
  verbose: number;
  wait?: number;
  port?: string;
  args: string[];
}

function parse(argv: string[]): NcOptions | string {
  const o: NcOptions = { listen: false, zero: false, verbose: 0, args: [] };
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith("-") || a === "-") {
      o.args.push(a);
      continue;
    }
    for (let j = 1; j < a.length; j++) {
      const f = a[j];
      if (f === "l") o.listen = true;
      else if (f === "k") o.listen = true;
      else if (f === "z") o.zero = true;
      else if (f === "v") o.verbose++;
      else if (f === "n" || f === "u") continue;
      else if (f === "w" || f === "p" || f === "s" || f === "i" || f === "o") {
        const v = a.slice(j + 1) || argv[++i];
        if (v === undefined) return `nc: option requires an argument -- '${f}'`;
        if (f === "w") o.wait = Number(v);
        if (f === "p") o.port = v;
        break;
      } else return `nc: invalid option -- '${f}'`;
    }
  }
  return o;
}

const USAGE = "BusyBox v1.37.0 (2024-09-26 21:31:42 UTC) multi-call binary.\n\nUsage: nc [OPTIONS] HOST PORT  - connect\nnc [OPTIONS] -l -p PORT [HOST] [PORT]  - listen\n";

/** The request a client wrote on stdin, when it is HTTP. */
function httpRequest(text: string): { method: string; path: string; headers: Record<string, string>; body?: string } | undefined {
  const m = /^([A-Z]+) (\S+) HTTP\/1\.[01]\r?\n/.exec(text);
  if (!m) return undefined;
  const [head, body] = text.split(/\r?\n\r?\n/, 2);
  const headers: Record<string, string> = {};
  for (const line of head.split(/\r?\n/).slice(1)) {
    const c = line.indexOf(":");
    if (c > 0) headers[line.slice(0, c).trim()] = line.slice(c + 1).trim();
  }
  return { method: m[1], path: m[2], headers, ...(body ? { body } : {}) };
}

export const nc: Program = (p, argv, io) => {
  const o = parse(argv);
  if (typeof o === "string") {
    io.err(`${o}\n${USAGE}`);
    return 1;
  }
  if (o.listen) {
    const port = Number(o.port ?? o.args[1] ?? o.args[0]);
    if (!Number.isInteger(port) || port <= 0 || port > 65535) {
      io.err(`nc: bad local port '${o.port ?? ""}'\n`);
      return 1;
    }
    if (o.verbose) io.err(`listening on [::]:${port} ...\n`);
    p.listen({ port, protocol: "TCP", server: "nc" });
    return p.block();
  }
  const [host, portText] = o.args;
  if (host === undefined || portText === undefined) {
    io.err(USAGE);
    return 1;
  }
  const port = Number(portText);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) {
    io.err(`nc: bad port '${portText}'\n`);
    return 1;
  }
  const env = clientEnv(p);
  const resolved = env.lookup(host);
  if (!resolved.ok) {
    waitFor(p, resolved.elapsedMs);
    io.err(`nc: bad address '${host}'\n`);
    return 1;
  }
  const dotted = `${resolved.address}:${port}`;
  // A port check sends nothing; otherwise what was written on stdin goes out (one HTTP request).
  const sent = o.zero ? undefined : httpRequest(io.stdin);
  const req = sent ?? { method: "GET", path: "/", headers: {} };
  const out: ConnectOutcome = env.net ? env.net.http(resolved.address, port, req, p.now()) : { kind: "timeout" };
  const fail = (why: string) => {
    if (o.verbose) io.err(`nc: ${host} (${dotted}): ${why}\n`);
    return 1;
  };
  // At one -v a refusal is not reported (nc 1.10's scanning habit).
  if (out.kind === "refused") return o.verbose > 1 ? fail("Connection refused") : 1;
  if (out.kind === "unreachable") {
    waitFor(p, out.afterMs);
    return fail("No route to host");
  }
  if (out.kind === "timeout") {
    waitFor(p, o.wait !== undefined && o.wait > 0 ? Math.min(o.wait * 1000, SYN_TIMEOUT_MS) : SYN_TIMEOUT_MS);
    return fail("Connection timed out");
  }
  if (o.verbose) io.err(`${host} (${dotted}) open\n`);
  if (o.zero || !sent || out.kind === "empty") return 0;
  const head = [`HTTP/1.1 ${out.status} ${REASONS[out.status] ?? ""}`.trimEnd(), ...Object.entries(out.headers).map(([k, v]) => `${k}: ${v}`)];
  io.out(`${head.join("\r\n")}\r\n\r\n${out.body}`);
  return 0;
};
