// From the replica count the metrics ask for to the one the HPA sets: stabilization over recent
// recommendations (a scale-down waits until every recommendation of the last 5 minutes allows
// it), the scale-up rate limit (without `behavior`: at most double, at least 4; with it: the
// scaling policies over their periods), and min/max replicas, with the conditions that explain it.
// Recommendations are kept as runs of equal values (a new entry only when the value changes) so a
// steady HPA keeps nothing new; a run's last sample is one sync period before the next run began.
// Models pkg/controller/podautoscaler/horizontal.go normalizeDesiredReplicas,
// normalizeDesiredReplicasWithBehaviors, convertDesiredReplicasWithRules, calculateScaleUpLimitWithScalingRules
import type { HPAScalingRules, HorizontalPodAutoscalerBehavior } from "kubernetes-types/autoscaling/v2";

/** --horizontal-pod-autoscaler-sync-period */
export const SYNC_PERIOD_MS = 15_000;
/** --horizontal-pod-autoscaler-downscale-stabilization */
export const DOWNSCALE_STABILIZATION_MS = 5 * 60_000;
const SCALE_UP_LIMIT_FACTOR = 2;
const SCALE_UP_LIMIT_MINIMUM = 4;

/** A run of equal recommendations from `at` on; `replicas: null` marks syncs that made none. */
export interface Recommendation {
  replicas: number | null;
  at: number;
}

export interface ScaleEvent {
  change: number;
  at: number;
}

export interface AutoscalerState {
  recommendations: Recommendation[];
  scaleUpEvents: ScaleEvent[];
  scaleDownEvents: ScaleEvent[];
}

export interface ConditionUpdate {
  type: "AbleToScale" | "ScalingActive" | "ScalingLimited";
  status: "True" | "False";
  reason: string;
  message: string;
}

/** Recommendations whose last sample is newer than `cutoff`. */
function recommendationsAfter(recs: Recommendation[], cutoff: number, now: number): number[] {
  const out: number[] = [];
  recs.forEach((r, i) => {
    const end = i + 1 < recs.length ? recs[i + 1].at : now;
    const lastSample = Math.max(r.at, end - SYNC_PERIOD_MS);
    if (r.replicas !== null && lastSample > cutoff) out.push(r.replicas);
  });
  return out;
}

/** Starts a new run when `replicas` differs from the current one; true when the state changed. */
export function recordRecommendation(state: AutoscalerState, replicas: number | null, now: number): boolean {
  const last = state.recommendations[state.recommendations.length - 1];
  if (last && last.replicas === replicas) return false;
  if (!last && replicas === null) return false;
  state.recommendations.push({ replicas, at: now });
  return true;
}

/** Drops what no window can reach any more (only when the state is written anyway). */
export function prune(state: AutoscalerState, now: number, keepMs: number): void {
  const recs = state.recommendations;
  while (recs.length > 1 && recs[1].at - SYNC_PERIOD_MS < now - keepMs) recs.shift();
  state.scaleUpEvents = state.scaleUpEvents.filter((e) => e.at > now - keepMs);
  state.scaleDownEvents = state.scaleDownEvents.filter((e) => e.at > now - keepMs);
}

// Models pkg/controller/podautoscaler/horizontal.go convertDesiredReplicasWithRules
export function convertDesiredReplicasWithRules(current: number, desired: number, min: number, max: number): { replicas: number; reason: string; message: string } {
  const scaleUpLimit = Math.max(SCALE_UP_LIMIT_FACTOR * current, SCALE_UP_LIMIT_MINIMUM);
  let maximum: number;
  let reason: string;
  let message: string;
  if (max > scaleUpLimit) {
    maximum = scaleUpLimit;
    reason = "ScaleUpLimit";
    message = "the desired replica count is increasing faster than the maximum scale rate";
  } else {
    maximum = max;
    reason = "TooManyReplicas";
    message = "the desired replica count is more than the maximum replica count";
  }
  if (desired < min) return { replicas: min, reason: "TooFewReplicas", message: "the desired replica count is less than the minimum replica count" };
  if (desired > maximum) return { replicas: maximum, reason, message };
  return { replicas: desired, reason: "DesiredWithinRange", message: "the desired count is within the acceptable range" };
}

