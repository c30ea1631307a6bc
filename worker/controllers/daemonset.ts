// The DaemonSet controller: one pod per eligible node (node selector, required node affinity,
// taints the pod does not tolerate), following nodes as they come, go and change; pods are bound
// through a `metadata.name` node affinity the scheduler honours. Template changes roll out through
// ControllerRevisions (RollingUpdate with maxUnavailable/maxSurge, or OnDelete).
// Models pkg/controller/daemon/daemon_controller.go syncDaemonSet / manage / updateDaemonSetStatus
import { findKind, type ResourceType } from "../resources/registry";
import type { KubeObject } from "../resources/types";
import { deepEqual } from "../util/equal";
import { constructHistory, rollingUpdate } from "./daemonset-update";
import { findUntoleratedTaint, nodeTaints, requiredNodeAffinityMatches, type Toleration } from "./node-predicates";
import type { ControllerContext } from "./types";
import {
  claimPods,
  controlledBy,
  failedCreate,
  isPodAvailable,
  isPodReady,
  list,
  namespaceTerminating,
  parseTime,
  podFromTemplate,
  podPhase,
  POD_TYPE,
  rec,
  requeueForAvailability,
  specOf,
  statusOf,
  type Obj,
} from "./workload-helpers";

const DAEMONSET_TYPE: ResourceType = findKind({ group: "apps", version: "v1", kind: "DaemonSet" })!;
export const COMPONENT = "daemonset-controller";
export const HASH_LABEL = "controller-revision-hash";
const TEMPLATE_GENERATION_ANNOTATION = "deprecated.daemonset.template.generation";
const TEMPLATE_GENERATION_LABEL = "pod-template-generation";

