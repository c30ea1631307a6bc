// The sandbox's ingress controller, in ingress-nginx's manner. Every sandbox comes with the
// IngressClass `nginx` (controller `k8s.io/ingress-nginx`, not the default class, as ingress-nginx's
// manifests make it) and the Service `ingress-nginx/ingress-nginx-controller` (LoadBalancer, ports
// 80 and 443): a connection kube-proxy sends there is answered here, on the node it reached, with
// no pod standing for the controller. Like kind's and minikube's ingress-nginx
// (`--watch-ingress-without-class=true`), it serves the Ingresses of class `nginx`, those with the
// legacy `kubernetes.io/ingress.class: nginx` annotation, and those with no class at all.
//
// Routing is nginx's over the configuration ingress-nginx generates: one server per host (an exact
// name before a `*.` wildcard, which matches a single DNS label), the host-less rules and the
// oldest Ingress's defaultBackend in the catch-all server; within a server an Exact path before
// the longest matching prefix — Prefix by path elements (`/foo` matches `/foo` and `/foo/bar`, not
// `/foobar`), ImplementationSpecific as nginx's plain string prefix. An Ingress's defaultBackend also
// answers the paths of its hosts no rule matches. The chosen Service port's ready endpoints are
// picked round-robin (ingress-nginx's default balancer) and reached directly from the controller,
// which NetworkPolicy sees as a pod of namespace ingress-nginx with the controller's labels. When
// nothing matches, the default backend answers nginx's 404 page; a backend without endpoints gets
// 503, one that refuses 502 and one that does not answer 504, after trying up to three endpoints.
// Models internal/ingress/controller/controller.go (getBackendServers, createServers) and
// rootfs/etc/nginx/template/nginx.tmpl (buildServerName, locations) of kubernetes/ingress-nginx.
import type { Service, ServicePort } from "kubernetes-types/core/v1";
import type { HTTPIngressPath, Ingress, IngressBackend, IngressClass } from "kubernetes-types/networking/v1";
import type { KubeObject } from "../resources/types";
import { svcOf, type ClusterNet, type NodeInfo, type Reader } from "./cluster";
import { deliver, httpDate } from "./deliver";
import type { NetworkMemory } from "./memory";
import { route, unitHash, type Client } from "./proxy";
import type { ConnectOutcome, HttpExchange } from "./types";

export const INGRESSES = "networking.k8s.io/ingresses";
export const INGRESS_CLASSES = "networking.k8s.io/ingressclasses";
export const INGRESS_NGINX_NAMESPACE = "ingress-nginx";
export const INGRESS_NGINX_SERVICE = "ingress-nginx-controller";
export const INGRESS_NGINX_CONTROLLER = "k8s.io/ingress-nginx";
export const INGRESS_NGINX_CLASS = "nginx";
export const INGRESS_HTTP_NODE_PORT = 32080;
export const INGRESS_HTTPS_NODE_PORT = 32443;
const LEGACY_CLASS_ANNOTATION = "kubernetes.io/ingress.class";
/** The controller pod's labels in ingress-nginx's manifests: what NetworkPolicy selectors see. */
export const CONTROLLER_LABELS: Record<string, string> = {
  "app.kubernetes.io/component": "controller",
  "app.kubernetes.io/instance": "ingress-nginx",
  "app.kubernetes.io/name": "ingress-nginx",
};
/** proxy_next_upstream_tries in ingress-nginx's configuration. */
const UPSTREAM_TRIES = 3;

/** Whether `svc` is the entry point the built-in controller answers for. */
export function isIngressEntry(svc: KubeObject): boolean {
  return svc.metadata.namespace === INGRESS_NGINX_NAMESPACE && svc.metadata.name === INGRESS_NGINX_SERVICE;
}

/** Whether the built-in controller serves `ing`. */
export function servedByNginx(ing: KubeObject, classes: KubeObject[]): boolean {
  const spec = (ing as unknown as Ingress).spec;
  const name = spec?.ingressClassName;
  if (name) return (classes.find((c) => c.metadata.name === name) as unknown as IngressClass | undefined)?.spec?.controller === INGRESS_NGINX_CONTROLLER;
  const legacy = ing.metadata.annotations?.[LEGACY_CLASS_ANNOTATION];
  if (legacy !== undefined) return legacy === INGRESS_NGINX_CLASS;
  return true;
}

/**
 * The addresses ingress-nginx publishes in its Ingresses' status with `--publish-service`: the
 * Service's balancer addresses and externalIPs, else its ClusterIP.
 * Models internal/ingress/status/status.go statusAddressFromService.
 */
