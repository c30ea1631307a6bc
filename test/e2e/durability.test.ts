// Killing the server at any moment loses nothing acknowledged: every write kubectl saw succeed is
// there after a restart, and resourceVersions keep growing. The long test drives a seeded random
// kubectl workload and SIGKILLs the server at seeded random points (some with a request in flight);
// after each restart it checks every acknowledged write, the resourceVersions, the controllers'
// results after virtual time passes (no more pods than asked for), and watches that ran across the kill.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
// @ts-expect-error plain ESM helper shared with `npm start`
import { startServer } from "../../scripts/dev-server.mjs";
import { kubectlBinary } from "./harness";
import { freePort } from "./ports";

const persistTo = mkdtempSync(path.join(tmpdir(), "kubeplay-durable-"));
afterAll(() => rmSync(persistTo, { recursive: true, force: true }));

describe("durability across a killed server", () => {
  it("keeps every acknowledged write", async () => {
    const port = await freePort();
    let server = await startServer({ port, persistTo });
    const sb = await (await fetch(`${server.url}/api/sandboxes`, { method: "POST" })).json();
    const acknowledged: Record<string, string> = {};
    for (let i = 0; i < 20; i++) {
      const res = await fetch(`${sb.url}/api/v1/namespaces/default/configmaps`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ metadata: { name: `cm-${i}` }, data: { i: String(i) } }),
      });
      expect(res.status).toBe(201);
      acknowledged[`cm-${i}`] = (await res.json()).metadata.resourceVersion;
    }
    // No graceful shutdown: the process group is killed outright.
    process.kill(-server.child.pid, "SIGKILL");
    await new Promise((r) => server.child.once("exit", r));
    server = await startServer({ port, persistTo });
    try {
      const list = await (await fetch(`${sb.url}/api/v1/namespaces/default/configmaps`)).json();
      const got = Object.fromEntries(list.items.filter((c: any) => c.metadata.name.startsWith("cm-")).map((c: any) => [c.metadata.name, c.metadata.resourceVersion]));
      expect(got).toEqual(acknowledged);
      const next = await fetch(`${sb.url}/api/v1/namespaces/default/configmaps`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ metadata: { name: "after" } }),
      });
      const maxBefore = Math.max(...Object.values(acknowledged).map(Number));
      expect(Number((await next.json()).metadata.resourceVersion)).toBeGreaterThan(maxBefore);
    } finally {
      await server.stop();
    }
  });

  it("keeps every acknowledged write through SIGKILLs at random points of a long kubectl workload", async () => {
    const chaos = new Chaos(Number(process.env.KUBEPLAY_CHAOS_SEED ?? 20260501));
    try {
      await chaos.run();
    } finally {
      await chaos.close();
      console.log(`DURABILITY SUMMARY ${JSON.stringify(chaos.summary)}`);
    }
  }, 240_000);
});

