// One terminal session of the console: keystrokes from xterm.js go through the line editor; a
// complete command line (here-documents and other open constructs continue with `> `) runs in the
// console's shell; its output goes back with CRLF line ends. Ctrl-C while a command runs
// interrupts it (a `get -w` or `logs -f` ends); what is typed meanwhile waits its turn, so a pasted
// block of commands runs line by line. A command that reads its stdin (`cat > f.yaml`,
// `kubectl apply -f -`) gets the lines typed or pasted after it, echoed as a terminal in canonical
// mode echoes them, up to Ctrl-D; Ctrl-C aborts it. `kubectl exec -it` takes the keystrokes over
// until it ends.
import { needsMoreInput } from "../runtime/shell/parse";
import { complete } from "./complete";
import type { ConsoleHost } from "./host";
import { LineEditor, type EditorEvent } from "./line-editor";
import { ConsoleShell, TERMINAL_STDIN } from "./shell";

export type ServerMessage = { type: "output"; data: string } | { type: "exit"; code: number };

const CLEAR = "\x1b[H\x1b[2J";

export class TerminalSession {
  readonly shell: ConsoleShell;
  private readonly editor: LineEditor;
  /** Lines of a command still open (a here-document, a trailing `|`). */
  private script = "";
  private busy = false;
  /** Keystrokes that arrived while a command ran (or a completion was computed). */
  private pending = "";
  private abort?: AbortController;
  private takeover?: (data: string) => void;
  /** A command reading the terminal: the line being typed, the lines so far, and where they go. */
  private reader?: { line: string; text: string; done: (text: string | null) => void };
  private closed = false;
  cols = 80;
  rows = 24;

  constructor(
    private readonly host: ConsoleHost,
    node: string,
    private readonly send: (msg: ServerMessage) => void,
    private readonly close: () => void,
  ) {
    this.shell = new ConsoleShell(host, node);
    this.editor = new LineEditor(this.shell.history);
  }

  start(): void {
    this.write(this.shell.prompt());
  }

  /** The client went away: a running command is interrupted and nothing more is sent. */
  dispose(): void {
    this.closed = true;
    this.abort?.abort();
    this.reader?.done(null);
  }

  resize(cols: number, rows: number): void {
    if (Number.isFinite(cols) && cols > 0) this.cols = Math.floor(cols);
    if (Number.isFinite(rows) && rows > 0) this.rows = Math.floor(rows);
  }

  private write(data: string): void {
    if (!this.closed && data) this.send({ type: "output", data });
  }

  input(data: string): void {
    if (this.closed) return;
    if (this.takeover) return this.takeover(data);
    if (this.reader) return this.feedStdin(data);
    if (this.busy) {
      if (data.includes("\x03") && this.abort) {
        // The terminal's interrupt: the command stops and what was typed ahead is dropped.
        this.pending = "";
        this.write("^C\r\n");
        this.abort.abort();
        return;
      }
      this.pending += data;
      return;
    }
    let rest = data;
    while (rest && !this.busy && !this.closed) {
      const m = /\r\n?|\n/.exec(rest);
      const end = m ? m.index + m[0].length : rest.length;
      const chunk = rest.slice(0, end);
      rest = rest.slice(end);
      this.handle(this.editor.feed(chunk));
    }
    if (rest) this.pending += rest;
  }

  private handle(events: EditorEvent[]): void {
    for (const ev of events) {
      switch (ev.type) {
        case "output":
          this.write(ev.data);
          break;
        case "line":
          this.submit(ev.line);
          break;
        case "interrupt":
          this.script = "";
          this.write(this.shell.prompt());
          break;
        case "eof":
          if (this.script) break;
          this.write("exit\r\n");
          this.finish(this.shell.status);
          break;
        case "clear":
          this.write(`${CLEAR}${this.currentPrompt()}${this.editor.line}${back(this.editor.line.length - this.editor.cursorPos)}`);
          break;
        case "complete":
          void this.completeAt(ev.line, ev.cursor);
          break;
      }
    }
  }

  private currentPrompt(): string {
    return this.script ? "> " : this.shell.prompt();
  }

  private submit(line: string): void {
    this.script += `${line}\n`;
    if (needsMoreInput(this.script)) {
      this.write("> ");
      return;
    }
    const source = this.script;
    this.script = "";
    if (!source.trim()) {
      this.write(this.shell.prompt());
      return;
    }
    const entry = source.replace(/\n$/, "");
    if (this.shell.history[this.shell.history.length - 1] !== entry) this.shell.history.push(entry);
    void this.runCommand(source);
  }

