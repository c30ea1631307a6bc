// Text tools a node's shell has beyond the runtime's core utilities, for the pipelines tutorials
// type after kubectl: `awk '{print $1}'`, `sed`, `sort`, `uniq`, `cut`, `tr`, `base64`, `tee`,
// `column -t`, and `less`/`more` (which page nothing: the console's terminal scrolls). Each handles
// the common forms; an unsupported one says so rather than guessing.
import type { Io, Proc, Program } from "../runtime/shell/proc";
import { DIRECTORY } from "../runtime/types";

/** The text of the files named (or stdin), as the GNU tools read them; errors go to stderr. */
function inputs(p: Proc, tool: string, files: string[], io: Io): { text: string; status: number } {
  if (files.length === 0 || (files.length === 1 && files[0] === "-")) return { text: io.stdin, status: 0 };
  let text = "";
  let status = 0;
  for (const f of files) {
    const c = f === "-" ? io.stdin : p.readFile(f);
    if (c === undefined) {
      io.err(`${tool}: ${f}: No such file or directory\n`);
      status = 2;
    } else if (c === DIRECTORY) {
      io.err(`${tool}: ${f}: Is a directory\n`);
      status = 2;
    } else text += c;
  }
  return { text, status };
}

const lines = (text: string) => (text === "" ? [] : text.replace(/\n$/, "").split("\n"));

/** POSIX basic regular expressions (sed, grep without -E) as JavaScript ones. */
export function bre(src: string): string {
  let out = "";
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === "\\" && i + 1 < src.length) {
      const n = src[++i];
      out += "(){}+?|".includes(n) ? n : `\\${n}`;
    } else if ("(){}+?|".includes(c)) out += `\\${c}`;
    else out += c;
  }
  return out;
}

// --- awk: patterns (regex, comparisons, BEGIN/END), print/printf, fields, NR/NF, variables ---

type AwkValue = string | number;

interface AwkRule {
  pattern: string;
  action: string;
}

function splitRules(program: string): AwkRule[] {
  const rules: AwkRule[] = [];
  let i = 0;
  while (i < program.length) {
    while (i < program.length && /[\s;]/.test(program[i])) i++;
    if (i >= program.length) break;
    let pattern = "";
    while (i < program.length && program[i] !== "{") {
      if (program[i] === "/") {
        const end = program.indexOf("/", i + 1);
        pattern += program.slice(i, end + 1);
        i = end + 1;
        continue;
      }
      if (program[i] === '"') {
        const end = program.indexOf('"', i + 1);
        pattern += program.slice(i, end + 1);
        i = end + 1;
        continue;
      }
      if (program[i] === "\n" && pattern.trim()) break;
      pattern += program[i++];
    }
    let action = "";
    if (program[i] === "{") {
      let depth = 0;
      const start = i;
      for (; i < program.length; i++) {
        if (program[i] === '"') i = program.indexOf('"', i + 1);
        else if (program[i] === "{") depth++;
        else if (program[i] === "}" && --depth === 0) break;
      }
      action = program.slice(start + 1, i);
      i++;
    } else action = "print";
    rules.push({ pattern: pattern.trim(), action: action.trim() || "print" });
  }
  return rules;
}

class Awk {
  vars = new Map<string, AwkValue>();
  fields: string[] = [];
  record = "";
  out = "";

  constructor(private readonly fs: string) {}

  setRecord(line: string): void {
    this.record = line;
    this.fields = this.fs === " " ? line.trim().split(/[ \t]+/).filter(Boolean) : line.split(this.fs.length === 1 ? this.fs : new RegExp(this.fs));
    this.vars.set("NF", this.fields.length);
  }

  field(n: number): string {
    if (n === 0) return this.record;
    return this.fields[n - 1] ?? "";
  }

