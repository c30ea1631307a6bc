// kubectl's JSONPath templates (`-o jsonpath=…`, custom columns, `--sort-by`): `{.a.b}`, `[n]`,
// `[a:b:c]`, `[*]`, `..`, unions `[a,b]`, filters `[?(@.x=="y")]`, `{range …}…{end}` and quoted text.
// Models staging/src/k8s.io/client-go/util/jsonpath (parser.go, jsonpath.go) as of 1.32: maps and
// lists print as compact JSON, scalars as Go's fmt.Print would.

type Value = unknown;

interface ParamsEntry {
  value: number;
  known: boolean;
  derived?: boolean;
}

type Node =
  | { type: "list"; nodes: Node[] }
  | { type: "text"; text: string }
  | { type: "field"; value: string }
  | { type: "array"; params: [ParamsEntry, ParamsEntry, ParamsEntry] }
  | { type: "filter"; left: ListNode; right: ListNode; operator: string }
  | { type: "int"; value: number }
  | { type: "float"; value: number }
  | { type: "bool"; value: boolean }
  | { type: "wildcard" }
  | { type: "recursive" }
  | { type: "union"; nodes: ListNode[] }
  | { type: "identifier"; name: string };

type ListNode = Extract<Node, { type: "list" }>;

export class JsonPathError extends Error {}

const EOF = "";

class Parser {
  root: ListNode = { type: "list", nodes: [] };
  private input = "";
  private pos = 0;
  private start = 0;
  private width = 0;

  parse(text: string): ListNode {
    this.input = text;
    this.root = { type: "list", nodes: [] };
    this.pos = 0;
    this.parseText(this.root);
    return this.root;
  }

  private consumeText(): string {
    const v = this.input.slice(this.start, this.pos);
    this.start = this.pos;
    return v;
  }
  private next(): string {
    if (this.pos >= this.input.length) {
      this.width = 0;
      return EOF;
    }
    const r = String.fromCodePoint(this.input.codePointAt(this.pos)!);
    this.width = r.length;
    this.pos += r.length;
    return r;
  }
  private peek(): string {
    const r = this.next();
    this.backup();
    return r;
  }
  private backup(): void {
    this.pos -= this.width;
  }

  private parseText(cur: ListNode): void {
    for (;;) {
      if (this.input.startsWith("{", this.pos)) {
        if (this.pos > this.start) cur.nodes.push({ type: "text", text: this.consumeText() });
        return this.parseLeftDelim(cur);
      }
      if (this.next() === EOF) break;
    }
    if (this.pos > this.start) cur.nodes.push({ type: "text", text: this.consumeText() });
  }

  private parseLeftDelim(cur: ListNode): void {
    this.pos += 1;
    this.consumeText();
    const n: ListNode = { type: "list", nodes: [] };
    cur.nodes.push(n);
    return this.parseInsideAction(n);
  }

  private parseInsideAction(cur: ListNode): void {
    for (;;) {
      const rest = this.input.slice(this.pos);
      if (rest.startsWith("}")) return this.parseRightDelim();
      if (rest.startsWith("[?(")) return this.parseFilter(cur);
      if (rest.startsWith("..")) return this.parseRecursive(cur);
      const r = this.next();
      if (r === EOF || r === "\r" || r === "\n") throw new JsonPathError("unclosed action");
      if (r === " " || r === "@" || r === "$") {
        this.consumeText();
        continue;
      }
      if (r === "[") return this.parseArray(cur);
      if (r === '"' || r === "'") return this.parseQuote(cur, r);
      if (r === ".") return this.parseField(cur);
      if (r === "+" || r === "-" || /\d/.test(r)) {
        this.backup();
        return this.parseNumber(cur);
      }
      if (isAlphaNumeric(r)) {
        this.backup();
        return this.parseIdentifier(cur);
      }
      throw new JsonPathError(`unrecognized character in action: U+${r.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")} '${r}'`);
    }
  }

  private parseRightDelim(): void {
    this.pos += 1;
    this.consumeText();
    return this.parseText(this.root);
  }

  private parseIdentifier(cur: ListNode): void {
    for (;;) {
      const r = this.next();
      if (isTerminator(r)) {
        this.backup();
        break;
      }
    }
    const value = this.consumeText();
    if (value === "true" || value === "false") cur.nodes.push({ type: "bool", value: value === "true" });
    else cur.nodes.push({ type: "identifier", name: value });
    return this.parseInsideAction(cur);
  }

  private parseRecursive(cur: ListNode): void {
    if (cur.nodes[cur.nodes.length - 1]?.type === "recursive") throw new JsonPathError("invalid multiple recursive descent");
    this.pos += 2;
    this.consumeText();
    cur.nodes.push({ type: "recursive" });
    if (isAlphaNumeric(this.peek())) return this.parseField(cur);
    return this.parseInsideAction(cur);
  }

