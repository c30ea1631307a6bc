// The HPA's arithmetic, table-driven: the replica calculator (ready, unready, missing pods,
// tolerance), stabilization and rate limits with and without `behavior`, the sync slots, and the
// autoscaling/v1 representation of stored v2 objects.
import { describe, expect, it } from "vitest";
import { hpaToV1, hpaToV2 } from "../../../worker/api/autoscaling-v1";
import { syncSlot } from "../../../worker/controllers/hpa";
import {
  convertDesiredReplicasWithRules,
  normalizeDesiredReplicas,
  normalizeDesiredReplicasWithBehaviors,
  type AutoscalerState,
} from "../../../worker/controllers/hpa/normalize";
import { CalcError, rawResourceReplicas, resourceReplicas, type PodMetricsInfo } from "../../../worker/controllers/hpa/replica-calculator";
import type { KubeObject } from "../../../worker/resources/types";

const NOW = Date.parse("2026-01-01T01:00:00Z");
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

type PodCase = { phase?: string; ready?: "True" | "False"; readySince?: number; startedAgo?: number; request?: string; deleting?: boolean };

function pods(cases: PodCase[]): KubeObject[] {
  return cases.map((c, i) => ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: `p-${i}`, namespace: "default", ...(c.deleting ? { deletionTimestamp: iso(NOW) } : {}) },
    spec: { containers: [{ name: "c", image: "nginx", resources: c.request === "" ? {} : { requests: { cpu: c.request ?? "1", memory: "100Mi" } } }] },
    status: {
      phase: c.phase ?? "Running",
      startTime: iso(NOW - (c.startedAgo ?? 3_600_000)),
      conditions: [{ type: "Ready", status: c.ready ?? "True", lastTransitionTime: iso(NOW - (c.readySince ?? 3_600_000)) }],
    },
  }));
}

/** Metrics for the first pods, in millicores (undefined: no metric for that pod). */
function metrics(values: (number | undefined)[], timestampAgo = 10_000, windowMs = 15_000): PodMetricsInfo {
  const m: PodMetricsInfo = new Map();
  values.forEach((v, i) => {
    if (v !== undefined) m.set(`p-${i}`, { value: v, timestamp: NOW - timestampAgo, windowMs });
  });
  return m;
}

describe("replica calculator: utilization targets", () => {
  it.each([
    // Models pkg/controller/podautoscaler/replica_calculator_test.go cases
    { name: "scale up", pods: [{}, {}, {}], usage: [300, 500, 700], target: 30, want: { replicas: 5, utilization: 50, rawUtilization: 500 } },
    { name: "scale up, one unready pod counts as idle", pods: [{ ready: "False" as const }, {}, {}], usage: [300, 500, 700], target: 30, want: { replicas: 4, utilization: 60, rawUtilization: 600 } },
    { name: "unready pods that would turn the scale-up round: no change", pods: [{}, { ready: "False" as const }, { ready: "False" as const }], usage: [400, 500, 700], target: 30, want: { replicas: 3, utilization: 40, rawUtilization: 400 } },
    { name: "a pending pod counts as unready", pods: [{}, {}, { phase: "Pending" }], usage: [600, 600, undefined], target: 30, want: { replicas: 4, utilization: 60, rawUtilization: 600 } },
    {
      name: "a starting pod whose sample predates a window of readiness is unready",
      pods: [{}, { startedAgo: 60_000, readySince: 20_000 }],
      usage: [900, 900],
      target: 50,
      want: { replicas: 2, utilization: 90, rawUtilization: 900 },
    },
    { name: "scale down", pods: [{}, {}, {}, {}, {}], usage: [100, 300, 500, 250, 250], target: 50, want: { replicas: 3, utilization: 28, rawUtilization: 280 } },
    { name: "within tolerance", pods: [{}, {}, {}], usage: [1010, 1030, 1020], target: 100, want: { replicas: 3, utilization: 102, rawUtilization: 1020 } },
    { name: "scale down: a pod without metrics counts as using its request", pods: [{}, {}, {}, {}], usage: [100, 100, 100, undefined], target: 50, want: { replicas: 3, utilization: 10, rawUtilization: 100 } },
    { name: "scale up: a pod without metrics counts as idle", pods: [{}, {}, {}, {}], usage: [900, 900, 900, undefined], target: 50, want: { replicas: 6, utilization: 90, rawUtilization: 900 } },
    { name: "deleted and terminating pods are ignored", pods: [{}, {}, { deleting: true }], usage: [800, 800, 800], target: 40, want: { replicas: 4, utilization: 80, rawUtilization: 800 } },
    { name: "requests of 200m, 250% used: one pod wants five", pods: [{ request: "200m" }], usage: [500], target: 50, want: { replicas: 5, utilization: 250, rawUtilization: 500 } },
  ])("$name", ({ pods: p, usage, target, want }) => {
    expect(resourceReplicas(p.length, target, "cpu", "", pods(p), metrics(usage), NOW)).toEqual(want);
  });

  it.each([
    { name: "a container without a CPU request", pods: [{ request: "" }], usage: [100], error: "missing request for cpu in container c of Pod p-0" },
    { name: "no ready pod has metrics", pods: [{ phase: "Pending" }], usage: [undefined], error: "did not receive metrics for targeted pods (pods might be unready)" },
    { name: "no pods", pods: [], usage: [], error: "no pods returned by selector while calculating replica count" },
  ])("fails: $name", ({ pods: p, usage, error }) => {
    expect(() => resourceReplicas(1, 50, "cpu", "", pods(p), metrics(usage), NOW)).toThrowError(new CalcError(error));
  });

  it("average values: 3 pods using 100Mi against 50Mi want 6", () => {
    const mib = 2 ** 20 * 1000;
    expect(rawResourceReplicas(3, 50 * mib, "memory", pods([{}, {}, {}]), metrics([100 * mib, 100 * mib, 100 * mib]), NOW)).toEqual({ replicas: 6, usage: 100 * mib });
  });
});

