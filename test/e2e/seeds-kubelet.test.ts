// The kubelet flows of the tutorials in shared seeds, replayed with the real kubectl on a paused
// virtual clock: readiness and startup probes on nginx served from a private registry, postStart
// and preStop with a hostPath (checked from the node's shell), init containers, static pods moved
// out of and back into /etc/kubernetes/manifests, and restart policies with CrashLoopBackOff timing.
import { beforeAll, describe, expect, it } from "vitest";
import { createSandbox, kubectl, kubectlOk, nodeShell, type Sandbox, sandboxPost, squash, table, writeFile } from "./harness";

let sb: Sandbox;

const post = (path: string, body: unknown) => sandboxPost(sb, path, body);

const advance = (seconds: number) => post("clock", { advanceSeconds: seconds });
const shell = (node: string, command: string) => nodeShell(sb, node, command);
const row = (pod: string, ns = "default") => table(kubectlOk(sb, ["get", "pod", pod, "-n", ns, "--no-headers"])).replace(/\(\S+ ago\)/, "(AGE ago)");
const jsonpath = (pod: string, path: string) => kubectlOk(sb, ["get", "pod", pod, "-o", `jsonpath=${path}`]);
/** The Events section of `kubectl describe pod`, one squashed line per event, ages dropped, counts as ` (xN)`. */
function events(pod: string): string[] {
  const out = kubectlOk(sb, ["describe", "pod", pod]);
  const section = out.slice(out.indexOf("Events:"));
  return squash(section)
    .split("\n")
    .slice(3)
    .map((l) => {
      const m = /^(Normal|Warning) (\S+) (?:\S+ \(x(\d+) over \S+\)|\S+) (.*)$/.exec(l);
      return m ? `${m[1]} ${m[2]} ${m[4]}${m[3] ? ` (x${m[3]})` : ""}` : l;
    });
}

const NGINX = "harbor.koten.com/koten-web/nginx:1.25.1-alpine";

function probe(path: string, fields: Record<string, number>) {
  return { httpGet: { port: 80, path }, successThreshold: 1, timeoutSeconds: 1, ...fields };
}

/** Seed 001's pod 33: startup on /start.html from 40 s, then liveness on /linux.html and readiness on /koten.html. */
function startupProbePod(name: string) {
  return {
    kind: "Pod",
    apiVersion: "v1",
    metadata: { name, labels: { author: "koten", hobby: "linux" } },
    spec: {
      containers: [
        {
          name: "web",
          image: NGINX,
          livenessProbe: probe("/linux.html", { failureThreshold: 3, initialDelaySeconds: 10, periodSeconds: 10 }),
          readinessProbe: probe("/koten.html", { failureThreshold: 3, initialDelaySeconds: 20, periodSeconds: 1 }),
          startupProbe: probe("/start.html", { failureThreshold: 3, initialDelaySeconds: 40, periodSeconds: 1 }),
        },
      ],
    },
  };
}

