// Access to a sandbox through the Worker: bearer tokens in the kubeconfig (over https) and what the API
// makes of them, the owner token, the read-only link refusing every change on every route (API verbs
// and subresources, exec and attach, the proxies and outside routes, node operations, the clock, the
// console) while forks stay allowed, and the CORS policy.
import { SELF } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import YAML from "yaml";
import { accessToken } from "../../worker/service/access";
import { api, clock, createSandbox, ORIGIN, pod, type Created } from "./helpers";

const PODS = "/api/v1/namespaces/default/pods";
const HTTPS = ORIGIN.replace(/^http:/, "https:");

async function service(id: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: any }> {
  const init: RequestInit = { method, headers: { "content-type": "application/json", ...headers } };
  if (body !== undefined) init.body = JSON.stringify(body);
  const res = await SELF.fetch(`${ORIGIN}/api/sandboxes/${id}${path}`, init);
  return { status: res.status, json: await res.json().catch(() => undefined) };
}

async function resourceVersion(id: string): Promise<string> {
  return (await service(id, "GET", "")).json.resourceVersion;
}

let sb: Created;

beforeAll(async () => {
  sb = await createSandbox();
  await clock(sb.id, { paused: true });
  expect((await api(sb.id, "POST", PODS, { apiVersion: "v1", kind: "Pod", metadata: { name: "web", labels: { app: "web" } }, spec: { nodeName: "k8s-node1", containers: [{ name: "web", image: "nginx:1.27", ports: [{ containerPort: 80 }] }] } })).status).toBe(201);
  expect((await api(sb.id, "POST", PODS, pod("unscheduled"))).status).toBe(201);
  const svc = { apiVersion: "v1", kind: "Service", metadata: { name: "web" }, spec: { type: "NodePort", selector: { app: "web" }, ports: [{ port: 80, nodePort: 30080 }] } };
  expect((await api(sb.id, "POST", "/api/v1/namespaces/default/services", svc)).status).toBe(201);
  const deploy = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "app" }, spec: { replicas: 1, selector: { matchLabels: { app: "app" } }, template: { metadata: { labels: { app: "app" } }, spec: { containers: [{ name: "c", image: "nginx" }] } } } };
  expect((await api(sb.id, "POST", "/apis/apps/v1/namespaces/default/deployments", deploy)).status).toBe(201);
  await clock(sb.id, { advanceSeconds: 30 });
  expect((await api(sb.id, "GET", `${PODS}/web`)).json.status.phase).toBe("Running");
});

