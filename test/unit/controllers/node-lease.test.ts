import { describe, expect, it } from "vitest";
import { START, TestCluster } from "../../cluster";
import { nodeLeaseController } from "../../../worker/controllers/node-lease";

const LEASE = { apiVersion: "coordination.k8s.io/v1", kind: "Lease" };
const NODE = { apiVersion: "v1", kind: "Node" };

describe("node leases", () => {
  it("every node holds a 40 s lease from the start, owned by its Node", async () => {
    const c = await TestCluster.create();
    for (const name of ["k8s-master", "k8s-node1", "k8s-node2"]) {
      const node = c.get(NODE, "", name)!;
      const lease = c.get(LEASE, "kube-node-lease", name)!;
      expect(lease.spec).toEqual({ holderIdentity: name, leaseDurationSeconds: 40, renewTime: "2026-01-01T00:00:00.000000Z" });
      expect(lease.metadata.ownerReferences).toEqual([{ apiVersion: "v1", kind: "Node", name, uid: node.metadata.uid }]);
    }
  });

  it("does not renew on a timer: a settled sandbox writes nothing in a virtual hour", async () => {
    const c = await TestCluster.create();
    await c.settle();
    const rv = c.store.resourceVersion;
    const stats = await c.advance(3600);
    expect(stats.writes).toBe(0);
    expect(c.store.resourceVersion).toBe(rv);
    expect(c.engine.nextWakeup()).toBeUndefined();
  });

  it("takes a deleted lease back, renewed now", async () => {
    const c = await TestCluster.create({ controllers: [nodeLeaseController] });
    await c.advance(120);
    await c.delete({ ...LEASE, metadata: { namespace: "kube-node-lease", name: "k8s-node1" } });
    const lease = c.get(LEASE, "kube-node-lease", "k8s-node1")!;
    expect(lease.spec).toMatchObject({ holderIdentity: "k8s-node1", renewTime: new Date(START + 120_000).toISOString().replace("Z", "000Z") });
  });

  it("reclaims a lease handed to someone else", async () => {
    const c = await TestCluster.create({ controllers: [nodeLeaseController] });
    await c.modify(LEASE, "kube-node-lease", "k8s-node2", (l) => (l.spec = { holderIdentity: "intruder", leaseDurationSeconds: 3600 }));
    expect(c.get(LEASE, "kube-node-lease", "k8s-node2")!.spec).toMatchObject({ holderIdentity: "k8s-node2", leaseDurationSeconds: 40 });
  });

  it("gives a new node a lease", async () => {
    const c = await TestCluster.create({ controllers: [nodeLeaseController] });
    const node = await c.apply({ ...NODE, metadata: { name: "k8s-node3" } });
    const lease = c.get(LEASE, "kube-node-lease", "k8s-node3")!;
    expect(lease.metadata.ownerReferences?.[0]).toMatchObject({ kind: "Node", uid: node.metadata.uid });
  });
});
