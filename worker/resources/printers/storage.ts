// Printers for persistent volumes, claims and storage classes.
import type { PersistentVolume, PersistentVolumeClaim } from "kubernetes-types/core/v1";
import type { CSIDriver, StorageClass } from "kubernetes-types/storage/v1";
import type { KubeObject, PrintContext, Printer, TableCell } from "../types";
import { age, ageColumn, as, col, nameColumn, nameOf, quantity } from "./common";

const BETA_STORAGE_CLASS_ANNOTATION = "volume.beta.kubernetes.io/storage-class";

// Models pkg/apis/core/helper/helpers.go GetAccessModesAsString
/** Short forms in a fixed order, duplicates dropped: "RWO,ROX,RWX,RWOP". */
export function accessModesAsString(modes: string[] | undefined): string {
  const set = new Set(modes ?? []);
  const out: string[] = [];
  if (set.has("ReadWriteOnce")) out.push("RWO");
  if (set.has("ReadOnlyMany")) out.push("ROX");
  if (set.has("ReadWriteMany")) out.push("RWX");
  if (set.has("ReadWriteOncePod")) out.push("RWOP");
  return out.join(",");
}

// Models pkg/apis/core/helper/helpers.go GetPersistentVolumeClass / GetPersistentVolumeClaimClass
/** The beta annotation still wins over spec.storageClassName, as upstream. */
function storageClassOf(obj: KubeObject, specClass: string | undefined): string {
  const annotations = obj.metadata.annotations ?? {};
  if (BETA_STORAGE_CLASS_ANNOTATION in annotations) return annotations[BETA_STORAGE_CLASS_ANNOTATION]!;
  return specClass ?? "";
}

export const persistentVolumePrinter: Printer = {
  columns: [
    nameColumn,
    col("Capacity", "string", "capacity is the description of the persistent volume's resources and capacity."),
    col("Access Modes", "string", "accessModes contains all ways the volume can be mounted."),
    col("Reclaim Policy", "string", "persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim."),
    col("Status", "string", "phase indicates if a volume is available, bound to a claim, or released by a claim."),
    col("Claim", "string", "claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim."),
    col("StorageClass", "string", "StorageClass of the pv"),
    col("VolumeAttributesClass", "string", "VolumeAttributesClass of the pv"),
    col("Reason", "string", "reason is a brief CamelCase string that describes any failure and is meant for machine parsing and tidy display in the CLI."),
    ageColumn,
    col("VolumeMode", "string", "volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state.", 1),
  ],
  row(obj: KubeObject, ctx: PrintContext): TableCell[] {
    const pv = as<PersistentVolume>(obj);
    const ref = pv.spec?.claimRef;
    const claim = ref ? `${ref.namespace ?? ""}/${ref.name ?? ""}` : "";
    const phase = obj.metadata.deletionTimestamp ? "Terminating" : (pv.status?.phase ?? "");
    return [
      nameOf(obj),
      quantity(pv.spec?.capacity?.["storage"]),
      accessModesAsString(pv.spec?.accessModes),
      pv.spec?.persistentVolumeReclaimPolicy ?? "",
      phase,
      claim,
      storageClassOf(obj, pv.spec?.storageClassName),
      pv.spec?.volumeAttributesClassName ?? "<unset>",
      pv.status?.reason ?? "",
      age(obj, ctx),
      pv.spec?.volumeMode ?? "<unset>",
    ];
  },
};

