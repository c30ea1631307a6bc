// Running a command inside a running container, as `kubectl exec` asks the kubelet to: it sees the
// container's filesystem (image files, writable layer, volumes), environment and working directory at
// virtual now, and what it writes is kept where the container keeps it — its own layer, the pod's
// emptyDir, a claimed volume, the node's files for a hostPath. configMap, secret, downwardAPI and
// projected volumes, and mounts marked readOnly, refuse writes as Linux does. A command runs to its
// end at once: exec does not move virtual time (`sleep 5` returns immediately); one that never ends
// (`sleep infinity`, `tail -f`, an endless loop) is reported as blocked.
// Models pkg/kubelet/kubelet_pods.go GetExec/GetAttach (finding the container) and containerd's CRI
// exec with runc (its start errors).
import type { Pod, Volume, VolumeMount } from "kubernetes-types/core/v1";
import type { ControllerContext } from "../controllers/types";
import { resolveImage, shellOf, type CatalogImage } from "../runtime/images";
import { containerArgv, procOptions } from "../runtime/process";
import { resolveProgram } from "../runtime/programs";
import { Shell } from "../runtime/shell/interp";
import { parseScript, ShellSyntaxError, type Command } from "../runtime/shell/parse";
import { ExitSignal, Forever, Horizon, LoopSignal, NoSpace, noSpaceMessage, Proc, type Io, type ProcOptions, type Program } from "../runtime/shell/proc";
import { DIRECTORY, type FsEffect, type OutputLine } from "../runtime/types";
import { networkFor } from "../network/network";
import { canonicalJson, hexDigest } from "../sandbox/bootstrap/hash";
import { persistEffects } from "./hooks";
import { freeFileSpace } from "../sandbox/limits";
import { kubeletRunning } from "./machine";
import { clientOf, fsAt, modelOf, processSpec } from "./models";
import { adoptRecord, CONTAINERS, podIdentity, type ContainerRuntime, type PodRuntime } from "./record";
import { containerSpec, runningAt, type KubeObject, type PodWork } from "./work";

export interface ExecTarget {
  namespace: string;
  pod: string;
  container: string;
}

/** Runs a step holding the store's write lock and commits what it emitted (the API supplies it). */
export type Runner = <T>(step: (ctx: ControllerContext) => T) => Promise<T>;

/** Shell state an interactive session keeps between command lines (absent at the start: the container's). */
export interface ShellState {
  /** `sh`, `bash`, … as invoked (messages and the prompt depend on it). */
  name: string;
  vars?: [string, string][];
  cwd?: string;
  positional?: string[];
  status?: number;
}

export interface Chunk {
  stream: "stdout" | "stderr";
  text: string;
}

export type StepResult =
  /** The container cannot be reached (gone, not running) or lacks the command: the kubelet's or runc's words. */
  | { type: "error"; message: string }
  /** The command reads stdin that has not all arrived: nothing happened, run it again once it has. */
  | { type: "needStdin" }
  | { type: "ran"; output: Chunk[]; code: number; exited: boolean; blocked: boolean; state?: ShellState; prompt?: string; flavour?: CatalogImage["shell"] };

export interface StepInput {
  target: ExecTarget;
  /** A command (exec's argv), or one line for a session's shell. */
  argv?: string[];
  line?: { state: ShellState; source: string };
  /** All of stdin, or undefined while more may come. */
  stdin: string | undefined;
  tty: boolean;
}

const SHELLS = new Set(["sh", "bash", "ash", "dash"]);
export const basename = (p: string) => p.slice(p.lastIndexOf("/") + 1);

/** What a program reads when stdin has not ended yet; reading it pauses the whole command. */
const STDIN_PENDING = "\u0000kubeplay:stdin-pending\u0000";

class NeedStdin {}

/** A write to a read-only mount. */
class ReadOnlyFs {
  constructor(readonly path: string) {}
}

interface Opened {
  w: PodWork;
  c: ContainerRuntime;
  image: CatalogImage;
  tag: string;
  flavour: CatalogImage["shell"];
}

