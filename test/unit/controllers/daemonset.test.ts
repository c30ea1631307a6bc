import { CONTROLLER_MANAGER } from "../../../worker/controllers";
import { describe, expect, it } from "vitest";
import { TestCluster } from "../../cluster";
import { nodeObject } from "../../../worker/sandbox/bootstrap";
import { targetNodeName } from "../../../worker/controllers/daemonset";
import type { KubeObject } from "../../../worker/resources/types";

const DS = { apiVersion: "apps/v1", kind: "DaemonSet" };
const NODE = { apiVersion: "v1", kind: "Node" };

function daemonSet(spec: Record<string, unknown> = {}, podSpec: Record<string, unknown> = {}): KubeObject {
  return {
    ...DS,
    metadata: { name: "agent", namespace: "default" },
    spec: {
      selector: { matchLabels: { app: "agent" } },
      template: { metadata: { labels: { app: "agent" } }, spec: { containers: [{ name: "agent", image: "agent:1" }], ...podSpec } },
      ...spec,
    },
  };
}

/** Node each live daemon pod is for, sorted. */
function placement(cluster: TestCluster): string[] {
  return cluster
    .pods()
    .filter((p) => !p.metadata.deletionTimestamp)
    .map((p) => targetNodeName(p) ?? "?")
    .sort();
}

function images(cluster: TestCluster): string[] {
  return cluster
    .pods()
    .map((p) => `${targetNodeName(p)}=${(p.spec as { containers: { image: string }[] }).containers[0].image}`)
    .sort();
}

async function readyPending(cluster: TestCluster) {
  await cluster.makePodsReady(cluster.pods().filter((p) => (p.status as { phase?: string }).phase === "Pending"));
}

