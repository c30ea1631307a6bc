// pods/log through the Worker: text/plain answers with the options upstream takes, errors in the
// apiserver's and the kubelet's words, read-only links, and follow=true streams that send lines as
// the sandbox clock moves (advanced, or running at its time scale) and end with the container.
import { beforeAll, describe, expect, it } from "vitest";
import { api, clock, createSandbox, ORIGIN, type Created } from "./helpers";
import { SELF } from "cloudflare:test";

const PODS = "/api/v1/namespaces/default/pods";
const decoder = new TextDecoder();

let sb: Created;

function pod(name: string, spec: Record<string, unknown>) {
  return { apiVersion: "v1", kind: "Pod", metadata: { name }, spec };
}

const loop = (name: string, script: string) => ({ containers: [{ name, image: "busybox:1.36", command: ["sh", "-c", script] }] });

async function create(name: string, spec: Record<string, unknown>, id = sb.id) {
  const res = await api(id, "POST", PODS, pod(name, spec));
  expect(res.status, res.text).toBe(201);
}

/** A log response read as it streams in. */
function reading(res: Response) {
  const reader = res.body!.getReader();
  let text = "";
  let ended = false;
  const done = (async () => {
    for (;;) {
      const r = await reader.read().catch(() => ({ done: true as const, value: undefined }));
      if (r.done) break;
      text += decoder.decode(r.value, { stream: true });
    }
    ended = true;
  })();
  return {
    text: () => text,
    ended: () => ended,
    done,
    /** Waits until the stream has delivered what `pred` wants (the server pushes it; nothing is polled there). */
    async waitFor(pred: (text: string) => boolean, ms = 5000) {
      const deadline = Date.now() + ms;
      while (!pred(text)) {
        if (Date.now() > deadline) throw new Error(`timed out; got ${JSON.stringify(text)}`);
        await new Promise((r) => setTimeout(r, 5));
      }
    },
    cancel: () => reader.cancel().catch(() => undefined),
  };
}

function follow(path: string, id = sb.id) {
  return SELF.fetch(`${ORIGIN}/s/${id}${PODS}/${path}`);
}

beforeAll(async () => {
  sb = await createSandbox();
  await clock(sb.id, { paused: true });
  await create("counter", loop("count", 'i=0; while true; do echo "line $i"; i=$((i+1)); sleep 1; done'));
  await create("multi", {
    initContainers: [{ name: "setup", image: "busybox:1.36", command: ["sh", "-c", "echo set up"] }],
    containers: [
      { name: "a", image: "busybox:1.36", command: ["sh", "-c", "echo from a; sleep 3600"] },
      { name: "b", image: "busybox:1.36", command: ["sh", "-c", "echo from b; sleep 3600"] },
    ],
  });
  await create("pending", { schedulerName: "nobody", containers: [{ name: "c", image: "nginx" }] });
  await clock(sb.id, { advanceSeconds: 10.5 });
});

