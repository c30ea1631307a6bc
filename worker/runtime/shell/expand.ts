// Word expansion: quotes, `$VAR`/`${VAR:-default}`, `$(…)` and backquotes, `$((…))`, then field
// splitting of what was unquoted. No globbing: containers' commands in tutorials do not rely on it.
// Models XCU 2.6 Word Expansions, much reduced.
import { MAX_NESTING, scanParens, ShellSyntaxError } from "./parse";

export interface ExpandEnv {
  get(name: string): string | undefined;
  set(name: string, value: string): void;
  /** Runs a command substitution and returns its stdout. */
  substitute(src: string): string;
  /** Positional and special parameters: `$?`, `$$`, `$#`, `$0`…, `$@`. */
  special(name: string): string | undefined;
}

/**
 * Longest text one word may expand to. A value doubled in a loop (`x=$x$x`) grows without bound;
 * past this the shell fails to allocate, as bash does when malloc fails, long before the Worker's
 * own memory runs out.
 */
export const MAX_EXPANSION_CHARS = 16 * 1024 * 1024;

/** A word whose expansion would not fit: the shell cannot allocate it. */
export class ExpansionTooLarge {
  constructor(readonly chars: number) {}
}

/** An expansion the shell refuses (`${…}` or `$((…))` nested past what it evaluates): the command fails. */
export class BadSubstitution {
  constructor(readonly message: string) {}
}

/** `${…}` inside `${…}`, and parentheses in `$((…))`, being evaluated now (the expansion recurses through them). */
let depth = 0;
/** bash's MAX_EXPR_RECURSION_LEVEL is 1024; a quarter of it keeps the recursion well inside the Worker's stack. */
const MAX_EXPRESSION_DEPTH = 256;

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
  const pieces: Piece[] = [];
  let total = 0;
  const out = {
    push(p: Piece): void {
      total += p.text.length;
      if (total > MAX_EXPANSION_CHARS) throw new ExpansionTooLarge(total);
      pieces.push(p);
    },
  };
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
      // An unterminated quote (the parser refuses those; a word built at run time may hold one) runs to the end.
      const end = endOf(raw, raw.indexOf("'", i + 1));
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
          if (total + quoted.length + r.text.length > MAX_EXPANSION_CHARS) throw new ExpansionTooLarge(total + quoted.length + r.text.length);
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
  return pieces;
}

/** One `$…` or backquote expansion starting at `i`. */
function dollar(raw: string, i: number, env: ExpandEnv): { text: string; end: number } {
  // Every construct ends at its closer or, unterminated, at the end of the word: the scan always
  // moves forward (a closer not found must never send it back to the start).
  if (raw[i] === "`") {
    const end = endOf(raw, raw.indexOf("`", i + 1));
    return { text: trimNewlines(env.substitute(raw.slice(i + 1, end))), end: end + 1 };
  }
  const n = raw[i + 1];
  if (n === "(" && raw[i + 2] === "(") {
    // `$((` … the `))` that closes it, past nested parentheses.
    const end = closingParens(raw, i + 1);
    const expr = raw.slice(i + 3, Math.max(i + 3, end - 2));
    return { text: String(arithmetic(expr, env)), end };
  }
  if (n === "(") {
    const end = substitutionEnd(raw, i + 1);
    return { text: trimNewlines(env.substitute(raw.slice(i + 2, end - 1))), end };
  }
  if (n === "{") {
    const end = closingBrace(raw, i + 2);
    return { text: braced(raw.slice(i + 2, end), env), end: end + 1 };
  }
  if (n !== undefined && /[?$#@*!0-9-]/.test(n)) return { text: env.special(n) ?? "", end: i + 2 };
  const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(raw.slice(i + 1));
  if (!m) return { text: "$", end: i + 1 };
  return { text: env.get(m[0]) ?? "", end: i + 1 + m[0].length };
}

/** Just past the parenthesis matching the one at `i` (or the end of the word). */
function closingParens(raw: string, i: number): number {
  let open = 0;
  for (; i < raw.length; i++) {
    if (raw[i] === "(") open++;
    else if (raw[i] === ")" && --open === 0) return i + 1;
  }
  return raw.length;
}

/** The index a closer was found at, or the end of the word when there is none. */
function endOf(raw: string, found: number): number {
  return found < 0 ? raw.length : found;
}

/** The `}` closing a `${` whose inside starts at `i`, past nested `${…}` and quotes (or the end of the word). */
function closingBrace(raw: string, i: number): number {
  let open = 0;
  while (i < raw.length) {
    const c = raw[i];
    if (c === "\\") i++;
    else if (c === "'") i = endOf(raw, raw.indexOf("'", i + 1));
    else if (c === "$" && raw[i + 1] === "{") {
      open++;
      i++;
    } else if (c === "}") {
      if (open === 0) return i;
      open--;
    }
    i++;
  }
  return raw.length;
}

function braced(inner: string, env: ExpandEnv): string {
  if (depth >= MAX_NESTING) throw new BadSubstitution(`\${${inner.slice(0, 20)}…}: bad substitution: nested more than ${MAX_NESTING} deep`);
  depth++;
  try {
    return bracedAt(inner, env);
  } finally {
    depth--;
  }
}

function bracedAt(inner: string, env: ExpandEnv): string {
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

/** Just past the `)` of a `$(` at `i`; an unterminated one runs to the end of the word. */
function substitutionEnd(raw: string, i: number): number {
  try {
    return scanParens(raw, i);
  } catch (e) {
    if (!(e instanceof ShellSyntaxError)) throw e;
    return raw.length + 1;
  }
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
  // Parentheses and unary operators recurse: their nesting is bounded, as bash bounds it.
  const primary = (): number => {
    if (depth >= MAX_EXPRESSION_DEPTH) throw new BadSubstitution(`${expr.trim().slice(0, 20)}…: expression recursion level exceeded`);
    depth++;
    try {
      return primaryAt();
    } finally {
      depth--;
    }
  };
  const primaryAt = (): number => {
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
  try {
    return new RegExp(`^${re}$`, "s").test(text);
  } catch {
    // A bracket expression JavaScript refuses (`[z-a]`) matches nothing, as an invalid range does in bash.
    return false;
  }
}
