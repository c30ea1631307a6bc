// One pod on its node, one pass: volumes and sandbox first, then init containers one at a time,
// then the containers (in order: a postStart hook holds the ones after it), probes, exits and
// restarts; a deleted pod is stopped instead. Afterwards the status is reported if it changed,
// the runtime state is kept if it changed, and the kubelet asks to be woken when something will.
// Models pkg/kubelet/kubelet.go SyncPod and pkg/kubelet/kuberuntime/kuberuntime_manager.go SyncPod
import type { ContainerState, ContainerStatus, Pod, PodCondition, PodStatus } from "kubernetes-types/core/v1";
import type { ControllerContext } from "../controllers/types";
import { POD_TYPE } from "../controllers/workload-helpers";
import { clonePlain } from "../resources/clone";
import { deepEqual } from "../util/equal";
import type { KubeObject } from "../resources/types";
import { record } from "./events";
import { allocateIP } from "./network";
import { runProbes } from "./probes";
import { adoptRecord, CONTAINERS, newRecord, podIdentity, type ContainerRuntime, type PodRuntime } from "./record";
import { afterExit } from "./restart";
import { followNetworkExit, startContainer } from "./start";
import { generateStatus, shareUnchanged } from "./status";
import { foldEffects, removePod, stopContainer, terminatePod } from "./termination";
import { checkMounts, MountError } from "./volumes";
import { exitedAt, isSidecar, SANDBOX_MS, specOf, SYNC_DELAY_MS, wake, type PodWork } from "./work";

const MOUNT_RETRY_INITIAL_MS = 500;
const MOUNT_RETRY_MAX_MS = 122_000;
const ATTACH_MOUNT_TIMEOUT_MS = 122_000;

/** Volumes, then the sandbox; true once containers may start. */
function sandboxReady(w: PodWork): boolean {
  const rec = w.rec;
  if (rec.sandboxAt === undefined) {
    // A claim not ready yet is looked at again on every pass (its binding wakes the pod); only the event waits.
    if (rec.mount && !rec.mount.claim && w.now < rec.mount.retryAt) {
      wake(w, rec.mount.retryAt);
      return false;
    }
    try {
      checkMounts(w);
    } catch (e) {
      if (!(e instanceof MountError)) throw e;
      if (e.unprocessed) {
        // Models pkg/kubelet/volumemanager/volume_manager.go WaitForAttachAndMount: the pod worker
        // gives up after podAttachAndMountTimeout (2m2s) and reports what the populator could not process.
        const since = rec.mount?.claim ? rec.mount.failedSince : w.now;
        let due = rec.mount?.claim ? rec.mount.retryAt : since + ATTACH_MOUNT_TIMEOUT_MS;
        if (w.now >= due) {
          record(w, "Warning", "FailedMount", `Unable to attach or mount volumes: unmounted volumes=[${e.volume}], unattached volumes=[], failed to process volumes=[${e.volume}]: ${e.message}`);
          due = w.now + ATTACH_MOUNT_TIMEOUT_MS;
        }
        if (rec.mount?.retryAt !== due) rec.mount = { failedSince: since, retryAt: due, backoff: 0, claim: true };
        wake(w, due);
        return false;
      }
      // Models pkg/util/goroutinemap/exponentialbackoff: retries 0.5 s doubling to 2m2s.
      const backoff = rec.mount ? Math.min(rec.mount.backoff * 2, MOUNT_RETRY_MAX_MS) : MOUNT_RETRY_INITIAL_MS;
      rec.mount = { failedSince: rec.mount?.failedSince ?? w.now, retryAt: w.now + backoff, backoff };
      record(w, "Warning", "FailedMount", `MountVolume.SetUp failed for volume "${e.volume}" : ${e.message}`);
      wake(w, rec.mount.retryAt);
      return false;
    }
    rec.mount = undefined;
    rec.sandboxAt = w.now + SANDBOX_MS;
    rec.ip = specOf(w).hostNetwork ? w.hostIP : allocateIP(w);
  }
  if (w.now < rec.sandboxAt) {
    wake(w, rec.sandboxAt);
    return false;
  }
  return true;
}

/** Whether a container after init container `i` (a later init container or any container) has run. */
function laterStarted(w: PodWork, inits: ContainerRuntime[], i: number): boolean {
  const ran = (c: ContainerRuntime) => !!c.current || !!c.last;
  for (let j = i + 1; j < inits.length; j++) if (ran(inits[j])) return true;
  return w.rec.containers.some((c) => !c.init && ran(c));
}

/**
 * Runs the init containers in order; true once all succeeded. A sidecar (restartable init container)
 * lets the next one start once it has started (its startup probe passed, its postStart returned) and
 * keeps running: it is probed and restarted here on every pass, and once initialization went past it
 * its exits hold nothing up.
 * Models pkg/kubelet/kuberuntime/kuberuntime_manager.go computeInitContainerActions
 */
