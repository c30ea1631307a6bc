// The scheduling framework's shapes: what a plugin sees of the cluster (a snapshot of nodes with the
// pods bound to them), what it answers (a status with reasons, or a score), and the per-pod cycle
// state plugins share between their PreFilter, Filter, PreScore and Score steps.
// Models pkg/scheduler/framework/interface.go and pkg/scheduler/framework/types.go (simplified)
import type { LabelSelector } from "../api/selectors";
import type { KubeObject } from "../resources/types";
import type { Resources } from "./resources";

/** Highest score a plugin gives a node (framework.MaxNodeScore). */
export const MAX_NODE_SCORE = 100;

/**
 * Unschedulable: removing pods might help (preemption looks at these nodes).
 * UnschedulableAndUnresolvable: nothing about other pods would change the answer.
 */
export type StatusCode = "Unschedulable" | "UnschedulableAndUnresolvable";

export interface Status {
  code: StatusCode;
  /** Human reasons in upstream wording, e.g. "Insufficient cpu". */
  reasons: string[];
}

export function unschedulable(...reasons: string[]): Status {
  return { code: "Unschedulable", reasons };
}

export function unresolvable(...reasons: string[]): Status {
  return { code: "UnschedulableAndUnresolvable", reasons };
}

export interface HostPort {
  hostIP: string;
  protocol: string;
  port: number;
}

/** A pod as the scheduler keeps it: the object plus what plugins read of it often. */
export interface PodInfo {
  pod: KubeObject;
  namespace: string;
  name: string;
  uid: string;
  labels: Record<string, string>;
  priority: number;
  requests: Resources;
  /** cpu/memory requests with upstream's non-zero defaults (100m, 200Mi) for containers that set none. */
  nonZeroCpu: number;
  nonZeroMemory: number;
  hostPorts: HostPort[];
  /** Whether the pod has required or preferred pod (anti-)affinity terms. */
  hasAffinity: boolean;
  hasRequiredAntiAffinity: boolean;
}

/** A node and what is bound to it (framework.NodeInfo). */
export interface NodeInfo {
  name: string;
  node: KubeObject;
  labels: Record<string, string>;
  allocatable: Resources;
  requested: Resources;
  nonZeroCpu: number;
  nonZeroMemory: number;
  pods: PodInfo[];
  usedPorts: HostPort[];
  /** Normalized image name → size in bytes, from node.status.images. */
  images: Map<string, number>;
  /** How many of its pods have pod (anti-)affinity terms, and required anti-affinity terms. */
  affinityPods: number;
  antiAffinityPods: number;
  /** Counts of pods matching a selector, by namespace and selector; kept up to date as pods are added, cleared when one goes. */
  memo: Map<string, { n: number; sel: LabelSelector; namespace: string }>;
}

/** The cluster as one scheduling pass sees it. */
export interface Snapshot {
  nodes: NodeInfo[];
  byName: Map<string, NodeInfo>;
  /** Labels of every namespace, for namespaceSelector terms. */
  namespaceLabels: Map<string, Record<string, string>>;
  /** How many nodes hold each normalized image (ImageLocality's spread factor). */
  imageNodes: Map<string, number>;
  /** Pods with a nominated node that are not bound yet, by node. */
  nominated: Map<string, PodInfo[]>;
  /** Where the next pod's node search starts, so large clusters spread the search (nextStartNodeIndex). */
  nextStartNodeIndex: number;
  /** Any objects a plugin needs by resource key (`/persistentvolumeclaims`, …), read lazily. */
  read(resource: string, namespace: string, name: string): KubeObject | undefined;
  list(resource: string, namespace?: string): KubeObject[];
}

/** One pod's scheduling cycle: the pod, the snapshot, and what plugins computed for it. */
export interface CycleState {
  pod: PodInfo;
  snapshot: Snapshot;
  data: Map<string, unknown>;
  /** Plugins whose PreFilter said they have nothing to check for this pod. */
  skipFilter: Set<string>;
  skipScore: Set<string>;
}

export interface PreFilterResult {
  /** The pod cannot be scheduled anywhere (the message goes into the FitError as PreFilterMsg). */
  status?: Status;
  /** Only these nodes can pass (e.g. a DaemonSet pod's metadata.name affinity). */
  nodeNames?: Set<string>;
  /** Filter has nothing to check for this pod. */
  skip?: boolean;
}

/** A scheduling plugin: any subset of the extension points, with upstream's name and weight. */
export interface Plugin {
  name: string;
  /** Score weight in the default profile; plugins without score leave it out. */
  weight?: number;
  preFilter?(state: CycleState): PreFilterResult | void;
  filter?(state: CycleState, node: NodeInfo): Status | null;
  /** Returns false when the plugin has nothing to score for this pod (every node gets 0). */
  preScore?(state: CycleState, nodes: NodeInfo[]): boolean | void;
  score?(state: CycleState, node: NodeInfo): number;
  normalize?(state: CycleState, scores: number[], nodes: NodeInfo[]): void;
}
