// Storage object in use protection: a claim a pod uses and a bound volume stay Terminating until
// released, then go.
import { describe, expect, it } from "vitest";
import { TestCluster } from "../../cluster";
import { claim, claimPod, getClaim, getVolume, phase, POD, PVC, volume, volumeName } from "./volume-helpers";

describe("pvc-protection", () => {
  it("keeps a claim used by a pod Terminating until the pod is gone", async () => {
    const c = await TestCluster.create();
    await c.apply(claim("data"));
    await c.apply(claimPod("user", "data"));
    await c.advance(10);
    expect(phase(getClaim(c, "data"))).toBe("Bound");
    await c.delete(getClaim(c, "data"));
    const pvc = getClaim(c, "data");
    expect(phase(pvc)).toBe("Terminating");
    expect(pvc.metadata.finalizers).toEqual(["kubernetes.io/pvc-protection"]);
    await c.advance(60);
    expect(phase(getClaim(c, "data"))).toBe("Terminating");
    await c.delete(c.get(POD, "default", "user")!);
    // The pod shuts down (nginx stops at once), then its object goes, and the claim with it.
    await c.advance(5);
    expect(c.get(POD, "default", "user")).toBeUndefined();
    expect(c.get(PVC, "default", "data")).toBeUndefined();
  });

  it("a pod that finished still holds the claim; an unscheduled one does not", async () => {
    const c = await TestCluster.create();
    await c.apply(claim("job-data", { storageClassName: "" }));
    await c.apply(volume("v1"));
    await c.apply(claimPod("done", "job-data", { restartPolicy: "Never", containers: [{ name: "c", image: "busybox:1.36", command: ["true"], volumeMounts: [{ name: "data", mountPath: "/data" }] }] }));
    await c.advance(10);
    expect((c.get(POD, "default", "done")!.status as { phase: string }).phase).toBe("Succeeded");
    await c.delete(getClaim(c, "job-data"));
    expect(phase(getClaim(c, "job-data"))).toBe("Terminating");
    await c.delete(c.get(POD, "default", "done")!);
    expect(c.get(PVC, "default", "job-data")).toBeUndefined();

    await c.apply(claim("later", { storageClassName: "" }));
    await c.apply(claimPod("pending", "later", { nodeSelector: { nowhere: "x" } }));
    await c.delete(getClaim(c, "later"));
    expect(c.get(PVC, "default", "later")).toBeUndefined();
  });
});

describe("pv-protection", () => {
  it("keeps a bound volume Terminating until its claim lets it go", async () => {
    const c = await TestCluster.create();
    await c.apply(volume("pv1", { persistentVolumeReclaimPolicy: "Retain" }));
    await c.apply(claim("data", { storageClassName: "" }));
    expect(volumeName(getClaim(c, "data"))).toBe("pv1");
    expect(getVolume(c, "pv1")!.metadata.finalizers).toEqual(["kubernetes.io/pv-protection"]);
    await c.delete(getVolume(c, "pv1")!);
    expect(phase(getVolume(c, "pv1"))).toBe("Terminating");
    // The claim is still bound to it.
    expect(phase(getClaim(c, "data"))).toBe("Bound");
    await c.delete(getClaim(c, "data"));
    expect(getVolume(c, "pv1")).toBeUndefined();
    // An unbound volume goes at once.
    await c.apply(volume("free"));
    await c.delete(getVolume(c, "free")!);
    expect(getVolume(c, "free")).toBeUndefined();
  });
});
