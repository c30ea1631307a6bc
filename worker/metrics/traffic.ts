// Where a request to a URL from inside the cluster ends up, as far as the load model needs it: the
// name resolved the way a pod's resolver and CoreDNS resolve it (network/dns.ts), then every
// endpoint kube-proxy could send the connection to for that Service port (network/proxy.ts reads
// the EndpointSlices), or the pod an address belongs to. Load spreads evenly over them: iptables'
// random pick and IPVS's round-robin both even out over many requests.
import type { Pod, Service, ServicePort } from "kubernetes-types/core/v1";
import { ClusterNet, isIPv4, podOf, svcOf } from "../network/cluster";
import { clusterAddresses } from "../network/dns";
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

export function parseUrl(url: string): ParsedUrl | undefined {
  const m = /^(?:([a-zA-Z][\w+.-]*):\/\/)?(\[[^\]]*\]|[^/:?#]+)(?::(\d+))?/.exec(url.trim());
  if (!m) return undefined;
  const scheme = (m[1] ?? "http").toLowerCase();
  const port = m[3] ? Number(m[3]) : scheme === "https" ? 443 : 80;
  return { host: m[2].toLowerCase().replace(/\.$/, ""), port };
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

/**
 * The endpoints of one Service port. A Service whose EndpointSlices are not published (yet) is
 * taken to have the ones the EndpointSlice controller would publish: its ready selected pods.
 */
function serviceEndpoints(view: ClusterView, net: ClusterNet, svc: KubeObject, sp: ServicePort): Endpoint[] {
  const published = net.endpoints(svc, sp);
  const hasSlices = view.list("discovery.k8s.io/endpointslices", svc.metadata.namespace).some((s) => s.metadata.labels?.["kubernetes.io/service-name"] === svc.metadata.name);
  if (hasSlices) {
    const ready = published.filter((e) => e.ready);
    return ready.flatMap((e) => {
      const pod = e.pod ? view.get("/pods", e.pod.namespace, e.pod.name) : net.podByIP(e.ip);
      return pod ? [{ pod, port: e.port }] : [];
    });
  }
  return readyEndpoints(view, svc).flatMap((pod) => {
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
  const net = new ClusterNet(view, 0);
  const { host, port } = parsed;
  const addresses = isIPv4(host) ? [host] : clusterAddresses(net, namespace, host);
  const out: Endpoint[] = [];
  for (const ip of addresses) {
    const svc = net.serviceByClusterIP(ip);
    if (svc) {
      const sp = svcOf(svc).spec?.ports?.find((p) => p.port === port && (p.protocol ?? "TCP") === "TCP");
      if (sp) out.push(...serviceEndpoints(view, net, svc, sp));
      continue;
    }
    const pod = net.podByIP(ip);
    if (pod && isRunning(pod) && !podOf(pod).spec?.hostNetwork) out.push({ pod, port });
  }
  return out;
}
