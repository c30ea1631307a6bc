// metrics.k8s.io/v1beta1, as metrics-server serves it through the aggregator: NodeMetrics and
// PodMetrics, get and list (no watch), label selectors and the metadata field selectors, Tables for
// `kubectl get`. Usage comes from worker/metrics; reading it writes nothing.
// Models sigs.k8s.io/metrics-server pkg/api/node.go, pod.go, table.go
import type { Pod } from "kubernetes-types/core/v1";
import type { KubeObject } from "../resources/types";
import { rfc3339 } from "../sandbox/clock";
import { formatBytes, formatNanoCores } from "../metrics/quantity";
import { MetricsSnapshot, type NodeSample, type PodSample } from "../metrics/usage";
import { goDuration } from "../runtime/units";
import type { ApiContext } from "./context";
import { jsonResponse, wantsTable } from "./negotiate";
import type { ResourceRequest } from "./request-info";
import { matchesLabels, parseFieldSelector, parseLabelSelector, type FieldSelector } from "./selectors";
import { KubeError, methodNotAllowed, notFound } from "./status";

export const METRICS_GROUP = "metrics.k8s.io";
export const METRICS_VERSION = "v1beta1";
const API_VERSION = `${METRICS_GROUP}/${METRICS_VERSION}`;

/** The resources of the group, as discovery lists them. */
export const METRICS_RESOURCES = [
  { resource: "nodes", kind: "NodeMetrics", namespaced: false },
  { resource: "pods", kind: "PodMetrics", namespaced: true },
] as const;

// The group's discovery documents, as the aggregator shows an APIService-backed group: after every
// built-in group (metrics-server's APIService has the lowest group priority), no singular names.
export function metricsAggregatedGroup(): unknown {
  return {
    metadata: { name: METRICS_GROUP, creationTimestamp: null },
    versions: [
      {
        version: METRICS_VERSION,
        resources: METRICS_RESOURCES.map((r) => ({
          resource: r.resource,
          responseKind: { group: METRICS_GROUP, version: METRICS_VERSION, kind: r.kind },
          scope: r.namespaced ? "Namespaced" : "Cluster",
          singularResource: "",
          verbs: ["get", "list"],
        })),
        freshness: "Current",
      },
    ],
  };
}

export function metricsApiGroup(): { name: string; versions: { groupVersion: string; version: string }[]; preferredVersion: { groupVersion: string; version: string } } {
  const v = { groupVersion: API_VERSION, version: METRICS_VERSION };
  return { name: METRICS_GROUP, versions: [v], preferredVersion: v };
}

export function metricsResourceList(): unknown {
  return {
    kind: "APIResourceList",
    apiVersion: "v1",
    groupVersion: API_VERSION,
    resources: METRICS_RESOURCES.map((r) => ({ name: r.resource, singularName: "", namespaced: r.namespaced, kind: r.kind, verbs: ["get", "list"] })),
  };
}

function usageOf(cpuNano: number, memoryBytes: number): Record<string, string> {
  return { cpu: formatNanoCores(cpuNano), memory: formatBytes(memoryBytes) };
}

function podMetrics(s: PodSample, now: number): KubeObject {
  const m = s.pod.metadata;
  return {
    kind: "PodMetrics",
    apiVersion: API_VERSION,
    metadata: { name: m.name, namespace: m.namespace, creationTimestamp: rfc3339(now), ...(m.labels ? { labels: m.labels } : {}) },
    timestamp: rfc3339(s.timestamp),
    window: goDuration(s.windowMs),
    containers: s.containers.map((c) => ({ name: c.name, usage: usageOf(c.cpuNano, c.memoryBytes) })),
  };
}

function nodeMetrics(s: NodeSample, now: number): KubeObject {
  const m = s.node.metadata;
  return {
    kind: "NodeMetrics",
    apiVersion: API_VERSION,
    metadata: { name: m.name, creationTimestamp: rfc3339(now), ...(m.labels ? { labels: m.labels } : {}) },
    timestamp: rfc3339(s.timestamp),
    window: goDuration(s.windowMs),
    usage: usageOf(s.cpuNano, s.memoryBytes),
  };
}

/** The metadata fields metrics-server filters on (generic.AddObjectMetaFieldsSet). */
function matchesMetaFields(sel: FieldSelector, obj: KubeObject, namespaced: boolean): boolean {
  const fields: Record<string, string> = { "metadata.name": obj.metadata.name ?? "" };
  if (namespaced) fields["metadata.namespace"] = obj.metadata.namespace ?? "";
  return sel.requirements.every((r) => {
    const actual = fields[r.field] ?? "";
    return r.operator === "!=" ? actual !== r.value : actual === r.value;
  });
}

function listFilter(url: URL, namespaced: boolean): (o: KubeObject) => boolean {
  const ls = url.searchParams.get("labelSelector");
  const fs = url.searchParams.get("fieldSelector");
  const labels = ls ? parseLabelSelector(ls) : undefined;
  const fields = fs ? parseFieldSelector(fs) : undefined;
  return (o) => (!labels || matchesLabels(labels, o.metadata.labels)) && (!fields || matchesMetaFields(fields, o, namespaced));
}

