// A POSIX-shell subset as containers' commands use it: lists (`;`, `&&`, `||`, `&`), pipelines,
// `if`/`while`/`until`/`for`/`case`, groups, redirections, here-documents (`<<EOF`, `<<'EOF'`,
// `<<-EOF`), and words whose quoting and `$…` expansions are kept raw for the interpreter to expand
// when the command runs.
// Models the grammar of the POSIX Shell Command Language (XCU 2.10), much reduced.

export interface Redirect {
  /** File descriptor redirected (1 = stdout, 2 = stderr, 0 = stdin). */
  fd: number;
  op: ">" | ">>" | "<" | ">&" | "&>" | "<<";
  /** Raw word: a file name, or a descriptor number for `>&`; for `<<`, the here-document's body. */
  target: string;
  /** `<<`: the delimiter was quoted, so the body is taken literally (no `$…` expansion). */
  literal?: boolean;
}

export type Command =
  | { type: "simple"; assigns: [string, string][]; words: string[]; redirects: Redirect[] }
  | { type: "group"; body: List; subshell: boolean; redirects: Redirect[] }
  | { type: "if"; clauses: { cond: List; body: List }[]; otherwise?: List; redirects: Redirect[] }
  | { type: "while"; cond: List; body: List; until: boolean; redirects: Redirect[] }
  | { type: "for"; name: string; items?: string[]; body: List; redirects: Redirect[] }
  | { type: "case"; word: string; arms: { patterns: string[]; body: List }[]; redirects: Redirect[] };

export interface Pipeline {
  negate: boolean;
  commands: Command[];
}

export interface AndOr {
  first: Pipeline;
  rest: { op: "&&" | "||"; pipeline: Pipeline }[];
  background: boolean;
}

export type List = AndOr[];

type Token =
  | { kind: "word"; text: string }
  | { kind: "op"; text: string }
  | { kind: "heredoc"; body: string; literal: boolean }
  | { kind: "nl" }
  | { kind: "eof" };

export class ShellSyntaxError extends Error {}

/**
 * How deep commands may nest — compound commands in a script, and command substitutions, `eval` and
 * `source` while it runs. Every level is recursion in the parser and the interpreters, and a hostile
 * line must get an error instead of exhausting the Worker's stack.
 */
export const MAX_NESTING = 100;

const OPS = ["&&", "||", ";;", "<<-", "<<", ">>", ">&", "&>", "<&", ";", "&", "|", "(", ")", "<", ">"];

/** A here-document whose body starts after the current line. */
interface PendingHeredoc {
  token: Extract<Token, { kind: "heredoc" }>;
  delimiter: string;
  stripTabs: boolean;
}

export interface TokenizeResult {
  tokens: Token[];
  /** A here-document's delimiter line never came (bash warns and takes the rest of the input). */
  openHeredoc?: string;
}

/** Splits a script into words and operators; quotes, `$(…)`, `${…}` and backquotes stay inside words. */
export function tokenize(src: string): Token[] {
  return tokenizeScript(src).tokens;
}

export function tokenizeScript(src: string): TokenizeResult {
  const out: Token[] = [];
  const pending: PendingHeredoc[] = [];
  let openHeredoc: string | undefined;
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === " " || c === "\t") {
      i++;
    } else if (c === "\\" && src[i + 1] === "\n") {
      i += 2;
    } else if (c === "\n") {
      out.push({ kind: "nl" });
      i++;
      // Here-document bodies follow the line that introduced them, in order.
      for (const h of pending.splice(0)) {
        const r = readHeredoc(src, i, h);
        h.token.body = r.body;
        i = r.end;
        if (!r.terminated) openHeredoc ??= h.delimiter;
      }
    } else if (c === "#") {
      while (i < src.length && src[i] !== "\n") i++;
    } else {
      const op = OPS.find((o) => src.startsWith(o, i));
      if (op === "<<" || op === "<<-") {
        i += op.length;
        while (src[i] === " " || src[i] === "\t") i++;
        const start = i;
        i = scanWord(src, i);
        const raw = src.slice(start, i);
        if (!raw) throw new ShellSyntaxError(`syntax error: unexpected "${src[i] === undefined || src[i] === "\n" ? "newline" : src[i]}"`);
        const token: PendingHeredoc["token"] = { kind: "heredoc", body: "", literal: /['"\\]/.test(raw) };
        pending.push({ token, delimiter: unquote(raw), stripTabs: op === "<<-" });
        out.push(token);
        continue;
      }
      if (op) {
        out.push({ kind: "op", text: op });
        i += op.length;
        continue;
      }
      const start = i;
      i = scanWord(src, i);
      let text = src.slice(start, i);
      // An all-digit word glued to a redirection is its descriptor (`2>&1`).
      if (/^\d$/.test(text) && (src[i] === ">" || src[i] === "<")) text = `\u0000fd${text}`;
      out.push({ kind: "word", text });
    }
  }
  // A here-document on the last line, with no newline after it: its body is empty and never ended.
  if (pending.length) openHeredoc ??= pending[0].delimiter;
  out.push({ kind: "eof" });
  return { tokens: out, openHeredoc };
}

