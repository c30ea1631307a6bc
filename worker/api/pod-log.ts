// The pods/log subresource: GET …/pods/P/log, answered text/plain the way kube-apiserver answers it
// after asking the node's kubelet — options decoded and validated, the container picked, then the
// kubelet's reading of that container's log (worker/kubelet/logs.ts). With follow=true the chunked
// stream stays open: lines are sent as virtual time brings them (a timer to the wall time of the next
// line, and every settled reconcile, which covers clock advances and restarts), until the container
// stops or the pod is gone.
// Models pkg/registry/core/pod/rest/log.go LogREST.Get, pkg/registry/core/pod/strategy.go LogLocation,
// pkg/apis/core/validation ValidatePodLogOptions and pkg/kubelet/server/server.go getContainerLogs
import { outStream } from "./stream";
import type { Container, Pod } from "kubernetes-types/core/v1";
import { kubeletRunning } from "../kubelet/machine";
import { formatEntries, logContainerID, openContainerLog, readLog, readOnlyContext, type ContainerLog, type LogEntry } from "../kubelet/logs";
import type { KubeObject } from "../resources/types";
import { onSettled } from "../sandbox/engine";
import type { ApiContext } from "./context";
import { jsonResponse } from "./negotiate";
import { badRequest, KubeError, methodNotAllowed, notFound, type StatusCause } from "./status";

interface LogParams {
  container: string;
  previous: boolean;
  follow: boolean;
  timestamps: boolean;
  tailLines?: number;
  limitBytes?: number;
  sinceSeconds?: number;
  /** Epoch ms, whole seconds (the apiserver passes it on as RFC 3339). */
  sinceTime?: number;
}

// Models staging/src/k8s.io/apimachinery/pkg/runtime/conversion.go: only absent, "0" and "false" are false.
function boolParam(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  return v !== null && v !== "0" && v.toLowerCase() !== "false";
}

function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null) return undefined;
  if (!/^[+-]?\d+$/.test(v)) throw badRequest(`strconv.ParseInt: parsing ${JSON.stringify(v)}: invalid syntax`);
  if (!Number.isSafeInteger(Number(v))) throw badRequest(`strconv.ParseInt: parsing ${JSON.stringify(v)}: value out of range`);
  return Number(v);
}

function timeParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === "") return undefined;
  const t = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(v) ? Date.parse(v) : NaN;
  if (Number.isNaN(t)) throw badRequest(`parsing time ${JSON.stringify(v)} as "2006-01-02T15:04:05Z07:00": cannot parse ${JSON.stringify(v)} as "2006"`);
  return Math.floor(t / 1000) * 1000;
}

function parseParams(url: URL): LogParams {
  const q = url.searchParams;
  return {
    container: q.get("container") ?? "",
    previous: boolParam(q, "previous"),
    follow: boolParam(q, "follow"),
    timestamps: boolParam(q, "timestamps"),
    tailLines: intParam(q, "tailLines"),
    limitBytes: intParam(q, "limitBytes"),
    sinceSeconds: intParam(q, "sinceSeconds"),
    sinceTime: timeParam(q, "sinceTime"),
  };
}

/** 422 `PodLogOptions "web" is invalid: …`, as errors.NewInvalid words field errors. */
function validate(name: string, p: LogParams): void {
  const errs: { cause: StatusCause; text: string }[] = [];
  const invalid = (field: string, value: number, detail: string) =>
    errs.push({ cause: { reason: "FieldValueInvalid", message: `Invalid value: ${value}: ${detail}`, field }, text: `${field}: Invalid value: ${value}: ${detail}` });
  if (p.tailLines !== undefined && p.tailLines < 0) invalid("tailLines", p.tailLines, "must be greater than or equal to 0");
  if (p.limitBytes !== undefined && p.limitBytes < 1) invalid("limitBytes", p.limitBytes, "must be greater than 0");
  if (p.sinceSeconds !== undefined && p.sinceTime !== undefined) {
    const detail = "Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified";
    errs.push({ cause: { reason: "FieldValueForbidden", message: detail, field: "" }, text: `: ${detail}` });
  } else if (p.sinceSeconds !== undefined && p.sinceSeconds < 1) invalid("sinceSeconds", p.sinceSeconds, "must be greater than 0");
  if (errs.length === 0) return;
  const list = errs.length === 1 ? errs[0].text : `[${errs.map((e) => e.text).join(", ")}]`;
  throw new KubeError(422, "Invalid", `PodLogOptions "${name}" is invalid: ${list}`, { name, kind: "PodLogOptions", causes: errs.map((e) => e.cause) });
}

