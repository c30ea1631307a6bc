import { CONTROLLER_MANAGER } from "../../../worker/controllers";
import { describe, expect, it } from "vitest";
import { TestCluster } from "../../cluster";
import { serviceAccountController } from "../../../worker/controllers/serviceaccount";
import { namespaceController } from "../../../worker/controllers/namespace";

const SA = { apiVersion: "v1", kind: "ServiceAccount" };
const NS = { apiVersion: "v1", kind: "Namespace" };

describe("service account controller", () => {
  it("gives every system namespace a default ServiceAccount from the start", async () => {
    const c = await TestCluster.create({ controllers: CONTROLLER_MANAGER });
    for (const ns of ["default", "kube-system", "kube-public", "kube-node-lease"]) expect(c.get(SA, ns, "default")).toBeDefined();
    expect((await c.settle()).writes).toBe(0);
  });

  it("creates default in a new namespace", async () => {
    const c = await TestCluster.create({ controllers: [serviceAccountController] });
    await c.apply({ ...NS, metadata: { name: "team-a" } });
    const sa = c.get(SA, "team-a", "default");
    expect(sa?.metadata).toMatchObject({ name: "default", namespace: "team-a" });
    expect(sa?.metadata.uid).toBeTruthy();
  });

  it("recreates default when it is deleted", async () => {
    const c = await TestCluster.create({ controllers: [serviceAccountController] });
    const before = c.get(SA, "default", "default")!;
    await c.delete(before);
    const after = c.get(SA, "default", "default");
    expect(after).toBeDefined();
    expect(after!.metadata.uid).not.toBe(before.metadata.uid);
  });

  it("leaves other ServiceAccounts alone", async () => {
    const c = await TestCluster.create({ controllers: [serviceAccountController] });
    await c.apply({ ...SA, metadata: { name: "builder", namespace: "default" } });
    await c.delete({ ...SA, metadata: { name: "builder", namespace: "default" } });
    expect(c.get(SA, "default", "builder")).toBeUndefined();
  });

  it("does not fight the deletion of a namespace", async () => {
    const c = await TestCluster.create({ controllers: [namespaceController, serviceAccountController] });
    await c.apply({ ...NS, metadata: { name: "doomed" } });
    expect(c.get(SA, "doomed", "default")).toBeDefined();
    await c.delete({ ...NS, metadata: { name: "doomed" } });
    expect(c.get(NS, "", "doomed")).toBeUndefined();
    expect(c.get(SA, "doomed", "default")).toBeUndefined();
  });
});
