// sort, uniq, cut, tr, base64, tee and column, in their common forms.
import type { Program } from "../../runtime/shell/proc";
import { inputs, lines } from "./common";
import { DIRECTORY } from "../../runtime/types";

export const sort: Program = (p, argv, io) => {
  const args = argv.slice(1);
  let numeric = false;
  let reverse = false;
  let unique = false;
  let key: number | undefined;
  let sep: string | undefined;
  const files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "-k") key = Number.parseInt(args[++i] ?? "1", 10);
    else if (a.startsWith("-k")) key = Number.parseInt(a.slice(2), 10);
    else if (a === "-t") sep = args[++i];
    else if (a.startsWith("-t")) sep = a.slice(2);
    else if (/^-[nruh]+$/.test(a)) {
      numeric ||= a.includes("n") || a.includes("h");
      reverse ||= a.includes("r");
      unique ||= a.includes("u");
    } else files.push(a);
  }
  const { text, status } = inputs(p, "sort", files, io);
  const keyOf = (l: string) => (key === undefined ? l : ((sep ? l.split(sep) : l.trim().split(/\s+/))[key - 1] ?? ""));
  let ls = lines(text).sort((a, b) => {
    const ka = keyOf(a);
    const kb = keyOf(b);
    const c = numeric ? (Number.parseFloat(ka) || 0) - (Number.parseFloat(kb) || 0) : ka < kb ? -1 : ka > kb ? 1 : 0;
    return c || (a < b ? -1 : a > b ? 1 : 0);
  });
  if (reverse) ls = ls.reverse();
  if (unique) ls = ls.filter((l, i) => i === 0 || l !== ls[i - 1]);
  io.out(ls.map((l) => `${l}\n`).join(""));
  return status;
};

export const uniq: Program = (p, argv, io) => {
  const args = argv.slice(1);
  const count = args.includes("-c");
  const dupes = args.includes("-d");
  const { text, status } = inputs(p, "uniq", args.filter((a) => !a.startsWith("-")), io);
  const runs: { line: string; n: number }[] = [];
  for (const l of lines(text)) {
    const last = runs[runs.length - 1];
    if (last && last.line === l) last.n++;
    else runs.push({ line: l, n: 1 });
  }
  io.out(
    runs
      .filter((r) => !dupes || r.n > 1)
      .map((r) => (count ? `${String(r.n).padStart(7)} ${r.line}\n` : `${r.line}\n`))
      .join(""),
  );
  return status;
};

function ranges(list: string): (n: number) => boolean {
  const parts = list.split(",").map((r) => {
    const [a, b] = r.split("-");
    const lo = a === "" ? 1 : Number(a);
    const hi = b === undefined ? lo : b === "" ? Infinity : Number(b);
    return [lo, hi] as const;
  });
  return (n) => parts.some(([lo, hi]) => n >= lo && n <= hi);
}

export const cut: Program = (p, argv, io) => {
  const args = argv.slice(1);
  let delim = "\t";
  let fields: string | undefined;
  let chars: string | undefined;
  const files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "-d") delim = args[++i] ?? "\t";
    else if (a.startsWith("-d")) delim = a.slice(2);
    else if (a === "-f") fields = args[++i];
    else if (a.startsWith("-f")) fields = a.slice(2);
    else if (a === "-c") chars = args[++i];
    else if (a.startsWith("-c")) chars = a.slice(2);
    else files.push(a);
  }
  if (!fields && !chars) {
    io.err("cut: you must specify a list of bytes, characters, or fields\nTry 'cut --help' for more information.\n");
    return 1;
  }
  const { text, status } = inputs(p, "cut", files, io);
  const out = lines(text).map((l) => {
    if (chars) {
      const keep = ranges(chars);
      return [...l].filter((_, i) => keep(i + 1)).join("");
    }
    if (!l.includes(delim)) return l;
    const keep = ranges(fields!);
    return l
      .split(delim)
      .filter((_, i) => keep(i + 1))
      .join(delim);
  });
  io.out(out.map((l) => `${l}\n`).join(""));
  return status;
};

function trSet(s: string): string[] {
  const classes: Record<string, string> = { "[:upper:]": "A-Z", "[:lower:]": "a-z", "[:digit:]": "0-9", "[:space:]": " \t\n\r", "[:alpha:]": "A-Za-z", "[:alnum:]": "A-Za-z0-9" };
  for (const [k, v] of Object.entries(classes)) s = s.split(k).join(v);
  s = s.replace(/\\n/g, "\n").replace(/\\t/g, "\t");
  const out: string[] = [];
  const cs = [...s];
  for (let i = 0; i < cs.length; i++) {
    if (cs[i + 1] === "-" && cs[i + 2] !== undefined) {
      for (let c = cs[i].charCodeAt(0); c <= cs[i + 2].charCodeAt(0); c++) out.push(String.fromCharCode(c));
      i += 2;
    } else out.push(cs[i]);
  }
  return out;
}

export const tr: Program = (_p, argv, io) => {
  const args = argv.slice(1);
  const del = args.includes("-d");
  const squeeze = args.includes("-s");
  const sets = args.filter((a) => !/^-[ds]+$/.test(a));
  const from = trSet(sets[0] ?? "");
  const to = trSet(sets[1] ?? "");
  let out = "";
  let last = "";
  for (const c of io.stdin) {
    const i = from.indexOf(c);
    let r = c;
    if (i >= 0) r = del ? "" : to.length ? (to[i] ?? to[to.length - 1]) : c;
    if (squeeze && r && r === last && (to.length ? to.includes(r) : from.includes(r))) continue;
    out += r;
    if (r) last = r;
  }
  io.out(out);
  return 0;
};

export const base64: Program = (p, argv, io) => {
  const args = argv.slice(1);
  const decode = args.some((a) => a === "-d" || a === "--decode" || a === "-D");
  const { text, status } = inputs(p, "base64", args.filter((a) => !a.startsWith("-")), io);
  const bytes = new TextEncoder().encode(text);
  if (decode) {
    try {
      const bin = atob(text.replace(/\s+/g, ""));
      io.out(new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0))));
      return status;
    } catch {
      io.err("base64: invalid input\n");
      return 1;
    }
  }
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  const enc = btoa(bin);
  const wrap = args.includes("-w0") || args.includes("--wrap=0") ? enc : (enc.match(/.{1,76}/g) ?? [""]).join("\n");
  io.out(`${wrap}\n`);
  return status;
};

export const tee: Program = (p, argv, io) => {
  const args = argv.slice(1);
  const append = args.includes("-a");
  let status = 0;
  for (const f of args.filter((a) => !a.startsWith("-"))) {
    // A directory is not a file tee can open (coreutils: "tee: /: Is a directory"); the other files still get the input.
    if (p.readFile(f) === DIRECTORY) {
      io.err(`tee: ${f}: Is a directory\n`);
      status = 1;
    } else p.writeFile(f, io.stdin, append);
  }
  io.out(io.stdin);
  return status;
};

export const column: Program = (p, argv, io) => {
  const { text, status } = inputs(p, "column", argv.slice(1).filter((a) => !a.startsWith("-")), io);
  const rows = lines(text).map((l) => l.trim().split(/\s+/));
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  io.out(rows.map((r) => `${r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] + 2))).join("")}\n`).join(""));
  return status;
};
