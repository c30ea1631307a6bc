import { describe, expect, it } from "vitest";
import { garbageCollector } from "../../../worker/controllers/garbage-collector";
import { sortForDeletion } from "../../../worker/controllers/replica-pods";
import { replicaSetController, replicationControllerController } from "../../../worker/controllers/replicaset";
import type { KubeObject } from "../../../worker/resources/types";
import { TestCluster } from "../../cluster";

const RS = { apiVersion: "apps/v1", kind: "ReplicaSet" };
const RC = { apiVersion: "v1", kind: "ReplicationController" };
const POD = { apiVersion: "v1", kind: "Pod" };
const SPEC = { containers: [{ name: "nginx", image: "nginx" }] };

function replicaSet(name: string, replicas: number, extra: Record<string, unknown> = {}): KubeObject {
  return {
    ...RS,
    metadata: { name, namespace: "default" },
    spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name, tier: "web" } }, spec: SPEC }, ...extra },
  };
}

function pod(name: string, labels: Record<string, string>, extra: Partial<KubeObject> = {}): KubeObject {
  return { ...POD, metadata: { name, namespace: "default", labels }, spec: SPEC, ...extra };
}

async function cluster() {
  return TestCluster.create({ controllers: [replicaSetController, replicationControllerController, garbageCollector] });
}

const names = (pods: KubeObject[]) => pods.map((p) => p.metadata.name).sort();

describe("deletion order (ActivePods)", () => {
  const t = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString().replace(".000Z", "Z");
  const make = (name: string, o: { node?: string; phase?: string; ready?: number; restarts?: number; created?: number; cost?: string }): KubeObject => ({
    ...POD,
    metadata: { name, creationTimestamp: o.created === undefined ? undefined : t(o.created), annotations: o.cost ? { "controller.kubernetes.io/pod-deletion-cost": o.cost } : undefined },
    spec: { nodeName: o.node },
    status: {
      phase: o.phase,
      conditions: o.ready === undefined ? [] : [{ type: "Ready", status: "True", lastTransitionTime: t(o.ready) }],
      containerStatuses: [{ restartCount: o.restarts ?? 0 }],
    },
  });
  // Modelled on upstream TestSortingActivePods: each case lists pods in the expected deletion order.
  it.each([
    { name: "unscheduled before scheduled", pods: [make("a", { phase: "Pending" }), make("b", { node: "n", phase: "Pending" })] },
    { name: "pending before unknown before running", pods: [make("a", { node: "n", phase: "Pending" }), make("b", { node: "n", phase: "Unknown" }), make("c", { node: "n", phase: "Running" })] },
    { name: "not ready before ready", pods: [make("a", { node: "n", phase: "Running" }), make("b", { node: "n", phase: "Running", ready: 1 })] },
    { name: "lower deletion cost first", pods: [make("a", { node: "n", phase: "Running", ready: 1, cost: "-5" }), make("b", { node: "n", phase: "Running", ready: 1 })] },
    { name: "ready more recently first", pods: [make("a", { node: "n", phase: "Running", ready: 9 }), make("b", { node: "n", phase: "Running", ready: 1 })] },
    { name: "more restarts first", pods: [make("a", { node: "n", phase: "Running", ready: 1, restarts: 3 }), make("b", { node: "n", phase: "Running", ready: 1 })] },
    { name: "newer before older", pods: [make("a", { node: "n", phase: "Running", created: 9 }), make("b", { node: "n", phase: "Running", created: 1 })] },
  ])("$name", ({ pods }) => {
    const want = pods.map((p) => p.metadata.name);
    expect(sortForDeletion([...pods].reverse(), () => 0).map((p) => p.metadata.name)).toEqual(want);
    expect(sortForDeletion(pods, () => 0).map((p) => p.metadata.name)).toEqual(want);
  });

  it("prefers pods doubled up on a node", () => {
    const a = make("a", { node: "busy", phase: "Running", ready: 1 });
    const b = make("b", { node: "quiet", phase: "Running", ready: 1 });
    const rank = (p: KubeObject) => ((p.spec as { nodeName: string }).nodeName === "busy" ? 3 : 1);
    expect(sortForDeletion([b, a], rank).map((p) => p.metadata.name)).toEqual(["a", "b"]);
  });
});

