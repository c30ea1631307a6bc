// Runs parsed shell lists against a simulated process: sequencing and `&&`/`||`, pipelines (stdout
// of one feeds the next), loops, conditionals, redirections into files, background jobs, and the
// builtins that change the shell itself. A `while true` loop that can never end is recognised as
// such, so a container looping forever costs one pass, not one per iteration.
import { BadSubstitution, ExpansionTooLarge, expandString, expandWord, matchPattern, type ExpandEnv } from "./expand";
import { MAX_NESTING, parseScript, scanParens, ShellSyntaxError, type AndOr, type Command, type List, type Pipeline, type Redirect } from "./parse";
import type { LoopTraffic } from "../types";
import { RegexTooCostly } from "./regex";
import { ExitSignal, Forever, Horizon, LoopSignal, NoSpace, noSpaceMessage, type Io, type Proc } from "./proc";

/** Requests each process sent (wget, curl), in order, so a loop turn can tell which were its own. */
const sent = new WeakMap<Proc, string[]>();
/** The endless loops each process settled into. */
const loops = new WeakMap<Proc, LoopTraffic[]>();

/** Called by the programs that send a request. */
export function noteRequest(p: Proc, url: string): void {
  let list = sent.get(p);
  if (!list) sent.set(p, (list = []));
  list.push(url);
}

/** The endless loops `p` runs for good, as one turn of each shows them. */
export function loopTrafficOf(p: Proc): LoopTraffic[] | undefined {
  return loops.get(p);
}

export class Shell {
  /** Commands run so far (a loop turn's count is its share). */
  private commands = 0;

  /** Shell name for messages (`sh`, `bash`). */
  constructor(
    readonly p: Proc,
    readonly name = "sh",
  ) {}

  private expandEnv(io: Io): ExpandEnv {
    const p = this.p;
    return {
      get: (n) => p.vars.get(n),
      set: (n, v) => void p.vars.set(n, v),
      substitute: (src) => this.capture(src, io),
      special: (n) => {
        if (n === "?") return String(p.status);
        if (n === "$") return "1";
        if (n === "#") return String(p.positional.length);
        if (n === "0") return this.name;
        if (n === "@" || n === "*") return p.positional.join(" ");
        if (/^\d$/.test(n)) return p.positional[Number(n) - 1];
        return undefined;
      },
    };
  }

  /** `$(…)`, `eval` and `source` in progress, one inside the other. */
  private nesting = 0;

  /**
   * Parses and runs `src` one level deeper: a script that does not parse fails with status 2 as in
   * bash, and past MAX_NESTING levels the innermost one fails instead of exhausting the stack.
   */
  private nested(src: string, io: Io): number {
    if (this.nesting >= MAX_NESTING) {
      io.err(`${this.name}: maximum nesting level exceeded (${MAX_NESTING})\n`);
      return (this.p.status = 1);
    }
    let list: List;
    try {
      list = parseScript(src);
    } catch (e) {
      if (!(e instanceof ShellSyntaxError)) throw e;
      io.err(`${this.name}: ${e.message}\n`);
      return (this.p.status = 2);
    }
    this.nesting++;
    try {
      return this.runList(list, io);
    } finally {
      this.nesting--;
    }
  }

  /** `$(…)`: runs `src` and returns what it printed. */
  capture(src: string, io: Io): string {
    let buf = "";
    const sub: Io = { stdin: io.stdin, out: (t) => (buf += t), err: io.err };
    try {
      this.nested(src, sub);
    } catch (e) {
      if (!(e instanceof ExitSignal)) throw e;
      this.p.status = e.code;
    }
    return buf;
  }

  runScript(src: string, io: Io): number {
    this.nested(src, io);
    return this.p.status;
  }

  runList(list: List, io: Io): number {
    for (const item of list) {
      if (item.background) this.background(item, io);
      else this.runAndOr(item, io);
    }
    return this.p.status;
  }

  /** `cmd &`: runs on its own clock; the script goes on at once. */
  private background(item: AndOr, io: Io): void {
    const p = this.p;
    const t = p.t;
    const status = p.status;
    try {
      this.runAndOr(item, io);
    } catch (e) {
      if (!(e instanceof Forever || e instanceof Horizon || e instanceof ExitSignal)) throw e;
    }
    p.t = t;
    p.status = status;
  }

