// Defaulting and validation per kind, as the apiserver applies them on create and update.
// Keys are "<group>/<Kind>" with the core group empty ("/Pod", "apps/Deployment").
import type { FieldError, KubeObject } from "../types";
import {
  defaultDaemonSet,
  defaultDeployment,
  defaultReplicaSet,
  defaultReplicationController,
  defaultStatefulSet,
  selectorImmutable,
  validateControllerRevision,
  validateControllerRevisionUpdate,
  validateDaemonSetSpec,
  validateDeploymentSpec,
  validateReplicaSetSpec,
  validateReplicationControllerSpec,
  validateStatefulSetSpec,
  validateStatefulSetUpdate,
} from "./apps";
import { cronJobNameLength, defaultCronJob, defaultJob, validateCronJob, validateJob, validateJobUpdate } from "./batch";
import {
  defaultBinding,
  defaultHorizontalPodAutoscaler,
  defaultPriorityClass,
  defaultCSIDriver,
  defaultStorageClass,
  validateBinding,
  validateBindingUpdate,
  validateHorizontalPodAutoscaler,
  validateLease,
  validatePodDisruptionBudget,
  validatePriorityClass,
  validatePriorityClassUpdate,
  validateRules,
  validateCSIDriver,
  validateCSIDriverUpdate,
  validateStorageClass,
  validateStorageClassUpdate,
} from "./cluster";
import {
  base64Error,
  defaultNamespace,
  defaultNode,
  defaultPersistentVolume,
  defaultPersistentVolumeClaim,
  defaultSecret,
  validateConfigMap,
  validateDataUpdate,
  validateNamespace,
  validateNode,
  validatePersistentVolume,
  validatePersistentVolumeClaim,
  validatePersistentVolumeClaimUpdate,
  validatePersistentVolumeUpdate,
  validateSecret,
} from "./core";
import { validateCoreEvent, validateEventsV1 } from "./events";
import { defaultLimitRange, defaultResourceQuota, validateLimitRange, validateResourceQuota } from "./quota";
import { rec, sortedKeys, str } from "./field";
import {
  nullTemplateTimestamps,
  type NameFn,
  nameAny,
  nameIsDNS1035Label,
  nameIsDNSLabel,
  nameIsDNSSubdomain,
  nameIsPathSegment,
  validateObjectMeta,
  validateObjectMetaUpdate,
} from "./meta";
import { defaultNetworkPolicy, validateIngress, validateIngressClass, validateIngressClassUpdate, validateNetworkPolicy } from "./networking";
import { validatePodCreate, validatePodUpdate } from "./pod";
import { defaultPod } from "./pod-defaults";
import { QUANTITY_FORMAT_ERROR, parseQuantity } from "./quantity";
import {
  defaultEndpointSlice,
  defaultEndpoints,
  defaultService,
  prepareServiceUpdate,
  validateEndpointSlice,
  validateEndpointSliceUpdate,
  validateEndpoints,
  validateService,
} from "./service";

export { finalizeJobSelector } from "./batch";
export { prepareServiceUpdate } from "./service";
export { parseQuantity, formatQuantity, cmpQuantity, canonicalQuantity, type Quantity } from "./quantity";
export { normalizeForStorage, selectorMatches, validateLabelSelector } from "./meta";
export { cronError } from "./cron";

interface KindRules {
  /** Name format; also used for names in request paths. */
  name: NameFn;
  /** false: cluster-scoped. */
  namespaced: boolean;
  defaults?(obj: KubeObject): void;
  /** Kind-specific checks shared by create and update (metadata is handled here). */
  validate?(obj: KubeObject, old?: KubeObject): FieldError[];
  /** Extra checks on create only. */
  create?(obj: KubeObject): FieldError[];
  /** Immutability rules. */
  update?(obj: KubeObject, old: KubeObject): FieldError[];
  /** Replaces the generic metadata + validate pipeline entirely (Pods). */
  createAll?(obj: KubeObject): FieldError[];
  updateAll?(obj: KubeObject, old: KubeObject): FieldError[];
}

const subdomain = (namespaced: boolean, rest: Omit<KindRules, "name" | "namespaced"> = {}): KindRules => ({ name: nameIsDNSSubdomain, namespaced, ...rest });
const rbac = (namespaced: boolean, rest: Omit<KindRules, "name" | "namespaced">): KindRules => ({ name: nameIsPathSegment, namespaced, ...rest });

