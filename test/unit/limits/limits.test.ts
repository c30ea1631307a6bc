// The sandbox limits module: vars and defaults, the quota wording, the token buckets on an injected
// wall clock, the open-connection slots, and the file quota of a process's writes.
import { describe, expect, it } from "vitest";
import {
  createRefusal,
  DEFAULT_LIMITS,
  limitsFromEnv,
  objectBytesRefusal,
  RateLimiter,
  StreamSlots,
  TokenBucket,
  UNLIMITED,
  type SandboxLimits,
} from "../../../worker/sandbox/limits";
import { resolveImage, type CatalogImage } from "../../../worker/runtime/images";
import { layeredFs } from "../../../worker/runtime/fs";
import { resolveProgram } from "../../../worker/runtime/programs";
import { Shell } from "../../../worker/runtime/shell/interp";
import { NoSpace, Proc } from "../../../worker/runtime/shell/proc";
import { KubeError } from "../../../worker/api/status";

describe("limits from vars", () => {
  it("takes each var, keeps the default for a missing or malformed one, and 0 turns a limit off", () => {
    expect(limitsFromEnv({})).toEqual(DEFAULT_LIMITS);
    const l = limitsFromEnv({ MAX_PODS: "12", MAX_OBJECTS: "0", MAX_WATCHES: "two", RATE_CLIENT_RPS: "0.5", RATE_CLIENT_BURST: "3", RATE_SANDBOX_RPS: "1000" });
    expect(l.maxPods).toBe(12);
    expect(l.maxObjects).toBe(0);
    expect(l.maxWatches).toBe(DEFAULT_LIMITS.maxWatches);
    expect(l.clientRate).toEqual({ rps: 0.5, burst: 3 });
    // A rate above the default burst gets a burst of one second's worth.
    expect(l.sandboxRate).toEqual({ rps: 1000, burst: 1000 });
    // A log has to rotate somewhere: 0 keeps the kubelet's 10 MiB.
    expect(limitsFromEnv({ MAX_LOG_BYTES: "0" }).maxLogBytes).toBe(10 * 1024 * 1024);
  });

  it("the defaults leave room: a fresh sandbox is far from every count", () => {
    expect(DEFAULT_LIMITS.maxObjects).toBeGreaterThanOrEqual(10 * DEFAULT_LIMITS.maxPods);
    expect(DEFAULT_LIMITS.maxNodes).toBe(50);
  });
});

