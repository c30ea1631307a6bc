// Shared by the simulation and memory benchmarks (engine.bench.ts, engine-memory.ts): a sandbox with
// the whole engine (controllers, scheduler, kubelets) and enough worker nodes, driven like a client
// that applies a Deployment and waits for it, with the virtual clock stepped as fast as the CPU allows.
import { readFileSync } from "node:fs";
import { TestCluster } from "../test/cluster-core";
import type { KubeObject } from "../worker/resources/types";
import { CountingD1 } from "./d1-shim";

/** CPU time of this process (user + system, every thread: the engine's own thread and V8's GC helpers). */
export function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/**
 * CPU time of the main thread alone (Linux, from /proc; 10 ms ticks), to tell the engine's work from
 * V8's background threads. Undefined elsewhere.
 */
export function mainThreadCpuMs(): number | undefined {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, "utf8");
    // Fields after the parenthesised command name: utime and stime are the 12th and 13th.
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return undefined;
  }
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Worker nodes for `replicas` at 110 pods a node, with room for the DaemonSet pods (as bench/peer.ts). */
export const workersFor = (replicas: number) => Math.max(3, Math.ceil((replicas * 1.05) / 110));

const DEPLOYMENT = { apiVersion: "apps/v1", kind: "Deployment" };

/** nginx behind a readiness and a liveness probe, as the kubelet benchmark of engine.bench.ts. */
export function webDeployment(replicas: number, image = "nginx:1.25", name = "web"): KubeObject {
  const probe = (path: string) => ({ httpGet: { path, port: 80 }, periodSeconds: 10 });
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: "default" },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: "web", image, readinessProbe: probe("/"), livenessProbe: probe("/index.html") }] },
      },
    },
  };
}

/** A sandbox with `workers` worker nodes and its own pods (static pods, kube-proxy, CoreDNS) running. */
export async function bootCluster(workers: number): Promise<{ c: TestCluster; db: CountingD1 }> {
  const db = new CountingD1();
  const nodes = [{ name: "k8s-master", controlPlane: true }, ...Array.from({ length: workers }, (_, i) => ({ name: `k8s-node${i + 1}` }))];
  const c = await TestCluster.create({ db: db as unknown as D1Database, nodes });
  await c.advance(120);
  return { c, db };
}

interface DeploymentStatus {
  observedGeneration?: number;
  replicas?: number;
  updatedReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
}

function status(c: TestCluster, name: string) {
  const d = c.get(DEPLOYMENT, "default", name);
  return { generation: d?.metadata.generation ?? 0, st: (d?.status ?? {}) as DeploymentStatus };
}

/** Steps virtual time a second at a time until `done`; returns the virtual seconds it took. */
async function stepUntil(c: TestCluster, done: () => boolean, what: string, limit = 3600): Promise<number> {
  let s = 0;
  while (!done()) {
    if (s >= limit) throw new Error(`${what}: not done after ${limit} virtual s`);
    // The engine replays every wake-up in the interval in order: the step only sets how often we look.
    await c.advance(1);
    s++;
  }
  return s;
}

/** Applies a Deployment and waits until status.readyReplicas reaches its replicas. */
export async function deployToReady(c: TestCluster, d: KubeObject): Promise<number> {
  const name = d.metadata.name!;
  const replicas = (d.spec as { replicas: number }).replicas;
  await c.apply(d);
  return stepUntil(c, () => (status(c, name).st.readyReplicas ?? 0) === replicas, `${replicas} replicas Ready`);
}

/**
 * Changes the image and waits until it is rolled out: the change observed, every replica updated,
 * ready and available, and the pod list agrees (each of its pods has the new image, none terminating).
 */
export async function rollTo(c: TestCluster, image: string, name = "web"): Promise<number> {
  await c.modify(DEPLOYMENT, "default", name, (d) => {
    (d.spec as { template: { spec: { containers: { image: string }[] } } }).template.spec.containers[0].image = image;
  });
  const replicas = (c.get(DEPLOYMENT, "default", name)!.spec as { replicas: number }).replicas;
  return stepUntil(
    c,
    () => {
      const { generation, st } = status(c, name);
      const complete =
        (st.observedGeneration ?? 0) >= generation && st.replicas === replicas && st.updatedReplicas === replicas && st.readyReplicas === replicas && st.availableReplicas === replicas;
      if (!complete) return false;
      const mine = c.pods().filter((p) => p.metadata.labels?.app === name);
      return mine.length === replicas && mine.every((p) => !p.metadata.deletionTimestamp && (p.spec as { containers: { image: string }[] }).containers[0].image === image);
    },
    `rolling update to ${image}`,
  );
}
