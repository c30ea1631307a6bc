// The Metrics API and the HorizontalPodAutoscaler in a whole simulated cluster: the kubernetes.io
// HPA walkthrough replayed on the virtual clock (scale up under load, back to one replica five
// minutes after it stops), what an HPA costs at rest, and the API surface kubectl uses
// (discovery, metrics.k8s.io reads, autoscaling/v1).
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../worker/resources/types";
import { TestCluster } from "../cluster";
import { api, clock, createSandbox } from "./helpers";

const DEPLOYMENT = { apiVersion: "apps/v1", kind: "Deployment" };
const HPA = { apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler" };

function phpApache(resources: Record<string, unknown> = { limits: { cpu: "500m" }, requests: { cpu: "200m" } }): KubeObject[] {
  return [
    {
      ...DEPLOYMENT,
      metadata: { name: "php-apache", namespace: "default" },
      spec: {
        selector: { matchLabels: { run: "php-apache" } },
        template: {
          metadata: { labels: { run: "php-apache" } },
          spec: { containers: [{ name: "php-apache", image: "registry.k8s.io/hpa-example", ports: [{ containerPort: 80 }], resources }] },
        },
      },
    },
    { apiVersion: "v1", kind: "Service", metadata: { name: "php-apache", namespace: "default", labels: { run: "php-apache" } }, spec: { ports: [{ port: 80 }], selector: { run: "php-apache" } } },
  ];
}

function hpa(target = 50): KubeObject {
  return {
    ...HPA,
    metadata: { name: "php-apache", namespace: "default" },
    spec: {
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "php-apache" },
      minReplicas: 1,
      maxReplicas: 10,
      metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: target } } }],
    },
  };
}

const LOAD_GENERATOR: KubeObject = {
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "load-generator", namespace: "default", labels: { run: "load-generator" } },
  spec: {
    restartPolicy: "Never",
    containers: [{ name: "load-generator", image: "busybox:1.28", args: ["/bin/sh", "-c", "while sleep 0.01; do wget -q -O- http://php-apache; done"] }],
  },
};

/** TARGETS and REPLICAS of `kubectl get hpa`, and the deployment's ready count. */
function observe(cluster: TestCluster): string {
  const h = cluster.get(HPA, "default", "php-apache")!;
  const status = h.status as { currentReplicas?: number; currentMetrics?: { resource?: { current?: { averageUtilization?: number } } }[] };
  const util = status.currentMetrics?.[0]?.resource?.current?.averageUtilization;
  const d = cluster.get(DEPLOYMENT, "default", "php-apache")!;
  return `${util === undefined ? "<unknown>" : `${util}%`} ${status.currentReplicas ?? 0} ${(d.status as { readyReplicas?: number }).readyReplicas ?? 0}`;
}

async function walkthroughCluster(): Promise<TestCluster> {
  const cluster = await TestCluster.create();
  for (const o of phpApache()) await cluster.apply(o);
  await cluster.advance(60);
  await cluster.apply(hpa());
  await cluster.advance(30);
  return cluster;
}

