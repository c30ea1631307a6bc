// One sync of one HorizontalPodAutoscaler: read the target's scale, compute the replica count each
// metric asks for, normalize it (stabilization, rate limits, min/max), rescale the target through
// its replicas field (what the scale subresource writes), record the event, and write the status
// only when it changed.
// Models pkg/controller/podautoscaler/horizontal.go reconcileAutoscaler, computeReplicasForMetrics,
// validateAndParseSelector, setStatus, updateStatusIfNeeded, setCondition
import type { HorizontalPodAutoscaler, HorizontalPodAutoscalerCondition, HorizontalPodAutoscalerStatus, MetricStatus } from "kubernetes-types/autoscaling/v2";
import { scaleOf } from "../../api/scale";
import { notFound, qualifiedResource } from "../../api/status";
import { matchesLabels, parseLabelSelector, type LabelSelector } from "../../api/selectors";
import type { MetricsSnapshot } from "../../metrics/usage";
import { findKind, parseApiVersion, RESOURCE_TYPES, storageKey, type ResourceType } from "../../resources/registry";
import type { KubeObject } from "../../resources/types";
import { deepEqual } from "../../util/equal";
import type { ControllerContext } from "../types";
import { computeReplicasForMetric, type MetricFailure } from "./metrics";
import { normalizeDesiredReplicas, normalizeDesiredReplicasWithBehaviors, prune, retentionMs, storeScaleEvent, type ConditionUpdate } from "./normalize";
import { writeRecord, type AutoscalerRecord } from "./record";

export const COMPONENT = "horizontal-pod-autoscaler";
export const HPA = findKind({ group: "autoscaling", version: "v2", kind: "HorizontalPodAutoscaler" })!;

type Status = HorizontalPodAutoscalerStatus & { conditions?: HorizontalPodAutoscalerCondition[] };

class Sync {
  readonly status: Status;
  private readonly original: Status;
  recordChanged = false;

  constructor(
    readonly ctx: ControllerContext,
    readonly hpa: KubeObject,
    readonly rec: AutoscalerRecord,
    readonly snapshot: MetricsSnapshot,
    readonly slot: number,
  ) {
    this.original = (hpa.status ?? {}) as Status;
    this.status = structuredClone(this.original);
  }

  get spec(): NonNullable<HorizontalPodAutoscaler["spec"]> {
    return (this.hpa as HorizontalPodAutoscaler).spec!;
  }

  /** Records an event once per sync: the passes that follow a sync at the same moment repeat it. */
  event(type: "Normal" | "Warning", reason: string, message: string): void {
    const uid = this.hpa.metadata.uid;
    const seen = this.ctx.list("/events", this.hpa.metadata.namespace).some((e) => {
      const io = e.involvedObject as { uid?: string } | undefined;
      return io?.uid === uid && e.reason === reason && e.message === message && e.type === type && Date.parse(String(e.lastTimestamp)) >= this.slot;
    });
    if (!seen) this.ctx.event(this.hpa, type, reason, message, COMPONENT);
  }

  // Models pkg/controller/podautoscaler/horizontal.go setConditionInList
  setCondition(c: ConditionUpdate): void {
    const list = (this.status.conditions ??= []);
    let existing = list.find((x) => x.type === c.type);
    if (!existing) list.push((existing = { type: c.type, status: c.status, lastTransitionTime: this.ctx.nowRfc3339() }));
    else if (existing.status !== c.status) existing.lastTransitionTime = this.ctx.nowRfc3339();
    existing.status = c.status;
    existing.reason = c.reason;
    existing.message = c.message;
  }

  /** setStatus: the controller rewrites the status it owns, keeping the last scale time and conditions. */
  setStatus(current: number, desired: number, metrics: MetricStatus[] | undefined, rescaled: boolean): void {
    const s = this.status;
    const next: Status = { currentReplicas: current, desiredReplicas: desired };
    if (rescaled) next.lastScaleTime = this.ctx.nowRfc3339();
    else if (s.lastScaleTime) next.lastScaleTime = s.lastScaleTime;
    if (metrics?.length) next.currentMetrics = metrics;
    if (s.conditions?.length) next.conditions = s.conditions;
    if (!next.currentReplicas) delete next.currentReplicas;
    for (const k of Object.keys(s) as (keyof Status)[]) delete s[k];
    Object.assign(s, next);
  }

  /** Writes the status when it differs from what is stored (a steady HPA writes nothing). */
  finish(): void {
    if (!deepEqual(this.original, this.status)) {
      const next = structuredClone(this.hpa);
      next.status = this.status;
      this.ctx.updateStatus(HPA, next);
    }
    if (this.recordChanged) {
      prune(this.rec, this.ctx.now(), retentionMs(this.spec.behavior));
      writeRecord(this.ctx, this.rec);
    }
  }
}

