// The HPA's replica arithmetic for resource metrics, as pure functions of the pods, their metrics
// and the target. Worked example: 4 pods requesting 200m use 170m each against a 50% target: usage
// is 85% of request, ratio 1.7, so ceil(1.7 × 4) = 7 replicas. Pods without metrics count as 0% on a
// scale-up and 100% on a scale-down; pods not ready yet (or whose CPU sample predates readiness)
// count as 0% on a scale-up only; a change within the 10% tolerance is no change.
// Models pkg/controller/podautoscaler/replica_calculator.go and metrics/utilization.go
import type { Container, Pod } from "kubernetes-types/core/v1";
import type { KubeObject } from "../../resources/types";
import { parseQuantity } from "../../runtime/units";

export const TOLERANCE = 0.1;
/** --horizontal-pod-autoscaler-cpu-initialization-period */
export const CPU_INITIALIZATION_PERIOD_MS = 5 * 60_000;
/** --horizontal-pod-autoscaler-initial-readiness-delay */
export const INITIAL_READINESS_DELAY_MS = 30_000;

export interface PodMetric {
  /** Milli-units: millicores for CPU, milli-bytes for memory. */
  value: number;
  timestamp: number;
  windowMs: number;
}

export type PodMetricsInfo = Map<string, PodMetric>;

export class CalcError extends Error {}

interface Grouped {
  readyPodCount: number;
  unreadyPods: Set<string>;
  missingPods: Set<string>;
  ignoredPods: Set<string>;
}

const time = (s: string | undefined): number | undefined => {
  const t = Date.parse(s ?? "");
  return Number.isNaN(t) ? undefined : t;
};

// Models pkg/controller/podautoscaler/replica_calculator.go groupPods
export function groupPods(pods: KubeObject[], metrics: PodMetricsInfo, resource: string, now: number): Grouped {
  const g: Grouped = { readyPodCount: 0, unreadyPods: new Set(), missingPods: new Set(), ignoredPods: new Set() };
  for (const pod of pods) {
    const p = pod as Pod;
    const name = pod.metadata.name ?? "";
    if (pod.metadata.deletionTimestamp || p.status?.phase === "Failed") {
      g.ignoredPods.add(name);
      continue;
    }
    if (p.status?.phase === "Pending") {
      g.unreadyPods.add(name);
      continue;
    }
    const metric = metrics.get(name);
    if (!metric) {
      g.missingPods.add(name);
      continue;
    }
    if (resource === "cpu") {
      const condition = p.status?.conditions?.find((c) => c.type === "Ready");
      const start = time(p.status?.startTime);
      let unready: boolean;
      if (!condition || start === undefined) unready = true;
      else {
        const transition = time(condition.lastTransitionTime) ?? 0;
        if (start + CPU_INITIALIZATION_PERIOD_MS > now) {
          // Still starting up: unready, or its sample was taken before a full window of readiness.
          unready = condition.status === "False" || metric.timestamp < transition + metric.windowMs;
        } else {
          // Long started: ignored only if it never became ready.
          unready = condition.status === "False" && start + INITIAL_READINESS_DELAY_MS > transition;
        }
      }
      if (unready) {
        g.unreadyPods.add(name);
        continue;
      }
    }
    g.readyPodCount++;
  }
  return g;
}

function containersForRequests(pod: Pod): Container[] {
  return [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === "Always")];
}

// Models pkg/controller/podautoscaler/replica_calculator.go calculatePodRequests
export function calculatePodRequests(pods: KubeObject[], container: string, resource: string): Map<string, number> {
  const requests = new Map<string, number>();
  for (const pod of pods) {
    let sum = 0;
    for (const c of containersForRequests(pod as Pod)) {
      if (container !== "" && container !== c.name) continue;
      const q = (c.resources?.requests as Record<string, unknown> | undefined)?.[resource];
      if (q === undefined) throw new CalcError(`missing request for ${resource} in container ${c.name} of Pod ${pod.metadata.name}`);
      sum += milliValue(parseQuantity(q) ?? 0);
    }
    requests.set(pod.metadata.name ?? "", sum);
  }
  return requests;
}

/** resource.Quantity.MilliValue: rounds up. */
export function milliValue(base: number): number {
  const m = base * 1000;
  const r = Math.round(m);
  return Math.abs(m - r) < 1e-6 ? r : Math.ceil(m);
}

// Models pkg/controller/podautoscaler/metrics/utilization.go GetResourceUtilizationRatio
export function resourceUtilizationRatio(metrics: PodMetricsInfo, requests: Map<string, number>, targetUtilization: number) {
  let metricsTotal = 0;
  let requestsTotal = 0;
  let entries = 0;
  for (const [name, m] of metrics) {
    const request = requests.get(name);
    if (request === undefined) continue;
    metricsTotal += m.value;
    requestsTotal += request;
    entries++;
  }
  if (requestsTotal === 0) throw new CalcError("no metrics returned matched known pods");
  const utilization = Math.trunc((metricsTotal * 100) / requestsTotal);
  return { ratio: utilization / targetUtilization, utilization, rawAverage: Math.trunc(metricsTotal / entries) };
}

