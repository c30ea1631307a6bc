import { describe, expect, it } from "vitest";
import { utf8Length } from "../../../worker/util/utf8";

describe("utf8Length", () => {
  it("counts what TextEncoder writes, lone surrogates as U+FFFD", () => {
    for (const s of ["", "abc", "é", "€", "日本語", "😀", "a😀b", "\ud83d", "\ude00", "\ud83dx", "x\ude00\ud83d", "\u007f\u0080\u07ff\u0800\uffff"]) {
      expect(utf8Length(s), JSON.stringify(s)).toBe(new TextEncoder().encode(s).length);
    }
  });
});
