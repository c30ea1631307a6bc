import { describe, expect, it } from "vitest";
import { deploymentController } from "../../../worker/controllers/deployment";
import { computeHash, newRSNewReplicas, resolveFenceposts, scaledValue } from "../../../worker/controllers/deployment/util";
import { garbageCollector } from "../../../worker/controllers/garbage-collector";
import { replicaSetController } from "../../../worker/controllers/replicaset";
import type { KubeObject } from "../../../worker/resources/types";
import { TestCluster } from "../../cluster";

const DEPLOY = { apiVersion: "apps/v1", kind: "Deployment" };
const RS = { apiVersion: "apps/v1", kind: "ReplicaSet" };

function deployment(name: string, replicas: number, spec: Record<string, unknown> = {}, image = "nginx"): KubeObject {
  return {
    ...DEPLOY,
    metadata: { name, namespace: "default", labels: { app: name } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "nginx", image }] } },
      ...spec,
    },
  };
}

async function cluster() {
  return TestCluster.create({ controllers: [deploymentController, replicaSetController, garbageCollector] });
}

type Cluster = Awaited<ReturnType<typeof cluster>>;

/** `kubectl get deploy` columns: READY UP-TO-DATE AVAILABLE. */
function row(c: Cluster, name = "web"): string {
  const d = c.get(DEPLOY, "default", name)!;
  const s = (d.status ?? {}) as Record<string, number>;
  return `${s.readyReplicas ?? 0}/${(d.spec as { replicas: number }).replicas} ${s.updatedReplicas ?? 0} ${s.availableReplicas ?? 0}`;
}

/** The named ReplicaSets as `name:spec/status` (and no other ReplicaSet may exist). */
function replicaSets(c: Cluster, ...names: string[]): string[] {
  expect(c.list(RS, "default").map((rs) => rs.metadata.name).sort()).toEqual([...names].sort());
  return names.map((n) => {
    const rs = c.get(RS, "default", n)!;
    return `${n}:${(rs.spec as { replicas: number }).replicas}/${(rs.status as { replicas?: number }).replicas ?? 0}`;
  });
}

function condition(c: Cluster, type: string, name = "web") {
  const d = c.get(DEPLOY, "default", name)!;
  const cond = ((d.status as { conditions?: { type: string; status: string; reason: string }[] }).conditions ?? []).find((x) => x.type === type);
  return cond && `${cond.status} ${cond.reason}`;
}

const unready = (c: Cluster) => c.pods().filter((p) => !((p.status as { conditions?: { type: string }[] }).conditions ?? []).some((x) => x.type === "Ready"));

describe("deployment controller: first rollout", () => {
  it("creates <name>-<hash> with the hash on selector, template and pods, then reports readiness", async () => {
    const c = await cluster();
    await c.apply(deployment("web", 3));
    const [rs] = c.list(RS, "default");
    const hash = rs.metadata.labels!["pod-template-hash"];
    expect(rs.metadata.name).toBe(`web-${hash}`);
    expect(hash).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{6,10}$/);
    expect(rs.spec).toMatchObject({ replicas: 3, selector: { matchLabels: { app: "web", "pod-template-hash": hash } } });
    expect(rs.metadata.annotations).toEqual({
      "deployment.kubernetes.io/revision": "1",
      "deployment.kubernetes.io/desired-replicas": "3",
      "deployment.kubernetes.io/max-replicas": "4",
    });
    expect(rs.metadata.ownerReferences).toEqual([
      expect.objectContaining({ kind: "Deployment", name: "web", controller: true, blockOwnerDeletion: true }),
    ]);
    expect(c.pods().map((p) => p.metadata.labels)).toEqual(Array(3).fill({ app: "web", "pod-template-hash": hash }));
    expect(row(c)).toBe("0/3 3 0");
    const d = c.get(DEPLOY, "default", "web")!;
    expect(d.metadata.annotations?.["deployment.kubernetes.io/revision"]).toBe("1");
    expect(d.status).toMatchObject({ observedGeneration: 1, replicas: 3, updatedReplicas: 3, unavailableReplicas: 3 });
    expect(condition(c, "Available")).toBe("False MinimumReplicasUnavailable");
    expect(condition(c, "Progressing")).toBe("True ReplicaSetUpdated");
    expect(c.events(d)).toEqual([`ScalingReplicaSet: Scaled up replica set web-${hash} from 0 to 3`]);

    await c.makePodsReady();
    expect(row(c)).toBe("3/3 3 3");
    expect(c.get(DEPLOY, "default", "web")!.status).not.toHaveProperty("unavailableReplicas");
    expect(condition(c, "Available")).toBe("True MinimumReplicasAvailable");
    expect(condition(c, "Progressing")).toBe("True NewReplicaSetAvailable");
  });
});

