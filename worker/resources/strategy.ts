// Per-kind storage strategy hooks (what the apiserver's registry strategies do besides validation):
// status on create, generation tracking, and allocation of cluster IPs and node ports.
import type { Rng } from "../sandbox/rng";
import type { ObjectStore } from "../store/object-store";
import type { FieldError, KubeObject } from "./types";
import { allocateServiceAddresses } from "./service-alloc";
import { admitPriorityClass, resolvePodPriority } from "../scheduler/priority";

export interface StrategyContext {
  store: ObjectStore;
  rng: Rng;
  /** Virtual now, RFC 3339. */
  now: string;
}

export interface KindStrategy {
  /** Runs on create after defaulting, before validation. */
  prepareCreate?(obj: KubeObject, ctx: StrategyContext): void;
  /** Runs on create and update after validation; returns allocation errors (422). */
  allocate?(obj: KubeObject, old: KubeObject | undefined, ctx: StrategyContext): FieldError[];
}

/** Kinds whose strategy maintains metadata.generation (bumped when the spec changes). */
export const GENERATION_KINDS = new Set([
  "apps/Deployment",
  "apps/ReplicaSet",
  "apps/DaemonSet",
  "apps/StatefulSet",
  "batch/Job",
  "batch/CronJob",
  "/ReplicationController",
  "policy/PodDisruptionBudget",
  "autoscaling/HorizontalPodAutoscaler",
  "networking.k8s.io/Ingress",
  "networking.k8s.io/NetworkPolicy",
]);

type Resources = { requests?: Record<string, unknown>; limits?: Record<string, unknown> };
type ContainerLike = { resources?: Resources };

/** Models pkg/apis/core/helper/qos/qos.go GetPodQOS (cpu and memory only). */
export function podQosClass(spec: { containers?: ContainerLike[]; initContainers?: ContainerLike[] } | undefined): string {
  const containers = [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])];
  let anySet = false;
  let guaranteed = true;
  for (const c of containers) {
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    for (const r of ["cpu", "memory"]) {
      if (req[r] !== undefined || lim[r] !== undefined) anySet = true;
      if (lim[r] === undefined) guaranteed = false;
      else if (req[r] !== undefined && String(req[r]) !== String(lim[r])) guaranteed = false;
    }
  }
  if (!anySet) return "BestEffort";
  return guaranteed ? "Guaranteed" : "Burstable";
}

export const strategies: Record<string, KindStrategy> = {
  "/Pod": {
    prepareCreate(obj, ctx) {
      obj.status = { phase: "Pending", qosClass: podQosClass(obj.spec as never) };
      resolvePodPriority(obj, ctx.store);
    },
  },
  "scheduling.k8s.io/PriorityClass": {
    // The Priority admission plugin's check, which runs after validation.
    allocate(obj, old, ctx) {
      admitPriorityClass(obj, old, ctx.store);
      return [];
    },
  },
  "/Namespace": {
    prepareCreate(obj) {
      obj.status = { phase: "Active" };
    },
  },
  "/Service": {
    prepareCreate(obj) {
      obj.status = { loadBalancer: {} };
    },
    allocate(obj, old, ctx) {
      return allocateServiceAddresses(obj, old, ctx);
    },
  },
  "/PersistentVolumeClaim": {
    prepareCreate(obj) {
      obj.status = { phase: "Pending" };
    },
  },
  "/PersistentVolume": {
    prepareCreate(obj) {
      obj.status = { phase: "Pending" };
    },
  },
};

/** Kinds whose status is reset to empty on create (their controllers fill it in). */
export const STATUS_RESET_ON_CREATE = new Set([
  "apps/Deployment",
  "apps/ReplicaSet",
  "apps/DaemonSet",
  "apps/StatefulSet",
  "batch/Job",
  "batch/CronJob",
  "/ReplicationController",
  "policy/PodDisruptionBudget",
  "autoscaling/HorizontalPodAutoscaler",
  "networking.k8s.io/Ingress",
  "/ResourceQuota",
  "/Node",
]);