interface Target {
  t: ResourceType;
  obj: KubeObject;
  replicas: number;
  selector: string;
}

/** The target's scale, or the error the scale client would give. */
function getScale(ctx: ControllerContext, hpa: KubeObject): Target | string {
  const ref = (hpa as HorizontalPodAutoscaler).spec?.scaleTargetRef;
  const { group } = parseApiVersion(ref?.apiVersion ?? "");
  const t = RESOURCE_TYPES.find((x) => x.group === group && x.kind === ref?.kind);
  if (!t) return `no matches for kind "${ref?.kind ?? ""}" in group "${group}"`;
  if (!t.scale) return "the server could not find the requested resource";
  const obj = ctx.get(storageKey(t), hpa.metadata.namespace ?? "", ref?.name ?? "");
  if (!obj) return notFound(t.group, t.resource, ref?.name ?? "").message;
  const scale = scaleOf(t, obj) as { spec: { replicas: number }; status: { selector: string } };
  return { t, obj, replicas: scale.spec.replicas, selector: scale.status.selector };
}

/** Pods selected by another HPA's target too make the selector ambiguous. */
function otherHPAsSelecting(ctx: ControllerContext, hpa: KubeObject, pods: KubeObject[]): string[] {
  const out: string[] = [];
  for (const other of ctx.list(storageKey(HPA), hpa.metadata.namespace)) {
    if (other.metadata.uid === hpa.metadata.uid) continue;
    const target = getScale(ctx, other);
    if (typeof target === "string" || !target.selector) continue;
    let sel: LabelSelector;
    try {
      sel = parseLabelSelector(target.selector);
    } catch {
      continue;
    }
    if (pods.some((p) => matchesLabels(sel, p.metadata.labels))) out.push(`${other.metadata.namespace}/${other.metadata.name}`);
  }
  return out;
}

// Models pkg/controller/podautoscaler/horizontal.go validateAndParseSelector
function podsOf(s: Sync, selector: string): { selector: string; pods: KubeObject[] } | undefined {
  if (!selector) {
    s.event("Warning", "SelectorRequired", "selector is required");
    s.setCondition({ type: "ScalingActive", status: "False", reason: "InvalidSelector", message: "the HPA target's scale is missing a selector" });
    return undefined;
  }
  let sel: LabelSelector;
  try {
    sel = parseLabelSelector(selector);
  } catch (e) {
    const msg = `couldn't convert selector into a corresponding internal selector object: ${(e as Error).message}`;
    s.event("Warning", "InvalidSelector", msg);
    s.setCondition({ type: "ScalingActive", status: "False", reason: "InvalidSelector", message: msg });
    return undefined;
  }
  const pods = s.ctx.list("/pods", s.hpa.metadata.namespace).filter((p) => matchesLabels(sel, p.metadata.labels));
  const others = otherHPAsSelecting(s.ctx, s.hpa, pods);
  if (others.length) {
    const all = [`${s.hpa.metadata.namespace}/${s.hpa.metadata.name}`, ...others].sort();
    const msg = `pods by selector ${selector} are controlled by multiple HPAs: [${all.join(" ")}]`;
    s.event("Warning", "AmbiguousSelector", msg);
    s.setCondition({ type: "ScalingActive", status: "False", reason: "AmbiguousSelector", message: msg });
    return undefined;
  }
  return { selector, pods };
}

// Models pkg/controller/podautoscaler/horizontal.go computeReplicasForMetrics
function computeReplicasForMetrics(s: Sync, target: Target): { replicas: number; metric: string; statuses: MetricStatus[] } | { failed: string; statuses?: MetricStatus[] } {
  const parsed = podsOf(s, target.selector);
  if (!parsed) return { failed: "invalid selector" };
  const specs = s.spec.metrics ?? [];
  const statuses: MetricStatus[] = specs.map(() => ({ type: "" }) as unknown as MetricStatus);
  let replicas = 0;
  let metric = "";
  let invalid = 0;
  let first: MetricFailure | undefined;
  specs.forEach((spec, i) => {
    const r = computeReplicasForMetric(s.snapshot, s.hpa, spec, target.replicas, parsed.pods, s.ctx.now());
    if ("reason" in r) {
      // getUnableComputeReplicaCountCondition records an event for every failing metric.
      s.event("Warning", r.reason, r.error);
      if (!first) first = r;
      invalid++;
      return;
    }
    statuses[i] = r.status;
    if (replicas === 0 || r.replicas > replicas) {
      replicas = r.replicas;
      metric = r.name;
    }
  });
  if (first && (invalid >= specs.length || replicas < target.replicas)) {
    s.setCondition({ type: "ScalingActive", status: "False", reason: first.reason, message: `the HPA was unable to compute the replica count: ${first.error}` });
    return { failed: `invalid metrics (${invalid} invalid out of ${specs.length}), first error is: ${first.wrapped}`, statuses };
  }
  s.setCondition({ type: "ScalingActive", status: "True", reason: "ValidMetricFound", message: `the HPA was able to successfully calculate a replica count from ${metric}` });
  return { replicas, metric, statuses };
}

