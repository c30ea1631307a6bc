// Cases modelled on staging/src/k8s.io/apimachinery/pkg/util/strategicpatch/patch_test.go
import { describe, expect, it } from "vitest";
import { KubeError } from "../../worker/api/status";
import { applyStrategicMergePatch } from "../../worker/api/patch";

type Obj = Record<string, any>;

const deployment = (): Obj => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web", labels: { app: "web" }, finalizers: ["a", "b"] },
  spec: {
    replicas: 2,
    strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } },
    template: {
      metadata: { labels: { app: "web" } },
      spec: {
        containers: [
          {
            name: "nginx",
            image: "nginx:1.25",
            ports: [{ containerPort: 80, protocol: "TCP" }],
            env: [
              { name: "A", value: "1" },
              { name: "B", value: "2" },
            ],
            volumeMounts: [{ name: "data", mountPath: "/data" }],
          },
          { name: "sidecar", image: "busybox", args: ["sleep", "3600"] },
        ],
        volumes: [{ name: "data", emptyDir: {} }],
        tolerations: [{ key: "k", operator: "Exists" }],
      },
    },
  },
});

const containers = (o: Obj) => o.spec.template.spec.containers as Obj[];

interface Case {
  name: string;
  gvk?: string;
  doc?: () => Obj;
  patch: Obj;
  check: (out: Obj) => void;
}

