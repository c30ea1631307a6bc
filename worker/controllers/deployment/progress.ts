// Deployment status and conditions: the counts summed over its ReplicaSets, `Available` (enough
// pods available), and `Progressing` (a rollout is moving, finished, or stuck past
// progressDeadlineSeconds, checked again by a wake-up when the deadline falls due).
// Models pkg/controller/deployment/progress.go and sync.go calculateStatus
import type { KubeObject } from "../../resources/types";
import type { ControllerContext } from "../types";
import {
  DEPLOYMENT,
  desired,
  dSpec,
  dStatus,
  maxUnavailable,
  sameStatus,
  sumSpecReplicas,
  sumStatus,
  type DeploymentCondition,
  type DeploymentStatus,
} from "./util";

export const PROGRESSING = "Progressing";
export const AVAILABLE = "Available";
const REPLICA_FAILURE = "ReplicaFailure";

export const REASON = {
  replicaSetUpdated: "ReplicaSetUpdated",
  failedRSCreate: "ReplicaSetCreateError",
  newReplicaSet: "NewReplicaSetCreated",
  foundNewRS: "FoundNewReplicaSet",
  newRSAvailable: "NewReplicaSetAvailable",
  timedOut: "ProgressDeadlineExceeded",
  paused: "DeploymentPaused",
  resumed: "DeploymentResumed",
  minimumAvailable: "MinimumReplicasAvailable",
  minimumUnavailable: "MinimumReplicasUnavailable",
} as const;

/** progressDeadlineSeconds at this value means "no deadline". */
const MAX_INT32 = 2147483647;

export function newCondition(ctx: ControllerContext, type: string, status: DeploymentCondition["status"], reason: string, message: string): DeploymentCondition {
  const now = ctx.nowRfc3339();
  return { type, status, lastUpdateTime: now, lastTransitionTime: now, reason, message };
}

export function getCondition(status: DeploymentStatus, type: string): DeploymentCondition | undefined {
  return status.conditions?.find((c) => c.type === type);
}

export function removeCondition(status: DeploymentStatus, type: string): void {
  const rest = (status.conditions ?? []).filter((c) => c.type !== type);
  if (rest.length) status.conditions = rest;
  else delete status.conditions;
}

/** Adds or replaces a condition; same status and reason changes nothing, same status keeps the transition time. */
// Models pkg/controller/deployment/util/deployment_util.go SetDeploymentCondition
export function setCondition(status: DeploymentStatus, cond: DeploymentCondition): void {
  const current = getCondition(status, cond.type);
  if (current && current.status === cond.status && current.reason === cond.reason) return;
  const next = { ...cond };
  if (current && current.status === cond.status) next.lastTransitionTime = current.lastTransitionTime;
  status.conditions = [...(status.conditions ?? []).filter((c) => c.type !== cond.type), next];
}

export function hasProgressDeadline(d: KubeObject): boolean {
  const s = dSpec(d).progressDeadlineSeconds;
  return s !== undefined && s !== MAX_INT32;
}

/** Writes the working copy's status (and revision annotation) back. */
export function writeStatus(ctx: ControllerContext, d: KubeObject): void {
  ctx.updateStatus(DEPLOYMENT, d);
}

/**
 * Counts over all ReplicaSets; zero counts are left out as the API omits them. Unavailable is
 * desired-by-spec minus available: 3 replicas whose pods are not ready yet read 3 unavailable.
 */
// Models pkg/controller/deployment/sync.go calculateStatus
export function calculateStatus(ctx: ControllerContext, allRSs: (KubeObject | undefined)[], newRS: KubeObject | undefined, d: KubeObject): DeploymentStatus {
  const available = sumStatus(allRSs, "availableReplicas");
  const counts: Record<string, number | undefined> = {
    observedGeneration: d.metadata.generation,
    replicas: sumStatus(allRSs, "replicas"),
    updatedReplicas: sumStatus([newRS], "replicas"),
    readyReplicas: sumStatus(allRSs, "readyReplicas"),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, sumSpecReplicas(allRSs) - available),
    collisionCount: dStatus(d).collisionCount,
  };
  const status: DeploymentStatus = {};
  for (const [k, v] of Object.entries(counts)) if (v) (status as Record<string, number>)[k] = v;
  // collisionCount is a pointer upstream: a recorded 0 stays.
  if (dStatus(d).collisionCount === 0) status.collisionCount = 0;
  if (dStatus(d).conditions?.length) status.conditions = dStatus(d).conditions!.map((c) => ({ ...c }));
  if (available >= desired(d) - maxUnavailable(d)) {
    setCondition(status, newCondition(ctx, AVAILABLE, "True", REASON.minimumAvailable, "Deployment has minimum availability."));
  } else {
    setCondition(status, newCondition(ctx, AVAILABLE, "False", REASON.minimumUnavailable, "Deployment does not have minimum availability."));
  }
  return status;
}

// Models pkg/controller/deployment/sync.go syncDeploymentStatus
export function syncDeploymentStatus(ctx: ControllerContext, allRSs: (KubeObject | undefined)[], newRS: KubeObject | undefined, d: KubeObject): void {
  const status = calculateStatus(ctx, allRSs, newRS, d);
  if (sameStatus(d.status, status)) return;
  d.status = status;
  writeStatus(ctx, d);
}

