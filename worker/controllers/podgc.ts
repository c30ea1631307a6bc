// The pod garbage collector: pods bound to nodes that no longer exist are marked Failed and
// force-deleted (terminating ones included) once the node has stayed missing through a 40 s
// quarantine (a wake-up, not at once: a node re-created in time keeps its pods); unscheduled pods
// being deleted are force-deleted; and terminated pods beyond a threshold are deleted, oldest first.
// When a node was first seen missing is kept in memory, as upstream's delaying queue keeps it: after
// a restart the quarantine starts again.
// Models pkg/controller/podgc/gc_controller.go gc / gcOrphaned (quarantineTime) / discoverDeletedNodes /
// gcUnscheduledTerminating / gcTerminated
import type { KubeObject } from "../resources/types";
import type { Sidecar } from "../store/sidecar";
import type { Controller, ControllerContext } from "./types";
import { list, parseTime, podPhase, POD_TYPE, specOf, statusOf } from "./workload-helpers";

/** kube-controller-manager's --terminated-pod-gc-threshold default. */
export const TERMINATED_POD_GC_THRESHOLD = 12500;

/** How long a node must stay missing before its pods are deleted (gc_controller.go quarantineTime). */
export const QUARANTINE_MS = 40_000;

/** Epoch ms when each missing node was first seen missing, per sandbox. */
const missingNodes = (): Sidecar<Map<string, number>> => ({ value: new Map(), unsubscribe() {} });

function isTerminated(pod: KubeObject): boolean {
  const phase = podPhase(pod);
  return phase !== "Pending" && phase !== "Running" && phase !== "Unknown";
}

function isEvicted(pod: KubeObject): boolean {
  return podPhase(pod) === "Failed" && statusOf(pod).reason === "Evicted";
}

/** Evicted pods first, then oldest. Models gc_controller.go byEvictionAndCreationTimestamp */
function byEvictionAndCreation(a: KubeObject, b: KubeObject): number {
  if (isEvicted(a) !== isEvicted(b)) return isEvicted(a) ? -1 : 1;
  const ta = parseTime(a.metadata.creationTimestamp) ?? 0;
  const tb = parseTime(b.metadata.creationTimestamp) ?? 0;
  return ta - tb || (a.metadata.name ?? "").localeCompare(b.metadata.name ?? "");
}

/** Already deleted with no grace period, waiting for its finalizers. */
function forceDeleted(pod: KubeObject): boolean {
  return !!pod.metadata.deletionTimestamp && !!(pod.metadata.finalizers ?? []).length && !pod.metadata.deletionGracePeriodSeconds;
}

/**
 * Marks the pod Failed (nothing else will, with no kubelet behind it) and deletes it with no grace
 * period. Skipped when that would change nothing, so passes settle.
 * Models gc_controller.go markFailedAndDeletePodWithCondition
 */
function markFailedAndDelete(ctx: ControllerContext, pod: KubeObject, condition?: Record<string, unknown>): void {
  if (forceDeleted(pod)) return;
  let current = pod;
  if (!isTerminated(pod)) {
    const status: Record<string, unknown> = { ...statusOf(pod), phase: "Failed" };
    if (condition) {
      const now = ctx.nowRfc3339();
      const others = list(status.conditions).filter((c) => c.type !== condition.type);
      status.conditions = [...others, { ...condition, lastProbeTime: null, lastTransitionTime: now }];
    }
    current = ctx.updateStatus(POD_TYPE, { ...pod, status }) ?? pod;
  }
  ctx.delete(POD_TYPE, current, { gracePeriodSeconds: 0, propagationPolicy: "Background" });
}

export function podGcController(threshold = TERMINATED_POD_GC_THRESHOLD): Controller {
  return (ctx) => {
    const nodes = new Set(ctx.list("/nodes").map((n) => n.metadata.name));
    const pods = ctx.list("/pods");
    const terminated: KubeObject[] = [];
    const quarantine = ctx.sidecar(missingNodes);
    const missing = new Set<string>();
    const now = ctx.now();
    for (const pod of pods) {
      const nodeName = specOf(pod).nodeName;
      if (typeof nodeName === "string" && nodeName && !nodes.has(nodeName)) {
        if (forceDeleted(pod)) continue;
        missing.add(nodeName);
        const since = quarantine.get(nodeName) ?? now;
        quarantine.set(nodeName, since);
        if (now < since + QUARANTINE_MS) ctx.requeueAt(since + QUARANTINE_MS);
        else markFailedAndDelete(ctx, pod, { type: "DisruptionTarget", status: "True", reason: "DeletionByPodGC", message: "PodGC: node no longer exists" });
      } else if (pod.metadata.deletionTimestamp && !nodeName) {
        markFailedAndDelete(ctx, pod);
      } else if (isTerminated(pod) && !pod.metadata.deletionTimestamp) terminated.push(pod);
    }
    // A node that is back, or has no pods left, leaves the quarantine.
    for (const name of quarantine.keys()) if (!missing.has(name)) quarantine.delete(name);
    const excess = terminated.length - threshold;
    if (excess <= 0) return;
    for (const pod of terminated.sort(byEvictionAndCreation).slice(0, excess)) markFailedAndDelete(ctx, pod);
  };
}

export const podGc: Controller = podGcController();

