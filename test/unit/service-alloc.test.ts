// Cluster IP and node port allocation for Services, with the apiserver's words when a requested
// value is taken or out of range.
import { describe, expect, it } from "vitest";
import { KubeError } from "../../worker/api/status";
import type { KubeObject } from "../../worker/resources/types";
import { TestCluster } from "../cluster";

type Obj = Record<string, any>;

function svc(name: string, spec: Obj): KubeObject {
  return { apiVersion: "v1", kind: "Service", metadata: { name, namespace: "default" }, spec: { selector: { app: name }, ...spec } };
}

async function cluster() {
  return TestCluster.create({ controllers: [] });
}

async function refusal(c: TestCluster, obj: KubeObject): Promise<string> {
  try {
    await c.apply(obj);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error("the Service was accepted");
}

const spec = (o: KubeObject) => o.spec as Obj;

describe("cluster IPs", () => {
  it("allocates an address in 10.96.0.0/12, and honours a requested free one", async () => {
    const c = await cluster();
    const a = await c.apply(svc("a", { ports: [{ port: 80 }] }));
    expect(spec(a).clusterIP).toMatch(/^10\.(9[6-9]|10[0-9]|11[01])\.\d+\.\d+$/);
    expect(spec(a).clusterIPs).toEqual([spec(a).clusterIP]);
    const b = await c.apply(svc("b", { clusterIP: "10.96.100.100", ports: [{ port: 80 }] }));
    expect(spec(b).clusterIPs).toEqual(["10.96.100.100"]);
  });

  it("refuses a requested address that is taken or outside the range", async () => {
    const c = await cluster();
    await c.apply(svc("a", { clusterIP: "10.96.100.100", ports: [{ port: 80 }] }));
    expect(await refusal(c, svc("b", { clusterIP: "10.96.100.100", ports: [{ port: 80 }] }))).toBe(
      'Service "b" is invalid: spec.clusterIPs: Invalid value: []string{"10.96.100.100"}: failed to allocate IP 10.96.100.100: provided IP is already allocated',
    );
    expect(await refusal(c, svc("c", { clusterIP: "10.0.0.10", ports: [{ port: 80 }] }))).toBe(
      'Service "c" is invalid: spec.clusterIPs: Invalid value: []string{"10.0.0.10"}: failed to allocate IP 10.0.0.10: the provided IP (10.0.0.10) is not in the valid range. The range of valid IPs is 10.96.0.0/12',
    );
    // The kubernetes Service holds 10.96.0.1, kube-dns 10.96.0.10.
    expect(await refusal(c, svc("d", { clusterIP: "10.96.0.10", ports: [{ port: 53 }] }))).toContain("provided IP is already allocated");
  });

  it("gives a headless Service no address", async () => {
    const c = await cluster();
    const h = await c.apply(svc("h", { clusterIP: "None" }));
    expect(spec(h).clusterIPs).toEqual(["None"]);
  });
});

describe("node ports", () => {
  it("honours a requested port and allocates the others in 30000-32767", async () => {
    const c = await cluster();
    const s = await c.apply(svc("web", { type: "NodePort", ports: [{ name: "http", port: 80, nodePort: 30080 }, { name: "https", port: 443 }] }));
    const ports = spec(s).ports as Obj[];
    expect(ports[0].nodePort).toBe(30080);
    expect(ports[1].nodePort).toBeGreaterThanOrEqual(30000);
    expect(ports[1].nodePort).toBeLessThanOrEqual(32767);
  });

  it("refuses a port that is taken or out of range", async () => {
    const c = await cluster();
    await c.apply(svc("a", { type: "NodePort", ports: [{ port: 80, nodePort: 30080 }] }));
    expect(await refusal(c, svc("b", { type: "NodePort", ports: [{ port: 80, nodePort: 30080 }] }))).toBe(
      'Service "b" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated',
    );
    expect(await refusal(c, svc("c", { type: "NodePort", ports: [{ port: 80, nodePort: 8080 }] }))).toBe(
      'Service "c" is invalid: spec.ports[0].nodePort: Invalid value: 8080: provided port is not in the valid range. The range of valid ports is 30000-32767',
    );
  });

  it("takes the range from the kube-apiserver static pod's --service-node-port-range, as the apiserver started with it", async () => {
    const c = await cluster();
    const apiserver = (command: string[]): KubeObject => ({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "kube-apiserver-k8s-master", namespace: "kube-system", labels: { component: "kube-apiserver", tier: "control-plane" } },
      spec: { nodeName: "k8s-master", containers: [{ name: "kube-apiserver", image: "registry.k8s.io/kube-apiserver:v1.32.3", command }] },
    });
    await c.apply(apiserver(["kube-apiserver", "--service-node-port-range=3000-50000", "--advertise-address=192.168.1.10"]));
    const a = await c.apply(svc("a", { type: "NodePort", ports: [{ port: 8888, nodePort: 8080 }] }));
    expect(spec(a).ports[0].nodePort).toBe(8080);
    expect(await refusal(c, svc("b", { type: "NodePort", ports: [{ port: 80, nodePort: 2999 }] }))).toBe(
      'Service "b" is invalid: spec.ports[0].nodePort: Invalid value: 2999: provided port is not in the valid range. The range of valid ports is 3000-50000',
    );
    // A range of one port: the second Service that needs one finds it full.
    await c.delete({ apiVersion: "v1", kind: "Service", metadata: { namespace: "default", name: "a" } });
    await c.apply(apiserver(["kube-apiserver", "--service-node-port-range", "31000+0"]));
    const one = await c.apply(svc("c", { type: "NodePort", ports: [{ port: 80 }] }));
    expect(spec(one).ports[0].nodePort).toBe(31000);
    // Not a field's fault: upstream answers 500 InternalError.
    const full = await c.apply(svc("d", { type: "NodePort", ports: [{ port: 80 }] })).then(
      () => undefined,
      (e) => e as KubeError,
    );
    expect(full).toBeInstanceOf(KubeError);
    expect(full?.toStatus()).toMatchObject({ code: 500, reason: "InternalError", message: "Internal error occurred: failed to allocate a nodePort: range is full" });
    // A requested port out of range is reported first, as a field error.
    expect(await refusal(c, svc("e", { type: "NodePort", ports: [{ name: "a", port: 80, nodePort: 30000 }, { name: "b", port: 81 }] }))).toBe(
      'Service "e" is invalid: spec.ports[0].nodePort: Invalid value: 30000: provided port is not in the valid range. The range of valid ports is 31000-31000',
    );
  });

  it("gives the TCP and UDP ports of one number the same node port", async () => {
    const c = await cluster();
    const s = await c.apply(svc("dns", { type: "NodePort", ports: [{ name: "udp", port: 53, protocol: "UDP" }, { name: "tcp", port: 53, protocol: "TCP", nodePort: 30053 }] }));
    expect((spec(s).ports as Obj[]).map((p) => p.nodePort)).toEqual([30053, 30053]);
  });

  it("keeps node ports across an update that leaves them out, and frees them when the type changes", async () => {
    const c = await cluster();
    const s = await c.apply(svc("web", { type: "NodePort", ports: [{ port: 80 }] }));
    const port = (spec(s).ports as Obj[])[0].nodePort;
    const kept = await c.modify({ apiVersion: "v1", kind: "Service" }, "default", "web", (o) => ((o.spec as Obj).ports = [{ port: 80, protocol: "TCP", targetPort: 80 }]));
    expect((spec(kept).ports as Obj[])[0].nodePort).toBe(port);
    await c.modify({ apiVersion: "v1", kind: "Service" }, "default", "web", (o) => ((o.spec as Obj).type = "ClusterIP"));
    const other = await c.apply(svc("other", { type: "NodePort", ports: [{ port: 80, nodePort: port }] }));
    expect((spec(other).ports as Obj[])[0].nodePort).toBe(port);
  });

  it("allocates none for a LoadBalancer with allocateLoadBalancerNodePorts false", async () => {
    const c = await cluster();
    const s = await c.apply(svc("lb", { type: "LoadBalancer", allocateLoadBalancerNodePorts: false, ports: [{ port: 80 }] }));
    expect((spec(s).ports as Obj[])[0].nodePort).toBeUndefined();
  });

  it("gives a LoadBalancer with externalTrafficPolicy Local a health check node port", async () => {
    const c = await cluster();
    const s = await c.apply(svc("lb", { type: "LoadBalancer", externalTrafficPolicy: "Local", ports: [{ port: 80 }] }));
    expect(spec(s).healthCheckNodePort).toBeGreaterThanOrEqual(30000);
    expect(spec(s).healthCheckNodePort).not.toBe((spec(s).ports as Obj[])[0].nodePort);
    const cluster2 = await c.modify({ apiVersion: "v1", kind: "Service" }, "default", "lb", (o) => ((o.spec as Obj).externalTrafficPolicy = "Cluster"));
    expect(spec(cluster2).healthCheckNodePort).toBeUndefined();
  });
});
