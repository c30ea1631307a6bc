import { CONTROLLER_MANAGER } from "../../../worker/controllers";
import { describe, expect, it } from "vitest";
import { TestCluster } from "../../cluster";
import type { KubeObject } from "../../../worker/resources/types";

const STS = { apiVersion: "apps/v1", kind: "StatefulSet" };
const PVC = { apiVersion: "v1", kind: "PersistentVolumeClaim" };
const POD = { apiVersion: "v1", kind: "Pod" };

function statefulSet(spec: Record<string, unknown> = {}): KubeObject {
  return {
    ...STS,
    metadata: { name: "web", namespace: "default" },
    spec: {
      serviceName: "nginx",
      replicas: 3,
      selector: { matchLabels: { app: "nginx" } },
      template: { metadata: { labels: { app: "nginx" } }, spec: { containers: [{ name: "nginx", image: "nginx:1" }] } },
      ...spec,
    },
  };
}

const claims = {
  volumeClaimTemplates: [
    { metadata: { name: "www" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } },
  ],
};

function names(cluster: TestCluster): string[] {
  return cluster
    .pods()
    .map((p) => p.metadata.name!)
    .sort();
}

function image(pod: KubeObject): string {
  return (pod.spec as { containers: { image: string }[] }).containers[0].image;
}

/** Marks pending pods Running and Ready until nothing new appears (what the kubelet will do). */
async function readyAll(cluster: TestCluster) {
  for (let i = 0; i < 10; i++) {
    const pending = cluster.pods().filter((p) => (p.status as { phase?: string }).phase === "Pending");
    if (!pending.length) return;
    await cluster.makePodsReady(pending);
  }
}

function setImage(image: string) {
  return (s: KubeObject) => ((s.spec as any).template.spec.containers[0].image = image);
}

