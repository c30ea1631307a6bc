// The cluster as the network sees it at one moment: nodes and their addresses, Services, the
// endpoints EndpointSlices publish (kube-proxy's and CoreDNS's only source of endpoints), pods by
// IP, and each node's kube-proxy mode. Built over any reader of the store (an API request, a
// controller pass, a node shell) and never writes; lookups are indexed once per instance.
import type { Pod, Service, ServicePort } from "kubernetes-types/core/v1";
import type { EndpointSlice } from "kubernetes-types/discovery/v1";
import { parse as parseYaml } from "yaml";
import type { KubeObject } from "../resources/types";
import { kubeletStoppedAt } from "../sandbox/machines";

export interface Reader {
  get(resource: string, namespace: string, name: string): KubeObject | undefined;
  list(resource: string, namespace?: string): KubeObject[];
}

export interface NodeInfo {
  name: string;
  ip: string;
  podCIDR: string;
  /** False while the node's kubelet is stopped: kubeplay treats the machine as down. */
  up: boolean;
}

export interface EndpointInfo {
  ip: string;
  port: number;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
  node?: string;
  hostname?: string;
  pod?: { namespace: string; name: string };
}

export type ProxyMode = "iptables" | "ipvs";

export const SLICES = "discovery.k8s.io/endpointslices";
export const CLUSTER_DOMAIN = "cluster.local";
const SERVICE_NAME_LABEL = "kubernetes.io/service-name";
const DEFAULT_CLUSTER_CIDR = "10.244.0.0/16";

export function ipToInt(ip: string): number {
  return ip.split(".").reduce((n, o) => n * 256 + Number(o), 0);
}

export function intToIp(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join(".");
}

export function isIPv4(s: string): boolean {
  return /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(s) && s.split(".").every((p) => Number(p) <= 255);
}

export function inCidr(ip: string, cidr: string): boolean {
  const [net, bits] = cidr.split("/");
  if (!isIPv4(ip) || !net || !isIPv4(net)) return false;
  const size = 2 ** (32 - Number(bits ?? 32));
  const base = Math.floor(ipToInt(net) / size) * size;
  const n = ipToInt(ip);
  return n >= base && n < base + size;
}

/** `.1` of a node's pod CIDR: the bridge (cni0) address host traffic to local pods leaves from. */
export function bridgeIP(podCIDR: string): string {
  return intToIp(ipToInt(podCIDR.split("/")[0]) + 1);
}

/** `.0` of a node's pod CIDR: the overlay (flannel.1) address host traffic to other nodes' pods leaves from. */
export function overlayIP(podCIDR: string): string {
  return podCIDR.split("/")[0];
}

export const svcOf = (o: KubeObject) => o as unknown as Service;
export const podOf = (o: KubeObject) => o as unknown as Pod;

export function serviceKey(svc: KubeObject): string {
  return `${svc.metadata.namespace ?? ""}/${svc.metadata.name ?? ""}`;
}

/** Upstream's ServicePortName string: `ns/name:port` (`ns/name` for an unnamed port). */
export function servicePortName(svc: KubeObject, sp: ServicePort): string {
  return `${serviceKey(svc)}${sp.name ? `:${sp.name}` : ""}`;
}

export function isHeadless(svc: KubeObject): boolean {
  const ip = svcOf(svc).spec?.clusterIP;
  return !ip || ip === "None";
}

export class ClusterNet {
  private nodeList?: NodeInfo[];
  private podsByIP?: Map<string, KubeObject>;
  private servicesByIP?: Map<string, KubeObject>;
  private slicesBySvc?: Map<string, EndpointSlice[]>;
  private modes = new Map<string, ProxyMode>();
  private proxyConfig?: { mode: ProxyMode; clusterCIDR: string; changedAt: number };

  constructor(
    readonly reader: Reader,
    readonly now: number,
  ) {}