/** The pod's runtime record: stored, or adopted from the status of a pod found already running. */
function recordOf(ctx: ControllerContext, pod: KubeObject, node: string): PodRuntime | undefined {
  const stored = ctx.get(CONTAINERS, pod.metadata.namespace ?? "", pod.metadata.name ?? "") as PodRuntime | undefined;
  if (stored && stored.uid === podIdentity(pod)) return structuredClone(stored);
  return adoptRecord(pod, node, ctx.now());
}

/**
 * The running container `target` names, or the kubelet's error: `exec` says `container not found
 * ("c")`, `attach` says `container c not found in pod p_ns`.
 */
export function openContainer(ctx: ControllerContext, target: ExecTarget, verb: "exec" | "attach" = "exec"): Opened | { error: string } {
  // The API server's upgrade request to the kubelet is refused with the kubelet's words.
  const notFound = `unable to upgrade connection: ${verb === "exec" ? `container not found ("${target.container}")` : `container ${target.container} not found in pod ${target.pod}_${target.namespace}`}`;
  const pod = ctx.get("/pods", target.namespace, target.pod);
  const nodeName = (pod as Pod | undefined)?.spec?.nodeName ?? "";
  const node = ctx.get("/nodes", "", nodeName);
  if (!pod || !node) return { error: notFound };
  const addresses = (node.status as { addresses?: { type: string; address: string }[] } | undefined)?.addresses ?? [];
  const hostIP = addresses.find((a) => a.type === "InternalIP")?.address ?? "";
  // The API server cannot reach a stopped kubelet's streaming port.
  if (!kubeletRunning(ctx, nodeName)) return { error: `error dialing backend: dial tcp ${hostIP}:10250: connect: connection refused` };
  const rec = recordOf(ctx, pod, nodeName);
  const c = rec?.containers.find((x) => x.name === target.container);
  if (!rec || !c || rec.finished !== undefined || !runningAt(c, ctx.now())) return { error: notFound };
  const resolved = resolveImage(c.current!.image);
  if (!resolved.ok) return { error: notFound };
  const w: PodWork = { ctx, now: ctx.now(), pod, rec, node: nodeName, hostIP, wakes: [] };
  return { w, c, image: resolved.image, tag: resolved.tag, flavour: shellOf(resolved) };
}

interface MountInfo {
  path: string;
  readOnly: boolean;
  hostPath: boolean;
  /** A subPath mount of a single file. */
  file: boolean;
}

function mountsOf(w: PodWork, c: ContainerRuntime): MountInfo[] {
  const volumes = new Map(((w.pod as Pod).spec?.volumes ?? []).map((v) => [v.name, v]));
  const info = (m: VolumeMount, v: Volume | undefined): MountInfo => ({
    path: m.mountPath.replace(/\/$/, "") || "/",
    // The kubelet mounts these read-only whatever the mount says.
    readOnly: !!m.readOnly || !!(v?.configMap || v?.secret || v?.downwardAPI || v?.projected),
    hostPath: !!v?.hostPath,
    file: !!m.subPath && !!(v?.configMap || v?.secret || v?.downwardAPI || v?.projected),
  });
  return (containerSpec(w, c)?.volumeMounts ?? []).map((m) => info(m, volumes.get(m.name))).sort((a, b) => b.path.length - a.path.length);
}

function mountOf(mounts: MountInfo[], abs: string): MountInfo | undefined {
  return mounts.find((m) => abs === m.path || (!m.file && abs.startsWith(m.path === "/" ? "/" : `${m.path}/`)));
}

/** A process exec'd into the container: writes under read-only mounts fail; /dev/stdout is its own. */
class ExecProc extends Proc {
  constructor(
    opts: ProcOptions,
    private readonly mounts: MountInfo[],
    private readonly sink: Pick<Io, "out" | "err">,
    private readonly shell: { flavour: CatalogImage["shell"]; interactive: boolean },
  ) {
    super(opts);
  }

  /** Worded by the shell actually running (`sh` is dash on Debian-based images, bash has its own words). */
  notFound(name: string, shell = "sh"): string {
    if (shell === "bash") return this.shell.interactive ? `bash: ${name}: command not found` : `bash: line 1: ${name}: command not found`;
    if (this.shell.flavour === "busybox") return `${shell}: ${name}: not found`;
    if (this.image.id === "centos") return `${shell}: ${this.shell.interactive ? "" : "line 1: "}${name}: command not found`;
    return `${shell}: 1: ${name}: not found`;
  }

