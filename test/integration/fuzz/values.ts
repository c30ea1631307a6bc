// Hostile values and the mutations that put them into otherwise well-formed requests.
import type { Prng } from "./prng";

/** Strings that have broken parsers, validators, path handling and printers somewhere. */
export const HOSTILE_STRINGS: readonly string[] = [
  "",
  " ",
  "\t\n\r",
  "a",
  "Bad_Name",
  "UPPER",
  "-leading",
  "trailing-",
  "a..b",
  "a.-b",
  "x".repeat(63),
  "x".repeat(64),
  "x".repeat(253),
  "x".repeat(254),
  "a/b",
  "a\\b",
  ".",
  "..",
  "...",
  "../../../../etc/passwd",
  "/etc/passwd",
  "/",
  "//",
  "./x/../../y",
  "a/../../b",
  "..\\..\\windows",
  "%2e%2e%2f%2e%2e%2f",
  "%00",
  "%zz",
  "%",
  "%E0%A4%A",
  "\u0000",
  "a\u0000b",
  "/tmp/x\u0000y",
  "\u0007\u001b[31mred",
  "😀",
  "\ud800",
  "\udfff\ud800",
  "\u202eevil",
  "Ω≈ç√",
  "<script>alert(1)</script>",
  "\"'`",
  "'",
  '"',
  "${HOME}",
  "$(reboot)",
  "`id`",
  "{{.}}",
  "{.items[*]}",
  "null",
  "true",
  "-1",
  "0",
  "1e309",
  "NaN",
  "Infinity",
  "0x10",
  "9007199254740993",
  "-9223372036854775809",
  "18446744073709551616",
  "1.5",
  "1Gi",
  "1Ei",
  "99999999999999999999999999999Ti",
  "100m",
  "-100m",
  "1e-9",
  "2006-01-02T15:04:05Z",
  "9999-12-31T23:59:59Z",
  "0000-00-00T00:00:00Z",
  "a=b",
  "a!=b,c",
  "a in (b",
  "a in (b,c),d notin ()",
  "!a,!!b",
  "==",
  "a==b==c",
  "=",
  ",",
  "*",
  "?",
  "#frag",
  "a;b|c&d",
  "key: value",
  "- a\n- b",
  "{}",
  "[]",
  "{",
  "[",
  "]}",
  "kubernetes.io/",
  "/x",
  "example.com/" + "x".repeat(64),
  "x".repeat(254) + "/a",
  "TCP",
  "SCTP",
  "tcp",
  "Always",
  "Never",
];

/** Numbers at and beyond every boundary the API cares about (int32, int64, JavaScript's safe integers). */
export const HOSTILE_NUMBERS: readonly number[] = [
  0,
  -0,
  1,
  -1,
  0.5,
  -0.5,
  1.5,
  2147483647,
  2147483648,
  -2147483648,
  -2147483649,
  4294967296,
  9007199254740991,
  9007199254740993,
  -9007199254740993,
  1e21,
  1e308,
  -1e308,
  5e-324,
  65535,
  65536,
  30000,
  32767,
  32768,
  86400 * 366,
];

/** A huge string: megabytes of one character, or a long run of a pattern. */
export function hugeString(rng: Prng): string {
  const size = rng.pick([4096, 65537, 300_000, 1_100_000]);
  const unit = rng.pick(["x", "a.", "../", "é", "\u0000", "${x}", "%"]);
  return unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
}

export function hostileString(rng: Prng): string {
  if (rng.chance(0.05)) return hugeString(rng);
  if (rng.chance(0.15)) return rng.chars(rng.int(1, 40), "abcXYZ019-_./:\\ \u0000%$`'\"{}[]()*?!=,;|&<>~#@é😀");
  return rng.pick(HOSTILE_STRINGS);
}

