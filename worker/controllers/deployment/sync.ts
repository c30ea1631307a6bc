// The parts of a deployment sync every strategy shares: finding (or creating) the new ReplicaSet
// and keeping revisions in step, scaling a ReplicaSet with its event, proportional scaling when
// spec.replicas changes mid-rollout or while paused, and trimming old ReplicaSets to
// revisionHistoryLimit.
// Models pkg/controller/deployment/sync.go
import type { LabelSelectorSpec } from "../../api/selectors";
import { storageKey } from "../../resources/registry";
import type { KubeObject } from "../../resources/types";
import { controllerRefOf, newControllerRef } from "../replica-pods";
import type { ControllerContext } from "../types";
import { getCondition, hasProgressDeadline, newCondition, PROGRESSING, REASON, setCondition, syncDeploymentStatus, writeStatus } from "./progress";
import {
  activeReplicaSets,
  byCreation,
  byRevision,
  COMPONENT,
  computeHash,
  desired,
  desiredReplicasAnnotation,
  dSpec,
  dStatus,
  equalIgnoreHash,
  findNewReplicaSet,
  findOldReplicaSets,
  HASH_LABEL,
  isRollingUpdate,
  isSaturated,
  MAX_REPLICAS,
  maxRevision,
  maxSurge,
  newRSNewReplicas,
  REPLICA_SET,
  replicasAnnotationsNeedUpdate,
  REVISION,
  rsSpec,
  rsStatus,
  setNewReplicaSetAnnotations,
  setReplicasAnnotations,
  sumSpecReplicas,
} from "./util";

const MAX_INT32 = 2147483647;

export interface ReplicaSets {
  newRS: KubeObject | undefined;
  oldRSs: KubeObject[];
}

function setDeploymentRevision(d: KubeObject, revision: string | undefined): boolean {
  if (revision === undefined || d.metadata.annotations?.[REVISION] === revision) return false;
  d.metadata.annotations = { ...d.metadata.annotations, [REVISION]: revision };
  return true;
}

function selectorWithHash(sel: LabelSelectorSpec | undefined, hash: string): LabelSelectorSpec {
  const out = structuredClone(sel ?? {});
  out.matchLabels = { ...out.matchLabels, [HASH_LABEL]: hash };
  return out;
}

/** What the API holds now for each of `rss` (a sync may have rewritten some earlier in the pass). */
export function refresh(ctx: ControllerContext, rss: KubeObject[]): KubeObject[] {
  return rss.flatMap((rs) => ctx.get(storageKey(REPLICA_SET), rs.metadata.namespace ?? "", rs.metadata.name ?? "") ?? []);
}

/**
 * The new ReplicaSet (the one with the deployment's template), with its revision raised to one
 * past every old one and the deployment's revision annotation following it; created when asked.
 */
