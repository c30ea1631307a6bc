// Engine cost: CPU time of a settled reconcile pass against sandbox size, D1 writes of lifecycles,
// and the work a settled sandbox does per virtual hour.
import { writeFileSync } from "node:fs";
import { expect, it } from "vitest";
import { TestCluster } from "../test/cluster-core";

import type { KubeObject } from "../worker/resources/types";
import { CountingD1 } from "./d1-shim";
import { schedulerController } from "../worker/scheduler";

const results: Record<string, unknown> = {};

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function cluster() {
  const db = new CountingD1();
  const c = await TestCluster.create({ db: db as unknown as D1Database });
  await c.settle();
  return { c, db };
}

function configMap(i: number): KubeObject {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name: `cm-${i}`, namespace: "default", labels: { i: String(i % 10) } }, data: { k: "v" } };
}

function pod(i: number): KubeObject {
  return { apiVersion: "v1", kind: "Pod", metadata: { name: `pod-${i}`, namespace: "default", labels: { app: "bench" } }, spec: { containers: [{ name: "c", image: "nginx" }] } };
}

it("reconcile pass CPU time vs objects in the sandbox", async () => {
  const rows: { objects: number; settledPassMs: number }[] = [];
  for (const n of [100, 1000, 10000]) {
    const { c } = await cluster();
    // Half pods, half config maps, committed in chunks as a bulk apply would.
    for (let i = 0; i < n; i += 500) {
      const chunk: KubeObject[] = [];
      for (let j = i; j < Math.min(n, i + 500); j++) chunk.push(j % 2 ? pod(j) : configMap(j));
      for (const o of chunk) await c.store.commit([{ type: "put", resource: o.kind === "Pod" ? "/pods" : "/configmaps", object: { ...o, metadata: { ...o.metadata, uid: `u-${o.metadata.name}`, creationTimestamp: "2026-01-01T00:00:00Z" } } }]);
    }
    await c.settle();
    const times: number[] = [];
    for (let r = 0; r < 5; r++) {
      const t0 = performance.now();
      const stats = await c.settle();
      times.push(performance.now() - t0);
      expect(stats.writes).toBe(0);
    }
    rows.push({ objects: c.store.countAll(), settledPassMs: +median(times).toFixed(2) });
  }
  results.reconcile = rows;
});

it("D1 rows written for one pod's life (create, delete)", async () => {
  const { c, db } = await cluster();
  const before = { rows: c.store.stats.rowsWritten, statements: db.statements };
  const created = await c.apply(pod(1));
  await c.delete(created);
  results.podLifecycle = { rowsWritten: c.store.stats.rowsWritten - before.rows, d1Statements: db.statements - before.statements };
});

function deployment(replicas: number, image = "nginx:1.25"): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: "default" },
    spec: { replicas, selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web", image }] } } },
  };
}

/** Plays the kubelet until every pod is ready and the deployment has settled. */
async function rollToCompletion(c: TestCluster) {
  for (let round = 0; round < 1000; round++) {
    const notReady = c.pods().filter((p) => !p.metadata.deletionTimestamp && (p.status as { phase?: string } | undefined)?.phase !== "Running");
    const terminating = c.pods().filter((p) => p.metadata.deletionTimestamp);
    for (const p of terminating) await c.store.commit([{ type: "delete", resource: "/pods", object: p }]);
    if (notReady.length === 0 && terminating.length === 0) {
      const d = c.get({ apiVersion: "apps/v1", kind: "Deployment" }, "default", "web")!;
      const st = d.status as { updatedReplicas?: number; replicas?: number; availableReplicas?: number };
      const want = (d.spec as { replicas: number }).replicas;
      if (st.updatedReplicas === want && st.replicas === want && st.availableReplicas === want) return round;
    }
    await c.makePodsReady(notReady);
    await c.settle();
  }
  throw new Error("rollout did not complete");
}

