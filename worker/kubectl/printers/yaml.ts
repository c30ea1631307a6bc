// YAML exactly as kubectl writes it (`-o yaml`, `config view`): sigs.k8s.io/yaml turns the JSON
// into go-yaml v2 values and go-yaml v2 emits them — map keys in its natural sort order, sequences
// inside a mapping not indented, strings that would read back as another type double-quoted, strings
// plain YAML cannot hold single-quoted, multi-line strings as literal blocks, and long values folded
// once a line passes 80 columns. The `yaml` package (used for reading YAML) chooses styles and fold
// points differently, so output is emitted here to stay byte-for-byte with kubectl.
// Models gopkg.in/yaml.v2 encode.go (stringv), resolve.go, sorter.go and emitterc.go (analyze_scalar,
// select_scalar_style, write_plain/single_quoted/double_quoted/literal_scalar, write_indent).

const BEST_WIDTH = 80;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

// --- what a plain scalar would read back as (resolve.go) ---

const RESOLVE_NON_STRING = new Set([
  "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON",
  "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF",
  "", "~", "null", "Null", "NULL", ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", "<<",
]);
const YAML_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const BASE60_FLOAT = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;
const TIMESTAMP = /^\d{4}-\d{1,2}-\d{1,2}(?:(?:[Tt]|[ \t]+)\d{1,2}:\d{1,2}:\d{1,2}(?:\.\d*)?(?:[ \t]*(?:Z|[-+]\d{1,2}(?::\d{2})?))?)?$/;

/** Whether go-yaml would read `s`, unquoted, as something other than a string. */
function resolvesToNonString(s: string): boolean {
  if (RESOLVE_NON_STRING.has(s)) return true;
  const c = s[0];
  if (c === "+" || c === "-" || c === "." || (c >= "0" && c <= "9")) {
    const plain = s.replace(/_/g, "");
    if (/^[-+]?(0|[1-9][0-9]*)$/.test(plain) || /^[-+]?0[0-7]+$/.test(plain) || /^[-+]?0x[0-9a-fA-F]+$/.test(plain)) return true;
    if (/^[-+]?0b[01]+$/.test(plain)) return true;
    if (YAML_FLOAT.test(plain)) return true;
    if (TIMESTAMP.test(s)) return true;
  }
  return false;
}

// --- scalar analysis (emitterc.go yaml_emitter_analyze_scalar) ---

interface Analysis {
  multiline: boolean;
  blockPlainAllowed: boolean;
  singleQuotedAllowed: boolean;
  blockAllowed: boolean;
}

const isBreak = (c: string) => c === "\r" || c === "\n" || c === "\u0085" || c === "\u2028" || c === "\u2029";
const isBlankz = (c: string | undefined) => c === undefined || c === " " || c === "\t" || isBreak(c) || c === "\0";

function isPrintable(c: string): boolean {
  const cp = c.codePointAt(0)!;
  if (cp === 0x0a) return true;
  if (cp >= 0x20 && cp <= 0x7e) return true;
  if (cp >= 0xa0 && cp <= 0xd7ff) return true;
  if (cp >= 0xe000 && cp <= 0xfffd && cp !== 0xfeff) return true;
  return false;
}

