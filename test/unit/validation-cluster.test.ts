import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../worker/resources/types";
import { applyDefaults, validateCreate, validateUpdate } from "../../worker/resources/validation";

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

function update(key: string, old: KubeObject, change: (o: KubeObject) => void): string[] {
  old.metadata.resourceVersion = "1";
  applyDefaults(key, old);
  const next = structuredClone(old);
  change(next);
  applyDefaults(key, next);
  return lines(validateUpdate(key, next, old));
}

describe("Namespace and Node", () => {
  it("defaults a namespace", () => {
    const ns = obj("v1", "Namespace", {}, { name: "team-a", namespace: undefined });
    expect(create("/Namespace", ns)).toEqual([]);
    expect(ns.metadata.labels).toEqual({ "kubernetes.io/metadata.name": "team-a" });
    expect(ns.spec).toEqual({ finalizers: ["kubernetes"] });
    expect(ns.status).toEqual({ phase: "Active" });
  });

  it("does not restore the kubernetes finalizer on update", () => {
    const ns = obj("v1", "Namespace", { spec: { finalizers: [] } }, { name: "team-a", namespace: undefined, resourceVersion: "4" });
    applyDefaults("/Namespace", ns);
    expect(ns.spec).toEqual({ finalizers: [] });
  });

  it("validates taints", () => {
    const node = obj("v1", "Node", { spec: { taints: [{ key: "dedicated", value: "gpu", effect: "Sometimes" }] } }, { name: "node-1", namespace: undefined });
    expect(create("/Node", node)).toEqual(['spec.taints[0].effect: Unsupported value: "Sometimes": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"']);
  });
});

describe("PersistentVolume and PersistentVolumeClaim", () => {
  const pvc = (spec: Obj) => obj("v1", "PersistentVolumeClaim", { spec });

  it("defaults a claim", () => {
    const c = pvc({ accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1024Mi" } } });
    expect(create("/PersistentVolumeClaim", c)).toEqual([]);
    expect(c.spec).toEqual({ accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } }, volumeMode: "Filesystem" });
  });

  const cases: [string, Obj, string][] = [
    ["access modes", { resources: { requests: { storage: "1Gi" } } }, "spec.accessModes: Required value: at least 1 access mode is required"],
    [
      "bad access mode",
      { accessModes: ["ReadWriteSometimes"], resources: { requests: { storage: "1Gi" } } },
      'spec.accessModes: Unsupported value: "ReadWriteSometimes": supported values: "ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"',
    ],
    ["storage", { accessModes: ["ReadWriteOnce"] }, "spec.resources[storage]: Required value"],
    ["zero storage", { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "0" } } }, 'spec.resources[storage]: Invalid value: "0": must be greater than zero'],
  ];
  it.each(cases)("%s", (_, spec, want) => {
    expect(create("/PersistentVolumeClaim", pvc(spec))).toContain(want);
  });

  it("freezes the claim spec", () => {
    const c = pvc({ accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } });
    expect(update("/PersistentVolumeClaim", c, (n) => ((n.spec as Obj).accessModes = ["ReadWriteMany"]))).toEqual([
      "spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims",
    ]);
  });

  it("defaults and validates a volume", () => {
    const pv = obj("v1", "PersistentVolume", { spec: { capacity: { storage: "5Gi" }, accessModes: ["ReadWriteOnce"], hostPath: { path: "/data" } } }, { namespace: undefined });
    expect(create("/PersistentVolume", pv)).toEqual([]);
    expect(pv.spec).toMatchObject({ persistentVolumeReclaimPolicy: "Retain", volumeMode: "Filesystem", hostPath: { path: "/data", type: "" } });
    expect(create("/PersistentVolume", obj("v1", "PersistentVolume", { spec: { accessModes: ["ReadWriteOnce"], hostPath: { path: "/d" } } }))).toEqual([
      "spec.capacity: Required value",
    ]);
  });
});