function initContainers(w: PodWork): boolean {
  let previousDone: number | undefined;
  const inits = w.rec.containers.filter((x) => x.init);
  for (let i = 0; i < inits.length; i++) {
    const c = inits[i];
    const inst = c.current;
    const sidecar = isSidecar(w, c);
    if (!inst) {
      // The next one starts when the kubelet has seen the previous one finish (or a sidecar start).
      if (previousDone !== undefined && w.now < previousDone + SYNC_DELAY_MS) {
        wake(w, previousDone + SYNC_DELAY_MS);
        return false;
      }
      startContainer(w, c);
      if (sidecar && c.current?.startedOk !== undefined) wake(w, Math.max(c.current.startedOk, c.current.postStartUntil ?? 0) + SYNC_DELAY_MS);
      // A sidecar restarting after initialization (its image being pulled again, say) holds nothing up.
      if (sidecar && laterStarted(w, inits, i)) continue;
      return false;
    }
    followNetworkExit(w, c);
    if (sidecar) {
      const passed = laterStarted(w, inits, i);
      if (exitedAt(c, w.now)) {
        afterExit(w, c);
        if (passed) continue;
        return false;
      }
      runProbes(w, c);
      wake(w, inst.exit?.at);
      if (passed) continue;
      const startedAt = inst.startedOk === undefined ? undefined : Math.max(inst.startedOk, inst.postStartUntil ?? 0);
      if (startedAt === undefined || startedAt > w.now || inst.stopping) {
        wake(w, startedAt);
        return false;
      }
      previousDone = startedAt;
      continue;
    }
    if (!exitedAt(c, w.now)) {
      runProbes(w, c);
      wake(w, inst.exit?.at);
      wake(w, inst.postStartUntil);
      return false;
    }
    if (inst.exit!.code === 0 && !inst.stopping) {
      previousDone = inst.exit!.at;
      continue;
    }
    afterExit(w, c);
    return false;
  }
  if (previousDone !== undefined && w.now < previousDone + SYNC_DELAY_MS) {
    wake(w, previousDone + SYNC_DELAY_MS);
    return false;
  }
  return true;
}

/**
 * Once the pod's containers are done for good, its sidecars are stopped, the last one first, each
 * after the one behind it is down; true when none runs any more.
 */
function stopSidecars(w: PodWork): boolean {
  const sidecars = w.rec.containers.filter((c) => isSidecar(w, c)).reverse();
  for (const c of sidecars) {
    const inst = c.current;
    if (!inst || exitedAt(c, w.now)) continue;
    if (!inst.stopping) {
      record(w, "Normal", "Killing", `Stopping container ${c.name}`, c);
      stopContainer(w, c, "delete");
    }
    wake(w, c.current?.exit?.at);
    return false;
  }
  return true;
}

function mainContainers(w: PodWork): void {
  for (const c of w.rec.containers.filter((x) => !x.init)) {
    const inst = c.current;
    if (inst) followNetworkExit(w, c);
    if (!inst) {
      if (startContainer(w, c) === "pulling") return;
    } else if (exitedAt(c, w.now)) {
      if (afterExit(w, c) === "pulling") return;
    } else {
      runProbes(w, c);
      wake(w, inst.exit?.at);
    }
    // A postStart hook still running holds the containers after it.
    const hold = c.current?.postStartUntil;
    if (hold !== undefined && hold > w.now && !exitedAt(c, w.now)) {
      wake(w, hold);
      return;
    }
  }
}

/** Whether nothing in the pod will run again (its phase is final). */
function finished(w: PodWork): boolean {
  const policy = specOf(w).restartPolicy ?? "Always";
  const done = (c: ContainerRuntime) => !!c.current && exitedAt(c, w.now) && !c.blocked && (policy === "Never" || (policy === "OnFailure" && c.current.exit!.code === 0 && !c.current.stopping));
  const mains = w.rec.containers.filter((c) => !c.init);
  const initFailed = policy === "Never" && w.rec.containers.some((c) => c.init && !isSidecar(w, c) && c.current && exitedAt(c, w.now) && c.current.exit!.code !== 0);
  return initFailed || (mains.length > 0 && mains.every(done));
}

/**
 * The runtime state of `pod`: stored, adopted from a running pod's status, or new; with what it was
 * before this pass changes it (undefined for a new one), to tell whether it needs writing.
 */