describe("the HPA walkthrough on the virtual clock", () => {
  it("scales php-apache up under the load generator, holds, and returns to one replica five minutes after the load stops", async () => {
    const cluster = await walkthroughCluster();
    expect(observe(cluster)).toBe("0% 1 1");

    await cluster.apply(structuredClone(LOAD_GENERATOR));
    const timeline: string[] = [];
    for (let i = 0; i < 24; i++) {
      await cluster.advance(15);
      timeline.push(observe(cluster));
    }
    // One pod is held near its 500m limit (250% of its 200m request) until help arrives.
    const first = Number(timeline[0].split("%")[0]);
    expect(first).toBeGreaterThan(200);
    expect(first).toBeLessThanOrEqual(250);
    expect(timeline[1]).toMatch(/^\d+% 4 /);
    const replicas = timeline.map((t) => Number(t.split(" ")[1]));
    expect(Math.max(...replicas)).toBeGreaterThanOrEqual(5);
    // Settled: the same count for the last three minutes, at about the 50% target.
    const settled = replicas.slice(-12);
    expect(new Set(settled).size).toBe(1);
    expect(settled[0]).toBeGreaterThanOrEqual(6);
    expect(settled[0]).toBeLessThanOrEqual(8);
    const util = Number(timeline[timeline.length - 1].split("%")[0]);
    expect(util).toBeGreaterThanOrEqual(40);
    expect(util).toBeLessThanOrEqual(55);

    const h = cluster.get(HPA, "default", "php-apache")!;
    const events = cluster.events(h);
    expect(events[0]).toBe("SuccessfulRescale: New size: 4; reason: cpu resource utilization (percentage of request) above target");
    expect(events.every((e) => e.startsWith("SuccessfulRescale: New size: "))).toBe(true);
    expect((h.status as { conditions: { type: string; reason: string }[] }).conditions.map((c) => `${c.type}=${c.reason}`)).toEqual([
      "AbleToScale=ReadyForNewScale",
      "ScalingActive=ValidMetricFound",
      "ScalingLimited=DesiredWithinRange",
    ]);

    await cluster.delete(LOAD_GENERATOR);
    const down: string[] = [];
    for (let i = 0; i < 22; i++) {
      await cluster.advance(15);
      down.push(observe(cluster));
    }
    // Usage drops at once; the stabilization window keeps the replicas for 5 minutes.
    expect(down[0]).toMatch(/^0% \d+ /);
    const held = settled[0];
    expect(down.slice(0, 19).every((t) => t.startsWith(`0% ${held} `))).toBe(true);
    expect(down[19]).toMatch(/^0% 1 /);
    expect(cluster.events(cluster.get(HPA, "default", "php-apache")!).at(-1)).toBe("SuccessfulRescale: New size: 1; reason: All metrics below target");
    await cluster.advance(60);
    expect(observe(cluster)).toBe("0% 1 1");
  }, 120_000);

  it("a target whose pods have no CPU request cannot be autoscaled", async () => {
    const cluster = await TestCluster.create();
    for (const o of phpApache({})) await cluster.apply(o);
    await cluster.advance(60);
    const created = await cluster.apply(hpa());
    await cluster.advance(45);
    const pod = cluster.pods().find((p) => p.metadata.name?.startsWith("php-apache-"))!;
    const h = cluster.get(HPA, "default", "php-apache")!;
    const events = cluster.store.list("/events").filter((e) => (e.involvedObject as { uid?: string }).uid === created.metadata.uid);
    const missing = `failed to get cpu utilization: missing request for cpu in container php-apache of Pod ${pod.metadata.name}`;
    // One of each per sync: 15, 30 and 45 s after the HPA appeared.
    expect(events.map((e) => `${e.type} ${e.reason}: ${e.message} x${e.count}`).sort()).toEqual([
      `Warning FailedComputeMetricsReplicas: invalid metrics (1 invalid out of 1), first error is: failed to get cpu resource metric value: ${missing} x3`,
      `Warning FailedGetResourceMetric: ${missing} x3`,
    ]);
    expect(h.status).toMatchObject({
      currentReplicas: 1,
      desiredReplicas: 0,
      currentMetrics: [{ type: "" }],
      conditions: [
        { type: "AbleToScale", status: "True", reason: "SucceededGetScale", message: "the HPA controller was able to get the target's current scale" },
        { type: "ScalingActive", status: "False", reason: "FailedGetResourceMetric", message: `the HPA was unable to compute the replica count: ${missing}` },
      ],
    });
  }, 60_000);
});

describe("HPA errors", () => {
  it("a missing target: FailedGetScale, AbleToScale False", async () => {
    const cluster = await TestCluster.create();
    const created = await cluster.apply(hpa());
    await cluster.advance(15);
    expect(cluster.events(created)).toEqual(['FailedGetScale: deployments.apps "php-apache" not found']);
    expect((cluster.get(HPA, "default", "php-apache")!.status as { conditions: unknown[] }).conditions).toEqual([
      {
        type: "AbleToScale",
        status: "False",
        lastTransitionTime: "2026-01-01T00:00:15Z",
        reason: "FailedGetScale",
        message: 'the HPA controller was unable to get the target\'s current scale: deployments.apps "php-apache" not found',
      },
    ]);
  });
});

describe("cost", () => {
  it("without an HPA the autoscaler arms nothing; an HPA at steady state writes nothing for an hour", async () => {
    const cluster = await TestCluster.create();
    for (const o of phpApache()) await cluster.apply(o);
    await cluster.advance(60);
    await cluster.advance(7200);
    expect(cluster.engine.nextWakeup()).toBeUndefined();

    await cluster.apply(hpa());
    await cluster.advance(120);
    expect(observe(cluster)).toBe("0% 1 1");
    expect(cluster.engine.nextWakeup()).toBeDefined();
    // Let the creation's events expire first.
    await cluster.advance(3600);
    const before = cluster.store.stats.rowsWritten;
    await cluster.advance(3600);
    expect(cluster.store.stats.rowsWritten - before).toBe(0);

    // Deleting the HPA forgets its state and stops the syncs.
    await cluster.delete(cluster.get(HPA, "default", "php-apache")!);
    expect(cluster.store.list("kubeplay.internal/autoscalers")).toEqual([]);
    await cluster.advance(7200);
    expect(cluster.engine.nextWakeup()).toBeUndefined();
  }, 120_000);
});

