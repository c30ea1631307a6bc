import { SELF, env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { api, clock, createSandbox, ORIGIN, pod } from "./helpers";

describe("sandbox service", () => {
  it("creates a sandbox with unguessable ids and the default cluster", async () => {
    const sb = await createSandbox();
    expect(sb.id).toMatch(/^[a-z2-7]{26}$/);
    expect(sb.readOnlyId).toMatch(/^ro-[a-z2-7]{26}$/);
    expect(sb.url).toBe(`${ORIGIN}/s/${sb.id}`);
    expect(sb.kubeconfigUrl).toBe(`${ORIGIN}/s/${sb.id}/kubeconfig`);
    expect(sb.ownerToken.length).toBeGreaterThanOrEqual(43);
    const nodes = await api(sb.id, "GET", "/api/v1/nodes");
    expect(nodes.json.items.map((n: any) => n.metadata.name)).toEqual(["k8s-master", "k8s-node1", "k8s-node2"]);
    expect(nodes.json.items[0].spec.taints).toEqual([{ key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" }]);
    const ns = await api(sb.id, "GET", "/api/v1/namespaces");
    expect(ns.json.items.map((n: any) => n.metadata.name)).toEqual(["default", "ingress-nginx", "kube-node-lease", "kube-public", "kube-system"]);
    const svc = await api(sb.id, "GET", "/api/v1/namespaces/default/services/kubernetes");
    expect(svc.json.spec.clusterIP).toBe("10.96.0.1");
    // The owner token is never stored in clear.
    const row = await env.DB.prepare("SELECT owner_token_hash FROM sandboxes WHERE id = ?").bind(sb.id).first<{ owner_token_hash: string }>();
    expect(row?.owner_token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(row?.owner_token_hash).not.toContain(sb.ownerToken);
  });

  it("honours the node list of the create request", async () => {
    const sb = await createSandbox({ nodes: [{ name: "cp", controlPlane: true }, { name: "w1", labels: { disk: "ssd" } }] });
    const nodes = await api(sb.id, "GET", "/api/v1/nodes");
    expect(nodes.json.items.map((n: any) => n.metadata.name)).toEqual(["cp", "w1"]);
    expect(nodes.json.items[1].metadata.labels.disk).toBe("ssd");
    expect(nodes.json.items[1].spec.taints).toBeUndefined();
  });

  it("rejects malformed create requests with 400", async () => {
    for (const body of ['{"nodes": 3}', '{"nodes": []}', '{"nodes":[{"name":"Bad_Name"}]}', '{"nodes":[{"name":"a"},{"name":"a"}]}', "{not json", "[1]"]) {
      const res = await SELF.fetch(`${ORIGIN}/api/sandboxes`, { method: "POST", body, headers: { "content-type": "application/json" } });
      expect(res.status, body).toBe(400);
      expect(((await res.json()) as { error: string }).error).toBeTruthy();
    }
  });

  it("serves a kubeconfig pointing at the sandbox URL", async () => {
    const sb = await createSandbox();
    const res = await SELF.fetch(sb.kubeconfigUrl);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain(`server: ${ORIGIN}/s/${sb.id}`);
    expect(text).toContain("kind: Config");
  });

  it("pings: a round trip, or streams that each get a line per POST (the benchmarks' fan-out floor)", async () => {
    const sb = await createSandbox();
    expect(await (await SELF.fetch(`${ORIGIN}/api/sandboxes/${sb.id}/ping`)).json()).toEqual({ ok: true });
    const streams = await Promise.all([0, 1, 2].map(() => SELF.fetch(`${ORIGIN}/api/sandboxes/${sb.id}/ping?watch=1`)));
    const readers = streams.map((r) => {
      expect(r.status).toBe(200);
      return r.body!.getReader();
    });
    const decoder = new TextDecoder();
    for (let round = 0; round < 2; round++) {
      expect(await (await SELF.fetch(`${ORIGIN}/api/sandboxes/${sb.id}/ping`, { method: "POST" })).json()).toEqual({ ok: true, streams: 3 });
      for (const r of readers) expect(decoder.decode((await r.read()).value)).toBe('{"ok":true}\n');
    }
    // A stream ended by its client is forgotten.
    await readers[0].cancel();
    let left = 3;
    for (let i = 0; i < 10 && left !== 2; i++) left = ((await (await SELF.fetch(`${ORIGIN}/api/sandboxes/${sb.id}/ping`, { method: "POST" })).json()) as { streams: number }).streams;
    expect(left).toBe(2);
    for (const r of readers.slice(1)) await r.cancel();
    // Each stream holds one of the sandbox's watch slots (MAX_WATCHES, 100).
    const held = [];
    for (let i = 0; i < 100; i++) {
      const r = await SELF.fetch(`${ORIGIN}/api/sandboxes/${sb.id}/ping?watch=1`);
      if (r.status !== 200) break;
      held.push(r.body!.getReader());
    }
    const refused = await SELF.fetch(`${ORIGIN}/api/sandboxes/${sb.id}/ping?watch=1`);
    expect(held.length >= 98 && refused.status).toBe(429);
    for (const r of held) await r.cancel();
    expect((await SELF.fetch(`${ORIGIN}/api/sandboxes/${"a".repeat(26)}/ping?watch=1`)).status).toBe(404);
    expect((await SELF.fetch(`${ORIGIN}/api/sandboxes/${"a".repeat(26)}/ping`, { method: "POST" })).status).toBe(404);
  });

  it("pings with a payload: a body left with the sandbox, answered after the round trip (the large-answer floor)", async () => {
    const sb = await createSandbox();
    const url = `${ORIGIN}/api/sandboxes/${sb.id}/ping`;
    const none = await SELF.fetch(`${url}?payload=1`);
    expect(none.status).toBe(409);
    expect(await none.json()).toEqual({ error: "no payload: PUT one first" });
    const body = JSON.stringify({ kind: "Table", rows: Array.from({ length: 500 }, (_, i) => ({ cells: [`pod-${i}`, "1/1", "Running"] })) });
    const put = await SELF.fetch(url, { method: "PUT", body, headers: { "content-type": "application/json;as=Table;v=v1;g=meta.k8s.io" } });
    expect(await put.json()).toEqual({ ok: true, bytes: body.length });
    const got = await SELF.fetch(`${url}?payload=1`);
    expect(got.headers.get("content-type")).toBe("application/json;as=Table;v=v1;g=meta.k8s.io");
    expect(await got.text()).toBe(body);
    // Bounded by the request body limit (3 MiB by default).
    const big = await SELF.fetch(url, { method: "PUT", body: "x".repeat(3 * 1024 * 1024 + 1) });
    expect(big.status).toBe(413);
    expect(await (await SELF.fetch(`${url}?payload=1`)).text()).toBe(body);
    expect((await SELF.fetch(`${ORIGIN}/api/sandboxes/${"a".repeat(26)}/ping`, { method: "PUT", body: "{}" })).status).toBe(404);
  });

  it("refuses a service body over 64 KiB with 413 before reading all of it", async () => {
    const res = await SELF.fetch(`${ORIGIN}/api/sandboxes`, { method: "POST", headers: { "content-type": "application/json" }, body: " ".repeat(10 * 1024 * 1024) });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ error: "request body too large" });
  });

  it("reports info with clock and counts", async () => {
    const sb = await createSandbox();
    const res = await SELF.fetch(`${ORIGIN}/api/sandboxes/${sb.id}`);
    const info = (await res.json()) as any;
    expect(info.url).toBe(sb.url);
    expect(info.readOnlyUrl).toBe(sb.readOnlyUrl);
    expect(info.counts.nodes).toBe(3);
    expect(info.clock.timeScale).toBe(1);
    expect(info.clock.now).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it("answers 404 for unknown sandboxes, on the service and on the API", async () => {
    const missing = "a".repeat(26);
    expect((await SELF.fetch(`${ORIGIN}/api/sandboxes/${missing}`)).status).toBe(404);
    const res = await api(missing, "GET", "/api/v1/pods");
    expect(res.status).toBe(404);
    expect(res.json.kind).toBe("Status");
    expect((await api("../etc", "GET", "/api")).status).toBe(404);
  });

  it("answers every refusal of the service with its JSON error", async () => {
    const json = async (res: Response) => ({ status: res.status, body: (await res.json()) as unknown });
    const missing = "a".repeat(26);
    // A well-formed id nobody holds: the Durable Object used to answer with a Kubernetes Status.
    expect(await json(await SELF.fetch(`${ORIGIN}/api/sandboxes/${missing}/ping`))).toEqual({ status: 404, body: { error: `sandbox "${missing}" not found` } });
    // Paths the service does not have: a JSON 404, not the static pages' empty one.
    for (const path of [`/api/sandboxes/${missing}/x/y`, "/api/sandboxes/%/shell", "/api/nothing"]) {
      expect(await json(await SELF.fetch(`${ORIGIN}${path}`)), path).toEqual({ status: 404, body: { error: "not found" } });
    }
    // A sandbox path with no id at all is the API's, and answers as the API does.
    const noId = await json(await SELF.fetch(`${ORIGIN}/s//api/v1/pods`, { method: "POST" }));
    expect(noId).toMatchObject({ status: 404, body: { kind: "Status", reason: "NotFound", code: 404 } });
    // Manifests the YAML parser gives up on: an alias bomb, and nesting deeper than its stack.
    const bomb = 'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n';
    for (const manifests of [bomb, `${"[".repeat(5000)}${"]".repeat(5000)}`]) {
      const res = await SELF.fetch(`${ORIGIN}/api/sandboxes`, { method: "POST", body: JSON.stringify({ manifests }), headers: { "content-type": "application/json" } });
      const out = await json(res);
      expect(out.status).toBe(400);
      expect((out.body as { error: string }).error).toMatch(/^manifests: document 1: (Excessive alias count|nested too deeply)/);
    }
  });

  it("deletes only with the owner token", async () => {
    const sb = await createSandbox();
    const del = (auth?: string) =>
      SELF.fetch(`${ORIGIN}/api/sandboxes/${sb.id}`, { method: "DELETE", headers: auth ? { authorization: auth } : {} });
    expect((await del()).status).toBe(401);
    expect((await del("Bearer wrong")).status).toBe(403);
    expect((await api(sb.id, "GET", "/api/v1/nodes")).status).toBe(200);
    expect((await del(`Bearer ${sb.ownerToken}`)).status).toBe(200);
    expect((await api(sb.id, "GET", "/api/v1/nodes")).status).toBe(404);
    const rows = await env.DB.prepare("SELECT count(*) AS n FROM objects WHERE sandbox_id = ?").bind(sb.id).first<{ n: number }>();
    expect(rows?.n).toBe(0);
  });

  it("forks an independent copy of every object", async () => {
    const sb = await createSandbox();
    expect((await api(sb.id, "POST", "/api/v1/namespaces/default/pods", pod("before"))).status).toBe(201);
    const res = await SELF.fetch(`${ORIGIN}/api/sandboxes/${sb.id}/fork`, { method: "POST" });
    expect(res.status).toBe(201);
    const fork = (await res.json()) as any;
    expect(fork.id).not.toBe(sb.id);
    expect(fork.forkedFrom).toBe(sb.id);
    const original = await api(sb.id, "GET", "/api/v1/namespaces/default/pods/before");
    const copied = await api(fork.id, "GET", "/api/v1/namespaces/default/pods/before");
    expect(copied.json.metadata).toEqual(original.json.metadata);
    // Changes on either side stay on that side.
    await api(fork.id, "POST", "/api/v1/namespaces/default/pods", pod("only-in-fork"));
    await api(sb.id, "DELETE", "/api/v1/namespaces/default/pods/before");
    expect((await api(sb.id, "GET", "/api/v1/namespaces/default/pods/only-in-fork")).status).toBe(404);
    expect((await api(fork.id, "GET", "/api/v1/namespaces/default/pods/before")).status).toBe(200);
    // resourceVersions continue from where the original was.
    const created = await api(fork.id, "POST", "/api/v1/namespaces/default/configmaps", { metadata: { name: "x" } });
    expect(Number(created.json.metadata.resourceVersion)).toBeGreaterThan(Number(original.json.metadata.resourceVersion));
  });

  it("forks from a read-only link too", async () => {
    const sb = await createSandbox();
    const res = await SELF.fetch(`${ORIGIN}/api/sandboxes/${sb.readOnlyId}/fork`, { method: "POST" });
    expect(res.status).toBe(201);
    const fork = (await res.json()) as any;
    expect((await api(fork.id, "POST", "/api/v1/namespaces/default/configmaps", { metadata: { name: "mine" } })).status).toBe(201);
  });

  it("read-only links serve reads and refuse every change with 403", async () => {
    const sb = await createSandbox();
    await api(sb.id, "POST", "/api/v1/namespaces/default/pods", pod("p"));
    const ro = sb.readOnlyId;
    expect((await api(ro, "GET", "/api/v1/namespaces/default/pods/p")).status).toBe(200);
    expect((await api(ro, "GET", "/api/v1/nodes")).status).toBe(200);
    const attempts: [string, string, unknown, Record<string, string>?][] = [
      ["POST", "/api/v1/namespaces/default/pods", pod("q")],
      ["PUT", "/api/v1/namespaces/default/pods/p", pod("p")],
      ["PATCH", "/api/v1/namespaces/default/pods/p", { metadata: { labels: { a: "b" } } }, { "content-type": "application/merge-patch+json" }],
      ["DELETE", "/api/v1/namespaces/default/pods/p", undefined],
      ["DELETE", "/api/v1/namespaces/default/pods", undefined],
      ["PATCH", "/apis/apps/v1/namespaces/default/deployments/x/scale", { spec: { replicas: 2 } }, { "content-type": "application/merge-patch+json" }],
    ];
    for (const [method, path, body, headers] of attempts) {
      const res = await api(ro, method, path, body, headers);
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.json.reason).toBe("Forbidden");
    }
    expect((await api(sb.id, "GET", "/api/v1/namespaces/default/pods/p")).json.metadata.labels).toEqual({ app: "p" });
    expect((await clock(ro, { advanceSeconds: 10 })).status).toBe(403);
    // A client cannot make a read-only link writable by sending the internal headers itself.
    const forged = await api(ro, "POST", "/api/v1/namespaces/default/pods", pod("forged"), { "x-kubeplay-read-only": "0", "x-kubeplay-sandbox": sb.id });
    expect(forged.status).toBe(403);
    const info = (await (await SELF.fetch(`${ORIGIN}/api/sandboxes/${ro}`)).json()) as any;
    expect(JSON.stringify(info)).not.toContain(sb.id);
  });
});

describe("virtual clock", () => {
  it("advances, pauses and scales virtual time", async () => {
    const sb = await createSandbox();
    const start = Date.parse((await clock(sb.id, { paused: true })).json.now);
    const advanced = await clock(sb.id, { advanceSeconds: 3600 });
    expect(advanced.status).toBe(200);
    expect(Date.parse(advanced.json.now) - start).toBe(3600_000);
    expect(advanced.json.paused).toBe(true);
    // Objects created now are an hour older than wall time says, so AGE reads from virtual time.
    await api(sb.id, "POST", "/api/v1/namespaces/default/configmaps", { metadata: { name: "later" } });
    const cm = await api(sb.id, "GET", "/api/v1/namespaces/default/configmaps/later");
    expect(Date.parse(cm.json.metadata.creationTimestamp)).toBe(Date.parse(advanced.json.now));
    const table = await api(sb.id, "GET", "/api/v1/nodes", undefined, { accept: "application/json;as=Table;v=v1;g=meta.k8s.io" });
    expect(table.json.columnDefinitions[3].name).toBe("Age");
    expect(table.json.rows[0].cells[3]).toBe("60m");
    const scaled = await clock(sb.id, { timeScale: 60, paused: false });
    expect(scaled.json.timeScale).toBe(60);
    expect(scaled.json.paused).toBe(false);
  });

  it("rejects bad clock requests", async () => {
    const sb = await createSandbox();
    for (const body of [{ advanceSeconds: -1 }, { advanceSeconds: "10" }, { timeScale: 0 }, { paused: "yes" }]) {
      expect((await clock(sb.id, body)).status, JSON.stringify(body)).toBe(400);
    }
  });
});