  private parseNumber(cur: ListNode): void {
    let r = this.peek();
    if (r === "+" || r === "-") this.next();
    for (;;) {
      r = this.next();
      if (r !== "." && !/\d/.test(r)) {
        this.backup();
        break;
      }
    }
    const value = this.consumeText();
    if (/^[+-]?\d+$/.test(value)) cur.nodes.push({ type: "int", value: Number(value) });
    else if (!Number.isNaN(Number(value)) && value !== "") cur.nodes.push({ type: "float", value: Number(value) });
    else throw new JsonPathError(`cannot parse number ${value}`);
    return this.parseInsideAction(cur);
  }

  private parseArray(cur: ListNode): void {
    for (;;) {
      const r = this.next();
      if (r === EOF || r === "\n") throw new JsonPathError("unterminated array");
      if (r === "]") break;
    }
    let text = this.consumeText();
    text = text.slice(1, -1);
    if (text === "*") text = ":";
    const strs = text.split(",");
    if (strs.length > 1) {
      const union = strs.map((s) => parseAction(`[${s.trim()}]`));
      cur.nodes.push({ type: "union", nodes: union });
      return this.parseInsideAction(cur);
    }
    const dict = /^'([^']*)'$/.exec(text);
    if (dict) {
      for (const n of parseAction(`.${dict[1]}`).nodes) cur.nodes.push(n);
      return this.parseInsideAction(cur);
    }
    const m = /^(-?\d*)(:-?\d*)?(:-?\d*)?$/.exec(text);
    if (!m) throw new JsonPathError(`invalid array index ${text}`);
    const value = [m[1] ?? "", m[2] ?? "", m[3] ?? ""];
    const params: [ParamsEntry, ParamsEntry, ParamsEntry] = [
      { value: 0, known: false },
      { value: 0, known: false },
      { value: 0, known: false },
    ];
    for (let i = 0; i < 3; i++) {
      if (value[i] !== "") {
        if (i > 0) value[i] = value[i].slice(1);
        if (i > 0 && value[i] === "") params[i].known = false;
        else {
          if (!/^-?\d+$/.test(value[i])) throw new JsonPathError(`array index ${value[i]} is not a number`);
          params[i] = { value: Number(value[i]), known: true };
        }
      } else if (i === 1) params[i] = { value: params[0].value + 1, known: true, derived: true };
    }
    cur.nodes.push({ type: "array", params });
    return this.parseInsideAction(cur);
  }

  private parseFilter(cur: ListNode): void {
    this.pos += 3;
    this.consumeText();
    let begin = false;
    let end = false;
    let pair = "";
    for (;;) {
      const r = this.next();
      if (r === EOF || r === "\n") throw new JsonPathError("unterminated filter");
      if (r === '"' || r === "'") {
        if (!begin) {
          begin = true;
          pair = r;
          continue;
        }
        if (this.input[this.pos - 2] !== "\\" && r === pair) end = true;
      } else if (r === ")") {
        if (begin === end) break;
      }
    }
    if (this.next() !== "]") throw new JsonPathError("unclosed array expect ]");
    let text = this.consumeText();
    text = text.slice(0, -2);
    const m = /^([^!<>=]+)([!<>=]+)(.+?)$/s.exec(text);
    if (!m) cur.nodes.push({ type: "filter", left: parseAction(text), right: { type: "list", nodes: [] }, operator: "exists" });
    else cur.nodes.push({ type: "filter", left: parseAction(m[1]), right: parseAction(m[3]), operator: m[2] });
    return this.parseInsideAction(cur);
  }

  private parseQuote(cur: ListNode, end: string): void {
    for (;;) {
      const r = this.next();
      if (r === EOF || r === "\n") throw new JsonPathError("unterminated quoted string");
      if (r === end && this.input[this.pos - 2] !== "\\") break;
    }
    const value = this.consumeText();
    cur.nodes.push({ type: "text", text: unquote(value) });
    return this.parseInsideAction(cur);
  }

  private parseField(cur: ListNode): void {
    this.consumeText();
    for (;;) {
      const r = this.next();
      if (r === "\\") this.next();
      else if (isTerminator(r)) {
        this.backup();
        break;
      }
    }
    const value = this.consumeText();
    if (value === "*") cur.nodes.push({ type: "wildcard" });
    else cur.nodes.push({ type: "field", value: value.replace(/\\/g, "") });
    return this.parseInsideAction(cur);
  }
}

