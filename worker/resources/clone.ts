// A deep copy of stored data, as structuredClone gives it, for the plain objects and arrays objects
// are made of: structuredClone serializes, which costs several times a walk for the small records
// copied on every pass. Anything else (a Date, a Map) is handed to structuredClone.
export function clonePlain<T>(value: T): T {
  return copy(value) as T;
}

function copy(v: unknown): unknown {
  if (typeof v === "function" || typeof v === "symbol") return structuredClone(v);
  if (typeof v !== "object" || v === null) return v;
  if (Array.isArray(v)) {
    const out = new Array(v.length);
    for (let i = 0; i < v.length; i++) {
      if (!(i in v)) return structuredClone(v);
      out[i] = copy(v[i]);
    }
    return out;
  }
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return structuredClone(v);
  const out: Record<string, unknown> = {};
  for (const k in v as Record<string, unknown>) {
    // Assigning "__proto__" would set the prototype rather than copy the key.
    if (k === "__proto__") return structuredClone(v);
    out[k] = copy((v as Record<string, unknown>)[k]);
  }
  return out;
}

/**
 * Structural equality of JSON values, as util/equal's deepEqual decides it (key order and keys
 * holding undefined do not count), without building key lists: it compares whole stored objects
 * on every write. `skip` leaves one key of the top level out.
 */
export function samePlain(a: unknown, b: unknown, skip?: string): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!samePlain(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  let n = 0;
  // for-in, not Object.keys: stored objects are plain (nothing enumerable inherited), and it
  // allocates no key list.
  for (const k in ao) {
    const v = ao[k];
    if (v === undefined || k === skip) continue;
    // A key a holds and b does not fails here: nothing defined equals undefined.
    if (!samePlain(v, bo[k])) return false;
    n++;
  }
  for (const k in bo) if (bo[k] !== undefined && k !== skip) n--;
  return n === 0;
}
