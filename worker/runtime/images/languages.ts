// Language runtimes: node and python. Run bare (no terminal) their REPL exits at once; with a
// script they run it; `python -m http.server` serves the working directory.
import type { CatalogImage } from "../images";
import type { Program } from "../shell/proc";
import { serveFile } from "./http-files";
import type { AccessLog } from "./web";

const node: Program = (p, argv, io) => {
  const script = argv.slice(1).find((a) => !a.startsWith("-"));
  if (argv.includes("-e") || argv.includes("--eval") || argv.includes("-v") || argv.includes("--version")) {
    if (argv.includes("-v") || argv.includes("--version")) io.out("v22.12.0\n");
    return 0;
  }
  if (!script) return 0;
  const path = p.resolvePath(script);
  if (p.readFile(path) === undefined && p.readFile(`${path}.js`) === undefined) {
    io.err(`node:internal/modules/cjs/loader:1228\n  throw err;\n  ^\n\nError: Cannot find module '${path}'\n    at Module._resolveFilename (node:internal/modules/cjs/loader:1225:15)\n    at node:internal/main/run_main_module:28:49 {\n  code: 'MODULE_NOT_FOUND',\n  requireStack: []\n}\n\nNode.js v22.12.0\n`);
    return 1;
  }
  // A script is taken to be a server that keeps running (what tutorial apps are).
  const src = p.readFile(path) ?? "";
  const port = /listen\(\s*(\d+)/.exec(src)?.[1];
  if (port) p.listen({ port: Number(port), protocol: "TCP", after: 300, server: "node", http: () => ({ status: 200, body: "" }) });
  return p.block();
};

const python: Program = (p, argv, io) => {
  const args = argv.slice(1);
  if (args[0] === "-V" || args[0] === "--version") {
    io.out("Python 3.13.1\n");
    return 0;
  }
  const m = args.indexOf("-m");
  if (m >= 0 && args[m + 1] === "http.server") {
    const port = Number(args[m + 2] ?? 8000) || 8000;
    const dir = args.includes("--directory") ? args[args.indexOf("--directory") + 1] : p.cwd;
    io.err(`Serving HTTP on 0.0.0.0 port ${port} (http://0.0.0.0:${port}/) ...\n`);
    p.listen({ port, protocol: "TCP", after: 200, server: "python", http: (req, ctx) => serveFile("nginx", "python", ctx.fs, dir, req.path) });
    return p.block();
  }
  const c = args.indexOf("-c");
  if (c >= 0) {
    const code = args[c + 1] ?? "";
    for (const pm of code.matchAll(/print\(\s*(['"])(.*?)\1\s*\)/g)) io.out(`${pm[2]}\n`);
    if (/while True/.test(code)) return p.block();
    return 0;
  }
  const script = args.find((a) => !a.startsWith("-"));
  if (!script) return 0;
  if (p.readFile(script) === undefined) {
    io.err(`${argv[0].split("/").pop()}: can't open file '${p.resolvePath(script)}': [Errno 2] No such file or directory\n`);
    return 2;
  }
  return p.block();
};

/** π to `digits` decimals (Machin's formula in integers), as `perl -Mbignum=bpi -wle 'print bpi(N)'` prints it. */
export function piDigits(digits: number): string {
  const scale = 10n ** BigInt(digits + 10);
  const arctanInv = (x: bigint) => {
    let sum = 0n;
    let term = scale / x;
    const x2 = x * x;
    for (let k = 0n; term !== 0n; k++) {
      sum += (k % 2n === 0n ? 1n : -1n) * (term / (2n * k + 1n));
      term /= x2;
    }
    return sum;
  };
  // bpi(N) prints N significant digits, the last one rounded.
  const pi = (4n * (4n * arctanInv(5n) - arctanInv(239n))) / 10n ** 10n;
  const s = ((pi + 5n) / 10n).toString();
  return `${s[0]}.${s.slice(1)}`;
}

/** perl: the Job tutorial's `perl -Mbignum=bpi -wle 'print bpi(2000)'` computes π for a while, then prints it. */
const perl: Program = (p, argv, io) => {
  const code = argv.slice(1).join(" ");
  const bpi = /bpi\((\d+)\)/.exec(code);
  if (bpi) {
    const n = Math.min(Number(bpi[1]), 20_000);
    p.sleep(Math.max(1000, n * 5));
    io.out(`${piDigits(n)}\n`);
    return 0;
  }
  for (const m of code.matchAll(/print\s+(['"])(.*?)\1/g)) io.out(`${m[2].replace(/\\n/g, "\n")}`);
  return 0;
};

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

// Models Lib/http/server.py BaseHTTPRequestHandler.log_request/log_error (stderr, "-" for the size);
// a 404 is logged by send_error first.
const pythonAccess: AccessLog = (r) => {
  const d = new Date(r.at);
  const p2 = (n: number) => String(n).padStart(2, "0");
  const head = `${r.client} - - [${p2(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}]`;
  const lines = r.status === 404 ? [`${head} code 404, message File not found`] : [];
  lines.push(`${head} "${r.method} ${r.path} HTTP/1.1" ${r.status} -`);
  return { stream: "stderr", lines };
};

/** Access-log formats, by listener `server` name. */
export const LANGUAGE_ACCESS_LOGS: Record<string, AccessLog> = { python: pythonAccess };

export const LANGUAGE_PROGRAMS: Record<string, Program> = { node, nodejs: node, python, python3: python, perl };

export const LANGUAGE_IMAGES: CatalogImage[] = [
  {
    id: "perl",
    repositories: ["docker.io/library/perl"],
    names: ["perl"],
    tags: { named: ["latest", "slim", "stable"], lines: { "5.30": 3, "5.32": 1, "5.34": 3, "5.36": 3, "5.38": 3, "5.40": 1 }, variants: ["slim", "bookworm", "bullseye", "threaded"] },
    size: 336_800_000,
    variantSizes: { slim: 40_000_000 },
    config: { cmd: ["perl", "-de0"] },
    shell: "dash",
    memoryMi: 5,
    programs: ["perl", "bash"],
    files: {},
  },
  {
    id: "node",
    repositories: ["docker.io/library/node", "docker.io/bitnami/node"],
    names: ["node"],
    tags: {
      named: ["latest", "lts", "current", "slim", "bookworm", "bullseye", "lts-slim", "lts-alpine", "current-alpine"],
      lines: { "4": 9, "6": 17, "8": 17, "10": 24, "12": 22, "14": 21, "16": 20, "18": 20, "20": 18, "21": 7, "22": 12, "23": 5, "24": 0 },
      variants: ["alpine", "slim", "bookworm", "bullseye", "bookworm-slim", "bullseye-slim", "alpine3.20", "alpine3.21"],
    },
    size: 399_800_000,
    variantSizes: { alpine: 57_800_000, slim: 75_600_000 },
    config: { entrypoint: ["docker-entrypoint.sh"], cmd: ["node"] },
    shell: "dash",
    memoryMi: 40,
    programs: ["node", "nodejs", "npm", "docker-entrypoint.sh", "bash"],
    files: {},
  },
  {
    id: "python",
    repositories: ["docker.io/library/python", "docker.io/bitnami/python"],
    names: ["python"],
    tags: {
      named: ["latest", "slim", "bookworm", "bullseye", "slim-bookworm"],
      lines: { "2.7": 18, "3.5": 10, "3.6": 15, "3.7": 17, "3.8": 20, "3.9": 21, "3.10": 16, "3.11": 11, "3.12": 8, "3.13": 1, "3.14": 0 },
      variants: ["alpine", "slim", "bookworm", "bullseye", "slim-bookworm", "slim-bullseye", "alpine3.20", "alpine3.21"],
    },
    size: 372_700_000,
    variantSizes: { alpine: 17_600_000, slim: 44_300_000 },
    config: { cmd: ["python3"] },
    shell: "dash",
    memoryMi: 10,
    programs: ["python", "python3", "pip", "bash"],
    files: {},
  },
];
