// The PersistentVolume controller (kube-controller-manager's persistentvolume-binder): binds
// claims to volumes and keeps both phases. A pending claim gets the smallest Available volume of
// its class, volume mode and selector offering its access modes, or the volume it names
// (`volumeName`) or that names it (`claimRef`); one claim per volume. With no volume, a claim
// without class gets the default class (retroactively), a claim of a WaitForFirstConsumer class
// waits for the scheduler to pick a node, and a claim of another class is handed to its
// provisioner (`volume.kubernetes.io/storage-provisioner`), whose volume is then bound. When a
// claim goes, its volume is Released and reclaimed: Retain keeps it, Delete leaves it to its
// provisioner (or fails for a static volume no plugin can delete), Recycle scrubs it and makes it
// Available again. Events use upstream's reasons and wording, each situation reported once.
// Models pkg/controller/volume/persistentvolume/pv_controller.go syncClaim / syncVolume / bind
import { deleteVolumeContent, volumeContent, writeVolumeContent } from "../../kubelet/pv-content";
import type { KubeObject } from "../../resources/types";
import { cmpQuantity } from "../../resources/validation/quantity";
import type { ControllerContext } from "../types";
import { reportOnce } from "./claim-state";
import {
  ANN_BETA_STORAGE_PROVISIONER,
  ANN_BIND_COMPLETED,
  ANN_BOUND_BY_CONTROLLER,
  ANN_DYNAMICALLY_PROVISIONED,
  ANN_SELECTED_NODE,
  ANN_STORAGE_PROVISIONER,
  PV,
  PVC,
  PVCS,
  PVS,
  STORAGE_CLASSES,
  accessModes,
  annotation,
  capacityOf,
  claimClass,
  claimHasClass,
  claimRefOf,
  claimReference,
  defaultClass,
  findBestMatchForClaim,
  isVolumeBoundToClaim,
  nodeNameOf,
  podsUsingClaim,
  quantity,
  rec,
  requestedStorage,
  volumeClass,
  volumeMode,
  withAnnotations,
} from "./util";

export const PV_CONTROLLER = "persistentvolume-controller";

/** In-tree provisioners that CSI migration hands to a CSI driver (on by default in 1.32). */
const MIGRATED: Record<string, string> = {
  "kubernetes.io/aws-ebs": "ebs.csi.aws.com",
  "kubernetes.io/gce-pd": "pd.csi.storage.gke.io",
  "kubernetes.io/azure-disk": "disk.csi.azure.com",
  "kubernetes.io/azure-file": "file.csi.azure.com",
  "kubernetes.io/cinder": "cinder.csi.openstack.org",
  "kubernetes.io/vsphere-volume": "csi.vsphere.vmware.com",
  "kubernetes.io/portworx-volume": "pxd.portworx.com",
};

function current(ctx: ControllerContext, obj: KubeObject): KubeObject | undefined {
  return ctx.get(obj.kind === "PersistentVolume" ? PVS : PVCS, obj.metadata.namespace ?? "", obj.metadata.name ?? "");
}

function storageClass(ctx: ControllerContext, name: string): KubeObject | undefined {
  return name ? ctx.get(STORAGE_CLASSES, "", name) : undefined;
}

function isDelayBinding(ctx: ControllerContext, pvc: KubeObject): boolean {
  return storageClass(ctx, claimClass(pvc))?.volumeBindingMode === "WaitForFirstConsumer";
}

// ---- status writes (only when something changes) ----

export function updateVolumePhase(ctx: ControllerContext, pv: KubeObject, phase: string, message = ""): KubeObject {
  const status = rec(pv.status);
  if (status.phase === phase) return pv;
  const next = structuredClone(pv);
  next.status = { ...status, phase, lastPhaseTransitionTime: ctx.nowRfc3339() };
  if (message) (next.status as Record<string, unknown>).message = message;
  else delete (next.status as Record<string, unknown>).message;
  return ctx.updateStatus(PV, next) ?? pv;
}

function updateVolumePhaseWithEvent(ctx: ControllerContext, pv: KubeObject, phase: string, type: "Normal" | "Warning", reason: string, message: string): KubeObject {
  if (rec(pv.status).phase === phase) return pv;
  const next = updateVolumePhase(ctx, pv, phase, message);
  ctx.event(next, type, reason, message, PV_CONTROLLER);
  return next;
}

