// What the workload controllers (DaemonSet, StatefulSet, Job, CronJob) share: controller references,
// pod readiness and availability, building pods from templates, claiming pods by selector, and
// events that must not repeat on every pass of a level-triggered loop.
import type { OwnerReference } from "kubernetes-types/meta/v1";
import { labelSelectorFromSpec, matchesLabels, type LabelSelector, type LabelSelectorSpec } from "../api/selectors";
import { apiVersionOf, findKind, parseApiVersion, type ResourceType } from "../resources/registry";
import type { KubeObject } from "../resources/types";
import { rfc3339 } from "../sandbox/clock";
import type { ControllerContext, EventType } from "./types";

export const POD_TYPE: ResourceType = findKind({ group: "", version: "v1", kind: "Pod" })!;

export type Obj = Record<string, unknown>;

export function rec(v: unknown): Obj {
  return v && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : {};
}

export function list<T = Obj>(v: unknown): T[] {
  return Array.isArray(v) ? (v as T[]) : [];
}

export function specOf(obj: KubeObject): Obj {
  return rec(obj.spec);
}

export function statusOf(obj: KubeObject): Obj {
  return rec(obj.status);
}

/** Epoch ms of an RFC 3339 timestamp, undefined when absent or unparsable. */
export function parseTime(v: unknown): number | undefined {
  if (typeof v !== "string" || !v) return undefined;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : t;
}

export const ts = rfc3339;

export function controllerRefOf(obj: KubeObject): OwnerReference | undefined {
  return (obj.metadata.ownerReferences ?? []).find((r) => r.controller === true);
}

export function isControlledBy(obj: KubeObject, owner: KubeObject): boolean {
  return controllerRefOf(obj)?.uid === owner.metadata.uid;
}

