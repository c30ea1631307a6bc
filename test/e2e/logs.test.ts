// kubectl logs against the running server, with every kubectl 1.27–1.33: a pod, a Deployment, a
// label selector, all containers, the previous instance, tail/since/timestamps, nginx's access
// lines for its probes and for requests exec and node shells sent it, errors as kubectl prints
// them, and -f following lines as the clock moves.
import { beforeAll, describe, expect, it } from "vitest";
import { createSandbox, kubectl, KUBECTL_VERSIONS, kubectlBackground, kubectlOk, nodeShell, type Sandbox, sandboxPost, writeFile } from "./harness";

let sb: Sandbox;

const clock = async (body: unknown): Promise<void> => void (await sandboxPost(sb, "clock", body));

const advance = (seconds: number) => clock({ advanceSeconds: seconds });

const MANIFESTS = `
apiVersion: apps/v1
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
      - name: nginx
        image: nginx:1.27
        readinessProbe:
          httpGet:
            path: /
            port: 80
          periodSeconds: 5
---
apiVersion: v1
kind: Pod
metadata:
  name: counter
spec:
  containers:
  - name: count
    image: busybox:1.36
    command: ["sh", "-c", 'i=0; while true; do echo "line $i"; i=$((i+1)); sleep 1; done']
---
apiVersion: v1
kind: Pod
metadata:
  name: multi
spec:
  initContainers:
  - name: setup
    image: busybox:1.36
    command: ["sh", "-c", "echo set up"]
  containers:
  - name: a
    image: busybox:1.36
    command: ["sh", "-c", "echo from a; sleep 36000"]
  - name: b
    image: busybox:1.36
    command: ["sh", "-c", "echo from b; sleep 36000"]
---
apiVersion: v1
kind: Pod
metadata:
  name: crash
spec:
  containers:
  - name: c
    image: busybox:1.36
    command: ["sh", "-c", "echo starting up; echo something broke >&2; exit 1"]
`;

/** The lines `counter` printed by now: one a second from its start. */
let counted = 0;

describe("kubectl logs", () => {
  beforeAll(async () => {
    sb = await createSandbox();
    await clock({ paused: true });
    kubectlOk(sb, ["apply", "-f", writeFile(sb, "logs.yaml", MANIFESTS)]);
    await advance(20.5);
    counted = kubectlOk(sb, ["logs", "counter"]).split("\n").length - 1;
    expect(counted).toBeGreaterThan(15);
  });

  for (const version of KUBECTL_VERSIONS) {
    it(`kubectl ${version}: pod, --tail, --since, --timestamps`, () => {
      const all = kubectlOk(sb, ["logs", "counter"], { version });
      expect(all).toBe(Array.from({ length: counted }, (_, i) => `line ${i}\n`).join(""));
      expect(kubectlOk(sb, ["logs", "counter", "--tail=2"], { version })).toBe(`line ${counted - 2}\nline ${counted - 1}\n`);
      expect(kubectlOk(sb, ["logs", "counter", "--since=3s"], { version })).toBe(`line ${counted - 3}\nline ${counted - 2}\nline ${counted - 1}\n`);
      expect(kubectlOk(sb, ["logs", "counter", "--tail=1", "--timestamps"], { version })).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{9}Z line ${counted - 1}\\n$`));
    });

    it(`kubectl ${version}: deploy/web, -l app=web, and nginx's access lines for the probes`, () => {
      const r = kubectl(sb, ["logs", "deploy/web"], { version });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/^Found 2 pods, using pod\/web-[a-z0-9]+-[a-z0-9]{5}\n$/);
      expect(r.stdout.split("\n")[0]).toBe("/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration");
      expect(r.stdout).toMatch(/\n10\.244\.\d+\.1 - - \[\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d \+0000\] "GET \/ HTTP\/1\.1" 200 615 "-" "kube-probe\/1\.32" "-"\n$/);
      // With a selector kubectl reads every matching pod, the last 10 lines of each.
      const selected = kubectlOk(sb, ["logs", "-l", "app=web", "--prefix"], { version }).split("\n").filter((l) => l);
      expect(selected).toHaveLength(20);
      expect(new Set(selected.map((l) => l.split(" ")[0])).size).toBe(2);
      expect(selected.every((l) => /^\[pod\/web-\S+\/nginx\] /.test(l))).toBe(true);
    });

    it(`kubectl ${version}: containers of a pod: the default, -c, --all-containers`, () => {
      const r = kubectl(sb, ["logs", "multi"], { version });
      expect([r.code, r.stdout, r.stderr]).toEqual([0, "from a\n", 'Defaulted container "a" out of: a, b, setup (init)\n']);
      expect(kubectlOk(sb, ["logs", "multi", "-c", "b"], { version })).toBe("from b\n");
      expect(kubectlOk(sb, ["logs", "multi", "-c", "setup"], { version })).toBe("set up\n");
      // kubectl reads the containers in no fixed order (it ranges over a Go map).
      expect(kubectlOk(sb, ["logs", "multi", "--all-containers"], { version }).split("\n").sort()).toEqual(["", "from a", "from b", "set up"]);
    });

    it(`kubectl ${version}: a crashing container, -p, and errors from the server`, () => {
      expect(kubectlOk(sb, ["logs", "crash"], { version })).toBe("starting up\nsomething broke\n");
      expect(kubectlOk(sb, ["logs", "crash", "-p"], { version })).toBe("starting up\nsomething broke\n");
      // kubectl GETs the pod first; from 1.30 it words that 404 itself.
      const missing = kubectl(sb, ["logs", "nope"], { version });
      const notFound = Number(version.split(".")[1]) >= 30 ? 'error: error from server (NotFound): pods "nope" not found in namespace "default"\n' : 'Error from server (NotFound): pods "nope" not found\n';
      expect([missing.code, missing.stderr]).toEqual([1, notFound]);
      const early = kubectl(sb, ["logs", "counter", "-p"], { version });
      expect([early.code, early.stderr]).toEqual([1, 'Error from server (BadRequest): previous terminated container "count" in pod "counter" not found\n']);
    });
  }

  it("a container still being created: kubectl prints the kubelet's reason", async () => {
    kubectlOk(sb, ["run", "late", "--image=nginx:1.27"]);
    await advance(0.5);
    for (const version of KUBECTL_VERSIONS) {
      const r = kubectl(sb, ["logs", "late"], { version });
      expect([r.code, r.stderr]).toEqual([1, 'Error from server (BadRequest): container "late" in pod "late" is waiting to start: ContainerCreating\n']);
    }
  });

  for (const version of KUBECTL_VERSIONS) {
    it(`kubectl ${version} logs -f: lines arrive as the clock advances; it exits with the container`, async () => {
      const name = `ticker-${version.replace(".", "")}`;
      kubectlOk(sb, ["run", name, "--image=busybox:1.36", "--restart=Never", "--", "sh", "-c", "for i in 1 2 3; do echo tick $i; sleep 10; done"]);
      await advance(3);
      const follow = kubectlBackground(sb, ["logs", "-f", name], { version });
      await follow.waitFor((out) => out === "tick 1\n");
      await advance(10);
      await follow.waitFor((out) => out === "tick 1\ntick 2\n");
      await advance(30);
      expect(await follow.exited).toBe(0);
      expect(follow.output()).toBe("tick 1\ntick 2\ntick 3\n");
    });
  }
});

