// The sandbox's limits through the Worker, each answered as the API server answers its own: 403
// exceeded quota (objects, pods, nodes), 429 with Retry-After (requests per second, watches, exec
// sessions), 413 (bodies), a full disk for files, rotation for logs — and the bounded catch-up of a
// month-long clock advance. Limits are set per sandbox on its Durable Object; the rate buckets get a
// wall clock the test moves by hand.
import { env, runInDurableObject, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Sandbox } from "../../worker/sandbox/sandbox-do";
import { limitsFromEnv, SandboxGuard, setSandboxLimits, type SandboxLimits } from "../../worker/sandbox/limits";
import type { ObjectStore } from "../../worker/store/object-store";
import { api, clock, createSandbox, deployment, ORIGIN, pod } from "./helpers";

const PODS = "/api/v1/namespaces/default/pods";
const CMS = "/api/v1/namespaces/default/configmaps";
const DEPLOYS = "/apis/apps/v1/namespaces/default/deployments";
const JSON_HEADERS = { "content-type": "application/json" };

/** Gives a sandbox's Durable Object other limits (and, for the rate buckets, a wall clock of the test's). */
async function setLimits(id: string, overrides: Partial<SandboxLimits>, now: () => number = () => Date.now()): Promise<SandboxLimits> {
  const stub = env.SANDBOX.get(env.SANDBOX.idFromName(id)) as unknown as DurableObjectStub<Sandbox>;
  const limits = { ...limitsFromEnv(env), ...overrides };
  await runInDurableObject<Sandbox, void>(stub, async (instance) => {
    await instance.settle();
    instance.guard = new SandboxGuard(limits, now);
    const loaded = (instance as unknown as { loaded?: { store: ObjectStore } }).loaded;
    if (loaded) setSandboxLimits(loaded.store, limits);
  });
  return limits;
}