// ---------------------------------------------------------------------------------------------------

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function mulberry32(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One `wrangler dev` on a fixed port and persist dir, started again after every kill. */
class Server {
  private current?: { url: string; child: { pid: number; once(e: string, f: () => void): void }; stop(): Promise<void> };
  constructor(
    readonly port: number,
    readonly persistTo: string,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    // wrangler picks its inspector port as it starts; another server starting at that moment can take
    // it first, which fails the start. That is the machine, not the sandbox: start again.
    for (let attempt = 1; ; attempt++) {
      try {
        this.current = await startServer({ port: this.port, persistTo: this.persistTo });
        return;
      } catch (e) {
        if (attempt >= 4 || !/Address already in use/.test(String(e))) throw e;
        await sleep(500);
      }
    }
  }

  /** No graceful shutdown: the whole process group at once. */
  async kill(): Promise<void> {
    const c = this.current;
    if (!c) return;
    this.current = undefined;
    const exited = new Promise<void>((r) => c.child.once("exit", () => r()));
    process.kill(-c.child.pid, "SIGKILL");
    await exited;
  }

  async stop(): Promise<void> {
    await this.current?.stop();
    this.current = undefined;
  }
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** What an object should look like: absent, or present and passing `check` (which says what is wrong). */
type State = { present: false } | { present: true; check: (o: any) => string | undefined; rv?: string };

interface Tracked {
  path: string;
  /** The states it may be in: one after an acknowledged write, two while a write's outcome is unknown. */
  states: State[];
}

/** A step of the workload: a kubectl command, or a clock advance, and what it makes of the model. */
interface Step {
  label: string;
  args?: string[];
  input?: string;
  clock?: number;
  /** The objects it writes and their state once it succeeded. */
  effects: { key: string; path: string; state: State }[];
  /** Notes what the workload's later steps build on, once the step is acknowledged. */
  onAck?: () => void;
}

const NS = "/api/v1/namespaces/default";
const APPS = "/apis/apps/v1/namespaces/default";
const BATCH = "/apis/batch/v1/namespaces/default";
const IMAGES = ["nginx:1.25", "nginx:1.26", "nginx:1.27"];

const dataIs = (want: Record<string, string>) => (o: any) =>
  JSON.stringify(o.data ?? {}) === JSON.stringify(want) ? undefined : `data ${JSON.stringify(o.data)} != ${JSON.stringify(want)}`;
const deployIs = (replicas: number, image: string) => (o: any) =>
  o.spec.replicas === replicas && o.spec.template.spec.containers[0].image === image
    ? undefined
    : `replicas ${o.spec.replicas} image ${o.spec.template.spec.containers[0].image} != ${replicas} ${image}`;
const replicasIs = (replicas: number) => (o: any) => (o.spec.replicas === replicas ? undefined : `replicas ${o.spec.replicas} != ${replicas}`);
const exists = () => undefined;

/** A reflector over raw HTTP: list, watch from the list's version, re-watch after a drop, relist on 410. */
class Reflector {
  readonly cache = new Map<string, string>();
  lastRv = "0";
  readonly stats = { lists: 0, resumed: 0, expired: 0, events: 0, outOfOrder: 0 };
  private stopped = false;
  private abort?: AbortController;
  private done?: Promise<void>;

  constructor(
    private readonly base: () => string,
    private readonly path: string,
    private readonly seen: (rv: string) => void,
  ) {}

  start(): void {
    this.done = this.loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort?.abort();
    await this.done;
  }

  private async loop(): Promise<void> {
    let listed = false;
    let dropped = false;
    while (!this.stopped) {
      try {
        if (!listed) {
          await this.list();
          listed = true;
          dropped = false;
        }
        const outcome = await this.watch(dropped);
        if (outcome === "expired") {
          this.stats.expired++;
          listed = false;
        } else dropped = true;
      } catch {
        // The server is down: try again shortly.
        dropped = true;
        if (!this.stopped) await sleep(200);
      }
    }
  }

  private async list(): Promise<void> {
    const res = await fetch(`${this.base()}${this.path}`);
    if (res.status !== 200) throw new Error(`list: ${res.status}`);
    const body = (await res.json()) as any;
    this.cache.clear();
    for (const o of body.items) this.cache.set(o.metadata.name, o.metadata.resourceVersion);
    this.lastRv = body.metadata.resourceVersion;
    this.seen(this.lastRv);
    this.stats.lists++;
  }

  private async watch(afterDrop: boolean): Promise<"expired" | "ended"> {
    this.abort = new AbortController();
    const res = await fetch(`${this.base()}${this.path}?watch=1&allowWatchBookmarks=true&resourceVersion=${this.lastRv}`, { signal: this.abort.signal });
    if (res.status === 410) {
      const status = (await res.json()) as { kind?: string; reason?: string };
      if (status.kind !== "Status" || status.reason !== "Expired") throw new Error(`410 without an Expired Status: ${JSON.stringify(status)}`);
      return "expired";
    }
    if (res.status !== 200) throw new Error(`watch: ${res.status}`);
    if (afterDrop) this.stats.resumed++;
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let buf = "";
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return "ended";
      buf += decoder.decode(value, { stream: true });
      for (let nl = buf.indexOf("\n"); nl >= 0; nl = buf.indexOf("\n")) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (!line) continue;
        const e = JSON.parse(line) as { type: string; object: any };
        if (e.type === "ERROR") {
          if (e.object?.code === 410) return "expired";
          throw new Error(`watch error ${JSON.stringify(e.object)}`);
        }
        const rv = e.object.metadata.resourceVersion as string;
        if (Number(rv) <= Number(this.lastRv)) this.stats.outOfOrder++;
        this.lastRv = rv;
        this.seen(rv);
        if (e.type === "BOOKMARK") continue;
        this.stats.events++;
        if (e.type === "DELETED") this.cache.delete(e.object.metadata.name);
        else this.cache.set(e.object.metadata.name, rv);
      }
    }
  }
}