it("D1 rows written by a 100-replica deployment and its rolling update", async () => {
  const { c } = await cluster();
  const start = c.store.stats.rowsWritten;
  const t0 = performance.now();
  await c.apply(deployment(100));
  await rollToCompletion(c);
  const created = c.store.stats.rowsWritten - start;
  const createMs = performance.now() - t0;
  const t1 = performance.now();
  await c.modify({ apiVersion: "apps/v1", kind: "Deployment" }, "default", "web", (d) => {
    (d.spec as any).template.spec.containers[0].image = "nginx:1.26";
  });
  await rollToCompletion(c);
  results.deployment100 = {
    rowsWrittenToReady: created,
    rowsWrittenRollingUpdate: c.store.stats.rowsWritten - start - created,
    cpuMsToReady: +createMs.toFixed(1),
    cpuMsRollingUpdate: +(performance.now() - t1).toFixed(1),
    note: "pod readiness is written by the test in place of the kubelet",
  };
});

it("a settled sandbox does no work per virtual hour", async () => {
  const { c, db } = await cluster();
  for (let i = 0; i < 100; i++) await c.apply(pod(i));
  await c.settle();
  const before = { statements: db.statements, rows: c.store.stats.rowsWritten };
  const stats = await c.advance(3600);
  results.settledHour = {
    pods: c.pods().length,
    wakeups: stats.passes - 2,
    d1Statements: db.statements - before.statements,
    rowsWritten: c.store.stats.rowsWritten - before.rows,
    alarmArmed: c.engine.nextWakeup() !== undefined,
  };
});

it("scheduling throughput", async () => {
  const rows: { pods: number; nodes: number; podsPerCpuSecond: number }[] = [];
  for (const [pods, nodes] of [
    [1000, 100],
    [10000, 1000],
  ]) {
    const db = new CountingD1();
    const nodeList = Array.from({ length: nodes }, (_, i) => ({ name: `node-${i}`, cpu: "64", memory: "268435456Ki" }));
    const c = await TestCluster.create({ db: db as unknown as D1Database, nodes: nodeList, controllers: [schedulerController] });
    await c.settle();
    const batch: KubeObject[] = [];
    for (let i = 0; i < pods; i++) {
      const p = pod(i);
      (p.spec as any).containers[0].resources = { requests: { cpu: "100m", memory: "64Mi" } };
      batch.push(p);
    }
    const { admitCreate } = await import("../worker/api/admission");
    const { findKind } = await import("../worker/resources/registry");
    const podType = findKind({ group: "", version: "v1", kind: "Pod" })!;
    const ctx = { store: c.store, rng: c.rng, clock: c.clock };
    for (let i = 0; i < batch.length; i += 500) {
      await c.store.commit(batch.slice(i, i + 500).map((o) => ({ type: "put" as const, resource: "/pods", object: admitCreate(ctx, podType, o) })));
    }
    const t0 = performance.now();
    await c.settle();
    const ms = performance.now() - t0;
    const bound = c.pods().filter((p) => (p.spec as { nodeName?: string }).nodeName).length;
    expect(bound).toBe(pods);
    rows.push({ pods, nodes, podsPerCpuSecond: Math.round((pods / ms) * 1000) });
  }
  results.scheduling = rows;
});

