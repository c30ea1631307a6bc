// Building scheduler snapshots from plain objects, without a store, for table-driven plugin tests.
import type { KubeObject } from "../../../worker/resources/types";
import { newCycleState, runPreFilters } from "../../../worker/scheduler/framework";
import { buildSnapshot, newPodInfo } from "../../../worker/scheduler/snapshot";
import type { CycleState, NodeInfo, Plugin, Snapshot, Status } from "../../../worker/scheduler/types";

type Obj = Record<string, unknown>;

export function node(name: string, opts: { labels?: Record<string, string>; taints?: Obj[]; cpu?: string; memory?: string; pods?: string; unschedulable?: boolean; images?: Obj[] } = {}): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name, labels: { "kubernetes.io/hostname": name, ...(opts.labels ?? {}) } },
    spec: { ...(opts.taints ? { taints: opts.taints } : {}), ...(opts.unschedulable ? { unschedulable: true } : {}) },
    status: {
      allocatable: { cpu: opts.cpu ?? "4", memory: opts.memory ?? "8Gi", pods: opts.pods ?? "110", "ephemeral-storage": "50Gi" },
      ...(opts.images ? { images: opts.images } : {}),
    },
  };
}

let uid = 0;

export function pod(name: string, spec: Obj = {}, meta: Obj = {}): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "default", uid: `uid-${name}-${++uid}`, creationTimestamp: "2026-01-01T00:00:00Z", ...meta },
    spec: { containers: [{ name: "c", image: "nginx" }], ...spec },
    status: { phase: "Pending" },
  };
}

/** A pod already bound to `nodeName`. */
export function on(nodeName: string, p: KubeObject): KubeObject {
  (p.spec as Obj).nodeName = nodeName;
  p.status = { phase: "Running", startTime: p.metadata.creationTimestamp };
  return p;
}

export function requests(r: Obj, extra: Obj = {}): Obj {
  return { containers: [{ name: "c", image: "nginx", resources: { requests: r } }], ...extra };
}

/** A snapshot over these objects; `others` are read by resource key (`/persistentvolumeclaims`, …). */
export function snapshotOf(nodes: KubeObject[], pods: KubeObject[] = [], others: Record<string, KubeObject[]> = {}): Snapshot {
  const all: Record<string, KubeObject[]> = {
    "/nodes": nodes,
    "/pods": pods,
    "/namespaces": [{ apiVersion: "v1", kind: "Namespace", metadata: { name: "default", labels: { "kubernetes.io/metadata.name": "default" } } }],
    ...others,
  };
  const src = {
    get: (r: string, ns: string, name: string) => (all[r] ?? []).find((o) => (o.metadata.namespace ?? "") === ns && o.metadata.name === name),
    list: (r: string, ns?: string) => (all[r] ?? []).filter((o) => ns === undefined || (o.metadata.namespace ?? "") === ns),
  };
  return buildSnapshot(src, pods);
}

/** PreFilter the incoming pod, then run one plugin's filter on every node: node name → reason or "ok". */
export function filterAll(plugin: Plugin, snap: Snapshot, incoming: KubeObject): Record<string, string> {
  const state = prepared(snap, incoming);
  if ("status" in state) return Object.fromEntries(snap.nodes.map((n) => [n.name, `prefilter: ${state.status.reasons.join(", ")}`]));
  const out: Record<string, string> = {};
  for (const n of snap.nodes) {
    if (state.skipFilter.has(plugin.name)) out[n.name] = "ok";
    else out[n.name] = describe(plugin.filter!(state, n));
  }
  return out;
}

function describe(s: Status | null): string {
  return s ? `${s.code === "Unschedulable" ? "" : "unresolvable: "}${s.reasons.join(", ")}` : "ok";
}

export function prepared(snap: Snapshot, incoming: KubeObject): CycleState | { status: Status } {
  const state = newCycleState(newPodInfo(incoming), snap);
  const pre = runPreFilters(state);
  return pre.status ? { status: pre.status } : state;
}

/** One score plugin's normalized scores for the incoming pod on every node. */
export function scoreAll(plugin: Plugin, snap: Snapshot, incoming: KubeObject, nodes: NodeInfo[] = snap.nodes): Record<string, number> {
  const state = prepared(snap, incoming) as CycleState;
  if (plugin.preScore && plugin.preScore(state, nodes) === false) return Object.fromEntries(nodes.map((n) => [n.name, 0]));
  const scores = nodes.map((n) => plugin.score!(state, n));
  plugin.normalize?.(state, scores, nodes);
  return Object.fromEntries(nodes.map((n, i) => [n.name, scores[i]]));
}
