// Node lifecycle without heartbeats: a stopped kubelet makes its node Unknown after the grace
// period, taints it unreachable, marks its pods not ready; the taint eviction controller removes
// the pods after their tolerationSeconds; starting the kubelet heals the node. Also: cordon taints,
// kubelet registration of nodes created through the API, and adding nodes through the sandbox.
import { stringify } from "yaml";
import { describe, expect, it } from "vitest";
import { nodeMonitorGraceMs } from "../../../worker/controllers/node-monitor-grace";
import { nodeIdentities } from "../../../worker/sandbox/bootstrap";
import type { KubeObject } from "../../../worker/resources/types";
import { addNode, setKubelet } from "../../../worker/sandbox/node-ops";
import { runNodeShell } from "../../../worker/sandbox/node-shell";
import { MACHINES } from "../../../worker/sandbox/machines";
import { TestCluster } from "../../cluster";

type Obj = Record<string, any>;
const NODE = { apiVersion: "v1", kind: "Node" };
const POD = { apiVersion: "v1", kind: "Pod" };

const condition = (o: KubeObject | undefined, type: string) => ((o?.status as Obj)?.conditions ?? []).find((c: Obj) => c.type === type);
const taints = (n: KubeObject) => ((n.spec as Obj).taints ?? []).map((t: Obj) => `${t.key}:${t.effect}${t.timeAdded ? "@" : ""}`);
/** Events about a node, both the controllers' (node uid) and the kubelet's (name as uid), in order of time, then reason. */
const nodeEvents = (c: TestCluster, node: string) =>
  c.store
    .list("/events")
    .filter((e) => (e.involvedObject as Obj).kind === "Node" && (e.involvedObject as Obj).name === node)
    .sort((a, b) => String(a.firstTimestamp).localeCompare(String(b.firstTimestamp)) || String(a.reason).localeCompare(String(b.reason)))
    .map((e) => `${e.reason}: ${e.message}${(e.count as number) > 1 ? ` (x${e.count})` : ""}`);
const ctxOf = (c: TestCluster) => ({ store: c.store, rng: c.rng, clock: c.clock });

async function writeNodeFile(c: TestCluster, node: string, path: string, content: string) {
  const m = structuredClone(c.store.get(MACHINES, "", node) ?? { apiVersion: "kubeplay.internal/v1", kind: "Machine", metadata: { name: node }, kubelet: "running" }) as { files?: Record<string, string | null> } & Record<string, unknown>;
  m.files = { ...(m.files ?? {}), [path]: content };
  await c.store.commit([{ type: "put", resource: MACHINES, object: m as never }]);
  await c.settle();
}

async function kubelet(c: TestCluster, node: string, running: boolean) {
  const res = await setKubelet(ctxOf(c), { node, running });
  await c.settle();
  return res;
}

function replicaSet(replicas = 2): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: { name: "web", namespace: "default" },
    spec: {
      replicas,
      selector: { matchLabels: { app: "web" } },
      template: { metadata: { labels: { app: "web" } }, spec: { nodeSelector: { "kubernetes.io/hostname": "k8s-node1" }, containers: [{ name: "c", image: "nginx" }] } },
    },
  };
}

