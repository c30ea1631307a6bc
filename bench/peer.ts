// A peer, side by side: the same workloads on kubeplay's engine and on @ngrok/webernetes (an
// open-source Kubernetes simulator in TypeScript), in the same run, same Node, same flags. For each:
// CPU time and heap to get a Deployment's replicas all Ready, then CPU time of its rolling update;
// medians over rounds, reported as ratios kubeplay / webernetes.
//
// Run by scripts/bench-peer.mjs, which bundles this file with esbuild (webernetes ships ESM with
// extensionless imports that Node does not resolve) and runs it with --expose-gc.
//
// Time: both simulators keep virtual clocks, and both are driven here with the clock stopped and
// stepped forward as fast as the CPU allows, so what is measured is work, never waiting. CPU time is
// process.cpuUsage() (user + system): other jobs share the machine and inflate wall time; wall time
// is recorded too.
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { BaseImage, Cluster, type ProcessContext } from "@ngrok/webernetes";
import { TestCluster } from "../test/cluster-core";
import type { KubeObject } from "../worker/resources/types";
import { forgetModels } from "../worker/kubelet/models";
import { CountingD1 } from "./d1-shim";

// One replica shows the fixed cost of a pass; 100 and 1,000 how each side scales.
const SIZES = (process.env.PEER_SIZES ?? "1,100,1000").split(",").map(Number);
const ROUNDS = Number(process.env.PEER_ROUNDS ?? 3);
// webernetes takes minutes of CPU for a rolling update of 1,000 pods: above 100 replicas, only the
// first PEER_LARGE_ROLLOUT_ROUNDS rounds include one.
const LARGE_ROLLOUT_ROUNDS = Number(process.env.PEER_LARGE_ROLLOUT_ROUNDS ?? 1);
const SIDES = (process.env.PEER_SIDES ?? "kubeplay,webernetes").split(",");
const IMAGE_V1 = "nginx:1.25";
const IMAGE_V2 = "nginx:1.26";

/** Worker nodes for `replicas`: 3 for 100; for 1,000, enough for kubeplay's 110-pod node limit. */
const workersFor = (replicas: number) => Math.max(3, Math.ceil((replicas * 1.05) / 110));

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("run with --expose-gc (scripts/bench-peer.mjs does)");

