// The events a kubelet records about its own Node. The kubelet's reference to its node carries the
// node's name as its uid (kubectl describe node looks events up both ways). At start — the first
// registration, and every `systemctl start kubelet` — it records "Starting kubelet.", the pressure
// conditions it finds ("Node k8s-node1 status is now: NodeHasSufficientMemory", …) and the node
// allocatable enforcement; and whenever it sees spec.unschedulable change (a cordon, an uncordon; at
// start it assumes schedulable) NodeNotSchedulable or NodeSchedulable. A start not yet reported and
// the unschedulable state last reported are kept on the node's machine (`started`,
// `reportedUnschedulable`), so each is recorded once.
// Models pkg/kubelet/kubelet.go (StartingKubelet), kubelet_node_status.go recordNodeStatusEvent /
// recordNodeSchedulableEvent, pkg/kubelet/nodestatus/setters.go MemoryPressureCondition /
// DiskPressureCondition / PIDPressureCondition and pkg/kubelet/cm/node_container_manager_linux.go
import type { KubeObject } from "../resources/types";
import { machineOf, type Machine } from "../kubelet/machine";
import { MACHINES } from "../sandbox/machines";
import type { ControllerContext, EventType } from "./types";
import { rec } from "./workload-helpers";

/** The kubelet's nodeRef: kind Node, the node's name, and the name again as uid. */
function nodeRef(node: string): KubeObject {
  return { apiVersion: "v1", kind: "Node", metadata: { name: node, uid: node } };
}

export function kubeletNodeEvent(ctx: ControllerContext, node: string, type: EventType, reason: string, message: string): void {
  ctx.event(nodeRef(node), type, reason, message, "kubelet", { host: node });
}

/** `Node <name> status is now: <event>` (kubelet_node_status.go recordNodeStatusEvent). */
export function nodeStatusEvent(ctx: ControllerContext, node: string, event: string): void {
  kubeletNodeEvent(ctx, node, "Normal", event, `Node ${node} status is now: ${event}`);
}

/** What a kubelet records as it starts on its node. */
export function recordKubeletStart(ctx: ControllerContext, node: string): void {
  kubeletNodeEvent(ctx, node, "Normal", "Starting", "Starting kubelet.");
  for (const event of ["NodeHasSufficientMemory", "NodeHasNoDiskPressure", "NodeHasSufficientPID"]) nodeStatusEvent(ctx, node, event);
  kubeletNodeEvent(ctx, node, "Normal", "NodeAllocatableEnforced", "Updated Node Allocatable limit across pods");
}

/** For a registered node whose kubelet runs: a start not yet reported, and a change of spec.unschedulable. */
export function syncKubeletNodeEvents(ctx: ControllerContext, node: KubeObject): void {
  const name = node.metadata.name ?? "";
  const m = machineOf(ctx, name);
  const starting = m?.started !== undefined;
  const last = starting ? false : m?.reportedUnschedulable === true;
  const unschedulable = rec(node.spec).unschedulable === true;
  if (!starting && last === unschedulable) return;
  if (starting) recordKubeletStart(ctx, name);
  if (last !== unschedulable) nodeStatusEvent(ctx, name, unschedulable ? "NodeNotSchedulable" : "NodeSchedulable");
  const next: Machine = structuredClone(m ?? { apiVersion: "kubeplay.internal/v1", kind: "Machine", metadata: { name }, kubelet: "running" });
  delete next.started;
  if (unschedulable) next.reportedUnschedulable = true;
  else delete next.reportedUnschedulable;
  ctx.emit({ type: "put", resource: MACHINES, object: next });
}