  nodes(): NodeInfo[] {
    this.nodeList ??= this.reader
      .list("/nodes")
      .map((n) => {
        const status = (n.status ?? {}) as { addresses?: { type: string; address: string }[] };
        const name = n.metadata.name ?? "";
        return {
          name,
          ip: status.addresses?.find((a) => a.type === "InternalIP")?.address ?? "",
          podCIDR: String((n.spec as { podCIDR?: string } | undefined)?.podCIDR ?? ""),
          up: kubeletStoppedAt(this.reader, name) === undefined,
        };
      })
      .sort((a, b) => a.name.localeCompare(b.name));
    return this.nodeList;
  }

  node(name: string): NodeInfo | undefined {
    return this.nodes().find((n) => n.name === name);
  }

  nodeByIP(ip: string): NodeInfo | undefined {
    return this.nodes().find((n) => n.ip === ip);
  }

  /** The node whose pod CIDR holds `ip`. */
  nodeOfPodIP(ip: string): NodeInfo | undefined {
    return this.nodes().find((n) => n.podCIDR && inCidr(ip, n.podCIDR));
  }

  services(): KubeObject[] {
    return this.reader.list("/services");
  }

  service(namespace: string, name: string): KubeObject | undefined {
    return this.reader.get("/services", namespace, name);
  }

  serviceByClusterIP(ip: string): KubeObject | undefined {
    if (!this.servicesByIP) {
      this.servicesByIP = new Map();
      for (const s of this.services()) {
        const spec = svcOf(s).spec;
        for (const a of [spec?.clusterIP, ...(spec?.clusterIPs ?? [])]) if (a && a !== "None") this.servicesByIP.set(a, s);
      }
    }
    return this.servicesByIP.get(ip);
  }

  /** The live pod holding `ip` on the pod network (hostNetwork pods share their node's address). */
  podByIP(ip: string): KubeObject | undefined {
    if (!this.podsByIP) {
      this.podsByIP = new Map();
      for (const p of this.reader.list("/pods")) {
        const pod = podOf(p);
        if (pod.spec?.hostNetwork || !pod.status?.podIP) continue;
        const finished = pod.status.phase === "Succeeded" || pod.status.phase === "Failed";
        const prev = this.podsByIP.get(pod.status.podIP);
        // A finished pod's address is free again: a live pod that got it wins.
        if (!prev || (!finished && ["Succeeded", "Failed"].includes(podOf(prev).status?.phase ?? ""))) this.podsByIP.set(pod.status.podIP, p);
      }
    }
    return this.podsByIP.get(ip);
  }

  /** Pods sharing a node's network namespace, on `node`. */
  hostNetworkPods(node: string): KubeObject[] {
    return this.reader.list("/pods").filter((p) => podOf(p).spec?.hostNetwork && podOf(p).spec?.nodeName === node && podOf(p).status?.phase === "Running");
  }

  private slices(svc: KubeObject): EndpointSlice[] {
    if (!this.slicesBySvc) {
      this.slicesBySvc = new Map();
      for (const s of this.reader.list(SLICES)) {
        const name = s.metadata.labels?.[SERVICE_NAME_LABEL];
        if (!name) continue;
        const key = `${s.metadata.namespace ?? ""}/${name}`;
        const list = this.slicesBySvc.get(key) ?? [];
        list.push(s as unknown as EndpointSlice);
        this.slicesBySvc.set(key, list);
      }
    }
    return this.slicesBySvc.get(serviceKey(svc)) ?? [];
  }