export function publishedAddresses(reader: Reader): { ip?: string; hostname?: string }[] {
  const svc = reader.get("/services", INGRESS_NGINX_NAMESPACE, INGRESS_NGINX_SERVICE) as unknown as Service | undefined;
  if (!svc) return [];
  const spec = svc.spec ?? {};
  if (spec.type === "ExternalName") return spec.externalName ? [{ hostname: spec.externalName }] : [];
  const out: { ip?: string; hostname?: string }[] = [];
  if (spec.type === "LoadBalancer") for (const i of svc.status?.loadBalancer?.ingress ?? []) out.push(i.ip ? { ip: i.ip } : { hostname: i.hostname });
  for (const ip of spec.externalIPs ?? []) if (!out.some((o) => o.ip === ip)) out.push({ ip });
  if (!out.length && spec.type !== "LoadBalancer" && spec.clusterIP && spec.clusterIP !== "None") out.push({ ip: spec.clusterIP });
  return out;
}

export interface RouteTarget {
  /** The Ingress the rule came from. */
  namespace: string;
  ingress: string;
  backend: IngressBackend;
}

interface Location {
  path: string;
  type: "Exact" | "Prefix" | "ImplementationSpecific";
  target: RouteTarget;
}

interface Server {
  /** What `/` falls back to: an Ingress's defaultBackend, or the controller's 404. */
  fallback?: RouteTarget;
  locations: Location[];
}

/** The servers and locations of the controller's nginx configuration. */
export interface IngressTable {
  exact: Map<string, Server>;
  /** `*.example.com` → the server, keyed by the suffix `.example.com`. */
  wildcard: Map<string, Server>;
  catchAll: Server;
}

function created(o: KubeObject): string {
  return o.metadata.creationTimestamp ?? "";
}

/** The servers for the Ingresses the controller serves, oldest Ingress first on conflicts. */
export function buildIngressTable(ingresses: KubeObject[], classes: KubeObject[]): IngressTable {
  const table: IngressTable = { exact: new Map(), wildcard: new Map(), catchAll: { locations: [] } };
  const served = ingresses
    .filter((i) => !i.metadata.deletionTimestamp && servedByNginx(i, classes))
    .sort((a, b) => created(a).localeCompare(created(b)) || `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`));
  for (const obj of served) {
    const ing = obj as unknown as Ingress;
    const namespace = obj.metadata.namespace ?? "";
    const target = (backend: IngressBackend): RouteTarget => ({ namespace, ingress: obj.metadata.name ?? "", backend });
    const def = ing.spec?.defaultBackend ? target(ing.spec.defaultBackend) : undefined;
    if (def && !table.catchAll.fallback) table.catchAll.fallback = def;
    for (const rule of ing.spec?.rules ?? []) {
      const host = (rule.host ?? "").toLowerCase();
      let server: Server;
      if (!host) server = table.catchAll;
      else {
        const map = host.startsWith("*.") ? table.wildcard : table.exact;
        const key = host.startsWith("*.") ? host.slice(1) : host;
        server = map.get(key) ?? { ...(def ? { fallback: def } : {}), locations: [] };
        map.set(key, server);
      }
      for (const p of rule.http?.paths ?? []) addLocation(server, p, target(p.backend));
    }
  }
  return table;
}

function addLocation(server: Server, p: HTTPIngressPath, target: RouteTarget): void {
  const type = (p.pathType ?? "ImplementationSpecific") as Location["type"];
  const path = p.path || "/";
  // The first Ingress to claim a path keeps it.
  if (server.locations.some((l) => l.path === path && l.type === type)) return;
  server.locations.push({ path, type, target });
}

function pathMatches(l: Location, path: string): boolean {
  if (l.type === "Exact") return path === l.path;
  if (l.type === "ImplementationSpecific") return path.startsWith(l.path);
  // Prefix: element by element, a trailing slash ignored.
  const base = l.path.replace(/\/+$/, "");
  return base === "" || path === base || path.startsWith(`${base}/`);
}

/** The server a request for `host` lands in. */
export function serverFor(table: IngressTable, host: string): Server {
  const h = host.toLowerCase();
  const exact = table.exact.get(h);
  if (exact) return exact;
  const dot = h.indexOf(".");
  if (dot > 0 && /^[\w-]+$/.test(h.slice(0, dot))) {
    const wild = table.wildcard.get(h.slice(dot));
    if (wild) return wild;
  }
  return table.catchAll;
}

/** Where a request for `host` and `path` (no query) goes; undefined: the default backend (404). */
export function matchIngress(table: IngressTable, host: string, path: string): RouteTarget | undefined {
  const server = serverFor(table, host);
  const matching = server.locations.filter((l) => pathMatches(l, path));
  const exact = matching.find((l) => l.type === "Exact");
  if (exact) return exact.target;
  const longest = matching.reduce<Location | undefined>((best, l) => (!best || l.path.length > best.path.length ? l : best), undefined);
  return longest?.target ?? server.fallback;
}

const tables = new WeakMap<ClusterNet, IngressTable>();

function tableOf(net: ClusterNet): IngressTable {
  let t = tables.get(net);
  if (!t) tables.set(net, (t = buildIngressTable(net.reader.list(INGRESSES), net.reader.list(INGRESS_CLASSES))));
  return t;
}