  private check(path: string): void {
    const abs = this.resolvePath(path);
    if (mountOf(this.mounts, abs)?.readOnly) throw new ReadOnlyFs(abs);
  }

  writeFile(path: string, content: string, append = false): void {
    const abs = this.resolvePath(path);
    if (abs === "/dev/stdout" || abs === "/proc/self/fd/1") return this.sink.out(content);
    if (abs === "/dev/stderr" || abs === "/proc/self/fd/2") return this.sink.err(content);
    // The main process's output streams are not the exec's to write (its log is a model, fixed at start).
    if (abs === "/proc/1/fd/1" || abs === "/proc/1/fd/2") return;
    if (!abs.startsWith("/dev/")) this.check(abs);
    super.writeFile(abs, content, append);
  }

  removeFile(path: string): boolean {
    if (this.readFile(path) !== undefined) this.check(path);
    return super.removeFile(path);
  }

  mkdir(path: string): void {
    if (this.readFile(path) === undefined) this.check(path);
    super.mkdir(path);
  }
}

/** What each tool says when the file system refuses a write (GNU coreutils or BusyBox). */
function readOnlyMessage(tool: string, path: string, busybox: boolean): { text: string; code: number } {
  const bb = (b: string, g: string) => (busybox ? b : g);
  switch (tool) {
    case "touch":
      return { text: bb(`touch: ${path}: Read-only file system`, `touch: cannot touch '${path}': Read-only file system`), code: 1 };
    case "rm":
      return { text: bb(`rm: can't remove '${path}': Read-only file system`, `rm: cannot remove '${path}': Read-only file system`), code: 1 };
    case "mkdir":
      return { text: bb(`mkdir: can't create directory '${path}': Read-only file system`, `mkdir: cannot create directory '${path}': Read-only file system`), code: 1 };
    case "cp":
    case "mv":
      return { text: bb(`${tool}: can't create '${path}': Read-only file system`, `${tool}: cannot create regular file '${path}': Read-only file system`), code: 1 };
    case "tar":
      return { text: bb(`tar: can't open '${path}': Read-only file system`, `tar: ${path}: Cannot open: Read-only file system`), code: busybox ? 1 : 2 };
  }
  return { text: `${tool}: ${path}: Read-only file system`, code: 1 };
}

/** A shell's own words for a redirection it cannot open (`sh: can't create x: Read-only file system`). */
function redirectMessage(shell: string, flavour: CatalogImage["shell"], path: string, interactive: boolean): { text: string; code: number } {
  if (shell === "bash") return { text: `bash: ${interactive ? "" : "line 1: "}${path}: Read-only file system`, code: 1 };
  if (flavour === "busybox") return { text: `${shell}: can't create ${path}: Read-only file system`, code: 1 };
  return { text: `${shell}: 1: cannot create ${path}: Read-only file system`, code: 2 };
}

/** The interpreter, with redirections refused by a read-only mount failing only their command. */
class ExecShell extends Shell {
  constructor(
    p: Proc,
    name: string,
    private readonly flavour: CatalogImage["shell"],
    private readonly interactive: boolean,
  ) {
    super(p, name);
  }

  runCommand(cmd: Command, io: Io): number {
    try {
      return super.runCommand(cmd, io);
    } catch (e) {
      if (!(e instanceof ReadOnlyFs)) throw e;
      const m = redirectMessage(this.name, this.flavour, e.path, this.interactive);
      io.err(`${m.text}\n`);
      return (this.p.status = m.code);
    }
  }
}

/** The image's programs, each seeing stdin lazily and answering a read-only refusal in its own words. */
function programs(o: Opened, stdin: () => string): (name: string) => Program | undefined {
  return (name) => {
    // `-alpine` variants of Debian-based images carry BusyBox and no bash.
    if (basename(name) === "bash" && o.flavour === "busybox") return undefined;
    const prog = resolveProgram(o.image, name);
    if (!prog) return undefined;
    return (p, argv, io) => {
      const lazy: Io = io.stdin === STDIN_PENDING ? { out: io.out, err: io.err, get stdin() { return stdin(); } } : io;
      try {
        return prog(p, argv, lazy);
      } catch (e) {
        if (e instanceof NoSpace) {
          const m = noSpaceMessage(basename(argv[0] ?? name), e.path, o.flavour === "busybox");
          io.err(`${m.text}\n`);
          return m.code;
        }
        if (!(e instanceof ReadOnlyFs)) throw e;
        const tool = basename(argv[0] ?? name);
        const m = SHELLS.has(tool) ? redirectMessage(tool, o.flavour, e.path, false) : readOnlyMessage(tool, e.path, o.flavour === "busybox");
        io.err(`${m.text}\n`);
        return m.code;
      }
    };
  };
}

