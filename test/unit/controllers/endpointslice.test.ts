// The EndpointSlice controller: slices `<service>-<5 chars>` owned by the Service, endpoints with
// conditions, node, zone and target, ports resolved per pod (one slice per distinct set), a
// placeholder for a Service without endpoints, in-place updates, 100 endpoints per slice, and no
// write when nothing changed.
import { describe, expect, it } from "vitest";
import { endpointSliceController } from "../../../worker/controllers/endpointslice";
import { garbageCollector } from "../../../worker/controllers/garbage-collector";
import type { KubeObject } from "../../../worker/resources/types";
import { TestCluster } from "../../cluster";

type Obj = Record<string, any>;
const POD = { apiVersion: "v1", kind: "Pod" };
const SVC = { apiVersion: "v1", kind: "Service" };
const NODE = { apiVersion: "v1", kind: "Node" };
const SLICE = { apiVersion: "discovery.k8s.io/v1", kind: "EndpointSlice" };
const SUFFIX = "[bcdfghjklmnpqrstvwxz2456789]{5}";

async function cluster() {
  return TestCluster.create({ controllers: [endpointSliceController, garbageCollector] });
}

function service(name: string, spec: Obj, meta: Obj = {}): KubeObject {
  return { ...SVC, metadata: { name, namespace: "default", ...meta }, spec: { selector: { app: "web" }, ports: [{ name: "http", port: 80, targetPort: 8080 }], ...spec } };
}

function podObject(name: string, opts: { node?: string; ports?: Obj[]; labels?: Record<string, string> } = {}): KubeObject {
  return {
    ...POD,
    metadata: { name, namespace: "default", labels: opts.labels ?? { app: "web" } },
    spec: { nodeName: opts.node ?? "k8s-node1", containers: [{ name: "c", image: "nginx", ports: opts.ports }] },
  };
}

async function report(c: TestCluster, name: string, ip: string, ready: boolean) {
  await c.modify(
    POD,
    "default",
    name,
    (p) => {
      const prev = ((p.status as Obj)?.conditions ?? []).find((x: Obj) => x.type === "Ready");
      const status = ready ? "True" : "False";
      const lastTransitionTime = prev && prev.status === status ? prev.lastTransitionTime : c.clock.nowRfc3339();
      p.status = { phase: "Running", podIP: ip, podIPs: [{ ip }], conditions: [{ type: "Ready", status, lastTransitionTime }] };
    },
    "status",
  );
}

const slices = (c: TestCluster, svc = "web") =>
  c.list(SLICE, "default").filter((s) => s.metadata.labels?.["kubernetes.io/service-name"] === svc) as Obj[];
const addresses = (s: Obj) => (s.endpoints ?? []).map((e: Obj) => e.addresses[0]);