/** The container the request names, or the only one; 400 with the choices otherwise. */
function pickContainer(pod: Pod, asked: string): string {
  const spec = pod.spec ?? { containers: [] };
  const name = pod.metadata?.name ?? "";
  const all: Container[] = [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...((spec.ephemeralContainers ?? []) as Container[])];
  if (asked) {
    if (!all.some((c) => c.name === asked)) throw badRequest(`container ${asked} is not valid for pod ${name}`);
    return asked;
  }
  if (spec.containers?.length === 1) return spec.containers[0].name;
  if (!spec.containers?.length) throw badRequest(`a container name must be specified for pod ${name}`);
  // Go prints the []string of every container, init containers first.
  throw badRequest(`a container name must be specified for pod ${name}, choose one of: [${all.map((c) => c.name).join(" ")}]`);
}

/** The query the apiserver forwards to the kubelet (url.Values.Encode: sorted keys). */
function kubeletQuery(p: LogParams): string {
  const q = new URLSearchParams();
  if (p.follow) q.set("follow", "true");
  if (p.limitBytes !== undefined) q.set("limitBytes", String(p.limitBytes));
  if (p.previous) q.set("previous", "true");
  if (p.sinceSeconds !== undefined) q.set("sinceSeconds", String(p.sinceSeconds));
  if (p.sinceTime !== undefined) q.set("sinceTime", new Date(p.sinceTime).toISOString().replace(".000Z", "Z"));
  if (p.tailLines !== undefined) q.set("tailLines", String(p.tailLines));
  if (p.timestamps) q.set("timestamps", "true");
  const s = q.toString();
  return s ? `?${s}` : "";
}

const TEXT_HEADERS = { "content-type": "text/plain" };
// A followed log must reach the client line by line: nothing on the way may compress or buffer it.
const STREAM_HEADERS = { ...TEXT_HEADERS, "cache-control": "no-cache, private, no-transform", "content-encoding": "identity" };

export async function podLog(ctx: ApiContext, request: Request, url: URL, namespace: string, name: string): Promise<Response> {
  if (request.method !== "GET") throw methodNotAllowed();
  const params = parseParams(url);
  validate(name, params);
  const pod = ctx.store.get("/pods", namespace, name) as (KubeObject & Pod) | undefined;
  if (!pod) throw notFound("", "pods", name);
  const container = pickContainer(pod, params.container);
  const nodeName = pod.spec?.nodeName ?? "";
  // An unscheduled pod has no kubelet to ask: the apiserver streams nothing.
  if (!nodeName) return new Response("", { headers: TEXT_HEADERS });
  const node = ctx.store.get("/nodes", "", nodeName);
  if (!node) throw notFound("", "nodes", nodeName);
  const now = ctx.clock.now();
  const reader = readOnlyContext(ctx.store, now);
  if (!kubeletRunning(reader, nodeName)) {
    const ip = ((node.status as { addresses?: { type: string; address: string }[] } | undefined)?.addresses ?? []).find((a) => a.type === "InternalIP")?.address ?? nodeName;
    const message = `Get "https://${ip}:10250/containerLogs/${namespace}/${name}/${container}${kubeletQuery(params)}": dial tcp ${ip}:10250: connect: connection refused`;
    // Not a Status error upstream: it is reported with reason Unknown, which kubectl prints bare.
    return jsonResponse({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, code: 500 }, 500);
  }
  // The kubelet answers 400 with its reason, which the apiserver passes on as BadRequest.
  const target = logContainerID(pod, container, params.previous);
  if ("error" in target) throw badRequest(target.error);
  const since = params.sinceSeconds !== undefined ? now - params.sinceSeconds * 1000 : params.sinceTime;
  const log = openContainerLog(reader, pod, node, container, target.id);
  if (!log) return new Response("", { headers: TEXT_HEADERS });
  const first = readLog(log, now, { tailLines: params.tailLines, since, maxFileBytes: ctx.guard?.limits.maxLogBytes });
  const body = limited(encode(first.entries, params.timestamps), params.limitBytes);
  const done = log.end !== undefined && log.end <= now;
  if (!params.follow || done || (params.limitBytes !== undefined && body.length >= params.limitBytes)) {
    return new Response(body, { headers: params.follow ? STREAM_HEADERS : TEXT_HEADERS });
  }
  return follow(ctx, request, { pod, node, container, id: target.id, timestamps: params.timestamps, remaining: params.limitBytes, cursor: first.upTo }, body);
}