// Models pkg/controller/podautoscaler/horizontal.go normalizeDesiredReplicas
export function normalizeDesiredReplicas(
  state: AutoscalerState,
  now: number,
  current: number,
  prenormalized: number,
  min: number,
  max: number,
): { replicas: number; conditions: ConditionUpdate[] } {
  const recent = recommendationsAfter(state.recommendations, now - DOWNSCALE_STABILIZATION_MS, now);
  const stabilized = Math.max(prenormalized, ...recent);
  recordRecommendation(state, prenormalized, now);
  const conditions: ConditionUpdate[] = [
    stabilized !== prenormalized
      ? { type: "AbleToScale", status: "True", reason: "ScaleDownStabilized", message: "recent recommendations were higher than current one, applying the highest recent recommendation" }
      : { type: "AbleToScale", status: "True", reason: "ReadyForNewScale", message: "recommended size matches current size" },
  ];
  const r = convertDesiredReplicasWithRules(current, stabilized, min, max);
  conditions.push({ type: "ScalingLimited", status: r.replicas === stabilized ? "False" : "True", reason: r.reason, message: r.message });
  return { replicas: r.replicas, conditions };
}

function changeInPeriod(periodSeconds: number, events: ScaleEvent[], now: number): number {
  const cutoff = now - periodSeconds * 1000;
  return events.filter((e) => e.at > cutoff).reduce((sum, e) => sum + e.change, 0);
}

// Models pkg/controller/podautoscaler/horizontal.go calculateScaleUpLimitWithScalingRules
export function scaleUpLimit(current: number, up: ScaleEvent[], down: ScaleEvent[], rules: HPAScalingRules, now: number): number {
  if (rules.selectPolicy === "Disabled") return current;
  const useMin = rules.selectPolicy === "Min";
  let result = useMin ? Number.MAX_SAFE_INTEGER : Number.MIN_SAFE_INTEGER;
  for (const p of rules.policies ?? []) {
    const start = current - changeInPeriod(p.periodSeconds, up, now) + changeInPeriod(p.periodSeconds, down, now);
    // Rounded up: a percentage that adds less than one pod would never scale up.
    const proposed = p.type === "Pods" ? start + p.value : Math.ceil(start * (1 + p.value / 100));
    result = useMin ? Math.min(result, proposed) : Math.max(result, proposed);
  }
  return result;
}

// Models pkg/controller/podautoscaler/horizontal.go calculateScaleDownLimitWithBehaviors
export function scaleDownLimit(current: number, up: ScaleEvent[], down: ScaleEvent[], rules: HPAScalingRules, now: number): number {
  if (rules.selectPolicy === "Disabled") return current;
  const useMin = rules.selectPolicy === "Min";
  let result = useMin ? Number.MIN_SAFE_INTEGER : Number.MAX_SAFE_INTEGER;
  for (const p of rules.policies ?? []) {
    const start = current - changeInPeriod(p.periodSeconds, up, now) + changeInPeriod(p.periodSeconds, down, now);
    const proposed = p.type === "Pods" ? start - p.value : Math.trunc(start * (1 - p.value / 100));
    result = useMin ? Math.max(result, proposed) : Math.min(result, proposed);
  }
  return result;
}

