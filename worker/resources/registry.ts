// The resource registry: every kind kubeplay serves, declared as data. Discovery, routing, storage
// keys, printing, validation and scale all read from here — there is no per-kind switch elsewhere.
import type { GroupVersionKind } from "./types";

export type Verb = "get" | "list" | "watch" | "create" | "update" | "patch" | "delete" | "deletecollection";

const ALL_VERBS: Verb[] = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

export interface ScaleSubresource {
  /** Where the desired replica count lives, and where the observed one is reported. */
  specReplicasPath: string[];
  statusReplicasPath: string[];
  /** Label selector path in spec (a LabelSelector object or, for RCs, a plain map). */
  selectorPath: string[];
}

export interface ResourceType {
  group: string;
  version: string;
  kind: string;
  /** Plural resource name used in URLs. */
  resource: string;
  singular: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  verbs: Verb[];
  /** Has a `/status` subresource (status is ignored on main-resource writes). */
  status?: boolean;
  scale?: ScaleSubresource;
  /** Kinds whose "spec" is not under `spec` (generation counts changes of these top-level fields). */
  specFields?: string[];
}

export interface Subresource {
  name: string;
  kind: string;
  group: string;
  version: string;
  verbs: Verb[];
}

const podTemplateScale: ScaleSubresource = {
  specReplicasPath: ["spec", "replicas"],
  statusReplicasPath: ["status", "replicas"],
  selectorPath: ["spec", "selector"],
};

function def(
  group: string,
  version: string,
  kind: string,
  resource: string,
  namespaced: boolean,
  extra: Partial<ResourceType> = {},
): ResourceType {
  return { group, version, kind, resource, singular: kind.toLowerCase(), namespaced, verbs: ALL_VERBS, ...extra };
}

const all = ["all"];

