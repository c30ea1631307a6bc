// Storage object in use protection: a claim being deleted stays (Terminating) while a scheduled
// pod names it in its volumes, whatever that pod's phase, and goes once the last such pod object
// is gone; a volume being deleted stays while it is Bound. Both controllers also give the
// finalizer to objects that lack it (admission adds it at create).
// Models pkg/controller/volume/pvcprotection/pvc_protection_controller.go processPVC / podUsesPVC
// and pkg/controller/volume/pvprotection/pv_protection_controller.go processPV / isBeingUsed
import type { ResourceType } from "../../resources/registry";
import type { KubeObject } from "../../resources/types";
import type { ControllerContext } from "../types";
import { PV, PV_PROTECTION, PVC, PVC_PROTECTION, PVCS, PVS, nodeNameOf, podClaimNames, rec } from "./util";

function setFinalizer(ctx: ControllerContext, t: ResourceType, obj: KubeObject, finalizer: string, present: boolean): void {
  const next = structuredClone(obj);
  const others = (obj.metadata.finalizers ?? []).filter((f) => f !== finalizer);
  if (present) next.metadata.finalizers = [...others, finalizer];
  else if (others.length) next.metadata.finalizers = others;
  else delete next.metadata.finalizers;
  ctx.update(t, next);
}

/** A pod scheduled with the claim among its volumes; a generic ephemeral volume's claim only while the pod runs. */
function podUsesClaim(pod: KubeObject, pvc: KubeObject): boolean {
  if (!nodeNameOf(pod) || pod.metadata.namespace !== pvc.metadata.namespace) return false;
  const name = pvc.metadata.name ?? "";
  for (const v of (rec(pod.spec).volumes as Record<string, unknown>[] | undefined) ?? []) {
    if (rec(v.persistentVolumeClaim).claimName === name) return true;
    if (v.ephemeral && `${pod.metadata.name}-${String(v.name)}` === name && !podIsShutDown(pod) && (pvc.metadata.ownerReferences ?? []).some((r) => r.controller && r.uid === pod.metadata.uid)) return true;
  }
  return false;
}

/** The kubelet is done with the pod (deleted with grace period 0) or it was force-deleted. */
function podIsShutDown(pod: KubeObject): boolean {
  return !!pod.metadata.deletionTimestamp && pod.metadata.deletionGracePeriodSeconds === 0;
}

export function pvcProtectionController(ctx: ControllerContext): void {
  const claims = ctx.list(PVCS);
  if (claims.length === 0) return;
  let pods: KubeObject[] | undefined;
  for (const pvc of claims) {
    const has = (pvc.metadata.finalizers ?? []).includes(PVC_PROTECTION);
    if (!pvc.metadata.deletionTimestamp) {
      if (!has) setFinalizer(ctx, PVC, pvc, PVC_PROTECTION, true);
      continue;
    }
    if (!has) continue;
    pods ??= ctx.list("/pods").filter((p) => podClaimNames(p).length > 0);
    if (pods.some((p) => podUsesClaim(p, pvc))) continue;
    setFinalizer(ctx, PVC, pvc, PVC_PROTECTION, false);
  }
}

export function pvProtectionController(ctx: ControllerContext): void {
  for (const pv of ctx.list(PVS)) {
    const has = (pv.metadata.finalizers ?? []).includes(PV_PROTECTION);
    if (!pv.metadata.deletionTimestamp) {
      if (!has) setFinalizer(ctx, PV, pv, PV_PROTECTION, true);
      continue;
    }
    if (has && rec(pv.status).phase !== "Bound") setFinalizer(ctx, PV, pv, PV_PROTECTION, false);
  }
}
