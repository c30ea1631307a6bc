// Structural sharing of stored objects. The objects of one workload repeat the same subtrees (a
// Deployment's pods share their spec, tolerations, probe shapes; a pod's events share involvedObject
// and source) and the same strings (timestamps, messages, node names): equal subtrees are made one
// object and equal strings one string, which is what lets a sandbox of tens of thousands of objects
// fit the isolate. Sound because stored objects are never edited in place: a change is a new object
// (see ObjectStore.commit), so a shared subtree can never be changed under another object's feet.
//
// The tables hold strong references and are emptied when they grow past a bound: sharing is among
// objects stored close in time (a workload's pods are), and what the tables keep of objects no longer
// stored stays bounded. Emptying loses only future sharing, never correctness.
//
// A subtree is found by a number hashed from its keys and its children (canonical already, so a
// child is its string's number or its own hash) and then compared child by child: no key text is
// built, which made interning cost as much as serialising did.

/** Strings longer than this are not interned (file contents and the like: rare, and costly to hash). */
const MAX_STRING = 4096;
/** Entries per table: hashes are cheap to keep, and the more recent objects the tables know the more they share. */
const MAX_ENTRIES = 1 << 13;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** An interned string and its number, which stands for it in the hashes of the nodes holding it. */
interface Str {
  s: string;
  id: number;
}

// A number's bits, read without allocating.
const f64 = new Float64Array(1);
const i32 = new Int32Array(f64.buffer);

function mix(h: number, x: number): number {
  h = Math.imul(h ^ x, 0x5bd1e995);
  return h ^ (h >>> 15);
}

const ARRAY_SEED = 0x2f6b3a91;
const OBJECT_SEED = 0x7c1d4e23;
const NULL_TOKEN = 0x11;
const UNDEFINED_TOKEN = 0x13;
const TRUE_TOKEN = 0x17;
const FALSE_TOKEN = 0x1d;

export class Interner {
  private strings = new Map<string, Str>();
  /** Canonical nodes by their hash; a hash is only a hint, a hit is compared child by child. */
  private nodes = new Map<number, object>();
  /** Canonical nodes and their hash, which stands for them in their parents' hashes. */
  private readonly ids = new WeakMap<object, number>();
  /** Never reset: a number names one string for the life of the interner, whatever the tables forget. */
  private nextString = 1;

  /** Empties the tables: what is stored stays shared; later objects share with later ones only. */
  forget(): void {
    this.strings = new Map();
    this.nodes = new Map();
  }

  string(s: string): string {
    return this.str(s)?.s ?? s;
  }

  private str(s: string): Str | undefined {
    if (s.length > MAX_STRING) return undefined;
    const hit = this.strings.get(s);
    if (hit !== undefined) return hit;
    if (this.strings.size >= MAX_ENTRIES) this.strings = new Map();
    const e = { s, id: this.nextString++ };
    this.strings.set(s, e);
    return e;
  }

  /**
   * `value` with its subtrees and strings replaced by the canonical equal ones. Arrays and plain
   * objects that are not yet canonical are updated in place (only with equal values), so the caller
   * must own them or know them to be stored objects.
   */
  value<T>(value: T): T {
    return this.intern(value as Json) as T;
  }

  /**
   * The fields of an object that is itself too unique to share (a stored object's root and metadata,
   * which carry its name, uid and resourceVersion): its values interned in place, except `skip`.
   */
  fields(obj: Record<string, unknown>, skip?: ReadonlySet<string>, previous?: Record<string, unknown>): void {
    for (const k in obj) {
      if (skip?.has(k)) continue;
      const v = obj[k];
      if (v !== null && typeof v === "object") {
        // Most of a new version equals the version it replaces: taking those parts over is a walk
        // without hashing, and what is left to intern is only what changed.
        const c = this.intern(previous === undefined ? (v as Json) : reuse(v as Json, previous[k] as Json | undefined));
        if (c !== v) obj[k] = c;
      } else if (typeof v === "string") {
        const c = this.string(v);
        if (c !== v) obj[k] = c;
      }
    }
  }

