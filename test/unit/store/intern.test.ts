// Structural sharing of stored objects (worker/store/intern.ts) and the store's paged load.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../../worker/resources/types";
import { Interner } from "../../../worker/store/intern";
import { ObjectStore } from "../../../worker/store/object-store";

const spec = () => ({ containers: [{ name: "web", image: "nginx:1.25", ports: [{ containerPort: 80 }], resources: {} }], tolerations: [{ key: "a", operator: "Exists" }] });

describe("Interner", () => {
  it("makes equal subtrees one object and leaves the JSON as it was", () => {
    const i = new Interner();
    const a = { spec: spec() };
    const b = { spec: spec() };
    const before = JSON.stringify(b);
    i.fields(a);
    i.fields(b);
    expect(b.spec).toBe(a.spec);
    expect(JSON.stringify(b)).toBe(before);
  });

  it("keeps apart what JSON tells apart: key order, null and a missing field, numbers and strings", () => {
    const i = new Interner();
    const pairs: [unknown, unknown][] = [
      [{ a: 1, b: 2 }, { b: 2, a: 1 }],
      [{ a: null }, {}],
      [{ a: 1 }, { a: "1" }],
      [["ab", "c"], ["a", "bc"]],
      [{ ab: "c" }, { a: "bc" }],
      [[1, 2], { 0: 1, 1: 2 }],
    ];
    for (const [x, y] of pairs) {
      const cx = i.value(x);
      const cy = i.value(y);
      expect(cx).not.toBe(cy);
      expect(JSON.stringify(cy)).toBe(JSON.stringify(y));
    }
  });

  it("shares subtrees of any size, and never merges unequal ones", () => {
    const i = new Interner();
    // Far more text than a key-per-subtree scheme could afford to build.
    const big = () => ({ labels: Object.fromEntries(Array.from({ length: 100 }, (_, n) => [`example.com/label-${n}`, `value number ${n} of a long list of labels`])) });
    const a = i.value(big());
    expect(i.value(big())).toBe(a);
    // Many small distinct nodes: whatever their hashes, each stays itself.
    const seen = new Map<unknown, string>();
    for (let n = 0; n < 5000; n++) {
      for (const v of [{ n }, [n], { n: String(n) }, [String(n), n], { [`k${n}`]: null }]) {
        const json = JSON.stringify(v);
        const c = i.value(v);
        expect(JSON.stringify(c)).toBe(json);
        const before = seen.get(c);
        if (before !== undefined) expect(before).toBe(json);
        seen.set(c, json);
      }
    }
  });

  it("shares the children of an object it does not share itself, and forgets only future sharing", () => {
    const i = new Interner();
    const shared = i.value({ app: "web" });
    const root = { metadata: { name: "x", labels: { app: "web" } } };
    i.fields(root.metadata, new Set(["name"]));
    expect(root.metadata.labels).toBe(shared);
    i.forget();
    expect(i.value({ app: "web" })).not.toBe(shared);
    expect(root.metadata.labels).toEqual({ app: "web" });
  });

  it("takes over from the version an object replaces every part equal to it, without its tables", () => {
    const i = new Interner();
    const prev = { spec: spec(), status: { phase: "Pending", conditions: [{ type: "Ready", status: "False" }, { type: "PodScheduled", status: "True" }] } };
    i.fields(prev);
    // The tables forgotten: sharing with the previous version does not depend on them.
    i.forget();
    const next = JSON.parse(JSON.stringify(prev));
    next.status.phase = "Running";
    next.status.conditions[0].status = "True";
    const json = JSON.stringify(next);
    i.fields(next, undefined, prev);
    expect(next.spec).toBe(prev.spec);
    expect(next.status).not.toBe(prev.status);
    expect(next.status.conditions).not.toBe(prev.status.conditions);
    expect(next.status.conditions[1]).toBe(prev.status.conditions[1]);
    expect(next.status.conditions[0]).not.toBe(prev.status.conditions[0]);
    expect(JSON.stringify(next)).toBe(json);
    // A field only one of them has, or an element more, makes the holder a new object.
    const extra = { spec: { ...JSON.parse(JSON.stringify(prev.spec)), hostname: "h" } };
    i.fields(extra, undefined, prev);
    expect(extra.spec).not.toBe(prev.spec);
    expect(extra.spec.containers).toBe(prev.spec.containers);
    const longer = { spec: JSON.parse(JSON.stringify(prev.spec)) };
    longer.spec.tolerations.push({ key: "b", operator: "Exists" });
    i.fields(longer, undefined, prev);
    expect(longer.spec.tolerations).not.toBe(prev.spec.tolerations);
    expect(longer.spec.tolerations[0]).toBe(prev.spec.tolerations[0]);
  });
});

