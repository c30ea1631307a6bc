// VolumeBinding: a pod's PersistentVolumeClaims decide where it can go. Bound claims pin it to
// their volumes' node affinity; unbound claims of an Immediate class keep it Pending until the
// volume controller binds them; unbound WaitForFirstConsumer claims let the scheduler choose: a
// matching static volume on the node, or dynamic provisioning, which is requested by annotating
// the claim with the chosen node (`volume.kubernetes.io/selected-node`). The pod is bound only once
// every claim is (PreBind waits), so it stays Pending until the volume side finishes.
// Models pkg/scheduler/framework/plugins/volumebinding/volume_binding.go and binder.go (simplified:
// no storage capacity tracking, no bind timeout)
import { nodeSelectorTermMatches } from "../../controllers/node-predicates";
import { findMatchingVolume } from "../../controllers/volume/util";
import type { KubeObject } from "../../resources/types";
import { unresolvable, type CycleState, type NodeInfo, type Plugin, type Snapshot } from "../types";
import { arr, rec } from "../util";

export const ERR_UNBOUND_IMMEDIATE = "pod has unbound immediate PersistentVolumeClaims";
export const ERR_BIND_CONFLICT = "node(s) didn't find available persistent volumes to bind";
export const ERR_NODE_CONFLICT = "node(s) had volume node affinity conflict";
export const ERR_PV_NOT_EXIST = "node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)";
export const SELECTED_NODE = "volume.kubernetes.io/selected-node";
const NO_PROVISIONER = "kubernetes.io/no-provisioner";

interface Claims {
  bound: { pvc: KubeObject; pv?: KubeObject }[];
  delayed: { pvc: KubeObject; storageClass?: KubeObject }[];
}

export function claimClass(pvc: KubeObject): string {
  const legacy = pvc.metadata.annotations?.["volume.beta.kubernetes.io/storage-class"];
  return String(legacy ?? rec(pvc.spec).storageClassName ?? "");
}

/** The claims a pod's volumes name (ephemeral volumes: `<pod>-<volume>`), or why they cannot be used. */
function podClaims(snapshot: Snapshot, pod: KubeObject): Claims | string | undefined {
  const ns = pod.metadata.namespace ?? "";
  const out: Claims = { bound: [], delayed: [] };
  let immediateUnbound = false;
  let any = false;
  for (const v of arr(rec(pod.spec).volumes)) {
    const ephemeral = v.ephemeral !== undefined && v.ephemeral !== null;
    const name = ephemeral ? `${pod.metadata.name}-${v.name}` : rec(v.persistentVolumeClaim).claimName;
    if (typeof name !== "string" || !name) continue;
    any = true;
    const pvc = snapshot.read("/persistentvolumeclaims", ns, name);
    if (!pvc) return ephemeral ? `waiting for ephemeral volume controller to create the persistentvolumeclaim "${name}"` : `persistentvolumeclaim "${name}" not found`;
    if (pvc.metadata.deletionTimestamp) return `persistentvolumeclaim "${name}" is being deleted`;
    if (ephemeral && !(pvc.metadata.ownerReferences ?? []).some((r) => r.controller && r.uid === pod.metadata.uid)) {
      return `PVC ${ns}/${name} was not created for pod ${ns}/${pod.metadata.name} (pod is not owner)`;
    }
    const volumeName = rec(pvc.spec).volumeName;
    if (typeof volumeName === "string" && volumeName) {
      out.bound.push({ pvc, pv: snapshot.read("/persistentvolumes", "", volumeName) });
      continue;
    }
    const className = claimClass(pvc);
    const storageClass = className ? snapshot.read("storage.k8s.io/storageclasses", "", className) : undefined;
    if (storageClass?.volumeBindingMode === "WaitForFirstConsumer") out.delayed.push({ pvc, storageClass });
    else immediateUnbound = true;
  }
  if (!any) return undefined;
  return immediateUnbound ? ERR_UNBOUND_IMMEDIATE : out;
}

