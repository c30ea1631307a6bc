// A container's main process as a pure function of (image, command/args, env, files, start time):
// what it prints and writes and when, which ports it serves from when, when it exits with what
// code, how it takes SIGTERM. Also the hooks and exec probes, which run a command to completion.
// Models pkg/kubelet/kuberuntime/kuberuntime_container.go (command/args) and the OCI runtime's
// start errors.
import { resolveImage, type CatalogImage } from "./images";
import { resolveProgram } from "./programs";
import { loopTrafficOf } from "./shell/interp";
import { ExitSignal, Forever, Horizon, Proc, type Io, type ProcOptions } from "./shell/proc";
import type { ExitInfo, FsReader, ProcessModel, ProcessSpec } from "./types";

// Models pkg/kubelet/container/helpers.go ExpandContainerCommandAndArgs (the image part is the runtime's)
/** The argv a container runs: `command` replaces the entrypoint (and drops the image's cmd); `args` replace cmd. */
export function containerArgv(image: CatalogImage, command?: string[], args?: string[]): string[] {
  const entry = command && command.length ? command : (image.config.entrypoint ?? []);
  const rest = args && args.length ? args : command && command.length ? [] : (image.config.cmd ?? []);
  return [...entry, ...rest];
}

/** `$(VAR)` references in command and args, expanded from the container's env as the kubelet does. */
export function expandKubeVars(s: string, env: Record<string, string>): string {
  return s.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (m, name: string | undefined) => (m === "$$" ? "$" : name !== undefined && name in env ? env[name] : m));
}

function startError(message: string): ExitInfo {
  return { at: 0, code: 128, reason: "StartError", message };
}

export interface RunOptions {
  fs: FsReader;
  /** Simulate up to this offset (ms since start); Infinity runs to an exit or a provable forever. */
  horizon?: number;
  podIP?: string;
  network?: ProcOptions["network"];
}

/** What a process started by `spec` in a container of `image` sees (exec sessions build their own Proc from it). */
export function procOptions(image: CatalogImage, spec: ProcessSpec, opts: RunOptions, tag?: string): ProcOptions {
  return {
    image,
    fs: opts.fs,
    env: { PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", HOSTNAME: spec.hostname, HOME: "/root", ...(image.config.env ?? {}), ...spec.env },
    startedAt: spec.startedAt,
    hostname: spec.hostname,
    memoryLimit: spec.memoryLimit,
    horizon: opts.horizon ?? Infinity,
    resolve: (name) => resolveProgram(image, name),
    workingDir: spec.workingDir,
    stdinOpen: spec.stdinOpen,
    imageTag: tag,
    podIP: opts.podIP,
    network: opts.network,
    initArgv: () => containerArgv(image, spec.command, spec.args).map((a) => expandKubeVars(a, spec.env)),
  };
}

function newProc(image: CatalogImage, spec: ProcessSpec, opts: RunOptions, tag?: string): Proc {
  return new Proc(procOptions(image, spec, opts, tag));
}

function ioOf(p: Proc): Io {
  return { stdin: "", out: (t) => p.print("stdout", t), err: (t) => p.print("stderr", t) };
}

/** The main process of a container started at `spec.startedAt`. */
export function runProcess(spec: ProcessSpec, opts: RunOptions): ProcessModel {
  const resolved = resolveImage(spec.image);
  if (!resolved.ok) throw new Error(`image ${spec.image} does not resolve`);
  const image = resolved.image;
  const argv = containerArgv(image, spec.command, spec.args).map((a) => expandKubeVars(a, spec.env));
  const model: ProcessModel = { listeners: [], output: [], effects: [], term: null, memory: image.memoryMi * 2 ** 20, complete: true };
  if (argv.length === 0) return { ...model, exit: startError("failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: no command specified: unknown") };
  const prog = resolveProgram(image, argv[0]);
  if (!prog) {
    const why = argv[0].startsWith("/") ? `exec: "${argv[0]}": stat ${argv[0]}: no such file or directory` : `exec: "${argv[0]}": executable file not found in $PATH`;
    return { ...model, exit: startError(`failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: ${why}: unknown`) };
  }
  const p = newProc(image, spec, opts, resolved.tag);
  let exit: ExitInfo | undefined;
  let complete = true;
  try {
    const code = prog(p, argv, ioOf(p));
    exit = { at: p.t, code };
  } catch (e) {
    if (e instanceof ExitSignal) exit = { at: p.t, code: e.code, reason: e.reason, message: e.message };
    else if (e instanceof Horizon) complete = false;
    else if (!(e instanceof Forever)) throw e;
  }
  let term = p.term;
  if (p.shellIsInit) term = p.trapTerm !== undefined ? { after: 0, code: Number(/exit\s+(\d+)/.exec(p.trapTerm)?.[1] ?? 0) } : null;
  const output = [...p.output].sort((a, b) => a.at - b.at);
  const effects = [...p.effects].sort((a, b) => a.at - b.at);
  const traffic = loopTrafficOf(p);
  return { exit, listeners: p.listeners, output, effects, term, memory: p.memory, complete, ...(traffic ? { traffic } : {}) };
}

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
  /** How long it ran, ms (Infinity when it never ends). */
  duration: number;
  effects: ProcessModel["effects"];
}

/**
 * Runs a command to completion inside a running container (exec probes, lifecycle hooks; exec
 * later): it sees the container's files as they are `at`.
 */
export function runCommand(spec: ProcessSpec, argv: string[], opts: RunOptions & { limitMs?: number }): CommandResult {
  const resolved = resolveImage(spec.image);
  if (!resolved.ok) throw new Error(`image ${spec.image} does not resolve`);
  const image = resolved.image;
  const result: CommandResult = { code: 0, stdout: "", stderr: "", duration: 0, effects: [] };
  const prog = argv.length ? resolveProgram(image, argv[0]) : undefined;
  if (!prog) {
    result.code = 126;
    result.stderr = `OCI runtime exec failed: exec failed: unable to start container process: exec: "${argv[0] ?? ""}": executable file not found in $PATH: unknown`;
    return result;
  }
  const p = newProc(image, spec, { ...opts, horizon: opts.limitMs ?? 3_600_000 }, resolved.tag);
  // Commands exec'd into a container start with an empty memory account of their own.
  p.memory = 0;
  const io: Io = { stdin: "", out: (t) => (result.stdout += t), err: (t) => (result.stderr += t) };
  try {
    result.code = prog(p, argv, io);
    result.duration = p.t;
  } catch (e) {
    if (e instanceof ExitSignal) {
      result.code = e.code;
      result.duration = p.t;
    } else if (e instanceof Forever || e instanceof Horizon) {
      result.code = 137;
      result.duration = Infinity;
    } else throw e;
  }
  result.effects = p.effects;
  return result;
}