async function newStore(): Promise<ObjectStore> {
  const id = `intern${Math.floor(Math.random() * 1e9).toString(36)}`;
  const store = new ObjectStore(env.DB, id);
  await store.commit([], { createRow: { readOnlyId: `ro-${id}`, ownerTokenHash: "x", createdAt: 0, options: "{}", clock: "{}", rngState: 1 } });
  return store;
}

const pod = (name: string): KubeObject => ({ apiVersion: "v1", kind: "Pod", metadata: { name, namespace: "default", uid: `uid-${name}`, labels: { app: "web" } }, spec: spec() });

describe("ObjectStore sharing and load", () => {
  it("stores equal subtrees of different objects as one, committed and loaded", async () => {
    const store = await newStore();
    await store.commit([pod("a"), pod("b")].map((object) => ({ type: "put" as const, resource: "/pods", object })));
    const [a, b] = store.list("/pods");
    expect(b.spec).toBe(a.spec);
    expect(b.metadata.labels).toBe(a.metadata.labels);
    expect(a.metadata.name).toBe("a");
    const fresh = new ObjectStore(env.DB, store.sandboxId);
    await fresh.load();
    const [fa, fb] = fresh.list("/pods");
    expect(fb.spec).toBe(fa.spec);
    expect(fresh.list("/pods")).toEqual(store.list("/pods"));
  });

  it("loads every object a page at a time, across resources and namespaces", async () => {
    const store = await newStore();
    const names = ["a", "b", "c", "d", "e"];
    await store.commit([
      ...names.map((n) => ({ type: "put" as const, resource: "/pods", object: pod(n) })),
      ...names.map((n) => ({ type: "put" as const, resource: "/configmaps", object: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: n, namespace: n < "c" ? "default" : "other" } } })),
    ]);
    const fresh = new ObjectStore(env.DB, store.sandboxId);
    fresh.loadPage = 3;
    await fresh.load();
    // The sandbox row, then four pages of three (the last one short).
    expect(fresh.stats.queries).toBe(1 + 4);
    expect(fresh.countAll()).toBe(10);
    for (const r of ["/pods", "/configmaps"]) expect(fresh.list(r)).toEqual(store.list(r));
    expect(fresh.resourceVersion).toBe(store.resourceVersion);
  });
});

describe("ObjectStore sorted lists", () => {
  it("keeps the lists it answered in key order through a batch of additions, replacements and deletions", async () => {
    const store = await newStore();
    const cm = (ns: string, name: string, v = "1"): KubeObject => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: ns }, data: { v } });
    const model = new Map<string, KubeObject>();
    const put = (o: KubeObject) => {
      model.set(`${o.metadata.namespace}/${o.metadata.name}`, o);
      return { type: "put" as const, resource: "/configmaps", object: o };
    };
    const del = (o: KubeObject) => {
      model.delete(`${o.metadata.namespace}/${o.metadata.name}`);
      return { type: "delete" as const, resource: "/configmaps", object: o };
    };
    const first = ["m", "c", "x", "a", "q"].flatMap((n) => [cm("ns-a", n), cm("ns-b", n)]);
    await store.commit(first.map(put));
    // Cached now: the lists of all objects and of each namespace.
    store.list("/configmaps");
    store.list("/configmaps", "ns-a");
    store.list("/configmaps", "ns-b");
    const batch = [
      ...Array.from({ length: 40 }, (_, i) => put(cm(i % 2 ? "ns-a" : "ns-b", `n${(i * 7919) % 97}`))),
      put(cm("ns-a", "m", "2")),
      del(cm("ns-b", "x")),
      del(cm("ns-a", "a")),
      put(cm("ns-c", "new")),
      put(cm("ns-a", "gone-again")),
      del(cm("ns-a", "gone-again")),
      del(cm("ns-b", "q")),
      put(cm("ns-b", "q", "back")),
    ];
    await store.commit(batch);
    const expected = (ns?: string) =>
      [...model.values()]
        .filter((o) => ns === undefined || o.metadata.namespace === ns)
        .map((o) => `${o.metadata.namespace}/${o.metadata.name}/${(o.data as { v: string }).v}`)
        .sort();
    const seen = (ns?: string) => store.list("/configmaps", ns).map((o) => `${o.metadata.namespace}/${o.metadata.name}/${(o.data as { v: string }).v}`);
    for (const ns of [undefined, "ns-a", "ns-b", "ns-c"]) expect(seen(ns)).toEqual(expected(ns));
  });
});
