// The runtime's model of each running container's process, computed once per container instance
// (a pure function of its spec, environment, start time and the files it saw) and cached: every
// pass asks what a container serves or wrote without simulating it again.
import type { Container } from "kubernetes-types/core/v1";
import { runCommand, runProcess, type CommandResult } from "../runtime/process";
import type { FsReader, ProcessModel, ProcessSpec } from "../runtime/types";
import { parseQuantity } from "../runtime/units";
import { containerEnv } from "./env";
import type { ContainerRuntime, Instance } from "./record";
import { containerFs, type EffectsSource } from "./volumes";
import { containerSpec, hostname, type PodWork } from "./work";

const MAX_CACHED = 5000;
const cache = new Map<string, ProcessModel>();

function key(w: PodWork, c: ContainerRuntime, inst: Instance): string {
  // Forked sandboxes share uids and ids; the spec tells their containers apart.
  return `${w.rec.uid}|${c.name}|${inst.id}|${inst.startedAt}|${inst.image}|${JSON.stringify(containerSpec(w, c) ?? {})}`;
}

export function memoryLimit(spec: Container | undefined): number | undefined {
  return parseQuantity((spec?.resources?.limits as Record<string, unknown> | undefined)?.memory);
}

/** The inputs of a container run, the environment rebuilt leniently (for a process already started). */
export function processSpec(w: PodWork, c: ContainerRuntime, inst: Instance, env?: Record<string, string>): ProcessSpec {
  const spec = containerSpec(w, c);
  let resolvedEnv = env;
  if (!resolvedEnv) {
    const lenient = w.lenient;
    w.lenient = true;
    try {
      resolvedEnv = spec ? containerEnv(w, spec) : {};
    } finally {
      w.lenient = lenient;
    }
  }
  return {
    image: inst.image,
    command: spec?.command,
    args: spec?.args,
    workingDir: spec?.workingDir,
    env: resolvedEnv,
    memoryLimit: memoryLimit(spec),
    hostname: hostname(w),
    startedAt: inst.startedAt,
    ...(spec?.stdin ? { stdinOpen: true } : {}),
  };
}

/** The process model of `c`'s current instance. */
export function modelOf(w: PodWork, c: ContainerRuntime, env?: Record<string, string>): ProcessModel | undefined {
  const inst = c.current;
  if (!inst) return undefined;
  const k = key(w, c, inst);
  const hit = cache.get(k);
  if (hit) return hit;
  const fs = containerFs(w, c, inst.startedAt, effectsSource(w), false);
  const model = runProcess(processSpec(w, c, inst, env), { fs, podIP: w.rec.ip });
  if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value as string);
  cache.set(k, model);
  return model;
}

export function effectsSource(w: PodWork): EffectsSource {
  return (c) => modelOf(w, c)?.effects ?? [];
}

/** `c`'s filesystem at `t`, with what every process of the pod wrote by then. */
export function fsAt(w: PodWork, c: ContainerRuntime, t: number): FsReader {
  return containerFs(w, c, t, effectsSource(w));
}

/** Runs `argv` inside `c` at `t` (exec probes and hooks). */
export function execIn(w: PodWork, c: ContainerRuntime, argv: string[], t: number, limitMs?: number): CommandResult {
  const inst = c.current!;
  // A command run beside the main process has its own (closed) stdin.
  return runCommand({ ...processSpec(w, c, inst), startedAt: t, stdinOpen: undefined }, argv, { fs: fsAt(w, c, t), podIP: w.rec.ip, limitMs });
}
