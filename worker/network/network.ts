// The network one process sees: DNS servers (CoreDNS behind the kube-dns Service, the node's
// systemd-resolved stub, the LAN's upstream), TCP connections routed by kube-proxy and answered by
// the container listening at the end, ICMP echo. Each instance reads the cluster once, as it is
// when the command runs, and writes nothing: kube-proxy's memory (round-robin, affinity) is kept
// in memory.ts.
import type { Pod } from "kubernetes-types/core/v1";
import type { KubeObject } from "../resources/types";
import { ClusterNet, podOf, svcOf, type Reader } from "./cluster";
import { deliver } from "./deliver";
import { coreDnsAnswer, normalizeName } from "./dns";
import { serveIngress } from "./ingress";
import { memoryOf, type NetworkMemory } from "./memory";
import { allow, route, unitHash, type Client, type Route } from "./proxy";
import type { ConnectOutcome, DnsAnswer, DnsType, HttpExchange, NetworkAccess, PingOutcome } from "./types";

/** The LAN's router: the nodes' default gateway and upstream DNS (it knows no cluster names). */
export const GATEWAY_IP = "192.168.1.1";
/** systemd-resolved's stub listener, the nameserver of an Ubuntu node's resolv.conf. */
export const RESOLVED_STUB = "127.0.0.53";
/** Where traffic from outside the cluster (the outside routes, the web) appears to come from. */
export const OUTSIDE_CLIENT_IP = GATEWAY_IP;

export interface NetworkSource {
  reader: Reader;
  now: number;
  /** The loaded sandbox's generator object: keys kube-proxy's memory. Absent: a fresh memory. */
  memoryKey?: object;
  /**
   * For process models: answers of identical requests are reused within this instance (a model
   * replaying a load loop sends thousands, all answered from one frozen state), and failures come
   * back at once (see NetworkAccess.timeless).
   */
  memo?: boolean;
}

export class ClusterNetwork implements NetworkAccess {
  readonly cluster: ClusterNet;
  readonly memory: NetworkMemory;
  private readonly dnsCache = new Map<string, DnsAnswer | undefined>();
  private readonly served = new Map<string, ConnectOutcome>();
  readonly timeless: boolean;

  constructor(
    private readonly src: NetworkSource,
    readonly client: Client,
  ) {
    this.cluster = new ClusterNet(src.reader, src.now);
    this.memory = memoryOf(src.memoryKey);
    this.timeless = src.memo === true;
  }

  get localIP(): string {
    return this.client.ip;
  }

  /** Where a connection to `ip:port` goes (kube-proxy's decision, with its memory updated). */
  route(ip: string, port: number, protocol: "TCP" | "UDP" = "TCP"): Route {
    const mem = this.memory;
    const now = this.src.now;
    const random = () => unitHash(`${mem.connections++}|${now}|${this.client.ip}|${ip}:${port}`);
    return route(this.cluster, mem, this.client, ip, port, { protocol, now, random });
  }

  dns(server: string, name: string, type: DnsType): DnsAnswer | undefined {
    const key = `${server}|${normalizeName(name)}|${type}`;
    if (this.dnsCache.has(key)) return this.dnsCache.get(key);
    const answer = this.askDns(server, name, type);
    this.dnsCache.set(key, answer);
    return answer;
  }

  private askDns(server: string, name: string, type: DnsType): DnsAnswer | undefined {
    if (server === GATEWAY_IP) return { rcode: "NXDOMAIN", authoritative: false, records: [] };
    if (server === RESOLVED_STUB || (server === "127.0.0.1" && this.client.kind === "host")) {
      if (this.client.kind !== "host") return undefined;
      // systemd-resolved answers from the node's /etc/hosts, which lists every node of the cluster.
      const node = this.cluster.nodes().find((n) => n.name === normalizeName(name));
      if (node && type === "A") return { rcode: "NOERROR", authoritative: false, records: [{ type: "A", name: node.name, address: node.ip }] };
      return node ? { rcode: "NOERROR", authoritative: false, records: [] } : { rcode: "NXDOMAIN", authoritative: false, records: [] };
    }
    const r = this.route(server, 53, "UDP");
    if (r.kind !== "pod" || !isCoreDns(r.pod)) return undefined;
    return coreDnsAnswer(this.cluster, name, type);
  }

  http(ip: string, port: number, req: HttpExchange, at: number): ConnectOutcome {
    const r = this.route(ip, port);
    if (r.kind === "ingress") return serveIngress({ net: this.cluster, memory: this.memory, node: r.node, port: r.port, source: r.source }, req, at);
    if (r.kind !== "pod") return r.kind === "unreachable" ? { kind: "unreachable", afterMs: r.afterMs } : { kind: r.kind };
    const memoKey = this.src.memo ? `${r.pod.metadata.uid}|${r.port}|${req.method}|${req.path}` : undefined;
    const hit = memoKey ? this.served.get(memoKey) : undefined;
    if (hit) return hit;
    const delivered = deliver(this.src.reader, r.pod, r.ip, r.port, req, at, this.src.now, { client: r.source, memory: this.memory });
    const out = delivered.kind === "response" ? { ...delivered, client: r.source } : delivered;
    if (memoKey) this.served.set(memoKey, out);
    return out;
  }

  ping(ip: string, _at: number): PingOutcome {
    const net = this.cluster;
    const own = this.client.node ? net.node(this.client.node) : undefined;
    if (ip === "127.0.0.1" || ip === this.client.ip) return { kind: "reply", ttl: 64, ms: 0.04 };
    const node = net.nodeByIP(ip);
    if (node) return node.up || node.name === own?.name ? { kind: "reply", ttl: 64, ms: 0.4 } : { kind: "timeout" };
    const svc = net.serviceByClusterIP(ip) ?? net.services().find((s) => (svcOf(s).status?.loadBalancer?.ingress ?? []).some((i) => i.ip === ip));
    if (svc) {
      // A virtual IP answers only where IPVS binds it to a local interface.
      return own && net.proxyMode(own.name) === "ipvs" ? { kind: "reply", ttl: 64, ms: 0.05 } : { kind: "timeout" };
    }
    const pod = net.podByIP(ip);
    if (pod && podOf(pod).status?.phase === "Running") {
      const target = net.node((pod as Pod).spec?.nodeName ?? "");
      if (!target?.up) return { kind: "timeout" };
      // ICMP is allowed only by rules without ports.
      if (!allow(net, this.client, pod, 0, "ICMP")) return { kind: "timeout" };
      const local = target.name === own?.name;
      return { kind: "reply", ttl: local ? 64 : 63, ms: local ? 0.08 : 0.6 };
    }
    if (net.nodeOfPodIP(ip)) return { kind: "unreachable" };
    return { kind: "timeout" };
  }
}

function isCoreDns(pod: KubeObject): boolean {
  return (podOf(pod).spec?.containers ?? []).some((c) => /coredns/.test(c.image ?? ""));
}

/** A pod's view: its own IP (its node's for a hostNetwork pod). */
export function podClient(pod: KubeObject, hostIP?: string): Client {
  const p = podOf(pod);
  if (p.spec?.hostNetwork) return { ip: hostIP ?? p.status?.hostIP ?? "", node: p.spec.nodeName, kind: "host" };
  return { ip: p.status?.podIP ?? "", node: p.spec?.nodeName, kind: "pod" };
}

export function networkFor(src: NetworkSource, client: Client): ClusterNetwork {
  return new ClusterNetwork(src, client);
}
