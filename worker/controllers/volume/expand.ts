// Volume expansion, the three steps a bound claim's larger request goes through:
// 1. the expand controller (volume_expand) sees the request above the claim's capacity and, no
//    in-tree plugin growing anything here, reports it waits for an external controller;
// 2. the resizer of the volume's provisioner, if one runs (external-resizer <driver>), records the
//    size it works towards (`status.allocatedResources`, `Resizing`), grows the volume after a
//    second, and either finishes (NFS: nothing on the node to grow) or leaves the file system to
//    the kubelet (`FileSystemResizePending`);
// 3. the kubelet of a node where a running pod mounts the claim grows the file system (online
//    expansion) and sets the claim's capacity; with no such pod the claim waits for one.
// The API's admission and validation decide which requests are accepted (storage-admission.ts).
// Models pkg/controller/volume/expand/expand_controller.go syncHandler, github.com/kubernetes-csi/
// external-resizer pkg/controller/controller.go resizePVC, and pkg/volume/util/operationexecutor
// operation_generator.go nodeExpandVolume (with RecoverVolumeExpansionFailure, on in 1.32)
import type { KubeObject } from "../../resources/types";
import { cmpQuantity } from "../../resources/validation/quantity";
import type { ControllerContext } from "../types";
import { reportOnce, updateClaimState } from "./claim-state";
import { activeProvisioners, type Provisioner } from "./provisioners";
import { ANN_DYNAMICALLY_PROVISIONED, PV, PVC, PVCS, PVS, annotation, list, nodeNameOf, podsUsingClaim, quantity, rec, requestedStorage } from "./util";

const EXPAND_CONTROLLER = "volume_expand";
/** How long the resizer's ControllerExpandVolume takes. */
const RESIZE_MS = 1000;
const PENDING_MESSAGE = "Waiting for user to (re-)start a pod to finish file system resize of volume on node.";

type Condition = { type: string; status: string; lastProbeTime?: string | null; lastTransitionTime?: string; message?: string };

function statusOf(pvc: KubeObject): Record<string, unknown> {
  return rec(pvc.status);
}

function allocationStatus(pvc: KubeObject): string | undefined {
  const s = rec(statusOf(pvc).allocatedResourceStatuses).storage;
  return typeof s === "string" ? s : undefined;
}

function conditionsOf(pvc: KubeObject): Condition[] {
  return list(statusOf(pvc).conditions) as unknown as Condition[];
}

function writeStatus(ctx: ControllerContext, pvc: KubeObject, mutate: (s: Record<string, unknown>) => void): KubeObject {
  const status = structuredClone(statusOf(pvc));
  mutate(status);
  for (const k of ["conditions", "allocatedResourceStatuses", "allocatedResources"]) {
    const v = status[k];
    if (v === undefined || (Array.isArray(v) ? v.length === 0 : typeof v === "object" && v !== null && Object.keys(v).length === 0)) delete status[k];
  }
  return ctx.updateStatus(PVC, { ...pvc, status }) ?? pvc;
}

function dropStorageAllocation(s: Record<string, unknown>): void {
  const statuses = { ...rec(s.allocatedResourceStatuses) };
  delete statuses.storage;
  s.allocatedResourceStatuses = statuses;
}

/** The expansion is over: the claim has its new capacity. */
function finish(ctx: ControllerContext, pvc: KubeObject, size: unknown): KubeObject {
  const next = writeStatus(ctx, pvc, (s) => {
    s.capacity = { ...rec(s.capacity), storage: size };
    s.conditions = conditionsOf(pvc).filter((c) => c.type !== "Resizing" && c.type !== "FileSystemResizePending");
    dropStorageAllocation(s);
  });
  // The next request is a new occasion to report.
  updateClaimState(ctx, next, (st) => {
    if (st.reported?.[EXPAND_CONTROLLER]) delete st.reported[EXPAND_CONTROLLER];
  });
  return next;
}

function startResize(ctx: ControllerContext, pvc: KubeObject, pv: KubeObject, resizer: string): void {
  const request = requestedStorage(pvc);
  const next = writeStatus(ctx, pvc, (s) => {
    s.allocatedResources = { ...rec(s.allocatedResources), storage: request };
    s.allocatedResourceStatuses = { ...rec(s.allocatedResourceStatuses), storage: "ControllerResizeInProgress" };
    s.conditions = [...conditionsOf(pvc).filter((c) => c.type !== "Resizing"), { type: "Resizing", status: "True", lastProbeTime: null, lastTransitionTime: ctx.nowRfc3339() }];
  });
  ctx.event(next, "Normal", "Resizing", `External resizer is resizing volume ${pv.metadata.name}`, resizer);
  ctx.requeueAt(ctx.now() + RESIZE_MS);
}