const cases: Case[] = [
  {
    name: "container image change keeps the other containers",
    patch: { spec: { template: { spec: { containers: [{ name: "nginx", image: "nginx:1.26" }] } } } },
    check: (o) => {
      expect(containers(o).map((c) => [c.name, c.image])).toEqual([
        ["nginx", "nginx:1.26"],
        ["sidecar", "busybox"],
      ]);
      expect(containers(o)[0].ports).toEqual([{ containerPort: 80, protocol: "TCP" }]);
    },
  },
  {
    name: "a new container is added ahead of server-only items",
    patch: { spec: { template: { spec: { containers: [{ name: "log", image: "fluentd" }] } } } },
    check: (o) => expect(containers(o).map((c) => c.name)).toEqual(["log", "nginx", "sidecar"]),
  },
  {
    name: "env merges by name",
    patch: { spec: { template: { spec: { containers: [{ name: "nginx", env: [{ name: "B", value: "20" }, { name: "C", value: "3" }] }] } } } },
    check: (o) =>
      expect(containers(o)[0].env).toEqual([
        { name: "A", value: "1" },
        { name: "B", value: "20" },
        { name: "C", value: "3" },
      ]),
  },
  {
    name: "null removes a field",
    patch: { metadata: { labels: { app: null } }, spec: { strategy: { rollingUpdate: null } } },
    check: (o) => {
      expect(o.metadata.labels).toEqual({});
      expect(o.spec.strategy).toEqual({ type: "RollingUpdate" });
    },
  },
  {
    name: "$patch: delete removes a list item by merge key",
    patch: { spec: { template: { spec: { containers: [{ name: "sidecar", $patch: "delete" }] } } } },
    check: (o) => expect(containers(o).map((c) => c.name)).toEqual(["nginx"]),
  },
  {
    name: "$patch: replace on a list item list replaces the list",
    patch: { spec: { template: { spec: { containers: [{ name: "only", image: "x" }, { $patch: "replace" }] } } } },
    check: (o) => expect(containers(o)).toEqual([{ name: "only", image: "x" }]),
  },
  {
    name: "$patch: replace on a map replaces the map",
    patch: { spec: { strategy: { $patch: "replace", type: "Recreate" } } },
    check: (o) => expect(o.spec.strategy).toEqual({ type: "Recreate" }),
  },
  {
    name: "$patch: delete on a map removes its content",
    patch: { metadata: { labels: { $patch: "delete" } } },
    check: (o) => expect(o.metadata.labels).toEqual({}),
  },
  {
    name: "$setElementOrder reorders a merging list",
    patch: {
      spec: {
        template: {
          spec: {
            "$setElementOrder/containers": [{ name: "sidecar" }, { name: "nginx" }],
            containers: [{ name: "nginx", image: "nginx:1.27" }],
          },
        },
      },
    },
    check: (o) =>
      expect(containers(o).map((c) => [c.name, c.image])).toEqual([
        ["sidecar", "busybox"],
        ["nginx", "nginx:1.27"],
      ]),
  },
  {
    name: "$setElementOrder on env with a deletion",
    patch: {
      spec: {
        template: {
          spec: {
            containers: [
              {
                name: "nginx",
                "$setElementOrder/env": [{ name: "B" }, { name: "A" }],
                env: [{ name: "C", $patch: "delete" }],
              },
            ],
          },
        },
      },
    },
    check: (o) => expect(containers(o)[0].env.map((e: Obj) => e.name)).toEqual(["B", "A"]),
  },
  {
    name: "$retainKeys clears keys not listed (strategy type switch)",
    patch: { spec: { strategy: { $retainKeys: ["type"], type: "Recreate" } } },
    check: (o) => expect(o.spec.strategy).toEqual({ type: "Recreate" }),
  },
  {
    name: "$retainKeys on a volume switches its source",
    patch: {
      spec: {
        template: { spec: { volumes: [{ name: "data", $retainKeys: ["name", "hostPath"], hostPath: { path: "/tmp" } }] } },
      },
    },
    check: (o) => expect(o.spec.template.spec.volumes).toEqual([{ name: "data", hostPath: { path: "/tmp" } }]),
  },
  {
    name: "finalizers merge as a set",
    patch: { metadata: { finalizers: ["b", "c"] } },
    check: (o) => expect(o.metadata.finalizers).toEqual(["a", "b", "c"]),
  },
  {
    name: "$deleteFromPrimitiveList removes set values",
    patch: { metadata: { "$deleteFromPrimitiveList/finalizers": ["a"] } },
    check: (o) => expect(o.metadata.finalizers).toEqual(["b"]),
  },
  {
    name: "lists without a strategy are replaced (args, tolerations)",
    patch: {
      spec: {
        template: {
          spec: { tolerations: [{ key: "other", operator: "Exists" }], containers: [{ name: "sidecar", args: ["true"] }] },
        },
      },
    },
    check: (o) => {
      expect(o.spec.template.spec.tolerations).toEqual([{ key: "other", operator: "Exists" }]);
      expect(containers(o)[1].args).toEqual(["true"]);
    },
  },
  {
    name: "ports merge by containerPort",
    patch: { spec: { template: { spec: { containers: [{ name: "nginx", ports: [{ containerPort: 443 }] }] } } } },
    check: (o) => expect(containers(o)[0].ports.map((p: Obj) => p.containerPort)).toEqual([443, 80]),
  },
  {
    name: "service ports merge by port",
    gvk: "/Service",
    doc: () => ({
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "svc" },
      spec: { selector: { app: "web" }, ports: [{ name: "http", port: 80, targetPort: 8080 }] },
    }),
    patch: { spec: { ports: [{ port: 80, targetPort: 9090 }, { name: "https", port: 443 }] } },
    check: (o) =>
      expect(o.spec.ports).toEqual([
        { name: "http", port: 80, targetPort: 9090 },
        { name: "https", port: 443 },
      ]),
  },
  {
    name: "pod conditions merge by type",
    gvk: "/Pod",
    doc: () => ({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "p" },
      spec: { containers: [{ name: "c", image: "i" }] },
      status: { conditions: [{ type: "Ready", status: "False" }, { type: "Initialized", status: "True" }] },
    }),
    patch: { status: { conditions: [{ type: "Ready", status: "True" }] } },
    check: (o) =>
      expect(o.status.conditions).toEqual([
        { type: "Ready", status: "True" },
        { type: "Initialized", status: "True" },
      ]),
  },
  {
    name: "node taints are replaced",
    gvk: "/Node",
    doc: () => ({ apiVersion: "v1", kind: "Node", metadata: { name: "n" }, spec: { taints: [{ key: "a", effect: "NoSchedule" }] } }),
    patch: { spec: { taints: [{ key: "b", effect: "NoExecute" }] } },
    check: (o) => expect(o.spec.taints).toEqual([{ key: "b", effect: "NoExecute" }]),
  },
  {
    name: "cronjob pod template containers merge",
    gvk: "batch/CronJob",
    doc: () => ({
      apiVersion: "batch/v1",
      kind: "CronJob",
      metadata: { name: "c" },
      spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: "a", image: "1" }, { name: "b", image: "2" }] } } } } },
    }),
    patch: { spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: "b", image: "3" }] } } } } } },
    check: (o) => expect(o.spec.jobTemplate.spec.template.spec.containers).toEqual([{ name: "a", image: "1" }, { name: "b", image: "3" }]),
  },
  {
    name: "unknown kinds merge maps and replace lists",
    gvk: "example.com/Widget",
    doc: () => ({ apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" }, spec: { items: [1, 2], m: { a: 1 } } }),
    patch: { spec: { items: [3], m: { b: 2 } } },
    check: (o) => expect(o.spec).toEqual({ items: [3], m: { a: 1, b: 2 } }),
  },
  {
    name: "a new field with directives inside is cleaned",
    patch: { metadata: { annotations: { a: "1", b: null } } },
    check: (o) => expect(o.metadata.annotations).toEqual({ a: "1" }),
  },
];

describe("applyStrategicMergePatch", () => {
  for (const c of cases) {
    it(c.name, () => {
      const doc = (c.doc ?? deployment)();
      const before = JSON.stringify(doc);
      const out = applyStrategicMergePatch(doc, c.patch, c.gvk ?? "apps/Deployment") as Obj;
      c.check(out);
      expect(JSON.stringify(doc)).toBe(before);
    });
  }

  const errors: { name: string; patch: unknown; code: number; message?: string | RegExp }[] = [
    {
      name: "unknown $patch directive in a map",
      patch: { spec: { strategy: { $patch: "explode" } } },
      code: 400,
      message: "unknown patch type: explode in map: map[$patch:explode]",
    },
    {
      name: "$patch: merge in a list",
      patch: { spec: { template: { spec: { containers: [{ $patch: "merge" }] } } } },
      code: 400,
      message: "merging lists cannot yet be specified in the patch",
    },
    {
      name: "list item without its merge key",
      patch: { spec: { template: { spec: { containers: [{ image: "x" }] } } } },
      code: 400,
      message: "map: map[image:x] does not contain declared merge key: name",
    },
    {
      name: "$retainKeys not a list",
      patch: { spec: { strategy: { $retainKeys: "type" } } },
      code: 400,
      message: "invalid patch format of retainKeys",
    },
    {
      name: "patch content outside $retainKeys",
      patch: { spec: { strategy: { $retainKeys: ["type"], type: "Recreate", rollingUpdate: {} } } },
      code: 400,
      message: "invalid patch format of retainKeys",
    },
    {
      name: "$deleteFromPrimitiveList without a field",
      patch: { metadata: { $deleteFromPrimitiveList: ["a"] } },
      code: 400,
      message: "invalid patch format of primitive list",
    },
    {
      name: "$setElementOrder that contradicts the patch list",
      patch: {
        spec: {
          template: {
            spec: { "$setElementOrder/containers": [{ name: "nginx" }], containers: [{ name: "sidecar", image: "x" }] },
          },
        },
      },
      code: 400,
      message: /^The order in patch list:/,
    },
    { name: "a list of lists", patch: { spec: { template: { spec: { imagePullSecrets: [["a"]] } } } }, code: 422 },
    {
      name: "mixed element types",
      patch: { metadata: { finalizers: [1] } },
      code: 400,
      message: "list element types are not identical: [[a b] [1]]",
    },
    {
      name: "a list where the schema expects one",
      patch: { spec: { template: { spec: { containers: "nginx" } } } },
      code: 422,
      message: / "" is invalid: patch: Invalid value: ".*": cannot restore slice from string/,
    },
    {
      name: "a non-object patch",
      patch: [1],
      code: 400,
      message: "json: cannot unmarshal array into Go value of type map[string]interface {}",
    },
  ];
  for (const e of errors) {
    it(`rejects ${e.name}`, () => {
      let err: unknown;
      try {
        applyStrategicMergePatch(deployment(), e.patch, "apps/Deployment");
      } catch (x) {
        err = x;
      }
      expect(err).toBeInstanceOf(KubeError);
      expect((err as KubeError).code).toBe(e.code);
      if (typeof e.message === "string") expect((err as KubeError).message).toBe(e.message);
      else if (e.message) expect((err as KubeError).message).toMatch(e.message);
    });
  }
});
