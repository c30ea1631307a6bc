// The console terminal's line editor: what it echoes for keystrokes xterm.js sends, and the lines,
// interrupts and completions it hands on.
import { describe, expect, it } from "vitest";
import { LineEditor, type EditorEvent } from "../../../worker/console/line-editor";

const output = (evs: EditorEvent[]) => evs.filter((e) => e.type === "output").map((e) => (e as { data: string }).data).join("");
const lines = (evs: EditorEvent[]) => evs.filter((e) => e.type === "line").map((e) => (e as { line: string }).line);

describe("line editor", () => {
  it("echoes typed text and submits on Enter (CR, LF or CRLF)", () => {
    const ed = new LineEditor([]);
    const evs = ed.feed("kubectl get pods\r");
    expect(output(evs)).toBe("kubectl get pods\r\n");
    expect(lines(evs)).toEqual(["kubectl get pods"]);
    expect(lines(ed.feed("a\r\nb\n"))).toEqual(["a", "b"]);
    expect(ed.line).toBe("");
  });

  it("edits with backspace, and in the middle of the line with the arrow keys", () => {
    const ed = new LineEditor([]);
    expect(output(ed.feed("kubectx"))).toBe("kubectx");
    expect(output(ed.feed("\x7f"))).toBe("\b \b");
    ed.feed("l get");
    // Left four times, then insert: the rest of the line is redrawn and the cursor moves back.
    expect(output(ed.feed("\x1b[D\x1b[D\x1b[D\x1b[D"))).toBe("\b\b\b\b");
    expect(output(ed.feed("X"))).toBe("X get\x1b[4D");
    expect(ed.line).toBe("kubectlX get");
    // Home and End, and Ctrl-A / Ctrl-E.
    expect(output(ed.feed("\x1b[H"))).toBe("\x1b[8D");
    expect(ed.cursorPos).toBe(0);
    expect(output(ed.feed("\x05"))).toBe("\x1b[12C");
    expect(lines(ed.feed("\r"))).toEqual(["kubectlX get"]);
  });

  it("deletes words and whole lines (Ctrl-W, Ctrl-U, Ctrl-K, Delete)", () => {
    const ed = new LineEditor([]);
    ed.feed("kubectl get pods");
    ed.feed("\x17");
    expect(ed.line).toBe("kubectl get ");
    ed.feed("\x15");
    expect(ed.line).toBe("");
    ed.feed("abc\x01\x1b[3~");
    expect(ed.line).toBe("bc");
    ed.feed("\x0b");
    expect(ed.line).toBe("");
  });

  it("walks the history with up and down, keeping the line being typed", () => {
    const history = ["kubectl get nodes", "kubectl get pods"];
    const ed = new LineEditor(history);
    ed.feed("draft");
    expect(output(ed.feed("\x1b[A"))).toBe("\x1b[5D\x1b[Kkubectl get pods");
    ed.feed("\x1b[A");
    expect(ed.line).toBe("kubectl get nodes");
    ed.feed("\x1b[A");
    expect(ed.line).toBe("kubectl get nodes");
    ed.feed("\x1b[B\x1b[B");
    expect(ed.line).toBe("draft");
    // Application-mode arrows (ESC O A) work the same way.
    ed.feed("\x1bOA");
    expect(ed.line).toBe("kubectl get pods");
  });

  it("hands on Ctrl-C, Ctrl-D on an empty line, Ctrl-L and Tab", () => {
    const ed = new LineEditor([]);
    const c = ed.feed("half a line\x03");
    expect(c.map((e) => e.type)).toEqual(["output", "interrupt"]);
    expect(output(c)).toBe("half a line^C\r\n");
    expect(ed.line).toBe("");
    expect(ed.feed("\x04").map((e) => e.type)).toEqual(["eof"]);
    ed.feed("x");
    // Ctrl-D with text deletes under the cursor instead (nothing to delete at the end).
    expect(ed.feed("\x04").map((e) => e.type)).toEqual([]);
    expect(ed.feed("\x0c").map((e) => e.type)).toEqual(["clear"]);
    expect(ed.feed("\t")).toEqual([{ type: "complete", line: "x", cursor: 1 }]);
  });

  it("inserts completions at the cursor", () => {
    const ed = new LineEditor([]);
    ed.feed("kubectl ge");
    expect(ed.insert("t ")).toBe("t ");
    expect(ed.line).toBe("kubectl get ");
  });
});
