// One `kubectl exec` session: a command run once (its stdin awaited only if it reads it), or a
// shell reading commands from stdin — line by line, with its variables, working directory and last
// status kept between lines and each line's writes committed as it completes. With a terminal
// (`-t`) the session is also the terminal's line discipline: it echoes what is typed, edits the
// line on backspace and Ctrl-U, sends Ctrl-C as an interrupt and Ctrl-D as end of input, prints the
// shell's prompt and turns newlines into CRLF.
// Models the tty line discipline (ICANON, ECHO, ICRNL, ONLCR) as far as a remote shell shows it.
import { parseScript, ShellSyntaxError } from "../runtime/shell/parse";
import { attachStep, basename, execStep, readsCommands, type ExecTarget, type Runner, type ShellState, type StepResult } from "./exec";

export interface SessionOptions {
  target: ExecTarget;
  command: string[];
  stdin: boolean;
  tty: boolean;
}

export type SessionEnd = { code: number } | { error: string };

export interface SessionIo {
  /** Output towards the client (with a terminal, stderr arrives as stdout). */
  write(stream: "stdout" | "stderr", text: string): void;
  /** Called once: the command's exit code, or the kubelet's error. */
  end(result: SessionEnd): void;
}

/** Exit code of a command ended by SIGINT, and of one whose container went away (SIGKILL). */
const INTERRUPTED = 130;
const KILLED = 137;

/** Whether more lines could complete `script` (an open quote, loop, `if`, trailing `|` or `\`). */
function incomplete(script: string): boolean {
  if (/(^|[^\\])(\\\\)*\\\n$/.test(script)) return true;
  try {
    parseScript(script);
    return false;
  } catch (e) {
    if (!(e instanceof ShellSyntaxError)) throw e;
    return /expected "|unterminated|end of file|bad case pattern/.test(e.message);
  }
}

export class ExecSession {
  private queue: Promise<void> = Promise.resolve();
  private finished = false;
  private readonly interactive: boolean;
  /** The command's stdin so far, and whether it ended. */
  private stdinText = "";
  private stdinEnded: boolean;
  /** A run that paused on stdin waits for it to end. */
  private awaitingStdin = false;
  /** The command (or the shell's current line) never ends; only an interrupt or the client's going stops it. */
  private blocked = false;
  private shell?: ShellState;
  private prompt = "";
  private busybox = false;
  /** Lines of a construct still open (`for …; do`), and the line being typed. */
  private script = "";
  private line = "";
  private escape = false;
  private lastCR = false;
  /** A shell line whose command reads the terminal: its input so far. */
  private feeding?: { source: string; text: string };

  constructor(
    private readonly opts: SessionOptions,
    private readonly run: Runner,
    private readonly io: SessionIo,
  ) {
    this.interactive = opts.stdin && readsCommands(opts.command);
    this.stdinEnded = !opts.stdin;
  }

  /** Starts the command (or the shell and its first prompt). */
  start(): Promise<void> {
    return this.enqueue(() => (this.interactive ? this.startShell() : this.attempt()));
  }

  /** Bytes the client typed or piped, decoded. */
  input(text: string): Promise<void> {
    return this.enqueue(() => this.consume(text));
  }

  /** The client closed stdin. */
  endInput(): Promise<void> {
    return this.enqueue(() => this.onEof());
  }

  /** The client went away: nothing more is run or sent. */
  close(): void {
    this.finished = true;
  }

  /** The container it runs in is gone (killed, restarted, deleted): ended as the runtime's SIGKILL ends it. */
  containerGone(): Promise<void> {
    return this.enqueue(() => this.end({ code: KILLED }));
  }

  get done(): boolean {
    return this.finished;
  }

  private enqueue(task: () => Promise<void> | void): Promise<void> {
    this.queue = this.queue.then(async () => {
      if (this.finished) return;
      try {
        await task();
      } catch (e) {
        // A failure inside the simulation ends this session only, as an error the client can print.
        console.error("exec session failed", e);
        this.end({ error: String((e as Error)?.message ?? e) });
      }
    });
    return this.queue;
  }

  private write(stream: "stdout" | "stderr", text: string): void {
    if (this.finished || !text) return;
    if (this.opts.tty) this.io.write("stdout", text.replace(/\r?\n/g, "\r\n"));
    else this.io.write(stream, text);
  }

  private end(result: SessionEnd): void {
    if (this.finished) return;
    this.finished = true;
    this.io.end(result);
  }

  private step(input: { argv?: string[]; line?: string; stdin: string | undefined }): Promise<StepResult> {
    const { target, tty } = this.opts;
    const line = input.line === undefined ? undefined : { state: this.shell ?? { name: basename(this.opts.command[0]) }, source: input.line };
    return this.run((ctx) => execStep(ctx, { target, argv: input.argv, line, stdin: input.stdin, tty }));
  }

  // One command, run once.

  private async attempt(): Promise<void> {
    const r = await this.step({ argv: this.opts.command, stdin: this.stdinEnded ? this.stdinText : undefined });
    if (r.type === "error") return this.end({ error: r.message });
    if (r.type === "needStdin") {
      this.awaitingStdin = true;
      return;
    }
    this.awaitingStdin = false;
    for (const c of r.output) this.write(c.stream, c.text);
    if (r.blocked) this.blocked = true;
    else this.end({ code: r.code });
  }

  // A shell reading its commands.

  private async startShell(): Promise<void> {
    const r = await this.step({ line: "", stdin: "" });
    if (r.type === "error") return this.end({ error: r.message });
    if (r.type !== "ran") return;
    this.shell = r.state;
    this.prompt = r.prompt ?? "";
    this.busybox = r.flavour === "busybox";
    if (this.opts.tty) this.write("stdout", this.prompt);
  }

