// The console's shell: bash on a node of the sandbox (the first control-plane node at first) where
// `kubectl` (and the alias `k`) runs in TypeScript against the API while every other command runs
// in the node's simulated shell. kubectl must await the API (its writes commit to D1) and the
// runtime's interpreter is synchronous, so the parsed command line is walked here asynchronously:
// lists, `&&`/`||`, pipelines (buffered), redirections into the node's files, here-documents,
// command substitution, and loops that contain kubectl; whatever contains no kubectl and no
// console builtin is handed whole to the node's shell. Builtins kept here: cd, export, history,
// clear, alias, ssh (another node's shell; `exit` comes back), exit.
import { runKubectl } from "../kubectl/index";
import type { KubectlEnv, KubectlFiles, KubectlTerminal } from "../kubectl/env";
import { KubectlError } from "../kubectl/errors";
import { BadSubstitution, ExpansionTooLarge, expandString, expandWord, type ExpandEnv } from "../runtime/shell/expand";
import { expandHeredoc } from "../runtime/shell/interp";
import { MAX_NESTING, parseScript, scanParens, ShellSyntaxError, type AndOr, type Command, type List, type Pipeline, type Redirect } from "../runtime/shell/parse";
import type { Io, Program } from "../runtime/shell/proc";
import { DIRECTORY } from "../runtime/types";
import type { ConsoleHost } from "./host";

export interface ShellIo {
  out(text: string): void;
  err(text: string): void;
  /** What the command reads; TERMINAL_STDIN: the lines typed after it, read only if it reads them. */
  stdin: string;
}

/**
 * The stdin of a command line typed in the terminal. A command that reads it (`cat`, `cat > f.yaml`,
 * `kubectl apply -f -`) waits for the lines typed or pasted after it, up to Ctrl-D, as under a real
 * shell; one that does not never waits. A marker, not text: the walk passes it on like any stdin.
 */
export const TERMINAL_STDIN = "\u0000kubeplay:terminal-stdin\u0000";

/** A node command read the terminal's stdin before it was typed: it runs again with it. */
class NeedsTerminal {}

export interface RunOptions {
  signal: AbortSignal;
  /** Present in an interactive terminal (`kubectl exec -it` takes it over). */
  terminal?: KubectlTerminal;
  /** The lines typed until Ctrl-D (null: Ctrl-C, or the terminal went away). */
  readTerminal?: () => Promise<string | null>;
}

export interface RunResult {
  code: number;
  /** The console's own shell ended (`exit` on the first node). */
  exited?: boolean;
}

interface Session {
  node: string;
  vars: Record<string, string>;
  cwd: string;
  oldpwd?: string;
}

/** `exit`: ends the current shell (an ssh session returns to the one before). */
class ExitShell {
  constructor(readonly code: number) {}
}

const HOME = "/root";
const KUBECTL = new Set(["kubectl"]);
const BUILTINS = new Set(["cd", "history", "clear", "ssh", "exit", "logout", "alias", "unalias", "export", "source", "."]);
/** Loops that run kubectl are bounded: nothing moves virtual time inside one command line. */
const LOOP_LIMIT = 1000;

/**
 * Every few turns a loop lets the event loop run: a kubectl call inside it never waits on real I/O,
 * so without this no timer (the run endpoint's timeout) and no keystroke (Ctrl-C) could reach it
 * before its last turn.
 */
function breather(turn: number): Promise<void> | undefined {
  return turn % 16 === 15 ? new Promise<void>((resolve) => setTimeout(resolve, 0)) : undefined;
}

