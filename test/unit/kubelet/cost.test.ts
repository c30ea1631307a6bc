// The cost rule: a settled sandbox writes nothing and arms no wake-up, however many pods with
// passing probes it runs; a crash-looping one pays for its restarts only.
import { describe, expect, it } from "vitest";
import { TestCluster } from "../../cluster";
import { container, pod, row } from "./helpers";

describe("kubelet cost", () => {
  it("100 pods with passing readiness and liveness probes: a settled hour writes nothing and arms no wake-up", async () => {
    const cluster = await TestCluster.create();
    const probe = (path: string) => ({ httpGet: { path, port: 80 }, periodSeconds: 5 });
    for (let i = 0; i < 100; i++) {
      const node = i % 2 ? "k8s-node1" : "k8s-node2";
      await cluster.apply(pod(`web-${i}`, { containers: [container("web", "nginx:1.25", { readinessProbe: probe("/"), livenessProbe: probe("/index.html") })] }, node));
    }
    await cluster.advance(60);
    expect(cluster.pods().every((p) => row(cluster, p.metadata.name!).ready === "1/1")).toBe(true);
    // Let the event TTL controller expire the start-up events first.
    await cluster.advance(7200);
    const before = { rows: cluster.store.stats.rowsWritten, stops: cluster.engine.stats.stops };
    expect(cluster.engine.nextWakeup()).toBeUndefined();
    await cluster.advance(3600);
    // Nothing written, and no wake-up came due in the hour: the engine never stopped on the way.
    expect(cluster.store.stats.rowsWritten - before.rows).toBe(0);
    expect(cluster.engine.stats.stops - before.stops).toBe(0);
    expect(cluster.engine.nextWakeup()).toBeUndefined();
  }, 60_000);
  it("a crash-looping container costs its restarts, not a write every resync of its back-off", async () => {
    const cluster = await TestCluster.create();
    await cluster.apply(pod("crash", { containers: [container("app", "busybox:1.36", { command: ["sh", "-c", "exit 1"] })] }));
    // Past the first hour the back-off is at its 5-minute cap and the pod's 25 events are spent.
    await cluster.advance(3600);
    const before = { rows: cluster.store.stats.rowsWritten, stops: cluster.engine.stats.stops };
    await cluster.advance(3600);
    // About 12 restarts an hour, each a few status and runtime-record writes, an event update and an
    // expired event; a resync every 10 s would be 360 wake-ups and writes on top.
    expect(cluster.store.stats.rowsWritten - before.rows).toBeLessThan(200);
    expect(cluster.engine.stats.stops - before.stops).toBeLessThan(100);
    expect(row(cluster, "crash").restarts).toMatch(/^\d+/);
  }, 60_000);
  it("an image that cannot be pulled costs its pull retries, not a write every resync of its back-off", async () => {
    const cluster = await TestCluster.create();
    await cluster.apply(pod("nopull", { containers: [container("app", "nginx:no-such-tag")] }));
    await cluster.advance(3600);
    expect(row(cluster, "nopull").status).toBe("ImagePullBackOff");
    const before = { rows: cluster.store.stats.rowsWritten, stops: cluster.engine.stats.stops };
    await cluster.advance(3600);
    // A pull every five minutes and its events; a resync every 10 s would be 360 wake-ups and writes on top.
    expect(cluster.store.stats.rowsWritten - before.rows).toBeLessThan(200);
    expect(cluster.engine.stats.stops - before.stops).toBeLessThan(100);
  }, 60_000);
});
