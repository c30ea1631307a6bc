// Growing a bound claim: admission and validation decide which requests are accepted; the expand
// controller, the resizer and the kubelet then grow the volume and the claim.
import { describe, expect, it } from "vitest";
import { KubeError } from "../../../worker/api/status";
import type { KubeObject } from "../../../worker/resources/types";
import { TestCluster } from "../../cluster";
import { runNodeShell } from "../../../worker/sandbox/node-shell";
import { claim, claimPod, csiNfsController, eventsOf, expectSettled, getClaim, getVolume, POD, PVC, storageClass, volumeName, type Obj } from "./volume-helpers";

async function resize(c: TestCluster, name: string, storage: string): Promise<string | undefined> {
  try {
    await c.modify(PVC, "default", name, (o) => void (((o.spec as Obj).resources as Obj).requests = { storage }));
    return undefined;
  } catch (e) {
    if (e instanceof KubeError) return e.message;
    throw e;
  }
}

const capacity = (pvc: KubeObject) => ((pvc.status as Obj).capacity as Obj | undefined)?.storage;
const conditions = (pvc: KubeObject) => (((pvc.status as Obj).conditions as Obj[] | undefined) ?? []).map((x) => `${x.type}=${x.status}${x.message ? `: ${x.message}` : ""}`);

async function boundExpandable(withPod: boolean): Promise<TestCluster> {
  const c = await TestCluster.create();
  await c.apply(storageClass("expandable", "rancher.io/local-path", { volumeBindingMode: "Immediate", allowVolumeExpansion: true }));
  // local-path needs a node: let a pod choose it, as WaitForFirstConsumer would.
  await c.apply(claim("data", { storageClassName: "expandable" }, { annotations: { "volume.kubernetes.io/selected-node": "k8s-node1" } }));
  if (withPod) await c.apply(claimPod("user", "data", { nodeName: "k8s-node1" }));
  await c.advance(10);
  return c;
}