describe("ResourceQuota and LimitRange", () => {
  it("validates quota resources", () => {
    const q = obj("v1", "ResourceQuota", { spec: { hard: { pods: "10", widgets: "3", "requests.cpu": "-1" } } });
    expect(create("/ResourceQuota", q)).toEqual([
      'spec.hard[requests.cpu]: Invalid value: "-1": must be greater than or equal to 0',
      'spec.hard[widgets]: Invalid value: "widgets": must be a standard resource for quota',
    ]);
  });

  it("defaults container limits", () => {
    const lr = obj("v1", "LimitRange", { spec: { limits: [{ type: "Container", max: { cpu: "2" }, min: { memory: "64Mi" } }] } });
    expect(create("/LimitRange", lr)).toEqual([]);
    expect((lr.spec as { limits: Obj[] }).limits[0]).toEqual({
      type: "Container",
      max: { cpu: "2" },
      min: { memory: "64Mi" },
      default: { cpu: "2" },
      defaultRequest: { cpu: "2", memory: "64Mi" },
    });
  });

  it("rejects a default above max", () => {
    const lr = obj("v1", "LimitRange", { spec: { limits: [{ type: "Container", max: { cpu: "1" }, default: { cpu: "2" } }] } });
    expect(create("/LimitRange", lr)).toContain("spec.limits[0].default[cpu]: Invalid value: 2: default value 2 is greater than max value 1");
  });
});

describe("Events", () => {
  it("accepts a legacy event with any name", () => {
    const ev = obj("v1", "Event", { involvedObject: { kind: "Pod", name: "p", namespace: "default" }, reason: "Started" }, { name: "p.17a2b3c4d5e6f708" });
    expect(create("/Event", ev)).toEqual([]);
  });

  it("checks the involved object namespace", () => {
    const ev = obj("v1", "Event", { involvedObject: { kind: "Pod", name: "p", namespace: "other" } });
    expect(create("/Event", ev)).toEqual(['involvedObject.namespace: Invalid value: "other": does not match event.namespace']);
  });

  it("holds events.k8s.io events to the strict rules", () => {
    const ev = obj("events.k8s.io/v1", "Event", { type: "Info" });
    expect(create("events.k8s.io/Event", ev)).toEqual([
      "eventTime: Required value",
      'type: Invalid value: "": has invalid value: Info',
      "reportingController: Required value",
      "reportingController: Invalid value: \"\": name part must be non-empty",
      "reportingController: Invalid value: \"\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
      "reportingInstance: Required value",
      "action: Required value",
      "reason: Required value",
    ]);
  });
});

describe("networking.k8s.io", () => {
  const backend = { service: { name: "web", port: { number: 80 } } };
  const ing = (spec: Obj) => obj("networking.k8s.io/v1", "Ingress", { spec });

  const cases: [string, Obj, string][] = [
    ["rules or backend", {}, "spec: Invalid value: []networking.IngressRule(nil): either `defaultBackend` or `rules` must be specified"],
    ["pathType required", { rules: [{ http: { paths: [{ path: "/", backend }] } }] }, "spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified"],
    ["absolute path", { rules: [{ http: { paths: [{ path: "api", pathType: "Prefix", backend }] } }] }, 'spec.rules[0].http.paths[0].path: Invalid value: "api": must be an absolute path'],
    [
      "path type",
      { rules: [{ http: { paths: [{ path: "/", pathType: "Regex", backend }] } }] },
      'spec.rules[0].http.paths[0].pathType: Unsupported value: "Regex": supported values: "Exact", "ImplementationSpecific", "Prefix"',
    ],
    ["port required", { defaultBackend: { service: { name: "web" } } }, "spec.defaultBackend: Required value: port name or number is required"],
    ["host is not an IP", { rules: [{ host: "10.0.0.1" }] }, 'spec.rules[0].host: Invalid value: "10.0.0.1": must be a DNS name, not an IP address'],
    ["paths required", { rules: [{ host: "a.com", http: { paths: [] } }] }, "spec.rules[0].http.paths: Required value"],
  ];
  it.each(cases)("Ingress %s", (_, spec, want) => {
    expect(create("networking.k8s.io/Ingress", ing(spec))).toContain(want);
  });

  it("accepts a valid Ingress", () => {
    expect(create("networking.k8s.io/Ingress", ing({ ingressClassName: "nginx", rules: [{ host: "*.example.com", http: { paths: [{ path: "/", pathType: "Prefix", backend }] } }] }))).toEqual([]);
  });

  it("requires an IngressClass controller", () => {
    expect(create("networking.k8s.io/IngressClass", obj("networking.k8s.io/v1", "IngressClass", { spec: {} }))).toEqual(["spec.controller: Required value"]);
  });

  it("defaults NetworkPolicy types and ports", () => {
    const np = obj("networking.k8s.io/v1", "NetworkPolicy", { spec: { podSelector: {}, egress: [{ ports: [{ port: 53 }] }] } });
    expect(create("networking.k8s.io/NetworkPolicy", np)).toEqual([]);
    expect(np.spec).toEqual({ podSelector: {}, policyTypes: ["Ingress", "Egress"], egress: [{ ports: [{ port: 53, protocol: "TCP" }] }] });
  });

  it("validates NetworkPolicy peers", () => {
    const np = obj("networking.k8s.io/v1", "NetworkPolicy", { spec: { podSelector: {}, ingress: [{ from: [{}, { ipBlock: { cidr: "10.0.0.0/33" } }] }] } });
    expect(create("networking.k8s.io/NetworkPolicy", np)).toEqual([
      "spec.ingress[0].from[0]: Required value: must specify a peer",
      'spec.ingress[0].from[1].ipBlock.cidr: Invalid value: "10.0.0.0/33": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)',
    ]);
  });
});