const STATUS_TEXT: Record<number, string> = { 404: "Not Found", 502: "Bad Gateway", 503: "Service Temporarily Unavailable", 504: "Gateway Time-out" };

/** nginx's own error page, as ingress-nginx (server_tokens off) sends it. */
export function nginxErrorPage(status: number): string {
  const title = `${status} ${STATUS_TEXT[status] ?? ""}`;
  return `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;
}

function page(status: number, at: number, server: { ip: string; port: number }, method: string): ConnectOutcome {
  const body = nginxErrorPage(status);
  const headers = { Date: httpDate(at), "Content-Type": "text/html", "Content-Length": String(new TextEncoder().encode(body).length), Connection: "keep-alive" };
  return { kind: "response", status, headers, body: method === "HEAD" ? "" : body, server };
}

function header(headers: Record<string, string>, name: string): string | undefined {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : headers[key];
}

function servicePort(svc: KubeObject, backend: IngressBackend): ServicePort | undefined {
  const want = backend.service?.port;
  return svcOf(svc).spec?.ports?.find((p) => (want?.name ? p.name === want.name : p.port === want?.number));
}

/** ingress-nginx's $req_id: 32 hex digits, here from a hash (a read draws nothing from the sandbox's generator). */
function requestId(seed: string): string {
  return [0, 1, 2, 3].map((i) => Math.floor(unitHash(`${seed}|${i}`) * 2 ** 32).toString(16).padStart(8, "0")).join("");
}

export interface IngressEntry {
  net: ClusterNet;
  memory: NetworkMemory;
  /** The node whose copy of the controller received the connection. */
  node: NodeInfo;
  /** The Service port it came in on. */
  port: ServicePort;
  /** The client's address as the controller sees it. */
  source: string;
}

/** The controller's answer to one request. Writes nothing: round-robin positions live in `memory`. */
export function serveIngress(e: IngressEntry, req: HttpExchange, at: number): ConnectOutcome {
  const { net, memory, node } = e;
  const self = { ip: node.ip, port: typeof e.port.targetPort === "number" ? e.port.targetPort : e.port.port };
  const host = (header(req.headers, "host") ?? "").replace(/:\d+$/, "").toLowerCase();
  const path = req.path.split("?")[0] || "/";
  const target = matchIngress(tableOf(net), host, path);
  const name = target?.backend.service?.name;
  if (!target || !name) return page(404, at, self, req.method);
  const svc = net.service(target.namespace, name);
  const sp = svc && servicePort(svc, target.backend);
  const eps = svc && sp ? net.endpoints(svc, sp).filter((ep) => ep.ready) : [];
  if (!eps.length) return page(503, at, self, req.method);
  const controller: Client = { ip: node.ip, node: node.name, kind: "pod", identity: { namespace: INGRESS_NGINX_NAMESPACE, labels: CONTROLLER_LABELS } };
  const proxied: HttpExchange = {
    ...req,
    headers: {
      ...req.headers,
      "X-Request-ID": requestId(`${memory.connections}|${at}|${e.source}|${req.path}`),
      "X-Real-IP": e.source,
      "X-Forwarded-For": e.source,
      "X-Forwarded-Host": host,
      "X-Forwarded-Port": String(e.port.port),
      "X-Forwarded-Proto": "http",
      "X-Scheme": "http",
    },
  };
  const key = `ingress|${target.namespace}/${name}:${sp!.port}`;
  const start = memory.roundRobin.get(key) ?? 0;
  let failure: "refused" | "timeout" = "refused";
  for (let i = 0; i < Math.min(UPSTREAM_TRIES, eps.length); i++) {
    const ep = eps[(start + i) % eps.length];
    memory.roundRobin.set(key, (start + i + 1) % eps.length);
    const r = route(net, memory, controller, ep.ip, ep.port, { now: net.now, random: () => unitHash(`${memory.connections++}|${net.now}|${ep.ip}`) });
    if (r.kind === "timeout") {
      failure = "timeout";
      continue;
    }
    if (r.kind !== "pod") continue;
    const out = deliver(net.reader, r.pod, r.ip, r.port, proxied, at, net.now, { client: r.source, memory });
    if (out.kind !== "response") continue;
    // nginx sends its own Date and no Server header (ingress-nginx clears it), then the upstream's.
    const headers: Record<string, string> = { Date: httpDate(at) };
    for (const k of ["Content-Type", "Content-Length"]) if (out.headers[k] !== undefined) headers[k] = out.headers[k];
    headers.Connection = "keep-alive";
    for (const [k, v] of Object.entries(out.headers)) if (!["server", "date", "content-type", "content-length", "connection", "keep-alive"].includes(k.toLowerCase())) headers[k] = v;
    return { ...out, headers, server: self };
  }
  memory.trim();
  return page(failure === "timeout" ? 504 : 502, at, self, req.method);
}