class Chaos {
  private readonly rand: () => number;
  private readonly dir = mkdtempSync(path.join(tmpdir(), "kubeplay-chaos-"));
  private server!: Server;
  private sandbox!: { id: string; url: string };
  private kubeconfig = "";
  private readonly model = new Map<string, Tracked>();
  private maxRv = 0;
  private counter = 0;
  private reflector?: Reflector;
  readonly summary = {
    seed: 0,
    steps: 0,
    kills: 0,
    killsWithRequestInFlight: 0,
    killsRightAfterAWrite: 0,
    inFlightAcknowledged: 0,
    inFlightLost: 0,
    acknowledgedWrites: 0,
    objectsChecked: 0,
    lost: 0,
    resourceVersionRegressions: 0,
    settleChecks: 0,
    podsChecked: 0,
    excessPods: 0,
    kubectlWatchesAcrossKills: { exited: 0, continued: 0 },
    reflector: {} as Reflector["stats"],
    unexpected5xx: 0,
    seconds: 0,
    restartSeconds: 0,
    settleSeconds: 0,
  };

  constructor(readonly seed: number) {
    this.rand = mulberry32(seed);
    this.summary.seed = seed;
  }

  private pick<T>(xs: T[]): T {
    return xs[Math.floor(this.rand() * xs.length)];
  }

  private seen(rv: string | undefined): void {
    const n = Number(rv);
    if (Number.isFinite(n) && n > this.maxRv) this.maxRv = n;
  }

  async run(): Promise<void> {
    const began = Date.now();
    this.server = new Server(await freePort(), path.join(this.dir, "persist"));
    await this.server.start();
    const created = (await (await fetch(`${this.server.url}/api/sandboxes`, { method: "POST" })).json()) as { id: string; url: string; kubeconfigUrl: string };
    this.sandbox = created;
    this.kubeconfig = path.join(this.dir, "kubeconfig");
    writeFileSync(this.kubeconfig, await (await fetch(created.kubeconfigUrl)).text());

    this.reflector = new Reflector(() => this.sandbox.url, `${NS}/configmaps`, (rv) => this.seen(rv));
    this.reflector.start();

    const STEPS = 56;
    const KILLS = 6;
    // Kill points spread over the run, at least four steps apart.
    const killAt = new Map<number, "in-flight" | "after-write">();
    const slot = Math.floor(STEPS / KILLS);
    for (let k = 0; k < KILLS; k++) {
      killAt.set(k * slot + 3 + Math.floor(this.rand() * (slot - 4)), k % 2 === 0 ? "in-flight" : "after-write");
    }

    for (let i = 0; i < STEPS; i++) {
      const step = this.nextStep();
      this.summary.steps++;
      const mode = killAt.get(i);
      if (!mode) {
        const r = await this.perform(step);
        if (r.code !== 0) throw new Error(`${step.label} failed with the server up:\n${r.stdout}\n${r.stderr}`);
        this.acknowledge(step, r);
        continue;
      }
      // A kubectl watch runs across every other kill.
      const watcher = this.summary.kills % 2 === 0 ? this.kubectlWatch() : undefined;
      if (watcher) await watcher.listed;
      if (mode === "in-flight") {
        const running = this.perform(step);
        await sleep(Math.floor(this.rand() * 400));
        await this.kill();
        const r = await running;
        if (r.code === 0) {
          this.summary.inFlightAcknowledged++;
          this.acknowledge(step, r);
        } else {
          this.summary.inFlightLost++;
          this.unknown(step);
        }
        this.summary.killsWithRequestInFlight++;
      } else {
        const r = await this.perform(step);
        if (r.code !== 0) throw new Error(`${step.label} failed with the server up:\n${r.stdout}\n${r.stderr}`);
        this.acknowledge(step, r);
        // The controllers react right after the answer: the kill lands in the middle of their passes.
        await sleep(Math.floor(this.rand() * 60));
        await this.kill();
        this.summary.killsRightAfterAWrite++;
      }
      if (watcher) await this.checkKubectlWatch(watcher);
      await this.verify();
      await this.settleAndCheck();
    }
    await this.verify();
    await this.settleAndCheck();
    await this.checkReflector();
    this.summary.seconds = Math.round((Date.now() - began) / 1000);
    expect(this.summary.lost).toBe(0);
    expect(this.summary.resourceVersionRegressions).toBe(0);
    expect(this.summary.excessPods).toBe(0);
    expect(this.summary.unexpected5xx).toBe(0);
  }