// Models pv_controller.go updateClaimStatus: capacity is copied only when the claim becomes Bound,
// so a resized claim's own capacity is left to the resizer and the kubelet.
function updateClaimStatus(ctx: ControllerContext, pvc: KubeObject, phase: string, pv?: KubeObject): KubeObject {
  const status = { ...rec(pvc.status) };
  let dirty = false;
  if (status.phase !== phase) {
    status.phase = phase;
    dirty = true;
  }
  if (!pv) {
    if (status.accessModes !== undefined) [status.accessModes, dirty] = [undefined, true];
    if (status.capacity !== undefined) [status.capacity, dirty] = [undefined, true];
  } else {
    const modes = accessModes(pv);
    if (JSON.stringify(status.accessModes ?? []) !== JSON.stringify(modes)) [status.accessModes, dirty] = [modes, true];
    if (rec(pvc.status).phase !== phase) {
      const want = capacityOf(pv);
      const have = rec(status.capacity).storage;
      if (have === undefined || cmpQuantity(quantity(want), quantity(have)) !== 0) [status.capacity, dirty] = [structuredClone(rec(pv.spec).capacity), true];
    }
  }
  if (!dirty) return pvc;
  for (const k of ["accessModes", "capacity"]) if (status[k] === undefined) delete status[k];
  return ctx.updateStatus(PVC, { ...pvc, status }) ?? pvc;
}

function updateClaimStatusWithEvent(ctx: ControllerContext, pvc: KubeObject, phase: string, reason: string, message: string): void {
  if (rec(pvc.status).phase === phase) return;
  const next = updateClaimStatus(ctx, pvc, phase);
  ctx.event(next, "Warning", reason, message, PV_CONTROLLER);
}

// ---- binding ----

/** Points the volume at the claim (and the claim at the volume), then marks both Bound. */
// Models pv_controller.go bind / bindVolumeToClaim / bindClaimToVolume
export function bind(ctx: ControllerContext, volume: KubeObject, claim: KubeObject): void {
  let pv = volume;
  const ref = claimRefOf(pv);
  let next: KubeObject | undefined;
  if (!ref || ref.name !== claim.metadata.name || ref.namespace !== claim.metadata.namespace || ref.uid !== claim.metadata.uid) {
    next = structuredClone(pv);
    (next.spec as Record<string, unknown>).claimRef = claimReference(claim);
  }
  // A volume the user did not reserve for this claim was bound by the controller.
  if (!isVolumeBoundToClaim(pv, claim) && !annotation(pv, ANN_BOUND_BY_CONTROLLER)) next = withAnnotations(next ?? pv, { [ANN_BOUND_BY_CONTROLLER]: "yes" });
  if (next) pv = ctx.update(PV, next) ?? pv;
  pv = updateVolumePhase(ctx, pv, "Bound");

  let pvc = claim;
  const volumeName = rec(pvc.spec).volumeName;
  const set: Record<string, string> = {};
  if (volumeName !== pv.metadata.name && !annotation(pvc, ANN_BOUND_BY_CONTROLLER)) set[ANN_BOUND_BY_CONTROLLER] = "yes";
  if (!annotation(pvc, ANN_BIND_COMPLETED)) set[ANN_BIND_COMPLETED] = "yes";
  if (volumeName !== pv.metadata.name || Object.keys(set).length) {
    const next = withAnnotations(pvc, set);
    (next.spec as Record<string, unknown>).volumeName = pv.metadata.name;
    pvc = ctx.update(PVC, next) ?? pvc;
  }
  updateClaimStatus(ctx, pvc, "Bound", pv);
}

// Models pv_controller.go unbindVolume: a volume the controller bound is freed; one the user
// reserved for a claim keeps the reservation by name.
function unbindVolume(ctx: ControllerContext, volume: KubeObject): void {
  let next: KubeObject;
  if (annotation(volume, ANN_BOUND_BY_CONTROLLER)) {
    next = withAnnotations(volume, { [ANN_BOUND_BY_CONTROLLER]: undefined });
    delete (next.spec as Record<string, unknown>).claimRef;
  } else {
    next = structuredClone(volume);
    const ref = { ...claimRefOf(next) };
    delete ref.uid;
    (next.spec as Record<string, unknown>).claimRef = ref;
  }
  updateVolumePhase(ctx, ctx.update(PV, next) ?? volume, "Available");
}

