// The CronJob controller: creates a Job `<cronjob>-<scheduled time in minutes since the epoch>` at
// each schedule time (Allow/Forbid/Replace concurrency, startingDeadlineSeconds, suspend, timeZone),
// tracks active Jobs and the last schedule and success times, and deletes finished Jobs beyond the
// history limits. It asks to be woken at the next schedule time.
// Models pkg/controller/cronjob/cronjob_controllerv2.go sync / syncCronJob / cleanupFinishedJobs
import type { ObjectReference } from "kubernetes-types/core/v1";
import { findKind, type ResourceType } from "../resources/registry";
import type { KubeObject } from "../resources/types";
import { deepEqual } from "../util/equal";
import { mostRecentScheduleTime, nextScheduleWakeup, parseCronSchedule, rfc3339InZone, type CronSchedule } from "./cron-schedule";
import type { ControllerContext } from "./types";
import { controlledBy, eventOnce, list, namespaceTerminating, newControllerRef, parseTime, rec, specOf, statusOf, ts, type Obj } from "./workload-helpers";

const CRONJOB_TYPE: ResourceType = findKind({ group: "batch", version: "v1", kind: "CronJob" })!;
const JOB_TYPE: ResourceType = findKind({ group: "batch", version: "v1", kind: "Job" })!;
const COMPONENT = "cronjob-controller";
const SCHEDULED_TIMESTAMP = "batch.kubernetes.io/cronjob-scheduled-timestamp";

function finishedType(job: KubeObject): "Complete" | "Failed" | undefined {
  const c = list(statusOf(job).conditions).find((x) => (x.type === "Complete" || x.type === "Failed") && x.status === "True");
  return c?.type as "Complete" | "Failed" | undefined;
}

/** Go's time.RFC1123Z in UTC: "Mon, 02 Jan 2006 15:04:05 +0000". */
function rfc1123z(ms: number): string {
  return new Date(ms).toUTCString().replace(" GMT", " +0000");
}

interface Sync {
  ctx: ControllerContext;
  cj: KubeObject;
  status: Obj;
  active: ObjectReference[];
}

function dropActive(s: Sync, uid: string | undefined): void {
  s.active = s.active.filter((r) => r.uid !== uid);
}

function deleteJob(s: Sync, job: KubeObject): void {
  if (!job.metadata.deletionTimestamp) s.ctx.delete(JOB_TYPE, job, { propagationPolicy: "Background" });
  dropActive(s, job.metadata.uid);
  s.ctx.event(s.cj, "Normal", "SuccessfulDelete", `Deleted job ${job.metadata.name}`, COMPONENT);
}

/** Oldest first by start time (unstarted last), then name. Models utils.go byJobStartTime */
function byStartTime(a: KubeObject, b: KubeObject): number {
  const sa = parseTime(statusOf(a).startTime);
  const sb = parseTime(statusOf(b).startTime);
  if (sa === undefined || sb === undefined) return sa === sb ? (a.metadata.name ?? "").localeCompare(b.metadata.name ?? "") : sa === undefined ? 1 : -1;
  return sa - sb || (a.metadata.name ?? "").localeCompare(b.metadata.name ?? "");
}

// Models cronjob_controllerv2.go cleanupFinishedJobs / removeOldestJobs
function cleanupFinishedJobs(s: Sync, jobs: KubeObject[]): void {
  const spec = specOf(s.cj);
  for (const [type, limit] of [
    ["Complete", spec.successfulJobsHistoryLimit],
    ["Failed", spec.failedJobsHistoryLimit],
  ] as const) {
    if (limit == null) continue;
    const finished = jobs.filter((j) => finishedType(j) === type && !j.metadata.deletionTimestamp).sort(byStartTime);
    for (const j of finished.slice(0, Math.max(0, finished.length - Number(limit)))) deleteJob(s, j);
  }
}

/** Brings `active`, lastSuccessfulTime in line with the Jobs that exist. */
function reconcileJobs(s: Sync, jobs: KubeObject[]): void {
  const { ctx, cj } = s;
  for (const j of jobs) {
    const inActive = s.active.some((r) => r.uid === j.metadata.uid);
    const finished = finishedType(j);
    if (!inActive && !finished) {
      const msg = `Saw a job that the controller did not create or forgot: ${j.metadata.name}`;
      eventOnce(ctx, cj, "Warning", "UnexpectedJob", msg, COMPONENT, parseTime(j.metadata.creationTimestamp) ?? 0);
    } else if (inActive && finished) {
      dropActive(s, j.metadata.uid);
      ctx.event(cj, "Normal", "SawCompletedJob", `Saw completed job: ${j.metadata.name}, condition: ${finished}`, COMPONENT);
    } else if (finished === "Complete") {
      const done = parseTime(statusOf(j).completionTime);
      const last = parseTime(s.status.lastSuccessfulTime);
      if (done !== undefined && (last === undefined || done > last)) s.status.lastSuccessfulTime = statusOf(j).completionTime;
    }
  }
  for (const ref of [...s.active]) {
    if (jobs.some((j) => j.metadata.uid === ref.uid)) continue;
    ctx.event(cj, "Normal", "MissingJob", `Active job went missing: ${ref.name}`, COMPONENT);
    dropActive(s, ref.uid);
  }
}