function analyze(value: string): Analysis {
  if (value === "") return { multiline: false, blockPlainAllowed: true, singleQuotedAllowed: true, blockAllowed: false };
  let blockIndicators = false;
  let lineBreaks = false;
  let specialCharacters = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let previousSpace = false;
  let previousBreak = false;
  if (value.startsWith("---") || value.startsWith("...")) blockIndicators = true;
  let precededByWhitespace = true;
  const chars = [...value];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i];
    const followedByWhitespace = isBlankz(chars[i + 1]);
    if (i === 0) {
      if ("#,[]{}&*!|>'\"%@`".includes(c)) blockIndicators = true;
      if ((c === "?" || c === ":") && followedByWhitespace) blockIndicators = true;
      if (c === "-" && followedByWhitespace) blockIndicators = true;
    } else {
      if (c === ":" && followedByWhitespace) blockIndicators = true;
      if (c === "#" && precededByWhitespace) blockIndicators = true;
    }
    if (!isPrintable(c) || c === "\ufeff") specialCharacters = true;
    if (isBreak(c)) lineBreaks = true;
    if (c === " ") {
      if (i === 0) leadingSpace = true;
      if (i === chars.length - 1) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (isBreak(c)) {
      if (i === 0) leadingBreak = true;
      if (i === chars.length - 1) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousBreak = true;
      previousSpace = false;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
    precededByWhitespace = isBlankz(c);
  }
  const a: Analysis = { multiline: lineBreaks, blockPlainAllowed: true, singleQuotedAllowed: true, blockAllowed: true };
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) a.blockPlainAllowed = false;
  if (trailingSpace) a.blockAllowed = false;
  if (breakSpace) {
    a.blockPlainAllowed = false;
    a.singleQuotedAllowed = false;
  }
  if (spaceBreak || specialCharacters) {
    a.blockPlainAllowed = false;
    a.singleQuotedAllowed = false;
    a.blockAllowed = false;
  }
  if (lineBreaks) a.blockPlainAllowed = false;
  if (blockIndicators) a.blockPlainAllowed = false;
  return a;
}

type Style = "plain" | "single" | "double" | "literal";

function styleOf(value: string, simpleKey: boolean): Style {
  // encode.go stringv: the requested style.
  let style: Style;
  const canUsePlain = !resolvesToNonString(value) && !BASE60_FLOAT.test(value);
  if (value.includes("\n")) style = "literal";
  else if (canUsePlain) style = "plain";
  else style = "double";
  // emitterc.go yaml_emitter_select_scalar_style.
  const a = analyze(value);
  if (simpleKey && a.multiline) style = "double";
  if (style === "plain") {
    if (!a.blockPlainAllowed) style = "single";
    if (value === "" && simpleKey) style = "single";
  }
  if (style === "single" && !a.singleQuotedAllowed) style = "double";
  if (style === "literal" && (!a.blockAllowed || simpleKey)) style = "double";
  return style;
}

// --- the emitter's output cursor ---

class Out {
  text = "";
  column = 0;
  whitespace = true;
  indention = true;
  indent = 0;

  put(s: string): void {
    this.text += s;
    this.column += [...s].length;
  }
  putBreak(): void {
    this.text += "\n";
    this.column = 0;
  }
  /** yaml_emitter_write_indent. */
  writeIndent(): void {
    const indent = Math.max(0, this.indent);
    if (!this.indention || this.column > indent || (this.column === indent && !this.whitespace)) this.putBreak();
    while (this.column < indent) this.put(" ");
    this.whitespace = true;
    this.indention = true;
  }
  /** yaml_emitter_write_indicator. */
  indicator(s: string, needWhitespace: boolean, isWhitespace: boolean, isIndention: boolean): void {
    if (needWhitespace && !this.whitespace) this.put(" ");
    this.put(s);
    this.whitespace = isWhitespace;
    this.indention = this.indention && isIndention;
  }
}

function writePlain(o: Out, value: string, allowBreaks: boolean): void {
  if (!o.whitespace) o.put(" ");
  const chars = [...value];
  let spaces = false;
  let breaks = false;
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i];
    if (c === " ") {
      if (allowBreaks && !spaces && o.column > BEST_WIDTH && chars[i + 1] !== " ") o.writeIndent();
      else o.put(c);
      spaces = true;
    } else if (isBreak(c)) {
      if (!breaks && c === "\n") o.putBreak();
      o.putBreak();
      o.indention = true;
      breaks = true;
    } else {
      if (breaks) o.writeIndent();
      o.put(c);
      o.indention = false;
      spaces = false;
      breaks = false;
    }
  }
  o.whitespace = false;
  o.indention = false;
}

