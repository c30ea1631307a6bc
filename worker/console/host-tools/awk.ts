// awk as tutorials use it after kubectl: patterns, print/printf, fields, NR/NF, variables.
import type { Program } from "../../runtime/shell/proc";
import { inputs, lines } from "./common";
import { regcompError, userRegExp } from "../../runtime/shell/regex";

/** A pattern of the program; one regcomp refuses is fatal, in gawk's words. */
function awkRegExp(source: string): RegExp {
  try {
    return userRegExp(source);
  } catch (e) {
    throw new Error(`cmd. line:1: fatal: ${regcompError(e)}: /${source}/`);
  }
}

const ESCAPES: Record<string, string> = { n: "\n", t: "\t", r: "\r", a: "\x07", b: "\b", f: "\f", v: "\v", "\\": "\\", '"': '"', "/": "/" };

/** A string literal's text: awk's escapes, octal `\ddd`, and any other escaped character as itself (gawk warns, then does that). */
function awkString(token: string): string {
  return token.slice(1, -1).replace(/\\([0-7]{1,3}|[\s\S])/g, (_m, e: string) => (/^[0-7]/.test(e) ? String.fromCharCode(parseInt(e, 8) & 255) : (ESCAPES[e] ?? e)));
}

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
    this.fields = this.fs === " " ? line.trim().split(/[ \t]+/).filter(Boolean) : line.split(this.fs.length === 1 ? this.fs : awkRegExp(this.fs));
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
      if (t.startsWith('"')) return awkString(t);
      if (t.startsWith("/")) return awkRegExp(t.slice(1, -1)).test(this.record) ? 1 : 0;
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
        const re = awkRegExp(String(r).replace(/^\/|\/$/g, ""));
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

export const awk: Program = (p, argv, io) => {
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