const KINDS: Record<string, KindRules> = {
  "/Namespace": { name: nameIsDNSLabel, namespaced: false, defaults: defaultNamespace, validate: validateNamespace },
  "/Node": subdomain(false, { defaults: defaultNode, validate: validateNode }),
  "/Pod": { name: nameIsDNSSubdomain, namespaced: true, defaults: (o) => defaultPod(o), createAll: validatePodCreate, updateAll: validatePodUpdate },
  "/Service": { name: nameIsDNS1035Label, namespaced: true, defaults: defaultService, validate: validateService },
  "/Endpoints": subdomain(true, { defaults: defaultEndpoints, validate: validateEndpoints }),
  "/ConfigMap": subdomain(true, { validate: validateConfigMap, update: (o, p) => validateDataUpdate(o, p, false) }),
  "/Secret": subdomain(true, { defaults: defaultSecret, validate: validateSecret, update: (o, p) => validateDataUpdate(o, p, true) }),
  "/ServiceAccount": subdomain(true),
  // Legacy Events skip name validation upstream; only what a URL cannot carry is refused.
  "/Event": { name: nameAny, namespaced: true, validate: validateCoreEvent },
  "/PersistentVolume": subdomain(false, { defaults: defaultPersistentVolume, validate: validatePersistentVolume, update: validatePersistentVolumeUpdate }),
  "/PersistentVolumeClaim": subdomain(true, { defaults: defaultPersistentVolumeClaim, validate: validatePersistentVolumeClaim, update: validatePersistentVolumeClaimUpdate }),
  "/ReplicationController": subdomain(true, { defaults: defaultReplicationController, validate: validateReplicationControllerSpec }),
  "/ResourceQuota": subdomain(true, { defaults: defaultResourceQuota, validate: validateResourceQuota }),
  "/LimitRange": subdomain(true, { defaults: defaultLimitRange, validate: validateLimitRange }),
  "events.k8s.io/Event": subdomain(true, { validate: validateEventsV1 }),
  "apps/Deployment": subdomain(true, { defaults: defaultDeployment, validate: validateDeploymentSpec, update: selectorImmutable }),
  "apps/ReplicaSet": subdomain(true, { defaults: defaultReplicaSet, validate: validateReplicaSetSpec, update: selectorImmutable }),
  "apps/DaemonSet": subdomain(true, { defaults: defaultDaemonSet, validate: validateDaemonSetSpec, update: selectorImmutable }),
  "apps/StatefulSet": subdomain(true, { defaults: defaultStatefulSet, validate: validateStatefulSetSpec, update: validateStatefulSetUpdate }),
  "apps/ControllerRevision": subdomain(true, { validate: validateControllerRevision, update: validateControllerRevisionUpdate }),
  "batch/Job": subdomain(true, { defaults: defaultJob, validate: validateJob, update: validateJobUpdate }),
  "batch/CronJob": subdomain(true, { defaults: defaultCronJob, validate: validateCronJob, create: cronJobNameLength }),
  "discovery.k8s.io/EndpointSlice": subdomain(true, { defaults: defaultEndpointSlice, validate: validateEndpointSlice, update: validateEndpointSliceUpdate }),
  "networking.k8s.io/Ingress": subdomain(true, { validate: validateIngress }),
  "networking.k8s.io/IngressClass": subdomain(false, { validate: validateIngressClass, update: validateIngressClassUpdate }),
  "networking.k8s.io/NetworkPolicy": subdomain(true, { defaults: defaultNetworkPolicy, validate: validateNetworkPolicy }),
  "storage.k8s.io/StorageClass": subdomain(false, { defaults: defaultStorageClass, validate: validateStorageClass, update: validateStorageClassUpdate }),
  "storage.k8s.io/CSIDriver": subdomain(false, { defaults: defaultCSIDriver, validate: validateCSIDriver, update: validateCSIDriverUpdate }),
  "coordination.k8s.io/Lease": subdomain(true, { validate: validateLease }),
  "scheduling.k8s.io/PriorityClass": subdomain(false, { defaults: defaultPriorityClass, validate: validatePriorityClass, update: validatePriorityClassUpdate }),
  "policy/PodDisruptionBudget": subdomain(true, { validate: validatePodDisruptionBudget }),
  "autoscaling/HorizontalPodAutoscaler": subdomain(true, { defaults: defaultHorizontalPodAutoscaler, validate: validateHorizontalPodAutoscaler }),
  "rbac.authorization.k8s.io/Role": rbac(true, { validate: (o) => validateRules(o, true) }),
  "rbac.authorization.k8s.io/ClusterRole": rbac(false, { validate: (o) => validateRules(o, false) }),
  "rbac.authorization.k8s.io/RoleBinding": rbac(true, { defaults: defaultBinding, validate: (o) => validateBinding(o, true), update: validateBindingUpdate }),
  "rbac.authorization.k8s.io/ClusterRoleBinding": rbac(false, { defaults: defaultBinding, validate: (o) => validateBinding(o, false), update: validateBindingUpdate }),
};

