import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Sandbox } from "../../worker/sandbox/sandbox-do";
import { api, createSandbox, deployment, pod } from "./helpers";

const PODS = "/api/v1/namespaces/default/pods";
const DEPLOYS = "/apis/apps/v1/namespaces/default/deployments";
const MERGE = { "content-type": "application/merge-patch+json" };
const TABLE = { accept: "application/json;as=Table;v=v1;g=meta.k8s.io,application/json" };

/** Drops the Durable Object's in-memory state, as an eviction or restart would. */
async function restart(id: string): Promise<void> {
  const stub = env.SANDBOX.get(env.SANDBOX.idFromName(id)) as unknown as DurableObjectStub<Sandbox>;
  await runInDurableObject<Sandbox, void>(stub, async (instance) => {
    await instance.settle();
    (instance as unknown as { loaded?: unknown }).loaded = undefined;
  });
}

describe("object lifecycle", () => {
  it("stamps uid, creationTimestamp, resourceVersion and generation; bumps generation on spec changes only", async () => {
    const sb = await createSandbox();
    const created = await api(sb.id, "POST", DEPLOYS, deployment("web"));
    expect(created.status).toBe(201);
    const m = created.json.metadata;
    expect(m.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(m.generation).toBe(1);
    expect(Number(m.resourceVersion)).toBeGreaterThan(0);
    const labelled = await api(sb.id, "PATCH", `${DEPLOYS}/web`, { metadata: { labels: { x: "y" } } }, MERGE);
    expect(labelled.json.metadata.generation).toBe(1);
    expect(Number(labelled.json.metadata.resourceVersion)).toBeGreaterThan(Number(m.resourceVersion));
    const scaled = await api(sb.id, "PATCH", `${DEPLOYS}/web`, { spec: { replicas: 4 } }, MERGE);
    expect(scaled.json.metadata.generation).toBe(2);
    // A status write does not touch the spec or the generation; a spec write does not touch status.
    const status = await api(sb.id, "PATCH", `${DEPLOYS}/web/status`, { status: { replicas: 3 }, spec: { replicas: 9 } }, MERGE);
    expect(status.json.status.replicas).toBe(3);
    expect(status.json.spec.replicas).toBe(4);
    expect(status.json.metadata.generation).toBe(2);
    // Meanwhile the deployment controller has reported its 4 pods again; the spec write leaves that alone.
    const overwrite = await api(sb.id, "PATCH", `${DEPLOYS}/web`, { status: { replicas: 0 } }, MERGE);
    expect(overwrite.json.status.replicas).toBe(4);
  });

  it("does not write when an update changes nothing", async () => {
    const sb = await createSandbox();
    const created = await api(sb.id, "POST", PODS, pod("same"));
    const again = await api(sb.id, "PUT", `${PODS}/same`, created.json);
    expect(again.status).toBe(200);
    expect(again.json.metadata.resourceVersion).toBe(created.json.metadata.resourceVersion);
  });

  it("answers 409 Conflict for a stale resourceVersion and 409 AlreadyExists for a duplicate", async () => {
    const sb = await createSandbox();
    const created = await api(sb.id, "POST", PODS, pod("p"));
    await api(sb.id, "PATCH", `${PODS}/p`, { metadata: { labels: { v: "2" } } }, MERGE);
    const stale = await api(sb.id, "PUT", `${PODS}/p`, created.json);
    expect(stale.status).toBe(409);
    expect(stale.json.reason).toBe("Conflict");
    expect(stale.json.message).toBe(
      'Operation cannot be fulfilled on pods "p": the object has been modified; please apply your changes to the latest version and try again',
    );
    const dup = await api(sb.id, "POST", PODS, pod("p"));
    expect(dup.status).toBe(409);
    expect(dup.json).toMatchObject({ reason: "AlreadyExists", message: 'pods "p" already exists', details: { name: "p", kind: "pods" } });
  });

  it("generates names from generateName", async () => {
    const sb = await createSandbox();
    const res = await api(sb.id, "POST", PODS, { ...pod(""), metadata: { generateName: "web-" } });
    expect(res.status).toBe(201);
    expect(res.json.metadata.name).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });

  it("honours dryRun=All on every verb without storing anything", async () => {
    const sb = await createSandbox();
    const dry = await api(sb.id, "POST", `${PODS}?dryRun=All`, pod("ghost"));
    expect(dry.status).toBe(201);
    expect(dry.json.metadata.uid).toBeTruthy();
    expect((await api(sb.id, "GET", `${PODS}/ghost`)).status).toBe(404);
    await api(sb.id, "POST", PODS, pod("real"));
    const patch = await api(sb.id, "PATCH", `${PODS}/real?dryRun=All`, { metadata: { labels: { a: "b" } } }, MERGE);
    expect(patch.json.metadata.labels.a).toBe("b");
    expect((await api(sb.id, "GET", `${PODS}/real`)).json.metadata.labels.a).toBeUndefined();
    expect((await api(sb.id, "DELETE", `${PODS}/real?dryRun=All`)).status).toBe(200);
    expect((await api(sb.id, "GET", `${PODS}/real`)).status).toBe(200);
    expect((await api(sb.id, "POST", `${PODS}?dryRun=Some`, pod("x"))).status).toBe(400);
  });

  it("applies pod defaults like the apiserver", async () => {
    const sb = await createSandbox();
    const res = await api(sb.id, "POST", PODS, pod("d"));
    const spec = res.json.spec;
    expect(spec.restartPolicy).toBe("Always");
    expect(spec.dnsPolicy).toBe("ClusterFirst");
    expect(spec.terminationGracePeriodSeconds).toBe(30);
    expect(spec.containers[0].imagePullPolicy).toBe("IfNotPresent");
    expect(spec.containers[0].terminationMessagePath).toBe("/dev/termination-log");
    expect(res.json.status).toEqual({ phase: "Pending", qosClass: "BestEffort" });
  });
});

describe("lists, selectors and tables", () => {
  it("filters by label and field selectors and pages with limit/continue", async () => {
    const sb = await createSandbox();
    for (const n of ["a", "b", "c", "d"]) await api(sb.id, "POST", PODS, { ...pod(n), metadata: { name: n, labels: { tier: n < "c" ? "fe" : "be" } } });
    const fe = await api(sb.id, "GET", `${PODS}?labelSelector=${encodeURIComponent("tier in (fe)")}`);
    expect(fe.json.items.map((p: any) => p.metadata.name)).toEqual(["a", "b"]);
    expect(fe.json.kind).toBe("PodList");
    expect(fe.json.items[0].kind).toBeUndefined();
    const byName = await api(sb.id, "GET", `${PODS}?fieldSelector=metadata.name%3Dc`);
    expect(byName.json.items.map((p: any) => p.metadata.name)).toEqual(["c"]);
    const bad = await api(sb.id, "GET", `${PODS}?fieldSelector=spec.bogus%3D1`);
    expect(bad.status).toBe(400);
    const badLabel = await api(sb.id, "GET", `${PODS}?labelSelector=${encodeURIComponent("a in (")}`);
    expect(badLabel.status).toBe(400);
    const page1 = await api(sb.id, "GET", `${PODS}?limit=3`);
    expect(page1.json.items).toHaveLength(3);
    expect(page1.json.metadata.remainingItemCount).toBe(1);
    const page2 = await api(sb.id, "GET", `${PODS}?limit=3&continue=${encodeURIComponent(page1.json.metadata.continue)}`);
    expect(page2.json.items.map((p: any) => p.metadata.name)).toEqual(["d"]);
    expect(page2.json.metadata.continue).toBeUndefined();
    expect((await api(sb.id, "GET", `${PODS}?continue=garbage`)).status).toBe(400);
  });

  it("prints Tables with one cell per column and partial object metadata", async () => {
    const sb = await createSandbox();
    await api(sb.id, "POST", PODS, pod("t"));
    const res = await api(sb.id, "GET", PODS, undefined, TABLE);
    expect(res.json.kind).toBe("Table");
    expect(res.json.columnDefinitions.map((c: any) => c.name).slice(0, 5)).toEqual(["Name", "Ready", "Status", "Restarts", "Age"]);
    expect(res.json.rows[0].cells.length).toBe(res.json.columnDefinitions.length);
    expect(res.json.rows[0].cells.slice(0, 4)).toEqual(["t", "0/1", "Pending", "0"]);
    expect(res.json.rows[0].object.kind).toBe("PartialObjectMetadata");
    expect(res.json.rows[0].object.metadata.name).toBe("t");
  });

  it("serves the scale subresource", async () => {
    const sb = await createSandbox();
    await api(sb.id, "POST", DEPLOYS, deployment("s", 2));
    const scale = await api(sb.id, "GET", `${DEPLOYS}/s/scale`);
    expect(scale.json).toMatchObject({ kind: "Scale", apiVersion: "autoscaling/v1", spec: { replicas: 2 }, status: { selector: "app=s" } });
    const patched = await api(sb.id, "PATCH", `${DEPLOYS}/s/scale`, { spec: { replicas: 5 } }, MERGE);
    expect(patched.json.spec.replicas).toBe(5);
    expect((await api(sb.id, "GET", `${DEPLOYS}/s`)).json.spec.replicas).toBe(5);
    const negative = await api(sb.id, "PATCH", `${DEPLOYS}/s/scale`, { spec: { replicas: -1 } }, MERGE);
    expect(negative.status).toBe(422);
  });
});

describe("durability", () => {
  it("loses nothing acknowledged across a restart, and resourceVersions keep growing", async () => {
    const sb = await createSandbox();
    await api(sb.id, "POST", PODS, pod("keep"));
    const last = await api(sb.id, "PATCH", `${PODS}/keep`, { metadata: { labels: { n: "1" } } }, MERGE);
    await restart(sb.id);
    const after = await api(sb.id, "GET", `${PODS}/keep`);
    expect(after.json).toEqual(last.json);
    const next = await api(sb.id, "POST", "/api/v1/namespaces/default/configmaps", { metadata: { name: "n" } });
    expect(Number(next.json.metadata.resourceVersion)).toBeGreaterThan(Number(last.json.metadata.resourceVersion));
    // Each object is its own row.
    const rows = await env.DB.prepare("SELECT count(*) AS n FROM objects WHERE sandbox_id = ?").bind(sb.id).first<{ n: number }>();
    const list = await api(sb.id, "GET", "/api/v1/pods");
    expect(rows!.n).toBeGreaterThan(list.json.items.length);
  });

  it("answers 410 Expired to a watch from before a restart", async () => {
    const sb = await createSandbox();
    const created = await api(sb.id, "POST", PODS, pod("w"));
    await api(sb.id, "PATCH", `${PODS}/w`, { metadata: { labels: { n: "1" } } }, MERGE);
    await restart(sb.id);
    const res = await api(sb.id, "GET", `${PODS}?watch=true&resourceVersion=${created.json.metadata.resourceVersion}&timeoutSeconds=1`);
    expect(res.status).toBe(410);
    expect(res.json.reason).toBe("Expired");
  });
});

describe("watch", () => {
  it("replays changes after a resourceVersion and ends at timeoutSeconds", async () => {
    const sb = await createSandbox();
    const list = await api(sb.id, "GET", PODS);
    await api(sb.id, "POST", PODS, pod("w1"));
    await api(sb.id, "PATCH", `${PODS}/w1`, { metadata: { labels: { n: "1" } } }, MERGE);
    await api(sb.id, "DELETE", `${PODS}/w1`);
    const res = await api(sb.id, "GET", `${PODS}?watch=true&resourceVersion=${list.json.metadata.resourceVersion}&timeoutSeconds=1`);
    const events = res.text.trim().split("\n").map((l) => JSON.parse(l));
    expect(events.map((e) => e.type)).toEqual(["ADDED", "MODIFIED", "DELETED"]);
    expect(events[2].object.metadata.name).toBe("w1");
  });
});

describe("watch fan-out", () => {
  it("sends every open watch of an event its own filter's and format's bytes", async () => {
    const sb = await createSandbox();
    await api(sb.id, "POST", "/api/v1/namespaces", { metadata: { name: "fan" } });
    const stub = env.SANDBOX.get(env.SANDBOX.idFromName(sb.id)) as unknown as DurableObjectStub<Sandbox>;
    const watchers = () => runInDurableObject<Sandbox, number>(stub, async (i) => (i as unknown as { loaded: { store: { watcherCount: number } } }).loaded.store.watcherCount);
    const before = await watchers();
    const FAN = "/api/v1/namespaces/fan/pods";
    const open = [
      api(sb.id, "GET", `${FAN}?watch=true&timeoutSeconds=1`),
      api(sb.id, "GET", `${FAN}?watch=true&timeoutSeconds=1`),
      api(sb.id, "GET", `${FAN}?watch=true&labelSelector=app%3Dother&timeoutSeconds=1`),
      api(sb.id, "GET", `${FAN}?watch=true&timeoutSeconds=1`, undefined, TABLE),
    ];
    // The events must reach them live, not from the replay of history.
    while ((await watchers()) < before + open.length) await new Promise((r) => setTimeout(r, 10));
    const pending = (name: string) => ({ ...pod(name), spec: { schedulerName: "none", containers: [{ name: "c", image: "nginx" }] } });
    await api(sb.id, "POST", FAN, pending("a"));
    await api(sb.id, "POST", FAN, pending("b"));
    const [plain1, plain2, other, table] = await Promise.all(open);
    const expected = [];
    for (const name of ["a", "b"]) expected.push(JSON.stringify({ type: "ADDED", object: (await api(sb.id, "GET", `${FAN}/${name}`)).json }));
    expect(plain1.text).toBe(expected.join("\n") + "\n");
    expect(plain2.text).toBe(plain1.text);
    expect(other.text).toBe("");
    const rows = table.text.trim().split("\n").map((l) => JSON.parse(l));
    expect(rows.map((e) => [e.type, e.object.kind, e.object.rows[0].cells[0]])).toEqual([
      ["ADDED", "Table", "a"],
      ["ADDED", "Table", "b"],
    ]);
    // Column definitions come with the first event only, as upstream's watch sends them.
    expect(rows[0].object.columnDefinitions.length).toBeGreaterThan(0);
    expect(rows[1].object.columnDefinitions).toBeNull();
  });
});

describe("deletion", () => {
  it("keeps a namespace Terminating until its content is gone, then removes it", async () => {
    const sb = await createSandbox();
    await api(sb.id, "POST", "/api/v1/namespaces", { metadata: { name: "tmp" } });
    await api(sb.id, "POST", "/api/v1/namespaces/tmp/pods", pod("inside"));
    // A finalizer nobody removes holds the content, and so the namespace.
    await api(sb.id, "POST", "/api/v1/namespaces/tmp/configmaps", { metadata: { name: "held", finalizers: ["example.com/hold"] } });
    const del = await api(sb.id, "DELETE", "/api/v1/namespaces/tmp");
    expect(del.json.status.phase).toBe("Terminating");
    await restart(sb.id); // waits for the controllers to settle first
    expect((await api(sb.id, "GET", "/api/v1/namespaces/tmp/pods/inside")).status).toBe(404);
    const held = await api(sb.id, "GET", "/api/v1/namespaces/tmp/configmaps/held");
    expect(held.json.metadata.deletionTimestamp).toBeTruthy();
    const ns = await api(sb.id, "GET", "/api/v1/namespaces/tmp");
    expect(ns.json.status.phase).toBe("Terminating");
    const refused = await api(sb.id, "POST", "/api/v1/namespaces/tmp/configmaps", { metadata: { name: "late" } });
    expect(refused.status).toBe(403);
    expect(refused.json.message).toBe('configmaps "late" is forbidden: unable to create new content in namespace tmp because it is being terminated');
    await api(sb.id, "PATCH", "/api/v1/namespaces/tmp/configmaps/held", { metadata: { finalizers: null } }, MERGE);
    expect((await api(sb.id, "GET", "/api/v1/namespaces/tmp/configmaps/held")).status).toBe(404);
    await restart(sb.id);
    expect((await api(sb.id, "GET", "/api/v1/namespaces/tmp")).status).toBe(404);
  });

  it("refuses to delete the built-in namespaces", async () => {
    const sb = await createSandbox();
    for (const ns of ["default", "kube-system", "kube-public", "kube-node-lease"]) {
      const res = await api(sb.id, "DELETE", `/api/v1/namespaces/${ns}`);
      expect(res.status).toBe(403);
      expect(res.json.message).toBe(`namespaces "${ns}" is forbidden: this namespace may not be deleted`);
    }
  });

  it("cascades through ownerReferences: background, foreground and orphan", async () => {
    const sb = await createSandbox();
    const owner = async (name: string) => (await api(sb.id, "POST", "/api/v1/namespaces/default/configmaps", { metadata: { name } })).json;
    const dependent = (name: string, o: any) =>
      api(sb.id, "POST", "/api/v1/namespaces/default/configmaps", {
        metadata: { name, ownerReferences: [{ apiVersion: "v1", kind: "ConfigMap", name: o.metadata.name, uid: o.metadata.uid, blockOwnerDeletion: true }] },
      });
    const bg = await owner("bg");
    await dependent("bg-child", bg);
    const fg = await owner("fg");
    await dependent("fg-child", fg);
    const or = await owner("or");
    await dependent("or-child", or);
    await api(sb.id, "DELETE", "/api/v1/namespaces/default/configmaps/bg", { propagationPolicy: "Background" });
    const fgDel = await api(sb.id, "DELETE", "/api/v1/namespaces/default/configmaps/fg", { propagationPolicy: "Foreground" });
    expect(fgDel.json.metadata.finalizers).toEqual(["foregroundDeletion"]);
    await api(sb.id, "DELETE", "/api/v1/namespaces/default/configmaps/or", { propagationPolicy: "Orphan" });
    await restart(sb.id);
    const names = (await api(sb.id, "GET", "/api/v1/namespaces/default/configmaps")).json.items.map((c: any) => c.metadata.name);
    expect(names).toEqual(["kube-root-ca.crt", "or-child"]);
    const orphan = await api(sb.id, "GET", "/api/v1/namespaces/default/configmaps/or-child");
    expect(orphan.json.metadata.ownerReferences).toBeUndefined();
  });

  it("finds an owner by its kind, name and uid, as the garbage collector verifies one", async () => {
    const sb = await createSandbox();
    const cm = (await api(sb.id, "POST", "/api/v1/namespaces/default/configmaps", { metadata: { name: "owner" } })).json;
    const dependent = (name: string, ref: Record<string, unknown>) =>
      api(sb.id, "POST", "/api/v1/namespaces/default/configmaps", { metadata: { name, ownerReferences: [{ apiVersion: "v1", kind: "ConfigMap", name: "owner", uid: cm.metadata.uid, ...ref }] } });
    await dependent("kept", {});
    // The owner's uid under another name or another kind: no such owner.
    await dependent("wrong-name", { name: "someone-else" });
    await dependent("wrong-kind", { kind: "Secret" });
    // A kind the API does not serve is not looked up by name: its uid is looked for instead.
    await dependent("unserved-kind", { apiVersion: "example.com/v1", kind: "Widget", name: "w" });
    const names = (await api(sb.id, "GET", "/api/v1/namespaces/default/configmaps")).json.items.map((c: any) => c.metadata.name);
    expect(names).toEqual(["kept", "kube-root-ca.crt", "owner", "unserved-kind"]);
  });

  it("checks delete preconditions", async () => {
    const sb = await createSandbox();
    const created = await api(sb.id, "POST", PODS, pod("pre"));
    const res = await api(sb.id, "DELETE", `${PODS}/pre`, { preconditions: { uid: "not-it" } });
    expect(res.status).toBe(409);
    expect(res.json.message).toBe(`Operation cannot be fulfilled on pods "pre": Precondition failed: UID in precondition: not-it, UID in object meta: ${created.json.metadata.uid}`);
  });
});
