// Ingress and NetworkPolicy through the Worker: the built-in controller publishes its address on the
// Ingresses it serves, routes by host and path from the node shell, from exec shells and from the
// outside routes (`/lb/<ip>/80/…` with X-Forwarded-Host, `/ingress/<host>/…`), answers nginx's 404
// and 503; NetworkPolicies drop what they deny (wget's and curl's timeouts) and let through what a
// rule allows, the controller included; and none of these reads writes to the store but a command's
// access-log records.
import { SELF } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { api, clock, createSandbox, execInPod, ORIGIN, type Created } from "./helpers";


async function shell(node: string, command: string): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  const res = await SELF.fetch(`${ORIGIN}/api/sandboxes/${sb.id}/shell`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ node, command }) });
  return (await res.json()) as { stdout: string; stderr: string; exitCode: number };
}

/** `kubectl exec <pod> -- sh -c <command>`: its output and the final Status's status. */
async function exec(pod: string, command: string): Promise<{ stdout: string; stderr: string; status: string }> {
  const r = await execInPod(sb.id, pod, ["sh", "-c", command]);
  return { ...r, status: r.status.status };
}

async function outside(path: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  const res = await SELF.fetch(`${ORIGIN}/s/${sb.id}${path}`, { headers });
  return { status: res.status, text: await res.text() };
}

async function batches(): Promise<number> {
  return ((await (await SELF.fetch(`${ORIGIN}/api/sandboxes/${sb.id}/stats`)).json()) as { store: { batches: number } }).store.batches;
}

function app(name: string, image: string, replicas: number, portName?: string) {
  return {
    deployment: {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name },
      spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "app", image, ports: [{ containerPort: 8080 }] }] } } },
    },
    service: { apiVersion: "v1", kind: "Service", metadata: { name }, spec: { selector: { app: name }, ports: [{ ...(portName ? { name: portName } : {}), port: 8080, targetPort: 8080 }] } },
  };
}

const INGRESS = {
  apiVersion: "networking.k8s.io/v1",
  kind: "Ingress",
  metadata: { name: "example-ingress" },
  spec: {
    ingressClassName: "nginx",
    rules: [
      {
        host: "hello-world.example",
        http: {
          paths: [
            { path: "/", pathType: "Prefix", backend: { service: { name: "web", port: { number: 8080 } } } },
            { path: "/v2", pathType: "Prefix", backend: { service: { name: "web2", port: { name: "http" } } } },
            { path: "/down", pathType: "Exact", backend: { service: { name: "nobody", port: { number: 80 } } } },
          ],
        },
      },
      { host: "*.apps.test", http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "web2", port: { name: "http" } } } }] } },
    ],
  },
};

const NOT_FOUND = "<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";
const LB = "172.18.255.200";

let sb: Created;
let controllerIP: string;

beforeAll(async () => {
  sb = await createSandbox();
  await clock(sb.id, { paused: true });
  for (const [name, image, replicas, portName] of [
    ["web", "gcr.io/google-samples/hello-app:1.0", 2, undefined],
    ["web2", "gcr.io/google-samples/hello-app:2.0", 1, "http"],
  ] as const) {
    const { deployment, service } = app(name, image, replicas, portName);
    expect((await api(sb.id, "POST", "/apis/apps/v1/namespaces/default/deployments", deployment)).status).toBe(201);
    expect((await api(sb.id, "POST", "/api/v1/namespaces/default/services", service)).status).toBe(201);
  }
  const client = { apiVersion: "v1", kind: "Pod", metadata: { name: "client", labels: { role: "client" } }, spec: { containers: [{ name: "box", image: "busybox:1.36", command: ["sleep", "3600"] }] } };
  const other = { ...client, metadata: { name: "other", labels: { role: "other" } } };
  for (const p of [client, other]) expect((await api(sb.id, "POST", "/api/v1/namespaces/default/pods", p)).status).toBe(201);
  expect((await api(sb.id, "POST", "/apis/networking.k8s.io/v1/namespaces/default/ingresses", INGRESS)).status).toBe(201);
  await clock(sb.id, { advanceSeconds: 30 });
  controllerIP = (await api(sb.id, "GET", "/api/v1/namespaces/ingress-nginx/services/ingress-nginx-controller")).json.spec.clusterIP;
});

