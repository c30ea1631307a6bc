// Regular expressions from command lines (grep, sed, awk). JavaScript's engine backtracks where
// grep's and sed's run in linear time, so a pattern that repeats a group which can match the same
// text more than one way — one holding a quantifier (`(a+)+b`, `(x*)*`) or alternatives that start
// alike (`(a|aa)+`) — can take exponential time on one line a few dozen characters long: a hang of
// the whole sandbox. Such a pattern is only run on lines short enough to stay cheap; on a longer one
// the tool fails as GNU's tools fail when their matcher cannot get memory.

/** Longest line a pattern with an ambiguous repeated group is matched against (2^32 steps at worst). */
export const RISKY_LINE_CHARS = 32;

/** A match that would take exponential time: the tool reports it as `<tool>: memory exhausted`. */
export class RegexTooCostly extends Error {
  constructor() {
    super("memory exhausted");
  }
}

interface Group {
  /** A quantifier somewhere inside. */
  quantified: boolean;
  /** The first atom of each alternative so far ("*" for one that matches many characters, "" for none). */
  firsts: string[];
  /** Whether the current alternative has its first atom yet. */
  started: boolean;
}

/**
 * Whether some repeated group can match the same text in more than one way: it holds a quantifier
 * (star height above one), or two of its alternatives may begin with the same character.
 */
export function nestedQuantifier(source: string): boolean {
  const groups: Group[] = [];
  const isQuantifier = (i: number) => source[i] === "*" || source[i] === "+" || (source[i] === "{" && /^\{\d*,?\d*\}/.test(source.slice(i)));
  // Inside a group `a?` counts too; `(?` opens a group of a kind, `*?` is a lazy `*`.
  const isInnerQuantifier = (i: number) => isQuantifier(i) || (source[i] === "?" && source[i - 1] !== "(" && !isQuantifier(i - 1));
  const first = (atom: string) => {
    const g = groups[groups.length - 1];
    if (g && !g.started) {
      g.firsts.push(atom);
      g.started = true;
    }
  };
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === "\\") {
      // `\w`, `\d`, `\s` and the like match many characters; `\.` is one.
      first(/[A-Za-z]/.test(source[i + 1] ?? "") ? "*" : (source[i + 1] ?? ""));
      i++;
      continue;
    }
    if (c === "[") {
      // A bracket expression holds no quantifiers; skip to its end (a leading `]` is literal).
      first("*");
      i++;
      if (source[i] === "^") i++;
      if (source[i] === "]") i++;
      while (i < source.length && source[i] !== "]") i += source[i] === "\\" ? 2 : 1;
      continue;
    }
    if (c === "(") {
      first("*");
      groups.push({ quantified: false, firsts: [], started: false });
      // `(?:`, `(?<name>`, lookarounds: the group's syntax, not its first atom.
      if (source[i + 1] === "?") i += source[i + 2] === "<" && /[=!]/.test(source[i + 3] ?? "") ? 3 : source[i + 2] === "<" ? source.indexOf(">", i) - i : 2;
    } else if (c === "|") {
      const g = groups[groups.length - 1];
      if (g) {
        if (!g.started) g.firsts.push("");
        g.started = false;
      }
    } else if (c === ")") {
      const g = groups.pop();
      if (!g) continue;
      if (!g.started) g.firsts.push("");
      const alike = g.firsts.length > 1 && (g.firsts.some((f) => f === "*" || f === "") || new Set(g.firsts).size < g.firsts.length);
      if ((g.quantified || alike) && isQuantifier(i + 1)) return true;
      const parent = groups[groups.length - 1];
      if (parent) parent.quantified ||= g.quantified || alike;
    } else if (isInnerQuantifier(i)) {
      const g = groups[groups.length - 1];
      if (g) g.quantified = true;
    } else if (c !== "^" && c !== "$") first(c === "." ? "*" : c);
  }
  return false;
}

class GuardedRegExp extends RegExp {
  // test, replace, split and match all go through exec.
  override exec(s: string): RegExpExecArray | null {
    if (s.length > RISKY_LINE_CHARS) throw new RegexTooCostly();
    return super.exec(s);
  }
}

/** GNU regcomp's words (regerror) for why JavaScript refused a pattern. */
export function regcompError(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  if (/Unterminated group/.test(m)) return "Unmatched ( or \\(";
  if (/Unmatched '\)'/.test(m)) return "Unmatched ) or \\)";
  if (/Unterminated character class|Range out of order/.test(m)) return /Range/.test(m) ? "Invalid range end" : "Unmatched [, [^, [:, [., or [=";
  if (/Nothing to repeat/.test(m)) return "Invalid preceding regular expression";
  if (/numbers out of order|Incomplete quantifier/.test(m)) return "Invalid content of \\{\\}";
  return "Invalid regular expression";
}

/** A user's pattern compiled (a SyntaxError for an invalid one, as RegExp throws). */
export function userRegExp(source: string, flags = ""): RegExp {
  return nestedQuantifier(source) ? new GuardedRegExp(source, flags) : new RegExp(source, flags);
}
