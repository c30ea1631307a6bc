import { CONTROLLER_MANAGER } from "../../../worker/controllers";
import { describe, expect, it } from "vitest";
import { TestCluster } from "../../cluster";
import { jobPrinter } from "../../../worker/resources/printers/batch";
import type { KubeObject } from "../../../worker/resources/types";

const JOB = { apiVersion: "batch/v1", kind: "Job" };
const POD = { apiVersion: "v1", kind: "Pod" };

function job(spec: Record<string, unknown> = {}): KubeObject {
  return {
    ...JOB,
    metadata: { name: "pi", namespace: "default" },
    spec: {
      template: { spec: { restartPolicy: "Never", containers: [{ name: "pi", image: "perl:5.34" }] } },
      ...spec,
    },
  };
}

type Phase = "Succeeded" | "Failed";

/** What the kubelet will report when a pod's containers exit. */
async function finish(cluster: TestCluster, pod: KubeObject, phase: Phase) {
  const now = cluster.clock.nowRfc3339();
  await cluster.modify(
    POD,
    "default",
    pod.metadata.name!,
    (p) => {
      const exitCode = phase === "Succeeded" ? 0 : 1;
      p.status = {
        ...(p.status as object),
        phase,
        conditions: [{ type: "Ready", status: "False", lastTransitionTime: now }],
        containerStatuses: [
          { name: "pi", image: "perl:5.34", ready: false, restartCount: 0, state: { terminated: { exitCode, reason: phase === "Succeeded" ? "Completed" : "Error", finishedAt: now } } },
        ],
      };
    },
    "status",
  );
}

function running(cluster: TestCluster): KubeObject[] {
  return cluster.pods().filter((p) => ["Pending", "Running"].includes((p.status as { phase: string }).phase) && !p.metadata.deletionTimestamp);
}

async function finishAll(cluster: TestCluster, phase: Phase) {
  for (const p of running(cluster)) await finish(cluster, p, phase);
}

function jobOf(cluster: TestCluster): KubeObject {
  return cluster.get(JOB, "default", "pi")!;
}

function conditionTypes(j: KubeObject): string[] {
  return ((j.status as { conditions?: { type: string; status: string }[] }).conditions ?? []).filter((c) => c.status === "True").map((c) => c.type);
}

