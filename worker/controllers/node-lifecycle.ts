// The node lifecycle controller: node health from kubelet heartbeats, and the taints that follow
// from a node's conditions. Heartbeats are not simulated (see node-lease.ts); a kubelet's liveness is
// read from the simulated machine instead, and only transitions are written: the grace period
// (node-monitor-grace.ts: 50 s unless kube-controller-manager's manifest says otherwise) after a kubelet
// stops, the node's conditions go Unknown ("Kubelet stopped posting node status."), its pods stop
// being Ready, and it is tainted node.kubernetes.io/unreachable (NoSchedule and NoExecute, which the
// taint eviction controller acts on). When the kubelet runs again it posts Ready status and the
// taints go. Cordoned nodes carry node.kubernetes.io/unschedulable:NoSchedule. When every node is
// down, or most of a small zone, no NoExecute taints are added (and with every node down, those
// there are removed), so nothing is evicted, as upstream's disruption modes do.
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

/**
 * What a zone's health lets the controller do with NoExecute taints (which evict): add them as nodes
 * go NotReady ("evict"); add no new ones while most of a small zone is down ("hold"); or, when every
 * node of every zone is down, take them all away ("none" — the control plane more likely lost its
 * view of the nodes than the nodes all failed at once).
 */
type EvictionMode = "evict" | "hold" | "none";

/** Nodes in a zone of up to this many see no evictions while partially disrupted (--large-cluster-size-threshold). */
const LARGE_CLUSTER_THRESHOLD = 50;
/** The share of NotReady nodes (more than 2) that makes a zone partially disrupted (--unhealthy-zone-threshold). */
const UNHEALTHY_ZONE_THRESHOLD = 0.55;

// Models node_lifecycle_controller.go ComputeZoneState and handleDisruption, and
// pkg/util/node GetZoneKey (region and zone labels; nodes without them share one zone).
function evictionModes(nodes: KubeObject[]): Map<string, EvictionMode> {
  const zoneOf = (n: KubeObject) => {
    const l = n.metadata.labels ?? {};
    return `${l["topology.kubernetes.io/region"] ?? l["failure-domain.beta.kubernetes.io/region"] ?? ""}:\x00:${l["topology.kubernetes.io/zone"] ?? l["failure-domain.beta.kubernetes.io/zone"] ?? ""}`;
  };
  const zones = new Map<string, { ready: number; notReady: number; nodes: string[] }>();
  for (const n of nodes) {
    const z = zones.get(zoneOf(n)) ?? { ready: 0, notReady: 0, nodes: [] };
    zones.set(zoneOf(n), z);
    if (getCondition(n.status, "Ready")?.status === "True") z.ready++;
    else z.notReady++;
    z.nodes.push(n.metadata.name ?? "");
  }
  const full = (z: { ready: number; notReady: number }) => z.ready === 0 && z.notReady > 0;
  const allDown = zones.size > 0 && [...zones.values()].every(full);
  const out = new Map<string, EvictionMode>();
  for (const z of zones.values()) {
    const partial = !full(z) && z.notReady > 2 && z.notReady / (z.notReady + z.ready) >= UNHEALTHY_ZONE_THRESHOLD;
    // A fully disrupted zone beside healthy ones keeps evicting (at the primary rate); a partially
    // disrupted small zone's secondary rate is 0.
    const mode: EvictionMode = allDown ? "none" : partial && z.nodes.length <= LARGE_CLUSTER_THRESHOLD ? "hold" : "evict";
    for (const name of z.nodes) out.set(name, mode);
  }
  return out;
}

// Models controller_utils.go SwapNodeControllerTaint: keep what still applies, drop the rest, add
// the new ones with the time they were added.
function syncTaints(ctx: ControllerContext, node: KubeObject, mode: EvictionMode): void {
  const current = list<Taint & { timeAdded?: string }>(rec(node.spec).taints);
  const same = (a: Taint, b: Taint) => a.key === b.key && a.effect === b.effect;
  const want = conditionTaints(node).filter(
    (t) => t.effect !== "NoExecute" || mode === "evict" || (mode === "hold" && current.some((c) => same(c, t))),
  );
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
    if (!node.metadata.deletionTimestamp) syncHealth(ctx, node);
  }
  // Health first, then the taints, which depend on how every zone is doing.
  const nodes = ctx.list("/nodes");
  const modes = evictionModes(nodes);
  for (const node of nodes) if (!node.metadata.deletionTimestamp) syncTaints(ctx, node, modes.get(node.metadata.name ?? "") ?? "evict");
  // A deleted node's machine goes with it.
  for (const m of ctx.list(MACHINES)) if (!names.has(m.metadata.name ?? "")) ctx.emit({ type: "delete", resource: MACHINES, object: m });
}
