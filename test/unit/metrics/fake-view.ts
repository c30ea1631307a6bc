// A cluster for metrics tests without a store: nodes, running pods and services as plain objects.
import type { KubeObject } from "../../../worker/resources/types";
import type { ClusterView } from "../../../worker/metrics/view";

export const START = Date.parse("2026-01-01T00:00:00Z");
export const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

export class FakeView implements ClusterView {
  private readonly objects = new Map<string, KubeObject[]>();

  add(resource: string, obj: KubeObject): KubeObject {
    const list = this.objects.get(resource) ?? [];
    list.push(obj);
    this.objects.set(resource, list);
    return obj;
  }

  remove(resource: string, name: string): void {
    this.objects.set(resource, (this.objects.get(resource) ?? []).filter((o) => o.metadata.name !== name));
  }

  get(resource: string, namespace: string, name: string): KubeObject | undefined {
    return this.objects.get(resource)?.find((o) => (o.metadata.namespace ?? "") === namespace && o.metadata.name === name);
  }

  list(resource: string, namespace?: string): KubeObject[] {
    return (this.objects.get(resource) ?? []).filter((o) => namespace === undefined || (o.metadata.namespace ?? "") === namespace);
  }

  node(name: string, opts: { controlPlane?: boolean; cpu?: string; created?: number } = {}): KubeObject {
    return this.add("/nodes", {
      apiVersion: "v1",
      kind: "Node",
      metadata: {
        name,
        uid: `uid-${name}`,
        creationTimestamp: iso(opts.created ?? START - 3_600_000),
        labels: { "kubernetes.io/hostname": name, ...(opts.controlPlane ? { "node-role.kubernetes.io/control-plane": "" } : {}) },
      },
      status: { capacity: { cpu: opts.cpu ?? "4", memory: "8147876Ki" }, allocatable: { cpu: opts.cpu ?? "4", memory: "8045476Ki" } },
    });
  }

  /** A Running pod whose containers started at `started` and became Ready then. */
  pod(
    name: string,
    containers: Record<string, unknown>[],
    opts: { node?: string; labels?: Record<string, string>; started?: number; ip?: string; ready?: boolean; namespace?: string; phase?: string } = {},
  ): KubeObject {
    const started = iso(opts.started ?? START);
    return this.add("/pods", {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name, namespace: opts.namespace ?? "default", uid: `uid-${name}`, labels: opts.labels, creationTimestamp: started },
      spec: { nodeName: opts.node ?? "node1", containers },
      status: {
        phase: opts.phase ?? "Running",
        podIP: opts.ip ?? `10.244.1.${this.list("/pods").length + 10}`,
        startTime: started,
        conditions: [{ type: "Ready", status: opts.ready === false ? "False" : "True", lastTransitionTime: started }],
        containerStatuses: containers.map((c) => ({
          name: c.name,
          image: c.image,
          imageID: "",
          ready: opts.ready !== false,
          started: true,
          restartCount: 0,
          state: { running: { startedAt: started } },
        })),
      },
    });
  }

  service(name: string, selector: Record<string, string>, ports: Record<string, unknown>[], opts: { clusterIP?: string; namespace?: string } = {}): KubeObject {
    return this.add("/services", {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name, namespace: opts.namespace ?? "default" },
      spec: { selector, ports, clusterIP: opts.clusterIP ?? "10.96.100.10", type: "ClusterIP" },
    });
  }
}

export const phpApache = (name = "php-apache") => ({
  name,
  image: "registry.k8s.io/hpa-example",
  ports: [{ containerPort: 80 }],
  resources: { limits: { cpu: "500m" }, requests: { cpu: "200m" } },
});

export const loadGenerator = (script = "while sleep 0.01; do wget -q -O- http://php-apache; done") => ({
  name: "load-generator",
  image: "busybox:1.28",
  args: ["/bin/sh", "-c", script],
});
