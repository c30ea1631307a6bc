// The node lifecycle controller: node health from kubelet heartbeats, and the taints that follow
// from a node's conditions. Heartbeats are not simulated (see node-lease.ts); a kubelet's liveness is
// read from the simulated machine instead, and only transitions are written: the grace period
// (node-monitor-grace.ts: 50 s unless kube-controller-manager's manifest says otherwise) after a kubelet
// stops, the node's conditions go Unknown ("Kubelet stopped posting node status."), its pods stop
// being Ready, and it is tainted node.kubernetes.io/unreachable (NoSchedule and NoExecute, which the
// taint eviction controller acts on). When the kubelet runs again it posts Ready status and the
// taints go. Cordoned nodes carry node.kubernetes.io/unschedulable:NoSchedule.
// Models pkg/controller/nodelifecycle/node_lifecycle_controller.go tryUpdateNodeHealth,
// doNoScheduleTaintingPass, doNoExecuteTaintingPass and pkg/controller/util/node/controller_utils.go
// MarkPodsNotReady, RecordNodeStatusChange
import type { Taint } from "./node-predicates";
import { findKind } from "../resources/registry";
import type { KubeObject } from "../resources/types";
import { nodeConditions } from "../sandbox/bootstrap";
import { kubeletStoppedAt, MACHINES } from "../sandbox/machines";
import { deepEqual } from "../util/equal";
import { getCondition, updateCondition, type Condition } from "../util/pod-condition";
import type { ControllerContext } from "./types";
import { nodeStatusEvent } from "./node-kubelet-events";
import { nodeMonitorGraceMs } from "./node-monitor-grace";
import { list, parseTime, rec } from "./workload-helpers";

const NODE = findKind({ group: "", version: "v1", kind: "Node" })!;
const POD = findKind({ group: "", version: "v1", kind: "Pod" })!;
const COMPONENT = "node-controller";

const KUBELET_CONDITIONS = ["MemoryPressure", "DiskPressure", "PIDPressure", "Ready"];

// Models node_lifecycle_controller.go nodeConditionToTaintKeyStatusMap
const NO_SCHEDULE_TAINTS: Record<string, Record<string, string>> = {
  Ready: { False: "node.kubernetes.io/not-ready", Unknown: "node.kubernetes.io/unreachable" },
  MemoryPressure: { True: "node.kubernetes.io/memory-pressure" },
  DiskPressure: { True: "node.kubernetes.io/disk-pressure" },
  NetworkUnavailable: { True: "node.kubernetes.io/network-unavailable" },
  PIDPressure: { True: "node.kubernetes.io/pid-pressure" },
};
const UNSCHEDULABLE = "node.kubernetes.io/unschedulable";
const MANAGED_KEYS = new Set([...Object.values(NO_SCHEDULE_TAINTS).flatMap((m) => Object.values(m)), UNSCHEDULABLE]);

/** The taints this controller keeps on a node, from its conditions and spec.unschedulable. */
export function conditionTaints(node: KubeObject): Taint[] {
  const out: Taint[] = [];
  for (const c of list<Condition>(rec(node.status).conditions)) {
    const key = NO_SCHEDULE_TAINTS[c.type]?.[c.status];
    if (key) out.push({ key, effect: "NoSchedule" });
  }
  if (rec(node.spec).unschedulable === true) out.push({ key: UNSCHEDULABLE, effect: "NoSchedule" });
  const ready = getCondition(node.status, "Ready")?.status;
  if (ready === "False") out.push({ key: "node.kubernetes.io/not-ready", effect: "NoExecute" });
  if (ready === "Unknown") out.push({ key: "node.kubernetes.io/unreachable", effect: "NoExecute" });
  return out;
}

// Models controller_utils.go SwapNodeControllerTaint: keep what still applies, drop the rest, add
// the new ones with the time they were added.
function syncTaints(ctx: ControllerContext, node: KubeObject): void {
  const want = conditionTaints(node);
  const current = list<Taint & { timeAdded?: string }>(rec(node.spec).taints);
  const same = (a: Taint, b: Taint) => a.key === b.key && a.effect === b.effect;
  const kept = current.filter((t) => !MANAGED_KEYS.has(t.key) || want.some((w) => same(w, t)));
  const added = want.filter((w) => !current.some((t) => same(w, t))).map((t) => ({ ...t, timeAdded: ctx.nowRfc3339() }));
  if (kept.length === current.length && added.length === 0) return;
  const taints = [...kept, ...added];
  const next = structuredClone(node);
  const spec = rec(next.spec);
  if (taints.length) spec.taints = taints;
  else delete spec.taints;
  next.spec = spec;
  ctx.update(NODE, next);
}

