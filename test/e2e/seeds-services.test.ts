// The service flows of the seed tutorials, replayed with the real kubectl and the control-plane
// node's shell: curl to a pod IP and to a NodePort on every node (seed 000), and upgrading a
// ReplicationController's pods one at a time behind a fixed NodePort without the service ever
// failing a request (seed 001), and seed 001's NodePort range widened in the kube-apiserver
// manifest so that a Service may take nodePort 8080.
import { beforeAll, describe, expect, it } from "vitest";
import { createSandbox, kubectl, kubectlOk, nodeShell, type Sandbox, sandboxPost, squash, table, writeFile } from "./harness";

let sb: Sandbox;

const post = (path: string, body: unknown) => sandboxPost(sb, path, body);

const advance = (seconds: number) => post("clock", { advanceSeconds: seconds });
const onMaster = (command: string) => nodeShell(sb, "k8s-master", command);
const nodeIPs = () => kubectlOk(sb, ["get", "nodes", "-o", "jsonpath={.items[*].status.addresses[?(@.type==\"InternalIP\")].address}"]).split(" ");

describe("seed tutorials: services", () => {
  beforeAll(async () => {
    sb = await createSandbox();
    await post("clock", { paused: true });
  });

  it("curl reaches a pod by its IP, and a NodePort on every node, master included", async () => {
    expect(kubectlOk(sb, ["create", "deployment", "k8s-nginx", "--image=nginx", "-r", "3"])).toBe("deployment.apps/k8s-nginx created\n");
    await advance(20);
    expect(table(kubectlOk(sb, ["get", "deploy", "--no-headers"]))).toBe("k8s-nginx 3/3 3 3 AGE");
    const ip = kubectlOk(sb, ["get", "pods", "-l", "app=k8s-nginx", "-o", "jsonpath={.items[0].status.podIP}"]);
    const page = await onMaster(`curl ${ip}`);
    expect(page.exitCode).toBe(0);
    expect(page.stdout).toContain("<title>Welcome to nginx!</title>");

    const svc = {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "my-nginx", labels: { run: "my-nginx" } },
      spec: { type: "NodePort", ports: [{ port: 8080, targetPort: 80, protocol: "TCP", name: "http" }], selector: { app: "k8s-nginx" } },
    };
    expect(kubectlOk(sb, ["apply", "-f", writeFile(sb, "my_service.json", JSON.stringify(svc))])).toBe("service/my-nginx created\n");
    await advance(2);
    const row = squash(kubectlOk(sb, ["get", "service", "my-nginx", "--no-headers"]));
    const nodePort = /8080:(\d+)\/TCP/.exec(row)?.[1];
    expect(Number(nodePort)).toBeGreaterThanOrEqual(30000);
    for (const nodeIP of nodeIPs()) {
      const r = await onMaster(`curl -s ${nodeIP}:${nodePort}`);
      expect(r.stdout, nodeIP).toContain("<h1>Welcome to nginx!</h1>");
    }
    const clusterIP = kubectlOk(sb, ["get", "svc", "my-nginx", "-o", "jsonpath={.spec.clusterIP}"]);
    expect((await onMaster(`curl -s ${clusterIP}:8080`)).stdout).toContain("<h1>Welcome to nginx!</h1>");
  });

  it("upgrades a ReplicationController's pods one by one behind NodePort 30080 with no failed request", async () => {
    const rc = (version: string) =>
      JSON.stringify({
        apiVersion: "v1",
        kind: "ReplicationController",
        metadata: { name: "koten-rc-apps-v1" },
        spec: { replicas: 3, template: { metadata: { labels: { apps: "v1" } }, spec: { containers: [{ name: "v1", image: `harbor.koten.com/koten-web/nginx:${version}-alpine` }] } } },
      });
    const svc = { apiVersion: "v1", kind: "Service", metadata: { name: "koten-apps" }, spec: { type: "NodePort", selector: { apps: "v1" }, ports: [{ port: 80, targetPort: 80, nodePort: 30080 }] } };
    expect(kubectlOk(sb, ["apply", "-f", writeFile(sb, "04-rc-apps.json", rc("1.24.0"))])).toBe("replicationcontroller/koten-rc-apps-v1 created\n");
    expect(kubectlOk(sb, ["apply", "-f", writeFile(sb, "06-rc-apps-svc.json", JSON.stringify(svc))])).toBe("service/koten-apps created\n");
    await advance(20);
    expect(table(kubectlOk(sb, ["get", "svc", "koten-apps", "--no-headers"]))).toMatch(/^koten-apps NodePort [\d.]+ <none> 80:30080\/TCP AGE$/);
    const [master] = nodeIPs();
    const serverOf = async (target: string) => /Server: (\S+)/.exec((await onMaster(`curl -sI ${target}`)).stdout)?.[1];
    expect(await serverOf(`${master}:30080`)).toBe("nginx/1.24.0");

    // Changing the template does not touch running pods.
    expect(kubectlOk(sb, ["apply", "-f", writeFile(sb, "04-rc-apps.json", rc("1.25.1"))])).toBe("replicationcontroller/koten-rc-apps-v1 configured\n");
    await advance(5);
    const pods = () => kubectlOk(sb, ["get", "pods", "-l", "apps=v1", "-o", "jsonpath={range .items[*]}{.metadata.name} {.status.podIP} {.spec.containers[0].image}{\"\\n\"}{end}"]).trim().split("\n");
    const old = pods();
    expect(old.every((l) => l.endsWith("nginx:1.24.0-alpine"))).toBe(true);

    // Delete them one at a time; every request to the NodePort keeps answering 200 meanwhile. (A pod
    // without a readiness probe is Ready from its start, so in the 50 ms before nginx listens a
    // request could be refused — as on a real cluster; the checks fall between those moments.)
    for (const line of old) {
      const name = line.split(" ")[0];
      expect(kubectlOk(sb, ["delete", "pod", name, "--wait=false"])).toBe(`pod "${name}" deleted\n`);
      await advance(0.5);
      for (let i = 0; i < 6; i++) {
        await advance(1);
        const codes = await onMaster(`for i in 1 2 3 4 5; do curl -s -o /dev/null -w '%{http_code} ' ${master}:30080; done`);
        expect(codes.stdout).toBe("200 200 200 200 200 ");
      }
      await advance(10);
    }
    const upgraded = pods();
    expect(upgraded).toHaveLength(3);
    expect(upgraded.every((l) => l.endsWith("nginx:1.25.1-alpine"))).toBe(true);
    const newIP = upgraded[0].split(" ")[1];
    const head = await onMaster(`curl -I ${newIP}`);
    expect(head.stdout).toMatch(/^HTTP\/1\.1 200 OK\r?\nServer: nginx\/1\.25\.1\r?\n/);
    expect(await serverOf(`${master}:30080`)).toBe("nginx/1.25.1");
  });

  it("widens --service-node-port-range in the kube-apiserver manifest; a Service then takes nodePort 8080 (seed 001)", async () => {
    // Before: 8080 is outside the default range.
    const svc = (nodePorts: string) => `apiVersion: v1
kind: Service
metadata:
  name: myweb-nodeport
spec:
  type: NodePort
  selector:
    apps: web
  ports:
  - port: 8888
    targetPort: 80
${nodePorts}`;
    const early = kubectl(sb, ["apply", "-f", writeFile(sb, "05-svc-early.yaml", svc("    nodePort: 8080\n"))]);
    expect(early.stderr).toContain("provided port is not in the valid range. The range of valid ports is 30000-32767");

    expect((await onMaster("grep static /var/lib/kubelet/config.yaml")).stdout).toBe("staticPodPath: /etc/kubernetes/manifests\n");
    // vim in the seed: the flag goes right under `- kube-apiserver`.
    expect((await onMaster("sed -i 's/^\\( *\\)- kube-apiserver$/&\\n\\1- --service-node-port-range=3000-50000/' /etc/kubernetes/manifests/kube-apiserver.yaml")).exitCode).toBe(0);
    expect((await onMaster("cat /etc/kubernetes/manifests/kube-apiserver.yaml")).stdout).toMatch(/- kube-apiserver\n +- --service-node-port-range=3000-50000\n/);
    expect(await onMaster("mv /etc/kubernetes/manifests/kube-apiserver.yaml /tmp/")).toMatchObject({ exitCode: 0 });
    expect(await onMaster("mv /tmp/kube-apiserver.yaml /etc/kubernetes/manifests/")).toMatchObject({ exitCode: 0 });
    await advance(30);

    // The seed's ReplicationController: nginx over an empty html directory (403 on /).
    const rc = {
      apiVersion: "v1",
      kind: "ReplicationController",
      metadata: { name: "koten-rc" },
      spec: {
        replicas: 3,
        selector: { apps: "web" },
        template: {
          metadata: { labels: { apps: "web" } },
          spec: { volumes: [{ name: "html", emptyDir: {} }], containers: [{ name: "web", image: "harbor.koten.com/koten-web/nginx:1.25.1-alpine", volumeMounts: [{ name: "html", mountPath: "/usr/share/nginx/html" }] }] },
        },
      },
    };
    expect(kubectlOk(sb, ["apply", "-f", writeFile(sb, "03-rc-nginx.json", JSON.stringify(rc))])).toBe("replicationcontroller/koten-rc created\n");
    expect(kubectlOk(sb, ["apply", "-f", writeFile(sb, "05-svc-NodeIP.yaml", svc("    nodePort: 8080\n"))])).toBe("service/myweb-nodeport created\n");
    await advance(20);
    expect(table(kubectlOk(sb, ["get", "svc", "myweb-nodeport", "--no-headers"]))).toMatch(/^myweb-nodeport NodePort [\d.]+ <none> 8888:8080\/TCP AGE$/);
    const [master] = nodeIPs();
    const page = await onMaster(`curl ${master}:8080`);
    expect(page.stdout).toBe("<html>\r\n<head><title>403 Forbidden</title></head>\r\n<body>\r\n<center><h1>403 Forbidden</h1></center>\r\n<hr><center>nginx/1.25.1</center>\r\n</body>\r\n</html>\r\n");
  });
});