// Models pkg/controller/podautoscaler/horizontal.go normalizeDesiredReplicasWithBehaviors
export function normalizeDesiredReplicasWithBehaviors(
  state: AutoscalerState,
  behavior: HorizontalPodAutoscalerBehavior,
  now: number,
  current: number,
  prenormalized: number,
  min: number,
  max: number,
): { replicas: number; conditions: ConditionUpdate[] } {
  const up = behavior.scaleUp ?? {};
  const down = behavior.scaleDown ?? {};
  const upWindow = (up.stabilizationWindowSeconds ?? 0) * 1000;
  const downWindow = (down.stabilizationWindowSeconds ?? DOWNSCALE_STABILIZATION_MS / 1000) * 1000;
  // stabilizeRecommendationWithBehaviors: the lowest recent recommendation bounds a scale-up, the highest a scale-down.
  const upRecommendation = Math.min(prenormalized, ...recommendationsAfter(state.recommendations, now - upWindow, now));
  const downRecommendation = Math.max(prenormalized, ...recommendationsAfter(state.recommendations, now - downWindow, now));
  let stabilized = current;
  if (stabilized < upRecommendation) stabilized = upRecommendation;
  if (stabilized > downRecommendation) stabilized = downRecommendation;
  recordRecommendation(state, prenormalized, now);

  const conditions: ConditionUpdate[] = [];
  if (stabilized !== prenormalized) {
    conditions.push(
      prenormalized >= current
        ? { type: "AbleToScale", status: "True", reason: "ScaleUpStabilized", message: "recent recommendations were lower than current one, applying the lowest recent recommendation" }
        : { type: "AbleToScale", status: "True", reason: "ScaleDownStabilized", message: "recent recommendations were higher than current one, applying the highest recent recommendation" },
    );
  } else {
    conditions.push({ type: "AbleToScale", status: "True", reason: "ReadyForNewScale", message: "recommended size matches current size" });
  }

  // convertDesiredReplicasWithBehaviorRate
  let replicas = stabilized;
  let reason = "DesiredWithinRange";
  let message = "the desired count is within the acceptable range";
  if (stabilized > current) {
    const limit = Math.max(current, scaleUpLimit(current, state.scaleUpEvents, state.scaleDownEvents, up, now));
    let maximum = max;
    if (maximum > limit) {
      maximum = limit;
      reason = "ScaleUpLimit";
      message = "the desired replica count is increasing faster than the maximum scale rate";
    } else {
      reason = "TooManyReplicas";
      message = "the desired replica count is more than the maximum replica count";
    }
    if (stabilized > maximum) replicas = maximum;
    else [reason, message] = ["DesiredWithinRange", "the desired count is within the acceptable range"];
  } else if (stabilized < current) {
    const limit = Math.min(current, scaleDownLimit(current, state.scaleUpEvents, state.scaleDownEvents, down, now));
    let minimum = min;
    if (minimum < limit) {
      minimum = limit;
      reason = "ScaleDownLimit";
      message = "the desired replica count is decreasing faster than the maximum scale rate";
    } else {
      reason = "TooFewReplicas";
      message = "the desired replica count is less than the minimum replica count";
    }
    if (stabilized < minimum) replicas = minimum;
    else [reason, message] = ["DesiredWithinRange", "the desired count is within the acceptable range"];
  }
  conditions.push({ type: "ScalingLimited", status: replicas === stabilized ? "False" : "True", reason, message });
  return { replicas, conditions };
}

/** Remembers a rescale for the rate limits (only HPAs with `behavior` use them, as upstream). */
export function storeScaleEvent(state: AutoscalerState, behavior: HorizontalPodAutoscalerBehavior | undefined, previous: number, next: number, now: number): void {
  if (!behavior) return;
  if (next > previous) state.scaleUpEvents.push({ change: next - previous, at: now });
  else state.scaleDownEvents.push({ change: previous - next, at: now });
}

/** How long recommendations and scale events stay relevant for `behavior`. */
export function retentionMs(behavior: HorizontalPodAutoscalerBehavior | undefined): number {
  const windows = [DOWNSCALE_STABILIZATION_MS];
  for (const rules of [behavior?.scaleUp, behavior?.scaleDown]) {
    if (!rules) continue;
    windows.push((rules.stabilizationWindowSeconds ?? 0) * 1000);
    for (const p of rules.policies ?? []) windows.push(p.periodSeconds * 1000);
  }
  return Math.max(...windows) + SYNC_PERIOD_MS;
}
