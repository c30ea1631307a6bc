// The cluster network with the real kubectl: `kubectl exec` into a busybox pod to wget a Service by
// name and nslookup it, a StatefulSet's pods by name through their headless Service, the NodePort of seed 001 on every node from the node shell, switching
// kube-proxy to IPVS as the seed does (edit the ConfigMap, delete the kube-proxy pods) and reading
// `ipvsadm -ln`, `kubectl proxy` on a free port, and `kubectl port-forward`'s refusal.
import { spawn } from "node:child_process";
import { beforeAll, describe, expect, it } from "vitest";
import { createSandbox, kubectl, kubectlBinary, kubectlOk, nodeShell, type Sandbox, sandboxPost, writeFile } from "./harness";
import { freePort } from "./ports";

let sb: Sandbox;

const post = (path: string, body: unknown) => sandboxPost(sb, path, body);

const advance = (seconds: number) => post("clock", { advanceSeconds: seconds });
const shell = (node: string, command: string) => nodeShell(sb, node, command);

const WELCOME = "<title>Welcome to nginx!</title>";

const MANIFEST = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
  selector:
    matchLabels:
      apps: web
  template:
    metadata:
      labels:
        apps: web
    spec:
      containers:
      - name: nginx
        image: nginx:1.25.1-alpine
        ports:
        - containerPort: 80
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  type: NodePort
  selector:
    apps: web
  ports:
  - port: 8888
    targetPort: 80
    nodePort: 30080
---
apiVersion: v1
kind: Pod
metadata:
  name: box
spec:
  containers:
  - name: box
    image: busybox:1.36
    command: ["sleep", "3600"]
`;

let clusterIP: string;

beforeAll(async () => {
  sb = await createSandbox();
  await post("clock", { paused: true });
  kubectlOk(sb, ["apply", "-f", writeFile(sb, "web.yaml", MANIFEST)]);
  await advance(30);
  clusterIP = kubectlOk(sb, ["get", "svc", "web", "-o", "jsonpath={.spec.clusterIP}"]);
});

describe("inside a pod", () => {
  it("wget -qO- reaches the Service by name", () => {
    const out = kubectlOk(sb, ["exec", "box", "--", "wget", "-qO-", "http://web:8888"]);
    expect(out).toContain(WELCOME);
  });

  it("nslookup asks CoreDNS at 10.96.0.10", () => {
    const out = kubectlOk(sb, ["exec", "box", "--", "nslookup", "web.default.svc.cluster.local"]);
    expect(out).toBe(`Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\nName:\tweb.default.svc.cluster.local\nAddress: ${clusterIP}\n\n\n`);
    const missing = kubectl(sb, ["exec", "box", "--", "nslookup", "nope.default.svc.cluster.local"]);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toContain("** server can't find nope.default.svc.cluster.local: NXDOMAIN");
    expect(missing.stderr).toBe("command terminated with exit code 1\n");
  });

  it("a connection nobody accepts is refused", () => {
    const r = kubectl(sb, ["exec", "box", "--", "wget", "-qO-", `http://${clusterIP}:8888/nope.html`]);
    expect(r.stderr).toBe("wget: server returned error: HTTP/1.1 404 Not Found\ncommand terminated with exit code 1\n");
  });
});

// The StatefulSet tutorial's DNS: pods named through their headless Service.
const STATEFUL = `apiVersion: v1
kind: Service
metadata:
  name: nginx
  labels:
    app: nginx
spec:
  ports:
  - port: 80
    name: web
  clusterIP: None
  selector:
    app: nginx
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: web
spec:
  serviceName: nginx
  replicas: 2
  selector:
    matchLabels:
      app: nginx
  template:
    metadata:
      labels:
        app: nginx
    spec:
      containers:
      - name: nginx
        image: nginx:1.25.1-alpine
        ports:
        - containerPort: 80
          name: web
---
apiVersion: v1
kind: Pod
metadata:
  name: dns-test
spec:
  containers:
  - name: dns-test
    image: busybox:1.28
    command: ["sleep", "3600"]
`;

describe("a StatefulSet's pods by name", () => {
  it("nslookup web-0.nginx resolves to web-0's address; the pod's /etc/hosts has its FQDN", async () => {
    kubectlOk(sb, ["apply", "-f", writeFile(sb, "web-sts.yaml", STATEFUL)]);
    await advance(60);
    const ip0 = kubectlOk(sb, ["get", "pod", "web-0", "-o", "jsonpath={.status.podIP}"]);
    const ip1 = kubectlOk(sb, ["get", "pod", "web-1", "-o", "jsonpath={.status.podIP}"]);
    expect(ip0).toMatch(/^10\.244\./);
    const slices = JSON.parse(kubectlOk(sb, ["get", "endpointslices", "-l", "kubernetes.io/service-name=nginx", "-o", "json"])).items;
    expect(slices.flatMap((s: any) => s.endpoints.map((e: any) => `${e.hostname} ${e.addresses[0]}`)).sort()).toEqual([`web-0 ${ip0}`, `web-1 ${ip1}`]);
    const out = kubectlOk(sb, ["exec", "dns-test", "--", "nslookup", "web-0.nginx"]);
    expect(out).toContain("Name:      web-0.nginx\n");
    expect(out).toContain(`Address 1: ${ip0} web-0.nginx.default.svc.cluster.local`);
    expect(kubectlOk(sb, ["exec", "web-0", "--", "cat", "/etc/hosts"])).toContain(`${ip0}\tweb-0.nginx.default.svc.cluster.local\tweb-0\n`);
    expect(kubectlOk(sb, ["exec", "web-1", "--", "hostname"])).toBe("web-1\n");
  });
});

