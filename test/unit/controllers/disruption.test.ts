// The disruption controller: PodDisruptionBudget status from the pods it selects and their
// controllers' scale, the DisruptionAllowed condition, and evicted pods noted in disruptedPods.
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../../worker/resources/types";
import { TestCluster } from "../../cluster";

type Obj = Record<string, any>;
const PDB = { apiVersion: "policy/v1", kind: "PodDisruptionBudget" };
const POD = { apiVersion: "v1", kind: "Pod" };

function pdb(spec: Obj): KubeObject {
  return { ...PDB, metadata: { name: "web", namespace: "default" }, spec: { selector: { matchLabels: { app: "web" } }, ...spec } };
}

function replicaSet(replicas: number): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: { name: "web", namespace: "default" },
    spec: { replicas, selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "c", image: "nginx" }] } } },
  };
}

const status = (c: TestCluster) => c.get(PDB, "default", "web")!.status as Obj;

describe("disruption controller", () => {
  it.each([
    { name: "minAvailable as a number", spec: { minAvailable: 2 }, want: { currentHealthy: 3, desiredHealthy: 2, disruptionsAllowed: 1, expectedPods: 3 } },
    { name: "minAvailable as a percentage of the controller's scale", spec: { minAvailable: "50%" }, want: { currentHealthy: 3, desiredHealthy: 2, disruptionsAllowed: 1, expectedPods: 3 } },
    { name: "maxUnavailable", spec: { maxUnavailable: 1 }, want: { currentHealthy: 3, desiredHealthy: 2, disruptionsAllowed: 1, expectedPods: 3 } },
    { name: "maxUnavailable 0 allows nothing", spec: { maxUnavailable: 0 }, want: { currentHealthy: 3, desiredHealthy: 3, disruptionsAllowed: 0, expectedPods: 3 } },
  ])("$name", async ({ spec, want }) => {
    const c = await TestCluster.create();
    await c.apply(replicaSet(3));
    await c.advance(30);
    await c.apply(pdb(spec));
    const allowed = want.disruptionsAllowed > 0;
    expect(status(c)).toMatchObject({
      ...want,
      observedGeneration: 1,
      conditions: [{ type: "DisruptionAllowed", status: allowed ? "True" : "False", reason: allowed ? "SufficientPods" : "InsufficientPods", message: "", observedGeneration: 1 }],
    });
    expect((await c.settle()).writes).toBe(0);
  });

  it("counts only Ready pods as healthy", async () => {
    const c = await TestCluster.create();
    await c.apply(replicaSet(2));
    const stuck = { ...POD, metadata: { name: "stuck", namespace: "default", labels: { app: "web" } }, spec: { nodeSelector: { nowhere: "true" }, containers: [{ name: "c", image: "nginx" }] } };
    await c.apply(stuck);
    await c.advance(30);
    await c.apply(pdb({ minAvailable: 2 }));
    expect(status(c)).toMatchObject({ currentHealthy: 2, desiredHealthy: 2, disruptionsAllowed: 0 });
  });

  it("cannot compute a percentage for pods whose controller has no scale (SyncFailed)", async () => {
    const c = await TestCluster.create();
    await c.apply({
      apiVersion: "apps/v1",
      kind: "DaemonSet",
      metadata: { name: "agent", namespace: "default" },
      spec: { selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "c", image: "agent" }] } } },
    });
    await c.apply(pdb({ maxUnavailable: "50%" }));
    const first = c.pods()[0].metadata.name;
    const why = `found no controllers for pod "${first}"`;
    expect(status(c)).toMatchObject({ disruptionsAllowed: 0, conditions: [{ type: "DisruptionAllowed", status: "False", reason: "SyncFailed", message: why }] });
    expect(c.events(c.get(PDB, "default", "web")!)).toEqual([`CalculateExpectedPodCountFailed: Failed to calculate the number of expected pods: ${why}`]);
  });

  it("warns about pods without a controller when the budget is a percentage", async () => {
    const c = await TestCluster.create();
    await c.apply({ ...POD, metadata: { name: "bare", namespace: "default", labels: { app: "web" } }, spec: { containers: [{ name: "c", image: "nginx" }] } });
    await c.apply(pdb({ maxUnavailable: "50%" }));
    expect(status(c)).toMatchObject({ expectedPods: 0, desiredHealthy: 0, disruptionsAllowed: 0 });
    expect(c.events(c.get(PDB, "default", "web")!)).toEqual([
      'UnmanagedPods: Pods selected by this PodDisruptionBudget (selector: &LabelSelector{MatchLabels:map[string]string{app: web,},MatchExpressions:[]LabelSelectorRequirement{},}) were found to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. To account for these pods please set ".spec.minAvailable" field of the PDB to an integer value.',
    ]);
  });

  it("says once that it selects no pods", async () => {
    const c = await TestCluster.create();
    await c.apply(pdb({ minAvailable: 1 }));
    expect(status(c)).toMatchObject({ currentHealthy: 0, desiredHealthy: 1, disruptionsAllowed: 0, expectedPods: 0 });
    await c.advance(60);
    expect(c.events(c.get(PDB, "default", "web")!)).toEqual(["NoPods: No matching pods found"]);
  });

  it("stops counting an evicted pod, and forgets it if it is not gone within 2 minutes", async () => {
    const c = await TestCluster.create();
    await c.apply(replicaSet(3));
    await c.advance(30);
    await c.apply(pdb({ minAvailable: 1 }));
    const victim = c.pods()[0].metadata.name!;
    await c.modify(PDB, "default", "web", (p) => ((p.status as Obj).disruptedPods = { [victim]: c.clock.nowRfc3339() }), "status");
    expect(status(c)).toMatchObject({ currentHealthy: 2, disruptionsAllowed: 1, disruptedPods: { [victim]: expect.any(String) } });
    await c.advance(121);
    expect(status(c)).toMatchObject({ currentHealthy: 3, disruptionsAllowed: 2 });
    expect(status(c).disruptedPods).toBeUndefined();
  });
});
