// Engine cost: CPU time of a settled reconcile pass against sandbox size, D1 writes of lifecycles,
// and the work a settled sandbox does per virtual hour.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { expect, it } from "vitest";
import { TestCluster } from "../test/cluster-core";

import type { KubeObject } from "../worker/resources/types";
import { CountingD1 } from "./d1-shim";
import { schedulerController } from "../worker/scheduler";
import { forgetModels } from "../worker/kubelet/models";
import { bootCluster, cpuMs, deployToReady, mainThreadCpuMs, rollTo, webDeployment, workersFor } from "./engine-scale";

/** BENCH_SCALE=small: a quick run, without the 10,000-replica deployment and the 50,000-object sandboxes. */
const SMALL = process.env.BENCH_SCALE === "small";

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

it("D1 rows written by a 100-replica deployment and its rolling update", async () => {
  // The whole engine, kubelets included (readiness is theirs to report), on a sandbox whose own pods run.
  const { c } = await bootCluster(workersFor(100));
  const start = c.store.stats.rowsWritten;
  const t0 = cpuMs();
  await deployToReady(c, webDeployment(100));
  const created = c.store.stats.rowsWritten - start;
  const createMs = cpuMs() - t0;
  const t1 = cpuMs();
  await rollTo(c, "nginx:1.26");
  results.deployment100 = {
    rowsWrittenToReady: created,
    rowsWrittenRollingUpdate: c.store.stats.rowsWritten - start - created,
    cpuMsToReady: +createMs.toFixed(1),
    cpuMsRollingUpdate: +(cpuMs() - t1).toFixed(1),
    note: "one round, nginx with probes, the whole engine (kubelets included); medians over rounds: deployments[] and rollingUpdate1000",
  };
});

it("a settled sandbox does no work per virtual hour", async () => {
  const { c, db } = await cluster();
  for (let i = 0; i < 100; i++) await c.apply(pod(i));
  // Settled: the pods running and the Events of their start expired (an Event lives an hour).
  await c.advance(7200);
  const before = { statements: db.statements, rows: c.store.stats.rowsWritten, stops: c.engine.stats.stops };
  const stats = await c.advance(3600);
  expect(c.pods().every((p) => (p.status as { phase?: string }).phase === "Running")).toBe(true);
  results.settledHour = {
    pods: c.pods().length,
    wakeups: stats.passes - 2,
    // Wake-ups the engine stopped at: each is an alarm of the Durable Object when time runs in real time.
    alarms: c.engine.stats.stops - before.stops,
    d1Statements: db.statements - before.statements,
    rowsWritten: c.store.stats.rowsWritten - before.rows,
    alarmArmed: c.engine.nextWakeup() !== undefined,
    note: "100 bare nginx pods, the third virtual hour after they were created",
  };
});

