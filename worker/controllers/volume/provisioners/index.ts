// External provisioning: which provisioners run in the sandbox, and what each does with the claims
// the PV controller hands it (`volume.kubernetes.io/storage-provisioner`) and with the Released
// volumes it made under the Delete policy. `rancher.io/local-path` is built in; an NFS provisioner
// runs while its controller pod does (its images are what tutorials deploy: the csi-provisioner
// sidecar with nfsplugin, or nfs-subdir-external-provisioner), so a class naming it provisions
// once that pod is Running, and a class naming a provisioner nobody runs leaves its claims
// Pending with the PV controller's ExternalProvisioning event, as on a real cluster.
// Taking a claim records `Provisioning`; after the provisioner's duration the volume
// `pvc-<claim uid>` exists, pre-bound to the claim, with the class's reclaim policy and mount
// options, and `ProvisioningSucceeded` (or `ProvisioningFailed`, retried as the cluster changes).
// Models sigs.k8s.io/sig-storage-lib-external-provisioner controller/controller.go
// shouldProvision / provisionClaimOperation / shouldDelete / deleteVolumeOperation
import { parseImageRef } from "../../../runtime/image-ref";
import type { KubeObject } from "../../../resources/types";
import type { ControllerContext } from "../../types";
import { readClaimState, reportOnce, updateClaimState } from "../claim-state";
import {
  ANN_BETA_STORAGE_PROVISIONER,
  ANN_DYNAMICALLY_PROVISIONED,
  ANN_SELECTED_NODE,
  ANN_STORAGE_PROVISIONER,
  PV,
  PVC,
  PVCS,
  PVS,
  STORAGE_CLASSES,
  annotation,
  claimClass,
  claimReference,
  list,
  rec,
  volumeClass,
  volumeMode,
  withAnnotations,
} from "../util";
import { localPathProvisioner } from "./local-path";
import { nfsCsiProvisioner, nfsSubdirProvisioner, type ControllerPod } from "./nfs";
import type { Provisioner } from "./types";

export type { Provisioner } from "./types";

function imageName(image: unknown): string {
  const ref = parseImageRef(String(image ?? ""));
  return "error" in ref ? "" : ref.name;
}

/** The pod's running containers by image name (last path component, any registry or mirror). */
function runningByImage(pod: KubeObject): Map<string, { container: Record<string, unknown>; startedAt: number }> {
  const out = new Map<string, { container: Record<string, unknown>; startedAt: number }>();
  const statuses = list(rec(pod.status).containerStatuses);
  for (const c of list(rec(pod.spec).containers)) {
    const running = rec(rec(statuses.find((s) => s.name === c.name)?.state).running);
    if (!running.startedAt) continue;
    const name = imageName(c.image);
    if (name && !out.has(name)) out.set(name, { container: c, startedAt: Date.parse(String(running.startedAt)) || 0 });
  }
  return out;
}

/** Provisioner name → the provisioner running for it (the first pod found leads, as with leader election). */
export function activeProvisioners(ctx: ControllerContext): Map<string, Provisioner> {
  const out = new Map<string, Provisioner>();
  const add = (p: Provisioner | undefined) => {
    if (p && !out.has(p.name)) out.set(p.name, p);
  };
  add(localPathProvisioner(ctx));
  for (const pod of ctx.list("/pods")) {
    if (pod.metadata.deletionTimestamp || rec(pod.status).phase !== "Running") continue;
    const images = runningByImage(pod);
    const sidecars = new Set(images.keys());
    const pick = (image: string): ControllerPod | undefined => {
      const hit = images.get(image);
      return hit ? { pod, container: hit.container, startedAt: hit.startedAt, sidecars } : undefined;
    };
    const csi = pick("nfsplugin");
    if (csi && images.has("csi-provisioner")) add(nfsCsiProvisioner(csi));
    const subdir = pick("nfs-subdir-external-provisioner");
    if (subdir) add(nfsSubdirProvisioner(subdir));
  }
  return out;
}

function provisionerOf(pvc: KubeObject): string | undefined {
  return annotation(pvc, ANN_STORAGE_PROVISIONER) ?? annotation(pvc, ANN_BETA_STORAGE_PROVISIONER);
}

