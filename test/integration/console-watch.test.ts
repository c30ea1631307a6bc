// The console's combined watch stream as the sandbox serves it: one watch slot however many watches it
// carries (so a shared link's viewers do not fill the sandbox's MAX_WATCHES), the limit still refusing
// streams past it, the clock carried on the stream whenever it is set, and a watch's timeoutSeconds
// bounded by what a timer can wait.
import { env, runInDurableObject, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Sandbox } from "../../worker/sandbox/sandbox-do";
import { limitsFromEnv, SandboxGuard } from "../../worker/sandbox/limits";
import { MAX_WATCH_SECONDS, watchSeconds } from "../../worker/api/watch";
import { api, clock, createSandbox, ORIGIN } from "./helpers";

const RESOURCES = [
  "/api/v1/nodes",
  "/api/v1/pods",
  "/api/v1/events",
  "/api/v1/namespaces",
  "/api/v1/services",
  "/apis/discovery.k8s.io/v1/endpointslices",
  "/apis/apps/v1/deployments",
  "/apis/apps/v1/replicasets",
  "/apis/apps/v1/statefulsets",
  "/apis/apps/v1/daemonsets",
  "/apis/batch/v1/jobs",
  "/apis/batch/v1/cronjobs",
  "/api/v1/persistentvolumeclaims",
  "/api/v1/configmaps",
];
const CMS = "/api/v1/namespaces/default/configmaps";

function stub(id: string) {
  return env.SANDBOX.get(env.SANDBOX.idFromName(id)) as unknown as DurableObjectStub<Sandbox>;
}

async function setMaxWatches(id: string, maxWatches: number): Promise<void> {
  await runInDurableObject<Sandbox, void>(stub(id), async (instance) => {
    instance.guard = new SandboxGuard({ ...limitsFromEnv(env), maxWatches }, () => Date.now());
  });
}

const openWatches = (id: string) => runInDurableObject<Sandbox, number>(stub(id), async (instance) => instance.guard!.streams.count("watch"));

/** Reads a stream's lines as they come. */
function lines(res: Response) {
  const seen: any[] = [];
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buf = "";
  let ended = false;
  void (async () => {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buf += value;
        for (let nl = buf.indexOf("\n"); nl >= 0; nl = buf.indexOf("\n")) {
          seen.push(JSON.parse(buf.slice(0, nl)));
          buf = buf.slice(nl + 1);
        }
      }
    } catch {
      // cancelled
    }
    ended = true;
  })();
  return {
    seen,
    ended: () => ended,
    async waitFor(pred: (l: any) => boolean, ms = 3000): Promise<any> {
      const deadline = Date.now() + ms;
      for (;;) {
        const hit = seen.find(pred);
        if (hit) return hit;
        if (Date.now() > deadline) throw new Error(`timed out; lines: ${JSON.stringify(seen.map((l) => [l.w, l.type, l.object?.metadata?.name, l.clock]))}`);
        await new Promise((r) => setTimeout(r, 5));
      }
    },
    cancel: () => reader.cancel().catch(() => undefined),
  };
}

const muxUrl = (id: string, rv: string) => `${ORIGIN}/s/${id}/console/watch?${RESOURCES.map((p) => `w=${encodeURIComponent(`${p}@${rv}`)}`).join("&")}`;