describe("DaemonSet controller", () => {
  it.each([
    { name: "skips the tainted control plane", podSpec: {}, nodes: ["k8s-node1", "k8s-node2"] },
    {
      name: "runs on the control plane when the taint is tolerated",
      podSpec: { tolerations: [{ key: "node-role.kubernetes.io/control-plane", operator: "Exists", effect: "NoSchedule" }] },
      nodes: ["k8s-master", "k8s-node1", "k8s-node2"],
    },
    { name: "follows nodeSelector", podSpec: { nodeSelector: { "kubernetes.io/hostname": "k8s-node2" } }, nodes: ["k8s-node2"] },
    {
      name: "follows required node affinity",
      podSpec: {
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [{ matchExpressions: [{ key: "kubernetes.io/hostname", operator: "NotIn", values: ["k8s-node1"] }] }],
            },
          },
        },
      },
      nodes: ["k8s-node2"],
    },
  ])("places one pod per eligible node: $name", async ({ podSpec, nodes }) => {
    const cluster = await TestCluster.create({ controllers: CONTROLLER_MANAGER });
    await cluster.apply(daemonSet({}, podSpec));
    expect(placement(cluster)).toEqual(nodes);
    const ds = cluster.get(DS, "default", "agent")!;
    expect(ds.status).toMatchObject({ desiredNumberScheduled: nodes.length, currentNumberScheduled: nodes.length, numberReady: 0, numberMisscheduled: 0 });
  });

  it("creates bound, labelled, tolerant pods with a revision and events", async () => {
    const cluster = await TestCluster.create({ controllers: CONTROLLER_MANAGER });
    await cluster.apply(daemonSet({}, { hostNetwork: true }));
    const ds = cluster.get(DS, "default", "agent")!;
    const [rev] = cluster.list({ apiVersion: "apps/v1", kind: "ControllerRevision" }, "default");
    const hash = rev.metadata.labels!["controller-revision-hash"];
    expect(rev.metadata.name).toBe(`agent-${hash}`);
    expect(rev).toMatchObject({ revision: 1, metadata: { ownerReferences: [{ kind: "DaemonSet", name: "agent", controller: true }] } });

    const pod = cluster.pods().find((p) => targetNodeName(p) === "k8s-node1")!;
    expect(pod.metadata.name).toMatch(/^agent-[a-z0-9]{5}$/);
    expect(pod.metadata.labels).toEqual({ app: "agent", "controller-revision-hash": hash });
    expect(pod.metadata.ownerReferences).toEqual([
      { apiVersion: "apps/v1", kind: "DaemonSet", name: "agent", uid: ds.metadata.uid, controller: true, blockOwnerDeletion: true },
    ]);
    const spec = pod.spec as { affinity: unknown; nodeName?: string; tolerations: { key: string; effect: string }[] };
    expect(spec.nodeName).toBeUndefined();
    expect(spec.affinity).toEqual({
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: "metadata.name", operator: "In", values: ["k8s-node1"] }] }] },
      },
    });
    expect(spec.tolerations.map((t) => `${t.key}:${t.effect}`)).toEqual([
      "node.kubernetes.io/not-ready:NoExecute",
      "node.kubernetes.io/unreachable:NoExecute",
      "node.kubernetes.io/disk-pressure:NoSchedule",
      "node.kubernetes.io/memory-pressure:NoSchedule",
      "node.kubernetes.io/pid-pressure:NoSchedule",
      "node.kubernetes.io/unschedulable:NoSchedule",
      "node.kubernetes.io/network-unavailable:NoSchedule",
    ]);
    expect(cluster.events(ds).sort()).toEqual(cluster.pods().map((p) => `SuccessfulCreate: Created pod: ${p.metadata.name}`).sort());

    await cluster.makePodsReady();
    expect(cluster.get(DS, "default", "agent")!.status).toMatchObject({
      desiredNumberScheduled: 2,
      currentNumberScheduled: 2,
      numberReady: 2,
      numberAvailable: 2,
      updatedNumberScheduled: 2,
      observedGeneration: 1,
    });
  });

  it("counts pods available only minReadySeconds after they are ready", async () => {
    const cluster = await TestCluster.create({ controllers: CONTROLLER_MANAGER });
    await cluster.apply(daemonSet({ minReadySeconds: 10 }));
    await cluster.makePodsReady();
    expect(cluster.get(DS, "default", "agent")!.status).toMatchObject({ numberReady: 2, numberUnavailable: 2 });
    await cluster.advance(9);
    expect((cluster.get(DS, "default", "agent")!.status as { numberAvailable?: number }).numberAvailable).toBeUndefined();
    await cluster.advance(1);
    expect(cluster.get(DS, "default", "agent")!.status).toMatchObject({ numberReady: 2, numberAvailable: 2 });
  });

  it("follows nodes as they are added, relabelled, tainted and removed", async () => {
    const cluster = await TestCluster.create({ controllers: CONTROLLER_MANAGER });
    await cluster.apply(daemonSet({}, { nodeSelector: { role: "edge" } }));
    expect(placement(cluster)).toEqual([]);

    await cluster.modify(NODE, "", "k8s-node1", (n) => (n.metadata.labels!.role = "edge"));
    await cluster.apply(nodeObject({ name: "k8s-node3", labels: { role: "edge" } }, 3));
    expect(placement(cluster)).toEqual(["k8s-node1", "k8s-node3"]);

    // NoSchedule keeps a running daemon pod (it only stops new ones); NoExecute removes it.
    await cluster.modify(NODE, "", "k8s-node1", (n) => ((n.spec as Record<string, unknown>).taints = [{ key: "maint", effect: "NoSchedule" }]));
    expect(placement(cluster)).toEqual(["k8s-node1", "k8s-node3"]);
    expect(cluster.get(DS, "default", "agent")!.status).toMatchObject({ desiredNumberScheduled: 1, numberMisscheduled: 1 });
    await cluster.modify(NODE, "", "k8s-node1", (n) => ((n.spec as Record<string, unknown>).taints = [{ key: "maint", effect: "NoExecute" }]));
    expect(placement(cluster)).toEqual(["k8s-node3"]);

    await cluster.modify(NODE, "", "k8s-node3", (n) => delete n.metadata.labels!.role);
    expect(placement(cluster)).toEqual([]);

    await cluster.modify(NODE, "", "k8s-node2", (n) => (n.metadata.labels!.role = "edge"));
    expect(placement(cluster)).toEqual(["k8s-node2"]);
    await cluster.delete(cluster.get(NODE, "", "k8s-node2")!);
    expect(placement(cluster)).toEqual([]);
  });

  it("rolls a template change out one node at a time (maxUnavailable 1)", async () => {
    const cluster = await TestCluster.create({ controllers: CONTROLLER_MANAGER });
    await cluster.apply(daemonSet());
    await cluster.makePodsReady();
    await cluster.modify(DS, "default", "agent", (ds) => ((ds.spec as any).template.spec.containers[0].image = "agent:2"));

    // One old pod went; its node got a new pod, which is not available yet, so the rollout waits.
    expect(images(cluster)).toEqual(["k8s-node1=agent:2", "k8s-node2=agent:1"]);
    expect(cluster.get(DS, "default", "agent")!.status).toMatchObject({ updatedNumberScheduled: 1, numberReady: 1, observedGeneration: 2 });
    await cluster.settle();
    expect(images(cluster)).toEqual(["k8s-node1=agent:2", "k8s-node2=agent:1"]);

    await readyPending(cluster);
    expect(images(cluster)).toEqual(["k8s-node1=agent:2", "k8s-node2=agent:2"]);
    await readyPending(cluster);
    expect(cluster.get(DS, "default", "agent")!.status).toMatchObject({ desiredNumberScheduled: 2, updatedNumberScheduled: 2, numberAvailable: 2 });
    const revisions = cluster.list({ apiVersion: "apps/v1", kind: "ControllerRevision" }, "default").map((r) => r.revision);
    expect(revisions.sort()).toEqual([1, 2]);
  });

  it("surges a new pod beside the old one and removes the old once the new is available", async () => {
    const cluster = await TestCluster.create({ controllers: CONTROLLER_MANAGER });
    await cluster.apply(daemonSet({ updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } } }));
    await cluster.makePodsReady();
    await cluster.modify(DS, "default", "agent", (ds) => ((ds.spec as any).template.spec.containers[0].image = "agent:2"));
    expect(images(cluster)).toEqual(["k8s-node1=agent:1", "k8s-node1=agent:2", "k8s-node2=agent:1"]);

    await readyPending(cluster);
    expect(images(cluster)).toEqual(["k8s-node1=agent:2", "k8s-node2=agent:1", "k8s-node2=agent:2"]);
    await readyPending(cluster);
    expect(images(cluster)).toEqual(["k8s-node1=agent:2", "k8s-node2=agent:2"]);
  });

  it("waits for manual deletion with OnDelete", async () => {
    const cluster = await TestCluster.create({ controllers: CONTROLLER_MANAGER });
    await cluster.apply(daemonSet({ updateStrategy: { type: "OnDelete" } }));
    await cluster.makePodsReady();
    await cluster.modify(DS, "default", "agent", (ds) => ((ds.spec as any).template.spec.containers[0].image = "agent:2"));
    expect(images(cluster)).toEqual(["k8s-node1=agent:1", "k8s-node2=agent:1"]);
    // Zero counters are omitted, as upstream's omitempty does.
    expect((cluster.get(DS, "default", "agent")!.status as Record<string, unknown>).updatedNumberScheduled).toBeUndefined();

    const old = cluster.pods().find((p) => targetNodeName(p) === "k8s-node2")!;
    await cluster.delete(old);
    expect(images(cluster)).toEqual(["k8s-node1=agent:1", "k8s-node2=agent:2"]);
  });
});
