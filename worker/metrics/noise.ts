// Deterministic jitter: a pure function of a seed string, so the same scrape always reads the same
// numbers (reading metrics writes nothing and draws nothing from the sandbox's generator).

/** A number in [0, 1) from `seed` (FNV-1a, then a murmur3 finaliser to spread the bits). */
export function unit(seed: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) {
    h ^= seed.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 2 ** 32;
}

/** A number in [-1, 1) from `seed`. */
export function signed(seed: string): number {
  return unit(seed) * 2 - 1;
}