/** One reconcile of `hpa` at the current sync slot. */
// Models pkg/controller/podautoscaler/horizontal.go reconcileAutoscaler
export function reconcileAutoscaler(ctx: ControllerContext, hpa: KubeObject, rec: AutoscalerRecord, snapshot: MetricsSnapshot, slot: number): void {
  const s = new Sync(ctx, hpa, rec, snapshot, slot);
  const now = ctx.now();
  const target = getScale(ctx, hpa);
  if (typeof target === "string") {
    s.event("Warning", "FailedGetScale", target);
    s.setCondition({ type: "AbleToScale", status: "False", reason: "FailedGetScale", message: `the HPA controller was unable to get the target's current scale: ${target}` });
    s.finish();
    return;
  }
  s.setCondition({ type: "AbleToScale", status: "True", reason: "SucceededGetScale", message: "the HPA controller was able to get the target's current scale" });
  const current = target.replicas;
  if (rec.recommendations.length === 0) {
    rec.recommendations.push({ replicas: current, at: now });
    s.recordChanged = true;
  }
  const spec = s.spec;
  const minReplicas = spec.minReplicas ?? 1;
  let desired = 0;
  let reason = "";
  let rescale = true;
  let statuses: MetricStatus[] | undefined;

  if (current === 0 && minReplicas !== 0) {
    desired = 0;
    rescale = false;
    s.setCondition({ type: "ScalingActive", status: "False", reason: "ScalingDisabled", message: "scaling is disabled since the replica count of the target is zero" });
  } else if (current > spec.maxReplicas) {
    reason = "Current number of replicas above Spec.MaxReplicas";
    desired = spec.maxReplicas;
  } else if (current < minReplicas) {
    reason = "Current number of replicas below Spec.MinReplicas";
    desired = minReplicas;
  } else {
    const computed = computeReplicasForMetrics(s, target);
    if ("failed" in computed) {
      // Syncs that make no recommendation leave a gap in the stabilization history.
      if (rec.recommendations.length && rec.recommendations[rec.recommendations.length - 1].replicas !== null) {
        rec.recommendations.push({ replicas: null, at: now });
        s.recordChanged = true;
      }
      s.setStatus(current, s.status.desiredReplicas ?? 0, computed.statuses, false);
      if (computed.failed !== "invalid selector") s.event("Warning", "FailedComputeMetricsReplicas", computed.failed);
      s.finish();
      return;
    }
    statuses = computed.statuses;
    desired = computed.replicas;
    if (desired > current) reason = `${computed.metric} above target`;
    if (desired < current) reason = "All metrics below target";
    const before = rec.recommendations.length;
    const lastBefore = rec.recommendations[before - 1];
    const normalized = spec.behavior
      ? normalizeDesiredReplicasWithBehaviors(rec, spec.behavior, now, current, desired, minReplicas, spec.maxReplicas)
      : normalizeDesiredReplicas(rec, now, current, desired, minReplicas, spec.maxReplicas);
    if (rec.recommendations.length !== before || rec.recommendations[before - 1] !== lastBefore) s.recordChanged = true;
    for (const c of normalized.conditions) s.setCondition(c);
    desired = normalized.replicas;
    rescale = desired !== current;
  }

  if (rescale) {
    const next = structuredClone(target.obj);
    let cur = next as Record<string, unknown>;
    const path = target.t.scale!.specReplicasPath;
    for (const p of path.slice(0, -1)) cur = (cur[p] ??= {}) as Record<string, unknown>;
    cur[path[path.length - 1]] = desired;
    if (!ctx.update(target.t, next)) {
      const err = `${qualifiedResource(target.t.group, target.t.resource)} "${target.obj.metadata.name}" could not be updated`;
      s.event("Warning", "FailedRescale", `New size: ${desired}; reason: ${reason}; error: ${err}`);
      s.setCondition({ type: "AbleToScale", status: "False", reason: "FailedUpdateScale", message: `the HPA controller was unable to update the target scale: ${err}` });
      s.setStatus(current, s.status.desiredReplicas ?? 0, statuses, false);
      s.finish();
      return;
    }
    s.setCondition({ type: "AbleToScale", status: "True", reason: "SucceededRescale", message: `the HPA controller was able to update the target scale to ${desired}` });
    s.event("Normal", "SuccessfulRescale", `New size: ${desired}; reason: ${reason}`);
    storeScaleEvent(rec, spec.behavior, current, desired, now);
    rec.lastSync = slot;
    s.recordChanged = true;
  } else {
    desired = current;
  }
  s.setStatus(current, desired, statuses, rescale);
  s.finish();
}
