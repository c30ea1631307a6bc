// kube-proxy: where a connection to an address and port ends up. A Service's ClusterIP, a NodePort
// on any node (127.0.0.1 too, in iptables mode), a LoadBalancer ingress IP and externalIPs lead to
// one of the Service port's endpoints as the EndpointSlices publish them — ready ones, else serving
// terminating ones — within the traffic policies; a pod IP leads to that pod. The pick is random in
// iptables mode (the chain of `statistic --probability` rules is uniform) and round-robin in IPVS
// mode, with ClientIP affinity sticking to the last pick. What fails fails as it would on the wire:
// a REJECT rule or a closed port refuses at once, a dropped packet or a down machine times out.
// Models pkg/proxy/iptables/proxier.go syncProxyRules, pkg/proxy/ipvs/proxier.go and
// pkg/proxy/topology.go CategorizeEndpoints.
import type { ServicePort } from "kubernetes-types/core/v1";
import type { KubeObject } from "../resources/types";
import { bridgeIP, inCidr, overlayIP, podOf, svcOf, type ClusterNet, type EndpointInfo, type NodeInfo, type ProxyMode } from "./cluster";
import { isIngressEntry } from "./ingress";
import type { NetworkMemory } from "./memory";
import { hasPolicies, podPeer, policyAllows, type PolicyPeer, type PolicyProtocol } from "./network-policy";

export interface Client {
  /** The connection's source address. */
  ip: string;
  /** The node it leaves from; undefined from outside the cluster. */
  node?: string;
  /** A pod's own network namespace, a node's (node shell, hostNetwork pods, the API server), or outside. */
  kind: "pod" | "host" | "outside";
  /** What NetworkPolicy sees when no pod holds `ip` (the built-in ingress controller). */
  identity?: { namespace: string; labels: Record<string, string> };
}

export type Protocol = "TCP" | "UDP";

export type Route =
  /** Reaches `port` of the pod holding `ip`; `source` is the address the server sees. */
  | { kind: "pod"; pod: KubeObject; ip: string; port: number; source: string; via?: ServiceHop }
  /** Reaches the sandbox's built-in ingress controller, running on `node`, behind `service`. */
  | { kind: "ingress"; node: NodeInfo; service: KubeObject; port: ServicePort; source: string }
  | { kind: "refused" }
  | { kind: "timeout" }
  | { kind: "unreachable"; afterMs: number };

/** The Service a connection went through, for messages and access logs. */
export interface ServiceHop {
  service: KubeObject;
  port: ServicePort;
  mode: ProxyMode;
}

/** How long ARP waits before the kernel reports a pod IP nobody holds as unreachable. */
const ARP_TIMEOUT_MS = 3_000;
const DEFAULT_AFFINITY_SECONDS = 10_800;

/** The source of a connection as NetworkPolicy sees it; `source` is the address the destination sees. */
export function clientPeer(net: ClusterNet, from: Client, source = from.ip): PolicyPeer {
  if (from.identity) return { ip: source, node: from.node, pod: from.identity };
  if (from.kind === "pod") {
    const pod = net.podByIP(from.ip);
    if (pod) return { ...podPeer(pod), ip: source };
  }
  return { ip: source, node: from.node, ...(from.kind === "host" ? { host: true } : {}) };
}

/**
 * NetworkPolicy's verdict on a connection reaching `port` of pod `to` (network-policy.ts), as an
 * enforcing plugin (Calico, Cilium) gives it; `source` is the address the pod sees.
 */
export function allow(net: ClusterNet, from: Client, to: KubeObject, port: number, protocol: PolicyProtocol = "TCP", source = from.ip): boolean {
  if (!hasPolicies(net)) return true;
  // A pod cannot block its own traffic, whatever address it comes back with.
  if (from.kind === "pod" && !from.identity && from.ip === podOf(to).status?.podIP) return true;
  return policyAllows(net, { from: clientPeer(net, from, source), to: podPeer(to), port, protocol });
}

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A uniform number in [0, 1) from a text: a deterministic stand-in for the kernel's randomness. */
export function unitHash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return fmix32(h) / 4294967296;
}

