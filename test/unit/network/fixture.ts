// A small cluster as plain objects for the network's unit tests: nodes, pods, Services and the
// EndpointSlices the controller would publish for them.
import type { KubeObject } from "../../../worker/resources/types";

export class Objects {
  private readonly byResource = new Map<string, KubeObject[]>();

  add(resource: string, obj: KubeObject): KubeObject {
    this.byResource.set(resource, [...(this.byResource.get(resource) ?? []), obj]);
    return obj;
  }

  get(resource: string, namespace: string, name: string): KubeObject | undefined {
    return this.byResource.get(resource)?.find((o) => (o.metadata.namespace ?? "") === namespace && o.metadata.name === name);
  }

  list(resource: string, namespace?: string): KubeObject[] {
    return (this.byResource.get(resource) ?? []).filter((o) => namespace === undefined || (o.metadata.namespace ?? "") === namespace);
  }

  node(name: string, index: number): void {
    this.add("/nodes", { apiVersion: "v1", kind: "Node", metadata: { name }, spec: { podCIDR: `10.244.${index}.0/24` }, status: { addresses: [{ type: "InternalIP", address: `192.168.1.${10 + index}` }] } });
  }

  pod(name: string, node: string, ip: string, labels: Record<string, string> = {}, namespace = "default"): void {
    this.add("/pods", { apiVersion: "v1", kind: "Pod", metadata: { name, namespace, uid: `uid-${name}`, labels }, spec: { nodeName: node, containers: [{ name: "c", image: "nginx" }] }, status: { phase: "Running", podIP: ip } });
  }

  service(name: string, spec: Record<string, unknown>, namespace = "default"): void {
    this.add("/services", { apiVersion: "v1", kind: "Service", metadata: { name, namespace }, spec: { type: "ClusterIP", ...spec } });
  }

  /** A slice for `service` with one port and these endpoints. */
  slice(service: string, port: { name?: string; port: number }, endpoints: { ip: string; node: string; pod?: string; ready?: boolean; terminating?: boolean; hostname?: string }[], namespace = "default"): void {
    this.add("discovery.k8s.io/endpointslices", {
      apiVersion: "discovery.k8s.io/v1",
      kind: "EndpointSlice",
      metadata: { name: `${service}-abcde`, namespace, labels: { "kubernetes.io/service-name": service } },
      addressType: "IPv4",
      ports: [{ name: port.name ?? "", port: port.port, protocol: "TCP" }],
      endpoints: endpoints.map((e) => ({
        addresses: [e.ip],
        nodeName: e.node,
        ...(e.hostname ? { hostname: e.hostname } : {}),
        conditions: { ready: e.ready ?? true, serving: e.ready ?? true, terminating: e.terminating ?? false },
        ...(e.pod ? { targetRef: { kind: "Pod", namespace, name: e.pod } } : {}),
      })),
    } as unknown as KubeObject);
  }
}

/** Three nodes, three web pods behind `web` (10.96.1.2:80 → :8080), CoreDNS behind kube-dns. */
export function cluster(): Objects {
  const o = new Objects();
  o.node("k8s-master", 0);
  o.node("k8s-node1", 1);
  o.node("k8s-node2", 2);
  o.pod("web-a", "k8s-node1", "10.244.1.2", { app: "web" });
  o.pod("web-b", "k8s-node1", "10.244.1.3", { app: "web" });
  o.pod("web-c", "k8s-node2", "10.244.2.2", { app: "web" });
  o.service("web", { clusterIP: "10.96.1.2", selector: { app: "web" }, ports: [{ port: 80, targetPort: 8080, protocol: "TCP" }] });
  o.slice("web", { port: 8080 }, [
    { ip: "10.244.1.2", node: "k8s-node1", pod: "web-a" },
    { ip: "10.244.1.3", node: "k8s-node1", pod: "web-b" },
    { ip: "10.244.2.2", node: "k8s-node2", pod: "web-c" },
  ]);
  o.pod("coredns-1", "k8s-master", "10.244.0.2", { "k8s-app": "kube-dns" }, "kube-system");
  (o.get("/pods", "kube-system", "coredns-1")!.spec as { containers: { image: string }[] }).containers[0].image = "registry.k8s.io/coredns/coredns:v1.11.3";
  o.service("kube-dns", { clusterIP: "10.96.0.10", ports: [{ name: "dns", port: 53, protocol: "UDP" }] }, "kube-system");
  o.add("discovery.k8s.io/endpointslices", {
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    metadata: { name: "kube-dns-xyz", namespace: "kube-system", labels: { "kubernetes.io/service-name": "kube-dns" } },
    addressType: "IPv4",
    ports: [{ name: "dns", port: 53, protocol: "UDP" }],
    endpoints: [{ addresses: ["10.244.0.2"], nodeName: "k8s-master", conditions: { ready: true }, targetRef: { kind: "Pod", namespace: "kube-system", name: "coredns-1" } }],
  } as unknown as import("../../../worker/resources/types").KubeObject);
  o.add("/configmaps", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "kube-proxy", namespace: "kube-system", creationTimestamp: "2026-01-01T00:00:00Z" }, data: { "config.conf": 'mode: ""\nclusterCIDR: 10.244.0.0/16\n' } });
  return o;
}