describe("Ingress", () => {
  it("the controller publishes its LoadBalancer address in the Ingress's status", async () => {
    const ing = (await api(sb.id, "GET", "/apis/networking.k8s.io/v1/namespaces/default/ingresses/example-ingress")).json;
    expect(ing.status).toEqual({ loadBalancer: { ingress: [{ ip: LB }] } });
    // One of another controller's class is left alone.
    const other = { ...INGRESS, metadata: { name: "other-class" }, spec: { ...INGRESS.spec, ingressClassName: "traefik" } };
    expect((await api(sb.id, "POST", "/apis/networking.k8s.io/v1/namespaces/default/ingresses", other)).status).toBe(201);
    expect((await api(sb.id, "GET", "/apis/networking.k8s.io/v1/namespaces/default/ingresses/other-class")).json.status?.loadBalancer?.ingress).toBeUndefined();
  });

  it("routes by host and path from a node, on the LoadBalancer IP, the ClusterIP and the NodePorts", async () => {
    const v1 = await shell("k8s-node1", `curl -s -H 'Host: hello-world.example' http://${LB}/`);
    expect(v1.stdout).toMatch(/^Hello, world!\nVersion: 1\.0\.0\nHostname: web-[a-z0-9]+-[a-z0-9]{5}\n$/);
    expect((await shell("k8s-node1", `curl -s -H 'Host: hello-world.example' http://${controllerIP}/v2/anything`)).stdout).toMatch(/^Hello, world!\nVersion: 2\.0\.0\nHostname: web2-/);
    expect((await shell("k8s-master", "curl -s -H 'Host: hello-world.example' http://192.168.1.12:32080/v2")).stdout).toMatch(/Version: 2\.0\.0/);
    expect((await shell("k8s-node2", "curl -s -H 'Host: shop.apps.test' http://127.0.0.1:32080/")).stdout).toMatch(/Version: 2\.0\.0/);
    // Round-robin over web's two pods.
    const hosts = new Set<string>();
    for (let i = 0; i < 4; i++) hosts.add((await shell("k8s-node1", `curl -s -H 'Host: hello-world.example' http://${LB}/`)).stdout.split("Hostname: ")[1]);
    expect(hosts.size).toBe(2);
  });

  it("answers nginx's 404 when nothing matches and 503 for a backend without endpoints", async () => {
    expect(await shell("k8s-node1", `curl -s http://${LB}/`)).toEqual({ stdout: NOT_FOUND, stderr: "", exitCode: 0 });
    expect((await shell("k8s-node1", `curl -s -H 'Host: a.b.apps.test' http://${LB}/`)).stdout).toBe(NOT_FOUND);
    const head = await shell("k8s-node1", `curl -sI -H 'Host: nope.example' http://${LB}/`);
    expect(head.stdout).toMatch(/^HTTP\/1\.1 404 Not Found\r\nDate: .+ GMT\r\nContent-Type: text\/html\r\nContent-Length: 146\r\nConnection: keep-alive\r\n\r\n$/);
    const down = await shell("k8s-node1", `curl -s -o /dev/null -w '%{http_code}\\n' -H 'Host: hello-world.example' http://${LB}/down`);
    expect(down.stdout).toBe("503\n");
    expect((await shell("k8s-node1", `curl -sI -H 'Host: hello-world.example' http://${LB}/down`)).stdout).toMatch(/^HTTP\/1\.1 503 Service Temporarily Unavailable\r\n/);
  });

  it("is reached from an exec shell by the Service's DNS name", async () => {
    const r = await exec("client", "wget -qO- --header 'Host: hello-world.example' http://ingress-nginx-controller.ingress-nginx/v2");
    expect(r.stdout).toMatch(/^Hello, world!\nVersion: 2\.0\.0\n/);
    expect(r.status).toBe("Success");
  });

  it("is reached from outside: /lb/<ip>/80/ with X-Forwarded-Host, and /ingress/<host>/", async () => {
    expect((await outside(`/lb/${LB}/80/v2`, { "X-Forwarded-Host": "hello-world.example" })).text).toMatch(/Version: 2\.0\.0/);
    expect(await outside(`/lb/${LB}/80/v2`)).toEqual({ status: 404, text: NOT_FOUND });
    expect((await outside("/ingress/hello-world.example/")).text).toMatch(/^Hello, world!\nVersion: 1\.0\.0/);
    expect((await outside("/ingress/hello-world.example/v2?x=1")).text).toMatch(/Version: 2\.0\.0/);
    expect((await outside("/ingress/www.apps.test/")).text).toMatch(/Version: 2\.0\.0/);
    expect(await outside("/ingress/nothing.example/")).toEqual({ status: 404, text: NOT_FOUND });
  });

  it("reading through the controller writes nothing but a node command's access-log records", async () => {
    const before = await batches();
    await outside("/ingress/hello-world.example/v2");
    expect(await batches()).toBe(before);
    // The backend's answer to a node's curl is kept with the command, for its log; nginx's own 404 is not a pod's.
    await shell("k8s-node1", `curl -s http://${LB}/`);
    expect(await batches()).toBe(before);
    await shell("k8s-node1", `curl -s -H 'Host: hello-world.example' http://${LB}/v2`);
    expect(await batches()).toBe(before + 1);
    const backend = (await api(sb.id, "GET", "/api/v1/namespaces/default/pods?labelSelector=app%3Dweb2")).json.items[0].metadata.name;
    const log = (await api(sb.id, "GET", `/api/v1/namespaces/default/pods/${backend}/log`)).text;
    expect(log.trimEnd().split("\n").at(-1)).toMatch(/^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d Serving request: \/v2$/);
  });
});

