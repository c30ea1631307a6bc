// The everyday programs a shell script in a container calls (busybox/coreutils flavour): output,
// time, files, tests. Each prints what the real one prints for the cases tutorials hit.
import { parseByteSize, parseSleep } from "../units";
import { DIRECTORY } from "../types";
import { FILE_PROGRAMS } from "./fileutils";
import type { Io, Proc, Program } from "./proc";
import { userRegExp } from "./regex";
import { kill } from "./procs";
import { tar } from "./tar";

function dateString(ms: number, format?: string): string {
  const d = new Date(ms);
  const pad = (n: number, w = 2) => String(n).padStart(w, "0");
  if (!format) {
    const days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    return `${days[d.getUTCDay()]} ${months[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, " ")} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}`;
  }
  return format.replace(/%([a-zA-Z%])/g, (_, c: string) => {
    switch (c) {
      case "Y":
        return String(d.getUTCFullYear());
      case "m":
        return pad(d.getUTCMonth() + 1);
      case "d":
        return pad(d.getUTCDate());
      case "H":
        return pad(d.getUTCHours());
      case "M":
        return pad(d.getUTCMinutes());
      case "S":
        return pad(d.getUTCSeconds());
      case "F":
        return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
      case "T":
        return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
      case "s":
        return String(Math.floor(ms / 1000));
      case "N":
        return pad((ms % 1000) * 1_000_000, 9);
      case "%":
        return "%";
      default:
        return `%${c}`;
    }
  });
}

const ESCAPES: Record<string, string> = { n: "\n", t: "\t", r: "\r", a: "\x07", b: "\b", f: "\f", v: "\v", "\\": "\\", e: "\x1b" };

const ESCAPE = "\\\\(0[0-7]{0,3}|[1-7][0-7]{0,2}|x[0-9a-fA-F]{1,2}|.)";

/** One backslash escape (`e` is what follows the backslash); `m` as written when it is none. */
function unescapeOne(m: string, e: string, octalNeedsZero: boolean): string {
  if (e[0] === "x" && e.length > 1) return String.fromCharCode(parseInt(e.slice(1), 16));
  if (/^[0-7]/.test(e)) {
    if (octalNeedsZero && e[0] !== "0") return m;
    return String.fromCharCode(parseInt(e, 8) & 255);
  }
  return ESCAPES[e] ?? m;
}

/** Backslash escapes as echo -e reads them: \n \t \r …, \0NNN octal, \xHH. */
function backslashEscapes(s: string, octalNeedsZero: boolean): string {
  return s.replace(new RegExp(ESCAPE, "g"), (m, e: string) => unescapeOne(m, e, octalNeedsZero));
}

/** printf's format: conversions and escapes in one pass, so an argument's backslashes stay as given. */
const PRINTF_FORMAT = new RegExp(`%([sdif%])|${ESCAPE}`, "g");

function echo(_p: Proc, argv: string[], io: Io): number {
  let args = argv.slice(1);
  let newline = true;
  let escapes = false;
  while (args[0] && /^-[neE]+$/.test(args[0])) {
    if (args[0].includes("n")) newline = false;
    if (args[0].includes("e")) escapes = true;
    args = args.slice(1);
  }
  let text = args.join(" ");
  if (escapes) text = backslashEscapes(text, true);
  io.out(newline ? `${text}\n` : text);
  return 0;
}

function printf(_p: Proc, argv: string[], io: Io): number {
  const [fmt = "", ...args] = argv.slice(1);
  let i = 0;
  const once = () =>
    fmt.replace(PRINTF_FORMAT, (m, c: string | undefined, e: string | undefined) => {
      if (c === undefined) return unescapeOne(m, e ?? "", false);
      return c === "%" ? "%" : c === "s" ? (args[i++] ?? "") : String(Math.trunc(Number(args[i++] ?? 0)));
    });
  // The format is used again while arguments are left.
  let text = once();
  while (i > 0 && i < args.length) text += once();
  io.out(text);
  return 0;
}

function sleep(p: Proc, argv: string[], io: Io): number {
  if (argv.length < 2) {
    io.err("sleep: missing operand\n");
    return 1;
  }
  let total = 0;
  for (const a of argv.slice(1)) {
    const ms = parseSleep(a);
    if (ms === undefined) {
      io.err(`sleep: invalid number '${a}'\n`);
      return 1;
    }
    total += ms;
  }
  p.sleep(total);
  return 0;
}

function cat(p: Proc, argv: string[], io: Io): number {
  const files = argv.slice(1).filter((a) => a !== "-" && !a.startsWith("-"));
  if (files.length === 0) {
    io.out(io.stdin);
    return 0;
  }
  let status = 0;
  for (const f of files) {
    const c = p.readFile(f);
    if (c === undefined) {
      io.err(`cat: can't open '${f}': No such file or directory\n`);
      status = 1;
    } else if (c === DIRECTORY) {
      io.err(`cat: read error: Is a directory\n`);
      status = 1;
    } else io.out(c);
  }
  return status;
}

