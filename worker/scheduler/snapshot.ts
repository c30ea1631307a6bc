// The scheduler's view of the cluster for one pass: every node with the pods bound to it and what
// they use (requests, host ports), built once per pass and updated as the pass binds pods, the way
// kube-scheduler's cache assumes a pod on its node before the binding is confirmed.
// Models pkg/scheduler/framework/types.go NodeInfo and pkg/scheduler/backend/cache/snapshot.go
import type { KubeObject } from "../resources/types";
import { addResources, cloneResources, emptyResources, podRequests, resourceListOf, subtractResources } from "./resources";
import type { HostPort, NodeInfo, PodInfo, Snapshot } from "./types";
import { matches } from "./util";

type Obj = Record<string, unknown>;

const rec = (v: unknown): Obj => (v && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : {});
const arr = <T = Obj>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : []);

export const DEFAULT_SCHEDULER = "default-scheduler";

export function podPriority(pod: KubeObject): number {
  const p = rec(pod.spec).priority;
  return typeof p === "number" ? p : 0;
}

function hostPortsOf(spec: Obj): HostPort[] {
  const out: HostPort[] = [];
  for (const list of [spec.initContainers, spec.containers]) {
    for (const c of arr(list)) {
      for (const p of arr(rec(c).ports)) {
        const port = Number(p.hostPort ?? 0);
        if (port > 0) out.push({ hostIP: String(p.hostIP || "0.0.0.0"), protocol: String(p.protocol || "TCP"), port });
      }
    }
  }
  return out;
}

export function newPodInfo(pod: KubeObject): PodInfo {
  const spec = rec(pod.spec);
  const affinity = rec(spec.affinity);
  const podAffinity = rec(affinity.podAffinity);
  const podAnti = rec(affinity.podAntiAffinity);
  const nonZero = podRequests(spec, true);
  const hasRequiredAntiAffinity = arr(podAnti.requiredDuringSchedulingIgnoredDuringExecution).length > 0;
  return {
    pod,
    namespace: pod.metadata.namespace ?? "",
    name: pod.metadata.name ?? "",
    uid: pod.metadata.uid ?? "",
    labels: pod.metadata.labels ?? {},
    priority: podPriority(pod),
    requests: podRequests(spec),
    nonZeroCpu: nonZero.milliCpu,
    nonZeroMemory: nonZero.memory,
    hostPorts: hostPortsOf(spec),
    hasAffinity:
      hasRequiredAntiAffinity ||
      [podAffinity.requiredDuringSchedulingIgnoredDuringExecution, podAffinity.preferredDuringSchedulingIgnoredDuringExecution, podAnti.preferredDuringSchedulingIgnoredDuringExecution].some(
        (l) => arr(l).length > 0,
      ),
    hasRequiredAntiAffinity,
  };
}

// Models pkg/scheduler/framework/plugins/imagelocality/image_locality.go normalizedImageName
export function normalizedImageName(name: string): string {
  return name.lastIndexOf(":") <= name.lastIndexOf("/") ? `${name}:latest` : name;
}

export function newNodeInfo(node: KubeObject): NodeInfo {
  const status = rec(node.status);
  const images = new Map<string, number>();
  for (const img of arr(status.images)) {
    for (const n of arr<string>(img.names)) images.set(normalizedImageName(n), Number(img.sizeBytes ?? 0));
  }
  return {
    name: node.metadata.name ?? "",
    node,
    labels: node.metadata.labels ?? {},
    allocatable: resourceListOf(rec(status.allocatable)),
    requested: emptyResources(),
    nonZeroCpu: 0,
    nonZeroMemory: 0,
    pods: [],
    usedPorts: [],
    images,
    affinityPods: 0,
    antiAffinityPods: 0,
    memo: new Map(),
  };
}

export function addPod(ni: NodeInfo, p: PodInfo): void {
  // The counts so far plus this pod, as counting again would find (countMatching).
  for (const m of ni.memo.values()) if (p.namespace === m.namespace && !p.pod.metadata.deletionTimestamp && matches(m.sel, p.labels)) m.n++;
  ni.pods.push(p);
  if (p.hasAffinity) ni.affinityPods++;
  if (p.hasRequiredAntiAffinity) ni.antiAffinityPods++;
  addResources(ni.requested, p.requests);
  ni.nonZeroCpu += p.nonZeroCpu;
  ni.nonZeroMemory += p.nonZeroMemory;
  ni.usedPorts.push(...p.hostPorts);
}