it("D1 rows written by one pod's whole life, bare and in a Deployment", async () => {
  // Bare: created, Running and Ready, deleted, gone, and its Events expired.
  {
    const { c, db } = await bootCluster(2);
    const done = meter(c, db);
    const p = await c.apply(pod(1));
    const ready = () => (c.get(p, "default", "pod-1")?.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions?.some((x) => x.type === "Ready" && x.status === "True");
    for (let s = 0; !ready(); s++) {
      if (s > 600) throw new Error("pod not Ready");
      await c.advance(1);
    }
    const toReady = done();
    await c.delete(p);
    for (let s = 0; c.get(p, "default", "pod-1"); s++) {
      if (s > 600) throw new Error("pod not gone");
      await c.advance(1);
    }
    await c.advance(7200);
    const all = done();
    results.podLifecycleRunning = { rowsWrittenToReady: toReady.rowsWritten, rowsWritten: all.rowsWritten, d1Statements: all.d1Statements, eventsLeft: c.store.count("/events") };
  }
  // In a Deployment: the marginal cost of a pod, from scaling 10 → 20 (all Ready) and back (all gone), Events expired.
  {
    const { c, db } = await bootCluster(2);
    await deployToReady(c, webDeployment(10));
    await c.advance(7200);
    const done = meter(c, db);
    const kind = { apiVersion: "apps/v1", kind: "Deployment" };
    const scale = async (replicas: number) => {
      await c.modify(kind, "default", "web", (d) => void ((d.spec as { replicas: number }).replicas = replicas));
      const settled = () => {
        const st = c.get(kind, "default", "web")!.status as { readyReplicas?: number; replicas?: number };
        return st.readyReplicas === replicas && st.replicas === replicas && c.pods().filter((p) => p.metadata.labels?.app === "web").length === replicas;
      };
      for (let s = 0; !settled(); s++) {
        if (s > 600) throw new Error(`not scaled to ${replicas}`);
        await c.advance(1);
      }
    };
    await scale(20);
    await scale(10);
    await c.advance(7200);
    const all = done();
    results.deploymentPodLifecycle = {
      pods: 10,
      rowsWrittenPerPod: +(all.rowsWritten / 10).toFixed(1),
      d1StatementsPerPod: +(all.d1Statements / 10).toFixed(1),
      note: "a Deployment (nginx, probes) scaled 10 → 20 until all Ready, then back to 10 until the pods are gone, then 2 virtual hours for their Events to expire; divided by 10",
    };
  }
});

it("scheduling throughput", async () => {
  // The scheduler alone, from the commit of the pending pods until every one is bound (CPU: process.cpuUsage).
  const rows: Record<string, number>[] = [];
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
    const c0 = cpuMs();
    await c.settle();
    const cpu = cpuMs() - c0;
    const ms = performance.now() - t0;
    const bound = c.pods().filter((p) => (p.spec as { nodeName?: string }).nodeName).length;
    expect(bound).toBe(pods);
    rows.push({ pods, nodes, podsPerCpuSecond: Math.round((pods / cpu) * 1000), podsPerWallSecond: Math.round((pods / ms) * 1000), cpuMs: +cpu.toFixed(0), wallMs: +ms.toFixed(0) });
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
  const t0 = cpuMs();
  await c.apply(d);
  let virtualSeconds = 0;
  const ready = () => ((c.get({ apiVersion: "apps/v1", kind: "Deployment" }, "default", "web")!.status as { readyReplicas?: number }).readyReplicas ?? 0) === 1000;
  while (!ready() && virtualSeconds < 600) {
    await c.advance(5);
    virtualSeconds += 5;
  }
  const cpuMsToReady = cpuMs() - t0;
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
    cpuMsToReady: +cpuMsToReady.toFixed(0),
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

/** What one measured stretch cost: CPU (whole process, and its main thread alone), wall time, D1 writes. */
function meter(c: TestCluster, db: CountingD1) {
  const start = { cpu: cpuMs(), main: mainThreadCpuMs(), wall: performance.now(), rows: c.store.stats.rowsWritten, statements: db.statements };
  return () => {
    const main = mainThreadCpuMs();
    return {
      cpuMs: cpuMs() - start.cpu,
      mainThreadCpuMs: main === undefined || start.main === undefined ? undefined : main - start.main,
      wallMs: performance.now() - start.wall,
      rowsWritten: c.store.stats.rowsWritten - start.rows,
      d1Statements: db.statements - start.statements,
    };
  };
}

type Measured = ReturnType<ReturnType<typeof meter>> & { virtualSeconds: number };

/** Medians over rounds (each figure on its own), with every round's CPU time. */
function summary(runs: Measured[]) {
  const m = (f: (r: Measured) => number | undefined) => {
    const xs = runs.map(f).filter((x): x is number => x !== undefined);
    return xs.length ? +median(xs).toFixed(1) : undefined;
  };
  return {
    rounds: runs.length,
    cpuMs: m((r) => r.cpuMs),
    mainThreadCpuMs: m((r) => r.mainThreadCpuMs),
    wallMs: m((r) => r.wallMs),
    virtualSeconds: m((r) => r.virtualSeconds),
    rowsWritten: m((r) => r.rowsWritten),
    d1Statements: m((r) => r.d1Statements),
    cpuMsRuns: runs.map((r) => +r.cpuMs.toFixed(1)),
  };
}

it("deployments of 100, 1,000 and 10,000 replicas to all Ready, and a rolling update of 1,000", async () => {
  // Every controller, the scheduler and the kubelets; enough worker nodes at 110 pods each, the
  // cluster's own pods running before anything is measured. A 1,000-replica round first, so the JIT
  // has compiled the engine before the measured ones: what it cost is kept apart, as the first large
  // deployment of a fresh process.
  forgetModels();
  const warm = await bootCluster(workersFor(1000));
  const warmDone = meter(warm.c, warm.db);
  const warmSeconds = await deployToReady(warm.c, webDeployment(1000));
  const warmRun = warmDone();
  results.firstDeployment1000 = { replicas: 1000, ...warmRun, cpuMs: +warmRun.cpuMs.toFixed(1), wallMs: +warmRun.wallMs.toFixed(1), virtualSeconds: warmSeconds, note: "the first 1,000-replica deployment of a fresh process (JIT and heap still growing), not in the medians" };
  const sizes: [number, number][] = [
    [100, 5],
    [1000, 5],
    ...(SMALL ? [] : ([[10000, 1]] as [number, number][])),
  ];
  const deployments: Record<string, unknown>[] = [];
  const rollouts: Measured[] = [];
  for (const [replicas, rounds] of sizes) {
    const runs: Measured[] = [];
    for (let r = 0; r < rounds; r++) {
      // Process models are kept per isolate (bounded); each round starts from none, as a fresh sandbox would.
      forgetModels();
      const { c, db } = await bootCluster(workersFor(replicas));
      const done = meter(c, db);
      const virtualSeconds = await deployToReady(c, webDeployment(replicas));
      runs.push({ ...done(), virtualSeconds });
      if (replicas === 1000) {
        const rolled = meter(c, db);
        const seconds = await rollTo(c, "nginx:1.26");
        rollouts.push({ ...rolled(), virtualSeconds: seconds });
      }
    }
    deployments.push({ replicas, workerNodes: workersFor(replicas), ...summary(runs) });
  }
  results.deployments = deployments;
  results.rollingUpdate1000 = { replicas: 1000, workerNodes: workersFor(1000), ...summary(rollouts) };
  results.deploymentsMethod =
    "nginx Deployment with readiness and liveness probes (httpGet, period 10 s); fresh sandbox per round (the control plane node and " +
    "ceil(replicas × 1.05 / 110) workers, at least 3, its own pods running after 120 virtual s), process models forgotten, after a " +
    "1,000-replica warm-up (firstDeployment1000); measured from the apply until status.readyReplicas = replicas, virtual time advanced 1 s at a time with every wake-up " +
    "on the way replayed; the rolling update (image nginx:1.25 → 1.26, on the same sandbox once Ready) until observedGeneration, replicas, updated, " +
    "ready and available all agree and every pod of it has the new image, none terminating; cpuMs = process.cpuUsage user+system (the whole " +
    "process: the engine's thread and V8's background threads — GC, compilation), mainThreadCpuMs = the main thread alone (/proc, 10 ms ticks); " +
    "rowsWritten = the store's D1 row writes (objects and the sandbox row), d1Statements = statements sent to the counting D1; medians over rounds";
}, 3_600_000);

const MiB = 1024 * 1024;
/** The memory limit of a Durable Object's isolate (128 MB, taken as MiB). */
const ISOLATE_LIMIT = 128 * MiB;
/** Left free for what requests hold while they run (a LIST's objects and its JSON) and for the GC's own room. */
const REQUEST_HEADROOM = 32 * MiB;

interface MemoryFigures {
  objects: number;
  pods: number;
  byResource: Record<string, number>;
  idleObjects: number;
  idleBytes: number;
  liveBytes: number;
  coldBytes: number;
  coldLoadPeakBytes: number;
  responseBytes: number;
  bodyBytes: number;
  podListBytes: number;
}

it("heap of a sandbox of 1,000, 10,000 and 50,000 objects against the 128 MiB isolate limit, and the largest that fits", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "kubeplay-bench-memory-"));
  try {
    const { build } = await import("esbuild");
    const root = path.resolve(import.meta.dirname, "..");
    // CommonJS dependencies (yaml) require Node built-ins, which an ESM bundle needs a require for.
    const banner = { js: 'import { createRequire as __memRequire } from "node:module"; const require = __memRequire(import.meta.url);' };
    const common = { bundle: true, platform: "node" as const, format: "esm" as const, target: "node20", logLevel: "error" as const, banner };
    const script = path.join(dir, "memory.mjs");
    await build({ ...common, entryPoints: [path.join(root, "bench", "engine-memory.ts")], outfile: script });
    // The whole Worker, as deployed, with the one workerd-only module stood in for.
    const worker = path.join(dir, "worker.mjs");
    await build({
      ...common,
      entryPoints: [path.join(root, "worker", "index.ts")],
      outfile: worker,
      plugins: [
        {
          name: "cloudflare-workers",
          setup(b) {
            b.onResolve({ filter: /^cloudflare:workers$/ }, () => ({ path: "cloudflare:workers", namespace: "stub" }));
            b.onLoad({ filter: /.*/, namespace: "stub" }, () => ({ contents: "export class DurableObject { constructor(ctx, env) { this.ctx = ctx; this.env = env; } }", loader: "js" }));
          },
        },
      ],
    });
    const { spawn } = await import("node:child_process");
    // Each measurement in a fresh process (asynchronously: the test worker must keep answering vitest).
    const run = <T>(task: object) =>
      new Promise<T>((resolve, reject) => {
        const child = spawn(process.execPath, ["--expose-gc", script], {
          env: { ...process.env, MEMORY_TASK: JSON.stringify(task) },
          stdio: ["ignore", "pipe", "inherit"],
        });
        let out = "";
        child.stdout.on("data", (d) => (out += d));
        child.on("error", reject);
        child.on("close", (code) => (code === 0 ? resolve(JSON.parse(out.trim().split("\n").pop()!) as T) : reject(new Error(`memory task ${JSON.stringify(task)} failed (exit ${code})`))));
      });

    // The Worker's code alone: imported into a bare process.
    const workerCode = await new Promise<{ workerCodeBytes: number }>((resolve, reject) => {
      const measure = `gc(); gc(); const a = process.memoryUsage().heapUsed; await import(${JSON.stringify(pathToFileURL(worker).href)}); gc(); gc(); console.log(JSON.stringify({ workerCodeBytes: process.memoryUsage().heapUsed - a }));`;
      const child = spawn(process.execPath, ["--expose-gc", "--input-type=module", "-e", measure], { stdio: ["ignore", "pipe", "inherit"] });
      let out = "";
      child.stdout.on("data", (d) => (out += d));
      child.on("error", reject);
      child.on("close", (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`worker code heap: exit ${code}`))));
    });
    const sizes = SMALL ? [1000, 10000] : [1000, 10000, 50000];
    const mib = (b: number) => +(b / MiB).toFixed(2);
    const need = (f: MemoryFigures) => Math.max(f.liveBytes, f.coldLoadPeakBytes);
    const row = (f: MemoryFigures) => ({
      objects: f.objects,
      pods: f.pods,
      idleSandboxMiB: mib(f.idleBytes),
      liveMiB: mib(f.liveBytes),
      coldMiB: mib(f.coldBytes),
      coldLoadPeakMiB: mib(f.coldLoadPeakBytes),
      liveBytesPerObject: Math.round(f.liveBytes / f.objects),
      coldBytesPerObject: Math.round(f.coldBytes / f.objects),
      jsonBytesPerObject: Math.round(f.bodyBytes / f.objects),
      isolateMiB: mib(workerCode.workerCodeBytes + need(f)),
      isolateShare: +((workerCode.workerCodeBytes + need(f)) / ISOLATE_LIMIT).toFixed(3),
      podListMiB: mib(f.podListBytes),
      byResource: f.byResource,
    });
    const budget = ISOLATE_LIMIT - workerCode.workerCodeBytes - REQUEST_HEADROOM;
    const fits = (f: MemoryFigures) => need(f) <= budget;

    const series = async (kind: "configMaps" | "pods") => {
      const measured: MemoryFigures[] = [];
      for (const objects of sizes) {
        const f = await run<MemoryFigures>({ kind, objects });
        console.error(`memory: ${kind} ${f.objects} objects: live ${mib(f.liveBytes)} MiB, cold-load peak ${mib(f.coldLoadPeakBytes)} MiB`);
        measured.push(f);
      }
      // Past the first few thousand objects the fixed parts (the idle sandbox, the watch history of 5,000
      // events, the bounded process-model cache) stop growing: extrapolate from the two largest sizes.
      const [a, b] = measured.slice(-2);
      const slope = (need(b) - need(a)) / (b.objects - a.objects);
      const extrapolated = Math.floor(b.objects + (budget - need(b)) / slope);
      let largest: Record<string, unknown> = { extrapolatedObjects: extrapolated, bytesPerObjectAtScale: Math.round(slope) };
      if (!SMALL) {
        // Verify by building it: 95% of the extrapolation (rounded down to a thousand), less again until it fits.
        let target = Math.floor((extrapolated * 0.95) / 1000) * 1000;
        for (let attempt = 0; attempt < 4; attempt++) {
          const f = await run<MemoryFigures>({ kind, objects: target });
          console.error(`memory: ${kind} ${f.objects} objects (largest fit?): live ${mib(f.liveBytes)} MiB, cold-load peak ${mib(f.coldLoadPeakBytes)} MiB`);
          largest = { ...largest, verified: fits(f), ...row(f), headroomMiB: mib(ISOLATE_LIMIT - workerCode.workerCodeBytes - need(f)) };
          if (fits(f)) break;
          target = Math.floor((target * 0.9) / 1000) * 1000;
        }
      }
      return { rows: measured.map(row), largestFit: largest };
    };
    const configMaps = await series("configMaps");
    const pods = await series("pods");
    results.memory = {
      isolateLimitMiB: ISOLATE_LIMIT / MiB,
      workerCodeMiB: mib(workerCode.workerCodeBytes),
      requestHeadroomMiB: REQUEST_HEADROOM / MiB,
      sandboxBudgetMiB: mib(budget),
      configMaps: configMaps.rows,
      pods: pods.rows,
      largestFit: { configMaps: configMaps.largestFit, pods: pods.largestFit },
      method:
        "each sandbox built in a fresh Node process (--expose-gc) after an unrecorded 10-replica warm-up, heap read as heapUsed after two forced GCs, " +
        "less the same process's heap before the sandbox was created. configMaps: the idle sandbox (control plane node, 2 workers, its own pods " +
        "running) plus ConfigMaps created as the API does (one data key, one label) up to the object count. pods: an nginx Deployment with " +
        "probes driven to all Ready by the whole engine — pods, ReplicaSet, their Events, kubelet runtime records — at about 7 objects a pod, " +
        "on ceil(replicas × 1.05 / 110) workers. liveMiB: the sandbox as built (objects, the store's watch history of 5,000 events, process models, " +
        "engine state); coldMiB: the same objects loaded by ObjectStore.load() into a fresh store; coldLoadPeakMiB: at the end of that load, D1's rows " +
        "and the parsed objects alive together (D1's answer text itself, about the JSON size, is held before the objects are parsed and not counted). " +
        "workerCodeMiB: heap of the Worker's bundle (worker/index.ts, esbuild) once imported into a bare process. A sandbox fits when " +
        "workerCodeMiB + max(liveMiB, coldLoadPeakMiB) + requestHeadroomMiB <= isolateLimitMiB; largestFit extrapolates from the two largest sizes " +
        "(the fixed parts stop growing) and is verified by building 95% of it (less by 10% until it fits). podListMiB: the JSON of a LIST of every pod, " +
        "the largest common request, for scale against the headroom. Node 20's V8 stands in for workerd's (versions differ; same object layout design)",
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 3_600_000);

it("writes results", () => {
  const out = process.env.BENCH_OUT;
  if (out) writeFileSync(out, JSON.stringify(results, null, 2));
  console.log(JSON.stringify(results, null, 2));
  expect(Object.keys(results).length).toBeGreaterThan(0);
});