/** A here-document delimiter with its quotes removed (`'EOF'`, `"EOF"`, `\EOF` → `EOF`). */
function unquote(raw: string): string {
  let out = "";
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === "'" || c === '"') continue;
    if (c === "\\") {
      out += raw[i + 1] ?? "";
      i++;
    } else out += c;
  }
  return out;
}

/** Reads a here-document body from `i` up to its delimiter line (or the end of the input). */
function readHeredoc(src: string, i: number, h: PendingHeredoc): { body: string; end: number; terminated: boolean } {
  let body = "";
  while (i < src.length) {
    const nl = src.indexOf("\n", i);
    const lineEnd = nl < 0 ? src.length : nl;
    let line = src.slice(i, lineEnd);
    if (h.stripTabs) line = line.replace(/^\t+/, "");
    // Terminal input arrives with carriage returns at times; the delimiter line still ends the body.
    if (line === h.delimiter || line.replace(/\r$/, "") === h.delimiter) return { body, end: nl < 0 ? src.length : nl + 1, terminated: true };
    if (nl < 0) {
      body += line;
      break;
    }
    body += `${line}\n`;
    i = nl + 1;
  }
  return { body, end: src.length, terminated: false };
}

function scanWord(src: string, i: number): number {
  while (i < src.length) {
    const c = src[i];
    if (" \t\n;&|()<>".includes(c)) return i;
    if (c === "\\") i += 2;
    else if (c === "'") {
      const end = src.indexOf("'", i + 1);
      if (end < 0) throw new ShellSyntaxError("unterminated quoted string");
      i = end + 1;
    } else if (c === '"') i = scanDouble(src, i + 1);
    else if (c === "`") {
      const end = src.indexOf("`", i + 1);
      if (end < 0) throw new ShellSyntaxError("unterminated backquote");
      i = end + 1;
    } else if (c === "$" && src[i + 1] === "(") i = scanParens(src, i + 1);
    else if (c === "$" && src[i + 1] === "{") {
      const end = src.indexOf("}", i + 2);
      if (end < 0) throw new ShellSyntaxError("bad substitution");
      i = end + 1;
    } else i++;
  }
  return i;
}

function scanDouble(src: string, i: number): number {
  while (i < src.length) {
    const c = src[i];
    if (c === "\\") i += 2;
    else if (c === '"') return i + 1;
    else if (c === "$" && src[i + 1] === "(") i = scanParens(src, i + 1);
    else i++;
  }
  throw new ShellSyntaxError("unterminated quoted string");
}

/** From an opening parenthesis to just past its match, skipping quoted text. */
export function scanParens(src: string, i: number): number {
  let depth = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === "(") depth++;
    else if (c === ")") {
      depth--;
      if (depth === 0) return i + 1;
    } else if (c === "'") i = src.indexOf("'", i + 1);
    else if (c === '"') {
      i = scanDouble(src, i + 1) - 1;
    } else if (c === "\\") i++;
    if (i < 0) break;
    i++;
  }
  throw new ShellSyntaxError("unterminated command substitution");
}

const RESERVED = new Set(["if", "then", "elif", "else", "fi", "while", "until", "do", "done", "for", "in", "case", "esac", "{", "}", "!"]);

class Parser {
  private pos = 0;
  private depth = 0;
  constructor(private readonly toks: Token[]) {}

