// Ingress and NetworkPolicy with the real kubectl, as the kubernetes.io minikube ingress tutorial and
// the network policy recipes go: two hello-app deployments behind Services and an Ingress with host
// and path rules; `kubectl get ing` shows the controller's address and `describe` the backends;
// curl from a node with Host headers reaches the right one; a default-deny NetworkPolicy makes
// `kubectl exec client -- wget -T 2` time out, and a policy allowing the client's label lets it
// through again.
import { beforeAll, describe, expect, it } from "vitest";
import { createSandbox, fetchRetry, kubectl, kubectlOk, nodeShell, type Sandbox, sandboxPost, squash, table, writeFile } from "./harness";

let sb: Sandbox;

const post = (path: string, body: unknown) => sandboxPost(sb, path, body);

const advance = (seconds: number) => post("clock", { advanceSeconds: seconds });
const shell = (node: string, command: string) => nodeShell(sb, node, command);

const APPS = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: hello
        image: gcr.io/google-samples/hello-app:1.0
        ports:
        - containerPort: 8080
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web2
spec:
  replicas: 1
  selector:
    matchLabels:
      app: web2
  template:
    metadata:
      labels:
        app: web2
    spec:
      containers:
      - name: hello
        image: gcr.io/google-samples/hello-app:2.0
        ports:
        - containerPort: 8080
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
  - port: 80
    targetPort: 8080
---
apiVersion: v1
kind: Service
metadata:
  name: web2
spec:
  selector:
    app: web2
  ports:
  - name: http
    port: 8080
    targetPort: 8080
---
apiVersion: v1
kind: Pod
metadata:
  name: client
  labels:
    role: client
spec:
  containers:
  - name: box
    image: busybox:1.36
    command: ["sleep", "3600"]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: example-ingress
spec:
  ingressClassName: nginx
  rules:
  - host: hello-world.example
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service:
            name: web
            port:
              number: 80
      - path: /v2
        pathType: Prefix
        backend:
          service:
            name: web2
            port:
              name: http
`;

const DENY = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny-ingress
spec:
  podSelector: {}
  policyTypes:
  - Ingress
`;

const ALLOW_CLIENT = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-client
spec:
  podSelector:
    matchLabels:
      app: web
  ingress:
  - from:
    - podSelector:
        matchLabels:
          role: client
    ports:
    - port: 8080
`;

beforeAll(async () => {
  sb = await createSandbox();
  await post("clock", { paused: true });
  kubectlOk(sb, ["apply", "-f", writeFile(sb, "apps.yaml", APPS)]);
  await advance(30);
});

describe("Ingress", () => {
  it("kubectl get ing shows the class, hosts, the controller's address and ports", () => {
    expect(table(kubectlOk(sb, ["get", "ingressclass"]))).toBe("NAME CONTROLLER PARAMETERS AGE\nnginx k8s.io/ingress-nginx <none> AGE");
    expect(table(kubectlOk(sb, ["get", "ing"]))).toBe("NAME CLASS HOSTS ADDRESS PORTS AGE\nexample-ingress nginx hello-world.example 172.18.255.200 80 AGE");
    expect(table(kubectlOk(sb, ["-n", "ingress-nginx", "get", "svc"]))).toMatch(/^NAME TYPE CLUSTER-IP EXTERNAL-IP PORT\(S\) AGE\ningress-nginx-controller LoadBalancer 10\.\d+\.\d+\.\d+ 172\.18\.255\.200 80:32080\/TCP,443:32443\/TCP AGE$/);
  });

  it("kubectl describe ingress lists the rules with their backends' endpoints", () => {
    const ips = (label: string) => kubectlOk(sb, ["get", "pods", "-l", label, "-o", "jsonpath={.items[*].status.podIP}"]).split(" ");
    const out = squash(kubectlOk(sb, ["describe", "ingress", "example-ingress"]));
    const web = /^\/ web:80 \((\S+)\)$/m.exec(out)?.[1].split(",");
    expect(web?.sort()).toEqual(ips("app=web").map((ip) => `${ip}:8080`).sort());
    expect(out).toBe(
      [
        "Name: example-ingress",
        "Labels: <none>",
        "Namespace: default",
        "Address: 172.18.255.200",
        "Ingress Class: nginx",
        "Default backend: <default>",
        "Rules:",
        "Host Path Backends",
        "---- ---- --------",
        "hello-world.example",
        `/ web:80 (${web!.join(",")})`,
        `/v2 web2:http (${ips("app=web2")[0]}:8080)`,
        "Annotations: <none>",
        "Events: <none>",
      ].join("\n"),
    );
  });

  it("curl from a node with a Host header reaches the right backend", async () => {
    const v1 = await shell("k8s-node1", "curl -s -H 'Host: hello-world.example' http://172.18.255.200/");
    expect(v1.stdout).toMatch(/^Hello, world!\nVersion: 1\.0\.0\nHostname: web-[a-z0-9]+-[a-z0-9]{5}\n$/);
    const v2 = await shell("k8s-node2", "curl -s -H 'Host: hello-world.example' http://192.168.1.11:32080/v2");
    expect(v2.stdout).toMatch(/^Hello, world!\nVersion: 2\.0\.0\nHostname: web2-/);
    const none = await shell("k8s-node1", "curl -s -o /dev/null -w '%{http_code}\\n' -H 'Host: other.example' http://172.18.255.200/");
    expect(none.stdout).toBe("404\n");
  });

  it("is reachable from outside at /s/<id>/ingress/<host>/<path>", async () => {
    const res = await fetchRetry(`${sb.url}/ingress/hello-world.example/v2`);
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/^Hello, world!\nVersion: 2\.0\.0\n/);
  });
});

describe("NetworkPolicy", () => {
  it("a default-deny policy makes wget time out; allowing the client's label lets it through", () => {
    expect(kubectlOk(sb, ["exec", "client", "--", "wget", "-qO-", "-T", "2", "http://web"])).toMatch(/^Hello, world!\nVersion: 1\.0\.0\n/);
    expect(kubectlOk(sb, ["apply", "-f", writeFile(sb, "deny.yaml", DENY)])).toBe("networkpolicy.networking.k8s.io/default-deny-ingress created\n");
    expect(table(kubectlOk(sb, ["get", "netpol"]))).toBe("NAME POD-SELECTOR AGE\ndefault-deny-ingress <none> AGE");
    const denied = kubectl(sb, ["exec", "client", "--", "wget", "-qO-", "-T", "2", "http://web"]);
    expect(denied.stdout).toBe("");
    expect(denied.stderr).toBe("wget: download timed out\ncommand terminated with exit code 1\n");
    kubectlOk(sb, ["apply", "-f", writeFile(sb, "allow.yaml", ALLOW_CLIENT)]);
    expect(kubectlOk(sb, ["exec", "client", "--", "wget", "-qO-", "-T", "2", "http://web"])).toMatch(/^Hello, world!\nVersion: 1\.0\.0\n/);
    const described = squash(kubectlOk(sb, ["describe", "netpol", "allow-client"]));
    expect(described).toContain("Spec:\nPodSelector: app=web\nAllowing ingress traffic:\nTo Port: 8080/TCP\nFrom:\nPodSelector: role=client\nNot affecting egress traffic\nPolicy Types: Ingress");
  });
});