function heapAfterGc(): number {
  gc!();
  gc!();
  return process.memoryUsage().heapUsed;
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function deploymentManifest(replicas: number, image: string) {
  return {
    apiVersion: "apps/v1" as const,
    kind: "Deployment" as const,
    metadata: { name: "web", namespace: "default" },
    spec: {
      replicas,
      selector: { matchLabels: { app: "web" } },
      template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web", image }] } },
    },
  };
}

interface DeploymentStatus {
  observedGeneration?: number;
  replicas?: number;
  updatedReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
}

/**
 * What `kubectl rollout status` waits for: the spec observed, every replica updated and available.
 * webernetes keeps no metadata.generation nor status.observedGeneration, so right after a change its
 * status can still describe the previous rollout; the pod list settles that (see runTo).
 */
function rolledOut(generation: number | undefined, st: DeploymentStatus | undefined, replicas: number): boolean {
  return (
    !!st &&
    (st.observedGeneration ?? 0) >= (generation ?? 0) &&
    st.replicas === replicas &&
    st.updatedReplicas === replicas &&
    st.readyReplicas === replicas &&
    st.availableReplicas === replicas
  );
}

interface PodView {
  metadata?: { deletionTimestamp?: unknown; labels?: Record<string, string> };
  spec?: { nodeName?: string; containers?: { image?: string }[] };
  status?: { phase?: string; conditions?: { type?: string; status?: string }[] };
}

/** Counts the deployment's pods from the pod list itself, so the end state is checked, not assumed. */
function countPods(pods: PodView[], image: string) {
  const mine = pods.filter((p) => p.metadata?.labels?.app === "web");
  const live = mine.filter((p) => !p.metadata?.deletionTimestamp);
  const ready = live.filter(
    (p) =>
      p.status?.phase === "Running" &&
      !!p.spec?.nodeName &&
      p.spec?.containers?.[0]?.image === image &&
      p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"),
  );
  return { live: live.length, readyWithImage: ready.length, terminating: mine.length - live.length };
}

/** One simulator, driven the same way on both sides. */
interface Harness {
  /** Applies the deployment (create, or a change of image). */
  apply(replicas: number, image: string): Promise<void>;
  /** Moves virtual time forward by one step, running everything due; returns the virtual seconds moved. */
  step(): Promise<number>;
  rolledOut(replicas: number): Promise<boolean>;
  pods(): Promise<PodView[]>;
  close(): Promise<void>;
}

interface Side {
  name: string;
  boot(workers: number): Promise<Harness>;
}

const kubeplay: Side = {
  name: "kubeplay",
  async boot(workers) {
    const nodes = [{ name: "k8s-master", controlPlane: true }, ...Array.from({ length: workers }, (_, i) => ({ name: `k8s-node${i + 1}` }))];
    const c = await TestCluster.create({ db: new CountingD1() as unknown as D1Database, nodes });
    // The cluster's own pods (static pods, kube-proxy, CoreDNS) running before anything is timed.
    await c.advance(120);
    const kind = { apiVersion: "apps/v1", kind: "Deployment" };
    return {
      async apply(replicas, image) {
        if (!c.get(kind, "default", "web")) {
          await c.apply(deploymentManifest(replicas, image) as KubeObject);
          return;
        }
        await c.modify(kind, "default", "web", (d) => {
          const spec = d.spec as { replicas: number; template: { spec: { containers: { image: string }[] } } };
          spec.replicas = replicas;
          spec.template.spec.containers[0].image = image;
        });
      },
      async step() {
        // The engine replays every wake-up in the interval in order, so the step size changes only
        // how often the harness looks, not what the controllers and kubelets do.
        await c.advance(1);
        return 1;
      },
      async rolledOut(replicas) {
        const d = c.get(kind, "default", "web");
        return rolledOut(d?.metadata.generation, d?.status as DeploymentStatus | undefined, replicas);
      },
      async pods() {
        return c.pods() as PodView[];
      },
      async close() {},
    };
  },
};

/** An nginx stand-in for webernetes: a process serving HTTP on port 80 until it is killed. */
function nginxImage(version: string) {
  return class extends BaseImage {
    static readonly imageName = "nginx";
    static readonly imageVersion = version;
    readonly defaultCommand = ["nginx"];
    override async exec(ctx: ProcessContext, argv: readonly string[]): Promise<number> {
      if (argv[0] !== "nginx") return await super.exec(ctx, argv);
      ctx.listenHttp(80, async () => ({ status: 200, body: `nginx/${version}\n` }));
      return await ctx.waitUntilKilled();
    }
  };
}

const webernetes: Side = {
  name: "webernetes",
  async boot(workers) {
    const c = new Cluster({ nodes: workers });
    c.registerImage(nginxImage("1.25"));
    c.registerImage(nginxImage("1.26"));
    await c.init();
    // Its clock follows wall time unless paused; paused, timers fire only in step(), and watch
    // deliveries (queued on the clock) only when it is stepped. The controllers and kubelets are
    // async loops that continue on Node's microtask queue between steps.
    c.pause();
    const clock = c.clock as unknown as { step(ms: number): void; microtasks: unknown[] };
    const immediate = () => new Promise<void>((r) => setImmediate(r));
    /** Runs everything due now until nothing is left: clock microtasks, then the promise chains they wake. */
    const drain = async () => {
      for (let i = 0; i < 100_000; i++) {
        clock.step(0);
        await immediate();
        if (clock.microtasks.length === 0) return;
      }
      throw new Error("webernetes did not quiesce");
    };
    const advance = async (ms: number) => {
      clock.step(ms);
      await drain();
    };
    // Steps of 100 ms: within one step, timers fire back to back with no promise continuations in
    // between, so steps much longer than its loops' periods (PLEG relists every second) would skew it.
    const STEP_MS = 100;
    for (let t = 0; t < 5000; t += STEP_MS) await advance(STEP_MS); // control-plane pods up
    const read = () => c.api.appsv1.readNamespacedDeployment({ name: "web", namespace: "default" });
    return {
      async apply(replicas, image) {
        const done = c.apply([deploymentManifest(replicas, image)]);
        let settled = false;
        void done.finally(() => (settled = true)).catch(() => undefined);
        await drain();
        while (!settled) await advance(STEP_MS);
        await done;
      },
      async step() {
        await advance(STEP_MS);
        return STEP_MS / 1000;
      },
      async rolledOut(replicas) {
        const p = read();
        await drain();
        const d = await p;
        return rolledOut(d.metadata?.generation, d.status as DeploymentStatus | undefined, replicas);
      },
      async pods() {
        const p = c.api.corev1.listNamespacedPod({ namespace: "default" });
        await drain();
        return (await p).items as PodView[];
      },
      async close() {
        const done = c.close();
        let settled = false;
        void done.finally(() => (settled = true)).catch(() => undefined);
        for (let i = 0; i < 1000 && !settled; i++) await advance(STEP_MS);
        await done;
      },
    };
  },
};

interface Run {
  cpuMs: number;
  wallMs: number;
  virtualSeconds: number;
  pods: ReturnType<typeof countPods>;
}

/**
 * Applies, then steps until the rollout is complete: the deployment's status says so and the pod
 * list agrees — every live pod of it scheduled, Running, Ready, with `image`, and none of the old
 * ones left terminating. Listing pods is the harness's work, not the simulator's: its CPU time is
 * left out on both sides, and once the status is complete the list is read once per virtual second.
 */
async function runTo(h: Harness, replicas: number, image: string, side: string): Promise<Run> {
  const c0 = cpuMs();
  const w0 = performance.now();
  let listingCpu = 0;
  let listingWall = 0;
  const list = async () => {
    const c = cpuMs();
    const w = performance.now();
    const pods = countPods(await h.pods(), image);
    listingCpu += cpuMs() - c;
    listingWall += performance.now() - w;
    return pods;
  };
  await h.apply(replicas, image);
  let virtualSeconds = 0;
  let listedAt = -Infinity;
  for (;;) {
    if (virtualSeconds - listedAt >= 1 && (await h.rolledOut(replicas))) {
      listedAt = virtualSeconds;
      const pods = await list();
      if (pods.readyWithImage === replicas && pods.live === replicas && pods.terminating === 0) {
        return { cpuMs: cpuMs() - c0 - listingCpu, wallMs: performance.now() - w0 - listingWall, virtualSeconds: +virtualSeconds.toFixed(1), pods };
      }
    }
    if (virtualSeconds > 1800) throw new Error(`${side}: ${replicas} replicas of ${image} not rolled out after 1800 virtual s: ${JSON.stringify(await list())}`);
    virtualSeconds += await h.step();
  }
}

interface Round {
  deploy: Run & { heapBytes: number; idleClusterHeapBytes: number };
  rollout?: Run;
}

async function round(side: Side, replicas: number, withRollout: boolean): Promise<Round> {
  const base = heapAfterGc();
  const h = await side.boot(workersFor(replicas));
  const idle = heapAfterGc();
  const deploy = await runTo(h, replicas, IMAGE_V1, side.name);
  const ready = heapAfterGc();
  const rollout = withRollout ? await runTo(h, replicas, IMAGE_V2, side.name) : undefined;
  await h.close();
  return { deploy: { ...deploy, heapBytes: ready - base, idleClusterHeapBytes: idle - base }, rollout };
}

interface Task {
  side: string;
  replicas: number;
  rollout: boolean;
}

/** One measured round in this process, after an unrecorded warm-up that gets the JIT going. */
async function child(task: Task) {
  const side = [kubeplay, webernetes].find((s) => s.name === task.side)!;
  await round(side, 10, true);
  // kubeplay keeps process models per isolate (bounded, as a Durable Object does); start from none.
  forgetModels();
  const res = await round(side, task.replicas, task.rollout);
  process.stdout.write(JSON.stringify(res));
}

const MiB = 1024 * 1024;
const r1 = (n: number) => +n.toFixed(1);

function summarize(runs: Run[]) {
  return {
    cpuMs: r1(median(runs.map((r) => r.cpuMs))),
    wallMs: r1(median(runs.map((r) => r.wallMs))),
    virtualSeconds: median(runs.map((r) => r.virtualSeconds)),
    cpuMsRuns: runs.map((r) => r1(r.cpuMs)),
  };
}

/**
 * Each round runs in a fresh process (this file again, same flags): both simulators keep state at
 * module level (kubeplay its process models and last pod index per namespace, webernetes its own),
 * which would otherwise sit in the next round's heap baseline and be freed during it.
 */
function spawnRound(task: Task): Round {
  const r = spawnSync(process.execPath, [...process.execArgv, process.argv[1]], {
    env: { ...process.env, PEER_TASK: JSON.stringify(task) },
    stdio: ["ignore", "pipe", "inherit"],
    encoding: "utf8",
    maxBuffer: 16 * MiB,
  });
  if (r.status !== 0) throw new Error(`peer round ${JSON.stringify(task)} failed (exit ${r.status ?? r.signal})`);
  return JSON.parse(r.stdout) as Round;
}

function main() {
  const sides = [kubeplay, webernetes].filter((s) => SIDES.includes(s.name)).map((s) => s.name);
  const workloads: Record<string, unknown>[] = [];
  for (const replicas of SIZES) {
    const rolloutRounds = replicas <= 100 ? ROUNDS : Math.min(ROUNDS, LARGE_ROLLOUT_ROUNDS);
    const withRollout = rolloutRounds > 0;
    const rounds: Record<string, Round[]> = Object.fromEntries(sides.map((s) => [s, []]));
    for (let r = 0; r < ROUNDS; r++) {
      // Alternate which side goes first: the machine's other load drifts.
      for (const side of r % 2 ? [...sides].reverse() : sides) {
        const res = spawnRound({ side, replicas, rollout: r < rolloutRounds });
        rounds[side].push(res);
        const ro = res.rollout ? `, rolling update ${r1(res.rollout.cpuMs)} ms CPU` : "";
        console.error(`peer: ${side} ${replicas} replicas, round ${r + 1}: Ready in ${r1(res.deploy.cpuMs)} ms CPU, heap ${r1(res.deploy.heapBytes / MiB)} MiB${ro}`);
      }
    }
    const nodes = workersFor(replicas);
    const deploy: Record<string, unknown> = { workload: `${replicas}-replica deployment to all Ready`, replicas, workerNodes: nodes, rounds: ROUNDS };
    const rollout: Record<string, unknown> = { workload: `rolling update of ${replicas} replica${replicas === 1 ? "" : "s"}`, replicas, workerNodes: nodes, rounds: rolloutRounds };
    for (const side of sides) {
      const rs = rounds[side];
      deploy[side] = {
        ...summarize(rs.map((x) => x.deploy)),
        heapMiB: r1(median(rs.map((x) => x.deploy.heapBytes)) / MiB),
        idleClusterHeapMiB: r1(median(rs.map((x) => x.deploy.idleClusterHeapBytes)) / MiB),
        deploymentHeapMiB: r1(median(rs.map((x) => x.deploy.heapBytes - x.deploy.idleClusterHeapBytes)) / MiB),
        pods: rs[0].deploy.pods,
      };
      if (withRollout) rollout[side] = { ...summarize(rs.flatMap((x) => (x.rollout ? [x.rollout] : []))), pods: rs[0].rollout!.pods };
    }
    type Fig = { cpuMs: number; heapMiB: number; deploymentHeapMiB: number };
    const ratio = (a: number, b: number) => +(a / b).toFixed(3);
    const k = deploy.kubeplay as Fig | undefined;
    const w = deploy.webernetes as Fig | undefined;
    if (k && w) deploy.ratio = { cpu: ratio(k.cpuMs, w.cpuMs), heap: ratio(k.heapMiB, w.heapMiB), deploymentHeap: ratio(k.deploymentHeapMiB, w.deploymentHeapMiB) };
    workloads.push(deploy);
    if (withRollout) {
      const kr = rollout.kubeplay as Fig | undefined;
      const wr = rollout.webernetes as Fig | undefined;
      if (kr && wr) rollout.ratio = { cpu: ratio(kr.cpuMs, wr.cpuMs) };
      workloads.push(rollout);
    }
  }

  const result = {
    peer: "@ngrok/webernetes",
    version: process.env.PEER_VERSION ?? null,
    method:
      "each round in a fresh Node process (--expose-gc) after an unrecorded 10-replica warm-up; both clocks stopped and stepped as fast as the CPU allows " +
      "(kubeplay 1 s, webernetes 100 ms steps); cpuMs = process.cpuUsage user+system from apply until the deployment status is complete " +
      "(observed, replicas = updated = ready = available) and the pod list agrees (every live pod scheduled, Running, Ready, new image; none terminating), " +
      "the harness's own pod listing excluded; heapMiB = heapUsed after GC with the deployment Ready minus before the cluster was created " +
      "(idleClusterHeapMiB: the booted cluster alone; deploymentHeapMiB: the difference); kubeplay runs its whole engine " +
      "(controllers, scheduler, kubelets) with D1 replaced by a counting stand-in; medians over rounds",
    workloads,
  };
  if (process.env.PEER_OUT) writeFileSync(process.env.PEER_OUT, JSON.stringify(result, null, 2));
  else console.log(JSON.stringify(result, null, 2));
}

if (process.env.PEER_TASK) await child(JSON.parse(process.env.PEER_TASK) as Task);
else main();