function writeSingleQuoted(o: Out, value: string, allowBreaks: boolean): void {
  o.indicator("'", true, false, false);
  const chars = [...value];
  let spaces = false;
  let breaks = false;
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i];
    if (c === " ") {
      if (allowBreaks && !spaces && o.column > BEST_WIDTH && i > 0 && i < chars.length - 1 && chars[i + 1] !== " ") o.writeIndent();
      else o.put(c);
      spaces = true;
    } else if (isBreak(c)) {
      if (!breaks && c === "\n") o.putBreak();
      o.putBreak();
      o.indention = true;
      breaks = true;
    } else {
      if (breaks) o.writeIndent();
      if (c === "'") o.put("'");
      o.put(c);
      o.indention = false;
      spaces = false;
      breaks = false;
    }
  }
  if (breaks) o.writeIndent();
  o.indicator("'", false, false, false);
}

const ESCAPES: Record<number, string> = { 0x00: "0", 0x07: "a", 0x08: "b", 0x09: "t", 0x0a: "n", 0x0b: "v", 0x0c: "f", 0x0d: "r", 0x1b: "e", 0x22: '"', 0x5c: "\\", 0x85: "N", 0xa0: "_", 0x2028: "L", 0x2029: "P" };

function writeDoubleQuoted(o: Out, value: string, allowBreaks: boolean): void {
  o.indicator('"', true, false, false);
  const chars = [...value];
  let spaces = false;
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i];
    const cp = c.codePointAt(0)!;
    if (!isPrintable(c) || c === "\ufeff" || isBreak(c) || c === '"' || c === "\\") {
      o.put("\\");
      const e = ESCAPES[cp];
      if (e !== undefined) o.put(e);
      else {
        const [letter, w] = cp <= 0xff ? ["x", 2] : cp <= 0xffff ? ["u", 4] : ["U", 8];
        o.put(letter + cp.toString(16).toUpperCase().padStart(w as number, "0"));
      }
      spaces = false;
    } else if (c === " ") {
      if (allowBreaks && !spaces && o.column > BEST_WIDTH && i > 0 && i < chars.length - 1) {
        o.writeIndent();
        if (chars[i + 1] === " ") o.put("\\");
      } else o.put(c);
      spaces = true;
    } else {
      o.put(c);
      spaces = false;
    }
  }
  o.indicator('"', false, false, false);
}

function writeLiteral(o: Out, value: string): void {
  o.indicator("|", true, false, false);
  const chars = [...value];
  if (chars[0] === " " || isBreak(chars[0] ?? "")) o.indicator("2", false, false, false);
  let chomp = "";
  const last = chars.length - 1;
  if (chars.length === 0 || !isBreak(chars[last])) chomp = "-";
  else if (last === 0 || isBreak(chars[last - 1])) chomp = "+";
  if (chomp) o.indicator(chomp, false, false, false);
  o.putBreak();
  o.indention = true;
  o.whitespace = true;
  let breaks = true;
  for (const c of chars) {
    if (isBreak(c)) {
      o.putBreak();
      o.indention = true;
      breaks = true;
    } else {
      if (breaks) {
        o.writeIndent();
        breaks = false;
      }
      o.put(c);
      o.indention = false;
    }
  }
}

function writeScalar(o: Out, text: string, style: Style, simpleKey: boolean): void {
  switch (style) {
    case "plain":
      return writePlain(o, text, !simpleKey);
    case "single":
      return writeSingleQuoted(o, text, !simpleKey);
    case "double":
      return writeDoubleQuoted(o, text, !simpleKey);
    case "literal":
      return writeLiteral(o, text);
  }
}

