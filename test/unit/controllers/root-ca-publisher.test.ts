import { describe, expect, it } from "vitest";
import { TestCluster } from "../../cluster";
import { namespaceController } from "../../../worker/controllers/namespace";
import { rootCaPublisher } from "../../../worker/controllers/root-ca-publisher";
import { ROOT_CA_DESCRIPTION, SANDBOX_CA } from "../../../worker/sandbox/bootstrap/pki";

const CM = { apiVersion: "v1", kind: "ConfigMap" };
const NS = { apiVersion: "v1", kind: "Namespace" };
const NAME = "kube-root-ca.crt";

describe("root CA publisher", () => {
  it("publishes the CA bundle in a new namespace", async () => {
    const c = await TestCluster.create({ controllers: [rootCaPublisher] });
    await c.apply({ ...NS, metadata: { name: "team-a" } });
    const cm = c.get(CM, "team-a", NAME)!;
    expect(cm.data).toEqual({ "ca.crt": SANDBOX_CA });
    expect(cm.metadata.annotations).toEqual({ "kubernetes.io/description": ROOT_CA_DESCRIPTION });
  });

  it("restores the ConfigMap when it is deleted", async () => {
    const c = await TestCluster.create({ controllers: [rootCaPublisher] });
    await c.delete({ ...CM, metadata: { namespace: "default", name: NAME } });
    expect(c.get(CM, "default", NAME)?.data).toEqual({ "ca.crt": SANDBOX_CA });
  });

  it("restores changed data and a removed description, keeping what else was added", async () => {
    const c = await TestCluster.create({ controllers: [rootCaPublisher] });
    await c.modify(CM, "default", NAME, (cm) => {
      cm.data = { "ca.crt": "tampered", extra: "x" };
      cm.metadata.annotations = { mine: "yes" };
      cm.metadata.labels = { team: "a" };
    });
    const cm = c.get(CM, "default", NAME)!;
    expect(cm.data).toEqual({ "ca.crt": SANDBOX_CA });
    expect(cm.metadata.annotations).toEqual({ mine: "yes", "kubernetes.io/description": ROOT_CA_DESCRIPTION });
    expect(cm.metadata.labels).toEqual({ team: "a" });
  });

  it("writes nothing while the ConfigMap is as published", async () => {
    const c = await TestCluster.create({ controllers: [rootCaPublisher] });
    expect((await c.settle()).writes).toBe(0);
    await c.modify(CM, "kube-system", NAME, (cm) => (cm.metadata.labels = { extra: "label" }));
    expect(c.get(CM, "kube-system", NAME)?.metadata.labels).toEqual({ extra: "label" });
  });

  it("lets a namespace being deleted empty out", async () => {
    const c = await TestCluster.create({ controllers: [namespaceController, rootCaPublisher] });
    await c.apply({ ...NS, metadata: { name: "doomed" } });
    await c.delete({ ...NS, metadata: { name: "doomed" } });
    expect(c.get(NS, "", "doomed")).toBeUndefined();
    expect(c.get(CM, "doomed", NAME)).toBeUndefined();
  });
});