  private intern(v: Json): Json {
    if (typeof v === "string") return this.string(v);
    if (v === null || typeof v !== "object") return v;
    if (this.ids.has(v)) return v;
    // The hash mixes every key and child in order, so what JSON tells apart (key order, null and a
    // missing field, 1 and "1") hashes apart; equal() decides.
    let h: number;
    let share = true;
    if (Array.isArray(v)) {
      h = mix(ARRAY_SEED, v.length);
      for (let i = 0; i < v.length; i++) {
        const c = this.child(v[i]);
        if (c !== v[i]) v[i] = c;
        if (share) {
          const t = this.token(c);
          if (t === undefined) share = false;
          else h = mix(h, t);
        }
      }
    } else {
      if (Object.getPrototypeOf(v) !== Object.prototype) return v;
      h = OBJECT_SEED;
      for (const k in v) {
        const c = this.child(v[k]);
        if (c !== v[k]) v[k] = c;
        if (share) {
          const t = this.token(c);
          if (t === undefined) share = false;
          else h = mix(mix(h, keyHash(k)), t);
        }
      }
    }
    if (!share) return v;
    const hit = this.nodes.get(h);
    if (hit !== undefined && equal(hit as Json, v)) return hit as Json;
    if (hit === undefined && this.nodes.size >= MAX_ENTRIES) this.nodes = new Map();
    this.nodes.set(h, v);
    this.ids.set(v, h);
    return v;
  }

  private child(v: Json): Json {
    if (typeof v === "string") return this.string(v);
    return v !== null && typeof v === "object" ? this.intern(v) : v;
  }

  /** A value as it goes into its parent's hash; undefined when it is not shared (nor is the parent). */
  private token(v: Json): number | undefined {
    switch (typeof v) {
      case "string":
        return this.str(v)?.id;
      case "number":
        if ((v | 0) === v) return mix(0x3b, v);
        f64[0] = v;
        return mix(mix(0x3d, i32[0]), i32[1]);
      case "boolean":
        return v ? TRUE_TOKEN : FALSE_TOKEN;
      case "object":
        return v === null ? NULL_TOKEN : this.ids.get(v);
      default:
        // undefined (dropped by JSON): kept apart from null.
        return UNDEFINED_TOKEN;
    }
  }
}

/**
 * A property name's part of its object's hash, read from its length and three of its characters:
 * names repeat in every object and looking each up cost more than the rest of the hash. Names that
 * agree there only make hashes meet, which equal() then tells apart.
 */
function keyHash(k: string): number {
  const n = k.length;
  return n === 0 ? 0x5f : mix(mix(mix(n, k.charCodeAt(0)), k.charCodeAt(n >> 1)), k.charCodeAt(n - 1));
}

/** Whether two nodes whose children are canonical are equal: same kind, keys in the same order, the same children. */
function equal(a: Json, b: Json): boolean {
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  if (Array.isArray(b) || a === null || b === null || typeof a !== "object" || typeof b !== "object") return false;
  // The keys of `a` in order, in an array kept for the purpose: a lookup hits on most new objects.
  let n = 0;
  for (const k in a) scratch[n++] = k;
  let i = 0;
  for (const k in b) {
    if (i >= n || scratch[i] !== k || a[k] !== b[k]) return false;
    i++;
  }
  return i === n;
}

const scratch: string[] = [];

/**
 * `next` with every subtree deep-equal to the one at the same place in `prev` replaced by that one
 * (in place, like Interner.value); `prev` itself when all of it is equal. Key order is not compared:
 * objects are maps, and serialised they mean the same either way.
 */
function reuse(next: Json, prev: Json | undefined): Json {
  if (next === prev || next === null || prev === null || prev === undefined || typeof next !== "object" || typeof prev !== "object") return next;
  if (Array.isArray(next)) {
    if (!Array.isArray(prev)) return next;
    let same = next.length === prev.length;
    for (let i = 0; i < next.length; i++) {
      const c = reuse(next[i], prev[i]);
      if (c !== next[i]) next[i] = c;
      if (c !== prev[i]) same = false;
    }
    return same ? prev : next;
  }
  if (Array.isArray(prev)) return next;
  let same = true;
  let count = 0;
  for (const k in next) {
    count++;
    const p = prev[k];
    const c = reuse(next[k], p);
    if (c !== next[k]) next[k] = c;
    if (c !== p || (p === undefined && !(k in prev))) same = false;
  }
  if (!same) return next;
  for (const _ in prev) count--;
  return count === 0 ? prev : next;
}