  /** Evaluates an expression: a small recursive-descent parser over tokens. */
  eval(src: string): AwkValue {
    const toks = src.match(/"(?:[^"\\]|\\.)*"|\/(?:[^/\\]|\\.)+\/|\$\w+|\$\([^)]*\)|\d+(?:\.\d+)?|[A-Za-z_]\w*(?:\([^)]*\))?|==|!=|>=|<=|&&|\|\||!~|\+\+|--|[-+*/%<>!~()]/g) ?? [];
    let pos = 0;
    const num = (v: AwkValue) => (typeof v === "number" ? v : Number.parseFloat(v) || 0);
    const primary = (): AwkValue => {
      const t = toks[pos++];
      if (t === undefined) return "";
      if (t === "(") {
        const v = or();
        pos++;
        return v;
      }
      if (t === "!") return primary() ? 0 : 1;
      if (t === "-") return -num(primary());
      if (t.startsWith('"')) return JSON.parse(t) as string;
      if (t.startsWith("/")) return new RegExp(t.slice(1, -1)).test(this.record) ? 1 : 0;
      if (t.startsWith("$(")) return this.field(num(this.eval(t.slice(2, -1))));
      if (t.startsWith("$")) {
        const name = t.slice(1);
        return this.field(/^\d+$/.test(name) ? Number(name) : num(this.vars.get(name) ?? 0));
      }
      if (/^\d/.test(t)) return Number(t);
      const fn = /^(\w+)\((.*)\)$/.exec(t);
      if (fn) {
        const arg = fn[2] ? this.eval(fn[2]) : this.record;
        if (fn[1] === "length") return String(arg).length;
        if (fn[1] === "tolower") return String(arg).toLowerCase();
        if (fn[1] === "toupper") return String(arg).toUpperCase();
        return "";
      }
      if (toks[pos] === "++" || toks[pos] === "--") {
        const before = num(this.vars.get(t) ?? 0);
        this.vars.set(t, toks[pos++] === "++" ? before + 1 : before - 1);
        return before;
      }
      return this.vars.get(t) ?? "";
    };
    const isValueStart = (t: string | undefined) => t !== undefined && (/^["$\d(A-Za-z_/]/.test(t) || t === "!" || t === "-") && !["==", "!=", ">=", "<=", "&&", "||", "!~"].includes(t);
    const concat = (): AwkValue => {
      let v = additive();
      while (isValueStart(toks[pos]) && toks[pos] !== "-") v = `${v}${additive()}`;
      return v;
    };
    const additive = (): AwkValue => {
      let v = primary();
      while (toks[pos] === "+" || toks[pos] === "-" || toks[pos] === "*" || toks[pos] === "/" || toks[pos] === "%") {
        const op = toks[pos++];
        const r = num(primary());
        const l = num(v);
        v = op === "+" ? l + r : op === "-" ? l - r : op === "*" ? l * r : op === "/" ? l / r : l % r;
      }
      return v;
    };
    const compare = (): AwkValue => {
      const l = concat();
      const op = toks[pos];
      if (!["==", "!=", "<", ">", "<=", ">=", "~", "!~"].includes(op ?? "")) return l;
      pos++;
      const r = concat();
      if (op === "~" || op === "!~") {
        const re = new RegExp(String(r).replace(/^\/|\/$/g, ""));
        return re.test(String(l)) === (op === "~") ? 1 : 0;
      }
      const numeric = typeof l === "number" || typeof r === "number" ? !Number.isNaN(Number(l)) && !Number.isNaN(Number(r)) : /^-?\d+(\.\d+)?$/.test(String(l)) && /^-?\d+(\.\d+)?$/.test(String(r));
      const a: AwkValue = numeric ? Number(l) : String(l);
      const b: AwkValue = numeric ? Number(r) : String(r);
      const res = op === "==" ? a === b : op === "!=" ? a !== b : op === "<" ? a < b : op === ">" ? a > b : op === "<=" ? a <= b : a >= b;
      return res ? 1 : 0;
    };
    const and = (): AwkValue => {
      let v = compare();
      while (toks[pos] === "&&") {
        pos++;
        const r = compare();
        v = truthy(v) && truthy(r) ? 1 : 0;
      }
      return v;
    };
    const or = (): AwkValue => {
      let v = and();
      while (toks[pos] === "||") {
        pos++;
        const r = and();
        v = truthy(v) || truthy(r) ? 1 : 0;
      }
      return v;
    };
    return or();
  }

  /** Runs an action's statements; false when `next` skips the rest of the rules. */
  run(action: string): boolean {
    for (const stmt of splitStatements(action)) {
      if (stmt === "next") return false;
      const print = /^print(?:\s+(.*))?$/s.exec(stmt);
      if (print) {
        const args = print[1] ? splitArgs(print[1]) : [];
        this.out += `${args.length ? args.map((a) => fmtValue(this.eval(a))).join(" ") : this.record}\n`;
        continue;
      }
      const printf = /^printf\s*\(?(.*?)\)?$/s.exec(stmt);
      if (printf) {
        const [fmt, ...args] = splitArgs(printf[1]).map((a) => this.eval(a));
        let i = 0;
        this.out += String(fmt).replace(/%(-?\d*)([sd%])/g, (_, w: string, c: string) => {
          if (c === "%") return "%";
          const v = c === "d" ? String(Math.trunc(Number(args[i++]) || 0)) : String(args[i++] ?? "");
          const width = Number(w);
          return w.startsWith("-") ? v.padEnd(-width) : v.padStart(width);
        });
        continue;
      }
      const assign = /^([A-Za-z_]\w*)\s*([+-]?=)\s*(.+)$/s.exec(stmt);
      if (assign && !assign[3].startsWith("=")) {
        const v = this.eval(assign[3]);
        const before = this.vars.get(assign[1]) ?? 0;
        this.vars.set(assign[1], assign[2] === "=" ? v : assign[2] === "+=" ? Number(before) + Number(v) : Number(before) - Number(v));
        continue;
      }
      this.eval(stmt);
    }
    return true;
  }
}

const truthy = (v: AwkValue) => (typeof v === "number" ? v !== 0 : v !== "");
const fmtValue = (v: AwkValue) => (typeof v === "number" ? (Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6)))) : v);

