// What a kubelet does when it first registers its node: a Node created through the API (say
// `kubectl apply -f node.yaml`) has no status, so it gets the machine's capacity, addresses, system
// info and conditions, the kubelet's standard labels, and a pod CIDR (the node IPAM controller's
// part) — the same shape as the nodes a sandbox starts with. A node whose kubelet is stopped does
// not register; the node lifecycle controller reports it as never having posted status. A running
// kubelet keeps node.status.images in step with the images on its machine (what ImageLocality
// scores), writing only when they change, and records its node events (node-kubelet-events.ts).
// Models pkg/kubelet/kubelet_node_status.go initialNode / setNodeStatus, pkg/kubelet/nodestatus
// setters.go Images and
// pkg/controller/nodeipam/ipam/range_allocator.go AllocateOrOccupyCIDR (simplified)
import { findKind } from "../resources/registry";
import type { KubeObject } from "../resources/types";
import type { ObjectStore } from "../store/object-store";
import type { Sidecar } from "../store/sidecar";
import { machineOf, nodeStatusImages, type NodeImage } from "../kubelet/machine";
import { nodeConditions, nodeObject } from "../sandbox/bootstrap";
import { kubeletStoppedAt } from "../sandbox/machines";
import { deepEqual } from "../util/equal";
import { getCondition } from "../util/pod-condition";
import { nodeStatusEvent, recordKubeletStart, syncKubeletNodeEvents } from "./node-kubelet-events";
import type { ControllerContext } from "./types";
import { rec } from "./workload-helpers";

const NODE = findKind({ group: "", version: "v1", kind: "Node" })!;

/** The lowest node slot whose address (192.168.1.10+i) and pod CIDR (10.244.i.0/24) are both free. */
export function freeNodeIndex(nodes: KubeObject[]): number {
  const cidrs = new Set(nodes.map((n) => String(rec(n.spec).podCIDR ?? "")));
  const ips = new Set(nodes.flatMap((n) => ((rec(n.status).addresses as { address: string }[] | undefined) ?? []).map((a) => a.address)));
  for (let i = 0; i < 245; i++) if (!cidrs.has(`10.244.${i}.0/24`) && !ips.has(`192.168.1.${10 + i}`)) return i;
  return 245;
}

/** The sandbox's id, for the machine identities a registering kubelet reports. */
const sandboxIdOf = (store: ObjectStore): Sidecar<string> => ({ value: store.sandboxId, unsubscribe() {} });

/** A node's reported images known to equal a computed list (stored objects are never edited). */
const reportedAs = new WeakMap<object, NodeImage[]>();

function sameImages(reported: unknown, want: NodeImage[]): boolean {
  if (!Array.isArray(reported)) return false;
  if (reportedAs.get(reported) === want) return true;
  if (!deepEqual(reported, want)) return false;
  reportedAs.set(reported, want);
  return true;
}

/** The kubelet's images setter, for a registered node whose kubelet runs: node.status.images follows the machine's images. */
function syncImages(ctx: ControllerContext, node: KubeObject): void {
  const want = nodeStatusImages(machineOf(ctx, node.metadata.name ?? ""));
  if (sameImages(rec(node.status).images, want)) return;
  ctx.updateStatus(NODE, { ...node, status: { ...rec(node.status), images: structuredClone(want) } });
}

export function nodeRegistrationController(ctx: ControllerContext): void {
  let nodes: KubeObject[] | undefined;
  for (const node of ctx.list("/nodes")) {
    const name = node.metadata.name ?? "";
    if (node.metadata.deletionTimestamp || kubeletStoppedAt(ctx, name) !== undefined) continue;
    if (getCondition(node.status, "Ready")) {
      syncImages(ctx, node);
      syncKubeletNodeEvents(ctx, node);
      continue;
    }
    recordKubeletStart(ctx, name);
    nodes ??= ctx.list("/nodes");
    const template = nodeObject({ name }, freeNodeIndex(nodes), ctx.sidecar(sandboxIdOf));
    const spec = rec(node.spec);
    const next = structuredClone(node);
    next.metadata.labels = { ...(template.metadata.labels ?? {}), ...(node.metadata.labels ?? {}) };
    if (!spec.podCIDR) next.spec = { ...spec, podCIDR: rec(template.spec).podCIDR, podCIDRs: rec(template.spec).podCIDRs };
    const updated = ctx.update(NODE, next) ?? node;
    const status = rec(node.status);
    const defaults = rec(template.status);
    const filled: Record<string, unknown> = { ...defaults, ...status };
    for (const key of ["capacity", "allocatable", "nodeInfo", "daemonEndpoints"]) if (!Object.keys(rec(status[key])).length) filled[key] = defaults[key];
    if (!Array.isArray(status.addresses) || !status.addresses.length) filled.addresses = defaults.addresses;
    filled.conditions = nodeConditions(ctx.nowRfc3339());
    ctx.updateStatus(NODE, { ...updated, status: filled });
    nodeStatusEvent(ctx, name, "NodeReady");
    ctx.event(updated, "Normal", "RegisteredNode", `Node ${name} event: Registered Node ${name} in Controller`, "node-controller");
    nodes = ctx.list("/nodes");
  }
}
