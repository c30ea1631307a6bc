// The scheduler as a controller on a real cluster: binding, FailedScheduling without event spam,
// retries when something relevant changes (after the backoff), preemption, priority admission,
// scheduling gates, and WaitForFirstConsumer claims.
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../../worker/resources/types";
import { DEFAULT_PLUGINS } from "../../../worker/scheduler/framework";
import { backoffUntil } from "../../../worker/scheduler/queue";
import { START, TestCluster } from "../../cluster";

const POD = { apiVersion: "v1", kind: "Pod" };
const NODE = { apiVersion: "v1", kind: "Node" };

type Obj = Record<string, any>;

function pod(name: string, spec: Obj = {}, meta: Obj = {}): KubeObject {
  return { ...POD, metadata: { name, namespace: "default", ...meta }, spec: { containers: [{ name: "c", image: "nginx" }], ...spec } };
}

const cpu = (c: string, extra: Obj = {}) => ({ containers: [{ name: "c", image: "nginx", resources: { requests: { cpu: c } } }], ...extra });
const get = (c: TestCluster, name: string) => c.get(POD, "default", name)!;
const nodeOf = (p: KubeObject) => (p.spec as Obj).nodeName as string | undefined;
const scheduled = (p: KubeObject) => ((p.status as Obj).conditions ?? []).find((x: Obj) => x.type === "PodScheduled");

