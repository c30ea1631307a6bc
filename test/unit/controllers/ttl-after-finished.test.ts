import { describe, expect, it } from "vitest";
import { TestCluster } from "../../cluster";
import type { KubeObject } from "../../../worker/resources/types";

const JOB = { apiVersion: "batch/v1", kind: "Job" };
const POD = { apiVersion: "v1", kind: "Pod" };

function job(spec: Record<string, unknown>): KubeObject {
  return {
    ...JOB,
    metadata: { name: "pi", namespace: "default" },
    spec: { template: { spec: { restartPolicy: "Never", containers: [{ name: "pi", image: "perl" }] } }, ...spec },
  };
}

async function finishPods(cluster: TestCluster, phase: "Succeeded" | "Failed") {
  for (const p of cluster.pods()) await cluster.modify(POD, "default", p.metadata.name!, (x) => ((x.status as Record<string, unknown>).phase = phase), "status");
}

describe("TTL-after-finished controller", () => {
  it.each([
    { ttl: 100, phase: "Succeeded" as const, backoffLimit: 6 },
    { ttl: 30, phase: "Failed" as const, backoffLimit: 0 },
  ])("deletes a $phase Job and its pods $ttl seconds after it finished", async ({ ttl, phase, backoffLimit }) => {
    const cluster = await TestCluster.create();
    await cluster.apply(job({ ttlSecondsAfterFinished: ttl, backoffLimit }));
    await cluster.advance(7);
    await finishPods(cluster, phase);
    expect(cluster.get(JOB, "default", "pi")).toBeDefined();
    await cluster.advance(ttl - 1);
    expect(cluster.get(JOB, "default", "pi")).toBeDefined();
    await cluster.advance(1);
    expect(cluster.get(JOB, "default", "pi")).toBeUndefined();
    expect(cluster.pods()).toEqual([]);
  });

  it("deletes at once with a zero TTL and leaves Jobs without one alone", async () => {
    const cluster = await TestCluster.create();
    await cluster.apply(job({ ttlSecondsAfterFinished: 0 }));
    await cluster.apply({ ...job({}), metadata: { name: "keep", namespace: "default" } });
    await finishPods(cluster, "Succeeded");
    expect(cluster.get(JOB, "default", "pi")).toBeUndefined();
    await cluster.advance(3600);
    expect(cluster.get(JOB, "default", "keep")).toBeDefined();
  });

  it("follows a TTL set after the Job finished", async () => {
    const cluster = await TestCluster.create();
    await cluster.apply(job({}));
    await finishPods(cluster, "Succeeded");
    await cluster.advance(60);
    await cluster.modify(JOB, "default", "pi", (j) => ((j.spec as Record<string, unknown>).ttlSecondsAfterFinished = 30));
    expect(cluster.get(JOB, "default", "pi")).toBeUndefined();
  });
});
