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

/** Strings longer than this are not interned (file contents and the like: rare, and costly to hash). */
const MAX_STRING = 4096;
/** A subtree whose key would be longer than this is not shared (its children still are). */
const MAX_KEY = 2048;
const MAX_ENTRIES = 1 << 11;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export class Interner {
  private strings = new Map<string, string>();
  private nodes = new Map<string, object>();
  /** Canonical nodes and their number, which stands for them in their parents' keys. */
  private readonly ids = new WeakMap<object, number>();
  private next = 0;

  /** Empties the tables: what is stored stays shared; later objects share with later ones only. */
  forget(): void {
    this.strings = new Map();
    this.nodes = new Map();
  }

  string(s: string): string {
    if (s.length > MAX_STRING) return s;
    const hit = this.strings.get(s);
    if (hit !== undefined) return hit;
    if (this.strings.size >= MAX_ENTRIES) this.strings = new Map();
    this.strings.set(s, s);
    return s;
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
        // without keys, and what is left to intern is only what changed.
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
    let key = "";
    let share = true;
    if (Array.isArray(v)) {
      key = "[";
      for (let i = 0; i < v.length; i++) {
        const c = this.intern(v[i]);
        if (c !== v[i]) v[i] = c;
        const t = share && this.token(c);
        if (t === undefined) share = false;
        else if (share) key += t;
      }
    } else {
      if (Object.getPrototypeOf(v) !== Object.prototype) return v;
      key = "{";
      for (const k in v) {
        const c = this.intern(v[k]);
        if (c !== v[k]) v[k] = c;
        const t = share && this.token(c);
        if (t === undefined) share = false;
        else if (share) key += `${k.length}:${k}${t}`;
      }
    }
    // A child too large to share makes its parent unshareable too.
    if (!share || key.length > MAX_KEY) return v;
    const hit = this.nodes.get(key);
    if (hit) return hit as Json;
    if (this.nodes.size >= MAX_ENTRIES) this.nodes = new Map();
    this.nodes.set(key, v);
    this.ids.set(v, this.next++);
    return v;
  }

  /** A value as it appears in its parent's key, unambiguous by its prefix (and length, for strings); undefined when unshared. */
  private token(v: Json): string | undefined {
    if (typeof v === "string") return v.length > MAX_STRING ? undefined : `s${v.length}:${v}`;
    if (v === null) return "z";
    if (typeof v === "object") {
      const id = this.ids.get(v);
      return id === undefined ? undefined : `#${id};`;
    }
    if (typeof v === "number") return `n${v};`;
    if (typeof v === "boolean") return v ? "t" : "f";
    // undefined (dropped by JSON): kept apart from null.
    return "u";
  }
}

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