describe("StatefulSet controller", () => {
  it("creates ordinals one at a time, each once its predecessor is Running and Ready", async () => {
    const cluster = await TestCluster.create({ controllers: CONTROLLER_MANAGER });
    await cluster.apply(statefulSet());
    expect(names(cluster)).toEqual(["web-0"]);
    await cluster.settle();
    expect(names(cluster)).toEqual(["web-0"]);

    const pod = cluster.pods()[0];
    const set = cluster.get(STS, "default", "web")!;
    const [rev] = cluster.list({ apiVersion: "apps/v1", kind: "ControllerRevision" }, "default");
    expect(rev.metadata.name).toBe(`web-${rev.metadata.labels!["controller.kubernetes.io/hash"]}`);
    expect(pod.metadata.labels).toEqual({
      app: "nginx",
      "statefulset.kubernetes.io/pod-name": "web-0",
      "apps.kubernetes.io/pod-index": "0",
      "controller-revision-hash": rev.metadata.name,
    });
    expect(pod.spec).toMatchObject({ hostname: "web-0", subdomain: "nginx" });
    expect(pod.metadata.ownerReferences).toEqual([
      { apiVersion: "apps/v1", kind: "StatefulSet", name: "web", uid: set.metadata.uid, controller: true, blockOwnerDeletion: true },
    ]);

    await cluster.makePodsReady();
    expect(names(cluster)).toEqual(["web-0", "web-1"]);
    await readyAll(cluster);
    expect(names(cluster)).toEqual(["web-0", "web-1", "web-2"]);
    expect(cluster.events(set)).toEqual([
      "SuccessfulCreate: create Pod web-0 in StatefulSet web successful",
      "SuccessfulCreate: create Pod web-1 in StatefulSet web successful",
      "SuccessfulCreate: create Pod web-2 in StatefulSet web successful",
    ]);
    expect(cluster.get(STS, "default", "web")!.status).toEqual({
      observedGeneration: 1,
      replicas: 3,
      readyReplicas: 3,
      currentReplicas: 3,
      updatedReplicas: 3,
      currentRevision: rev.metadata.name,
      updateRevision: rev.metadata.name,
      collisionCount: 0,
      availableReplicas: 3,
    });
  });

  it("creates everything at once with Parallel", async () => {
    const cluster = await TestCluster.create({ controllers: CONTROLLER_MANAGER });
    await cluster.apply(statefulSet({ podManagementPolicy: "Parallel" }));
    expect(names(cluster)).toEqual(["web-0", "web-1", "web-2"]);
    await cluster.modify(STS, "default", "web", (s) => ((s.spec as any).replicas = 1));
    expect(names(cluster)).toEqual(["web-0"]);
  });

  it("creates each claim before its pod and wires it in as a volume", async () => {
    const cluster = await TestCluster.create({ controllers: CONTROLLER_MANAGER });
    await cluster.apply(statefulSet({ replicas: 2, ...claims }));
    const claim = cluster.get(PVC, "default", "www-web-0")!;
    expect(claim.metadata.labels).toEqual({ app: "nginx" });
    expect(claim.spec).toMatchObject({ accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } });
    // The default policy (Retain/Retain) leaves claims unowned.
    expect(claim.metadata.ownerReferences).toBeUndefined();
    const pod = cluster.get(POD, "default", "web-0")!;
    expect((pod.spec as { volumes: unknown[] }).volumes).toContainEqual({ name: "www", persistentVolumeClaim: { claimName: "www-web-0" } });
    await readyAll(cluster);
    // Events recorded in the same second have no defined order.
    expect(cluster.events(cluster.get(STS, "default", "web")!).sort()).toEqual([
      "SuccessfulCreate: create Claim www-web-0 Pod web-0 in StatefulSet web success",
      "SuccessfulCreate: create Claim www-web-1 Pod web-1 in StatefulSet web success",
      "SuccessfulCreate: create Pod web-0 in StatefulSet web successful",
      "SuccessfulCreate: create Pod web-1 in StatefulSet web successful",
    ]);
  });

  it.each([
    { policy: { whenScaled: "Retain", whenDeleted: "Retain" }, afterScale: ["www-web-0", "www-web-1", "www-web-2"], afterDelete: ["www-web-0", "www-web-1", "www-web-2"] },
    { policy: { whenScaled: "Delete", whenDeleted: "Retain" }, afterScale: ["www-web-0"], afterDelete: ["www-web-0"] },
    { policy: { whenScaled: "Retain", whenDeleted: "Delete" }, afterScale: ["www-web-0", "www-web-1", "www-web-2"], afterDelete: [] },
    { policy: { whenScaled: "Delete", whenDeleted: "Delete" }, afterScale: ["www-web-0"], afterDelete: [] },
  ])("scales down from the highest ordinal and keeps claims per $policy", async ({ policy, afterScale, afterDelete }) => {
    const cluster = await TestCluster.create({ controllers: CONTROLLER_MANAGER });
    await cluster.apply(statefulSet({ ...claims, persistentVolumeClaimRetentionPolicy: policy }));
    await readyAll(cluster);
    await cluster.modify(STS, "default", "web", (s) => ((s.spec as any).replicas = 2));
    expect(names(cluster)).toEqual(["web-0", "web-1"]);
    await cluster.modify(STS, "default", "web", (s) => ((s.spec as any).replicas = 1));
    expect(names(cluster)).toEqual(["web-0"]);
    const events = cluster.events(cluster.get(STS, "default", "web")!).filter((e) => e.startsWith("SuccessfulDelete"));
    expect(events.sort()).toEqual(["SuccessfulDelete: delete Pod web-1 in StatefulSet web successful", "SuccessfulDelete: delete Pod web-2 in StatefulSet web successful"]);
    const claimNames = () => cluster.list(PVC, "default").map((c) => c.metadata.name!).sort();
    expect(claimNames()).toEqual(afterScale);
    await cluster.delete(cluster.get(STS, "default", "web")!);
    expect(claimNames()).toEqual(afterDelete);
  });

  it("replaces a failed pod under the same name", async () => {
    const cluster = await TestCluster.create({ controllers: CONTROLLER_MANAGER });
    await cluster.apply(statefulSet({ replicas: 1 }));
    await cluster.makePodsReady();
    const uid = cluster.get(POD, "default", "web-0")!.metadata.uid;
    await cluster.modify(POD, "default", "web-0", (p) => ((p.status as Record<string, unknown>).phase = "Failed"), "status");
    const pod = cluster.get(POD, "default", "web-0")!;
    expect(pod.metadata.uid).not.toBe(uid);
    expect((pod.status as { phase: string }).phase).toBe("Pending");
  });

  it.each([
    { partition: 0, updated: ["web-0=nginx:2", "web-1=nginx:2", "web-2=nginx:2"], rolledOver: true },
    { partition: 2, updated: ["web-0=nginx:1", "web-1=nginx:1", "web-2=nginx:2"], rolledOver: false },
  ])("rolls updates from the highest ordinal down to partition $partition", async ({ partition, updated, rolledOver }) => {
    const cluster = await TestCluster.create({ controllers: CONTROLLER_MANAGER });
    await cluster.apply(statefulSet({ updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition } } }));
    await readyAll(cluster);
    const first = cluster.get(STS, "default", "web")!.status as { currentRevision: string };
    await cluster.modify(STS, "default", "web", setImage("nginx:2"));
    // web-2 was replaced and the rollout waits for it to be ready.
    const snapshot = () =>
      cluster
        .pods()
        .map((p) => `${p.metadata.name}=${image(p)}`)
        .sort();
    expect(snapshot()).toEqual(["web-0=nginx:1", "web-1=nginx:1", "web-2=nginx:2"]);
    await cluster.settle();
    expect(snapshot()).toEqual(["web-0=nginx:1", "web-1=nginx:1", "web-2=nginx:2"]);
    await readyAll(cluster);
    expect(snapshot()).toEqual(updated);
    const status = cluster.get(STS, "default", "web")!.status as { currentRevision: string; updateRevision: string; updatedReplicas: number };
    expect(status.updateRevision).not.toBe(first.currentRevision);
    expect(status.currentRevision).toBe(rolledOver ? status.updateRevision : first.currentRevision);
    expect(status.updatedReplicas).toBe(3 - partition);

    // Rolling back to the first template reuses (renumbers) its revision.
    await cluster.modify(STS, "default", "web", setImage("nginx:1"));
    const revisions = cluster.list({ apiVersion: "apps/v1", kind: "ControllerRevision" }, "default");
    expect(revisions).toHaveLength(2);
    expect(revisions.find((r) => r.metadata.name === first.currentRevision)!.revision).toBe(3);
  });

  it("leaves pods alone with OnDelete until they are deleted", async () => {
    const cluster = await TestCluster.create({ controllers: CONTROLLER_MANAGER });
    await cluster.apply(statefulSet({ replicas: 2, updateStrategy: { type: "OnDelete" } }));
    await readyAll(cluster);
    await cluster.modify(STS, "default", "web", setImage("nginx:2"));
    expect(cluster.pods().map(image)).toEqual(["nginx:1", "nginx:1"]);
    await cluster.delete(cluster.get(POD, "default", "web-1")!);
    expect(image(cluster.get(POD, "default", "web-1")!)).toBe("nginx:2");
    expect(image(cluster.get(POD, "default", "web-0")!)).toBe("nginx:1");
  });
});
