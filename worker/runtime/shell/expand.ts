// Word expansion: quotes, `$VAR`/`${VAR:-default}`, `$(…)` and backquotes, `$((…))`, then field
// splitting of what was unquoted. No globbing: containers' commands in tutorials do not rely on it.
// Models XCU 2.6 Word Expansions, much reduced.
import { scanParens } from "./parse";

export interface ExpandEnv {
  get(name: string): string | undefined;
  set(name: string, value: string): void;
  /** Runs a command substitution and returns its stdout. */
  substitute(src: string): string;
  /** Positional and special parameters: `$?`, `$$`, `$#`, `$0`…, `$@`. */
  special(name: string): string | undefined;
}

interface Piece {
  text: string;
  /** Unquoted expansion results are split into fields; literal and quoted text is not. */
  split: boolean;
}

/** Expands a raw word into fields. */
export function expandWord(raw: string, env: ExpandEnv): string[] {
  const pieces = expandPieces(raw, env);
  const fields: string[] = [];
  let cur = "";
  let has = false;
  for (const p of pieces) {
    if (!p.split) {
      cur += p.text;
      has = true;
      continue;
    }
    const parts = p.text.split(/[ \t\n]+/);
    for (let i = 0; i < parts.length; i++) {
      if (i > 0 && (has || cur)) {
        fields.push(cur);
        cur = "";
        has = false;
      }
      if (parts[i]) {
        cur += parts[i];
        has = true;
      }
    }
  }
  if (has || cur) fields.push(cur);
  return fields;
}

/** Expands a word into one string (assignments, redirection targets, here `case` words). */
export function expandString(raw: string, env: ExpandEnv): string {
  return expandPieces(raw, env)
    .map((p) => p.text)
    .join("");
}

function expandPieces(raw: string, env: ExpandEnv): Piece[] {
  const out: Piece[] = [];
  let i = 0;
  let lit = "";
  // Quotes make a field even when empty (`''` is one empty argument).
  let quotedEmpty = false;
  const flush = () => {
    if (lit || quotedEmpty) out.push({ text: lit, split: false });
    lit = "";
    quotedEmpty = false;
  };
  while (i < raw.length) {
    const c = raw[i];
    if (c === "\\") {
      lit += raw[i + 1] ?? "";
      i += 2;
    } else if (c === "'") {
      const end = raw.indexOf("'", i + 1);
      lit += raw.slice(i + 1, end);
      i = end + 1;
      quotedEmpty = true;
    } else if (c === '"') {
      i++;
      let quoted = "";
      while (i < raw.length && raw[i] !== '"') {
        if (raw[i] === "\\" && '$`"\\\n'.includes(raw[i + 1] ?? "")) {
          quoted += raw[i + 1];
          i += 2;
        } else if (raw[i] === "$" || raw[i] === "`") {
          const r = dollar(raw, i, env);
          quoted += r.text;
          i = r.end;
        } else quoted += raw[i++];
      }
      i++;
      flush();
      out.push({ text: quoted, split: false });
    } else if (c === "$" || c === "`") {
      const r = dollar(raw, i, env);
      if (r.end === i + 1 && r.text === "$") {
        lit += "$";
        i++;
        continue;
      }
      flush();
      out.push({ text: r.text, split: true });
      i = r.end;
    } else {
      lit += c;
      i++;
    }
  }
  flush();
  return out;
}

