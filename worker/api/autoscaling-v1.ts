// autoscaling/v1 HorizontalPodAutoscalers: a second representation of the stored autoscaling/v2
// objects, as upstream (kubectl autoscale up to 1.32 creates v1). A v1 request is served by the v2
// handlers: its body is converted to v2 on the way in, answers (objects, lists, watch events) back
// to v1 on the way out. What v1 cannot express travels in the upstream annotations
// (autoscaling.alpha.kubernetes.io/metrics, current-metrics, conditions, behavior).
// Models pkg/apis/autoscaling/v1/conversion.go
import type { KubeObject } from "../resources/types";
import { asObject, decodeObject, decodeText, mediaType, parseApplyPatch, parseJson, readBody } from "./body";
import type { ApiContext } from "./context";
import { warningHeaders } from "./negotiate";
import { unknownFields } from "./openapi";
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch } from "./patch";
import type { ResourceRequest } from "./request-info";
import { badRequest, notFound } from "./status";

const V1 = "autoscaling/v1";
const V2 = "autoscaling/v2";
const KIND = "HorizontalPodAutoscaler";
const METRICS = "autoscaling.alpha.kubernetes.io/metrics";
const CURRENT_METRICS = "autoscaling.alpha.kubernetes.io/current-metrics";
const CONDITIONS = "autoscaling.alpha.kubernetes.io/conditions";
const BEHAVIOR = "autoscaling.alpha.kubernetes.io/behavior";
/** autoscaling/v1 had an implicit 80% CPU target; v2 states it. */
const DEFAULT_CPU_UTILIZATION = 80;

type Obj = Record<string, unknown>;
const rec = (v: unknown): Obj | undefined => (v && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : undefined);
const defined = (o: Obj): Obj => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

export function isAutoscalingV1Hpa(req: ResourceRequest): boolean {
  return req.group === "autoscaling" && req.version === "v1" && req.resource === "horizontalpodautoscalers";
}

// ---- v2 → v1 ----

function metricSpecToV1(m: Obj): Obj {
  const type = m.type as string;
  const target = (src: Obj | undefined) => rec(src?.target) ?? {};
  switch (type) {
    case "Resource": {
      const r = rec(m.resource);
      return { type, resource: defined({ name: r?.name, targetAverageUtilization: target(r).averageUtilization, targetAverageValue: target(r).averageValue }) };
    }
    case "ContainerResource": {
      const r = rec(m.containerResource);
      return { type, containerResource: defined({ name: r?.name, container: r?.container, targetAverageUtilization: target(r).averageUtilization, targetAverageValue: target(r).averageValue }) };
    }
    case "Pods": {
      const p = rec(m.pods);
      const metric = rec(p?.metric);
      return { type, pods: defined({ metricName: metric?.name, targetAverageValue: target(p).averageValue ?? "0", selector: metric?.selector }) };
    }
    case "Object": {
      const o = rec(m.object);
      const metric = rec(o?.metric);
      return { type, object: defined({ target: o?.describedObject, metricName: metric?.name, targetValue: target(o).value ?? "0", selector: metric?.selector, averageValue: target(o).averageValue }) };
    }
    case "External": {
      const e = rec(m.external);
      const metric = rec(e?.metric);
      return { type, external: defined({ metricName: metric?.name, metricSelector: metric?.selector, targetValue: target(e).value, targetAverageValue: target(e).averageValue }) };
    }
  }
  return { type };
}

function metricStatusToV1(m: Obj): Obj {
  const type = m.type as string;
  const current = (src: Obj | undefined) => rec(src?.current) ?? {};
  switch (type) {
    case "Resource": {
      const r = rec(m.resource);
      return { type, resource: defined({ name: r?.name, currentAverageUtilization: current(r).averageUtilization, currentAverageValue: current(r).averageValue ?? "0" }) };
    }
    case "ContainerResource": {
      const r = rec(m.containerResource);
      return { type, containerResource: defined({ name: r?.name, container: r?.container, currentAverageUtilization: current(r).averageUtilization, currentAverageValue: current(r).averageValue ?? "0" }) };
    }
    case "Pods": {
      const p = rec(m.pods);
      return { type, pods: defined({ metricName: rec(p?.metric)?.name, currentAverageValue: current(p).averageValue ?? "0", selector: rec(p?.metric)?.selector }) };
    }
    case "Object": {
      const o = rec(m.object);
      return { type, object: defined({ target: o?.describedObject, metricName: rec(o?.metric)?.name, currentValue: current(o).value ?? "0", selector: rec(o?.metric)?.selector, averageValue: current(o).averageValue }) };
    }
    case "External": {
      const e = rec(m.external);
      return { type, external: defined({ metricName: rec(e?.metric)?.name, metricSelector: rec(e?.metric)?.selector, currentValue: current(e).value ?? "0", currentAverageValue: current(e).averageValue }) };
    }
  }
  return { type };
}

