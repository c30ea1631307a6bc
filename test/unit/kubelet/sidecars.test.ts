// Sidecar containers: init containers with restartPolicy Always start in their turn, let the next one
// proceed once started (startup probe included), keep running beside the containers, count in READY,
// are restarted whatever the pod's policy, and are stopped after the containers (the last first).
import { describe, expect, it } from "vitest";
import { TestCluster } from "../../cluster";
import { container, get, pod, podEvents, row, statusTimeline } from "./helpers";

const loop = { command: ["sh", "-c", "while true; do echo tick; sleep 1; done"] };
const sidecar = (name: string, image: string, extra: Record<string, unknown> = {}) => container(name, image, { restartPolicy: "Always", ...extra });

describe("sidecar containers", () => {
  it("start in order without waiting for the sidecar to exit, and count in READY", async () => {
    const cluster = await TestCluster.create();
    await cluster.apply(
      pod("app", {
        initContainers: [sidecar("logshipper", "busybox:1.28", loop), container("setup", "busybox:1.28", { command: ["sh", "-c", "sleep 2"] })],
        containers: [container("web", "nginx:1.25")],
      }),
    );
    // The sidecar is ready as soon as it runs: READY counts it during initialization already.
    expect(await statusTimeline(cluster, "app", 12)).toEqual(["0/2 Init:0/2 0@0", "1/2 Init:1/2 0@2", "1/2 PodInitializing 0@5", "2/2 Running 0@8"]);
    const p = get(cluster, "app")!;
    expect(p.status!.initContainerStatuses!.map((s) => `${s.name} ${Object.keys(s.state!)[0]} started=${s.started} ready=${s.ready}`)).toEqual([
      "logshipper running started=true ready=true",
      "setup terminated started=false ready=true",
    ]);
    expect(p.status!.conditions!.filter((c) => c.status !== "True")).toEqual([]);
    expect(p.status!.phase).toBe("Running");
  });

  it("a sidecar's startup probe holds the next init container until it passes", async () => {
    const cluster = await TestCluster.create();
    await cluster.apply(
      pod("app", {
        initContainers: [sidecar("proxy", "nginx:1.25", { startupProbe: { httpGet: { path: "/", port: 80 }, initialDelaySeconds: 5, periodSeconds: 1 } })],
        containers: [container("main", "busybox:1.28", loop)],
      }),
    );
    await cluster.advance(6);
    const early = get(cluster, "app")!;
    expect(early.status!.initContainerStatuses![0]).toMatchObject({ name: "proxy", started: false, ready: false });
    expect(early.status!.containerStatuses![0].state?.waiting?.reason).toBe("PodInitializing");
    expect(early.status!.conditions!.find((c) => c.type === "Initialized")).toMatchObject({ status: "False", message: "containers with incomplete status: [proxy]" });
    await cluster.advance(6);
    expect(row(cluster, "app")).toEqual({ ready: "2/2", status: "Running", restarts: "0" });
  });

  it("a sidecar that exits is restarted (even with restartPolicy Never) while the containers run on", async () => {
    const cluster = await TestCluster.create();
    await cluster.apply(
      pod("app", {
        restartPolicy: "Never",
        initContainers: [sidecar("flaky", "busybox:1.28", { command: ["sh", "-c", "sleep 5; exit 1"] })],
        containers: [container("web", "nginx:1.25")],
      }),
    );
    await cluster.advance(30);
    const p = get(cluster, "app")!;
    expect(p.status!.phase).toBe("Running");
    const flaky = p.status!.initContainerStatuses![0];
    expect(flaky.restartCount).toBeGreaterThanOrEqual(2);
    expect(flaky.lastState?.terminated).toMatchObject({ exitCode: 1, reason: "Error" });
    expect(p.status!.containerStatuses![0]).toMatchObject({ restartCount: 0, ready: true });
    expect(row(cluster, "app").restarts).toMatch(/^[2-9] \(/);
  });

  it("a finished pod's sidecars are stopped, then the pod Completes", async () => {
    const cluster = await TestCluster.create();
    await cluster.apply(
      pod("job", {
        restartPolicy: "Never",
        initContainers: [sidecar("proxy", "nginx:1.25")],
        containers: [container("main", "busybox:1.28", { command: ["sh", "-c", "sleep 3"] })],
      }),
    );
    await cluster.advance(15);
    const p = get(cluster, "job")!;
    expect(p.status!.phase).toBe("Succeeded");
    expect(row(cluster, "job").status).toBe("Completed");
    expect(p.status!.initContainerStatuses![0].state?.terminated).toMatchObject({ exitCode: 0 });
    expect(podEvents(cluster, "job")).toContain("Killing: Stopping container proxy");
  });

  it("on deletion the containers stop first, then the sidecars, last one first", async () => {
    const cluster = await TestCluster.create();
    // sleep as PID 1 ignores SIGTERM: each one holds what comes after it until its SIGKILL.
    const sleeper = { command: ["sleep", "3600"] };
    await cluster.apply(
      pod("app", {
        terminationGracePeriodSeconds: 10,
        initContainers: [sidecar("first", "nginx:1.25"), sidecar("second", "busybox:1.28", sleeper)],
        containers: [container("main", "busybox:1.28", sleeper)],
      }),
    );
    await cluster.advance(15);
    expect(row(cluster, "app")).toEqual({ ready: "3/3", status: "Running", restarts: "0" });
    /** Killing events with the second they came at, counted from the deletion. */
    const start = cluster.clock.now();
    const killing = () =>
      cluster.store
        .list("/events")
        .filter((e) => e.reason === "Killing" && (e.involvedObject as { name?: string }).name === "app")
        .map((e) => `${e.message}@${Math.round((Date.parse(String(e.firstTimestamp)) - start) / 1000)}`);
    await cluster.delete(get(cluster, "app") as never);
    await cluster.advance(5);
    expect(get(cluster, "app")!.status!.initContainerStatuses!.map((s) => Object.keys(s.state!)[0])).toEqual(["running", "running"]);
    expect(killing()).toEqual(["Stopping container main@0"]);
    for (let i = 0; i < 10; i++) await cluster.advance(1);
    // main killed at the 10 s deadline; then "second" (2 s at least after its SIGTERM), then "first".
    expect(killing()).toEqual(["Stopping container main@0", "Stopping container second@10", "Stopping container first@12"]);
    expect(get(cluster, "app")).toBeUndefined();
  });
});

describe("a sidecar whose restart waits", () => {
  it("holds nothing up: the containers keep being restarted meanwhile", async () => {
    const cluster = await TestCluster.create();
    await cluster.apply({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cfg", namespace: "default" }, data: { level: "debug" } } as never);
    const env = [{ name: "LEVEL", valueFrom: { configMapKeyRef: { name: "cfg", key: "level" } } }];
    await cluster.apply(
      pod("app", {
        initContainers: [sidecar("flaky", "busybox:1.28", { env, command: ["sh", "-c", "sleep 2; exit 1"] })],
        containers: [container("crash", "busybox:1.28", { command: ["sh", "-c", "sleep 3; exit 1"] })],
      }),
    );
    await cluster.advance(8);
    // Without its ConfigMap the sidecar cannot be created again: it waits in CreateContainerConfigError.
    await cluster.delete({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cfg", namespace: "default" } });
    await cluster.advance(120);
    const p = get(cluster, "app")!;
    expect(p.status!.initContainerStatuses![0].state?.waiting?.reason).toBe("CreateContainerConfigError");
    expect(p.status!.containerStatuses![0].restartCount).toBeGreaterThanOrEqual(3);
  });
});