describe("bearer tokens", () => {
  it("over https the kubeconfig's user carries the token of the id in its URL; over http none", async () => {
    const https = YAML.parse(await (await SELF.fetch(`${HTTPS}/s/${sb.id}/kubeconfig`)).text());
    expect(https.clusters[0].cluster.server).toBe(`${HTTPS}/s/${sb.id}`);
    expect(https.users[0].user).toEqual({ token: await accessToken(sb.id) });
    expect(https.users[0].user.token).not.toContain(sb.ownerToken);
    const ro = YAML.parse(await (await SELF.fetch(`${HTTPS}/s/${sb.readOnlyId}/kubeconfig`)).text());
    expect(ro.users[0].user).toEqual({ token: await accessToken(sb.readOnlyId) });
    // Nothing of the writable id can be learnt from the read-only kubeconfig.
    expect(JSON.stringify(ro)).not.toContain(sb.id);
    const http = YAML.parse(await (await SELF.fetch(`${ORIGIN}/s/${sb.id}/kubeconfig`)).text());
    expect(http.users[0].user).toEqual({});
  });

  it("the API accepts the sandbox's token and refuses any other with 401 Unauthorized", async () => {
    const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
    expect((await api(sb.id, "GET", PODS, undefined, bearer(await accessToken(sb.id)))).status).toBe(200);
    const created = await api(sb.id, "POST", "/api/v1/namespaces/default/configmaps", { metadata: { name: "by-token" } }, bearer(await accessToken(sb.id)));
    expect(created.status).toBe(201);
    const other = await createSandbox();
    for (const headers of [bearer("wrong"), bearer(await accessToken(other.id)), bearer(other.ownerToken), { authorization: "Basic YWRtaW46YWRtaW4=" }, { authorization: "Bearer" }]) {
      const res = await api(sb.id, "GET", PODS, undefined, headers);
      expect(res.status, JSON.stringify(headers)).toBe(401);
      expect(res.json).toEqual({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: "Unauthorized", reason: "Unauthorized", code: 401 });
    }
    // Also on the read-only link, and on the service routes (as JSON errors).
    expect((await api(sb.readOnlyId, "GET", PODS, undefined, bearer("wrong"))).status).toBe(401);
    expect((await service(sb.id, "GET", "", undefined, bearer("wrong"))).status).toBe(401);
    expect((await service(sb.id, "GET", "", undefined, bearer(await accessToken(sb.id)))).status).toBe(200);
  });

  it("the read-only token makes even the writable URL read-only; the writable token cannot lift a read-only URL", async () => {
    const roToken = { authorization: `Bearer ${await accessToken(sb.readOnlyId)}` };
    expect((await api(sb.id, "GET", PODS, undefined, roToken)).status).toBe(200);
    const refused = await api(sb.id, "POST", "/api/v1/namespaces/default/configmaps", { metadata: { name: "ro-token" } }, roToken);
    expect(refused.status).toBe(403);
    expect(refused.json.reason).toBe("Forbidden");
    expect((await service(sb.id, "POST", "/clock", { advanceSeconds: 1 }, roToken)).status).toBe(403);
    const rwToken = { authorization: `Bearer ${await accessToken(sb.id)}` };
    expect((await api(sb.readOnlyId, "GET", PODS, undefined, rwToken)).status).toBe(200);
    expect((await api(sb.readOnlyId, "POST", "/api/v1/namespaces/default/configmaps", { metadata: { name: "rw-token" } }, rwToken)).status).toBe(403);
  });

  it("the owner token is accepted as a bearer token too, and is the only way to delete", async () => {
    const own = await createSandbox();
    const owner = { authorization: `Bearer ${own.ownerToken}` };
    expect((await api(own.id, "GET", PODS, undefined, owner)).status).toBe(200);
    // The access token does not delete; a read-only link cannot delete even with the owner token.
    expect((await service(own.id, "DELETE", "", undefined, { authorization: `Bearer ${await accessToken(own.id)}` })).status).toBe(403);
    expect((await service(own.readOnlyId, "DELETE", "", undefined, owner)).status).toBe(403);
    expect((await service(own.id, "DELETE", "", undefined, owner)).status).toBe(200);
    expect((await api(own.id, "GET", PODS)).status).toBe(404);
  });
});