const POD = { apiVersion: "v1", kind: "Pod" };
const image = (img: string) => (d: KubeObject) => {
  ((d.spec as { template: { spec: { containers: { image: string }[] } } }).template.spec.containers[0].image = img);
};

/** Events about the deployment not returned by an earlier call, sorted (one pass may record several). */
function eventLog(c: Cluster, name = "web") {
  const seen = new Set<string>();
  return () => {
    const all = c.events(c.get(DEPLOY, "default", name)!);
    const fresh = all.filter((e) => !seen.has(e));
    fresh.forEach((e) => seen.add(e));
    return fresh.sort();
  };
}

const rsName = (c: Cluster, i: number) => c.list(RS, "default").sort((a, b) => Number(a.metadata.annotations?.["deployment.kubernetes.io/revision"]) - Number(b.metadata.annotations?.["deployment.kubernetes.io/revision"]))[i].metadata.name!;

describe("deployment util arithmetic", () => {
  // Modelled on upstream TestResolveFenceposts and TestGetValueFromIntOrPercent.
  it.each([
    { surge: "0%", unavailable: "0%", replicas: 0, want: [0, 1] },
    { surge: "39%", unavailable: "39%", replicas: 10, want: [4, 3] },
    { surge: undefined, unavailable: "39%", replicas: 10, want: [0, 3] },
    { surge: "39%", unavailable: undefined, replicas: 10, want: [4, 0] },
    { surge: undefined, unavailable: undefined, replicas: 10, want: [0, 1] },
    { surge: "25%", unavailable: "25%", replicas: 3, want: [1, 0] },
    { surge: 2, unavailable: 1, replicas: 3, want: [2, 1] },
  ])("resolveFenceposts($surge, $unavailable, $replicas) = $want", ({ surge, unavailable, replicas, want }) => {
    const r = resolveFenceposts({ maxSurge: surge, maxUnavailable: unavailable }, replicas);
    expect([r.surge, r.unavailable]).toEqual(want);
  });

  it.each([
    ["25%", 3, true, 1],
    ["25%", 3, false, 0],
    ["50%", 5, true, 3],
    ["50%", 5, false, 2],
    [4, 10, true, 4],
  ] as const)("scaledValue(%s of %i, roundUp=%s) = %i", (v, total, up, want) => {
    expect(scaledValue(v, total, up)).toBe(want);
  });

  // Modelled on upstream TestNewRSNewReplicas.
  it.each([
    { name: "cannot scale up past the surge", type: "RollingUpdate", replicas: 1, surge: 1, newRS: 5, old: 5, want: 5 },
    { name: "scales up to spec.replicas at most", type: "RollingUpdate", replicas: 6, surge: 10, newRS: 2, old: 0, want: 6 },
    { name: "scales up by the room the surge leaves", type: "RollingUpdate", replicas: 10, surge: 3, newRS: 0, old: 10, want: 3 },
    { name: "recreate goes straight to spec.replicas", type: "Recreate", replicas: 3, surge: 0, newRS: 1, old: 5, want: 3 },
  ])("newRSNewReplicas: $name", ({ type, replicas, surge, newRS, old, want }) => {
    const d = deployment("web", replicas, { strategy: { type, rollingUpdate: type === "Recreate" ? undefined : { maxSurge: surge, maxUnavailable: 0 } } });
    const rs = (n: number, name: string): KubeObject => ({ ...RS, metadata: { name }, spec: { replicas: n } });
    const fresh = rs(newRS, "new");
    expect(newRSNewReplicas(d, [rs(old, "old"), fresh], fresh)).toBe(want);
  });

  it("hashes a template stably, with the collision count changing the result", () => {
    const t = { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "nginx", image: "nginx" }] } };
    const reordered = { spec: { containers: [{ image: "nginx", name: "nginx" }] }, metadata: { labels: { app: "web" } } };
    expect(computeHash(t)).toBe(computeHash(reordered));
    expect(computeHash(t)).not.toBe(computeHash(t, 0));
    expect(computeHash(t, 1)).not.toBe(computeHash(t, 0));
    expect(computeHash(t)).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]+$/);
  });
});

