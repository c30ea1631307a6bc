// The runtime's model of each running container's process, computed once per container instance
// (a pure function of its spec, environment, start time, the files it saw and the network's answers)
// and cached: every pass asks what a container serves or wrote without simulating it again. A model
// whose run called the network keeps the network views it was answered from (network-deps.ts) and is
// simulated again when the network changes what it would be answered.
import type { Container } from "kubernetes-types/core/v1";
import { networkFor } from "../network/network";
import type { Client } from "../network/proxy";
import type { NetworkAccess } from "../network/types";
import { runCommand, runProcess, type CommandResult } from "../runtime/process";
import { addSegment, answersChanged, networkState, newDeps, SegmentedNetwork, type NetworkDeps } from "./network-deps";
import type { FsReader, ProcessModel, ProcessSpec } from "../runtime/types";
import { parseQuantity } from "../runtime/units";
import { Interner } from "../store/intern";
import { containerEnv } from "./env";
import type { ContainerRuntime, Instance } from "./record";
import { containerFs, type EffectsSource } from "./volumes";
import { containerSpec, hostname, isHostNetwork, type PodWork } from "./work";

const MAX_CACHED = 5000;
/** A cached model, with what it depended on of the network when it made calls. */
interface Entry {
  model: ProcessModel;
  deps?: NetworkDeps;
  /** The environment it started with (Service variables included): a re-run keeps it. */
  env?: Record<string, string>;
  /** Unique per simulation: re-runs of the process made under another are stale. */
  version: number;
}
const cache = new Map<string, Entry>();
let versions = 0;
/**
 * How far past the latest network change a re-simulation looks, at least: far enough for a polling
 * loop's next turns to show what they now get (and which questions they now ask).
 */
const LOOKAHEAD_MS = 10 * 60_000;

/** Tests count simulations through this. */
export const modelHooks: { onSimulate?: (w: PodWork, c: ContainerRuntime, why: "build" | "network") => void } = {};

/**
 * Each container spec's number, by object (a stored pod is replaced on change, never edited in place):
 * equal specs get the same one while `specIds` remembers their JSON, and a number is never reused, so
 * a key stays short and can never name another spec.
 */
const specIdOf = new WeakMap<object, number>();
let specIds = new Map<string, number>();
let nextSpecId = 0;
const MAX_SPEC_IDS = 1000;

function specId(spec: object | undefined): number {
  if (!spec) return -1;
  let id = specIdOf.get(spec);
  if (id !== undefined) return id;
  const json = JSON.stringify(spec);
  id = specIds.get(json);
  if (id === undefined) {
    if (specIds.size >= MAX_SPEC_IDS) specIds = new Map();
    specIds.set(json, (id = nextSpecId++));
  }
  specIdOf.set(spec, id);
  return id;
}

/**
 * Models' output lines and file writes are shared among models: the containers of a workload print
 * and write the same things. A model is never edited once made, so sharing cannot change one under
 * another.
 */
const sharedOutput = new Interner();

function compact(model: ProcessModel): ProcessModel {
  model.output = sharedOutput.value(model.output);
  model.effects = sharedOutput.value(model.effects);
  // Exactly as long as its listeners: the array it was pushed into keeps room for many more.
  model.listeners = model.listeners.slice();
  return model;
}

/** The last key made for an instance object and what it was made of: a pass asks for it many times. */
const keyOf = new WeakMap<Instance, { spec: object | undefined; uid: string; name: string; id: string; startedAt: number; image: string; key: string }>();

function key(w: PodWork, c: ContainerRuntime, inst: Instance): string {
  // Forked sandboxes share uids and ids; the spec tells their containers apart.
  const spec = containerSpec(w, c);
  const memo = keyOf.get(inst);
  if (memo && memo.spec === spec && memo.uid === w.rec.uid && memo.name === c.name && memo.id === inst.id && memo.startedAt === inst.startedAt && memo.image === inst.image) return memo.key;
  // Joined, which makes one flat string (a template literal keeps a tree of its parts).
  const k = [String(w.rec.uid), String(c.name), String(inst.id), inst.startedAt, String(inst.image), specId(spec)].join("|");
  keyOf.set(inst, { spec, uid: w.rec.uid, name: c.name, id: inst.id, startedAt: inst.startedAt, image: inst.image, key: k });
  return k;
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
  if (hit) return hit.model;
  // A process sees the network as the cluster is while its model is made (and, once it changes,
  // as it was at each call). A model made while answering another process's request (its server,
  // say) gets no network: the nesting could go round in circles, and such a model is not kept.
  if (modelDepth > 0) return simulate(w, c, inst, undefined, env);
  const deps = newDeps(w.now, networkState(w.ctx), w.ctx);
  const started = env ?? processSpec(w, c, inst).env;
  const model = compact(simulate(w, c, inst, deps, started));
  modelHooks.onSimulate?.(w, c, "build");
  if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value as string);
  const networked = deps.questions.size > 0;
  cache.set(k, { model, ...(networked ? { deps, env: started } : {}), version: ++versions });
  return model;
}

/** Forgets every model and what it depended on, as a restart of the Durable Object does. */
export function forgetModels(): void {
  cache.clear();
}