// Models pkg/controller/deployment/sync.go getNewReplicaSet
export function getNewReplicaSet(ctx: ControllerContext, d: KubeObject, rsList: KubeObject[], oldRSs: KubeObject[], create: boolean): KubeObject | undefined {
  const existing = findNewReplicaSet(d, rsList);
  const newRevision = maxRevision(oldRSs) + 1;
  const minReady = dSpec(d).minReadySeconds ?? 0;
  if (existing) {
    // Only annotations and spec.minReadySeconds change here: copy those levels, not the template.
    // (setNewReplicaSetAnnotations builds a new annotations map itself.)
    const copy: KubeObject = { ...existing, metadata: { ...existing.metadata }, spec: { ...(existing.spec as object) } };
    const annotationsUpdated = setNewReplicaSetAnnotations(d, copy, newRevision, true);
    if (annotationsUpdated || (rsSpec(copy).minReadySeconds ?? 0) !== minReady) {
      (copy.spec as { minReadySeconds?: number }).minReadySeconds = minReady;
      return ctx.update(REPLICA_SET, copy);
    }
    let needsUpdate = setDeploymentRevision(d, copy.metadata.annotations?.[REVISION]);
    if (hasProgressDeadline(d) && !getCondition(dStatus(d), PROGRESSING)) {
      d.status = { ...dStatus(d) };
      setCondition(dStatus(d), newCondition(ctx, PROGRESSING, "True", REASON.foundNewRS, `Found new replica set "${copy.metadata.name}"`));
      needsUpdate = true;
    }
    if (needsUpdate) writeStatus(ctx, d);
    return copy;
  }
  if (!create) return undefined;

  const template = structuredClone(dSpec(d).template ?? {});
  const hash = computeHash(template, dStatus(d).collisionCount);
  const labels = { ...template.metadata?.labels, [HASH_LABEL]: hash };
  template.metadata = { ...template.metadata, labels };
  const namespace = d.metadata.namespace ?? "";
  const name = `${d.metadata.name}-${hash}`;
  const rs: KubeObject = {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: { name, namespace, labels: { ...labels }, ownerReferences: [newControllerRef(d)] },
    spec: { replicas: 0, minReadySeconds: minReady, selector: selectorWithHash(dSpec(d).selector, hash), template },
  };
  const replicas = newRSNewReplicas(d, [...oldRSs, rs], rs);
  (rs.spec as { replicas: number }).replicas = replicas;
  setNewReplicaSetAnnotations(d, rs, newRevision, false);

  let created: KubeObject | undefined;
  const clash = ctx.get(storageKey(REPLICA_SET), namespace, name);
  if (clash) {
    // Ours with our template (created but not yet listed): use it. Otherwise a hash collision:
    // count it so the next pass hashes to a different name.
    if (controllerRefOf(clash)?.uid !== d.metadata.uid || !equalIgnoreHash(dSpec(d).template, rsSpec(clash).template)) {
      d.status = { ...dStatus(d), collisionCount: (dStatus(d).collisionCount ?? 0) + 1 };
      writeStatus(ctx, d);
      return undefined;
    }
    created = clash;
  } else {
    created = ctx.create(REPLICA_SET, rs);
    if (!created) {
      // Reported when the condition is first set: retrying every pass must not write every pass.
      if (!hasProgressDeadline(d) || getCondition(dStatus(d), PROGRESSING)?.reason === REASON.failedRSCreate) return undefined;
      const msg = `Failed to create new replica set "${name}"`;
      d.status = { ...dStatus(d) };
      setCondition(dStatus(d), newCondition(ctx, PROGRESSING, "False", REASON.failedRSCreate, msg));
      writeStatus(ctx, d);
      ctx.event(d, "Warning", REASON.failedRSCreate, msg, COMPONENT);
      return undefined;
    }
    if (replicas > 0) ctx.event(d, "Normal", "ScalingReplicaSet", `Scaled up replica set ${name} from 0 to ${replicas}`, COMPONENT);
  }
  let needsUpdate = setDeploymentRevision(d, String(newRevision));
  if (!clash && hasProgressDeadline(d)) {
    d.status = { ...dStatus(d) };
    setCondition(dStatus(d), newCondition(ctx, PROGRESSING, "True", REASON.newReplicaSet, `Created new replica set "${name}"`));
    needsUpdate = true;
  }
  if (needsUpdate) writeStatus(ctx, d);
  return created;
}

// Models pkg/controller/deployment/sync.go getAllReplicaSetsAndSyncRevision
export function getAllReplicaSetsAndSyncRevision(ctx: ControllerContext, d: KubeObject, rsList: KubeObject[], create: boolean): ReplicaSets {
  const oldRSs = findOldReplicaSets(d, rsList);
  return { newRS: getNewReplicaSet(ctx, d, rsList, oldRSs, create), oldRSs };
}

/**
 * Sets a ReplicaSet's size (and the desired/max-replicas annotations that tell later syncs a
 * scaling event from a rollout), recording "Scaled up replica set web-x from 1 to 3".
 */
