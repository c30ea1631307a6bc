import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../worker/resources/types";
import { applyDefaults, prepareUpdate, validateCreate, validateUpdate } from "../../worker/resources/validation";

type Obj = Record<string, unknown>;

function obj(apiVersion: string, kind: string, body: Obj, meta: Obj = {}): KubeObject {
  return { apiVersion, kind, metadata: { name: "x", namespace: "default", ...meta }, ...body };
}

function lines(errs: { field: string; message: string }[]): string[] {
  return errs.map((e) => `${e.field}: ${e.message}`);
}

function create(key: string, o: KubeObject): string[] {
  applyDefaults(key, o);
  return lines(validateCreate(key, o));
}

const svc = (spec: Obj) => obj("v1", "Service", { spec });

describe("Service defaults", () => {
  it("defaults a ClusterIP service", () => {
    const s = svc({ selector: { app: "x" }, ports: [{ port: 80 }] });
    expect(create("/Service", s)).toEqual([]);
    expect(s.spec).toEqual({
      selector: { app: "x" },
      ports: [{ port: 80, protocol: "TCP", targetPort: 80 }],
      type: "ClusterIP",
      sessionAffinity: "None",
      internalTrafficPolicy: "Cluster",
      ipFamilyPolicy: "SingleStack",
      ipFamilies: ["IPv4"],
    });
  });

  it("defaults a LoadBalancer service", () => {
    const s = svc({ type: "LoadBalancer", ports: [{ port: 443, targetPort: "https" }] });
    applyDefaults("/Service", s);
    expect(s.spec).toMatchObject({ externalTrafficPolicy: "Cluster", allocateLoadBalancerNodePorts: true, ports: [{ port: 443, targetPort: "https", protocol: "TCP" }] });
  });

  it("defaults ClientIP affinity config", () => {
    const s = svc({ sessionAffinity: "ClientIP", ports: [{ port: 80 }] });
    applyDefaults("/Service", s);
    expect((s.spec as Obj).sessionAffinityConfig).toEqual({ clientIP: { timeoutSeconds: 10800 } });
  });

  it("leaves IP fields off ExternalName services", () => {
    const s = svc({ type: "ExternalName", externalName: "example.com" });
    expect(create("/Service", s)).toEqual([]);
    expect(s.spec).toEqual({ type: "ExternalName", externalName: "example.com", sessionAffinity: "None" });
  });
});