describe("seed tutorials: probes, lifecycle, static pods, restarts", () => {
  beforeAll(async () => {
    sb = await createSandbox();
    await post("clock", { paused: true });
  });

  it("readinessProbe: Running but 0/1 while /koten.html is missing, liveness on /index.html passing", async () => {
    const pod = {
      kind: "Pod",
      apiVersion: "v1",
      metadata: { name: "probe-liveness-readiness-httpget", labels: { author: "koten", hobby: "linux" } },
      spec: {
        containers: [
          {
            name: "web",
            image: NGINX,
            livenessProbe: probe("/index.html", { failureThreshold: 3, initialDelaySeconds: 0, periodSeconds: 10 }),
            readinessProbe: probe("/koten.html", { failureThreshold: 3, initialDelaySeconds: 20, periodSeconds: 1 }),
          },
        ],
      },
    };
    const svc = { apiVersion: "v1", kind: "Service", metadata: { name: "probe-readiness-liveness-httpget" }, spec: { type: "ClusterIP", selector: { hobby: "linux" }, ports: [{ port: 8888, targetPort: 80 }] } };
    const file = writeFile(sb, "32.json", JSON.stringify({ apiVersion: "v1", kind: "List", items: [pod, svc] }));
    expect(kubectlOk(sb, ["apply", "-f", file])).toBe("pod/probe-liveness-readiness-httpget created\nservice/probe-readiness-liveness-httpget created\n");
    await advance(15);
    expect(row("probe-liveness-readiness-httpget")).toBe("probe-liveness-readiness-httpget 0/1 Running 0 AGE");
    await advance(15);
    expect(row("probe-liveness-readiness-httpget")).toBe("probe-liveness-readiness-httpget 0/1 Running 0 AGE");
    const ev = events("probe-liveness-readiness-httpget");
    expect(ev[0]).toBe("Normal Scheduled default-scheduler Successfully assigned default/probe-liveness-readiness-httpget to k8s-node1".replace("k8s-node1", jsonpath("probe-liveness-readiness-httpget", "{.spec.nodeName}")));
    expect(ev).toContain(`Normal Pulling kubelet Pulling image "${NGINX}"`);
    expect(ev).toContain("Normal Created kubelet Created container web");
    expect(ev).toContain("Normal Started kubelet Started container web");
    expect(ev.at(-1)).toMatch(/^Warning Unhealthy kubelet Readiness probe failed: HTTP probe failed with statuscode: 404 \(x\d+\)$/);
    expect(jsonpath("probe-liveness-readiness-httpget", "{.status.conditions[?(@.type==\"Ready\")].status}")).toBe("False");
    kubectlOk(sb, ["delete", "-f", file, "--wait=false"]);
  });

  it("startupProbe: failing three times from 40 s kills and restarts the container", async () => {
    const pod = startupProbePod("probe-startup-liveness-readiness-httpget");
    kubectlOk(sb, ["apply", "-f", writeFile(sb, "33.json", JSON.stringify(pod))]);
    await advance(30);
    // Startup gates the other probes: nothing has failed yet.
    expect(events("probe-startup-liveness-readiness-httpget").filter((e) => e.includes("Unhealthy"))).toEqual([]);
    await advance(26);
    expect(row("probe-startup-liveness-readiness-httpget")).toBe("probe-startup-liveness-readiness-httpget 0/1 Running 1 (AGE ago) AGE");
    const ev = events("probe-startup-liveness-readiness-httpget");
    expect(ev).toContain("Warning Unhealthy kubelet Startup probe failed: HTTP probe failed with statuscode: 404 (x3)");
    expect(ev).toContain("Normal Killing kubelet Container web failed startup probe, will be restarted");
    expect(ev.filter((e) => e.includes("Readiness probe") || e.includes("Liveness probe"))).toEqual([]);
    kubectlOk(sb, ["delete", "pod", "probe-startup-liveness-readiness-httpget", "--wait=false"]);
  });

  it("startupProbe: writing /start.html with kubectl exec before 40 s lets it pass; readiness then fails on /koten.html", async () => {
    const pod = startupProbePod("probe-startup-fixed");
    kubectlOk(sb, ["apply", "-f", writeFile(sb, "33b.json", JSON.stringify(pod))]);
    await advance(20);
    expect(kubectlOk(sb, ["exec", "probe-startup-fixed", "--", "sh", "-c", "echo 111 > /usr/share/nginx/html/start.html"])).toBe("");
    await advance(26);
    const ev = events("probe-startup-fixed");
    expect(ev.filter((e) => e.includes("Startup probe") || e.includes("Killing"))).toEqual([]);
    expect(ev.at(-1)).toMatch(/^Warning Unhealthy kubelet Readiness probe failed: HTTP probe failed with statuscode: 404 \(x\d+\)$/);
    expect(row("probe-startup-fixed")).toBe("probe-startup-fixed 0/1 Running 0 AGE");
    kubectlOk(sb, ["delete", "pod", "probe-startup-fixed", "--wait=false"]);
  });

  it("postStart holds the container in ContainerCreating; preStop writes to the hostPath before the pod goes", async () => {
    const pod = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "koten-pod-containers-lifecycle-001" },
      spec: {
        volumes: [{ name: "data", hostPath: { path: "/koten-linux" } }],
        terminationGracePeriodSeconds: 60,
        containers: [
          {
            name: "myweb",
            image: NGINX,
            volumeMounts: [{ name: "data", mountPath: "/data" }],
            lifecycle: {
              postStart: { exec: { command: ["/bin/sh", "-c", "sleep 30"] } },
              preStop: { exec: { command: ["/bin/sh", "-c", 'echo "preStop at $(date +%F_%T)" >> /data/preStop.log'] } },
            },
          },
        ],
      },
    };
    kubectlOk(sb, ["apply", "-f", writeFile(sb, "34.json", JSON.stringify(pod))]);
    await advance(20);
    expect(row("koten-pod-containers-lifecycle-001")).toBe("koten-pod-containers-lifecycle-001 0/1 ContainerCreating 0 AGE");
    await advance(20);
    expect(row("koten-pod-containers-lifecycle-001")).toBe("koten-pod-containers-lifecycle-001 1/1 Running 0 AGE");
    const node = jsonpath("koten-pod-containers-lifecycle-001", "{.spec.nodeName}");
    kubectlOk(sb, ["delete", "pod", "koten-pod-containers-lifecycle-001", "--wait=false"]);
    expect(row("koten-pod-containers-lifecycle-001")).toBe("koten-pod-containers-lifecycle-001 1/1 Terminating 0 AGE");
    const deletedAt = (await post("clock", {})).now as string;
    await advance(5);
    expect(kubectl(sb, ["get", "pod", "koten-pod-containers-lifecycle-001"]).stderr).toBe('Error from server (NotFound): pods "koten-pod-containers-lifecycle-001" not found\n');
    const log = await shell(node, "cat /koten-linux/preStop.log");
    expect(log.stdout).toBe(`preStop at ${deletedAt.slice(0, 10)}_${deletedAt.slice(11, 19)}\n`);
  });

  it("init container, then postStart, then a startup probe: Init:0/1, PodInitializing, then restarts", async () => {
    const pod = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "koten-pod-containers-lifecycle-002" },
      spec: {
        volumes: [{ name: "data", hostPath: { path: "/koten-linux" } }],
        terminationGracePeriodSeconds: 60,
        initContainers: [{ name: "init", image: NGINX, command: ["sleep", "10"] }],
        containers: [
          {
            name: "myweb",
            image: NGINX,
            volumeMounts: [{ name: "data", mountPath: "/data" }],
            lifecycle: { postStart: { exec: { command: ["/bin/sh", "-c", "sleep 30"] } } },
            startupProbe: probe("/start.html", { failureThreshold: 3, initialDelaySeconds: 5, periodSeconds: 1 }),
          },
        ],
      },
    };
    kubectlOk(sb, ["apply", "-f", writeFile(sb, "35.json", JSON.stringify(pod))]);
    await advance(5);
    expect(row("koten-pod-containers-lifecycle-002")).toBe("koten-pod-containers-lifecycle-002 0/1 Init:0/1 0 AGE");
    await advance(15);
    expect(row("koten-pod-containers-lifecycle-002")).toBe("koten-pod-containers-lifecycle-002 0/1 PodInitializing 0 AGE");
    await advance(30);
    // Probes start once postStart is done (30 s after the start), so the startup probe's 5 s are long
    // past: three failures and the container is killed. nginx exits 0 on SIGTERM; while the next
    // container runs its own 30 s postStart the kubelet still reports the one that ended.
    expect(row("koten-pod-containers-lifecycle-002")).toBe("koten-pod-containers-lifecycle-002 0/1 Completed 0 AGE");
    expect(events("koten-pod-containers-lifecycle-002")).toContain("Normal Killing kubelet Container myweb failed startup probe, will be restarted");
    await advance(60);
    expect(row("koten-pod-containers-lifecycle-002")).toBe("koten-pod-containers-lifecycle-002 0/1 CrashLoopBackOff 1 (AGE ago) AGE");
    kubectlOk(sb, ["delete", "pod", "koten-pod-containers-lifecycle-002", "--wait=false"]);
  });

  it("static pods: the manifests on the control plane, moved out and back in", async () => {
    expect((await shell("k8s-master", "grep static /var/lib/kubelet/config.yaml")).stdout).toBe("staticPodPath: /etc/kubernetes/manifests\n");
    expect((await shell("k8s-master", "ls /etc/kubernetes/manifests/")).stdout).toBe("etcd.yaml\nkube-apiserver.yaml\nkube-controller-manager.yaml\nkube-scheduler.yaml\n");
    // A mirror pod deleted through the API comes back: the kubelet, not the API server, owns it.
    expect(kubectlOk(sb, ["delete", "pod", "-n", "kube-system", "kube-scheduler-k8s-master"])).toBe('pod "kube-scheduler-k8s-master" deleted\n');
    await advance(2);
    expect(row("kube-scheduler-k8s-master", "kube-system")).toMatch(/^kube-scheduler-k8s-master 1\/1 Running \d+( \(AGE ago\))? AGE$/);
    // Moving the manifest away stops the pod; moving it back starts it again.
    expect((await shell("k8s-master", "mv /etc/kubernetes/manifests/kube-scheduler.yaml /tmp/")).exitCode).toBe(0);
    await advance(30);
    expect(kubectl(sb, ["get", "pod", "-n", "kube-system", "kube-scheduler-k8s-master"]).stderr).toContain("NotFound");
    expect((await shell("k8s-master", "mv /tmp/kube-scheduler.yaml /etc/kubernetes/manifests/")).exitCode).toBe(0);
    await advance(30);
    expect(row("kube-scheduler-k8s-master", "kube-system")).toMatch(/^kube-scheduler-k8s-master 1\/1 Running 0 AGE$/);
  });

  it("restart policies, and CrashLoopBackOff back-off doubling from 10 s to 5 min", async () => {
    const run = (name: string, policy: string, script: string) => kubectlOk(sb, ["run", name, "--image=busybox:1.36", `--restart=${policy}`, "--", "sh", "-c", script]);
    run("always-ok", "Always", "exit 0");
    run("onfailure-ok", "OnFailure", "exit 0");
    run("never-fail", "Never", "exit 1");
    run("crash", "Always", "exit 1");
    await advance(5);
    expect(row("onfailure-ok")).toBe("onfailure-ok 0/1 Completed 0 AGE");
    expect(row("never-fail")).toBe("never-fail 0/1 Error 0 AGE");
    expect(row("always-ok")).toMatch(/^always-ok 0\/1 (Completed|CrashLoopBackOff) \d/);
    // The first exit restarts at once; then back-off waits 10, 20, 40, 80, 160, 300 and 300 s.
    const restarts = () => Number(jsonpath("crash", "{.status.containerStatuses[0].restartCount}"));
    const seen: number[] = [];
    for (const t of [20, 50, 110, 230, 450, 750, 1050]) {
      await advance(t - (seen.length ? [20, 50, 110, 230, 450, 750, 1050][seen.length - 1] : 5));
      seen.push(restarts());
    }
    expect(seen).toEqual([2, 3, 4, 5, 6, 7, 8]);
    expect(row("crash")).toMatch(/^crash 0\/1 CrashLoopBackOff 8 \(AGE ago\) AGE$/);
    expect(events("crash").find((e) => e.startsWith("Warning BackOff"))).toMatch(/kubelet Back-off restarting failed container crash in pod crash_default\([0-9a-f-]+\)( \(x\d+\))?$/);
    expect(row("onfailure-ok")).toBe("onfailure-ok 0/1 Completed 0 AGE");
    expect(row("never-fail")).toBe("never-fail 0/1 Error 0 AGE");
  });
});