// Models pv_controller.go checkVolumeSatisfyClaim
function checkVolumeSatisfyClaim(pv: KubeObject, pvc: KubeObject): string | undefined {
  if (pv.metadata.deletionTimestamp) return `the volume is marked for deletion "${pv.metadata.name}"`;
  if (cmpQuantity(quantity(capacityOf(pv)), quantity(requestedStorage(pvc))) < 0) return "requested PV is too small";
  if (volumeClass(pv) !== claimClass(pvc)) return "storageClassName does not match";
  if (volumeMode(pv) !== volumeMode(pvc)) return "incompatible volumeMode";
  if (!accessModes(pvc).every((m) => accessModes(pv).includes(m))) return "incompatible accessMode";
  return undefined;
}

// ---- claims ----

function syncClaim(ctx: ControllerContext, pvc: KubeObject): void {
  if (!annotation(pvc, ANN_BIND_COMPLETED)) syncUnboundClaim(ctx, pvc);
  else syncBoundClaim(ctx, pvc);
}

function syncUnboundClaim(ctx: ControllerContext, pvc: KubeObject): void {
  const volumeName = rec(pvc.spec).volumeName;
  if (typeof volumeName !== "string" || !volumeName) {
    const delayBinding = isDelayBinding(ctx, pvc);
    const volume = findBestMatchForClaim(pvc, ctx.list(PVS), delayBinding);
    if (volume) {
      bind(ctx, volume, pvc);
      return;
    }
    // Models pv_controller.go assignDefaultStorageClass (RetroactiveDefaultStorageClass)
    if (!claimHasClass(pvc)) {
      const def = defaultClass(ctx.list(STORAGE_CLASSES));
      if (def) {
        const next = structuredClone(pvc);
        (next.spec as Record<string, unknown>).storageClassName = def.metadata.name;
        ctx.update(PVC, next);
        return;
      }
    }
    if (delayBinding && !annotation(pvc, ANN_SELECTED_NODE)) emitForUnboundDelayBindingClaim(ctx, pvc);
    else if (claimClass(pvc)) {
      provisionClaim(ctx, pvc);
      return;
    } else reportOnce(ctx, pvc, "Normal", "FailedBinding", "no persistent volumes available for this claim and no storage class is set", PV_CONTROLLER);
    updateClaimStatus(ctx, pvc, "Pending");
    return;
  }
  const volume = ctx.get(PVS, "", volumeName);
  if (!volume) {
    updateClaimStatus(ctx, pvc, "Pending");
    return;
  }
  if (!claimRefOf(volume)) {
    const mismatch = checkVolumeSatisfyClaim(volume, pvc);
    if (mismatch) {
      reportOnce(ctx, pvc, "Warning", "VolumeMismatch", `Cannot bind to requested volume "${volumeName}": ${mismatch}`, PV_CONTROLLER);
      updateClaimStatus(ctx, pvc, "Pending");
    } else bind(ctx, volume, pvc);
    return;
  }
  if (isVolumeBoundToClaim(volume, pvc)) {
    bind(ctx, volume, pvc);
    return;
  }
  // The volume is someone else's: wait for it (a claim the controller bound cannot get here).
  if (!annotation(pvc, ANN_BOUND_BY_CONTROLLER)) updateClaimStatus(ctx, pvc, "Pending");
}