  private async runLine(source: string, stdin?: string): Promise<void> {
    const r = await this.step({ line: source, stdin });
    if (r.type === "error") return this.end({ code: KILLED });
    if (r.type === "needStdin") {
      this.feeding = { source, text: "" };
      return;
    }
    for (const c of r.output) this.write(c.stream, c.text);
    this.shell = r.state;
    this.prompt = r.prompt ?? this.prompt;
    if (r.exited) return this.exitShell(r.code);
    if (r.blocked) this.blocked = true;
    else if (this.opts.tty) this.write("stdout", this.script ? "> " : this.prompt);
  }

  private exitShell(code: number, eof = false): void {
    // Interactive bash says so as it leaves; BusyBox's line editor ends the line it was on at Ctrl-D.
    if (this.opts.tty && this.shell?.name === "bash") this.write("stdout", "exit\n");
    else if (this.opts.tty && eof && this.busybox) this.write("stdout", "\n");
    this.end({ code });
  }

  /** A complete line of input for the shell. */
  private async submit(line: string): Promise<void> {
    if (this.feeding) {
      this.feeding.text += `${line}\n`;
      return;
    }
    this.script += `${line}\n`;
    if (incomplete(this.script)) {
      if (this.opts.tty) this.write("stdout", "> ");
      return;
    }
    const source = this.script;
    this.script = "";
    await this.runLine(source);
  }

  private interrupt(): void {
    this.write("stdout", "^C\n");
    if (!this.interactive) return this.end({ code: INTERRUPTED });
    this.line = "";
    this.script = "";
    this.feeding = undefined;
    this.blocked = false;
    if (this.shell) this.shell = { ...this.shell, status: INTERRUPTED };
    this.write("stdout", this.prompt);
  }

  private async onEof(): Promise<void> {
    if (!this.interactive) {
      this.stdinEnded = true;
      if (this.awaitingStdin) await this.attempt();
      return;
    }
    if (this.blocked) return;
    if (this.line && !this.opts.tty) await this.submit(this.line);
    this.line = "";
    if (this.feeding) {
      const { source, text } = this.feeding;
      this.feeding = undefined;
      await this.runLine(source, text);
      if (this.opts.tty || this.finished) return;
    }
    if (this.script) {
      const source = this.script;
      this.script = "";
      await this.runLine(source);
    }
    this.exitShell(this.shell?.status ?? 0, true);
  }

  private async consume(text: string): Promise<void> {
    if (!this.opts.tty) {
      if (!this.interactive) {
        this.stdinText += text;
        return;
      }
      if (this.blocked) return;
      const parts = (this.line + text).split("\n");
      this.line = parts.pop() ?? "";
      for (const l of parts) {
        if (this.finished || this.blocked) return;
        await this.submit(l);
      }
      return;
    }
    for (const ch of text) {
      if (this.finished) return;
      await this.key(ch);
    }
  }

  /** One character typed at the terminal. */
  private async key(ch: string): Promise<void> {
    const cr = this.lastCR;
    this.lastCR = ch === "\r";
    if (this.escape) {
      // Arrow keys and the like arrive as ESC [ … letter; the shell here has no history to walk.
      if (/[A-Za-z~]/.test(ch)) this.escape = false;
      return;
    }
    switch (ch) {
      case "\x1b":
        this.escape = true;
        return;
      case "\x03":
        return this.interrupt();
      case "\x04":
        if (this.line) return;
        if (!this.interactive) return this.onEof();
        if (this.feeding) {
          const { source, text } = this.feeding;
          this.feeding = undefined;
          return this.runLine(source, text);
        }
        if (this.blocked) return;
        return this.onEof();
      case "\x7f":
      case "\b":
        if (!this.line) return;
        this.line = [...this.line].slice(0, -1).join("");
        this.write("stdout", "\b \b");
        return;
      case "\x15":
        this.write("stdout", "\b \b".repeat([...this.line].length));
        this.line = "";
        return;
      case "\r":
      case "\n": {
        if (ch === "\n" && cr) return;
        this.write("stdout", "\n");
        const line = this.line;
        this.line = "";
        if (!this.interactive) {
          this.stdinText += `${line}\n`;
          return;
        }
        if (this.blocked) return;
        return this.submit(line);
      }
    }
    if (ch < " ") return;
    this.line += ch;
    this.write("stdout", ch);
  }
}

/**
 * `kubectl attach`: the container's output from now on, as virtual time brings it, until its
 * process exits. The process model does not read stdin, so typed input is accepted and dropped.
 */
export class AttachSession {
  private from?: { id: string; offset: number };
  private finished = false;
  private busy = false;

  constructor(
    private readonly target: ExecTarget,
    private readonly tty: boolean,
    private readonly run: Runner,
    private readonly io: SessionIo,
  ) {}

  get done(): boolean {
    return this.finished;
  }

  close(): void {
    this.finished = true;
  }

  /** Looks at the container again: call it as time passes (the first call attaches). */
  async poll(): Promise<void> {
    if (this.finished || this.busy) return;
    this.busy = true;
    try {
      const r = await this.run((ctx) => attachStep(ctx, this.target, this.from));
      if (this.finished) return;
      if ("error" in r) {
        this.finished = true;
        return this.io.end({ error: r.error });
      }
      this.from = { id: r.id, offset: r.offset };
      for (const l of r.lines) this.io.write(this.tty ? "stdout" : l.stream, this.tty ? `${l.text}\r\n` : `${l.text}\n`);
      if (r.ended) {
        this.finished = true;
        this.io.end({ code: 0 });
      }
    } finally {
      this.busy = false;
    }
  }
}