describe("deployment controller: ReplicaSet identity", () => {
  it("brings a deleted ReplicaSet back under the same name", async () => {
    const c = await cluster();
    await c.apply(deployment("web", 3));
    const [before] = c.list(RS, "default");
    const oldPods = c.pods().map((p) => p.metadata.name);
    await c.delete(before);
    const [after] = c.list(RS, "default");
    expect(after.metadata.name).toBe(before.metadata.name);
    expect(after.metadata.uid).not.toBe(before.metadata.uid);
    expect(c.pods()).toHaveLength(3);
    expect(c.pods().map((p) => p.metadata.name)).not.toEqual(expect.arrayContaining(oldPods as string[]));
    expect(c.pods().every((p) => p.metadata.ownerReferences?.[0].uid === after.metadata.uid)).toBe(true);
  });

  it("counts a name collision and moves to another hash", async () => {
    const c = await cluster();
    await c.apply(deployment("web", 1));
    const [rs] = c.list(RS, "default");
    await c.delete(c.get(DEPLOY, "default", "web")!, "Orphan");
    // The orphan keeps the name but is no longer selected by a new "web".
    await c.modify(RS, "default", rs.metadata.name!, (o) => void (o.metadata.labels = { other: "x" }));
    await c.apply(deployment("web", 1));
    const d = c.get(DEPLOY, "default", "web")!;
    expect((d.status as { collisionCount?: number }).collisionCount).toBe(1);
    const names = c.list(RS, "default").map((r) => r.metadata.name).sort();
    expect(names).toHaveLength(2);
    expect(names).toContain(rs.metadata.name);
  });

  it("copies the change-cause annotation to the ReplicaSet and removes everything on delete", async () => {
    const c = await cluster();
    const d = deployment("web", 2);
    d.metadata.annotations = { "kubernetes.io/change-cause": "first" };
    await c.apply(d);
    expect(c.list(RS, "default")[0].metadata.annotations?.["kubernetes.io/change-cause"]).toBe("first");
    await c.delete(c.get(DEPLOY, "default", "web")!);
    expect(c.list(RS, "default")).toEqual([]);
    expect(c.pods()).toEqual([]);
  });
});