function tail(p: Proc, argv: string[], io: Io): number {
  const follow = argv.some((a) => a === "-f" || a === "-F" || a === "--follow");
  const file = argv.slice(1).find((a) => !a.startsWith("-") && !/^\d+$/.test(a));
  if (file === "/dev/zero") {
    // Reads an endless line into memory until the OOM killer stops it.
    p.alloc(Number.MAX_SAFE_INTEGER, 1000);
    p.block();
  }
  if (follow) p.block();
  const n = Number(argv.find((a, i) => argv[i - 1] === "-n") ?? 10);
  const text = file ? (p.readFile(file) ?? "") : io.stdin;
  const lines = text.replace(/\n$/, "").split("\n");
  io.out(`${lines.slice(-n).join("\n")}\n`);
  return 0;
}

function head(p: Proc, argv: string[], io: Io): number {
  const n = Number(argv.find((a, i) => argv[i - 1] === "-n") ?? 10);
  const file = argv.slice(1).find((a, i) => !a.startsWith("-") && argv[i] !== "-n");
  const text = file ? (p.readFile(file) ?? "") : io.stdin;
  io.out(`${text.split("\n").slice(0, n).join("\n")}\n`);
  return 0;
}

function touch(p: Proc, argv: string[]): number {
  for (const f of argv.slice(1).filter((a) => !a.startsWith("-"))) if (p.readFile(f) === undefined) p.writeFile(f, "");
  return 0;
}

function rm(p: Proc, argv: string[], io: Io): number {
  const force = argv.some((a) => /^-[a-zA-Z]*f/.test(a));
  let status = 0;
  for (const f of argv.slice(1).filter((a) => !a.startsWith("-"))) {
    if (!p.removeFile(f) && !force) {
      io.err(`rm: can't remove '${f}': No such file or directory\n`);
      status = 1;
    }
  }
  return status;
}

function mkdir(p: Proc, argv: string[]): number {
  for (const d of argv.slice(1).filter((a) => !a.startsWith("-"))) p.mkdir(d);
  return 0;
}

function ls(p: Proc, argv: string[], io: Io): number {
  const dirs = argv.slice(1).filter((a) => !a.startsWith("-"));
  let status = 0;
  for (const d of dirs.length ? dirs : ["."]) {
    const c = p.readFile(d);
    if (c !== undefined && c !== DIRECTORY) io.out(`${d}\n`);
    else if (c === undefined && !p.isDir(d)) {
      io.err(`ls: ${d}: No such file or directory\n`);
      status = 1;
    } else {
      const names = p.list(d);
      if (names.length) io.out(`${names.join("\n")}\n`);
    }
  }
  return status;
}

/** `test` / `[`: files, strings, integers, `!`, `-a`/`-o`. */
function test(p: Proc, argv: string[], io: Io): number {
  let args = argv.slice(1);
  if (argv[0] === "[") {
    if (args[args.length - 1] !== "]") {
      io.err("[: missing ]\n");
      return 2;
    }
    args = args.slice(0, -1);
  }
  const evalExpr = (a: string[]): boolean => {
    const or = a.indexOf("-o");
    if (or > 0) return evalExpr(a.slice(0, or)) || evalExpr(a.slice(or + 1));
    const and = a.indexOf("-a");
    if (and > 0) return evalExpr(a.slice(0, and)) && evalExpr(a.slice(and + 1));
    if (a[0] === "!") return !evalExpr(a.slice(1));
    if (a.length === 0) return false;
    if (a.length === 1) return a[0] !== "";
    if (a.length === 2) {
      const [op, v] = a;
      const c = p.readFile(v);
      switch (op) {
        case "-z":
          return v === "";
        case "-n":
          return v !== "";
        case "-e":
          return c !== undefined;
        case "-f":
          return c !== undefined && c !== DIRECTORY;
        case "-d":
          return c === DIRECTORY || (c === undefined && p.isDir(v));
        case "-s":
          return c !== undefined && c !== DIRECTORY && c.length > 0;
        case "-r":
        case "-w":
        case "-x":
          return c !== undefined;
      }
      return false;
    }
    const [l, op, r] = a;
    const n = (s: string) => Number(s) || 0;
    switch (op) {
      case "=":
      case "==":
        return l === r;
      case "!=":
        return l !== r;
      case "-eq":
        return n(l) === n(r);
      case "-ne":
        return n(l) !== n(r);
      case "-lt":
        return n(l) < n(r);
      case "-le":
        return n(l) <= n(r);
      case "-gt":
        return n(l) > n(r);
      case "-ge":
        return n(l) >= n(r);
    }
    return false;
  };
  return evalExpr(args) ? 0 : 1;
}

