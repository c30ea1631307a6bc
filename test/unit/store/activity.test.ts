import { describe, expect, it } from "vitest";
import { dormantAfterMs } from "../../../worker/store/activity";

describe("DORMANT_AFTER_HOURS", () => {
  it("defaults to a day, takes hours, and 0 turns dormancy off", () => {
    expect(dormantAfterMs(undefined)).toBe(24 * 3600_000);
    expect(dormantAfterMs("")).toBe(24 * 3600_000);
    expect(dormantAfterMs("2")).toBe(2 * 3600_000);
    expect(dormantAfterMs("0.5")).toBe(1800_000);
    expect(dormantAfterMs("0")).toBeUndefined();
    expect(dormantAfterMs("soon")).toBe(24 * 3600_000);
    expect(dormantAfterMs("-3")).toBe(24 * 3600_000);
  });
});
