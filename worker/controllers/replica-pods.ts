// Bookkeeping shared by the replica controllers (ReplicaSet, ReplicationController, Deployment):
// which pods count, readiness and availability, controller references (adopt and release), the
// pod a template stamps out, and which pods go first when scaling down.
import type { OwnerReference } from "kubernetes-types/meta/v1";
import type { ResourceType } from "../resources/registry";
import { clonePlain } from "../resources/clone";
import type { KubeObject } from "../resources/types";
import type { ControllerContext } from "./types";

interface PodCondition {
  type: string;
  status: string;
  lastTransitionTime?: string;
}

interface PodShape {
  spec?: { nodeName?: string };
  status?: { phase?: string; conditions?: PodCondition[]; containerStatuses?: { restartCount?: number }[] };
}

export interface PodTemplate {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string>; finalizers?: string[]; [k: string]: unknown };
  spec?: Record<string, unknown>;
}

const shape = (pod: KubeObject) => pod as unknown as PodShape;

/** Epoch ms of an RFC 3339 time, or undefined when absent or unparsable. */
export function timeOf(s: unknown): number | undefined {
  if (typeof s !== "string") return undefined;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : t;
}

// Models pkg/controller/controller_utils.go IsPodActive
export function isPodActive(pod: KubeObject): boolean {
  const phase = shape(pod).status?.phase;
  return phase !== "Succeeded" && phase !== "Failed" && !pod.metadata.deletionTimestamp;
}

function readyCondition(pod: KubeObject): PodCondition | undefined {
  return shape(pod).status?.conditions?.find((c) => c.type === "Ready");
}

// Models pkg/api/v1/pod/util.go IsPodReady
export function isPodReady(pod: KubeObject): boolean {
  return readyCondition(pod)?.status === "True";
}

/**
 * When a ready pod counts as available: minReadySeconds after it turned ready, strictly later
 * (upstream compares with Before). Undefined when not ready.
 */
export function availableFrom(pod: KubeObject, minReadySeconds: number): number | undefined {
  const cond = readyCondition(pod);
  if (cond?.status !== "True") return undefined;
  if (minReadySeconds <= 0) return -Infinity;
  const since = timeOf(cond.lastTransitionTime);
  return since === undefined ? undefined : since + minReadySeconds * 1000 + 1;
}

// Models pkg/api/v1/pod/util.go IsPodAvailable
export function isPodAvailable(pod: KubeObject, minReadySeconds: number, now: number): boolean {
  const at = availableFrom(pod, minReadySeconds);
  return at !== undefined && at <= now;
}

export function controllerRefOf(obj: KubeObject): OwnerReference | undefined {
  return (obj.metadata.ownerReferences ?? []).find((r) => r.controller);
}

// Models staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/controller_ref.go NewControllerRef
export function newControllerRef(owner: KubeObject): OwnerReference {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata.name ?? "",
    uid: owner.metadata.uid ?? "",
    controller: true,
    blockOwnerDeletion: true,
  };
}

/**
 * The objects `owner` controls among `candidates`: ones it already controls and still selects,
 * plus orphans it selects (adopted here). Ones it controls but no longer selects are released.
 * An owner being deleted neither adopts nor releases.
 */
// Models pkg/controller/controller_ref_manager.go BaseControllerRefManager.ClaimObject
export function claimObjects(
  ctx: ControllerContext,
  type: ResourceType,
  owner: KubeObject,
  candidates: KubeObject[],
  selects: (obj: KubeObject) => boolean,
): KubeObject[] {
  const uid = owner.metadata.uid;
  const ownerDeleting = !!owner.metadata.deletionTimestamp;
  const claimed: KubeObject[] = [];
  for (const obj of candidates) {
    const ref = controllerRefOf(obj);
    if (ref) {
      if (ref.uid !== uid) continue;
      if (selects(obj)) claimed.push(obj);
      else if (!ownerDeleting && !obj.metadata.deletionTimestamp) {
        const next = structuredClone(obj);
        next.metadata.ownerReferences = (next.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid);
        if (next.metadata.ownerReferences.length === 0) delete next.metadata.ownerReferences;
        ctx.update(type, next);
      }
      continue;
    }
    if (ownerDeleting || obj.metadata.deletionTimestamp || !selects(obj)) continue;
    const next = structuredClone(obj);
    next.metadata.ownerReferences = [...(next.metadata.ownerReferences ?? []), newControllerRef(owner)];
    const adopted = ctx.update(type, next);
    if (adopted) claimed.push(adopted);
  }
  return claimed;
}