describe("a read-only link", () => {
  it("refuses every change through the API with 403, and nothing is written", async () => {
    const ro = sb.readOnlyId;
    const before = await resourceVersion(sb.id);
    const web = (await api(sb.id, "GET", `${PODS}/web`)).json;
    const merge = { "content-type": "application/merge-patch+json" };
    const attempts: [string, string, unknown?, Record<string, string>?][] = [
      ["POST", PODS, pod("new")],
      ["POST", `${PODS}?dryRun=All`, pod("dry")],
      ["POST", "/api/v1/namespaces", { metadata: { name: "new-ns" } }],
      ["PUT", `${PODS}/web`, web],
      ["PATCH", `${PODS}/web`, { metadata: { labels: { x: "y" } } }, merge],
      ["PATCH", `${PODS}/web`, [{ op: "add", path: "/metadata/labels/x", value: "y" }], { "content-type": "application/json-patch+json" }],
      ["PATCH", `${PODS}/web`, { metadata: { labels: { x: "y" } } }, { "content-type": "application/strategic-merge-patch+json" }],
      ["PATCH", `${PODS}/web?fieldManager=kubectl`, { apiVersion: "v1", kind: "Pod", metadata: { name: "web", labels: { x: "y" } } }, { "content-type": "application/apply-patch+yaml" }],
      ["DELETE", `${PODS}/web`],
      ["DELETE", PODS],
      ["DELETE", "/api/v1/nodes/k8s-node2"],
      ["PUT", `${PODS}/web/status`, web],
      ["PATCH", `${PODS}/web/status`, { status: { phase: "Failed" } }, merge],
      ["PUT", "/apis/apps/v1/namespaces/default/deployments/app/scale", { apiVersion: "autoscaling/v1", kind: "Scale", metadata: { name: "app", namespace: "default" }, spec: { replicas: 3 } }],
      ["PATCH", "/apis/apps/v1/namespaces/default/deployments/app/scale", { spec: { replicas: 3 } }, merge],
      ["POST", `${PODS}/web/eviction`, { apiVersion: "policy/v1", kind: "Eviction", metadata: { name: "web", namespace: "default" } }],
      ["POST", `${PODS}/unscheduled/binding`, { apiVersion: "v1", kind: "Binding", metadata: { name: "unscheduled" }, target: { kind: "Node", name: "k8s-node1" } }],
      ["POST", `${PODS}/web/exec?command=ls&stdout=true`],
      ["POST", `${PODS}/web/attach?stdout=true`],
      ["POST", "/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers", { metadata: { name: "h" }, spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "app" }, maxReplicas: 3 } }],
      ["POST", "/apis/events.k8s.io/v1/namespaces/default/events", { metadata: { name: "e" }, eventTime: "2024-01-01T00:00:00.000000Z", reportingController: "x", reportingInstance: "y", action: "a", reason: "r", type: "Normal" }],
    ];
    for (const [method, path, body, headers] of attempts) {
      const res = await api(ro, method, path, body, headers);
      expect(res.status, `${method} ${path}: ${res.text}`).toBe(403);
      expect(res.json.reason, `${method} ${path}`).toBe("Forbidden");
    }
    expect(await resourceVersion(sb.id)).toBe(before);
  });

  it("refuses exec and attach before upgrading the WebSocket", async () => {
    const ws = { upgrade: "websocket", connection: "Upgrade", "sec-websocket-protocol": "v5.channel.k8s.io" };
    for (const path of [`${PODS}/web/exec?command=sh&command=-c&command=touch%20/x&stdout=true`, `${PODS}/web/attach?stdout=true&stdin=true`]) {
      const res = await SELF.fetch(`${ORIGIN}/s/${sb.readOnlyId}${path}`, { headers: ws });
      expect(res.status, path).toBe(403);
      expect(res.webSocket).toBeNull();
      expect(((await res.json()) as any).reason).toBe("Forbidden");
    }
    // The owner's link upgrades (the refusal is the link's, not the path's).
    const ok = await SELF.fetch(`${ORIGIN}/s/${sb.id}${PODS}/web/exec?command=true&stdout=true`, { headers: ws });
    expect(ok.status).toBe(101);
    ok.webSocket!.accept();
    ok.webSocket!.close(1000, "");
  });

  it("reads through the proxies and outside routes, and refuses every other method", async () => {
    const reads = [`${PODS}/web/proxy/`, "/api/v1/namespaces/default/services/web/proxy/", "/api/v1/nodes/k8s-node1/proxy/healthz", "/nodeport/30080/", "/node/k8s-node1/30080/"];
    for (const path of reads) {
      expect((await api(sb.readOnlyId, "GET", path)).status, path).toBe(200);
      for (const method of ["POST", "PUT", "PATCH", "DELETE"]) {
        const res = await api(sb.readOnlyId, method, path, "x", { "content-type": "text/plain" });
        expect(res.status, `${method} ${path}`).toBe(403);
      }
    }
    for (const path of ["/lb/172.18.255.200/80/", "/ingress/example.com/"]) {
      expect((await api(sb.readOnlyId, "POST", path, "x", { "content-type": "text/plain" })).status, path).toBe(403);
    }
  });

  it("refuses node operations, the node shell, the clock and the ping writes; allows forking and reads", async () => {
    const ro = sb.readOnlyId;
    const ping = (method: string, body?: string) => SELF.fetch(`${ORIGIN}/api/sandboxes/${ro}/ping`, { method, body });
    expect((await ping("POST")).status).toBe(403);
    expect((await ping("PUT", "{}")).status).toBe(403);
    expect(await (await ping("GET")).json()).toEqual({ ok: true });
    expect((await service(ro, "POST", "/nodes", { name: "k8s-node3" })).status).toBe(403);
    expect((await service(ro, "POST", "/nodes/k8s-node1/kubelet", { running: false })).status).toBe(403);
    expect((await service(ro, "POST", "/shell", { node: "k8s-master", command: "ls /" })).status).toBe(403);
    expect((await service(ro, "POST", "/clock", { advanceSeconds: 60 })).status).toBe(403);
    expect((await service(ro, "POST", "/clock", { paused: false })).status).toBe(403);
    expect((await service(ro, "DELETE", "")).status).toBe(403);
    const nodes = (await api(sb.id, "GET", "/api/v1/nodes")).json.items.map((n: any) => n.metadata.name);
    expect(nodes).toEqual(["k8s-master", "k8s-node1", "k8s-node2"]);
    const fork = await service(ro, "POST", "/fork");
    expect(fork.status).toBe(201);
    expect((await api(fork.json.id, "POST", "/api/v1/namespaces/default/configmaps", { metadata: { name: "mine" } })).status).toBe(201);
    expect((await api(sb.id, "GET", "/api/v1/namespaces/default/configmaps/mine")).status).toBe(404);
  });

  it("lets the console run reads only: kubectl's changes are refused and the node's files stay as they were", async () => {
    const before = await resourceVersion(sb.id);
    const run = async (command: string) => {
      const res = await SELF.fetch(`${ORIGIN}/s/${sb.readOnlyId}/console/run`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ command }) });
      expect(res.status).toBe(200);
      return (await res.json()) as { stdout: string; stderr: string; exitCode: number };
    };
    expect((await run("kubectl get pod web -o name")).stdout).toBe("pod/web\n");
    for (const command of ["kubectl delete pod web", "kubectl create configmap x", "kubectl scale deploy app --replicas=3", "kubectl label pod web a=b", "kubectl exec web -- touch /x"]) {
      const r = await run(command);
      expect(r.exitCode, command).not.toBe(0);
      expect(r.stderr, command).toMatch(/Forbidden|forbidden|read-only/);
    }
    const written = await run("touch /root/ro-file; systemctl stop kubelet");
    expect(written.stderr).toContain("read-only link");
    expect((await run("ls /root")).stdout).not.toContain("ro-file");
    expect((await api(sb.id, "GET", "/api/v1/nodes/k8s-master")).json.status.conditions.find((c: any) => c.type === "Ready").status).toBe("True");
    expect(await resourceVersion(sb.id)).toBe(before);
  });

  it("lets the console terminal run reads only", async () => {
    const res = await SELF.fetch(`${ORIGIN}/s/${sb.readOnlyId}/console/terminal`, { headers: { upgrade: "websocket" } });
    expect(res.status).toBe(101);
    const ws = res.webSocket!;
    ws.accept();
    let text = "";
    ws.addEventListener("message", (ev) => {
      const msg = JSON.parse(ev.data as string) as { type: string; data?: string };
      if (msg.type === "output") text += msg.data;
    });
    const waitFor = async (pred: (s: string) => boolean) => {
      const deadline = Date.now() + 3000;
      while (!pred(text)) {
        if (Date.now() > deadline) throw new Error(`timed out; terminal shows ${JSON.stringify(text)}`);
        await new Promise((r) => setTimeout(r, 5));
      }
    };
    await waitFor((s) => s.endsWith("# "));
    ws.send(JSON.stringify({ type: "input", data: "kubectl delete pod web\r" }));
    await waitFor((s) => /forbidden|Forbidden/.test(s) && s.endsWith("# "));
    ws.close(1000, "");
    expect((await api(sb.id, "GET", `${PODS}/web`)).status).toBe(200);
  });
});