function provisionClaim(ctx: ControllerContext, pvc: KubeObject, p: Provisioner): void {
  const className = claimClass(pvc);
  const sc = ctx.get(STORAGE_CLASSES, "", className);
  if (!sc) return;
  const selected = annotation(pvc, ANN_SELECTED_NODE);
  // A delayed claim is provisioned only once the scheduler has chosen its node.
  if (sc.volumeBindingMode === "WaitForFirstConsumer" && !selected) return;
  const pvName = `pvc-${pvc.metadata.uid}`;
  if (ctx.get(PVS, "", pvName)) return;
  const failedSlot = `${p.name}/failed`;
  if (volumeMode(pvc) === "Block" && !p.supportsBlock) {
    reportOnce(ctx, pvc, "Warning", "ProvisioningFailed", `${p.name} does not support block volume provisioning`, p.identity, failedSlot);
    return;
  }
  const startedAt = readClaimState(ctx, pvc).provisionStartedAt;
  if (startedAt === undefined) {
    ctx.event(pvc, "Normal", "Provisioning", `External provisioner is provisioning volume for claim "${pvc.metadata.namespace}/${pvc.metadata.name}"`, p.identity);
    updateClaimState(ctx, pvc, (s) => void (s.provisionStartedAt = ctx.now()));
    ctx.requeueAt(ctx.now() + p.durationMs);
    return;
  }
  if (ctx.now() < startedAt + p.durationMs) {
    ctx.requeueAt(startedAt + p.durationMs);
    return;
  }
  const node = selected ? ctx.get("/nodes", "", selected) : undefined;
  if (selected && !node) {
    // The chosen node is gone: hand the claim back to the scheduler.
    reportOnce(ctx, pvc, "Warning", "ProvisioningFailed", `failed to get target node: node "${selected}" not found`, p.identity, failedSlot);
    ctx.update(PVC, withAnnotations(pvc, { [ANN_SELECTED_NODE]: undefined }));
    return;
  }
  const result = p.provision(ctx, { pvc, sc, pvName, node });
  if ("error" in result) {
    reportOnce(ctx, pvc, "Warning", "ProvisioningFailed", `failed to provision volume with StorageClass "${className}": ${result.error}`, p.identity, failedSlot);
    return;
  }
  const pv = withAnnotations(result.pv, { [ANN_DYNAMICALLY_PROVISIONED]: p.name });
  const spec = pv.spec as Record<string, unknown>;
  spec.claimRef = claimReference(pvc);
  spec.storageClassName = className;
  if (!ctx.create(PV, pv)) return;
  ctx.event(pvc, "Normal", "ProvisioningSucceeded", `Successfully provisioned volume ${pvName}`, p.identity);
}

// Models controller.go shouldDelete: Released, Delete policy, made by this provisioner.
function shouldDelete(pv: KubeObject): boolean {
  return !pv.metadata.deletionTimestamp && rec(pv.status).phase === "Released" && rec(pv.spec).persistentVolumeReclaimPolicy === "Delete" && !!annotation(pv, ANN_DYNAMICALLY_PROVISIONED);
}

export function provisionerController(ctx: ControllerContext): void {
  const claims = ctx.list(PVCS).filter((c) => !rec(c.spec).volumeName && provisionerOf(c) && !c.metadata.deletionTimestamp);
  const released = ctx.list(PVS).filter(shouldDelete);
  if (claims.length === 0 && released.length === 0) return;
  const active = activeProvisioners(ctx);
  for (const pvc of claims) {
    const p = active.get(provisionerOf(pvc) ?? "");
    if (p) provisionClaim(ctx, pvc, p);
  }
  for (const pv of released) {
    const p = active.get(annotation(pv, ANN_DYNAMICALLY_PROVISIONED) ?? "");
    if (!p) continue;
    const error = p.delete(ctx, pv, ctx.get(STORAGE_CLASSES, "", volumeClass(pv)));
    if (error) continue;
    ctx.delete(PV, pv);
  }
}