describe("Service validation", () => {
  const cases: [string, Obj, string][] = [
    ["ports required", { selector: { app: "x" } }, "spec.ports: Required value"],
    ["port range", { ports: [{ port: 70000 }] }, "spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive"],
    ["names required with 2 ports", { ports: [{ port: 80 }, { port: 443, name: "https" }] }, "spec.ports[0].name: Required value"],
    ["duplicate names", { ports: [{ port: 80, name: "web" }, { port: 81, name: "web" }] }, 'spec.ports[1].name: Duplicate value: "web"'],
    [
      "duplicate ports",
      { ports: [{ port: 80, name: "a" }, { port: 80, name: "b" }] },
      'spec.ports[1]: Duplicate value: core.ServicePort{Name:"", Protocol:"TCP", AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}',
    ],
    ["type", { type: "Internal", ports: [{ port: 80 }] }, 'spec.type: Unsupported value: "Internal": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"'],
    ["externalName required", { type: "ExternalName" }, "spec.externalName: Required value"],
    ["nodePort on ClusterIP", { ports: [{ port: 80, nodePort: 30080 }] }, "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"],
    ["bad clusterIP", { clusterIP: "abc", ports: [{ port: 80 }] }, 'spec.clusterIPs[0]: Invalid value: "abc": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'],
    ["headless NodePort", { type: "NodePort", clusterIP: "None", ports: [{ port: 80 }] }, "spec.clusterIPs[0]: Invalid value: \"None\": may not be set to 'None' for NodePort services"],
    [
      "external traffic policy on ClusterIP",
      { externalTrafficPolicy: "Local", ports: [{ port: 80 }] },
      'spec.externalTrafficPolicy: Invalid value: "Local": may only be set for externally-accessible services',
    ],
    ["session affinity", { sessionAffinity: "Cookie", ports: [{ port: 80 }] }, 'spec.sessionAffinity: Unsupported value: "Cookie": supported values: "ClientIP", "None"'],
    ["targetPort name", { ports: [{ port: 80, targetPort: "Web_Port" }] }, 'spec.ports[0].targetPort: Invalid value: "Web_Port": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)'],
  ];
  it.each(cases)("%s", (_, spec, want) => {
    expect(create("/Service", svc(spec))).toContain(want);
  });

  it("accepts a headless service without ports", () => {
    const s = svc({ clusterIP: "None", selector: { app: "x" } });
    expect(create("/Service", s)).toEqual([]);
    expect((s.spec as Obj).clusterIPs).toEqual(["None"]);
  });

  it("keeps the cluster IP", () => {
    const old = svc({ clusterIP: "10.96.0.10", ports: [{ port: 80 }] });
    old.metadata.resourceVersion = "1";
    applyDefaults("/Service", old);
    const moved = structuredClone(old);
    (moved.spec as Obj).clusterIP = "10.96.0.11";
    (moved.spec as Obj).clusterIPs = ["10.96.0.11"];
    expect(lines(validateUpdate("/Service", moved, old))).toEqual(['spec.clusterIPs[0]: Invalid value: []string{"10.96.0.11"}: may not change once set']);
    // An update that omits the IP keeps the allocated one.
    const omitted = svc({ ports: [{ port: 80 }] });
    omitted.metadata.resourceVersion = "1";
    applyDefaults("/Service", omitted);
    expect(lines(validateUpdate("/Service", omitted, old))).toEqual([]);
  });

  it("drops type-dependent fields when the type changes", () => {
    const old = svc({ type: "NodePort", clusterIP: "10.96.0.10", ports: [{ port: 80, nodePort: 30080 }] });
    old.metadata.resourceVersion = "1";
    applyDefaults("/Service", old);
    const next = structuredClone(old);
    (next.spec as Obj).type = "ClusterIP";
    applyDefaults("/Service", next);
    expect(lines(validateUpdate("/Service", next, old))).toEqual([]);
    prepareUpdate("/Service", next, old);
    expect((next.spec as Obj).externalTrafficPolicy).toBeUndefined();
    expect(((next.spec as Obj).ports as Obj[])[0].nodePort).toBeUndefined();
  });
});

describe("Endpoints and EndpointSlice", () => {
  it("defaults and validates Endpoints", () => {
    const ep = obj("v1", "Endpoints", { subsets: [{ addresses: [{ ip: "10.0.0.1" }, { ip: "127.0.0.1" }], ports: [{ port: 80 }, { port: 0, name: "b" }] }] });
    expect(create("/Endpoints", ep)).toEqual([
      'subsets[0].addresses[1].ip: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)',
      "subsets[0].ports[0].name: Required value",
      "subsets[0].ports[1].port: Invalid value: 0: must be between 1 and 65535, inclusive",
    ]);
    expect((ep.subsets as { ports: Obj[] }[])[0].ports[0].protocol).toBe("TCP");
  });

  it("defaults and validates EndpointSlices", () => {
    const slice = obj("discovery.k8s.io/v1", "EndpointSlice", { addressType: "IPv4", endpoints: [{ addresses: ["10.0.0.300"] }, { addresses: [] }], ports: [{ port: 80 }] });
    expect(create("discovery.k8s.io/EndpointSlice", slice)).toEqual([
      'endpoints[0].addresses[0]: Invalid value: "10.0.0.300": must be a valid IPv4 address',
      "endpoints[1].addresses: Required value: must contain at least 1 address",
    ]);
    expect(slice.ports).toEqual([{ port: 80, name: "", protocol: "TCP" }]);
    expect(create("discovery.k8s.io/EndpointSlice", obj("discovery.k8s.io/v1", "EndpointSlice", { addressType: "IPv5" }))).toEqual([
      'addressType: Unsupported value: "IPv5": supported values: "FQDN", "IPv4", "IPv6"',
    ]);
  });
});