// Models pkg/controller/controller_utils.go GetPodFromTemplate
export function podFromTemplate(owner: KubeObject, template: PodTemplate): KubeObject {
  const meta = template.metadata ?? {};
  const pod: KubeObject = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      namespace: owner.metadata.namespace,
      generateName: `${owner.metadata.name}-`,
      ownerReferences: [newControllerRef(owner)],
    },
    spec: clonePlain(template.spec ?? {}),
  };
  if (meta.labels && Object.keys(meta.labels).length) pod.metadata.labels = { ...meta.labels };
  if (meta.annotations && Object.keys(meta.annotations).length) pod.metadata.annotations = { ...meta.annotations };
  if (meta.finalizers?.length) pod.metadata.finalizers = [...meta.finalizers];
  return pod;
}

const PHASE_ORDER: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };
const DELETION_COST = "controller.kubernetes.io/pod-deletion-cost";

function deletionCost(pod: KubeObject): number {
  const v = Number(pod.metadata.annotations?.[DELETION_COST]);
  return Number.isInteger(v) ? v : 0;
}

function maxRestarts(pod: KubeObject): number {
  return Math.max(0, ...(shape(pod).status?.containerStatuses ?? []).map((c) => c.restartCount ?? 0));
}

/** Negative when `a` is later than `b`; a missing time counts as the latest of all. */
function laterFirst(a: number | undefined, b: number | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return -1;
  if (b === undefined) return 1;
  return b - a;
}

/**
 * Pods in the order they should be deleted: unscheduled before scheduled, Pending before Unknown
 * before Running, not ready before ready, lower deletion cost first, more pods of the same owner
 * on the node first, ready more recently first, more restarts first, newer before older.
 * `rank` is the number of related active pods on each pod's node.
 */
// Models pkg/controller/controller_utils.go ActivePodsWithRanks.Less (without the logarithmic age buckets)
export function sortForDeletion(pods: KubeObject[], rank: (pod: KubeObject) => number): KubeObject[] {
  const key = (p: KubeObject) => ({
    node: shape(p).spec?.nodeName ?? "",
    phase: PHASE_ORDER[shape(p).status?.phase ?? ""] ?? 0,
    ready: isPodReady(p),
    cost: deletionCost(p),
    rank: rank(p),
    readySince: timeOf(readyCondition(p)?.lastTransitionTime),
    restarts: maxRestarts(p),
    created: timeOf(p.metadata.creationTimestamp),
  });
  const keyed = pods.map((p) => ({ p, k: key(p) }));
  keyed.sort(({ p: pa, k: a }, { p: pb, k: b }) => {
    if (a.node !== b.node && (a.node === "" || b.node === "")) return a.node === "" ? -1 : 1;
    if (a.phase !== b.phase) return a.phase - b.phase;
    if (a.ready !== b.ready) return a.ready ? 1 : -1;
    if (a.cost !== b.cost) return a.cost - b.cost;
    if (a.rank !== b.rank) return b.rank - a.rank;
    if (a.ready && b.ready && a.readySince !== b.readySince) return laterFirst(a.readySince, b.readySince);
    if (a.restarts !== b.restarts) return b.restarts - a.restarts;
    if (a.created !== b.created) return laterFirst(a.created, b.created);
    // Upstream leaves ties in sort order; the name keeps the choice reproducible.
    return (pb.metadata.name ?? "").localeCompare(pa.metadata.name ?? "");
  });
  return keyed.map(({ p }) => p);
}