// Models pkg/controller/deployment/sync.go scaleReplicaSet / scaleReplicaSetAndRecordEvent
export function scaleReplicaSet(ctx: ControllerContext, rs: KubeObject, newScale: number, d: KubeObject): { scaled: boolean; rs: KubeObject } {
  const oldScale = desired(rs);
  const sizeNeedsUpdate = oldScale !== newScale;
  const maxReplicas = desired(d) + maxSurge(d);
  if (!sizeNeedsUpdate && !replicasAnnotationsNeedUpdate(rs, desired(d), maxReplicas)) return { scaled: false, rs };
  const copy = structuredClone(rs);
  (copy.spec as { replicas: number }).replicas = newScale;
  setReplicasAnnotations(copy, desired(d), maxReplicas);
  const updated = ctx.update(REPLICA_SET, copy);
  if (!updated) return { scaled: false, rs };
  if (sizeNeedsUpdate) {
    const op = oldScale < newScale ? "up" : "down";
    ctx.event(d, "Normal", "ScalingReplicaSet", `Scaled ${op} replica set ${rs.metadata.name} from ${oldScale} to ${newScale}`, COMPONENT);
  }
  return { scaled: sizeNeedsUpdate, rs: updated };
}

export function scaleAndRecord(ctx: ControllerContext, rs: KubeObject, newScale: number, d: KubeObject): { scaled: boolean; rs: KubeObject } {
  if (desired(rs) === newScale) return { scaled: false, rs };
  return scaleReplicaSet(ctx, rs, newScale, d);
}

// Models pkg/controller/deployment/util/deployment_util.go FindActiveOrLatest
function findActiveOrLatest(newRS: KubeObject | undefined, oldRSs: KubeObject[]): KubeObject | undefined {
  if (!newRS && oldRSs.length === 0) return undefined;
  const newestFirst = [...oldRSs].sort(byCreation).reverse();
  const active = activeReplicaSets([...newestFirst, newRS]);
  if (active.length === 0) return newRS ?? newestFirst[0];
  return active.length === 1 ? active[0] : undefined;
}

/**
 * A ReplicaSet's share of a resize: its size scaled by (new deployment size + surge) over the
 * size recorded in its max-replicas annotation. 10 → 15 replicas (surge 3) with old 8 / new 5
 * at max 13: old → round(8·18/13)=11 (+3), new → round(5·18/13)=7 (+2).
 */