  async close(): Promise<void> {
    await this.reflector?.stop();
    await this.server?.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Kills the server outright and starts it again on the same port and persisted state. */
  private async kill(): Promise<void> {
    const t0 = Date.now();
    await this.server.kill();
    this.summary.kills++;
    await this.server.start();
    this.summary.restartSeconds = Math.round(this.summary.restartSeconds + (Date.now() - t0) / 1000);
  }

  // -------------------------------------------------------------------------------------------------
  // The workload.

  private present(prefix: string): string[] {
    return [...this.model.entries()]
      .filter(([k, t]) => k.startsWith(prefix) && t.states.length === 1 && t.states[0].present)
      .map(([k]) => k.slice(prefix.length));
  }

  /** Deployments: name → [replicas, image, container], as last acknowledged. */
  private readonly deploys = new Map<string, { replicas: number; image: string; container: string }>();
  private readonly statefulSets = new Map<string, number>();
  private readonly configData = new Map<string, Record<string, string>>();

  private nextStep(): Step {
    const n = ++this.counter;
    const cms = this.present("cm/");
    const deps = this.present("deploy/").filter((d) => this.deploys.has(d));
    const sts = this.present("sts/").filter((s) => this.statefulSets.has(s));
    const jobs = this.present("job/");
    const options: [number, () => Step | undefined][] = [
      [4, () => this.createConfigMap(n)],
      [cms.length ? 3 : 0, () => this.patchConfigMap(this.pick(cms))],
      [cms.length > 2 ? 2 : 0, () => this.deleteConfigMap(this.pick(cms))],
      [deps.length < 5 ? 3 : 0, () => this.createDeployment(n)],
      [deps.length < 5 ? 1 : 0, () => this.applyBundle(n)],
      [deps.length ? 3 : 0, () => this.scaleDeployment(this.pick(deps))],
      [deps.length ? 2 : 0, () => this.setImage(this.pick(deps))],
      [deps.length ? 1 : 0, () => this.expose(this.pick(deps))],
      [deps.length > 2 ? 1 : 0, () => this.deleteDeployment(this.pick(deps))],
      [jobs.length < 4 ? 2 : 0, () => this.createJob(n)],
      [jobs.length > 1 ? 1 : 0, () => this.deleteJob(this.pick(jobs))],
      [sts.length < 2 ? 1 : 0, () => this.applyStatefulSet(n)],
      [sts.length ? 1 : 0, () => this.scaleStatefulSet(this.pick(sts))],
      [2, () => ({ label: "clock advance", clock: 5 + Math.floor(this.rand() * 30), effects: [] })],
    ];
    for (;;) {
      const total = options.reduce((a, [w]) => a + w, 0);
      let x = this.rand() * total;
      for (const [w, make] of options) {
        if ((x -= w) < 0) {
          const step = make();
          if (step) return step;
          break;
        }
      }
    }
  }

  private createConfigMap(n: number): Step {
    const name = `cm-${n}`;
    const v = `v${Math.floor(this.rand() * 1e6)}`;
    this.configData.set(name, { v });
    return { label: `create configmap ${name}`, args: ["create", "configmap", name, `--from-literal=v=${v}`, "-o", "json"], effects: [{ key: `cm/${name}`, path: `${NS}/configmaps/${name}`, state: { present: true, check: dataIs({ v }) } }] };
  }

  private patchConfigMap(name: string): Step {
    const data = { ...(this.configData.get(name) ?? {}), [`k${Math.floor(this.rand() * 4)}`]: `p${Math.floor(this.rand() * 1e6)}` };
    return {
      label: `patch configmap ${name}`,
      args: ["patch", "configmap", name, "--type=merge", "-p", JSON.stringify({ data }), "-o", "json"],
      effects: [{ key: `cm/${name}`, path: `${NS}/configmaps/${name}`, state: { present: true, check: dataIs(data) } }],
      onAck: () => this.configData.set(name, data),
    };
  }

  private deleteConfigMap(name: string): Step {
    return { label: `delete configmap ${name}`, args: ["delete", "configmap", name], effects: [{ key: `cm/${name}`, path: `${NS}/configmaps/${name}`, state: { present: false } }] };
  }

  private createDeployment(n: number): Step {
    const name = `web-${n}`;
    const replicas = 1 + Math.floor(this.rand() * 3);
    const image = this.pick(IMAGES);
    return {
      label: `create deployment ${name}`,
      args: ["create", "deployment", name, `--image=${image}`, `--replicas=${replicas}`, "-o", "json"],
      effects: [{ key: `deploy/${name}`, path: `${APPS}/deployments/${name}`, state: { present: true, check: deployIs(replicas, image) } }],
      onAck: () => this.deploys.set(name, { replicas, image, container: "nginx" }),
    };
  }

  /** A ConfigMap and a Deployment in one `kubectl apply`. */
  private applyBundle(n: number): Step {
    const name = `app-${n}`;
    const replicas = 1 + Math.floor(this.rand() * 3);
    const image = this.pick(IMAGES);
    const v = `b${n}`;
    const yaml = `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}
data:
  v: ${v}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  replicas: ${replicas}
  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels: {app: ${name}}
    spec:
      containers:
      - name: app
        image: ${image}
`;
    return {
      label: `apply ${name}`,
      args: ["apply", "-f", "-"],
      input: yaml,
      effects: [
        { key: `cm/${name}`, path: `${NS}/configmaps/${name}`, state: { present: true, check: dataIs({ v }) } },
        { key: `deploy/${name}`, path: `${APPS}/deployments/${name}`, state: { present: true, check: deployIs(replicas, image) } },
      ],
      onAck: () => {
        this.deploys.set(name, { replicas, image, container: "app" });
        this.configData.set(name, { v });
      },
    };
  }

  private scaleDeployment(name: string): Step {
    const d = this.deploys.get(name)!;
    const replicas = Math.floor(this.rand() * 5);
    return {
      label: `scale deployment ${name} ${replicas}`,
      args: ["scale", `deployment/${name}`, `--replicas=${replicas}`],
      effects: [{ key: `deploy/${name}`, path: `${APPS}/deployments/${name}`, state: { present: true, check: deployIs(replicas, d.image) } }],
      onAck: () => this.deploys.set(name, { ...d, replicas }),
    };
  }

  private setImage(name: string): Step {
    const d = this.deploys.get(name)!;
    const image = this.pick(IMAGES.filter((i) => i !== d.image));
    return {
      label: `set image ${name} ${image}`,
      args: ["set", "image", `deployment/${name}`, `${d.container}=${image}`, "-o", "json"],
      effects: [{ key: `deploy/${name}`, path: `${APPS}/deployments/${name}`, state: { present: true, check: deployIs(d.replicas, image) } }],
      onAck: () => this.deploys.set(name, { ...d, image }),
    };
  }

  private expose(name: string): Step | undefined {
    if (this.model.has(`svc/${name}`)) return undefined;
    return {
      label: `expose ${name}`,
      args: ["expose", `deployment/${name}`, "--port=80", "-o", "json"],
      effects: [{ key: `svc/${name}`, path: `${NS}/services/${name}`, state: { present: true, check: (o: any) => (o.spec.ports[0].port === 80 ? undefined : "port") } }],
    };
  }

  private deleteDeployment(name: string): Step {
    return {
      label: `delete deployment ${name}`,
      args: ["delete", "deployment", name],
      effects: [{ key: `deploy/${name}`, path: `${APPS}/deployments/${name}`, state: { present: false } }],
      onAck: () => this.deploys.delete(name),
    };
  }

  private createJob(n: number): Step {
    const name = `job-${n}`;
    return { label: `create job ${name}`, args: ["create", "job", name, "--image=busybox", "-o", "json", "--", "echo", "done"], effects: [{ key: `job/${name}`, path: `${BATCH}/jobs/${name}`, state: { present: true, check: exists } }] };
  }

  private deleteJob(name: string): Step {
    return { label: `delete job ${name}`, args: ["delete", "job", name], effects: [{ key: `job/${name}`, path: `${BATCH}/jobs/${name}`, state: { present: false } }] };
  }

  private applyStatefulSet(n: number): Step {
    const name = `db-${n}`;
    const replicas = 1 + Math.floor(this.rand() * 3);
    const yaml = `apiVersion: v1
kind: Service
metadata:
  name: ${name}
spec:
  clusterIP: None
  selector: {app: ${name}}
  ports: [{port: 80}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: ${name}
spec:
  serviceName: ${name}
  replicas: ${replicas}
  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels: {app: ${name}}
    spec:
      containers:
      - name: db
        image: nginx:1.25
`;
    return {
      label: `apply statefulset ${name}`,
      args: ["apply", "-f", "-"],
      input: yaml,
      effects: [
        { key: `svc/${name}`, path: `${NS}/services/${name}`, state: { present: true, check: exists } },
        { key: `sts/${name}`, path: `${APPS}/statefulsets/${name}`, state: { present: true, check: replicasIs(replicas) } },
      ],
      onAck: () => this.statefulSets.set(name, replicas),
    };
  }

  private scaleStatefulSet(name: string): Step {
    const replicas = Math.floor(this.rand() * 4);
    return {
      label: `scale statefulset ${name} ${replicas}`,
      args: ["scale", `statefulset/${name}`, `--replicas=${replicas}`],
      effects: [{ key: `sts/${name}`, path: `${APPS}/statefulsets/${name}`, state: { present: true, check: replicasIs(replicas) } }],
      onAck: () => this.statefulSets.set(name, replicas),
    };
  }

  // -------------------------------------------------------------------------------------------------
  // Running steps and keeping the model.

  private async perform(step: Step): Promise<Run> {
    if (step.clock !== undefined) {
      try {
        const res = await fetch(`${this.server.url}/api/sandboxes/${this.sandbox.id}/clock`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ advanceSeconds: step.clock }),
        });
        const text = await res.text();
        if (res.status >= 500) this.summary.unexpected5xx++;
        return { code: res.status === 200 ? 0 : 1, stdout: text, stderr: "" };
      } catch (e) {
        return { code: 1, stdout: "", stderr: String(e) };
      }
    }
    const r = await this.kubectl(step.args!, step.input);
    if (/Error from server \((InternalError|ServiceUnavailable)\)|\b50[0-9]\b.*Internal Server Error/.test(r.stderr)) this.summary.unexpected5xx++;
    return r;
  }

  private kubectl(args: string[], input?: string): Promise<Run> {
    return new Promise((resolve) => {
      const child = spawn(kubectlBinary("1.32"), args, {
        cwd: this.dir,
        env: { PATH: process.env.PATH ?? "", HOME: this.dir, KUBECONFIG: this.kubeconfig, KUBECACHEDIR: path.join(this.dir, "cache") },
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d) => (stdout += d));
      child.stderr.on("data", (d) => (stderr += d));
      // A request to a dead server is refused at once; one on a dropped connection may be retried.
      const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
      child.on("close", (code) => {
        clearTimeout(timer);
        resolve({ code: code ?? -1, stdout, stderr });
      });
      child.stdin.end(input ?? "");
    });
  }

  private acknowledge(step: Step, r: Run): void {
    this.summary.acknowledgedWrites += step.effects.length;
    let rv: string | undefined;
    if (step.args?.includes("json")) {
      try {
        rv = JSON.parse(r.stdout).metadata?.resourceVersion;
      } catch {
        // not every command prints the object
      }
    }
    this.seen(rv);
    for (const e of step.effects) {
      const state: State = e.state.present && rv && step.effects.length === 1 && e.key.startsWith("cm/") ? { ...e.state, rv } : e.state;
      this.model.set(e.key, { path: e.path, states: [state] });
    }
    step.onAck?.();
  }

  /** A step whose kubectl failed because the server died: each object is as before, or as the step left it. */
  private unknown(step: Step): void {
    for (const e of step.effects) {
      const before = this.model.get(e.key)?.states ?? [{ present: false } as State];
      this.model.set(e.key, { path: e.path, states: [...before, e.state] });
    }
  }

  private async get(p: string): Promise<{ status: number; json: any }> {
    const res = await fetch(`${this.sandbox.url}${p}`);
    if (res.status >= 500) this.summary.unexpected5xx++;
    const json = (await res.json()) as any;
    this.seen(json?.metadata?.resourceVersion);
    return { status: res.status, json };
  }

  // -------------------------------------------------------------------------------------------------
  // Checks.

  /** Every tracked object is in one of its possible states; an unknown outcome is settled by what is there. */
  private async verify(): Promise<void> {
    const before = this.maxRv;
    // The first list after a restart is at least as new as anything seen before the kill.
    const list = await this.get(`${NS}/configmaps`);
    expect(list.status).toBe(200);
    if (Number(list.json.metadata.resourceVersion) < before) this.summary.resourceVersionRegressions++;
    expect(Number(list.json.metadata.resourceVersion)).toBeGreaterThanOrEqual(before);

    for (const [key, t] of this.model) {
      const got = await this.get(t.path);
      this.summary.objectsChecked++;
      const matching = t.states.findIndex((s) => {
        if (!s.present) return got.status === 404;
        if (got.status !== 200) return false;
        if (s.rv && got.json.metadata.resourceVersion !== s.rv) return false;
        return s.check(got.json) === undefined;
      });
      if (matching < 0) {
        this.summary.lost++;
        const why = t.states.map((s) => (s.present ? (got.status === 200 ? (s.check(got.json) ?? `rv ${got.json.metadata.resourceVersion} != ${s.rv}`) : `status ${got.status}`) : `present`));
        throw new Error(`${key}: not as acknowledged (${why.join("; ")})`);
      }
      if (t.states.length > 1) {
        // Nothing is in flight any more: what is there is what stays.
        const s = t.states[matching];
        t.states = [s.present && got.status === 200 && key.startsWith("cm/") ? { ...s, rv: got.json.metadata.resourceVersion } : s];
      }
      this.note(key, got.status === 200 ? got.json : undefined);
    }
    // A write after the restart gets a newer resourceVersion than anything acknowledged before.
    const probe = await this.kubectl(["create", "configmap", `probe-${++this.counter}`, "-o", "json"]);
    expect(probe.code, probe.stderr).toBe(0);
    const stored = JSON.parse(probe.stdout);
    const rv = Number(stored.metadata.resourceVersion);
    if (rv <= before) this.summary.resourceVersionRegressions++;
    expect(rv).toBeGreaterThan(before);
    this.seen(String(rv));
    this.model.set(`cm/${stored.metadata.name}`, { path: `${NS}/configmaps/${stored.metadata.name}`, states: [{ present: true, check: dataIs({}), rv: String(rv) }] });
  }

  /** What later steps build on, from the object as it is (a step of unknown outcome may have landed). */
  private note(key: string, obj: any): void {
    const [kind, name] = key.split("/");
    if (kind === "cm") {
      if (obj) this.configData.set(name, obj.data ?? {});
      else this.configData.delete(name);
    } else if (kind === "deploy") {
      const c = obj?.spec.template.spec.containers[0];
      if (obj) this.deploys.set(name, { replicas: obj.spec.replicas, image: c.image, container: c.name });
      else this.deploys.delete(name);
    } else if (kind === "sts") {
      if (obj) this.statefulSets.set(name, obj.spec.replicas);
      else this.statefulSets.delete(name);
    }
  }

  /**
   * Lets virtual time pass (pulls, readiness, rollouts, graceful terminations, garbage collection),
   * then checks that every controller made exactly what its object asks for.
   */
  private async settleAndCheck(): Promise<void> {
    const t0 = Date.now();
    const res = await fetch(`${this.server.url}/api/sandboxes/${this.sandbox.id}/clock`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ advanceSeconds: 180 }),
    });
    if (res.status >= 500) this.summary.unexpected5xx++;
    expect(res.status, await res.text()).toBe(200);
    this.summary.settleChecks++;
    this.summary.settleSeconds = Math.round((this.summary.settleSeconds + (Date.now() - t0) / 1000) * 10) / 10;
    const [deploys, rss, pods, jobs, sets] = await Promise.all([
      this.get(`${APPS}/deployments`),
      this.get(`${APPS}/replicasets`),
      this.get(`${NS}/pods`),
      this.get(`${BATCH}/jobs`),
      this.get(`${APPS}/statefulsets`),
    ]);
    const live = (pods.json.items as any[]).filter((p) => !p.metadata.deletionTimestamp);
    this.summary.podsChecked += live.length;
    const owned = (uid: string) => live.filter((p) => (p.metadata.ownerReferences ?? []).some((o: any) => o.controller && o.uid === uid));
    const problems: string[] = [];
    const excess = (what: string, have: number, want: number) => {
      if (have > want) this.summary.excessPods += have - want;
      if (have !== want) problems.push(`${what}: ${have} pods, want ${want}`);
    };
    const owners = new Set<string>();
    for (const d of deploys.json.items) {
      owners.add(d.metadata.uid);
      const mine = (rss.json.items as any[]).filter((rs) => rs.metadata.ownerReferences?.some((o: any) => o.uid === d.metadata.uid));
      const total = mine.reduce((a, rs) => a + owned(rs.metadata.uid).length, 0);
      excess(`deployment ${d.metadata.name}`, total, d.spec.replicas);
      const active = mine.filter((rs) => rs.spec.replicas > 0);
      if (d.spec.replicas > 0 && (active.length !== 1 || active[0].spec.template.spec.containers[0].image !== d.spec.template.spec.containers[0].image)) {
        problems.push(`deployment ${d.metadata.name}: rollout not finished (${active.map((rs: any) => rs.metadata.name).join(",")})`);
      }
    }
    for (const rs of rss.json.items) {
      owners.add(rs.metadata.uid);
      excess(`replicaset ${rs.metadata.name}`, owned(rs.metadata.uid).length, rs.spec.replicas);
    }
    for (const j of jobs.json.items) {
      owners.add(j.metadata.uid);
      excess(`job ${j.metadata.name}`, owned(j.metadata.uid).length, 1);
      if (j.status?.succeeded !== 1) problems.push(`job ${j.metadata.name}: succeeded ${j.status?.succeeded}`);
    }
    for (const s of sets.json.items) {
      owners.add(s.metadata.uid);
      const names = owned(s.metadata.uid).map((p) => p.metadata.name).sort();
      const want = Array.from({ length: s.spec.replicas }, (_, i) => `${s.metadata.name}-${i}`).sort();
      excess(`statefulset ${s.metadata.name}`, names.length, want.length);
      if (JSON.stringify(names) !== JSON.stringify(want)) problems.push(`statefulset ${s.metadata.name}: pods ${names.join(",")}`);
    }
    // No pod is left behind by an owner that is gone.
    for (const p of live) {
      const ref = (p.metadata.ownerReferences ?? []).find((o: any) => o.controller);
      if (ref && ["ReplicaSet", "Job", "StatefulSet"].includes(ref.kind) && !owners.has(ref.uid)) problems.push(`pod ${p.metadata.name}: owner ${ref.kind} gone`);
    }
    expect(problems).toEqual([]);
  }

  /** A `kubectl get -w` started before the kill: it must end or carry on, never hang or print garbage. */
  private kubectlWatch() {
    const child = spawn(kubectlBinary("1.32"), ["get", "configmaps", "-w", "-o", "name"], {
      cwd: this.dir,
      env: { PATH: process.env.PATH ?? "", HOME: this.dir, KUBECONFIG: this.kubeconfig, KUBECACHEDIR: path.join(this.dir, "cache") },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const exited = new Promise<number>((r) => child.on("close", (code) => r(code ?? -1)));
    const listed = (async () => {
      for (let i = 0; i < 200 && !stdout.includes("configmap/"); i++) await sleep(50);
    })();
    return { child, listed, exited, out: () => stdout, err: () => stderr };
  }

  private async checkKubectlWatch(w: ReturnType<Chaos["kubectlWatch"]>): Promise<void> {
    const before = w.out().length;
    const result = await Promise.race([w.exited.then((code) => ({ code })), sleep(15_000).then(() => undefined)]);
    if (result) this.summary.kubectlWatchesAcrossKills.exited++;
    else {
      // Still running after the restart: what it prints is the cluster's configmaps.
      this.summary.kubectlWatchesAcrossKills.continued++;
      expect(w.out().length).toBeGreaterThanOrEqual(before);
      w.child.kill("SIGTERM");
      await w.exited;
    }
    for (const line of w.out().split("\n").filter(Boolean)) expect(line).toMatch(/^configmap\/[a-z0-9.-]+$/);
    // A new watch after the restart lists exactly what a plain list has.
    const fresh = this.kubectlWatch();
    await fresh.listed;
    const names = (await this.get(`${NS}/configmaps`)).json.items.map((c: any) => `configmap/${c.metadata.name}`).sort();
    for (let i = 0; i < 100 && fresh.out().split("\n").filter(Boolean).length < names.length; i++) await sleep(50);
    fresh.child.kill("SIGTERM");
    await fresh.exited;
    expect([...new Set(fresh.out().split("\n").filter(Boolean))].sort()).toEqual(names);
  }

  /** The reflector that ran through every kill holds exactly what a fresh list holds. */
  private async checkReflector(): Promise<void> {
    const r = this.reflector!;
    let want = new Map<string, string>();
    for (let i = 0; i < 100; i++) {
      const list = await this.get(`${NS}/configmaps`);
      want = new Map((list.json.items as any[]).map((c) => [c.metadata.name, c.metadata.resourceVersion]));
      if (JSON.stringify([...r.cache].sort()) === JSON.stringify([...want].sort())) break;
      await sleep(100);
    }
    expect([...r.cache].sort()).toEqual([...want].sort());
    expect(r.stats.outOfOrder).toBe(0);
    expect(r.stats.resumed + r.stats.expired).toBeGreaterThanOrEqual(this.summary.kills);
    this.summary.reflector = { ...r.stats };
  }
}