function parseAction(text: string): ListNode {
  const p = new Parser();
  const root = p.parse(`{${text}}`);
  return root.nodes[0] as ListNode;
}

function unquote(s: string): string {
  const q = s[0];
  const body = s.slice(1, -1);
  if (q === '"') {
    try {
      return JSON.parse(s) as string;
    } catch {
      return body;
    }
  }
  return body.replace(/\\(.)/g, (_, c: string) => ({ n: "\n", t: "\t", r: "\r" })[c] ?? c);
}

function isTerminator(r: string): boolean {
  return r === EOF || r === " " || r === "\t" || r === "\r" || r === "\n" || ".,[]$@{}".includes(r);
}

function isAlphaNumeric(r: string): boolean {
  return r === "_" || /[\p{L}\p{Nd}]/u.test(r);
}

// --- evaluation ---

const isObject = (v: Value): v is Record<string, Value> => typeof v === "object" && v !== null && !Array.isArray(v);

export class JsonPath {
  private root: ListNode;
  private stack: Value[][] = [];
  private cur: Value[] = [];
  private beginRange = 0;
  private inRange = 0;
  private endRange = 0;

  constructor(
    template: string,
    private readonly allowMissingKeys = true,
  ) {
    this.root = new Parser().parse(template);
  }

  /** The template's output for `data`. */
  execute(data: Value): string {
    const results = this.findResults(data, this.root.nodes);
    return results.map((r) => printResults(r)).join("");
  }

  /** The values each top-level node yields (custom columns print the first). */
  findResults(data: Value, nodes: Node[] = this.root.nodes): Value[][] {
    this.cur = [data];
    const full: Value[][] = [];
    for (let i = 0; i < nodes.length; i++) {
      const results = this.walk(this.cur, nodes[i]);
      if (this.endRange > 0 && this.endRange <= this.inRange) {
        this.endRange -= 1;
        break;
      }
      if (this.beginRange > 0) {
        this.beginRange -= 1;
        this.inRange += 1;
        results.forEach((value, k) => {
          if (k === results.length - 1) this.inRange -= 1;
          full.push(...this.findResults(value, nodes.slice(i + 1)));
        });
        break;
      }
      full.push(results);
    }
    return full;
  }

  private walk(value: Value[], node: Node): Value[] {
    switch (node.type) {
      case "list": {
        let cur = value;
        for (const n of node.nodes) cur = this.walk(cur, n);
        return cur;
      }
      case "text":
        return [node.text];
      case "field":
        return this.evalField(value, node.value);
      case "array":
        return this.evalArray(value, node.params);
      case "filter":
        return this.evalFilter(value, node);
      case "int":
      case "float":
      case "bool":
        return value.map(() => node.value);
      case "wildcard":
        return value.flatMap((v) => (isObject(v) ? Object.keys(v).sort().map((k) => v[k]) : Array.isArray(v) ? v : typeof v === "string" ? [...v] : []));
      case "recursive":
        return this.evalRecursive(value);
      case "union":
        return node.nodes.flatMap((l) => this.walk(value, l));
      case "identifier":
        return this.evalIdentifier(value, node.name);
    }
  }

  private evalIdentifier(input: Value[], name: string): Value[] {
    if (name === "range") {
      this.stack.push(this.cur);
      this.beginRange += 1;
      return input;
    }
    if (name === "end") {
      if (this.endRange < this.inRange) {
        this.endRange += 1;
        return [];
      }
      const top = this.stack.pop();
      if (top === undefined) throw new JsonPathError("not in range, nothing to end");
      this.cur = top;
      return [];
    }
    throw new JsonPathError(`unrecognized identifier ${name}`);
  }

  private evalField(input: Value[], field: string): Value[] {
    const out: Value[] = [];
    if (input.length === 0) return out;
    for (const v of input) {
      if (isObject(v) && Object.prototype.hasOwnProperty.call(v, field)) out.push(v[field]);
    }
    if (out.length === 0 && !this.allowMissingKeys) throw new JsonPathError(`${field} is not found`);
    return out;
  }

  private evalArray(input: Value[], params: [ParamsEntry, ParamsEntry, ParamsEntry]): Value[] {
    const out: Value[] = [];
    for (const v of input) {
      if (v === null || v === undefined) continue;
      if (!Array.isArray(v)) throw new JsonPathError(`${goTypeName(v)} is not array or slice`);
      const p = params.map((x) => ({ ...x }));
      if (!p[0].known) p[0].value = 0;
      if (p[0].value < 0) p[0].value += v.length;
      if (!p[1].known) p[1].value = v.length;
      if (p[1].value < 0) p[1].value += v.length;
      if (p[1].value !== p[0].value) {
        if (p[0].value >= v.length) throw new JsonPathError(`array index out of bounds: index ${p[0].value}, length ${v.length}`);
        if (p[1].value > v.length) throw new JsonPathError(`array index out of bounds: index ${p[1].value - 1}, length ${v.length}`);
      }
      let slice = v.slice(p[0].value, p[1].value);
      if (p[2].known && p[2].value > 0) slice = slice.filter((_, i) => i % p[2].value === 0);
      out.push(...slice);
    }
    return out;
  }

