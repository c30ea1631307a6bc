// Access-log lines for requests served through the network, through the Worker: curl from a node
// shell and wget in a kubectl exec shell are kept with the command's commit and show in
// `GET …/pods/<pod>/log` with the address the server saw (kube-proxy's SNAT from a node, the pod's
// own from a pod); the outside routes and the API server's proxy write nothing and log nothing.
import { SELF } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { api, clock, createSandbox, execInPod, ORIGIN, type Created } from "./helpers";

let sb: Created;
let webPod: string;
let webNode: string;
let cidrs: Record<string, string>;

async function shell(node: string, command: string): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  const res = await SELF.fetch(`${ORIGIN}/api/sandboxes/${sb.id}/shell`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ node, command }) });
  return (await res.json()) as { stdout: string; stderr: string; exitCode: number };
}

async function batches(): Promise<number> {
  return ((await (await SELF.fetch(`${ORIGIN}/api/sandboxes/${sb.id}/stats`)).json()) as { store: { batches: number } }).store.batches;
}

/** `kubectl exec <pod> -- sh -c <command>`: the final Status's status. */
async function exec(pod: string, command: string): Promise<string> {
  return (await execInPod(sb.id, pod, ["sh", "-c", command])).status.status;
}

/** The access-log lines in the web pod's log, without their time. */
async function accessLines(): Promise<string[]> {
  const r = await api(sb.id, "GET", `/api/v1/namespaces/default/pods/${webPod}/log`);
  expect(r.status).toBe(200);
  return r.text
    .split("\n")
    .filter((l) => / - - \[/.test(l) && !l.includes("kube-probe"))
    .map((l) => l.replace(/\[[^\]]+\]/, "[t]"));
}

beforeAll(async () => {
  sb = await createSandbox();
  await clock(sb.id, { paused: true });
  const deployment = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web" },
    spec: { replicas: 1, selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "nginx", image: "nginx:1.25.1", ports: [{ containerPort: 80 }] }] } } },
  };
  const service = { apiVersion: "v1", kind: "Service", metadata: { name: "web" }, spec: { type: "NodePort", selector: { app: "web" }, ports: [{ port: 80, nodePort: 30080 }] } };
  const client = { apiVersion: "v1", kind: "Pod", metadata: { name: "client" }, spec: { containers: [{ name: "c", image: "busybox:1.36", command: ["sleep", "3600"] }] } };
  expect((await api(sb.id, "POST", "/apis/apps/v1/namespaces/default/deployments", deployment)).status).toBe(201);
  expect((await api(sb.id, "POST", "/api/v1/namespaces/default/services", service)).status).toBe(201);
  expect((await api(sb.id, "POST", "/api/v1/namespaces/default/pods", client)).status).toBe(201);
  await clock(sb.id, { advanceSeconds: 30 });
  const web = (await api(sb.id, "GET", "/api/v1/namespaces/default/pods?labelSelector=app%3Dweb")).json.items[0];
  webPod = web.metadata.name;
  webNode = web.spec.nodeName;
  cidrs = Object.fromEntries((await api(sb.id, "GET", "/api/v1/nodes")).json.items.map((n: any) => [n.metadata.name, n.spec.podCIDR.split("/")[0]]));
});

describe("requests served through the network in the server's log", () => {
  it("curl from a node shell: one write with the command; the line from the address kube-proxy's SNAT gives it", async () => {
    expect(await accessLines()).toEqual([]);
    const before = await batches();
    expect((await shell(webNode, "curl -s localhost:30080 >/dev/null; curl -s -o /dev/null http://localhost:30080/nope")).exitCode).toBe(0);
    expect(await batches()).toBe(before + 1);
    // The node's own pod: MASQUERADE takes the bridge's address (.1 of the node's pod CIDR).
    const bridge = cidrs[webNode].replace(/\.0$/, ".1");
    expect(await accessLines()).toEqual([
      `${bridge} - - [t] "GET / HTTP/1.1" 200 615 "-" "curl/7.81.0" "-"`,
      `${bridge} - - [t] "GET /nope HTTP/1.1" 404 153 "-" "curl/7.81.0" "-"`,
    ]);
    // Through another node's NodePort the connection leaves that node through the overlay (.0 of its pod CIDR).
    const other = Object.keys(cidrs).find((n) => n !== webNode)!;
    await shell(webNode, `curl -s ${other}:30080 >/dev/null`);
    expect((await accessLines()).at(-1)).toBe(`${cidrs[other]} - - [t] "GET / HTTP/1.1" 200 615 "-" "curl/7.81.0" "-"`);
  });

  it("wget in kubectl exec: the client pod's address and BusyBox's User-Agent", async () => {
    const clientIP = (await api(sb.id, "GET", "/api/v1/namespaces/default/pods/client")).json.status.podIP;
    expect(await exec("client", "wget -qO- http://web/ >/dev/null")).toBe("Success");
    expect((await accessLines()).at(-1)).toBe(`${clientIP} - - [t] "GET / HTTP/1.1" 200 615 "-" "Wget" "-"`);
  });

  it("a command that sends nothing writes nothing; the outside routes and the API server's proxy write nothing and log nothing", async () => {
    const lines = await accessLines();
    const before = await batches();
    await shell(webNode, "iptables-save >/dev/null; nslookup web.default.svc.cluster.local 10.96.0.10 >/dev/null");
    expect((await SELF.fetch(`${ORIGIN}/s/${sb.id}/nodeport/30080/`)).status).toBe(200);
    expect((await api(sb.id, "GET", "/api/v1/namespaces/default/services/web:80/proxy/")).status).toBe(200);
    expect(await batches()).toBe(before);
    expect(await accessLines()).toEqual(lines);
  });
});
