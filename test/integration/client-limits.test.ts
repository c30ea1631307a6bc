// The per-client limits at the Worker: sandboxes created per client and hour (429 with Retry-After and
// the service's JSON error; forks count; clients are told apart by their hashed address, and the
// address itself is never stored), and the per-client request rate across sandboxes (the rate-limiting
// binding). The Worker is called with the limits switched on (the test configuration turns them off).
import { createExecutionContext, env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../worker/index";
import type { Env } from "../../worker/env";
import { clientKey, countCreation, pruneCreationCounts } from "../../worker/service/client-limits";
import { createSandbox, ORIGIN } from "./helpers";

function call(path: string, init: RequestInit = {}, vars: Partial<Env> = {}): Promise<Response> {
  return Promise.resolve(worker.fetch(new Request(`${ORIGIN}${path}`, init), { ...env, ...vars }, createExecutionContext()));
}

const create = (ip: string | undefined, vars: Partial<Env>) => call("/api/sandboxes", { method: "POST", headers: ip ? { "cf-connecting-ip": ip } : {} }, vars);

describe("sandboxes created per client per hour", { timeout: 30_000 }, () => {
  it("refuses the creation over the limit with 429, Retry-After and a JSON error; forks count too", async () => {
    const vars = { MAX_SANDBOXES_PER_CLIENT_PER_HOUR: "2" };
    const ip = "203.0.113.7";
    expect((await create(ip, vars)).status).toBe(201);
    const second = await create(ip, vars);
    expect(second.status).toBe(201);
    const { id } = (await second.json()) as { id: string };
    const refused = await create(ip, vars);
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    expect(refused.headers.get("content-type")).toBe("application/json");
    expect(((await refused.json()) as { error: string }).error).toBe(`too many sandboxes created from this address: at most 2 an hour; try again in ${retryAfter} s`);
    expect((await call(`/api/sandboxes/${id}/fork`, { method: "POST", headers: { "cf-connecting-ip": ip } }, vars)).status).toBe(429);
    // Other clients, and the sandboxes already made, are not affected.
    expect((await create("198.51.100.20", vars)).status).toBe(201);
    expect((await create("2001:db8::1", vars)).status).toBe(201);
    expect((await call(`/s/${id}/api/v1/namespaces`, { headers: { "cf-connecting-ip": ip } }, vars)).status).toBe(200);
    // Only a hash of the address is kept.
    const { results } = await env.DB.prepare("SELECT client FROM sandbox_creations").all<{ client: string }>();
    expect(results.length).toBeGreaterThanOrEqual(3);
    for (const { client } of results) expect(client).not.toContain("203.0.113");
    expect(results.map((r) => r.client)).toContain(await clientKey(new Request(ORIGIN, { headers: { "cf-connecting-ip": ip } })));
  });

  it("counts the addresses of one IPv6 /64 as one client", async () => {
    const vars = { MAX_SANDBOXES_PER_CLIENT_PER_HOUR: "2" };
    expect((await create("2001:db8:77:1::a", vars)).status).toBe(201);
    expect((await create("2001:db8:77:1:ffff::b", vars)).status).toBe(201);
    expect((await create("2001:db8:77:1::c", vars)).status).toBe(429);
    expect((await create("2001:db8:77:2::a", vars)).status).toBe(201);
  });

  it("counts local requests (no client address) as one client, and 0 means no limit", async () => {
    const key = await clientKey(new Request(ORIGIN));
    expect(key).toBe("local");
    await env.DB.prepare("DELETE FROM sandbox_creations WHERE client = 'local'").run();
    expect((await create(undefined, { MAX_SANDBOXES_PER_CLIENT_PER_HOUR: "1" })).status).toBe(201);
    expect((await create(undefined, { MAX_SANDBOXES_PER_CLIENT_PER_HOUR: "1" })).status).toBe(429);
    expect((await create(undefined, { MAX_SANDBOXES_PER_CLIENT_PER_HOUR: "0" })).status).toBe(201);
  });

  it("starts over in the next hour, and the sweep drops the counters of past hours", async () => {
    const vars = { ...env, MAX_SANDBOXES_PER_CLIENT_PER_HOUR: "1" } as Env;
    const hour = Date.UTC(2030, 0, 1, 10);
    expect(await countCreation(vars, "clock-test", hour + 5 * 60_000)).toBeUndefined();
    expect(await countCreation(vars, "clock-test", hour + 59 * 60_000 + 30_000)).toEqual({ retryAfterSeconds: 30 });
    expect(await countCreation(vars, "clock-test", hour + 3600_000)).toBeUndefined();
    const rows = () => env.DB.prepare("SELECT hour FROM sandbox_creations WHERE client = 'clock-test' ORDER BY hour").all<{ hour: number }>();
    expect((await rows()).results).toHaveLength(2);
    await pruneCreationCounts(vars, hour + 3600_000 + 60_000);
    expect((await rows()).results.map((r) => r.hour)).toEqual([hour / 3600_000 + 1]);
  });
});

describe("requests per client across sandboxes", { timeout: 30_000 }, () => {
  it("answers 429 once the rate-limiting binding says no: a Status on the API, JSON on the service", async () => {
    const sb = await createSandbox();
    const other = await createSandbox();
    const keys: string[] = [];
    const limiter: RateLimit = { limit: async ({ key }) => ({ success: keys.push(key) <= 2 }) };
    const vars = { REQUEST_RATE_LIMIT: "on", REQUEST_RATE_LIMITER: limiter };
    const headers = { "cf-connecting-ip": "203.0.113.9" };
    expect((await call(`/s/${sb.id}/api`, { headers }, vars)).status).toBe(200);
    expect((await call(`/s/${other.id}/api`, { headers }, vars)).status).toBe(200);
    const api = await call(`/s/${other.id}/api/v1/pods`, { headers }, vars);
    expect(api.status).toBe(429);
    expect(api.headers.get("retry-after")).toBe("60");
    expect(await api.json()).toEqual({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: "Too many requests, please try again later.", reason: "TooManyRequests", details: { retryAfterSeconds: 60 }, code: 429 });
    const svc = await call(`/api/sandboxes/${sb.id}`, { headers }, vars);
    expect(svc.status).toBe(429);
    expect(await svc.json()).toEqual({ error: "Too many requests, please try again later." });
    // One key for the client, whichever sandbox it asked, and never its address.
    expect(new Set(keys)).toEqual(new Set([await clientKey(new Request(ORIGIN, { headers }))]));
    // Preflights are answered before the limit, so a page can still read the 429.
    expect((await call(`/s/${sb.id}/api`, { method: "OPTIONS", headers: { ...headers, origin: "https://x.example", "access-control-request-method": "GET" } }, vars)).status).toBe(204);
    expect(api.headers.get("access-control-allow-origin")).toBe("*");
    // Switched off, the binding is not asked.
    const asked = keys.length;
    expect((await call(`/s/${sb.id}/api`, { headers }, { ...vars, REQUEST_RATE_LIMIT: "off" })).status).toBe(200);
    expect(keys.length).toBe(asked);
  });

  it("wrangler.toml binds the Workers rate limiter", async () => {
    expect(env.REQUEST_RATE_LIMITER).toBeDefined();
    expect(await env.REQUEST_RATE_LIMITER!.limit({ key: "wired" })).toEqual({ success: true });
  });
});