/** Any JSON value of a hostile shape. */
export function hostileValue(rng: Prng, depth = 0): unknown {
  switch (rng.int(0, 9)) {
    case 0:
      return null;
    case 1:
      return rng.chance(0.5);
    case 2:
    case 3:
      return rng.pick(HOSTILE_NUMBERS);
    case 4:
    case 5:
    case 6:
      return hostileString(rng);
    case 7:
      if (depth > 2) return [];
      return Array.from({ length: rng.int(0, 3) }, () => hostileValue(rng, depth + 1));
    case 8:
      if (depth > 2) return {};
      return Object.fromEntries(Array.from({ length: rng.int(0, 3) }, () => [hostileString(rng).slice(0, 300), hostileValue(rng, depth + 1)]));
    default:
      return deepNest(rng.pick([50, 600, 3000]), rng.chance(0.5));
  }
}

/** A value nested `depth` levels deep (arrays or objects). */
export function deepNest(depth: number, arrays: boolean): unknown {
  let v: unknown = arrays ? [] : {};
  for (let i = 0; i < depth; i++) v = arrays ? [v] : { a: v };
  return v;
}

/** The same deep nesting as text, built without recursion (JSON.stringify of 100k levels would overflow). */
export function deepNestText(depth: number, open: string, close: string, leaf = ""): string {
  return open.repeat(depth) + leaf + close.repeat(depth);
}

type Json = unknown;

/** Every path to a value inside `v` (objects and arrays), including the root's children, down to 40 levels. */
export function paths(v: Json, prefix: (string | number)[] = [], out: (string | number)[][] = [], limit = 2000): (string | number)[][] {
  if (out.length >= limit || prefix.length >= 40) return out;
  if (Array.isArray(v)) {
    v.forEach((child, i) => {
      out.push([...prefix, i]);
      paths(child, [...prefix, i], out, limit);
    });
  } else if (v !== null && typeof v === "object") {
    for (const [k, child] of Object.entries(v)) {
      out.push([...prefix, k]);
      paths(child, [...prefix, k], out, limit);
    }
  }
  return out;
}

function parentOf(root: Json, path: (string | number)[]): { parent: Record<string | number, unknown>; key: string | number } | undefined {
  let cur = root as Record<string | number, unknown>;
  for (const p of path.slice(0, -1)) {
    const next = cur[p];
    if (next === null || typeof next !== "object") return undefined;
    cur = next as Record<string | number, unknown>;
  }
  return { parent: cur, key: path[path.length - 1] };
}

/** What a value at this path is replaced with: another type, a boundary number, a hostile string. */
function replacement(rng: Prng, old: unknown): unknown {
  const r = rng.next();
  if (r < 0.15) return hostileValue(rng);
  if (typeof old === "number") return rng.chance(0.7) ? rng.pick(HOSTILE_NUMBERS) : String(old);
  if (typeof old === "string") return rng.chance(0.75) ? hostileString(rng) : rng.pick([0, -1, true, null, [old], { v: old }]);
  if (typeof old === "boolean") return rng.pick(["true", 1, null, "yes", [true]]);
  if (Array.isArray(old)) return rng.pick([{}, "x", 1, null, [null], [[]], [...old, ...old], old.slice(0, 0), [hostileValue(rng)]]);
  if (old !== null && typeof old === "object") return rng.pick([[], "x", 0, null, [old], { ...old, [hostileString(rng).slice(0, 100)]: hostileValue(rng) }]);
  return hostileValue(rng);
}

/**
 * Mutates a copy of a well-formed object at `count` random places: a value replaced by a value of
 * another type or a hostile one, a key deleted, a hostile key added, a list duplicated.
 */
