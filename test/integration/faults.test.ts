// Faults inside workerd: concurrent writers on one object, and D1 failing in the middle of an
// operation (before its batch took effect, after it — a lost answer —, and with the read-back failing
// too). After each fault the Durable Object's memory must equal what a fresh load from D1 gives, the
// failed request must have had one Kubernetes Status 5xx, and the next requests succeed.
import { env, runDurableObjectAlarm, runInDurableObject, SELF } from "cloudflare:test";
import { afterAll, describe, expect, it } from "vitest";
import type { Env } from "../../worker/env";
import type { Sandbox } from "../../worker/sandbox/sandbox-do";
import type { SandboxClock } from "../../worker/sandbox/clock";
import type { Rng } from "../../worker/sandbox/rng";
import { ObjectStore } from "../../worker/store/object-store";
import worker from "../../worker/index";
import { createExecutionContext } from "cloudflare:test";
import { api, clock, createSandbox, deployment, ORIGIN } from "./helpers";

const CMS = "/api/v1/namespaces/default/configmaps";
const PODS = "/api/v1/namespaces/default/pods";
const DEPLOYS = "/apis/apps/v1/namespaces/default/deployments";
const RSS = "/apis/apps/v1/namespaces/default/replicasets";
const JOBS = "/apis/batch/v1/namespaces/default/jobs";
const MERGE = { "content-type": "application/merge-patch+json" };

/** What the run did, printed at the end (docs/robustness.md quotes it). */
const summary = {
  parallelPuts: 0,
  putConflicts: 0,
  parallelCreates: 0,
  createConflicts: 0,
  rmwWorkers: 0,
  rmwIncrements: 0,
  rmwRetries: 0,
  parallelPatches: 0,
  faultsInjected: 0,
  faultAnswers: {} as Record<string, number>,
  consistencyChecks: 0,
  requests: 0,
  unexpected5xx: 0,
};

afterAll(() => {
  console.log(`FAULTS SUMMARY ${JSON.stringify(summary)}`);
});

type Res = Awaited<ReturnType<typeof api>>;