describe("the console's combined watch stream", () => {
  it("holds one watch slot for all its watches; the limit still refuses streams and watches past it", async () => {
    const sb = await createSandbox();
    const rv = (await api(sb.id, "GET", CMS)).json.metadata.resourceVersion as string;
    await setMaxWatches(sb.id, 3);
    const streams = [];
    for (let i = 0; i < 3; i++) {
      const res = await SELF.fetch(muxUrl(i === 2 ? sb.readOnlyId : sb.id, rv));
      expect(res.status).toBe(200);
      streams.push(lines(res));
    }
    expect(await openWatches(sb.id)).toBe(3);
    // Every slot is taken: another stream, and an ordinary watch, get the 429.
    const refused = await SELF.fetch(muxUrl(sb.id, rv));
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({ reason: "TooManyRequests", message: "Too many requests: this sandbox allows 3 open watches at a time; close one and try again" });
    expect((await api(sb.id, "GET", `${CMS}?watch=1`)).status).toBe(429);
    // Each stream carries all of its watches live.
    expect((await api(sb.id, "POST", CMS, { metadata: { name: "hello" } })).status).toBe(201);
    for (const s of streams) await s.waitFor((l) => l.w === 13 && l.type === "ADDED" && l.object.metadata.name === "hello");
    // A stream the client closes frees its slot (found at its next line at the latest).
    await streams[0].cancel();
    expect((await api(sb.id, "POST", CMS, { metadata: { name: "poke" } })).status).toBe(201);
    for (let i = 0; i < 200 && (await openWatches(sb.id)) > 2; i++) await new Promise((r) => setTimeout(r, 10));
    expect(await openWatches(sb.id)).toBe(2);
    const again = await SELF.fetch(muxUrl(sb.id, rv));
    expect(again.status).toBe(200);
    await again.body!.cancel();
    for (const s of streams.slice(1)) await s.cancel();
  });

  it("refuses more watches than a console opens", async () => {
    const sb = await createSandbox();
    const res = await SELF.fetch(`${ORIGIN}/s/${sb.id}/console/watch?${Array.from({ length: 17 }, () => "w=/api/v1/pods").join("&")}`);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ kind: "Status", message: "at most 16 watches in one stream" });
  });

  it("carries the clock first, and again whenever it is set", async () => {
    const sb = await createSandbox();
    expect((await clock(sb.id, { paused: true })).status).toBe(200);
    const s = lines(await SELF.fetch(`${ORIGIN}/s/${sb.readOnlyId}/console/watch?w=${encodeURIComponent("/api/v1/nodes")}`));
    const first = await s.waitFor((l) => l.clock);
    expect(first.clock).toMatchObject({ timeScale: 1, paused: true });
    const start = Date.parse(first.clock.now);
    expect((await clock(sb.id, { advanceSeconds: 3600 })).status).toBe(200);
    const advanced = await s.waitFor((l) => l.clock && Date.parse(l.clock.now) >= start + 3600_000);
    expect(advanced.clock).toMatchObject({ paused: true, timeScale: 1 });
    expect(Date.parse(advanced.clock.now) - start).toBe(3600_000);
    expect((await clock(sb.id, { paused: false, timeScale: 5 })).status).toBe(200);
    await s.waitFor((l) => l.clock && l.clock.paused === false && l.clock.timeScale === 5);
    await s.cancel();
  });
});

describe("a watch's timeoutSeconds", () => {
  it("is bounded by what a timer can wait; none (or 0) is 30 to 60 minutes, as upstream picks", () => {
    expect(watchSeconds({ timeoutSeconds: 5 })).toBe(5);
    expect(watchSeconds({ timeoutSeconds: 99_999_999 })).toBe(MAX_WATCH_SECONDS);
    expect(MAX_WATCH_SECONDS * 1000).toBeLessThanOrEqual(2 ** 31 - 1);
    expect(watchSeconds({}, () => 0)).toBe(1800);
    expect(watchSeconds({ timeoutSeconds: 0 }, () => 0.5)).toBe(2700);
  });

  for (const timeout of ["99999999", "2147484", "0"]) {
    it(`timeoutSeconds=${timeout} keeps the watch open`, async () => {
      const sb = await createSandbox();
      const rv = (await api(sb.id, "GET", CMS)).json.metadata.resourceVersion as string;
      const s = lines(await SELF.fetch(`${ORIGIN}/s/${sb.id}${CMS}?watch=1&resourceVersion=${rv}&timeoutSeconds=${timeout}`));
      await new Promise((r) => setTimeout(r, 50));
      expect(s.ended()).toBe(false);
      expect((await api(sb.id, "POST", CMS, { metadata: { name: "after" } })).status).toBe(201);
      await s.waitFor((l) => l.type === "ADDED" && l.object.metadata.name === "after");
      await s.cancel();
    });
  }
});