function envCmd(p: Proc, argv: string[], io: Io): number {
  if (argv[0] === "printenv" && argv[1]) {
    const v = p.vars.get(argv[1]);
    if (v === undefined) return 1;
    io.out(`${v}\n`);
    return 0;
  }
  io.out([...p.vars].map(([k, v]) => `${k}=${v}\n`).join(""));
  return 0;
}

function grep(_p: Proc, argv: string[], io: Io): number {
  const flags = argv.slice(1).filter((a) => a.startsWith("-"));
  const [pattern = "", file] = argv.slice(1).filter((a) => !a.startsWith("-"));
  const text = file ? (_p.readFile(file) ?? "") : io.stdin;
  const invert = flags.some((f) => f.includes("v"));
  const quiet = flags.some((f) => f.includes("q"));
  let re: RegExp;
  try {
    re = userRegExp(pattern, flags.some((f) => f.includes("i")) ? "i" : "");
  } catch {
    // BusyBox's words for a pattern regcomp refuses.
    io.err(`grep: bad regex '${pattern}'\n`);
    return 2;
  }
  const lines = text.split("\n").filter((l) => l !== "" && re.test(l) !== invert);
  if (!quiet && lines.length) io.out(`${lines.join("\n")}\n`);
  return lines.length ? 0 : 1;
}

function wc(_p: Proc, argv: string[], io: Io): number {
  const text = io.stdin;
  const lines = (text.match(/\n/g) ?? []).length;
  if (argv.includes("-l")) io.out(`${lines}\n`);
  else if (argv.includes("-c")) io.out(`${text.length}\n`);
  else io.out(`${lines} ${text.split(/\s+/).filter(Boolean).length} ${text.length}\n`);
  return 0;
}

function seq(_p: Proc, argv: string[], io: Io): number {
  const n = argv.slice(1).map(Number);
  const [from, to] = n.length >= 2 ? [n[0], n[n.length - 1]] : [1, n[0] ?? 0];
  const out: string[] = [];
  for (let i = from; i <= to && out.length < 100_000; i++) out.push(String(i));
  if (out.length) io.out(`${out.join("\n")}\n`);
  return 0;
}

/** `stress` (polinux/stress, progrium/stress): `--vm N --vm-bytes B` holds N×B of memory. */
export function stress(p: Proc, argv: string[], io: Io): number {
  const opt = (names: string[]) => {
    const i = argv.findIndex((a) => names.includes(a));
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const workers = Number(opt(["--vm", "-m"]) ?? 0);
  const bytes = parseByteSize(opt(["--vm-bytes"]) ?? "256M") ?? 256 * 2 ** 20;
  const dispatch = [workers ? `${workers} vm` : "", opt(["--cpu", "-c"]) ? `${opt(["--cpu", "-c"])} cpu` : ""].filter(Boolean).join(", ");
  io.out(`stress: info: [1] dispatching hogs: ${dispatch || "0 cpu, 0 io, 0 vm, 0 hdd"}\n`);
  if (workers > 0) p.alloc(workers * bytes, 100);
  const timeout = opt(["--timeout", "-t"]);
  if (timeout) {
    p.sleep(parseSleep(timeout) ?? 0);
    io.out(`stress: info: [1] successful run completed in ${Math.round((parseSleep(timeout) ?? 0) / 1000)}s\n`);
    return 0;
  }
  return p.block();
}

const ok: Program = () => 0;

export const COREUTILS: Record<string, Program> = {
  ...FILE_PROGRAMS,
  echo,
  printf,
  sleep,
  cat,
  tail,
  head,
  touch,
  rm,
  mkdir,
  ls,
  test,
  "[": test,
  env: envCmd,
  printenv: envCmd,
  grep,
  wc,
  seq,
  true: ok,
  ":": ok,
  false: () => 1,
  date: (p, argv, io) => {
    const fmt = argv.find((a) => a.startsWith("+"));
    io.out(`${dateString(p.now(), fmt?.slice(1))}\n`);
    return 0;
  },
  hostname: (p, _a, io) => {
    io.out(`${p.opts.hostname}\n`);
    return 0;
  },
  pwd: (p, _a, io) => {
    io.out(`${p.cwd}\n`);
    return 0;
  },
  whoami: (_p, _a, io) => {
    io.out("root\n");
    return 0;
  },
  id: (_p, _a, io) => {
    io.out("uid=0(root) gid=0(root) groups=0(root),10(wheel)\n");
    return 0;
  },
  uname: (_p, argv, io) => {
    io.out(argv.includes("-a") ? "Linux sandbox 5.15.0-119-generic #129-Ubuntu SMP x86_64 GNU/Linux\n" : "Linux\n");
    return 0;
  },
  yes: (p) => p.block(),
  // A builtin of every shell (BusyBox's applet in ash).
  kill,
  stress,
  tar,
};
