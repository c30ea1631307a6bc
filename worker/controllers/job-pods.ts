// Job pods: which count as failed, completion indexes for Indexed Jobs, pod failure backoff
// (derived from the pods themselves, so a restart loses nothing), and creating and removing pods.
// Models pkg/controller/job/job_controller.go, indexed_job_utils.go and backoff_utils.go
import type { KubeObject } from "../resources/types";
import type { ControllerContext } from "./types";
import { compareForRemoval, failedCreate, list, parseTime, podFromTemplate, podPhase, POD_TYPE, rec, specOf, type Obj } from "./workload-helpers";

export const JOB_TRACKING_FINALIZER = "batch.kubernetes.io/job-tracking";
export const COMPLETION_INDEX = "batch.kubernetes.io/job-completion-index";
export const COMPONENT = "job-controller";
/** Pod failure backoff: 10 s doubling per failure since the last success, capped. */
export const POD_FAILURE_BACKOFF_MS = 10_000;
// Upstream's MaxJobPodFailureBackOff (the documentation still says six minutes).
export const MAX_POD_FAILURE_BACKOFF_MS = 10 * 60_000;

export function hasTrackingFinalizer(pod: KubeObject): boolean {
  return (pod.metadata.finalizers ?? []).includes(JOB_TRACKING_FINALIZER);
}

export function withoutTrackingFinalizer(pod: KubeObject): KubeObject {
  const next = structuredClone(pod);
  next.metadata.finalizers = (next.metadata.finalizers ?? []).filter((f) => f !== JOB_TRACKING_FINALIZER);
  if (!next.metadata.finalizers.length) delete next.metadata.finalizers;
  return next;
}

/** Only Failed pods are replaced (podReplacementPolicy Failed), or terminating ones too. */
export function onlyReplaceFailedPods(job: KubeObject): boolean {
  const spec = specOf(job);
  return spec.podReplacementPolicy === "Failed" || spec.podFailurePolicy != null;
}

// Models pkg/controller/job/job_controller.go isPodFailed
export function isPodFailed(pod: KubeObject, job: KubeObject): boolean {
  const phase = podPhase(pod);
  if (phase === "Failed") return true;
  if (onlyReplaceFailedPods(job)) return false;
  // A deleted pod may never reach Failed (no kubelet left to say so), so it counts as failed.
  return !!pod.metadata.deletionTimestamp && phase !== "Succeeded";
}

export function isIndexed(job: KubeObject): boolean {
  return specOf(job).completionMode === "Indexed";
}

/** The completion index a pod carries, -1 when none. */
export function completionIndex(pod: KubeObject): number {
  const v = pod.metadata.annotations?.[COMPLETION_INDEX] ?? pod.metadata.labels?.[COMPLETION_INDEX];
  if (v === undefined || !/^\d+$/.test(v)) return -1;
  return Number(v);
}

export function validIndex(pod: KubeObject, job: KubeObject): boolean {
  const ix = completionIndex(pod);
  return ix >= 0 && ix < Number(specOf(job).completions ?? 0);
}

/** Parses "1,3-5,7" into a set of indexes. */
export function parseIndexes(s: unknown): Set<number> {
  const out = new Set<number>();
  if (typeof s !== "string" || !s) return out;
  for (const part of s.split(",")) {
    const [a, b] = part.split("-").map(Number);
    if (!Number.isInteger(a)) continue;
    for (let i = a; i <= (Number.isInteger(b) ? b : a); i++) out.add(i);
  }
  return out;
}

// Models pkg/controller/job/indexed_job_utils.go orderedIntervals.String
export function formatIndexes(indexes: Set<number>): string {
  const sorted = [...indexes].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(",");
}

/** When a pod finished: its containers' last finish, else when it stopped being ready, else its deletion. */
// Models pkg/controller/job/backoff_utils.go getFinishedTime
export function finishTime(pod: KubeObject): number {
  const status = rec(pod.status);
  let latest: number | undefined;
  for (const c of [...list(status.containerStatuses), ...list(status.initContainerStatuses)]) {
    const t = parseTime(rec(rec(c.state).terminated).finishedAt);
    if (t !== undefined && (latest === undefined || t > latest)) latest = t;
  }
  if (latest !== undefined) return latest;
  const ready = list(status.conditions).find((c) => c.type === "Ready" && c.status === "False");
  return parseTime(ready?.lastTransitionTime) ?? parseTime(pod.metadata.deletionTimestamp) ?? parseTime(pod.metadata.creationTimestamp) ?? 0;
}

/**
 * When new pods may be created again: failures since the last success double the delay
 * (10 s, 20 s, 40 s … up to the cap) counted from the last failure. Undefined when not backing off.
 * Models pkg/controller/job/backoff_utils.go backoffRecord.getRemainingTime
 */
export function backoffUntil(job: KubeObject, pods: KubeObject[]): number | undefined {
  let lastSuccess = -Infinity;
  for (const p of pods) if (podPhase(p) === "Succeeded") lastSuccess = Math.max(lastSuccess, finishTime(p));
  let failures = 0;
  let lastFailure = -Infinity;
  for (const p of pods) {
    if (!isPodFailed(p, job)) continue;
    const t = finishTime(p);
    if (t <= lastSuccess) continue;
    failures++;
    lastFailure = Math.max(lastFailure, t);
  }
  if (!failures) return undefined;
  const delay = Math.min(POD_FAILURE_BACKOFF_MS * 2 ** (failures - 1), MAX_POD_FAILURE_BACKOFF_MS);
  return lastFailure + delay;
}