/** Decides whether a Job is due now, and creates it. Returns the schedule (for the next wake-up). */
function startDueJob(s: Sync): CronSchedule | undefined {
  const { ctx, cj } = s;
  const spec = specOf(cj);
  const now = ctx.now();
  const timeZone = typeof spec.timeZone === "string" ? spec.timeZone : undefined;
  const created = parseTime(cj.metadata.creationTimestamp) ?? now;
  if (timeZone !== undefined) {
    try {
      new Intl.DateTimeFormat("en-US", { timeZone });
    } catch {
      eventOnce(ctx, cj, "Warning", "UnknownTimeZone", `invalid timeZone: "${timeZone}": unknown time zone ${timeZone}`, COMPONENT, created);
      return undefined;
    }
  }
  if (spec.suspend === true) return undefined;
  const schedule = parseCronSchedule(String(spec.schedule ?? ""), timeZone);
  if (typeof schedule === "string") {
    eventOnce(ctx, cj, "Warning", "UnparseableSchedule", `unparseable schedule: "${spec.schedule}" : ${schedule}`, COMPONENT, created);
    return undefined;
  }
  const lastSchedule = parseTime(s.status.lastScheduleTime);
  const sds = spec.startingDeadlineSeconds == null ? undefined : Number(spec.startingDeadlineSeconds);
  const times = mostRecentScheduleTime(created, lastSchedule, sds, now, schedule);
  if (times.error) {
    eventOnce(ctx, cj, "Warning", "InvalidSchedule", `invalid schedule: ${spec.schedule} : ${times.error}`, COMPONENT, created);
    return undefined;
  }
  const scheduled = times.mostRecent;
  if (scheduled === undefined) return schedule;
  if (times.missed === "many") {
    const msg = "too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew";
    eventOnce(ctx, cj, "Warning", "TooManyMissedTimes", msg, COMPONENT, scheduled);
  }
  if (sds !== undefined && scheduled + sds * 1000 < now) {
    eventOnce(ctx, cj, "Warning", "MissSchedule", `Missed scheduled time to start a job: ${rfc1123z(scheduled)}`, COMPONENT, scheduled);
    return schedule;
  }
  const name = `${cj.metadata.name}-${Math.floor(scheduled / 60_000)}`;
  if (s.active.some((r) => r.name === name) || lastSchedule === scheduled) return schedule;
  if (spec.concurrencyPolicy === "Forbid" && s.active.length) {
    const msg = "Not starting job because prior execution is running and concurrency policy is Forbid";
    eventOnce(ctx, cj, "Normal", "JobAlreadyActive", msg, COMPONENT, scheduled);
    return schedule;
  }
  if (spec.concurrencyPolicy === "Replace") {
    for (const ref of [...s.active]) {
      const job = ctx.get("batch/jobs", ref.namespace ?? "", ref.name ?? "");
      if (job) deleteJob(s, job);
    }
  }
  if (namespaceTerminating(ctx, cj.metadata.namespace ?? "")) return schedule;

  let job = ctx.get("batch/jobs", cj.metadata.namespace ?? "", name);
  if (job) {
    // A Job of that name exists: adopt it into the status only when it is ours.
    if (job.metadata.ownerReferences?.find((r) => r.controller)?.uid !== cj.metadata.uid) return schedule;
    if (s.active.some((r) => r.uid === job!.metadata.uid)) return schedule;
  } else {
    job = ctx.create(JOB_TYPE, jobFromTemplate(cj, name, scheduled, timeZone));
    if (!job) {
      eventOnce(ctx, cj, "Warning", "FailedCreate", `Error creating job: ${name}`, COMPONENT, scheduled);
      return schedule;
    }
    ctx.event(cj, "Normal", "SuccessfulCreate", `Created job ${job.metadata.name}`, COMPONENT);
  }
  s.active.push({ apiVersion: "batch/v1", kind: "Job", name: job.metadata.name, namespace: job.metadata.namespace, uid: job.metadata.uid });
  s.status.lastScheduleTime = ts(scheduled);
  return schedule;
}

// Models pkg/controller/cronjob/utils.go getJobFromTemplate2
function jobFromTemplate(cj: KubeObject, name: string, scheduled: number, timeZone: string | undefined): KubeObject {
  const template = rec(specOf(cj).jobTemplate);
  const meta = rec(template.metadata);
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: {
      name,
      namespace: cj.metadata.namespace,
      labels: { ...(rec(meta.labels) as Record<string, string>) },
      annotations: { ...(rec(meta.annotations) as Record<string, string>), [SCHEDULED_TIMESTAMP]: rfc3339InZone(scheduled, timeZone) },
      ownerReferences: [newControllerRef(cj)],
    },
    spec: structuredClone(rec(template.spec)),
  };
}

function syncCronJob(ctx: ControllerContext, cj: KubeObject): void {
  const prev = statusOf(cj);
  const s: Sync = { ctx, cj, status: structuredClone(prev), active: list<ObjectReference>(prev.active).map((r) => ({ ...r })) };
  const jobs = controlledBy(ctx, "batch/jobs", cj);
  // As upstream: history cleanup first, then the status from the same list of Jobs.
  cleanupFinishedJobs(s, jobs);
  reconcileJobs(s, jobs);
  const schedule = cj.metadata.deletionTimestamp ? undefined : startDueJob(s);
  if (schedule) {
    const wake = nextScheduleWakeup(parseTime(cj.metadata.creationTimestamp) ?? ctx.now(), parseTime(s.status.lastScheduleTime), ctx.now(), schedule);
    if (wake !== undefined) ctx.requeueAt(wake);
  }
  if (s.active.length) s.status.active = s.active;
  else delete s.status.active;
  if (!deepEqual(s.status, prev)) ctx.updateStatus(CRONJOB_TYPE, { ...cj, status: s.status });
}

export function cronJobController(ctx: ControllerContext): void {
  for (const cj of ctx.list("batch/cronjobs")) syncCronJob(ctx, cj);
}
