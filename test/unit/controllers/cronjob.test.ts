import { describe, expect, it } from "vitest";
import { START, TestCluster } from "../../cluster";
import { CONTROLLER_MANAGER } from "../../../worker/controllers";
import type { ControllerContext } from "../../../worker/controllers/types";
import { findKind } from "../../../worker/resources/registry";
import type { KubeObject } from "../../../worker/resources/types";
import { mostRecentScheduleTime, parseCronSchedule, type CronSchedule } from "../../../worker/controllers/cron-schedule";

const CJ = { apiVersion: "batch/v1", kind: "CronJob" };
const JOB = { apiVersion: "batch/v1", kind: "Job" };
const POD_TYPE = findKind({ group: "", version: "v1", kind: "Pod" })!;

/** Stands in for the kubelet: every pod exits `exitCode` ten seconds after it was created. */
function fakeKubelet(exitCode = 0) {
  return (ctx: ControllerContext) => {
    for (const pod of ctx.list("/pods")) {
      const status = pod.status as { phase?: string };
      if (status.phase !== "Pending" || pod.metadata.deletionTimestamp) continue;
      const done = Date.parse(pod.metadata.creationTimestamp!) + 10_000;
      if (ctx.now() < done) {
        ctx.requeueAt(done);
        continue;
      }
      const at = ctx.nowRfc3339();
      const phase = exitCode === 0 ? "Succeeded" : "Failed";
      const state = { terminated: { exitCode, reason: exitCode === 0 ? "Completed" : "Error", finishedAt: at } };
      ctx.updateStatus(POD_TYPE, { ...pod, status: { ...status, phase, containerStatuses: [{ name: "hello", image: "busybox", ready: false, restartCount: 0, state }] } });
    }
  };
}

function cronJob(spec: Record<string, unknown> = {}): KubeObject {
  return {
    ...CJ,
    metadata: { name: "hello", namespace: "default" },
    spec: {
      schedule: "*/5 * * * *",
      jobTemplate: { spec: { template: { spec: { restartPolicy: "OnFailure", containers: [{ name: "hello", image: "busybox" }] } } } },
      ...spec,
    },
  };
}

/** The Job name for a schedule time `minutes` after the test start. */
function jobName(minutes: number): string {
  return `hello-${START / 60_000 + minutes}`;
}

function jobNames(cluster: TestCluster): string[] {
  return cluster
    .list(JOB, "default")
    .map((j) => j.metadata.name!)
    .sort();
}

function cronStatus(cluster: TestCluster) {
  return cluster.get(CJ, "default", "hello")!.status as { active?: { name: string }[]; lastScheduleTime?: string; lastSuccessfulTime?: string };
}