  /**
   * Every endpoint the slices publish for one Service port (all of a headless Service's addresses
   * when `sp` is undefined), deduplicated, in address order.
   */
  endpoints(svc: KubeObject, sp: ServicePort | undefined, protocol = "TCP"): EndpointInfo[] {
    const out = new Map<string, EndpointInfo>();
    for (const slice of this.slices(svc)) {
      if (slice.addressType && slice.addressType !== "IPv4") continue;
      let port = 0;
      if (sp) {
        const p = (slice.ports ?? []).find((x) => (x.name ?? "") === (sp.name ?? "") && (x.protocol ?? "TCP") === protocol);
        if (!p || !p.port) continue;
        port = p.port;
      }
      for (const ep of slice.endpoints ?? []) {
        const ip = ep.addresses?.[0];
        if (!ip) continue;
        const c = ep.conditions ?? {};
        // Unset conditions read as upstream reads them: ready and serving unless terminating.
        const terminating = c.terminating === true;
        const ready = c.ready ?? !terminating;
        const info: EndpointInfo = { ip, port, ready, serving: c.serving ?? ready, terminating };
        if (ep.nodeName) info.node = ep.nodeName;
        if (ep.hostname) info.hostname = ep.hostname;
        if (ep.targetRef?.kind === "Pod" && ep.targetRef.name) info.pod = { namespace: ep.targetRef.namespace ?? slice.metadata?.namespace ?? "", name: ep.targetRef.name };
        out.set(`${ip}:${port}`, info);
      }
    }
    return [...out.values()].sort((a, b) => ipToInt(a.ip) - ipToInt(b.ip) || a.port - b.port);
  }

  private config(): { mode: ProxyMode; clusterCIDR: string; changedAt: number } {
    if (this.proxyConfig) return this.proxyConfig;
    const cm = this.reader.get("/configmaps", "kube-system", "kube-proxy");
    let mode: ProxyMode = "iptables";
    let clusterCIDR = DEFAULT_CLUSTER_CIDR;
    try {
      const conf = parseYaml(String((cm?.data as Record<string, string> | undefined)?.["config.conf"] ?? "")) as { mode?: unknown; clusterCIDR?: unknown } | null;
      // Models cmd/kube-proxy/app/server_linux.go: "" (and anything else on Linux) is iptables.
      if (conf?.mode === "ipvs") mode = "ipvs";
      if (typeof conf?.clusterCIDR === "string" && conf.clusterCIDR) clusterCIDR = conf.clusterCIDR.split(",")[0];
    } catch {
      // kube-proxy would crash on a file it cannot parse; the rules it wrote before stay.
    }
    const times = [cm?.metadata.creationTimestamp, ...(cm?.metadata.managedFields ?? []).map((m) => m.time)].map((t) => Date.parse(t ?? "")).filter((t) => !Number.isNaN(t));
    this.proxyConfig = { mode, clusterCIDR, changedAt: times.length ? Math.max(...times) : 0 };
    return this.proxyConfig;
  }

  /** kube-proxy's --cluster-cidr: traffic from outside it to a ClusterIP is masqueraded. */
  clusterCIDR(): string {
    return this.config().clusterCIDR;
  }

  /**
   * The mode `node`'s kube-proxy runs in. kube-proxy reads its ConfigMap when it starts: a
   * kube-proxy started before the ConfigMap last changed keeps the mode it started with, taken to
   * be iptables (the default — kubeplay keeps no old versions of the ConfigMap), which is why the
   * tutorials delete the kube-proxy pods after editing it. While no kube-proxy runs on the node the
   * rules written last stay, so the configured mode is used.
   */
  proxyMode(node: string): ProxyMode {
    const hit = this.modes.get(node);
    if (hit) return hit;
    const conf = this.config();
    let mode = conf.mode;
    const proxy = this.reader
      .list("/pods", "kube-system")
      .find((p) => p.metadata.labels?.["k8s-app"] === "kube-proxy" && podOf(p).spec?.nodeName === node && !p.metadata.deletionTimestamp && podOf(p).status?.phase === "Running");
    const started = Date.parse(podOf(proxy ?? ({} as KubeObject)).status?.containerStatuses?.[0]?.state?.running?.startedAt ?? "");
    // Timestamps have second precision: a start in the same second as the change saw the change.
    if (proxy && !Number.isNaN(started) && Math.floor(started / 1000) < Math.floor(conf.changedAt / 1000)) mode = "iptables";
    this.modes.set(node, mode);
    return mode;
  }
}
