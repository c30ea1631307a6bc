// Startup, liveness and readiness probes answered by the simulated containers: files an HTTP probe
// asks for, commands an exec probe runs, time-dependent answers (agnhost liveness). The numbers are
// the seeds' (initialDelaySeconds 20/40, periodSeconds 1, failureThreshold 3).
import { describe, expect, it } from "vitest";
import { TestCluster } from "../../cluster";
import { CONTAINERS, type PodRuntime } from "../../../worker/kubelet/record";
import { container, get, pod, podEvents, row, statusTimeline } from "./helpers";

const http = (path: string, extra: Record<string, unknown> = {}) => ({ httpGet: { path, port: 80 }, periodSeconds: 1, successThreshold: 1, failureThreshold: 3, timeoutSeconds: 1, ...extra });

/** What `kubectl exec … -- sh -c 'echo ok > path'` will do: a file in the container's own layer. */
async function writeInContainer(cluster: TestCluster, podName: string, path: string, content: string) {
  const rec = structuredClone(cluster.store.get(CONTAINERS, "default", podName) as PodRuntime);
  rec.containers[0].layer = { ...(rec.containers[0].layer ?? {}), [path]: content };
  await cluster.store.commit([{ type: "put", resource: CONTAINERS, object: rec }]);
  await cluster.settle();
}

