// One metric of an HPA: fetch it as the HPA's metrics client would (the Metrics API for resource
// metrics; no custom or external metrics API is installed), run the replica calculator, and say
// what it found in the status and condition wording upstream uses.
// Models pkg/controller/podautoscaler/horizontal.go computeReplicasForMetric and
// computeStatusFor*Metric, metrics/client.go getPodMetrics / getContainerMetrics
import type { MetricSpec, MetricStatus } from "kubernetes-types/autoscaling/v2";
import type { KubeObject } from "../../resources/types";
import { formatMilli } from "../../metrics/quantity";
import type { MetricsSnapshot } from "../../metrics/usage";
import { parseQuantity } from "../../runtime/units";
import { CalcError, milliValue, rawResourceReplicas, resourceReplicas, type PodMetricsInfo } from "./replica-calculator";

export interface MetricProposal {
  replicas: number;
  /** "cpu resource utilization (percentage of request)", for the rescale reason. */
  name: string;
  timestamp: number;
  status: MetricStatus;
}

export interface MetricFailure {
  /** Event and condition reason (FailedGetResourceMetric…). */
  reason: string;
  /** The error the event carries. */
  error: string;
  /** The error computeReplicasForMetrics reports for it. */
  wrapped: string;
}

export class MetricsError extends Error {}

/** PodMetrics of `pods` as the Metrics API lists them, summed per pod (or one container's). */
function podMetrics(snapshot: MetricsSnapshot, pods: KubeObject[], resource: string, container: string): { metrics: PodMetricsInfo; timestamp: number } {
  const metrics: PodMetricsInfo = new Map();
  let timestamp: number | undefined;
  let items = 0;
  for (const pod of pods) {
    const s = snapshot.pod(pod);
    if (!s) continue;
    items++;
    timestamp ??= s.timestamp;
    const value = (c: { cpuNano: number; memoryBytes: number }) => (resource === "cpu" ? Math.ceil(c.cpuNano / 1e6) : resource === "memory" ? c.memoryBytes * 1000 : undefined);
    if (container) {
      const c = s.containers.find((x) => x.name === container);
      if (!c) throw new MetricsError(`failed to get container metrics: container ${container} not present in metrics for pod ${pod.metadata.namespace}/${pod.metadata.name}`);
      const v = value(c);
      if (v !== undefined) metrics.set(pod.metadata.name ?? "", { value: v, timestamp: s.timestamp, windowMs: s.windowMs });
      continue;
    }
    let sum = 0;
    let missing = s.containers.length === 0;
    for (const c of s.containers) {
      const v = value(c);
      if (v === undefined) {
        missing = true;
        break;
      }
      sum += v;
    }
    if (!missing) metrics.set(pod.metadata.name ?? "", { value: sum, timestamp: s.timestamp, windowMs: s.windowMs });
  }
  if (items === 0) throw new MetricsError("no metrics returned from resource metrics API");
  return { metrics, timestamp: timestamp ?? 0 };
}

function message(e: unknown): string {
  if (e instanceof CalcError || e instanceof MetricsError) return e.message;
  throw e;
}

// Models pkg/controller/podautoscaler/horizontal.go computeStatusForResourceMetricGeneric
function resourceMetric(
  snapshot: MetricsSnapshot,
  pods: KubeObject[],
  current: number,
  resource: string,
  container: string,
  target: { averageUtilization?: number; averageValue?: string | number },
  now: number,
): { replicas: number; name: string; timestamp: number; current: { averageUtilization?: number; averageValue: string } } {
  const fetch = () => {
    try {
      return podMetrics(snapshot, pods, resource, container);
    } catch (e) {
      throw new MetricsError(`unable to get metrics for resource ${resource}: ${message(e)}`);
    }
  };
  if (target.averageValue !== undefined) {
    try {
      const { metrics, timestamp } = fetch();
      const r = rawResourceReplicas(current, milliValue(parseQuantity(target.averageValue) ?? 0), resource, pods, metrics, now);
      return { replicas: r.replicas, name: `${resource} resource`, timestamp, current: { averageValue: formatMilli(r.usage) } };
    } catch (e) {
      throw new MetricsError(`failed to get ${resource} usage: ${message(e)}`);
    }
  }
  if (target.averageUtilization === undefined) {
    throw new MetricsError("invalid resource metric source: neither an average utilization target nor an average value (usage) target was set");
  }
  try {
    const { metrics, timestamp } = fetch();
    const r = resourceReplicas(current, target.averageUtilization, resource, container, pods, metrics, now);
    const name = container ? `${resource} container resource utilization (percentage of request)` : `${resource} resource utilization (percentage of request)`;
    return { replicas: r.replicas, name, timestamp, current: { averageUtilization: r.utilization, averageValue: formatMilli(r.rawUtilization) } };
  } catch (e) {
    throw new MetricsError(`failed to get ${resource} utilization: ${message(e)}`);
  }
}

/** The replica count one metric asks for, or why it could not say. */
export function computeReplicasForMetric(
  snapshot: MetricsSnapshot,
  hpa: KubeObject,
  spec: MetricSpec,
  specReplicas: number,
  pods: KubeObject[],
  now: number,
): MetricProposal | MetricFailure {
  const ns = hpa.metadata.namespace ?? "";
  switch (spec.type) {
    case "Resource":
    case "ContainerResource": {
      const source = spec.type === "Resource" ? spec.resource : spec.containerResource;
      const resource = source?.name ?? "";
      const container = spec.type === "ContainerResource" ? (spec.containerResource?.container ?? "") : "";
      try {
        const r = resourceMetric(snapshot, pods, specReplicas, resource, container, source?.target ?? {}, now);
        const status: MetricStatus =
          spec.type === "Resource"
            ? { type: "Resource", resource: { name: resource, current: r.current } }
            : { type: "ContainerResource", containerResource: { name: resource, container, current: r.current } };
        return { replicas: r.replicas, name: r.name, timestamp: r.timestamp, status };
      } catch (e) {
        const error = message(e);
        return spec.type === "Resource"
          ? { reason: "FailedGetResourceMetric", error, wrapped: `failed to get ${resource} resource metric value: ${error}` }
          : { reason: "FailedGetContainerResourceMetric", error, wrapped: `failed to get ${container} container metric value: ${error}` };
      }
    }
    case "Pods": {
      const error = `unable to get metric ${spec.pods?.metric?.name ?? ""}: unable to fetch metrics from custom metrics API: no custom metrics API (custom.metrics.k8s.io) registered`;
      return { reason: "FailedGetPodsMetric", error, wrapped: `failed to get pods metric value: ${error}` };
    }
    case "Object": {
      const obj = spec.object?.describedObject;
      const error = `unable to get metric ${spec.object?.metric?.name ?? ""}: ${obj?.kind ?? ""} on ${ns} ${obj?.name ?? ""}/unable to fetch metrics from custom metrics API: no custom metrics API (custom.metrics.k8s.io) registered`;
      return { reason: "FailedGetObjectMetric", error, wrapped: `failed to get object metric value: ${error}` };
    }
    case "External": {
      const name = spec.external?.metric?.name ?? "";
      const error = `unable to get external metric ${ns}/${name}/nil: unable to fetch metrics from external metrics API: no external metrics API (external.metrics.k8s.io) registered`;
      return { reason: "FailedGetExternalMetric", error, wrapped: `failed to get ${name} external metric value: ${error}` };
    }
    default: {
      const error = `unknown metric source type "${(spec as { type?: string }).type ?? ""}"`;
      return { reason: "InvalidMetricSourceType", error, wrapped: error };
    }
  }
}