  private async runCommand(source: string): Promise<void> {
    this.busy = true;
    const abort = (this.abort = new AbortController());
    const out = (t: string) => this.write(t.replace(/\r?\n/g, "\r\n"));
    let exited: { code: number } | undefined;
    try {
      const r = await this.shell.run(source, { stdin: TERMINAL_STDIN, out, err: out }, { signal: abort.signal, terminal: { takeInput: (fn) => this.takeInput(fn) }, readTerminal: () => this.readStdin() });
      if (r.exited) exited = { code: r.code };
    } catch (e) {
      console.error("console command failed", e);
      out(`kubeplay: ${(e as Error).message ?? String(e)}\n`);
    } finally {
      this.busy = false;
      this.abort = undefined;
      this.takeover = undefined;
      this.reader = undefined;
    }
    if (exited) return this.finish(exited.code);
    this.editor.reset();
    this.write(this.shell.prompt());
    const next = this.pending;
    this.pending = "";
    if (next) this.input(next);
  }

  /** The lines typed (and typed ahead) until Ctrl-D at the start of a line; null on Ctrl-C. */
  private readStdin(): Promise<string | null> {
    if (this.closed) return Promise.resolve(null);
    return new Promise((resolve) => {
      this.reader = {
        line: "",
        text: "",
        done: (text) => {
          this.reader = undefined;
          resolve(text);
        },
      };
      const ahead = this.pending;
      this.pending = "";
      if (ahead) this.feedStdin(ahead);
    });
  }

  // Models the line discipline of a terminal in canonical mode (termios ICANON, ECHO, ECHOE):
  // the line is edited before the command sees it; Ctrl-D sends the line typed so far, or ends
  // the input when the line is empty; Ctrl-C interrupts.
  private feedStdin(data: string): void {
    const r = this.reader;
    if (!r) return;
    for (let i = 0; i < data.length; i++) {
      const ch = data[i];
      if (ch === "\x03") {
        this.pending = "";
        this.write("^C\r\n");
        this.abort?.abort();
        return r.done(null);
      }
      if (ch === "\x04") {
        if (r.line === "") {
          // What follows Ctrl-D is typed ahead for the prompt.
          this.pending += data.slice(i + 1);
          return r.done(r.text);
        }
        r.text += r.line;
        r.line = "";
      } else if (ch === "\r" || ch === "\n") {
        if (ch === "\n" && data[i - 1] === "\r") continue;
        this.write("\r\n");
        r.text += `${r.line}\n`;
        r.line = "";
      } else if (ch === "\x7f" || ch === "\b") {
        if (r.line) {
          r.line = r.line.slice(0, -1);
          this.write("\b \b");
        }
      } else if (ch === "\x15") {
        this.write("\b \b".repeat(r.line.length));
        r.line = "";
      } else if (ch === "\x1b") {
        // Arrow and function keys: not part of the text.
        const seq = /^\x1b(\[[0-9;?]*[@-~]|O.)?/.exec(data.slice(i))![0];
        i += seq.length - 1;
      } else if (ch >= " " || ch === "\t") {
        r.line += ch;
        this.write(ch);
      }
    }
  }

  private takeInput(fn: (data: string) => void): () => void {
    this.takeover = fn;
    return () => {
      if (this.takeover === fn) this.takeover = undefined;
    };
  }

  private async completeAt(line: string, cursor: number): Promise<void> {
    this.busy = true;
    try {
      const c = await complete(this.host, this.shell.node, this.shell.cwd, line, cursor);
      if (c.insert) this.write(this.editor.insert(c.insert));
      else if (c.candidates.length) {
        this.write(`\r\n${columns(c.candidates, this.cols)}${this.currentPrompt()}${this.editor.line}${back(this.editor.line.length - this.editor.cursorPos)}`);
      }
    } catch (e) {
      console.error("completion failed", e);
    } finally {
      this.busy = false;
    }
    const next = this.pending;
    this.pending = "";
    if (next) this.input(next);
  }

  private finish(code: number): void {
    if (this.closed) return;
    this.send({ type: "exit", code });
    this.closed = true;
    this.close();
  }
}

function back(n: number): string {
  return n > 0 ? `\x1b[${n}D` : "";
}

/** Candidates laid out in columns across the terminal, as readline lists them. */
function columns(items: string[], width: number): string {
  const w = Math.max(...items.map((i) => i.length)) + 2;
  const perRow = Math.max(1, Math.floor(width / w));
  const rows = Math.ceil(items.length / perRow);
  let out = "";
  for (let r = 0; r < rows; r++) {
    const cells: string[] = [];
    for (let c = 0; c < perRow; c++) {
      const i = c * rows + r;
      if (i < items.length) cells.push(items[i].padEnd(w));
    }
    out += `${cells.join("").trimEnd()}\r\n`;
  }
  return out;
}
