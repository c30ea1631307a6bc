/**
 * Structural equality of JSON values: key order and keys holding undefined do not count. No key
 * lists are built: it compares whole stored objects on every write. `skip` leaves one key of the
 * top level out.
 */
export function deepEqual(a: unknown, b: unknown, skip?: string): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
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
    if (!deepEqual(v, bo[k])) return false;
    n++;
  }
  for (const k in bo) if (bo[k] !== undefined && k !== skip) n--;
  return n === 0;
}
