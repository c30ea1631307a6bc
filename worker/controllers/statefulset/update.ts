// One pass over a StatefulSet's pods: create missing ordinals (claims first), replace failed pods,
// scale down from the highest ordinal, then roll the update revision out from the highest ordinal
// down to the partition. OrderedReady does one step at a time and waits for Running and Ready;
// Parallel acts on every ordinal at once.
// Models pkg/controller/statefulset/stateful_set_control.go updateStatefulSet / processReplica / processCondemned
import type { KubeObject } from "../../resources/types";
import type { ControllerContext } from "../types";
import { isPodAvailable, POD_TYPE, rec, specOf, statusOf } from "../workload-helpers";
import {
  applyRevision,
  claimIsStale,
  createMissingClaims,
  createPod,
  deletePod,
  identityLabels,
  inOrdinalRange,
  isRunningAndReady,
  isUnavailable,
  newStatefulSetPod,
  ordinalOf,
  podRevision,
  replicaCount,
  startOrdinal,
  syncClaimOwners,
} from "./pods";

interface Pass {
  ctx: ControllerContext;
  set: KubeObject;
  currentSet: KubeObject;
  updateSet: KubeObject;
  currentRevision: string;
  updateRevision: string;
  monotonic: boolean;
  minReadySeconds: number;
}

/** The pod for an ordinal at the right revision: below the partition it stays at the current one. */
// Models stateful_set_utils.go newVersionedStatefulSetPod
function newVersionedPod(p: Pass, ordinal: number): KubeObject {
  const strategy = rec(specOf(p.currentSet).updateStrategy);
  const ru = strategy.rollingUpdate === undefined ? undefined : rec(strategy.rollingUpdate);
  const start = startOrdinal(p.currentSet);
  const current =
    (strategy.type === "RollingUpdate" && ru === undefined && ordinal < start + Number(statusOf(p.currentSet).currentReplicas ?? 0)) ||
    (ru !== undefined && ordinal < start + Number(ru.partition ?? 0));
  return current ? newStatefulSetPod(p.currentSet, ordinal, p.currentRevision) : newStatefulSetPod(p.updateSet, ordinal, p.updateRevision);
}

/** Returns true when this pass must stop here (OrderedReady waits on this replica). */
function processReplica(p: Pass, replicas: (KubeObject | undefined)[], i: number): boolean {
  const { ctx, set } = p;
  const ordinal = startOrdinal(set) + i;
  const pod = replicas[i];
  if (pod) {
    const phase = String(rec(pod.status).phase ?? "");
    // A finished pod is replaced whatever its exit code: the set always wants it running.
    if (phase === "Failed" || phase === "Succeeded") {
      deletePod(ctx, set, pod);
      return true;
    }
  } else {
    if (claimIsStale(ctx, set, ordinal)) return true;
    const next = newVersionedPod(p, ordinal);
    if (!createMissingClaims(ctx, set, next)) return true;
    replicas[i] = createPod(ctx, set, next);
    return p.monotonic;
  }
  if (rec(pod.status).phase === "Pending") createMissingClaims(ctx, set, pod);
  if (pod.metadata.deletionTimestamp) return p.monotonic;
  if (!isRunningAndReady(pod)) return p.monotonic;
  if (!isPodAvailable(pod, p.minReadySeconds, ctx.now())) return p.monotonic;
  syncClaimOwners(ctx, p.updateSet, pod);
  const labels = identityLabels(pod);
  if (labels) ctx.update(POD_TYPE, { ...structuredClone(pod), metadata: { ...structuredClone(pod.metadata), labels } });
  return false;
}

function processCondemned(p: Pass, pod: KubeObject, firstUnhealthy: KubeObject | undefined): boolean {
  if (pod.metadata.deletionTimestamp) return p.monotonic;
  if (p.monotonic && pod !== firstUnhealthy && isUnavailable(pod, p.minReadySeconds, p.ctx.now())) return true;
  deletePod(p.ctx, p.set, pod);
  return true;
}

export function updateStatefulSet(ctx: ControllerContext, set: KubeObject, currentRevision: KubeObject, updateRevision: KubeObject, pods: KubeObject[]): void {
  if (set.metadata.deletionTimestamp) return;
  const spec = specOf(set);
  const p: Pass = {
    ctx,
    set,
    currentSet: applyRevision(set, currentRevision),
    updateSet: applyRevision(set, updateRevision),
    currentRevision: currentRevision.metadata.name ?? "",
    updateRevision: updateRevision.metadata.name ?? "",
    monotonic: spec.podManagementPolicy !== "Parallel",
    minReadySeconds: Number(spec.minReadySeconds ?? 0),
  };
  const start = startOrdinal(set);
  const replicas: (KubeObject | undefined)[] = new Array(replicaCount(set)).fill(undefined);
  const condemned: KubeObject[] = [];
  for (const pod of pods) {
    if (inOrdinalRange(set, pod)) replicas[ordinalOf(pod) - start] = pod;
    else if (ordinalOf(pod) >= 0) condemned.push(pod);
  }
  // Scale down from the highest ordinal.
  condemned.sort((a, b) => ordinalOf(b) - ordinalOf(a));
  const now = ctx.now();
  const firstUnhealthy = replicas.find((r) => isUnavailable(r, p.minReadySeconds, now)) ?? [...condemned].reverse().find((c) => isUnavailable(c, p.minReadySeconds, now));

  let stop = false;
  for (let i = 0; i < replicas.length; i++) {
    if (processReplica(p, replicas, i) && p.monotonic) {
      stop = true;
      break;
    }
  }
  if (stop) return;
  for (const c of condemned) syncClaimOwners(ctx, p.updateSet, c);
  for (const c of condemned) {
    if (processCondemned(p, c, firstUnhealthy) && p.monotonic) return;
  }
  if (condemned.length && !p.monotonic) return;
  if (rec(spec.updateStrategy).type === "OnDelete") return;

  // Roll the update out from the highest ordinal down to the partition, one pod at a time,
  // waiting for each replacement to be Running and Ready.
  const partition = Number(rec(rec(spec.updateStrategy).rollingUpdate).partition ?? 0);
  for (let target = replicas.length - 1; target >= partition && target >= 0; target--) {
    const pod = replicas[target];
    if (pod && podRevision(pod) !== p.updateRevision && !pod.metadata.deletionTimestamp) {
      deletePod(ctx, set, pod);
      return;
    }
    if (isUnavailable(pod, p.minReadySeconds, now)) return;
  }
}