/** Applies scheme defaults (and, for Pods, the default admission chain). Mutates; idempotent. */
export function applyDefaults(key: string, obj: KubeObject): void {
  obj.metadata ??= {};
  nullTemplateTimestamps(obj);
  const rules = KINDS[key];
  // Cluster-scoped objects never carry a namespace.
  if (rules && !rules.namespaced) delete obj.metadata.namespace;
  rules?.defaults?.(obj);
}

/** Errors for a new object, already defaulted. */
export function validateCreate(key: string, obj: KubeObject): FieldError[] {
  const rules = KINDS[key];
  if (!rules) return validateObjectMeta(obj, undefined, nameIsDNSSubdomain);
  if (rules.createAll) return rules.createAll(obj);
  return [...validateObjectMeta(obj, rules.namespaced, rules.name), ...(rules.validate?.(obj) ?? []), ...(rules.create?.(obj) ?? [])];
}

/** Errors for replacing `old` with `obj` (already defaulted), including immutability. */
export function validateUpdate(key: string, obj: KubeObject, old: KubeObject): FieldError[] {
  const rules = KINDS[key];
  if (!rules) return validateObjectMetaUpdate(obj, old);
  if (rules.updateAll) return rules.updateAll(obj, old);
  return [...validateObjectMetaUpdate(obj, old), ...(rules.validate?.(obj, old) ?? []), ...(rules.update?.(obj, old) ?? [])];
}

/**
 * Errors for a status write (`next` carries the stored spec). A pod's rules look at its spec alone,
 * which a status write cannot change: only its metadata (labels, annotations) needs checking, as
 * upstream's ValidatePodStatusUpdate does. Other kinds check their status in their rules.
 */
export function validateStatusUpdate(key: string, obj: KubeObject, old: KubeObject): FieldError[] {
  if (key === "/Pod") return validateObjectMetaUpdate(obj, old);
  return validateUpdate(key, obj, old);
}

/** Messages for an invalid name of this kind (empty when valid). */
export function validateName(key: string, name: string): string[] {
  return (KINDS[key]?.name ?? nameIsDNSSubdomain)(name, false);
}

/** What update strategies do to the new object before validation (drop fields a type change orphaned). */
export function prepareUpdate(key: string, obj: KubeObject, old: KubeObject): void {
  if (key === "/Service") prepareServiceUpdate(obj, old);
  if (key === "/Namespace") {
    // Spec (finalizers) changes only through the finalize subresource.
    obj.spec = structuredClone(old.spec);
  }
}

/**
 * Errors the apiserver reports while decoding the body (HTTP 400, not 422): bad base64 in a Secret's
 * data and malformed quantities in container resources. Returns the message, or undefined.
 */
export function decodeError(key: string, obj: KubeObject): string | undefined {
  const kind = key.slice(key.indexOf("/") + 1);
  if (key === "/Secret") {
    const data = rec(obj.data);
    for (const k of sortedKeys(data)) {
      const e = base64Error(str(data?.[k]));
      if (e) return e;
    }
  }
  const lists: unknown[] = [];
  const collect = (spec: unknown) => {
    const s = rec(spec);
    for (const list of ["containers", "initContainers"]) {
      for (const c of Array.isArray(s?.[list]) ? (s?.[list] as unknown[]) : []) {
        const r = rec(rec(c)?.resources);
        lists.push(r?.limits, r?.requests);
      }
    }
  };
  const spec = rec(obj.spec);
  collect(spec);
  collect(rec(spec?.template)?.spec);
  collect(rec(rec(rec(spec?.jobTemplate)?.spec)?.template)?.spec);
  if (kind === "PersistentVolumeClaim") lists.push(rec(spec?.resources)?.requests);
  for (const list of lists) {
    for (const v of Object.values(rec(list) ?? {})) {
      if (typeof parseQuantity(v) === "string") return QUANTITY_FORMAT_ERROR;
    }
  }
  return undefined;
}