export function mutate(rng: Prng, obj: Json, count = 1): Json {
  const copy = structuredClone(obj);
  for (let i = 0; i < count; i++) {
    const all = paths(copy);
    if (all.length === 0) break;
    const path = rng.pick(all);
    const at = parentOf(copy, path);
    if (!at) continue;
    const old = at.parent[at.key];
    const op = rng.int(0, 9);
    if (op <= 5) at.parent[at.key] = replacement(rng, old);
    else if (op === 6) {
      if (Array.isArray(at.parent)) (at.parent as unknown[]).splice(at.key as number, 1);
      else delete at.parent[at.key];
    } else if (op === 7 && old !== null && typeof old === "object" && !Array.isArray(old)) {
      (old as Record<string, unknown>)[hostileString(rng).slice(0, 300)] = hostileValue(rng);
    } else if (op === 8 && Array.isArray(old) && old.length) {
      at.parent[at.key] = [...old, structuredClone(old[0]), structuredClone(old[old.length - 1])];
    } else {
      at.parent[at.key] = replacement(rng, old);
    }
  }
  return copy;
}

/** Breaks JSON text: truncation, a flipped or dropped byte, junk spliced in, a trailing comma. */
export function breakText(rng: Prng, text: string): string {
  if (text.length === 0) return rng.pick(["{", "]", "\u0000", "\ufeff{}"]);
  const at = rng.int(0, text.length - 1);
  switch (rng.int(0, 7)) {
    case 0:
      return text.slice(0, at);
    case 1:
      return text.slice(0, at) + text.slice(at + 1);
    case 2:
      return text.slice(0, at) + rng.pick(["{", "}", "[", "]", ",", ":", '"', "\\", "\u0000", "\ud800", "NaN", "'", "\n"]) + text.slice(at);
    case 3:
      return text.replace(/}\s*$/, ",}");
    case 4:
      return text + rng.pick(["}", "]", "garbage", "{}", "\u0000", ",", "\n---\n{}"]);
    case 5:
      return "\ufeff" + text;
    case 6:
      return text.replace(/"/g, rng.pick(["'", "", '""']));
    default:
      return text.replace(/:/, rng.pick(["", "::", "=", " : : "]));
  }
}

/** Breaks bytes: flips, truncation, insertion, duplication. */
export function breakBytes(rng: Prng, bytes: Uint8Array): Uint8Array {
  const out = Array.from(bytes);
  const n = rng.int(1, 4);
  for (let i = 0; i < n; i++) {
    const at = rng.int(0, Math.max(0, out.length - 1));
    switch (rng.int(0, 5)) {
      case 0:
        out[at] = rng.int(0, 255);
        break;
      case 1:
        out.length = at;
        break;
      case 2:
        out.splice(at, 0, ...Array.from({ length: rng.int(1, 8) }, () => rng.pick([0, 0x7f, 0x80, 0xff, 0x0a, 0x12, 0x1a, rng.int(0, 255)])));
        break;
      case 3:
        out.splice(at, 0, ...out.slice(at, at + rng.int(1, 40)));
        break;
      case 4:
        // An enormous length varint.
        out.splice(at, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01);
        break;
      default:
        out[at] ^= 1 << rng.int(0, 7);
    }
  }
  return new Uint8Array(out);
}

/** YAML text that is broken or hostile: bad indentation, alias bombs, tags, duplicate keys. */
export function hostileYaml(rng: Prng, valid: string): string {
  switch (rng.int(0, 11)) {
    case 0:
      return valid.replace(/\n  /, "\n\t");
    case 1:
      return valid.slice(0, rng.int(0, valid.length));
    case 2:
      // The "billion laughs" alias expansion.
      return 'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n';
    case 3:
      return `${valid}\nmetadata: {}\nmetadata:\n  name: dup\n`;
    case 4:
      return `!!binary ${valid}`;
    case 5:
      return "kind: !!python/object/apply:os.system ['id']\n";
    case 6:
      return deepNestText(rng.pick([600, 5000]), "[", "]");
    case 7:
      // Block sequences nested on one line: `- - - … x`.
      return `${"- ".repeat(rng.pick([600, 3000]))}x\n`;
    case 8:
      return "---\n---\n...\n";
    case 9:
      return `a: *undefined_alias\n${valid}`;
    case 10:
      return `${valid}\n---\nkind: Second\n`;
    default:
      return breakText(rng, valid);
  }
}
