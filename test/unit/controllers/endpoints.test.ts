// The Endpoints controller: a Service's selected pods as subsets (ready / not ready, ports resolved
// per pod, terminating pods dropped), the last-change trigger time, writes only on change, and the
// Endpoints of Services without a selector left to their owners.
import { describe, expect, it } from "vitest";
import { endpointsController, truncateSubsets } from "../../../worker/controllers/endpoints";
import { endpointSliceController } from "../../../worker/controllers/endpointslice";
import { garbageCollector } from "../../../worker/controllers/garbage-collector";
import { namespaceController } from "../../../worker/controllers/namespace";
import { serviceLoadBalancerController } from "../../../worker/controllers/service-lb";
import type { KubeObject } from "../../../worker/resources/types";
import { TestCluster } from "../../cluster";

type Obj = Record<string, any>;
const POD = { apiVersion: "v1", kind: "Pod" };
const SVC = { apiVersion: "v1", kind: "Service" };
const EP = { apiVersion: "v1", kind: "Endpoints" };
const TRIGGER = "endpoints.kubernetes.io/last-change-trigger-time";

async function cluster() {
  return TestCluster.create({ controllers: [endpointsController] });
}

function service(name: string, spec: Obj, meta: Obj = {}): KubeObject {
  return { ...SVC, metadata: { name, namespace: "default", ...meta }, spec: { selector: { app: "web" }, ports: [{ port: 80, targetPort: 8080 }], ...spec } };
}

interface PodOpts {
  labels?: Record<string, string>;
  node?: string;
  ports?: { name?: string; containerPort: number; protocol?: string }[];
  spec?: Obj;
}

async function addPod(c: TestCluster, name: string, opts: PodOpts = {}): Promise<KubeObject> {
  return c.apply({
    ...POD,
    metadata: { name, namespace: "default", labels: opts.labels ?? { app: "web" } },
    spec: { nodeName: opts.node ?? "k8s-node1", containers: [{ name: "c", image: "nginx", ports: opts.ports }], ...opts.spec },
  });
}

/** What the kubelet reports: Running with an IP, Ready or not (the transition time moves only on change). */
async function report(c: TestCluster, name: string, ip: string | undefined, ready: boolean, phase = "Running") {
  await c.modify(
    POD,
    "default",
    name,
    (p) => {
      const prev = ((p.status as Obj)?.conditions ?? []).find((x: Obj) => x.type === "Ready");
      const status = ready ? "True" : "False";
      const lastTransitionTime = prev && prev.status === status ? prev.lastTransitionTime : c.clock.nowRfc3339();
      p.status = { phase, ...(ip ? { podIP: ip, podIPs: [{ ip }] } : {}), conditions: [{ type: "Ready", status, lastTransitionTime }] };
    },
    "status",
  );
}

const endpoints = (c: TestCluster, name = "web") => c.get(EP, "default", name) as Obj | undefined;
const ips = (list: Obj[] | undefined) => (list ?? []).map((a) => a.ip);