describe("storage, coordination, scheduling, policy", () => {
  it("defaults a StorageClass and freezes its parameters", () => {
    const sc = obj("storage.k8s.io/v1", "StorageClass", { provisioner: "rancher.io/local-path", parameters: { a: "1" } }, { namespace: undefined });
    expect(create("storage.k8s.io/StorageClass", sc)).toEqual([]);
    expect(sc).toMatchObject({ reclaimPolicy: "Delete", volumeBindingMode: "Immediate" });
    expect(update("storage.k8s.io/StorageClass", sc, (n) => (n.parameters = { a: "2" }))).toEqual(["parameters: Forbidden: updates to parameters are forbidden."]);
    expect(create("storage.k8s.io/StorageClass", obj("storage.k8s.io/v1", "StorageClass", {}))).toEqual(["provisioner: Required value"]);
  });

  it("validates Lease durations", () => {
    expect(create("coordination.k8s.io/Lease", obj("coordination.k8s.io/v1", "Lease", { spec: { leaseDurationSeconds: 0 } }))).toEqual([
      "spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0",
    ]);
  });

  it("validates PriorityClasses", () => {
    const pc = (body: Obj, name = "high") => obj("scheduling.k8s.io/v1", "PriorityClass", body, { name, namespace: undefined });
    const ok = pc({ value: 1000 });
    expect(create("scheduling.k8s.io/PriorityClass", ok)).toEqual([]);
    expect(ok.preemptionPolicy).toBe("PreemptLowerPriority");
    expect(create("scheduling.k8s.io/PriorityClass", pc({}))).toEqual(["value: Required value"]);
    expect(create("scheduling.k8s.io/PriorityClass", pc({ value: 2000000000 }))).toEqual([
      "value: Forbidden: maximum allowed value of a user defined priority is 1000000000",
    ]);
    expect(update("scheduling.k8s.io/PriorityClass", pc({ value: 1 }), (n) => (n.value = 2))).toEqual(["value: Forbidden: may not be changed in an update."]);
  });

  it("validates PodDisruptionBudgets", () => {
    const pdb = (spec: Obj) => obj("policy/v1", "PodDisruptionBudget", { spec: { selector: { matchLabels: { app: "x" } }, ...spec } });
    expect(create("policy/PodDisruptionBudget", pdb({ minAvailable: "50%" }))).toEqual([]);
    expect(create("policy/PodDisruptionBudget", pdb({ minAvailable: 1, maxUnavailable: 1 }))).toEqual([
      'spec: Invalid value: policy.PodDisruptionBudgetSpec{MinAvailable:"1", MaxUnavailable:"1"}: minAvailable and maxUnavailable cannot be both set',
    ]);
    expect(create("policy/PodDisruptionBudget", pdb({ maxUnavailable: "120%" }))).toEqual(["spec.maxUnavailable: Invalid value: 120%: must not be greater than 100%"]);
  });
});

