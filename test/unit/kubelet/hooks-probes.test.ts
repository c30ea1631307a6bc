// Lifecycle hooks and probe details: preStop httpGet (an answered request succeeds whatever its
// status; a refused one fails) and sleep, a failing postStart killing the container it started,
// tcpSocket probe failures in the prober's words, successThreshold above 1, and imagePullPolicy
// Always pulling an image the node already has.
import { describe, expect, it } from "vitest";
import { TestCluster } from "../../cluster";
import { container, get, pod, podEvents, row, statusTimeline } from "./helpers";

describe("lifecycle hooks", () => {
  it("preStop httpGet: answered (even 404) it succeeds and nginx stops on SIGTERM; refused it fails with FailedPreStopHook", async () => {
    const cluster = await TestCluster.create();
    await cluster.apply(pod("ok", { containers: [container("web", "nginx:1.25", { lifecycle: { preStop: { httpGet: { path: "/shutdown", port: 80 } } } })] }));
    await cluster.apply(pod("bad", { containers: [container("web", "nginx:1.25", { lifecycle: { preStop: { httpGet: { path: "/shutdown", port: 8080 } } } })] }));
    await cluster.advance(5);
    const ip = get(cluster, "bad")!.status!.podIP;
    await cluster.delete(get(cluster, "ok") as never);
    await cluster.delete(get(cluster, "bad") as never);
    expect(podEvents(cluster, "ok").filter((e) => e.startsWith("FailedPreStopHook"))).toEqual([]);
    expect(podEvents(cluster, "bad")).toContain(
      `FailedPreStopHook: HTTP lifecycle hook (/shutdown) for Container "web" in Pod "bad_default(${get(cluster, "bad")!.metadata!.uid})" failed - error: Get "http://${ip}:8080/shutdown": dial tcp ${ip}:8080: connect: connection refused`,
    );
    await cluster.advance(1);
    expect([row(cluster, "ok").status, row(cluster, "bad").status]).toEqual(["<gone>", "<gone>"]);
  });

  it("preStop sleep holds SIGTERM back for its seconds", async () => {
    const cluster = await TestCluster.create();
    await cluster.apply(pod("nap", { containers: [container("web", "nginx:1.25", { lifecycle: { preStop: { sleep: { seconds: 10 } } } })] }));
    await cluster.advance(5);
    await cluster.delete(get(cluster, "nap") as never);
    // SIGTERM 10 s after the deletion; nginx ends at once and the kubelet removes the pod.
    expect(await statusTimeline(cluster, "nap", 12)).toEqual(["1/1 Terminating 0@0", " <gone> @11"]);
  });

  it("a failing postStart: FailedPostStartHook, the container killed, then restarted with back-off", async () => {
    const cluster = await TestCluster.create();
    await cluster.apply(pod("hook", { containers: [container("web", "nginx:1.25", { lifecycle: { postStart: { exec: { command: ["sh", "-c", "echo no >&2; exit 2"] } } } })] }));
    await cluster.advance(5);
    const uid = get(cluster, "hook")!.metadata!.uid;
    const events = podEvents(cluster, "hook");
    const hookFailed = `FailedPostStartHook: Exec lifecycle hook ([sh -c echo no >&2; exit 2]) for Container "web" in Pod "hook_default(${uid})" failed - error: command 'sh -c echo no >&2; exit 2' exited with 2: no, message: "no"`;
    // Killed and started again at once the first time, as the kubelet's back-off starts after it.
    expect(events).toContain(`${hookFailed} (x2)`);
    expect(events).toContain("Killing: FailedPostStartHook (x2)");
    await cluster.advance(30);
    const r = row(cluster, "hook");
    expect(r.ready).toBe("0/1");
    expect(Number(r.restarts.split(" ")[0])).toBeGreaterThanOrEqual(1);
    expect(get(cluster, "hook")!.status!.containerStatuses![0].lastState?.terminated).toMatchObject({ exitCode: 0 });
  });
});

describe("probe details", () => {
  it("tcpSocket: a closed port fails as a refused dial", async () => {
    const cluster = await TestCluster.create();
    await cluster.apply(pod("tcp", { containers: [container("web", "nginx:1.25", { readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 } })] }));
    await cluster.advance(6);
    const ip = get(cluster, "tcp")!.status!.podIP;
    expect(row(cluster, "tcp").ready).toBe("0/1");
    expect(podEvents(cluster, "tcp")).toContainEqual(expect.stringMatching(new RegExp(`^Unhealthy: Readiness probe failed: dial tcp ${ip!.replace(/\./g, "\\.")}:8080: connect: connection refused( \\(x\\d+\\))?$`)));
  });

  it("successThreshold 3: ready only after three passing readiness probes", async () => {
    const cluster = await TestCluster.create();
    await cluster.apply(pod("st", { containers: [container("web", "nginx:1.25", { readinessProbe: { httpGet: { path: "/", port: 80 }, periodSeconds: 5, successThreshold: 3 } })] }));
    // Started at 3.2 s, probed every 5 s from its first period on: Ready with the third success
    // (with successThreshold 1 it is Ready at 5 s).
    expect(await statusTimeline(cluster, "st", 16)).toEqual(["0/1 ContainerCreating 0@0", "0/1 Running 0@4", "1/1 Running 0@15"]);
  });
});

describe("image pull policy", () => {
  it("Always pulls again an image already on the node (a manifest check), IfNotPresent does not", async () => {
    const cluster = await TestCluster.create();
    await cluster.apply(pod("a", { containers: [container("web", "nginx:1.25")] }));
    await cluster.advance(5);
    await cluster.apply(pod("always", { containers: [container("web", "nginx:1.25", { imagePullPolicy: "Always" })] }));
    await cluster.apply(pod("present", { containers: [container("web", "nginx:1.25", { imagePullPolicy: "IfNotPresent" })] }));
    await cluster.advance(5);
    expect(podEvents(cluster, "always").slice(0, 2)).toEqual(['Pulling: Pulling image "nginx:1.25"', expect.stringMatching(/^Pulled: Successfully pulled image "nginx:1\.25" in 500ms \(\S+ including waiting\)\. Image size: 72099501 bytes\.$/)]);
    expect(podEvents(cluster, "present")[0]).toBe('Pulled: Container image "nginx:1.25" already present on machine');
    expect([row(cluster, "always").status, row(cluster, "present").status]).toEqual(["Running", "Running"]);
  });
});