function byNamespaceAndName(a: KubeObject, b: KubeObject): number {
  const ns = (a.metadata.namespace ?? "").localeCompare(b.metadata.namespace ?? "");
  return ns !== 0 ? ns : (a.metadata.name ?? "").localeCompare(b.metadata.name ?? "");
}

/** A served object with its total usage (a pod's is the sum of its containers'), for Tables. */
interface Row {
  object: KubeObject;
  cpuNano: number;
  memoryBytes: number;
}

function podRow(s: PodSample, now: number): Row {
  return {
    object: podMetrics(s, now),
    cpuNano: s.containers.reduce((sum, c) => sum + c.cpuNano, 0),
    memoryBytes: s.containers.reduce((sum, c) => sum + c.memoryBytes, 0),
  };
}

function nodeRow(s: NodeSample, now: number): Row {
  return { object: nodeMetrics(s, now), cpuNano: s.cpuNano, memoryBytes: s.memoryBytes };
}

// Models sigs.k8s.io/metrics-server pkg/api/table.go
function table(rows: Row[], version: string): unknown {
  return {
    kind: "Table",
    apiVersion: `meta.k8s.io/${version}`,
    metadata: {},
    columnDefinitions: [
      { name: "Name", type: "string", format: "name", description: "Name of the resource", priority: 0 },
      { name: "cpu", type: "string", format: "quantity", description: "", priority: 0 },
      { name: "memory", type: "string", format: "quantity", description: "", priority: 0 },
      { name: "Window", type: "string", format: "duration", description: "", priority: 0 },
    ],
    rows: rows.map(({ object, cpuNano, memoryBytes }) => {
      const { name, namespace, creationTimestamp, labels } = object.metadata;
      return {
        cells: [name, formatNanoCores(cpuNano), formatBytes(memoryBytes), object.window],
        object: { kind: "PartialObjectMetadata", apiVersion: `meta.k8s.io/${version}`, metadata: { name, namespace, creationTimestamp, labels } },
      };
    }),
  };
}

function answer(request: Request, rows: Row[], listKind: string | undefined): Response {
  const tableReq = wantsTable(request.headers.get("accept"));
  if (tableReq) return jsonResponse(table(rows, tableReq.version));
  if (listKind === undefined) return jsonResponse(rows[0].object);
  return jsonResponse({ kind: listKind, apiVersion: API_VERSION, metadata: {}, items: rows.map((r) => r.object) });
}

/** Serves `/apis/metrics.k8s.io/v1beta1/...`. */
export function metricsRoute(ctx: ApiContext, request: Request, url: URL, req: ResourceRequest): Response {
  const kind = METRICS_RESOURCES.find((r) => r.resource === req.resource);
  if (req.version !== METRICS_VERSION || !kind || req.subresource !== undefined || (!kind.namespaced && req.namespace !== undefined)) {
    return jsonResponse({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: "the server could not find the requested resource", reason: "NotFound", details: {}, code: 404 }, 404);
  }
  if (request.method !== "GET") throw methodNotAllowed();
  if (req.watchPath || url.searchParams.get("watch") === "true" || url.searchParams.get("watch") === "1") {
    throw new KubeError(405, "MethodNotAllowed", `watch is not supported on resources of kind "${kind.kind}"`, { group: METRICS_GROUP, kind: req.resource });
  }
  const now = ctx.clock.now();
  const snapshot = new MetricsSnapshot(ctx.store, now);

  if (kind.resource === "nodes") {
    if (req.name !== undefined) {
      const node = ctx.store.get("/nodes", "", req.name);
      if (!node) throw notFound("", "nodes", req.name);
      const s = snapshot.node(node);
      if (!s) throw notFound(METRICS_GROUP, "nodemetrics", req.name);
      return answer(request, [nodeRow(s, now)], undefined);
    }
    const filter = listFilter(url, false);
    const rows = ctx.store
      .list("/nodes")
      .filter(filter)
      .sort(byNamespaceAndName)
      .flatMap((n) => {
        const s = snapshot.node(n);
        return s ? [nodeRow(s, now)] : [];
      });
    return answer(request, rows, "NodeMetricsList");
  }

  if (req.name !== undefined) {
    const ns = req.namespace ?? "";
    const pod = ctx.store.get("/pods", ns, req.name);
    if (!pod) throw notFound("", "pods", req.name);
    const s = snapshot.pod(pod);
    if (!s) throw notFound(METRICS_GROUP, "podmetrics", `${ns}/${req.name}`);
    return answer(request, [podRow(s, now)], undefined);
  }
  const filter = listFilter(url, true);
  const rows = ctx.store
    .list("/pods", req.namespace)
    .filter((p) => (p as Pod).status?.phase === "Running" && filter(p))
    .sort(byNamespaceAndName)
    .flatMap((p) => {
      const s = snapshot.pod(p);
      return s ? [podRow(s, now)] : [];
    });
  return answer(request, rows, "PodMetricsList");
}
