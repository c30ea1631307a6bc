// curl as the images ship it: the flags tutorials use (-s -S -I -i -o -O -H -X -d -w -L -f -v -k,
// --connect-timeout, -m), the body on stdout, and failures with the exit code and wording of the
// release in the image — curl 8 ("Couldn't connect to server", "Timeout was reached"), Ubuntu
// 22.04's 7.81 (the errno text), and older 7.x without the elapsed time.
// Models curl lib/connect.c (Failed to connect to %s port %u after %d ms: %s), lib/multi.c
// (Connection timed out after %d milliseconds), lib/strerror.c and src/tool_getparam.c.
import { noteRequest } from "../runtime/shell/interp";
import type { Io, Proc, Program } from "../runtime/shell/proc";
import { clientEnv, curlVersion, parseUrl, SYN_TIMEOUT_MS, waitFor, versionNumber, type ParsedUrl } from "./client-env";
import { REASONS } from "./deliver";
import type { ConnectOutcome, HttpExchange } from "./types";

interface CurlOptions {
  url?: string;
  silent: boolean;
  showError: boolean;
  head: boolean;
  include: boolean;
  output?: string;
  remoteName: boolean;
  headers: [string, string][];
  method?: string;
  data?: string;
  writeOut?: string;
  follow: boolean;
  fail: boolean;
  verbose: boolean;
  connectTimeout?: number;
  maxTime?: number;
}

class UsageError {
  constructor(
    readonly message: string,
    readonly code = 2,
  ) {}
}

const WITH_ARG = new Set(["o", "H", "X", "d", "w", "m", "u", "A", "e", "x", "T", "b", "c", "r", "E", "K", "Y", "y", "z"]);
const LONG_WITH_ARG = new Set(["output", "header", "request", "data", "data-raw", "data-binary", "data-urlencode", "write-out", "connect-timeout", "max-time", "user", "user-agent", "referer", "retry", "retry-delay", "retry-max-time", "cacert", "cert", "key", "resolve", "proxy", "interface", "max-redirs", "unix-socket", "url"]);

function seconds(flag: string, v: string | undefined): number {
  if (v === undefined || !/^\d+(\.\d+)?$/.test(v)) throw new UsageError(`curl: option ${flag}: expected a proper numerical parameter`);
  return Number(v) * 1000;
}

function parseArgs(argv: string[]): CurlOptions {
  const o: CurlOptions = { silent: false, showError: false, head: false, include: false, remoteName: false, headers: [], follow: false, fail: false, verbose: false };
  const takeLong = (name: string, value: string | undefined) => {
    switch (name) {
      case "output":
        o.output = value;
        break;
      case "header": {
        const i = (value ?? "").indexOf(":");
        if (i > 0) o.headers.push([value!.slice(0, i).trim(), value!.slice(i + 1).trim()]);
        break;
      }
      case "request":
        o.method = value;
        break;
      case "data":
      case "data-raw":
      case "data-binary":
      case "data-urlencode":
        o.data = o.data === undefined ? value : `${o.data}&${value}`;
        break;
      case "write-out":
        o.writeOut = value;
        break;
      case "connect-timeout":
        o.connectTimeout = seconds("--connect-timeout", value);
        break;
      case "max-time":
        o.maxTime = seconds("--max-time", value);
        break;
      case "user-agent":
        o.headers.push(["User-Agent", value ?? ""]);
        break;
      case "url":
        o.url = value;
        break;
    }
  };
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith("--")) {
      const [name, inline] = a.slice(2).split(/=(.*)/s, 2);
      if (LONG_WITH_ARG.has(name)) {
        takeLong(name, inline ?? argv[++i]);
        continue;
      }
      const flags: Record<string, () => void> = {
        silent: () => (o.silent = true),
        "show-error": () => (o.showError = true),
        head: () => (o.head = true),
        include: () => (o.include = true),
        "remote-name": () => (o.remoteName = true),
        location: () => (o.follow = true),
        fail: () => (o.fail = true),
        verbose: () => (o.verbose = true),
      };
      flags[name]?.();
      continue;
    }
    if (a.startsWith("-") && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const f = a[j];
        if (WITH_ARG.has(f)) {
          const value = j + 1 < a.length ? a.slice(j + 1) : argv[++i];
          const long = { o: "output", H: "header", X: "request", d: "data", w: "write-out", m: "max-time", A: "user-agent" }[f];
          if (long) takeLong(long, value);
          break;
        }
        const short: Record<string, () => void> = {
          s: () => (o.silent = true),
          S: () => (o.showError = true),
          I: () => (o.head = true),
          i: () => (o.include = true),
          O: () => (o.remoteName = true),
          L: () => (o.follow = true),
          f: () => (o.fail = true),
          v: () => (o.verbose = true),
        };
        short[f]?.();
      }
      continue;
    }
    o.url ??= a;
  }
  return o;
}

