// The cluster network from a node shell, through the Worker: NodePorts on every node and on
// 127.0.0.1, ClusterIPs, pod IPs, DNS through CoreDNS, iptables-save and ipvsadm matching the
// kube-proxy mode, and reading writes nothing but the access-log records of what was served.
import { SELF } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { NGINX_WELCOME } from "../../worker/runtime/images/web";
import { api, clock, createSandbox, ORIGIN, type Created } from "./helpers";

async function shell(id: string, node: string, command: string): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  const res = await SELF.fetch(`${ORIGIN}/api/sandboxes/${id}/shell`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ node, command }) });
  return (await res.json()) as { stdout: string; stderr: string; exitCode: number };
}

async function stats(id: string): Promise<{ store: { batches: number } }> {
  return (await (await SELF.fetch(`${ORIGIN}/api/sandboxes/${id}/stats`)).json()) as { store: { batches: number } };
}

function webObjects(replicas = 3, nodePort = 30080) {
  return {
    deployment: {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web" },
      spec: { replicas, selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "nginx", image: "nginx:1.25.1", ports: [{ containerPort: 80, name: "http" }] }] } } },
    },
    service: {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "web" },
      spec: { type: "NodePort", selector: { app: "web" }, ports: [{ port: 8888, targetPort: "http", nodePort }] },
    },
  };
}

let sb: Created;
let clusterIP: string;
let podIPs: string[];

beforeAll(async () => {
  sb = await createSandbox();
  await clock(sb.id, { paused: true });
  const { deployment, service } = webObjects();
  expect((await api(sb.id, "POST", "/apis/apps/v1/namespaces/default/deployments", deployment)).status).toBe(201);
  expect((await api(sb.id, "POST", "/api/v1/namespaces/default/services", service)).status).toBe(201);
  await clock(sb.id, { advanceSeconds: 30 });
  clusterIP = (await api(sb.id, "GET", "/api/v1/namespaces/default/services/web")).json.spec.clusterIP;
  podIPs = (await api(sb.id, "GET", "/api/v1/namespaces/default/pods?labelSelector=app%3Dweb")).json.items.map((p: any) => p.status.podIP);
  expect(podIPs).toHaveLength(3);
});

