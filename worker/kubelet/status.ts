// The pod status the kubelet reports: phase, conditions (transition times kept while unchanged),
// container statuses with state, lastState, ready/started and restart counts, IPs and QoS.
// Models pkg/kubelet/kubelet_pods.go generateAPIPodStatus/getPhase/convertToAPIContainerStatuses,
// pkg/kubelet/status/generate.go and status_manager.go updateLastTransitionTime
import type { Container, ContainerStatus, Pod, PodCondition, PodStatus } from "kubernetes-types/core/v1";
import { deepEqual } from "../util/equal";
import { rfc3339 } from "../sandbox/clock";
import { probeFlags } from "./probes";
import type { ContainerRuntime } from "./record";
import { containerSpec, isSidecar, specOf, type PodWork } from "./work";

function terminatedState(t: { exitCode: number; reason: string; message?: string; startedAt: number; finishedAt: number; containerID: string }) {
  return {
    terminated: {
      containerID: `containerd://${t.containerID}`,
      exitCode: t.exitCode,
      finishedAt: rfc3339(t.finishedAt),
      ...(t.message ? { message: t.message } : {}),
      reason: t.reason,
      startedAt: rfc3339(t.startedAt),
    },
  };
}

/** Why a container without a running instance waits. */
function waitingOf(w: PodWork, c: ContainerRuntime, hasInit: boolean): { reason: string; message?: string } {
  const p = c.pull;
  if (p?.phase === "failed") {
    if (w.now < p.end + 1000) return { reason: "ErrImagePull", message: p.message };
    return { reason: "ImagePullBackOff", message: `Back-off pulling image "${containerSpec(w, c)?.image ?? ""}"` };
  }
  if (p?.phase === "pulling" && p.failedBefore) return { reason: "ImagePullBackOff", message: `Back-off pulling image "${containerSpec(w, c)?.image ?? ""}"` };
  if (c.blocked) return { reason: c.blocked.reason, message: c.blocked.message };
  return { reason: hasInit ? "PodInitializing" : "ContainerCreating" };
}

function volumeMounts(spec: Container | undefined) {
  return (spec?.volumeMounts ?? []).map((m) => ({ mountPath: m.mountPath, name: m.name, ...(m.readOnly ? { readOnly: true, recursiveReadOnly: "Disabled" } : {}) }));
}

/** Times as the status spells them, by second: a pod's status names several (start, now, transitions). */
const timeText = new Map<number, string>();

function rfc3339Cached(ms: number): string {
  const second = Math.floor(ms / 1000);
  let t = timeText.get(second);
  if (t === undefined) {
    if (timeText.size >= 10_000) timeText.clear();
    timeText.set(second, (t = rfc3339(ms)));
  }
  return t;
}

