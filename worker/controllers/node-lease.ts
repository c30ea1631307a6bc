// Node leases: every node's kubelet holds a Lease named after the node in kube-node-lease, owned by
// its Node, and takes it back if it is deleted or handed to someone else.
//
// Heartbeats are not simulated. A real kubelet renews its lease every 10 s (a quarter of the 40 s
// duration) and refreshes its node conditions' lastHeartbeatTime every 5 minutes; writing those
// here would make an idle sandbox do work every few virtual seconds forever. So renewTime and the
// heartbeat times stay at their last real write (when the lease or node was created or repaired).
// A stale renewTime therefore does not mean a dead kubelet: whatever decides node health (the node
// lifecycle controller, when it lands) must read kubelet liveness from the simulation instead.
// Models staging/src/k8s.io/component-helpers/apimachinery/lease/controller.go ensureLease / newLease
import { findKind } from "../resources/registry";
import type { KubeObject } from "../resources/types";
import { rfc3339Micro } from "../sandbox/clock";
import { NODE_LEASE_DURATION_SECONDS, nodeLease } from "../sandbox/bootstrap/cluster";
import type { ControllerContext } from "./types";

const LEASE = findKind({ group: "coordination.k8s.io", version: "v1", kind: "Lease" })!;
export const NODE_LEASE_NAMESPACE = "kube-node-lease";

/** Whether `lease` is the one the node's kubelet would keep renewing (holder, duration, owner). */
function heldBy(lease: KubeObject, node: KubeObject): boolean {
  const spec = (lease.spec ?? {}) as { holderIdentity?: string; leaseDurationSeconds?: number };
  const owned = (lease.metadata.ownerReferences ?? []).some((r) => r.kind === "Node" && r.uid === node.metadata.uid);
  return spec.holderIdentity === node.metadata.name && spec.leaseDurationSeconds === NODE_LEASE_DURATION_SECONDS && owned;
}

export function nodeLeaseController(ctx: ControllerContext): void {
  const now = rfc3339Micro(ctx.now());
  for (const node of ctx.list("/nodes")) {
    if (node.metadata.deletionTimestamp) continue;
    const name = node.metadata.name ?? "";
    const want = nodeLease({ name, uid: node.metadata.uid ?? "" }, now);
    const lease = ctx.get("coordination.k8s.io/leases", NODE_LEASE_NAMESPACE, name);
    if (!lease) {
      ctx.create(LEASE, want);
      continue;
    }
    if (heldBy(lease, node)) continue;
    // The next renewal puts the kubelet's identity back (and renews).
    const next = structuredClone(lease);
    next.spec = { ...((lease.spec as object | undefined) ?? {}), ...(want.spec as object) };
    const others = (lease.metadata.ownerReferences ?? []).filter((r) => r.kind !== "Node");
    next.metadata.ownerReferences = [...(want.metadata.ownerReferences ?? []), ...others];
    ctx.update(LEASE, next);
  }
}