describe("volume expansion", () => {
  it("grows the volume, then the file system on the node where a pod uses it", async () => {
    const c = await boundExpandable(true);
    expect(capacity(getClaim(c, "data"))).toBe("1Gi");
    const before = eventsOf(c, getClaim(c, "data")).length;
    expect(await resize(c, "data", "2Gi")).toBeUndefined();
    let pvc = getClaim(c, "data");
    expect(capacity(pvc)).toBe("1Gi");
    expect((pvc.status as Obj).allocatedResources).toEqual({ storage: "2Gi" });
    expect((pvc.status as Obj).allocatedResourceStatuses).toEqual({ storage: "ControllerResizeInProgress" });
    expect(conditions(pvc)).toEqual(["Resizing=True"]);
    await c.advance(1);
    pvc = getClaim(c, "data");
    const pvName = volumeName(pvc);
    expect(((getVolume(c, pvName)!.spec as Obj).capacity as Obj).storage).toBe("2Gi");
    expect(capacity(pvc)).toBe("2Gi");
    expect(conditions(pvc)).toEqual([]);
    expect((pvc.status as Obj).allocatedResourceStatuses).toBeUndefined();
    expect(eventsOf(c, pvc, true).slice(before)).toEqual([
      "ExternalExpanding: waiting for an external controller to expand this PVC [volume_expand]",
      `Resizing: External resizer is resizing volume ${pvName} [external-resizer rancher.io/local-path]`,
      "FileSystemResizeRequired: Require file system resize of volume on node [external-resizer rancher.io/local-path]",
      `FileSystemResizeSuccessful: MountVolume.NodeExpandVolume succeeded for volume "${pvName}" k8s-node1 [kubelet]`,
    ]);
    expect(eventsOf(c, c.get(POD, "default", "user")!).slice(-1)).toEqual([`FileSystemResizeSuccessful: MountVolume.NodeExpandVolume succeeded for volume "${pvName}" k8s-node1`]);
    await expectSettled(c);
    // A second expansion is reported again (the recorder counts it on the same event).
    await resize(c, "data", "3Gi");
    await c.advance(1);
    expect(capacity(getClaim(c, "data"))).toBe("3Gi");
    expect(c.store.list("/events", "default").find((e) => e.reason === "ExternalExpanding")?.count).toBe(2);
  });

  it("waits with FileSystemResizePending until a pod mounts the claim", async () => {
    const c = await boundExpandable(false);
    await resize(c, "data", "5Gi");
    await c.advance(5);
    let pvc = getClaim(c, "data");
    expect(((getVolume(c, volumeName(pvc))!.spec as Obj).capacity as Obj).storage).toBe("5Gi");
    expect(capacity(pvc)).toBe("1Gi");
    expect(conditions(pvc)).toEqual(["FileSystemResizePending=True: Waiting for user to (re-)start a pod to finish file system resize of volume on node."]);
    expect((pvc.status as Obj).allocatedResourceStatuses).toEqual({ storage: "NodeResizePending" });
    await expectSettled(c);
    await c.apply(claimPod("late", "data", { nodeName: "k8s-node1" }));
    await c.advance(5);
    pvc = getClaim(c, "data");
    expect(capacity(pvc)).toBe("5Gi");
    expect(conditions(pvc)).toEqual([]);
  });

  it("refuses shrinking below the capacity, and growing where the class does not allow it", async () => {
    const c = await boundExpandable(false);
    expect(await resize(c, "data", "500Mi")).toBe('PersistentVolumeClaim "data" is invalid: spec.resources.requests.storage: Forbidden: field can not be less than status.capacity');
    expect(await resize(c, "data", "1Gi")).toBeUndefined();

    await c.apply(claim("fixed"));
    await c.apply(claimPod("u", "fixed"));
    await c.advance(10);
    expect(await resize(c, "fixed", "2Gi")).toBe(
      'persistentvolumeclaims "fixed" is forbidden: only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize',
    );
    await c.apply(claim("unbound", { storageClassName: "" }));
    expect(await resize(c, "unbound", "2Gi")).toBe('PersistentVolumeClaim "unbound" is invalid: spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims');
  });

  it("a volume whose provisioner runs no resizer waits for an external controller", async () => {
    const c = await TestCluster.create();
    await c.apply(storageClass("manual", "example.com/none", { allowVolumeExpansion: true }));
    await c.apply({ apiVersion: "v1", kind: "PersistentVolume", metadata: { name: "static" }, spec: { capacity: { storage: "1Gi" }, accessModes: ["ReadWriteOnce"], storageClassName: "manual", nfs: { server: "10.0.0.9", path: "/x" } } });
    await c.apply(claim("data", { storageClassName: "manual" }));
    expect(capacity(getClaim(c, "data"))).toBe("1Gi");
    expect(await resize(c, "data", "2Gi")).toBeUndefined();
    await c.advance(10);
    const pvc = getClaim(c, "data");
    expect(capacity(pvc)).toBe("1Gi");
    expect(eventsOf(c, pvc)).toEqual(["ExternalExpanding: waiting for an external controller to expand this PVC"]);
    await expectSettled(c);
  });

  it("csi-driver-nfs with a csi-resizer: the resizer finishes it, nothing to do on the node", async () => {
    const c = await TestCluster.create();
    await runNodeShell({ store: c.store, rng: c.rng, clock: c.clock }, { node: "k8s-node1", command: "mkdir /share" });
    const resizer = { name: "csi-resizer", image: "registry.k8s.io/sig-storage/csi-resizer:v1.11.1", args: ["--csi-address=$(ADDRESS)"], env: [{ name: "ADDRESS", value: "/csi/csi.sock" }] };
    await c.apply(csiNfsController([resizer]));
    await c.apply(storageClass("nfs", "nfs.csi.k8s.io", { parameters: { server: "k8s-node1", share: "/share" }, allowVolumeExpansion: true }));
    await c.advance(10);
    await c.apply(claim("shared", { accessModes: ["ReadWriteMany"], storageClassName: "nfs" }));
    await c.advance(2);
    expect(capacity(getClaim(c, "shared"))).toBe("1Gi");
    await resize(c, "shared", "10Gi");
    await c.advance(1);
    const pvc = getClaim(c, "shared");
    expect(capacity(pvc)).toBe("10Gi");
    expect(conditions(pvc)).toEqual([]);
    expect(eventsOf(c, pvc, true).slice(-3)).toEqual([
      "ExternalExpanding: waiting for an external controller to expand this PVC [volume_expand]",
      `Resizing: External resizer is resizing volume ${volumeName(pvc)} [external-resizer nfs.csi.k8s.io]`,
      "VolumeResizeSuccessful: Resize volume succeeded [external-resizer nfs.csi.k8s.io]",
    ]);
  });
});