function podsOn(ctx: ControllerContext, node: string): KubeObject[] {
  return ctx.list("/pods").filter((p) => rec(p.spec).nodeName === node);
}

// Models controller_utils.go MarkPodsNotReady
function markPodsNotReady(ctx: ControllerContext, node: string): void {
  for (const pod of podsOn(ctx, node)) {
    const ready = getCondition(pod.status, "Ready");
    if (!ready || ready.status === "False") continue;
    const status = structuredClone(rec(pod.status));
    updateCondition(status, { ...ready, status: "False" }, ctx.nowRfc3339());
    ctx.updateStatus(POD, { ...pod, status });
    ctx.event(pod, "Warning", "NodeNotReady", "Node is not ready", COMPONENT);
  }
}

// Models node_lifecycle_controller.go tryUpdateNodeHealth: every kubelet condition goes Unknown.
function markUnknown(ctx: ControllerContext, node: KubeObject, neverPosted: boolean): void {
  const now = ctx.nowRfc3339();
  const status = structuredClone(rec(node.status));
  const conditions = list<Condition>(status.conditions).map((c) => ({ ...c }));
  for (const type of KUBELET_CONDITIONS) {
    const c = conditions.find((x) => x.type === type);
    if (!c) {
      const heartbeat = node.metadata.creationTimestamp;
      conditions.push({ type, status: "Unknown", lastHeartbeatTime: heartbeat, lastTransitionTime: now, reason: "NodeStatusNeverUpdated", message: "Kubelet never posted node status." });
    } else if (c.status !== "Unknown") {
      Object.assign(c, { status: "Unknown", reason: "NodeStatusUnknown", message: "Kubelet stopped posting node status.", lastTransitionTime: now });
    }
  }
  status.conditions = conditions;
  const updated = ctx.updateStatus(NODE, { ...node, status });
  ctx.event(updated ?? node, "Normal", "NodeNotReady", `Node ${node.metadata.name} status is now: NodeNotReady`, COMPONENT);
  if (!neverPosted) markPodsNotReady(ctx, node.metadata.name ?? "");
}

/** The kubelet is back: it posts its conditions with a fresh heartbeat. */
function markReady(ctx: ControllerContext, node: KubeObject): void {
  const now = ctx.nowRfc3339();
  const status = structuredClone(rec(node.status));
  const fresh = nodeConditions(now) as Condition[];
  const others = list<Condition>(status.conditions).filter((c) => !KUBELET_CONDITIONS.includes(c.type));
  status.conditions = [...others];
  for (const c of fresh) {
    const old = getCondition(node.status, c.type);
    const lastTransitionTime = old && old.status === c.status ? old.lastTransitionTime : now;
    (status.conditions as Condition[]).push({ ...c, lastTransitionTime });
  }
  if (deepEqual(status, rec(node.status))) return;
  ctx.updateStatus(NODE, { ...node, status });
  // The kubelet's own pod sync reports its pods' readiness again.
  nodeStatusEvent(ctx, node.metadata.name ?? "", "NodeReady");
}

function syncHealth(ctx: ControllerContext, node: KubeObject): void {
  const name = node.metadata.name ?? "";
  const stoppedAt = kubeletStoppedAt(ctx, name);
  const ready = getCondition(node.status, "Ready");
  if (stoppedAt === undefined) {
    // Registration fills in a node without conditions; a known one that was Unknown heals.
    if (ready && ready.status === "Unknown") markReady(ctx, node);
    return;
  }
  const lastHeard = ready ? stoppedAt : (parseTime(node.metadata.creationTimestamp) ?? stoppedAt);
  const deadline = lastHeard + nodeMonitorGraceMs(ctx);
  if (ctx.now() < deadline) {
    ctx.requeueAt(deadline);
    return;
  }
  if (!ready || ready.status !== "Unknown") markUnknown(ctx, node, !ready);
}

export function nodeLifecycleController(ctx: ControllerContext): void {
  const names = new Set<string>();
  for (const node of ctx.list("/nodes")) {
    names.add(node.metadata.name ?? "");
    if (node.metadata.deletionTimestamp) continue;
    syncHealth(ctx, node);
    syncTaints(ctx, ctx.get("/nodes", "", node.metadata.name ?? "") ?? node);
  }
  // A deleted node's machine goes with it.
  for (const m of ctx.list(MACHINES)) if (!names.has(m.metadata.name ?? "")) ctx.emit({ type: "delete", resource: MACHINES, object: m });
}
