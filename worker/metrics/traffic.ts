// Where a request to a URL from inside the cluster ends up, as far as the load model needs it:
// cluster DNS names (`svc`, `svc.ns`, `svc.ns.svc`, `svc.ns.svc.cluster.local`), a Service's
// ClusterIP or a pod IP, then the Service's ready endpoints (Running, Ready, not terminating pods
// its selector matches), with the container port the request reaches. kube-proxy spreads
// connections evenly over them. This stands in for real DNS and kube-proxy routing: callers use
// only `resolveUrl`, so a fuller network model can replace this module.
import type { Pod, Service, ServicePort } from "kubernetes-types/core/v1";
import type { KubeObject } from "../resources/types";
import { isPodReady, isRunning, type ClusterView } from "./view";

export interface Endpoint {
  pod: KubeObject;
  /** The container port the request arrives on. */
  port: number;
}

export interface ParsedUrl {
  host: string;
  port: number;
}

const CLUSTER_DOMAIN = "cluster.local";

export function parseUrl(url: string): ParsedUrl | undefined {
  const m = /^(?:([a-zA-Z][\w+.-]*):\/\/)?(\[[^\]]*\]|[^/:?#]+)(?::(\d+))?/.exec(url.trim());
  if (!m) return undefined;
  const scheme = (m[1] ?? "http").toLowerCase();
  const port = m[3] ? Number(m[3]) : scheme === "https" ? 443 : 80;
  return { host: m[2].toLowerCase().replace(/\.$/, ""), port };
}

function isIPv4(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host);
}

/** A Service name the resolver's search path turns `host` into, seen from `namespace`. */
function serviceName(host: string, namespace: string): { name: string; namespace: string } | undefined {
  let labels = host.split(".");
  const domain = CLUSTER_DOMAIN.split(".");
  if (labels.length > domain.length && labels.slice(-domain.length).join(".") === CLUSTER_DOMAIN) labels = labels.slice(0, -domain.length);
  if (labels.length === 3 && labels[2] === "svc") labels = labels.slice(0, 2);
  if (labels.length === 1) return { name: labels[0], namespace };
  if (labels.length === 2) return { name: labels[0], namespace: labels[1] };
  return undefined;
}

function matchesSelector(selector: Record<string, string>, labels: Record<string, string> | undefined): boolean {
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

/** Pods that would be a Service's ready endpoints. */
export function readyEndpoints(view: ClusterView, svc: KubeObject): KubeObject[] {
  const selector = (svc as Service).spec?.selector;
  if (!selector || Object.keys(selector).length === 0) return [];
  return view
    .list("/pods", svc.metadata.namespace)
    .filter((p) => !p.metadata.deletionTimestamp && isRunning(p) && isPodReady(p) && !!(p as Pod).status?.podIP && matchesSelector(selector, p.metadata.labels));
}

/** The container port a Service port sends to in `pod` (a named targetPort is looked up in the pod). */
function targetPort(sp: ServicePort, pod: KubeObject): number | undefined {
  const tp = sp.targetPort ?? sp.port;
  if (typeof tp === "number") return tp;
  if (/^\d+$/.test(tp)) return Number(tp);
  for (const c of (pod as Pod).spec?.containers ?? []) {
    const p = c.ports?.find((x) => x.name === tp);
    if (p) return p.containerPort;
  }
  return undefined;
}

function serviceEndpoints(view: ClusterView, svc: KubeObject, port: number): Endpoint[] {
  const spec = (svc as Service).spec;
  const pods = readyEndpoints(view, svc);
  // A headless Service's name resolves to the pods themselves: the URL's port is the pod's.
  if (spec?.clusterIP === "None") return pods.map((pod) => ({ pod, port }));
  const sp = spec?.ports?.find((p) => p.port === port && (p.protocol ?? "TCP") === "TCP");
  if (!sp) return [];
  return pods.flatMap((pod) => {
    const tp = targetPort(sp, pod);
    return tp === undefined ? [] : [{ pod, port: tp }];
  });
}

/**
 * The endpoints a request to `url`, sent from a pod in `namespace`, is spread over; empty when the
 * name does not resolve or nothing ready answers.
 */
export function resolveUrl(view: ClusterView, namespace: string, url: string): Endpoint[] {
  const parsed = parseUrl(url);
  if (!parsed) return [];
  const { host, port } = parsed;
  if (isIPv4(host)) {
    const svc = view.list("/services").find((s) => {
      const spec = (s as Service).spec;
      return spec?.clusterIP === host || (spec?.clusterIPs ?? []).includes(host);
    });
    if (svc) return serviceEndpoints(view, svc, port);
    const pod = view.list("/pods").find((p) => (p as Pod).status?.podIP === host && isRunning(p) && !(p as Pod).spec?.hostNetwork);
    return pod ? [{ pod, port }] : [];
  }
  const name = serviceName(host, namespace);
  if (!name) return [];
  const svc = view.get("/services", name.namespace, name.name);
  if (!svc || (svc as Service).spec?.type === "ExternalName") return [];
  return serviceEndpoints(view, svc, port);
}
