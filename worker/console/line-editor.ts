// The console terminal's line editing, as readline does it for bash at a prompt: echo, backspace
// and delete, left/right/home/end (arrow keys and Ctrl-A/E/B/F), Ctrl-U/K/W, up/down through the
// history, Ctrl-C (abandon the line), Ctrl-D (end of input on an empty line), Ctrl-L (clear the
// screen) and Tab (completion, answered by the caller). Input is keystrokes as xterm.js sends
// them; output is what to write back to the terminal. Pure: no I/O, so it is tested directly.

export type EditorEvent =
  | { type: "output"; data: string }
  | { type: "line"; line: string }
  | { type: "interrupt" }
  | { type: "eof" }
  | { type: "clear" }
  | { type: "complete"; line: string; cursor: number };

const chars = (s: string) => [...s];

export class LineEditor {
  private buf: string[] = [];
  private cursor = 0;
  private escape = "";
  private lastCR = false;
  /** Position in history while walking it (history.length = the line being typed). */
  private hpos = 0;
  private draft = "";

  constructor(
    /** Shared with the shell's `history` builtin; the caller appends submitted lines. */
    private readonly history: string[],
  ) {
    this.hpos = history.length;
  }

  get line(): string {
    return this.buf.join("");
  }

  get cursorPos(): number {
    return this.cursor;
  }

  /** Starts a new line (after a prompt was written). */
  reset(): void {
    this.buf = [];
    this.cursor = 0;
    this.hpos = this.history.length;
    this.draft = "";
  }

  /** Keystrokes in; events out, in order. A "line" event leaves the editor empty for the next one. */
  feed(data: string): EditorEvent[] {
    const out: EditorEvent[] = [];
    let echo = "";
    const flush = () => {
      if (echo) out.push({ type: "output", data: echo });
      echo = "";
    };
    for (const ch of data) {
      const cr = this.lastCR;
      this.lastCR = ch === "\r";
      if (this.escape) {
        this.escape += ch;
        const seq = this.escape;
        // CSI/SS3 sequences end with a letter or `~`.
        if (seq === "\x1b[" || seq === "\x1bO" || /^\x1b\[[0-9;]*$/.test(seq)) continue;
        this.escape = "";
        echo += this.escapeSequence(seq);
        continue;
      }
      switch (ch) {
        case "\x1b":
          this.escape = ch;
          continue;
        case "\r":
        case "\n": {
          if (ch === "\n" && cr) continue;
          echo += "\r\n";
          flush();
          const line = this.line;
          this.reset();
          out.push({ type: "line", line });
          continue;
        }
        case "\x03":
          echo += "^C\r\n";
          flush();
          this.reset();
          out.push({ type: "interrupt" });
          continue;
        case "\x04":
          if (this.buf.length === 0) {
            flush();
            out.push({ type: "eof" });
            continue;
          }
          echo += this.deleteForward();
          continue;
        case "\x0c":
          flush();
          out.push({ type: "clear" });
          continue;
        case "\t":
          flush();
          out.push({ type: "complete", line: this.line, cursor: this.cursor });
          continue;
        case "\x7f":
        case "\b":
          echo += this.backspace();
          continue;
        case "\x01":
          echo += this.moveTo(0);
          continue;
        case "\x05":
          echo += this.moveTo(this.buf.length);
          continue;
        case "\x02":
          echo += this.moveTo(this.cursor - 1);
          continue;
        case "\x06":
          echo += this.moveTo(this.cursor + 1);
          continue;
        case "\x15":
          echo += this.killBefore(0);
          continue;
        case "\x0b":
          echo += this.killAfter();
          continue;
        case "\x17": {
          let i = this.cursor;
          while (i > 0 && this.buf[i - 1] === " ") i--;
          while (i > 0 && this.buf[i - 1] !== " ") i--;
          echo += this.killBefore(i);
          continue;
        }
      }
      if (ch < " ") continue;
      echo += this.insert(ch);
    }
    flush();
    return out;
  }

  /** Inserts text at the cursor (typed, or completed). */
  insert(text: string): string {
    const cs = chars(text);
    const tail = this.buf.slice(this.cursor);
    this.buf.splice(this.cursor, 0, ...cs);
    this.cursor += cs.length;
    return text + tail.join("") + back(tail.length);
  }

  /** Replaces the whole line (history); returns what redraws it. */
  replace(line: string): string {
    const erase = back(this.cursor) + "\x1b[K";
    this.buf = chars(line);
    this.cursor = this.buf.length;
    return erase + line;
  }

  private escapeSequence(seq: string): string {
    switch (seq) {
      case "\x1b[A":
      case "\x1bOA":
        return this.historyStep(-1);
      case "\x1b[B":
      case "\x1bOB":
        return this.historyStep(1);
      case "\x1b[C":
      case "\x1bOC":
        return this.moveTo(this.cursor + 1);
      case "\x1b[D":
      case "\x1bOD":
        return this.moveTo(this.cursor - 1);
      case "\x1b[H":
      case "\x1bOH":
      case "\x1b[1~":
      case "\x1b[7~":
        return this.moveTo(0);
      case "\x1b[F":
      case "\x1bOF":
      case "\x1b[4~":
      case "\x1b[8~":
        return this.moveTo(this.buf.length);
      case "\x1b[3~":
        return this.deleteForward();
    }
    return "";
  }

  private historyStep(dir: -1 | 1): string {
    const next = this.hpos + dir;
    if (next < 0 || next > this.history.length) return "";
    if (this.hpos === this.history.length) this.draft = this.line;
    this.hpos = next;
    return this.replace(next === this.history.length ? this.draft : this.history[next]);
  }

  private moveTo(pos: number): string {
    const p = Math.max(0, Math.min(this.buf.length, pos));
    const d = p - this.cursor;
    this.cursor = p;
    if (d < 0) return back(-d);
    if (d > 0) return `\x1b[${d}C`;
    return "";
  }

  private backspace(): string {
    if (this.cursor === 0) return "";
    this.buf.splice(this.cursor - 1, 1);
    this.cursor--;
    const tail = this.buf.slice(this.cursor);
    return `\b${tail.join("")} ${back(tail.length + 1)}`;
  }

  private deleteForward(): string {
    if (this.cursor >= this.buf.length) return "";
    this.buf.splice(this.cursor, 1);
    const tail = this.buf.slice(this.cursor);
    return `${tail.join("")} ${back(tail.length + 1)}`;
  }

  private killBefore(to: number): string {
    const n = this.cursor - to;
    if (n <= 0) return "";
    this.buf.splice(to, n);
    this.cursor = to;
    const tail = this.buf.slice(this.cursor);
    return `${back(n)}${tail.join("")}${" ".repeat(n)}${back(tail.length + n)}`;
  }

  private killAfter(): string {
    if (this.cursor >= this.buf.length) return "";
    this.buf.splice(this.cursor);
    return "\x1b[K";
  }
}

/** Moves the cursor left `n` columns. */
function back(n: number): string {
  return n > 0 ? (n === 1 ? "\b" : `\x1b[${n}D`) : "";
}