  private evalRecursive(input: Value[]): Value[] {
    const out: Value[] = [];
    for (const v of input) {
      const children = isObject(v) ? Object.keys(v).sort().map((k) => v[k]) : Array.isArray(v) ? v : [];
      if (children.length) {
        out.push(v);
        out.push(...this.evalRecursive(children));
      }
    }
    return out;
  }

  private evalFilter(input: Value[], node: Extract<Node, { type: "filter" }>): Value[] {
    const out: Value[] = [];
    for (const v of input) {
      if (!Array.isArray(v)) throw new JsonPathError(`${goFormat(v)} is not array or slice and cannot be filtered`);
      for (const item of v) {
        let lefts: Value[];
        try {
          lefts = this.walk([item], node.left);
        } catch (e) {
          if (node.operator === "exists") continue;
          throw e;
        }
        if (node.operator === "exists") {
          if (lefts.length > 0) out.push(item);
          continue;
        }
        if (lefts.length !== 1) throw new JsonPathError("can only compare one element at a time");
        const rights = this.walk([item], node.right);
        if (rights.length !== 1) throw new JsonPathError("can only compare one element at a time");
        if (compare(lefts[0], rights[0], node.operator)) out.push(item);
      }
    }
    return out;
  }
}

function compare(a: Value, b: Value, op: string): boolean {
  if (op === "==" || op === "!=") {
    const eq = (typeof a === "number" && typeof b === "number") || typeof a === typeof b ? a === b : false;
    if (typeof a !== typeof b && !(a === null || b === null)) throw new JsonPathError("incompatible types for comparison");
    return op === "==" ? eq : !eq;
  }
  if (typeof a !== typeof b || (typeof a !== "number" && typeof a !== "string")) throw new JsonPathError("incompatible types for comparison");
  const x = a as number | string;
  const y = b as number | string;
  switch (op) {
    case "<":
      return x < y;
    case ">":
      return x > y;
    case "<=":
      return x <= y;
    case ">=":
      return x >= y;
  }
  throw new JsonPathError(`unrecognized filter operator ${op}`);
}

function goTypeName(v: Value): string {
  if (typeof v === "string") return "string";
  if (typeof v === "number") return Number.isInteger(v) ? "int64" : "float64";
  if (typeof v === "boolean") return "bool";
  if (isObject(v)) return "map[string]interface {}";
  return "interface {}";
}

/** Go's %v of a decoded JSON value. */
export function goFormat(v: Value): string {
  if (v === null || v === undefined) return "<nil>";
  if (typeof v === "string") return v;
  if (typeof v === "number") return goFloat(v);
  if (typeof v === "boolean") return String(v);
  if (Array.isArray(v)) return `[${v.map(goFormat).join(" ")}]`;
  return `map[${Object.keys(v as object)
    .sort()
    .map((k) => `${k}:${goFormat((v as Record<string, Value>)[k])}`)
    .join(" ")}]`;
}

/** A number as Go's %v prints it (shortest 'g' format; exponents as e+06). */
function goFloat(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return String(n);
  const exp = Math.floor(Math.log10(Math.abs(n)));
  if (exp < -4 || exp >= 21) return n.toExponential().replace(/e([+-])(\d)$/, "e$10$2");
  return String(n);
}

/** Go's encoding/json: sorted keys, `<`, `>`, `&` escaped. */
export function goJson(v: Value, indent = ""): string {
  const sorted = (x: Value): Value => {
    if (Array.isArray(x)) return x.map(sorted);
    if (isObject(x)) return Object.fromEntries(Object.keys(x).sort().map((k) => [k, sorted(x[k])]));
    return x;
  };
  return goJsonOrdered(sorted(v), indent);
}

/** Go's encoding/json of a struct: fields in their declared order (here, insertion order). */
export function goJsonOrdered(v: Value, indent = ""): string {
  return JSON.stringify(v, null, indent || undefined)
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

function printResults(results: Value[]): string {
  return results
    .map((r, i) => {
      const text = typeof r === "object" && r !== null ? goJson(r) : r === null ? "null" : goFormat(r);
      return i !== results.length - 1 ? `${text} ` : text;
    })
    .join("");
}
