// LoadBalancer Services: an address from 172.18.255.200-250 in status.loadBalancer.ingress, the
// cleanup finalizer and the service controller's events, addresses freed on deletion or a type
// change, a requested loadBalancerIP, and classes left to other implementations.
import { describe, expect, it } from "vitest";
import { LB_CLEANUP_FINALIZER, serviceLoadBalancerController } from "../../../worker/controllers/service-lb";
import type { KubeObject } from "../../../worker/resources/types";
import { TestCluster } from "../../cluster";

type Obj = Record<string, any>;
const SVC = { apiVersion: "v1", kind: "Service" };

function lb(name: string, spec: Obj = {}): KubeObject {
  return { ...SVC, metadata: { name, namespace: "default" }, spec: { type: "LoadBalancer", selector: { app: name }, ports: [{ port: 80 }], ...spec } };
}

async function cluster() {
  return TestCluster.create({ controllers: [serviceLoadBalancerController] });
}

const get = (c: TestCluster, name: string) => c.get(SVC, "default", name) as Obj | undefined;
const ingress = (c: TestCluster, name: string) => get(c, name)?.status?.loadBalancer?.ingress;

describe("service load balancer controller", () => {
  it("gives each LoadBalancer Service the lowest free address of the pool", async () => {
    const c = await cluster();
    await c.apply(lb("a"));
    await c.apply(lb("b"));
    // The first address is the ingress controller's, held since the sandbox was made.
    expect(c.get(SVC, "ingress-nginx", "ingress-nginx-controller")?.status).toEqual({ loadBalancer: { ingress: [{ ip: "172.18.255.200", ipMode: "VIP" }] } });
    expect(ingress(c, "a")).toEqual([{ ip: "172.18.255.201", ipMode: "VIP" }]);
    expect(ingress(c, "b")).toEqual([{ ip: "172.18.255.202", ipMode: "VIP" }]);
    expect(get(c, "a")!.metadata.finalizers).toEqual([LB_CLEANUP_FINALIZER]);
    expect(c.events(get(c, "a") as KubeObject).sort()).toEqual(["EnsuredLoadBalancer: Ensured load balancer", "EnsuringLoadBalancer: Ensuring load balancer"]);
    expect((await c.settle()).writes).toBe(0);
  });

  it("frees the address when the Service is deleted or stops being a LoadBalancer", async () => {
    const c = await cluster();
    await c.apply(lb("a"));
    await c.apply(lb("b"));
    const a = get(c, "a") as KubeObject;
    await c.delete(a);
    expect(get(c, "a")).toBeUndefined();
    expect(c.events(a)).toEqual(expect.arrayContaining(["DeletingLoadBalancer: Deleting load balancer", "DeletedLoadBalancer: Deleted load balancer"]));
    await c.apply(lb("c"));
    expect(ingress(c, "c")).toEqual([{ ip: "172.18.255.201", ipMode: "VIP" }]);

    await c.modify(SVC, "default", "b", (s) => ((s.spec as Obj).type = "ClusterIP"));
    expect(get(c, "b")!.status).toEqual({ loadBalancer: {} });
    expect(get(c, "b")!.metadata.finalizers).toBeUndefined();
    await c.apply(lb("d"));
    expect(ingress(c, "d")).toEqual([{ ip: "172.18.255.202", ipMode: "VIP" }]);
  });

  it("honours spec.loadBalancerIP, and reports one already taken once", async () => {
    const c = await cluster();
    await c.apply(lb("a", { loadBalancerIP: "172.18.255.220" }));
    expect(ingress(c, "a")).toEqual([{ ip: "172.18.255.220", ipMode: "VIP" }]);
    await c.apply(lb("b", { loadBalancerIP: "172.18.255.220" }));
    expect(ingress(c, "b")).toBeUndefined();
    expect(c.events(get(c, "b") as KubeObject)).toContain(
      "SyncLoadBalancerFailed: Error syncing load balancer: failed to ensure load balancer: requested IP 172.18.255.220 is already assigned to default/a",
    );
    expect((await c.settle()).writes).toBe(0);
    // Once the address is free, the waiting Service gets it.
    await c.delete(get(c, "a") as KubeObject);
    expect(ingress(c, "b")).toEqual([{ ip: "172.18.255.220", ipMode: "VIP" }]);
  });

  it("waits for an address when the pool is used up", async () => {
    const c = await cluster();
    // 50 addresses are left once the ingress controller holds the first.
    for (let i = 1; i <= 50; i++) await c.apply(lb(`s${i}`));
    expect(ingress(c, "s50")).toEqual([{ ip: "172.18.255.250", ipMode: "VIP" }]);
    await c.apply(lb("late"));
    expect(ingress(c, "late")).toBeUndefined();
    expect(c.events(get(c, "late") as KubeObject)).toContain(
      "SyncLoadBalancerFailed: Error syncing load balancer: failed to ensure load balancer: no available IPs in pool 172.18.255.200-172.18.255.250",
    );
    await c.delete(get(c, "s7") as KubeObject);
    expect(ingress(c, "late")).toEqual([{ ip: "172.18.255.207", ipMode: "VIP" }]);
  });

  it("leaves a Service with a loadBalancerClass, and other types, to others", async () => {
    const c = await cluster();
    await c.apply(lb("classy", { loadBalancerClass: "example.com/lb" }));
    await c.apply({ ...SVC, metadata: { name: "plain", namespace: "default" }, spec: { selector: { app: "x" }, ports: [{ port: 80 }] } });
    expect(get(c, "classy")!.status).toEqual({ loadBalancer: {} });
    expect(get(c, "classy")!.metadata.finalizers).toBeUndefined();
    expect(get(c, "plain")!.status).toEqual({ loadBalancer: {} });
  });
});