/** runc's refusal of a command the image does not have, as the CRI reports it. */
function startError(o: Opened, argv: string[]): string {
  const cmd = argv[0] ?? "";
  const why = cmd.startsWith("/") ? `exec: "${cmd}": stat ${cmd}: no such file or directory` : `exec: "${cmd}": executable file not found in $PATH`;
  const id = hexDigest(`${o.c.current?.id}|${o.w.now}|${argv.join(" ")}`, 64);
  return `error executing command in container: failed to exec in container: failed to start exec "${id}": OCI runtime exec failed: exec failed: unable to start container process: ${why}: unknown`;
}

/** `sh -c SCRIPT [NAME [ARGS…]]`: the script and its positional parameters, or undefined. */
function shellScript(argv: string[]): { script: string; positional: string[] } | undefined {
  if (!SHELLS.has(basename(argv[0] ?? ""))) return undefined;
  let i = 1;
  let command = false;
  while (i < argv.length && argv[i].startsWith("-") && argv[i] !== "-" && argv[i] !== "--") {
    if (argv[i].includes("c")) command = true;
    i++;
  }
  if (argv[i] === "--") i++;
  return command ? { script: argv[i] ?? "", positional: argv.slice(i + 2) } : undefined;
}

/** Whether `argv` starts a shell that reads its commands from stdin (`sh`, `bash -i`, `/bin/sh -l`). */
export function readsCommands(argv: string[]): boolean {
  if (!SHELLS.has(basename(argv[0] ?? ""))) return false;
  return argv.slice(1).every((a) => a.startsWith("-") && !a.includes("c"));
}

function run(sh: ExecShell, script: string, io: Io): void {
  let list;
  try {
    list = parseScript(script);
  } catch (e) {
    if (!(e instanceof ShellSyntaxError)) throw e;
    io.err(`${sh.name}: ${e.message}\n`);
    sh.p.status = 2;
    return;
  }
  sh.runList(list, io);
}

