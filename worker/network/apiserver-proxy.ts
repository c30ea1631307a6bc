// The API server's proxy subresources — `services/[scheme:]name[:port]/proxy/…`,
// `pods/name[:port]/proxy/…`, `nodes/name/proxy/…` — which `kubectl proxy` and the dashboard use:
// the request is passed to a container (a random ready endpoint of the Service port, as the API
// server picks it, or the pod itself) from the API server's own network namespace on the control
// plane, and its status, headers and body come back. A read-only link may read this way (GET,
// HEAD); the router refuses anything else on it. Nothing is written.
// Models pkg/registry/core/service/proxy.go and storage.go ResourceLocation, pkg/registry/core/pod
// strategy.go ResourceLocation, staging/src/k8s.io/apimachinery/pkg/util/proxy upgradeaware.go.
import type { Pod, ServicePort } from "kubernetes-types/core/v1";
import type { ApiContext } from "../api/context";
import { jsonResponse } from "../api/negotiate";
import { KubeError, notFound } from "../api/status";
import { svcOf, type EndpointInfo } from "./cluster";
import { networkFor, type ClusterNetwork } from "./network";
import { unitHash } from "./proxy";
import { containerHeaders } from "./outside";
import type { ConnectOutcome } from "./types";

/** pods/portforward needs a raw TCP stream through the socket; the simulated containers speak only HTTP exchanges. */
export const PORT_FORWARD_UNSUPPORTED =
  "kubeplay does not forward ports: reach a Service with `kubectl proxy` (/api/v1/namespaces/<ns>/services/<name>:<port>/proxy/) or the sandbox's /nodeport/<port>/ route";

const PROXY_METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

function serviceUnavailable(message: string): KubeError {
  return new KubeError(503, "ServiceUnavailable", message, {});
}

/** `[scheme:]name[:port]`, as the proxy subresource's name segment carries it. */
export function splitName(id: string): { scheme: string; name: string; port: string } {
  const parts = id.split(":");
  if (parts.length === 3) return { scheme: parts[0], name: parts[1], port: parts[2] };
  if (parts.length === 2) return { scheme: "", name: parts[0], port: parts[1] };
  return { scheme: "", name: id, port: "" };
}

/** The API server dials from the first control-plane node's own network namespace. */
function apiserverNetwork(ctx: ApiContext): ClusterNetwork {
  const nodes = ctx.store.list("/nodes");
  const cp = nodes.find((n) => n.metadata.labels?.["node-role.kubernetes.io/control-plane"] !== undefined) ?? nodes[0];
  const ip = ((cp?.status as { addresses?: { type: string; address: string }[] } | undefined)?.addresses ?? []).find((a) => a.type === "InternalIP")?.address ?? "";
  return networkFor({ reader: ctx.store, now: ctx.clock.now(), memoryKey: ctx.rng }, { ip, node: cp?.metadata.name, kind: "host" });
}

/** The path below `/proxy`, exactly as asked (a missing trailing part is `/`), with the query. */
function proxiedPath(url: URL): string {
  const i = url.pathname.indexOf("/proxy");
  const rest = i >= 0 ? url.pathname.slice(i + "/proxy".length) : "/";
  return `${rest || "/"}${url.search}`;
}

async function forward(net: ClusterNetwork, request: Request, url: URL, ip: string, port: number, errorTarget: string): Promise<Response> {
  if (!PROXY_METHODS.has(request.method)) throw new KubeError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource", {});
  const headers: Record<string, string> = { Host: `${ip}:${port}` };
  for (const h of ["accept", "content-type", "user-agent"]) {
    const v = request.headers.get(h);
    if (v) headers[h.replace(/(^|-)\w/g, (m) => m.toUpperCase())] = v;
  }
  const body = request.method === "GET" || request.method === "HEAD" ? undefined : await request.text();
  const out: ConnectOutcome = net.http(ip, port, { method: request.method, path: proxiedPath(url), headers, ...(body !== undefined ? { body } : {}) }, net.cluster.now);
  const dial = `dial tcp ${ip}:${port}`;
  switch (out.kind) {
    case "refused":
      throw serviceUnavailable(`error trying to reach ${errorTarget}: ${dial}: connect: connection refused`);
    case "unreachable":
      throw serviceUnavailable(`error trying to reach ${errorTarget}: ${dial}: connect: no route to host`);
    case "timeout":
      throw serviceUnavailable(`error trying to reach ${errorTarget}: ${dial}: i/o timeout`);
    case "empty":
      throw new KubeError(502, "InternalError", `error trying to reach ${errorTarget}: EOF`, {});
  }
  const resHeaders = containerHeaders(out.headers);
  if (!resHeaders.has("content-type")) resHeaders.set("content-type", "text/plain; charset=utf-8");
  // A redirect inside the container stays below the proxy path.
  const location = out.headers.Location;
  if (location?.startsWith("/")) {
    const base = url.pathname.slice(0, url.pathname.indexOf("/proxy") + "/proxy".length);
    resHeaders.set("location", `${base}${location}`);
  }
  return new Response(request.method === "HEAD" ? null : out.body, { status: out.status, headers: resHeaders });
}