it("a 1,000-replica deployment with probes, from apply to all Ready, with the real kubelets", async () => {
  // Ten workers (the default two hold 110 pods each); every controller, the scheduler and the kubelets.
  const db = new CountingD1();
  const nodes = [{ name: "k8s-master", controlPlane: true }, ...Array.from({ length: 10 }, (_, i) => ({ name: `k8s-node${i + 1}` }))];
  const c = await TestCluster.create({ db: db as unknown as D1Database, nodes });
  await c.settle();
  const d = deployment(1000);
  const probe = (path: string) => ({ httpGet: { path, port: 80 }, periodSeconds: 10 });
  Object.assign((d.spec as any).template.spec.containers[0], { readinessProbe: probe("/"), livenessProbe: probe("/index.html") });
  const rows0 = c.store.stats.rowsWritten;
  const t0 = performance.now();
  await c.apply(d);
  let virtualSeconds = 0;
  const ready = () => ((c.get({ apiVersion: "apps/v1", kind: "Deployment" }, "default", "web")!.status as { readyReplicas?: number }).readyReplicas ?? 0) === 1000;
  while (!ready() && virtualSeconds < 600) {
    await c.advance(5);
    virtualSeconds += 5;
  }
  const cpuMs = performance.now() - t0;
  expect(ready()).toBe(true);
  const rows = c.store.stats.rowsWritten - rows0;
  // Then the settled hour: passing probes cost nothing.
  await c.advance(7200);
  const before = { rows: c.store.stats.rowsWritten, statements: db.statements };
  await c.advance(3600);
  results.kubeletDeployment1000 = {
    pods: 1000,
    nodes: 10,
    virtualSecondsToReady: virtualSeconds,
    cpuMsToReady: +cpuMs.toFixed(0),
    rowsWrittenToReady: rows,
    rowsPerPod: +(rows / 1000).toFixed(1),
    settledHour: { rowsWritten: c.store.stats.rowsWritten - before.rows, d1Statements: db.statements - before.statements, alarmArmed: c.engine.nextWakeup() !== undefined },
  };
}, 300_000);

it("the scheduler's share of reconcile time", async () => {
  // Every controller of the sandbox, each timed: a 1,000-replica deployment onto 100 nodes, from
  // apply until the pods are bound and their kubelets are pulling.
  const { CONTROLLERS } = await import("../worker/controllers");
  const spent = new Map<string, number>();
  const timed = CONTROLLERS.map((ctrl) => {
    const name = ctrl === schedulerController ? "scheduler" : "others";
    return (ctx: Parameters<typeof ctrl>[0]) => {
      const t0 = performance.now();
      ctrl(ctx);
      spent.set(name, (spent.get(name) ?? 0) + performance.now() - t0);
    };
  });
  const db = new CountingD1();
  const nodeList = Array.from({ length: 100 }, (_, i) => ({ name: `node-${i}`, cpu: "64", memory: "268435456Ki" }));
  const c = await TestCluster.create({ db: db as unknown as D1Database, nodes: nodeList, controllers: timed });
  await c.settle();
  spent.clear();
  const t0 = performance.now();
  await c.apply(deployment(1000));
  await c.settle();
  const total = performance.now() - t0;
  const bound = c.pods().filter((p) => (p.spec as { nodeName?: string }).nodeName).length;
  expect(bound).toBe(1000);
  const scheduler = spent.get("scheduler") ?? 0;
  const controllers = scheduler + (spent.get("others") ?? 0);
  results.schedulerShare = {
    pods: 1000,
    nodes: 100,
    reconcileMs: +total.toFixed(1),
    controllersMs: +controllers.toFixed(1),
    schedulerMs: +scheduler.toFixed(1),
    schedulerShareOfControllers: +(scheduler / controllers).toFixed(3),
  };
});

it("routing a request through a Service with 100 endpoints", async () => {
  const { nodeNetwork } = await import("../worker/network/host-tools");
  const nodes = [{ name: "k8s-master", controlPlane: true }, ...Array.from({ length: 4 }, (_, i) => ({ name: `k8s-node${i + 1}` }))];
  const c = await TestCluster.create({ db: new CountingD1() as unknown as D1Database, nodes });
  await c.apply(deployment(100));
  await c.apply({ apiVersion: "v1", kind: "Service", metadata: { name: "web", namespace: "default" }, spec: { selector: { app: "web" }, ports: [{ port: 80 }] } });
  for (let i = 0; i < 12 && c.store.list("/pods").filter((p) => (p.status as { podIP?: string } | undefined)?.podIP && p.metadata.labels?.app === "web").length < 100; i++) await c.advance(5);
  await c.advance(5);
  const svc = c.store.get("/services", "default", "web")!;
  const ip = (svc.spec as { clusterIP: string }).clusterIP;
  const master = (c.store.get("/nodes", "", "k8s-master")!.status as { addresses: { type: string; address: string }[] }).addresses[0].address;
  const request = { method: "GET", path: "/", headers: { host: ip } };
  const rounds = 2000;
  // A curl from the node shell builds its view of the network, then connects once.
  let ok = 0;
  const t0 = performance.now();
  for (let i = 0; i < rounds; i++) {
    const net = nodeNetwork({ reader: c.store, now: c.clock.now() }, "k8s-master", master);
    if (net.http(ip, 80, request, c.clock.now()).kind === "response") ok++;
  }
  const perRequest = (performance.now() - t0) / rounds;
  expect(ok).toBe(rounds);
  // Floor: reading the Service object itself, the least any routing must do.
  const t1 = performance.now();
  for (let i = 0; i < rounds * 10; i++) c.store.get("/services", "default", "web");
  const floor = (performance.now() - t1) / (rounds * 10);
  results.routing = { endpoints: 100, usPerRequest: +(perRequest * 1000).toFixed(1), floorUsPerServiceRead: +(floor * 1000).toFixed(3), ratio: Math.round(perRequest / floor) };
}, 300_000);