describe("scheduler", () => {
  it("binds a pod to a worker with PodScheduled=True and a Scheduled event", async () => {
    const c = await TestCluster.create();
    await c.apply(pod("web"));
    const p = get(c, "web");
    expect(["k8s-node1", "k8s-node2"]).toContain(nodeOf(p));
    expect(scheduled(p)).toMatchObject({ status: "True", lastProbeTime: null });
    expect(c.events(p)).toEqual([`Scheduled: Successfully assigned default/web to ${nodeOf(p)}`]);
    const ev = c.store.list("/events", "default").find((e) => e.reason === "Scheduled")!;
    expect(ev).toMatchObject({ type: "Normal", source: { component: "default-scheduler" } });
  });

  it("reports an unschedulable pod once and writes nothing while nothing changes", async () => {
    const c = await TestCluster.create();
    await c.apply(pod("lost", { nodeSelector: { disk: "ssd" } }));
    const p = get(c, "lost");
    const msg =
      "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.";
    expect(scheduled(p)).toMatchObject({ status: "False", reason: "Unschedulable", message: msg });
    expect(c.events(p)).toEqual([`FailedScheduling: ${msg}`]);
    expect((await c.settle()).writes).toBe(0);
    await c.apply({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "unrelated" }, data: {} });
    await c.advance(60);
    expect(get(c, "lost").metadata.resourceVersion).toBe(p.metadata.resourceVersion);
    expect(c.store.list("/events", "default").filter((e) => e.reason === "FailedScheduling").map((e) => e.count)).toEqual([1]);
  });

  it("tries an unschedulable pod again every 5 minutes, so its FailedScheduling event never expires", async () => {
    const c = await TestCluster.create();
    await c.apply(pod("lost", { nodeSelector: { disk: "ssd" } }));
    const failed = () => c.store.list("/events", "default").filter((e) => e.reason === "FailedScheduling");
    // Settled: the next wake-up is the flush, 5 minutes after the failure (no backoff wake-up, no busy loop).
    expect((await c.settle()).writes).toBe(0);
    expect(c.engine.nextWakeup()).toBe(START + 300_000);
    expect((await c.advance(299)).writes).toBe(0);
    await c.advance(1);
    expect(failed().map((e) => [e.count, e.lastTimestamp])).toEqual([[2, "2026-01-01T00:05:00Z"]]);
    expect(c.engine.nextWakeup()).toBe(START + 600_000);
    await c.advance(3700 - 300);
    const [event] = failed();
    expect(event.count).toBeGreaterThan(1);
    expect(event.count).toBe(13);
    expect(scheduled(get(c, "lost"))).toMatchObject({ status: "False", reason: "Unschedulable" });
  });

  it("schedules the pod once a node gets the label, after the backoff", async () => {
    const c = await TestCluster.create();
    await c.apply(pod("lost", { nodeSelector: { disk: "ssd" } }));
    await c.modify(NODE, "", "k8s-node2", (n) => (n.metadata.labels!.disk = "ssd"));
    expect(nodeOf(get(c, "lost"))).toBeUndefined();
    await c.advance(1);
    expect(nodeOf(get(c, "lost"))).toBe("k8s-node2");
  });

  it("filters a backing-off pod again only after something changed in the cluster", async () => {
    // A plugin that only counts the nodes it is asked about, first in the default profile for this test.
    let filtered = 0;
    DEFAULT_PLUGINS.unshift({ name: "Counting", filter: () => (filtered++, null) });
    try {
      const c = await TestCluster.create();
      await c.apply(pod("lost", { nodeSelector: { disk: "ssd" } }));
      // Passes in which nothing is stored (another controller's wake-up, a settled sandbox) look at nothing.
      await c.settle();
      filtered = 0;
      for (let i = 0; i < 3; i++) await c.settle();
      expect(filtered).toBe(0);
      // A change anywhere that can matter: the pod is looked at again (and fits now).
      await c.modify(NODE, "", "k8s-node2", (n) => (n.metadata.labels!.disk = "ssd"));
      expect(filtered).toBeGreaterThan(0);
      await c.advance(1);
      expect(nodeOf(get(c, "lost"))).toBe("k8s-node2");
    } finally {
      DEFAULT_PLUGINS.shift();
    }
  });

  it("schedules a pending pod once a matching node is added", async () => {
    const c = await TestCluster.create();
    await c.apply(pod("lost", { nodeSelector: { disk: "ssd" } }));
    await c.advance(30);
    await c.apply({ ...NODE, metadata: { name: "k8s-node3", labels: { disk: "ssd" } } });
    expect(nodeOf(get(c, "lost"))).toBe("k8s-node3");
    expect(c.events(get(c, "lost")).at(-1)).toBe("Scheduled: Successfully assigned default/lost to k8s-node3");
  });

  it("schedules a pod that did not fit for cpu once a pod holding the cpu is deleted", async () => {
    const c = await TestCluster.create();
    for (const n of ["k8s-node1", "k8s-node2"]) await c.apply(pod(`filler-${n}`, cpu("3", { nodeSelector: { "kubernetes.io/hostname": n } })));
    await c.advance(30);
    await c.apply(pod("big", cpu("2")));
    expect(scheduled(get(c, "big"))).toMatchObject({
      status: "False",
      reason: "Unschedulable",
      message: "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.",
    });
    await c.delete(get(c, "filler-k8s-node2"));
    await c.advance(60);
    expect(c.get(POD, "default", "filler-k8s-node2")).toBeUndefined();
    expect(nodeOf(get(c, "big"))).toBe("k8s-node2");
  });

  it("schedules a pod once the taint it does not tolerate is removed", async () => {
    const c = await TestCluster.create();
    for (const n of ["k8s-node1", "k8s-node2"]) await c.modify(NODE, "", n, (o) => ((o.spec as Obj).taints = [{ key: "maintenance", effect: "NoSchedule" }]));
    await c.apply(pod("web"));
    expect(scheduled(get(c, "web"))?.message).toBe(
      "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 node(s) had untolerated taint {maintenance: }. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.",
    );
    await c.advance(5);
    await c.modify(NODE, "", "k8s-node1", (o) => delete (o.spec as Obj).taints);
    expect(nodeOf(get(c, "web"))).toBe("k8s-node1");
  });

  it("backs off 1 s, doubling to 10 s", () => {
    expect([1, 2, 3, 4, 5, 9].map((count) => backoffUntil({ count, last: START }) - START)).toEqual([1000, 2000, 4000, 8000, 10000, 10000]);
  });

  it("leaves pods for other schedulers alone", async () => {
    const c = await TestCluster.create();
    await c.apply(pod("mine", { schedulerName: "my-scheduler" }));
    expect(get(c, "mine").status).toEqual({ phase: "Pending", qosClass: "BestEffort" });
  });

  it("places DaemonSet pods on their nodes", async () => {
    const c = await TestCluster.create();
    await c.apply({
      apiVersion: "apps/v1",
      kind: "DaemonSet",
      metadata: { name: "agent", namespace: "default" },
      spec: { selector: { matchLabels: { app: "agent" } }, template: { metadata: { labels: { app: "agent" } }, spec: { containers: [{ name: "c", image: "agent" }] } } },
    });
    const placed = c.pods().map((p) => [nodeOf(p), (p.spec as Obj).affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchFields[0].values[0]]);
    expect(placed).toHaveLength(2);
    for (const [bound, wanted] of placed) expect(bound).toBe(wanted);
  });

  it("keeps a pod with scheduling gates out, then schedules it when they are removed", async () => {
    const c = await TestCluster.create();
    await c.apply(pod("gated", { schedulingGates: [{ name: "example.com/wait" }] }));
    expect(scheduled(get(c, "gated"))).toMatchObject({ status: "False", reason: "SchedulingGated", message: "Scheduling is blocked due to non-empty scheduling gates" });
    await c.modify(POD, "default", "gated", (p) => delete (p.spec as Obj).schedulingGates);
    expect(nodeOf(get(c, "gated"))).toBeDefined();
  });
});