function pvNodeAffinityMatches(pv: KubeObject, node: NodeInfo): boolean {
  const terms = arr(rec(rec(rec(pv.spec).nodeAffinity).required).nodeSelectorTerms);
  return terms.length === 0 || terms.some((t) => nodeSelectorTermMatches(t, node.node));
}

/** A volume the claim can be bound to on `node`: reserved for it, or the smallest Available match. */
export function matchingVolume(snapshot: Snapshot, pvc: KubeObject, node: NodeInfo): KubeObject | undefined {
  return findMatchingVolume(pvc, snapshot.list("/persistentvolumes"), node.node, true);
}

// Models pkg/apis/core/v1/helper/helpers.go MatchTopologySelectorTerms
function allowedTopologiesMatch(storageClass: KubeObject | undefined, node: NodeInfo): boolean {
  const terms = arr(storageClass?.allowedTopologies);
  if (terms.length === 0) return true;
  return terms.some((t) => arr(t.matchLabelExpressions).every((e) => arr<string>(e.values).includes(node.labels[String(e.key)])));
}

export const volumeBinding: Plugin = {
  name: "VolumeBinding",
  preFilter(state) {
    const claims = podClaims(state.snapshot, state.pod.pod);
    if (claims === undefined) return { skip: true };
    if (typeof claims === "string") return { status: unresolvable(claims) };
    state.data.set("VolumeBinding/claims", claims);
  },
  filter(state, node) {
    const claims = state.data.get("VolumeBinding/claims") as Claims;
    const reasons = new Set<string>();
    for (const { pv } of claims.bound) {
      if (!pv) reasons.add(ERR_PV_NOT_EXIST);
      else if (!pvNodeAffinityMatches(pv, node)) reasons.add(ERR_NODE_CONFLICT);
    }
    for (const { pvc, storageClass } of claims.delayed) {
      if (matchingVolume(state.snapshot, pvc, node)) continue;
      const provisioner = String(storageClass?.provisioner ?? "");
      if (!provisioner || provisioner === NO_PROVISIONER || !allowedTopologiesMatch(storageClass, node)) reasons.add(ERR_BIND_CONFLICT);
    }
    return reasons.size ? unresolvable(...reasons) : null;
  },
};

export type VolumeDecision = { type: "select-node"; pvc: KubeObject; node: string } | { type: "bind-volume"; pvc: KubeObject; pv: KubeObject };

/** What the scheduler writes for the pod's WaitForFirstConsumer claims once it chose `node` (AssumePodVolumes + BindPodVolumes). */
export function volumeDecisions(state: CycleState, node: NodeInfo): VolumeDecision[] {
  const claims = state.data.get("VolumeBinding/claims") as Claims | undefined;
  if (!claims) return [];
  return claims.delayed.map(({ pvc }) => {
    const pv = matchingVolume(state.snapshot, pvc, node);
    return pv ? { type: "bind-volume", pvc, pv } : { type: "select-node", pvc, node: node.name };
  });
}

/**
 * Whether the pod waits for claims the scheduler already acted on (a node selected for provisioning,
 * or a volume handed to the claim): upstream keeps such a pod in PreBind until they are bound.
 */
export function awaitingVolumes(snapshot: Snapshot, pod: KubeObject): boolean {
  const claims = podClaims(snapshot, pod);
  if (!claims || typeof claims === "string" || claims.delayed.length === 0) return false;
  return claims.delayed.every(({ pvc }) => {
    const selected = pvc.metadata.annotations?.[SELECTED_NODE];
    if (selected && snapshot.byName.has(selected)) return true;
    return snapshot.list("/persistentvolumes").some((pv) => {
      const ref = rec(rec(pv.spec).claimRef);
      return ref.name === pvc.metadata.name && ref.namespace === pvc.metadata.namespace && ref.uid === pvc.metadata.uid;
    });
  });
}
