// grep, head, tail and wc with the GNU options a node has (the containers' BusyBox ones are in the runtime).
import type { Program } from "../../runtime/shell/proc";
import { DIRECTORY } from "../../runtime/types";
import { inputs, lines, bre } from "./common";
import { regcompError, userRegExp } from "../../runtime/shell/regex";

export const grep: Program = (p, argv, io) => {
  const args = argv.slice(1);
  const patterns: string[] = [];
  const files: string[] = [];
  let invert = false;
  let ignoreCase = false;
  let count = false;
  let number = false;
  let word = false;
  let extended = argv[0] === "egrep";
  let fixed = argv[0] === "fgrep";
  let only = false;
  let quiet = false;
  let listFiles = false;
  let after = 0;
  let before = 0;
  let recursive = false;
  let noFilename = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const value = () => args[++i] ?? "";
    if (a === "--") {
      files.push(...args.slice(i + 1));
      break;
    } else if (a === "-e") patterns.push(value());
    else if (a === "-A") after = Number(value());
    else if (a === "-B") before = Number(value());
    else if (a === "-C") after = before = Number(value());
    else if (/^-[ABC]\d+$/.test(a)) {
      const n = Number(a.slice(2));
      if (a[1] !== "B") after = n;
      if (a[1] !== "A") before = n;
    } else if (a === "--color" || a.startsWith("--color=")) continue;
    else if (/^-[a-zA-Z]+$/.test(a)) {
      for (const c of a.slice(1)) {
        if (c === "v") invert = true;
        else if (c === "i") ignoreCase = true;
        else if (c === "c") count = true;
        else if (c === "n") number = true;
        else if (c === "w") word = true;
        else if (c === "E") extended = true;
        else if (c === "F") fixed = true;
        else if (c === "o") only = true;
        else if (c === "q") quiet = true;
        else if (c === "l") listFiles = true;
        else if (c === "r" || c === "R") recursive = true;
        else if (c === "h") noFilename = true;
      }
    } else if (!patterns.length && !args.slice(0, i).includes("-e")) patterns.push(a);
    else files.push(a);
  }
  void recursive;
  if (!patterns.length) {
    io.err("Usage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep --help' for more information.\n");
    return 2;
  }
  const src = patterns.map((pt) => (fixed ? pt.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") : extended ? pt : bre(pt))).join("|");
  let re: RegExp;
  try {
    re = userRegExp(word ? `(?<![\\w])(?:${src})(?![\\w])` : src, ignoreCase ? "gi" : "g");
  } catch (e) {
    io.err(`grep: ${regcompError(e)}\n`);
    return 2;
  }
  const sources: { name: string; text: string }[] = [];
  let status = 1;
  let errors = false;
  if (!files.length) sources.push({ name: "(standard input)", text: io.stdin });
  for (const f of files) {
    const c = f === "-" ? io.stdin : p.readFile(f);
    if (c === undefined) {
      io.err(`grep: ${f}: No such file or directory\n`);
      errors = true;
    } else if (c === DIRECTORY) io.err(`grep: ${f}: Is a directory\n`);
    else sources.push({ name: f, text: c });
  }
  const prefixName = files.length > 1 && !noFilename;
  for (const src of sources) {
    const ls = lines(src.text);
    const matches = ls.map((l) => {
      re.lastIndex = 0;
      return re.test(l) !== invert;
    });
    const n = matches.filter(Boolean).length;
    if (n) status = 0;
    if (quiet) continue;
    if (listFiles) {
      if (n) io.out(`${src.name}\n`);
      continue;
    }
    if (count) {
      io.out(`${prefixName ? `${src.name}:` : ""}${n}\n`);
      continue;
    }
    let lastPrinted = -1;
    const show = new Set<number>();
    matches.forEach((m, i) => {
      if (!m) return;
      for (let j = Math.max(0, i - before); j <= Math.min(ls.length - 1, i + after); j++) show.add(j);
    });
    for (const i of [...show].sort((a, b) => a - b)) {
      if ((before || after) && lastPrinted >= 0 && i > lastPrinted + 1) io.out("--\n");
      const sep = matches[i] ? ":" : "-";
      const pre = `${prefixName ? `${src.name}${sep}` : ""}${number ? `${i + 1}${sep}` : ""}`;
      if (only && matches[i] && !invert) {
        re.lastIndex = 0;
        for (const m of ls[i].matchAll(re)) io.out(`${pre}${m[0]}\n`);
      } else io.out(`${pre}${ls[i]}\n`);
      lastPrinted = i;
    }
  }
  return errors && status !== 0 ? 2 : status;
};

function countArg(args: string[], flag: string): { n: number; rest: string[]; fromEnd: boolean; bytes: boolean } {
  let n = 10;
  let fromEnd = false;
  let bytes = false;
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "-n" || a === "-c") {
      bytes = a === "-c";
      const v = args[++i] ?? "10";
      fromEnd = v.startsWith("+");
      n = Math.abs(Number.parseInt(v, 10));
    } else if (/^-[nc]\+?\d+$/.test(a)) {
      bytes = a[1] === "c";
      fromEnd = a[2] === "+";
      n = Number.parseInt(a.slice(fromEnd ? 3 : 2), 10);
    } else if (/^-\d+$/.test(a)) n = Number(a.slice(1));
    else if (a === flag || a === "-F" || a === "--follow") continue;
    else if (!a.startsWith("-") || a === "-") rest.push(a);
  }
  return { n, rest, fromEnd, bytes };
}