// Models staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/controller_ref.go NewControllerRef
export function newControllerRef(owner: KubeObject): OwnerReference {
  const { group, version } = parseApiVersion(owner.apiVersion);
  return {
    apiVersion: apiVersionOf({ group, version }),
    kind: owner.kind,
    name: owner.metadata.name ?? "",
    uid: owner.metadata.uid ?? "",
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** Objects in `namespace` of `resource` whose controller is `owner`. */
export function controlledBy(ctx: ControllerContext, resource: string, owner: KubeObject): KubeObject[] {
  return ctx.list(resource, owner.metadata.namespace ?? "").filter((o) => isControlledBy(o, owner));
}

export function namespaceTerminating(ctx: ControllerContext, namespace: string): boolean {
  const ns = ctx.get("/namespaces", "", namespace);
  return !ns || !!ns.metadata.deletionTimestamp;
}

// ---------------------------------------------------------------------------------------------
// Pod state
// ---------------------------------------------------------------------------------------------

export function podPhase(pod: KubeObject): string {
  return String(statusOf(pod).phase ?? "");
}

export function isTerminating(pod: KubeObject): boolean {
  return !!pod.metadata.deletionTimestamp;
}

function readyCondition(pod: KubeObject): Obj | undefined {
  return list(statusOf(pod).conditions).find((c) => c.type === "Ready");
}

export function isPodReady(pod: KubeObject): boolean {
  return readyCondition(pod)?.status === "True";
}

/**
 * When a ready pod counts as available (ready for minReadySeconds), undefined when it is not ready.
 * Models pkg/api/v1/pod/util.go IsPodAvailable
 */
export function availableAt(pod: KubeObject, minReadySeconds: number): number | undefined {
  const c = readyCondition(pod);
  if (c?.status !== "True") return undefined;
  if (!minReadySeconds) return -Infinity;
  const since = parseTime(c.lastTransitionTime);
  return since === undefined ? -Infinity : since + minReadySeconds * 1000;
}

export function isPodAvailable(pod: KubeObject, minReadySeconds: number, now: number): boolean {
  const at = availableAt(pod, minReadySeconds);
  return at !== undefined && at <= now;
}

/** Asks for a pass when the first ready-but-not-yet-available pod becomes available. */
export function requeueForAvailability(ctx: ControllerContext, pods: KubeObject[], minReadySeconds: number): void {
  if (!minReadySeconds) return;
  for (const p of pods) {
    const at = availableAt(p, minReadySeconds);
    if (at !== undefined && at > ctx.now()) ctx.requeueAt(at);
  }
}

/** Models pkg/controller/controller_utils.go FilterActivePods (IsPodActive). */
export function isPodActive(pod: KubeObject): boolean {
  const phase = podPhase(pod);
  return phase !== "Succeeded" && phase !== "Failed" && !pod.metadata.deletionTimestamp;
}

function restartCount(pod: KubeObject): number {
  return list(statusOf(pod).containerStatuses).reduce((n, c) => n + Number(c.restartCount ?? 0), 0);
}

const PHASE_RANK: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

/**
 * Orders pods so that the ones to remove first come first: unassigned before assigned, pending
 * before running, not ready before ready, ready for less time, more restarts, newer.
 * Models pkg/controller/controller_utils.go ActivePods.Less
 */
export function compareForRemoval(a: KubeObject, b: KubeObject): number {
  const nodeA = !!specOf(a).nodeName;
  const nodeB = !!specOf(b).nodeName;
  if (nodeA !== nodeB) return nodeA ? 1 : -1;
  const rankA = PHASE_RANK[podPhase(a)] ?? 0;
  const rankB = PHASE_RANK[podPhase(b)] ?? 0;
  if (rankA !== rankB) return rankA - rankB;
  const readyA = isPodReady(a);
  const readyB = isPodReady(b);
  if (readyA !== readyB) return readyA ? 1 : -1;
  if (readyA && readyB) {
    const sinceA = parseTime(readyCondition(a)?.lastTransitionTime) ?? 0;
    const sinceB = parseTime(readyCondition(b)?.lastTransitionTime) ?? 0;
    if (sinceA !== sinceB) return sinceB - sinceA;
  }
  const restartsA = restartCount(a);
  const restartsB = restartCount(b);
  if (restartsA !== restartsB) return restartsB - restartsA;
  const createdA = parseTime(a.metadata.creationTimestamp) ?? 0;
  const createdB = parseTime(b.metadata.creationTimestamp) ?? 0;
  return createdB - createdA;
}

// ---------------------------------------------------------------------------------------------
// Pods from templates, claiming
// ---------------------------------------------------------------------------------------------

/**
 * A pod for `owner` from its pod template: labels, annotations and finalizers copied, the
 * controller reference set, named by `generateName` unless a name is given later.
 * Models pkg/controller/controller_utils.go GetPodFromTemplate
 */
export function podFromTemplate(template: unknown, owner: KubeObject, generateName?: string): KubeObject {
  const t = structuredClone(rec(template));
  const meta = rec(t.metadata);
  const pod: KubeObject = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      namespace: owner.metadata.namespace,
      labels: { ...(rec(meta.labels) as Record<string, string>) },
      annotations: { ...(rec(meta.annotations) as Record<string, string>) },
      ownerReferences: [newControllerRef(owner)],
    },
    spec: rec(t.spec),
  };
  if (generateName !== undefined) pod.metadata.generateName = generateName;
  const finalizers = list<string>(meta.finalizers);
  if (finalizers.length) pod.metadata.finalizers = [...finalizers];
  if (!Object.keys(pod.metadata.annotations ?? {}).length) delete pod.metadata.annotations;
  return pod;
}

/** Parsed selectors by the stored spec object they came from (replaced on change, never edited): every pass asks again. */
const parsedSelectors = new WeakMap<object, LabelSelector | null>();

/** A metav1.LabelSelector parsed; undefined when it is invalid. */
export function parseSelector(spec: unknown): LabelSelector | undefined {
  if (typeof spec !== "object" || spec === null) {
    try {
      return labelSelectorFromSpec(spec as LabelSelectorSpec | undefined);
    } catch {
      return undefined;
    }
  }
  const hit = parsedSelectors.get(spec);
  if (hit !== undefined) return hit ?? undefined;
  let sel: LabelSelector | null;
  try {
    sel = labelSelectorFromSpec(spec as LabelSelectorSpec);
  } catch {
    sel = null;
  }
  parsedSelectors.set(spec, sel);
  return sel ?? undefined;
}

export function selectorMatches(selector: unknown, labels: Record<string, string> | undefined): boolean {
  const sel = parseSelector(selector);
  return sel ? matchesLabels(sel, labels) : false;
}

/**
 * The pods `owner` controls, after adopting orphans its selector matches and releasing owned pods
 * it no longer matches. `canAdopt` narrows adoption; `adoptFinalizer` is added to adopted pods.
 * Models pkg/controller/controller_ref_manager.go PodControllerRefManager.ClaimPods
 */
