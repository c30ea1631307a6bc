// Services with the real kubectl on a paused virtual clock: the seed tutorials' readiness flow (a
// pod failing its readiness probe on /koten.html sits under NotReadyAddresses until the file
// appears), NodePort Services with a fixed port, a LoadBalancer getting an EXTERNAL-IP, `kubectl
// expose`, and how `get`/`describe` print Endpoints and EndpointSlices (1.27 reads Endpoints for
// `describe svc`, 1.32 EndpointSlices).
import { beforeAll, describe, expect, it } from "vitest";
import { baseUrl, createSandbox, fetchRetry, kubectl, kubectlOk, squash, table, writeFile, type Sandbox } from "./harness";

let sb: Sandbox;

async function advance(seconds: number): Promise<void> {
  const res = await fetchRetry(`${baseUrl()}/api/sandboxes/${sb.id}/clock`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ advanceSeconds: seconds }) });
  expect(res.status, await res.clone().text()).toBeLessThan(300);
}

/** Pod IPs of the pods a selector picks, sorted as the Endpoints list them. */
function podIPs(selector: string): string[] {
  return kubectlOk(sb, ["get", "pods", "-l", selector, "-o", "jsonpath={.items[*].status.podIP}"]).split(" ").filter(Boolean).sort();
}

const TRIGGER = /^Annotations: {2}endpoints\.kubernetes\.io\/last-change-trigger-time: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/m;

/** `kubectl describe ep` with the trigger time (a timestamp) replaced by TIME. */
function describeEp(name: string): string {
  const out = kubectlOk(sb, ["describe", "ep", name]);
  expect(out).toMatch(TRIGGER);
  return out.replace(/(last-change-trigger-time: )\S+/, "$1TIME");
}

const NGINX = "harbor.koten.com/koten-web/nginx:1.25.1-alpine";

