// Two sandboxes, A and B, side by side: nothing in one reads or affects the other. B's ids, paths,
// object names, uids and resourceVersions lead nowhere through A; B's DNS names do not resolve in A,
// and the same pod IP in both reaches each sandbox's own pod (the address ranges are per sandbox);
// the proxies, the console's watch stream, forged internal headers, traversal in ids and the internal
// operations' paths all stay inside the sandbox the URL names, or nowhere.
import { SELF } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { api, clock, createSandbox, ORIGIN, type Created } from "./helpers";

const PODS = "/api/v1/namespaces/default/pods";

async function shell(id: string, node: string, command: string): Promise<{ status: number; stdout: string; stderr: string; exitCode: number }> {
  const res = await SELF.fetch(`${ORIGIN}/api/sandboxes/${id}/shell`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ node, command }) });
  return { status: res.status, ...((await res.json()) as { stdout: string; stderr: string; exitCode: number }) };
}

async function consoleRun(id: string, command: string): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  const res = await SELF.fetch(`${ORIGIN}/s/${id}/console/run`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ command }) });
  return (await res.json()) as { stdout: string; stderr: string; exitCode: number };
}

function echoPod(name: string) {
  return { apiVersion: "v1", kind: "Pod", metadata: { name, labels: { app: name } }, spec: { nodeName: "k8s-node1", containers: [{ name: "echo", image: "registry.k8s.io/echoserver:1.10", ports: [{ containerPort: 8080 }] }] } };
}

function service(name: string, nodePort?: number) {
  return { apiVersion: "v1", kind: "Service", metadata: { name }, spec: { type: nodePort ? "NodePort" : "ClusterIP", selector: { app: name }, ports: [{ port: 80, targetPort: 8080, ...(nodePort ? { nodePort } : {}) }] } };
}

let a: Created;
let b: Created;
let podB: any;
let serviceB: any;

beforeAll(async () => {
  [a, b] = await Promise.all([createSandbox(), createSandbox()]);
  for (const [sb, name] of [[a, "pod-a"], [b, "pod-b"]] as const) {
    await clock(sb.id, { paused: true });
    expect((await api(sb.id, "POST", PODS, echoPod(name))).status).toBe(201);
    expect((await api(sb.id, "POST", "/api/v1/namespaces/default/services", service(name, name === "pod-b" ? 30099 : undefined))).status).toBe(201);
  }
  expect((await api(a.id, "POST", PODS, { apiVersion: "v1", kind: "Pod", metadata: { name: "client" }, spec: { nodeName: "k8s-node2", containers: [{ name: "c", image: "busybox:1.36", command: ["sleep", "3600"] }] } })).status).toBe(201);
  expect((await api(b.id, "POST", "/api/v1/namespaces/default/configmaps", { metadata: { name: "only-in-b" }, data: { secret: "b" } })).status).toBe(201);
  await Promise.all([clock(a.id, { advanceSeconds: 30 }), clock(b.id, { advanceSeconds: 30 })]);
  podB = (await api(b.id, "GET", `${PODS}/pod-b`)).json;
  serviceB = (await api(b.id, "GET", "/api/v1/namespaces/default/services/pod-b")).json;
  expect(podB.status.phase).toBe("Running");
});