function loadRecord(ctx: ControllerContext, pod: KubeObject, node: string): { rec: PodRuntime; base: PodRuntime | undefined } {
  const stored = ctx.get(CONTAINERS, pod.metadata.namespace ?? "default", pod.metadata.name ?? "") as PodRuntime | undefined;
  if (stored && stored.uid === podIdentity(pod)) return { rec: clonePlain(stored), base: stored };
  const adopted = adoptRecord(pod, node, ctx.now());
  if (adopted) return { rec: adopted, base: clonePlain(adopted) };
  return { rec: newRecord(pod, node, ctx.now()), base: undefined };
}

/**
 * Whether two statuses say the same, leaving out the details a status written by someone else may
 * spell differently (the bootstrap's pods, pods a test marked ready): only a change of meaning is
 * worth a write. Compared field by field: it runs for every pod on every pass that looks at it.
 */
function sameStatus(a: PodStatus | undefined, bRaw: unknown): boolean {
  const b = bRaw as PodStatus | undefined;
  if (a?.phase !== b?.phase || (a?.podIP ?? "") !== (b?.podIP ?? "") || (a?.hostIP ?? "") !== (b?.hostIP ?? "")) return false;
  return sameConditions(a?.conditions, b?.conditions) && sameContainers(a?.containerStatuses, b?.containerStatuses) && sameContainers(a?.initContainerStatuses, b?.initContainerStatuses);
}

function sameConditions(a: PodCondition[] | undefined, b: PodCondition[] | undefined): boolean {
  const x = a ?? [];
  const y = b ?? [];
  if (x.length !== y.length) return false;
  // Order does not matter; a condition type appears once.
  return x.every((c) => y.some((d) => d.type === c.type && d.status === c.status && (d.reason ?? "") === (c.reason ?? "") && (d.message ?? "") === (c.message ?? "")));
}

function sameState(x: ContainerState | undefined, y: ContainerState | undefined): boolean {
  if (x?.running || y?.running) return !!x?.running && !!y?.running;
  if (x?.terminated || y?.terminated) return !!x?.terminated && !!y?.terminated && x.terminated.exitCode === y.terminated.exitCode && x.terminated.reason === y.terminated.reason;
  if (x?.waiting || y?.waiting) return !!x?.waiting && !!y?.waiting && x.waiting.reason === y.waiting.reason && x.waiting.message === y.waiting.message;
  return true;
}

function sameContainers(a: ContainerStatus[] | undefined, b: ContainerStatus[] | undefined): boolean {
  const x = a ?? [];
  const y = b ?? [];
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) {
    const c = x[i];
    const d = y[i];
    if (c.name !== d.name || c.ready !== d.ready || (c.started ?? false) !== (d.started ?? false) || c.restartCount !== d.restartCount) return false;
    if (!sameState(c.state, d.state) || !sameState(c.lastState, d.lastState)) return false;
  }
  return true;
}

function writeStatus(ctx: ControllerContext, pod: KubeObject, status: PodStatus): void {
  shareUnchanged(status, pod.status as PodStatus | undefined);
  ctx.updateStatus(POD_TYPE, { ...pod, status }, true);
}

/** One pass of the pod worker for `pod` on `node`; returns when it wants to be woken. */
export function syncPod(ctx: ControllerContext, pod: KubeObject, node: KubeObject): number[] {
  const nodeName = node.metadata.name ?? "";
  const addresses = (node.status as { addresses?: { type: string; address: string }[] } | undefined)?.addresses ?? [];
  const { rec, base } = loadRecord(ctx, pod, nodeName);
  const w: PodWork = { ctx, now: ctx.now(), pod, rec, node: nodeName, hostIP: addresses.find((a) => a.type === "InternalIP")?.address ?? "", wakes: [] };
  const phase = (pod as Pod).status?.phase;
  if (pod.metadata.deletionTimestamp) {
    if (terminatePod(w)) {
      const status = generateStatus(w);
      if (!sameStatus(status, pod.status)) writeStatus(ctx, pod, status);
      removePod(w);
      return [];
    }
  } else if (rec.finished === undefined && phase !== "Succeeded" && phase !== "Failed") {
    if (sandboxReady(w) && initContainers(w)) mainContainers(w);
    if (finished(w) && stopSidecars(w)) {
      rec.finished = w.now;
      for (const c of rec.containers) if (c.current) foldEffects(w, c, c.current);
    }
  }
  const postStartHolds = rec.containers.some((c) => c.current?.postStartUntil !== undefined && c.current.postStartUntil > w.now && !exitedAt(c, w.now));
  // A pod worker blocked in a postStart hook reports nothing until the hook returns.
  if (!postStartHolds) {
    const status = generateStatus(w);
    if (!sameStatus(status, pod.status)) writeStatus(ctx, pod, status);
  }
  if (base === undefined || !deepEqual(rec, base)) ctx.emit({ type: "put", resource: CONTAINERS, object: rec });
  return w.wakes;
}