/** Restarts of containers of running pods reach the backoff limit (restartPolicy OnFailure). */
// Models pkg/controller/job/job_controller.go pastBackoffLimitOnFailure
export function pastBackoffLimitOnFailure(job: KubeObject, pods: KubeObject[]): boolean {
  if (rec(rec(specOf(job).template).spec).restartPolicy !== "OnFailure") return false;
  let restarts = 0;
  for (const p of pods) {
    if (podPhase(p) !== "Running" && podPhase(p) !== "Pending") continue;
    const status = rec(p.status);
    for (const c of [...list(status.containerStatuses), ...list(status.initContainerStatuses)]) restarts += Number(c.restartCount ?? 0);
  }
  const limit = Number(specOf(job).backoffLimit ?? 6);
  return limit === 0 ? restarts > 0 : restarts >= limit;
}

/** The lowest indexes neither succeeded nor being worked on. */
// Models pkg/controller/job/indexed_job_utils.go firstPendingIndexes
export function firstPendingIndexes(job: KubeObject, active: KubeObject[], succeeded: Set<number>, count: number): number[] {
  const busy = new Set(active.map(completionIndex));
  const completions = Number(specOf(job).completions ?? 0);
  const out: number[] = [];
  for (let i = 0; i < completions && out.length < count; i++) if (!succeeded.has(i) && !busy.has(i)) out.push(i);
  return out;
}

/**
 * Active pods to remove: for Indexed Jobs first those with an invalid or duplicated index, then
 * the least valuable (pending before running, not ready before ready, newer before older).
 * Models pkg/controller/job/job_controller.go activePodsForRemoval
 */
export function activePodsForRemoval(job: KubeObject, active: KubeObject[], atLeast: number): KubeObject[] {
  const rm: KubeObject[] = [];
  let left = [...active];
  if (isIndexed(job)) {
    const keep = new Map<number, KubeObject>();
    for (const p of [...active].sort(compareForRemoval)) {
      if (!validIndex(p, job)) continue;
      const ix = completionIndex(p);
      const prev = keep.get(ix);
      if (prev) rm.push(prev);
      keep.set(ix, p);
    }
    left = [...keep.values()];
    rm.push(...active.filter((p) => !validIndex(p, job)));
  }
  if (rm.length < atLeast) rm.push(...left.sort(compareForRemoval).slice(0, atLeast - rm.length));
  return rm;
}

/** Creates a pod for the job (at `index` for Indexed Jobs), with the tracking finalizer. */
export function createJobPod(ctx: ControllerContext, job: KubeObject, index?: number): KubeObject | undefined {
  const name = job.metadata.name ?? "";
  const template = structuredClone(rec(specOf(job).template));
  const meta = rec(template.metadata);
  meta.finalizers = [...list<string>(meta.finalizers).filter((f) => f !== JOB_TRACKING_FINALIZER), JOB_TRACKING_FINALIZER];
  let generateName = `${name}-`;
  if (index !== undefined) {
    meta.annotations = { ...rec(meta.annotations), [COMPLETION_INDEX]: String(index) };
    meta.labels = { ...rec(meta.labels), [COMPLETION_INDEX]: String(index) };
    const spec = rec(template.spec);
    spec.hostname = `${name}-${index}`;
    addCompletionIndexEnv(spec);
    template.spec = spec;
    generateName = `${name}-${index}-`;
  }
  template.metadata = meta;
  const created = ctx.create(POD_TYPE, podFromTemplate(template, job, generateName));
  if (created) ctx.event(job, "Normal", "SuccessfulCreate", `Created pod: ${created.metadata.name}`, COMPONENT);
  // Models pkg/controller/controller_utils.go RealPodControl.createPods ("Error creating: %v").
  else if (ctx.lastCreateError) failedCreate(ctx, job, `Error creating: ${ctx.lastCreateError}`, COMPONENT);
  return created;
}

// Models pkg/controller/job/indexed_job_utils.go addCompletionIndexEnvVariables
function addCompletionIndexEnv(spec: Obj): void {
  const env = { name: "JOB_COMPLETION_INDEX", valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${COMPLETION_INDEX}']` } } };
  for (const key of ["initContainers", "containers"]) {
    for (const c of list(spec[key])) {
      const vars = list(c.env);
      if (!vars.some((v) => v.name === env.name)) c.env = [...vars, structuredClone(env)];
    }
  }
}

/** Deletes pods the job no longer wants, releasing them uncounted first (as upstream's deleteJobPods). */
export function removeJobPods(ctx: ControllerContext, job: KubeObject, pods: KubeObject[]): void {
  for (const p of pods) {
    const current = hasTrackingFinalizer(p) ? (ctx.update(POD_TYPE, withoutTrackingFinalizer(p)) ?? p) : p;
    if (ctx.get("/pods", current.metadata.namespace ?? "", current.metadata.name ?? "") && !current.metadata.deletionTimestamp) {
      ctx.delete(POD_TYPE, current, { propagationPolicy: "Background" });
    }
    ctx.event(job, "Normal", "SuccessfulDelete", `Deleted pod: ${p.metadata.name}`, COMPONENT);
  }
}

/** Deletes active pods of a finished job, keeping their finalizers so they are counted as failed. */
export function deleteActivePods(ctx: ControllerContext, job: KubeObject, pods: KubeObject[]): void {
  for (const p of pods) {
    if (p.metadata.deletionTimestamp) continue;
    ctx.delete(POD_TYPE, p, { propagationPolicy: "Background" });
    ctx.event(job, "Normal", "SuccessfulDelete", `Deleted pod: ${p.metadata.name}`, COMPONENT);
  }
}