describe("quotas", () => {
  const limits: SandboxLimits = { ...UNLIMITED, maxObjects: 100, maxPods: 10, maxNodes: 3, maxObjectBytes: 1000 };
  const under = { objects: 50, pods: 9, nodes: 2, bytes: 500 };

  it("refuses the create that would go past a count, in the ResourceQuota admission plugin's words", () => {
    expect(createRefusal(limits, under, "", "pods", "/pods", "web")).toBeUndefined();
    const pods = createRefusal(limits, { ...under, pods: 10 }, "", "pods", "/pods", "web")!;
    expect(pods.toStatus()).toEqual({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: 'pods "web" is forbidden: exceeded quota: kubeplay-sandbox, requested: pods=1, used: pods=10, limited: pods=10',
      reason: "Forbidden",
      details: { name: "web", kind: "pods" },
      code: 403,
    });
    expect(createRefusal(limits, { ...under, nodes: 3 }, "", "nodes", "/nodes", "n4")?.message).toBe(
      'nodes "n4" is forbidden: exceeded quota: kubeplay-sandbox, requested: count/nodes=1, used: count/nodes=3, limited: count/nodes=3',
    );
    expect(createRefusal(limits, { ...under, objects: 100 }, "apps", "deployments", "apps/deployments", "web")?.message).toBe(
      'deployments.apps "web" is forbidden: exceeded quota: kubeplay-sandbox, requested: count/objects=1, used: count/objects=100, limited: count/objects=100',
    );
  });

  it("never counts the sandbox's internal records, and a limit of 0 is none", () => {
    expect(createRefusal(limits, { ...under, objects: 1000 }, "", "containers", "kubeplay.internal/containers", "x")).toBeUndefined();
    expect(createRefusal(UNLIMITED, { objects: 1e9, pods: 1e9, nodes: 1e9, bytes: 1e12 }, "", "pods", "/pods", "x")).toBeUndefined();
  });

  it("refuses a controller's create once the stored objects reach the object-bytes limit", () => {
    expect(createRefusal(limits, { ...under, bytes: 999 }, "", "pods", "/pods", "web-1")).toBeUndefined();
    expect(createRefusal(limits, { ...under, bytes: 1000 }, "", "pods", "/pods", "web-1")?.message).toBe(
      'pods "web-1" is forbidden: exceeded quota: kubeplay-sandbox, requested: kubeplay.dev/object-bytes=1, used: kubeplay.dev/object-bytes=1000, limited: kubeplay.dev/object-bytes=1000',
    );
  });

  it("measures a client's write on the object as stored: growth past the limit is refused, shrinking never", () => {
    const stored = new Map([["/configmaps|default|a", 400]]);
    const store = {
      resources: () => ["/configmaps", "kubeplay.internal/machines"],
      bytes: (r: string) => (r === "/configmaps" ? 900 : 1e9),
      storedSize: (r: string, ns: string, name: string) => stored.get(`${r}|${ns}|${name}`) ?? 0,
    };
    const cm = (name: string, size: number) => {
      const o = { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: "default" }, data: { v: "" } };
      o.data.v = "x".repeat(size - JSON.stringify(o).length);
      expect(JSON.stringify(o).length).toBe(size);
      return o;
    };
    // A new object of 100 bytes fits (900 + 100); of 101 it does not.
    expect(objectBytesRefusal(limits, store, "", "configmaps", "/configmaps", cm("b", 100))).toBeUndefined();
    expect(objectBytesRefusal(limits, store, "", "configmaps", "/configmaps", cm("b", 101))?.message).toBe(
      'configmaps "b" is forbidden: exceeded quota: kubeplay-sandbox, requested: kubeplay.dev/object-bytes=101, used: kubeplay.dev/object-bytes=900, limited: kubeplay.dev/object-bytes=1000',
    );
    // Replacing the 400-byte "a": what counts is its growth.
    expect(objectBytesRefusal(limits, store, "", "configmaps", "/configmaps", cm("a", 500))).toBeUndefined();
    expect(objectBytesRefusal(limits, store, "", "configmaps", "/configmaps", cm("a", 501))?.code).toBe(403);
    // Over the limit already, a write that does not grow passes; internal records and UNLIMITED are never measured.
    const full = { ...store, bytes: () => 5000 };
    expect(objectBytesRefusal(limits, full, "", "configmaps", "/configmaps", cm("a", 300))).toBeUndefined();
    expect(objectBytesRefusal(limits, full, "", "machines", "kubeplay.internal/machines", cm("m", 5000))).toBeUndefined();
    expect(objectBytesRefusal(UNLIMITED, full, "", "configmaps", "/configmaps", cm("z", 5000))).toBeUndefined();
  });
});

