// The Job controller: runs pods until `completions` succeed (NonIndexed or Indexed), at most
// `parallelism` at once; retries failures with exponential backoff up to `backoffLimit`; stops at
// `activeDeadlineSeconds`; honours `suspend`. Each pod carries the job-tracking finalizer until it is
// counted, so no finished pod goes uncounted. Finishing goes through SuccessCriteriaMet /
// FailureTarget before Complete / Failed, as 1.32 does.
// Models pkg/controller/job/job_controller.go syncJob / manageJob / trackJobStatusAndRemoveFinalizers
import { findKind, type ResourceType } from "../resources/registry";
import type { KubeObject } from "../resources/types";
import { deepEqual } from "../util/equal";
import {
  activePodsForRemoval,
  backoffUntil,
  COMPONENT,
  completionIndex,
  createJobPod,
  deleteActivePods,
  firstPendingIndexes,
  formatIndexes,
  hasTrackingFinalizer,
  isIndexed,
  isPodFailed,
  JOB_TRACKING_FINALIZER,
  onlyReplaceFailedPods,
  parseIndexes,
  pastBackoffLimitOnFailure,
  removeJobPods,
  validIndex,
  withoutTrackingFinalizer,
} from "./job-pods";
import type { ControllerContext } from "./types";
import { claimPods, controllerRefOf, isPodActive, isPodReady, list, namespaceTerminating, parseTime, podPhase, POD_TYPE, specOf, statusOf, ts, type Obj } from "./workload-helpers";

const JOB_TYPE: ResourceType = findKind({ group: "batch", version: "v1", kind: "Job" })!;

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastProbeTime?: string;
  lastTransitionTime?: string;
}

function conditionTrue(job: KubeObject, type: string): Condition | undefined {
  return list<Condition>(statusOf(job).conditions).find((c) => c.type === type && c.status === "True");
}

export function isJobFinished(job: KubeObject): boolean {
  return !!(conditionTrue(job, "Complete") || conditionTrue(job, "Failed"));
}

/**
 * Sets a condition's status, appending it when new and True; returns whether anything changed.
 * Models pkg/controller/job/job_controller.go ensureJobConditionStatus
 */
function ensureCondition(conditions: Condition[], type: string, status: string, reason: string, message: string, now: string): boolean {
  const c = conditions.find((x) => x.type === type);
  if (c) {
    if (c.status === status && c.reason === reason && c.message === message) return false;
    if (c.status !== status) c.lastTransitionTime = now;
    Object.assign(c, { status, reason, message, lastProbeTime: now });
    return true;
  }
  if (status !== "True") return false;
  conditions.push({ type, status, reason, message, lastProbeTime: now, lastTransitionTime: now });
  return true;
}

interface Finish {
  type: "SuccessCriteriaMet" | "FailureTarget";
  reason: string;
  message: string;
}

