// The ReplicaSet and ReplicationController controllers: keep `spec.replicas` active pods matching
// the selector, adopting orphans and releasing pods that stop matching, and report how many of them
// exist, carry the template's labels, are ready, and have been ready for minReadySeconds.
// The two kinds differ only in their selector (a LabelSelector or a plain map) and event source.
// Models pkg/controller/replicaset/replica_set.go syncReplicaSet / manageReplicas
import { matchesLabels, type LabelSelector, type LabelSelectorSpec } from "../api/selectors";
import { findKind, storageKey, type ResourceType } from "../resources/registry";
import type { KubeObject } from "../resources/types";
import { deepEqual } from "../util/equal";
import {
  availableFrom,
  claimObjects,
  controllerRefOf,
  isPodActive,
  isPodReady,
  podFromTemplate,
  sortForDeletion,
  type PodTemplate,
} from "./replica-pods";
import type { Controller, ControllerContext } from "./types";
import { parseSelector } from "./workload-helpers";

const POD = findKind({ group: "", version: "v1", kind: "Pod" })!;
const REPLICA_SET = findKind({ group: "apps", version: "v1", kind: "ReplicaSet" })!;
const REPLICATION_CONTROLLER = findKind({ group: "", version: "v1", kind: "ReplicationController" })!;

/** At most this many pods are created or deleted in one pass, as upstream's burstReplicas. */
const BURST_REPLICAS = 500;

interface ReplicaSpec {
  replicas?: number;
  minReadySeconds?: number;
  selector?: unknown;
  template?: PodTemplate;
}