  private peek(): Token {
    return this.toks[this.pos];
  }
  private next(): Token {
    return this.toks[this.pos++];
  }
  private isWord(text: string): boolean {
    const t = this.peek();
    return t.kind === "word" && t.text === text;
  }
  private isOp(text: string): boolean {
    const t = this.peek();
    return t.kind === "op" && t.text === text;
  }
  private skipNewlines(): void {
    while (this.peek().kind === "nl") this.pos++;
  }
  private expectWord(text: string): void {
    this.skipNewlines();
    if (!this.isWord(text)) throw new ShellSyntaxError(`syntax error: expected "${text}"`);
    this.pos++;
  }

  /** A list up to one of `terminators` (reserved words or `)`), or the end. */
  list(terminators: string[]): List {
    const out: List = [];
    for (;;) {
      this.skipNewlines();
      const t = this.peek();
      if (t.kind === "eof") break;
      if (t.kind === "word" && terminators.includes(t.text)) break;
      if (t.kind === "op" && (terminators.includes(t.text) || t.text === ";;")) break;
      const item = this.andOr();
      out.push(item);
      const sep = this.peek();
      if (sep.kind === "op" && (sep.text === ";" || sep.text === "&")) {
        this.pos++;
        if (sep.text === "&") item.background = true;
      } else if (sep.kind === "nl") this.pos++;
      else if (sep.kind !== "eof" && !(sep.kind === "word" && terminators.includes(sep.text)) && !(sep.kind === "op" && (terminators.includes(sep.text) || sep.text === ";;"))) {
        throw new ShellSyntaxError(`syntax error: unexpected "${sep.kind === "word" || sep.kind === "op" ? sep.text : "newline"}"`);
      }
    }
    return out;
  }

  private andOr(): AndOr {
    const first = this.pipeline();
    const rest: AndOr["rest"] = [];
    while (this.isOp("&&") || this.isOp("||")) {
      const op = (this.next() as { text: "&&" | "||" }).text;
      this.skipNewlines();
      rest.push({ op, pipeline: this.pipeline() });
    }
    return { first, rest, background: false };
  }

  private pipeline(): Pipeline {
    let negate = false;
    if (this.isWord("!")) {
      this.pos++;
      negate = true;
    }
    const commands = [this.command()];
    while (this.isOp("|")) {
      this.pos++;
      this.skipNewlines();
      commands.push(this.command());
    }
    return { negate, commands };
  }

  private command(): Command {
    if (this.depth >= MAX_NESTING) throw new ShellSyntaxError(`syntax error: commands nested more than ${MAX_NESTING} deep`);
    this.depth++;
    try {
      return this.commandAt();
    } finally {
      this.depth--;
    }
  }

  private commandAt(): Command {
    const t = this.peek();
    if (t.kind === "op" && t.text === "(") {
      this.pos++;
      const body = this.list([")"]);
      if (!this.isOp(")")) throw new ShellSyntaxError('syntax error: expected ")"');
      this.pos++;
      return { type: "group", body, subshell: true, redirects: this.redirects() };
    }
    if (t.kind === "word") {
      switch (t.text) {
        case "{": {
          this.pos++;
          const body = this.list(["}"]);
          this.expectWord("}");
          return { type: "group", body, subshell: false, redirects: this.redirects() };
        }
        case "if":
          return this.ifCommand();
        case "while":
        case "until": {
          this.pos++;
          const cond = this.list(["do"]);
          this.expectWord("do");
          const body = this.list(["done"]);
          this.expectWord("done");
          return { type: "while", cond, body, until: t.text === "until", redirects: this.redirects() };
        }
        case "for":
          return this.forCommand();
        case "case":
          return this.caseCommand();
      }
    }
    return this.simple();
  }

  private ifCommand(): Command {
    this.pos++;
    const clauses: { cond: List; body: List }[] = [];
    let otherwise: List | undefined;
    for (;;) {
      const cond = this.list(["then"]);
      this.expectWord("then");
      const body = this.list(["elif", "else", "fi"]);
      clauses.push({ cond, body });
      this.skipNewlines();
      if (this.isWord("elif")) {
        this.pos++;
        continue;
      }
      if (this.isWord("else")) {
        this.pos++;
        otherwise = this.list(["fi"]);
      }
      this.expectWord("fi");
      return { type: "if", clauses, otherwise, redirects: this.redirects() };
    }
  }

  private forCommand(): Command {
    this.pos++;
    const name = this.next();
    if (name.kind !== "word") throw new ShellSyntaxError("syntax error: bad for loop variable");
    let items: string[] | undefined;
    this.skipNewlines();
    if (this.isWord("in")) {
      this.pos++;
      items = [];
      while (this.peek().kind === "word") items.push((this.next() as { text: string }).text);
    }
    if (this.isOp(";")) this.pos++;
    this.expectWord("do");
    const body = this.list(["done"]);
    this.expectWord("done");
    return { type: "for", name: name.text, items, body, redirects: this.redirects() };
  }