describe("priority and preemption", () => {
  const pc = (name: string, value: number, extra: Obj = {}) => ({ apiVersion: "scheduling.k8s.io/v1", kind: "PriorityClass", metadata: { name }, value, ...extra });

  it("resolves priorityClassName at admission and refuses unknown classes", async () => {
    const c = await TestCluster.create();
    await c.apply(pc("high", 1000, { preemptionPolicy: "Never" }));
    await c.apply(pod("vip", { priorityClassName: "high" }));
    expect(get(c, "vip").spec).toMatchObject({ priority: 1000, preemptionPolicy: "Never" });
    await expect(c.apply(pod("typo", { priorityClassName: "hihg" }))).rejects.toThrow("no PriorityClass with name hihg was found");
    await c.apply(pc("default-prio", 7, { globalDefault: true }));
    await c.apply(pod("plain"));
    expect(get(c, "plain").spec).toMatchObject({ priority: 7, priorityClassName: "default-prio" });
  });

  it("refuses a second globalDefault class, created or marked by an update", async () => {
    const c = await TestCluster.create();
    await c.apply(pc("first", 5, { globalDefault: true }));
    const refused = "PriorityClass first is already marked as default. Only one default can exist";
    const err = await c.apply(pc("second", 6, { globalDefault: true })).catch((e) => e);
    expect(err).toMatchObject({ code: 403, reason: "Forbidden", message: `priorityclasses.scheduling.k8s.io "second" is forbidden: ${refused}` });
    await c.apply(pc("second", 6));
    await expect(c.modify({ apiVersion: "scheduling.k8s.io/v1", kind: "PriorityClass" }, "", "second", (o) => (o.globalDefault = true))).rejects.toThrow(refused);
    // The default itself may be updated; once it is no longer default, another may be.
    await c.modify({ apiVersion: "scheduling.k8s.io/v1", kind: "PriorityClass" }, "", "first", (o) => (o.description = "still the default"));
    await c.modify({ apiVersion: "scheduling.k8s.io/v1", kind: "PriorityClass" }, "", "first", (o) => (o.globalDefault = false));
    await c.modify({ apiVersion: "scheduling.k8s.io/v1", kind: "PriorityClass" }, "", "second", (o) => (o.globalDefault = true));
    expect((c.get({ apiVersion: "scheduling.k8s.io/v1", kind: "PriorityClass" }, "", "second") as Obj).globalDefault).toBe(true);
  });

  it("evicts lower-priority pods, nominates the node, and binds there once they are gone", async () => {
    const c = await TestCluster.create();
    for (const n of ["k8s-node1", "k8s-node2"]) await c.apply(pod(`filler-${n}`, cpu("3", { nodeSelector: { "kubernetes.io/hostname": n } })));
    await c.apply(pc("high", 1000));
    await c.apply(pod("vip", cpu("2", { priorityClassName: "high" })));
    const vip = get(c, "vip");
    const target = (vip.status as Obj).nominatedNodeName as string;
    expect(["k8s-node1", "k8s-node2"]).toContain(target);
    expect(scheduled(vip)).toMatchObject({ reason: "Unschedulable", message: "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu." });
    const victimName = `filler-${target}`;
    const victimEvents = c.store.list("/events", "default").filter((e) => (e.involvedObject as Obj).name === victimName).map((e) => `${e.reason}: ${e.message}`);
    expect(victimEvents).toContain(`Preempted: Preempted by pod ${vip.metadata.uid} on node ${target}`);
    expect(c.get(POD, "default", victimName)).toBeUndefined();
    await c.advance(1);
    expect(nodeOf(get(c, "vip"))).toBe(target);
  });
});

describe("WaitForFirstConsumer", () => {
  it("selects a node for the claim and keeps the pod Pending until the claim is bound", async () => {
    const c = await TestCluster.create();
    await c.apply({ apiVersion: "storage.k8s.io/v1", kind: "StorageClass", metadata: { name: "local" }, provisioner: "rancher.io/local-path", volumeBindingMode: "WaitForFirstConsumer" });
    await c.apply({ apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name: "data", namespace: "default" }, spec: { storageClassName: "local", accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } });
    await c.apply(pod("db", { volumes: [{ name: "v", persistentVolumeClaim: { claimName: "data" } }] }));
    const claim = c.get({ apiVersion: "v1", kind: "PersistentVolumeClaim" }, "default", "data")!;
    const selected = claim.metadata.annotations?.["volume.kubernetes.io/selected-node"];
    expect(["k8s-node1", "k8s-node2"]).toContain(selected);
    const p = get(c, "db");
    expect(nodeOf(p)).toBeUndefined();
    expect(scheduled(p)).toBeUndefined();
    expect((await c.settle()).writes).toBe(0);
  });

  it("reports claims of an Immediate class that are not bound", async () => {
    const c = await TestCluster.create();
    await c.apply({ apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name: "data", namespace: "default" }, spec: { storageClassName: "", accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } });
    await c.apply(pod("db", { volumes: [{ name: "v", persistentVolumeClaim: { claimName: "data" } }] }));
    expect(scheduled(get(c, "db"))?.message).toBe(
      "0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.",
    );
  });
});
