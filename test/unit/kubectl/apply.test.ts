// The patches kubectl computes: the three-way strategic merge patch of `apply` (containers merged
// by name, ports by containerPort, removals from the last-applied configuration, `$setElementOrder`)
// and the two-way patch of `set image`.
import { describe, expect, it } from "vitest";
import { threeWayMergePatch, twoWayMergePatch } from "../../../worker/kubectl/apply/three-way";
import { lastAppliedOf } from "../../../worker/kubectl/cmd/apply";

const deploy = (image: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web", labels: { app: "web" } },
  spec: { replicas: 2, selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "nginx", image, ...extra }] } } },
});

describe("apply patches", () => {
  it("is empty when nothing changed, even though the live object has server fields", () => {
    const cfg = deploy("nginx:1.25");
    const live = { ...structuredClone(cfg), metadata: { ...cfg.metadata, uid: "u", resourceVersion: "5" }, status: { replicas: 2 } };
    (live.spec.template.spec.containers[0] as Record<string, unknown>).imagePullPolicy = "IfNotPresent";
    expect(threeWayMergePatch(cfg, cfg, live, "apps/Deployment")).toEqual({});
  });

  it("merges containers by name and keeps their order", () => {
    const before = deploy("nginx:1.25");
    const after = deploy("nginx:1.26");
    expect(threeWayMergePatch(before, after, before, "apps/Deployment")).toEqual({
      spec: { template: { spec: { $setElementOrder: undefined, "$setElementOrder/containers": [{ name: "nginx" }], containers: [{ name: "nginx", image: "nginx:1.26" }] } } },
    });
  });

  it("removes what the last configuration had and the new one drops", () => {
    const before = { ...deploy("nginx"), metadata: { name: "web", labels: { app: "web", tier: "x" } } };
    const after = deploy("nginx");
    expect(threeWayMergePatch(before, after, before, "apps/Deployment")).toEqual({ metadata: { labels: { tier: null } } });
  });

  it("deletes a merged list element with $patch: delete", () => {
    const before = deploy("nginx", { ports: [{ containerPort: 80 }, { containerPort: 443 }] });
    const after = deploy("nginx", { ports: [{ containerPort: 80 }] });
    const patch = threeWayMergePatch(before, after, before, "apps/Deployment") as any;
    expect(patch.spec.template.spec.containers[0].ports).toEqual([{ containerPort: 443, $patch: "delete" }]);
    expect(patch.spec.template.spec.containers[0]["$setElementOrder/ports"]).toEqual([{ containerPort: 80 }]);
  });

  it("computes set image's two-way patch", () => {
    expect(twoWayMergePatch(deploy("nginx:1.25"), deploy("nginx:1.26"), "apps/Deployment")).toEqual({
      spec: { template: { spec: { "$setElementOrder/containers": [{ name: "nginx" }], containers: [{ image: "nginx:1.26", name: "nginx" }] } } },
    });
  });

  it("stores the configuration as sorted JSON with an empty annotations map and a newline", () => {
    expect(lastAppliedOf({ apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "default" } })).toBe('{"apiVersion":"v1","kind":"Pod","metadata":{"annotations":{},"name":"p","namespace":"default"}}\n');
  });
});