export const head: Program = (p, argv, io) => {
  const { n, rest, bytes } = countArg(argv.slice(1), "");
  const { text, status } = inputs(p, "head", rest, io);
  if (bytes) io.out(text.slice(0, n));
  else io.out(lines(text).slice(0, n).map((l) => `${l}\n`).join(""));
  return status;
};

export const tail: Program = (p, argv, io) => {
  const args = argv.slice(1);
  const follow = args.some((a) => a === "-f" || a === "-F" || a === "--follow");
  const { n, rest, fromEnd, bytes } = countArg(args, "-f");
  const { text, status } = inputs(p, "tail", rest, io);
  if (bytes) io.out(fromEnd ? text.slice(n - 1) : text.slice(-n));
  else {
    const ls = lines(text);
    io.out((fromEnd ? ls.slice(n - 1) : ls.slice(Math.max(0, ls.length - n))).map((l) => `${l}\n`).join(""));
  }
  // Following a file waits for more lines that never come (the console's Ctrl-C ends it).
  if (follow) p.block();
  return status;
};

export const wc: Program = (p, argv, io) => {
  const args = argv.slice(1);
  const opts = args.filter((a) => a.startsWith("-")).join("");
  const files = args.filter((a) => !a.startsWith("-"));
  const count = (t: string) => ({ l: (t.match(/\n/g) ?? []).length, w: t.split(/\s+/).filter(Boolean).length, c: new TextEncoder().encode(t).length });
  const fmt = (x: { l: number; w: number; c: number }, name?: string) => {
    const cols: number[] = [];
    if (!opts || opts.includes("l")) cols.push(x.l);
    if (!opts || opts.includes("w")) cols.push(x.w);
    if (!opts || opts.includes("c") || opts.includes("m")) cols.push(x.c);
    // GNU wc pads to 7 columns for a pipe, to the widest count for files, not at all for one count.
    const width = !files.length ? (cols.length > 1 ? 7 : 0) : Math.max(1, ...cols.map((c) => String(c).length));
    return `${cols.map((c) => String(c).padStart(width)).join(" ")}${name ? ` ${name}` : ""}\n`;
  };
  if (!files.length) {
    io.out(fmt(count(io.stdin)));
    return 0;
  }
  let status = 0;
  for (const f of files) {
    const t = p.readFile(f);
    if (t === undefined || t === DIRECTORY) {
      io.err(`wc: ${f}: ${t === DIRECTORY ? "Is a directory" : "No such file or directory"}\n`);
      status = 1;
      continue;
    }
    io.out(fmt(count(t), f));
  }
  return status;
};