describe("rates", () => {
  it("a token bucket allows its burst, then one request per 1/rps seconds", () => {
    const b = new TokenBucket({ rps: 2, burst: 3 }, 0);
    for (let i = 0; i < 3; i++) {
      expect(b.wait(0)).toBe(0);
      b.take(0);
    }
    expect(b.wait(0)).toBe(500);
    expect(b.wait(499)).toBeCloseTo(1, 6);
    expect(b.wait(500)).toBe(0);
  });

  it("answers 429 with upstream's wording and an honest Retry-After; a refused request takes nothing", () => {
    let now = 1_000_000;
    const r = new RateLimiter({ ...UNLIMITED, sandboxRate: { rps: 10, burst: 100 }, clientRate: { rps: 0.25, burst: 2 } }, () => now);
    expect(r.admit("10.0.0.1")).toBeUndefined();
    expect(r.admit("10.0.0.1")).toBeUndefined();
    const refused = r.admit("10.0.0.1")!;
    expect(refused).toBeInstanceOf(KubeError);
    expect(refused.toStatus()).toEqual({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: "Too many requests, please try again later.",
      reason: "TooManyRequests",
      details: { retryAfterSeconds: 4 },
      code: 429,
    });
    // Another client, and the Worker's own requests (no address), have their own allowance.
    expect(r.admit("10.0.0.2")).toBeUndefined();
    expect(r.admit(undefined)).toBeUndefined();
    now += 4000;
    expect(r.admit("10.0.0.1")).toBeUndefined();
    expect(r.admit("10.0.0.1")?.details?.retryAfterSeconds).toBe(4);
  });

  it("the sandbox's bucket counts every client together", () => {
    const now = 0;
    const r = new RateLimiter({ ...UNLIMITED, sandboxRate: { rps: 1, burst: 3 } }, () => now);
    expect([r.admit("a"), r.admit("b"), r.admit(undefined)]).toEqual([undefined, undefined, undefined]);
    expect(r.admit("c")?.details?.retryAfterSeconds).toBe(1);
  });

  it("rates of 0 limit nothing", () => {
    const r = new RateLimiter(UNLIMITED, () => 0);
    for (let i = 0; i < 10_000; i++) expect(r.admit("a")).toBeUndefined();
  });
});

describe("open connections", () => {
  it("hands out slots up to the limit, answers 429 past it, and frees a slot once", () => {
    const slots = new StreamSlots({ ...UNLIMITED, maxWatches: 2, maxExecSessions: 1 });
    const a = slots.acquire("watch");
    slots.acquire("watch");
    let err: unknown;
    try {
      slots.acquire("watch");
    } catch (e) {
      err = e;
    }
    expect((err as KubeError).toStatus()).toMatchObject({
      code: 429,
      reason: "TooManyRequests",
      message: "Too many requests: this sandbox allows 2 open watches at a time; close one and try again",
      details: { retryAfterSeconds: 1 },
    });
    a();
    a();
    expect(slots.count("watch")).toBe(1);
    slots.acquire("watch");
    slots.acquire("exec");
    expect(() => slots.acquire("exec")).toThrow(/allows 1 open exec, attach and terminal sessions/);
  });
});

describe("files: a full disk", () => {
  const image = (resolveImage("busybox:1.36") as { image: CatalogImage }).image;
  function proc(free: number, files: Record<string, string> = {}): Proc {
    return new Proc({
      image,
      fs: layeredFs({ image: image.files, layer: files }),
      env: { PATH: "/bin" },
      startedAt: 0,
      hostname: "box",
      horizon: Infinity,
      resolve: (n) => resolveProgram(image, n),
      space: { free },
    });
  }

  it("a write that does not fit fails before anything is written; removing a file makes room", () => {
    const p = proc(10);
    p.writeFile("/data/a", "12345");
    expect(() => p.writeFile("/data/b", "123456")).toThrow(NoSpace);
    expect(p.readFile("/data/b")).toBeUndefined();
    // Replacing a file counts only what it grows by.
    p.writeFile("/data/a", "1234567890");
    p.removeFile("/data/a");
    p.writeFile("/data/c", "0123456789");
    expect(p.readFile("/data/c")).toBe("0123456789");
  });

  it("the shell says so and goes on: a redirection fails its command, a program reports it in its words", () => {
    const p = proc(8, { "/src": "0123456789" });
    const sh = new Shell(p, "sh");
    let err = "";
    const io = { stdin: "", out: () => undefined, err: (t: string) => void (err += t) };
    expect(sh.runScript("echo 0123456789 > /data/big; echo $?; echo ok > /data/small", io)).toBe(0);
    expect(err).toBe("sh: write error: No space left on device\n");
    expect(p.readFile("/data/small")).toBe("ok\n");
    err = "";
    expect(sh.runScript("cp /src /data/copy", io)).toBe(1);
    expect(err).toBe("cp: write error: No space left on device\n");
  });
});