function containerStatus(w: PodWork, c: ContainerRuntime, hasInit: boolean): ContainerStatus {
  const spec = containerSpec(w, c);
  const inst = c.current;
  const lastState = c.last ? terminatedState(c.last) : {};
  if (inst && !(inst.exit && inst.exit.at <= w.now) && !c.init && !spec?.volumeMounts?.length) {
    // The common case (a main container running), built in one literal: the same fields, in the same order.
    const flags = probeFlags(w, c);
    return {
      name: c.name,
      restartCount: c.restartCount,
      state: { running: { startedAt: rfc3339Cached(inst.startedAt) } },
      lastState,
      ready: flags.ready,
      image: inst.image,
      imageID: inst.imageID,
      containerID: `containerd://${inst.id}`,
      started: flags.started,
    } as ContainerStatus;
  }
  const mounts = volumeMounts(spec);
  const base = { name: c.name, restartCount: c.restartCount, ...(mounts.length ? { volumeMounts: mounts } : {}) };
  if (!inst || (inst.exit && inst.exit.at <= w.now && c.blocked?.reason === "CrashLoopBackOff")) {
    const waiting = inst ? { reason: c.blocked!.reason, message: c.blocked!.message } : waitingOf(w, c, hasInit);
    // During a back-off the last run is the last state, and it still names the container.
    const shown = inst ? terminatedState({ exitCode: inst.exit!.code, reason: inst.exit!.reason, message: inst.exit!.message, startedAt: inst.startedAt, finishedAt: inst.exit!.at, containerID: inst.id }) : lastState;
    return {
      ...base,
      state: { waiting: { ...(waiting.message ? { message: waiting.message } : {}), reason: waiting.reason } },
      lastState: shown,
      ready: false,
      image: inst?.image ?? spec?.image ?? "",
      imageID: inst?.imageID ?? "",
      ...(inst ? { containerID: `containerd://${inst.id}` } : c.last ? { containerID: `containerd://${c.last.containerID}` } : {}),
      started: false,
    } as ContainerStatus;
  }
  const exited = inst.exit && inst.exit.at <= w.now;
  // An init container is ready once it completed; while it runs it is started but not ready. A
  // sidecar is started and ready as a container is.
  const sidecar = isSidecar(w, c);
  const flags = exited ? { started: false, ready: c.init && !sidecar && inst.exit!.code === 0 } : c.init && !sidecar ? { started: true, ready: false } : probeFlags(w, c);
  return {
    ...base,
    state: exited ? terminatedState({ exitCode: inst.exit!.code, reason: inst.exit!.reason, message: inst.exit!.message, startedAt: inst.startedAt, finishedAt: inst.exit!.at, containerID: inst.id }) : { running: { startedAt: rfc3339(inst.startedAt) } },
    lastState,
    ready: flags.ready,
    image: inst.image,
    imageID: inst.imageID,
    containerID: `containerd://${inst.id}`,
    started: flags.started,
  } as ContainerStatus;
}

// Models pkg/kubelet/kubelet_pods.go getPhase
export function podPhase(w: PodWork, statuses: ContainerStatus[], inits: ContainerStatus[], terminal: boolean): string {
  const spec = specOf(w);
  const sidecars = new Set((spec.initContainers ?? []).filter((c) => c.restartPolicy === "Always").map((c) => c.name));
  let pendingInit = 0;
  let failedInit = 0;
  // Sidecars count as running while they run (pending until started); an exited one not at all.
  let pendingSidecars = 0;
  let runningSidecars = 0;
  let waitingSidecars = 0;
  for (const cs of inits) {
    if (sidecars.has(cs.name)) {
      if (terminal) continue;
      if (cs.state?.running) {
        runningSidecars++;
        if (!cs.started) pendingSidecars++;
      } else if (!cs.state?.terminated && !cs.lastState?.terminated) {
        pendingSidecars++;
        waitingSidecars++;
      }
      continue;
    }
    if (cs.state?.running) pendingInit++;
    else if (cs.state?.terminated) {
      if (cs.state.terminated.exitCode !== 0) failedInit++;
    } else if (cs.lastState?.terminated) {
      if (cs.lastState.terminated.exitCode !== 0) failedInit++;
    } else pendingInit++;
  }
  let running = runningSidecars;
  let waiting = waitingSidecars;
  let stopped = 0;
  let succeeded = 0;
  for (const cs of statuses) {
    if (cs.state?.running) running++;
    else if (cs.state?.terminated) {
      stopped++;
      if (cs.state.terminated.exitCode === 0) succeeded++;
    } else if (cs.lastState?.terminated) stopped++;
    else waiting++;
  }
  const policy = spec.restartPolicy ?? "Always";
  if (failedInit > 0 && policy === "Never") return "Failed";
  if ((pendingInit + pendingSidecars > 0 && !statuses.some((s) => s.state?.running || s.state?.terminated || s.lastState?.terminated)) || waiting > 0) return "Pending";
  if (running > 0) return "Running";
  if (stopped > 0) {
    if (terminal) return stopped === succeeded ? "Succeeded" : "Failed";
    if (policy === "Always") return "Running";
    if (stopped === succeeded) return "Succeeded";
    if (policy === "Never") return "Failed";
    return "Running";
  }
  return "Pending";
}