interface Vip {
  svc: KubeObject;
  sp: ServicePort;
  /** Reached as an external destination (NodePort, LoadBalancer IP, externalIP). */
  external: boolean;
  /** The node whose rules handle the packet. */
  node: NodeInfo;
}

function portOf(svc: KubeObject, port: number, protocol: Protocol): ServicePort | undefined {
  return svcOf(svc).spec?.ports?.find((p) => p.port === port && (p.protocol ?? "TCP") === protocol);
}

/** The node that receives traffic for a LoadBalancer IP from outside: the first up node that can answer. */
function balancerNode(net: ClusterNet, svc: KubeObject, sp: ServicePort, protocol: Protocol): NodeInfo | undefined {
  const up = net.nodes().filter((n) => n.up);
  if (svcOf(svc).spec?.externalTrafficPolicy === "Local") {
    // The balancer's health checks send traffic only to nodes with a local endpoint.
    const eps = usable(net.endpoints(svc, sp, protocol));
    return up.find((n) => eps.some((e) => e.node === n.name)) ?? up[0];
  }
  return up[0];
}

/** The Service port a destination is, as the receiving node's rules see it. */
function findVip(net: ClusterNet, client: Client, ip: string, port: number, protocol: Protocol, mode: ProxyMode): Vip | "no-port" | undefined {
  const own = client.node ? net.node(client.node) : undefined;
  const svc = net.serviceByClusterIP(ip);
  if (svc) {
    if (client.kind === "outside" || !own) return undefined;
    const sp = portOf(svc, port, protocol);
    return sp ? { svc, sp, external: false, node: own } : "no-port";
  }
  // NodePorts: on every node address, and on localhost from the node itself (iptables only).
  const target = ip === "127.0.0.1" && client.kind === "host" && mode === "iptables" ? own : net.nodeByIP(ip);
  // Any port a Service holds is a node port (the API server allocated it within its range).
  if (target) {
    for (const s of net.services()) {
      const type = svcOf(s).spec?.type;
      if (type !== "NodePort" && type !== "LoadBalancer") continue;
      const sp = svcOf(s).spec?.ports?.find((p) => p.nodePort === port && (p.protocol ?? "TCP") === protocol);
      if (sp) return { svc: s, sp, external: true, node: target };
    }
  }
  for (const s of net.services()) {
    const spec = svcOf(s).spec;
    const lb = (svcOf(s).status?.loadBalancer?.ingress ?? []).some((i) => i.ip === ip);
    const ext = (spec?.externalIPs ?? []).includes(ip);
    if (!lb && !ext) continue;
    const sp = portOf(s, port, protocol);
    if (!sp) continue;
    const node = own ?? balancerNode(net, s, sp, protocol);
    if (node) return { svc: s, sp, external: true, node };
  }
  return undefined;
}

/** Ready endpoints, else the serving terminating ones (kube-proxy's ProxyTerminatingEndpoints). */
function usable(all: EndpointInfo[]): EndpointInfo[] {
  const ready = all.filter((e) => e.ready);
  return ready.length ? ready : all.filter((e) => e.serving && e.terminating);
}

/**
 * The endpoints a connection may go to, or what the rules do without any: REJECT when the
 * Service has none at all, DROP when a Local traffic policy leaves none on this node.
 */
