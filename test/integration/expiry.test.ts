// Abandoned sandboxes expire: a sandbox records when it was last used (on requests, at most once an
// hour, never on its own alarms), and the hourly cron sweep deletes those idle for IDLE_EXPIRY_DAYS —
// their D1 rows and their Durable Object's storage and alarm — unless the sandbox was used after the
// sweep read its row. Time is injected: the cron's scheduledTime, and the recorded activity.
import { abortAllDurableObjects, createScheduledController, env, runInDurableObject, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../worker/index";
import type { Env } from "../../worker/env";
import type { Sandbox } from "../../worker/sandbox/sandbox-do";
import { expiryBatch, sweepIdleSandboxes } from "../../worker/service/expiry";
import { api, createSandbox, ORIGIN } from "./helpers";

const DAY = 86_400_000;
const HOUR = 3_600_000;

const stub = (id: string) => env.SANDBOX.get(env.SANDBOX.idFromName(id));

/** The sandbox's in-memory record of its last activity (what a Durable Object would have after an hour). */
function setRememberedActivity(id: string, at: number): Promise<void> {
  return runInDurableObject(stub(id), (instance) => {
    (instance as unknown as { loaded: { row: { lastActiveAt: number } } }).loaded.row.lastActiveAt = at;
  });
}

async function storedActivity(id: string): Promise<number | undefined> {
  return (await env.DB.prepare("SELECT last_active_at AS t FROM sandboxes WHERE id = ?").bind(id).first<{ t: number }>())?.t;
}

const setStoredActivity = (id: string, at: number) => env.DB.prepare("UPDATE sandboxes SET last_active_at = ? WHERE id = ?").bind(at, id).run();

async function rows(id: string): Promise<{ sandboxes: number; objects: number }> {
  const s = await env.DB.prepare("SELECT count(*) AS n FROM sandboxes WHERE id = ?").bind(id).first<{ n: number }>();
  const o = await env.DB.prepare("SELECT count(*) AS n FROM objects WHERE sandbox_id = ?").bind(id).first<{ n: number }>();
  return { sandboxes: s?.n ?? -1, objects: o?.n ?? -1 };
}

async function doStorage(id: string): Promise<{ keys: number; alarm: number | null }> {
  return runInDurableObject(stub(id), async (_, state) => ({ keys: (await state.storage.list()).size, alarm: await state.storage.getAlarm() }));
}

function cron(at: number, vars: Partial<Env> = {}): Promise<void> {
  return worker.scheduled(createScheduledController({ scheduledTime: at, cron: "17 * * * *" }), { ...env, ...vars });
}

describe("last activity", { timeout: 30_000 }, () => {
  it("is recorded at creation and then on requests at most once an hour", async () => {
    const sb = await createSandbox();
    const created = await storedActivity(sb.id);
    expect(created).toBeGreaterThan(Date.now() - 60_000);
    await api(sb.id, "GET", "/api/v1/pods");
    expect(await storedActivity(sb.id)).toBe(created);
    // An hour later (as the Durable Object remembers it), the next request records the time.
    await setRememberedActivity(sb.id, created! - HOUR);
    await api(sb.id, "GET", "/api/v1/pods");
    const recorded = await storedActivity(sb.id);
    expect(recorded).toBeGreaterThanOrEqual(created!);
    // Within the hour, requests write nothing more.
    await setStoredActivity(sb.id, 12345);
    await api(sb.id, "GET", "/api/v1/namespaces");
    await SELF.fetch(`${ORIGIN}/api/sandboxes/${sb.id}`);
    expect(await storedActivity(sb.id)).toBe(12345);
  });

  it("is not recorded by the sandbox's own alarms or by the stats endpoint", async () => {
    const sb = await createSandbox();
    await setRememberedActivity(sb.id, Date.now() - 2 * HOUR);
    await setStoredActivity(sb.id, 12345);
    await runInDurableObject(stub(sb.id), (instance) => (instance as unknown as Sandbox).alarm());
    await SELF.fetch(`${ORIGIN}/api/sandboxes/${sb.id}/stats`);
    expect(await storedActivity(sb.id)).toBe(12345);
    // The service's info (a visit) records it.
    await SELF.fetch(`${ORIGIN}/api/sandboxes/${sb.readOnlyId}`);
    expect(await storedActivity(sb.id)).toBeGreaterThan(Date.now() - 60_000);
  });
});

describe("EXPIRY_BATCH", () => {
  it("defaults to 40 and takes a positive whole number", () => {
    expect(expiryBatch({})).toBe(40);
    expect(expiryBatch({ EXPIRY_BATCH: "500" })).toBe(500);
    for (const bad of ["", "0", "-1", "1.5", "many"]) expect(expiryBatch({ EXPIRY_BATCH: bad }), bad).toBe(40);
  });
});

describe("dormancy", { timeout: 30_000 }, () => {
  const cronJob = { apiVersion: "batch/v1", kind: "CronJob", metadata: { name: "tick" }, spec: { schedule: "* * * * *", jobTemplate: { spec: { template: { spec: { restartPolicy: "Never", containers: [{ name: "c", image: "busybox", command: ["true"] }] } } } } } };
  const fireAlarm = (id: string) => runInDurableObject(stub(id), (instance) => (instance as unknown as Sandbox).alarm());

  it("a sandbox nobody has used for DORMANT_AFTER_HOURS arms no alarm, and the next visit catches it up and arms it again", async () => {
    const sb = await createSandbox();
    expect((await api(sb.id, "POST", "/apis/batch/v1/namespaces/default/cronjobs", cronJob)).status).toBe(201);
    await SELF.fetch(`${ORIGIN}/api/sandboxes/${sb.id}/stats`);
    expect((await doStorage(sb.id)).alarm).not.toBeNull();
    // Used 23 hours ago: its timers still wake it.
    await setRememberedActivity(sb.id, Date.now() - 23 * HOUR);
    await fireAlarm(sb.id);
    expect((await doStorage(sb.id)).alarm).not.toBeNull();
    // 25 hours: the alarm's pass leaves no alarm behind.
    await setRememberedActivity(sb.id, Date.now() - 25 * HOUR);
    await fireAlarm(sb.id);
    expect((await doStorage(sb.id)).alarm).toBeNull();
    // The stats endpoint is no visit; a request to the API is.
    await SELF.fetch(`${ORIGIN}/api/sandboxes/${sb.id}/stats`);
    expect((await doStorage(sb.id)).alarm).toBeNull();
    expect((await api(sb.id, "GET", "/apis/batch/v1/namespaces/default/cronjobs/tick")).status).toBe(200);
    expect((await doStorage(sb.id)).alarm).not.toBeNull();
  });

  it("an open watch keeps a sandbox awake", async () => {
    const sb = await createSandbox();
    expect((await api(sb.id, "POST", "/apis/batch/v1/namespaces/default/cronjobs", cronJob)).status).toBe(201);
    const watch = await SELF.fetch(`${ORIGIN}/s/${sb.id}/apis/batch/v1/namespaces/default/jobs?watch=1`);
    expect(watch.status).toBe(200);
    await setRememberedActivity(sb.id, Date.now() - 25 * HOUR);
    await fireAlarm(sb.id);
    expect((await doStorage(sb.id)).alarm).not.toBeNull();
    await watch.body?.cancel();
  });
});

describe("the expiry sweep", { timeout: 30_000 }, () => {
  it("deletes sandboxes idle for IDLE_EXPIRY_DAYS: their rows, their Durable Object's storage and alarm", async () => {
    const old = await createSandbox();
    const recent = await createSandbox();
    // A CronJob keeps an alarm armed: expiry must not leave it firing.
    const cronJob = { apiVersion: "batch/v1", kind: "CronJob", metadata: { name: "tick" }, spec: { schedule: "* * * * *", jobTemplate: { spec: { template: { spec: { restartPolicy: "Never", containers: [{ name: "c", image: "busybox", command: ["true"] }] } } } } } };
    expect((await api(old.id, "POST", "/apis/batch/v1/namespaces/default/cronjobs", cronJob)).status).toBe(201);
    await SELF.fetch(`${ORIGIN}/api/sandboxes/${old.id}/stats`);
    expect((await doStorage(old.id)).alarm).not.toBeNull();
    expect((await rows(old.id)).objects).toBeGreaterThan(10);

    const now = Date.now();
    // 31 days on; `recent` was used two days from now (which the sweep reads in D1).
    await setStoredActivity(recent.id, now + 2 * DAY);
    await cron(now + 31 * DAY, { IDLE_EXPIRY_DAYS: "30" });

    expect(await rows(old.id)).toEqual({ sandboxes: 0, objects: 0 });
    expect(await doStorage(old.id)).toEqual({ keys: 0, alarm: null });
    expect((await api(old.id, "GET", "/api/v1/namespaces")).status).toBe(404);
    expect((await api(old.readOnlyId, "GET", "/api/v1/namespaces")).status).toBe(404);
    expect((await SELF.fetch(`${ORIGIN}/api/sandboxes/${old.id}`)).status).toBe(404);
    expect((await SELF.fetch(`${ORIGIN}/s/${old.id}/kubeconfig`)).status).toBe(404);

    expect((await rows(recent.id)).sandboxes).toBe(1);
    expect((await api(recent.id, "GET", "/api/v1/namespaces")).status).toBe(200);
  });

  it("keeps a sandbox used after the sweep read its row, and expires one whose Durable Object is not loaded", async () => {
    const visited = await createSandbox();
    const cold = await createSandbox();
    const now = Date.now();
    await abortAllDurableObjects();
    // `visited` is used again (its Durable Object knows; D1 will in up to an hour).
    await api(visited.id, "GET", "/api/v1/pods");
    await setRememberedActivity(visited.id, now + 40 * DAY);
    const result = await sweepIdleSandboxes({ ...env, IDLE_EXPIRY_DAYS: "30" }, now + 31 * DAY);
    expect(result.kept).toContain(visited.id);
    expect(result.expired).toContain(cold.id);
    expect((await api(visited.id, "GET", "/api/v1/pods")).status).toBe(200);
    expect(await rows(cold.id)).toEqual({ sandboxes: 0, objects: 0 });
  });

  it("takes EXPIRY_BATCH sandboxes per shard and run, oldest first; the next runs take up the backlog", async () => {
    const idle = [await createSandbox(), await createSandbox(), await createSandbox()];
    // Idle the longest of all, the first oldest.
    for (const [i, sb] of idle.entries()) await setStoredActivity(sb.id, 1000 + i);
    const now = Date.now() + 31 * DAY;
    const first = await sweepIdleSandboxes({ ...env, IDLE_EXPIRY_DAYS: "30", EXPIRY_BATCH: "2" }, now);
    expect(first.expired.slice(0, 2)).toEqual([idle[0].id, idle[1].id]);
    expect((await rows(idle[2].id)).sandboxes).toBe(1);
    const second = await sweepIdleSandboxes({ ...env, IDLE_EXPIRY_DAYS: "30", EXPIRY_BATCH: "2" }, now + HOUR);
    expect(second.expired[0]).toBe(idle[2].id);
    expect((await rows(idle[2].id)).sandboxes).toBe(0);
  });

  it("keeps every sandbox with IDLE_EXPIRY_DAYS = 0, and nothing within the idle period", async () => {
    const sb = await createSandbox();
    const now = Date.now();
    await cron(now + 365 * DAY, { IDLE_EXPIRY_DAYS: "0" });
    await cron(now + 29 * DAY, { IDLE_EXPIRY_DAYS: "30" });
    await cron(now + 6 * DAY, { IDLE_EXPIRY_DAYS: "7" });
    expect((await rows(sb.id)).sandboxes).toBe(1);
    await cron(now + 8 * DAY, { IDLE_EXPIRY_DAYS: "7" });
    expect((await rows(sb.id)).sandboxes).toBe(0);
  });
});