// Models pv_controller.go emitEventForUnboundDelayBindingClaim. Upstream looks at unscheduled pods
// on its periodic resync; here a pod counts once the scheduler has reported it cannot place it.
function emitForUnboundDelayBindingClaim(ctx: ControllerContext, pvc: KubeObject): void {
  const waiting = podsUsingClaim(ctx.list("/pods", pvc.metadata.namespace), pvc)
    .filter((p) => !nodeNameOf(p) && ((rec(p.status).conditions as { type?: string; status?: string }[] | undefined) ?? []).some((c) => c.type === "PodScheduled" && c.status === "False"))
    .map((p) => p.metadata.name ?? "");
  if (waiting.length === 0) reportOnce(ctx, pvc, "Normal", "WaitForFirstConsumer", "waiting for first consumer to be created before binding", PV_CONTROLLER);
  else if (waiting.length === 1) reportOnce(ctx, pvc, "Normal", "WaitForPodScheduled", `waiting for pod ${waiting[0]} to be scheduled`, PV_CONTROLLER);
  else reportOnce(ctx, pvc, "Normal", "WaitForPodScheduled", `waiting for pods ${waiting.join(",")} to be scheduled`, PV_CONTROLLER);
}

// Models pv_controller.go provisionClaim / findProvisionablePlugin / provisionClaimOperationExternal:
// no in-tree plugin provisions here, so every class is served by an external provisioner, which
// learns of the claim through its annotations.
function provisionClaim(ctx: ControllerContext, pvc: KubeObject): void {
  const name = claimClass(pvc);
  const sc = storageClass(ctx, name);
  if (!sc) {
    reportOnce(ctx, pvc, "Warning", "ProvisioningFailed", `storageclass.storage.k8s.io "${name}" not found`, PV_CONTROLLER);
    return;
  }
  let provisioner = String(sc.provisioner ?? "");
  if (MIGRATED[provisioner]) provisioner = MIGRATED[provisioner];
  else if (provisioner.startsWith("kubernetes.io/")) {
    reportOnce(ctx, pvc, "Warning", "ProvisioningFailed", `no volume plugin matched name: ${provisioner}`, PV_CONTROLLER);
    return;
  }
  let claim = pvc;
  if (annotation(pvc, ANN_STORAGE_PROVISIONER) !== provisioner || annotation(pvc, ANN_BETA_STORAGE_PROVISIONER) !== provisioner) {
    claim = ctx.update(PVC, withAnnotations(pvc, { [ANN_BETA_STORAGE_PROVISIONER]: provisioner, [ANN_STORAGE_PROVISIONER]: provisioner })) ?? pvc;
  }
  reportOnce(
    ctx,
    claim,
    "Normal",
    "ExternalProvisioning",
    `Waiting for a volume to be created either by the external provisioner '${provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.`,
    PV_CONTROLLER,
  );
}

function syncBoundClaim(ctx: ControllerContext, pvc: KubeObject): void {
  const volumeName = rec(pvc.spec).volumeName;
  if (typeof volumeName !== "string" || !volumeName) {
    updateClaimStatusWithEvent(ctx, pvc, "Lost", "ClaimLost", "Bound claim has lost reference to PersistentVolume. Data on the volume is lost!");
    return;
  }
  const volume = ctx.get(PVS, "", volumeName);
  if (!volume) {
    updateClaimStatusWithEvent(ctx, pvc, "Lost", "ClaimLost", "Bound claim has lost its PersistentVolume. Data on the volume is lost!");
    return;
  }
  const ref = claimRefOf(volume);
  if (!ref || ref.uid === pvc.metadata.uid) bind(ctx, volume, pvc);
  else updateClaimStatusWithEvent(ctx, pvc, "Lost", "ClaimMisbound", "Two claims are bound to the same volume, this one is bound incorrectly");
}

// ---- volumes ----

