// Patch metadata of the built-in types: which fields are merged by key (strategic merge patch struct
// tags `patchStrategy:"merge" patchMergeKey:"..."`) and how server-side apply treats lists and
// atomic structs (`+listType`, `+listMapKey`, `+structType=atomic`, `+mapType=atomic`).
// Models staging/src/k8s.io/api/core/v1/types.go, apps/v1/types.go, batch/v1/types.go struct tags
// Fields not listed here have no strategy: lists are replaced (SMP) and owned atomically (SSA);
// objects are merged field by field.

export interface FieldSpec {
  /** Named type (key of TYPES) of the field's value, or of its elements for lists. */
  type?: string;
  /** Strategic merge: "merge" merges lists (by patchMergeKey for objects, as a set for primitives). */
  patchStrategy?: "merge";
  patchMergeKey?: string;
  /** Server-side apply list semantics; lists default to atomic. */
  listType?: "map" | "set" | "atomic";
  /** Keys identifying items of a `listType: map` list. */
  listMapKeys?: string[];
  /** Values the apiserver defaults for missing key fields (e.g. protocol TCP), so items still have a key. */
  keyDefaults?: Record<string, string | number>;
  /** The object (struct or map) is owned as a whole by server-side apply. */
  atomic?: boolean;
}

export type TypeSpec = Record<string, FieldSpec>;

const byName = (type?: string): FieldSpec => ({
  type,
  patchStrategy: "merge",
  patchMergeKey: "name",
  listType: "map",
  listMapKeys: ["name"],
});
const conditions: FieldSpec = { patchStrategy: "merge", patchMergeKey: "type", listType: "map", listMapKeys: ["type"] };
const atomic: FieldSpec = { atomic: true };
const meta: FieldSpec = { type: "ObjectMeta" };
const template: FieldSpec = { type: "PodTemplateSpec" };
const statusWithConditions: TypeSpec = { conditions };

export const TYPES: Record<string, TypeSpec> = {
  ObjectMeta: {
    finalizers: { patchStrategy: "merge", listType: "set" },
    ownerReferences: { patchStrategy: "merge", patchMergeKey: "uid", listType: "map", listMapKeys: ["uid"] },
  },
  PodTemplateSpec: { metadata: meta, spec: { type: "PodSpec" } },
  PodSpec: {
    volumes: byName(),
    initContainers: byName("Container"),
    containers: byName("Container"),
    ephemeralContainers: byName("Container"),
    imagePullSecrets: byName(),
    hostAliases: { patchStrategy: "merge", patchMergeKey: "ip", listType: "map", listMapKeys: ["ip"] },
    // Tolerations, readinessGates and affinity terms carry no strategy: replaced as a whole.
    topologySpreadConstraints: {
      type: "TopologySpreadConstraint",
      patchStrategy: "merge",
      patchMergeKey: "topologyKey",
      listType: "map",
      listMapKeys: ["topologyKey", "whenUnsatisfiable"],
    },
    resourceClaims: byName(),
    schedulingGates: byName(),
  },
  TopologySpreadConstraint: { labelSelector: atomic },
  Container: {
    ports: {
      patchStrategy: "merge",
      patchMergeKey: "containerPort",
      listType: "map",
      listMapKeys: ["containerPort", "protocol"],
      keyDefaults: { protocol: "TCP" },
    },
    env: byName(),
    // envFrom and resizePolicy are atomic.
    volumeMounts: { patchStrategy: "merge", patchMergeKey: "mountPath", listType: "map", listMapKeys: ["mountPath"] },
    volumeDevices: { patchStrategy: "merge", patchMergeKey: "devicePath", listType: "map", listMapKeys: ["devicePath"] },
    resources: { type: "ResourceRequirements" },
  },
  ResourceRequirements: { claims: { listType: "map", listMapKeys: ["name"] } },
  PodStatus: {
    conditions,
    podIPs: { patchStrategy: "merge", patchMergeKey: "ip", listType: "map", listMapKeys: ["ip"] },
    hostIPs: { patchStrategy: "merge", patchMergeKey: "ip", listType: "atomic" },
    resourceClaimStatuses: byName(),
  },
  ServiceSpec: {
    ports: {
      patchStrategy: "merge",
      patchMergeKey: "port",
      listType: "map",
      listMapKeys: ["port", "protocol"],
      keyDefaults: { protocol: "TCP" },
    },
    selector: atomic,
  },
  ReplicationControllerSpec: { selector: atomic, template },
  NodeSpec: { podCIDRs: { patchStrategy: "merge", listType: "set" } },
  NodeStatus: {
    conditions,
    addresses: { patchStrategy: "merge", patchMergeKey: "type", listType: "map", listMapKeys: ["type"] },
  },
  ServiceAccount: { metadata: meta, secrets: byName() },
  WorkloadSpec: { selector: atomic, template },
  StatefulSetSpec: { selector: atomic, template },
  JobSpec: { selector: atomic, template },
  JobStatus: { conditions: { ...conditions, listType: "atomic", listMapKeys: undefined } },
  CronJobSpec: { jobTemplate: { type: "JobTemplateSpec" } },
  JobTemplateSpec: { metadata: meta, spec: { type: "JobSpec" } },
  PodDisruptionBudgetSpec: { selector: atomic },
  StatusWithConditions: statusWithConditions,
  Object: { metadata: meta },
};

/** Root type of each kind, by "<group>/<Kind>" (core group empty). */
function root(spec?: string, status?: string, extra: TypeSpec = {}): TypeSpec {
  const t: TypeSpec = { metadata: meta, ...extra };
  if (spec) t.spec = { type: spec };
  if (status) t.status = { type: status };
  return t;
}

const ROOTS: Record<string, TypeSpec> = {
  "/Pod": root("PodSpec", "PodStatus"),
  "/PodTemplate": root(undefined, undefined, { template }),
  "/Service": root("ServiceSpec", "StatusWithConditions"),
  "/ReplicationController": root("ReplicationControllerSpec", "StatusWithConditions"),
  "/Node": root("NodeSpec", "NodeStatus"),
  "/Namespace": root(undefined, "StatusWithConditions"),
  "/PersistentVolumeClaim": root(undefined, "StatusWithConditions"),
  "/ServiceAccount": TYPES.ServiceAccount,
  "apps/Deployment": root("WorkloadSpec", "StatusWithConditions"),
  "apps/ReplicaSet": root("WorkloadSpec", "StatusWithConditions"),
  "apps/DaemonSet": root("WorkloadSpec", "StatusWithConditions"),
  "apps/StatefulSet": root("StatefulSetSpec", "StatusWithConditions"),
  "batch/Job": root("JobSpec", "JobStatus"),
  "batch/CronJob": root("CronJobSpec"),
  "policy/PodDisruptionBudget": root("PodDisruptionBudgetSpec", "StatusWithConditions"),
  "autoscaling/HorizontalPodAutoscaler": root(undefined, "StatusWithConditions"),
};

for (const [gvkKey, spec] of Object.entries(ROOTS)) TYPES[`root:${gvkKey}`] = spec;

/** Root type name for a gvkKey; unknown kinds (custom resources) get only ObjectMeta metadata. */
export function rootTypeFor(gvkKey: string): string {
  return ROOTS[gvkKey] ? `root:${gvkKey}` : "Object";
}

/** Patch metadata of `field` within type `typeName` (undefined when the field has no strategy). */
export function fieldSpec(typeName: string | undefined, field: string): FieldSpec | undefined {
  if (!typeName) return undefined;
  return TYPES[typeName]?.[field];
}