describe("from a node", () => {
  it("a NodePort answers on every node's address with nginx's welcome page (seed 001)", async () => {
    for (const [node, ip] of [["k8s-master", "192.168.1.10"], ["k8s-node1", "192.168.1.11"], ["k8s-node2", "192.168.1.12"]]) {
      const r = await shell(sb.id, node, `curl ${ip}:30080`);
      expect(r).toEqual({ stdout: NGINX_WELCOME, stderr: "", exitCode: 0 });
    }
    expect((await shell(sb.id, "k8s-node1", "curl -s 127.0.0.1:30080")).stdout).toBe(NGINX_WELCOME);
  });

  it("the ClusterIP, a pod IP, and headers with -I", async () => {
    expect((await shell(sb.id, "k8s-node1", `curl -s ${clusterIP}:8888`)).stdout).toBe(NGINX_WELCOME);
    const head = await shell(sb.id, "k8s-node2", `curl -I ${podIPs[0]}`);
    expect(head.exitCode).toBe(0);
    expect(head.stdout).toMatch(/^HTTP\/1\.1 200 OK\r\nServer: nginx\/1\.25\.1\r\nDate: .+ GMT\r\nContent-Type: text\/html\r\nContent-Length: 615\r\nLast-Modified: .+\r\nConnection: keep-alive\r\nETag: "[0-9a-f]+-267"\r\nAccept-Ranges: bytes\r\n\r\n$/);
    const missing = await shell(sb.id, "k8s-node2", `curl -s -o /dev/null -w '%{http_code}\\n' ${podIPs[1]}/nope.html`);
    expect(missing.stdout).toBe("404\n");
  });

  it("fails like curl and wget do", async () => {
    expect(await shell(sb.id, "k8s-node1", `curl ${podIPs[0]}:81`)).toEqual({ stdout: "", stderr: `curl: (7) Failed to connect to ${podIPs[0]} port 81 after 0 ms: Connection refused\n`, exitCode: 7 });
    expect(await shell(sb.id, "k8s-node1", "curl web")).toEqual({ stdout: "", stderr: "curl: (6) Could not resolve host: web\n", exitCode: 6 });
    expect(await shell(sb.id, "k8s-node1", `curl --connect-timeout 2 ${clusterIP}:9999`)).toEqual({ stdout: "", stderr: "curl: (28) Connection timed out after 2000 milliseconds\n", exitCode: 28 });
    // A ClusterIP port nobody serves is dropped in iptables mode: plain curl waits for the kernel's
    // SYN timeout and gives up on its own, past the shell's 60 s limit for commands that never end.
    expect(await shell(sb.id, "k8s-node1", `curl ${clusterIP}:9999`)).toEqual({
      stdout: "",
      stderr: `curl: (28) Failed to connect to ${clusterIP} port 9999 after 127000 ms: Connection timed out\n`,
      exitCode: 28,
    });
    // The next command of the line runs; a wait after the limit is where the shell stops it.
    expect(await shell(sb.id, "k8s-node1", `curl -s ${clusterIP}:9999; echo "exit $?"`)).toEqual({ stdout: "exit 28\n", stderr: "", exitCode: 0 });
    expect((await shell(sb.id, "k8s-node1", `curl -s ${clusterIP}:9999; sleep 1; echo never`)).exitCode).toBe(130);
    expect(await shell(sb.id, "k8s-node1", `wget ${clusterIP}:9999`)).toMatchObject({ stderr: expect.stringContaining(`Connecting to ${clusterIP}:9999... failed: Connection timed out.\n`), exitCode: 4 });
  });

  it("resolves cluster names through CoreDNS when asked, and node names from /etc/hosts", async () => {
    const r = await shell(sb.id, "k8s-master", "nslookup web.default.svc.cluster.local 10.96.0.10");
    expect(r.stdout).toBe(`Server:\t\t10.96.0.10\nAddress:\t10.96.0.10#53\n\nName:\tweb.default.svc.cluster.local\nAddress: ${clusterIP}\n\n`);
    expect(r.exitCode).toBe(0);
    const nx = await shell(sb.id, "k8s-master", "nslookup nope.default.svc.cluster.local 10.96.0.10");
    expect(nx).toMatchObject({ exitCode: 1, stdout: "Server:\t\t10.96.0.10\nAddress:\t10.96.0.10#53\n\n** server can't find nope.default.svc.cluster.local: NXDOMAIN\n\n" });
    expect((await shell(sb.id, "k8s-master", "ping -c 1 k8s-node2")).stdout).toMatch(/^PING k8s-node2 \(192\.168\.1\.12\) 56\(84\) bytes of data\.\n64 bytes from 192\.168\.1\.12: icmp_seq=1 ttl=64 time=[\d.]+ ms\n/);
    expect((await shell(sb.id, "k8s-master", `ping -c 2 ${podIPs[0]}`)).exitCode).toBe(0);
  });

  it("iptables-save shows kube-proxy's chains with --probability", async () => {
    const r = await shell(sb.id, "k8s-node1", `iptables-save | grep ${clusterIP}`);
    expect(r.stdout).toMatch(new RegExp(`^-A KUBE-SERVICES -d ${clusterIP.replace(/\./g, "\\.")}/32 -p tcp -m comment --comment "default/web cluster IP" -m tcp --dport 8888 -j KUBE-SVC-[A-Z2-7]{16}\n`));
    const svcChain = /-j (KUBE-SVC-[A-Z2-7]{16})/.exec(r.stdout)![1];
    const chain = (await shell(sb.id, "k8s-node1", `iptables-save | grep "^-A ${svcChain}"`)).stdout.split("\n").filter(Boolean);
    expect(chain[0]).toBe(`-A ${svcChain} ! -s 10.244.0.0/16 -d ${clusterIP}/32 -p tcp -m comment --comment "default/web cluster IP" -m tcp --dport 8888 -j KUBE-MARK-MASQ`);
    expect(chain[1]).toMatch(/-m statistic --mode random --probability 0\.33333333349 -j KUBE-SEP-/);
    expect(chain[2]).toMatch(/-m statistic --mode random --probability 0\.50000000000 -j KUBE-SEP-/);
    expect(chain[3]).not.toContain("statistic");
    const nodePorts = (await shell(sb.id, "k8s-node1", "iptables-save | grep KUBE-NODEPORTS")).stdout;
    expect(nodePorts).toContain(`-A KUBE-NODEPORTS -p tcp -m comment --comment "default/web" -m tcp --dport 30080 -j KUBE-EXT-`);
    expect((await shell(sb.id, "k8s-node1", "ipvsadm -ln")).stdout).toBe("IP Virtual Server version 1.2.1 (size=4096)\nProt LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n");
  });

  it("reading through the network writes nothing but the servers' access-log records, with the command", async () => {
    const before = (await stats(sb.id)).store.batches;
    await shell(sb.id, "k8s-node1", `nslookup web.default.svc.cluster.local 10.96.0.10; iptables-save; curl --connect-timeout 1 ${podIPs[0]}:81`);
    expect((await stats(sb.id)).store.batches).toBe(before);
    await shell(sb.id, "k8s-node1", `curl -s ${clusterIP}:8888; curl -s 192.168.1.12:30080`);
    expect((await stats(sb.id)).store.batches).toBe(before + 1);
  });
});