describe("deployment controller: RollingUpdate", () => {
  it("rolls one step per readiness change within maxSurge 1 / maxUnavailable 0", async () => {
    const c = await cluster();
    await c.apply(deployment("web", 3));
    await c.makePodsReady();
    const log = eventLog(c);
    const v1 = rsName(c, 0);
    expect(log()).toEqual([`ScalingReplicaSet: Scaled up replica set ${v1} from 0 to 3`]);

    await c.advance(1);
    await c.modify(DEPLOY, "default", "web", image("nginx:1.25"));
    const v2 = rsName(c, 1);
    expect(replicaSets(c, v1, v2)).toEqual([`${v1}:3/3`, `${v2}:1/1`]);
    expect(row(c)).toBe("3/3 1 3");
    expect(condition(c, "Progressing")).toBe("True ReplicaSetUpdated");
    expect(log()).toEqual([`ScalingReplicaSet: Scaled up replica set ${v2} from 0 to 1`]);

    const steps: [string[], string, string[]][] = [
      [[`${v1}:2/2`, `${v2}:2/2`], "3/3 2 3", [`ScalingReplicaSet: Scaled down replica set ${v1} from 3 to 2`, `ScalingReplicaSet: Scaled up replica set ${v2} from 1 to 2`]],
      [[`${v1}:1/1`, `${v2}:3/3`], "3/3 3 3", [`ScalingReplicaSet: Scaled down replica set ${v1} from 2 to 1`, `ScalingReplicaSet: Scaled up replica set ${v2} from 2 to 3`]],
      [[`${v1}:0/0`, `${v2}:3/3`], "3/3 3 3", [`ScalingReplicaSet: Scaled down replica set ${v1} from 1 to 0`]],
    ];
    for (const [sets, wantRow, events] of steps) {
      await c.advance(1);
      await c.makePodsReady(unready(c));
      expect(replicaSets(c, v1, v2)).toEqual(sets);
      expect(row(c)).toBe(wantRow);
      expect(log()).toEqual(events);
    }
    expect(condition(c, "Progressing")).toBe("True NewReplicaSetAvailable");
    expect(c.get(DEPLOY, "default", "web")!.metadata.annotations?.["deployment.kubernetes.io/revision"]).toBe("2");
  });

  it("with maxSurge 0 and maxUnavailable 50% scales the old ReplicaSet down first", async () => {
    const c = await cluster();
    await c.apply(deployment("web", 4, { strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 0, maxUnavailable: "50%" } } }));
    await c.makePodsReady();
    await c.modify(DEPLOY, "default", "web", image("nginx:1.25"));
    const [v1, v2] = [rsName(c, 0), rsName(c, 1)];
    expect(replicaSets(c, v1, v2)).toEqual([`${v1}:2/2`, `${v2}:2/2`]);
    expect(row(c)).toBe("2/4 2 2");
    await c.makePodsReady(unready(c));
    expect(replicaSets(c, v1, v2)).toEqual([`${v1}:0/0`, `${v2}:4/4`]);
    await c.makePodsReady(unready(c));
    expect(row(c)).toBe("4/4 4 4");
  });

  it("reuses the matching old ReplicaSet on rollback, at revision max+1", async () => {
    const c = await cluster();
    await c.apply(deployment("web", 2));
    await c.makePodsReady();
    await c.modify(DEPLOY, "default", "web", image("nginx:1.25"));
    await c.makePodsReady(unready(c));
    await c.makePodsReady(unready(c));
    const [v1, v2] = [rsName(c, 0), rsName(c, 1)];
    // What `kubectl rollout undo` sends: the old template without its hash, and the annotations.
    const old = c.get(RS, "default", v1)!;
    const template = structuredClone((old.spec as { template: { metadata: { labels: Record<string, string> } } }).template);
    delete template.metadata.labels["pod-template-hash"];
    await c.modify(DEPLOY, "default", "web", (d) => void ((d.spec as { template: unknown }).template = template));
    expect(c.list(RS, "default").map((r) => r.metadata.name).sort()).toEqual([v1, v2].sort());
    const reused = c.get(RS, "default", v1)!;
    expect(reused.metadata.annotations).toMatchObject({ "deployment.kubernetes.io/revision": "3", "deployment.kubernetes.io/revision-history": "1" });
    expect(c.get(DEPLOY, "default", "web")!.metadata.annotations?.["deployment.kubernetes.io/revision"]).toBe("3");
    expect(replicaSets(c, v1, v2)).toEqual([`${v1}:1/1`, `${v2}:2/2`]);
    await c.makePodsReady(unready(c));
    await c.makePodsReady(unready(c));
    expect(replicaSets(c, v1, v2)).toEqual([`${v1}:2/2`, `${v2}:0/0`]);
  });

  it("keeps revisionHistoryLimit old ReplicaSets", async () => {
    const c = await cluster();
    await c.apply(deployment("web", 1, { revisionHistoryLimit: 1 }));
    for (const tag of ["1.25", "1.26", "1.27"]) {
      await c.makePodsReady(unready(c));
      await c.modify(DEPLOY, "default", "web", image(`nginx:${tag}`));
      await c.makePodsReady(unready(c));
    }
    const revisions = c.list(RS, "default").map((r) => r.metadata.annotations?.["deployment.kubernetes.io/revision"]).sort();
    expect(revisions).toEqual(["3", "4"]);
  });

  it("scales proportionally in the middle of a rollout", async () => {
    const c = await cluster();
    await c.apply(deployment("web", 10, { strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 3, maxUnavailable: 2 } } }));
    await c.makePodsReady();
    const log = eventLog(c);
    log();
    await c.modify(DEPLOY, "default", "web", image("nginx:1.25"));
    const [v1, v2] = [rsName(c, 0), rsName(c, 1)];
    expect(replicaSets(c, v1, v2)).toEqual([`${v1}:8/8`, `${v2}:5/5`]);
    log();
    await c.modify(DEPLOY, "default", "web", (d) => void ((d.spec as { replicas: number }).replicas = 15));
    // 18 allowed (15 + 3 surge) over 13 recorded: 8 → round(8·18/13) = 11, 5 → round(5·18/13) = 7.
    expect(replicaSets(c, v1, v2)).toEqual([`${v1}:11/11`, `${v2}:7/7`]);
    expect(log()).toEqual([
      `ScalingReplicaSet: Scaled up replica set ${v1} from 8 to 11`,
      `ScalingReplicaSet: Scaled up replica set ${v2} from 5 to 7`,
    ].sort());
    expect(c.get(RS, "default", v2)!.metadata.annotations).toMatchObject({
      "deployment.kubernetes.io/desired-replicas": "15",
      "deployment.kubernetes.io/max-replicas": "18",
    });
    for (let i = 0; i < 10 && unready(c).length; i++) await c.makePodsReady(unready(c));
    expect(replicaSets(c, v1, v2)).toEqual([`${v1}:0/0`, `${v2}:15/15`]);
    expect(row(c)).toBe("15/15 15 15");
  });
});

