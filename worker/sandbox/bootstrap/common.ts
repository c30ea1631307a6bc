// What the parts of a fresh cluster share: the nodes they land on, owner references, and the
// status a kubelet reports for a pod whose containers all started.
import type { OwnerReference } from "kubernetes-types/meta/v1";
import type { KubeObject } from "../../resources/types";
import { rfc3339, rfc3339Micro } from "../clock";
import type { Rng } from "../rng";
import { hexDigest } from "./hash";

export interface BootstrapNode {
  name: string;
  uid: string;
  /** InternalIP. */
  ip: string;
  podCIDR: string;
  controlPlane: boolean;
}

/** The moment the cluster comes up and the generator every random part is drawn from. */
export interface BootstrapEnv {
  now: number;
  rng: Rng;
}

export function timestamp(env: BootstrapEnv): string {
  return rfc3339(env.now);
}

export function microTimestamp(env: BootstrapEnv): string {
  return rfc3339Micro(env.now);
}

/** A uid decided before admission, so owners and dependents can reference each other in one batch. */
export function withUid(env: BootstrapEnv, obj: KubeObject): KubeObject {
  obj.metadata.uid = env.rng.uuid();
  return obj;
}

/** The controller reference a workload controller puts on what it creates. */
export function ownerRef(owner: KubeObject, controller: boolean): OwnerReference {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata.name ?? "",
    uid: owner.metadata.uid ?? "",
    ...(controller ? { controller: true, blockOwnerDeletion: true } : {}),
  };
}

/** The `n`th address of a node's pod CIDR (`10.244.0.0/24`, 2 → `10.244.0.2`). */
export function podIP(node: BootstrapNode, n: number): string {
  const [net] = node.podCIDR.split("/");
  const parts = net.split(".");
  parts[3] = String(Number(parts[3]) + n);
  return parts.join(".");
}

/** `registry/name:tag` → `registry/name@sha256:…`, the same digest for the same image everywhere. */
function imageID(image: string): string {
  const repo = image.replace(/:[^/:]+$/, "");
  return `${repo}@sha256:${hexDigest(image, 64)}`;
}

/**
 * The status a kubelet reports once every container of `pod` runs and passed its readiness checks
 * (what the scheduler and kubelet would have produced by the time `kubeadm init` returns).
 */
export function runningPodStatus(env: BootstrapEnv, pod: KubeObject, node: BootstrapNode, ip: string): Record<string, unknown> {
  const now = timestamp(env);
  const containers = ((pod.spec as { containers?: { name: string; image: string }[] }).containers ?? []).map((c) => ({
    containerID: `containerd://${env.rng.chars("0123456789abcdef", 64)}`,
    image: c.image,
    imageID: imageID(c.image),
    lastState: {},
    name: c.name,
    ready: true,
    restartCount: 0,
    started: true,
    state: { running: { startedAt: now } },
  }));
  const condition = (type: string) => ({ lastProbeTime: null, lastTransitionTime: now, status: "True", type });
  return {
    conditions: ["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"].map(condition),
    containerStatuses: containers,
    hostIP: node.ip,
    hostIPs: [{ ip: node.ip }],
    phase: "Running",
    podIP: ip,
    podIPs: [{ ip }],
    startTime: now,
  };
}

/** The control-plane endpoint (`host:6443`) of a cluster: its first control-plane node. */
export function controlPlaneEndpoint(nodes: BootstrapNode[]): string {
  const cp = nodes.find((n) => n.controlPlane) ?? nodes[0];
  return `${cp.ip}:6443`;
}