describe("Services, Endpoints and EndpointSlices", () => {
  beforeAll(async () => {
    sb = await createSandbox();
    const res = await fetchRetry(`${baseUrl()}/api/sandboxes/${sb.id}/clock`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ paused: true }) });
    expect(res.status).toBe(200);
  });

  it("readinessProbe: the pod is a NotReadyAddress until /koten.html exists, then an Address", async () => {
    const probe = (path: string, extra: Record<string, number>) => ({ httpGet: { port: 80, path }, failureThreshold: 3, successThreshold: 1, timeoutSeconds: 1, ...extra });
    const pod = {
      kind: "Pod",
      apiVersion: "v1",
      metadata: { name: "probe-liveness-readiness-httpget", labels: { author: "koten", hobby: "linux" } },
      spec: {
        containers: [
          {
            name: "web",
            image: NGINX,
            livenessProbe: probe("/index.html", { initialDelaySeconds: 0, periodSeconds: 10 }),
            readinessProbe: probe("/koten.html", { initialDelaySeconds: 20, periodSeconds: 1 }),
          },
        ],
      },
    };
    const svc = { apiVersion: "v1", kind: "Service", metadata: { name: "probe-readiness-liveness-httpget" }, spec: { type: "ClusterIP", selector: { hobby: "linux" }, ports: [{ port: 8888, targetPort: 80 }] } };
    const file = writeFile(sb, "32.json", JSON.stringify({ apiVersion: "v1", kind: "List", items: [pod, svc] }));
    expect(kubectlOk(sb, ["apply", "-f", file])).toBe("pod/probe-liveness-readiness-httpget created\nservice/probe-readiness-liveness-httpget created\n");
    await advance(25);
    expect(table(kubectlOk(sb, ["get", "pods", "probe-liveness-readiness-httpget", "--no-headers"]))).toBe("probe-liveness-readiness-httpget 0/1 Running 0 AGE");
    const [ip] = podIPs("hobby=linux");
    expect(describeEp("probe-readiness-liveness-httpget")).toBe(
      [
        "Name:         probe-readiness-liveness-httpget",
        "Namespace:    default",
        "Labels:       <none>",
        "Annotations:  endpoints.kubernetes.io/last-change-trigger-time: TIME",
        "Subsets:",
        "  Addresses:          <none>",
        `  NotReadyAddresses:  ${ip}`,
        "  Ports:",
        "    Name     Port  Protocol",
        "    ----     ----  --------",
        "    <unset>  80    TCP",
        "",
        "Events:  <none>",
        "",
      ].join("\n"),
    );
    expect(table(kubectlOk(sb, ["get", "ep", "probe-readiness-liveness-httpget", "--no-headers"]))).toBe("probe-readiness-liveness-httpget AGE");

    // What the tutorial does next: write the page from inside the container.
    expect(kubectl(sb, ["exec", "probe-liveness-readiness-httpget", "--", "sh", "-c", "echo 111 > /usr/share/nginx/html/koten.html"]).code).toBe(0);
    await advance(2);
    expect(table(kubectlOk(sb, ["get", "pods", "probe-liveness-readiness-httpget", "--no-headers"]))).toBe("probe-liveness-readiness-httpget 1/1 Running 0 AGE");
    expect(describeEp("probe-readiness-liveness-httpget")).toContain(`Subsets:\n  Addresses:          ${ip}\n  NotReadyAddresses:  <none>\n`);
    expect(table(kubectlOk(sb, ["get", "ep", "probe-readiness-liveness-httpget", "--no-headers"]))).toBe(`probe-readiness-liveness-httpget ${ip}:80 AGE`);
    expect(kubectlOk(sb, ["describe", "svc", "probe-readiness-liveness-httpget"])).toMatch(new RegExp(`^Endpoints: +${ip.replaceAll(".", "\\.")}:80$`, "m"));
    kubectlOk(sb, ["delete", "-f", file, "--wait=false"]);
  });

  it("NodePort with a fixed nodePort 30080 prints 80:30080/TCP; the port cannot be taken twice", async () => {
    const rc = {
      apiVersion: "v1",
      kind: "ReplicationController",
      metadata: { name: "koten-rc-apps-v1" },
      spec: { replicas: 3, template: { metadata: { labels: { apps: "v1" } }, spec: { containers: [{ name: "v1", image: NGINX }] } } },
    };
    const svc = { apiVersion: "v1", kind: "Service", metadata: { name: "koten-apps" }, spec: { type: "NodePort", selector: { apps: "v1" }, ports: [{ port: 80, targetPort: 80, nodePort: 30080 }] } };
    expect(kubectlOk(sb, ["apply", "-f", writeFile(sb, "04-rc-apps.json", JSON.stringify(rc))])).toBe("replicationcontroller/koten-rc-apps-v1 created\n");
    expect(kubectlOk(sb, ["apply", "-f", writeFile(sb, "06-rc-apps-svc.json", JSON.stringify(svc))])).toBe("service/koten-apps created\n");
    await advance(20);
    const clusterIP = kubectlOk(sb, ["get", "svc", "koten-apps", "-o", "jsonpath={.spec.clusterIP}"]);
    expect(table(kubectlOk(sb, ["get", "svc", "koten-apps"]))).toBe(`NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE\nkoten-apps NodePort ${clusterIP} <none> 80:30080/TCP AGE`);
    const ips = podIPs("apps=v1");
    expect(ips).toHaveLength(3);
    const endpoints = ips.map((ip) => `${ip}:80`).join(",");
    const described = squash(kubectlOk(sb, ["describe", "svc", "koten-apps"]));
    expect(described).toContain(`Selector: apps=v1\nType: NodePort\nIP Family Policy: SingleStack\nIP Families: IPv4\nIP: ${clusterIP}\nIPs: ${clusterIP}`);
    expect(described).toContain(`Port: <unset> 80/TCP\nTargetPort: 80/TCP\nNodePort: <unset> 30080/TCP\nEndpoints: ${endpoints}\nSession Affinity: None\nExternal Traffic Policy: Cluster`);
    // kubectl 1.27 reads the Endpoints object rather than the slices: the same line.
    expect(squash(kubectlOk(sb, ["describe", "svc", "koten-apps"], { version: "1.27" }))).toContain(`Endpoints: ${endpoints}\n`);

    const taken = kubectl(sb, ["create", "service", "nodeport", "other", "--tcp=80:80", "--node-port=30080"]);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toBe('error: failed to create NodePort service: Service "other" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated\n');
  });

  it("kubectl expose deployment: a NodePort Service whose Endpoints show three of four pods and '+ 1 more...'", async () => {
    kubectlOk(sb, ["create", "deployment", "k8s-nginx", "--image=nginx", "-r", "4"]);
    await advance(20);
    expect(kubectlOk(sb, ["expose", "deployment", "k8s-nginx", "--port=8080", "--target-port=80", "--type=NodePort"])).toBe("service/k8s-nginx exposed\n");
    const row = table(kubectlOk(sb, ["get", "svc", "k8s-nginx", "--no-headers"]));
    expect(row).toMatch(/^k8s-nginx NodePort 10\.\d+\.\d+\.\d+ <none> 8080:3\d{4}\/TCP AGE$/);
    const ips = podIPs("app=k8s-nginx");
    expect(ips).toHaveLength(4);
    const three = `${ips.slice(0, 3).map((ip) => `${ip}:80`).join(",")} + 1 more...`;
    expect(table(kubectlOk(sb, ["get", "ep", "k8s-nginx", "--no-headers"]))).toBe(`k8s-nginx ${three} AGE`);
    expect(kubectlOk(sb, ["describe", "svc", "k8s-nginx"])).toMatch(new RegExp(`^Endpoints: +${three.replaceAll(".", "\\.").replace("+", "\\+")}$`, "m"));
    const slices = table(kubectlOk(sb, ["get", "endpointslices", "-l", "kubernetes.io/service-name=k8s-nginx"]));
    expect(slices).toMatch(new RegExp(`^NAME ADDRESSTYPE PORTS ENDPOINTS AGE\\nk8s-nginx-[bcdfghjklmnpqrstvwxz2456789]{5} IPv4 80 ${ips.slice(0, 3).join(",").replaceAll(".", "\\.")} \\+ 1 more\\.\\.\\. AGE$`));
  });

  it("a LoadBalancer Service gets an EXTERNAL-IP from 172.18.255.201 on (.200 is the ingress controller's)", async () => {
    kubectlOk(sb, ["expose", "deployment", "k8s-nginx", "--name=k8s-nginx-lb", "--port=80", "--type=LoadBalancer"]);
    const row = table(kubectlOk(sb, ["get", "svc", "k8s-nginx-lb", "--no-headers"]));
    expect(row).toMatch(/^k8s-nginx-lb LoadBalancer 10\.\d+\.\d+\.\d+ 172\.18\.255\.201 80:3\d{4}\/TCP AGE$/);
    const described = squash(kubectlOk(sb, ["describe", "svc", "k8s-nginx-lb"]));
    expect(described).toContain("LoadBalancer Ingress: 172.18.255.201 (VIP)");
    expect(described).toMatch(/Normal EnsuringLoadBalancer \S+ service-controller Ensuring load balancer/);
    expect(described).toMatch(/Normal EnsuredLoadBalancer \S+ service-controller Ensured load balancer/);
    // A second one gets the next address; deleting the first frees it.
    kubectlOk(sb, ["create", "service", "loadbalancer", "second", "--tcp=80:80"]);
    expect(kubectlOk(sb, ["get", "svc", "second", "-o", "jsonpath={.status.loadBalancer.ingress[0].ip}"])).toBe("172.18.255.202");
    expect(kubectlOk(sb, ["delete", "svc", "k8s-nginx-lb"])).toBe('service "k8s-nginx-lb" deleted\n');
    kubectlOk(sb, ["create", "service", "loadbalancer", "third", "--tcp=80:80"]);
    expect(kubectlOk(sb, ["get", "svc", "third", "-o", "jsonpath={.status.loadBalancer.ingress[0].ip}"])).toBe("172.18.255.201");
  });

  it("prints ExternalName, headless and externalIPs Services like upstream", async () => {
    kubectlOk(sb, ["create", "service", "externalname", "ext", "--external-name=db.example.com"]);
    kubectlOk(sb, ["create", "service", "clusterip", "db", "--clusterip=None"]);
    kubectlOk(sb, ["expose", "deployment", "k8s-nginx", "--name=public", "--port=80", "--external-ip=198.51.100.7"]);
    const rows = table(kubectlOk(sb, ["get", "svc", "ext", "db", "public", "--no-headers"])).split("\n");
    expect(rows[0]).toBe("ext ExternalName <none> db.example.com <none> AGE");
    expect(rows[1]).toBe("db ClusterIP None <none> <none> AGE");
    expect(rows[2]).toMatch(/^public ClusterIP 10\.\d+\.\d+\.\d+ 198\.51\.100\.7 80\/TCP AGE$/);
    // An ExternalName Service has no endpoints; a headless one selecting nothing has its empty ones.
    expect(kubectl(sb, ["get", "ep", "ext"]).stderr).toBe('Error from server (NotFound): endpoints "ext" not found\n');
    expect(table(kubectlOk(sb, ["get", "ep", "db", "--no-headers"]))).toBe("db <none> AGE");
    expect(table(kubectlOk(sb, ["get", "endpointslices", "-l", "kubernetes.io/service-name=db", "--no-headers"]))).toMatch(/^db-\S{5} IPv4 <unset> <unset> AGE$/);
  });

  it("a Service without a selector shows the Endpoints written for it, in every kubectl", async () => {
    const svc = { apiVersion: "v1", kind: "Service", metadata: { name: "mydb" }, spec: { ports: [{ port: 3306, targetPort: 3306 }] } };
    const ep = { apiVersion: "v1", kind: "Endpoints", metadata: { name: "mydb" }, subsets: [{ addresses: [{ ip: "192.168.1.100" }], ports: [{ port: 3306 }] }] };
    const file = writeFile(sb, "mydb.json", JSON.stringify({ apiVersion: "v1", kind: "List", items: [svc, ep] }));
    expect(kubectlOk(sb, ["apply", "-f", file])).toBe("service/mydb created\nendpoints/mydb created\n");
    for (const version of ["1.27", "1.32"]) {
      expect(kubectlOk(sb, ["describe", "svc", "mydb"], { version })).toMatch(/^Endpoints: +192\.168\.1\.100:3306$/m);
    }
    expect(table(kubectlOk(sb, ["get", "endpointslices", "-l", "kubernetes.io/service-name=mydb", "--no-headers"]))).toMatch(/^mydb-\S{5} IPv4 3306 192\.168\.1\.100 AGE$/);
  });

  it("the kubernetes Service's endpoints are the apiserver's", async () => {
    expect(table(kubectlOk(sb, ["get", "ep", "kubernetes", "--no-headers"]))).toBe("kubernetes 192.168.1.10:6443 AGE");
    expect(kubectlOk(sb, ["describe", "svc", "kubernetes"])).toMatch(/^Endpoints: +192\.168\.1\.10:6443$/m);
    expect(table(kubectlOk(sb, ["get", "endpointslices", "kubernetes", "--no-headers"]))).toBe("kubernetes IPv4 6443 192.168.1.10 AGE");
  });
});