export function claimPods(
  ctx: ControllerContext,
  owner: KubeObject,
  selector: unknown,
  opts: { canAdopt?: (pod: KubeObject) => boolean; adoptFinalizer?: string } = {},
): KubeObject[] {
  const claimed: KubeObject[] = [];
  const ownerDeleting = !!owner.metadata.deletionTimestamp;
  for (const pod of ctx.list("/pods", owner.metadata.namespace ?? "")) {
    const ref = controllerRefOf(pod);
    const matches = selectorMatches(selector, pod.metadata.labels);
    if (ref) {
      if (ref.uid !== owner.metadata.uid) continue;
      if (matches || ownerDeleting) {
        claimed.push(pod);
        continue;
      }
      const next = structuredClone(pod);
      next.metadata.ownerReferences = (next.metadata.ownerReferences ?? []).filter((r) => r.uid !== owner.metadata.uid);
      if (!next.metadata.ownerReferences.length) delete next.metadata.ownerReferences;
      ctx.update(POD_TYPE, next);
      continue;
    }
    if (ownerDeleting || !matches || pod.metadata.deletionTimestamp) continue;
    if (opts.canAdopt && !opts.canAdopt(pod)) continue;
    const next = structuredClone(pod);
    next.metadata.ownerReferences = [...(next.metadata.ownerReferences ?? []), newControllerRef(owner)];
    if (opts.adoptFinalizer && !(next.metadata.finalizers ?? []).includes(opts.adoptFinalizer)) {
      next.metadata.finalizers = [...(next.metadata.finalizers ?? []), opts.adoptFinalizer];
    }
    claimed.push(ctx.update(POD_TYPE, next) ?? next);
  }
  return claimed;
}

/** Deletes `obj` unless it is already being deleted (a repeated delete would write every pass). */
export function deleteOnce(ctx: ControllerContext, t: ResourceType, obj: KubeObject, propagationPolicy: "Background" | "Foreground" = "Background"): boolean {
  if (obj.metadata.deletionTimestamp) return false;
  ctx.delete(t, obj, { propagationPolicy });
  return true;
}

/**
 * Records an event unless the same one (object, reason, message) was already recorded at or after
 * `since`. Upstream emits these on each sync, and syncs are rare there; passes here run after every
 * write, so a decision is reported once per occasion (e.g. once per missed schedule time).
 */
/**
 * A FailedCreate event for a create the API server refused (a quota), at most once per 5 minutes per
 * object: the controller tries again at every pass, and an event each time would keep the cluster from
 * ever settling.
 */
export function failedCreate(ctx: ControllerContext, owner: KubeObject, message: string, component: string): void {
  const since = ctx.now() - 300_000;
  const recent = ctx.list("/events", owner.metadata.namespace || "default").some((e) => {
    const io = rec(e.involvedObject);
    return io.uid === owner.metadata.uid && e.reason === "FailedCreate" && (parseTime(e.lastTimestamp) ?? 0) >= since;
  });
  if (!recent) ctx.event(owner, "Warning", "FailedCreate", message, component);
}

export function eventOnce(
  ctx: ControllerContext,
  involved: KubeObject,
  type: EventType,
  reason: string,
  message: string,
  component: string,
  since: number,
): void {
  const floor = Math.floor(since / 1000) * 1000;
  const seen = ctx.list("/events", involved.metadata.namespace || "default").some((e) => {
    const io = rec(e.involvedObject);
    return io.uid === involved.metadata.uid && e.reason === reason && e.message === message && (parseTime(e.lastTimestamp) ?? 0) >= floor;
  });
  if (!seen) ctx.event(involved, type, reason, message, component);
}

/**
 * An int-or-percent against a total, rounding up or down.
 * Models staging/src/k8s.io/apimachinery/pkg/util/intstr/intstr.go GetScaledValueFromIntOrPercent
 */
export function scaledValue(v: unknown, total: number, roundUp: boolean): number {
  if (typeof v === "number") return v;
  if (typeof v === "string" && v.endsWith("%")) {
    const pct = Number(v.slice(0, -1));
    if (!Number.isFinite(pct)) return 0;
    const exact = (pct * total) / 100;
    return roundUp ? Math.ceil(exact) : Math.floor(exact);
  }
  const n = Number(v);
  return Number.isFinite(n) ? n : 0;
}