describe("the cluster network is per sandbox", () => {
  it("the same pod IP reaches each sandbox's own pod, from a node and from a pod", async () => {
    const podA = (await api(a.id, "GET", `${PODS}/pod-a`)).json;
    // Same node, same allocator, same free addresses: both pods got the same IP.
    expect(podA.status.podIP).toBe(podB.status.podIP);
    const ip = podB.status.podIP;
    expect((await shell(a.id, "k8s-master", `curl -s ${ip}:8080`)).stdout).toContain("Hostname: pod-a");
    expect((await shell(b.id, "k8s-master", `curl -s ${ip}:8080`)).stdout).toContain("Hostname: pod-b");
    const fromPod = await consoleRun(a.id, `kubectl exec client -- wget -qO- http://${ip}:8080`);
    expect(fromPod.stdout).toContain("Hostname: pod-a");
    expect(fromPod.stdout).not.toContain("pod-b");
  });

  it("B's Service names do not resolve in A, and B's ClusterIP and NodePort lead nowhere there", async () => {
    const lookup = await shell(a.id, "k8s-master", "nslookup pod-b.default.svc.cluster.local 10.96.0.10");
    expect(lookup.stdout).toContain("NXDOMAIN");
    expect((await consoleRun(a.id, "kubectl exec client -- wget -qO- -T 2 http://pod-b")).stderr).toContain("bad address 'pod-b'");
    const viaIP = await shell(a.id, "k8s-master", `curl -s --connect-timeout 2 ${serviceB.spec.clusterIP}:80`);
    expect(viaIP.stdout).not.toContain("pod-b");
    const viaNodePort = await shell(a.id, "k8s-master", "curl -s --connect-timeout 2 192.168.1.11:30099");
    expect(viaNodePort.exitCode).not.toBe(0);
    expect((await shell(b.id, "k8s-master", "curl -s 192.168.1.11:30099")).stdout).toContain("Hostname: pod-b");
  });

  it("the proxies and outside routes of A reach A's objects only", async () => {
    expect((await api(a.id, "GET", `${PODS}/pod-b/proxy/`)).status).toBe(404);
    expect((await api(a.id, "GET", "/api/v1/namespaces/default/services/pod-b/proxy/")).status).toBe(404);
    expect((await api(a.id, "GET", `${PODS}/pod-a:8080/proxy/`)).text).toContain("Hostname: pod-a");
    expect((await api(a.id, "GET", "/nodeport/30099/")).text).not.toContain("pod-b");
    expect((await api(b.id, "GET", "/nodeport/30099/")).text).toContain("Hostname: pod-b");
  });

  it("B's LoadBalancer address, Ingress host and nodes lead nowhere through A; A's console kubectl cannot be pointed at B", async () => {
    const lb = { ...service("pod-b-lb"), metadata: { name: "pod-b-lb" }, spec: { ...service("pod-b").spec, type: "LoadBalancer" } };
    expect((await api(b.id, "POST", "/api/v1/namespaces/default/services", lb)).status).toBe(201);
    const ingress = { apiVersion: "networking.k8s.io/v1", kind: "Ingress", metadata: { name: "b" }, spec: { ingressClassName: "nginx", rules: [{ host: "b-only.example", http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "pod-b", port: { number: 80 } } } }] } }] } };
    expect((await api(b.id, "POST", "/apis/networking.k8s.io/v1/namespaces/default/ingresses", ingress)).status).toBe(201);
    await clock(b.id, { advanceSeconds: 10 });
    const ip = (await api(b.id, "GET", "/api/v1/namespaces/default/services/pod-b-lb")).json.status.loadBalancer.ingress[0].ip as string;
    expect((await api(b.id, "GET", `/lb/${ip}/80/`)).text).toContain("Hostname: pod-b");
    const viaA = await api(a.id, "GET", `/lb/${ip}/80/`);
    expect(viaA.status).toBeGreaterThanOrEqual(400);
    expect(viaA.text).not.toContain("pod-b");
    const hostViaA = await api(a.id, "GET", "/ingress/b-only.example/");
    expect(hostViaA.status).toBeGreaterThanOrEqual(400);
    expect(hostViaA.text).not.toContain("pod-b");
    // B's added node through A's node proxy.
    expect((await SELF.fetch(`${ORIGIN}/api/sandboxes/${b.id}/nodes`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "b-proxy-node" }) })).status).toBeLessThan(300);
    expect((await api(a.id, "GET", "/api/v1/nodes/b-proxy-node/proxy/healthz")).status).toBe(404);
    // The console's kubectl talks to its own sandbox whatever server it is told.
    for (const server of [`${ORIGIN}/s/${b.id}`, `${ORIGIN}/s/${b.readOnlyId}`]) {
      const r = await consoleRun(a.id, `kubectl --server=${server} get pods -o name`);
      expect(r.stdout + r.stderr, server).not.toContain("pod-b");
    }
  });

  it("a node added to B is unknown to A", async () => {
    const added = await SELF.fetch(`${ORIGIN}/api/sandboxes/${b.id}/nodes`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "b-extra" }) });
    expect(added.status).toBeLessThan(300);
    expect((await api(a.id, "GET", "/api/v1/nodes/b-extra")).status).toBe(404);
    expect((await shell(a.id, "b-extra", "ls")).status).toBe(404);
    expect((await shell(a.id, "k8s-master", "ping -c 1 -W 1 b-extra")).exitCode).not.toBe(0);
  });
});

describe("B's objects through A", () => {
  it("names, uids and resourceVersions of B find nothing in A, and writing through A leaves B as it was", async () => {
    expect((await api(a.id, "GET", "/api/v1/namespaces/default/configmaps/only-in-b")).status).toBe(404);
    expect((await api(a.id, "GET", `${PODS}/pod-b`)).status).toBe(404);
    const pods = (await api(a.id, "GET", PODS)).json.items;
    expect(pods.map((p: any) => p.metadata.uid)).not.toContain(podB.metadata.uid);
    const del = await api(a.id, "DELETE", `${PODS}/pod-b`, { apiVersion: "v1", kind: "DeleteOptions", preconditions: { uid: podB.metadata.uid, resourceVersion: podB.metadata.resourceVersion } });
    expect(del.status).toBe(404);
    // Same name in A, updated with B's resourceVersion: a conflict in A, nothing in B.
    expect((await api(a.id, "POST", "/api/v1/namespaces/default/configmaps", { metadata: { name: "only-in-b" }, data: { secret: "a" } })).status).toBe(201);
    const cmB = (await api(b.id, "GET", "/api/v1/namespaces/default/configmaps/only-in-b")).json;
    const put = await api(a.id, "PUT", "/api/v1/namespaces/default/configmaps/only-in-b", { metadata: { name: "only-in-b", resourceVersion: String(Number(cmB.metadata.resourceVersion) + 1000) }, data: { secret: "overwritten" } });
    expect(put.status).toBe(409);
    expect((await api(a.id, "DELETE", "/api/v1/namespaces/default/configmaps/only-in-b")).status).toBe(200);
    expect((await api(b.id, "GET", "/api/v1/namespaces/default/configmaps/only-in-b")).json).toEqual(cmB);
    expect((await api(b.id, "GET", `${PODS}/pod-b`)).json.metadata.uid).toBe(podB.metadata.uid);
  });

  it("the console's combined watch opens only collection paths of its own sandbox", async () => {
    for (const w of [`/s/${b.id}/api/v1/pods`, `/api/v1/../../../s/${b.id}/api/v1/pods`, `//s/${b.id}/api/v1/pods`, "http://evil.example/api/v1/pods", `/api/v1/pods/../../s/${b.readOnlyId}/api`]) {
      const res = await SELF.fetch(`${ORIGIN}/s/${a.id}/console/watch?w=${encodeURIComponent(w)}`);
      expect(res.status, w).toBe(400);
      await res.body?.cancel();
    }
  });
});