describe("deployment controller: Recreate", () => {
  it("scales the old ReplicaSet to zero and waits for its last pod to go before creating the new one", async () => {
    const c = await cluster();
    await c.apply(deployment("web", 3, { strategy: { type: "Recreate" } }));
    await c.makePodsReady();
    const v1 = rsName(c, 0);
    const log = eventLog(c);
    log();
    // One old pod lingers while terminating (a finalizer holds it).
    const held = c.pods()[0].metadata.name!;
    await c.modify(POD, "default", held, (p) => void (p.metadata.finalizers = ["example.com/hold"]));
    await c.modify(DEPLOY, "default", "web", image("nginx:1.25"));
    expect(replicaSets(c, v1)).toEqual([`${v1}:0/0`]);
    expect(c.pods().map((p) => p.metadata.name)).toEqual([held]);
    expect(log()).toEqual([`ScalingReplicaSet: Scaled down replica set ${v1} from 3 to 0`]);

    await c.store.commit([{ type: "delete", resource: "/pods", object: c.get(POD, "default", held)! }]);
    await c.settle();
    const v2 = rsName(c, 1);
    expect(replicaSets(c, v1, v2)).toEqual([`${v1}:0/0`, `${v2}:3/3`]);
    expect(log()).toEqual([`ScalingReplicaSet: Scaled up replica set ${v2} from 0 to 3`]);
    expect(row(c)).toBe("0/3 3 0");
    await c.makePodsReady();
    expect(row(c)).toBe("3/3 3 3");
  });
});