describe("probes", () => {
  it("readiness fails with 404 until the file exists, then the pod is Ready", async () => {
    const cluster = await TestCluster.create();
    await cluster.apply(
      pod("probe", { containers: [container("web", "nginx:1.25", { livenessProbe: http("/index.html", { periodSeconds: 10 }), readinessProbe: http("/koten.html", { initialDelaySeconds: 20 }) })] }),
    );
    await cluster.advance(15);
    expect(row(cluster, "probe")).toEqual({ ready: "0/1", status: "Running", restarts: "0" });
    await cluster.advance(15);
    expect(row(cluster, "probe").ready).toBe("0/1");
    // Started at 3.2 s: the first readiness probe is 21 s later (24.2 s), then one a second.
    expect(podEvents(cluster, "probe")).toContain("Unhealthy: Readiness probe failed: HTTP probe failed with statuscode: 404 (x6)");
    const ready = get(cluster, "probe")!.status!.conditions!.find((c) => c.type === "Ready");
    expect(ready).toMatchObject({ status: "False", reason: "ContainersNotReady", message: "containers with unready status: [web]" });

    await writeInContainer(cluster, "probe", "/usr/share/nginx/html/koten.html", "ok\n");
    await cluster.advance(1);
    expect(row(cluster, "probe").ready).toBe("1/1");
    expect(get(cluster, "probe")!.status!.conditions!.find((c) => c.type === "Ready")?.status).toBe("True");
  });

  it("a startup probe that keeps failing kills the container; liveness and readiness wait for it", async () => {
    const cluster = await TestCluster.create();
    await cluster.apply(
      pod("startup", {
        containers: [
          container("web", "nginx:1.25", {
            livenessProbe: http("/linux.html", { initialDelaySeconds: 10, periodSeconds: 10 }),
            readinessProbe: http("/koten.html", { initialDelaySeconds: 20 }),
            startupProbe: http("/start.html", { initialDelaySeconds: 40 }),
          }),
        ],
      }),
    );
    expect(await statusTimeline(cluster, "startup", 50)).toEqual(["0/1 ContainerCreating 0@0", "0/1 Running 0@4", "0/1 Completed 0@47", "0/1 Running 1@48"]);
    expect(podEvents(cluster, "startup")).toEqual(
      expect.arrayContaining(["Unhealthy: Startup probe failed: HTTP probe failed with statuscode: 404 (x3)", "Killing: Container web failed startup probe, will be restarted", "Created: Created container web (x2)"]),
    );
    expect(podEvents(cluster, "startup").some((e) => e.includes("Liveness") || e.includes("Readiness"))).toBe(false);
  });

  it("once startup passes, readiness and liveness run", async () => {
    const cluster = await TestCluster.create();
    await cluster.apply(
      pod("startup", {
        containers: [container("web", "nginx:1.25", { readinessProbe: http("/koten.html", { initialDelaySeconds: 20 }), startupProbe: http("/start.html", { initialDelaySeconds: 40 }) })],
      }),
    );
    await cluster.advance(30);
    await writeInContainer(cluster, "startup", "/usr/share/nginx/html/start.html", "111\n");
    await cluster.advance(20);
    expect(row(cluster, "startup")).toEqual({ ready: "0/1", status: "Running", restarts: "0" });
    expect(get(cluster, "startup")!.status!.containerStatuses![0].started).toBe(true);
    const events = podEvents(cluster, "startup");
    expect(events.find((e) => e.startsWith("Unhealthy"))).toMatch(/^Unhealthy: Readiness probe failed: HTTP probe failed with statuscode: 404 \(x\d+\)$/);
    expect(events.some((e) => e.includes("Startup probe failed"))).toBe(false);
  });

  it("liveness: agnhost's /healthz turns to 500 after 10 s and the container is restarted", async () => {
    const cluster = await TestCluster.create();
    await cluster.apply(
      pod("liveness", { containers: [container("liveness", "registry.k8s.io/e2e-test-images/agnhost:2.40", { args: ["liveness"], livenessProbe: { httpGet: { path: "/healthz", port: 8080 }, initialDelaySeconds: 3, periodSeconds: 3 } })] }),
    );
    await cluster.advance(30);
    expect(row(cluster, "liveness")).toMatchObject({ ready: "1/1", status: "Running", restarts: "1 (9s ago)" });
    expect(podEvents(cluster, "liveness")).toEqual(
      expect.arrayContaining(["Unhealthy: Liveness probe failed: HTTP probe failed with statuscode: 500 (x3)", "Killing: Container liveness failed liveness probe, will be restarted"]),
    );
  });

  it("liveness exec: the file removed after 30 s fails `cat`, and sh (PID 1) waits for SIGKILL", async () => {
    const cluster = await TestCluster.create();
    const args = ["/bin/sh", "-c", "touch /tmp/healthy; sleep 30; rm -f /tmp/healthy; sleep 600"];
    await cluster.apply(pod("liveness-exec", { containers: [container("liveness", "busybox:1.28", { args, livenessProbe: { exec: { command: ["cat", "/tmp/healthy"] }, initialDelaySeconds: 5, periodSeconds: 5 } })] }));
    await cluster.advance(45);
    expect(podEvents(cluster, "liveness-exec")).toEqual(
      expect.arrayContaining(["Unhealthy: Liveness probe failed: cat: can't open '/tmp/healthy': No such file or directory (x3)", "Killing: Container liveness failed liveness probe, will be restarted"]),
    );
    expect(row(cluster, "liveness-exec").restarts).toBe("0");
    await cluster.advance(30);
    expect(row(cluster, "liveness-exec").restarts).toMatch(/^1 /);
    expect(get(cluster, "liveness-exec")!.status!.containerStatuses![0].lastState?.terminated).toMatchObject({ exitCode: 137, reason: "Error" });
  });

  it("a readiness probe failing for an hour writes an event update every 5 minutes after the first 25", async () => {
    const cluster = await TestCluster.create();
    await cluster.apply(pod("sick", { containers: [container("web", "nginx:1.25", { readinessProbe: http("/missing", {}) })] }));
    await cluster.advance(60);
    const count = () => cluster.store.list("/events").find((e) => e.reason === "Unhealthy")?.count as number;
    expect(count()).toBe(21);
    await cluster.advance(3600);
    expect(count()).toBe(33);
  });
  it("a failing startup probe kills on time even after the event filter has used up the pod's events", async () => {
    const cluster = await TestCluster.create();
    await cluster.apply(pod("late", { containers: [container("web", "nginx:1.25", { startupProbe: http("/start.html", { initialDelaySeconds: 40 }) })] }));
    // Each run lives 40 s plus three failing probes; about seven events a run use up the 25 a pod has.
    const runs = new Map<string, number>();
    for (let t = 0; t < 20 * 60; t += 5) {
      await cluster.advance(5);
      const last = get(cluster, "late")!.status!.containerStatuses![0].lastState?.terminated;
      if (last?.startedAt && last.finishedAt) runs.set(last.startedAt, (Date.parse(last.finishedAt) - Date.parse(last.startedAt)) / 1000);
    }
    expect(runs.size).toBeGreaterThanOrEqual(6);
    for (const seconds of runs.values()) expect(seconds).toBeLessThanOrEqual(44);
  });
});