function simulate(w: PodWork, c: ContainerRuntime, inst: Instance, deps: NetworkDeps | undefined, env?: Record<string, string>, horizon?: number): ProcessModel {
  return simulateOn(w, c, inst, deps ? new SegmentedNetwork(deps, w.ctx, clientOf(w)) : undefined, env, horizon);
}

function simulateOn(w: PodWork, c: ContainerRuntime, inst: Instance, network: SegmentedNetwork | undefined, env?: Record<string, string>, horizon?: number): ProcessModel {
  const fs = containerFs(w, c, inst.startedAt, effectsSource(w), false);
  modelDepth++;
  try {
    return runProcess(processSpec(w, c, inst, env), { fs, podIP: w.rec.ip, horizon, network });
  } finally {
    modelDepth--;
  }
}

/** Whether `c`'s current model called the network. */
export function usesNetwork(w: PodWork, c: ContainerRuntime): boolean {
  return !!c.current && !!cache.get(key(w, c, c.current))?.deps;
}

/**
 * `c`'s model, simulated again when the network changed what its calls get: a new segment from now
 * on, earlier calls answered as before. Cheap when nothing it asks about changed (its questions are
 * asked again of the old and the new state), free while the network's generation stands.
 */
export function followNetwork(w: PodWork, c: ContainerRuntime): ProcessModel | undefined {
  const inst = c.current;
  if (!inst) return undefined;
  const entry = cache.get(key(w, c, inst));
  // Not cached (a restart): rebuilt from the network as it is now.
  if (!entry) return modelOf(w, c);
  const deps = entry.deps;
  const state = networkState(w.ctx);
  if (!deps || !state || deps.gen === state.gen) return entry.model;
  let changed: boolean;
  modelDepth++;
  try {
    changed = answersChanged(deps, state, w.ctx, clientOf(w), w.now);
  } finally {
    modelDepth--;
  }
  if (!changed) {
    deps.gen = state.gen;
    return entry.model;
  }
  addSegment(deps, w.now, state);
  entry.model = compact(resimulate(w, c, inst, deps, entry));
  entry.version = ++versions;
  modelHooks.onSimulate?.(w, c, "network");
  return entry.model;
}

/**
 * The process again, its calls answered segment by segment. A model that settled into an endless
 * loop (a load generator, a polling `while true`) is run as it was, open-ended: if it got there
 * before the change, nothing the kubelet decides from it changes, and one turn of the loop against
 * the network as it is now tells what it asks from now on (so a later change to that is noticed).
 * Any other process is run up to the change and a look ahead, which tells an exit or a provable
 * forever there; when it still runs by then, open-ended (an exit further on).
 */
function resimulate(w: PodWork, c: ContainerRuntime, inst: Instance, deps: NetworkDeps, before: Entry): ProcessModel {
  const latest = deps.segments[deps.segments.length - 1];
  if (before.model.traffic) {
    const net = new SegmentedNetwork(deps, w.ctx, clientOf(w));
    const open = simulateOn(w, c, inst, net, before.env);
    if (open.exit || net.reachedLast || !open.traffic) return open;
    simulateOn(w, c, inst, new SegmentedNetwork({ segments: [latest], questions: deps.questions }, w.ctx, clientOf(w)), before.env);
    return open;
  }
  const bounded = simulate(w, c, inst, deps, before.env, Math.max(0, latest.from - inst.startedAt) + LOOKAHEAD_MS);
  if (bounded.complete) return bounded;
  const open = simulate(w, c, inst, deps, before.env);
  return open.exit ? open : bounded;
}

/** The cache key of `c`'s current model and its version: a re-run made under another is stale. */
export function modelVersion(w: PodWork, c: ContainerRuntime): string {
  const inst = c.current!;
  const k = key(w, c, inst);
  return `${k}|${cache.get(k)?.version ?? 0}`;
}

/** `c`'s process simulated again up to `horizon` (ms into its run), its calls answered as its model's were. */
export function rerun(w: PodWork, c: ContainerRuntime, horizon: number): ProcessModel {
  const inst = c.current!;
  const entry = cache.get(key(w, c, inst));
  return simulate(w, c, inst, entry?.deps ?? newDeps(w.now, networkState(w.ctx), w.ctx), entry?.env, horizon);
}

let modelDepth = 0;

/**
 * The network a process of the pod uses while the runtime models it: a memory of its own (its
 * outcome depends on nothing interactive), identical requests answered once.
 */
export function processNetwork(w: PodWork): NetworkAccess {
  return networkFor({ reader: w.ctx, now: w.now, memo: true }, clientOf(w));
}

/** The pod as a network client: its own address, or its node's for a hostNetwork pod. */
export function clientOf(w: PodWork): Client {
  return isHostNetwork(w) ? { ip: w.hostIP, node: w.node, kind: "host" } : { ip: w.rec.ip ?? "", node: w.node, kind: "pod" };
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
  modelDepth++;
  try {
    return runCommand({ ...processSpec(w, c, inst), startedAt: t, stdinOpen: undefined }, argv, { fs: fsAt(w, c, t), podIP: w.rec.ip, limitMs, network: modelDepth === 1 ? processNetwork(w) : undefined });
  } finally {
    modelDepth--;
  }
}