export const persistentVolumeClaimPrinter: Printer = {
  columns: [
    nameColumn,
    col("Status", "string", "phase represents the current phase of PersistentVolumeClaim."),
    col("Volume", "string", "volumeName is the binding reference to the PersistentVolume backing this claim."),
    col("Capacity", "string", "capacity represents the actual resources of the underlying volume."),
    col("Access Modes", "string", "accessModes contains the actual access modes the volume backing the PVC has."),
    col("StorageClass", "string", "StorageClass of the pvc"),
    col("VolumeAttributesClass", "string", "VolumeAttributesClass of the pvc"),
    ageColumn,
    col("VolumeMode", "string", "volumeMode defines what type of volume is required by the claim.", 1),
  ],
  row(obj: KubeObject, ctx: PrintContext): TableCell[] {
    const pvc = as<PersistentVolumeClaim>(obj);
    const phase = obj.metadata.deletionTimestamp ? "Terminating" : (pvc.status?.phase ?? "");
    const volumeName = pvc.spec?.volumeName ?? "";
    // Capacity and modes are only meaningful once the claim is bound to a volume.
    const capacity = volumeName ? quantity(pvc.status?.capacity?.["storage"]) : "";
    const accessModes = volumeName ? accessModesAsString(pvc.status?.accessModes) : "";
    return [
      nameOf(obj),
      phase,
      volumeName,
      capacity,
      accessModes,
      storageClassOf(obj, pvc.spec?.storageClassName),
      pvc.spec?.volumeAttributesClassName ?? "<unset>",
      age(obj, ctx),
      pvc.spec?.volumeMode ?? "<unset>",
    ];
  },
};

const DEFAULT_CLASS_ANNOTATION = "storageclass.kubernetes.io/is-default-class";
const BETA_DEFAULT_CLASS_ANNOTATION = "storageclass.beta.kubernetes.io/is-default-class";

export const storageClassPrinter: Printer = {
  columns: [
    nameColumn,
    col("Provisioner", "string", "provisioner indicates the type of the provisioner."),
    col("ReclaimPolicy", "string", "reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes of this storage class."),
    col("VolumeBindingMode", "string", "volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound."),
    col("AllowVolumeExpansion", "string", "allowVolumeExpansion shows whether the storage class allow volume expand."),
    ageColumn,
  ],
  row(obj: KubeObject, ctx: PrintContext): TableCell[] {
    const sc = as<StorageClass>(obj);
    const annotations = obj.metadata.annotations ?? {};
    const isDefault =
      annotations[DEFAULT_CLASS_ANNOTATION] === "true" || annotations[BETA_DEFAULT_CLASS_ANNOTATION] === "true";
    return [
      isDefault ? `${nameOf(obj)} (default)` : nameOf(obj),
      sc.provisioner ?? "",
      sc.reclaimPolicy ?? "Delete",
      sc.volumeBindingMode ?? "Immediate",
      sc.allowVolumeExpansion ?? false,
      age(obj, ctx),
    ];
  },
};

// Models pkg/printers/internalversion/printers.go printCSIDriver
export const csiDriverPrinter: Printer = {
  columns: [
    nameColumn,
    col("AttachRequired", "boolean", "attachRequired indicates this CSI volume driver requires an attach operation (because it implements the CSI ControllerPublishVolume() method), and that the Kubernetes attach detach controller should call the attach volume interface which checks the volumeattachment status and waits until the volume is attached before proceeding to mounting."),
    col("PodInfoOnMount", "boolean", "podInfoOnMount indicates this CSI volume driver requires additional pod information (like podName, podUID, etc.) during mount operations, if set to true."),
    col("StorageCapacity", "boolean", "storageCapacity indicates that the CSI volume driver wants pod scheduling to consider the storage capacity that the driver deployment will report by creating CSIStorageCapacity objects with capacity information, if set to true."),
    col("TokenRequests", "string", "tokenRequests indicates the CSI driver needs pods' service account tokens it is mounting volume for to do necessary authentication."),
    col("RequiresRepublish", "boolean", "requiresRepublish indicates the CSI driver wants `NodePublishVolume` being periodically called to reflect any possible change in the mounted volume."),
    col("Modes", "string", "volumeLifecycleModes defines what kind of volumes this CSI volume driver supports."),
    ageColumn,
  ],
  row(obj: KubeObject, ctx: PrintContext): TableCell[] {
    const spec = as<CSIDriver>(obj).spec ?? {};
    const modes = (spec.volumeLifecycleModes ?? []).join(",");
    return [
      nameOf(obj),
      spec.attachRequired ?? true,
      spec.podInfoOnMount ?? false,
      spec.storageCapacity ?? false,
      spec.tokenRequests ? spec.tokenRequests.map((t) => t.audience ?? "").join(",") : "<unset>",
      spec.requiresRepublish ?? false,
      modes || "<none>",
      age(obj, ctx),
    ];
  },
};