function freshVars(node: string): Record<string, string> {
  return { PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/root/bin", HOME, HOSTNAME: node, USER: "root", LOGNAME: "root", SHELL: "/bin/bash", TERM: "xterm-256color", PWD: HOME };
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * Every `$(…)` and backquoted command in a raw word (not inside single quotes), as expand.ts finds
 * them: `src` as expand.ts will ask for it, `script` what runs — in backquotes bash first turns
 * `\$`, `\``, `\\` into `$`, `` ` ``, `\` (so `awk "{print \$1}"` there prints the first field).
 */
function substitutions(raw: string): { src: string; script: string }[] {
  const out: { src: string; script: string }[] = [];
  let dq = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === "\\") i++;
    else if (c === "'" && !dq) i = raw.indexOf("'", i + 1);
    else if (c === '"') dq = !dq;
    else if (c === "$" && raw[i + 1] === "(" && raw[i + 2] !== "(") {
      const end = scanParens(raw, i + 1);
      const src = raw.slice(i + 2, end - 1);
      out.push({ src, script: src });
      i = end - 1;
    } else if (c === "`") {
      const end = raw.indexOf("`", i + 1);
      if (end < 0) break;
      const src = raw.slice(i + 1, end);
      out.push({ src, script: src.replace(/\\([$`\\])/g, "$1") });
      i = end;
    }
    if (i < 0) break;
  }
  return out;
}

export class ConsoleShell {
  private session: Session;
  private readonly stack: Session[] = [];
  status = 0;
  readonly history: string[] = [];
  readonly aliases: Record<string, string> = { k: "kubectl" };

  constructor(
    private readonly host: ConsoleHost,
    node: string,
  ) {
    this.session = { node, vars: freshVars(node), cwd: HOME };
  }

  get node(): string {
    return this.session.node;
  }

  get cwd(): string {
    return this.session.cwd;
  }

  /** `[root@k8s-master ~]# ` (CentOS's PS1, as the tutorials show it). */
  prompt(): string {
    const cwd = this.session.cwd;
    const dir = cwd === HOME ? "~" : cwd === "/" ? "/" : cwd.slice(cwd.lastIndexOf("/") + 1);
    return `[root@${this.session.node} ${dir}]# `;
  }

  /** Runs one complete command line (possibly several lines, here-documents included). */
  async run(source: string, io: ShellIo, opts: RunOptions): Promise<RunResult> {
    let list: List;
    try {
      list = parseScript(source);
    } catch (e) {
      if (!(e instanceof ShellSyntaxError)) throw e;
      const m = /unexpected "(.*)"/.exec(e.message);
      io.err(m ? `bash: syntax error near unexpected token \`${m[1]}'\n` : `bash: ${e.message}\n`);
      this.status = 2;
      return { code: 2 };
    }
    try {
      await this.runList(list, io, opts);
      return { code: this.status };
    } catch (e) {
      // Expansions the walker made itself fail as the node's shell fails them (interp.ts).
      if (e instanceof BadSubstitution) {
        io.err(`bash: ${e.message}\n`);
        return { code: (this.status = 1) };
      }
      if (e instanceof ExpansionTooLarge) {
        io.err(`bash: xmalloc: cannot allocate ${e.chars} bytes\n`);
        return { code: (this.status = 2) };
      }
      if (!(e instanceof ExitShell)) throw e;
      const code = e.code;
      const previous = this.stack.pop();
      if (!previous) return { code, exited: true };
      io.out(`logout\nConnection to ${this.session.node} closed.\n`);
      this.session = previous;
      this.status = code;
      return { code };
    }
  }

  // --- the walk ---

  private async runList(list: List, io: ShellIo, opts: RunOptions): Promise<number> {
    for (const item of list) {
      if (opts.signal.aborted) return (this.status = 130);
      if (!this.needsConsole(item)) await this.onNode(io, (sh, nio) => sh.runList([item], nio), opts);
      else await this.runAndOr(item, io, opts);
    }
    return this.status;
  }

  private async runAndOr(item: AndOr, io: ShellIo, opts: RunOptions): Promise<number> {
    let status = await this.runPipeline(item.first, io, opts);
    for (const { op, pipeline } of item.rest) {
      if (opts.signal.aborted) return (this.status = 130);
      if ((op === "&&" && status === 0) || (op === "||" && status !== 0)) status = await this.runPipeline(pipeline, io, opts);
    }
    return status;
  }

  private async runPipeline(pl: Pipeline, io: ShellIo, opts: RunOptions): Promise<number> {
    let stdin = io.stdin;
    let status = 0;
    for (let i = 0; i < pl.commands.length; i++) {
      const last = i === pl.commands.length - 1;
      if (last) status = await this.runCommand(pl.commands[i], { ...io, stdin }, opts);
      else {
        let buf = "";
        status = await this.runCommand(pl.commands[i], { stdin, out: (t) => (buf += t), err: io.err }, opts);
        stdin = buf;
      }
    }
    if (pl.negate) status = status === 0 ? 1 : 0;
    return (this.status = status);
  }

  private async runCommand(cmd: Command, io: ShellIo, opts: RunOptions): Promise<number> {
    if (!this.needsConsole(cmd)) return this.onNode(io, (sh, nio) => sh.runCommand(cmd, nio), opts);
    switch (cmd.type) {
      case "simple":
        return this.simple(cmd, io, opts);
      case "group":
        return this.withRedirects(cmd.redirects, io, opts, (rio) => this.runList(cmd.body, rio, opts));
      case "if":
        return this.withRedirects(cmd.redirects, io, opts, async (rio) => {
          for (const c of cmd.clauses) if ((await this.runList(c.cond, rio, opts)) === 0) return this.runList(c.body, rio, opts);
          return cmd.otherwise ? this.runList(cmd.otherwise, rio, opts) : (this.status = 0);
        });
      case "for":
        return this.withRedirects(cmd.redirects, io, opts, async (rio) => {
          const items = cmd.items ? (await Promise.all(cmd.items.map((w) => this.expandFields(w, rio, opts)))).flat() : [];
          let status = 0;
          for (const [i, v] of items.entries()) {
            if (i === LOOP_LIMIT) {
              rio.err(`bash: loop stopped after ${LOOP_LIMIT} turns (virtual time does not pass inside one command line)\n`);
              return (this.status = 1);
            }
            await breather(i);
            if (opts.signal.aborted) return (this.status = 130);
            this.session.vars[cmd.name] = v;
            status = await this.runList(cmd.body, rio, opts);
          }
          return (this.status = status);
        });
      case "while":
        return this.withRedirects(cmd.redirects, io, opts, async (rio) => {
          let status = 0;
          for (let i = 0; i < LOOP_LIMIT; i++) {
            await breather(i);
            if (opts.signal.aborted) return (this.status = 130);
            const c = await this.runList(cmd.cond, rio, opts);
            if (cmd.until ? c === 0 : c !== 0) return (this.status = status);
            status = await this.runList(cmd.body, rio, opts);
          }
          rio.err(`bash: loop stopped after ${LOOP_LIMIT} turns (virtual time does not pass inside one command line)\n`);
          return (this.status = 1);
        });
      case "case":
        // A case statement with kubectl in it: the word is expanded here, the arms matched as sh does.
        return this.withRedirects(cmd.redirects, io, opts, async (rio) => {
          const word = await this.expandOne(cmd.word, rio, opts);
          const { matchPattern } = await import("../runtime/shell/expand");
          for (const arm of cmd.arms) {
            for (const pat of arm.patterns) if (matchPattern(await this.expandOne(pat, rio, opts), word)) return this.runList(arm.body, rio, opts);
          }
          return (this.status = 0);
        });
    }
  }

  /** Whether a piece of the command line needs the console (kubectl, a console builtin, or one in a substitution). */
  private needsConsole(node: AndOr | Command | List): boolean {
    const words = (ws: string[]) => ws.some((w) => substitutions(w).some((s) => this.sourceNeedsConsole(s.script)));
    const cmd = (c: Command): boolean => {
      const redirs = c.redirects.some((r) => (r.op === "<<" && r.literal ? false : words([r.target])));
      switch (c.type) {
        case "simple": {
          const first = c.words[0] ?? "";
          const name = this.aliases[first] !== undefined ? this.aliases[first].split(" ")[0] : first;
          return KUBECTL.has(name) || BUILTINS.has(name) || (name === "xargs" && c.words.slice(1).some((w) => KUBECTL.has(w) || this.aliases[w] !== undefined)) || words(c.words) || words(c.assigns.map(([, v]) => v)) || redirs;
        }
        case "group":
          return redirs || list(c.body);
        case "if":
          return redirs || c.clauses.some((x) => list(x.cond) || list(x.body)) || (!!c.otherwise && list(c.otherwise));
        case "while":
          return redirs || list(c.cond) || list(c.body);
        case "for":
          return redirs || list(c.body) || words(c.items ?? []);
        case "case":
          return redirs || words([c.word]) || c.arms.some((a) => list(a.body));
      }
    };
    const andOr = (a: AndOr) => [a.first, ...a.rest.map((r) => r.pipeline)].some((pl) => pl.commands.some(cmd));
    const list = (l: List): boolean => l.some(andOr);
    if (Array.isArray(node)) return list(node);
    if ("first" in node) return andOr(node);
    return cmd(node);
  }

  /** Substitutions inside substitutions being looked at (or run, below) by this walker. */
  private nesting = 0;

  private sourceNeedsConsole(src: string): boolean {
    // Past the nesting limit the node's shell gets the line, and refuses it in its own words.
    if (this.nesting >= MAX_NESTING) return false;
    this.nesting++;
    try {
      return this.needsConsole(parseScript(src));
    } catch {
      return false;
    } finally {
      this.nesting--;
    }
  }

  // --- expansion (command substitutions run through this walker first) ---

  private async expansionEnv(raws: string[], io: ShellIo, opts: RunOptions): Promise<ExpandEnv> {
    const cache = new Map<string, string>();
    for (const raw of raws) {
      for (const { src, script } of substitutions(raw)) {
        if (cache.has(src)) continue;
        cache.set(src, await this.capture(script, io, opts));
      }
    }
    const vars = this.session.vars;
    return {
      get: (n) => vars[n],
      set: (n, v) => void (vars[n] = v),
      substitute: (src) => cache.get(src) ?? "",
      special: (n) => (n === "?" ? String(this.status) : n === "$" ? "1" : n === "#" ? "0" : n === "0" ? "-bash" : undefined),
    };
  }

  /** `$(…)`: runs `src` and returns what it printed. */
  private async capture(src: string, io: ShellIo, opts: RunOptions): Promise<string> {
    if (this.nesting >= MAX_NESTING) {
      io.err(`bash: maximum nesting level exceeded (${MAX_NESTING})\n`);
      this.status = 1;
      return "";
    }
    let buf = "";
    this.nesting++;
    try {
      await this.run(src, { stdin: "", out: (t) => (buf += t), err: io.err }, opts);
    } finally {
      this.nesting--;
    }
    return buf;
  }

  private async expandFields(raw: string, io: ShellIo, opts: RunOptions): Promise<string[]> {
    return expandWord(raw, await this.expansionEnv([raw], io, opts));
  }

  private async expandOne(raw: string, io: ShellIo, opts: RunOptions): Promise<string> {
    return expandString(raw, await this.expansionEnv([raw], io, opts));
  }

  // --- redirections for what runs here (kubectl, builtins, compound commands with kubectl) ---

  private async withRedirects(rs: Redirect[], io: ShellIo, opts: RunOptions, body: (io: ShellIo) => Promise<number>): Promise<number> {
    if (rs.length === 0) return body(io);
    const env = await this.expansionEnv(rs.map((r) => r.target), io, opts);
    let out = io.out;
    let err = io.err;
    let stdin = io.stdin;
    const files: { path: string; append: boolean; text: string }[] = [];
    for (const r of rs) {
      if (r.op === "<<") {
        stdin = r.literal ? r.target : expandHeredoc(r.target, env);
        continue;
      }
      const target = expandString(r.target, env);
      if (r.op === ">&") {
        if (target === "1") err = out;
        else if (target === "2") out = err;
        continue;
      }
      if (r.op === "<") {
        const content = this.readNodeFile(target);
        if (content === undefined || content === DIRECTORY) {
          io.err(`bash: ${target}: ${content === DIRECTORY ? "Is a directory" : "No such file or directory"}\n`);
          return (this.status = 1);
        }
        stdin = content;
        continue;
      }
      const file = { path: target, append: r.op === ">>", text: "" };
      const sink = (t: string) => void (file.text += t);
      if (target !== "/dev/null") files.push(file);
      const to = target === "/dev/null" ? () => undefined : sink;
      if (r.op === "&>") {
        out = to;
        err = to;
      } else if (r.fd === 2) err = to;
      else out = to;
    }
    const status = await body({ stdin, out, err });
    if (files.length) {
      await this.onNode({ ...io, out: () => undefined }, (sh) => {
        for (const f of files) sh.p.writeFile(f.path, f.text, f.append);
        return 0;
      });
      this.status = status;
    }
    return status;
  }

  private readNodeFile(path: string): string | undefined {
    const fs = this.host.nodeFs(this.session.node);
    return fs?.read(this.resolve(path));
  }

  private resolve(path: string): string {
    const abs = path.startsWith("/") ? path : `${this.session.cwd.replace(/\/$/, "")}/${path}`;
    const parts: string[] = [];
    for (const p of abs.split("/")) {
      if (!p || p === ".") continue;
      if (p === "..") parts.pop();
      else parts.push(p);
    }
    return `/${parts.join("/")}`;
  }

  // --- simple commands ---

  private async simple(cmd: Extract<Command, { type: "simple" }>, io: ShellIo, opts: RunOptions): Promise<number> {
    const env = await this.expansionEnv([...cmd.words, ...cmd.assigns.map(([, v]) => v)], io, opts);
    const words = [...cmd.words];
    const alias = words.length ? this.aliases[words[0]] : undefined;
    let argv = words.flatMap((w) => expandWord(w, env));
    if (alias !== undefined) argv = [...alias.split(/\s+/).filter(Boolean), ...argv.slice(1)];
    const assigns = cmd.assigns.map(([k, v]) => [k, expandString(v, env)] as const);
    if (argv.length === 0) {
      for (const [k, v] of assigns) this.session.vars[k] = v;
      return this.withRedirects(cmd.redirects, io, opts, async () => this.status);
    }
    const name = argv[0];
    if (KUBECTL.has(name)) return this.withRedirects(cmd.redirects, io, opts, (rio) => this.kubectl(argv.slice(1), rio, opts, Object.fromEntries(assigns)));
    if (name === "xargs") return this.withRedirects(cmd.redirects, io, opts, (rio) => this.xargs(argv.slice(1), rio, opts));
    if (BUILTINS.has(name)) return this.withRedirects(cmd.redirects, io, opts, (rio) => this.builtin(argv, rio, opts));
    // A node program whose arguments needed the console (a kubectl substitution): run it with them.
    const literal: Command = { type: "simple", assigns: assigns.map(([k, v]) => [k, quote(v)]), words: argv.map(quote), redirects: cmd.redirects };
    return this.onNode(io, (sh, nio) => sh.runCommand(literal, nio), opts);
  }

  private async builtin(argv: string[], io: ShellIo, opts: RunOptions): Promise<number> {
    const [name, ...args] = argv;
    const s = this.session;
    switch (name) {
      case "cd": {
        let target = args[0] ?? HOME;
        if (target === "-") {
          target = s.oldpwd ?? s.cwd;
          io.out(`${target}\n`);
        }
        if (target === "~" || target.startsWith("~/")) target = HOME + target.slice(1);
        const dir = this.resolve(target);
        const fs = this.host.nodeFs(s.node);
        const c = fs?.read(dir);
        if (c === undefined || (c !== DIRECTORY && !(fs?.list(dir).length ?? 0))) {
          io.err(`bash: cd: ${args[0]}: ${c === undefined ? "No such file or directory" : "Not a directory"}\n`);
          return (this.status = 1);
        }
        s.oldpwd = s.cwd;
        s.cwd = dir;
        s.vars.PWD = dir;
        return (this.status = 0);
      }
      case "export":
        for (const a of args) {
          const eq = a.indexOf("=");
          if (eq > 0) s.vars[a.slice(0, eq)] = a.slice(eq + 1);
        }
        return (this.status = 0);
      case "history": {
        const n = args[0] && /^\d+$/.test(args[0]) ? Number(args[0]) : this.history.length;
        const start = this.history.length - n;
        io.out(this.history.slice(start).map((h, i) => `${String(start + i + 1).padStart(5)}  ${h}\n`).join(""));
        return (this.status = 0);
      }
      case "clear":
        io.out("\x1b[H\x1b[2J\x1b[3J");
        return (this.status = 0);
      case "alias":
        if (args.length === 0) {
          io.out(Object.entries(this.aliases).sort().map(([k, v]) => `alias ${k}='${v}'\n`).join(""));
          return (this.status = 0);
        }
        for (const a of args) {
          const eq = a.indexOf("=");
          if (eq > 0) this.aliases[a.slice(0, eq)] = a.slice(eq + 1);
          else if (this.aliases[a] !== undefined) io.out(`alias ${a}='${this.aliases[a]}'\n`);
          else {
            io.err(`bash: alias: ${a}: not found\n`);
            return (this.status = 1);
          }
        }
        return (this.status = 0);
      case "unalias":
        for (const a of args) delete this.aliases[a];
        return (this.status = 0);
      case "exit":
      case "logout":
        throw new ExitShell(args[0] === undefined ? this.status : Number(args[0]) & 255);
      case "ssh":
        return this.ssh(args, io, opts);
      case "source":
      case ".": {
        const text = this.readNodeFile(args[0] ?? "");
        if (text === undefined) {
          io.err(`bash: ${args[0] ?? ""}: No such file or directory\n`);
          return (this.status = 1);
        }
        await this.runList(parseScript(text), io, opts);
        return this.status;
      }
    }
    return 0;
  }

  /** `ssh NODE [command]`: another node's shell (a command runs there and comes back). */
  private async ssh(args: string[], io: ShellIo, opts: RunOptions): Promise<number> {
    const rest = args.filter((a, i) => !a.startsWith("-") && !(i > 0 && ["-p", "-i", "-l", "-o"].includes(args[i - 1])));
    const host = rest[0]?.replace(/^.*@/, "");
    if (!host) {
      io.err("usage: ssh [-46AaCfGgKkMNnqsTtVvXxYy] [-B bind_interface] [-b bind_address]\n           [-c cipher_spec] [-D [bind_address:]port] [-E log_file] [-e escape_char]\n           [-F configfile] [-I pkcs11] [-i identity_file] [-J destination] [-L address]\n           [-l login_name] [-m mac_spec] [-O ctl_cmd] [-o option] [-P tag] [-p port]\n           [-R address] [-S ctl_path] [-W host:port] [-w local_tun[:remote_tun]]\n           destination [command [argument ...]]\n");
      return (this.status = 255);
    }
    const node = this.host.nodes().find((n) => n.name === host || n.ip === host);
    if (!node) {
      io.err(`ssh: Could not resolve hostname ${host}: Name or service not known\n`);
      return (this.status = 255);
    }
    const command = rest.slice(1).join(" ");
    const next: Session = { node: node.name, vars: freshVars(node.name), cwd: HOME };
    if (command) {
      const saved = this.session;
      this.session = next;
      try {
        await this.runList(parseScript(command), io, opts);
      } catch (e) {
        if (!(e instanceof ExitShell)) throw e;
        this.status = e.code;
      } finally {
        this.session = saved;
      }
      return this.status;
    }
    this.stack.push(this.session);
    this.session = next;
    io.out(`Last login: ${lastLogin(this.host.now())} from ${this.host.nodes().find((n) => n.name === this.stack[0].node)?.ip ?? "192.168.1.10"}\n`);
    return (this.status = 0);
  }

  // --- kubectl ---

  /** `assigns`: `KUBE_EDITOR=… kubectl edit …` sets variables for this command only. */
  private async kubectl(args: string[], io: ShellIo, opts: RunOptions, assigns: Record<string, string> = {}): Promise<number> {
    const node = this.host.nodes().find((n) => n.name === this.session.node);
    if (!node?.controlPlane) {
      // Worker nodes have the binary but no kubeconfig, as after kubeadm join.
      io.err("The connection to the server localhost:8080 was refused - did you specify the right host or port?\n");
      return (this.status = 1);
    }
    let stdin = io.stdin;
    if (stdin === TERMINAL_STDIN) {
      // kubectl reads stdin only for `-f -`, before it sends anything.
      const text = filenameIsStdin(args) && opts.readTerminal ? await opts.readTerminal() : "";
      if (text === null) return (this.status = 130);
      stdin = text;
    }
    const env: KubectlEnv = {
      fetch: (r) => this.host.fetch(r),
      server: this.host.server,
      context: this.host.context,
      namespace: "default",
      now: () => this.host.now(),
      stdin,
      out: io.out,
      err: io.err,
      files: this.files(),
      signal: opts.signal,
      terminal: opts.terminal,
      settle: () => this.host.settle(),
      vars: { ...this.session.vars, ...assigns },
      edit: (prefix, ext, text) => this.runEditor(prefix, ext, text, io, { ...this.session.vars, ...assigns }),
      removeFile: async (path) => {
        await this.host.onNode({ node: this.session.node, run: (sh) => (sh.p.removeFile(path), 0) });
      },
    };
    let code: number;
    try {
      code = await runKubectl(env, args);
    } catch (e) {
      if (opts.signal.aborted) code = 130;
      else {
        console.error("kubectl failed", e);
        io.err(`error: ${(e as Error).message ?? String(e)}\n`);
        code = 1;
      }
    }
    // The cluster reacts before the next command, as it would while a person types.
    await this.host.settle();
    return (this.status = code);
  }

  /**
   * `kubectl edit`'s editor: the file written on this node, then $KUBE_EDITOR, $EDITOR or vi run on
   * it in the node's shell — as a command line when it has spaces (`sed -i s/a/b/`), as kubectl does.
   */
  private async runEditor(prefix: string, ext: string, text: string, io: ShellIo, vars: Record<string, string>): Promise<{ text: string; file: string }> {
    const editor = vars.KUBE_EDITOR || vars.EDITOR || "vi";
    const file = `/tmp/${prefix}${crypto.getRandomValues(new Uint32Array(1))[0]}${ext}`;
    let after: string | undefined;
    // As kubectl's editor.go: split on spaces, unless quotes or backslashes ask for a shell.
    const viaShell = editor.includes(" ") && /["'\\]/.test(editor);
    const code = await this.onNode(io, (sh, nio) => {
      const finish = (c: number) => {
        const t = sh.p.readFile(file);
        after = t === DIRECTORY ? undefined : t;
        return c;
      };
      sh.p.writeFile(file, text);
      if (viaShell) return finish(sh.runScript(`${editor} ${file}`, nio));
      // kubectl execs a plain editor command itself: a missing one is its error, not the shell's.
      const errs: string[] = [];
      const c = sh.invoke([...editor.split(" "), file], { ...nio, err: (t) => errs.push(t) });
      if (c !== 127) for (const t of errs) nio.err(t);
      return finish(c);
    });

    const shown = viaShell ? `/bin/bash -c ${editor}` : editor;
    if (code === 127) throw new KubectlError(`unable to launch the editor "${shown}"`);
    if (code !== 0) throw new KubectlError(`there was a problem with the editor "${shown}"`);
    return { text: after ?? "", file };
  }

  /** `… | xargs kubectl …`: kubectl with the words read from stdin appended. */
  private async xargs(args: string[], io: ShellIo, opts: RunOptions): Promise<number> {
    let cmd = args;
    const alias = this.aliases[cmd[0] ?? ""];
    if (alias !== undefined) cmd = [...alias.split(/\s+/), ...cmd.slice(1)];
    if (cmd[0] !== "kubectl") {
      return this.onNode(io, (sh, nio) => sh.invoke(["xargs", ...args], nio), opts);
    }
    if (io.stdin === TERMINAL_STDIN) {
      const text = opts.readTerminal ? await opts.readTerminal() : "";
      if (text === null) return (this.status = 130);
      io = { ...io, stdin: text };
    }
    const words = io.stdin.split(/\s+/).filter(Boolean);
    if (words.length === 0 && !args.includes("-r")) return this.kubectl(cmd.slice(1), { ...io, stdin: "" }, opts);
    return this.kubectl([...cmd.slice(1).filter((a) => a !== "-r"), ...words], { ...io, stdin: "" }, opts);
  }

  private files(): KubectlFiles {
    const fs = this.host.nodeFs(this.session.node);
    return {
      read: (path) => {
        const c = fs?.read(this.resolve(path));
        return c === DIRECTORY ? undefined : c;
      },
      isDir: (path) => fs?.read(this.resolve(path)) === DIRECTORY || (fs?.list(this.resolve(path)).length ?? 0) > 0,
      list: (path) => fs?.list(this.resolve(path)) ?? [],
    };
  }

  // --- the node ---

  /**
   * Runs something in the node's shell with this session's state, and keeps the state it leaves. With
   * the terminal's stdin it first runs without it, its output held back: a program that reads stdin
   * stops it there (nothing it did is kept), and it runs again with the lines typed until Ctrl-D.
   */
  private async onNode(io: ShellIo, run: NodeRun, opts?: RunOptions): Promise<number> {
    if (io.stdin !== TERMINAL_STDIN) return this.nodeRun(io, run);
    const read = opts?.readTerminal;
    if (!read) return this.nodeRun({ ...io, stdin: "" }, run);
    const held: [boolean, string][] = [];
    let status: number | undefined;
    try {
      status = await this.nodeRun({ stdin: io.stdin, out: (t) => held.push([false, t]), err: (t) => held.push([true, t]) }, (sh, nio) => {
        // Every program this command line starts reads the marker lazily. Shells pass it on to the
        // programs they run, which resolve through the same table.
        const resolve = sh.p.opts.resolve;
        sh.p.opts.resolve = (name) => {
          const prog = resolve(name);
          return prog && !NODE_SHELLS.has(name.slice(name.lastIndexOf("/") + 1)) ? terminalReader(prog) : prog;
        };
        return run(sh, nio);
      });
    } catch (e) {
      if (!(e instanceof NeedsTerminal)) throw e;
    }
    if (status !== undefined) {
      for (const [isErr, t] of held) (isErr ? io.err : io.out)(t);
      return status;
    }
    const text = await read();
    if (text === null) return (this.status = 130);
    return this.nodeRun({ ...io, stdin: text }, run);
  }

  private async nodeRun(io: ShellIo, run: NodeRun): Promise<number> {
    const s = this.session;
    const r = await this.host.onNode({
      node: s.node,
      run,
      stdin: io.stdin,
      vars: s.vars,
      cwd: s.cwd,
      status: this.status,
      interactive: true,
      sink: (stream, text) => (stream === "stdout" ? io.out(text) : io.err(text)),
    });
    if ("error" in r) {
      io.err(`bash: ${r.error}\n`);
      return (this.status = 1);
    }
    s.vars = r.vars;
    if (r.cwd !== s.cwd) {
      s.oldpwd = s.cwd;
      s.cwd = r.cwd;
    }
    return (this.status = r.exitCode);
  }
}

type NodeRun = (sh: import("../runtime/shell/interp").Shell, io: Io) => number;

/** Shells hand their stdin on to the commands they run; only a program that reads it waits for it. */
const NODE_SHELLS = new Set(["sh", "bash", "ash", "dash"]);

function terminalReader(prog: Program): Program {
  return (p, argv, io) => {
    if (io.stdin !== TERMINAL_STDIN) return prog(p, argv, io);
    const lazy: Io = {
      out: io.out,
      err: io.err,
      get stdin(): string {
        throw new NeedsTerminal();
      },
    };
    return prog(p, argv, lazy);
  };
}

/** `-f -`, `--filename=-`, `-f-`: kubectl reads its manifests from stdin. */
export function filenameIsStdin(args: string[]): boolean {
  return args.some((a, i) => ((a === "-f" || a === "--filename") && args[i + 1] === "-") || a === "-f-" || a === "-f=-" || a === "--filename=-");
}

function lastLogin(now: number): string {
  const d = new Date(now);
  const days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
  const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${days[d.getUTCDay()]} ${months[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, " ")} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${d.getUTCFullYear()}`;
}
