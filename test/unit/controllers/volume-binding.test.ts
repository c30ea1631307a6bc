// The PV controller's static binding: which volume a claim gets, one claim per volume,
// reservations both ways, the default class, phases and annotations, and reclaiming a released
// volume under each policy.
import { describe, expect, it } from "vitest";
import { VOLUME_CONTENT } from "../../../worker/kubelet/pv-content";
import { TestCluster } from "../../cluster";
import { claim, eventsOf, getClaim, getVolume, phase, PVC, SC, storageClass, volume, volumeName, type Obj, expectSettled } from "./volume-helpers";

/** A cluster with static volumes and no default class, as on a bare kubeadm cluster. */
async function bare(): Promise<TestCluster> {
  const c = await TestCluster.create();
  await c.delete({ ...SC, metadata: { name: "standard" } });
  return c;
}

describe("static binding", () => {
  it("binds a claim to the smallest Available volume that fits, both ways, and marks both Bound", async () => {
    const c = await bare();
    await c.apply(volume("big", { capacity: { storage: "10Gi" } }));
    await c.apply(volume("small", { capacity: { storage: "512Mi" } }));
    await c.apply(volume("fits", { capacity: { storage: "2Gi" } }));
    expect(phase(getVolume(c, "fits"))).toBe("Available");
    await c.apply(claim("data", { storageClassName: "" }));
    const pvc = getClaim(c, "data");
    expect(phase(pvc)).toBe("Bound");
    expect(volumeName(pvc)).toBe("fits");
    expect(pvc.metadata.annotations).toEqual({ "pv.kubernetes.io/bind-completed": "yes", "pv.kubernetes.io/bound-by-controller": "yes" });
    expect(pvc.status).toEqual({ phase: "Bound", accessModes: ["ReadWriteOnce"], capacity: { storage: "2Gi" } });
    const pv = getVolume(c, "fits")!;
    expect(phase(pv)).toBe("Bound");
    expect(pv.metadata.annotations).toEqual({ "pv.kubernetes.io/bound-by-controller": "yes" });
    expect((pv.spec as Obj).claimRef).toMatchObject({ kind: "PersistentVolumeClaim", namespace: "default", name: "data", uid: pvc.metadata.uid, apiVersion: "v1" });
    expect((pv.status as Obj).lastPhaseTransitionTime).toBeDefined();
    expect(phase(getVolume(c, "big"))).toBe("Available");
    // Settled: nothing more to write, nothing to wake for.
    await expectSettled(c);
  });

  it("prefers a volume offering exactly the asked access modes, and matches class, mode and selector", async () => {
    const c = await bare();
    await c.apply(volume("rwo-rwx", { accessModes: ["ReadWriteOnce", "ReadWriteMany"] }));
    await c.apply(volume("rwo-big", { capacity: { storage: "5Gi" } }));
    await c.apply(volume("fast", { storageClassName: "fast" }));
    await c.apply(volume("block", { volumeMode: "Block" }));
    await c.apply(volume("labelled", { capacity: { storage: "8Gi" } }, { tier: "gold" }));
    await c.apply(claim("a", { storageClassName: "" }));
    expect(volumeName(getClaim(c, "a"))).toBe("rwo-big");
    await c.apply(claim("b", { storageClassName: "fast" }));
    expect(volumeName(getClaim(c, "b"))).toBe("fast");
    await c.apply(claim("c", { storageClassName: "", volumeMode: "Block" }));
    expect(volumeName(getClaim(c, "c"))).toBe("block");
    await c.apply(claim("d", { storageClassName: "", selector: { matchLabels: { tier: "gold" } } }));
    expect(volumeName(getClaim(c, "d"))).toBe("labelled");
    await c.apply(claim("e", { storageClassName: "", accessModes: ["ReadWriteMany"] }));
    expect(volumeName(getClaim(c, "e"))).toBe("rwo-rwx");
  });

  it("gives a volume to one claim only; the other stays Pending with upstream's event", async () => {
    const c = await bare();
    await c.apply(volume("only"));
    await c.apply(claim("first", { storageClassName: "" }));
    await c.apply(claim("second", { storageClassName: "" }));
    expect(phase(getClaim(c, "first"))).toBe("Bound");
    const second = getClaim(c, "second");
    expect(phase(second)).toBe("Pending");
    expect(eventsOf(c, second, true)).toEqual(["FailedBinding: no persistent volumes available for this claim and no storage class is set [persistentvolume-controller]"]);
    // Reported once, not on every pass.
    await c.advance(60);
    expect(eventsOf(c, getClaim(c, "second"))).toHaveLength(1);
    // A new volume is picked up.
    await c.apply(volume("another"));
    expect(volumeName(getClaim(c, "second"))).toBe("another");
  });

  it("honours reservations: a claimRef on the volume, volumeName on the claim", async () => {
    const c = await bare();
    await c.apply(volume("reserved", { capacity: { storage: "1Gi" }, claimRef: { namespace: "default", name: "owner" } }));
    expect(phase(getVolume(c, "reserved"))).toBe("Available");
    await c.apply(claim("intruder", { storageClassName: "" }));
    expect(phase(getClaim(c, "intruder"))).toBe("Pending");
    await c.apply(claim("owner", { storageClassName: "" }));
    expect(volumeName(getClaim(c, "owner"))).toBe("reserved");
    // Pre-bound by the user: the controller does not claim the binding as its own.
    expect(getVolume(c, "reserved")!.metadata.annotations).toBeUndefined();
    // The claim still waiting would take the next volume: it goes first.
    await c.delete(getClaim(c, "intruder"));

    await c.apply(volume("named", { capacity: { storage: "3Gi" } }));
    await c.apply(claim("picky", { storageClassName: "", volumeName: "named" }));
    const picky = getClaim(c, "picky");
    expect(phase(picky)).toBe("Bound");
    expect(picky.metadata.annotations).toEqual({ "pv.kubernetes.io/bind-completed": "yes" });
    expect(getVolume(c, "named")!.metadata.annotations).toEqual({ "pv.kubernetes.io/bound-by-controller": "yes" });

    await c.apply(volume("tiny", { capacity: { storage: "100Mi" } }));
    await c.apply(claim("too-big", { storageClassName: "", volumeName: "tiny" }));
    expect(phase(getClaim(c, "too-big"))).toBe("Pending");
    expect(eventsOf(c, getClaim(c, "too-big"))).toEqual(['VolumeMismatch: Cannot bind to requested volume "tiny": requested PV is too small']);
  });

  it("a claim without storageClassName gets the default class; \"\" means no class", async () => {
    const c = await TestCluster.create();
    await c.apply(claim("defaulted"));
    expect((getClaim(c, "defaulted").spec as Obj).storageClassName).toBe("standard");
    await c.apply(claim("classless", { storageClassName: "" }));
    expect((getClaim(c, "classless").spec as Obj).storageClassName).toBe("");
    // The newest of several default classes wins.
    await c.advance(1);
    await c.apply(storageClass("newer", "example.com/none", { metadata: { name: "newer", annotations: { "storageclass.kubernetes.io/is-default-class": "true" } } }));
    await c.apply(claim("newest"));
    expect((getClaim(c, "newest").spec as Obj).storageClassName).toBe("newer");
  });

  it("gives an unbound claim without class the default class once one exists (retroactively)", async () => {
    const c = await bare();
    await c.apply(claim("early"));
    expect((getClaim(c, "early").spec as Obj).storageClassName).toBeUndefined();
    expect(eventsOf(c, getClaim(c, "early"))).toEqual(["FailedBinding: no persistent volumes available for this claim and no storage class is set"]);
    await c.apply(storageClass("late", "example.com/none", { metadata: { name: "late", annotations: { "storageclass.kubernetes.io/is-default-class": "true" } } }));
    expect((getClaim(c, "early").spec as Obj).storageClassName).toBe("late");
  });

  it("Retain: a released volume keeps its claim reference and its files", async () => {
    const c = await bare();
    await c.apply(volume("keep", { persistentVolumeReclaimPolicy: "Retain" }));
    await c.apply(claim("data", { storageClassName: "" }));
    await c.store.commit([{ type: "put", resource: VOLUME_CONTENT, object: { apiVersion: "kubeplay.internal/v1", kind: "VolumeContent", metadata: { name: "keep" }, files: { "a.txt": "kept\n" } } as never }]);
    await c.delete(getClaim(c, "data"));
    expect(c.get(PVC, "default", "data")).toBeUndefined();
    const pv = getVolume(c, "keep")!;
    expect(phase(pv)).toBe("Released");
    expect((pv.spec as Obj).claimRef).toMatchObject({ namespace: "default", name: "data" });
    expect((c.store.get(VOLUME_CONTENT, "", "keep") as unknown as { files: Obj }).files).toEqual({ "a.txt": "kept\n" });
    // A released volume is not handed to a new claim.
    await c.apply(claim("data2", { storageClassName: "" }));
    expect(phase(getClaim(c, "data2"))).toBe("Pending");
    expect((await c.settle()).writes).toBe(0);
  });

  it("Delete on a static volume: hostPath outside /tmp cannot be deleted, /tmp can", async () => {
    const c = await bare();
    await c.apply(volume("mnt", { persistentVolumeReclaimPolicy: "Delete" }));
    await c.apply(claim("a", { storageClassName: "" }));
    await c.delete(getClaim(c, "a"));
    const pv = getVolume(c, "mnt")!;
    expect(phase(pv)).toBe("Failed");
    expect(eventsOf(c, pv)).toEqual(["VolumeFailedDelete: host_path deleter only supports /tmp/.+ but received provided /mnt/mnt"]);
    expect((pv.status as Obj).message).toBe("host_path deleter only supports /tmp/.+ but received provided /mnt/mnt");

    await c.apply(volume("tmp", { persistentVolumeReclaimPolicy: "Delete", hostPath: { path: "/tmp/data" } }));
    await c.apply(claim("b", { storageClassName: "" }));
    expect(volumeName(getClaim(c, "b"))).toBe("tmp");
    await c.delete(getClaim(c, "b"));
    expect(getVolume(c, "tmp")).toBeUndefined();

    await c.apply(volume("nfs", { persistentVolumeReclaimPolicy: "Delete", hostPath: undefined, nfs: { server: "10.0.0.5", path: "/exports" } }));
    await c.apply(claim("c", { storageClassName: "" }));
    await c.delete(getClaim(c, "c"));
    expect(eventsOf(c, getVolume(c, "nfs")!)).toEqual(['VolumeFailedDelete: error getting deleter volume plugin for volume "nfs": no deletable volume plugin matched']);
  });

  it("Recycle: the volume is scrubbed and Available again", async () => {
    const c = await bare();
    await c.apply(volume("again", { persistentVolumeReclaimPolicy: "Recycle" }));
    await c.apply(claim("a", { storageClassName: "" }));
    await c.store.commit([{ type: "put", resource: VOLUME_CONTENT, object: { apiVersion: "kubeplay.internal/v1", kind: "VolumeContent", metadata: { name: "again" }, files: { "old.txt": "x" } } as never }]);
    await c.delete(getClaim(c, "a"));
    const pv = getVolume(c, "again")!;
    expect(phase(pv)).toBe("Available");
    expect((pv.spec as Obj).claimRef).toBeUndefined();
    expect(eventsOf(c, pv)).toEqual(["VolumeRecycled: Volume recycled"]);
    expect((c.store.get(VOLUME_CONTENT, "", "again") as unknown as { files: Obj }).files).toEqual({});
    await c.apply(claim("b", { storageClassName: "" }));
    expect(volumeName(getClaim(c, "b"))).toBe("again");
  });

  it("a claim whose volume disappears is Lost", async () => {
    const c = await bare();
    await c.apply(volume("gone"));
    await c.apply(claim("a", { storageClassName: "" }));
    // Force the volume away past its protection finalizer.
    const pv = getVolume(c, "gone")!;
    await c.store.commit([{ type: "delete", resource: "/persistentvolumes", object: pv }]);
    await c.settle();
    const pvc = getClaim(c, "a");
    expect(phase(pvc)).toBe("Lost");
    expect(eventsOf(c, pvc)).toEqual(["ClaimLost: Bound claim has lost its PersistentVolume. Data on the volume is lost!"]);
  });
});
