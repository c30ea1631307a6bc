// The scheduler (kube-scheduler's default profile) as a level-triggered controller. Each pass takes
// the unbound pods addressed to `default-scheduler`, highest priority first, and runs the plugins
// in plugins/ over a snapshot of the nodes: a fitting pod is bound through the same code as the
// pods/binding subresource (PodScheduled=True, event Scheduled); a pod that fits nowhere may preempt
// lower-priority pods (DefaultPreemption), and gets PodScheduled=False/Unschedulable and a
// FailedScheduling event with upstream's FitError wording. Re-evaluating an unschedulable pod costs
// no write while its message is unchanged, so retries happen when something relevant changed (a
// node labelled, added, untainted; a pod deleted), after the upstream backoff; and, as the queue
// flushes pods left unschedulable for 5 minutes, an unchanged failure is recorded again (the event
// aggregated: count and lastTimestamp move) 5 minutes after the last one, so its event never expires
// while the pod stays Pending. A settled sandbox with a Pending pod wakes once per 5 minutes.
//
// Implemented: NodeUnschedulable, NodeName, TaintToleration, NodeAffinity, NodePorts,
// NodeResourcesFit (LeastAllocated), NodeResourcesBalancedAllocation, VolumeBinding,
// PodTopologySpread (with the cluster default constraints), InterPodAffinity, ImageLocality,
// PrioritySort, DefaultPreemption, scheduling gates, the percentage of nodes to score.
// Not implemented: other profiles and schedulerName values (such pods are left alone), extenders,
// VolumeRestrictions/NodeVolumeLimits/VolumeZone, dynamic resources, retries on a relevant change
// that leaves the failure message as it was (they would only repeat the event), and the volume bind
// timeout.
import { boundPod } from "../api/binding";
import type { ControllerContext } from "../controllers/types";
import type { ObjectStore } from "../store/object-store";
import type { Sidecar } from "../store/sidecar";
import { findKind } from "../resources/registry";
import type { KubeObject } from "../resources/types";
import { updateCondition } from "../util/pod-condition";
import { fitErrorMessage, schedulePod } from "./framework";
import { awaitingVolumes, SELECTED_NODE, volumeDecisions, type VolumeDecision } from "./plugins/volume-binding";
import { preempt, type PreemptionResult } from "./preemption";
import { backoffUntil, failureHistory, needsScheduling, queueOrder, UNSCHEDULABLE_FLUSH_MS, type Attempts } from "./queue";
import { addPod, buildSnapshot, DEFAULT_SCHEDULER, newPodInfo, removePod } from "./snapshot";
import type { PodInfo, Snapshot } from "./types";
import { arr, rec } from "./util";

const POD = findKind({ group: "", version: "v1", kind: "Pod" })!;
const PVC = findKind({ group: "", version: "v1", kind: "PersistentVolumeClaim" })!;
const PV = findKind({ group: "", version: "v1", kind: "PersistentVolume" })!;
const EVENT = findKind({ group: "", version: "v1", kind: "Event" })!;

export const GATED_MESSAGE = "Scheduling is blocked due to non-empty scheduling gates";

export function schedulerController(ctx: ControllerContext): void {
  const pods = ctx.list("/pods");
  const pending = pods.filter(needsScheduling);
  if (pending.length === 0) return;
  pending.sort(queueOrder);
  let snapshot: Snapshot | undefined;
  let history: Map<string, Attempts> | undefined;
  for (const pod of pending) {
    if (arr(rec(pod.spec).schedulingGates).length) {
      setUnschedulable(ctx, pod, "SchedulingGated", GATED_MESSAGE, rec(pod.status).nominatedNodeName as string | undefined);
      continue;
    }
    snapshot ??= buildSnapshot(ctx, pods);
    if (awaitingVolumes(snapshot, pod)) continue;
    history ??= failureHistory(ctx);
    const attempts = history.get(pod.metadata.uid ?? "");
    if (attempts && backoffUntil(attempts) > ctx.now()) {
      whileBackingOff(ctx, snapshot, pod, attempts, pending.length);
      continue;
    }
    scheduleOne(ctx, snapshot, pod, attempts);
  }
}

/**
 * A pod waiting out its backoff is tried when the backoff ends only if the cluster changed in a way
 * that matters to it (it would now fit, or fail differently) — upstream's move to the backoff queue
 * on a cluster event; otherwise it stays unschedulable until the 5-minute flush. Tried here without
 * writing, and without moving where the next pod's node search starts.
 */