/** The text after `curl: (N) ` for a failed connection, per release. */
function connectFailure(version: string, host: string, port: number, elapsed: number, why: "refused" | "unreachable" | "timeout" | "deadline"): { code: number; text: string } {
  const v = versionNumber(version);
  const errno = { refused: "Connection refused", unreachable: "No route to host", timeout: "Connection timed out", deadline: "Connection timed out" }[why];
  if (why === "deadline") {
    if (v >= 8) return { code: 28, text: `Failed to connect to ${host} port ${port} after ${elapsed} ms: Timeout was reached` };
    return { code: 28, text: `Connection timed out after ${elapsed} milliseconds` };
  }
  const code = why === "timeout" && v >= 7.7 ? 28 : 7;
  if (v >= 8) return { code, text: `Failed to connect to ${host} port ${port} after ${elapsed} ms: Couldn't connect to server` };
  if (v >= 7.75) return { code, text: `Failed to connect to ${host} port ${port} after ${elapsed} ms: ${errno}` };
  return { code: 7, text: `Failed to connect to ${host} port ${port}: ${errno}` };
}

function writeOut(format: string, vars: Record<string, string>): string {
  return format
    .replace(/%\{(\w+)\}/g, (_, k: string) => vars[k] ?? "")
    .replace(/\\n/g, "\n")
    .replace(/\\t/g, "\t")
    .replace(/\\r/g, "\r");
}