describe("pods/log", () => {
  it("answers what the container printed, as text/plain", async () => {
    const res = await api(sb.id, "GET", `${PODS}/counter/log`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/plain");
    expect(res.text).toBe(Array.from({ length: 10 }, (_, i) => `line ${i}\n`).join(""));
  });

  it("takes tailLines, timestamps, sinceSeconds and limitBytes", async () => {
    expect((await api(sb.id, "GET", `${PODS}/counter/log?tailLines=2`)).text).toBe("line 8\nline 9\n");
    const stamped = (await api(sb.id, "GET", `${PODS}/counter/log?tailLines=1&timestamps=true`)).text;
    expect(stamped).toMatch(/^2026-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z line 9\n$/);
    expect((await api(sb.id, "GET", `${PODS}/counter/log?sinceSeconds=2`)).text).toBe("line 8\nline 9\n");
    expect((await api(sb.id, "GET", `${PODS}/counter/log?sinceTime=2020-01-01T00:00:00Z&tailLines=1`)).text).toBe("line 9\n");
    expect((await api(sb.id, "GET", `${PODS}/counter/log?sinceTime=2100-01-01T00:00:00Z`)).text).toBe("");
    // limitBytes cuts where the byte count ends, mid-line included.
    expect((await api(sb.id, "GET", `${PODS}/counter/log?limitBytes=10`)).text).toBe("line 0\nlin");
  });

  it("picks the container: the only one, the one named, or says which to choose", async () => {
    expect((await api(sb.id, "GET", `${PODS}/multi/log?container=b`)).text).toBe("from b\n");
    expect((await api(sb.id, "GET", `${PODS}/multi/log?container=setup`)).text).toBe("set up\n");
    const none = await api(sb.id, "GET", `${PODS}/multi/log`);
    expect(none.status).toBe(400);
    expect(none.json).toEqual({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: "a container name must be specified for pod multi, choose one of: [setup a b]",
      reason: "BadRequest",
      code: 400,
    });
    const wrong = await api(sb.id, "GET", `${PODS}/multi/log?container=c`);
    expect([wrong.status, wrong.json.message]).toEqual([400, "container c is not valid for pod multi"]);
  });

  it("a missing pod is 404; an unscheduled one answers nothing", async () => {
    const missing = await api(sb.id, "GET", `${PODS}/nope/log`);
    expect(missing.status).toBe(404);
    expect(missing.json).toMatchObject({ reason: "NotFound", message: 'pods "nope" not found', details: { name: "nope", kind: "pods" } });
    const pending = await api(sb.id, "GET", `${PODS}/pending/log`);
    expect([pending.status, pending.text]).toEqual([200, ""]);
  });

  it("the kubelet's refusals come back as BadRequest", async () => {
    await create("starting", { containers: [{ name: "web", image: "nginx" }] });
    const res = await api(sb.id, "GET", `${PODS}/starting/log`);
    expect([res.status, res.json.reason, res.json.message]).toEqual([400, "BadRequest", 'container "web" in pod "starting" is waiting to start: ContainerCreating']);
    const prev = await api(sb.id, "GET", `${PODS}/counter/log?previous=true`);
    expect([prev.status, prev.json.message]).toEqual([400, 'previous terminated container "count" in pod "counter" not found']);
  });

  it("invalid options: 422 from validation, 400 when they do not parse", async () => {
    const tail = await api(sb.id, "GET", `${PODS}/counter/log?tailLines=-1`);
    expect(tail.status).toBe(422);
    expect(tail.json).toMatchObject({
      reason: "Invalid",
      message: 'PodLogOptions "counter" is invalid: tailLines: Invalid value: -1: must be greater than or equal to 0',
      details: { name: "counter", kind: "PodLogOptions", causes: [{ reason: "FieldValueInvalid", message: "Invalid value: -1: must be greater than or equal to 0", field: "tailLines" }] },
    });
    const both = await api(sb.id, "GET", `${PODS}/counter/log?sinceSeconds=1&sinceTime=2026-01-01T00:00:00Z&limitBytes=0`);
    expect(both.json.message).toBe('PodLogOptions "counter" is invalid: [limitBytes: Invalid value: 0: must be greater than 0, : Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified]');
    const bad = await api(sb.id, "GET", `${PODS}/counter/log?tailLines=ten`);
    expect([bad.status, bad.json.reason, bad.json.message]).toEqual([400, "BadRequest", 'strconv.ParseInt: parsing "ten": invalid syntax']);
    expect((await api(sb.id, "POST", `${PODS}/counter/log`, {})).status).toBe(405);
  });

  it("a read-only link reads logs", async () => {
    const res = await api(sb.readOnlyId, "GET", `${PODS}/counter/log?tailLines=1`);
    expect([res.status, res.text]).toEqual([200, "line 9\n"]);
  });
});

describe("pods/log?follow=true", () => {
  it("sends new lines as the clock advances, and ends when the container exits", async () => {
    await create("three", { restartPolicy: "Never", ...loop("c", "for i in 1 2 3; do echo tick $i; sleep 5; done") });
    await clock(sb.id, { advanceSeconds: 2 });
    const res = await follow("three/log?follow=true");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-encoding")).toBe("identity");
    const r = reading(res);
    await r.waitFor((t) => t === "tick 1\n");
    await clock(sb.id, { advanceSeconds: 5 });
    await r.waitFor((t) => t === "tick 1\ntick 2\n");
    expect(r.ended()).toBe(false);
    await clock(sb.id, { advanceSeconds: 20 });
    await r.done;
    expect(r.text()).toBe("tick 1\ntick 2\ntick 3\n");
  });

  it("follows a restarted container only to its end; -p follows nothing", async () => {
    await create("crash", loop("c", "echo up; sleep 4; exit 1"));
    await clock(sb.id, { advanceSeconds: 2 });
    const r = reading(await follow("crash/log?follow=true&timestamps=true"));
    await r.waitFor((t) => t.endsWith(" up\n"));
    await clock(sb.id, { advanceSeconds: 30 });
    await r.done;
    expect(r.text()).toMatch(/^\S+Z up\n$/);
    const prev = reading(await follow("crash/log?follow=true&previous=true"));
    await prev.done;
    expect(prev.text()).toBe("up\n");
  });

  it("ends when the pod is deleted", async () => {
    await create("gone", loop("c", "echo hi; sleep 3600"));
    await clock(sb.id, { advanceSeconds: 3 });
    const r = reading(await follow("gone/log?follow=true"));
    await r.waitFor((t) => t === "hi\n");
    expect((await api(sb.id, "DELETE", `${PODS}/gone`)).status).toBe(200);
    await clock(sb.id, { advanceSeconds: 40 });
    await r.done;
    expect(r.text()).toBe("hi\n");
  });

  it("with limitBytes, ends once that much was sent", async () => {
    const r = reading(await follow("counter/log?follow=true&tailLines=0&limitBytes=10"));
    await clock(sb.id, { advanceSeconds: 3 });
    await r.done;
    expect(r.text()).toHaveLength(10);
    expect(r.text()).toMatch(/^line \d+\nl/);
  });

  it("lines due while the clock runs arrive on their own (a timer at their wall time)", async () => {
    const own = await createSandbox();
    await clock(own.id, { paused: true });
    await create("counter", loop("count", 'i=0; while true; do echo "line $i"; i=$((i+1)); sleep 60; done'), own.id);
    await clock(own.id, { advanceSeconds: 5 });
    const r = reading(await follow("counter/log?follow=true", own.id));
    await r.waitFor((t) => t === "line 0\n");
    // One virtual hour per wall second: the next line (a virtual minute away) is due in ~17 ms.
    await clock(own.id, { paused: false, timeScale: 3600 });
    await r.waitFor((t) => t.startsWith("line 0\nline 1\nline 2\n"));
    await clock(own.id, { paused: true });
    await r.cancel();
  });

  it("a node whose kubelet is down cannot be asked", async () => {
    const own = await createSandbox();
    await clock(own.id, { paused: true });
    await create("web", loop("c", "echo hi; sleep 3600"), own.id);
    await clock(own.id, { advanceSeconds: 5 });
    const node = (await api(own.id, "GET", `${PODS}/web`)).json.spec.nodeName;
    const stop = await SELF.fetch(`${ORIGIN}/api/sandboxes/${own.id}/nodes/${node}/kubelet`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ running: false }) });
    expect(stop.status, await stop.text()).toBeLessThan(300);
    const ip = (await api(own.id, "GET", `/api/v1/nodes/${node}`)).json.status.addresses.find((a: { type: string }) => a.type === "InternalIP").address;
    const res = await api(own.id, "GET", `${PODS}/web/log?tailLines=5`);
    expect(res.status).toBe(500);
    expect(res.json.reason).toBeUndefined();
    expect(res.json.message).toBe(`Get "https://${ip}:10250/containerLogs/default/web/c?tailLines=5": dial tcp ${ip}:10250: connect: connection refused`);
  });
});
