// Reaching containers from outside the cluster through the Worker: the API server's proxy
// subresources (services, pods, nodes) and the sandbox's NodePort / LoadBalancer routes, on the
// owner's link and on the read-only link (which may read, and only read). And from inside a pod:
// wget and nslookup in a `kubectl exec` session.
import { SELF } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { NGINX_WELCOME } from "../../worker/runtime/images/web";
import { api, clock, createSandbox, execInPod, ORIGIN, type Created } from "./helpers";


function webObjects(replicas: number, nodePort: number) {
  return {
    deployment: {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web" },
      spec: { replicas, selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "nginx", image: "nginx:1.25.1", ports: [{ containerPort: 80, name: "http" }] }] } } },
    },
    service: { apiVersion: "v1", kind: "Service", metadata: { name: "web" }, spec: { type: "NodePort", selector: { app: "web" }, ports: [{ name: "http", port: 8888, targetPort: "http", nodePort }] } },
  };
}
let sb: Created;

async function get(id: string, path: string, init: RequestInit = {}): Promise<{ status: number; text: string; headers: Headers }> {
  const res = await SELF.fetch(`${ORIGIN}/s/${id}${path}`, init);
  return { status: res.status, text: await res.text(), headers: res.headers };
}

async function batches(id: string): Promise<number> {
  return ((await (await SELF.fetch(`${ORIGIN}/api/sandboxes/${id}/stats`)).json()) as { store: { batches: number } }).store.batches;
}

beforeAll(async () => {
  sb = await createSandbox();
  await clock(sb.id, { paused: true });
  const { deployment, service } = webObjects(2, 30081);
  await api(sb.id, "POST", "/apis/apps/v1/namespaces/default/deployments", deployment);
  await api(sb.id, "POST", "/api/v1/namespaces/default/services", service);
  await api(sb.id, "POST", "/api/v1/namespaces/default/services", { apiVersion: "v1", kind: "Service", metadata: { name: "empty" }, spec: { selector: { app: "none" }, ports: [{ port: 80 }] } });
  await api(sb.id, "POST", "/api/v1/namespaces/default/services", {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "lb" },
    spec: { type: "LoadBalancer", selector: { app: "web" }, ports: [{ port: 80, targetPort: 80 }] },
  });
  await api(sb.id, "POST", "/api/v1/namespaces/default/pods", {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "box" },
    spec: { containers: [{ name: "box", image: "busybox:1.36", command: ["sleep", "3600"] }] },
  });
  await api(sb.id, "POST", "/api/v1/namespaces/default/pods", {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "echo" },
    spec: { containers: [{ name: "sidecar", image: "busybox:1.36", command: ["sleep", "3600"] }, { name: "echo", image: "registry.k8s.io/echoserver:1.10", ports: [{ containerPort: 8080 }] }] },
  });
  await clock(sb.id, { advanceSeconds: 30 });
});

describe("the API server's proxy", () => {
  it("passes a request to a Service's endpoint and back", async () => {
    const r = await get(sb.id, "/api/v1/namespaces/default/services/web:http/proxy/");
    expect(r.status).toBe(200);
    expect(r.text).toBe(NGINX_WELCOME);
    expect(r.headers.get("server")).toBe("nginx/1.25.1");
    // The page is served on kubeplay's origin: sandboxed, not sniffed.
    expect(r.headers.get("content-security-policy")).toBe("sandbox");
    expect(r.headers.get("x-content-type-options")).toBe("nosniff");
    const named = await get(sb.id, "/api/v1/namespaces/default/services/http:web:8888/proxy/nope");
    expect(named.status).toBe(404);
    expect(named.text).toContain("<center><h1>404 Not Found</h1></center>");
    const head = await SELF.fetch(`${ORIGIN}/s/${sb.id}/api/v1/namespaces/default/services/web:8888/proxy/`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
  });

  it("answers upstream's errors", async () => {
    const missing = await get(sb.id, "/api/v1/namespaces/default/services/nope/proxy/");
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.text)).toMatchObject({ kind: "Status", reason: "NotFound", message: 'services "nope" not found', code: 404 });
    const empty = await get(sb.id, "/api/v1/namespaces/default/services/empty/proxy/");
    expect(empty.status).toBe(503);
    expect(JSON.parse(empty.text)).toMatchObject({ reason: "ServiceUnavailable", message: 'no endpoints available for service "empty"', code: 503 });
    // The only port is named: an unnamed lookup finds no endpoint port, as upstream's does, and
    // names the Service by the id asked for.
    const unnamed = await get(sb.id, "/api/v1/namespaces/default/services/web/proxy/");
    expect(JSON.parse(unnamed.text)).toMatchObject({ reason: "ServiceUnavailable", code: 503, message: 'no endpoints available for service "web"' });
    const named = await get(sb.id, "/api/v1/namespaces/default/services/web:nope/proxy/");
    expect(named.status).toBe(503);
    expect(JSON.parse(named.text)).toMatchObject({ reason: "ServiceUnavailable", code: 503, message: 'no endpoints available for service "web:nope"' });
    // A port number the Service does not declare is refused by number, unquoted.
    const numbered = await get(sb.id, "/api/v1/namespaces/default/services/web:9999/proxy/");
    expect(numbered.status).toBe(503);
    expect(JSON.parse(numbered.text)).toMatchObject({ reason: "ServiceUnavailable", code: 503, message: 'no service port 9999 found for service "web"' });
  });

  it("proxies to a pod and to a node's kubelet", async () => {
    const pods = (await api(sb.id, "GET", "/api/v1/namespaces/default/pods?labelSelector=app%3Dweb")).json.items;
    const r = await get(sb.id, `/api/v1/namespaces/default/pods/${pods[0].metadata.name}/proxy/`);
    expect(r).toMatchObject({ status: 200, text: NGINX_WELCOME });
    const refused = await get(sb.id, `/api/v1/namespaces/default/pods/${pods[0].metadata.name}:8080/proxy/`);
    expect(refused.status).toBe(503);
    expect(JSON.parse(refused.text).message).toBe(`error trying to reach pod: dial tcp ${pods[0].status.podIP}:8080: connect: connection refused`);
    expect(await get(sb.id, "/api/v1/nodes/k8s-node1/proxy/healthz")).toMatchObject({ status: 200, text: "ok" });
  });

  it("a pod proxied without a port is reached at its first declared containerPort", async () => {
    // echoserver listens on 8080 only: port 80 would be refused.
    const r = await get(sb.id, "/api/v1/namespaces/default/pods/echo/proxy/hi");
    expect(r.status).toBe(200);
    expect(r.text).toContain("real path=/hi");
    const at80 = await get(sb.id, "/api/v1/namespaces/default/pods/echo:80/proxy/");
    expect(JSON.parse(at80.text).message).toMatch(/^error trying to reach pod: dial tcp [\d.]+:80: connect: connection refused$/);
  });
});