// Models pkg/controller/deployment/util/deployment_util.go GetProportion / getReplicaSetFraction
function proportion(rs: KubeObject, d: KubeObject, toAdd: number, added: number): number {
  if (desired(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  let fraction: number;
  if (desired(d) === 0) fraction = -desired(rs);
  else {
    const annotated = Number(rs.metadata.annotations?.[MAX_REPLICAS] ?? NaN);
    const base = Number.isInteger(annotated) ? annotated : (dStatus(d).replicas ?? 0);
    fraction = base > 0 ? Math.round((desired(rs) * (desired(d) + maxSurge(d))) / base) - desired(rs) : 0;
  }
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

/** Resizes the ReplicaSets to a changed spec.replicas: all to the only active one, else proportionally. */
// Models pkg/controller/deployment/sync.go scale
export function scale(ctx: ControllerContext, d: KubeObject, newRS: KubeObject | undefined, oldRSs: KubeObject[]): void {
  const only = findActiveOrLatest(newRS, oldRSs);
  if (only) {
    if (desired(only) !== desired(d)) scaleAndRecord(ctx, only, desired(d), d);
    return;
  }
  if (isSaturated(d, newRS)) {
    for (const old of activeReplicaSets(oldRSs)) scaleAndRecord(ctx, old, 0, d);
    return;
  }
  if (!isRollingUpdate(d)) return;
  const all = activeReplicaSets([...oldRSs, newRS]);
  const allowed = desired(d) > 0 ? desired(d) + maxSurge(d) : 0;
  const toAdd = allowed - sumSpecReplicas(all);
  // Larger first; among equals, newer first when growing and older first when shrinking.
  if (toAdd > 0) all.sort((a, b) => desired(b) - desired(a) || byCreation(b, a));
  else if (toAdd < 0) all.sort((a, b) => desired(b) - desired(a) || byCreation(a, b));
  let added = 0;
  const sizes = all.map((rs) => {
    if (toAdd === 0) return desired(rs);
    const p = proportion(rs, d, toAdd, added);
    added += p;
    return desired(rs) + p;
  });
  // Leftovers from rounding go to the largest.
  if (toAdd !== 0 && sizes.length) sizes[0] = Math.max(0, sizes[0] + toAdd - added);
  all.forEach((rs, i) => scaleReplicaSet(ctx, rs, sizes[i], d));
}

/** Deletes the oldest fully scaled-down ReplicaSets beyond revisionHistoryLimit. */
// Models pkg/controller/deployment/sync.go cleanupDeployment
export function cleanupDeployment(ctx: ControllerContext, oldRSs: KubeObject[], d: KubeObject): void {
  const limit = dSpec(d).revisionHistoryLimit;
  if (limit === undefined || limit === MAX_INT32) return;
  const cleanable = oldRSs.filter((rs) => !rs.metadata.deletionTimestamp).sort(byRevision);
  const diff = cleanable.length - limit;
  for (const rs of cleanable.slice(0, Math.max(0, diff))) {
    const s = rsStatus(rs);
    if ((s.replicas ?? 0) !== 0 || desired(rs) !== 0 || (rs.metadata.generation ?? 0) > (s.observedGeneration ?? 0)) continue;
    ctx.delete(REPLICA_SET, rs, { propagationPolicy: "Background" });
  }
}

/** A change of spec.replicas shows as an active ReplicaSet whose desired-replicas annotation differs. */
// Models pkg/controller/deployment/deployment_controller.go isScalingEvent
export function isScalingEvent(ctx: ControllerContext, d: KubeObject, rsList: KubeObject[]): boolean {
  const { newRS, oldRSs } = getAllReplicaSetsAndSyncRevision(ctx, d, rsList, false);
  return activeReplicaSets([...oldRSs, newRS]).some((rs) => {
    const want = desiredReplicasAnnotation(rs);
    return want !== undefined && want !== desired(d);
  });
}

/** Scaling only (paused, or spec.replicas changed): no rollout step. */
// Models pkg/controller/deployment/sync.go sync
export function syncScaling(ctx: ControllerContext, d: KubeObject, rsList: KubeObject[]): void {
  const { newRS, oldRSs } = getAllReplicaSetsAndSyncRevision(ctx, d, rsList, false);
  scale(ctx, d, newRS, oldRSs);
  if (dSpec(d).paused) cleanupDeployment(ctx, oldRSs, d);
  syncDeploymentStatus(ctx, [...oldRSs, newRS], newRS, d);
}

// Models pkg/controller/deployment/sync.go syncStatusOnly
export function syncStatusOnly(ctx: ControllerContext, d: KubeObject, rsList: KubeObject[]): void {
  const { newRS, oldRSs } = getAllReplicaSetsAndSyncRevision(ctx, d, rsList, false);
  syncDeploymentStatus(ctx, [...oldRSs, newRS], newRS, d);
}

/** A paused deployment says so in Progressing (so time paused does not count against the deadline). */
// Models pkg/controller/deployment/sync.go checkPausedConditions
export function checkPausedConditions(ctx: ControllerContext, d: KubeObject): void {
  if (!hasProgressDeadline(d)) return;
  const cond = getCondition(dStatus(d), PROGRESSING);
  if (cond?.reason === REASON.timedOut) return;
  const pausedCond = cond?.reason === REASON.paused;
  const paused = !!dSpec(d).paused;
  if (paused === pausedCond) return;
  d.status = { ...dStatus(d) };
  const [reason, message] = paused ? [REASON.paused, "Deployment is paused"] : [REASON.resumed, "Deployment is resumed"];
  setCondition(dStatus(d), newCondition(ctx, PROGRESSING, "Unknown", reason, message));
  writeStatus(ctx, d);
}
