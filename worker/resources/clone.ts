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
