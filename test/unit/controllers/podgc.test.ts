import { describe, expect, it } from "vitest";
import { TestCluster } from "../../cluster";
import { CONTROLLERS, CONTROLLER_MANAGER } from "../../../worker/controllers";
import { podGc, podGcController } from "../../../worker/controllers/podgc";
import type { KubeObject } from "../../../worker/resources/types";

const POD = { apiVersion: "v1", kind: "Pod" };
const NODE = { apiVersion: "v1", kind: "Node" };

function pod(name: string, extra: { nodeName?: string; finalizers?: string[] } = {}): KubeObject {
  return {
    ...POD,
    metadata: { name, namespace: "default", ...(extra.finalizers ? { finalizers: extra.finalizers } : {}) },
    spec: { containers: [{ name: "c", image: "busybox" }], ...(extra.nodeName ? { nodeName: extra.nodeName } : {}) },
  };
}

async function setPhase(cluster: TestCluster, name: string, phase: string) {
  await cluster.modify(POD, "default", name, (p) => ((p.status as Record<string, unknown>).phase = phase), "status");
}

describe("pod GC", () => {
  it("deletes pods bound to a node that is gone, after a 40 s quarantine, marking them Failed first", async () => {
    const cluster = await TestCluster.create({ controllers: CONTROLLER_MANAGER });
    await cluster.apply(pod("bound", { nodeName: "k8s-node2" }));
    await cluster.apply(pod("held", { nodeName: "k8s-node2", finalizers: ["example.com/hold"] }));
    await cluster.apply(pod("elsewhere", { nodeName: "k8s-node1" }));
    await setPhase(cluster, "bound", "Running");
    expect(cluster.pods().map((p) => p.metadata.name).sort()).toEqual(["bound", "elsewhere", "held"]);

    await cluster.delete(cluster.get(NODE, "", "k8s-node2")!);
    const gone = cluster.clock.now();
    expect(cluster.pods().map((p) => p.metadata.name).sort()).toEqual(["bound", "elsewhere", "held"]);
    expect(cluster.engine.nextWakeup()).toBe(gone + 40_000);
    await cluster.advance(39);
    expect(cluster.pods().map((p) => p.metadata.name).sort()).toEqual(["bound", "elsewhere", "held"]);
    await cluster.advance(1);
    expect(cluster.pods().map((p) => p.metadata.name).sort()).toEqual(["elsewhere", "held"]);
    const held = cluster.get(POD, "default", "held")!;
    expect(held.metadata.deletionTimestamp).toBeDefined();
    expect(held.metadata.deletionGracePeriodSeconds).toBe(0);
    expect(held.status).toMatchObject({
      phase: "Failed",
      conditions: expect.arrayContaining([expect.objectContaining({ type: "DisruptionTarget", status: "True", reason: "DeletionByPodGC", message: "PodGC: node no longer exists" })]),
    });
  });

  it("force-deletes a terminating pod whose node is gone", async () => {
    const cluster = await TestCluster.create({ controllers: CONTROLLER_MANAGER });
    await cluster.apply(pod("web", { nodeName: "k8s-node2" }));
    await setPhase(cluster, "web", "Running");
    await cluster.delete(cluster.get(POD, "default", "web")!);
    // A running pod on a live node terminates gracefully (its kubelet finishes the job).
    expect(cluster.get(POD, "default", "web")!.metadata.deletionGracePeriodSeconds).toBe(30);
    await cluster.delete(cluster.get(NODE, "", "k8s-node2")!);
    await cluster.advance(40);
    expect(cluster.get(POD, "default", "web")).toBeUndefined();
    // Nothing left to wait for: no wake-up, no write.
    expect((await cluster.advance(600)).writes).toBe(0);
  });

  it("keeps the pods of a node that comes back within the quarantine", async () => {
    const cluster = await TestCluster.create({ controllers: CONTROLLER_MANAGER });
    await cluster.apply(pod("bound", { nodeName: "k8s-node2" }));
    const node = cluster.get(NODE, "", "k8s-node2")!;
    await cluster.delete(node);
    await cluster.advance(30);
    await cluster.apply({ ...NODE, metadata: { name: "k8s-node2", labels: node.metadata.labels }, spec: {} });
    await cluster.advance(60);
    expect(cluster.get(POD, "default", "bound")!.metadata.deletionTimestamp).toBeUndefined();
    // Gone again: a fresh quarantine.
    await cluster.delete(cluster.get(NODE, "", "k8s-node2")!);
    await cluster.advance(39);
    expect(cluster.get(POD, "default", "bound")).toBeDefined();
    await cluster.advance(1);
    expect(cluster.get(POD, "default", "bound")).toBeUndefined();
  });

  it("keeps at most the threshold of terminated pods, deleting the oldest", async () => {
    const cluster = await TestCluster.create({ controllers: [...CONTROLLERS.filter((c) => c !== podGc), podGcController(3)] });
    for (const name of ["p1", "p2", "p3", "p4", "p5"]) {
      await cluster.apply(pod(name));
      await cluster.advance(1);
    }
    await setPhase(cluster, "p1", "Running");
    for (const name of ["p5", "p4", "p3", "p2"]) await setPhase(cluster, name, name === "p3" ? "Failed" : "Succeeded");
    expect(cluster.pods().map((p) => p.metadata.name).sort()).toEqual(["p1", "p3", "p4", "p5"]);
    await setPhase(cluster, "p1", "Succeeded");
    expect(cluster.pods().map((p) => p.metadata.name).sort()).toEqual(["p3", "p4", "p5"]);
  });
});
