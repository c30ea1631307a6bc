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
    // The same 32 draws as chars("0123456789abcdef", 32), made into one flat string as they come:
    // a uid is drawn for every object created.
    let out = "";
    for (let i = 0; i < 32; i++) {
      let d = Math.floor(this.next() * 16);
      if (i === 12) d = 4;
      else if (i === 16) d = 8 | (d & 3);
      if (i === 8 || i === 12 || i === 16 || i === 20) out += "-";
      out += HEX[d];
    }
    return out;
  }
}

const HEX = "0123456789abcdef";

/** The alphabet of generated name suffixes (no vowels, no confusable characters), as upstream. */
export const NAME_SUFFIX_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";
