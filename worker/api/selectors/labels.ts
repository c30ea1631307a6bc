// Label selectors: parsing, matching and formatting, with the apiserver's error wording (the
// messages reach kubectl as 400 BadRequest).
import { utf8Length } from "../../util/utf8";
import { badRequest } from "../status";
/** selection.Operator values. */
export type LabelOperator = "=" | "==" | "!=" | "in" | "notin" | "exists" | "!" | "gt" | "lt";

export interface LabelRequirement {
  readonly key: string;
  readonly operator: LabelOperator;
  /** Sorted and de-duplicated for in/notin, one value for =, ==, !=, gt, lt, none for exists/!. */
  readonly values: readonly string[];
}

/** A parsed selector: every requirement must match. `nothing` is labels.Nothing() (a nil metav1.LabelSelector). */
export interface LabelSelector {
  readonly requirements: readonly LabelRequirement[];
  readonly nothing?: true;
}

const EVERYTHING: LabelSelector = { requirements: [] };
const NOTHING: LabelSelector = { requirements: [], nothing: true };

// Models staging/src/k8s.io/apimachinery/pkg/util/validation/validation.go (qualified names and label values)
const QUALIFIED_NAME_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
const QUALIFIED_NAME = new RegExp(`^${QUALIFIED_NAME_FMT}$`);
const QUALIFIED_NAME_MSG = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const LABEL_VALUE_FMT = `(${QUALIFIED_NAME_FMT})?`;
const LABEL_VALUE = new RegExp(`^${LABEL_VALUE_FMT}$`);
const LABEL_VALUE_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const DNS1123_SUBDOMAIN_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
const DNS1123_SUBDOMAIN = new RegExp(`^${DNS1123_SUBDOMAIN_FMT}$`);
const DNS1123_SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";

function regexError(msg: string, fmt: string, ...examples: string[]): string {
  // Upstream joins examples with "', " then " or ", hence the double space.
  const eg = examples.map((e, i) => `${i > 0 ? " or " : ""}'${e}', `).join("");
  return `${msg} (e.g. ${eg}regex used for validation is '${fmt}')`;
}