/**
 * `services/{id}/proxy/…`: a random ready endpoint of the named Service port. As upstream's
 * ResourceLocation: a port number the Service lacks is refused by number; otherwise the port is
 * looked up by name among the endpoints (an empty name matches only an unnamed port), and a Service
 * with no endpoints at all is named alone, one whose port has no ready endpoint by the id as asked.
 */
export async function serviceProxy(ctx: ApiContext, request: Request, url: URL, namespace: string, id: string): Promise<Response> {
  const { name, port: portStr } = splitName(id);
  const svc = ctx.store.get("/services", namespace, name);
  if (!svc) throw notFound("", "services", name);
  const ports = svcOf(svc).spec?.ports ?? [];
  let portName = portStr;
  if (/^[+-]?\d+$/.test(portStr)) {
    const sp = ports.find((p) => p.port === Number(portStr));
    if (!sp) throw serviceUnavailable(`no service port ${Number(portStr)} found for service "${name}"`);
    portName = sp.name ?? "";
  }
  const endpoints = ctx.store.get("/endpoints", namespace, name) as { subsets?: unknown[] } | undefined;
  if (!endpoints) throw notFound("", "endpoints", name);
  if (!endpoints.subsets?.length) throw serviceUnavailable(`no endpoints available for service "${name}"`);
  const net = apiserverNetwork(ctx);
  const sp: ServicePort | undefined = ports.find((p) => (p.name ?? "") === portName);
  const eps: EndpointInfo[] = sp ? net.cluster.endpoints(svc, sp, sp.protocol ?? "TCP").filter((e) => e.ready) : [];
  if (eps.length === 0) throw serviceUnavailable(`no endpoints available for service "${id}"`);
  const ep = eps[Math.floor(unitHash(`${net.memory.connections++}|${net.cluster.now}|${namespace}/${name}`) * eps.length)];
  return forward(net, request, url, ep.ip, ep.port, "service");
}

/**
 * `pods/{id}/proxy/…`: the pod's IP, at the numbered or named container port; without one, the
 * first port a container declares (upstream's ResourceLocation), else the scheme's default, 80.
 */
export async function podProxy(ctx: ApiContext, request: Request, url: URL, namespace: string, id: string): Promise<Response> {
  const { name, port: portStr } = splitName(id);
  const pod = ctx.store.get("/pods", namespace, name) as Pod | undefined;
  if (!pod) throw notFound("", "pods", name);
  const declared = (pod.spec?.containers ?? []).flatMap((c) => c.ports ?? []);
  let port = declared[0]?.containerPort ?? 80;
  if (/^\d+$/.test(portStr)) port = Number(portStr);
  else if (portStr) {
    const named = declared.find((p) => p.name === portStr);
    if (!named) throw serviceUnavailable(`no port named "${portStr}" in pod "${name}"`);
    port = named.containerPort;
  }
  const ip = pod.status?.podIP;
  if (!ip) throw new KubeError(400, "BadRequest", `address not allowed`, {});
  return forward(apiserverNetwork(ctx), request, url, ip, port, "pod");
}

/** `nodes/{name}/proxy/…`: the kubelet's read-only endpoints. */
export function nodeProxy(ctx: ApiContext, request: Request, url: URL, name: string): Response {
  const node = ctx.store.get("/nodes", "", splitName(name).name);
  if (!node) throw notFound("", "nodes", name);
  const path = proxiedPath(url).split("?")[0];
  if (path === "/healthz") return new Response(request.method === "HEAD" ? null : "ok", { headers: { "content-type": "text/plain; charset=utf-8" } });
  if (path === "/pods" || path === "/pods/") {
    const items = ctx.store.list("/pods").filter((p) => (p as Pod).spec?.nodeName === node.metadata.name);
    return jsonResponse({ kind: "PodList", apiVersion: "v1", metadata: {}, items });
  }
  return new Response("404 page not found\n", { status: 404, headers: { "content-type": "text/plain; charset=utf-8" } });
}