/** The tolerations every daemon pod gets, so node trouble does not evict or keep it away. */
// Models pkg/controller/daemon/util/daemonset_util.go AddOrUpdateDaemonPodTolerations
export function addDaemonTolerations(spec: Obj): void {
  const wanted: Toleration[] = [
    { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute" },
    { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute" },
    { key: "node.kubernetes.io/disk-pressure", operator: "Exists", effect: "NoSchedule" },
    { key: "node.kubernetes.io/memory-pressure", operator: "Exists", effect: "NoSchedule" },
    { key: "node.kubernetes.io/pid-pressure", operator: "Exists", effect: "NoSchedule" },
    { key: "node.kubernetes.io/unschedulable", operator: "Exists", effect: "NoSchedule" },
  ];
  if (spec.hostNetwork === true) wanted.push({ key: "node.kubernetes.io/network-unavailable", operator: "Exists", effect: "NoSchedule" });
  const tolerations = list<Toleration>(spec.tolerations).map((t) => ({ ...t }));
  for (const w of wanted) {
    // Models pkg/apis/core/v1/helper/helpers.go AddOrUpdateTolerationInPodSpec: same key and effect is replaced.
    const i = tolerations.findIndex((t) => (t.key ?? "") === w.key && (t.effect ?? "") === w.effect);
    if (i < 0) tolerations.push(w);
    else if (!deepEqual(tolerations[i], w)) tolerations[i] = w;
  }
  spec.tolerations = tolerations;
}

/** Whether a daemon pod should start on the node, and whether one already there may stay. */
// Models pkg/controller/daemon/daemon_controller.go NodeShouldRunDaemonPod / predicates
export function nodeShouldRunDaemonPod(node: KubeObject, ds: KubeObject): { shouldRun: boolean; shouldContinueRunning: boolean } {
  // A shallow copy: only the tolerations are changed, and addDaemonTolerations builds a new list.
  const spec: Obj = { ...rec(rec(specOf(ds).template).spec) };
  if (spec.nodeName && spec.nodeName !== node.metadata.name) return { shouldRun: false, shouldContinueRunning: false };
  addDaemonTolerations(spec);
  if (!requiredNodeAffinityMatches(spec, node)) return { shouldRun: false, shouldContinueRunning: false };
  const tolerations = list<Toleration>(spec.tolerations);
  const taints = nodeTaints(node);
  if (findUntoleratedTaint(taints, tolerations, (t) => t.effect === "NoSchedule" || t.effect === "NoExecute")) {
    return { shouldRun: false, shouldContinueRunning: !findUntoleratedTaint(taints, tolerations, (t) => t.effect === "NoExecute") };
  }
  return { shouldRun: true, shouldContinueRunning: true };
}

/** The node a daemon pod is for: its nodeName, or the node its `metadata.name` affinity names. */
// Models pkg/controller/daemon/util/daemonset_util.go GetTargetNodeName
export function targetNodeName(pod: KubeObject): string | undefined {
  const nodeName = specOf(pod).nodeName;
  if (typeof nodeName === "string" && nodeName) return nodeName;
  const terms = list(rec(rec(rec(specOf(pod).affinity).nodeAffinity).requiredDuringSchedulingIgnoredDuringExecution).nodeSelectorTerms);
  for (const term of terms) {
    for (const f of list<{ key: string; operator: string; values?: string[] }>(term.matchFields)) {
      if (f.key === "metadata.name" && f.operator === "In" && f.values?.length === 1) return f.values[0];
    }
  }
  return undefined;
}

// Models pkg/controller/daemon/util/daemonset_util.go ReplaceDaemonSetPodNodeNameNodeAffinity
function bindToNode(spec: Obj, nodeName: string): void {
  const term = { matchFields: [{ key: "metadata.name", operator: "In", values: [nodeName] }] };
  const affinity = rec(spec.affinity);
  const nodeAffinity = rec(affinity.nodeAffinity);
  nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution = { ...rec(nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution), nodeSelectorTerms: [term] };
  spec.affinity = { ...affinity, nodeAffinity };
}

/** Oldest scheduled pod first. Models pkg/controller/daemon/daemon_controller.go podByCreationTimestampAndPhase */
function byCreation(a: KubeObject, b: KubeObject): number {
  const na = !!specOf(a).nodeName;
  const nb = !!specOf(b).nodeName;
  if (na !== nb) return na ? -1 : 1;
  const ta = parseTime(a.metadata.creationTimestamp) ?? 0;
  const tb = parseTime(b.metadata.creationTimestamp) ?? 0;
  return ta - tb || (a.metadata.name ?? "").localeCompare(b.metadata.name ?? "");
}

export interface DaemonState {
  ds: KubeObject;
  nodes: KubeObject[];
  hash: string;
  /** Claimed pods by the node they are for. */
  byNode: Map<string, KubeObject[]>;
  minReadySeconds: number;
}

export function allowsSurge(ds: KubeObject): boolean {
  const strategy = rec(specOf(ds).updateStrategy);
  const surge = rec(strategy.rollingUpdate).maxSurge;
  return strategy.type === "RollingUpdate" && surge !== undefined && surge !== 0 && surge !== "0%";
}

/** Pods to create (by node) and delete so each node runs what it should. */
// Models pkg/controller/daemon/daemon_controller.go podsShouldBeOnNode
function podsShouldBeOnNode(ctx: ControllerContext, st: DaemonState, node: KubeObject, toCreate: string[], toDelete: KubeObject[]): void {
  const { shouldRun, shouldContinueRunning } = nodeShouldRunDaemonPod(node, st.ds);
  const name = node.metadata.name ?? "";
  const pods = st.byNode.get(name) ?? [];
  if (shouldRun && !pods.length) {
    toCreate.push(name);
    return;
  }
  if (!shouldContinueRunning) {
    for (const p of pods) if (!p.metadata.deletionTimestamp) toDelete.push(p);
    return;
  }
  const running: KubeObject[] = [];
  for (const p of pods) {
    if (p.metadata.deletionTimestamp) continue;
    const phase = podPhase(p);
    if (phase === "Failed" || phase === "Succeeded") {
      const failed = phase === "Failed";
      const what = failed ? "Found failed daemon pod %s on node %s, will try to kill it" : "Found succeeded daemon pod %s on node %s, will try to delete it";
      const msg = what.replace("%s", `${p.metadata.namespace}/${p.metadata.name}`).replace("%s", name);
      ctx.event(st.ds, failed ? "Warning" : "Normal", failed ? "FailedDaemonPod" : "SucceededDaemonPod", msg, COMPONENT);
      toDelete.push(p);
    } else running.push(p);
  }
  running.sort(byCreation);
  if (!allowsSurge(st.ds)) {
    toDelete.push(...running.slice(1));
    return;
  }
  if (running.length <= 1) {
    if (!running.length && shouldRun) toCreate.push(name);
    return;
  }
  // With surge, an old and a new pod may overlap until the new one is available.
  let oldestNew: KubeObject | undefined;
  let oldestOld: KubeObject | undefined;
  for (const p of running) {
    const isNew = p.metadata.labels?.[HASH_LABEL] === st.hash;
    if (isNew && !oldestNew) oldestNew = p;
    else if (!isNew && !oldestOld) oldestOld = p;
    else toDelete.push(p);
  }
  if (oldestNew && oldestOld && (!isPodReady(oldestOld) || isPodAvailable(oldestNew, st.minReadySeconds, ctx.now()))) toDelete.push(oldestOld);
}

/** Creates daemon pods on `nodes` and deletes `pods`, with the controller's events. */
// Models pkg/controller/daemon/daemon_controller.go syncNodes
export function syncNodes(ctx: ControllerContext, st: DaemonState, nodes: string[], pods: KubeObject[]): number {
  const ds = st.ds;
  let writes = 0;
  if (nodes.length && !namespaceTerminating(ctx, ds.metadata.namespace ?? "")) {
    const template = structuredClone(rec(specOf(ds).template));
    const meta = rec(template.metadata);
    const labels = { ...(rec(meta.labels) as Record<string, string>) };
    const generation = ds.metadata.annotations?.[TEMPLATE_GENERATION_ANNOTATION];
    if (generation !== undefined) labels[TEMPLATE_GENERATION_LABEL] = generation;
    labels[HASH_LABEL] = st.hash;
    template.metadata = { ...meta, labels };
    addDaemonTolerations(rec((template.spec ??= {})));
    for (const nodeName of nodes) {
      const pod = podFromTemplate(template, ds, `${ds.metadata.name}-`);
      bindToNode(rec(pod.spec), nodeName);
      const created = ctx.create(POD_TYPE, pod);
      if (!created) {
        // Models pkg/controller/controller_utils.go RealPodControl.createPods ("Error creating: %v").
        if (ctx.lastCreateError) failedCreate(ctx, ds, `Error creating: ${ctx.lastCreateError}`, COMPONENT);
        continue;
      }
      writes++;
      ctx.event(ds, "Normal", "SuccessfulCreate", `Created pod: ${created.metadata.name}`, COMPONENT);
    }
  }
  for (const p of pods) {
    if (p.metadata.deletionTimestamp) continue;
    ctx.delete(POD_TYPE, p, { propagationPolicy: "Background" });
    writes++;
    ctx.event(ds, "Normal", "SuccessfulDelete", `Deleted pod: ${p.metadata.name}`, COMPONENT);
  }
  return writes;
}

// Models pkg/controller/daemon/daemon_controller.go updateDaemonSetStatus / storeDaemonSetStatus
function updateStatus(ctx: ControllerContext, st: DaemonState, observe: boolean): void {
  const { ds } = st;
  let desired = 0;
  let current = 0;
  let misscheduled = 0;
  let ready = 0;
  let available = 0;
  let updated = 0;
  for (const node of st.nodes) {
    const { shouldRun } = nodeShouldRunDaemonPod(node, ds);
    const pods = [...(st.byNode.get(node.metadata.name ?? "") ?? [])].sort(byCreation);
    if (!shouldRun) {
      if (pods.length) misscheduled++;
      continue;
    }
    desired++;
    if (!pods.length) continue;
    current++;
    const pod = pods[0];
    if (isPodReady(pod)) {
      ready++;
      if (isPodAvailable(pod, st.minReadySeconds, ctx.now())) available++;
    }
    if (pod.metadata.labels?.[HASH_LABEL] === st.hash) updated++;
  }
  const status = statusOf(ds);
  const next: Obj = {
    ...status,
    currentNumberScheduled: current,
    numberMisscheduled: misscheduled,
    desiredNumberScheduled: desired,
    numberReady: ready,
    observedGeneration: observe ? ds.metadata.generation : status.observedGeneration,
    updatedNumberScheduled: updated,
    numberAvailable: available,
    numberUnavailable: desired - available,
  };
  // Zero counters that upstream omits (omitempty) stay out of the stored status.
  for (const k of ["updatedNumberScheduled", "numberAvailable", "numberUnavailable"]) if (next[k] === 0) delete next[k];
  if (next.observedGeneration === undefined) delete next.observedGeneration;
  if (!deepEqual(next, status)) ctx.updateStatus(DAEMONSET_TYPE, { ...ds, status: next });
  // Status and rollouts both wait on pods becoming available after minReadySeconds.
  requeueForAvailability(ctx, [...st.byNode.values()].flat(), st.minReadySeconds);
}

function syncDaemonSet(ctx: ControllerContext, ds: KubeObject): void {
  // A DaemonSet being deleted is left alone: its history may already be gone (upstream does the same).
  if (ds.metadata.deletionTimestamp) return;
  const spec = specOf(ds);
  const history = constructHistory(ctx, ds);
  if (!history) return;
  const nodes = ctx.list("/nodes");
  const pods = claimPods(ctx, ds, spec.selector);
  const st: DaemonState = { ds, nodes, hash: history.hash, byNode: podsByNode(pods), minReadySeconds: Number(spec.minReadySeconds ?? 0) };

  const toCreate: string[] = [];
  const toDelete: KubeObject[] = [];
  for (const node of nodes) podsShouldBeOnNode(ctx, st, node, toCreate, toDelete);
  // Unscheduled pods for nodes that are gone: pod GC never sees them, so they are removed here.
  const existing = new Set(nodes.map((n) => n.metadata.name));
  for (const [node, nodePods] of st.byNode) if (!existing.has(node)) toDelete.push(...nodePods.filter((p) => !specOf(p).nodeName));
  const wrote = syncNodes(ctx, st, toCreate, toDelete);

  // One step per pass: a rollout proceeds once this pass's creations and deletions are settled.
  if (!wrote && rec(spec.updateStrategy).type === "RollingUpdate") rollingUpdate(ctx, st);
  history.cleanup(st);
  updateStatus(ctx, refreshed(ctx, st), true);
}

/** The state with pods re-read, so the status counts this pass's own creations and deletions. */
function refreshed(ctx: ControllerContext, st: DaemonState): DaemonState {
  const ds = ctx.get("apps/daemonsets", st.ds.metadata.namespace ?? "", st.ds.metadata.name ?? "") ?? st.ds;
  return { ...st, ds, byNode: podsByNode(controlledBy(ctx, "/pods", ds)) };
}

function podsByNode(pods: KubeObject[]): Map<string, KubeObject[]> {
  const byNode = new Map<string, KubeObject[]>();
  for (const p of pods) {
    const node = targetNodeName(p);
    if (node !== undefined) byNode.set(node, [...(byNode.get(node) ?? []), p]);
  }
  return byNode;
}

export function daemonSetController(ctx: ControllerContext): void {
  for (const ds of ctx.list("apps/daemonsets")) syncDaemonSet(ctx, ds);
}