function syncVolume(ctx: ControllerContext, volume: KubeObject): void {
  const ref = claimRefOf(volume);
  if (!ref || !ref.uid) {
    // Unused, or reserved for a claim that has not come yet.
    updateVolumePhase(ctx, volume, "Available");
    return;
  }
  let claim = ctx.get(PVCS, String(ref.namespace ?? ""), String(ref.name ?? ""));
  if (claim && claim.metadata.uid !== ref.uid) claim = undefined;
  const phase = rec(volume.status).phase;
  if (!claim) {
    const released = phase === "Released" || phase === "Failed" ? volume : updateVolumePhase(ctx, volume, "Released");
    reclaimVolume(ctx, released);
    return;
  }
  const claimVolume = rec(claim.spec).volumeName;
  if (!claimVolume) {
    if (volumeMode(claim) !== volumeMode(volume)) {
      const claimMsg = `Cannot bind PersistentVolume "${volume.metadata.name}" to requested PersistentVolumeClaim due to incompatible volumeMode.`;
      if (reportOnce(ctx, claim, "Warning", "VolumeMismatch", claimMsg, PV_CONTROLLER)) {
        ctx.event(volume, "Warning", "VolumeMismatch", `Cannot bind PersistentVolume to requested PersistentVolumeClaim "${claim.metadata.name}" due to incompatible volumeMode.`, PV_CONTROLLER);
      }
    }
    // The claim's sync finishes the binding.
    return;
  }
  if (claimVolume === volume.metadata.name) {
    updateVolumePhase(ctx, volume, "Bound");
    return;
  }
  // The claim got bound to another volume.
  if (annotation(volume, ANN_DYNAMICALLY_PROVISIONED) && rec(volume.spec).persistentVolumeReclaimPolicy === "Delete") {
    const released = phase === "Released" || phase === "Failed" ? volume : updateVolumePhase(ctx, volume, "Released");
    reclaimVolume(ctx, released);
    return;
  }
  unbindVolume(ctx, volume);
}

/** Volume plugins that can scrub a volume for Recycle (what `rm -rf /scrub/*` can reach). */
const RECYCLABLE = ["nfs", "hostPath"];

// Models pv_controller.go reclaimVolume / deleteVolumeOperation / recycleVolumeOperation
function reclaimVolume(ctx: ControllerContext, volume: KubeObject): void {
  const spec = rec(volume.spec);
  switch (spec.persistentVolumeReclaimPolicy) {
    case "Retain":
      return;
    case "Recycle": {
      if (!RECYCLABLE.some((s) => spec[s] != null)) {
        updateVolumePhaseWithEvent(ctx, volume, "Failed", "Warning", "VolumeFailedRecycle", "No recycler plugin found for the volume!");
        return;
      }
      if (rec(volume.status).phase === "Failed") return;
      const wipe: Record<string, null> = {};
      for (const p of Object.keys(volumeContent(ctx, volume.metadata.name ?? ""))) wipe[p] = null;
      writeVolumeContent(ctx, volume.metadata.name ?? "", wipe);
      ctx.event(volume, "Normal", "VolumeRecycled", "Volume recycled", PV_CONTROLLER);
      unbindVolume(ctx, volume);
      return;
    }
    case "Delete": {
      const provisionedBy = annotation(volume, ANN_DYNAMICALLY_PROVISIONED);
      // An external provisioner deletes what it provisioned.
      if (provisionedBy && !provisionedBy.startsWith("kubernetes.io/")) return;
      const error = inTreeDeleteError(volume);
      if (error) {
        updateVolumePhaseWithEvent(ctx, volume, "Failed", "Warning", "VolumeFailedDelete", error);
        return;
      }
      deleteVolumeContent(ctx, volume);
      if (!volume.metadata.deletionTimestamp) ctx.delete(PV, volume);
      return;
    }
    default:
      updateVolumePhaseWithEvent(ctx, volume, "Failed", "Warning", "VolumeUnknownReclaimPolicy", "Volume has unrecognized PersistentVolumeReclaimPolicy");
  }
}

// Models pv_controller.go findDeletablePlugin and pkg/volume/hostpath hostPathDeleter.Delete: only
// the hostPath plugin deletes, and only under /tmp.
function inTreeDeleteError(volume: KubeObject): string | undefined {
  const spec = rec(volume.spec);
  const hostPath = rec(spec.hostPath).path;
  if (typeof hostPath === "string") return /^\/tmp\/.+/.test(hostPath) ? undefined : `host_path deleter only supports /tmp/.+ but received provided ${hostPath}`;
  return `error getting deleter volume plugin for volume "${volume.metadata.name}": no deletable volume plugin matched`;
}

export function pvController(ctx: ControllerContext): void {
  const volumes = ctx.list(PVS);
  const claims = ctx.list(PVCS);
  if (volumes.length === 0 && claims.length === 0) return;
  // Volumes first: a new static volume becomes Available before claims look for one.
  for (const v of volumes) {
    const pv = current(ctx, v);
    if (pv) syncVolume(ctx, pv);
  }
  for (const c of claims) {
    const pvc = current(ctx, c);
    if (pvc) syncClaim(ctx, pvc);
  }
}