  private runAndOr(item: AndOr, io: Io): number {
    let status = this.runPipeline(item.first, io);
    for (const { op, pipeline } of item.rest) {
      if ((op === "&&" && status === 0) || (op === "||" && status !== 0)) status = this.runPipeline(pipeline, io);
    }
    return status;
  }

  private runPipeline(pl: Pipeline, io: Io): number {
    let stdin = io.stdin;
    let status = 0;
    for (let i = 0; i < pl.commands.length; i++) {
      const last = i === pl.commands.length - 1;
      if (last) status = this.runCommand(pl.commands[i], { ...io, stdin });
      else {
        let buf = "";
        status = this.runCommand(pl.commands[i], { stdin, out: (t) => (buf += t), err: io.err });
        stdin = buf;
      }
    }
    if (pl.negate) status = status === 0 ? 1 : 0;
    this.p.status = status;
    return status;
  }

  runCommand(cmd: Command, io: Io): number {
    this.p.step();
    this.commands++;
    let rio: ReturnType<Shell["redirect"]>;
    try {
      rio = this.redirect(cmd.redirects, io);
    } catch (e) {
      const failed = this.expansionFailure(e, io);
      if (failed === undefined) throw e;
      return (this.p.status = failed);
    }
    if (!rio) return (this.p.status = 1);
    let status = 0;
    try {
      status = this.dispatch(cmd, rio.io);
    } catch (e) {
      const failed = this.expansionFailure(e, io);
      if (failed === undefined) throw e;
      status = failed;
    } finally {
      try {
        rio.done();
      } catch (e) {
        // The file a redirection fills did not fit: the shell's write fails as on a full disk.
        if (!(e instanceof NoSpace)) throw e;
        io.err(`${this.name}: write error: No space left on device\n`);
        status = 1;
      }
    }
    this.p.status = status;
    return status;
  }

  /** The status a failed expansion leaves (undefined: `e` is not one). */
  private expansionFailure(e: unknown, io: Io): number | undefined {
    if (e instanceof BadSubstitution) {
      io.err(`${this.name}: ${e.message}\n`);
      return 1;
    }
    if (e instanceof ExpansionTooLarge) {
      // A word too long to allocate: bash's malloc failure is fatal to the shell.
      io.err(`${this.name}: xmalloc: cannot allocate ${e.chars} bytes\n`);
      throw new ExitSignal(2);
    }
    return undefined;
  }

  private dispatch(cmd: Command, io: Io): number {
    const env = this.expandEnv(io);
    switch (cmd.type) {
      case "simple":
        return this.simple(cmd, io, env);
      case "group":
        return this.runList(cmd.body, io);
      case "if": {
        for (const c of cmd.clauses) if (this.runList(c.cond, io) === 0) return this.runList(c.body, io);
        return cmd.otherwise ? this.runList(cmd.otherwise, io) : 0;
      }
      case "for": {
        const items = cmd.items ? cmd.items.flatMap((w) => expandWord(w, env)) : this.p.positional;
        let status = 0;
        for (const v of items) {
          this.p.vars.set(cmd.name, v);
          const r = this.loopBody(cmd.body, io);
          status = r.status;
          if (r.stop) break;
        }
        return status;
      }
      case "while":
        return this.whileLoop(cmd, io);
      case "case": {
        const word = expandString(cmd.word, env);
        for (const arm of cmd.arms) {
          if (arm.patterns.some((pat) => matchPattern(expandString(pat, env), word))) return this.runList(arm.body, io);
        }
        return 0;
      }
    }
  }

  private loopBody(body: List, io: Io): { status: number; stop: boolean } {
    try {
      return { status: this.runList(body, io), stop: false };
    } catch (e) {
      if (!(e instanceof LoopSignal)) throw e;
      if (e.levels > 1) throw new LoopSignal(e.kind, e.levels - 1);
      return { status: 0, stop: e.kind === "break" };
    }
  }