function controllerExpand(ctx: ControllerContext, pvc: KubeObject, pv: KubeObject, p: Provisioner, resizer: string): void {
  const started = Date.parse(conditionsOf(pvc).find((c) => c.type === "Resizing")?.lastTransitionTime ?? "") || ctx.now();
  if (ctx.now() < started + RESIZE_MS) {
    ctx.requeueAt(started + RESIZE_MS);
    return;
  }
  const size = rec(statusOf(pvc).allocatedResources).storage;
  const grown = structuredClone(pv);
  (grown.spec as Record<string, unknown>).capacity = { ...rec(rec(pv.spec).capacity), storage: size };
  ctx.update(PV, grown);
  if (!p.resizer?.nodeExpansion) {
    const done = finish(ctx, pvc, size);
    ctx.event(done, "Normal", "VolumeResizeSuccessful", "Resize volume succeeded", resizer);
    return;
  }
  const next = writeStatus(ctx, pvc, (s) => {
    s.allocatedResourceStatuses = { ...rec(s.allocatedResourceStatuses), storage: "NodeResizePending" };
    s.conditions = [
      ...conditionsOf(pvc).filter((c) => c.type !== "Resizing" && c.type !== "FileSystemResizePending"),
      { type: "FileSystemResizePending", status: "True", lastProbeTime: null, lastTransitionTime: ctx.nowRfc3339(), message: PENDING_MESSAGE },
    ];
  });
  ctx.event(next, "Normal", "FileSystemResizeRequired", "Require file system resize of volume on node", resizer);
}

/** The kubelet's part: a running pod on a node mounts the claim, so its file system is grown there. */
function nodeExpand(ctx: ControllerContext, pvc: KubeObject, pv: KubeObject): void {
  const pod = podsUsingClaim(ctx.list("/pods", pvc.metadata.namespace), pvc).find((p) => nodeNameOf(p) && rec(p.status).phase === "Running" && !p.metadata.deletionTimestamp);
  if (!pod) return;
  const node = nodeNameOf(pod);
  const message = `MountVolume.NodeExpandVolume succeeded for volume "${pv.metadata.name}" ${node}`;
  const done = finish(ctx, pvc, rec(statusOf(pvc).allocatedResources).storage);
  ctx.event(pod, "Normal", "FileSystemResizeSuccessful", message, "kubelet", { host: node });
  ctx.event(done, "Normal", "FileSystemResizeSuccessful", message, "kubelet", { host: node });
}

export function expandController(ctx: ControllerContext): void {
  let active: Map<string, Provisioner> | undefined;
  for (const claim of ctx.list(PVCS)) {
    if (rec(claim.status).phase !== "Bound") continue;
    const pv = ctx.get(PVS, "", String(rec(claim.spec).volumeName ?? ""));
    if (!pv) continue;
    const pvc = claim;
    const inProgress = allocationStatus(pvc);
    const grows = cmpQuantity(quantity(requestedStorage(pvc)), quantity(rec(rec(pvc.status).capacity).storage)) > 0;
    if (!grows && !inProgress) continue;
    if (grows) reportOnce(ctx, pvc, "Normal", "ExternalExpanding", "waiting for an external controller to expand this PVC", EXPAND_CONTROLLER);
    if (inProgress === "NodeResizePending" || inProgress === "NodeResizeInProgress") {
      nodeExpand(ctx, ctx.get(PVCS, pvc.metadata.namespace ?? "", pvc.metadata.name ?? "") ?? pvc, pv);
      continue;
    }
    active ??= activeProvisioners(ctx);
    const p = active.get(annotation(pv, ANN_DYNAMICALLY_PROVISIONED) ?? "");
    if (!p?.resizer) continue;
    const resizer = `external-resizer ${p.name}`;
    const latest = ctx.get(PVCS, pvc.metadata.namespace ?? "", pvc.metadata.name ?? "") ?? pvc;
    if (inProgress === "ControllerResizeInProgress") controllerExpand(ctx, latest, pv, p, resizer);
    else startResize(ctx, latest, pv, resizer);
  }
}