/** Runs one step of an exec in the container at virtual now, emitting what it wrote on `ctx`. */
export function execStep(ctx: ControllerContext, input: StepInput): StepResult {
  const o = openContainer(ctx, input.target);
  if ("error" in o) return { type: "error", message: o.error };
  const { w, c } = o;
  // Exec'd commands get the session's stdin, not the container's.
  const spec = { ...processSpec(w, c, c.current!), startedAt: w.now, stdinOpen: undefined };
  if (input.tty) spec.env = { TERM: "xterm", ...spec.env };
  const stdin = input.stdin;
  const resolve = programs(o, () => {
    if (stdin === undefined) throw new NeedStdin();
    return stdin;
  });
  const mounts = mountsOf(w, c);
  const output: Chunk[] = [];
  const sink = { out: (text: string) => void output.push({ stream: "stdout", text }), err: (text: string) => void output.push({ stream: "stderr", text }) };
  // The command sees the cluster network from the pod's address; kube-proxy's memory is the sandbox's.
  const network = networkFor({ reader: ctx, now: w.now, memoryKey: ctx.rng }, clientOf(w));
  // What it writes counts against the sandbox's files (MAX_VOLUME_BYTES): past that, writes fail as on a full disk.
  const space = freeFileSpace(ctx.limits, ctx);
  const p = new ExecProc({ ...procOptions(o.image, spec, { fs: fsAt(w, c, w.now), podIP: w.rec.ip, network }, o.tag), resolve, space }, mounts, sink, { flavour: o.flavour, interactive: !!input.line });
  // Commands exec'd into a container start with an empty memory account of their own.
  p.memory = 0;
  const io: Io = { stdin: input.stdin ?? STDIN_PENDING, ...sink };
  let code = 0;
  let exited = false;
  let blocked = false;
  try {
    if (input.line) {
      const st = input.line.state;
      const sh = new ExecShell(p, st.name, o.flavour, true);
      // The session's shell is a process of the container (`ps` lists it).
      p.shells.push(st.name);
      if (st.vars) {
        p.vars.clear();
        for (const [k, v] of st.vars) p.vars.set(k, v);
      }
      p.cwd = st.cwd ?? p.cwd;
      p.positional = [...(st.positional ?? [])];
      p.status = st.status ?? 0;
      run(sh, input.line.source, io);
      code = p.status;
    } else {
      const argv = input.argv ?? [];
      const script = shellScript(argv);
      const prog = resolve(argv[0] ?? "");
      if (!prog) return { type: "error", message: startError(o, argv) };
      if (script) {
        const sh = new ExecShell(p, basename(argv[0]), o.flavour, false);
        p.shells.push(argv.join(" "));
        p.positional = script.positional;
        run(sh, script.script, io);
        code = p.status;
      } else code = prog(p, argv, io);
      exited = true;
    }
  } catch (e) {
    if (e instanceof NeedStdin) return { type: "needStdin" };
    if (e instanceof ExitSignal) {
      code = e.code;
      exited = true;
    } else if (e instanceof Forever || e instanceof Horizon) blocked = true;
    else if (e instanceof LoopSignal) code = p.status;
    else throw e;
  }
  keepWrites(w, c, p, mounts);
  if (!input.line) return { type: "ran", output, code: code & 255, exited: exited && !blocked, blocked };
  const state: ShellState = { name: input.line.state.name, vars: [...p.vars], cwd: p.cwd, positional: p.positional, status: code & 255 };
  return { type: "ran", output, code: code & 255, exited, blocked, state, prompt: promptOf(state, o), flavour: o.flavour };
}

/**
 * Keeps the final state of every path the command touched (so an append to an image file keeps
 * the image's content, and `mkdir` of an empty directory persists), then stores the record.
 */
function keepWrites(w: PodWork, c: ContainerRuntime, p: Proc, mounts: MountInfo[]): void {
  if (p.effects.length === 0) return;
  const before = canonicalJson(w.rec);
  const paths = [...new Set(p.effects.map((e) => e.path))];
  const finals = new Map(paths.map((path) => [path, p.readFile(path)]));
  const effects: FsEffect[] = [];
  for (const [path, content] of finals) {
    if (content === undefined) effects.push({ at: 0, path, op: "remove" });
    else if (content !== DIRECTORY) effects.push({ at: 0, path, op: "write", content });
    else {
      // A directory with files in it exists through them; only an empty one needs a record of its own.
      const hasFiles = [...finals].some(([k, v]) => v !== undefined && k.startsWith(`${path}/`));
      if (!hasFiles && !mountOf(mounts, path)?.hostPath) effects.push({ at: 0, path, op: "write", content: DIRECTORY });
    }
  }
  persistEffects(w, c, effects);
  // emptyDir contents hold files only: a removal takes the path and everything under it away.
  for (const files of Object.values(w.rec.volumes ?? {})) {
    for (const [k, v] of Object.entries(files)) {
      if (v !== null) continue;
      for (const sub of Object.keys(files)) if (sub === k || sub.startsWith(`${k}/`)) delete files[sub];
    }
  }
  if (canonicalJson(w.rec) !== before) w.ctx.emit({ type: "put", resource: CONTAINERS, object: w.rec });
}

/**
 * The prompt an interactive shell prints as root: BusyBox ash `/ # `, dash `# `, bash on Debian and
 * Ubuntu `root@web:/# `, on CentOS `[root@web /]# ` (PS1 if the session set one).
 */
