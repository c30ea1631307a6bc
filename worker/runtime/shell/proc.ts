// The state of one simulated process while its commands run: a virtual time cursor, variables,
// what it printed and wrote, the ports it listens on, its memory. Commands move time forward with
// `sleep` and block for good in servers; the interpreter stops at a horizon or a provable forever.
import type { CatalogImage } from "../images";
import type { NetworkAccess } from "../../network/types";
import { DIRECTORY, type FsEffect, type FsReader, type Listener, type Offset, type OutputLine, type TermReaction } from "../types";

/** The process runs from here on without ever exiting by itself. */
export class Forever {
  constructor(readonly at: Offset) {}
}

/** Simulated time passed the horizon the caller asked about. */
export class Horizon {}

export class ExitSignal {
  constructor(
    readonly code: number,
    readonly reason?: "OOMKilled" | "StartError",
    readonly message?: string,
  ) {}
}

/** A write the sandbox's file quota (MAX_VOLUME_BYTES) has no room for: the disk is full. */
export class NoSpace {
  constructor(readonly path: string) {}
}

/** What a tool prints when a write fails with ENOSPC (BusyBox's or GNU's words). */
export function noSpaceMessage(tool: string, path: string, busybox: boolean): { text: string; code: number } {
  if (busybox) return { text: `${tool}: write error: No space left on device`, code: 1 };
  switch (tool) {
    case "cp":
    case "dd":
    case "install":
    case "mv":
      return { text: `${tool}: error writing '${path}': No space left on device`, code: 1 };
    case "tar":
      return { text: `tar: ${path}: Cannot write: No space left on device`, code: 2 };
    case "sed":
      return { text: `sed: couldn't flush ${path}: No space left on device`, code: 4 };
  }
  return { text: `${tool}: ${path}: No space left on device`, code: 1 };
}

export class LoopSignal {
  constructor(
    readonly kind: "break" | "continue",
    readonly levels: number,
  ) {}
}

export interface Io {
  stdin: string;
  out(text: string): void;
  err(text: string): void;
}

/** A program: runs with its argv and returns an exit status (or throws Forever/ExitSignal). */
export type Program = (p: Proc, argv: string[], io: Io) => number;

export interface ProcOptions {
  image: CatalogImage;
  /** Files visible before the process changes anything. */
  fs: FsReader;
  env: Record<string, string>;
  startedAt: number;
  hostname: string;
  memoryLimit?: number;
  /** Stop simulating past this offset (Infinity: until exit or a provable forever). */
  horizon: Offset;
  /** Looks up a program by name as the image's PATH would. */
  resolve(name: string): Program | undefined;
  workingDir?: string;
  /** Stdin stays open (a container with `stdin: true`): reading it waits rather than ending. */
  stdinOpen?: boolean;
  /** The tag the image was pulled by (servers report their version from it). */
  imageTag?: string;
  podIP?: string;
  /** The cluster network as this process sees it (wget, curl, nslookup, ping); absent: no network. */
  network?: NetworkAccess;
  /** PID 1's command line: the container's main process (what `ps` lists first). */
  initArgv?: () => string[];
  /** Bytes its writes may still add to the sandbox's files (exec and shells); absent: no limit. */
  space?: { free: number };
}

/** Commands executed before the simulation assumes the process goes on forever. */
const STEP_BUDGET = 20_000;
/**
 * A run up to a horizon (a log read back over hours) may take more steps: ten per virtual second,
 * up to a ceiling that bounds the CPU one read can cost.
 */
const HORIZON_STEPS_PER_SECOND = 10;
const HORIZON_STEP_CEILING = 500_000;

export class Proc {
  t: Offset = 0;
  status = 0;
  readonly vars = new Map<string, string>();
  readonly output: OutputLine[] = [];
  readonly effects: FsEffect[] = [];
  readonly listeners: Listener[] = [];
  memory: number;
  term: TermReaction | null = null;
  /** The shell itself is PID 1 (it did not exec its command), so it receives SIGTERM. */
  shellIsInit = false;
  /** `trap … TERM` handler text. */
  trapTerm?: string;
  /** Positional parameters ($1…). */
  positional: string[] = [];
  cwd: string;
  private readonly overlay = new Map<string, string | null>();
  private steps = 0;
  /** Command lines of the shells this process runs under (`ps` lists them). */
  readonly shells: string[] = [];
  /** Per stream, the output line a write left without its newline. */
  private readonly openLine: { stdout?: number; stderr?: number } = {};

  constructor(readonly opts: ProcOptions) {
    for (const [k, v] of Object.entries(opts.env)) this.vars.set(k, v);
    this.memory = opts.image.memoryMi * 2 ** 20;
    this.cwd = opts.workingDir || opts.image.config.workingDir || "/";
  }

  get image(): CatalogImage {
    return this.opts.image;
  }

  /** Virtual epoch ms at the cursor. */
  now(): number {
    return this.opts.startedAt + this.t;
  }

  step(): void {
    if (++this.steps > this.budget) throw this.opts.horizon === Infinity ? new Forever(this.t) : new Horizon();
  }

  private get budget(): number {
    const h = this.opts.horizon;
    return h === Infinity ? STEP_BUDGET : Math.min(HORIZON_STEP_CEILING, Math.max(STEP_BUDGET, (h / 1000) * HORIZON_STEPS_PER_SECOND));
  }