describe("CronJob controller", () => {
  it("creates a Job at each schedule time and keeps successfulJobsHistoryLimit of them", async () => {
    const cluster = await TestCluster.create({ controllers: [...CONTROLLER_MANAGER, fakeKubelet()] });
    await cluster.apply(cronJob());
    expect(jobNames(cluster)).toEqual([]);
    expect(cluster.engine.nextWakeup()).toBe(START + 5 * 60_000 + 100);

    await cluster.advance(3600);
    // Runs at :05 … :55 finished ten seconds after starting; the one at 01:00 has just started.
    expect(jobNames(cluster)).toEqual([jobName(45), jobName(50), jobName(55), jobName(60)]);
    const status = cronStatus(cluster);
    expect(status.active?.map((r) => r.name)).toEqual([jobName(60)]);
    expect(status.lastScheduleTime).toBe("2026-01-01T01:00:00Z");
    expect(status.lastSuccessfulTime).toBe("2026-01-01T00:55:10Z");

    await cluster.advance(10);
    expect(jobNames(cluster)).toEqual([jobName(50), jobName(55), jobName(60)]);
    expect(cronStatus(cluster).active).toBeUndefined();
    const events = cluster.events(cluster.get(CJ, "default", "hello")!);
    expect(events).toContain(`SuccessfulCreate: Created job ${jobName(60)}`);
    expect(events).toContain(`SawCompletedJob: Saw completed job: ${jobName(60)}, condition: Complete`);
    expect(events).toContain(`SuccessfulDelete: Deleted job ${jobName(45)}`);
  });

  it("builds each Job from the template, owned by the CronJob, with the scheduled time", async () => {
    const cluster = await TestCluster.create({ controllers: CONTROLLER_MANAGER });
    await cluster.apply(cronJob({ jobTemplate: { metadata: { labels: { team: "a" } }, spec: { template: { spec: { restartPolicy: "Never", containers: [{ name: "hello", image: "busybox" }] } } } } }));
    await cluster.advance(300);
    const job = cluster.get(JOB, "default", jobName(5))!;
    const cj = cluster.get(CJ, "default", "hello")!;
    expect(job.metadata.labels).toMatchObject({ team: "a" });
    expect(job.metadata.annotations).toEqual({ "batch.kubernetes.io/cronjob-scheduled-timestamp": "2026-01-01T00:05:00Z" });
    expect(job.metadata.ownerReferences).toEqual([{ apiVersion: "batch/v1", kind: "CronJob", name: "hello", uid: cj.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    expect(cronStatus(cluster).active).toEqual([{ apiVersion: "batch/v1", kind: "Job", name: jobName(5), namespace: "default", uid: job.metadata.uid }]);
    expect(cluster.pods()).toHaveLength(1);
  });

  it.each([
    { policy: "Allow", jobs: [jobName(5), jobName(10)], active: 2 },
    { policy: "Forbid", jobs: [jobName(5)], active: 1 },
    { policy: "Replace", jobs: [jobName(10)], active: 1 },
  ])("applies concurrencyPolicy $policy to a run still active at the next time", async ({ policy, jobs, active }) => {
    const cluster = await TestCluster.create({ controllers: CONTROLLER_MANAGER });
    await cluster.apply(cronJob({ concurrencyPolicy: policy }));
    await cluster.advance(600);
    expect(jobNames(cluster)).toEqual(jobs);
    expect(cronStatus(cluster).active).toHaveLength(active);
    const events = cluster.events(cluster.get(CJ, "default", "hello")!);
    if (policy === "Forbid") expect(events).toContain("JobAlreadyActive: Not starting job because prior execution is running and concurrency policy is Forbid");
    if (policy === "Replace") expect(events).toContain(`SuccessfulDelete: Deleted job ${jobName(5)}`);
  });

  it.each([
    { name: "without a deadline the late run starts", deadline: undefined, jobs: [jobName(5)] },
    { name: "a run past its deadline is skipped", deadline: 60, jobs: [] },
    { name: "a run within its deadline starts late", deadline: 200, jobs: [jobName(5)] },
  ])("honours startingDeadlineSeconds: $name", async ({ deadline, jobs }) => {
    const cluster = await TestCluster.create({ controllers: CONTROLLER_MANAGER });
    await cluster.apply(cronJob({ suspend: true, startingDeadlineSeconds: deadline }));
    await cluster.advance(7 * 60);
    await cluster.modify(CJ, "default", "hello", (cj) => ((cj.spec as Record<string, unknown>).suspend = false));
    expect(jobNames(cluster)).toEqual(jobs);
    await cluster.advance(3 * 60);
    expect(jobNames(cluster)).toEqual([...jobs, jobName(10)]);
  });

  it("catches up only the most recent run after a long absence, and says so", async () => {
    const cluster = await TestCluster.create({ controllers: CONTROLLER_MANAGER });
    await cluster.apply(cronJob({ schedule: "* * * * *", suspend: true }));
    await cluster.advance(3 * 3600 + 30);
    await cluster.modify(CJ, "default", "hello", (cj) => ((cj.spec as Record<string, unknown>).suspend = false));
    expect(jobNames(cluster)).toEqual([jobName(180)]);
    expect(cluster.events(cluster.get(CJ, "default", "hello")!)).toContain(
      "TooManyMissedTimes: too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew",
    );
  });

  it.each([
    { schedule: "@hourly", timeZone: undefined, first: 60, stamp: "2026-01-01T01:00:00Z" },
    { schedule: "0 9 * * *", timeZone: "America/New_York", first: 14 * 60, stamp: "2026-01-01T09:00:00-05:00" },
    { schedule: "30 * * * *", timeZone: "Asia/Kolkata", first: 60, stamp: "2026-01-01T06:30:00+05:30" },
  ])("evaluates $schedule in $timeZone", async ({ schedule, timeZone, first, stamp }) => {
    const cluster = await TestCluster.create({ controllers: CONTROLLER_MANAGER });
    await cluster.apply(cronJob({ schedule, timeZone }));
    await cluster.advance(first * 60 - 1);
    expect(jobNames(cluster)).toEqual([]);
    await cluster.advance(1);
    expect(jobNames(cluster)).toEqual([jobName(first)]);
    expect(cluster.get(JOB, "default", jobName(first))!.metadata.annotations!["batch.kubernetes.io/cronjob-scheduled-timestamp"]).toBe(stamp);
  });

  it("keeps failedJobsHistoryLimit failed Jobs", async () => {
    const cluster = await TestCluster.create({ controllers: [...CONTROLLER_MANAGER, fakeKubelet(1)] });
    await cluster.apply(
      cronJob({
        failedJobsHistoryLimit: 1,
        jobTemplate: { spec: { backoffLimit: 0, template: { spec: { restartPolicy: "Never", containers: [{ name: "hello", image: "busybox" }] } } } },
      }),
    );
    await cluster.advance(16 * 60);
    expect(jobNames(cluster)).toEqual([jobName(15)]);
    expect(cronStatus(cluster).lastSuccessfulTime).toBeUndefined();
  });
});

describe("cron schedules", () => {
  const at = (iso: string) => Date.parse(iso);
  const next = (spec: string, from: string, tz?: string) => {
    const s = parseCronSchedule(spec, tz) as CronSchedule;
    return new Date(s.next(at(from))!).toISOString();
  };

  it.each([
    ["*/5 * * * *", "2026-01-01T00:05:00Z", undefined, "2026-01-01T00:10:00.000Z"],
    ["5/15 * * * *", "2026-01-01T00:06:00Z", undefined, "2026-01-01T00:20:00.000Z"],
    ["@daily", "2026-01-01T00:00:00Z", undefined, "2026-01-02T00:00:00.000Z"],
    ["@weekly", "2026-01-01T00:00:00Z", undefined, "2026-01-04T00:00:00.000Z"],
    ["0 0 13 * 5", "2026-01-01T00:00:00Z", undefined, "2026-01-02T00:00:00.000Z"],
    ["0 0 * * 1", "2026-01-01T00:00:00Z", undefined, "2026-01-05T00:00:00.000Z"],
    ["@every 90s", "2026-01-01T00:00:00.500Z", undefined, "2026-01-01T00:01:30.000Z"],
    ["CRON_TZ=Asia/Tokyo 0 9 * * *", "2026-01-01T00:00:00Z", undefined, "2026-01-02T00:00:00.000Z"],
    ["0 9 * * *", "2026-01-01T00:00:00Z", "Europe/Berlin", "2026-01-01T08:00:00.000Z"],
  ])("%s after %s (%s) is %s", (spec, from, tz, want) => {
    expect(next(spec, from, tz)).toBe(want);
  });

  it("estimates missed runs and finds only the latest", () => {
    const s = parseCronSchedule("*/5 * * * *") as CronSchedule;
    const created = at("2026-01-01T00:00:00Z");
    expect(mostRecentScheduleTime(created, undefined, undefined, at("2026-01-01T00:04:00Z"), s).mostRecent).toBeUndefined();
    expect(mostRecentScheduleTime(created, undefined, undefined, at("2026-01-01T00:07:00Z"), s)).toMatchObject({ missed: "none", mostRecent: at("2026-01-01T00:05:00Z") });
    expect(mostRecentScheduleTime(created, undefined, undefined, at("2026-01-01T01:02:00Z"), s)).toMatchObject({ missed: "few", missedCount: 12, mostRecent: at("2026-01-01T01:00:00Z") });
    expect(mostRecentScheduleTime(created, undefined, undefined, at("2026-01-02T00:00:00Z"), s)).toMatchObject({ missed: "many", mostRecent: at("2026-01-02T00:00:00Z") });
    expect(mostRecentScheduleTime(created, undefined, 150, at("2026-01-01T01:02:00Z"), s)).toMatchObject({ missed: "none", mostRecent: at("2026-01-01T01:00:00Z") });
  });
});
