// Sandboxes spread over two D1 databases (the test configuration binds DB and DB_1; the Worker is
// called with D1_SHARDS = "DB,DB_1"): each sandbox's rows are in its own shard only, its ids say which,
// and everything works on either — the API, the read-only link, the service, forks from one shard to
// the other, delete, and the expiry sweep, which visits every shard.
import { createExecutionContext, createScheduledController, env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../worker/index";
import type { Env } from "../../worker/env";
import { sweepIdleSandboxes } from "../../worker/service/expiry";
import { databaseFor, shardDatabase, shardIndexOf } from "../../worker/store/shards";
import { api, ORIGIN, pod, type Created } from "./helpers";

const SHARDED = { D1_SHARDS: "DB,DB_1" };

function call(path: string, init: RequestInit = {}, vars: Partial<Env> = SHARDED): Promise<Response> {
  return Promise.resolve(worker.fetch(new Request(`${ORIGIN}${path}`, init), { ...env, ...vars }, createExecutionContext()));
}

async function create(vars: Partial<Env> = SHARDED): Promise<Created> {
  const res = await call("/api/sandboxes", { method: "POST" }, vars);
  expect(res.status).toBe(201);
  return (await res.json()) as Created;
}

async function fork(id: string): Promise<Created> {
  const res = await call(`/api/sandboxes/${id}/fork`, { method: "POST" });
  expect(res.status).toBe(201);
  return (await res.json()) as Created;
}

/** Creates sandboxes (or forks of `from`) until one lands on `shard`. */
async function onShard(shard: number, make: () => Promise<Created>): Promise<Created> {
  for (let i = 0; i < 40; i++) {
    const sb = await make();
    if (shardIndexOf(sb.id) === shard) return sb;
  }
  throw new Error(`nothing landed on shard ${shard}`);
}

const dbs = () => [shardDatabase(env, 0)!, shardDatabase(env, 1)!];

/** Rows of a sandbox in each shard: [sandboxes rows, objects rows] per shard. */
async function rowsPerShard(id: string): Promise<[number, number][]> {
  return Promise.all(
    dbs().map(async (db) => {
      const s = await db.prepare("SELECT count(*) AS n FROM sandboxes WHERE id = ?").bind(id).first<{ n: number }>();
      const o = await db.prepare("SELECT count(*) AS n FROM objects WHERE sandbox_id = ?").bind(id).first<{ n: number }>();
      return [s!.n, o!.n] as [number, number];
    }),
  );
}

async function expectRowsOnlyIn(id: string, shard: number): Promise<void> {
  const rows = await rowsPerShard(id);
  expect(rows[shard][0], `sandbox row of ${id} in shard ${shard}`).toBe(1);
  expect(rows[shard][1]).toBeGreaterThan(10);
  expect(rows[1 - shard], `rows of ${id} in the other shard`).toEqual([0, 0]);
}

// Each test creates many sandboxes: on a busy machine that takes longer than the default 5 s.
describe("two D1 shards", { timeout: 60_000 }, () => {
  it("places new sandboxes on both, with the shard in both ids and the rows only there", async () => {
    const made = await Promise.all(Array.from({ length: 8 }, () => create()));
    const a = await onShard(0, create);
    const b = await onShard(1, create);
    const seen = new Set([...made, a, b].map((sb) => shardIndexOf(sb.id)));
    expect(seen).toEqual(new Set([0, 1]));
    for (const sb of [...made, a, b]) {
      expect(sb.id).toMatch(/^[ab][a-z2-7]{25}$/);
      expect(shardIndexOf(sb.readOnlyId)).toBe(shardIndexOf(sb.id));
      await expectRowsOnlyIn(sb.id, shardIndexOf(sb.id));
    }
    expect(databaseFor(env, b.id)).toBe(shardDatabase(env, 1));
  });

  it("serves the API, the read-only link, the kubeconfig and the service on the second shard, with no setting but the binding", async () => {
    const sb = await onShard(1, create);
    // The plain Worker (D1_SHARDS = "DB") finds it too: routing follows the id.
    expect((await api(sb.id, "POST", "/api/v1/namespaces/default/pods", pod("on-shard-1"))).status).toBe(201);
    expect((await api(sb.readOnlyId, "GET", "/api/v1/namespaces/default/pods/on-shard-1")).status).toBe(200);
    expect((await api(sb.readOnlyId, "DELETE", "/api/v1/namespaces/default/pods/on-shard-1")).status).toBe(403);
    expect((await SELF.fetch(`${ORIGIN}/s/${sb.readOnlyId}/kubeconfig`)).status).toBe(200);
    const info = (await (await SELF.fetch(`${ORIGIN}/api/sandboxes/${sb.readOnlyId}`)).json()) as any;
    expect(info.counts.pods).toBeGreaterThan(0);
    const shell = await SELF.fetch(`${ORIGIN}/api/sandboxes/${sb.id}/shell`, { method: "POST", body: JSON.stringify({ node: "k8s-master", command: "ls /etc/kubernetes/manifests" }) });
    expect(((await shell.json()) as any).stdout).toContain("kube-apiserver.yaml");
    const ping = (await (await SELF.fetch(`${ORIGIN}/api/sandboxes/${sb.id}/ping`)).json()) as any;
    expect(ping).toEqual({ ok: true });
    const row = await shardDatabase(env, 1)!.prepare("SELECT body FROM objects WHERE sandbox_id = ? AND name = 'on-shard-1'").bind(sb.id).first<{ body: string }>();
    expect(JSON.parse(row!.body).metadata.name).toBe("on-shard-1");
  });

  it("forks from one shard to the other and back, copying every object", async () => {
    for (const [from, to] of [
      [0, 1],
      [1, 0],
    ]) {
      const source = await onShard(from, create);
      // More objects than one insert statement carries.
      for (let i = 0; i < 30; i++) expect((await api(source.id, "POST", "/api/v1/namespaces/default/configmaps", { metadata: { name: `cm-${i}` }, data: { i: String(i) } })).status).toBe(201);
      const copy = await onShard(to, () => fork(source.id));
      await expectRowsOnlyIn(copy.id, to);
      const [src, dst] = await Promise.all([api(source.id, "GET", "/api/v1/configmaps"), api(copy.id, "GET", "/api/v1/configmaps")]);
      expect(dst.json.items).toEqual(src.json.items);
      expect(dst.json.items.length).toBeGreaterThanOrEqual(30);
      const info = (await (await SELF.fetch(`${ORIGIN}/api/sandboxes/${copy.id}`)).json()) as any;
      expect(info.forkedFrom).toBe(source.id);
      expect(info.resourceVersion).toBe(((await (await SELF.fetch(`${ORIGIN}/api/sandboxes/${source.id}`)).json()) as any).resourceVersion);
      // Independent from then on.
      expect((await api(copy.id, "DELETE", "/api/v1/namespaces/default/configmaps/cm-0")).status).toBe(200);
      expect((await api(source.id, "GET", "/api/v1/namespaces/default/configmaps/cm-0")).status).toBe(200);
      expect((await api(copy.readOnlyId, "GET", "/api/v1/namespaces/default/configmaps/cm-1")).status).toBe(200);
    }
  });

  it("deletes a sandbox's rows from its own shard", async () => {
    const sb = await onShard(1, create);
    const del = await call(`/api/sandboxes/${sb.id}`, { method: "DELETE", headers: { authorization: `Bearer ${sb.ownerToken}` } });
    expect(del.status).toBe(200);
    expect(await rowsPerShard(sb.id)).toEqual([
      [0, 0],
      [0, 0],
    ]);
    expect((await api(sb.readOnlyId, "GET", "/api/v1/namespaces")).status).toBe(404);
  });

  it("the expiry sweep visits every shard", async () => {
    const a = await onShard(0, create);
    const b = await onShard(1, create);
    const later = Date.now() + 60 * 86_400_000;
    await worker.scheduled(createScheduledController({ scheduledTime: later }), { ...env, IDLE_EXPIRY_DAYS: "30" });
    // A run takes a bounded batch per shard; the following runs take the rest.
    while ((await sweepIdleSandboxes({ ...env, IDLE_EXPIRY_DAYS: "30" }, later)).expired.length > 0);
    for (const sb of [a, b]) {
      expect(await rowsPerShard(sb.id)).toEqual([
        [0, 0],
        [0, 0],
      ]);
    }
    for (const db of dbs()) expect((await db.prepare("SELECT count(*) AS n FROM sandboxes").first<{ n: number }>())!.n).toBe(0);
  });

  it("takes a shard out of placement without losing its sandboxes; a name that is not bound is a configuration error", async () => {
    const a = await onShard(0, create);
    for (let i = 0; i < 5; i++) expect(shardIndexOf((await create({ D1_SHARDS: "DB_1" })).id)).toBe(1);
    expect((await call(`/s/${a.id}/api/v1/namespaces`, {}, { D1_SHARDS: "DB_1" })).status).toBe(200);
    const bad = await call("/api/sandboxes", { method: "POST" }, { D1_SHARDS: "DB,DB_2" });
    expect(bad.status).toBe(500);
    expect(((await bad.json()) as { error: string }).error).toContain('"DB_2" is not a bound D1 database');
  });
});