function condition(type: string, ok: boolean, reason?: string, message?: string): PodCondition {
  return { type, status: ok ? "True" : "False", ...(reason ? { reason } : {}), ...(message ? { message } : {}) } as PodCondition;
}

// Models pkg/kubelet/types/pod_status.go PodConditionByKubelet: the conditions the kubelet owns.
const KUBELET_CONDITIONS = new Set(["PodScheduled", "Ready", "Initialized", "ContainersReady", "PodReadyToStartContainers"]);

// Models pkg/kubelet/status/generate.go GeneratePodReadyCondition: with containers ready, every
// readiness gate's condition (set by someone else in the pod's status) must be True as well.
function readyCondition(containersReady: PodCondition, gates: { conditionType: string }[] | undefined, current: PodCondition[] | undefined): PodCondition {
  if (containersReady.status !== "True" || !gates?.length) return { ...containersReady, type: "Ready" } as PodCondition;
  const unready: string[] = [];
  for (const g of gates) {
    const c = current?.find((o) => o.type === g.conditionType);
    if (!c) unready.push(`corresponding condition of pod readiness gate "${g.conditionType}" does not exist.`);
    else if (c.status !== "True") unready.push(`the status of pod readiness gate "${g.conditionType}" is not "True", but ${c.status}`);
  }
  return unready.length ? condition("Ready", false, "ReadinessGatesNotReady", unready.join(", ")) : condition("Ready", true);
}

// Models pkg/kubelet/status/generate.go
function conditions(w: PodWork, phase: string, inits: ContainerStatus[], statuses: ContainerStatus[], current: PodCondition[] | undefined): PodCondition[] {
  const spec = specOf(w);
  const sandbox = w.rec.sandboxAt !== undefined && w.rec.sandboxAt <= w.now && w.rec.finished === undefined;
  // A regular init container is done once it completed (ready); a sidecar once it started.
  const incomplete = (spec.initContainers ?? [])
    .filter((c) => {
      const s = inits.find((x) => x.name === c.name);
      return c.restartPolicy === "Always" ? !s?.started : !s?.ready;
    })
    .map((c) => c.name);
  const anyStarted = statuses.some((s) => s.state?.running || s.state?.terminated || s.lastState?.terminated);
  let initialized: PodCondition;
  if (phase === "Succeeded") initialized = condition("Initialized", true, "PodCompleted");
  else if (anyStarted || incomplete.length === 0) initialized = condition("Initialized", true);
  else initialized = condition("Initialized", false, "ContainersNotInitialized", `containers with incomplete status: [${incomplete.join(" ")}]`);
  let containersReady: PodCondition;
  if (phase === "Succeeded") containersReady = condition("ContainersReady", false, "PodCompleted");
  else if (phase === "Failed") containersReady = condition("ContainersReady", false, "PodFailed");
  else {
    // Sidecars first, as the kubelet lists them.
    const sidecarNames = new Set((spec.initContainers ?? []).filter((c) => c.restartPolicy === "Always").map((c) => c.name));
    const unready = [...inits.filter((s) => sidecarNames.has(s.name)), ...statuses].filter((s) => !s.ready).map((s) => s.name);
    containersReady = unready.length ? condition("ContainersReady", false, "ContainersNotReady", `containers with unready status: [${unready.join(" ")}]`) : condition("ContainersReady", true);
  }
  const ready = readyCondition(containersReady, spec.readinessGates, current);
  return [condition("PodReadyToStartContainers", sandbox), initialized, ready, containersReady, condition("PodScheduled", true)];
}

/** `prev` when it reads the same as `next`. */
function keep<T>(prev: unknown, next: T): T {
  return prev !== undefined && deepEqual(prev, next) ? (prev as T) : next;
}

/** `next`, each element kept as `prevOf` gives it when the same; the old list itself when all are. */
function keepEach<T>(prevList: T[] | undefined, next: T[], prevOf: (x: T, i: number) => T | undefined): T[] {
  if (!prevList) return next;
  const out = next.map((x, i) => keep(prevOf(x, i), x));
  return out.length === prevList.length && out.every((x, i) => x === prevList[i]) ? prevList : out;
}