describe("endpointslice controller", () => {
  it("makes a slice owned by the Service with each pod's endpoint", async () => {
    const c = await cluster();
    await c.modify(NODE, "", "k8s-node2", (n) => (n.metadata.labels = { ...n.metadata.labels, "topology.kubernetes.io/zone": "zone-b" }));
    const svc = await c.apply(service("web", {}, { labels: { tier: "front" } }));
    const a = await c.apply(podObject("a"));
    await c.apply(podObject("b", { node: "k8s-node2" }));
    await report(c, "a", "10.244.1.5", true);
    await report(c, "b", "10.244.2.6", false);
    const [slice, ...rest] = slices(c);
    expect(rest).toEqual([]);
    expect(slice.metadata.name).toMatch(new RegExp(`^web-${SUFFIX}$`));
    expect(slice.metadata.generateName).toBe("web-");
    expect(slice.metadata.labels).toEqual({ tier: "front", "kubernetes.io/service-name": "web", "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io" });
    expect(slice.metadata.ownerReferences).toEqual([{ apiVersion: "v1", kind: "Service", name: "web", uid: svc.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    expect(slice.addressType).toBe("IPv4");
    expect(slice.ports).toEqual([{ name: "http", port: 8080, protocol: "TCP" }]);
    expect(slice.endpoints).toEqual([
      {
        addresses: ["10.244.1.5"],
        conditions: { ready: true, serving: true, terminating: false },
        nodeName: "k8s-node1",
        targetRef: { kind: "Pod", namespace: "default", name: "a", uid: a.metadata.uid },
      },
      {
        addresses: ["10.244.2.6"],
        conditions: { ready: false, serving: false, terminating: false },
        nodeName: "k8s-node2",
        zone: "zone-b",
        targetRef: { kind: "Pod", namespace: "default", name: "b", uid: expect.any(String) },
      },
    ]);
    expect((await c.settle()).writes).toBe(0);
  });

  it("starts a Service without endpoints with a placeholder, then fills that same slice", async () => {
    const c = await cluster();
    const svc = await c.apply(service("web", {}));
    const [placeholder] = slices(c);
    expect(placeholder).toMatchObject({ endpoints: null, ports: null, addressType: "IPv4" });
    expect(placeholder.metadata.annotations).toEqual({ "endpoints.kubernetes.io/last-change-trigger-time": svc.metadata.creationTimestamp });
    await c.apply(podObject("a"));
    await c.advance(3);
    await report(c, "a", "10.244.1.5", true);
    const [filled, ...rest] = slices(c);
    expect(rest).toEqual([]);
    expect(filled.metadata.name).toBe(placeholder.metadata.name);
    expect(filled.ports).toEqual([{ name: "http", port: 8080, protocol: "TCP" }]);
    expect(addresses(filled)).toEqual(["10.244.1.5"]);
    expect(filled.metadata.annotations["endpoints.kubernetes.io/last-change-trigger-time"]).toBe("2026-01-01T00:00:03Z");
    // The last pod going leaves the placeholder again.
    await c.delete(c.get(POD, "default", "a")!);
    await c.modify(POD, "default", "a", (p) => (p.status = { phase: "Succeeded" }), "status");
    expect(slices(c)).toEqual([expect.objectContaining({ endpoints: null, ports: null, metadata: expect.objectContaining({ name: placeholder.metadata.name }) })]);
  });

  it("updates an endpoint in place as readiness changes, and keeps terminating pods not ready", async () => {
    const c = await cluster();
    await c.apply(service("web", {}));
    await c.apply(podObject("a"));
    await report(c, "a", "10.244.1.5", false);
    const name = slices(c)[0].metadata.name;
    expect(slices(c)[0].endpoints[0].conditions).toEqual({ ready: false, serving: false, terminating: false });
    await report(c, "a", "10.244.1.5", true);
    expect(slices(c)[0].metadata.name).toBe(name);
    expect(slices(c)[0].endpoints[0].conditions).toEqual({ ready: true, serving: true, terminating: false });
    await c.delete(c.get(POD, "default", "a")!);
    expect(slices(c)[0].endpoints[0].conditions).toEqual({ ready: false, serving: true, terminating: true });
  });

  it("publishNotReadyAddresses makes every endpoint ready; a headless Service's slices say so", async () => {
    const c = await cluster();
    await c.apply(service("web", { publishNotReadyAddresses: true, clusterIP: "None" }));
    await c.apply(podObject("a"));
    await report(c, "a", "10.244.1.5", false);
    const [slice] = slices(c);
    expect(slice.endpoints[0].conditions).toEqual({ ready: true, serving: false, terminating: false });
    expect(slice.metadata.labels["service.kubernetes.io/headless"]).toBe("");
  });

  it("gives a StatefulSet pod's endpoint its hostname when its subdomain names the headless Service", async () => {
    const c = await cluster();
    await c.apply(service("nginx", { clusterIP: "None", ports: [{ name: "web", port: 80 }] }));
    // As the StatefulSet controller makes them: hostname = pod name, subdomain = spec.serviceName.
    const member = (name: string, subdomain: string): KubeObject => {
      const p = podObject(name);
      (p.spec as Obj).hostname = name;
      (p.spec as Obj).subdomain = subdomain;
      return p;
    };
    await c.apply(member("web-0", "nginx"));
    await c.apply(member("web-1", "other"));
    await report(c, "web-0", "10.244.1.5", true);
    await report(c, "web-1", "10.244.1.6", true);
    const [slice] = slices(c, "nginx");
    const byPod = Object.fromEntries((slice.endpoints as Obj[]).map((e) => [e.targetRef.name, e]));
    expect(byPod["web-0"].hostname).toBe("web-0");
    // Another Service's subdomain: the pod is selected, but named by that Service only.
    expect(byPod["web-1"]).toBeDefined();
    expect(byPod["web-1"].hostname).toBeUndefined();
  });

  it("groups pods by the ports a named targetPort resolves to", async () => {
    const c = await cluster();
    await c.apply(service("web", { ports: [{ name: "http", port: 80, targetPort: "web" }] }));
    await c.apply(podObject("a", { ports: [{ name: "web", containerPort: 8080 }] }));
    await c.apply(podObject("b", { ports: [{ name: "web", containerPort: 9090 }] }));
    await c.apply(podObject("c", { ports: [{ name: "other", containerPort: 7070 }] }));
    await report(c, "a", "10.244.1.5", true);
    await report(c, "b", "10.244.1.6", true);
    await report(c, "c", "10.244.1.7", true);
    const byPorts = slices(c)
      .map((s) => `${JSON.stringify(s.ports)} ${addresses(s).join(",")}`)
      .sort();
    expect(byPorts).toEqual([
      '[{"name":"http","port":8080,"protocol":"TCP"}] 10.244.1.5',
      '[{"name":"http","port":9090,"protocol":"TCP"}] 10.244.1.6',
      "null 10.244.1.7",
    ]);
  });

  it("holds at most 100 endpoints per slice", async () => {
    const c = await cluster();
    await c.apply(service("web", {}));
    const now = c.clock.nowRfc3339();
    const changes = [];
    for (let i = 0; i < 150; i++) {
      const p = podObject(`p${i}`);
      p.metadata.uid = `uid-${i}`;
      p.metadata.creationTimestamp = now;
      p.status = { phase: "Running", podIP: `10.244.${1 + Math.floor(i / 100)}.${i % 100}`, conditions: [{ type: "Ready", status: "True", lastTransitionTime: now }] };
      changes.push({ type: "put" as const, resource: "/pods", object: p });
    }
    await c.store.commit(changes);
    await c.settle();
    expect(slices(c).map((s) => s.endpoints.length).sort()).toEqual([100, 50]);
    expect((await c.settle()).writes).toBe(0);
  });

  it("follows the Service's labels; the Service's deletion takes its slices", async () => {
    const c = await cluster();
    await c.apply(service("web", {}));
    await c.apply(podObject("a"));
    await report(c, "a", "10.244.1.5", true);
    await c.modify(SVC, "default", "web", (s) => (s.metadata.labels = { team: "a" }));
    expect(slices(c)[0].metadata.labels.team).toBe("a");
    await c.delete(c.get(SVC, "default", "web")!);
    expect(slices(c)).toEqual([]);
  });

  it("leaves Services without a selector (and their own slices) alone", async () => {
    const c = await cluster();
    await c.apply(service("external", { selector: undefined }));
    await c.apply({
      ...SLICE,
      metadata: { name: "external-1", namespace: "default", labels: { "kubernetes.io/service-name": "external" } },
      addressType: "IPv4",
      endpoints: [{ addresses: ["192.0.2.10"] }],
      ports: [{ port: 5432 }],
    });
    expect(slices(c, "external").map((s) => s.metadata.name)).toEqual(["external-1"]);
    expect((await c.settle()).writes).toBe(0);
  });

  it("starts with kube-dns's slice and the apiserver's `kubernetes` slice", async () => {
    const c = await TestCluster.create();
    const dns = c.list(SLICE, "kube-system") as Obj[];
    expect(dns).toHaveLength(1);
    expect(dns[0].metadata.name).toMatch(new RegExp(`^kube-dns-${SUFFIX}$`));
    expect(dns[0].endpoints).toHaveLength(2);
    expect(c.get(SLICE, "default", "kubernetes")).toMatchObject({
      metadata: { labels: { "kubernetes.io/service-name": "kubernetes" } },
      addressType: "IPv4",
      endpoints: [{ addresses: ["192.168.1.10"], conditions: { ready: true } }],
      ports: [{ name: "https", port: 6443, protocol: "TCP" }],
    });
    expect((await c.settle()).writes).toBe(0);
  });
});