describe("what a client sends cannot cross sandboxes", () => {
  it("forged internal headers are replaced by the Worker's", async () => {
    const forged = { "x-kubeplay-sandbox": b.id, "x-kubeplay-prefix": "", "x-kubeplay-read-only": "0", "x-kubeplay-internal": "1" };
    expect((await api(a.id, "GET", "/api/v1/namespaces/default/configmaps/only-in-b", undefined, forged)).status).toBe(404);
    expect((await api(a.id, "GET", `${PODS}/pod-a`, undefined, forged)).status).toBe(200);
    // Even with an empty prefix header, a client's path never reaches the internal operations.
    const destroy = await SELF.fetch(`${ORIGIN}/s/${b.id}/__kubeplay/destroy`, { method: "POST", headers: { "content-type": "application/json", ...forged }, body: "{}" });
    expect(destroy.status).toBe(404);
    expect((await api(b.id, "GET", `${PODS}/pod-b`)).status).toBe(200);
  });

  it("traversal and encoding tricks in ids and paths reach no sandbox and no internal operation", async () => {
    const attempts = [
      `/__kubeplay/destroy`,
      `/__kubeplay/info`,
      `/s/${b.id}/%2e%2e/%2e%2e/__kubeplay/destroy`,
      `/s/${b.id}/..%2f..%2f__kubeplay/destroy`,
      `/s/${b.id}%2f..%2f__kubeplay/destroy`,
      `/s/${a.id}%2f..%2f${b.id}/api/v1/namespaces/default/configmaps/only-in-b`,
      `/s/${a.id}/..%2f${b.id}/api/v1/namespaces/default/configmaps/only-in-b`,
      `/s/..%2f${b.id}/api/v1/namespaces/default/configmaps/only-in-b`,
      `/s/%2e%2e/__kubeplay/destroy`,
      `/s/${b.id.toUpperCase()}/api/v1/namespaces/default/configmaps/only-in-b`,
      `/s/%${b.id.charCodeAt(0).toString(16)}${b.id.slice(1)}/api/v1/namespaces/default/configmaps/only-in-b`,
      `/s/${b.id} /api/v1/namespaces/default/configmaps/only-in-b`,
      `/s/ro-${b.id}/api/v1/namespaces/default/configmaps/only-in-b`,
      `/api/sandboxes/${a.id}%2f..%2f${b.id}`,
      `/api/sandboxes/${a.id}/..%2f${b.id}/clock`,
    ];
    for (const path of attempts) {
      for (const method of ["GET", "POST", "DELETE"]) {
        const res = await SELF.fetch(`${ORIGIN}${path}`, { method, headers: { "content-type": "application/json" }, body: method === "POST" ? "{}" : undefined });
        const text = await res.text();
        expect(res.status, `${method} ${path}: ${text.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
        expect(text, `${method} ${path}`).not.toContain('"secret":"b"');
      }
    }
    expect((await api(b.id, "GET", "/api/v1/namespaces/default/configmaps/only-in-b")).json.data).toEqual({ secret: "b" });
    expect((await api(a.id, "GET", `${PODS}/pod-a`)).status).toBe(200);
  });

  it("an id only resembling another sandbox's is just unknown", async () => {
    const flipped = b.id.slice(0, 25) + (b.id[25] === "a" ? "b" : "a");
    expect((await api(flipped, "GET", "/api/v1/namespaces")).status).toBe(404);
    expect((await SELF.fetch(`${ORIGIN}/api/sandboxes/${flipped}`)).status).toBe(404);
    expect((await api(`ro-${b.readOnlyId.slice(3, 28)}${b.readOnlyId[28] === "a" ? "b" : "a"}`, "GET", "/api/v1/namespaces")).status).toBe(404);
  });
});