/** A request expected to succeed or fail on its own terms: a 5xx here is a defect. */
async function call(id: string, method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Res> {
  const res = await api(id, method, path, body, headers);
  summary.requests++;
  if (res.status >= 500) summary.unexpected5xx++;
  return res;
}

/** A request that meets an injected fault: its answer is tallied by status. */
async function faulted(id: string, method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Res> {
  const res = await api(id, method, path, body, headers);
  summary.requests++;
  summary.faultAnswers[res.status] = (summary.faultAnswers[res.status] ?? 0) + 1;
  return res;
}

function expectInternalError(res: { status: number; json: any }): void {
  expect(res.status).toBe(500);
  expect(res.json).toMatchObject({ kind: "Status", apiVersion: "v1", status: "Failure", reason: "InternalError", code: 500 });
  expect(res.json.message).toMatch(/^Internal error occurred: /);
}

// ---------------------------------------------------------------------------------------------------
// A D1 binding that fails on request.

/**
 * `before`: the batch throws without taking effect (D1 unreachable). `after`: the batch takes effect
 * and then throws (the answer was lost). `blind`: as `after`, and the next read fails too, so the
 * store cannot tell whether it landed.
 */
type Fault = "before" | "after" | "blind";

class FaultyD1 {
  private batches = 0;
  private readonly batchFaults = new Map<number, Fault>();
  private failReads = 0;
  readonly db: D1Database;

  constructor(private readonly real: D1Database) {
    const self = this;
    const wrap = (stmt: D1PreparedStatement): D1PreparedStatement => {
      const s = stmt as unknown as Record<string, (...a: unknown[]) => unknown>;
      const bind = s.bind.bind(stmt);
      s.bind = (...a: unknown[]) => wrap(bind(...a) as D1PreparedStatement);
      for (const m of ["all", "raw", "first", "run"]) {
        const f = s[m].bind(stmt);
        s[m] = (...a: unknown[]) => {
          if (self.failReads > 0) {
            self.failReads--;
            summary.faultsInjected++;
            return Promise.reject(new Error("D1_ERROR: injected: read failed"));
          }
          return f(...a);
        };
      }
      return stmt;
    };
    this.db = new Proxy(real, {
      get(target, prop) {
        if (prop === "prepare") return (sql: string) => wrap(target.prepare(sql));
        if (prop === "batch") return (stmts: D1PreparedStatement[]) => self.batch(stmts);
        const v: unknown = Reflect.get(target, prop, target);
        return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
  }

  /** The `n`th batch from now (1 = the next) fails as `fault`. */
  failBatch(n: number, fault: Fault): void {
    this.batchFaults.set(this.batches + n, fault);
  }

  /** The next `n` reads (statements run outside a batch) fail. */
  failNextReads(n: number): void {
    this.failReads = n;
  }

  get pending(): number {
    return this.batchFaults.size + this.failReads;
  }

  private async batch(stmts: D1PreparedStatement[]): Promise<D1Result[]> {
    const n = ++this.batches;
    const fault = this.batchFaults.get(n);
    if (!fault) return this.real.batch(stmts);
    this.batchFaults.delete(n);
    summary.faultsInjected++;
    if (fault === "before") throw new Error("D1_ERROR: injected: batch failed");
    await this.real.batch(stmts);
    if (fault === "blind") this.failReads = 1;
    throw new Error("D1_ERROR: injected: Network connection lost.");
  }
}

interface Loaded {
  store: ObjectStore;
  clock: SandboxClock;
  rng: Rng;
}

function stubOf(id: string): DurableObjectStub<Sandbox> {
  return env.SANDBOX.get(env.SANDBOX.idFromName(id)) as unknown as DurableObjectStub<Sandbox>;
}

/** Gives the sandbox's Durable Object a failing D1 and makes it load again through it. */
async function withFaultyD1(id: string): Promise<FaultyD1> {
  const faulty = new FaultyD1(env.DB);
  await runInDurableObject<Sandbox, void>(stubOf(id), async (instance) => {
    await instance.settle();
    const o = instance as unknown as { env: Env; loaded?: Loaded };
    o.env = { ...o.env, DB: faulty.db };
    o.loaded = undefined;
  });
  return faulty;
}

/** Drops the Durable Object's memory, as a restart would (keeping its D1 binding). */
async function restart(id: string): Promise<void> {
  await runInDurableObject<Sandbox, void>(stubOf(id), async (instance) => {
    await instance.settle();
    (instance as unknown as { loaded?: unknown }).loaded = undefined;
  });
}

/** Memory equals D1: every object, the resourceVersion, the generator and the clock. */
async function expectConsistent(id: string): Promise<void> {
  await runInDurableObject<Sandbox, void>(stubOf(id), async (instance) => {
    await instance.settle();
    const l = (instance as unknown as { loaded?: Loaded }).loaded;
    expect(l).toBeDefined();
    const fresh = new ObjectStore(env.DB, id);
    const row = await fresh.load();
    expect(row).toBeDefined();
    expect(l!.store.resourceVersion).toBe(fresh.resourceVersion);
    const resources = [...new Set([...l!.store.resources(), ...fresh.resources()])].sort();
    for (const r of resources) expect(l!.store.list(r), r).toEqual(fresh.list(r));
    expect(l!.rng.state).toBe(row!.rngState);
    expect(l!.clock.snapshot()).toEqual(JSON.parse(row!.clock));
  });
  summary.consistencyChecks++;
}

async function settle(id: string): Promise<void> {
  await runInDurableObject<Sandbox, void>(stubOf(id), (instance) => instance.settle());
}

async function podsOf(id: string, app: string): Promise<any[]> {
  const res = await call(id, "GET", `${PODS}?labelSelector=app%3D${app}`);
  return res.json.items.filter((p: any) => !p.metadata.deletionTimestamp);
}

function cm(name: string, data: Record<string, string> = {}): Record<string, unknown> {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name }, data };
}

// ---------------------------------------------------------------------------------------------------

describe("concurrent writers to one object", { timeout: 60_000 }, () => {
  it("lets exactly one of many PUTs with the same resourceVersion through; the rest get 409", async () => {
    const sb = await createSandbox();
    const created = await call(sb.id, "POST", CMS, cm("x", { v: "0" }));
    expect(created.status).toBe(201);
    const N = 24;
    const results = await Promise.all(
      Array.from({ length: N }, (_, i) => call(sb.id, "PUT", `${CMS}/x`, { ...created.json, data: { v: String(i + 1) } })),
    );
    const ok = results.filter((r) => r.status === 200);
    const conflicts = results.filter((r) => r.status === 409);
    expect(ok).toHaveLength(1);
    expect(conflicts).toHaveLength(N - 1);
    for (const c of conflicts) {
      expect(c.json).toMatchObject({ kind: "Status", reason: "Conflict", code: 409, details: { name: "x", kind: "configmaps" } });
      expect(c.json.message).toBe(
        'Operation cannot be fulfilled on configmaps "x": the object has been modified; please apply your changes to the latest version and try again',
      );
    }
    const now = await call(sb.id, "GET", `${CMS}/x`);
    expect(now.json.data).toEqual(ok[0].json.data);
    expect(now.json.metadata.resourceVersion).toBe(ok[0].json.metadata.resourceVersion);
    summary.parallelPuts += N;
    summary.putConflicts += conflicts.length;
  });

  it("creates an object once when many create it at the same time", async () => {
    const sb = await createSandbox();
    const N = 16;
    const results = await Promise.all(Array.from({ length: N }, (_, i) => call(sb.id, "POST", CMS, cm("same", { by: String(i) }))));
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    const dup = results.filter((r) => r.status === 409);
    expect(dup).toHaveLength(N - 1);
    for (const d of dup) expect(d.json).toMatchObject({ reason: "AlreadyExists", message: 'configmaps "same" already exists' });
    summary.parallelCreates += N;
    summary.createConflicts += dup.length;
  });

  it("loses no increment of concurrent read-modify-write loops that retry on 409", async () => {
    const sb = await createSandbox();
    await call(sb.id, "POST", CMS, cm("counter", { n: "0" }));
    const WORKERS = 6;
    const EACH = 5;
    let retries = 0;
    const worker = async () => {
      for (let done = 0; done < EACH; ) {
        const cur = await call(sb.id, "GET", `${CMS}/counter`);
        const next = { ...cur.json, data: { n: String(Number(cur.json.data.n) + 1) } };
        const put = await call(sb.id, "PUT", `${CMS}/counter`, next);
        if (put.status === 200) done++;
        else {
          expect(put.status).toBe(409);
          retries++;
        }
      }
    };
    await Promise.all(Array.from({ length: WORKERS }, worker));
    const final = await call(sb.id, "GET", `${CMS}/counter`);
    expect(final.json.data.n).toBe(String(WORKERS * EACH));
    expect(retries).toBeGreaterThan(0);
    summary.rmwWorkers += WORKERS;
    summary.rmwIncrements += WORKERS * EACH;
    summary.rmwRetries += retries;
  });

  it("applies every one of concurrent PATCHes", async () => {
    const sb = await createSandbox();
    await call(sb.id, "POST", CMS, cm("p", { seed: "0" }));
    const N = 21;
    const kinds = [
      (i: number) => call(sb.id, "PATCH", `${CMS}/p`, { data: { [`m${i}`]: String(i) } }, MERGE),
      (i: number) => call(sb.id, "PATCH", `${CMS}/p`, { data: { [`m${i}`]: String(i) } }, { "content-type": "application/strategic-merge-patch+json" }),
      (i: number) => call(sb.id, "PATCH", `${CMS}/p`, [{ op: "add", path: `/data/m${i}`, value: String(i) }], { "content-type": "application/json-patch+json" }),
    ];
    const results = await Promise.all(Array.from({ length: N }, (_, i) => kinds[i % kinds.length](i)));
    for (const r of results) expect(r.status).toBe(200);
    const final = await call(sb.id, "GET", `${CMS}/p`);
    expect(Object.keys(final.json.data).sort()).toEqual(["seed", ...Array.from({ length: N }, (_, i) => `m${i}`)].sort());
    // Every PATCH wrote once: the resourceVersions handed out are all different.
    expect(new Set(results.map((r) => r.json.metadata.resourceVersion)).size).toBe(N);
    summary.parallelPatches += N;
  });
});

describe("D1 failing in the Worker's own lookups", () => {
  it("answers a Status 500 with CORS on a sandbox's API and the service's JSON error on the service, changing nothing", async () => {
    const sb = await createSandbox();
    const broken = { prepare: () => { throw new Error("D1_ERROR: network connection lost"); }, batch: async () => { throw new Error("D1_ERROR"); } } as unknown as D1Database;
    const brokenEnv = { ...env, DB: broken, DB_1: broken, MAX_SANDBOXES_PER_CLIENT_PER_HOUR: "5" } as Env;
    const send = async (path: string, init?: RequestInit) => {
      const res = await worker.fetch(new Request(`${ORIGIN}${path}`, { ...init, headers: { origin: "https://tutorial.example", ...(init?.headers ?? {}) } }), brokenEnv, createExecutionContext());
      return { status: res.status, cors: res.headers.get("access-control-allow-origin"), json: (await res.json()) as any };
    };
    // A read-only id is looked up in D1 by the Worker before the Durable Object is reached.
    const ro = await send(`/s/${sb.readOnlyId}/api/v1/namespaces/default/configmaps`);
    expectInternalError(ro);
    expect(ro.cors).toBe("*");
    // Deleting looks the owner token's hash up; creating counts the client's creations.
    const del = await send(`/api/sandboxes/${sb.id}`, { method: "DELETE", headers: { authorization: `Bearer ${sb.ownerToken}` } });
    expect(del.status).toBe(500);
    expect(del.json.error).toMatch(/^Internal error occurred: /);
    const created = await send(`/api/sandboxes`, { method: "POST" });
    expect(created.status).toBe(500);
    // Nothing changed: the sandbox is still there, and still answers through a working D1.
    expect((await SELF.fetch(`${ORIGIN}/api/sandboxes/${sb.id}`)).status).toBe(200);
  });
});

describe("D1 failing mid-operation", { timeout: 60_000 }, () => {
  it("a create, update and delete whose batch fails answer 500 once and leave nothing behind", async () => {
    const sb = await createSandbox();
    const d1 = await withFaultyD1(sb.id);
    await clock(sb.id, { paused: true });
    await settle(sb.id);

    // Create.
    d1.failBatch(1, "before");
    const failed = await faulted(sb.id, "POST", CMS, cm("a", { v: "1" }));
    expectInternalError(failed);
    await expectConsistent(sb.id);
    expect((await call(sb.id, "GET", `${CMS}/a`)).status).toBe(404);
    const created = await call(sb.id, "POST", CMS, cm("a", { v: "1" }));
    expect(created.status).toBe(201);

    // Update (PUT and PATCH).
    d1.failBatch(1, "before");
    expectInternalError(await faulted(sb.id, "PUT", `${CMS}/a`, { ...created.json, data: { v: "2" } }));
    await expectConsistent(sb.id);
    d1.failBatch(1, "before");
    expectInternalError(await faulted(sb.id, "PATCH", `${CMS}/a`, { data: { v: "3" } }, MERGE));
    await expectConsistent(sb.id);
    const still = await call(sb.id, "GET", `${CMS}/a`);
    expect(still.json).toEqual(created.json);
    const put = await call(sb.id, "PUT", `${CMS}/a`, { ...created.json, data: { v: "2" } });
    expect(put.status).toBe(200);
    expect(Number(put.json.metadata.resourceVersion)).toBeGreaterThan(Number(created.json.metadata.resourceVersion));

    // Delete.
    d1.failBatch(1, "before");
    expectInternalError(await faulted(sb.id, "DELETE", `${CMS}/a`));
    await expectConsistent(sb.id);
    expect((await call(sb.id, "GET", `${CMS}/a`)).json.data).toEqual({ v: "2" });
    expect((await call(sb.id, "DELETE", `${CMS}/a`)).status).toBe(200);
    expect((await call(sb.id, "GET", `${CMS}/a`)).status).toBe(404);
    await expectConsistent(sb.id);
    expect(d1.pending).toBe(0);
  });

  it("a batch that landed but whose answer was lost is acknowledged, not written twice", async () => {
    const sb = await createSandbox();
    const d1 = await withFaultyD1(sb.id);
    await clock(sb.id, { paused: true });
    await settle(sb.id);

    d1.failBatch(1, "after");
    const created = await faulted(sb.id, "POST", CMS, cm("b", { v: "1" }));
    expect(created.status).toBe(201);
    await expectConsistent(sb.id);
    d1.failBatch(1, "after");
    const patched = await faulted(sb.id, "PATCH", `${CMS}/b`, { data: { v: "2" } }, MERGE);
    expect(patched.status).toBe(200);
    expect(Number(patched.json.metadata.resourceVersion)).toBeGreaterThan(Number(created.json.metadata.resourceVersion));
    await expectConsistent(sb.id);
    const next = await call(sb.id, "POST", CMS, cm("c"));
    expect(Number(next.json.metadata.resourceVersion)).toBeGreaterThan(Number(patched.json.metadata.resourceVersion));
    await expectConsistent(sb.id);
    expect(d1.pending).toBe(0);
  });

  it("a batch of unknown outcome answers 500, and the next write starts from what D1 holds", async () => {
    const sb = await createSandbox();
    const d1 = await withFaultyD1(sb.id);
    await clock(sb.id, { paused: true });
    await settle(sb.id);
    const base = await call(sb.id, "POST", CMS, cm("w"));
    // A watch open across the fault: it ends, and re-watching from its version answers 410.
    const watch = await fetchWatch(sb.id, `${CMS}?watch=1&resourceVersion=${base.json.metadata.resourceVersion}`);

    d1.failBatch(1, "blind");
    const res = await faulted(sb.id, "POST", CMS, cm("d", { v: "1" }));
    expectInternalError(res);
    // The create did land; the next write sees it (a retried create is told it exists) and the
    // resourceVersions go on from D1's.
    const again = await call(sb.id, "POST", CMS, cm("d", { v: "1" }));
    expect(again.status).toBe(409);
    expect(again.json.reason).toBe("AlreadyExists");
    await expectConsistent(sb.id);
    const landed = await call(sb.id, "GET", `${CMS}/d`);
    expect(landed.json.data).toEqual({ v: "1" });
    const after = await call(sb.id, "POST", CMS, cm("e"));
    expect(Number(after.json.metadata.resourceVersion)).toBeGreaterThan(Number(landed.json.metadata.resourceVersion));
    await expectConsistent(sb.id);

    const ended = await watch.done;
    expect(ended.map((e) => e.type)).toEqual([]);
    const rewatch = await call(sb.id, "GET", `${CMS}?watch=1&resourceVersion=${base.json.metadata.resourceVersion}`);
    expect(rewatch.status).toBe(410);
    expect(rewatch.json).toMatchObject({ kind: "Status", reason: "Expired", code: 410 });
    // A relist gives everything, at a version a watch resumes from.
    const list = await call(sb.id, "GET", CMS);
    expect(list.json.items.map((c: any) => c.metadata.name)).toEqual(expect.arrayContaining(["w", "d", "e"]));
    const resumed = await fetchWatch(sb.id, `${CMS}?watch=1&resourceVersion=${list.json.metadata.resourceVersion}&timeoutSeconds=1`);
    await call(sb.id, "POST", CMS, cm("f"));
    const events = await resumed.done;
    expect(events.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(["ADDED f"]);
    expect(d1.pending).toBe(0);
  });

  it("a controller pass whose batch fails is retried and converges without duplicates", async () => {
    const sb = await createSandbox();
    const d1 = await withFaultyD1(sb.id);
    // Paused: no timer of the cluster's own would run the controllers again.
    await clock(sb.id, { paused: true });
    await call(sb.id, "POST", DEPLOYS, deployment("web", 1));
    await settle(sb.id);
    expect(await podsOf(sb.id, "web")).toHaveLength(1);

    // The scale is acknowledged (batch 1); the deployment controller's pass (batch 2) fails.
    d1.failBatch(2, "before");
    const scaled = await call(sb.id, "PATCH", `${DEPLOYS}/web`, { spec: { replicas: 5 } }, MERGE);
    expect(scaled.status).toBe(200);
    await settle(sb.id);
    await expectConsistent(sb.id);
    expect(d1.pending).toBe(0);
    // The failed pass asked to be run again: its alarm does, with D1 working.
    const alarmed = await runInDurableObject<Sandbox, number | null>(stubOf(sb.id), (_i, state) => state.storage.getAlarm());
    expect(alarmed).not.toBeNull();
    await runDurableObjectAlarm(stubOf(sb.id));
    await settle(sb.id);
    await expectConsistent(sb.id);
    const pods = await podsOf(sb.id, "web");
    expect(pods).toHaveLength(5);
    expect(new Set(pods.map((p) => p.metadata.name)).size).toBe(5);
    const rss = (await call(sb.id, "GET", RSS)).json.items;
    expect(rss).toHaveLength(1);
    expect(rss[0].spec.replicas).toBe(5);
    for (const p of pods) expect(p.metadata.ownerReferences[0].uid).toBe(rss[0].metadata.uid);

    // A pass failing in the middle of a scale-down: never fewer than asked, never more once settled.
    d1.failBatch(2, "after");
    await call(sb.id, "PATCH", `${DEPLOYS}/web`, { spec: { replicas: 2 } }, MERGE);
    await settle(sb.id);
    await expectConsistent(sb.id);
    await runDurableObjectAlarm(stubOf(sb.id));
    await clock(sb.id, { advanceSeconds: 60 });
    await settle(sb.id);
    await expectConsistent(sb.id);
    expect(await podsOf(sb.id, "web")).toHaveLength(2);
  });

  it("a clock advance whose batch fails answers 500 once; the next advance catches up without duplicates", async () => {
    const sb = await createSandbox();
    const d1 = await withFaultyD1(sb.id);
    await clock(sb.id, { paused: true });
    const cron = {
      apiVersion: "batch/v1",
      kind: "CronJob",
      metadata: { name: "tick" },
      spec: { schedule: "*/1 * * * *", jobTemplate: { spec: { template: { spec: { restartPolicy: "Never", containers: [{ name: "c", image: "busybox", command: ["true"] }] } } } } },
    };
    expect((await call(sb.id, "POST", "/apis/batch/v1/namespaces/default/cronjobs", cron)).status).toBe(201);
    await settle(sb.id);
    const before = await runInDurableObject<Sandbox, number>(stubOf(sb.id), (i) => (i as unknown as { loaded: Loaded }).loaded.clock.now());

    d1.failBatch(3, "before");
    const res = await fetchClock(sb.id, { advanceSeconds: 300 });
    summary.faultAnswers[res.status] = (summary.faultAnswers[res.status] ?? 0) + 1;
    expectInternalError(res);
    await settle(sb.id);
    await expectConsistent(sb.id);
    // The clock stands where the last committed batch left it, not where the failed advance was going.
    const mid = await runInDurableObject<Sandbox, number>(stubOf(sb.id), (i) => (i as unknown as { loaded: Loaded }).loaded.clock.now());
    expect(mid).toBeLessThan(before + 300_000);

    const ok = await clock(sb.id, { advanceSeconds: 300 });
    expect(ok.status).toBe(200);
    await settle(sb.id);
    await expectConsistent(sb.id);
    const jobs = (await call(sb.id, "GET", JOBS)).json.items;
    const names = jobs.map((j: any) => j.metadata.name);
    expect(new Set(names).size).toBe(names.length);
    // One Job per scheduled minute, each with one pod; the CronJob keeps its 3 succeeded ones (and
    // the one just started, if any).
    expect(jobs.filter((j: any) => j.status?.succeeded).length).toBeLessThanOrEqual(3);
    expect(jobs.length).toBeLessThanOrEqual(4);
    expect(jobs.length).toBeGreaterThan(0);
    const pods = (await call(sb.id, "GET", PODS)).json.items;
    for (const j of jobs) expect(pods.filter((p: any) => p.metadata.labels?.["job-name"] === j.metadata.name)).toHaveLength(1);
    expect(d1.pending).toBe(0);
  });

  it("a load whose reads fail answers 500 once; the next request loads the sandbox", async () => {
    const sb = await createSandbox();
    const d1 = await withFaultyD1(sb.id);
    await call(sb.id, "POST", CMS, cm("kept", { v: "1" }));
    await restart(sb.id);
    d1.failNextReads(1);
    const res = await faulted(sb.id, "GET", `${CMS}/kept`);
    expectInternalError(res);
    const ok = await call(sb.id, "GET", `${CMS}/kept`);
    expect(ok.status).toBe(200);
    expect(ok.json.data).toEqual({ v: "1" });
    await expectConsistent(sb.id);

    // The first reconcile after a load fails: the load stands and the request is answered; the
    // controllers' work is retried. (A deployment scaled behind the stopped object's back makes that
    // first reconcile write.)
    await call(sb.id, "POST", DEPLOYS, deployment("late", 1));
    await restart(sb.id);
    const offline = new ObjectStore(env.DB, sb.id);
    await offline.load();
    const dep = offline.get("apps/deployments", "default", "late")!;
    await offline.commit([{ type: "put", resource: "apps/deployments", object: { ...dep, spec: { ...(dep.spec as object), replicas: 3 }, metadata: { ...dep.metadata, generation: 2 } } }]);
    d1.failBatch(1, "before");
    const during = await faulted(sb.id, "GET", `${CMS}/kept`);
    expect(during.status).toBe(200);
    expect(d1.pending).toBe(0);
    await expectConsistent(sb.id);
    await runDurableObjectAlarm(stubOf(sb.id));
    await settle(sb.id);
    await expectConsistent(sb.id);
    expect(await podsOf(sb.id, "late")).toHaveLength(3);
  });
});

async function fetchClock(id: string, body: unknown): Promise<{ status: number; json: any }> {
  const res = await SELF.fetch(`${ORIGIN}/api/sandboxes/${id}/clock`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = { text };
  }
  return { status: res.status, json };
}

/** A raw watch; `done` resolves with its events once the server ends the stream. */
async function fetchWatch(id: string, path: string): Promise<{ done: Promise<{ type: string; object: any }[]> }> {
  const res = await SELF.fetch(`${ORIGIN}/s/${id}${path}`);
  expect(res.status).toBe(200);
  const done = (async () => {
    const text = await res.text();
    return text
      .split("\n")
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as { type: string; object: any });
  })();
  return { done };
}
