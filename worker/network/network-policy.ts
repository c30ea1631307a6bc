// NetworkPolicy as an enforcing network plugin (Calico, Cilium) applies it to a connection: a pod
// selected by a policy with Ingress (Egress) in its policyTypes is isolated in that direction, and a
// connection it receives (opens) must then be allowed by a rule of one of those policies — its
// peer (podSelector, namespaceSelector, both, or an ipBlock with exceptions) and its port (number,
// named port of the destination pod, endPort range, protocol). A denied connection is dropped, so
// the client sees a timeout. As upstream documents, a pod never blocks itself, and traffic between
// a pod and the node it runs on is always allowed; hostNetwork pods are not subject to policies.
// Egress isolation covers DNS too: an isolated pod reaches CoreDNS only through a rule for port 53.
// The policies are indexed by namespace once per ClusterNet (one read of the cluster).
// Models the semantics of staging/src/k8s.io/api/networking/v1/types.go (NetworkPolicySpec).
import type { ContainerPort } from "kubernetes-types/core/v1";
import type { NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort } from "kubernetes-types/networking/v1";
import { selectorMatches } from "../controllers/workload-helpers";
import type { KubeObject } from "../resources/types";
import { inCidr, isIPv4, podOf, type ClusterNet } from "./cluster";

export const NETWORK_POLICIES = "networking.k8s.io/networkpolicies";

export type PolicyProtocol = "TCP" | "UDP" | "SCTP" | "ICMP";

/** One end of a connection, as policies see it. */
export interface PolicyPeer {
  /** The address ipBlocks match: the destination's, or the source address the destination sees. */
  ip: string;
  /** The node it runs on (or is). */
  node?: string;
  /** A node's own network namespace (node shell, hostNetwork pods, the kubelet). */
  host?: boolean;
  /** A pod, or what stands for one (the built-in ingress controller). */
  pod?: { namespace: string; labels: Record<string, string>; ports?: ContainerPort[] };
}

export interface PolicyConnection {
  from: PolicyPeer;
  to: PolicyPeer;
  port: number;
  protocol: PolicyProtocol;
}

interface Index {
  byNamespace: Map<string, NetworkPolicy[]>;
  namespaceLabels: Map<string, Record<string, string>>;
}

const indexes = new WeakMap<ClusterNet, Index>();

function indexOf(net: ClusterNet): Index {
  let idx = indexes.get(net);
  if (idx) return idx;
  const byNamespace = new Map<string, NetworkPolicy[]>();
  for (const p of net.reader.list(NETWORK_POLICIES)) {
    const ns = p.metadata.namespace ?? "";
    byNamespace.set(ns, [...(byNamespace.get(ns) ?? []), p as unknown as NetworkPolicy]);
  }
  // Namespace labels are read only when some policy exists.
  const namespaceLabels = new Map<string, Record<string, string>>();
  if (byNamespace.size) for (const n of net.reader.list("/namespaces")) namespaceLabels.set(n.metadata.name ?? "", n.metadata.labels ?? {});
  idx = { byNamespace, namespaceLabels };
  indexes.set(net, idx);
  return idx;
}

/** policyTypes as stored, or as the apiserver defaults them (Ingress, plus Egress when there are egress rules). */
export function policyTypes(p: NetworkPolicy): string[] {
  const types = p.spec?.policyTypes;
  if (types?.length) return types;
  return (p.spec?.egress ?? []).length ? ["Ingress", "Egress"] : ["Ingress"];
}

function selecting(idx: Index, pod: NonNullable<PolicyPeer["pod"]>, direction: "Ingress" | "Egress"): NetworkPolicy[] {
  return (idx.byNamespace.get(pod.namespace) ?? []).filter((p) => policyTypes(p).includes(direction) && selectorMatches(p.spec?.podSelector ?? {}, pod.labels));
}

function inBlock(ip: string, block: { cidr: string; except?: string[] }): boolean {
  return isIPv4(ip) && inCidr(ip, block.cidr) && !(block.except ?? []).some((e) => inCidr(ip, e));
}