function whileBackingOff(ctx: ControllerContext, snapshot: Snapshot, pod: KubeObject, attempts: Attempts, pendingCount: number): void {
  // Nothing stored has changed since this pod was last looked at: the answer is the same.
  const seen = ctx.sidecar(clusterChanges);
  const uid = pod.metadata.uid ?? "";
  const memo = seen.looked.get(uid);
  if (memo && memo.version === seen.version && memo.last === attempts.last) {
    ctx.requeueAt(memo.at);
    return;
  }
  const start = snapshot.nextStartNodeIndex;
  const info = newPodInfo(pod);
  const result = schedulePod(snapshot, info);
  let changed = "node" in result;
  if (!("node" in result)) {
    const pre = preempt(result.state, result.diagnosis, ctx.list("policy/poddisruptionbudgets"));
    const condition = arr(rec(pod.status).conditions).find((c) => c.type === "PodScheduled");
    changed = !!pre.candidate || condition?.message !== fitErrorMessage(snapshot.nodes.length, result.diagnosis, pre.message);
  }
  snapshot.nextStartNodeIndex = start;
  const at = changed ? backoffUntil(attempts) : attempts.last + UNSCHEDULABLE_FLUSH_MS;
  // Entries of pods long gone are dropped now and then; never below what the pending pods need.
  if (seen.looked.size > 2 * pendingCount + 1024) seen.looked.clear();
  seen.looked.set(uid, { version: seen.version, last: attempts.last, at });
  ctx.requeueAt(at);
}

/**
 * A count of the store's changes that can matter to scheduling (anything but Events and the
 * sandbox's internal records), and what a backing-off pod's look found at a given count: a pass in
 * which nothing changed (a wake-up, another controller's pass) does not filter every pending pod again.
 */
interface ClusterChanges {
  version: number;
  looked: Map<string, { version: number; last: number; at: number }>;
}

function clusterChanges(store: ObjectStore): Sidecar<ClusterChanges> {
  const value: ClusterChanges = { version: 0, looked: new Map() };
  const unsubscribe = store.subscribe((e) => {
    if (e.resource !== "/events" && e.resource !== "events.k8s.io/events" && !e.resource.startsWith("kubeplay.internal/")) value.version++;
  });
  return { value, unsubscribe };
}

function scheduleOne(ctx: ControllerContext, snapshot: Snapshot, pod: KubeObject, attempts: Attempts | undefined): void {
  const info = newPodInfo(pod);
  const result = schedulePod(snapshot, info);
  if ("node" in result) {
    const decisions = volumeDecisions(result.state, result.node);
    if (decisions.length) {
      // PreBind: the pod is bound once its volumes are (by the volume controllers).
      for (const d of decisions) writeVolumeDecision(ctx, d);
      return;
    }
    bind(ctx, snapshot, info, result.node.name);
    return;
  }
  const pre = preempt(result.state, result.diagnosis, ctx.list("policy/poddisruptionbudgets"));
  const message = fitErrorMessage(snapshot.nodes.length, result.diagnosis, pre.message);
  const current = rec(pod.status).nominatedNodeName;
  const nominated = pre.candidate?.node ?? (pre.clearNomination || typeof current !== "string" ? undefined : current);
  if (setUnschedulable(ctx, pod, "Unschedulable", message, nominated)) {
    if (pre.candidate) evictVictims(ctx, snapshot, info, pre.candidate);
  } else if (attempts && ctx.now() < attempts.last + UNSCHEDULABLE_FLUSH_MS) {
    // Unchanged since the last recorded attempt: left unschedulable until the flush.
    ctx.requeueAt(attempts.last + UNSCHEDULABLE_FLUSH_MS);
    return;
  }
  ctx.event(pod, "Warning", "FailedScheduling", message, DEFAULT_SCHEDULER);
}

function bind(ctx: ControllerContext, snapshot: Snapshot, info: PodInfo, nodeName: string): void {
  const bound = boundPod(info.pod, nodeName, undefined, ctx.nowRfc3339());
  ctx.emit({ type: "put", resource: "/pods", object: bound });
  scheduledEvent(ctx, bound, `Successfully assigned ${info.namespace}/${info.name} to ${nodeName}`);
  // Assume the pod on its node for the rest of this pass, as the scheduler cache does.
  const node = snapshot.byName.get(nodeName);
  if (node) addPod(node, newPodInfo(bound));
  for (const [n, list] of snapshot.nominated) snapshot.nominated.set(n, list.filter((p) => p.uid !== info.uid));
}

