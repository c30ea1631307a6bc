// The kubernetes.io HorizontalPodAutoscaler walkthrough with the real kubectl, on a paused clock
// the test advances: php-apache, `kubectl autoscale`, a busybox load generator, `kubectl get hpa`,
// `kubectl top`, the scale-up to several replicas and the scale-down five minutes after the load
// stops; `kubectl top node` and `kubectl top pod` across every bundled kubectl.
import { beforeAll, describe, expect, it } from "vitest";
import { createSandbox, kubectl, KUBECTL_VERSIONS, kubectlOk, type Sandbox, sandboxPost, squash, table, writeFile } from "./harness";

let sb: Sandbox;
const ok = (...args: string[]) => kubectlOk(sb, args);

const clock = async (body: unknown): Promise<void> => void (await sandboxPost(sb, "clock", body));

const advance = (seconds: number) => clock({ advanceSeconds: seconds });

/** Polls `read` until `want` holds (controllers run just after a write is answered). */
async function until(read: () => string, want: (out: string) => boolean, ms = 15_000): Promise<string> {
  const deadline = Date.now() + ms;
  for (;;) {
    const out = read();
    if (want(out)) return out;
    if (Date.now() > deadline) throw new Error(`gave up waiting; last output:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// https://k8s.io/examples/application/php-apache.yaml
const PHP_APACHE = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: php-apache
spec:
  selector:
    matchLabels:
      run: php-apache
  template:
    metadata:
      labels:
        run: php-apache
    spec:
      containers:
      - name: php-apache
        image: registry.k8s.io/hpa-example
        ports:
        - containerPort: 80
        resources:
          limits:
            cpu: 500m
          requests:
            cpu: 200m
---
apiVersion: v1
kind: Service
metadata:
  name: php-apache
  labels:
    run: php-apache
spec:
  ports:
  - port: 80
  selector:
    run: php-apache
`;

const hpaRow = () => table(ok("get", "hpa", "--no-headers"));
/** The TARGETS percentage and REPLICAS of `kubectl get hpa`. */
function hpaState(): { util: number; replicas: number } {
  const m = /^php-apache Deployment\/php-apache cpu: (\d+)%\/50% 1 10 (\d+) AGE$/.exec(hpaRow());
  if (!m) throw new Error(`unexpected row: ${hpaRow()}`);
  return { util: Number(m[1]), replicas: Number(m[2]) };
}
const words = (s: string) => s.split(/\s+/).filter(Boolean);

describe("the HPA walkthrough with kubectl", () => {
  let settled = 0;

  beforeAll(async () => {
    sb = await createSandbox();
    await clock({ paused: true });
  });

  it("runs php-apache and autoscales it: unknown until the first sync, then 0% of 50%", async () => {
    expect(ok("apply", "-f", writeFile(sb, "php-apache.yaml", PHP_APACHE))).toBe("deployment.apps/php-apache created\nservice/php-apache created\n");
    await advance(60);
    expect(table(ok("get", "deploy", "php-apache", "--no-headers"))).toBe("php-apache 1/1 1 1 AGE");
    expect(ok("autoscale", "deployment", "php-apache", "--cpu-percent=50", "--min=1", "--max=10")).toBe("horizontalpodautoscaler.autoscaling/php-apache autoscaled\n");
    expect(table(ok("get", "hpa"))).toBe("NAME REFERENCE TARGETS MINPODS MAXPODS REPLICAS AGE\nphp-apache Deployment/php-apache cpu: <unknown>/50% 1 10 0 AGE");
    await advance(15);
    expect(await until(hpaRow, (r) => r.includes("cpu: 0%/50%"))).toBe("php-apache Deployment/php-apache cpu: 0%/50% 1 10 1 AGE");
    // The same server-side columns for an older kubectl.
    expect(table(kubectlOk(sb, ["get", "hpa", "--no-headers"], { version: "1.27" }))).toBe("php-apache Deployment/php-apache cpu: 0%/50% 1 10 1 AGE");
    expect(ok("get", "hpa", "php-apache", "-o", "jsonpath={.spec.metrics[0].resource.target.averageUtilization}")).toBe("50");
  });

  it("scales up under the load generator and settles near the target", async () => {
    const run = ["run", "load-generator", "--image=busybox:1.28", "--restart=Never", "--", "/bin/sh", "-c", "while sleep 0.01; do wget -q -O- http://php-apache; done"];
    expect(ok(...run)).toBe("pod/load-generator created\n");
    const seen: { util: number; replicas: number }[] = [];
    for (let i = 0; i < 18; i++) {
      await advance(15);
      seen.push(hpaState());
    }
    // Once the generator runs (after its image pull) a sync sees the one pod above the 50% target,
    // for the part of its window the load was on, and the HPA scales up; new pods take a share
    // of the load as they become ready, and the count only grows until it settles.
    const loaded = seen.findIndex((s) => s.util > 50);
    expect(loaded).toBeGreaterThanOrEqual(0);
    expect(loaded).toBeLessThanOrEqual(2);
    expect(seen[loaded].replicas).toBe(1);
    expect(seen[loaded + 1].replicas).toBeGreaterThan(1);
    expect(Math.max(...seen.map((s) => s.util))).toBeGreaterThan(100);
    expect(seen.every((s, i) => i === 0 || s.replicas >= seen[i - 1].replicas)).toBe(true);
    const last = seen.slice(-6);
    settled = last[0].replicas;
    expect(settled).toBeGreaterThanOrEqual(6);
    expect(settled).toBeLessThanOrEqual(8);
    expect(last.every((s) => s.replicas === settled && s.util >= 40 && s.util <= 55)).toBe(true);
    expect(table(ok("get", "deployment", "php-apache", "--no-headers"))).toBe(`php-apache ${settled}/${settled} ${settled} ${settled} AGE`);

    const describe = ok("describe", "hpa", "php-apache");
    expect(describe).toMatch(/resource cpu on pods\s+\(as a percentage of request\):\s+\d+% \(\d+m\) \/ 50%/);
    expect(describe).toMatch(new RegExp(`Deployment pods:\\s+${settled} current / ${settled} desired`));
    expect(describe).toMatch(/ScalingActive\s+True\s+ValidMetricFound\s+the HPA was able to successfully calculate a replica count from cpu resource utilization \(percentage of request\)/);
    expect(describe).toMatch(/Normal\s+SuccessfulRescale\s+\S+\s+horizontal-pod-autoscaler\s+New size: \d; reason: cpu resource utilization \(percentage of request\) above target/);
  });

  it("kubectl top pod shows the load spread over the replicas", async () => {
    const top = squash(ok("top", "pod"));
    const lines = top.split("\n");
    expect(lines[0]).toBe("NAME CPU(cores) MEMORY(bytes)");
    const php = lines.filter((l) => l.startsWith("php-apache-"));
    expect(php).toHaveLength(settled);
    for (const l of php) {
      const [, cpu, mem] = words(l);
      expect(Number(cpu.replace("m", ""))).toBeGreaterThan(80);
      expect(Number(cpu.replace("m", ""))).toBeLessThan(115);
      expect(mem).toMatch(/^1[12]Mi$/);
    }
    expect(lines.find((l) => l.startsWith("load-generator "))).toMatch(/^load-generator \d+m \dMi$/);

    const sorted = squash(ok("top", "pod", "-l", "run=php-apache", "--sort-by=cpu", "--no-headers")).split("\n");
    const cpus = sorted.map((l) => Number(words(l)[1].replace("m", "")));
    expect(cpus).toEqual([...cpus].sort((a, b) => b - a));
    const containers = squash(ok("top", "pod", "load-generator", "--containers"));
    expect(containers).toMatch(/^POD NAME CPU\(cores\) MEMORY\(bytes\)\nload-generator load-generator \d+m \dMi$/);
    const all = squash(ok("top", "pod", "-A"));
    expect(all.split("\n")[0]).toBe("NAMESPACE NAME CPU(cores) MEMORY(bytes)");
    expect(all).toMatch(/\nkube-system kube-apiserver-k8s-master \d+m \d+Mi\n/);
  });

  it("goes back to one replica five minutes after the load stops", async () => {
    expect(ok("delete", "pod", "load-generator", "--wait=false")).toBe('pod "load-generator" deleted\n');
    await advance(15);
    expect(hpaState()).toEqual({ util: 0, replicas: settled });
    await advance(270);
    expect(hpaState().replicas).toBe(settled);
    await advance(30);
    expect(hpaState()).toEqual({ util: 0, replicas: 1 });
    expect(ok("describe", "hpa", "php-apache")).toMatch(/Normal\s+SuccessfulRescale\s+\S+\s+horizontal-pod-autoscaler\s+New size: 1; reason: All metrics below target/);
    await advance(60);
    expect(table(ok("get", "deployment", "php-apache", "--no-headers"))).toBe("php-apache 1/1 1 1 AGE");
  });
});

describe("kubectl top across versions", () => {
  it.each(KUBECTL_VERSIONS)("kubectl %s top node / top pod", async (version) => {
    const run = (args: string[]) => kubectl(sb, args, { version });
    const node = run(["top", "node"]);
    expect(node.code, node.stderr).toBe(0);
    const lines = squash(node.stdout).split("\n");
    // kubectl 1.32 renamed the percentage columns.
    expect(lines[0]).toBe(["1.32", "1.33"].includes(version) ? "NAME CPU(cores) CPU(%) MEMORY(bytes) MEMORY(%)" : "NAME CPU(cores) CPU% MEMORY(bytes) MEMORY%");
    expect(lines.slice(1).map((l) => words(l)[0])).toEqual(["k8s-master", "k8s-node1", "k8s-node2"]);
    for (const l of lines.slice(1)) expect(l).toMatch(/^\S+ \d+m \d+% \d+Mi \d+%$/);
    const one = squash(run(["top", "node", "k8s-master", "--no-headers"]).stdout);
    expect(one).toMatch(/^k8s-master \d+m \d+% \d+Mi \d+%$/);
    const pods = run(["top", "pod", "-n", "kube-system", "-l", "k8s-app=kube-dns"]);
    expect(pods.code, pods.stderr).toBe(0);
    expect(squash(pods.stdout)).toMatch(/^NAME CPU\(cores\) MEMORY\(bytes\)\ncoredns-\S+ \d+m \d+Mi\ncoredns-\S+ \d+m \d+Mi$/);
  });

  it("a pod that just started has no metrics yet", async () => {
    ok("create", "namespace", "fresh");
    ok("run", "web", "--image=nginx", "-n", "fresh");
    await advance(5);
    const list = kubectl(sb, ["top", "pod", "-n", "fresh"]);
    expect(list.code).toBe(1);
    expect(list.stderr).toBe("error: metrics not available yet\n");
    const one = kubectl(sb, ["top", "pod", "web", "-n", "fresh"]);
    expect(one.stderr).toBe('Error from server (NotFound): podmetrics.metrics.k8s.io "fresh/web" not found\n');
    const missing = kubectl(sb, ["top", "pod", "nope"]);
    expect(missing.stderr).toBe('Error from server (NotFound): pods "nope" not found\n');
    await advance(30);
    expect(squash(ok("top", "pod", "-n", "fresh", "--no-headers"))).toMatch(/^web 0m \dMi$/);
  });

  it("kubectl 1.33 autoscales through autoscaling/v2", async () => {
    ok("create", "deployment", "web", "--image=nginx", "-n", "fresh");
    const out = kubectlOk(sb, ["autoscale", "deployment", "web", "-n", "fresh", "--cpu-percent=80", "--max=3"], { version: "1.33" });
    expect(out).toBe("horizontalpodautoscaler.autoscaling/web autoscaled\n");
    expect(table(ok("get", "hpa", "-n", "fresh", "--no-headers"))).toBe("web Deployment/web cpu: <unknown>/80% 1 3 0 AGE");
  });
});