describe("node failure", () => {
  it("goes Unknown 50 s after the kubelet stops (1.32's node-monitor-grace-period), then writes nothing until something changes", async () => {
    const c = await TestCluster.create();
    await c.apply({ ...POD, metadata: { name: "p", namespace: "default" }, spec: { nodeName: "k8s-node1", containers: [{ name: "c", image: "nginx" }] } });
    await c.advance(30);
    expect(condition(c.get(POD, "default", "p"), "Ready").status).toBe("True");
    expect(await (await kubelet(c, "k8s-node1", false)).json()).toMatchObject({ node: "k8s-node1", kubelet: "stopped" });

    await c.advance(49);
    expect(condition(c.get(NODE, "", "k8s-node1"), "Ready").status).toBe("True");
    await c.advance(1);
    const node = c.get(NODE, "", "k8s-node1")!;
    expect(condition(node, "Ready")).toMatchObject({ status: "Unknown", reason: "NodeStatusUnknown", message: "Kubelet stopped posting node status." });
    expect(condition(node, "MemoryPressure").status).toBe("Unknown");
    expect(taints(node)).toEqual(["node.kubernetes.io/unreachable:NoSchedule@", "node.kubernetes.io/unreachable:NoExecute@"]);
    expect(c.events(node)).toContain("NodeNotReady: Node k8s-node1 status is now: NodeNotReady");
    const pod = c.get(POD, "default", "p")!;
    expect(condition(pod, "Ready").status).toBe("False");
    expect(c.events(pod)).toContain("NodeNotReady: Node is not ready");

    const rv = c.store.resourceVersion;
    const stats = await c.advance(200);
    expect(stats.writes).toBe(0);
    expect(c.store.resourceVersion).toBe(rv);
  });

  it("evicts the pods after their 300 s toleration; their controller replaces them elsewhere", async () => {
    const c = await TestCluster.create();
    await c.apply(replicaSet());
    const before = c.pods().map((p) => p.metadata.name);
    expect(c.pods().every((p) => (p.spec as Obj).nodeName === "k8s-node1")).toBe(true);
    // Let the ReplicaSet follow its pods wherever the scheduler can put them.
    await c.modify({ apiVersion: "apps/v1", kind: "ReplicaSet" }, "default", "web", (rs) => delete (rs.spec as Obj).template.spec.nodeSelector);
    await kubelet(c, "k8s-node1", false);
    await c.advance(50 + 299);
    expect(c.pods().filter((p) => !p.metadata.deletionTimestamp).map((p) => p.metadata.name)).toEqual(before);
    await c.advance(1);
    const old = c.pods().filter((p) => before.includes(p.metadata.name!));
    expect(old.every((p) => p.metadata.deletionTimestamp)).toBe(true);
    expect(c.events(old[0])).toContain(`TaintManagerEviction: Marking for deletion Pod default/${old[0].metadata.name}`);
    expect(condition(old[0], "DisruptionTarget")).toMatchObject({ reason: "DeletionByTaintManager" });
    await c.advance(2);
    const fresh = c.pods().filter((p) => !before.includes(p.metadata.name!));
    expect(fresh).toHaveLength(2);
    expect(fresh.every((p) => (p.spec as Obj).nodeName === "k8s-node2")).toBe(true);
    // Nothing confirms the old pods' end on a dead node: they stay Terminating.
    expect(old.every((p) => c.get(POD, "default", p.metadata.name!))).toBe(true);

    await kubelet(c, "k8s-node1", true);
    const node = c.get(NODE, "", "k8s-node1")!;
    expect(condition(node, "Ready")).toMatchObject({ status: "True", reason: "KubeletReady" });
    expect((node.spec as Obj).taints).toBeUndefined();
    expect(nodeEvents(c, "k8s-node1")).toContain("NodeReady: Node k8s-node1 status is now: NodeReady");
    expect(old.some((p) => c.get(POD, "default", p.metadata.name!))).toBe(false);
  });

  it("evicts nothing while every node is down (master disruption mode), and resumes once one comes back", async () => {
    const c = await TestCluster.create();
    await c.apply(replicaSet());
    const before = c.pods().map((p) => p.metadata.name);
    for (const n of ["k8s-master", "k8s-node1", "k8s-node2"]) await kubelet(c, n, false);
    await c.advance(50);
    for (const n of ["k8s-master", "k8s-node1", "k8s-node2"]) {
      const node = c.get(NODE, "", n)!;
      expect(condition(node, "Ready").status).toBe("Unknown");
      expect(taints(node).filter((t: string) => t.includes("NoExecute"))).toEqual([]);
      expect(taints(node)).toContain("node.kubernetes.io/unreachable:NoSchedule@");
    }
    await c.advance(600);
    expect(c.pods().filter((p) => !p.metadata.deletionTimestamp).map((p) => p.metadata.name)).toEqual(before);
    // One node back: the two still down are an ordinary failure again, tainted, and evicted after 300 s.
    await kubelet(c, "k8s-node2", true);
    expect(taints(c.get(NODE, "", "k8s-node1")!)).toContain("node.kubernetes.io/unreachable:NoExecute@");
    expect(taints(c.get(NODE, "", "k8s-node2")!)).toEqual([]);
    await c.advance(299);
    expect(c.pods().filter((p) => before.includes(p.metadata.name!)).some((p) => p.metadata.deletionTimestamp)).toBe(false);
    await c.advance(1);
    expect(c.pods().filter((p) => before.includes(p.metadata.name!)).every((p) => p.metadata.deletionTimestamp)).toBe(true);
  });

  it("adds no NoExecute taints while most of a small zone is down (more than 2 nodes, 55%), keeping those already there", async () => {
    const c = await TestCluster.create();
    for (const name of ["k8s-node3", "k8s-node4"]) await addNode(ctxOf(c), { name });
    await c.settle();
    // One worker down on its own: an ordinary failure, tainted.
    await kubelet(c, "k8s-node1", false);
    await c.advance(50);
    expect(taints(c.get(NODE, "", "k8s-node1")!)).toContain("node.kubernetes.io/unreachable:NoExecute@");
    // Then two more: 3 of 5 NotReady, a partial disruption; the first keeps its taint, the others get none.
    await kubelet(c, "k8s-node2", false);
    await kubelet(c, "k8s-node3", false);
    await c.advance(50);
    expect(taints(c.get(NODE, "", "k8s-node1")!)).toContain("node.kubernetes.io/unreachable:NoExecute@");
    for (const n of ["k8s-node2", "k8s-node3"]) {
      expect(condition(c.get(NODE, "", n), "Ready").status).toBe("Unknown");
      expect(taints(c.get(NODE, "", n)!)).toEqual(["node.kubernetes.io/unreachable:NoSchedule@"]);
    }
    // Back to 2 of 5: tainted as usual.
    await kubelet(c, "k8s-node3", true);
    expect(taints(c.get(NODE, "", "k8s-node2")!)).toContain("node.kubernetes.io/unreachable:NoExecute@");
  });

  it("keeps DaemonSet-style pods that tolerate unreachable without a limit", async () => {
    const c = await TestCluster.create();
    const proxy = c.pods("kube-system").find((p) => p.metadata.name!.startsWith("kube-proxy") && (p.spec as Obj).nodeName === "k8s-node1")!;
    await kubelet(c, "k8s-node1", false);
    await c.advance(1000);
    const after = c.get(POD, "kube-system", proxy.metadata.name!)!;
    expect(after.metadata.deletionTimestamp).toBeUndefined();
    expect(condition(after, "Ready").status).toBe("False");
    await kubelet(c, "k8s-node1", true);
    expect(condition(c.get(POD, "kube-system", proxy.metadata.name!), "Ready").status).toBe("True");
  });

  it("takes the grace period from kube-controller-manager's manifest", async () => {
    const c = await TestCluster.create();
    const path = "/etc/kubernetes/manifests/kube-controller-manager.yaml";
    const mirror = c.get(POD, "kube-system", "kube-controller-manager-k8s-master")!;
    const spec = structuredClone(mirror.spec as Obj);
    spec.containers[0].command.push("--node-monitor-grace-period=1m30s");
    const manifest = { apiVersion: "v1", kind: "Pod", metadata: { name: "kube-controller-manager", namespace: "kube-system", labels: mirror.metadata.labels }, spec };
    await writeNodeFile(c, "k8s-master", path, stringify(manifest));
    await c.advance(10);
    expect((c.get(POD, "kube-system", "kube-controller-manager-k8s-master")!.spec as Obj).containers[0].command).toContain("--node-monitor-grace-period=1m30s");
    await kubelet(c, "k8s-node1", false);
    await c.advance(89);
    expect(condition(c.get(NODE, "", "k8s-node1"), "Ready").status).toBe("True");
    await c.advance(1);
    expect(condition(c.get(NODE, "", "k8s-node1"), "Ready").status).toBe("Unknown");
  });

  it("reads the flag in both forms, and 50 s without it", () => {
    const store = (command: string[]) => ({ list: () => [{ apiVersion: "v1", kind: "Pod", metadata: { name: "m", labels: { component: "kube-controller-manager" } }, spec: { containers: [{ name: "c", command }] } }] });
    expect(nodeMonitorGraceMs(store(["kube-controller-manager", "--node-monitor-grace-period=40s"]))).toBe(40_000);
    expect(nodeMonitorGraceMs(store(["kube-controller-manager", "--node-monitor-grace-period", "2m"]))).toBe(120_000);
    expect(nodeMonitorGraceMs(store(["kube-controller-manager", "--node-monitor-grace-period=soon"]))).toBe(50_000);
    expect(nodeMonitorGraceMs(store(["kube-controller-manager"]))).toBe(50_000);
    expect(nodeMonitorGraceMs({ list: () => [] })).toBe(50_000);
  });

  it("a stopped kubelet that comes back before the grace period changes nothing", async () => {
    const c = await TestCluster.create();
    await kubelet(c, "k8s-node2", false);
    await c.advance(20);
    await kubelet(c, "k8s-node2", true);
    const rv = c.store.resourceVersion;
    await c.advance(60);
    expect(condition(c.get(NODE, "", "k8s-node2"), "Ready").status).toBe("True");
    expect(c.store.resourceVersion).toBe(rv);
  });
});

