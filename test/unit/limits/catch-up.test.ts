// Bounded catch-up: a long clock advance visits its first wake-ups and its last hour, and crosses the
// stretch between in one step, which the level-triggered controllers (and the kubelet's restart
// count) catch up on as upstream's do after their control plane was down.
import { describe, expect, it } from "vitest";
import type { ControllerContext } from "../../../worker/controllers/types";
import { CATCH_UP_WINDOW_MS, HEAD_STOPS, MAX_ADVANCE_STOPS } from "../../../worker/sandbox/engine";
import { START, TestCluster } from "../../cluster";
import { container, get, pod, row } from "../kubelet/helpers";

const DAY = 86_400;

describe("engine: a long advance", () => {
  it("a timer every second for 30 days: the first wake-ups and the last hour are visited, nothing between", async () => {
    const seen: number[] = [];
    const ticker = (ctx: ControllerContext) => {
      seen.push(ctx.now());
      ctx.requeueAt(Math.floor(ctx.now() / 1000) * 1000 + 1000);
    };
    const cluster = await TestCluster.create({ controllers: [ticker], bootstrap: false });
    await cluster.settle();
    seen.length = 0;
    const stats = { ...cluster.engine.stats };
    await cluster.advance(30 * DAY);
    const end = START + 30 * DAY * 1000;
    expect(cluster.clock.now()).toBe(end);
    const stops = cluster.engine.stats.stops - stats.stops;
    expect(stops).toBe(MAX_ADVANCE_STOPS);
    // Reconciles: the start, the stops, the step to the last hour and the end (one pass each here).
    expect(cluster.engine.stats.reconciles - stats.reconciles).toBe(MAX_ADVANCE_STOPS + 3);
    expect(seen.slice(0, HEAD_STOPS + 1).map((t) => (t - START) / 1000)).toEqual(Array.from({ length: HEAD_STOPS + 1 }, (_, i) => i));
    const replayFrom = end - CATCH_UP_WINDOW_MS;
    expect(seen[HEAD_STOPS + 1]).toBe(replayFrom);
    expect(seen.filter((t) => t > START + HEAD_STOPS * 1000 && t < replayFrom)).toEqual([]);
    // The stop budget ran out before the hour did: the rest of it is crossed in one step too.
    expect(seen.at(-1)).toBe(end);
    expect(cluster.engine.stats.skippedMs - stats.skippedMs).toBe(end - (replayFrom + (MAX_ADVANCE_STOPS - HEAD_STOPS) * 1000) + (replayFrom - START - HEAD_STOPS * 1000));
  });

  it("an advance with fewer wake-ups than the head visits every one of them", async () => {
    const seen: number[] = [];
    const hourly = (ctx: ControllerContext) => {
      seen.push(ctx.now());
      ctx.requeueAt(Math.floor(ctx.now() / 3600_000) * 3600_000 + 3600_000);
    };
    const cluster = await TestCluster.create({ controllers: [hourly], bootstrap: false });
    await cluster.settle();
    seen.length = 0;
    await cluster.advance(7 * DAY);
    // One wake-up an hour: every hour of the week visited (and its start and end).
    expect(new Set(seen).size).toBe(7 * 24 + 1);
    expect([...new Set(seen)].every((t) => (t - START) % 3600_000 === 0)).toBe(true);
    expect(cluster.engine.stats.skippedMs).toBe(0);
  });
});

describe("kubelet: restarts counted, not made", () => {
  const crash = () => pod("crash", { containers: [container("c", "busybox:1.36", { command: ["sh", "-c", "exit 1"] })] });

  it("a pass that comes 45 minutes late shows what a pass at every wake-up would have", async () => {
    const stepped = await TestCluster.create();
    await stepped.apply(crash());
    await stepped.advance(45 * 60);

    const late = await TestCluster.create();
    await late.apply(crash());
    await late.advance(5);
    // An alarm that fired late, a Durable Object loaded after a long absence: one pass at "now".
    late.clock.advance(45 * 60 * 1000 - 5000);
    await late.settle();

    const a = get(stepped, "crash")!.status!.containerStatuses![0];
    const b = get(late, "crash")!.status!.containerStatuses![0];
    expect(b.restartCount).toBe(a.restartCount);
    expect(a.restartCount).toBeGreaterThan(10);
    expect(b.state).toEqual(a.state);
    // Only the container ids differ: those of the runs counted were never drawn.
    expect({ ...b.lastState!.terminated, containerID: "" }).toEqual({ ...a.lastState!.terminated, containerID: "" });
  }, 60_000);

  it("a month of a crash loop is a month of restarts, five minutes apart, for the price of a few passes", async () => {
    const cluster = await TestCluster.create();
    await cluster.apply(crash());
    await cluster.advance(60);
    const before = cluster.store.stats.rowsWritten;
    await cluster.advance(30 * DAY);
    const cs = get(cluster, "crash")!.status!.containerStatuses![0];
    // Back-off at its cap: one restart every 5 minutes.
    const expected = (30 * DAY) / 300;
    expect(cs.restartCount).toBeGreaterThan(expected * 0.99);
    expect(cs.restartCount).toBeLessThan(expected * 1.01);
    expect(cs.state?.waiting?.reason).toBe("CrashLoopBackOff");
    const finished = Date.parse(cs.lastState!.terminated!.finishedAt!);
    expect(cluster.clock.now() - finished).toBeLessThanOrEqual(301_000);
    expect(row(cluster, "crash")).toMatchObject({ status: "CrashLoopBackOff", restarts: `${cs.restartCount} (${Math.round((cluster.clock.now() - finished) / 1000)}s ago)` });
    // The last hour is replayed (12 restarts, each a handful of writes); the month before it costs one pass.
    expect(cluster.store.stats.rowsWritten - before).toBeLessThan(2000);
  }, 60_000);
});
