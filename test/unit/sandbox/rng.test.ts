// The sandbox's seeded generator: uids are version-4 UUIDs, and the same seed draws the same ones
// (a sandbox's objects are reproducible from its stored generator state).
import { describe, expect, it } from "vitest";
import { Rng } from "../../../worker/sandbox/rng";

describe("Rng.uuid", () => {
  it("draws version-4 UUIDs, the same for the same seed", () => {
    const seen = new Set<string>();
    for (let seed = 1; seed <= 2000; seed++) {
      const u = new Rng(seed).uuid();
      expect(u).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(new Rng(seed).uuid()).toBe(u);
      seen.add(u);
    }
    expect(seen.size).toBe(2000);
    // The draws behind a uid: 32 hex digits as chars() would draw them, the version and variant set.
    const a = new Rng(7);
    const digits = new Rng(7).chars("0123456789abcdef", 32);
    const u = a.uuid().replace(/-/g, "");
    expect(u.slice(0, 12)).toBe(digits.slice(0, 12));
    expect(u.slice(17)).toBe(digits.slice(17));
    expect(u[16]).toBe("89ab"[parseInt(digits[16], 16) & 3]);
    expect(a.state).toBe(((r) => (r.chars("x", 32), r.state))(new Rng(7)));
  });
});
