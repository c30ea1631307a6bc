// VolumeRestrictions: a PersistentVolumeClaim with the ReadWriteOncePod access mode is used by one pod
// in the whole cluster. A pod asking for such a claim while another pod uses it fails on every node;
// preemption may free it by evicting a lower-priority user, wherever that one runs.
// Models pkg/scheduler/framework/plugins/volumerestrictions/volume_restrictions.go (PreFilter counts
// the claim's users in the snapshot, Filter answers ErrReasonReadWriteOncePodConflict; the inline
// GCE PD/EBS/RBD/iSCSI disk conflicts are not modelled, kubeplay has none of those volumes)
import { unschedulable, type NodeInfo, type Plugin, type PodInfo } from "../types";
import { arr, rec } from "../util";

export const ERR_READ_WRITE_ONCE_POD_CONFLICT = "node has pod using PersistentVolumeClaim with the same name and ReadWriteOncePod access mode";

const STATE = "VolumeRestrictions";

interface PreFilterState {
  /** `<namespace>/<claim>` of the pod's ReadWriteOncePod claims. */
  claims: Set<string>;
  /** Other pods using one of them, by the node they are on. */
  usersByNode: Map<string, number>;
  users: number;
}

/** `<namespace>/<claim>` of every claim a pod's volumes name (ephemeral volumes: `<pod>-<volume>`). */
function claimKeys(pod: PodInfo["pod"]): string[] {
  const ns = pod.metadata.namespace ?? "";
  const out: string[] = [];
  for (const v of arr(rec(pod.spec).volumes)) {
    const name = v.ephemeral !== undefined && v.ephemeral !== null ? `${pod.metadata.name}-${v.name}` : rec(v.persistentVolumeClaim).claimName;
    if (typeof name === "string" && name) out.push(`${ns}/${name}`);
  }
  return out;
}

function usersOn(node: NodeInfo, claims: Set<string>, self: string): number {
  let n = 0;
  for (const p of node.pods) if (p.uid !== self && claimKeys(p.pod).some((k) => claims.has(k))) n++;
  return n;
}

export const volumeRestrictions: Plugin = {
  name: "VolumeRestrictions",
  preFilter(state) {
    const claims = new Set<string>();
    for (const key of claimKeys(state.pod.pod)) {
      const [ns, name] = [key.slice(0, key.indexOf("/")), key.slice(key.indexOf("/") + 1)];
      const pvc = state.snapshot.read("/persistentvolumeclaims", ns, name);
      if (pvc && arr<string>(rec(pvc.spec).accessModes).includes("ReadWriteOncePod")) claims.add(key);
    }
    if (claims.size === 0) return { skip: true };
    const usersByNode = new Map<string, number>();
    let users = 0;
    for (const node of state.snapshot.nodes) {
      const n = usersOn(node, claims, state.pod.uid);
      if (n > 0) usersByNode.set(node.name, n);
      users += n;
    }
    state.data.set(STATE, { claims, usersByNode, users } satisfies PreFilterState);
  },
  filter(state, node) {
    const s = state.data.get(STATE) as PreFilterState | undefined;
    if (!s) return null;
    // The node as given may have had pods taken away (preemption trying victims): count its own users again.
    const users = s.users - (s.usersByNode.get(node.name) ?? 0) + usersOn(node, s.claims, state.pod.uid);
    return users > 0 ? unschedulable(ERR_READ_WRITE_ONCE_POD_CONFLICT) : null;
  },
};