// Models pkg/controller/podautoscaler/metrics/utilization.go GetMetricUsageRatio
export function metricUsageRatio(metrics: PodMetricsInfo, targetUsage: number) {
  let total = 0;
  for (const m of metrics.values()) total += m.value;
  const usage = Math.trunc(total / metrics.size);
  return { ratio: usage / targetUsage, usage };
}

export interface ResourceReplicas {
  replicas: number;
  utilization: number;
  rawUtilization: number;
}

function removeAll(metrics: PodMetricsInfo, names: Set<string>): void {
  for (const n of names) metrics.delete(n);
}

// Models pkg/controller/podautoscaler/replica_calculator.go GetResourceReplicas
export function resourceReplicas(
  currentReplicas: number,
  targetUtilization: number,
  resource: string,
  container: string,
  pods: KubeObject[],
  podMetrics: PodMetricsInfo,
  now: number,
): ResourceReplicas {
  if (pods.length === 0) throw new CalcError("no pods returned by selector while calculating replica count");
  const metrics = new Map(podMetrics);
  const g = groupPods(pods, metrics, resource, now);
  removeAll(metrics, g.ignoredPods);
  removeAll(metrics, g.unreadyPods);
  if (metrics.size === 0) throw new CalcError("did not receive metrics for targeted pods (pods might be unready)");
  const requests = calculatePodRequests(pods, container, resource);
  const { ratio, utilization, rawAverage } = resourceUtilizationRatio(metrics, requests, targetUtilization);
  const result = (replicas: number): ResourceReplicas => ({ replicas, utilization, rawUtilization: rawAverage });

  const scaleUpWithUnready = g.unreadyPods.size > 0 && ratio > 1;
  if (!scaleUpWithUnready && g.missingPods.size === 0) {
    if (Math.abs(1 - ratio) <= TOLERANCE) return result(currentReplicas);
    return result(Math.ceil(ratio * g.readyPodCount));
  }
  if (g.missingPods.size > 0) {
    // Scale-down: a pod without metrics is taken to use all of its request (or the target, if higher);
    // scale-up: none of it.
    const fallback = Math.max(100, targetUtilization);
    for (const name of g.missingPods) {
      if (ratio < 1) metrics.set(name, { value: Math.trunc(((requests.get(name) ?? 0) * fallback) / 100), timestamp: 0, windowMs: 0 });
      else if (ratio > 1) metrics.set(name, { value: 0, timestamp: 0, windowMs: 0 });
    }
  }
  if (scaleUpWithUnready) for (const name of g.unreadyPods) metrics.set(name, { value: 0, timestamp: 0, windowMs: 0 });

  const next = resourceUtilizationRatio(metrics, requests, targetUtilization).ratio;
  if (Math.abs(1 - next) <= TOLERANCE || (ratio < 1 && next > 1) || (ratio > 1 && next < 1)) return result(currentReplicas);
  const replicas = Math.ceil(next * metrics.size);
  if ((next < 1 && replicas > currentReplicas) || (next > 1 && replicas < currentReplicas)) return result(currentReplicas);
  return result(replicas);
}

// Models pkg/controller/podautoscaler/replica_calculator.go calcPlainMetricReplicas (via GetRawResourceReplicas)
export function rawResourceReplicas(
  currentReplicas: number,
  targetUsage: number,
  resource: string,
  pods: KubeObject[],
  podMetrics: PodMetricsInfo,
  now: number,
): { replicas: number; usage: number } {
  if (pods.length === 0) throw new CalcError("no pods returned by selector while calculating replica count");
  const metrics = new Map(podMetrics);
  const g = groupPods(pods, metrics, resource, now);
  removeAll(metrics, g.ignoredPods);
  removeAll(metrics, g.unreadyPods);
  if (metrics.size === 0) throw new CalcError("did not receive metrics for targeted pods (pods might be unready)");
  const { ratio, usage } = metricUsageRatio(metrics, targetUsage);
  const scaleUpWithUnready = g.unreadyPods.size > 0 && ratio > 1;
  if (!scaleUpWithUnready && g.missingPods.size === 0) {
    if (Math.abs(1 - ratio) <= TOLERANCE) return { replicas: currentReplicas, usage };
    return { replicas: Math.ceil(ratio * g.readyPodCount), usage };
  }
  for (const name of g.missingPods) {
    if (ratio < 1) metrics.set(name, { value: targetUsage, timestamp: 0, windowMs: 0 });
    else if (ratio > 1) metrics.set(name, { value: 0, timestamp: 0, windowMs: 0 });
  }
  if (scaleUpWithUnready) for (const name of g.unreadyPods) metrics.set(name, { value: 0, timestamp: 0, windowMs: 0 });
  const next = metricUsageRatio(metrics, targetUsage).ratio;
  if (Math.abs(1 - next) <= TOLERANCE || (ratio < 1 && next > 1) || (ratio > 1 && next < 1)) return { replicas: currentReplicas, usage };
  const replicas = Math.ceil(next * metrics.size);
  if ((next < 1 && replicas > currentReplicas) || (next > 1 && replicas < currentReplicas)) return { replicas: currentReplicas, usage };
  return { replicas, usage };
}