describe("HorizontalPodAutoscaler", () => {
  const hpa = (spec: Obj) => obj("autoscaling/v2", "HorizontalPodAutoscaler", { spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "web" }, ...spec } });

  it("defaults minReplicas and the CPU metric", () => {
    const h = hpa({ maxReplicas: 5 });
    expect(create("autoscaling/HorizontalPodAutoscaler", h)).toEqual([]);
    expect(h.spec).toMatchObject({ minReplicas: 1, metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 80 } } }] });
  });

  it("fills behavior rules", () => {
    const h = hpa({ maxReplicas: 5, behavior: { scaleDown: { stabilizationWindowSeconds: 60 } } });
    applyDefaults("autoscaling/HorizontalPodAutoscaler", h);
    expect((h.spec as Obj).behavior).toEqual({
      scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: "Max", policies: [{ type: "Pods", value: 4, periodSeconds: 15 }, { type: "Percent", value: 100, periodSeconds: 15 }] },
      scaleDown: { stabilizationWindowSeconds: 60, selectPolicy: "Max", policies: [{ type: "Percent", value: 100, periodSeconds: 15 }] },
    });
  });

  it("validates replica bounds", () => {
    expect(create("autoscaling/HorizontalPodAutoscaler", hpa({ minReplicas: 3, maxReplicas: 2 }))).toEqual([
      "spec.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`",
    ]);
    expect(create("autoscaling/HorizontalPodAutoscaler", hpa({ minReplicas: 0, maxReplicas: 0 }))).toEqual([
      "spec.minReplicas: Invalid value: 0: must be greater than or equal to 1",
      "spec.maxReplicas: Invalid value: 0: must be greater than 0",
    ]);
  });
});

describe("RBAC", () => {
  it("validates rules", () => {
    const role = obj("rbac.authorization.k8s.io/v1", "Role", { rules: [{ apiGroups: [""], resources: ["pods"] }, { verbs: ["get"], nonResourceURLs: ["/healthz"] }] });
    expect(create("rbac.authorization.k8s.io/Role", role)).toEqual([
      "rules[0].verbs: Required value: verbs must contain at least one value",
      'rules[1].nonResourceURLs: Invalid value: []string{"/healthz"}: namespaced rules cannot apply to non-resource URLs',
    ]);
  });

  it("defaults and validates bindings", () => {
    const rb = obj("rbac.authorization.k8s.io/v1", "RoleBinding", {
      roleRef: { kind: "Role", name: "reader" },
      subjects: [{ kind: "User", name: "jane" }, { kind: "ServiceAccount", name: "bot" }, { kind: "Robot", name: "r" }],
    });
    expect(create("rbac.authorization.k8s.io/RoleBinding", rb)).toEqual([
      'subjects[2].kind: Unsupported value: "Robot": supported values: "ServiceAccount", "User", "Group"',
    ]);
    expect(rb.roleRef).toEqual({ apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "reader" });
    expect(rb.subjects).toEqual([
      { kind: "User", name: "jane", apiGroup: "rbac.authorization.k8s.io" },
      { kind: "ServiceAccount", name: "bot", apiGroup: "" },
      { kind: "Robot", name: "r" },
    ]);
  });

  it("requires ClusterRole refs and namespaced service accounts in ClusterRoleBindings", () => {
    const crb = obj("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", { roleRef: { kind: "Role", name: "r" }, subjects: [{ kind: "ServiceAccount", name: "bot" }] }, { namespace: undefined });
    expect(create("rbac.authorization.k8s.io/ClusterRoleBinding", crb)).toEqual([
      'roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole"',
      "subjects[0].namespace: Required value",
    ]);
  });

  it("forbids changing roleRef", () => {
    const rb = obj("rbac.authorization.k8s.io/v1", "RoleBinding", { roleRef: { kind: "Role", name: "a" }, subjects: [] });
    expect(update("rbac.authorization.k8s.io/RoleBinding", rb, (n) => ((n.roleRef as Obj).name = "b"))).toEqual([
      'roleRef: Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"Role", Name:"b"}: cannot change roleRef',
    ]);
  });
});
