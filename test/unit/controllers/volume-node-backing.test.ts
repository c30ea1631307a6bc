// Which node directory holds a PersistentVolume's files: a `local` volume's is on the node its
// nodeAffinity names, a static hostPath volume's on the node of the pod using it, and a network
// volume has none (its files are kept per volume).
import { describe, expect, it } from "vitest";
import { volumeBacking } from "../../../worker/kubelet/pv-content";
import type { KubeObject } from "../../../worker/resources/types";
import { TestCluster } from "../../cluster";

const pv = (name: string, spec: Record<string, unknown>): KubeObject => ({ apiVersion: "v1", kind: "PersistentVolume", metadata: { name }, spec: { capacity: { storage: "1Gi" }, accessModes: ["ReadWriteOnce"], ...spec } });

describe("volumeBacking", () => {
  it("places local, hostPath and network volumes", async () => {
    const c = await TestCluster.create({ controllers: [] });
    const affinity = { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: "kubernetes.io/hostname", operator: "In", values: ["k8s-node2"] }] }] } };
    await c.apply(pv("local", { local: { path: "/mnt/disks/ssd1/" }, nodeAffinity: affinity }));
    await c.apply(pv("host", { hostPath: { path: "/mnt/data" } }));
    await c.apply(pv("net", { nfs: { server: "nfs.example.com", path: "/exports" } }));
    // A local volume is on its node whichever node asks.
    expect(volumeBacking(c.store, "local", "k8s-node1")).toEqual({ node: "k8s-node2", path: "/mnt/disks/ssd1" });
    // A hostPath volume is the directory of the node the pod runs on; nobody's without one.
    expect(volumeBacking(c.store, "host", "k8s-node1")).toEqual({ node: "k8s-node1", path: "/mnt/data" });
    expect(volumeBacking(c.store, "host", "k8s-node2")).toEqual({ node: "k8s-node2", path: "/mnt/data" });
    expect(volumeBacking(c.store, "host")).toBeUndefined();
    expect(volumeBacking(c.store, "net", "k8s-node1")).toBeUndefined();
  });
});
