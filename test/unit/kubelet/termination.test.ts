// Graceful deletion: Terminating while containers stop (preStop, SIGTERM, SIGKILL at the end of the
// grace period), then the kubelet removes the pod.
import { describe, expect, it } from "vitest";
import { TestCluster } from "../../cluster";
import { MACHINES } from "../../../worker/sandbox/machines";
import { container, get, pod, statusTimeline } from "./helpers";

function eventsOf(cluster: TestCluster, podName: string): string[] {
  return cluster.store
    .list("/events")
    .filter((e) => (e.involvedObject as { name?: string }).name === podName)
    .map((e) => `${e.reason}: ${e.message}`);
}

describe("graceful termination", () => {
  it("nginx stops at once on SIGTERM: the pod is gone within a second", async () => {
    const cluster = await TestCluster.create();
    await cluster.apply(pod("web", { containers: [container("web", "nginx:1.25")] }));
    await cluster.advance(5);
    await cluster.delete(get(cluster, "web") as never);
    expect(await statusTimeline(cluster, "web", 2)).toEqual(["1/1 Terminating 0@0", " <gone> @1"]);
    expect(eventsOf(cluster, "web")).toContain("Killing: Stopping container web");
    expect(cluster.store.list("kubeplay.internal/containers")).toEqual([]);
  });

  it("a shell or sleep as PID 1 ignores SIGTERM: Terminating for the whole grace period", async () => {
    const cluster = await TestCluster.create();
    await cluster.apply(pod("bb", { containers: [container("bb", "busybox:1.28", { command: ["sleep", "3600"] })] }));
    await cluster.advance(5);
    await cluster.delete(get(cluster, "bb") as never);
    expect(await statusTimeline(cluster, "bb", 32, 2)).toEqual(["1/1 Terminating 0@0", " <gone> @30"]);
  });

  it("honours terminationGracePeriodSeconds and runs preStop first, writing to a hostPath", async () => {
    const cluster = await TestCluster.create();
    const preStop = { exec: { command: ["/bin/sh", "-c", 'echo "preStop at $(date +%F_%T)" >> /data/preStop.log; sleep 50'] } };
    await cluster.apply(
      pod("lc", {
        terminationGracePeriodSeconds: 60,
        volumes: [{ name: "data", hostPath: { path: "/koten-linux" } }],
        containers: [container("myweb", "nginx:1.25", { volumeMounts: [{ name: "data", mountPath: "/data" }], lifecycle: { preStop } })],
      }),
    );
    await cluster.advance(5);
    await cluster.delete(get(cluster, "lc") as never);
    expect(get(cluster, "lc")!.metadata!.deletionGracePeriodSeconds).toBe(60);
    // preStop takes 50 s; nginx then stops on SIGTERM at once.
    expect(await statusTimeline(cluster, "lc", 60, 5)).toEqual(["1/1 Terminating 0@0", " <gone> @55"]);
    const machine = cluster.store.get(MACHINES, "", "k8s-node1") as { files?: Record<string, string> };
    expect(machine.files?.["/koten-linux/preStop.log"]).toBe("preStop at 2026-01-01_00:00:05\n");
  });

  it("a preStop longer than the grace period is cut short: SIGKILL at the deadline", async () => {
    const cluster = await TestCluster.create();
    const preStop = { exec: { command: ["/bin/sh", "-c", "sleep 300"] } };
    await cluster.apply(pod("slow", { terminationGracePeriodSeconds: 5, containers: [container("web", "nginx:1.25", { lifecycle: { preStop } })] }));
    await cluster.advance(5);
    await cluster.delete(get(cluster, "slow") as never);
    // SIGTERM at the 5 s deadline, then at least 2 s more before the pod is done.
    expect(await statusTimeline(cluster, "slow", 8)).toEqual(["1/1 Terminating 0@0", " <gone> @6"]);
  });

  it("a pod not started yet is removed at once", async () => {
    const cluster = await TestCluster.create();
    await cluster.apply(pod("new", { containers: [container("web", "nginx:1.999")] }));
    await cluster.advance(3);
    await cluster.delete(get(cluster, "new") as never);
    expect(get(cluster, "new")).toBeUndefined();
  });
});