const isCpuUtilization = (m: Obj): boolean => m.type === "Resource" && rec(m.resource)?.name === "cpu" && rec(rec(m.resource)?.target)?.averageUtilization !== undefined;

/** The stored (v2) object as autoscaling/v1 shows it. */
export function hpaToV1(obj: KubeObject): KubeObject {
  const spec = rec(obj.spec) ?? {};
  const status = rec(obj.status) ?? {};
  const metrics = ((spec.metrics as Obj[] | undefined) ?? []).filter((m) => rec(m));
  const cpu = metrics.find((m) => m.type === "Resource" && rec(m.resource)?.name === "cpu");
  const other = metrics.filter((m) => !isCpuUtilization(m)).map(metricSpecToV1);
  const currentMetrics = (status.currentMetrics as Obj[] | undefined) ?? [];
  const conditions = (status.conditions as Obj[] | undefined) ?? [];
  const annotations: Record<string, string> = { ...(obj.metadata.annotations ?? {}) };
  if (other.length) annotations[METRICS] = JSON.stringify(other);
  if (currentMetrics.length) annotations[CURRENT_METRICS] = JSON.stringify(currentMetrics.map(metricStatusToV1));
  if (conditions.length) annotations[CONDITIONS] = JSON.stringify(conditions);
  if (spec.behavior) annotations[BEHAVIOR] = JSON.stringify(spec.behavior);
  const cpuStatus = currentMetrics.find((m) => m.type === "Resource" && rec(m.resource)?.name === "cpu");
  const metadata = { ...obj.metadata };
  if (Object.keys(annotations).length) metadata.annotations = annotations;
  return {
    ...obj,
    apiVersion: V1,
    kind: KIND,
    metadata,
    spec: defined({
      scaleTargetRef: spec.scaleTargetRef,
      minReplicas: spec.minReplicas,
      maxReplicas: spec.maxReplicas,
      targetCPUUtilizationPercentage: rec(rec(cpu?.resource)?.target)?.averageUtilization,
    }),
    status: defined({
      observedGeneration: status.observedGeneration,
      lastScaleTime: status.lastScaleTime,
      currentReplicas: status.currentReplicas ?? 0,
      desiredReplicas: status.desiredReplicas ?? 0,
      currentCPUUtilizationPercentage: rec(rec(cpuStatus?.resource)?.current)?.averageUtilization,
    }),
  };
}

// ---- v1 → v2 ----

function metricSpecToV2(m: Obj): Obj {
  const type = m.type as string;
  const util = (src: Obj | undefined) =>
    src?.targetAverageUtilization !== undefined
      ? { type: "Utilization", averageUtilization: src.targetAverageUtilization, ...(src.targetAverageValue !== undefined ? { averageValue: src.targetAverageValue } : {}) }
      : { type: "AverageValue", averageValue: src?.targetAverageValue };
  switch (type) {
    case "Resource": {
      const r = rec(m.resource);
      return { type, resource: { name: r?.name, target: util(r) } };
    }
    case "ContainerResource": {
      const r = rec(m.containerResource);
      return { type, containerResource: { name: r?.name, container: r?.container, target: util(r) } };
    }
    case "Pods": {
      const p = rec(m.pods);
      return { type, pods: { metric: defined({ name: p?.metricName, selector: p?.selector }), target: { type: "AverageValue", averageValue: p?.targetAverageValue } } };
    }
    case "Object": {
      const o = rec(m.object);
      const target = o?.averageValue !== undefined ? { type: "AverageValue", value: o?.targetValue, averageValue: o.averageValue } : { type: "Value", value: o?.targetValue };
      return { type, object: { describedObject: o?.target, metric: defined({ name: o?.metricName, selector: o?.selector }), target } };
    }
    case "External": {
      const e = rec(m.external);
      const target = e?.targetValue === undefined ? { type: "AverageValue", averageValue: e?.targetAverageValue } : defined({ type: "Value", value: e.targetValue, averageValue: e.targetAverageValue });
      return { type, external: { metric: defined({ name: e?.metricName, selector: e?.metricSelector }), target } };
    }
  }
  return { type };
}