  private whileLoop(cmd: Extract<Command, { type: "while" }>, io: Io): number {
    const endless = this.p.opts.horizon === Infinity && alwaysTrue(cmd.cond, cmd.until) && !mayLeave(cmd.body);
    let status = 0;
    for (let i = 0; ; i++) {
      const before = this.p.t;
      const sentBefore = sent.get(this.p)?.length ?? 0;
      const commandsBefore = this.commands;
      const c = this.runList(cmd.cond, io);
      if (cmd.until ? c === 0 : c !== 0) return status;
      const r = this.loopBody(cmd.body, io);
      status = r.status;
      if (r.stop) return status;
      // One turn of an endless loop shows what every turn does; no need to replay the rest.
      if (endless || (this.p.t === before && i > 1000)) {
        this.recordLoop(this.p.t - before, this.commands - commandsBefore, sent.get(this.p)?.slice(sentBefore) ?? []);
        throw new Forever(this.p.t);
      }
    }
  }

  /** Keeps what a turn of a loop that runs for good does, for the load it puts on servers. */
  private recordLoop(turnMs: number, commands: number, urls: string[]): void {
    const perUrl = new Map<string, number>();
    for (const u of urls) perUrl.set(u, (perUrl.get(u) ?? 0) + 1);
    let list = loops.get(this.p);
    if (!list) loops.set(this.p, (list = []));
    list.push({ turnMs, commands, requests: [...perUrl].map(([url, perTurn]) => ({ url, perTurn })) });
  }

  private simple(cmd: Extract<Command, { type: "simple" }>, io: Io, env: ExpandEnv): number {
    const p = this.p;
    const argv = cmd.words.flatMap((w) => expandWord(w, env));
    const assigns = cmd.assigns.map(([k, v]) => [k, expandString(v, env)] as const);
    if (argv.length === 0) {
      for (const [k, v] of assigns) p.vars.set(k, v);
      return p.status;
    }
    const saved = assigns.map(([k]) => [k, p.vars.get(k)] as const);
    for (const [k, v] of assigns) p.vars.set(k, v);
    try {
      return this.invoke(argv, io);
    } finally {
      for (const [k, v] of saved) {
        if (v === undefined) p.vars.delete(k);
        else p.vars.set(k, v);
      }
    }
  }

  /** Runs argv: a shell builtin, or a program the image has. */
  invoke(argv: string[], io: Io): number {
    const p = this.p;
    const [name, ...args] = argv;
    switch (name) {
      case "exit":
        throw new ExitSignal(args[0] === undefined ? p.status : Number(args[0]) & 255);
      case "break":
      case "continue":
        throw new LoopSignal(name, Number(args[0] ?? 1) || 1);
      case "export":
      case "readonly":
      case "local":
        for (const a of args) {
          const eq = a.indexOf("=");
          if (eq > 0) p.vars.set(a.slice(0, eq), a.slice(eq + 1));
        }
        return 0;
      case "unset":
        for (const a of args) p.vars.delete(a);
        return 0;
      case "set":
        if (args[0] === "--") p.positional = args.slice(1);
        return 0;
      case "shift":
        p.positional = p.positional.slice(Number(args[0] ?? 1));
        return 0;
      case "cd": {
        const dir = p.resolvePath(args[0] ?? p.vars.get("HOME") ?? "/");
        if (!p.isDir(dir)) {
          io.err(`${this.name}: cd: can't cd to ${args[0]}: No such file or directory\n`);
          return 2;
        }
        p.cwd = dir;
        return 0;
      }
      case "trap": {
        const handler = args[0] ?? "";
        if (args.slice(1).some((s) => /^(SIG)?TERM$|^15$/i.test(s))) p.trapTerm = handler;
        return 0;
      }
      case "wait":
        return 0;
      case "eval":
        return this.runScript(args.join(" "), io);
      case "source":
      case ".": {
        const src = p.readFile(args[0] ?? "");
        return src === undefined ? 1 : this.runScript(src, io);
      }
      case "exec":
        if (args.length === 0) return 0;
        // The command replaces the shell as PID 1 and receives its signals.
        p.term = null;
        p.shellIsInit = false;
        throw new ExitSignal(this.invoke(args, io));
    }
    const prog = p.opts.resolve(name);
    if (!prog) {
      io.err(`${p.notFound(name, this.name)}\n`);
      return 127;
    }
    try {
      return prog(p, argv, io);
    } catch (e) {
      if (e instanceof RegexTooCostly) {
        io.err(`${name.slice(name.lastIndexOf("/") + 1)}: ${e.message}\n`);
        return 2;
      }
      if (!(e instanceof NoSpace)) throw e;
      const m = noSpaceMessage(name.slice(name.lastIndexOf("/") + 1), e.path, p.image.shell === "busybox");
      io.err(`${m.text}\n`);
      return m.code;
    }
  }