describe("cordon", () => {
  it("taints a cordoned node unschedulable and untaints it when uncordoned", async () => {
    const c = await TestCluster.create();
    await c.modify(NODE, "", "k8s-node1", (n) => ((n.spec as Obj).unschedulable = true));
    expect(taints(c.get(NODE, "", "k8s-node1")!)).toEqual(["node.kubernetes.io/unschedulable:NoSchedule@"]);
    await c.modify(NODE, "", "k8s-node1", (n) => delete (n.spec as Obj).unschedulable);
    expect((c.get(NODE, "", "k8s-node1")!.spec as Obj).taints).toBeUndefined();
  });

  it("keeps taints the user added", async () => {
    const c = await TestCluster.create();
    const master = c.get(NODE, "", "k8s-master")!;
    await c.modify(NODE, "", "k8s-master", (n) => ((n.spec as Obj).unschedulable = true));
    await c.modify(NODE, "", "k8s-master", (n) => delete (n.spec as Obj).unschedulable);
    expect((c.get(NODE, "", "k8s-master")!.spec as Obj).taints).toEqual((master.spec as Obj).taints);
  });
});

describe("kubelet node events", () => {
  // In order of reason: they are recorded in the same second.
  const started = (node: string, ...more: string[]) =>
    [
      "Starting: Starting kubelet.",
      `NodeHasSufficientMemory: Node ${node} status is now: NodeHasSufficientMemory`,
      `NodeHasNoDiskPressure: Node ${node} status is now: NodeHasNoDiskPressure`,
      `NodeHasSufficientPID: Node ${node} status is now: NodeHasSufficientPID`,
      "NodeAllocatableEnforced: Updated Node Allocatable limit across pods",
      ...more,
    ].sort();

  it("records cordon and uncordon as NodeNotSchedulable and NodeSchedulable, once each", async () => {
    const c = await TestCluster.create();
    await c.modify(NODE, "", "k8s-node1", (n) => ((n.spec as Obj).unschedulable = true));
    expect(nodeEvents(c, "k8s-node1")).toEqual(["NodeNotSchedulable: Node k8s-node1 status is now: NodeNotSchedulable"]);
    const ev = c.store.list("/events").find((e) => e.reason === "NodeNotSchedulable")!;
    expect(ev).toMatchObject({ involvedObject: { kind: "Node", name: "k8s-node1", uid: "k8s-node1" }, source: { component: "kubelet", host: "k8s-node1" }, type: "Normal" });
    expect((await c.advance(60)).writes).toBe(0);
    await c.modify(NODE, "", "k8s-node1", (n) => delete (n.spec as Obj).unschedulable);
    expect(nodeEvents(c, "k8s-node1")).toEqual([
      "NodeNotSchedulable: Node k8s-node1 status is now: NodeNotSchedulable",
      "NodeSchedulable: Node k8s-node1 status is now: NodeSchedulable",
    ]);
  });

  it("records the kubelet's start when it is started again, and a cordon it finds", async () => {
    const c = await TestCluster.create();
    await kubelet(c, "k8s-node2", false);
    await c.modify(NODE, "", "k8s-node2", (n) => ((n.spec as Obj).unschedulable = true));
    expect(nodeEvents(c, "k8s-node2")).toEqual([]);
    await c.advance(60);
    await kubelet(c, "k8s-node2", true);
    expect(nodeEvents(c, "k8s-node2")).toEqual([
      "NodeNotReady: Node k8s-node2 status is now: NodeNotReady",
      ...started("k8s-node2", "NodeNotSchedulable: Node k8s-node2 status is now: NodeNotSchedulable", "NodeReady: Node k8s-node2 status is now: NodeReady"),
    ]);
    expect((await c.settle()).writes).toBe(0);
  });

  it("records a start for systemctl restart kubelet on the node", async () => {
    const c = await TestCluster.create();
    await c.advance(30);
    const res = await runNodeShell(ctxOf(c), { node: "k8s-node1", command: "systemctl restart kubelet" });
    expect(await res.json()).toMatchObject({ exitCode: 0 });
    await c.settle();
    expect(nodeEvents(c, "k8s-node1")).toEqual(started("k8s-node1"));
  });

  it("records the start and NodeReady when a node registers", async () => {
    const c = await TestCluster.create();
    await c.apply({ ...NODE, metadata: { name: "k8s-node3" } });
    expect(nodeEvents(c, "k8s-node3")).toEqual(started("k8s-node3", "NodeReady: Node k8s-node3 status is now: NodeReady", "RegisteredNode: Node k8s-node3 event: Registered Node k8s-node3 in Controller"));
  });
});

