// Persistent storage: the controllers behind PersistentVolumes, PersistentVolumeClaims and
// StorageClasses, run in this order each pass.
// - pv-controller.ts: binding claims and volumes, phases, the default class for claims without
//   one, handing claims to provisioners, reclaiming released volumes (Retain, Delete, Recycle);
// - provisioners/: the external provisioners that run in a sandbox (rancher.io/local-path built
//   in; csi-driver-nfs and nfs-subdir-external-provisioner while their pods run);
// - expand.ts: growing bound claims (expand controller, resizer, the kubelet's file system step);
// - protection.ts: the pvc-protection and pv-protection finalizers.
// Admission (default class, finalizers at create, which resizes are allowed) is in
// api/storage-admission.ts; the scheduler's half of WaitForFirstConsumer in
// scheduler/plugins/volume-binding.ts; volume contents in kubelet/pv-content.ts.
// Not simulated: attach/detach (VolumeAttachments, Multi-Attach errors: the provisioners here
// attach nothing), CSIDriver/CSINode objects, snapshots, VolumeAttributesClasses, storage
// capacity tracking, and the provisioners' retry back-off (a failed provisioning is retried on the
// next change in the cluster, reported once).
import type { Controller, ControllerContext } from "../types";
import { collectClaimStates } from "./claim-state";
import { expandController } from "./expand";
import { pvcProtectionController, pvProtectionController } from "./protection";
import { provisionerController } from "./provisioners";
import { pvController } from "./pv-controller";
import { PVCS } from "./util";

function forgetGoneClaims(ctx: ControllerContext): void {
  collectClaimStates(ctx, ctx.list(PVCS));
}

export const VOLUME_CONTROLLERS: Controller[] = [pvController, provisionerController, expandController, pvcProtectionController, pvProtectionController, forgetGoneClaims];
