// The event recorder's spam filter: a source gets 25 events about one object at once, then one per
// five minutes, so a condition that repeats forever costs a write every five minutes at most.
import { describe, expect, it } from "vitest";
import { TestCluster } from "../../cluster";
import type { Controller } from "../../../worker/controllers/types";
import { findKind } from "../../../worker/resources/registry";

const CM = { apiVersion: "v1", kind: "ConfigMap" };
const CM_TYPE = findKind({ group: "", version: "v1", kind: "ConfigMap" })!;

/** Complains about the config map every 15 s, as a failing sync loop would. */
const nagger = (component: string): Controller => (ctx) => {
  const cm = ctx.get("/configmaps", "default", "target");
  if (!cm) return;
  const now = ctx.now();
  const created = Date.parse(cm.metadata.creationTimestamp ?? "");
  const tick = created + Math.floor((now - created) / 15_000) * 15_000;
  const last = Number(cm.metadata.annotations?.["last-nag"] ?? NaN);
  if (last !== tick) {
    ctx.event(cm, "Warning", "FailedSync", "still failing", component);
    ctx.update(CM_TYPE, { ...cm, metadata: { ...cm.metadata, annotations: { "last-nag": String(tick) } } });
  }
  ctx.requeueAt(tick + 15_000);
};

function count(c: TestCluster): number {
  const e = c.store.list("/events")[0];
  return (e?.count as number | undefined) ?? 0;
}

describe("event spam filter", () => {
  it("lets 25 through at once, then one per five minutes", async () => {
    const c = await TestCluster.create({ controllers: [nagger("horizontal-pod-autoscaler")] });
    await c.apply({ ...CM, metadata: { name: "target", namespace: "default" }, data: {} });
    await c.advance(24 * 15);
    expect(count(c)).toBe(25);
    await c.advance(3600);
    // 240 more complaints in the hour; about one in twenty gets through.
    expect(count(c)).toBeGreaterThan(25);
    expect(count(c)).toBeLessThanOrEqual(25 + 14);
  });
});