describe("replicaset controller", () => {
  it("creates pods from the template, owned by the ReplicaSet, and reports them", async () => {
    const c = await cluster();
    const rs = await c.apply(replicaSet("web", 3));
    const pods = c.pods();
    expect(pods).toHaveLength(3);
    for (const p of pods) {
      expect(p.metadata.name).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
      expect(p.metadata.labels).toEqual({ app: "web", tier: "web" });
      expect(p.metadata.ownerReferences).toEqual([
        { apiVersion: "apps/v1", kind: "ReplicaSet", name: "web", uid: rs.metadata.uid, controller: true, blockOwnerDeletion: true },
      ]);
    }
    const stored = c.get(RS, "default", "web")!;
    expect(stored.status).toEqual({ replicas: 3, fullyLabeledReplicas: 3, observedGeneration: 1 });
    const events = c.events(stored).sort();
    expect(events).toEqual(names(pods).map((n) => `SuccessfulCreate: Created pod: ${n}`));
    const ev = c.store.list("/events", "default").find((e) => e.reason === "SuccessfulCreate")!;
    expect(ev.source).toEqual({ component: "replicaset-controller" });

    await c.makePodsReady();
    expect(c.get(RS, "default", "web")!.status).toEqual({ replicas: 3, fullyLabeledReplicas: 3, readyReplicas: 3, availableReplicas: 3, observedGeneration: 1 });
  });

  it("scales down not-ready pods first and records the deletions", async () => {
    const c = await cluster();
    await c.apply(replicaSet("web", 3));
    const [ready] = c.pods();
    await c.makePodsReady([ready]);
    const rs = await c.modify(RS, "default", "web", (o) => void ((o.spec as { replicas: number }).replicas = 1));
    expect(names(c.pods())).toEqual([ready.metadata.name]);
    expect(c.events(rs).filter((e) => e.startsWith("SuccessfulDelete")).length).toBe(2);
    expect(c.get(RS, "default", "web")!.status).toMatchObject({ replicas: 1, readyReplicas: 1, observedGeneration: 2 });
  });

  it("adopts matching orphans and releases pods whose labels stop matching", async () => {
    const c = await cluster();
    await c.apply(pod("stray", { app: "web" }));
    await c.apply(pod("other", { app: "db" }));
    const rs = await c.apply(replicaSet("web", 2));
    expect(c.get(POD, "default", "stray")!.metadata.ownerReferences?.[0]).toMatchObject({ uid: rs.metadata.uid, controller: true });
    expect(c.get(POD, "default", "other")!.metadata.ownerReferences).toBeUndefined();
    expect(c.pods().filter((p) => p.metadata.labels?.app === "web")).toHaveLength(2);
    // The adopted pod lacks the template's `tier` label: matched, not fully labeled.
    expect(c.get(RS, "default", "web")!.status).toMatchObject({ replicas: 2, fullyLabeledReplicas: 1 });

    await c.modify(POD, "default", "stray", (p) => void (p.metadata.labels = { app: "debug" }));
    expect(c.get(POD, "default", "stray")!.metadata.ownerReferences).toBeUndefined();
    expect(c.pods().filter((p) => p.metadata.labels?.app === "web")).toHaveLength(2);
  });

  it("does not count pods that are being deleted, and replaces them", async () => {
    const c = await cluster();
    await c.apply(replicaSet("web", 2));
    const [victim] = c.pods();
    await c.modify(POD, "default", victim.metadata.name!, (p) => void (p.metadata.finalizers = ["example.com/hold"]));
    await c.delete(c.get(POD, "default", victim.metadata.name!)!);
    expect(c.get(POD, "default", victim.metadata.name!)!.metadata.deletionTimestamp).toBeDefined();
    expect(c.pods()).toHaveLength(3);
    expect(c.get(RS, "default", "web")!.status).toMatchObject({ replicas: 2 });
  });

  it("counts pods available minReadySeconds after they turn ready", async () => {
    const c = await cluster();
    await c.apply(replicaSet("web", 2, { minReadySeconds: 30 }));
    await c.makePodsReady();
    expect(c.get(RS, "default", "web")!.status).toMatchObject({ readyReplicas: 2 });
    expect(c.get(RS, "default", "web")!.status).not.toHaveProperty("availableReplicas");
    expect(c.engine.nextWakeup()).toBeDefined();
    await c.advance(31);
    expect(c.get(RS, "default", "web")!.status).toMatchObject({ readyReplicas: 2, availableReplicas: 2 });
    expect(c.engine.nextWakeup()).toBeUndefined();
  });

  it("takes its pods with it on delete", async () => {
    const c = await cluster();
    await c.apply(replicaSet("web", 2));
    await c.delete(c.get(RS, "default", "web")!);
    expect(c.pods()).toEqual([]);
  });
});

describe("replication controller", () => {
  it("manages pods through a map selector, as replication-controller", async () => {
    const c = await cluster();
    const rc = await c.apply({
      ...RC,
      metadata: { name: "legacy", namespace: "default" },
      spec: { replicas: 2, selector: { app: "legacy" }, template: { metadata: { labels: { app: "legacy" } }, spec: SPEC } },
    });
    const pods = c.pods();
    expect(pods).toHaveLength(2);
    expect(pods[0].metadata.ownerReferences?.[0]).toMatchObject({ apiVersion: "v1", kind: "ReplicationController", name: "legacy", controller: true });
    const ev = c.store.list("/events", "default").find((e) => e.reason === "SuccessfulCreate")!;
    expect(ev.source).toEqual({ component: "replication-controller" });
    expect(ev.message).toMatch(/^Created pod: legacy-[a-z0-9]{5}$/);
    await c.makePodsReady();
    expect(c.get(RC, "default", "legacy")!.status).toMatchObject({ replicas: 2, readyReplicas: 2, availableReplicas: 2, observedGeneration: rc.metadata.generation });
    await c.modify(RC, "default", "legacy", (o) => void ((o.spec as { replicas: number }).replicas = 0));
    expect(c.pods()).toEqual([]);
  });
});
