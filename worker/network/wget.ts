// wget: BusyBox's in the small images (-q, -O FILE / -O-, -S, -T, -U, --header, --spider,
// --post-data), writing `index.html` by default, with its one-line failures; GNU wget on the
// nodes, with its dated transcript.
// Models busybox networking/wget.c (bb_error_msg texts, progress_meter) and GNU wget src/http.c.
import { noteRequest } from "../runtime/shell/interp";
import type { Io, Proc, Program } from "../runtime/shell/proc";
import { clientEnv, parseUrl, SYN_TIMEOUT_MS, waitFor } from "./client-env";
import { REASONS } from "./deliver";
import type { ConnectOutcome } from "./types";

interface WgetOptions {
  url?: string;
  quiet: boolean;
  output?: string;
  serverResponse: boolean;
  spider: boolean;
  timeout?: number;
  userAgent?: string;
  headers: [string, string][];
  postData?: string;
}

function parseArgs(argv: string[]): WgetOptions {
  const o: WgetOptions = { quiet: false, serverResponse: false, spider: false, headers: [] };
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith("--")) {
      const [name, inline] = a.slice(2).split(/=(.*)/s, 2);
      const value = () => inline ?? argv[++i];
      if (name === "quiet") o.quiet = true;
      else if (name === "output-document") o.output = value();
      else if (name === "server-response") o.serverResponse = true;
      else if (name === "spider") o.spider = true;
      else if (name === "timeout") o.timeout = Number(value()) * 1000;
      else if (name === "user-agent") o.userAgent = value();
      else if (name === "header") {
        const h = value() ?? "";
        const c = h.indexOf(":");
        if (c > 0) o.headers.push([h.slice(0, c).trim(), h.slice(c + 1).trim()]);
      } else if (name === "post-data") o.postData = value();
      continue;
    }
    if (a.startsWith("-") && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const f = a[j];
        if ("OTUYP".includes(f)) {
          const v = j + 1 < a.length ? a.slice(j + 1) : argv[++i];
          if (f === "O") o.output = v;
          else if (f === "T") o.timeout = Number(v) * 1000;
          else if (f === "U") o.userAgent = v;
          break;
        }
        if (f === "q") o.quiet = true;
        else if (f === "S") o.serverResponse = true;
        else if (f === "s") o.spider = true;
      }
      continue;
    }
    o.url ??= a;
  }
  return o;
}

/** `index.html           100% |********************************|   615  0:00:00 ETA` */
function progress(name: string, size: number): string {
  return `${name.slice(0, 20).padEnd(20)} 100% |${"*".repeat(32)}| ${String(size).padStart(5)}  0:00:00 ETA`;
}

function outputName(path: string): string {
  const base = path.split("?")[0].split("/").pop();
  return base || "index.html";
}

export const wget: Program = (p: Proc, argv: string[], io: Io) => {
  if (p.image.id === "kubeplay-node") return gnuWget(p, argv, io);
  const o = parseArgs(argv);
  if (!o.url) {
    io.err("BusyBox v1.37.0 (2024-09-26 21:31:42 UTC) multi-call binary.\n\nUsage: wget [-cqS] [--spider] [-O FILE] [-o LOGFILE] URL...\n");
    return 1;
  }
  const url = parseUrl(o.url);
  if (!url) {
    io.err(`wget: bad address '${o.url}'\n`);
    return 1;
  }
  noteRequest(p, o.url);
  const env = clientEnv(p);
  const resolved = env.lookup(url.host);
  if (!resolved.ok) {
    waitFor(p, resolved.elapsedMs);
    io.err(`wget: bad address '${url.host}'\n`);
    return 1;
  }
  const ip = resolved.address;
  if (!o.quiet) io.err(`Connecting to ${url.authority} (${ip}:${url.port})\n`);
  const headers: Record<string, string> = { Host: url.authority, "User-Agent": o.userAgent ?? "Wget", Connection: "close" };
  for (const [k, v] of o.headers) headers[k] = v;
  const method = o.postData !== undefined ? "POST" : o.spider ? "HEAD" : "GET";
  const out: ConnectOutcome = env.net ? env.net.http(ip, url.port, { method, path: url.path, headers, ...(o.postData !== undefined ? { body: o.postData } : {}) }, p.now()) : { kind: "timeout" };
  const cannot = (why: string) => {
    io.err(`wget: can't connect to remote host (${ip}): ${why}\n`);
    return 1;
  };
  if (out.kind === "refused") return cannot("Connection refused");
  if (out.kind === "unreachable") {
    waitFor(p, out.afterMs);
    return cannot("No route to host");
  }
  if (out.kind === "timeout") {
    if (o.timeout !== undefined && o.timeout < SYN_TIMEOUT_MS) {
      waitFor(p, o.timeout);
      io.err("wget: download timed out\n");
      return 1;
    }
    waitFor(p, SYN_TIMEOUT_MS);
    return cannot("Connection timed out");
  }
  if (out.kind === "empty") {
    io.err("wget: error getting response: Connection reset by peer\n");
    return 1;
  }
  const statusLine = `HTTP/1.1 ${out.status} ${REASONS[out.status] ?? ""}`.trimEnd();
  if (o.serverResponse) io.err(`  ${[statusLine, ...Object.entries(out.headers).map(([k, v]) => `${k}: ${v}`)].join("\n  ")}\n`);
  if (out.status >= 400) {
    io.err(`wget: server returned error: ${statusLine}\n`);
    return 1;
  }
  if (o.spider) {
    if (!o.quiet) io.err("remote file exists\n");
    return 0;
  }
  const size = new TextEncoder().encode(out.body).length;
  const target = o.output ?? outputName(url.path);
  if (target === "-") {
    if (!o.quiet) io.err(`writing to stdout\n`);
    io.out(out.body);
    if (!o.quiet) io.err(`${progress("-", size)}\nwritten to stdout\n`);
    return 0;
  }
  if (o.output === undefined && p.readFile(target) !== undefined) {
    io.err(`wget: can't open '${target}': File exists\n`);
    return 1;
  }
  if (!o.quiet) io.err(`saving to '${target}'\n`);
  p.writeFile(target, out.body);
  if (!o.quiet) io.err(`${progress(target, size)}\n'${target}' saved\n`);
  return 0;
};

