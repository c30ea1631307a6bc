// Pod conditions the kubelet does not own survive its status writes (DisruptionTarget, a readiness
// gate's condition), and spec.readinessGates hold the Ready condition until their conditions are True.
import type { Pod, PodCondition } from "kubernetes-types/core/v1";
import { describe, expect, it } from "vitest";
import { TestCluster } from "../../cluster";
import { POD, container, get, pod } from "./helpers";

function cond(p: Pod | undefined, type: string): PodCondition | undefined {
  return p?.status?.conditions?.find((c) => c.type === type);
}

async function setCondition(cluster: TestCluster, name: string, c: Record<string, string>) {
  await cluster.modify(POD, "default", name, (o) => {
    const status = o.status as { conditions: Record<string, unknown>[] };
    status.conditions = [...status.conditions.filter((x) => x.type !== c.type), { ...c, lastProbeTime: null, lastTransitionTime: "2026-01-01T00:00:00Z" }];
  }, "status");
}

describe("conditions the kubelet does not own", () => {
  it("keeps DisruptionTarget through the kubelet's later status writes", async () => {
    const cluster = await TestCluster.create();
    await cluster.apply(pod("job", { restartPolicy: "Never", containers: [container("main", "busybox", { command: ["sh", "-c", "sleep 10; exit 1"] })] }));
    await cluster.advance(5);
    expect(get(cluster, "job")!.status!.phase).toBe("Running");
    const disruption = { type: "DisruptionTarget", status: "True", reason: "EvictionByEvictionAPI", message: "Eviction API: evicting" };
    await setCondition(cluster, "job", disruption);
    await cluster.advance(10);
    const p = get(cluster, "job")!;
    expect(p.status!.phase).toBe("Failed");
    expect(cond(p, "DisruptionTarget")).toMatchObject(disruption);
    expect(p.status!.conditions!.map((c) => c.type)).toEqual(["DisruptionTarget", "PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"]);
  });
});

describe("readiness gates", () => {
  it("hold Ready False until the gate's condition is True, in the kubelet's words", async () => {
    const cluster = await TestCluster.create();
    await cluster.apply(pod("web", { readinessGates: [{ conditionType: "www.example.com/feature-1" }], containers: [container("web", "nginx")] }));
    await cluster.advance(5);
    let p = get(cluster, "web");
    expect(cond(p, "ContainersReady")?.status).toBe("True");
    expect(cond(p, "Ready")).toMatchObject({
      status: "False",
      reason: "ReadinessGatesNotReady",
      message: 'corresponding condition of pod readiness gate "www.example.com/feature-1" does not exist.',
    });
    await setCondition(cluster, "web", { type: "www.example.com/feature-1", status: "False" });
    p = get(cluster, "web");
    expect(cond(p, "Ready")).toMatchObject({
      status: "False",
      reason: "ReadinessGatesNotReady",
      message: 'the status of pod readiness gate "www.example.com/feature-1" is not "True", but False',
    });
    await setCondition(cluster, "web", { type: "www.example.com/feature-1", status: "True" });
    p = get(cluster, "web");
    expect(cond(p, "Ready")?.status).toBe("True");
    expect(cond(p, "Ready")?.reason).toBeUndefined();
    expect(cond(p, "www.example.com/feature-1")?.status).toBe("True");
    // Later kubelet writes keep the gate's condition.
    await cluster.advance(60);
    expect(cond(get(cluster, "web"), "www.example.com/feature-1")?.status).toBe("True");
  });

  it("lists every gate that is not satisfied", async () => {
    const cluster = await TestCluster.create();
    await cluster.apply(pod("web", { readinessGates: [{ conditionType: "a.example.com/x" }, { conditionType: "b.example.com/y" }], containers: [container("web", "nginx")] }));
    await cluster.advance(5);
    await setCondition(cluster, "web", { type: "b.example.com/y", status: "Unknown" });
    expect(cond(get(cluster, "web"), "Ready")?.message).toBe(
      'corresponding condition of pod readiness gate "a.example.com/x" does not exist., the status of pod readiness gate "b.example.com/y" is not "True", but Unknown',
    );
  });
});