  sleep(ms: number): void {
    if (ms === Infinity) throw new Forever(this.t);
    this.t += ms;
    if (this.t > this.opts.horizon) throw new Horizon();
  }

  /** Blocks for good (a server in the foreground, `tail -f`). */
  block(): never {
    throw new Forever(this.t);
  }

  listen(l: Omit<Listener, "after"> & { after?: number }): void {
    this.listeners.push({ ...l, after: this.t + (l.after ?? 0) });
  }

  /** Grows resident memory; past the limit the kernel's OOM killer ends the container. */
  alloc(bytes: number, afterMs = 0): void {
    this.memory += bytes;
    const limit = this.opts.memoryLimit;
    if (limit !== undefined && this.memory > limit) {
      this.sleep(afterMs);
      throw new ExitSignal(137, "OOMKilled");
    }
  }

  print(stream: "stdout" | "stderr", text: string): void {
    if (text === "") return;
    // A write that did not end its line is continued by the next write to the same stream, as the
    // runtime's log joins partial lines (`cat` of a file without a final newline, then `echo`).
    const open = this.openLine[stream];
    if (open !== undefined) {
      this.openLine[stream] = undefined;
      const nl = text.indexOf("\n");
      const head = nl < 0 ? text : text.slice(0, nl);
      const prev = this.output[open];
      this.output[open] = { ...prev, text: prev.text + head };
      if (nl < 0) {
        this.openLine[stream] = open;
        return;
      }
      text = text.slice(nl + 1);
      if (text === "") return;
    }
    // Most writes are one line ending in a newline.
    const nl = text.indexOf("\n");
    if (nl === text.length - 1) {
      this.output.push({ at: this.t, stream, text: text.slice(0, -1) });
      return;
    }
    const ends = text.endsWith("\n");
    const lines = ends ? text.slice(0, -1).split("\n") : text.split("\n");
    for (const line of lines) this.output.push({ at: this.t, stream, text: line });
    if (!ends) this.openLine[stream] = this.output.length - 1;
  }

  resolvePath(path: string): string {
    const abs = path.startsWith("/") ? path : `${this.cwd.replace(/\/$/, "")}/${path}`;
    const parts: string[] = [];
    for (const p of abs.split("/")) {
      if (!p || p === ".") continue;
      if (p === "..") parts.pop();
      else parts.push(p);
    }
    return `/${parts.join("/")}`;
  }

  readFile(path: string): string | undefined {
    const abs = this.resolvePath(path);
    if (this.overlay.has(abs)) return this.overlay.get(abs) ?? undefined;
    for (const [p, v] of this.overlay) if (v === null && abs.startsWith(`${p}/`)) return undefined;
    return this.opts.fs.read(abs);
  }

  isDir(path: string): boolean {
    return this.readFile(path) === DIRECTORY || this.list(path).length > 0;
  }

  list(dir: string): string[] {
    const abs = this.resolvePath(dir);
    const names = new Set(this.opts.fs.list(abs));
    const prefix = abs === "/" ? "/" : `${abs}/`;
    for (const [p, v] of this.overlay) {
      if (!p.startsWith(prefix)) continue;
      const name = p.slice(prefix.length).split("/")[0];
      if (v === null && !p.slice(prefix.length).includes("/")) names.delete(name);
      else if (v !== null) names.add(name);
    }
    return [...names].sort();
  }

  writeFile(path: string, content: string, append = false): void {
    const abs = this.resolvePath(path);
    if (abs === "/dev/null") return;
    if (abs === "/dev/stdout" || abs === "/proc/1/fd/1") return this.print("stdout", content);
    if (abs === "/dev/stderr" || abs === "/proc/1/fd/2") return this.print("stderr", content);
    const before = append ? (this.readFile(abs) ?? "") : "";
    const space = this.opts.space;
    if (space) {
      // Checked before writing: a write that does not fit leaves the file as it was.
      const old = append ? 0 : this.readFile(abs);
      const growth = content.length - (typeof old === "string" && old !== DIRECTORY ? old.length : 0);
      if (growth > space.free) throw new NoSpace(abs);
      space.free -= growth;
    }
    this.overlay.set(abs, before === DIRECTORY ? DIRECTORY : before + content);
    this.effects.push({ at: this.t, path: abs, op: append ? "append" : "write", content });
  }

  removeFile(path: string): boolean {
    const abs = this.resolvePath(path);
    const old = this.readFile(abs);
    if (old === undefined) return false;
    if (this.opts.space && old !== DIRECTORY) this.opts.space.free += old.length;
    this.overlay.set(abs, null);
    this.effects.push({ at: this.t, path: abs, op: "remove" });
    return true;
  }

  mkdir(path: string): void {
    const abs = this.resolvePath(path);
    if (this.readFile(abs) !== undefined) return;
    this.overlay.set(abs, DIRECTORY);
    this.effects.push({ at: this.t, path: abs, op: "mkdir" });
  }

  /** The shell's name in error messages (`sh: 1: foo: not found` on dash, `sh: foo: not found` on busybox). */
  notFound(name: string, shell = "sh"): string {
    switch (this.image.shell) {
      case "dash":
        return `${shell}: 1: ${name}: not found`;
      case "bash":
        return `${shell}: line 1: ${name}: command not found`;
      default:
        return `${shell}: ${name}: not found`;
    }
  }
}