function qualifiedNameErrors(value: string): string[] {
  const errs: string[] = [];
  const parts = value.split("/");
  let name: string;
  if (parts.length === 1) name = parts[0];
  else if (parts.length === 2) {
    const prefix = parts[0];
    name = parts[1];
    if (prefix.length === 0) errs.push("prefix part must be non-empty");
    else {
      if (utf8Length(prefix) > 253) errs.push("prefix part must be no more than 253 characters");
      if (!DNS1123_SUBDOMAIN.test(prefix)) errs.push(`prefix part ${regexError(DNS1123_SUBDOMAIN_MSG, DNS1123_SUBDOMAIN_FMT, "example.com")}`);
    }
  } else {
    return [
      `a qualified name ${regexError(QUALIFIED_NAME_MSG, QUALIFIED_NAME_FMT, "MyName", "my.name", "123-abc")} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ];
  }
  if (name.length === 0) errs.push("name part must be non-empty");
  else if (utf8Length(name) > 63) errs.push("name part must be no more than 63 characters");
  if (!QUALIFIED_NAME.test(name)) errs.push(`name part ${regexError(QUALIFIED_NAME_MSG, QUALIFIED_NAME_FMT, "MyName", "my.name", "123-abc")}`);
  return errs;
}

function labelValueErrors(value: string): string[] {
  const errs: string[] = [];
  if (utf8Length(value) > 63) errs.push("must be no more than 63 characters");
  if (!LABEL_VALUE.test(value)) errs.push(regexError(LABEL_VALUE_MSG, LABEL_VALUE_FMT, "MyValue", "my_value", "12345"));
  return errs;
}

/** Go's %q, close enough for label keys and values. */
export const quote = (s: string) => JSON.stringify(s);
/** Go's %#v of a []string. */
const goStrings = (vals: readonly string[] | null) => (vals === null ? "[]string(nil)" : `[]string{${vals.map(quote).join(", ")}}`);

/** field.ErrorList.ToAggregate().Error(): one message, or several de-duplicated in brackets. */
function aggregate(errs: string[]): string {
  const unique = [...new Set(errs)];
  return unique.length === 1 ? unique[0] : `[${unique.join(", ")}]`;
}

const INT64 = /^[+-]?[0-9]+$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** strconv.ParseInt(s, 10, 64), or undefined. */
function parseInt64(s: string): bigint | undefined {
  if (!INT64.test(s)) return undefined;
  const n = BigInt(s);
  return n < INT64_MIN || n > INT64_MAX ? undefined : n;
}

export const compareStrings = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

// Models staging/src/k8s.io/apimachinery/pkg/labels/selector.go NewRequirement
/** Validates a requirement; `vals` null stands for a nil Go slice (only matters in messages). */
function newRequirement(key: string, operator: LabelOperator, vals: readonly string[] | null): LabelRequirement {
  const values = vals ?? [];
  const errs: string[] = [];
  const keyErrs = qualifiedNameErrors(key);
  if (keyErrs.length) errs.push(`key: Invalid value: ${quote(key)}: ${keyErrs.join("; ")}`);
  switch (operator) {
    case "in":
    case "notin":
      if (values.length === 0) errs.push(`values: Invalid value: ${goStrings(vals)}: for 'in', 'notin' operators, values set can't be empty`);
      break;
    case "=":
    case "==":
    case "!=":
      if (values.length !== 1) errs.push(`values: Invalid value: ${goStrings(vals)}: exact-match compatibility requires one single value`);
      break;
    case "exists":
    case "!":
      if (values.length !== 0) errs.push(`values: Invalid value: ${goStrings(vals)}: values set must be empty for exists and does not exist`);
      break;
    case "gt":
    case "lt":
      if (values.length !== 1) errs.push(`values: Invalid value: ${goStrings(vals)}: for 'Gt', 'Lt' operators, exactly one value is required`);
      values.forEach((v, i) => {
        if (parseInt64(v) === undefined) errs.push(`values[${i}]: Invalid value: ${quote(v)}: for 'Gt', 'Lt' operators, the value must be an integer`);
      });
      break;
  }
  values.forEach((v, i) => {
    const valueErrs = labelValueErrors(v);
    if (valueErrs.length) errs.push(`values[${i}][${key}]: Invalid value: ${quote(v)}: ${valueErrs.join("; ")}`);
  });
  if (errs.length) throw new SelectorError(aggregate(errs));
  return { key, operator, values: [...values] };
}

export class SelectorError extends Error {}

function sortedByKey(reqs: LabelRequirement[]): LabelRequirement[] {
  // Stable, so requirements on the same key keep their order.
  return reqs.sort((a, b) => compareStrings(a.key, b.key));
}

// Models staging/src/k8s.io/apimachinery/pkg/labels/selector.go Lexer and Parser
type Token = "error" | "eos" | ")" | "," | "!" | "==" | "=" | ">" | "id" | "in" | "<" | "!=" | "notin" | "(";

const SPECIAL = new Set(["=", "!", "(", ")", ",", ">", "<"]);
const SYMBOL_TOKENS: Record<string, Token> = { ")": ")", ",": ",", "!": "!", "==": "==", "=": "=", ">": ">", "<": "<", "!=": "!=", "(": "(" };
const isWhitespace = (c: string) => c === " " || c === "\t" || c === "\r" || c === "\n";

function lex(s: string): { tok: Token; lit: string }[] {
  const out: { tok: Token; lit: string }[] = [];
  let pos = 0;
  // A NUL ends the input, as the upstream lexer reads it as end of string.
  const end = s.indexOf("\0") === -1 ? s.length : s.indexOf("\0");
  for (;;) {
    while (pos < end && isWhitespace(s[pos])) pos++;
    if (pos >= end) {
      out.push({ tok: "eos", lit: "" });
      return out;
    }
    if (SPECIAL.has(s[pos])) {
      let buffer = "";
      let last: { tok: Token; lit: string } | undefined;
      while (pos < end && SPECIAL.has(s[pos])) {
        buffer += s[pos];
        const tok = SYMBOL_TOKENS[buffer];
        if (tok) {
          last = { tok, lit: buffer };
          pos++;
        } else if (last) break;
        else pos++;
      }
      out.push(last ?? { tok: "error", lit: `error expected: keyword found '${buffer}'` });
    } else {
      const start = pos;
      while (pos < end && !isWhitespace(s[pos]) && !SPECIAL.has(s[pos])) pos++;
      const word = s.slice(start, pos);
      out.push({ tok: word === "in" ? "in" : word === "notin" ? "notin" : "id", lit: word });
    }
  }
}

const BINARY_OPERATORS = "in, notin, =, ==, !=, gt, lt";

class Parser {
  private pos = 0;
  constructor(private readonly items: { tok: Token; lit: string }[]) {}

  /** In value context the keywords in/notin are plain identifiers. */
  private item(i: number, values: boolean): [Token, string] {
    const it = this.items[Math.min(i, this.items.length - 1)];
    const tok = values && (it.tok === "in" || it.tok === "notin") ? "id" : it.tok;
    return [tok, it.lit];
  }
  lookahead(values = true): [Token, string] {
    return this.item(this.pos, values);
  }
  consume(values = true): [Token, string] {
    return this.item(this.pos++, values);
  }

  parse(): LabelRequirement[] {
    const reqs: LabelRequirement[] = [];
    for (;;) {
      const [tok, lit] = this.lookahead();
      if (tok === "id" || tok === "!") {
        try {
          reqs.push(this.parseRequirement());
        } catch (err) {
          if (err instanceof SelectorError) throw new SelectorError(`unable to parse requirement: ${err.message}`);
          throw err;
        }
        const [t, l] = this.consume();
        if (t === "eos") return reqs;
        if (t === ",") {
          const [t2, l2] = this.lookahead();
          if (t2 !== "id" && t2 !== "!") throw new SelectorError(`found '${l2}', expected: identifier after ','`);
        } else throw new SelectorError(`found '${l}', expected: ',' or 'end of string'`);
      } else if (tok === "eos") return reqs;
      else throw new SelectorError(`found '${lit}', expected: !, identifier, or 'end of string'`);
    }
  }

  private parseRequirement(): LabelRequirement {
    let operator: LabelOperator | undefined;
    let [tok, key] = this.consume();
    if (tok === "!") {
      operator = "!";
      [tok, key] = this.consume();
    }
    if (tok !== "id") throw new SelectorError(`found '${key}', expected: identifier`);
    const keyErrs = qualifiedNameErrors(key);
    // The parser has no field path here; a nil *field.Path prints as <nil>.
    if (keyErrs.length) throw new SelectorError(`<nil>: Invalid value: ${quote(key)}: ${keyErrs.join("; ")}`);
    const [next] = this.lookahead();
    if ((next === "eos" || next === ",") && operator !== "!") operator = "exists";
    if (operator === "exists" || operator === "!") return newRequirement(key, operator, []);
    operator = this.parseOperator();
    const values = operator === "in" || operator === "notin" ? this.parseValues() : this.parseExactValue();
    return newRequirement(key, operator, values);
  }

  private parseOperator(): LabelOperator {
    const [tok, lit] = this.consume(false);
    switch (tok) {
      case "in":
        return "in";
      case "notin":
        return "notin";
      case "=":
        return "=";
      case "==":
        return "==";
      case "!=":
        return "!=";
      case ">":
        return "gt";
      case "<":
        return "lt";
      default:
        throw new SelectorError(`found '${lit}', expected: ${BINARY_OPERATORS}`);
    }
  }

  /** `(a,b,...)` as a sorted set; `()` is the set holding "". */
  private parseValues(): string[] {
    const [tok, lit] = this.consume();
    if (tok !== "(") throw new SelectorError(`found '${lit}' expected: '('`);
    const [next, nextLit] = this.lookahead();
    if (next === "id" || next === ",") {
      const set = this.parseIdentifiersList();
      const [close] = this.consume();
      if (close !== ")") throw new SelectorError(`found '${nextLit}', expected: ')'`);
      return [...set].sort(compareStrings);
    }
    if (next === ")") {
      this.consume();
      return [""];
    }
    throw new SelectorError(`found '${nextLit}', expected: ',', ')' or identifier`);
  }

  private parseIdentifiersList(): Set<string> {
    const set = new Set<string>();
    for (;;) {
      const [tok, lit] = this.consume();
      if (tok === "id") {
        set.add(lit);
        const [t2, l2] = this.lookahead();
        if (t2 === ",") continue;
        if (t2 === ")") return set;
        throw new SelectorError(`found '${l2}', expected: ',' or ')'`);
      } else if (tok === ",") {
        // "(," ",," and ",)" each stand for an empty value.
        if (set.size === 0) set.add("");
        const [t2] = this.lookahead();
        if (t2 === ")") {
          set.add("");
          return set;
        }
        if (t2 === ",") {
          this.consume();
          set.add("");
        }
      } else throw new SelectorError(`found '${lit}', expected: ',', or identifier`);
    }
  }

  private parseExactValue(): string[] {
    const [next] = this.lookahead();
    if (next === "eos" || next === ",") return [""];
    const [tok, lit] = this.consume();
    if (tok === "id") return [lit];
    throw new SelectorError(`found '${lit}', expected: identifier`);
  }
}

/** labels.Parse: `a=b,c!=d,e in (f,g),h notin (i),j,!k,l>1,m<2`. Throws 400 BadRequest with upstream's wording. */
export function parseLabelSelector(s: string): LabelSelector {
  try {
    const reqs = new Parser(lex(s)).parse();
    return reqs.length ? { requirements: sortedByKey(reqs) } : EVERYTHING;
  } catch (err) {
    if (err instanceof SelectorError) throw badRequest(err.message);
    throw err;
  }
}

export interface LabelSelectorSpec {
  matchLabels?: Record<string, string> | null;
  matchExpressions?: { key: string; operator: string; values?: string[] | null }[] | null;
}

const SPEC_OPERATORS: Record<string, LabelOperator> = { In: "in", NotIn: "notin", Exists: "exists", DoesNotExist: "!" };

// Models staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/helpers.go LabelSelectorAsSelector
/** A metav1.LabelSelector as a selector: null/undefined selects nothing, `{}` selects everything. */
export function labelSelectorFromSpec(sel: LabelSelectorSpec | undefined | null): LabelSelector {
  if (sel === null || sel === undefined) return NOTHING;
  const labels = Object.entries(sel.matchLabels ?? {});
  const exprs = sel.matchExpressions ?? [];
  if (labels.length + exprs.length === 0) return EVERYTHING;
  try {
    const reqs: LabelRequirement[] = labels.map(([k, v]) => newRequirement(k, "=", [v]));
    for (const expr of exprs) {
      const op = SPEC_OPERATORS[expr.operator];
      if (!op) throw new SelectorError(`${quote(expr.operator)} is not a valid label selector operator`);
      const values = expr.values && expr.values.length ? [...expr.values] : null;
      reqs.push(newRequirement(expr.key, op, values));
    }
    return { requirements: sortedByKey(reqs) };
  } catch (err) {
    if (err instanceof SelectorError) throw badRequest(err.message);
    throw err;
  }
}

// Models staging/src/k8s.io/apimachinery/pkg/labels/selector.go Requirement.Matches
function requirementMatches(r: LabelRequirement, labels: Record<string, string>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  switch (r.operator) {
    case "in":
    case "=":
    case "==":
      return has && r.values.includes(labels[r.key]);
    case "notin":
    case "!=":
      return !has || !r.values.includes(labels[r.key]);
    case "exists":
      return has;
    case "!":
      return !has;
    case "gt":
    case "lt": {
      if (!has || r.values.length !== 1) return false;
      const actual = parseInt64(labels[r.key]);
      const bound = parseInt64(r.values[0]);
      if (actual === undefined || bound === undefined) return false;
      return r.operator === "gt" ? actual > bound : actual < bound;
    }
  }
}

export function matchesLabels(sel: LabelSelector, labels: Record<string, string> | undefined | null): boolean {
  if (sel.nothing) return false;
  const ls = labels ?? {};
  return sel.requirements.every((r) => requirementMatches(r, ls));
}

// Models staging/src/k8s.io/apimachinery/pkg/labels/selector.go Requirement.String
function requirementString(r: LabelRequirement): string {
  switch (r.operator) {
    case "exists":
      return r.key;
    case "!":
      return `!${r.key}`;
    case "in":
    case "notin":
      return `${r.key} ${r.operator} (${[...r.values].sort(compareStrings).join(",")})`;
    case "gt":
      return `${r.key}>${r.values.join(",")}`;
    case "lt":
      return `${r.key}<${r.values.join(",")}`;
    default:
      return `${r.key}${r.operator}${[...r.values].sort(compareStrings).join(",")}`;
  }
}

/**
 * The canonical form (Selector.String): requirements sorted by key, e.g. `app=web,tier in (a,b)`.
 * Empty for a selector that selects everything or nothing; kubectl describe prints that as `<none>`.
 */
export function formatLabelSelector(sel: LabelSelector): string {
  return sel.requirements.map(requirementString).join(",");
}
