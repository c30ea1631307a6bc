// Cluster-wide furniture of a fresh cluster: namespaces, the system PriorityClasses, the
// `kubernetes` Service, per-namespace ServiceAccounts and CA bundles, and the Leases that nodes
// and leader-elected components hold.
import type { KubeObject } from "../../resources/types";
import { type BootstrapEnv, type BootstrapNode, microTimestamp } from "./common";
import { hexDigest } from "./hash";
import { ROOT_CA_DESCRIPTION, SANDBOX_CA } from "./pki";

export const SYSTEM_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease"];

/** How long a node's lease is valid; the kubelet renews it every quarter of that. */
export const NODE_LEASE_DURATION_SECONDS = 40;

export function namespaces(): KubeObject[] {
  return SYSTEM_NAMESPACES.map((name) => ({ apiVersion: "v1", kind: "Namespace", metadata: { name } }));
}

// Models pkg/apis/scheduling/types.go SystemPriorityClasses
export function priorityClasses(): KubeObject[] {
  const pc = (name: string, value: number, description: string): KubeObject => ({
    apiVersion: "scheduling.k8s.io/v1",
    kind: "PriorityClass",
    metadata: { name },
    value,
    description,
    preemptionPolicy: "PreemptLowerPriority",
  });
  return [
    pc("system-cluster-critical", 2000000000, "Used for system critical pods that must run in the cluster, but can be moved to another node if necessary."),
    pc("system-node-critical", 2000001000, "Used for system critical pods that must not be moved from their current node."),
  ];
}

export function kubernetesService(): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "kubernetes", namespace: "default", labels: { component: "apiserver", provider: "kubernetes" } },
    spec: { type: "ClusterIP", clusterIP: "10.96.0.1", ports: [{ name: "https", port: 443, protocol: "TCP", targetPort: 6443 }], sessionAffinity: "None" },
  };
}

/** The `default` ServiceAccount the service account controller keeps in every namespace. */
export function defaultServiceAccount(namespace: string): KubeObject {
  return { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "default", namespace } };
}

/** The `kube-root-ca.crt` ConfigMap the root CA publisher keeps in every namespace. */
export function rootCAConfigMap(namespace: string): KubeObject {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "kube-root-ca.crt", namespace, annotations: { "kubernetes.io/description": ROOT_CA_DESCRIPTION } },
    data: { "ca.crt": SANDBOX_CA },
  };
}

// Models staging/src/k8s.io/component-helpers/apimachinery/lease/controller.go newLease
/** A node's heartbeat Lease in kube-node-lease, owned by its Node. */
export function nodeLease(node: { name: string; uid: string }, renewTime: string): KubeObject {
  return {
    apiVersion: "coordination.k8s.io/v1",
    kind: "Lease",
    metadata: {
      name: node.name,
      namespace: "kube-node-lease",
      ownerReferences: [{ apiVersion: "v1", kind: "Node", name: node.name, uid: node.uid }],
    },
    spec: { holderIdentity: node.name, leaseDurationSeconds: NODE_LEASE_DURATION_SECONDS, renewTime },
  };
}

const BASE32 = "abcdefghijklmnopqrstuvwxyz234567";

/** 26 lowercase base32 characters of a 128-bit digest, the shape of an apiserver identity. */
function base32Id(text: string): string {
  const bits = [...hexDigest(text, 32)].map((h) => parseInt(h, 16).toString(2).padStart(4, "0")).join("");
  let out = "";
  for (let i = 0; i < bits.length; i += 5) out += BASE32[parseInt(bits.slice(i, i + 5).padEnd(5, "0"), 2)];
  return out;
}

/**
 * Leases of the control plane in kube-system: the leader-election locks of the controller-manager and
 * the scheduler (held by the first control-plane node) and each apiserver's identity lease.
 */
export function controlPlaneLeases(env: BootstrapEnv, nodes: BootstrapNode[]): KubeObject[] {
  const members = nodes.filter((n) => n.controlPlane);
  if (members.length === 0) return [];
  const now = microTimestamp(env);
  const lease = (name: string, labels: Record<string, string> | undefined, spec: Record<string, unknown>): KubeObject => ({
    apiVersion: "coordination.k8s.io/v1",
    kind: "Lease",
    metadata: { name, namespace: "kube-system", ...(labels ? { labels } : {}) },
    spec,
  });
  const leader = (name: string) =>
    lease(name, undefined, { holderIdentity: `${members[0].name}_${env.rng.uuid()}`, leaseDurationSeconds: 15, acquireTime: now, renewTime: now, leaseTransitions: 0 });
  const identities = members.map((n) => {
    const id = `apiserver-${base32Id(n.name)}`;
    return lease(id, { "apiserver.kubernetes.io/identity": "kube-apiserver", "kubernetes.io/hostname": n.name }, {
      holderIdentity: `${id}_${env.rng.uuid()}`,
      leaseDurationSeconds: 3600,
      renewTime: now,
    });
  });
  return [...identities, leader("kube-controller-manager"), leader("kube-scheduler")];
}