describe("endpoints controller", () => {
  it("lists ready pods under addresses and the others under notReadyAddresses, sorted by IP", async () => {
    const c = await cluster();
    const svc = await c.apply(service("web", {}, { labels: { tier: "front" } }));
    const a = await addPod(c, "a");
    await addPod(c, "b", { node: "k8s-node2" });
    await addPod(c, "c");
    await addPod(c, "other", { labels: { app: "db" } });
    await report(c, "a", "10.244.1.9", true);
    await report(c, "b", "10.244.2.4", true);
    await report(c, "c", "10.244.1.10", false);
    await report(c, "other", "10.244.1.11", true);
    const ep = endpoints(c)!;
    expect(ep.metadata.labels).toEqual({ tier: "front" });
    expect(ep.subsets).toEqual([
      {
        addresses: [
          { ip: "10.244.1.9", nodeName: "k8s-node1", targetRef: { kind: "Pod", namespace: "default", name: "a", uid: a.metadata.uid } },
          { ip: "10.244.2.4", nodeName: "k8s-node2", targetRef: { kind: "Pod", namespace: "default", name: "b", uid: expect.any(String) } },
        ],
        notReadyAddresses: [{ ip: "10.244.1.10", nodeName: "k8s-node1", targetRef: { kind: "Pod", namespace: "default", name: "c", uid: expect.any(String) } }],
        ports: [{ port: 8080, protocol: "TCP" }],
      },
    ]);
    expect(svc.metadata.creationTimestamp).toBeTruthy();
  });

  it("moves a pod to addresses when it turns ready, stamping the change's time", async () => {
    const c = await cluster();
    const svc = await c.apply(service("web", {}));
    // A Service that selects nothing yet still gets its (empty) Endpoints, stamped with its creation.
    expect(endpoints(c)!.subsets).toBeUndefined();
    expect(endpoints(c)!.metadata.annotations).toEqual({ [TRIGGER]: svc.metadata.creationTimestamp });
    await addPod(c, "a");
    await c.advance(5);
    await report(c, "a", "10.244.1.5", false);
    expect(ips(endpoints(c)!.subsets[0].notReadyAddresses)).toEqual(["10.244.1.5"]);
    expect(endpoints(c)!.metadata.annotations[TRIGGER]).toBe("2026-01-01T00:00:05Z");
    await c.advance(30);
    await report(c, "a", "10.244.1.5", true);
    expect(endpoints(c)!.subsets).toEqual([{ addresses: [expect.objectContaining({ ip: "10.244.1.5" })], ports: [{ port: 8080, protocol: "TCP" }] }]);
    expect(endpoints(c)!.metadata.annotations[TRIGGER]).toBe("2026-01-01T00:00:35Z");
    // Readiness lost again: back to notReadyAddresses.
    await c.advance(10);
    await report(c, "a", "10.244.1.5", false);
    expect(endpoints(c)!.subsets).toEqual([{ notReadyAddresses: [expect.objectContaining({ ip: "10.244.1.5" })], ports: [{ port: 8080, protocol: "TCP" }] }]);
    expect(endpoints(c)!.metadata.annotations[TRIGGER]).toBe("2026-01-01T00:00:45Z");
  });

  it("leaves out pods without an IP, finished pods and terminating pods", async () => {
    const c = await cluster();
    await c.apply(service("web", {}));
    for (const n of ["pending", "done", "leaving", "up"]) await addPod(c, n);
    await report(c, "pending", undefined, false, "Pending");
    await report(c, "done", "10.244.1.2", false, "Succeeded");
    await report(c, "leaving", "10.244.1.3", true);
    await report(c, "up", "10.244.1.4", true);
    expect(ips(endpoints(c)!.subsets[0].addresses)).toEqual(["10.244.1.3", "10.244.1.4"]);
    await c.advance(7);
    await c.delete(c.get(POD, "default", "leaving")!);
    expect(c.get(POD, "default", "leaving")!.metadata.deletionTimestamp).toBeTruthy();
    const ep = endpoints(c)!;
    expect(ips(ep.subsets[0].addresses)).toEqual(["10.244.1.4"]);
    // Only a removal: no pod changed readiness, so there is no trigger time (as upstream).
    expect(ep.metadata.annotations).toBeUndefined();
  });

  it("publishNotReadyAddresses lists every pod as ready, terminating ones too", async () => {
    const c = await cluster();
    await c.apply(service("web", { publishNotReadyAddresses: true, clusterIP: "None" }));
    await addPod(c, "a");
    await addPod(c, "b");
    await report(c, "a", "10.244.1.2", false);
    await report(c, "b", "10.244.1.3", true);
    await c.delete(c.get(POD, "default", "b")!);
    const ep = endpoints(c)!;
    expect(ips(ep.subsets[0].addresses)).toEqual(["10.244.1.2", "10.244.1.3"]);
    expect(ep.subsets[0].notReadyAddresses).toBeUndefined();
    expect(ep.metadata.labels).toEqual({ "service.kubernetes.io/headless": "" });
  });

  it("resolves a named targetPort on each pod; pods without that port are left out", async () => {
    const c = await cluster();
    await c.apply(service("web", { ports: [{ name: "http", port: 80, targetPort: "web" }, { name: "dns", port: 53, protocol: "UDP", targetPort: 5353 }] }));
    await addPod(c, "a", { ports: [{ name: "web", containerPort: 8080 }] });
    await addPod(c, "b", { ports: [{ name: "web", containerPort: 9090 }] });
    await addPod(c, "c", { ports: [{ name: "web", containerPort: 8080, protocol: "UDP" }] });
    await report(c, "a", "10.244.1.2", true);
    await report(c, "b", "10.244.1.3", true);
    await report(c, "c", "10.244.1.4", true);
    const subsets = endpoints(c)!.subsets as Obj[];
    expect(subsets.map((s) => [ips(s.addresses), s.ports])).toEqual([
      [["10.244.1.2", "10.244.1.3", "10.244.1.4"], [{ name: "dns", port: 5353, protocol: "UDP" }]],
      [["10.244.1.2"], [{ name: "http", port: 8080, protocol: "TCP" }]],
      [["10.244.1.3"], [{ name: "http", port: 9090, protocol: "TCP" }]],
    ]);
  });

  it("lists a headless Service's pods by address alone when it has no ports, with their hostnames", async () => {
    const c = await cluster();
    await c.apply(service("db", { clusterIP: "None", ports: undefined }));
    await addPod(c, "db-0", { spec: { hostname: "db-0", subdomain: "db" } });
    await report(c, "db-0", "10.244.1.7", true);
    expect(endpoints(c, "db")!.subsets).toEqual([{ addresses: [{ ip: "10.244.1.7", hostname: "db-0", nodeName: "k8s-node1", targetRef: expect.objectContaining({ name: "db-0" }) }] }]);
  });

  it("follows the Service's labels and selector", async () => {
    const c = await cluster();
    await c.apply(service("web", {}));
    await addPod(c, "a", { labels: { app: "web", track: "canary" } });
    await addPod(c, "b");
    await report(c, "a", "10.244.1.2", true);
    await report(c, "b", "10.244.1.3", true);
    await c.modify(SVC, "default", "web", (s) => {
      s.metadata.labels = { team: "a" };
      (s.spec as Obj).selector = { app: "web", track: "canary" };
    });
    const ep = endpoints(c)!;
    expect(ep.metadata.labels).toEqual({ team: "a" });
    expect(ips(ep.subsets[0].addresses)).toEqual(["10.244.1.2"]);
  });

  it("drops a pod relabelled out of the selector and takes one relabelled in", async () => {
    const c = await cluster();
    await c.apply(service("web", {}));
    await addPod(c, "a");
    await addPod(c, "b", { labels: { app: "db" } });
    await report(c, "a", "10.244.1.2", true);
    await report(c, "b", "10.244.1.3", true);
    await c.modify(POD, "default", "a", (p) => (p.metadata.labels = { app: "old" }));
    await c.modify(POD, "default", "b", (p) => (p.metadata.labels = { app: "web" }));
    expect(ips(endpoints(c)!.subsets[0].addresses)).toEqual(["10.244.1.3"]);
  });

  it("leaves Endpoints of Services without a selector, and of ExternalName Services, alone", async () => {
    const c = await cluster();
    await c.apply({ ...EP, metadata: { name: "external", namespace: "default" }, subsets: [{ addresses: [{ ip: "192.0.2.10" }], ports: [{ port: 5432 }] }] });
    await c.apply(service("external", { selector: undefined, ports: [{ port: 5432 }] }));
    await c.apply(service("alias", { type: "ExternalName", externalName: "db.example.com", ports: undefined }));
    expect(endpoints(c, "external")!.subsets).toEqual([{ addresses: [{ ip: "192.0.2.10" }], ports: [{ port: 5432, protocol: "TCP" }] }]);
    expect(endpoints(c, "alias")).toBeUndefined();
    // The apiserver's Endpoints of `kubernetes` are as the cluster came up.
    expect(c.get(EP, "default", "kubernetes")).toMatchObject({
      metadata: { labels: { "endpointslice.kubernetes.io/skip-mirror": "true" } },
      subsets: [{ addresses: [{ ip: "192.168.1.10" }], ports: [{ name: "https", port: 6443, protocol: "TCP" }] }],
    });
  });

  it("deletes the Endpoints it made when the Service goes, and keeps hand-written ones", async () => {
    const c = await cluster();
    await c.apply(service("web", {}));
    await addPod(c, "a");
    await report(c, "a", "10.244.1.2", true);
    await c.delete(c.get(SVC, "default", "web")!);
    expect(endpoints(c)).toBeUndefined();
    // Written before its Service: stays.
    await c.apply({ ...EP, metadata: { name: "later", namespace: "default" }, subsets: [{ addresses: [{ ip: "192.0.2.1" }], ports: [{ port: 80 }] }] });
    expect(endpoints(c, "later")).toBeDefined();
  });

  it("makes nothing new in a namespace being deleted", async () => {
    const c = await TestCluster.create({ controllers: [namespaceController, endpointsController, endpointSliceController, serviceLoadBalancerController, garbageCollector] });
    await c.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: "shop" } });
    // Someone's finalizer holds the Service (and so the namespace) after its Endpoints are deleted.
    await c.apply({ ...SVC, metadata: { name: "web", namespace: "shop", finalizers: ["example.com/hold"] }, spec: { selector: { app: "web" }, ports: [{ port: 80 }] } });
    expect(c.get(EP, "shop", "web")).toBeDefined();
    await c.delete(c.get({ apiVersion: "v1", kind: "Namespace" }, "", "shop")!);
    expect(c.get(SVC, "shop", "web")!.metadata.deletionTimestamp).toBeTruthy();
    expect(c.list(EP, "shop")).toEqual([]);
    expect(c.list({ apiVersion: "discovery.k8s.io/v1", kind: "EndpointSlice" }, "shop")).toEqual([]);
    expect((await c.settle()).writes).toBe(0);
  });

  it("starts with kube-dns's Endpoints, and a settled cluster writes nothing", async () => {
    const c = await TestCluster.create();
    const dns = c.get(EP, "kube-system", "kube-dns") as Obj;
    expect(dns.subsets).toHaveLength(1);
    expect(dns.subsets[0].addresses).toHaveLength(2);
    expect(dns.subsets[0].ports.map((p: Obj) => `${p.name} ${p.port} ${p.protocol}`)).toEqual(["dns-tcp 53 TCP", "dns 53 UDP", "metrics 9153 TCP"]);
    expect((await c.settle()).writes).toBe(0);

    // A pod the scheduler and kubelet run, behind a Service.
    await c.apply(service("web", {}));
    await addPod(c, "a", { spec: { nodeName: undefined } });
    await c.advance(30);
    expect(endpoints(c)!.subsets[0].addresses).toHaveLength(1);
    const rv = c.store.resourceVersion;
    expect((await c.settle()).writes).toBe(0);
    expect((await c.advance(600)).writes).toBe(0);
    expect(c.store.resourceVersion).toBe(rv);
  });

  it("keeps at most 1000 addresses, ready ones first, and says so", () => {
    const addr = (i: number) => ({ ip: `10.0.${Math.floor(i / 250)}.${i % 250}` });
    const subsets = [{ addresses: Array.from({ length: 900 }, (_, i) => addr(i)), notReadyAddresses: Array.from({ length: 300 }, (_, i) => addr(900 + i)), ports: [{ port: 80 }] }];
    expect(truncateSubsets(subsets)).toBe(true);
    expect(subsets[0].addresses).toHaveLength(900);
    expect(subsets[0].notReadyAddresses).toHaveLength(100);
    expect(truncateSubsets([{ addresses: [addr(1)], ports: [] }])).toBe(false);
  });
});