describe("normalization without behavior", () => {
  const fresh = (): AutoscalerState => ({ recommendations: [], scaleUpEvents: [], scaleDownEvents: [] });

  it.each([
    { current: 1, desired: 10, min: 1, max: 10, want: { replicas: 4, reason: "ScaleUpLimit" } },
    { current: 3, desired: 10, min: 1, max: 10, want: { replicas: 6, reason: "ScaleUpLimit" } },
    { current: 8, desired: 12, min: 1, max: 10, want: { replicas: 10, reason: "TooManyReplicas" } },
    { current: 2, desired: 0, min: 1, max: 10, want: { replicas: 1, reason: "TooFewReplicas" } },
    { current: 4, desired: 7, min: 1, max: 10, want: { replicas: 7, reason: "DesiredWithinRange" } },
  ])("$current → $desired (min $min, max $max)", ({ current, desired, min, max, want }) => {
    expect(convertDesiredReplicasWithRules(current, desired, min, max)).toMatchObject(want);
  });

  it("a scale-down waits until no recommendation of the last 5 minutes is higher", () => {
    const state = fresh();
    const t0 = NOW;
    expect(normalizeDesiredReplicas(state, t0, 7, 7, 1, 10).replicas).toBe(7);
    const seen: string[] = [];
    for (let t = t0 + 15_000; t <= t0 + 315_000; t += 15_000) {
      const r = normalizeDesiredReplicas(state, t, 7, 1, 1, 10);
      const able = r.conditions.find((c) => c.type === "AbleToScale")!;
      seen.push(`${(t - t0) / 1000}:${r.replicas}:${able.reason}`);
    }
    expect(seen.slice(0, 2)).toEqual(["15:7:ScaleDownStabilized", "30:7:ScaleDownStabilized"]);
    expect(seen.filter((s) => s.endsWith(":7:ScaleDownStabilized"))).toHaveLength(19);
    expect(seen[19]).toBe("300:1:ReadyForNewScale");
    // Steady recommendations are one run: nothing new to keep.
    expect(state.recommendations).toEqual([
      { replicas: 7, at: t0 },
      { replicas: 1, at: t0 + 15_000 },
    ]);
  });
});

describe("normalization with behavior", () => {
  const DEFAULT_UP = { stabilizationWindowSeconds: 0, selectPolicy: "Max", policies: [{ type: "Pods", value: 4, periodSeconds: 15 }, { type: "Percent", value: 100, periodSeconds: 15 }] };
  const DEFAULT_DOWN = { stabilizationWindowSeconds: 300, selectPolicy: "Max", policies: [{ type: "Percent", value: 100, periodSeconds: 15 }] };

  it("scale-up policies: +4 pods or +100% per 15 s, whichever is more, counting recent rescales", () => {
    const state: AutoscalerState = { recommendations: [], scaleUpEvents: [], scaleDownEvents: [] };
    const behavior = { scaleUp: DEFAULT_UP, scaleDown: DEFAULT_DOWN };
    expect(normalizeDesiredReplicasWithBehaviors(state, behavior, NOW, 1, 20, 1, 20)).toMatchObject({
      replicas: 5,
      conditions: [{ reason: "ReadyForNewScale" }, { type: "ScalingLimited", status: "True", reason: "ScaleUpLimit" }],
    });
    state.scaleUpEvents.push({ change: 4, at: NOW });
    expect(normalizeDesiredReplicasWithBehaviors(state, behavior, NOW + 10_000, 5, 20, 1, 20).replicas).toBe(5);
    expect(normalizeDesiredReplicasWithBehaviors(state, behavior, NOW + 15_000, 5, 20, 1, 20).replicas).toBe(10);
  });

  it("scale-down policies and a scale-up stabilization window", () => {
    const state: AutoscalerState = { recommendations: [], scaleUpEvents: [], scaleDownEvents: [] };
    const down = { scaleUp: DEFAULT_UP, scaleDown: { stabilizationWindowSeconds: 0, selectPolicy: "Max", policies: [{ type: "Percent", value: 50, periodSeconds: 60 }] } };
    expect(normalizeDesiredReplicasWithBehaviors(state, down, NOW, 10, 1, 1, 20)).toMatchObject({ replicas: 5, conditions: [{ reason: "ReadyForNewScale" }, { reason: "ScaleDownLimit" }] });

    const slowUp = { scaleUp: { ...DEFAULT_UP, stabilizationWindowSeconds: 60 }, scaleDown: DEFAULT_DOWN };
    const s2: AutoscalerState = { recommendations: [{ replicas: 3, at: NOW - 30_000 }], scaleUpEvents: [], scaleDownEvents: [] };
    expect(normalizeDesiredReplicasWithBehaviors(s2, slowUp, NOW, 3, 8, 1, 20)).toMatchObject({ replicas: 3, conditions: [{ reason: "ScaleUpStabilized" }, { reason: "DesiredWithinRange" }] });
  });

  it("selectPolicy Disabled holds the count", () => {
    const state: AutoscalerState = { recommendations: [], scaleUpEvents: [], scaleDownEvents: [] };
    const behavior = { scaleUp: { ...DEFAULT_UP, selectPolicy: "Disabled" }, scaleDown: DEFAULT_DOWN };
    expect(normalizeDesiredReplicasWithBehaviors(state, behavior, NOW, 2, 9, 1, 20).replicas).toBe(2);
  });
});