export function removePod(ni: NodeInfo, p: PodInfo): void {
  const i = ni.pods.findIndex((x) => x.uid === p.uid && x.name === p.name && x.namespace === p.namespace);
  if (i < 0) return;
  ni.memo.clear();
  ni.pods.splice(i, 1);
  if (p.hasAffinity) ni.affinityPods--;
  if (p.hasRequiredAntiAffinity) ni.antiAffinityPods--;
  subtractResources(ni.requested, p.requests);
  ni.nonZeroCpu -= p.nonZeroCpu;
  ni.nonZeroMemory -= p.nonZeroMemory;
  for (const hp of p.hostPorts) {
    const j = ni.usedPorts.findIndex((u) => u.port === hp.port && u.protocol === hp.protocol && u.hostIP === hp.hostIP);
    if (j >= 0) ni.usedPorts.splice(j, 1);
  }
}

export function cloneNodeInfo(ni: NodeInfo): NodeInfo {
  return { ...ni, requested: cloneResources(ni.requested), pods: [...ni.pods], usedPorts: [...ni.usedPorts], memo: new Map() };
}

/** Whether a pod occupies its node: bound and not finished (the scheduler's informer skips terminal pods). */
export function occupiesNode(pod: KubeObject): boolean {
  const phase = rec(pod.status).phase;
  return !!rec(pod.spec).nodeName && phase !== "Succeeded" && phase !== "Failed";
}

export interface SnapshotSource {
  get(resource: string, namespace: string, name: string): KubeObject | undefined;
  list(resource: string, namespace?: string): KubeObject[];
}

export function buildSnapshot(src: SnapshotSource, pods: KubeObject[] = src.list("/pods")): Snapshot {
  const nodes = src.list("/nodes").map(newNodeInfo);
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const nominated = new Map<string, PodInfo[]>();
  for (const pod of pods) {
    const nodeName = rec(pod.spec).nodeName;
    if (typeof nodeName === "string" && nodeName) {
      const ni = byName.get(nodeName);
      if (ni && occupiesNode(pod)) addPod(ni, newPodInfo(pod));
      continue;
    }
    const nom = rec(pod.status).nominatedNodeName;
    if (typeof nom === "string" && nom && !pod.metadata.deletionTimestamp) {
      const l = nominated.get(nom) ?? [];
      l.push(newPodInfo(pod));
      nominated.set(nom, l);
    }
  }
  const imageNodes = new Map<string, number>();
  for (const n of nodes) for (const img of n.images.keys()) imageNodes.set(img, (imageNodes.get(img) ?? 0) + 1);
  const namespaceLabels = new Map(src.list("/namespaces").map((ns) => [ns.metadata.name ?? "", ns.metadata.labels ?? {}]));
  // Lists plugins read per pod (Services for default spreading) are taken once per pass; volumes
  // are read fresh, since this pass may hand one to a claim.
  const lists = new Map<string, KubeObject[]>();
  const cached = (resource: string, namespace?: string) => {
    if (resource === "/persistentvolumes" || resource === "/persistentvolumeclaims") return src.list(resource, namespace);
    const key = `${resource}\u0000${namespace ?? "*"}`;
    let l = lists.get(key);
    if (!l) lists.set(key, (l = src.list(resource, namespace)));
    return l;
  };
  return {
    nodes,
    byName,
    namespaceLabels,
    imageNodes,
    nominated,
    nextStartNodeIndex: 0,
    read: (resource, namespace, name) => src.get(resource, namespace, name),
    list: cached,
  };
}

/** A copy of `snap` in which one node is replaced (preemption's "what if these pods were gone"). */
export function withNode(snap: Snapshot, ni: NodeInfo): Snapshot {
  const nodes = snap.nodes.map((n) => (n.name === ni.name ? ni : n));
  return { ...snap, nodes, byName: new Map(nodes.map((n) => [n.name, n])) };
}