/**
 * The Scheduled event. A pod is bound once, so there is never an identical earlier event to
 * aggregate with, and skipping that search keeps binding thousands of pods in one pass linear.
 * Same shape as ControllerContext.event.
 */
function scheduledEvent(ctx: ControllerContext, pod: KubeObject, message: string): void {
  const now = ctx.nowRfc3339();
  const m = pod.metadata;
  const nanos = BigInt(Math.floor(ctx.now())) * 1_000_000n + BigInt(ctx.rng.int(0, 999_999));
  ctx.create(EVENT, {
    apiVersion: "v1",
    kind: "Event",
    metadata: { name: `${m.name}.${nanos.toString(16)}`, namespace: m.namespace },
    involvedObject: { kind: "Pod", namespace: m.namespace, name: m.name, uid: m.uid, apiVersion: "v1", resourceVersion: m.resourceVersion },
    reason: "Scheduled",
    message,
    source: { component: DEFAULT_SCHEDULER },
    firstTimestamp: now,
    lastTimestamp: now,
    count: 1,
    type: "Normal",
    eventTime: null,
    reportingComponent: DEFAULT_SCHEDULER,
    reportingInstance: "",
  });
}

/** Writes PodScheduled=False (and the nomination) unless it already says exactly that; returns whether it wrote. */
function setUnschedulable(ctx: ControllerContext, pod: KubeObject, reason: string, message: string, nominated: string | undefined): boolean {
  const status = structuredClone(rec(pod.status));
  const changed = updateCondition(status, { type: "PodScheduled", status: "False", reason, message, lastProbeTime: null }, ctx.nowRfc3339());
  const nominationChanged = (status.nominatedNodeName ?? undefined) !== nominated;
  if (!changed && !nominationChanged) return false;
  if (nominated) status.nominatedNodeName = nominated;
  else delete status.nominatedNodeName;
  ctx.updateStatus(POD, { ...pod, status });
  return true;
}

// Models preemption.go prepareCandidate: mark and delete each victim, then drop the nominations of
// lower-priority pods on that node (they may no longer fit there).
function evictVictims(ctx: ControllerContext, snapshot: Snapshot, pod: PodInfo, cand: NonNullable<PreemptionResult["candidate"]>): void {
  const node = snapshot.byName.get(cand.node);
  for (const v of cand.victims) {
    const current = ctx.get("/pods", v.namespace, v.name);
    if (!current) continue;
    const status = structuredClone(rec(current.status));
    const cond = { type: "DisruptionTarget", status: "True", reason: "PreemptionByScheduler", message: `${DEFAULT_SCHEDULER}: preempting to accommodate a higher priority pod` };
    const marked = updateCondition(status, cond, ctx.nowRfc3339()) ? (ctx.updateStatus(POD, { ...current, status }) ?? current) : current;
    ctx.delete(POD, marked);
    ctx.event(current, "Normal", "Preempted", `Preempted by pod ${pod.uid} on node ${cand.node}`, DEFAULT_SCHEDULER);
    if (node && !ctx.get("/pods", v.namespace, v.name)) removePod(node, v);
  }
  for (const other of snapshot.nominated.get(cand.node) ?? []) {
    if (other.priority >= pod.priority || other.uid === pod.uid) continue;
    const current = ctx.get("/pods", other.namespace, other.name);
    if (!current) continue;
    const status = structuredClone(rec(current.status));
    delete status.nominatedNodeName;
    ctx.updateStatus(POD, { ...current, status });
  }
  const list = (snapshot.nominated.get(cand.node) ?? []).filter((p) => p.priority >= pod.priority && p.uid !== pod.uid);
  snapshot.nominated.set(cand.node, [...list, pod]);
}

function writeVolumeDecision(ctx: ControllerContext, d: VolumeDecision): void {
  if (d.type === "select-node") {
    const pvc = structuredClone(d.pvc);
    pvc.metadata.annotations = { ...(pvc.metadata.annotations ?? {}), [SELECTED_NODE]: d.node };
    ctx.update(PVC, pvc);
    return;
  }
  const pv = structuredClone(d.pv);
  const m = d.pvc.metadata;
  (pv.spec as Record<string, unknown>).claimRef = { kind: "PersistentVolumeClaim", namespace: m.namespace, name: m.name, uid: m.uid, apiVersion: "v1", resourceVersion: m.resourceVersion };
  pv.metadata.annotations = { ...(pv.metadata.annotations ?? {}), "pv.kubernetes.io/bound-by-controller": "yes" };
  ctx.update(PV, pv);
}
