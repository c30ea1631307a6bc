// The sandbox's seeded random generator (mulberry32): name suffixes, uids, IPs and ports are
// reproducible for a given seed, and its state is persisted with every write that drew from it.

export class Rng {
  constructor(private s: number) {
    if (!Number.isFinite(s) || s === 0) this.s = 0x9e3779b9;
  }

  get state(): number {
    return this.s >>> 0;
  }

  /** Puts the generator back to a stored state (the draws of an operation that did not commit). */
  reset(state: number): void {
    this.s = !Number.isFinite(state) || state === 0 ? 0x9e3779b9 : state;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.s = (this.s + 0x6d2b79f5) | 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** A string of `n` characters from `alphabet`. */
  chars(alphabet: string, n: number): string {
    let out = "";
    for (let i = 0; i < n; i++) out += alphabet[Math.floor(this.next() * alphabet.length)];
    return out;
  }

  /** Version-4 style UUID drawn from this generator. */
  uuid(): string {
    const hex = this.chars("0123456789abcdef", 32).split("");
    hex[12] = "4";
    hex[16] = "89ab"[parseInt(hex[16], 16) & 3];
    const h = hex.join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }
}

/** The alphabet of generated name suffixes (no vowels, no confusable characters), as upstream. */
export const NAME_SUFFIX_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";