  /** Applies redirections; `done` flushes what was captured for a file. */
  private redirect(rs: Redirect[], io: Io): { io: Io; done: () => void } | undefined {
    if (rs.length === 0) return { io, done: () => {} };
    const env = this.expandEnv(io);
    let out = io.out;
    let err = io.err;
    let stdin = io.stdin;
    const files: { path: string; append: boolean; buf: { text: string } }[] = [];
    for (const r of rs) {
      const target = r.op === "<<" ? "" : expandString(r.target, env);
      if (r.op === ">&") {
        if (target === "1") err = out;
        else if (target === "2") out = err;
        continue;
      }
      if (r.op === "<<") {
        stdin = r.literal ? r.target : expandHeredoc(r.target, env);
        continue;
      }
      if (r.op === "<") {
        const content = this.p.readFile(target);
        if (content === undefined) {
          io.err(`${this.name}: can't open ${target}: no such file\n`);
          return undefined;
        }
        stdin = content;
        continue;
      }
      const buf = { text: "" };
      const sink = (t: string) => void (buf.text += t);
      files.push({ path: target, append: r.op === ">>", buf });
      if (r.op === "&>") {
        out = sink;
        err = sink;
      } else if (r.fd === 2) err = sink;
      else out = sink;
    }
    const p = this.p;
    for (const f of files) if (!f.append) p.writeFile(f.path, "");
    return {
      io: { stdin, out, err },
      done: () => {
        for (const f of files) if (f.buf.text) p.writeFile(f.path, f.buf.text, true);
      },
    };
  }
}

/**
 * The body of an unquoted here-document, expanded: `$VAR`, `${…}`, `$(…)`, backquotes and `\$`,
 * `\``, `\\`, `\<newline>` as inside double quotes, while `"` and `'` stay literal text.
 * Done by quoting the body as one double-quoted word, escaping the double quotes that are text.
 */
export function expandHeredoc(body: string, env: ExpandEnv): string {
  let word = "";
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === "\\") {
      const n = body[i + 1] ?? "";
      // Outside of `$ \` \\ newline` a backslash is text; before a `"` both are.
      if (n === '"') word += '\\\\\\"';
      else word += c + n;
      i++;
    } else if (c === '"') word += '\\"';
    else if (c === "$" && body[i + 1] === "(") {
      const end = scanParens(body, i + 1);
      word += body.slice(i, end);
      i = end - 1;
    } else if (c === "`") {
      const end = body.indexOf("`", i + 1);
      const stop = end < 0 ? body.length : end + 1;
      word += body.slice(i, stop);
      i = stop - 1;
    } else word += c;
  }
  return expandString(`"${word}"`, env);
}

/** A loop condition that always holds: `true`, `:`, `sleep N`, `[ 1 ]` (or `false` for until). */
function alwaysTrue(cond: List, until: boolean): boolean {
  if (cond.length !== 1 || cond[0].rest.length || cond[0].first.commands.length !== 1) return false;
  const c = cond[0].first.commands[0];
  if (c.type !== "simple") return false;
  const w = c.words;
  if (until) return w.length === 1 && w[0] === "false";
  return (w.length === 1 && (w[0] === "true" || w[0] === ":")) || (w[0] === "sleep" && w.length === 2) || (w[0] === "[" && w.length === 3);
}

/** Whether a loop body contains anything that can leave the loop or the process. */
function mayLeave(list: List): boolean {
  const cmd = (c: Command): boolean => {
    switch (c.type) {
      case "simple":
        return ["exit", "break", "return", "exec", "kill"].includes(c.words[0] ?? "") || c.words.some((w) => w.includes("$("));
      case "group":
        return mayLeave(c.body);
      case "if":
        return c.clauses.some((x) => mayLeave(x.cond) || mayLeave(x.body)) || (!!c.otherwise && mayLeave(c.otherwise));
      case "while":
      case "for":
        return mayLeave(c.body) && c.type === "for";
      case "case":
        return c.arms.some((a) => mayLeave(a.body));
    }
  };
  return list.some((a) => [a.first, ...a.rest.map((r) => r.pipeline)].some((pl) => pl.commands.some(cmd)));
}