function syncJob(ctx: ControllerContext, job: KubeObject): void {
  if (isJobFinished(job)) return;
  const spec = specOf(job);
  const mode = spec.completionMode ?? "NonIndexed";
  if (mode !== "NonIndexed" && mode !== "Indexed") return;
  const now = ctx.now();
  const nowTs = ts(now);
  const indexed = isIndexed(job);
  const completions = spec.completions == null ? undefined : Number(spec.completions);
  const suspended = spec.suspend === true;
  const prev = statusOf(job);
  const status: Obj = structuredClone(prev);
  const conditions = list<Condition>(status.conditions).map((c) => ({ ...c }));

  const pods = claimPods(ctx, job, spec.selector, { adoptFinalizer: JOB_TRACKING_FINALIZER });
  let active = pods.filter(isPodActive);
  // Finished pods not counted yet still carry the finalizer.
  const uncounted = pods.filter(hasTrackingFinalizer);
  const newSucceeded = uncounted.filter((p) => podPhase(p) === "Succeeded" && (!indexed || validIndex(p, job)));
  const newFailed = uncounted.filter((p) => podPhase(p) !== "Succeeded" && isPodFailed(p, job) && (!indexed || validIndex(p, job)));
  const succeededIndexes = parseIndexes(prev.completedIndexes);
  if (indexed) for (const p of newSucceeded) succeededIndexes.add(completionIndex(p));
  const succeeded = indexed ? succeededIndexes.size : Number(prev.succeeded ?? 0) + newSucceeded.length;
  const failed = Number(prev.failed ?? 0) + newFailed.length;

  if (status.startTime == null && !suspended) status.startTime = nowTs;

  let finish: Finish | undefined;
  if (conditionTrue(job, "SuccessCriteriaMet")) finish = { type: "SuccessCriteriaMet", ...reasonOf(conditionTrue(job, "SuccessCriteriaMet")!) };
  else if (conditionTrue(job, "FailureTarget")) finish = { type: "FailureTarget", ...reasonOf(conditionTrue(job, "FailureTarget")!) };
  else if (failed > Number(spec.backoffLimit ?? 6) || pastBackoffLimitOnFailure(job, pods)) {
    finish = { type: "FailureTarget", reason: "BackoffLimitExceeded", message: "Job has reached the specified backoff limit" };
  } else if (spec.activeDeadlineSeconds != null && !suspended && status.startTime) {
    const deadline = (parseTime(status.startTime) ?? now) + Number(spec.activeDeadlineSeconds) * 1000;
    if (now >= deadline) finish = { type: "FailureTarget", reason: "DeadlineExceeded", message: "Job was active longer than specified deadline" };
    else ctx.requeueAt(deadline);
  }

  if (finish) {
    // A finishing job stops its running pods; a failing one counts them as failed below.
    deleteActivePods(ctx, job, active);
    active = [];
  } else {
    if (!job.metadata.deletionTimestamp) active = manageJob(ctx, job, pods, active, succeeded, succeededIndexes);
    const done = completions === undefined ? succeeded > 0 && active.length === 0 : succeeded >= completions && active.length === 0;
    if (done) finish = { type: "SuccessCriteriaMet", reason: "CompletionsReached", message: "Reached expected number of succeeded pods" };
    else if (!job.metadata.deletionTimestamp) {
      const changed = suspended
        ? ensureCondition(conditions, "Suspended", "True", "JobSuspended", "Job suspended", nowTs)
        : ensureCondition(conditions, "Suspended", "False", "JobResumed", "Job resumed", nowTs);
      if (changed) {
        ctx.event(job, "Normal", suspended ? "Suspended" : "Resumed", suspended ? "Job suspended" : "Job resumed", COMPONENT);
        // activeDeadlineSeconds counts continuous activity, so a resumed job starts its clock again.
        if (!suspended) status.startTime = nowTs;
      }
    }
  }

  // Count finished pods and release them: remove the finalizer of every pod that is done with.
  const counted = { succeeded: 0, failed: 0 };
  for (const p of uncounted) {
    const fresh = ctx.get("/pods", p.metadata.namespace ?? "", p.metadata.name ?? "") ?? p;
    const considerFailed = isPodFailed(fresh, job);
    if (!(job.metadata.deletionTimestamp || finish || podPhase(fresh) === "Succeeded" || considerFailed)) continue;
    ctx.update(POD_TYPE, withoutTrackingFinalizer(fresh));
    if (indexed && !validIndex(fresh, job)) continue;
    if (podPhase(fresh) === "Succeeded") counted.succeeded++;
    else if (considerFailed || finish?.type === "FailureTarget") counted.failed++;
  }
  if (indexed) {
    status.completedIndexes = formatIndexes(succeededIndexes);
    status.succeeded = succeededIndexes.size;
  } else status.succeeded = Number(prev.succeeded ?? 0) + counted.succeeded;
  status.failed = Number(prev.failed ?? 0) + counted.failed;

  const remaining = ctx.list("/pods", job.metadata.namespace ?? "").filter((p) => controllerRefOf(p)?.uid === job.metadata.uid);
  const terminating = remaining.filter((p) => p.metadata.deletionTimestamp && podPhase(p) !== "Succeeded" && podPhase(p) !== "Failed").length;
  let finished: Condition | undefined;
  if (finish) {
    if (!conditionTrue(job, finish.type)) conditions.push({ type: finish.type, status: "True", reason: finish.reason, message: finish.message, lastProbeTime: nowTs, lastTransitionTime: nowTs });
    // The terminal condition waits until no pod of the job is still terminating.
    if (terminating === 0) {
      const type = finish.type === "SuccessCriteriaMet" ? "Complete" : "Failed";
      ensureCondition(conditions, type, "True", finish.reason, finish.message, nowTs);
      if (type === "Complete") status.completionTime = nowTs;
      finished = conditions.find((c) => c.type === type);
    }
  }

  status.active = active.length;
  status.ready = active.filter(isPodReady).length;
  status.terminating = terminating;
  status.uncountedTerminatedPods = {};
  if (conditions.length) status.conditions = conditions;
  // Upstream omits zero counters (omitempty); ready and terminating are always reported.
  for (const k of ["active", "succeeded", "failed", "completedIndexes"]) if (!status[k]) delete status[k];
  if (deepEqual(status, prev)) return;
  ctx.updateStatus(JOB_TYPE, { ...job, status });
  if (finished?.type === "Complete") {
    if (completions !== undefined && Number(status.succeeded ?? 0) > completions) {
      ctx.event(job, "Warning", "TooManySucceededPods", "Too many succeeded pods running after completion count reached", COMPONENT);
    }
    ctx.event(job, "Normal", "Completed", "Job completed", COMPONENT);
  } else if (finished) ctx.event(job, "Warning", finished.reason ?? "", finished.message ?? "", COMPONENT);
}