function metricStatusToV2(m: Obj): Obj {
  const type = m.type as string;
  switch (type) {
    case "Resource":
    case "ContainerResource": {
      const field = type === "Resource" ? "resource" : "containerResource";
      const r = rec(m[field]);
      return { type, [field]: defined({ name: r?.name, container: r?.container, current: defined({ averageUtilization: r?.currentAverageUtilization, averageValue: r?.currentAverageValue }) }) };
    }
    case "Pods": {
      const p = rec(m.pods);
      return { type, pods: { metric: defined({ name: p?.metricName, selector: p?.selector }), current: { averageValue: p?.currentAverageValue } } };
    }
    case "Object": {
      const o = rec(m.object);
      return { type, object: { describedObject: o?.target, metric: defined({ name: o?.metricName, selector: o?.selector }), current: defined({ value: o?.currentValue, averageValue: o?.averageValue }) } };
    }
    case "External": {
      const e = rec(m.external);
      return { type, external: { metric: defined({ name: e?.metricName, selector: e?.metricSelector }), current: defined({ value: e?.currentValue, averageValue: e?.currentAverageValue }) } };
    }
  }
  return { type };
}

function annotationJson(annotations: Record<string, string>, key: string): unknown {
  const text = annotations[key];
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest(`unable to decode annotation ${key}: invalid JSON`);
  }
}

/** A v1 object (or, with `partial`, a server-side apply configuration) as stored in v2. */
export function hpaToV2(obj: KubeObject, partial = false): KubeObject {
  const spec = rec(obj.spec);
  const status = rec(obj.status);
  const annotations: Record<string, string> = { ...(obj.metadata?.annotations ?? {}) };
  const other = ((annotationJson(annotations, METRICS) as Obj[] | undefined) ?? []).map(metricSpecToV2);
  const currentMetrics = annotationJson(annotations, CURRENT_METRICS) as Obj[] | undefined;
  const conditions = annotationJson(annotations, CONDITIONS) as Obj[] | undefined;
  const behavior = annotationJson(annotations, BEHAVIOR);
  for (const k of [METRICS, CURRENT_METRICS, CONDITIONS, BEHAVIOR]) delete annotations[k];
  const metrics = [...other];
  if (spec?.targetCPUUtilizationPercentage !== undefined && spec.targetCPUUtilizationPercentage !== null) {
    metrics.push({ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: spec.targetCPUUtilizationPercentage } } });
  }
  if (metrics.length === 0 && !partial) metrics.push({ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: DEFAULT_CPU_UTILIZATION } } });
  const metadata = { ...(obj.metadata ?? {}) };
  if (Object.keys(annotations).length) metadata.annotations = annotations;
  else delete metadata.annotations;
  const out: KubeObject = { ...obj, apiVersion: V2, kind: KIND, metadata };
  if (spec) {
    out.spec = defined({
      scaleTargetRef: spec.scaleTargetRef,
      minReplicas: spec.minReplicas,
      maxReplicas: spec.maxReplicas,
      metrics: metrics.length ? metrics : undefined,
      behavior,
    });
  }
  if (status) {
    const cpu = status.currentCPUUtilizationPercentage;
    out.status = defined({
      observedGeneration: status.observedGeneration,
      lastScaleTime: status.lastScaleTime,
      currentReplicas: status.currentReplicas || undefined,
      desiredReplicas: status.desiredReplicas ?? 0,
      currentMetrics: currentMetrics
        ? currentMetrics.map(metricStatusToV2)
        : typeof cpu === "number"
          ? [{ type: "Resource", resource: { name: "cpu", current: { averageUtilization: cpu } } }]
          : undefined,
      conditions,
    });
  }
  return out;
}

// ---- serving ----

/** Converts every v2 HPA in a JSON answer (object, list, Table rows, watch event) to v1. */
function convertBody(value: unknown): unknown {
  const o = rec(value);
  if (!o) return value;
  if (o.kind === KIND && o.apiVersion === V2) return hpaToV1(o as KubeObject);
  if (o.kind === `${KIND}List`) return { ...o, apiVersion: V1, items: ((o.items as KubeObject[]) ?? []).map((i) => hpaToV1({ ...i, apiVersion: V2, kind: KIND })) };
  if (o.kind === "Table") return { ...o, rows: ((o.rows as Obj[] | null) ?? []).map((r) => ({ ...r, object: convertBody(r.object) })) };
  if (typeof o.type === "string" && rec(o.object)) return { ...o, object: convertBody(o.object) };
  return value;
}

/** Rewrites a v2 answer for a v1 client, line by line when it streams (watch). */
async function convertResponse(res: Response, streaming: boolean): Promise<Response> {
  const type = res.headers.get("content-type") ?? "";
  if (!type.startsWith("application/json") || !res.body) return res;
  if (!streaming) {
    const text = await res.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return new Response(text, { status: res.status, headers: res.headers });
    }
    return new Response(JSON.stringify(convertBody(body)), { status: res.status, headers: res.headers });
  }
  let pending = "";
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  const convertLine = (line: string) => {
    if (!line.trim()) return `${line}\n`;
    try {
      return `${JSON.stringify(convertBody(JSON.parse(line)))}\n`;
    } catch {
      return `${line}\n`;
    }
  };
  const transform = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      pending += decoder.decode(chunk, { stream: true });
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      if (lines.length) controller.enqueue(encoder.encode(lines.map(convertLine).join("")));
    },
    flush(controller) {
      if (pending) controller.enqueue(encoder.encode(convertLine(pending)));
    },
  });
  return new Response(res.body.pipeThrough(transform), { status: res.status, headers: res.headers });
}