interface ReplicaCondition {
  type: string;
  status: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface ReplicaStatus {
  replicas: number;
  fullyLabeledReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  observedGeneration?: number;
  conditions?: ReplicaCondition[];
}

interface Flavor {
  type: ResourceType;
  component: string;
  /** The object's selector; undefined when it selects nothing usable. */
  selector(obj: KubeObject): LabelSelector | undefined;
}

function specOf(obj: KubeObject): ReplicaSpec {
  return (obj.spec ?? {}) as ReplicaSpec;
}

function statusOf(obj: KubeObject): Partial<ReplicaStatus> {
  return (obj.status ?? {}) as Partial<ReplicaStatus>;
}

function parsedSelector(spec: LabelSelectorSpec | undefined): LabelSelector | undefined {
  return parseSelector(spec);
}

const REPLICA_SET_FLAVOR: Flavor = {
  type: REPLICA_SET,
  component: "replicaset-controller",
  selector: (rs) => parsedSelector(specOf(rs).selector as LabelSelectorSpec | undefined),
};

const REPLICATION_CONTROLLER_FLAVOR: Flavor = {
  type: REPLICATION_CONTROLLER,
  component: "replication-controller",
  selector(rc) {
    const map = specOf(rc).selector as Record<string, string> | undefined;
    // An empty map selector selects nothing for a ReplicationController.
    if (!map || Object.keys(map).length === 0) return undefined;
    return parsedSelector({ matchLabels: map });
  },
};

function templateLabelsMatch(template: PodTemplate | undefined, labels: Record<string, string> | undefined): boolean {
  const want = template?.metadata?.labels;
  for (const k in want) if (labels?.[k] !== want[k]) return false;
  return true;
}

/** Active pods controlled by any object sharing `owner`'s controller (or by `owner` itself), per node. */
function relatedPodsPerNode(ctx: ControllerContext, flavor: Flavor, owner: KubeObject, pods: KubeObject[]): Map<string, number> {
  const parent = controllerRefOf(owner)?.uid;
  const siblings = new Set([owner.metadata.uid]);
  if (parent) {
    for (const o of ctx.list(storageKey(flavor.type), owner.metadata.namespace)) {
      if (controllerRefOf(o)?.uid === parent) siblings.add(o.metadata.uid);
    }
  }
  const perNode = new Map<string, number>();
  for (const p of pods) {
    if (!isPodActive(p) || !siblings.has(controllerRefOf(p)?.uid)) continue;
    const node = (p.spec as { nodeName?: string } | undefined)?.nodeName ?? "";
    perNode.set(node, (perNode.get(node) ?? 0) + 1);
  }
  return perNode;
}

/** Creates or deletes pods to reach `spec.replicas`; false when a pod could not be created. */
// Models pkg/controller/replicaset/replica_set.go manageReplicas / getPodsToDelete
function manageReplicas(ctx: ControllerContext, flavor: Flavor, owner: KubeObject, pods: KubeObject[], allPods: KubeObject[]): boolean {
  const spec = specOf(owner);
  const diff = pods.length - (spec.replicas ?? 1);
  if (diff < 0) {
    for (let i = 0; i < Math.min(-diff, BURST_REPLICAS); i++) {
      const created = ctx.create(POD, podFromTemplate(owner, spec.template ?? {}));
      if (!created) return false;
      ctx.event(owner, "Normal", "SuccessfulCreate", `Created pod: ${created.metadata.name}`, flavor.component);
    }
  } else if (diff > 0) {
    const perNode = relatedPodsPerNode(ctx, flavor, owner, allPods);
    const rank = (p: KubeObject) => perNode.get((p.spec as { nodeName?: string } | undefined)?.nodeName ?? "") ?? 0;
    for (const pod of sortForDeletion(pods, rank).slice(0, Math.min(diff, BURST_REPLICAS))) {
      ctx.delete(POD, pod);
      ctx.event(owner, "Normal", "SuccessfulDelete", `Deleted pod: ${pod.metadata.name}`, flavor.component);
    }
  }
  return true;
}

/** The status the pods observed this pass give; zero counts are left out as the API omits them. */
// Models pkg/controller/replicaset/replica_set_utils.go calculateStatus
export function calculateReplicaStatus(owner: KubeObject, pods: KubeObject[], createFailed: boolean, now: number, nowRfc3339: string, failure?: string): ReplicaStatus {
  const spec = specOf(owner);
  const minReady = spec.minReadySeconds ?? 0;
  let fullyLabeled = 0;
  let ready = 0;
  let available = 0;
  for (const p of pods) {
    if (templateLabelsMatch(spec.template, p.metadata.labels)) fullyLabeled++;
    if (isPodReady(p)) {
      ready++;
      if ((availableFrom(p, minReady) ?? Infinity) <= now) available++;
    }
  }
  const status: ReplicaStatus = { replicas: pods.length };
  if (fullyLabeled) status.fullyLabeledReplicas = fullyLabeled;
  if (ready) status.readyReplicas = ready;
  if (available) status.availableReplicas = available;
  if (owner.metadata.generation) status.observedGeneration = owner.metadata.generation;
  const conditions = (statusOf(owner).conditions ?? []).filter((c) => c.type !== "ReplicaFailure");
  const failed = (statusOf(owner).conditions ?? []).find((c) => c.type === "ReplicaFailure");
  if (createFailed) {
    conditions.push(
      failed ?? { type: "ReplicaFailure", status: "True", lastTransitionTime: nowRfc3339, reason: "FailedCreate", message: failure ?? "pods could not be created" },
    );
  }
  if (conditions.length) status.conditions = conditions;
  return status;
}

function syncOne(ctx: ControllerContext, flavor: Flavor, owner: KubeObject): void {
  const selector = flavor.selector(owner);
  if (!selector) return;
  const namespace = owner.metadata.namespace ?? "";
  const allPods = ctx.list(storageKey(POD), namespace);
  const pods = claimObjects(ctx, POD, owner, allPods.filter(isPodActive), (p) => matchesLabels(selector, p.metadata.labels));

  let createFailed = false;
  let failure: string | undefined;
  if (!owner.metadata.deletionTimestamp) {
    const hadFailure = (statusOf(owner).conditions ?? []).some((c) => c.type === "ReplicaFailure");
    createFailed = !manageReplicas(ctx, flavor, owner, pods, allPods);
    if (createFailed) failure = ctx.lastCreateError;
    // Reported once per failure spell: an event every pass would keep the cluster from settling.
    if (createFailed && !hadFailure) {
      ctx.event(owner, "Warning", "FailedCreate", `Error creating: ${failure ?? `pods "${owner.metadata.name}-" could not be created`}`, flavor.component);
    }
  }

  const status = calculateReplicaStatus(owner, pods, createFailed, ctx.now(), ctx.nowRfc3339(), failure);
  if (!deepEqual(owner.status, status)) {
    const next = structuredClone(owner);
    next.status = status;
    ctx.updateStatus(flavor.type, next);
  }
  // Pods ready but not yet ready long enough become available later: look again then.
  const minReady = specOf(owner).minReadySeconds ?? 0;
  if (minReady > 0) {
    for (const p of pods) {
      const at = availableFrom(p, minReady);
      if (at !== undefined && at > ctx.now()) ctx.requeueAt(at);
    }
  }
}

function controllerFor(flavor: Flavor): Controller {
  return (ctx) => {
    for (const owner of ctx.list(storageKey(flavor.type))) syncOne(ctx, flavor, owner);
  };
}

export const replicaSetController: Controller = controllerFor(REPLICA_SET_FLAVOR);
export const replicationControllerController: Controller = controllerFor(REPLICATION_CONTROLLER_FLAVOR);
