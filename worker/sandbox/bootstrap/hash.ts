// Stable stand-in digests for what a real node derives from content: static pod config hashes,
// image digests, identities. The same input always gives the same value.

const utf8 = new TextEncoder();

/** JSON with object keys sorted at every level (what Go's json.Marshal does for maps). */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(",")}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(",")}}`;
}

/** FNV-1a, 32 bits. */
export function fnv32a(text: string): number {
  let h = 0x811c9dc5;
  for (const b of utf8.encode(text)) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** `n` hex digits derived from `text` (stand-in digests: config hashes, image ids). */
export function hexDigest(text: string, n: number): string {
  let out = "";
  for (let i = 0; out.length < n; i++) out += fnv32a(`${i}\u0000${text}`).toString(16).padStart(8, "0");
  return out.slice(0, n);
}