/** All desired replicas updated and available, no old pods left, and the latest spec observed. */
// Models pkg/controller/deployment/util/deployment_util.go DeploymentComplete
export function deploymentComplete(d: KubeObject, s: DeploymentStatus): boolean {
  const n = desired(d);
  return (s.updatedReplicas ?? 0) === n && (s.replicas ?? 0) === n && (s.availableReplicas ?? 0) === n && (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0);
}

/** Progress since the stored status: more updated, ready or available pods, or fewer old ones. */
// Models pkg/controller/deployment/util/deployment_util.go DeploymentProgressing
function deploymentProgressing(d: KubeObject, s: DeploymentStatus): boolean {
  const old = dStatus(d);
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (s.replicas ?? 0) - (s.updatedReplicas ?? 0);
  return (
    (s.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) ||
    newOld < oldOld ||
    (s.readyReplicas ?? 0) > (old.readyReplicas ?? 0) ||
    (s.availableReplicas ?? 0) > (old.availableReplicas ?? 0)
  );
}

function deadlineOf(d: KubeObject, cond: DeploymentCondition): number | undefined {
  const from = Date.parse(cond.lastUpdateTime ?? "");
  return Number.isNaN(from) ? undefined : from + (dSpec(d).progressDeadlineSeconds ?? 0) * 1000;
}

// Models pkg/controller/deployment/util/deployment_util.go DeploymentTimedOut
function deploymentTimedOut(ctx: ControllerContext, d: KubeObject, s: DeploymentStatus): boolean {
  if (!hasProgressDeadline(d)) return false;
  const cond = getCondition(s, PROGRESSING);
  if (!cond || cond.reason === REASON.newRSAvailable) return false;
  if (cond.reason === REASON.timedOut) return true;
  const deadline = deadlineOf(d, cond);
  return deadline !== undefined && deadline < ctx.now();
}

/**
 * A rollout showing no progress is looked at again just after its deadline: last progress at
 * 00:00:00 with a 600s deadline, seen at 00:03:00, wakes at 00:10:01.
 */
// Models pkg/controller/deployment/progress.go requeueStuckDeployment
function requeueStuckDeployment(ctx: ControllerContext, d: KubeObject, s: DeploymentStatus): void {
  const cond = getCondition(dStatus(d), PROGRESSING);
  if (!hasProgressDeadline(d) || !cond) return;
  if (deploymentComplete(d, s) || cond.reason === REASON.timedOut) return;
  const deadline = deadlineOf(d, cond);
  if (deadline !== undefined) ctx.requeueAt(Math.max(deadline, ctx.now()) + 1000);
}

/** A ReplicaFailure condition of the new (else any) ReplicaSet, surfaced on the Deployment. */
// Models pkg/controller/deployment/progress.go getReplicaFailures
function replicaFailure(allRSs: (KubeObject | undefined)[], newRS: KubeObject | undefined): DeploymentCondition | undefined {
  for (const rs of [newRS, ...allRSs]) {
    const c = ((rs?.status ?? {}) as { conditions?: DeploymentCondition[] }).conditions?.find((x) => x.type === REPLICA_FAILURE);
    if (c) return { type: REPLICA_FAILURE, status: c.status, lastUpdateTime: c.lastTransitionTime, lastTransitionTime: c.lastTransitionTime, reason: c.reason, message: c.message };
  }
  return undefined;
}

/** Status plus the Progressing verdict for a deployment in the middle of (or done with) a rollout. */
// Models pkg/controller/deployment/progress.go syncRolloutStatus
export function syncRolloutStatus(ctx: ControllerContext, allRSs: (KubeObject | undefined)[], newRS: KubeObject | undefined, d: KubeObject): void {
  const s = calculateStatus(ctx, allRSs, newRS, d);
  if (!hasProgressDeadline(d)) removeCondition(s, PROGRESSING);
  const current = getCondition(dStatus(d), PROGRESSING);
  const complete = s.replicas === s.updatedReplicas && current?.reason === REASON.newRSAvailable;
  if (hasProgressDeadline(d) && !complete) {
    const subject = newRS ? `ReplicaSet "${newRS.metadata.name}"` : `Deployment "${d.metadata.name}"`;
    if (deploymentComplete(d, s)) {
      setCondition(s, newCondition(ctx, PROGRESSING, "True", REASON.newRSAvailable, `${subject} has successfully progressed.`));
    } else if (deploymentProgressing(d, s)) {
      // Progress refreshes lastUpdateTime even with an unchanged reason, so it is replaced, not set.
      const cond = newCondition(ctx, PROGRESSING, "True", REASON.replicaSetUpdated, `${subject} is progressing.`);
      if (current?.status === "True") cond.lastTransitionTime = current.lastTransitionTime;
      removeCondition(s, PROGRESSING);
      setCondition(s, cond);
    } else if (deploymentTimedOut(ctx, d, s)) {
      setCondition(s, newCondition(ctx, PROGRESSING, "False", REASON.timedOut, `${subject} has timed out progressing.`));
    }
  }
  const failure = replicaFailure(allRSs, newRS);
  if (failure) setCondition(s, failure);
  else removeCondition(s, REPLICA_FAILURE);

  if (sameStatus(d.status, s)) {
    requeueStuckDeployment(ctx, d, s);
    return;
  }
  d.status = s;
  writeStatus(ctx, d);
}