function encode(entries: LogEntry[], timestamps: boolean): Uint8Array {
  return new TextEncoder().encode(formatEntries(entries, timestamps));
}

/** limitBytes cuts the output at that byte, mid-line if it falls there (the kubelet's LimitWriter). */
function limited(bytes: Uint8Array, limit: number | undefined): Uint8Array {
  return limit !== undefined && bytes.length > limit ? bytes.slice(0, limit) : bytes;
}

interface Following {
  pod: KubeObject;
  node: KubeObject;
  container: string;
  id: string;
  timestamps: boolean;
  /** Bytes still allowed by limitBytes. */
  remaining?: number;
  /** Everything logged at or before this virtual time was sent. */
  cursor: number;
}

function follow(ctx: ApiContext, request: Request, f: Following, first: Uint8Array): Response {
  // A followed log is a long-lived stream like a watch, and holds one of the same slots.
  const release = ctx.guard?.streams.acquire("watch");
  const stream = outStream();
  if (release) stream.onClose(release);
  let timer: ReturnType<typeof setTimeout> | undefined;
  stream.onClose(() => timer && clearTimeout(timer));
  const close = () => stream.close();
  const send = (bytes: Uint8Array) => {
    if (stream.closed || bytes.length === 0) return;
    const out = limited(bytes, f.remaining);
    stream.write(out);
    if (f.remaining !== undefined) {
      f.remaining -= out.length;
      if (f.remaining <= 0) close();
    }
  };

  /** Sends what was logged since the cursor; ends with the container; sets a timer for the next line. */
  const wake = () => {
    if (stream.closed) return;
    if (timer) clearTimeout(timer);
    timer = undefined;
    const now = ctx.clock.now();
    const pod = ctx.store.get("/pods", f.pod.metadata.namespace ?? "", f.pod.metadata.name ?? "");
    const log: ContainerLog | undefined = pod && pod.metadata.uid === f.pod.metadata.uid ? openContainerLog(readOnlyContext(ctx.store, now), pod, ctx.store.get("/nodes", "", f.node.metadata.name ?? "") ?? f.node, f.container, f.id) : undefined;
    if (!log) return close();
    const upTo = Math.min(now, log.end ?? now);
    if (upTo > f.cursor) {
      send(encode(log.entries(f.cursor, upTo), f.timestamps));
      f.cursor = upTo;
    }
    if (log.end !== undefined && log.end <= now) return close();
    const next = Math.min(log.nextAfter(f.cursor) ?? Infinity, log.end ?? Infinity);
    const clock = ctx.clock;
    if (stream.closed || !Number.isFinite(next) || clock.paused) return;
    // Wall time follows virtual time at the clock's scale; the settled hook covers everything else.
    timer = setTimeout(wake, Math.max(0, (next - now) / clock.timeScale) + 1);
  };

  send(first);
  stream.onClose(onSettled(ctx.store, wake));
  request.signal?.addEventListener("abort", close);
  wake();
  return new Response(stream.readable, { headers: STREAM_HEADERS });
}
