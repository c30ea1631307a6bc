// The StatefulSet controller: ordinal-named pods with stable identity and storage, created and
// removed in order (OrderedReady) or all at once (Parallel), updated through ControllerRevisions
// from the highest ordinal down (RollingUpdate with partition) or when deleted (OnDelete).
// Models pkg/controller/statefulset/stateful_set_control.go performUpdate / getStatefulSetRevisions /
// updateStatefulSetStatus / truncateHistory
import { findKind, type ResourceType } from "../../resources/registry";
import type { KubeObject } from "../../resources/types";
import { deepEqual } from "../../util/equal";
import { createRevision, maxRevision, ownedRevisions, renumber, sameData, templatePatch, truncateHistory } from "../history";
import type { ControllerContext } from "../types";
import { claimPods, controlledBy, isPodAvailable, rec, requeueForAvailability, specOf, statusOf, type Obj } from "../workload-helpers";
import { isMemberOf, isRunningAndReady, podRevision } from "./pods";
import { updateStatefulSet } from "./update";

const STATEFULSET_TYPE: ResourceType = findKind({ group: "apps", version: "v1", kind: "StatefulSet" })!;
const HASH_LABEL = "controller.kubernetes.io/hash";

interface Revisions {
  current: KubeObject;
  update: KubeObject;
  all: KubeObject[];
  collisionCount: number;
}

/**
 * The current and update revisions: an unchanged template keeps the newest revision, a template
 * equal to an older one renumbers it (a rollback), anything else is a new revision.
 */
function getRevisions(ctx: ControllerContext, set: KubeObject): Revisions | undefined {
  const revisions = ownedRevisions(ctx, set);
  const status = statusOf(set);
  let collisionCount = Number(status.collisionCount ?? 0);
  const data = templatePatch(set);
  const next = maxRevision(revisions) + 1;
  const equal = revisions.filter((r) => sameData(r, { data }));
  let update: KubeObject | undefined;
  if (equal.length && revisions[revisions.length - 1] === equal[equal.length - 1]) update = equal[equal.length - 1];
  else if (equal.length) update = renumber(ctx, equal[equal.length - 1], next);
  else {
    const templateLabels = rec(rec(rec(specOf(set).template).metadata).labels) as Record<string, string>;
    const res = createRevision(ctx, set, data, next, (hash) => ({ ...templateLabels, [HASH_LABEL]: hash }), collisionCount, set.metadata.annotations);
    collisionCount = res.collisionCount;
    update = res.revision;
  }
  if (!update) return undefined;
  const all = ownedRevisions(ctx, set);
  const current = all.find((r) => r.metadata.name === status.currentRevision) ?? update;
  return { current, update, all, collisionCount };
}

// Models stateful_set_control.go computeReplicaStatus / completeRollingUpdate
function computeStatus(ctx: ControllerContext, set: KubeObject, pods: KubeObject[], revs: Revisions): Obj {
  const minReadySeconds = Number(specOf(set).minReadySeconds ?? 0);
  let replicas = 0;
  let ready = 0;
  let available = 0;
  let current = 0;
  let updated = 0;
  for (const pod of pods) {
    replicas++;
    if (isRunningAndReady(pod)) {
      ready++;
      if (isPodAvailable(pod, minReadySeconds, ctx.now())) available++;
    }
    if (pod.metadata.deletionTimestamp) continue;
    if (podRevision(pod) === revs.current.metadata.name) current++;
    if (podRevision(pod) === revs.update.metadata.name) updated++;
  }
  let currentRevision = revs.current.metadata.name;
  if (rec(specOf(set).updateStrategy).type === "RollingUpdate" && updated === replicas && ready === replicas) {
    current = updated;
    currentRevision = revs.update.metadata.name;
  }
  const status: Obj = {
    observedGeneration: set.metadata.generation,
    replicas,
    readyReplicas: ready,
    currentReplicas: current,
    updatedReplicas: updated,
    currentRevision,
    updateRevision: revs.update.metadata.name,
    collisionCount: revs.collisionCount,
    availableReplicas: available,
  };
  // Upstream omits zero counters (omitempty) but always reports replicas and availableReplicas.
  for (const k of ["readyReplicas", "currentReplicas", "updatedReplicas"]) if (status[k] === 0) delete status[k];
  const conditions = statusOf(set).conditions;
  if (conditions !== undefined) status.conditions = conditions;
  return status;
}

function syncStatefulSet(ctx: ControllerContext, set: KubeObject): void {
  const revs = getRevisions(ctx, set);
  if (!revs) return;
  const selector = specOf(set).selector;
  const pods = claimPods(ctx, set, selector, { canAdopt: (p) => isMemberOf(set, p) }).filter((p) => isMemberOf(set, p));
  updateStatefulSet(ctx, set, revs.current, revs.update, pods);

  const now = controlledBy(ctx, "/pods", set).filter((p) => isMemberOf(set, p));
  const status = computeStatus(ctx, set, now, revs);
  const fresh = ctx.get("apps/statefulsets", set.metadata.namespace ?? "", set.metadata.name ?? "") ?? set;
  if (!deepEqual(status, statusOf(fresh))) ctx.updateStatus(STATEFULSET_TYPE, { ...fresh, status });
  requeueForAvailability(ctx, now, Number(specOf(set).minReadySeconds ?? 0));

  // Keep the revisions pods or the status still name; drop the oldest others past the limit.
  const live = new Set<string>([String(status.currentRevision ?? ""), String(status.updateRevision ?? ""), ...now.map(podRevision)]);
  truncateHistory(ctx, revs.all, live, Number(specOf(set).revisionHistoryLimit ?? 10));
}

export function statefulSetController(ctx: ControllerContext): void {
  for (const set of ctx.list("apps/statefulsets")) syncStatefulSet(ctx, set);
}