function strictCheck(obj: KubeObject, url: URL): string[] {
  const mode = url.searchParams.get("fieldValidation") ?? "Warn";
  if (mode === "Ignore") return [];
  const unknown = unknownFields("apis/autoscaling/v1", KIND, obj);
  if (unknown.length && mode === "Strict") {
    throw badRequest(`${KIND} in version "v1" cannot be handled as a ${KIND}: strict decoding error: ${unknown.length === 1 ? unknown[0] : unknown.join(", ")}`);
  }
  return unknown;
}

function decodeV1(contentType: string, bytes: Uint8Array): KubeObject {
  const obj = decodeObject(contentType, bytes, { apiVersion: V1, kind: KIND });
  if (obj.apiVersion !== undefined && obj.apiVersion !== V1) {
    throw badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${V1})`);
  }
  if (obj.kind !== undefined && obj.kind !== KIND) throw badRequest(`the kind in the data (${obj.kind}) does not match the expected kind (${KIND})`);
  return obj;
}

function patched(contentType: string, text: string, current: KubeObject): KubeObject {
  switch (contentType) {
    case "application/json-patch+json":
      return asObject(applyJsonPatch(structuredClone(current), parseJson(text)));
    case "application/merge-patch+json":
      return asObject(applyMergePatch(structuredClone(current), parseJson(text)));
    default:
      return asObject(applyStrategicMergePatch(structuredClone(current), parseJson(text), `autoscaling/${KIND}`));
  }
}

function withWarnings(res: Response, warnings: string[]): Response {
  if (!warnings.length) return res;
  const headers = new Headers(res.headers);
  for (const [k, v] of Object.entries(warningHeaders(warnings))) headers.append(k, v);
  return new Response(res.body, { status: res.status, headers });
}

/**
 * Serves an autoscaling/v1 HPA request through `v2`, the router for the same request as v2
 * (`path` rewritten, body converted).
 */
export async function autoscalingV1(
  ctx: ApiContext,
  request: Request,
  path: string,
  req: ResourceRequest,
  v2: (request: Request, path: string) => Promise<Response>,
): Promise<Response> {
  const url = new URL(request.url);
  const v2Path = path.replace("/apis/autoscaling/v1/", "/apis/autoscaling/v2/");
  const v2Url = new URL(url);
  v2Url.pathname = v2Url.pathname.slice(0, v2Url.pathname.length - path.length) + v2Path;
  const streaming = req.watchPath || url.searchParams.get("watch") === "true" || url.searchParams.get("watch") === "1";
  const method = request.method;
  const headers = new Headers(request.headers);
  const forward = (body: string | undefined, contentType?: string) => {
    if (contentType) headers.set("content-type", contentType);
    return v2(new Request(v2Url, { method, headers, body }), v2Path);
  };

  if (method === "POST" || method === "PUT") {
    const obj = decodeV1(mediaType(request), await readBody(request, ctx.maxBodyBytes));
    const warnings = strictCheck(obj, url);
    return withWarnings(await convertResponse(await forward(JSON.stringify(hpaToV2(obj)), "application/json"), false), warnings);
  }
  if (method === "PATCH") {
    const contentType = mediaType(request);
    const text = decodeText(await readBody(request, ctx.maxBodyBytes));
    if (contentType === "application/apply-patch+yaml") {
      const applied = parseApplyPatch(text);
      const warnings = strictCheck(applied, url);
      return withWarnings(await convertResponse(await forward(JSON.stringify(hpaToV2(applied, true)), contentType), false), warnings);
    }
    // The patch applies to the v1 shape; the result is stored as an update of the current version.
    const stored = ctx.store.get("autoscaling/horizontalpodautoscalers", req.namespace ?? "", req.name ?? "");
    if (!stored) throw notFound("autoscaling", "horizontalpodautoscalers", req.name ?? "");
    const next = patched(contentType, text, hpaToV1(stored));
    const warnings = strictCheck(next, url);
    const body = hpaToV2(next);
    body.metadata.resourceVersion = stored.metadata.resourceVersion;
    headers.set("content-type", "application/json");
    const res = await v2(new Request(v2Url, { method: "PUT", headers, body: JSON.stringify(body) }), v2Path);
    return withWarnings(await convertResponse(res, false), warnings);
  }
  const body = method === "DELETE" ? await request.text() : undefined;
  return convertResponse(await forward(body || undefined), streaming);
}