describe("through the API", () => {
  const AGGREGATED = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json";

  it("discovery lists metrics.k8s.io like an APIService-backed group", async () => {
    const sb = await createSandbox();
    const agg = (await api(sb.id, "GET", "/apis", undefined, { accept: AGGREGATED })).json;
    const metrics = agg.items.at(-1);
    expect(metrics).toEqual({
      metadata: { name: "metrics.k8s.io", creationTimestamp: null },
      versions: [
        {
          version: "v1beta1",
          freshness: "Current",
          resources: [
            { resource: "nodes", responseKind: { group: "metrics.k8s.io", version: "v1beta1", kind: "NodeMetrics" }, scope: "Cluster", singularResource: "", verbs: ["get", "list"] },
            { resource: "pods", responseKind: { group: "metrics.k8s.io", version: "v1beta1", kind: "PodMetrics" }, scope: "Namespaced", singularResource: "", verbs: ["get", "list"] },
          ],
        },
      ],
    });
    const autoscaling = agg.items.find((g: { metadata: { name?: string } }) => g.metadata.name === "autoscaling");
    expect(autoscaling.versions.map((v: { version: string }) => v.version)).toEqual(["v2", "v1"]);
    const legacy = (await api(sb.id, "GET", "/apis")).json;
    expect(legacy.groups.at(-1)).toEqual({ name: "metrics.k8s.io", versions: [{ groupVersion: "metrics.k8s.io/v1beta1", version: "v1beta1" }], preferredVersion: { groupVersion: "metrics.k8s.io/v1beta1", version: "v1beta1" } });
    expect((await api(sb.id, "GET", "/apis/metrics.k8s.io")).json).toMatchObject({ kind: "APIGroup", name: "metrics.k8s.io" });
    expect((await api(sb.id, "GET", "/apis/metrics.k8s.io/v1beta1")).json.resources).toEqual([
      { name: "nodes", singularName: "", namespaced: false, kind: "NodeMetrics", verbs: ["get", "list"] },
      { name: "pods", singularName: "", namespaced: true, kind: "PodMetrics", verbs: ["get", "list"] },
    ]);
  });

  it("serves NodeMetrics and PodMetrics as metrics-server does, once two scrapes have been taken", async () => {
    const sb = await createSandbox();
    await clock(sb.id, { paused: true });
    const early = await api(sb.id, "GET", "/apis/metrics.k8s.io/v1beta1/nodes");
    expect(early.json).toEqual({ kind: "NodeMetricsList", apiVersion: "metrics.k8s.io/v1beta1", metadata: {}, items: [] });
    await clock(sb.id, { advanceSeconds: 40 });

    const nodes = (await api(sb.id, "GET", "/apis/metrics.k8s.io/v1beta1/nodes")).json;
    expect(nodes.items.map((n: KubeObject) => n.metadata.name)).toEqual(["k8s-master", "k8s-node1", "k8s-node2"]);
    const master = nodes.items[0];
    expect(Object.keys(master)).toEqual(["kind", "apiVersion", "metadata", "timestamp", "window", "usage"]);
    expect(master.metadata.labels["node-role.kubernetes.io/control-plane"]).toBe("");
    expect(master.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(master.window).toMatch(/^1[2-7](\.\d{1,3})?s$/);
    // Nanocores in canonical form: a multiple of a thousand reads in micro-, of a million in milli-cores.
    expect(master.usage.cpu).toMatch(/^\d+[num]?$/);
    // Bytes in page multiples, BinarySI canonical: usually Ki, Mi when the figure happens to be whole mebibytes.
    expect(master.usage.memory).toMatch(/^\d+(Ki|Mi)$/);
    const one = await api(sb.id, "GET", "/apis/metrics.k8s.io/v1beta1/nodes/k8s-node1");
    expect(one.json.kind).toBe("NodeMetrics");
    expect((await api(sb.id, "GET", "/apis/metrics.k8s.io/v1beta1/nodes?labelSelector=node-role.kubernetes.io/control-plane")).json.items).toHaveLength(1);
    expect((await api(sb.id, "GET", "/apis/metrics.k8s.io/v1beta1/nodes/nope")).json.message).toBe('nodes "nope" not found');

    const pods = (await api(sb.id, "GET", "/apis/metrics.k8s.io/v1beta1/namespaces/kube-system/pods?labelSelector=k8s-app%3Dkube-dns")).json;
    expect(pods.kind).toBe("PodMetricsList");
    expect(pods.items).toHaveLength(2);
    expect(pods.items[0].containers).toEqual([{ name: "coredns", usage: { cpu: expect.stringMatching(/^\d+n$/), memory: expect.stringMatching(/^\d+(Ki|Mi)$/) } }]);
    const all = (await api(sb.id, "GET", "/apis/metrics.k8s.io/v1beta1/pods")).json.items.map((p: KubeObject) => `${p.metadata.namespace}/${p.metadata.name}`);
    expect(all).toEqual([...all].sort());
    expect(all.length).toBeGreaterThanOrEqual(8);
    const apiserver = all.find((n: string) => n.startsWith("kube-system/kube-apiserver-"));
    expect((await api(sb.id, "GET", `/apis/metrics.k8s.io/v1beta1/namespaces/${apiserver.replace("/", "/pods/")}`)).json.kind).toBe("PodMetrics");

    // A pod that just started has no metrics yet; one that does not exist is a pods NotFound.
    await api(sb.id, "POST", "/api/v1/namespaces/default/pods", { apiVersion: "v1", kind: "Pod", metadata: { name: "web" }, spec: { containers: [{ name: "web", image: "nginx" }] } });
    await clock(sb.id, { advanceSeconds: 5 });
    const young = await api(sb.id, "GET", "/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/web");
    expect(young.status).toBe(404);
    expect(young.json).toMatchObject({ reason: "NotFound", message: 'podmetrics.metrics.k8s.io "default/web" not found', details: { name: "default/web", group: "metrics.k8s.io", kind: "podmetrics" } });
    expect((await api(sb.id, "GET", "/apis/metrics.k8s.io/v1beta1/namespaces/default/pods")).json.items).toEqual([]);
    expect((await api(sb.id, "GET", "/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/nope")).json.message).toBe('pods "nope" not found');
    await clock(sb.id, { advanceSeconds: 30 });
    expect((await api(sb.id, "GET", "/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/web")).json.containers[0].name).toBe("web");

    const table = await api(sb.id, "GET", "/apis/metrics.k8s.io/v1beta1/namespaces/default/pods", undefined, { accept: "application/json;as=Table;v=v1;g=meta.k8s.io" });
    expect(table.json.columnDefinitions.map((c: { name: string }) => c.name)).toEqual(["Name", "cpu", "memory", "Window"]);
    expect(table.json.rows[0].cells[0]).toBe("web");

    expect((await api(sb.id, "GET", "/apis/metrics.k8s.io/v1beta1/pods?watch=true")).status).toBe(405);
    expect((await api(sb.id, "POST", "/apis/metrics.k8s.io/v1beta1/namespaces/default/pods", {})).status).toBe(405);
  });

  it("serves autoscaling/v1 HPAs from the stored v2 objects", async () => {
    const sb = await createSandbox();
    const base = "/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers";
    const v1 = {
      apiVersion: "autoscaling/v1",
      kind: "HorizontalPodAutoscaler",
      metadata: { name: "web" },
      spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "web" }, minReplicas: 1, maxReplicas: 10, targetCPUUtilizationPercentage: 50 },
    };
    const created = await api(sb.id, "POST", `${base}?fieldManager=kubectl-autoscale&fieldValidation=Strict`, v1);
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ apiVersion: "autoscaling/v1", spec: v1.spec, status: { currentReplicas: 0, desiredReplicas: 0 } });
    const stored = (await api(sb.id, "GET", "/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers/web")).json;
    expect(stored.spec.metrics).toEqual([{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 50 } } }]);
    const list = (await api(sb.id, "GET", base)).json;
    expect(list).toMatchObject({ kind: "HorizontalPodAutoscalerList", apiVersion: "autoscaling/v1", items: [{ spec: { targetCPUUtilizationPercentage: 50 } }] });

    const patched = await api(sb.id, "PATCH", `${base}/web`, { spec: { maxReplicas: 4, targetCPUUtilizationPercentage: 70 } }, { "content-type": "application/merge-patch+json" });
    expect(patched.status).toBe(200);
    expect(patched.json.spec).toMatchObject({ maxReplicas: 4, targetCPUUtilizationPercentage: 70 });
    expect((await api(sb.id, "GET", "/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers/web")).json.spec.metrics[0].resource.target.averageUtilization).toBe(70);

    const strict = await api(sb.id, "POST", `${base}?fieldValidation=Strict`, { ...v1, metadata: { name: "x" }, spec: { ...v1.spec, metrics: [] } });
    expect(strict.status).toBe(400);
    expect(strict.json.message).toBe('HorizontalPodAutoscaler in version "v1" cannot be handled as a HorizontalPodAutoscaler: strict decoding error: unknown field "spec.metrics"');
    expect((await api(sb.id, "DELETE", `${base}/web`)).status).toBe(200);
    expect((await api(sb.id, "GET", `${base}/web`)).status).toBe(404);
  });
});