describe("adding and removing nodes", () => {
  it("registers a Node created without status, and schedules onto it", async () => {
    const c = await TestCluster.create();
    await c.apply({ ...NODE, metadata: { name: "k8s-node3", labels: { disk: "ssd" } } });
    const n = c.get(NODE, "", "k8s-node3")!;
    expect(condition(n, "Ready")).toMatchObject({ status: "True", reason: "KubeletReady" });
    expect(n.metadata.labels).toMatchObject({ disk: "ssd", "kubernetes.io/hostname": "k8s-node3", "kubernetes.io/os": "linux" });
    expect((n.spec as Obj).podCIDR).toBe("10.244.3.0/24");
    expect((n.status as Obj).addresses).toEqual([
      { type: "InternalIP", address: "192.168.1.13" },
      { type: "Hostname", address: "k8s-node3" },
    ]);
    expect((n.status as Obj).allocatable).toMatchObject({ cpu: "4", pods: "110" });
    await c.apply({ ...POD, metadata: { name: "p", namespace: "default" }, spec: { nodeSelector: { disk: "ssd" }, containers: [{ name: "c", image: "nginx" }] } });
    expect((c.get(POD, "default", "p")!.spec as Obj).nodeName).toBe("k8s-node3");
  });

  it("reports machine id, system UUID and boot id derived from the sandbox and the node, drawing no random numbers", async () => {
    const a = await TestCluster.create();
    const b = await TestCluster.create();
    const info = (c: TestCluster, n: string) => (c.get(NODE, "", n)!.status as Obj).nodeInfo;
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
    for (const n of ["k8s-master", "k8s-node1", "k8s-node2"]) {
      expect(info(a, n).machineID).toMatch(/^[0-9a-f]{32}$/);
      expect(info(a, n).systemUUID).toMatch(uuid);
      expect(info(a, n).bootID).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(info(a, n)).toMatchObject(nodeIdentities(a.store.sandboxId, n));
      expect(info(b, n).machineID).not.toBe(info(a, n).machineID);
      // The same seed gives the same uids: the identities moved no draw of the generator.
      expect(b.get(NODE, "", n)!.metadata.uid).toBe(a.get(NODE, "", n)!.metadata.uid);
    }
    expect(new Set(["k8s-master", "k8s-node1", "k8s-node2"].map((n) => info(a, n).machineID)).size).toBe(3);
    await a.apply({ ...NODE, metadata: { name: "k8s-node3" } });
    expect(info(a, "k8s-node3")).toMatchObject(nodeIdentities(a.store.sandboxId, "k8s-node3"));
    await addNode(ctxOf(b), { name: "k8s-node3" });
    expect(info(b, "k8s-node3")).toMatchObject(nodeIdentities(b.store.sandboxId, "k8s-node3"));
  });

  it("adds a node through the sandbox service", async () => {
    const c = await TestCluster.create();
    const res = await addNode(ctxOf(c), { name: "k8s-node3", labels: { tier: "gpu" }, cpu: "8" });
    expect(res.status).toBe(201);
    await c.settle();
    const n = c.get(NODE, "", "k8s-node3")!;
    expect(condition(n, "Ready").status).toBe("True");
    expect((n.status as Obj).capacity.cpu).toBe("8");
    expect((await addNode(ctxOf(c), { name: "k8s-node3" })).status).toBe(409);
    expect((await addNode(ctxOf(c), { name: "Bad_Name" })).status).toBe(400);
  });

  it("forgets the machine of a deleted node; pod GC removes its pods after its quarantine", async () => {
    const c = await TestCluster.create();
    await c.apply({ ...POD, metadata: { name: "p", namespace: "default" }, spec: { nodeName: "k8s-node2", containers: [{ name: "c", image: "nginx" }] } });
    await kubelet(c, "k8s-node2", false);
    await c.delete(c.get(NODE, "", "k8s-node2")!);
    expect(c.store.list(MACHINES)).toEqual([]);
    await c.advance(40);
    expect(c.get(POD, "default", "p")).toBeUndefined();
  });
});
