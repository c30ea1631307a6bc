import { describe, expect, it } from "vitest";
import { START, TestCluster } from "../../cluster";
import { eventExpiry, eventTtlController } from "../../../worker/controllers/event-ttl";
import { sidecar } from "../../../worker/store/sidecar";
import type { ControllerContext } from "../../../worker/controllers/types";

const EVENT = { apiVersion: "v1", kind: "Event" };

function event(name: string, lastTimestamp: string) {
  return {
    ...EVENT,
    metadata: { name, namespace: "default" },
    involvedObject: { kind: "Pod", name: "web", namespace: "default" },
    reason: "Started",
    message: "Started container web",
    source: { component: "kubelet" },
    firstTimestamp: lastTimestamp,
    lastTimestamp,
    count: 1,
    type: "Normal",
  };
}

const at = (seconds: number) => new Date(START + seconds * 1000).toISOString().replace(".000Z", "Z");

describe("event TTL", () => {
  it("deletes an event an hour after its last timestamp, waking exactly then", async () => {
    const c = await TestCluster.create({ controllers: [eventTtlController] });
    await c.apply(event("web.1", at(0)));
    expect(c.engine.nextWakeup()).toBe(START + 3600_000);
    await c.advance(3599);
    expect(c.get(EVENT, "default", "web.1")).toBeDefined();
    await c.advance(1);
    expect(c.get(EVENT, "default", "web.1")).toBeUndefined();
    expect(c.engine.nextWakeup()).toBeUndefined();
  });

  it("counts from the latest write: a repeated event lives on", async () => {
    const c = await TestCluster.create({ controllers: [eventTtlController] });
    await c.apply(event("web.1", at(0)));
    await c.advance(1800);
    await c.modify(EVENT, "default", "web.1", (e) => {
      e.count = 2;
      e.lastTimestamp = at(1800);
    });
    expect(c.engine.nextWakeup()).toBe(START + 5400_000);
    await c.advance(1900);
    expect(c.get(EVENT, "default", "web.1")).toBeDefined();
    await c.advance(1700);
    expect(c.get(EVENT, "default", "web.1")).toBeUndefined();
  });

  it("expires events recorded by controllers, oldest first", async () => {
    let recorded = 0;
    const recorder = (ctx: ControllerContext) => {
      const node = ctx.get("/nodes", "", "k8s-node1")!;
      const due = [0, 600_000];
      while (recorded < due.length && ctx.now() >= START + due[recorded]) ctx.event(node, "Normal", `Poke${recorded++}`, "poked", "tester");
      if (recorded < due.length) ctx.requeueAt(START + due[recorded]);
    };
    const c = await TestCluster.create({ controllers: [recorder, eventTtlController] });
    await c.settle();
    await c.advance(3700);
    expect(c.store.list("/events").map((e) => e.reason)).toEqual(["Poke1"]);
    await c.advance(600);
    expect(c.store.list("/events")).toHaveLength(0);
  });

  it("asks for nothing when there are no events", async () => {
    const c = await TestCluster.create({ controllers: [eventTtlController] });
    await c.settle();
    expect(c.engine.nextWakeup()).toBeUndefined();
  });

  it("keeps the versions an often rewritten event leaves behind bounded, and still expires it on time", async () => {
    const c = await TestCluster.create({ controllers: [eventTtlController] });
    await c.apply(event("web.1", at(0)));
    const queue = sidecar(c.store, eventExpiry);
    const stored = c.get(EVENT, "default", "web.1")!;
    const versions = Array.from({ length: 3000 }, (_, i) => ({ type: "put" as const, resource: "/events", object: { ...stored, count: i + 2, lastTimestamp: at(60) } }));
    await c.store.commit(versions);
    // Made again from what is stored when the next pass reads it.
    await c.settle();
    expect(queue.size).toBe(1);
    expect(c.engine.nextWakeup()).toBe(START + 3660_000);
    await c.advance(3659);
    expect(c.get(EVENT, "default", "web.1")?.count).toBe(3001);
    await c.advance(1);
    expect(c.get(EVENT, "default", "web.1")).toBeUndefined();
  });
});