  private caseCommand(): Command {
    this.pos++;
    const word = this.next();
    if (word.kind !== "word") throw new ShellSyntaxError("syntax error: bad case word");
    this.expectWord("in");
    const arms: { patterns: string[]; body: List }[] = [];
    for (;;) {
      this.skipNewlines();
      if (this.isWord("esac")) break;
      if (this.isOp("(")) this.pos++;
      const patterns: string[] = [];
      for (;;) {
        const p = this.next();
        if (p.kind !== "word") throw new ShellSyntaxError("syntax error: bad case pattern");
        patterns.push(p.text);
        if (this.isOp("|")) this.pos++;
        else break;
      }
      if (!this.isOp(")")) throw new ShellSyntaxError('syntax error: expected ")"');
      this.pos++;
      const body = this.list(["esac"]);
      arms.push({ patterns, body });
      if (this.isOp(";;")) this.pos++;
    }
    this.expectWord("esac");
    return { type: "case", word: word.text, arms, redirects: this.redirects() };
  }

  private redirects(): Redirect[] {
    const out: Redirect[] = [];
    for (;;) {
      const r = this.redirect();
      if (!r) return out;
      out.push(r);
    }
  }

  private redirect(): Redirect | undefined {
    let fd: number | undefined;
    const t = this.peek();
    if (t.kind === "word" && t.text.startsWith("\u0000fd")) {
      fd = Number(t.text.slice(3));
      this.pos++;
    }
    const op = this.peek();
    if (op.kind === "heredoc") {
      this.pos++;
      return { fd: fd ?? 0, op: "<<", target: op.body, literal: op.literal };
    }
    if (op.kind !== "op" || ![">", ">>", "<", ">&", "&>", "<&"].includes(op.text)) {
      if (fd !== undefined) this.pos--;
      return undefined;
    }
    this.pos++;
    const target = this.next();
    if (target.kind !== "word") throw new ShellSyntaxError("syntax error: missing redirection target");
    const kind = op.text === "<&" ? "<" : (op.text as Redirect["op"]);
    return { fd: fd ?? (kind === "<" ? 0 : 1), op: kind, target: target.text };
  }

  private simple(): Command {
    const assigns: [string, string][] = [];
    const words: string[] = [];
    const redirects: Redirect[] = [];
    for (;;) {
      const r = this.redirect();
      if (r) {
        redirects.push(r);
        continue;
      }
      const t = this.peek();
      if (t.kind !== "word") break;
      if (words.length > 0 && (t.text === "}" || t.text === "then" || t.text === "do")) break;
      if (words.length === 0 && RESERVED.has(t.text) && t.text !== "!") break;
      this.pos++;
      const m = /^([A-Za-z_][A-Za-z0-9_]*)=([\s\S]*)$/.exec(t.text);
      if (m && words.length === 0) assigns.push([m[1], m[2]]);
      else words.push(t.text);
    }
    if (assigns.length === 0 && words.length === 0 && redirects.length === 0) {
      const t = this.peek();
      throw new ShellSyntaxError(`syntax error: unexpected "${t.kind === "word" || t.kind === "op" ? t.text : t.kind === "nl" ? "newline" : "end of file"}"`);
    }
    return { type: "simple", assigns, words, redirects };
  }
}

/** Parses a whole script. */
export function parseScript(src: string): List {
  const p = new Parser(tokenize(src));
  const list = p.list([]);
  return list;
}

/**
 * Whether more lines could complete `src` — an open quote, `if`/loop/`case`, a trailing `|`, `&&`
 * or `\`, or a here-document whose delimiter line has not come yet — so a terminal asks for them
 * (`> `) instead of running it.
 */
export function needsMoreInput(src: string): boolean {
  if (/(^|[^\\])(\\\\)*\\\n?$/.test(src)) return true;
  try {
    const r = tokenizeScript(src);
    if (r.openHeredoc !== undefined) return true;
    new Parser(r.tokens).list([]);
    return false;
  } catch (e) {
    if (!(e instanceof ShellSyntaxError)) throw e;
    return /: expected "|unterminated|end of file|bad case pattern/.test(e.message);
  }
}