describe("NetworkPolicy", () => {
  const policy = (name: string, spec: Record<string, unknown>) => api(sb.id, "POST", "/apis/networking.k8s.io/v1/namespaces/default/networkpolicies", { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name }, spec });
  const remove = (name: string) => api(sb.id, "DELETE", `/apis/networking.k8s.io/v1/namespaces/default/networkpolicies/${name}`);

  it("default-deny ingress drops connections (a timeout), an allow-from-label policy lets its pods through", async () => {
    expect((await exec("client", "wget -qO- -T 2 http://web:8080")).stdout).toMatch(/Version: 1\.0\.0/);
    expect((await policy("default-deny", { podSelector: {}, policyTypes: ["Ingress"] })).status).toBe(201);
    expect(await exec("client", "wget -qO- -T 2 http://web:8080")).toEqual({ stdout: "", stderr: "wget: download timed out\n", status: "Failure" });
    // The ingress controller is a client like any other: 504 once every try timed out.
    expect((await shell("k8s-node1", `curl -s -o /dev/null -w '%{http_code}\\n' -H 'Host: hello-world.example' http://${LB}/`)).stdout).toBe("504\n");

    expect((await policy("allow-clients", { podSelector: { matchLabels: { app: "web" } }, ingress: [{ from: [{ podSelector: { matchLabels: { role: "client" } } }], ports: [{ port: 8080 }] }] })).status).toBe(201);
    expect((await exec("client", "wget -qO- -T 2 http://web:8080")).stdout).toMatch(/Version: 1\.0\.0/);
    expect((await exec("other", "wget -qO- -T 2 http://web:8080")).stderr).toBe("wget: download timed out\n");
    // In exec as well, a dropped connection ends when the client gives up, not with the session.
    const webIP = (await api(sb.id, "GET", "/api/v1/namespaces/default/services/web")).json.spec.clusterIP;
    expect(await exec("other", "wget -qO- http://web:8080")).toEqual({ stdout: "", stderr: `wget: can't connect to remote host (${webIP}): Connection timed out\n`, status: "Failure" });

    expect((await policy("allow-ingress-nginx", { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ingress-nginx" } } }] }] })).status).toBe(201);
    expect((await shell("k8s-node1", `curl -s -H 'Host: hello-world.example' http://${LB}/`)).stdout).toMatch(/Version: 1\.0\.0/);
    for (const n of ["default-deny", "allow-clients", "allow-ingress-nginx"]) expect((await remove(n)).status).toBe(200);
  });

  it("from a node shell: curl times out on a pod of another node, the pod's own node is always let in", async () => {
    const pods = (await api(sb.id, "GET", "/api/v1/namespaces/default/pods?labelSelector=app%3Dweb2")).json.items;
    const { podIP, nodeName } = { podIP: pods[0].status.podIP, nodeName: pods[0].spec.nodeName };
    const elsewhere = nodeName === "k8s-node1" ? "k8s-node2" : "k8s-node1";
    expect((await policy("deny-web2", { podSelector: { matchLabels: { app: "web2" } }, policyTypes: ["Ingress"] })).status).toBe(201);
    expect(await shell(elsewhere, `curl --connect-timeout 2 http://${podIP}:8080/`)).toEqual({ stdout: "", stderr: "curl: (28) Connection timed out after 2000 milliseconds\n", exitCode: 28 });
    // Without a timeout of its own, curl gives up when the kernel's SYN retries do.
    expect(await shell(elsewhere, `curl http://${podIP}:8080/`)).toEqual({ stdout: "", stderr: `curl: (28) Failed to connect to ${podIP} port 8080 after 127000 ms: Connection timed out\n`, exitCode: 28 });
    expect((await shell(nodeName, `curl -s http://${podIP}:8080/`)).stdout).toMatch(/Version: 2\.0\.0/);
    expect((await remove("deny-web2")).status).toBe(200);
  });

  it("default-deny egress needs DNS allowed explicitly", async () => {
    expect((await policy("deny-egress", { podSelector: { matchLabels: { role: "client" } }, policyTypes: ["Egress"] })).status).toBe(201);
    expect((await exec("client", "wget -qO- -T 2 http://web:8080")).stderr).toBe("wget: bad address 'web'\n");
    const dns = { to: [{ namespaceSelector: {}, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }], ports: [{ port: 53, protocol: "UDP" }, { port: 53, protocol: "TCP" }] };
    expect((await policy("allow-dns", { podSelector: { matchLabels: { role: "client" } }, policyTypes: ["Egress"], egress: [dns] })).status).toBe(201);
    expect((await exec("client", "wget -qO- -T 2 http://web:8080")).stderr).toBe("wget: download timed out\n");
    expect((await policy("allow-web", { podSelector: { matchLabels: { role: "client" } }, egress: [{ to: [{ podSelector: { matchLabels: { app: "web" } } }] }] })).status).toBe(201);
    expect((await exec("client", "wget -qO- -T 2 http://web:8080")).stdout).toMatch(/Version: 1\.0\.0/);
  });
});
