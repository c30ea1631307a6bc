// The life of a pod on its node: sandbox and IP, image pulls, init containers, postStart, Running,
// Completed/Error for pods that finish, QoS and conditions, and a config error holding a container.
import type { Pod } from "kubernetes-types/core/v1";
import { describe, expect, it } from "vitest";
import { TestCluster } from "../../cluster";
import { container, get, pod, podEvents, row, statusTimeline } from "./helpers";

describe("kubelet pod lifecycle", () => {
  it("pulls, creates and starts nginx: ContainerCreating → Running with upstream events", async () => {
    const cluster = await TestCluster.create();
    await cluster.apply(pod("web", { containers: [container("web", "nginx")] }));
    expect(await statusTimeline(cluster, "web", 5)).toEqual(["0/1 ContainerCreating 0@0", "1/1 Running 0@4"]);
    expect(podEvents(cluster, "web")).toEqual([
      'Pulling: Pulling image "nginx"',
      'Pulled: Successfully pulled image "nginx" in 2.202s (2.202s including waiting). Image size: 72099501 bytes.',
      "Created: Created container web",
      "Started: Started container web",
    ]);
    const status = get(cluster, "web")!.status!;
    expect(status.phase).toBe("Running");
    expect(status.podIP).toBe("10.244.1.2");
    expect(status.hostIP).toBe("192.168.1.11");
    expect(status.qosClass).toBe("BestEffort");
    expect(status.conditions?.map((c) => `${c.type}=${c.status}`)).toEqual(["PodReadyToStartContainers=True", "Initialized=True", "Ready=True", "ContainersReady=True", "PodScheduled=True"]);
    expect(status.containerStatuses?.[0]).toMatchObject({ name: "web", ready: true, started: true, restartCount: 0, image: "docker.io/library/nginx:latest" });
    expect(status.containerStatuses?.[0].containerID).toMatch(/^containerd:\/\/[0-9a-f]{64}$/);
    // Events name the container they are about.
    const started = cluster.store.list("/events").find((e) => e.reason === "Started")!;
    expect(started.involvedObject).toMatchObject({ kind: "Pod", name: "web", fieldPath: "spec.containers{web}" });
    expect(started.source).toEqual({ component: "kubelet", host: "k8s-node1" });
  });

  it("uses an image already on the node, and gives each pod of a node its own IP", async () => {
    const cluster = await TestCluster.create();
    await cluster.apply(pod("a", { containers: [container("web", "nginx:1.25")] }));
    await cluster.advance(5);
    await cluster.apply(pod("b", { containers: [container("web", "nginx:1.25")] }));
    await cluster.advance(2);
    expect(row(cluster, "b").status).toBe("Running");
    expect(podEvents(cluster, "b")[0]).toBe('Pulled: Container image "nginx:1.25" already present on machine');
    expect([get(cluster, "a")!.status!.podIP, get(cluster, "b")!.status!.podIP]).toEqual(["10.244.1.2", "10.244.1.3"]);
    // The bootstrap's CoreDNS pods hold .2 and .3 of the control-plane node.
    await cluster.apply(pod("m", { tolerations: [{ operator: "Exists" }], containers: [container("web", "nginx:1.25")] }, "k8s-master"));
    await cluster.advance(5);
    expect(get(cluster, "m")!.status!.podIP).toBe("10.244.0.4");
  });

  it("a registry mirror's path and tag resolve to the image it copies", async () => {
    const cluster = await TestCluster.create();
    await cluster.apply(pod("web", { containers: [container("web", "harbor.example.com/team/nginx:1.25.1-alpine")] }));
    await cluster.advance(5);
    expect(row(cluster, "web")).toEqual({ ready: "1/1", status: "Running", restarts: "0" });
    expect(get(cluster, "web")!.status!.containerStatuses![0].image).toBe("harbor.example.com/team/nginx:1.25.1-alpine");
  });

  it("runs init containers in order: Init:0/2 → Init:1/2 → PodInitializing → Running", async () => {
    const cluster = await TestCluster.create();
    await cluster.apply(
      pod("app", {
        initContainers: [container("wait", "busybox:1.28", { command: ["sh", "-c", "sleep 5"] }), container("setup", "busybox:1.28", { command: ["sh", "-c", "echo ok"] })],
        containers: [container("web", "nginx:1.25")],
      }),
    );
    expect(await statusTimeline(cluster, "app", 12)).toEqual(["0/1 Init:0/2 0@0", "0/1 Init:1/2 0@7", "0/1 PodInitializing 0@8", "1/1 Running 0@11"]);
    const status = get(cluster, "app")!.status!;
    expect(status.initContainerStatuses?.map((s) => [s.name, s.state?.terminated?.reason, s.ready])).toEqual([
      ["wait", "Completed", true],
      ["setup", "Completed", true],
    ]);
  });

  it("holds the pod in ContainerCreating while postStart runs", async () => {
    const cluster = await TestCluster.create();
    const hook = { postStart: { exec: { command: ["/bin/sh", "-c", "sleep 30"] } } };
    await cluster.apply(pod("lc", { containers: [container("myweb", "nginx:1.25", { lifecycle: hook })] }));
    expect(await statusTimeline(cluster, "lc", 36, 2)).toEqual(["0/1 ContainerCreating 0@0", "1/1 Running 0@34"]);
    // Started is recorded before the hook runs, as upstream.
    expect(podEvents(cluster, "lc").slice(-2)).toEqual(["Created: Created container myweb", "Started: Started container myweb"]);
  });

  it("completes a run-to-completion pod (Completed) and fails one that exits non-zero (Error)", async () => {
    const cluster = await TestCluster.create();
    await cluster.apply(pod("ok", { restartPolicy: "Never", containers: [container("job", "busybox:1.28", { command: ["sh", "-c", "echo done; sleep 3"] })] }));
    await cluster.apply(pod("bad", { restartPolicy: "Never", containers: [container("job", "busybox:1.28", { command: ["sh", "-c", "exit 2"] })] }));
    await cluster.advance(10);
    expect(row(cluster, "ok")).toEqual({ ready: "0/1", status: "Completed", restarts: "0" });
    expect(row(cluster, "bad")).toEqual({ ready: "0/1", status: "Error", restarts: "0" });
    const ok = get(cluster, "ok")!.status!;
    expect(ok.phase).toBe("Succeeded");
    expect(ok.conditions?.map((c) => `${c.type}=${c.status}${c.reason ? `/${c.reason}` : ""}`)).toEqual([
      "PodReadyToStartContainers=False",
      "Initialized=True/PodCompleted",
      "Ready=False/PodCompleted",
      "ContainersReady=False/PodCompleted",
      "PodScheduled=True",
    ]);
    expect(get(cluster, "bad")!.status!.phase).toBe("Failed");
    expect(get(cluster, "bad")!.status!.containerStatuses![0].state?.terminated).toMatchObject({ exitCode: 2, reason: "Error" });
    // Finished pods cost nothing afterwards (the event TTL controller expires their events).
    const seen: string[] = [];
    cluster.store.subscribe((e) => e.resource !== "/events" && seen.push(`${e.resource} ${e.object.metadata.name}`));
    await cluster.advance(3600);
    expect(seen).toEqual([]);
  });

  it("reports Guaranteed QoS and a missing ConfigMap as CreateContainerConfigError until it exists", async () => {
    const cluster = await TestCluster.create();
    const resources = { limits: { cpu: "100m", memory: "64Mi" } };
    const env = [{ name: "GREETING", valueFrom: { configMapKeyRef: { name: "greeting", key: "text" } } }];
    await cluster.apply(pod("cfg", { containers: [container("app", "busybox:1.28", { command: ["sh", "-c", "echo $GREETING; sleep 3600"], env, resources })] }));
    await cluster.advance(3);
    expect(row(cluster, "cfg").status).toBe("CreateContainerConfigError");
    expect(get(cluster, "cfg")!.status!.containerStatuses![0].state?.waiting?.message).toBe('configmap "greeting" not found');
    expect(podEvents(cluster, "cfg")).toContain('Failed: Error: configmap "greeting" not found');
    await cluster.apply({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "greeting", namespace: "default" }, data: { text: "hello" } });
    // The pod worker retries on its next resync (every 10 s while held back), not on the ConfigMap's creation.
    await cluster.advance(10);
    expect(row(cluster, "cfg").status).toBe("Running");
    expect((get(cluster, "cfg") as Pod).status!.qosClass).toBe("Guaranteed");
  });

  it("does nothing for pods of a node whose kubelet is stopped", async () => {
    const cluster = await TestCluster.create();
    await cluster.store.commit([{ type: "put", resource: "kubeplay.internal/machines", object: { apiVersion: "kubeplay.internal/v1", kind: "Machine", metadata: { name: "k8s-node2" }, kubelet: "stopped", stoppedAt: "2026-01-01T00:00:00Z" } }]);
    await cluster.apply(pod("idle", { containers: [container("web", "nginx:1.25")] }, "k8s-node2"));
    await cluster.advance(30);
    expect(row(cluster, "idle").status).toBe("Pending");
    expect(cluster.store.list("kubeplay.internal/containers")).toEqual([]);
  });
});

describe("failing init containers", () => {
  it("with restartPolicy Never the pod fails (Init:Error); otherwise Init:CrashLoopBackOff", async () => {
    const cluster = await TestCluster.create();
    const init = [container("check", "busybox:1.28", { command: ["sh", "-c", "exit 1"] })];
    await cluster.apply(pod("never", { restartPolicy: "Never", initContainers: init, containers: [container("web", "nginx:1.25")] }));
    await cluster.apply(pod("always", { initContainers: init, containers: [container("web", "nginx:1.25")] }));
    await cluster.advance(5);
    expect(row(cluster, "never").status).toBe("Init:Error");
    expect(get(cluster, "never")!.status!.phase).toBe("Failed");
    expect(row(cluster, "always").status).toBe("Init:CrashLoopBackOff");
    expect(get(cluster, "always")!.status!.phase).toBe("Pending");
    expect(get(cluster, "always")!.status!.conditions?.find((c) => c.type === "Initialized")).toMatchObject({ status: "False", reason: "ContainersNotInitialized", message: "containers with incomplete status: [check]" });
  });
});