/** One `$…` or backquote expansion starting at `i`. */
function dollar(raw: string, i: number, env: ExpandEnv): { text: string; end: number } {
  if (raw[i] === "`") {
    const end = raw.indexOf("`", i + 1);
    return { text: trimNewlines(env.substitute(raw.slice(i + 1, end))), end: end + 1 };
  }
  const n = raw[i + 1];
  if (n === "(" && raw[i + 2] === "(") {
    const end = raw.indexOf("))", i + 3);
    const expr = raw.slice(i + 3, end);
    return { text: String(arithmetic(expr, env)), end: end + 2 };
  }
  if (n === "(") {
    const end = scanParens(raw, i + 1);
    return { text: trimNewlines(env.substitute(raw.slice(i + 2, end - 1))), end };
  }
  if (n === "{") {
    const end = raw.indexOf("}", i + 2);
    return { text: braced(raw.slice(i + 2, end), env), end: end + 1 };
  }
  if (n !== undefined && /[?$#@*!0-9-]/.test(n)) return { text: env.special(n) ?? "", end: i + 2 };
  const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(raw.slice(i + 1));
  if (!m) return { text: "$", end: i + 1 };
  return { text: env.get(m[0]) ?? "", end: i + 1 + m[0].length };
}

function braced(inner: string, env: ExpandEnv): string {
  if (inner.startsWith("#")) return String((lookup(inner.slice(1), env) ?? "").length);
  const m = /^([A-Za-z_][A-Za-z0-9_]*|[?$#@*!0-9])(:?[-=+?])?([\s\S]*)$/.exec(inner);
  if (!m) return "";
  const [, name, op, word] = m;
  const value = lookup(name, env);
  const unset = op?.startsWith(":") ? !value : value === undefined;
  switch (op?.replace(":", "")) {
    case "-":
      return unset ? expandString(word, env) : (value ?? "");
    case "=":
      if (unset) env.set(name, expandString(word, env));
      return env.get(name) ?? "";
    case "+":
      return unset ? "" : expandString(word, env);
    case "?":
      return value ?? "";
    default:
      return value ?? "";
  }
}

function lookup(name: string, env: ExpandEnv): string | undefined {
  return /^[A-Za-z_]/.test(name) ? env.get(name) : env.special(name);
}

function trimNewlines(s: string): string {
  return s.replace(/\n+$/, "");
}

/** `$((…))`: integers, + - * / %, comparisons, parentheses, variables (with or without `$`). */
export function arithmetic(expr: string, env: ExpandEnv): number {
  const src = expr.replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, "$1");
  const toks = src.match(/\d+|[A-Za-z_][A-Za-z0-9_]*|==|!=|<=|>=|&&|\|\||[-+*/%()<>!]/g) ?? [];
  let pos = 0;
  const value = (t: string): number => (/^\d/.test(t) ? Number(t) : Number(env.get(t) ?? 0) || 0);
  const primary = (): number => {
    const t = toks[pos++];
    if (t === "(") {
      const v = or();
      pos++;
      return v;
    }
    if (t === "-") return -primary();
    if (t === "+") return primary();
    if (t === "!") return primary() ? 0 : 1;
    return t === undefined ? 0 : value(t);
  };
  const binary = (next: () => number, ops: Record<string, (a: number, b: number) => number>) => (): number => {
    let v = next();
    while (toks[pos] in ops) {
      const op = toks[pos++];
      v = ops[op](v, next());
    }
    return v;
  };
  const mul = binary(primary, { "*": (a, b) => a * b, "/": (a, b) => Math.trunc(a / (b || 1)), "%": (a, b) => a % (b || 1) });
  const add = binary(mul, { "+": (a, b) => a + b, "-": (a, b) => a - b });
  const cmp = binary(add, { "<": (a, b) => +(a < b), ">": (a, b) => +(a > b), "<=": (a, b) => +(a <= b), ">=": (a, b) => +(a >= b) });
  const eq = binary(cmp, { "==": (a, b) => +(a === b), "!=": (a, b) => +(a !== b) });
  const and = binary(eq, { "&&": (a, b) => +(a !== 0 && b !== 0) });
  const or = binary(and, { "||": (a, b) => +(a !== 0 || b !== 0) });
  return or();
}

/** `case` patterns: `*`, `?`, `[…]` and literal text. */
export function matchPattern(pattern: string, text: string): boolean {
  let re = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "*") re += ".*";
    else if (c === "?") re += ".";
    else if (c === "[") {
      const end = pattern.indexOf("]", i + 1);
      if (end < 0) re += "\\[";
      else {
        re += `[${pattern.slice(i + 1, end).replace(/^!/, "^")}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`, "s").test(text);
}
