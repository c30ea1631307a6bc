import { describe, expect, it } from "vitest";
import { TestCluster } from "../../cluster";
import type { ControllerContext } from "../../../worker/controllers/types";

describe("engine", () => {
  it("runs wake-ups in order when time is skipped, and arms nothing when idle", async () => {
    const fired: number[] = [];
    // A controller that wants passes at +10s and +30s from the start, recording when it ran at them.
    let start: number | undefined;
    const ticker = (ctx: ControllerContext) => {
      start ??= ctx.now();
      for (const offset of [10_000, 30_000]) {
        const at = start + offset;
        if (ctx.now() >= at && !fired.includes(offset)) fired.push(offset);
        else if (ctx.now() < at) ctx.requeueAt(at);
      }
    };
    const cluster = await TestCluster.create({ controllers: [ticker] });
    await cluster.settle();
    expect(cluster.engine.nextWakeup()).toBe(start! + 10_000);
    await cluster.advance(15);
    expect(fired).toEqual([10_000]);
    expect(cluster.engine.nextWakeup()).toBe(start! + 30_000);
    await cluster.advance(60);
    expect(fired).toEqual([10_000, 30_000]);
    expect(cluster.engine.nextWakeup()).toBeUndefined();
  });

  it("aggregates identical events into one with a count", async () => {
    let runs = 0;
    const noisy = (ctx: ControllerContext) => {
      const node = ctx.get("/nodes", "", "k8s-node1")!;
      if (runs++ < 3) ctx.event(node, "Normal", "Poked", "poked the node", "tester");
    };
    const cluster = await TestCluster.create({ controllers: [noisy] });
    await cluster.settle();
    const events = cluster.store.list("/events", "default");
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ reason: "Poked", count: 3, type: "Normal", source: { component: "tester" } });
    expect(events[0].metadata.name).toMatch(/^k8s-node1\.[0-9a-f]+$/);
  });
});