/** Whether `peer` of a rule in a policy of `policyNamespace` designates `other`. */
export function peerMatches(idx: { namespaceLabels: Map<string, Record<string, string>> }, peer: NetworkPolicyPeer, policyNamespace: string, other: PolicyPeer): boolean {
  if (peer.ipBlock) return inBlock(other.ip, peer.ipBlock);
  // Selectors designate pods; a node (or a hostNetwork pod) is matched by its address only.
  if (!other.pod || other.host || (!peer.podSelector && !peer.namespaceSelector)) return false;
  const nsOk = peer.namespaceSelector ? selectorMatches(peer.namespaceSelector, idx.namespaceLabels.get(other.pod.namespace) ?? { "kubernetes.io/metadata.name": other.pod.namespace }) : other.pod.namespace === policyNamespace;
  return nsOk && (!peer.podSelector || selectorMatches(peer.podSelector, other.pod.labels));
}

/** Whether a rule's `ports` admit `port`/`protocol` on the destination (named ports are the destination pod's). */
export function portsMatch(ports: NetworkPolicyPort[] | undefined, port: number, protocol: PolicyProtocol, dest: PolicyPeer): boolean {
  if (!ports?.length) return true;
  return ports.some((p) => {
    const proto = p.protocol ?? "TCP";
    if (proto !== protocol) return false;
    if (p.port === undefined) return true;
    if (typeof p.port === "number") return p.endPort !== undefined ? port >= p.port && port <= p.endPort : port === p.port;
    return (dest.pod?.ports ?? []).some((cp) => cp.name === p.port && (cp.protocol ?? "TCP") === proto && cp.containerPort === port);
  });
}

function egressAllowed(idx: Index, c: PolicyConnection): boolean {
  const from = c.from.pod;
  if (!from || c.from.host) return true;
  const policies = selecting(idx, from, "Egress");
  if (!policies.length) return true;
  if (c.to.host && c.to.node === c.from.node) return true;
  return policies.some((p) => (p.spec?.egress ?? []).some((rule) => (!rule.to?.length || rule.to.some((peer) => peerMatches(idx, peer, from.namespace, c.to))) && portsMatch(rule.ports, c.port, c.protocol, c.to)));
}

function ingressAllowed(idx: Index, c: PolicyConnection): boolean {
  const to = c.to.pod;
  if (!to || c.to.host) return true;
  const policies = selecting(idx, to, "Ingress");
  if (!policies.length) return true;
  if (c.from.host && c.from.node === c.to.node) return true;
  return policies.some((p) => (p.spec?.ingress ?? []).some((rule) => (!rule.from?.length || rule.from.some((peer) => peerMatches(idx, peer, to.namespace, c.from))) && portsMatch(rule.ports, c.port, c.protocol, c.to)));
}

/** Whether any NetworkPolicy exists: without one, every connection is allowed and nothing else is read. */
export function hasPolicies(net: ClusterNet): boolean {
  return indexOf(net).byNamespace.size > 0;
}

/** The policies' verdict on one connection. */
export function policyAllows(net: ClusterNet, c: PolicyConnection): boolean {
  const idx = indexOf(net);
  if (idx.byNamespace.size === 0) return true;
  return egressAllowed(idx, c) && ingressAllowed(idx, c);
}

/** A pod object as a destination (or source) of a connection. */
export function podPeer(pod: KubeObject, ip?: string): PolicyPeer {
  const p = podOf(pod);
  const host = p.spec?.hostNetwork === true;
  return {
    ip: ip ?? p.status?.podIP ?? "",
    node: p.spec?.nodeName,
    ...(host ? { host: true } : {}),
    pod: { namespace: pod.metadata.namespace ?? "", labels: pod.metadata.labels ?? {}, ports: (p.spec?.containers ?? []).flatMap((c) => c.ports ?? []) },
  };
}