describe("sync slots", () => {
  const created = NOW;
  it.each([
    [0, undefined],
    [14_999, undefined],
    [15_000, created + 15_000],
    [29_000, created + 15_000],
    [3_600_000, created + 3_600_000],
  ])("%i ms after creation", (after, slot) => {
    expect(syncSlot(created, created + after)).toBe(slot);
  });
});

describe("autoscaling/v1", () => {
  const v2: KubeObject = {
    apiVersion: "autoscaling/v2",
    kind: "HorizontalPodAutoscaler",
    metadata: { name: "web", namespace: "default" },
    spec: {
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "web" },
      minReplicas: 1,
      maxReplicas: 10,
      metrics: [
        { type: "Resource", resource: { name: "memory", target: { type: "AverageValue", averageValue: "500Mi" } } },
        { type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 50 } } },
      ],
    },
    status: {
      currentReplicas: 2,
      desiredReplicas: 3,
      currentMetrics: [
        { type: "Resource", resource: { name: "memory", current: { averageValue: "12640256" } } },
        { type: "Resource", resource: { name: "cpu", current: { averageUtilization: 80, averageValue: "160m" } } },
      ],
      conditions: [{ type: "AbleToScale", status: "True", lastTransitionTime: "2026-01-01T00:00:00Z", reason: "SucceededRescale", message: "the HPA controller was able to update the target scale to 3" }],
    },
  };

  it("shows the CPU target in its own fields and the rest in annotations", () => {
    const v1 = hpaToV1(v2);
    expect(v1.apiVersion).toBe("autoscaling/v1");
    expect(v1.spec).toEqual({ scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "web" }, minReplicas: 1, maxReplicas: 10, targetCPUUtilizationPercentage: 50 });
    expect(v1.status).toEqual({ currentReplicas: 2, desiredReplicas: 3, currentCPUUtilizationPercentage: 80 });
    const a = v1.metadata.annotations!;
    expect(JSON.parse(a["autoscaling.alpha.kubernetes.io/metrics"])).toEqual([{ type: "Resource", resource: { name: "memory", targetAverageValue: "500Mi" } }]);
    expect(JSON.parse(a["autoscaling.alpha.kubernetes.io/current-metrics"])).toEqual([
      { type: "Resource", resource: { name: "memory", currentAverageValue: "12640256" } },
      { type: "Resource", resource: { name: "cpu", currentAverageUtilization: 80, currentAverageValue: "160m" } },
    ]);
    expect(JSON.parse(a["autoscaling.alpha.kubernetes.io/conditions"])).toEqual((v2.status as { conditions: unknown }).conditions);
  });

  it("converts back to the same v2 object", () => {
    expect(hpaToV2(hpaToV1(v2))).toEqual(v2);
  });

  it("what kubectl autoscale sends as v1, stored as v2; no target means the implicit 80%", () => {
    const v1 = { apiVersion: "autoscaling/v1", kind: "HorizontalPodAutoscaler", metadata: { name: "php-apache" }, spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "php-apache" }, minReplicas: 1, maxReplicas: 10, targetCPUUtilizationPercentage: 50 }, status: { currentReplicas: 0, desiredReplicas: 0 } };
    expect(hpaToV2(v1)).toEqual({
      apiVersion: "autoscaling/v2",
      kind: "HorizontalPodAutoscaler",
      metadata: { name: "php-apache" },
      spec: { scaleTargetRef: v1.spec.scaleTargetRef, minReplicas: 1, maxReplicas: 10, metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 50 } } }] },
      status: { desiredReplicas: 0 },
    });
    const bare = hpaToV2({ ...v1, spec: { scaleTargetRef: v1.spec.scaleTargetRef, maxReplicas: 3 } });
    expect((bare.spec as { metrics: unknown }).metrics).toEqual([{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 80 } } }]);
  });
});