describe("from outside", () => {
  it("a NodePort and a LoadBalancer address serve the page", async () => {
    const page = await get(sb.id, "/nodeport/30081/");
    expect(page).toMatchObject({ status: 200, text: NGINX_WELCOME });
    expect(page.headers.get("content-security-policy")).toBe("sandbox");
    expect(page.headers.get("x-content-type-options")).toBe("nosniff");
    expect(await get(sb.id, "/node/k8s-node2/30081/")).toMatchObject({ status: 200, text: NGINX_WELCOME });
    const lb = (await api(sb.id, "GET", "/api/v1/namespaces/default/services/lb")).json.status.loadBalancer.ingress[0].ip;
    expect(await get(sb.id, `/lb/${lb}/80/`)).toMatchObject({ status: 200, text: NGINX_WELCOME });
    expect((await get(sb.id, "/nodeport/30999/")).status).toBe(502);
  });

  it("a read-only link reads through the proxy and the routes, and cannot post", async () => {
    expect(await get(sb.readOnlyId, "/nodeport/30081/")).toMatchObject({ status: 200, text: NGINX_WELCOME });
    expect(await get(sb.readOnlyId, "/api/v1/namespaces/default/services/web:http/proxy/")).toMatchObject({ status: 200, text: NGINX_WELCOME });
    expect((await get(sb.readOnlyId, "/nodeport/30081/", { method: "POST", body: "x" })).status).toBe(403);
    expect((await get(sb.readOnlyId, "/api/v1/namespaces/default/services/web:http/proxy/", { method: "POST", body: "x" })).status).toBe(403);
  });

  it("reading writes nothing", async () => {
    const before = await batches(sb.id);
    await get(sb.id, "/nodeport/30081/");
    await get(sb.id, "/api/v1/namespaces/default/services/web:http/proxy/");
    expect(await batches(sb.id)).toBe(before);
  });
});

describe("inside a pod", () => {
  it("wget reaches a Service by name, nslookup asks CoreDNS", async () => {
    const clusterIP = (await api(sb.id, "GET", "/api/v1/namespaces/default/services/web")).json.spec.clusterIP;
    expect(await execInPod(sb.id, "box", ["wget", "-qO-", "http://web:8888"])).toMatchObject({ stdout: NGINX_WELCOME, stderr: "", status: { status: "Success" } });
    const ns = await execInPod(sb.id, "box", ["nslookup", "web"]);
    expect(ns.stdout).toBe(
      `Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\nName:\tweb.default.svc.cluster.local\nAddress: ${clusterIP}\n\n** server can't find web.svc.cluster.local: NXDOMAIN\n\n** server can't find web.cluster.local: NXDOMAIN\n\n\n** server can't find web.svc.cluster.local: NXDOMAIN\n\n** server can't find web.cluster.local: NXDOMAIN\n\n`,
    );
    const bad = await execInPod(sb.id, "box", ["wget", "-q", "-O-", "http://nope"]);
    expect(bad.stderr).toBe("wget: bad address 'nope'\n");
    const refused = await execInPod(sb.id, "box", ["wget", "-O-", "http://empty"]);
    expect(refused.stderr).toMatch(/^Connecting to empty \(10\.\d+\.\d+\.\d+:80\)\nwget: can't connect to remote host \(10\.\d+\.\d+\.\d+\): Connection refused\n$/);
  });
});
