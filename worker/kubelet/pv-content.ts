// What is stored on persistent volumes: one internal object per PersistentVolume
// (`kubeplay.internal/volumes/<pv>`) holding its files, so the data outlives every pod that mounts
// it, is shared by all of them on whatever node they run, and is persisted and forked with the
// sandbox. A pod reaches it through its claim, which must be bound to a volume.
import type { PersistentVolumeClaim } from "kubernetes-types/core/v1";
import type { ControllerContext } from "../controllers/types";
import type { KubeObject } from "../resources/types";
import type { StoreReader } from "./machine";

export const VOLUME_CONTENT = "kubeplay.internal/volumes";

export interface VolumeContent extends KubeObject {
  files: Record<string, string>;
}

/** A claim that cannot be mounted (missing or not bound), with the volume manager's wording. */
export class ClaimError extends Error {}

/** The PersistentVolume behind claim `name` in `namespace`. */
export function claimedVolume(ctx: StoreReader, namespace: string, name: string): string {
  const pvc = ctx.get("/persistentvolumeclaims", namespace, name) as PersistentVolumeClaim | undefined;
  // Models pkg/kubelet/volumemanager/populator/desired_state_of_world_populator.go getPVCExtractPV
  if (!pvc) throw new ClaimError(`error processing PVC ${namespace}/${name}: failed to fetch PVC from API server: persistentvolumeclaims "${name}" not found`);
  if (pvc.metadata?.deletionTimestamp) throw new ClaimError(`error processing PVC ${namespace}/${name}: can't start pod because PVC ${namespace}/${name} is being deleted`);
  const volume = pvc.spec?.volumeName;
  if (!volume || pvc.status?.phase !== "Bound") throw new ClaimError(`error processing PVC ${namespace}/${name}: PVC is not bound`);
  return volume;
}

export function volumeContent(ctx: StoreReader, volume: string): Record<string, string> {
  return (ctx.get(VOLUME_CONTENT, "", volume) as VolumeContent | undefined)?.files ?? {};
}

/** Applies writes (null removes, with everything under it) to a volume's files. */
export function writeVolumeContent(ctx: ControllerContext, volume: string, writes: Record<string, string | null>): void {
  if (Object.keys(writes).length === 0) return;
  const files = { ...volumeContent(ctx, volume) };
  for (const [path, content] of Object.entries(writes)) {
    if (content !== null) {
      files[path] = content;
      continue;
    }
    delete files[path];
    for (const k of Object.keys(files)) if (k.startsWith(`${path}/`)) delete files[k];
  }
  const obj: VolumeContent = { apiVersion: "kubeplay.internal/v1", kind: "VolumeContent", metadata: { name: volume }, files };
  ctx.emit({ type: "put", resource: VOLUME_CONTENT, object: obj });
}