export function candidates(net: ClusterNet, vip: Vip, client: Client, protocol: Protocol = "TCP"): EndpointInfo[] | "reject" | "drop" {
  const all = usable(net.endpoints(vip.svc, vip.sp, protocol));
  if (all.length === 0) return "reject";
  const spec = svcOf(vip.svc).spec;
  if (vip.external) {
    // Pods and the node itself reach an external address as if it were the ClusterIP.
    const shortCircuit = client.kind === "pod" || (client.kind === "host" && client.node === vip.node.name);
    if (spec?.externalTrafficPolicy === "Local" && !shortCircuit) {
      const local = all.filter((e) => e.node === vip.node.name);
      return local.length ? local : "drop";
    }
    return all;
  }
  if (spec?.internalTrafficPolicy === "Local") {
    const local = all.filter((e) => e.node === client.node);
    return local.length ? local : "drop";
  }
  return all;
}

/** One pick among `eps` as the node's proxy mode makes it, honouring ClientIP affinity. */
export function choose(mem: NetworkMemory, mode: ProxyMode, key: string, vip: { svc: KubeObject }, clientIP: string, eps: EndpointInfo[], now: number, random: () => number): EndpointInfo {
  const spec = svcOf(vip.svc).spec;
  const sticky = spec?.sessionAffinity === "ClientIP";
  const affinityKey = `${key}|${clientIP}`;
  if (sticky) {
    const timeout = (spec?.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? DEFAULT_AFFINITY_SECONDS) * 1000;
    const hit = mem.affinity.get(affinityKey);
    const ep = hit && now - hit.at <= timeout ? eps.find((e) => e.ip === hit.ip && e.port === hit.port) : undefined;
    if (ep) {
      hit!.at = now;
      return ep;
    }
  }
  let ep: EndpointInfo;
  if (mode === "ipvs") {
    // The rr scheduler walks the real servers in order, resuming after the last one it used.
    const next = mem.roundRobin.get(key) ?? 0;
    ep = eps[next % eps.length];
    mem.roundRobin.set(key, (next % eps.length) + 1);
  } else {
    ep = eps[Math.min(eps.length - 1, Math.floor(random() * eps.length))];
  }
  if (sticky) mem.affinity.set(affinityKey, { ip: ep.ip, port: ep.port, at: now });
  mem.trim();
  return ep;
}

/** The address a server sees for a connection from `client` that reached it on `dest`'s node. */
function sourceSeen(net: ClusterNet, client: Client, masquerade: boolean, via: NodeInfo | undefined, dest: NodeInfo | undefined): string {
  if (!masquerade || !via) return client.ip;
  // MASQUERADE takes the outgoing interface's address: the bridge for a local pod, the overlay otherwise.
  return dest?.name === via.name ? bridgeIP(via.podCIDR) : overlayIP(via.podCIDR);
}

function toPod(net: ClusterNet, client: Client, ip: string, port: number, masquerade: boolean, via: NodeInfo | undefined, protocol: Protocol, hop?: ServiceHop): Route {
  const pod = net.podByIP(ip);
  if (!pod) {
    if (net.nodeOfPodIP(ip)) return { kind: "unreachable", afterMs: ARP_TIMEOUT_MS };
    return { kind: "timeout" };
  }
  const phase = podOf(pod).status?.phase;
  if (phase === "Succeeded" || phase === "Failed") return { kind: "unreachable", afterMs: ARP_TIMEOUT_MS };
  const node = net.node(podOf(pod).spec?.nodeName ?? "");
  if (phase !== "Running" || !node?.up) return { kind: "timeout" };
  const source = sourceSeen(net, client, masquerade, via, node);
  // A connection a policy denies is dropped: the client waits for its timeout.
  if (!allow(net, client, pod, port, protocol, source)) return { kind: "timeout" };
  return { kind: "pod", pod, ip, port, source, ...(hop ? { via: hop } : {}) };
}