it("1,000 Services: what they add to a settled pass", async () => {
  const settledPass = async (c: TestCluster) => {
    await c.settle();
    const times: number[] = [];
    for (let r = 0; r < 5; r++) {
      const t0 = performance.now();
      await c.settle();
      times.push(performance.now() - t0);
    }
    return median(times);
  };
  const base = await cluster();
  for (let i = 0; i < 100; i++) await base.c.store.commit([{ type: "put", resource: "/pods", object: { ...pod(i), metadata: { ...pod(i).metadata, uid: `u-${i}`, creationTimestamp: "2026-01-01T00:00:00Z" } } }]);
  const without = await settledPass(base.c);
  for (let i = 0; i < 1000; i += 100) {
    const chunk = Array.from({ length: 100 }, (_, j) => ({
      type: "put" as const,
      resource: "/services",
      object: { apiVersion: "v1", kind: "Service", metadata: { name: `svc-${i + j}`, namespace: "default", uid: `s-${i + j}`, creationTimestamp: "2026-01-01T00:00:00Z" }, spec: { selector: { app: "bench" }, ports: [{ port: 80 }], clusterIP: `10.100.${Math.floor((i + j) / 250)}.${((i + j) % 250) + 1}` } },
    }));
    await base.c.store.commit(chunk);
  }
  const withServices = await settledPass(base.c);
  results.services1000 = { settledPassMsWithout: +without.toFixed(2), settledPassMsWith1000Services: +withServices.toFixed(2), ratio: +(withServices / without).toFixed(2) };
}, 300_000);

it("bytes of D1 storage per file on a persistent volume", async () => {
  const { VOLUME_CONTENT } = await import("../worker/kubelet/pv-content");
  const rows: { files: number; contentBytes: number; storedBytes: number; overheadBytesPerFile: number }[] = [];
  for (const n of [1, 100, 1000]) {
    const files: Record<string, string> = {};
    let contentBytes = 0;
    for (let i = 0; i < n; i++) {
      const body = `file ${i}\n`.padEnd(100, "x");
      files[`data/dir-${i % 10}/file-${i}.txt`] = body;
      contentBytes += body.length;
    }
    // Stored exactly as the kubelet stores a volume: one internal object, its JSON body in one row.
    const stored = JSON.stringify({ apiVersion: "kubeplay.internal/v1", kind: "VolumeContent", metadata: { name: "pvc-1", resourceVersion: "1" }, files });
    void VOLUME_CONTENT;
    rows.push({ files: n, contentBytes, storedBytes: stored.length, overheadBytesPerFile: +((stored.length - contentBytes) / n).toFixed(1) });
  }
  results.volumeBytes = rows;
});

it("writes results", () => {
  const out = process.env.BENCH_OUT;
  if (out) writeFileSync(out, JSON.stringify(results, null, 2));
  console.log(JSON.stringify(results, null, 2));
  expect(Object.keys(results).length).toBeGreaterThan(0);
});
