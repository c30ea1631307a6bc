// The EndpointSlice mirroring controller: hand-written Endpoints of a Service without a selector
// become EndpointSlices (one per port set and family) that follow them, and go when the Endpoints
// or the Service go or the Service gets a selector; skip-mirror Endpoints are left alone.
import { describe, expect, it } from "vitest";
import { endpointSliceMirroringController } from "../../../worker/controllers/endpointslice-mirroring";
import type { KubeObject } from "../../../worker/resources/types";
import { TestCluster } from "../../cluster";

type Obj = Record<string, any>;
const SVC = { apiVersion: "v1", kind: "Service" };
const EP = { apiVersion: "v1", kind: "Endpoints" };
const SLICE = { apiVersion: "discovery.k8s.io/v1", kind: "EndpointSlice" };

async function cluster() {
  return TestCluster.create({ controllers: [endpointSliceMirroringController] });
}

function service(name: string, spec: Obj = {}): KubeObject {
  return { ...SVC, metadata: { name, namespace: "default" }, spec: { ports: [{ port: 3306 }], ...spec } };
}

function endpoints(name: string, subsets: Obj[], meta: Obj = {}): KubeObject {
  return { ...EP, metadata: { name, namespace: "default", ...meta }, subsets };
}

const mirrored = (c: TestCluster, name = "mydb") =>
  c.list(SLICE, "default").filter((s) => s.metadata.labels?.["kubernetes.io/service-name"] === name) as Obj[];

describe("endpointslice mirroring controller", () => {
  it("mirrors a selector-less Service's Endpoints into a slice owned by them", async () => {
    const c = await cluster();
    await c.apply(service("mydb"));
    const ep = await c.apply(
      endpoints("mydb", [{ addresses: [{ ip: "192.168.1.100" }], notReadyAddresses: [{ ip: "192.168.1.101" }], ports: [{ port: 3306 }] }], {
        labels: { team: "db" },
        annotations: { "kubectl.kubernetes.io/last-applied-configuration": "{}", note: "hand-made" },
      }),
    );
    const [slice, ...rest] = mirrored(c);
    expect(rest).toEqual([]);
    expect(slice.metadata.name).toMatch(/^mydb-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(slice.metadata.labels).toEqual({ team: "db", "kubernetes.io/service-name": "mydb", "endpointslice.kubernetes.io/managed-by": "endpointslicemirroring-controller.k8s.io" });
    expect(slice.metadata.annotations).toEqual({ note: "hand-made" });
    expect(slice.metadata.ownerReferences).toEqual([{ apiVersion: "v1", kind: "Endpoints", name: "mydb", uid: ep.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    expect(slice.addressType).toBe("IPv4");
    expect(slice.ports).toEqual([{ name: "", port: 3306, protocol: "TCP" }]);
    expect(slice.endpoints).toEqual([
      { addresses: ["192.168.1.100"], conditions: { ready: true } },
      { addresses: ["192.168.1.101"], conditions: { ready: false } },
    ]);
    expect((await c.settle()).writes).toBe(0);
  });

  it("updates the slice in place as the Endpoints change, one slice per port set", async () => {
    const c = await cluster();
    await c.apply(service("mydb"));
    await c.apply(endpoints("mydb", [{ addresses: [{ ip: "192.168.1.100" }], ports: [{ port: 3306 }] }]));
    const name = mirrored(c)[0].metadata.name;
    await c.modify(EP, "default", "mydb", (e) => {
      e.subsets = [
        { addresses: [{ ip: "192.168.1.100" }, { ip: "192.168.1.102" }], ports: [{ port: 3306 }] },
        { addresses: [{ ip: "192.168.1.103" }], ports: [{ name: "admin", port: 33062 }] },
      ];
    });
    const slices = mirrored(c);
    expect(slices.map((s) => [s.ports[0].port, s.endpoints.map((e: Obj) => e.addresses[0])]).sort()).toEqual([
      [3306, ["192.168.1.100", "192.168.1.102"]],
      [33062, ["192.168.1.103"]],
    ]);
    expect(slices.find((s) => s.ports[0].port === 3306)!.metadata.name).toBe(name);
  });

  it("removes the mirror when the Service gets a selector or goes, and skips skip-mirror Endpoints", async () => {
    const c = await cluster();
    await c.apply(service("mydb"));
    await c.apply(endpoints("mydb", [{ addresses: [{ ip: "192.168.1.100" }], ports: [{ port: 3306 }] }]));
    expect(mirrored(c)).toHaveLength(1);
    await c.modify(SVC, "default", "mydb", (s) => ((s.spec as Obj).selector = { app: "db" }));
    expect(mirrored(c)).toEqual([]);
    await c.modify(SVC, "default", "mydb", (s) => delete (s.spec as Obj).selector);
    expect(mirrored(c)).toHaveLength(1);
    await c.delete(c.get(SVC, "default", "mydb")!);
    expect(mirrored(c)).toEqual([]);

    await c.apply(service("other"));
    await c.apply(endpoints("other", [{ addresses: [{ ip: "192.168.1.9" }], ports: [{ port: 80 }] }], { labels: { "endpointslice.kubernetes.io/skip-mirror": "true" } }));
    expect(mirrored(c, "other")).toEqual([]);
    // Nor is the apiserver's `kubernetes` Endpoints mirrored: its slice is the apiserver's own.
    expect(mirrored(c, "kubernetes").map((s) => s.metadata.name)).toEqual(["kubernetes"]);
  });
});
