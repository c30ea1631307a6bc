// The apiserver's storage admission plugins (all on by default):
// - DefaultStorageClass: a claim created without a class (no storageClassName, no beta
//   annotation) gets the default StorageClass; `storageClassName: ""` asks for none;
// - StorageObjectInUseProtection: claims and volumes are created with their protection finalizer;
// - PersistentVolumeClaimResize: a claim's storage request may grow only when it is bound and its
//   class allows volume expansion.
// Models plugin/pkg/admission/storage/storageclass/setdefault/admission.go,
// plugin/pkg/admission/storage/storageobjectinuseprotection/admission.go and
// plugin/pkg/admission/storage/persistentvolume/resize/admission.go
import { claimClass, claimHasClass, defaultClass, PV_PROTECTION, PVC_PROTECTION, quantity, rec, requestedStorage, STORAGE_CLASSES } from "../controllers/volume/util";
import type { KubeObject } from "../resources/types";
import { cmpQuantity } from "../resources/validation/quantity";
import type { AdmissionContext } from "./admission";
import { forbidden } from "./status";

function withFinalizer(obj: KubeObject, finalizer: string): void {
  const list = obj.metadata.finalizers ?? [];
  if (!list.includes(finalizer)) obj.metadata.finalizers = [...list, finalizer];
}

/** Mutating admission of a create, after defaulting. */
export function admitStorageCreate(ctx: AdmissionContext, key: string, obj: KubeObject): void {
  if (key === "/PersistentVolumeClaim") {
    if (!claimHasClass(obj)) {
      const def = defaultClass(ctx.store.list(STORAGE_CLASSES));
      if (def) (obj.spec as Record<string, unknown>).storageClassName = def.metadata.name;
    }
    withFinalizer(obj, PVC_PROTECTION);
  } else if (key === "/PersistentVolume") {
    withFinalizer(obj, PV_PROTECTION);
  }
}

/** Validating admission of an update (spec, not status), after validation; throws 403. */
export function validateStorageUpdate(ctx: AdmissionContext, key: string, next: KubeObject, old: KubeObject): void {
  if (key !== "/PersistentVolumeClaim") return;
  if (cmpQuantity(quantity(requestedStorage(next)), quantity(requestedStorage(old))) <= 0) return;
  const name = old.metadata.name ?? "";
  if (rec(old.status).phase !== "Bound") throw forbidden("", "persistentvolumeclaims", name, "Only bound persistent volume claims can be expanded");
  const cls = claimClass(next);
  const sc = cls && cls === claimClass(old) ? ctx.store.get(STORAGE_CLASSES, "", cls) : undefined;
  if (sc?.allowVolumeExpansion !== true) {
    throw forbidden("", "persistentvolumeclaims", name, "only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize");
  }
}