function splitStatements(action: string): string[] {
  const out: string[] = [];
  let cur = "";
  let q = false;
  for (const c of action) {
    if (c === '"') q = !q;
    if (!q && (c === ";" || c === "\n")) {
      if (cur.trim()) out.push(cur.trim());
      cur = "";
    } else cur += c;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

function splitArgs(s: string): string[] {
  const out: string[] = [];
  let cur = "";
  let q = false;
  let depth = 0;
  for (const c of s) {
    if (c === '"') q = !q;
    if (!q && c === "(") depth++;
    if (!q && c === ")") depth--;
    if (!q && depth === 0 && c === ",") {
      out.push(cur.trim());
      cur = "";
    } else cur += c;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

const awk: Program = (p, argv, io) => {
  const args = argv.slice(1);
  let fs = " ";
  const assigns: [string, string][] = [];
  while (args[0]?.startsWith("-") && args[0] !== "-") {
    const a = args.shift()!;
    if (a === "-F") fs = args.shift() ?? " ";
    else if (a.startsWith("-F")) fs = a.slice(2);
    else if (a === "-v") {
      const [k, v] = (args.shift() ?? "").split("=");
      assigns.push([k, v ?? ""]);
    }
  }
  const program = args.shift();
  if (program === undefined) {
    io.err("usage: awk [-F fs][-v var=value][prog | -f progfile][file ...]\n");
    return 2;
  }
  if (fs === "\\t" || fs === "t") fs = "\t";
  const { text, status } = inputs(p, "awk", args, io);
  const a = new Awk(fs);
  for (const [k, v] of assigns) a.vars.set(k, v);
  const rules = splitRules(program);
  try {
    for (const r of rules.filter((x) => x.pattern === "BEGIN")) a.run(r.action);
    let nr = 0;
    for (const line of lines(text)) {
      a.vars.set("NR", ++nr);
      a.setRecord(line);
      for (const r of rules) {
        if (r.pattern === "BEGIN" || r.pattern === "END") continue;
        if (r.pattern && !truthy(a.eval(r.pattern))) continue;
        if (!a.run(r.action)) break;
      }
    }
    for (const r of rules.filter((x) => x.pattern === "END")) a.run(r.action);
  } catch (e) {
    io.out(a.out);
    io.err(`awk: ${(e as Error).message}\n`);
    return 2;
  }
  io.out(a.out);
  return status;
};

// --- sed: s///flags, d, p, addresses (line numbers, $, /regex/), -n, -i, -e, -E ---

interface SedCommand {
  address?: { line?: number; last?: boolean; re?: RegExp };
  op: "s" | "d" | "p";
  re?: RegExp;
  replacement?: string;
  global?: boolean;
  print?: boolean;
}

function parseSed(script: string, extended: boolean): SedCommand[] {
  const out: SedCommand[] = [];
  for (const part of script.split(/;|\n/).map((s) => s.trim()).filter(Boolean)) {
    let rest = part;
    const cmd: Partial<SedCommand> = {};
    let m: RegExpExecArray | null;
    if ((m = /^(\d+)/.exec(rest))) {
      cmd.address = { line: Number(m[1]) };
      rest = rest.slice(m[0].length);
    } else if (rest.startsWith("$")) {
      cmd.address = { last: true };
      rest = rest.slice(1);
    } else if (rest.startsWith("/")) {
      const end = rest.indexOf("/", 1);
      cmd.address = { re: new RegExp(extended ? rest.slice(1, end) : bre(rest.slice(1, end))) };
      rest = rest.slice(end + 1);
    }
    rest = rest.trim();
    if (rest[0] === "s") {
      const d = rest[1];
      const parts: string[] = [];
      let cur = "";
      for (let i = 2; i < rest.length; i++) {
        if (rest[i] === "\\" && rest[i + 1] === d) {
          cur += d === "/" ? "\\/" : d;
          i++;
        } else if (rest[i] === d) {
          parts.push(cur);
          cur = "";
        } else cur += rest[i];
      }
      parts.push(cur);
      const [pattern, replacement = "", flags = ""] = parts;
      const src = extended ? pattern : bre(pattern);
      out.push({ ...cmd, op: "s", re: new RegExp(src, flags.includes("I") || flags.includes("i") ? "gi" : "g"), replacement, global: flags.includes("g"), print: flags.includes("p") });
    } else if (rest === "d" || rest === "p") out.push({ ...cmd, op: rest });
    else throw new Error(`-e expression #1, char ${part.length}: unknown command: \`${rest[0] ?? ""}'`);
  }
  return out;
}

function sedReplace(line: string, c: SedCommand): { text: string; changed: boolean } {
  let count = 0;
  let changed = false;
  const text = line.replace(c.re!, (...m: unknown[]) => {
    count++;
    if (!c.global && count > 1) return m[0] as string;
    changed = true;
    const groups = m.slice(0, -2) as string[];
    return c.replacement!.replace(/\\(\d)|&|\\n|\\t|\\(.)/g, (r, d: string, other: string) => {
      if (r === "&") return groups[0];
      if (d !== undefined) return groups[Number(d)] ?? "";
      if (r === "\\n") return "\n";
      if (r === "\\t") return "\t";
      return other ?? "";
    });
  });
  return { text, changed };
}

const sed: Program = (p, argv, io) => {
  const args = argv.slice(1);
  let quiet = false;
  let inPlace = false;
  let extended = false;
  const scripts: string[] = [];
  const files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "-n") quiet = true;
    else if (a === "-i" || a.startsWith("-i")) inPlace = true;
    else if (a === "-E" || a === "-r") extended = true;
    else if (a === "-e") scripts.push(args[++i] ?? "");
    else if (/^-[nEri]+$/.test(a)) {
      quiet ||= a.includes("n");
      inPlace ||= a.includes("i");
      extended ||= a.includes("E") || a.includes("r");
    } else if (!scripts.length && !files.length && !a.startsWith("-")) scripts.push(a);
    else files.push(a);
  }
  let cmds: SedCommand[];
  try {
    cmds = parseSed(scripts.join("\n"), extended);
  } catch (e) {
    io.err(`sed: ${(e as Error).message}\n`);
    return 1;
  }
  const apply = (text: string): string => {
    const ls = lines(text);
    let out = "";
    ls.forEach((line, idx) => {
      let cur = line;
      let deleted = false;
      for (const c of cmds) {
        const a = c.address;
        if (a && !((a.line !== undefined && a.line === idx + 1) || (a.last && idx === ls.length - 1) || (a.re && a.re.test(cur)))) continue;
        if (c.op === "d") {
          deleted = true;
          break;
        }
        if (c.op === "p") out += `${cur}\n`;
        if (c.op === "s") {
          const r = sedReplace(cur, c);
          cur = r.text;
          if (r.changed && c.print) out += `${cur}\n`;
        }
      }
      if (!deleted && !quiet) out += `${cur}\n`;
    });
    return out;
  };
  if (inPlace) {
    let status = 0;
    for (const f of files) {
      const c = p.readFile(f);
      if (c === undefined || c === DIRECTORY) {
        io.err(`sed: can't read ${f}: No such file or directory\n`);
        status = 2;
        continue;
      }
      p.writeFile(f, apply(c));
    }
    return status;
  }
  const { text, status } = inputs(p, "sed", files, io);
  io.out(apply(text));
  return status;
};

// --- sort, uniq, cut, tr, base64, tee, column ---

const sort: Program = (p, argv, io) => {
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

const uniq: Program = (p, argv, io) => {
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

const cut: Program = (p, argv, io) => {
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

const tr: Program = (_p, argv, io) => {
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

const base64: Program = (p, argv, io) => {
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

const tee: Program = (p, argv, io) => {
  const args = argv.slice(1);
  const append = args.includes("-a");
  for (const f of args.filter((a) => !a.startsWith("-"))) p.writeFile(f, io.stdin, append);
  io.out(io.stdin);
  return 0;
};

const column: Program = (p, argv, io) => {
  const { text, status } = inputs(p, "column", argv.slice(1).filter((a) => !a.startsWith("-")), io);
  const rows = lines(text).map((l) => l.trim().split(/\s+/));
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  io.out(rows.map((r) => `${r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] + 2))).join("")}\n`).join(""));
  return status;
};

// --- grep, head, tail, wc with GNU options ---

const grep: Program = (p, argv, io) => {
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
    re = new RegExp(word ? `(?<![\\w])(?:${src})(?![\\w])` : src, ignoreCase ? "gi" : "g");
  } catch {
    io.err(`grep: Invalid regular expression\n`);
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

const head: Program = (p, argv, io) => {
  const { n, rest, bytes } = countArg(argv.slice(1), "");
  const { text, status } = inputs(p, "head", rest, io);
  if (bytes) io.out(text.slice(0, n));
  else io.out(lines(text).slice(0, n).map((l) => `${l}\n`).join(""));
  return status;
};

const tail: Program = (p, argv, io) => {
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

const wc: Program = (p, argv, io) => {
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

const pager: Program = (p, argv, io) => {
  const { text, status } = inputs(p, argv[0], argv.slice(1).filter((a) => !a.startsWith("-")), io);
  io.out(text);
  return status;
};

const editor: Program = (_p, argv, io) => {
  io.err(`${argv[0]}: the console's terminal has no full-screen editor; write files with cat > FILE <<'EOF' … EOF, change them with sed -i, and edit objects with KUBE_EDITOR="sed -i s/OLD/NEW/" kubectl edit …\n`);
  return 1;
};

export const HOST_TOOLS: Record<string, Program> = {
  grep,
  egrep: grep,
  fgrep: grep,
  head,
  tail,
  wc,
  awk,
  gawk: awk,
  sed,
  sort,
  uniq,
  cut,
  tr,
  base64,
  tee,
  column,
  less: pager,
  more: pager,
  vim: editor,
  vi: editor,
  nano: editor,
};