function promptOf(st: ShellState, o: Opened): string {
  const vars = new Map(st.vars ?? []);
  const bash = st.name === "bash" || (o.image.id === "centos" && st.name === "sh");
  const ps1 = vars.get("PS1");
  if (!bash && o.flavour !== "busybox") return ps1 ?? "# ";
  const fallback = st.name !== "bash" ? "\\s-\\v\\$ " : o.image.id === "centos" ? "[\\u@\\h \\W]\\$ " : "\\u@\\h:\\w\\$ ";
  const template = ps1 ?? (bash ? fallback : "\\w \\$ ");
  const home = vars.get("HOME") ?? "/root";
  const cwd = st.cwd ?? "/";
  const short = cwd === home ? "~" : cwd.startsWith(`${home}/`) ? `~${cwd.slice(home.length)}` : cwd;
  const host = vars.get("HOSTNAME") ?? "";
  return template.replace(/\\([uhHwW$sv\\n])/g, (_, e: string) => {
    switch (e) {
      case "u":
        return vars.get("USER") ?? "root";
      case "h":
        return host.split(".")[0];
      case "H":
        return host;
      case "w":
        return short;
      case "W":
        return short === "~" || cwd === "/" ? short : basename(cwd);
      case "$":
        return "#";
      case "s":
        return st.name;
      case "v":
        return "4.2";
      case "n":
        return "\n";
    }
    return "\\";
  });
}

export type AttachResult = { error: string } | { id: string; offset: number; lines: OutputLine[]; ended: boolean };

/**
 * What the container's process printed since `from` (instance and offset since its start) up to
 * now; the first call (no `from`) needs the container running and only marks where output starts.
 */
export function attachStep(ctx: ControllerContext, target: ExecTarget, from?: { id: string; offset: number }): AttachResult {
  if (!from) {
    const o = openContainer(ctx, target, "attach");
    if ("error" in o) return { error: o.error };
    const inst = o.c.current!;
    return { id: inst.id, offset: ctx.now() - inst.startedAt + (inst.warm ?? 0), lines: [], ended: false };
  }
  const pod = ctx.get("/pods", target.namespace, target.pod);
  const nodeName = (pod as Pod | undefined)?.spec?.nodeName ?? "";
  const rec = pod && recordOf(ctx, pod, nodeName);
  const c = rec?.containers.find((x) => x.name === target.container);
  const inst = c?.current;
  if (!pod || !rec || !c || !inst || inst.id !== from.id) return { id: from.id, offset: from.offset, lines: [], ended: true };
  const w: PodWork = { ctx, now: ctx.now(), pod, rec, node: nodeName, hostIP: "", wakes: [] };
  const exitAt = inst.exit?.at;
  const ended = exitAt !== undefined && exitAt <= w.now;
  const offset = (ended ? exitAt : w.now) - inst.startedAt + (inst.warm ?? 0);
  const lines = (modelOf(w, c)?.output ?? []).filter((l) => l.at > from.offset && l.at <= offset);
  return { id: inst.id, offset: Math.max(offset, from.offset), lines, ended };
}

/** The argv of `container`'s main process when it is a shell kept on an open stdin (`kubectl run -it … -- sh`). */
export function attachedShell(pod: Pod, container: string): string[] | undefined {
  const spec = pod.spec?.containers.find((c) => c.name === container);
  if (!spec?.stdin) return undefined;
  const resolved = resolveImage(spec.image ?? "");
  if (!resolved.ok) return undefined;
  const argv = containerArgv(resolved.image, spec.command, spec.args);
  return readsCommands(argv) ? argv : undefined;
}

/**
 * The shell a client was attached to finished: with `stdinOnce` its stdin is closed for good, so the
 * container's process ends with the shell's code, as the real one would on end-of-file or `exit`.
 */
export function endAttachedShell(ctx: ControllerContext, target: ExecTarget, code: number): void {
  const pod = ctx.get("/pods", target.namespace, target.pod) as Pod | undefined;
  const spec = pod?.spec?.containers.find((c) => c.name === target.container);
  if (!pod || !spec?.stdinOnce) return;
  const rec = recordOf(ctx, pod as unknown as KubeObject, pod.spec?.nodeName ?? "");
  const inst = rec?.containers.find((c) => c.name === target.container)?.current;
  if (!rec || !inst || (inst.exit && inst.exit.at <= ctx.now())) return;
  const next = structuredClone(rec);
  next.containers.find((c) => c.name === target.container)!.current!.exit = { at: ctx.now(), code, reason: code === 0 ? "Completed" : "Error" };
  ctx.emit({ type: "put", resource: CONTAINERS, object: next });
}