function stamp(ms: number): string {
  return new Date(ms).toISOString().replace("T", " ").slice(0, 19);
}

/** GNU wget on an Ubuntu node: `--DATE--  URL`, the connection, the response, where it saved. */
const gnuWget: Program = (p, argv, io) => {
  const o = parseArgs(argv);
  if (!o.url) {
    io.err("wget: missing URL\nUsage: wget [OPTION]... [URL]...\n\nTry `wget --help' for more options.\n");
    return 1;
  }
  const url = parseUrl(o.url);
  if (!url) return 1;
  noteRequest(p, o.url);
  const env = clientEnv(p);
  const full = `${url.scheme}://${url.authority}${url.path}`;
  const say = (t: string) => {
    if (!o.quiet) io.err(t);
  };
  say(`--${stamp(p.now())}--  ${full}\n`);
  const resolved = env.lookup(url.host);
  if (!resolved.ok) {
    say(`Resolving ${url.host} (${url.host})... failed: Name or service not known.\nwget: unable to resolve host address ‘${url.host}’\n`);
    return 4;
  }
  const ip = resolved.address;
  const where = url.host === ip ? `${ip}:${url.port}` : `${url.host} (${url.host})|${ip}|:${url.port}`;
  if (url.host !== ip) say(`Resolving ${url.host} (${url.host})... ${ip}\n`);
  const out: ConnectOutcome = env.net ? env.net.http(ip, url.port, { method: "GET", path: url.path, headers: { Host: url.authority, "User-Agent": "Wget/1.21.2", Accept: "*/*" } }, p.now()) : { kind: "timeout" };
  if (out.kind === "refused" || out.kind === "unreachable" || out.kind === "timeout") {
    if (out.kind === "timeout") waitFor(p, o.timeout ?? SYN_TIMEOUT_MS);
    if (out.kind === "unreachable") waitFor(p, out.afterMs);
    const why = { refused: "Connection refused", unreachable: "No route to host", timeout: "Connection timed out" }[out.kind];
    say(`Connecting to ${where}... failed: ${why}.\n`);
    return 4;
  }
  say(`Connecting to ${where}... connected.\n`);
  if (out.kind === "empty") {
    say("HTTP request sent, awaiting response... No data received.\n");
    return 4;
  }
  const reason = REASONS[out.status] ?? "";
  say(`HTTP request sent, awaiting response... ${out.status} ${reason}\n`);
  if (out.status >= 400) {
    say(`${stamp(p.now())} ERROR ${out.status}: ${reason}.\n\n`);
    return 8;
  }
  const size = new TextEncoder().encode(out.body).length;
  const type = out.headers["Content-Type"] ?? "";
  say(`Length: ${size}${type ? ` [${type.split(";")[0]}]` : ""}\n`);
  const target = o.output ?? outputName(url.path);
  if (target === "-") {
    io.out(out.body);
    say(`Saving to: ‘STDOUT’\n\n-                   100%[===================>]     ${size}  --.-KB/s    in 0s\n\n${stamp(p.now())} (1.00 MB/s) - written to stdout [${size}/${size}]\n\n`);
    return 0;
  }
  let name = target;
  for (let n = 1; o.output === undefined && p.readFile(name) !== undefined; n++) name = `${target}.${n}`;
  p.writeFile(name, out.body);
  say(`Saving to: ‘${name}’\n\n${name.slice(0, 19).padEnd(19)} 100%[===================>]     ${size}  --.-KB/s    in 0s\n\n${stamp(p.now())} (1.00 MB/s) - ‘${name}’ saved [${size}/${size}]\n\n`);
  return 0;
};