/** The status to report now; `old` supplies transition times of unchanged conditions. */
export function generateStatus(w: PodWork): PodStatus {
  const pod = w.pod as Pod;
  const old = pod.status ?? {};
  const spec = specOf(w);
  const hasInit = (spec.initContainers ?? []).length > 0;
  const inits = w.rec.containers.filter((c) => c.init).map((c) => containerStatus(w, c, hasInit));
  const mains = w.rec.containers.filter((c) => !c.init).map((c) => containerStatus(w, c, hasInit));
  const terminal = w.rec.finished !== undefined && w.rec.finished <= w.now && (!!pod.metadata?.deletionTimestamp || (spec.restartPolicy ?? "Always") !== "Always");
  let phase = podPhase(w, mains, inits, terminal);
  // Pods never leave a terminal phase.
  if (old.phase === "Succeeded" || old.phase === "Failed") phase = old.phase;
  const now = rfc3339Cached(w.now);
  // Conditions others own (DisruptionTarget from an eviction, a readiness gate's) are kept as they
  // are, ahead of the kubelet's: models status_manager.go mergePodStatus.
  const kept: PodCondition[] = [];
  for (const c of old.conditions ?? []) if (!KUBELET_CONDITIONS.has(c.type)) kept.push(c);
  const generated = conditions(w, phase, inits, mains, old.conditions).map((c) => {
    const prev = old.conditions?.find((o) => o.type === c.type);
    const lastTransitionTime = prev && prev.status === c.status ? (prev.lastTransitionTime ?? now) : now;
    // As { ...c, lastProbeTime, lastTransitionTime }, field by field: conditions come in four shapes.
    const out: Record<string, unknown> = { type: c.type, status: c.status };
    if (c.reason !== undefined) out.reason = c.reason;
    if (c.message !== undefined) out.message = c.message;
    out.lastProbeTime = null;
    out.lastTransitionTime = lastTransitionTime;
    return out as unknown as PodCondition;
  });
  const conds = kept.length ? [...kept, ...generated] : generated;
  const ip = w.rec.sandboxAt !== undefined && w.rec.sandboxAt <= w.now ? w.rec.ip : undefined;
  // Field by field, in this order: spreading the optional ones cost more than the rest of the status.
  const status: PodStatus = {};
  if (old.nominatedNodeName) status.nominatedNodeName = old.nominatedNodeName;
  status.conditions = conds;
  status.containerStatuses = mains;
  if (inits.length) status.initContainerStatuses = inits;
  status.hostIP = w.hostIP;
  status.hostIPs = [{ ip: w.hostIP }];
  status.phase = phase;
  if (ip) {
    status.podIP = ip;
    status.podIPs = [{ ip }];
  }
  status.qosClass = old.qosClass;
  status.startTime = rfc3339Cached(w.rec.admittedAt);
  return status;
}

/**
 * Puts the parts of `old` (the stored status) into a status about to be written wherever they read
 * the same: the store shares a stored status's parts with its other objects, and parts written again
 * as they were need not be shared again.
 */
export function shareUnchanged(status: PodStatus, old: PodStatus | undefined): void {
  if (!old) return;
  if (status.conditions) status.conditions = keepEach(old.conditions, status.conditions, (c) => old.conditions?.find((o) => o.type === c.type));
  if (status.containerStatuses) status.containerStatuses = keepEach(old.containerStatuses, status.containerStatuses, (_, i) => old.containerStatuses?.[i]);
  if (status.initContainerStatuses) status.initContainerStatuses = keepEach(old.initContainerStatuses, status.initContainerStatuses, (_, i) => old.initContainerStatuses?.[i]);
  if (status.hostIPs) status.hostIPs = keep(old.hostIPs, status.hostIPs);
  if (status.podIPs) status.podIPs = keep(old.podIPs, status.podIPs);
}