export const RESOURCE_TYPES: ResourceType[] = [
  def("", "v1", "Namespace", "namespaces", false, { shortNames: ["ns"], status: true, verbs: ["create", "delete", "get", "list", "patch", "update", "watch"] }),
  def("", "v1", "Node", "nodes", false, { shortNames: ["no"], status: true }),
  def("", "v1", "Pod", "pods", true, { shortNames: ["po"], categories: all, status: true }),
  def("", "v1", "Service", "services", true, { shortNames: ["svc"], categories: all, status: true, verbs: ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"] }),
  def("", "v1", "Endpoints", "endpoints", true, { shortNames: ["ep"], singular: "endpoints" }),
  def("", "v1", "ConfigMap", "configmaps", true, { shortNames: ["cm"], specFields: ["data", "binaryData", "immutable"] }),
  def("", "v1", "Secret", "secrets", true, { specFields: ["data", "stringData", "type", "immutable"] }),
  def("", "v1", "ServiceAccount", "serviceaccounts", true, { shortNames: ["sa"] }),
  def("", "v1", "Event", "events", true, { shortNames: ["ev"] }),
  def("", "v1", "PersistentVolume", "persistentvolumes", false, { shortNames: ["pv"], status: true }),
  def("", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", true, { shortNames: ["pvc"], status: true }),
  def("", "v1", "ReplicationController", "replicationcontrollers", true, {
    shortNames: ["rc"],
    categories: all,
    status: true,
    scale: { ...podTemplateScale },
  }),
  def("", "v1", "ResourceQuota", "resourcequotas", true, { shortNames: ["quota"], status: true }),
  def("", "v1", "LimitRange", "limitranges", true, { shortNames: ["limits"] }),
  def("", "v1", "PodTemplate", "podtemplates", true, { specFields: ["template"] }),
  def("events.k8s.io", "v1", "Event", "events", true, { shortNames: ["ev"] }),
  def("apps", "v1", "Deployment", "deployments", true, { shortNames: ["deploy"], categories: all, status: true, scale: podTemplateScale }),
  def("apps", "v1", "ReplicaSet", "replicasets", true, { shortNames: ["rs"], categories: all, status: true, scale: podTemplateScale }),
  def("apps", "v1", "DaemonSet", "daemonsets", true, { shortNames: ["ds"], categories: all, status: true }),
  def("apps", "v1", "StatefulSet", "statefulsets", true, { shortNames: ["sts"], categories: all, status: true, scale: podTemplateScale }),
  def("apps", "v1", "ControllerRevision", "controllerrevisions", true, { specFields: ["data", "revision"] }),
  def("batch", "v1", "Job", "jobs", true, { categories: all, status: true }),
  def("batch", "v1", "CronJob", "cronjobs", true, { shortNames: ["cj"], categories: all, status: true }),
  def("discovery.k8s.io", "v1", "EndpointSlice", "endpointslices", true, { specFields: ["endpoints", "ports", "addressType"] }),
  def("networking.k8s.io", "v1", "Ingress", "ingresses", true, { shortNames: ["ing"], status: true }),
  def("networking.k8s.io", "v1", "IngressClass", "ingressclasses", false),
  def("networking.k8s.io", "v1", "NetworkPolicy", "networkpolicies", true, { shortNames: ["netpol"] }),
  def("storage.k8s.io", "v1", "StorageClass", "storageclasses", false, { shortNames: ["sc"] }),
  def("storage.k8s.io", "v1", "CSIDriver", "csidrivers", false),
  def("coordination.k8s.io", "v1", "Lease", "leases", true),
  def("scheduling.k8s.io", "v1", "PriorityClass", "priorityclasses", false, { shortNames: ["pc"] }),
  def("policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", true, { shortNames: ["pdb"], status: true }),
  def("autoscaling", "v2", "HorizontalPodAutoscaler", "horizontalpodautoscalers", true, { shortNames: ["hpa"], categories: all, status: true }),
  // Served from the v2 objects (api/autoscaling-v1.ts); listed after v2, which discovery prefers.
  def("autoscaling", "v1", "HorizontalPodAutoscaler", "horizontalpodautoscalers", true, { shortNames: ["hpa"], categories: all, status: true }),
  def("rbac.authorization.k8s.io", "v1", "Role", "roles", true, { specFields: ["rules"] }),
  def("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings", true, { specFields: ["subjects", "roleRef"] }),
  def("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", false, { specFields: ["rules", "aggregationRule"] }),
  def("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings", false, { specFields: ["subjects", "roleRef"] }),
];

/** Preferred version of each group, in the order discovery lists groups (core first, as upstream). */
export const GROUP_ORDER = [
  "",
  "apps",
  "events.k8s.io",
  "authentication.k8s.io",
  "authorization.k8s.io",
  "autoscaling",
  "batch",
  "networking.k8s.io",
  "policy",
  "rbac.authorization.k8s.io",
  "storage.k8s.io",
  "scheduling.k8s.io",
  "coordination.k8s.io",
  "discovery.k8s.io",
];

/** Non-trivial subresources, served by handlers of their own. */
export function subresourcesOf(t: ResourceType): Subresource[] {
  const subs: Subresource[] = [];
  if (t.status) subs.push({ name: "status", kind: t.kind, group: t.group, version: t.version, verbs: ["get", "patch", "update"] });
  if (t.scale) subs.push({ name: "scale", kind: "Scale", group: "autoscaling", version: "v1", verbs: ["get", "patch", "update"] });
  if (t.kind === "Pod" && t.group === "") {
    subs.push({ name: "binding", kind: "Binding", group: "", version: "v1", verbs: ["create"] });
    subs.push({ name: "eviction", kind: "Eviction", group: "policy", version: "v1", verbs: ["create"] });
    subs.push({ name: "log", kind: "Pod", group: "", version: "v1", verbs: ["get"] });
    subs.push({ name: "exec", kind: "PodExecOptions", group: "", version: "v1", verbs: ["create", "get"] });
  }
  if (t.kind === "Namespace") subs.push({ name: "finalize", kind: "Namespace", group: "", version: "v1", verbs: ["update"] });
  return subs;
}

/** `"<group>/<Kind>"`: the key per-kind modules (printers, validation, patch merge keys) are indexed by. */
export function gvkKey(t: { group: string; kind: string }): string {
  return `${t.group}/${t.kind}`;
}

/** `"<group>/<resource>"`: the storage key of a resource (one per resource, whatever the version). */
/** Storage keys made so far, by group and resource: the same string each time, its hash kept for the maps it keys. */
const storageKeys = new Map<string, Map<string, string>>();

export function storageKey(t: { group: string; resource: string }): string {
  let byResource = storageKeys.get(t.group);
  if (!byResource) storageKeys.set(t.group, (byResource = new Map()));
  let key = byResource.get(t.resource);
  if (key === undefined) {
    key = `${t.group}/${t.resource}`;
    // Bounded: the types served are few, but a request may name any resource.
    if (storageKeys.size < 512 && byResource.size < 512) byResource.set(t.resource, key);
  }
  return key;
}

export function apiVersionOf(t: { group: string; version: string }): string {
  return t.group ? `${t.group}/${t.version}` : t.version;
}

/** `api/v1` or `apis/<group>/<version>`: the URL path of a group version (and its OpenAPI document). */
export function groupVersionPath(t: { group: string; version: string }): string {
  return t.group ? `apis/${t.group}/${t.version}` : `api/${t.version}`;
}

export function parseApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.indexOf("/");
  return i < 0 ? { group: "", version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

const byGroupVersionResource = new Map<string, ResourceType>();
const byGroupVersionKind = new Map<string, ResourceType>();
for (const t of RESOURCE_TYPES) {
  byGroupVersionResource.set(`${t.group}/${t.version}/${t.resource}`, t);
  byGroupVersionKind.set(`${t.group}/${t.version}/${t.kind}`, t);
}

export function findResource(group: string, version: string, resource: string): ResourceType | undefined {
  return byGroupVersionResource.get(`${group}/${version}/${resource}`);
}

export function findKind(gvk: GroupVersionKind): ResourceType | undefined {
  return byGroupVersionKind.get(`${gvk.group}/${gvk.version}/${gvk.kind}`);
}

/** Group versions served, each with its resources, in discovery order. */
export function groupVersions(): { group: string; version: string; types: ResourceType[] }[] {
  const out = new Map<string, { group: string; version: string; types: ResourceType[] }>();
  const order = (g: string) => {
    const i = GROUP_ORDER.indexOf(g);
    return i < 0 ? GROUP_ORDER.length : i;
  };
  const sorted = [...RESOURCE_TYPES].sort((a, b) => order(a.group) - order(b.group));
  for (const t of sorted) {
    const key = `${t.group}/${t.version}`;
    let gv = out.get(key);
    if (!gv) out.set(key, (gv = { group: t.group, version: t.version, types: [] }));
    gv.types.push(t);
  }
  return [...out.values()];
}

/** The version discovery prefers for a group (the first listed). */
export function preferredVersion(group: string): string | undefined {
  return groupVersions().find((gv) => gv.group === group)?.version;
}