describe("from the nodes (seed 001)", () => {
  it("curl <node IP>:30080 answers nginx's page on every node", async () => {
    for (const ip of ["192.168.1.10", "192.168.1.11", "192.168.1.12"]) {
      const r = await shell("k8s-master", `curl ${ip}:30080`);
      expect(r.exitCode).toBe(0);
      expect(r.stdout).toContain(WELCOME);
    }
    // Nothing listens on the NodePort (`ss -ntl | grep 30080` prints nothing): kube-proxy's rules forward it.
    expect(await shell("k8s-master", "ss -ntl | grep 30080")).toMatchObject({ exitCode: 1, stdout: "" });
    expect((await shell("k8s-master", "ss -ntl | grep 6443")).stdout).toMatch(/^LISTEN +0 +4096 +\*:6443 +0\.0\.0\.0:\*\n$/);
    const rules = await shell("k8s-master", `iptables-save | grep ${clusterIP}`);
    expect(rules.stdout).toContain(`-A KUBE-SERVICES -d ${clusterIP}/32 -p tcp -m comment --comment "default/web cluster IP" -m tcp --dport 8888 -j KUBE-SVC-`);
  });

  it("switching kube-proxy to ipvs takes effect once its pods are recreated", async () => {
    const proxyPods = () => kubectlOk(sb, ["-n", "kube-system", "get", "pods", "-l", "k8s-app=kube-proxy", "-o", "name"]).trim().split("\n");
    // kube-proxy says which proxier it runs, as the tutorials check with `kubectl logs`.
    const before = kubectlOk(sb, ["-n", "kube-system", "logs", proxyPods()[0]]);
    expect(before).toMatch(/^I\d{4} \d\d:\d\d:\d\d\.\d{6} +1 server_linux\.go:\d+\] "Using iptables Proxier"$/m);
    expect(before).toMatch(/"Successfully retrieved node IP\(s\)" IPs=\["192\.168\.1\.1\d"\]/);
    const cm = kubectlOk(sb, ["-n", "kube-system", "get", "cm", "kube-proxy", "-o", "yaml"]);
    kubectlOk(sb, ["replace", "-f", "-"], { input: cm.replace('mode: "iptables"', 'mode: "ipvs"') });
    expect(kubectlOk(sb, ["-n", "kube-system", "get", "cm", "kube-proxy", "-o", "yaml"])).toContain('mode: "ipvs"');
    // Until kube-proxy restarts it keeps the mode it started with.
    expect((await shell("k8s-master", "ipvsadm -ln")).stdout).not.toContain("rr");
    const pods = kubectlOk(sb, ["-n", "kube-system", "get", "pods", "-l", "k8s-app=kube-proxy", "-o", "name"]).trim().split("\n");
    expect(pods).toHaveLength(3);
    kubectlOk(sb, ["-n", "kube-system", "delete", ...pods, "--wait=false"]);
    await advance(60);
    const all = (await shell("k8s-master", "ipvsadm -ln")).stdout.split("\n");
    const at = all.indexOf(`TCP  ${clusterIP}:8888 rr`);
    expect(at).toBeGreaterThan(2);
    const table = all.slice(at, at + 4).join("\n");
    const podIPs = kubectlOk(sb, ["get", "pods", "-l", "apps=web", "-o", "jsonpath={.items[*].status.podIP}"]).split(" ").sort((a, b) => Number(a.split(".")[3]) - Number(b.split(".")[3]) || a.localeCompare(b));
    expect(table.split("\n")[0]).toBe(`TCP  ${clusterIP}:8888 rr`);
    for (const ip of podIPs) expect(table).toContain(`  -> ${`${ip}:80`.padEnd(28)} Masq    1      0          0         `);
    expect((await shell("k8s-master", "curl -s 192.168.1.11:30080")).stdout).toContain(WELCOME);
    const after = kubectlOk(sb, ["-n", "kube-system", "logs", proxyPods()[0]]);
    expect(after).toContain('"Using ipvs Proxier"');
    expect(after).not.toContain("iptables Proxier");
  });
});

describe("from outside", () => {
  it("kubectl proxy passes requests to the Service", async () => {
    const port = await freePort();
    // The sandbox's server URL has a path: kubectl proxy keeps it only with --append-server-path (it says so).
    const child = spawn(kubectlBinary("1.32"), ["proxy", `--port=${port}`, "--append-server-path"], { env: { PATH: process.env.PATH ?? "", HOME: sb.dir, KUBECONFIG: sb.kubeconfig } });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    try {
      const deadline = Date.now() + 20_000;
      while (!out.includes("Starting to serve")) {
        if (Date.now() > deadline) throw new Error(`kubectl proxy did not start: ${out}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(out).toBe(`Starting to serve on 127.0.0.1:${port}\n`);
      const page = await fetch(`http://127.0.0.1:${port}/api/v1/namespaces/default/services/web/proxy/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain(WELCOME);
      const missing = await fetch(`http://127.0.0.1:${port}/api/v1/namespaces/default/services/nope/proxy/`);
      expect(missing.status).toBe(404);
      expect((await missing.json()).message).toBe('services "nope" not found');
    } finally {
      child.kill("SIGTERM");
    }
  });

  it("kubectl port-forward is refused with a way out", () => {
    const r = kubectl(sb, ["port-forward", "pod/box", "18080:80"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("kubeplay does not forward ports");
  });
});