describe("kubectl logs: access lines for requests served through the network", () => {
  let net: Sandbox;
  const advanceNet = async (seconds: number) => void (await sandboxPost(net, "clock", { advanceSeconds: seconds }));

  beforeAll(async () => {
    net = await createSandbox();
    await sandboxPost(net, "clock", { paused: true });
    kubectlOk(net, ["create", "deployment", "web", "--image=nginx:1.27"]);
    kubectlOk(net, ["expose", "deployment", "web", "--port=80"]);
    kubectlOk(net, ["run", "client", "--image=busybox:1.36", "--", "sleep", "36000"]);
    await advanceNet(30);
  });

  it("kubectl exec client -- wget -qO- http://web: kubectl logs deploy/web shows the line, from the client pod's address", async () => {
    const clientIP = kubectlOk(net, ["get", "pod", "client", "-o", "jsonpath={.status.podIP}"]);
    expect(clientIP).toMatch(/^10\.244\.\d+\.\d+$/);
    expect(kubectlOk(net, ["exec", "client", "--", "wget", "-qO-", "http://web"], { version: "1.33" })).toContain("<title>Welcome to nginx!</title>");
    await advanceNet(1);
    for (const version of KUBECTL_VERSIONS) {
      const access = kubectlOk(net, ["logs", "deploy/web"], { version })
        .split("\n")
        .filter((l) => l.includes('"GET'));
      expect(access).toHaveLength(1);
      expect(access[0]).toMatch(new RegExp(`^${clientIP.replace(/\./g, "\\.")} - - \\[\\d\\d/\\w{3}/\\d{4}:\\d\\d:\\d\\d:\\d\\d \\+0000\\] "GET / HTTP/1\\.1" 200 615 "-" "Wget" "-"$`));
    }
    // A node shell's curl of the ClusterIP arrives from the node's side of kube-proxy's SNAT, with Ubuntu's curl.
    const clusterIP = kubectlOk(net, ["get", "svc", "web", "-o", "jsonpath={.spec.clusterIP}"]);
    expect((await nodeShell(net, "k8s-node1", `curl -s -o /dev/null http://${clusterIP}/nope`)).exitCode).toBe(0);
    await advanceNet(1);
    const last = kubectlOk(net, ["logs", "deploy/web", "--tail=1"]);
    expect(last).toMatch(/^10\.244\.\d+\.[01] - - \[[^\]]+\] "GET \/nope HTTP\/1\.1" 404 153 "-" "curl\/7\.81\.0" "-"\n$/);
  });

  it("a load generator's loop (the HPA walkthrough's): its requests fill the server's log at its pace", async () => {
    kubectlOk(net, ["run", "load-generator", "--image=busybox:1.28", "--", "/bin/sh", "-c", "while sleep 0.01; do wget -q -O- http://web; done"]);
    await advanceNet(10);
    const ip = kubectlOk(net, ["get", "pod", "load-generator", "-o", "jsonpath={.status.podIP}"]);
    const tail = kubectlOk(net, ["logs", "deploy/web", "--tail=3"]).trimEnd().split("\n");
    expect(tail).toHaveLength(3);
    for (const line of tail) expect(line.startsWith(`${ip} - - [`) && line.endsWith(`"GET / HTTP/1.1" 200 615 "-" "Wget" "-"`), line).toBe(true);
    const count = () => kubectlOk(net, ["logs", "deploy/web"]).split("\n").filter((l) => l.startsWith(`${ip} `)).length;
    const before = count();
    await advanceNet(10);
    // A turn takes about 12 ms (the sleep, two commands, a round trip, nginx's 0.15 ms): some 80 requests a second.
    expect(count() - before).toBeGreaterThan(500);
  });
});