async function service(id: string, method: string, path: string, body?: unknown) {
  const res = await SELF.fetch(`${ORIGIN}/api/sandboxes/${id}${path}`, { method, headers: JSON_HEADERS, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as any };
}

/** Lets a closed connection's clean-up run in the Durable Object (not a measure of time). */
const pause = () => new Promise((r) => setTimeout(r, 10));

async function count(id: string, path: string): Promise<number> {
  return ((await api(id, "GET", path)).json.items as unknown[]).length;
}

describe("object, pod and node quotas", () => {
  it("a pod past the pod limit is refused with 403 exceeded quota, and nothing of it is stored", async () => {
    const sb = await createSandbox();
    await clock(sb.id, { paused: true });
    const pods = await count(sb.id, "/api/v1/pods");
    await setLimits(sb.id, { maxPods: pods + 1 });
    expect((await api(sb.id, "POST", PODS, pod("a"))).status).toBe(201);
    const refused = await api(sb.id, "POST", PODS, pod("b"));
    expect(refused.status).toBe(403);
    expect(refused.json).toEqual({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: `pods "b" is forbidden: exceeded quota: kubeplay-sandbox, requested: pods=1, used: pods=${pods + 1}, limited: pods=${pods + 1}`,
      reason: "Forbidden",
      details: { name: "b", kind: "pods" },
      code: 403,
    });
    expect((await api(sb.id, "GET", `${PODS}/b`)).status).toBe(404);
    // A dry run is refused the same way (admission runs for it too); a pod deleted makes room.
    expect((await api(sb.id, "POST", `${PODS}?dryRun=All`, pod("b"))).status).toBe(403);
    expect((await api(sb.id, "DELETE", `${PODS}/a?gracePeriodSeconds=0`)).status).toBe(200);
    expect((await api(sb.id, "POST", PODS, pod("b"))).status).toBe(201);
  });

  it("a ReplicaSet stops at the pod limit and says why, in upstream's FailedCreate words", async () => {
    const sb = await createSandbox();
    const pods = await count(sb.id, "/api/v1/pods");
    await setLimits(sb.id, { maxPods: pods + 2 });
    expect((await api(sb.id, "POST", DEPLOYS, deployment("web", 4))).status).toBe(201);
    await clock(sb.id, { advanceSeconds: 10 });
    expect(await count(sb.id, "/api/v1/pods")).toBe(pods + 2);
    const rs = (await api(sb.id, "GET", "/apis/apps/v1/namespaces/default/replicasets")).json.items[0];
    const failure = rs.status.conditions.find((c: { type: string }) => c.type === "ReplicaFailure");
    expect(failure).toMatchObject({ status: "True", reason: "FailedCreate" });
    expect(failure.message).toMatch(new RegExp(`^pods "web-[a-z0-9]+-[a-z0-9]{5}" is forbidden: exceeded quota: kubeplay-sandbox, requested: pods=1, used: pods=${pods + 2}, limited: pods=${pods + 2}$`));
    const events = (await api(sb.id, "GET", "/api/v1/namespaces/default/events")).json.items as { reason: string; message: string }[];
    expect(events.find((e) => e.reason === "FailedCreate")?.message).toBe(`Error creating: ${failure.message}`);
    // Scaling down to what fits clears the failure.
    expect((await api(sb.id, "PATCH", `${DEPLOYS}/web`, { spec: { replicas: 2 } }, { "content-type": "application/merge-patch+json" })).status).toBe(200);
    await clock(sb.id, { advanceSeconds: 5 });
    const after = (await api(sb.id, "GET", "/apis/apps/v1/namespaces/default/replicasets")).json.items[0];
    expect((after.status.conditions ?? []).some((c: { type: string }) => c.type === "ReplicaFailure")).toBe(false);
  });

  it("a Job and a StatefulSet at the pod limit report FailedCreate in their controllers' words", async () => {
    const sb = await createSandbox();
    await clock(sb.id, { paused: true });
    const pods = await count(sb.id, "/api/v1/pods");
    await setLimits(sb.id, { maxPods: pods + 1 });
    const template = { spec: { restartPolicy: "Never", containers: [{ name: "c", image: "busybox:1.36", command: ["sleep", "60"] }] } };
    expect((await api(sb.id, "POST", "/apis/batch/v1/namespaces/default/jobs", { apiVersion: "batch/v1", kind: "Job", metadata: { name: "batch" }, spec: { parallelism: 2, completions: 2, template } })).status).toBe(201);
    await clock(sb.id, { advanceSeconds: 1 });
    expect(await count(sb.id, "/api/v1/pods")).toBe(pods + 1);
    const sts = { apiVersion: "apps/v1", kind: "StatefulSet", metadata: { name: "db" }, spec: { serviceName: "db", replicas: 1, selector: { matchLabels: { app: "db" } }, template: { metadata: { labels: { app: "db" } }, spec: { containers: [{ name: "c", image: "nginx" }] } } } };
    expect((await api(sb.id, "POST", "/apis/apps/v1/namespaces/default/statefulsets", sts)).status).toBe(201);
    await clock(sb.id, { advanceSeconds: 1 });
    const events = (await api(sb.id, "GET", "/api/v1/namespaces/default/events")).json.items as { reason: string; message: string; involvedObject: { name: string }; count: number }[];
    const failed = events.filter((e) => e.reason === "FailedCreate");
    const quota = `is forbidden: exceeded quota: kubeplay-sandbox, requested: pods=1, used: pods=${pods + 1}, limited: pods=${pods + 1}`;
    expect(failed.find((e) => e.involvedObject.name === "batch")?.message).toMatch(new RegExp(`^Error creating: pods "batch-[a-z0-9]{5}" ${quota}$`));
    expect(failed.find((e) => e.involvedObject.name === "db")?.message).toBe(`create Pod db-0 in StatefulSet db failed error: pods "db-0" ${quota}`);
    // Once in five minutes, not once per pass (which would keep the sandbox from settling).
    expect(failed.every((e) => e.count === 1)).toBe(true);
  });

  it("objects past the object limit are refused, by create and by server-side apply; a fresh sandbox is far below the default", async () => {
    const sb = await createSandbox();
    const info = await service(sb.id, "GET", "");
    expect(info.json.counts.objects).toBeLessThan(limitsFromEnv(env).maxObjects / 20);
    await clock(sb.id, { paused: true });
    const stub = env.SANDBOX.get(env.SANDBOX.idFromName(sb.id)) as unknown as DurableObjectStub<Sandbox>;
    const objects = await runInDurableObject<Sandbox, number>(stub, async (instance) => {
      const { apiObjectCount } = await import("../../worker/sandbox/limits");
      return apiObjectCount((instance as unknown as { loaded: { store: ObjectStore } }).loaded.store);
    });
    await setLimits(sb.id, { maxObjects: objects + 1 });
    expect((await api(sb.id, "POST", CMS, { metadata: { name: "one" } })).status).toBe(201);
    const refused = await api(sb.id, "POST", CMS, { metadata: { name: "two" } });
    expect(refused.status).toBe(403);
    expect(refused.json.message).toBe(`configmaps "two" is forbidden: exceeded quota: kubeplay-sandbox, requested: count/objects=1, used: count/objects=${objects + 1}, limited: count/objects=${objects + 1}`);
    const applied = await api(sb.id, "PATCH", `${CMS}/three?fieldManager=test`, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: three\n", { "content-type": "application/apply-patch+yaml" });
    expect(applied.status).toBe(403);
    expect(applied.json.reason).toBe("Forbidden");
    // Changing what exists is not a new object.
    expect((await api(sb.id, "PATCH", `${CMS}/one`, { data: { k: "v" } }, { "content-type": "application/merge-patch+json" })).status).toBe(200);
  });

  it("object bytes past MAX_OBJECT_BYTES are refused for creates, updates and patches, counted as D1 stores them, kept across a reload", async () => {
    const sb = await createSandbox();
    await clock(sb.id, { paused: true });
    const stub = env.SANDBOX.get(env.SANDBOX.idFromName(sb.id)) as unknown as DurableObjectStub<Sandbox>;
    const storedBytes = () =>
      runInDurableObject<Sandbox, number>(stub, async (instance) => {
        const { apiObjectBytes } = await import("../../worker/sandbox/limits");
        return apiObjectBytes((instance as unknown as { loaded: { store: ObjectStore } }).loaded.store);
      });
    // What the store counts is the JSON of the rows in D1.
    const rows = await env.DB.prepare("SELECT sum(length(body)) AS n FROM objects WHERE sandbox_id = ? AND resource NOT LIKE 'kubeplay.internal/%'").bind(sb.id).first<{ n: number }>();
    const before = await storedBytes();
    expect(before).toBe(rows!.n);
    // A fresh sandbox is far below the default.
    expect(before).toBeLessThan(limitsFromEnv(env).maxObjectBytes / 50);
    await setLimits(sb.id, { maxObjectBytes: before + 20_000 });
    const big = (name: string, n: number) => ({ metadata: { name }, data: { v: "x".repeat(n) } });
    expect((await api(sb.id, "POST", CMS, big("a", 15_000))).status).toBe(201);
    const refused = await api(sb.id, "POST", CMS, big("b", 10_000));
    expect(refused.status).toBe(403);
    expect(refused.json.reason).toBe("Forbidden");
    expect(refused.json.message).toMatch(/^configmaps "b" is forbidden: exceeded quota: kubeplay-sandbox, requested: kubeplay\.dev\/object-bytes=\d+, used: kubeplay\.dev\/object-bytes=\d+, limited: kubeplay\.dev\/object-bytes=\d+$/);
    expect((await api(sb.id, "GET", `${CMS}/b`)).status).toBe(404);
    // Growing "a" past the limit is refused; shrinking it is not, and makes room for "b".
    expect((await api(sb.id, "PATCH", `${CMS}/a`, { data: { v: "x".repeat(25_000) } }, { "content-type": "application/merge-patch+json" })).status).toBe(403);
    const current = (await api(sb.id, "GET", `${CMS}/a`)).json;
    expect((await api(sb.id, "PUT", `${CMS}/a`, { ...current, data: { v: "x".repeat(25_000) } })).status).toBe(403);
    expect((await api(sb.id, "PUT", `${CMS}/a`, { ...current, data: { v: "small" } })).status).toBe(200);
    expect((await api(sb.id, "POST", CMS, big("b", 10_000))).status).toBe(201);
    // A reload counts the same bytes from D1.
    const counted = await storedBytes();
    await runInDurableObject<Sandbox, void>(stub, async (instance) => {
      const loaded = (instance as unknown as { loaded: { store: ObjectStore } }).loaded;
      await loaded.store.load();
    });
    expect(await storedBytes()).toBe(counted);
    // Deleting always works.
    expect((await api(sb.id, "DELETE", `${CMS}/b`)).status).toBe(200);
    expect(await storedBytes()).toBeLessThan(counted - 10_000);
  });

  it("a node past the node limit is refused, added through the sandbox service or the API", async () => {
    const sb = await createSandbox();
    const nodes = await count(sb.id, "/api/v1/nodes");
    await setLimits(sb.id, { maxNodes: nodes });
    const added = await service(sb.id, "POST", "/nodes", { name: "k8s-node9" });
    expect(added).toEqual({ status: 403, json: { error: `nodes "k8s-node9" is forbidden: exceeded quota: kubeplay-sandbox, requested: count/nodes=1, used: count/nodes=${nodes}, limited: count/nodes=${nodes}` } });
    const created = await api(sb.id, "POST", "/api/v1/nodes", { apiVersion: "v1", kind: "Node", metadata: { name: "k8s-node9" } });
    expect(created.status).toBe(403);
    expect(await count(sb.id, "/api/v1/nodes")).toBe(nodes);
  });
});

describe("request rates", () => {
  it("past the sandbox's burst: 429 with Retry-After and retryAfterSeconds, until the bucket refills", async () => {
    const sb = await createSandbox();
    let now = 1_000_000;
    await setLimits(sb.id, { sandboxRate: { rps: 0.5, burst: 3 }, clientRate: { rps: 0, burst: 0 } }, () => now);
    for (let i = 0; i < 3; i++) expect((await api(sb.id, "GET", PODS)).status).toBe(200);
    const refused = await api(sb.id, "POST", CMS, { metadata: { name: "late" } });
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("2");
    expect(refused.json).toEqual({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: "Too many requests, please try again later.",
      reason: "TooManyRequests",
      details: { retryAfterSeconds: 2 },
      code: 429,
    });
    // A refused write wrote nothing.
    now += 2000;
    expect((await api(sb.id, "GET", `${CMS}/late`)).status).toBe(404);
    expect((await api(sb.id, "GET", PODS)).status).toBe(429);
    now += 2000;
    expect((await api(sb.id, "POST", CMS, { metadata: { name: "late" } })).status).toBe(201);
  });

  it("the service's node shell and node operations draw on the sandbox's budget; its reads and the clock do not", async () => {
    const sb = await createSandbox();
    let now = 1_000_000;
    await setLimits(sb.id, { sandboxRate: { rps: 0.5, burst: 2 }, clientRate: { rps: 0, burst: 0 } }, () => now);
    expect((await service(sb.id, "POST", "/shell", { node: "k8s-master", command: "true" })).status).toBe(200);
    expect((await service(sb.id, "POST", "/shell", { node: "k8s-master", command: "true" })).status).toBe(200);
    expect((await service(sb.id, "POST", "/clock", { advanceSeconds: 1 })).status).toBe(200);
    for (const [path, body] of [["/shell", { node: "k8s-master", command: "touch /root/x" }], ["/nodes", { name: "k8s-node3" }], ["/nodes/k8s-node1/kubelet", { running: false }]] as const) {
      const refused = await service(sb.id, "POST", path, body);
      expect(refused.status, path).toBe(429);
      expect(refused.json).toEqual({ error: "Too many requests, please try again later." });
    }
    expect((await service(sb.id, "GET", "")).status).toBe(200);
    expect((await api(sb.id, "GET", "/api/v1/nodes/k8s-node3")).status).toBe(429);
    now += 2000;
    expect((await api(sb.id, "GET", "/api/v1/nodes/k8s-node3")).status).toBe(404);
    now += 2000;
    expect((await service(sb.id, "POST", "/shell", { node: "k8s-master", command: "ls /root/x" })).json.exitCode).not.toBe(0);
  });

  it("each client address has its own bucket within the sandbox; the Worker's own requests have none", async () => {
    const sb = await createSandbox();
    const now = 5_000_000;
    await setLimits(sb.id, { sandboxRate: { rps: 0, burst: 0 }, clientRate: { rps: 1, burst: 2 } }, () => now);
    const from = (ip: string) => api(sb.id, "GET", PODS, undefined, { "cf-connecting-ip": ip });
    expect((await from("203.0.113.7")).status).toBe(200);
    expect((await from("203.0.113.7")).status).toBe(200);
    const refused = await from("203.0.113.7");
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("1");
    expect((await from("198.51.100.2")).status).toBe(200);
    expect((await api(sb.id, "GET", PODS)).status).toBe(200);
  });

  it("the sandbox's own work is never limited: its controllers and kubelets go on while clients wait", async () => {
    const sb = await createSandbox();
    const now = 0;
    await setLimits(sb.id, { sandboxRate: { rps: 0.001, burst: 2 } }, () => now);
    expect((await api(sb.id, "POST", DEPLOYS, deployment("web", 3))).status).toBe(201);
    expect((await api(sb.id, "GET", PODS)).status).toBe(200);
    expect((await api(sb.id, "GET", PODS)).status).toBe(429);
    // Time passes (the sandbox service is not this limit's to count): the rollout completes.
    expect((await clock(sb.id, { advanceSeconds: 60 })).status).toBe(200);
    const stub = env.SANDBOX.get(env.SANDBOX.idFromName(sb.id)) as unknown as DurableObjectStub<Sandbox>;
    const ready = await runInDurableObject<Sandbox, number>(stub, async (instance) => {
      const store = (instance as unknown as { loaded: { store: ObjectStore } }).loaded.store;
      return ((store.get("apps/deployments", "default", "web")!.status as { readyReplicas?: number }).readyReplicas ?? 0);
    });
    expect(ready).toBe(3);
  });
});

describe("open connections", () => {
  it("watches past the limit get 429 with Retry-After; closing one frees its slot", async () => {
    const sb = await createSandbox();
    await setLimits(sb.id, { maxWatches: 2 });
    const open = async () => SELF.fetch(`${ORIGIN}/s/${sb.id}${CMS}?watch=1`);
    const a = await open();
    const b = await open();
    expect([a.status, b.status]).toEqual([200, 200]);
    const refused = await open();
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("1");
    expect(await refused.json()).toMatchObject({ reason: "TooManyRequests", code: 429, message: "Too many requests: this sandbox allows 2 open watches at a time; close one and try again", details: { retryAfterSeconds: 1 } });
    await a.body!.cancel();
    // The next event the watch would send finds its client gone.
    expect((await api(sb.id, "POST", CMS, { metadata: { name: "poke" } })).status).toBe(201);
    const stub = env.SANDBOX.get(env.SANDBOX.idFromName(sb.id)) as unknown as DurableObjectStub<Sandbox>;
    const counts = async () => runInDurableObject<Sandbox, number>(stub, async (instance) => instance.guard!.streams.count("watch"));
    for (let i = 0; i < 100 && (await counts()) > 1; i++) await pause();
    expect(await counts()).toBe(1);
    const c = await open();
    expect(c.status).toBe(200);
    await b.body!.cancel();
    await c.body!.cancel();
  });

  it("exec sessions and console terminals share one limit; a closed session frees its slot", async () => {
    const sb = await createSandbox();
    await setLimits(sb.id, { maxExecSessions: 1 });
    const terminal = () => SELF.fetch(`${ORIGIN}/s/${sb.id}/console/terminal`, { headers: { upgrade: "websocket" } });
    const first = await terminal();
    expect(first.status).toBe(101);
    const ws = first.webSocket!;
    ws.accept();
    const second = await terminal();
    expect(second.status).toBe(429);
    expect(await second.json()).toMatchObject({ reason: "TooManyRequests", message: "Too many requests: this sandbox allows 1 open exec, attach and terminal sessions at a time; close one and try again" });
    const q = new URLSearchParams([["command", "ls"], ["stdout", "true"]]);
    const exec = await SELF.fetch(`${ORIGIN}/s/${sb.id}/api/v1/namespaces/kube-system/pods/etcd-k8s-master/exec?${q}`, { headers: { upgrade: "websocket", "sec-websocket-protocol": "v5.channel.k8s.io" } });
    expect(exec.status).toBe(429);
    const closed = new Promise((resolve) => ws.addEventListener("close", resolve));
    ws.close(1000, "bye");
    await closed;
    const stub = env.SANDBOX.get(env.SANDBOX.idFromName(sb.id)) as unknown as DurableObjectStub<Sandbox>;
    const open = async () => runInDurableObject<Sandbox, number>(stub, async (instance) => instance.guard!.streams.count("exec"));
    for (let i = 0; i < 100 && (await open()) > 0; i++) await pause();
    expect(await open()).toBe(0);
    const third = await terminal();
    expect(third.status).toBe(101);
    third.webSocket!.accept();
    third.webSocket!.close(1000, "bye");
  });
});

describe("request bodies", () => {
  it("a body over MAX_BODY_BYTES is refused with 413 before it reaches the sandbox", async () => {
    const sb = await createSandbox();
    const limit = Number(env.MAX_BODY_BYTES);
    const res = await api(sb.id, "POST", CMS, JSON.stringify({ metadata: { name: "big" }, data: { k: "x".repeat(limit) } }));
    expect(res.status).toBe(413);
    expect(res.json).toMatchObject({ reason: "RequestEntityTooLarge", message: `Request entity too large: limit is ${limit}` });
  });
});

describe("files", () => {
  async function shell(id: string, node: string, command: string) {
    return (await service(id, "POST", "/shell", { node, command })).json as { stdout: string; stderr: string; exitCode: number };
  }

  it("writes past MAX_VOLUME_BYTES fail like a full disk, on a node and in a container; deleting makes room", async () => {
    const sb = await createSandbox();
    await setLimits(sb.id, { maxVolumeBytes: 1000 });
    const bytes = (n: number) => "x".repeat(n - 1);
    expect(await shell(sb.id, "k8s-node1", `echo ${bytes(600)} > /data/a && echo ok`)).toEqual({ stdout: "ok\n", stderr: "", exitCode: 0 });
    const full = await shell(sb.id, "k8s-node1", `echo ${bytes(500)} > /data/b; echo $?; wc -c < /data/b`);
    expect(full).toEqual({ stdout: "1\n0\n", stderr: "bash: write error: No space left on device\n", exitCode: 0 });
    expect((await shell(sb.id, "k8s-node1", "cp /data/a /data/c")).stderr).toBe("cp: error writing '/data/c': No space left on device\n");
    // The space is the sandbox's, not the node's.
    expect((await shell(sb.id, "k8s-node2", `echo ${bytes(600)} > /data/d`)).exitCode).toBe(1);
    expect(await shell(sb.id, "k8s-node1", `rm /data/a && echo ${bytes(600)} > /data/b && wc -c < /data/b`)).toEqual({ stdout: "600\n", stderr: "", exitCode: 0 });

    // exec into a container writes its layer and emptyDir from the same space: through the console's kubectl.
    expect((await api(sb.id, "POST", PODS, { apiVersion: "v1", kind: "Pod", metadata: { name: "box" }, spec: { containers: [{ name: "c", image: "busybox:1.36", command: ["sleep", "infinity"], volumeMounts: [{ name: "scratch", mountPath: "/scratch" }] }], volumes: [{ name: "scratch", emptyDir: {} }] } })).status).toBe(201);
    await clock(sb.id, { advanceSeconds: 10 });
    const run = async (command: string) => {
      const res = await SELF.fetch(`${ORIGIN}/s/${sb.id}/console/run`, { method: "POST", headers: JSON_HEADERS, body: JSON.stringify({ command }) });
      return (await res.json()) as { stdout: string; stderr: string; exitCode: number };
    };
    const ok = await run(`kubectl exec box -- sh -c 'echo ${bytes(300)} > /scratch/x && echo stored'`);
    expect(ok).toMatchObject({ stdout: "stored\n", exitCode: 0 });
    const nospace = await run(`kubectl exec box -- sh -c 'echo ${bytes(300)} > /tmp/y; echo $?'`);
    expect(nospace.stdout).toBe("1\n");
    expect(nospace.stderr).toBe("sh: write error: No space left on device\n");
    // As on a full disk, the file was created but holds nothing.
    expect(await run("kubectl exec box -- cat /tmp/y")).toMatchObject({ stdout: "", exitCode: 0 });
  });
});

describe("logs", () => {
  it("a container's log rotates at MAX_LOG_BYTES: only what was written since the last rotation is read", async () => {
    const sb = await createSandbox();
    await clock(sb.id, { paused: true });
    await api(sb.id, "POST", PODS, { apiVersion: "v1", kind: "Pod", metadata: { name: "counter" }, spec: { containers: [{ name: "c", image: "busybox:1.36", command: ["sh", "-c", 'i=0; while true; do echo "line $i"; i=$((i+1)); sleep 1; done'] }] } });
    await clock(sb.id, { advanceSeconds: 605 });
    // Each line is its text plus the runtime's 41 bytes of timestamp and stream: 1,000 bytes hold about 20.
    await setLimits(sb.id, { maxLogBytes: 1000 });
    const rotated = (await api(sb.id, "GET", `${PODS}/counter/log`)).text.split("\n").filter(Boolean);
    await setLimits(sb.id, {});
    const full = (await api(sb.id, "GET", `${PODS}/counter/log`)).text.split("\n").filter(Boolean);
    expect(full[0]).toBe("line 0");
    expect(full.length).toBeGreaterThan(500);
    expect(rotated.length).toBeGreaterThan(0);
    expect(rotated.length).toBeLessThan(40);
    expect(rotated).toEqual(full.slice(full.length - rotated.length));
  });
});

describe("catch-up after a month", () => {
  it("a */1 CronJob, 100 pods with probes and a crash loop: a 30-day advance costs a bounded number of passes and writes, and shows what upstream would", async () => {
    const sb = await createSandbox();
    await clock(sb.id, { paused: true });
    const cronjob = {
      apiVersion: "batch/v1",
      kind: "CronJob",
      metadata: { name: "tick" },
      spec: { schedule: "*/1 * * * *", jobTemplate: { spec: { template: { spec: { restartPolicy: "OnFailure", containers: [{ name: "c", image: "busybox:1.36", command: ["echo", "tick"] }] } } } } },
    };
    expect((await api(sb.id, "POST", "/apis/batch/v1/namespaces/default/cronjobs", cronjob)).status).toBe(201);
    const web = deployment("web", 100) as { spec: { template: { spec: { containers: Record<string, unknown>[] } } } };
    web.spec.template.spec.containers[0].readinessProbe = { httpGet: { path: "/", port: 80 }, periodSeconds: 5 };
    web.spec.template.spec.containers[0].livenessProbe = { httpGet: { path: "/", port: 80 }, periodSeconds: 10 };
    expect((await api(sb.id, "POST", DEPLOYS, web)).status).toBe(201);
    expect((await api(sb.id, "POST", PODS, { apiVersion: "v1", kind: "Pod", metadata: { name: "crash" }, spec: { containers: [{ name: "c", image: "busybox:1.36", command: ["sh", "-c", "exit 1"] }] } })).status).toBe(201);
    await clock(sb.id, { advanceSeconds: 120 });

    // Every Job created during the advance, as a watch sees them (a sentinel Job marks the end).
    const rv = (await api(sb.id, "GET", "/apis/batch/v1/namespaces/default/jobs")).json.metadata.resourceVersion;
    const watch = await SELF.fetch(`${ORIGIN}/s/${sb.id}/apis/batch/v1/namespaces/default/jobs?watch=1&resourceVersion=${rv}`);
    const before = (await service(sb.id, "GET", "/stats")).json;
    const t0 = Date.parse((await clock(sb.id, {})).json.now);
    const advanced = await clock(sb.id, { advanceSeconds: 30 * 86400 });
    expect(advanced.status).toBe(200);
    const after = (await service(sb.id, "GET", "/stats")).json;
    const now = Date.parse(advanced.json.now);
    expect(now - t0).toBe(30 * 86400_000);

    const sentinel = { apiVersion: "batch/v1", kind: "Job", metadata: { name: "zz-sentinel" }, spec: { suspend: true, template: { spec: { restartPolicy: "Never", containers: [{ name: "c", image: "busybox:1.36" }] } } } };
    expect((await api(sb.id, "POST", "/apis/batch/v1/namespaces/default/jobs", sentinel)).status).toBe(201);
    const created: string[] = [];
    const reader = watch.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buf = "";
    for (let done = false; !done; ) {
      const { value } = await reader.read();
      buf += value ?? "";
      let nl: number;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const ev = JSON.parse(buf.slice(0, nl)) as { type: string; object: { metadata: { name: string } } };
        buf = buf.slice(nl + 1);
        if (ev.type !== "ADDED") continue;
        if (ev.object.metadata.name === "zz-sentinel") done = true;
        else created.push(ev.object.metadata.name);
      }
    }
    await reader.cancel();

    // Upstream would have run 43,200 Jobs; here the first wake-ups and the last hour are replayed and the
    // month between costs one pass: a few dozen minutes' worth of Jobs plus the last hour's 60.
    expect(created.length).toBeGreaterThanOrEqual(60);
    expect(created.length).toBeLessThan(200);
    const minute = Math.floor(now / 60_000);
    const jobs = ((await api(sb.id, "GET", "/apis/batch/v1/namespaces/default/jobs")).json.items as { metadata: { name: string }; status: { succeeded?: number } }[]).filter((j) => j.metadata.name !== "zz-sentinel");
    // What a cluster that ran all month shows: the last three successful runs (successfulJobsHistoryLimit),
    // and this minute's if it is still running.
    const done = jobs.filter((j) => j.status.succeeded === 1).map((j) => j.metadata.name);
    const running = jobs.filter((j) => j.status.succeeded !== 1).map((j) => j.metadata.name);
    expect(running.length ? [...done.sort(), ...running] : done.sort()).toEqual(
      (running.length ? [minute - 3, minute - 2, minute - 1, minute] : [minute - 2, minute - 1, minute]).map((m) => `tick-${m}`),
    );
    const cj = (await api(sb.id, "GET", "/apis/batch/v1/namespaces/default/cronjobs/tick")).json;
    expect(Date.parse(cj.status.lastScheduleTime)).toBe(minute * 60_000);

    const podsNow = (await api(sb.id, "GET", PODS)).json.items as { metadata: { name: string; labels?: Record<string, string> }; status: { containerStatuses?: { ready: boolean; restartCount: number; state: Record<string, { reason?: string }> }[] } }[];
    const webPods = podsNow.filter((p) => p.metadata.labels?.app === "web");
    expect(webPods).toHaveLength(100);
    expect(webPods.every((p) => p.status.containerStatuses?.[0].ready && p.status.containerStatuses[0].restartCount === 0)).toBe(true);
    const crash = podsNow.find((p) => p.metadata.name === "crash")!.status.containerStatuses![0];
    expect(crash.restartCount).toBeGreaterThan((30 * 86400) / 300 - 20);
    expect(crash.restartCount).toBeLessThan((30 * 86400) / 300 + 20);
    expect(crash.state.waiting?.reason).toBe("CrashLoopBackOff");

    // The cost: bounded whatever the length of the gap (replaying the month would be ~43,000 Jobs, each a dozen writes).
    const passes = after.engine.passes - before.engine.passes;
    const rows = after.store.rowsWritten - before.store.rowsWritten;
    expect(after.engine.stops - before.engine.stops).toBeLessThanOrEqual(1000);
    expect(passes).toBeLessThan(3000);
    expect(rows).toBeLessThan(10_000);
    expect(after.engine.skippedMs - before.engine.skippedMs).toBeGreaterThan(29 * 86400_000);
  }, 180_000);
});