describe("deployment controller: time", () => {
  it("counts pods available only after minReadySeconds", async () => {
    const c = await cluster();
    await c.apply(deployment("web", 2, { minReadySeconds: 10 }));
    expect((c.list(RS, "default")[0].spec as { minReadySeconds: number }).minReadySeconds).toBe(10);
    await c.makePodsReady();
    expect(row(c)).toBe("2/2 2 0");
    await c.advance(5);
    expect(row(c)).toBe("2/2 2 0");
    await c.advance(6);
    expect(row(c)).toBe("2/2 2 2");
    expect(condition(c, "Available")).toBe("True MinimumReplicasAvailable");
  });

  it("reports ProgressDeadlineExceeded when a rollout stops moving", async () => {
    const c = await cluster();
    await c.apply(deployment("web", 2, { progressDeadlineSeconds: 30 }));
    await c.advance(20);
    expect(condition(c, "Progressing")).toBe("True ReplicaSetUpdated");
    await c.advance(20);
    expect(condition(c, "Progressing")).toBe("False ProgressDeadlineExceeded");
    const d = c.get(DEPLOY, "default", "web")!;
    const cond = (d.status as { conditions: { type: string; message: string }[] }).conditions.find((x) => x.type === "Progressing")!;
    expect(cond.message).toBe(`ReplicaSet "${rsName(c, 0)}" has timed out progressing.`);
    // Progress afterwards clears it.
    await c.makePodsReady();
    expect(condition(c, "Progressing")).toBe("True NewReplicaSetAvailable");
  });
});

describe("deployment controller: pause, resume, restart, scale", () => {
  it("does not roll while paused, and rolls a restart once resumed", async () => {
    const c = await cluster();
    await c.apply(deployment("web", 2));
    await c.makePodsReady();
    const v1 = rsName(c, 0);
    await c.modify(DEPLOY, "default", "web", (d) => void ((d.spec as { paused: boolean }).paused = true));
    expect(condition(c, "Progressing")).toBe("Unknown DeploymentPaused");
    // What `kubectl rollout restart` changes.
    await c.modify(DEPLOY, "default", "web", (d) => {
      (d.spec as { template: { metadata: { annotations?: Record<string, string> } } }).template.metadata.annotations = {
        "kubectl.kubernetes.io/restartedAt": "2026-01-01T00:00:00Z",
      };
    });
    expect(replicaSets(c, v1)).toEqual([`${v1}:2/2`]);
    expect(c.get(DEPLOY, "default", "web")!.status).toMatchObject({ observedGeneration: 3 });
    // Scaling still works while paused.
    await c.modify(DEPLOY, "default", "web", (d) => void ((d.spec as { replicas: number }).replicas = 3));
    expect(replicaSets(c, v1)).toEqual([`${v1}:3/3`]);

    await c.modify(DEPLOY, "default", "web", (d) => void ((d.spec as { paused: boolean }).paused = false));
    const v2 = rsName(c, 1);
    expect(replicaSets(c, v1, v2)).toEqual([`${v1}:3/3`, `${v2}:1/1`]);
    expect(c.pods().filter((p) => p.metadata.labels?.["pod-template-hash"] === v2.slice(4))[0].metadata.annotations).toEqual({
      "kubectl.kubernetes.io/restartedAt": "2026-01-01T00:00:00Z",
    });
    for (let i = 0; i < 5 && unready(c).length; i++) await c.makePodsReady(unready(c));
    expect(replicaSets(c, v1, v2)).toEqual([`${v1}:0/0`, `${v2}:3/3`]);
    expect(row(c)).toBe("3/3 3 3");
  });

  it("scales a settled deployment up and down through its only ReplicaSet", async () => {
    const c = await cluster();
    await c.apply(deployment("web", 3));
    await c.makePodsReady();
    const v1 = rsName(c, 0);
    const log = eventLog(c);
    log();
    await c.modify(DEPLOY, "default", "web", (d) => void ((d.spec as { replicas: number }).replicas = 5));
    expect(replicaSets(c, v1)).toEqual([`${v1}:5/5`]);
    expect(log()).toEqual([`ScalingReplicaSet: Scaled up replica set ${v1} from 3 to 5`]);
    expect(row(c)).toBe("3/5 5 3");
    await c.modify(DEPLOY, "default", "web", (d) => void ((d.spec as { replicas: number }).replicas = 1));
    expect(replicaSets(c, v1)).toEqual([`${v1}:1/1`]);
    expect(log()).toEqual([`ScalingReplicaSet: Scaled down replica set ${v1} from 5 to 1`]);
    // The unready new pods went first.
    expect(unready(c)).toEqual([]);
    expect(row(c)).toBe("1/1 1 1");
  });
});
