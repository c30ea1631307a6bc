// Reaching the sandbox's Services from outside, as a browser on the nodes' LAN would:
//   /s/<id>/nodeport/<port>/<path>          a NodePort on the first node that is up
//   /s/<id>/node/<node>/<port>/<path>       a NodePort (or host port) on a given node
//   /s/<id>/lb/<ip>/<port>/<path>           a LoadBalancer ingress IP or an externalIP
//   /s/<id>/ingress/<host>/<path>           the ingress controller's address, port 80, `Host: <host>`
// A browser cannot choose the Host header a Service sees, so an `X-Forwarded-Host` request header
// stands for it on the first three.
// The request enters the cluster through that node's kube-proxy with the outside client's address
// (externalTrafficPolicy Local keeps it, and then only that node's endpoints answer). A read-only
// link may read (GET, HEAD); nothing is written either way.
import type { ApiContext } from "../api/context";
import { svcOf } from "./cluster";
import { INGRESS_HTTP_NODE_PORT, INGRESS_NGINX_NAMESPACE, INGRESS_NGINX_SERVICE } from "./ingress";
import { networkFor, OUTSIDE_CLIENT_IP } from "./network";
import type { ConnectOutcome } from "./types";
import { tryUnescapeUrl } from "../util/url";

const READS = new Set(["GET", "HEAD"]);
/** Response headers that belong to one hop only, and cookies, which a container may not set on kubeplay's origin. */
const DROPPED_HEADERS = new Set(["connection", "keep-alive", "transfer-encoding", "upgrade", "content-length", "set-cookie", "set-cookie2"]);

/**
 * A container's answer is served on kubeplay's own origin, where the console keeps its owner
 * tokens: a page it serves runs sandboxed (an opaque origin: no storage, no cookies, no same-origin
 * requests) and its type is not sniffed into something that runs.
 */
export function contain(headers: Headers): Headers {
  headers.set("Content-Security-Policy", "sandbox");
  headers.set("X-Content-Type-Options", "nosniff");
  return headers;
}

/** The headers a container answered with, as passed back to a browser: no hop-by-hop headers, no cookies, contained. */
export function containerHeaders(own: Record<string, string>): Headers {
  const headers = new Headers();
  for (const [k, v] of Object.entries(own)) if (!DROPPED_HEADERS.has(k.toLowerCase())) headers.set(k, v);
  return contain(headers);
}

function text(status: number, body: string): Response {
  return new Response(body, { status, headers: contain(new Headers({ "content-type": "text/plain; charset=utf-8" })) });
}

/** Whether `path` (below the sandbox prefix) is one of the outside routes. */
export function isOutsidePath(path: string): boolean {
  return /^\/(nodeport|node|lb|ingress)\//.test(path);
}

export async function outsideRoute(ctx: ApiContext, request: Request, path: string): Promise<Response> {
  const m =
    /^\/nodeport\/(\d+)(\/.*)?$/.exec(path) ?? /^\/node\/([^/]+)\/(\d+)(\/.*)?$/.exec(path) ?? /^\/lb\/([\d.]+)\/(\d+)(\/.*)?$/.exec(path) ?? /^\/ingress\/([^/]+)(\/.*)?$/.exec(path);
  if (!m) return text(404, "expected /nodeport/<port>/…, /node/<node>/<port>/…, /lb/<ip>/<port>/… or /ingress/<host>/…\n");
  if (ctx.readOnly && !READS.has(request.method)) return text(403, "this is a read-only link to the sandbox; it cannot make changes\n");
  const net = networkFor({ reader: ctx.store, now: ctx.clock.now(), memoryKey: ctx.rng }, { ip: OUTSIDE_CLIENT_IP, kind: "outside" });
  const nodes = net.cluster.nodes();
  let ip: string;
  let port: number;
  let rest: string | undefined;
  let base: string;
  let host = request.headers.get("X-Forwarded-Host") ?? undefined;
  if (path.startsWith("/ingress/")) {
    // The controller's balancer address, else its NodePort on the first node that is up.
    const svc = ctx.store.get("/services", INGRESS_NGINX_NAMESPACE, INGRESS_NGINX_SERVICE);
    if (!svc) return text(503, `the ingress controller's Service ${INGRESS_NGINX_NAMESPACE}/${INGRESS_NGINX_SERVICE} does not exist\n`);
    const lb = svcOf(svc).status?.loadBalancer?.ingress?.find((i) => i.ip)?.ip;
    const nodePort = svcOf(svc).spec?.ports?.find((p) => p.port === 80)?.nodePort ?? INGRESS_HTTP_NODE_PORT;
    const node = nodes.find((n) => n.up) ?? nodes[0];
    if (!lb && !node) return text(503, "the sandbox has no nodes\n");
    const decoded = tryUnescapeUrl(m[1]);
    if (decoded === undefined) return text(400, `invalid URL escape in the host ${JSON.stringify(m[1])}\n`);
    host = decoded;
    [ip, port, rest, base] = lb ? [lb, 80, m[2], `/ingress/${m[1]}`] : [node!.ip, nodePort, m[2], `/ingress/${m[1]}`];
  } else if (path.startsWith("/nodeport/")) {
    const node = nodes.find((n) => n.up) ?? nodes[0];
    if (!node) return text(503, "the sandbox has no nodes\n");
    [ip, port, rest, base] = [node.ip, Number(m[1]), m[2], `/nodeport/${m[1]}`];
  } else if (path.startsWith("/node/")) {
    const node = nodes.find((n) => n.name === m[1]);
    if (!node) return text(404, `node "${m[1]}" not found\n`);
    [ip, port, rest, base] = [node.ip, Number(m[2]), m[3], `/node/${m[1]}/${m[2]}`];
  } else [ip, port, rest, base] = [m[1], Number(m[2]), m[3], `/lb/${m[1]}/${m[2]}`];
  const url = new URL(request.url);
  const headers: Record<string, string> = { Host: host ?? `${ip}:${port}` };
  for (const h of ["Accept", "Content-Type", "User-Agent"]) {
    const v = request.headers.get(h);
    if (v) headers[h] = v;
  }
  const body = READS.has(request.method) ? undefined : await request.text();
  const out: ConnectOutcome = net.http(ip, port, { method: request.method, path: `${rest ?? "/"}${url.search}`, headers, ...(body !== undefined ? { body } : {}) }, net.cluster.now);
  switch (out.kind) {
    case "refused":
      return text(502, `connection to ${ip}:${port} refused\n`);
    case "unreachable":
      return text(502, `no route to host ${ip}\n`);
    case "timeout":
      return text(504, `connection to ${ip}:${port} timed out\n`);
    case "empty":
      return text(502, `${ip}:${port} closed the connection without answering\n`);
  }
  const resHeaders = containerHeaders(out.headers);
  const location = out.headers.Location;
  if (location?.startsWith("/")) resHeaders.set("location", `${ctx.prefix}${base}${location}`);
  return new Response(request.method === "HEAD" ? null : out.body, { status: out.status, headers: resHeaders });
}