/** A node's own port: a hostNetwork pod listening there, or a hostPort mapped to a pod. */
function toHost(net: ClusterNet, client: Client, node: NodeInfo, port: number, protocol: Protocol): Route {
  if (!node.up && client.node !== node.name) return { kind: "timeout" };
  for (const p of net.reader.list("/pods")) {
    const spec = podOf(p).spec;
    if (spec?.nodeName !== node.name || podOf(p).status?.phase !== "Running") continue;
    for (const c of spec.containers ?? []) {
      const mapped = c.ports?.find((cp) => cp.hostPort === port && (cp.protocol ?? "TCP") === protocol);
      if (mapped && podOf(p).status?.podIP && !spec.hostNetwork) return toPod(net, client, podOf(p).status!.podIP!, mapped.containerPort, true, node, protocol);
    }
  }
  const host = net.hostNetworkPods(node.name);
  // Only the client's egress policies can stop it: a node is no pod to isolate.
  if (host.length && hasPolicies(net) && !policyAllows(net, { from: clientPeer(net, client), to: { ip: node.ip, node: node.name, host: true }, port, protocol })) return { kind: "timeout" };
  if (host.length) return { kind: "pod", pod: host[0], ip: node.ip, port, source: client.node === node.name ? node.ip : client.ip };
  return { kind: "refused" };
}

export interface RouteOptions {
  protocol?: Protocol;
  now: number;
  /** Uniform in [0, 1): iptables' random pick. */
  random: () => number;
}

/** Where a connection from `client` to `ip:port` ends up. */
export function route(net: ClusterNet, mem: NetworkMemory, client: Client, ip: string, port: number, opts: RouteOptions): Route {
  const protocol = opts.protocol ?? "TCP";
  const own = client.node ? net.node(client.node) : undefined;
  const ownMode = own ? net.proxyMode(own.name) : "iptables";
  const found = findVip(net, client, ip, port, protocol, ownMode);
  if (found === "no-port") {
    // IPVS binds every ClusterIP to kube-ipvs0, so the node itself refuses; iptables has no rule and the packet goes nowhere.
    return ownMode === "ipvs" ? { kind: "refused" } : { kind: "timeout" };
  }
  if (found) {
    if (!found.node.up && found.node.name !== client.node) return { kind: "timeout" };
    if (isIngressEntry(found.svc)) {
      // The sandbox's ingress controller answers for this Service on the node the packet reached.
      const masquerade = found.external ? client.kind !== "pod" : client.kind === "host";
      return { kind: "ingress", node: found.node, service: found.svc, port: found.sp, source: sourceSeen(net, client, masquerade, found.node, found.node) };
    }
    const mode = net.proxyMode(found.node.name);
    const eps = candidates(net, found, client, protocol);
    if (eps === "reject") return { kind: "refused" };
    if (eps === "drop") return { kind: "timeout" };
    const key = `${found.node.name}|${ip}:${port}/${protocol}`;
    const ep = choose(mem, mode, key, found, client.ip, eps, opts.now, opts.random);
    const spec = svcOf(found.svc).spec;
    const localPolicy = found.external && spec?.externalTrafficPolicy === "Local" && client.kind === "outside";
    const masquerade = found.external ? !localPolicy && client.kind !== "pod" : client.kind !== "pod" || ep.ip === client.ip;
    return toPod(net, client, ep.ip, ep.port, masquerade, found.external ? found.node : own, protocol, { service: found.svc, port: found.sp, mode });
  }
  if (client.kind === "host" && (ip === "127.0.0.1" || ip === own?.ip)) return toHost(net, client, own!, port, protocol);
  const node = net.nodeByIP(ip);
  if (node) return toHost(net, client, node, port, protocol);
  if (client.kind === "outside") return { kind: "timeout" };
  if (client.kind === "pod" && ip === "127.0.0.1") {
    const pod = net.podByIP(client.ip);
    return pod ? { kind: "pod", pod, ip: client.ip, port, source: "127.0.0.1" } : { kind: "refused" };
  }
  const inPodNet = inCidr(ip, net.clusterCIDR()) || !!net.nodeOfPodIP(ip);
  if (!inPodNet) return { kind: "timeout" };
  return toPod(net, client, ip, port, client.kind === "host", own, protocol);
}