function reasonOf(c: Condition): { reason: string; message: string } {
  return { reason: c.reason ?? "", message: c.message ?? "" };
}

/**
 * Creates or deletes pods toward the wanted number of active ones; returns the active pods after.
 * Models pkg/controller/job/job_controller.go manageJob
 */
function manageJob(ctx: ControllerContext, job: KubeObject, pods: KubeObject[], active: KubeObject[], succeeded: number, succeededIndexes: Set<number>): KubeObject[] {
  const spec = specOf(job);
  if (spec.suspend === true) {
    removeJobPods(ctx, job, active);
    return [];
  }
  const parallelism = Number(spec.parallelism ?? 1);
  let want: number;
  if (spec.completions == null) want = succeeded > 0 ? active.length : parallelism;
  else want = Math.max(0, Math.min(Number(spec.completions) - succeeded, parallelism));

  const toRemove = activePodsForRemoval(job, active, Math.max(0, active.length - want));
  if (toRemove.length) {
    // Deletions and creations never share a pass; deletions come first.
    removeJobPods(ctx, job, toRemove);
    return active.filter((p) => !toRemove.includes(p));
  }
  const terminating = onlyReplaceFailedPods(job) ? pods.filter((p) => p.metadata.deletionTimestamp && podPhase(p) !== "Succeeded" && podPhase(p) !== "Failed").length : 0;
  let diff = want - terminating - active.length;
  if (diff <= 0 || namespaceTerminating(ctx, job.metadata.namespace ?? "")) return active;
  const until = backoffUntil(job, pods);
  if (until !== undefined && until > ctx.now()) {
    ctx.requeueAt(until);
    return active;
  }
  const created: KubeObject[] = [];
  if (isIndexed(job)) {
    for (const ix of firstPendingIndexes(job, active, succeededIndexes, diff)) {
      const pod = createJobPod(ctx, job, ix);
      if (pod) created.push(pod);
    }
  } else {
    for (; diff > 0; diff--) {
      const pod = createJobPod(ctx, job);
      if (pod) created.push(pod);
    }
  }
  return [...active, ...created];
}

/**
 * Pods still holding the tracking finalizer of a job that is gone (or finished) are released, so
 * deleting a job never leaves pods stuck.
 */
function releaseOrphanedPods(ctx: ControllerContext): void {
  for (const pod of ctx.list("/pods")) {
    if (!hasTrackingFinalizer(pod)) continue;
    const ref = controllerRefOf(pod);
    const job = ref?.kind === "Job" ? ctx.get("batch/jobs", pod.metadata.namespace ?? "", ref.name) : undefined;
    if (job && job.metadata.uid === ref?.uid && !isJobFinished(job)) continue;
    ctx.update(POD_TYPE, withoutTrackingFinalizer(pod));
  }
}

export function jobController(ctx: ControllerContext): void {
  for (const job of ctx.list("batch/jobs")) syncJob(ctx, job);
  releaseOrphanedPods(ctx);
}