describe("Job controller", () => {
  it("runs a pod to completion and reads Complete 1/1", async () => {
    const cluster = await TestCluster.create({ controllers: CONTROLLER_MANAGER });
    await cluster.apply(job());
    const [pod] = cluster.pods();
    const j = jobOf(cluster);
    expect(pod.metadata.name).toMatch(/^pi-[a-z0-9]{5}$/);
    expect(pod.metadata.finalizers).toEqual(["batch.kubernetes.io/job-tracking"]);
    expect(pod.metadata.labels).toMatchObject({ "batch.kubernetes.io/job-name": "pi", "job-name": "pi", "controller-uid": j.metadata.uid });
    expect(pod.metadata.ownerReferences).toEqual([{ apiVersion: "batch/v1", kind: "Job", name: "pi", uid: j.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    expect(j.status).toEqual({ active: 1, ready: 0, terminating: 0, startTime: cluster.clock.nowRfc3339(), uncountedTerminatedPods: {} });

    await cluster.advance(5);
    await finish(cluster, pod, "Succeeded");
    const done = jobOf(cluster);
    expect(done.status).toMatchObject({ succeeded: 1, ready: 0, terminating: 0, completionTime: cluster.clock.nowRfc3339(), uncountedTerminatedPods: {} });
    expect((done.status as { active?: number }).active).toBeUndefined();
    expect((done.status as { conditions: unknown[] }).conditions).toEqual([
      expect.objectContaining({ type: "SuccessCriteriaMet", status: "True", reason: "CompletionsReached", message: "Reached expected number of succeeded pods" }),
      expect.objectContaining({ type: "Complete", status: "True", reason: "CompletionsReached", message: "Reached expected number of succeeded pods" }),
    ]);
    expect(cluster.get(POD, "default", pod.metadata.name!)!.metadata.finalizers).toBeUndefined();
    expect(cluster.events(done).sort()).toEqual([`Completed: Job completed`, `SuccessfulCreate: Created pod: ${pod.metadata.name}`]);
    expect(jobPrinter.row(done, { now: cluster.clock.now() }).slice(0, 4)).toEqual(["pi", "Complete", "1/1", "5s"]);
  });

  it("keeps at most parallelism pods running until completions succeed", async () => {
    const cluster = await TestCluster.create({ controllers: CONTROLLER_MANAGER });
    await cluster.apply(job({ completions: 5, parallelism: 2 }));
    const seen: number[] = [];
    for (let i = 0; i < 5 && running(cluster).length; i++) {
      seen.push(running(cluster).length);
      await finish(cluster, running(cluster)[0], "Succeeded");
    }
    expect(seen).toEqual([2, 2, 2, 2, 1]);
    expect(conditionTypes(jobOf(cluster))).toEqual(["SuccessCriteriaMet", "Complete"]);
    expect(jobOf(cluster).status).toMatchObject({ succeeded: 5 });
  });

  it("gives Indexed pods their index and tracks completed indexes", async () => {
    const cluster = await TestCluster.create({ controllers: CONTROLLER_MANAGER });
    await cluster.apply(job({ completions: 3, parallelism: 3, completionMode: "Indexed" }));
    const pods = cluster.pods().sort((a, b) => a.metadata.name!.localeCompare(b.metadata.name!));
    expect(pods.map((p) => p.metadata.annotations!["batch.kubernetes.io/job-completion-index"])).toEqual(["0", "1", "2"]);
    expect(pods.map((p) => p.metadata.labels!["batch.kubernetes.io/job-completion-index"])).toEqual(["0", "1", "2"]);
    expect(pods[1].metadata.name).toMatch(/^pi-1-[a-z0-9]{5}$/);
    expect(pods[1].spec).toMatchObject({
      hostname: "pi-1",
      containers: [{ env: [{ name: "JOB_COMPLETION_INDEX", valueFrom: { fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } } }] }],
    });

    await finish(cluster, pods[1], "Succeeded");
    expect(jobOf(cluster).status).toMatchObject({ completedIndexes: "1", succeeded: 1, active: 2 });
    // A failed index is retried (after backoff) under the same index.
    await finish(cluster, pods[0], "Failed");
    await cluster.advance(10);
    const retry = running(cluster).find((p) => p.metadata.name!.startsWith("pi-0-"))!;
    expect(retry.metadata.uid).not.toBe(pods[0].metadata.uid);
    await finishAll(cluster, "Succeeded");
    expect(jobOf(cluster).status).toMatchObject({ completedIndexes: "0-2", succeeded: 3, failed: 1 });
    expect(conditionTypes(jobOf(cluster))).toContain("Complete");
  });

  it("backs off 10s, 20s between retries and fails past backoffLimit", async () => {
    const cluster = await TestCluster.create({ controllers: CONTROLLER_MANAGER });
    await cluster.apply(job({ backoffLimit: 2 }));
    await finishAll(cluster, "Failed");
    expect(running(cluster)).toHaveLength(0);
    await cluster.advance(9);
    expect(running(cluster)).toHaveLength(0);
    await cluster.advance(1);
    expect(running(cluster)).toHaveLength(1);

    await finishAll(cluster, "Failed");
    await cluster.advance(19);
    expect(running(cluster)).toHaveLength(0);
    await cluster.advance(1);
    expect(running(cluster)).toHaveLength(1);
    expect(jobOf(cluster).status).toMatchObject({ failed: 2, active: 1 });

    await finishAll(cluster, "Failed");
    const failed = jobOf(cluster);
    expect(failed.status).toMatchObject({ failed: 3 });
    expect((failed.status as { conditions: unknown[] }).conditions).toEqual([
      expect.objectContaining({ type: "FailureTarget", status: "True", reason: "BackoffLimitExceeded", message: "Job has reached the specified backoff limit" }),
      expect.objectContaining({ type: "Failed", status: "True", reason: "BackoffLimitExceeded", message: "Job has reached the specified backoff limit" }),
    ]);
    expect(cluster.events(failed)).toContain("BackoffLimitExceeded: Job has reached the specified backoff limit");
    expect(jobPrinter.row(failed, { now: cluster.clock.now() })[1]).toBe("Failed");
    expect(cluster.pods().every((p) => !p.metadata.finalizers)).toBe(true);
  });

  it("fails with DeadlineExceeded once activeDeadlineSeconds pass", async () => {
    const cluster = await TestCluster.create({ controllers: CONTROLLER_MANAGER });
    await cluster.apply(job({ activeDeadlineSeconds: 30, parallelism: 2, completions: 4 }));
    await cluster.makePodsReady();
    expect(jobOf(cluster).status).toMatchObject({ active: 2, ready: 2 });
    await cluster.advance(29);
    expect(conditionTypes(jobOf(cluster))).toEqual([]);
    await cluster.advance(1);
    const j = jobOf(cluster);
    expect(conditionTypes(j)).toEqual(["FailureTarget", "Failed"]);
    expect(j.status).toMatchObject({ failed: 2, ready: 0, terminating: 0 });
    expect(cluster.events(j)).toContain("DeadlineExceeded: Job was active longer than specified deadline");
    expect(running(cluster)).toHaveLength(0);
  });

  it("suspends and resumes", async () => {
    const cluster = await TestCluster.create({ controllers: CONTROLLER_MANAGER });
    await cluster.apply(job({ suspend: true, parallelism: 2, completions: 2 }));
    expect(cluster.pods()).toHaveLength(0);
    expect(jobOf(cluster).status).toMatchObject({ conditions: [expect.objectContaining({ type: "Suspended", status: "True", reason: "JobSuspended" })] });
    expect((jobOf(cluster).status as { startTime?: string }).startTime).toBeUndefined();

    await cluster.modify(JOB, "default", "pi", (j) => ((j.spec as Record<string, unknown>).suspend = false));
    expect(running(cluster)).toHaveLength(2);
    expect(jobOf(cluster).status).toMatchObject({ active: 2, conditions: [expect.objectContaining({ type: "Suspended", status: "False", reason: "JobResumed" })] });

    await cluster.modify(JOB, "default", "pi", (j) => ((j.spec as Record<string, unknown>).suspend = true));
    expect(running(cluster)).toHaveLength(0);
    expect(jobOf(cluster).status).toMatchObject({ conditions: [expect.objectContaining({ type: "Suspended", status: "True" })] });
    expect((jobOf(cluster).status as { failed?: number }).failed).toBeUndefined();
    // The second suspension is aggregated into the first event (count 2).
    expect(cluster.events(jobOf(cluster)).filter((e) => !e.startsWith("Successful")).sort()).toEqual(["Resumed: Job resumed", "Suspended: Job suspended"]);
    const suspended = cluster.store.list("/events", "default").find((e) => e.reason === "Suspended")!;
    expect(suspended.count).toBe(2);
  });

  it("releases its pods when deleted", async () => {
    const cluster = await TestCluster.create({ controllers: CONTROLLER_MANAGER });
    await cluster.apply(job({ parallelism: 2, completions: 2 }));
    expect(cluster.pods()).toHaveLength(2);
    await cluster.delete(jobOf(cluster));
    expect(cluster.pods()).toHaveLength(0);
  });
});