describe("CORS", () => {
  it("answers preflights for any origin, without credentials, on the API and the service", async () => {
    for (const path of [`/s/${sb.id}${PODS}`, "/api/sandboxes", `/api/sandboxes/${sb.id}/clock`]) {
      const res = await SELF.fetch(`${ORIGIN}${path}`, {
        method: "OPTIONS",
        headers: { origin: "https://tutorial.example", "access-control-request-method": "POST", "access-control-request-headers": "authorization, content-type" },
      });
      expect(res.status, path).toBe(204);
      expect(res.headers.get("access-control-allow-origin")).toBe("*");
      expect(res.headers.get("access-control-allow-methods")).toContain("PATCH");
      expect(res.headers.get("access-control-allow-headers")).toBe("authorization,content-type");
      expect(res.headers.get("access-control-allow-credentials")).toBeNull();
    }
  });

  it("marks answers readable by any origin and exposes Location, Retry-After and Warning", async () => {
    const res = await SELF.fetch(`${ORIGIN}/s/${sb.id}${PODS}`, { headers: { origin: "https://tutorial.example" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(res.headers.get("access-control-expose-headers")).toBe("Location,Retry-After,Warning");
    const created = await SELF.fetch(`${ORIGIN}/api/sandboxes`, { method: "POST", headers: { origin: "https://tutorial.example" } });
    expect(created.status).toBe(201);
    expect(created.headers.get("access-control-allow-origin")).toBe("*");
    expect(created.headers.get("set-cookie")).toBeNull();
    // Errors too, so a page can read why.
    const missing = await SELF.fetch(`${ORIGIN}/s/${"a".repeat(26)}/api`, { headers: { origin: "https://tutorial.example" } });
    expect(missing.status).toBe(404);
    expect(missing.headers.get("access-control-allow-origin")).toBe("*");
  });
});