function headerBlock(status: number, headers: Record<string, string>): string {
  const lines = [`HTTP/1.1 ${status} ${REASONS[status] ?? ""}`.trimEnd(), ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
  return `${lines.join("\r\n")}\r\n\r\n`;
}

export const curl: Program = (p: Proc, argv: string[], io: Io) => {
  let o: CurlOptions;
  try {
    o = parseArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.err(`${e.message}\ncurl: try 'curl --help' or 'curl --manual' for more information\n`);
    return e.code;
  }
  const version = curlVersion(p);
  const fail = (code: number, text: string): number => {
    if (!o.silent || o.showError) io.err(`curl: (${code}) ${text}\n`);
    if (o.writeOut) io.out(writeOut(o.writeOut, { http_code: "000", response_code: "000", exitcode: String(code), errormsg: text }));
    return code;
  };
  const failWith = (f: { code: number; text: string }) => fail(f.code, f.text);
  if (!o.url) {
    io.err("curl: try 'curl --help' or 'curl --manual' for more information\n");
    return 2;
  }
  const first = parseUrl(o.url);
  if (!first) return fail(3, "URL using bad/illegal format or missing URL");
  let url: ParsedUrl = first;
  noteRequest(p, o.url);
  const env = clientEnv(p);
  const deadline = Math.min(o.connectTimeout ?? Infinity, o.maxTime ?? Infinity);
  const started = p.t;
  for (let redirects = 0; ; redirects++) {
    const resolved = env.lookup(url.host);
    if (!resolved.ok) {
      waitFor(p, Math.min(resolved.elapsedMs, deadline));
      if (resolved.elapsedMs > deadline) return fail(28, `Resolving timed out after ${deadline} milliseconds`);
      return fail(6, `Could not resolve host: ${url.host}`);
    }
    const ip = resolved.address;
    const method = o.method ?? (o.head ? "HEAD" : o.data !== undefined ? "POST" : "GET");
    const headers: Record<string, string> = { Host: url.authority, "User-Agent": `curl/${version}`, Accept: "*/*" };
    for (const [k, v] of o.headers) {
      const existing = Object.keys(headers).find((h) => h.toLowerCase() === k.toLowerCase());
      if (existing) delete headers[existing];
      if (v !== "") headers[k] = v;
    }
    if (o.data !== undefined) {
      headers["Content-Length"] = String(o.data.length);
      headers["Content-Type"] ??= "application/x-www-form-urlencoded";
    }
    if (o.verbose) io.err(`*   Trying ${ip}:${url.port}...\n`);
    const req: HttpExchange = { method, path: url.path, headers, ...(o.data !== undefined ? { body: o.data } : {}) };
    const out: ConnectOutcome = env.net ? env.net.http(ip, url.port, req, p.now()) : { kind: "timeout" };
    const elapsed = () => p.t - started;
    if (out.kind === "refused") return failWith(connectFailure(version, url.host, url.port, elapsed(), "refused"));
    if (out.kind === "unreachable") {
      waitFor(p, Math.min(out.afterMs, deadline));
      if (out.afterMs > deadline) return failWith(connectFailure(version, url.host, url.port, elapsed(), "deadline"));
      return failWith(connectFailure(version, url.host, url.port, elapsed(), "unreachable"));
    }
    if (out.kind === "timeout") {
      const wait = Math.min(SYN_TIMEOUT_MS, deadline);
      waitFor(p, wait);
      return failWith(connectFailure(version, url.host, url.port, elapsed(), wait === deadline ? "deadline" : "timeout"));
    }
    if (o.verbose) io.err(`* Connected to ${url.host} (${ip}) port ${url.port}\n${[`${method} ${url.path} HTTP/1.1`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), ""].map((l) => `> ${l}`.trimEnd()).join("\n")}\n`);
    if (out.kind === "empty") return fail(52, "Empty reply from server");
    if (o.verbose) io.err(`${headerBlock(out.status, out.headers).split("\r\n").map((l) => `< ${l}`.trimEnd()).join("\n")}\n`);
    const location: string | undefined = out.headers.Location;
    if (o.follow && location && [301, 302, 303, 307, 308].includes(out.status) && redirects < 50) {
      if (o.include || o.head) io.out(headerBlock(out.status, out.headers));
      const next: ParsedUrl | undefined = location.startsWith("/") ? parseUrl(`${url.scheme}://${url.authority}${location}`) : parseUrl(location);
      if (!next) return fail(3, "URL using bad/illegal format or missing URL");
      url = next;
      continue;
    }
    if (o.fail && out.status >= 400) return fail(22, `The requested URL returned error: ${out.status}`);
    let text = "";
    if (o.include || o.head) text += headerBlock(out.status, out.headers);
    if (!o.head) text += out.body;
    const target = o.output ?? (o.remoteName ? url.path.split("?")[0].split("/").pop() || "" : undefined);
    if (o.remoteName && !target) return fail(23, "Remote file name has no length");
    if (target && target !== "-") p.writeFile(target, text);
    else io.out(text);
    if (o.verbose) io.err(`* Connection #0 to host ${url.host} left intact\n`);
    if (o.writeOut) {
      const size = new TextEncoder().encode(out.body).length;
      io.out(
        writeOut(o.writeOut, {
          http_code: String(out.status).padStart(3, "0"),
          response_code: String(out.status),
          remote_ip: out.server.ip,
          remote_port: String(out.server.port),
          size_download: String(size),
          content_type: out.headers["Content-Type"] ?? "",
          url_effective: `${url.scheme}://${url.authority}${url.path}`,
          time_total: "0.001000",
          time_connect: "0.000500",
          num_redirects: String(redirects),
          exitcode: "0",
        }),
      );
    }
    return 0;
  }
};