/** A non-string scalar as go-yaml writes it. */
function scalarText(v: null | boolean | number): string {
  if (v === null) return "null";
  if (typeof v === "boolean") return String(v);
  if (Number.isNaN(v)) return ".nan";
  if (v === Infinity) return ".inf";
  if (v === -Infinity) return "-.inf";
  if (Number.isInteger(v) && Math.abs(v) < 1e21) return String(v);
  // strconv.FormatFloat(f, 'g', -1, 64): exponents carry a sign and at least two digits.
  const s = String(v);
  return s.replace(/e([+-])(\d)$/, "e$10$2").replace(/e(\d)/, "e+$1");
}

// --- map key order (sorter.go keyList.Less) ---

const isLetter = (c: string) => /\p{L}/u.test(c);
const isDigit = (c: string) => c >= "0" && c <= "9";

export function yamlKeyLess(a: string, b: string): boolean {
  const ar = [...a];
  const br = [...b];
  for (let i = 0; i < ar.length && i < br.length; i++) {
    if (ar[i] === br[i]) continue;
    const al = isLetter(ar[i]);
    const bl = isLetter(br[i]);
    if (al && bl) return ar[i] < br[i];
    if (al || bl) return bl;
    let an = 0;
    let bn = 0;
    if (ar[i] === "0" || br[i] === "0") {
      for (let j = i - 1; j >= 0 && isDigit(ar[j]); j--) {
        if (ar[j] !== "0") {
          an = 1;
          bn = 1;
          break;
        }
      }
    }
    let ai = i;
    let bi = i;
    for (; ai < ar.length && isDigit(ar[ai]); ai++) an = an * 10 + Number(ar[ai]);
    for (; bi < br.length && isDigit(br[bi]); bi++) bn = bn * 10 + Number(br[bi]);
    if (an !== bn) return an < bn;
    if (ai !== bi) return ai < bi;
    return ar[i] < br[i];
  }
  return ar.length < br.length;
}

function sortedKeys(m: Record<string, Json>): string[] {
  return Object.keys(m).sort((a, b) => (yamlKeyLess(a, b) ? -1 : yamlKeyLess(b, a) ? 1 : 0));
}

// --- nodes ---

const isMap = (v: Json): v is { [k: string]: Json } => typeof v === "object" && v !== null && !Array.isArray(v);

/** Emits `v` as the content of a node whose parent is at `indent` (its own lines go one step in). */
function emitNode(o: Out, v: Json, indent: number): void {
  if (isMap(v) && Object.keys(v).length) return emitMapping(o, v, indent + 2);
  if (Array.isArray(v) && v.length) return emitSequence(o, v, indent + 2);
  if (isMap(v)) return o.indicator("{}", true, false, false);
  if (Array.isArray(v)) return o.indicator("[]", true, false, false);
  // A scalar's folded and block lines are indented one step more than its parent.
  o.indent = indent + 2;
  if (typeof v === "string") writeScalar(o, v, styleOf(v, false), false);
  else writePlain(o, scalarText(v), false);
}

function emitMapping(o: Out, m: { [k: string]: Json }, indent: number): void {
  for (const key of sortedKeys(m)) {
    o.indent = indent;
    o.writeIndent();
    writeScalar(o, key, styleOf(key, true), true);
    o.indicator(":", false, false, false);
    const v = m[key];
    // A sequence inside a mapping starts at the key's column (an "indentless" sequence).
    if (Array.isArray(v) && v.length) emitSequence(o, v, indent);
    else emitNode(o, v, indent);
  }
}

function emitSequence(o: Out, items: Json[], indent: number): void {
  for (const item of items) {
    o.indent = indent;
    o.writeIndent();
    o.indicator("-", true, false, true);
    emitNode(o, item, indent);
  }
}

/** `v` as YAML, as kubectl prints it. */
export function toYaml(v: unknown): string {
  const data = JSON.parse(JSON.stringify(v ?? null)) as Json;
  const o = new Out();
  emitNode(o, data, -2);
  // The document ends at the start of a fresh line.
  o.indent = 0;
  o.writeIndent();
  return o.text;
}
