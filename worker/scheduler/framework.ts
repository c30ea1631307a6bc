// The scheduling framework: runs the default profile's plugins for one pod — PreFilter, Filter over
// the nodes (with pods nominated there counted as present), PreScore/Score/NormalizeScore weighted
// and summed — and picks the best node, or explains in a FitError why none fits.
// Models pkg/scheduler/schedule_one.go schedulePod / findNodesThatFitPod / prioritizeNodes / selectHost
import { balancedAllocation } from "./plugins/balanced-allocation";
import { imageLocality } from "./plugins/image-locality";
import { interPodAffinity } from "./plugins/inter-pod-affinity";
import { nodeAffinity } from "./plugins/node-affinity";
import { nodeName } from "./plugins/node-name";
import { nodePorts } from "./plugins/node-ports";
import { nodeResourcesFit } from "./plugins/node-resources-fit";
import { nodeUnschedulable } from "./plugins/node-unschedulable";
import { podTopologySpread } from "./plugins/pod-topology-spread";
import { taintToleration } from "./plugins/taint-toleration";
import { volumeBinding } from "./plugins/volume-binding";
import { volumeRestrictions } from "./plugins/volume-restrictions";
import { addPod, cloneNodeInfo } from "./snapshot";
import { unresolvable, type CycleState, type NodeInfo, type PodInfo, type Plugin, type Snapshot, type Status } from "./types";
import { rec } from "./util";

/** The default profile, in upstream's order (filters stop at the first failure, so order shows in messages). */
export const DEFAULT_PLUGINS: Plugin[] = [
  nodeUnschedulable,
  nodeName,
  taintToleration,
  nodeAffinity,
  nodePorts,
  nodeResourcesFit,
  volumeRestrictions,
  volumeBinding,
  podTopologySpread,
  interPodAffinity,
  balancedAllocation,
  imageLocality,
];

/** Why a pod fits nowhere: a PreFilter message, or one status per node that failed a filter. */
export interface Diagnosis {
  preFilterMsg?: string;
  statuses: Map<string, Status>;
  /** The status of nodes a PreFilter ruled out without filtering them. */
  absent?: Status;
}

export type ScheduleResult = { state: CycleState; node: NodeInfo } | { state: CycleState; diagnosis: Diagnosis };

export function newCycleState(pod: PodInfo, snapshot: Snapshot): CycleState {
  return { pod, snapshot, data: new Map(), skipFilter: new Set(), skipScore: new Set() };
}

/** Runs every PreFilter; returns a failure status, or the set of nodes the pod is limited to. */
export function runPreFilters(state: CycleState, plugins: Plugin[] = DEFAULT_PLUGINS): { status?: Status; nodeNames?: Set<string>; limitedBy: string[] } {
  let nodeNames: Set<string> | undefined;
  const limitedBy: string[] = [];
  for (const p of plugins) {
    if (!p.preFilter) continue;
    const r = p.preFilter(state);
    if (!r) continue;
    if (r.status) return { status: r.status, limitedBy };
    if (r.skip) state.skipFilter.add(p.name);
    if (r.nodeNames) {
      limitedBy.push(p.name);
      nodeNames = nodeNames ? new Set([...nodeNames].filter((n) => r.nodeNames!.has(n))) : r.nodeNames;
      if (nodeNames.size === 0) {
        const msg = limitedBy.length === 1 ? `node(s) didn't satisfy plugin ${limitedBy[0]}` : `node(s) didn't satisfy plugin(s) [${limitedBy.join(" ")}] simultaneously`;
        return { status: unresolvable(msg), limitedBy };
      }
    }
  }
  return { nodeNames, limitedBy };
}

/** Runs the filters on one node, as if the pods nominated there with at least this priority were bound. */
export function runFilters(state: CycleState, node: NodeInfo, plugins: Plugin[] = DEFAULT_PLUGINS): Status | null {
  let target = node;
  const nominated = (state.snapshot.nominated.get(node.name) ?? []).filter((p) => p.uid !== state.pod.uid && p.priority >= state.pod.priority);
  if (nominated.length) {
    target = cloneNodeInfo(node);
    for (const p of nominated) addPod(target, p);
  }
  for (const p of plugins) {
    if (!p.filter || state.skipFilter.has(p.name)) continue;
    const s = p.filter(state, target);
    if (s) return s;
  }
  return null;
}

// Models schedule_one.go numFeasibleNodesToFind (adaptive percentageOfNodesToScore)
export function numFeasibleNodesToFind(total: number): number {
  if (total < 100) return total;
  const percentage = Math.max(5, 50 - Math.trunc(total / 125));
  return Math.max(100, Math.trunc((total * percentage) / 100));
}

/** Weighted sum of every score plugin's normalized scores, one per node. */
export function scoreNodes(state: CycleState, nodes: NodeInfo[], plugins: Plugin[] = DEFAULT_PLUGINS): number[] {
  const total = nodes.map(() => 0);
  for (const p of plugins) {
    if (!p.score || state.skipScore.has(p.name)) continue;
    if (p.preScore && p.preScore(state, nodes) === false) continue;
    const scores = nodes.map((n) => p.score!(state, n));
    p.normalize?.(state, scores, nodes);
    for (let i = 0; i < nodes.length; i++) total[i] += scores[i] * (p.weight ?? 1);
  }
  return total;
}

// Models schedule_one.go selectHost: the best score, ties broken at random. The draw is a hash of
// the pod's uid (itself from the sandbox's seeded generator) rather than the generator, so placing a
// pod never shifts the names and addresses drawn for other objects.
function selectHost(nodes: NodeInfo[], scores: number[], pod: PodInfo): NodeInfo {
  const top = Math.max(...scores);
  const best = nodes.filter((_, i) => scores[i] === top);
  let h = 2166136261;
  for (let i = 0; i < pod.uid.length; i++) h = Math.imul(h ^ pod.uid.charCodeAt(i), 16777619);
  return best[(h >>> 0) % best.length];
}

export function schedulePod(snapshot: Snapshot, pod: PodInfo, plugins: Plugin[] = DEFAULT_PLUGINS): ScheduleResult {
  const state = newCycleState(pod, snapshot);
  const all = snapshot.nodes;
  const pre = runPreFilters(state, plugins);
  if (pre.status) {
    const statuses = new Map(all.map((n) => [n.name, pre.status!]));
    return { state, diagnosis: { preFilterMsg: pre.status.reasons.join(", "), statuses } };
  }
  const candidates = pre.nodeNames ? all.filter((n) => pre.nodeNames!.has(n.name)) : all;
  const diagnosis: Diagnosis = { statuses: new Map() };
  if (pre.nodeNames) diagnosis.absent = unresolvable(`node(s) didn't satisfy plugin(s) [${pre.limitedBy.join(" ")}]`);

  // A pod that preempted others tries its nominated node first.
  const nominatedName = rec(pod.pod.status).nominatedNodeName;
  const nominated = typeof nominatedName === "string" ? candidates.find((n) => n.name === nominatedName) : undefined;
  if (nominated && !runFilters(state, nominated, plugins)) return { state, node: nominated };

  const want = numFeasibleNodesToFind(candidates.length);
  const feasible: NodeInfo[] = [];
  const start = candidates.length ? snapshot.nextStartNodeIndex % candidates.length : 0;
  let processed = 0;
  for (let i = 0; i < candidates.length && feasible.length < want; i++) {
    const node = candidates[(start + i) % candidates.length];
    processed++;
    const s = runFilters(state, node, plugins);
    if (s) diagnosis.statuses.set(node.name, s);
    else feasible.push(node);
  }
  if (candidates.length) snapshot.nextStartNodeIndex = (start + processed) % candidates.length;
  if (feasible.length === 0) return { state, diagnosis };
  if (feasible.length === 1) return { state, node: feasible[0] };
  return { state, node: selectHost(feasible, scoreNodes(state, feasible, plugins), pod) };
}

/**
 * "0/3 nodes are available: 1 node(s) had untolerated taint {…}, 2 Insufficient cpu." plus the
 * preemption part when there is one.
 * Models pkg/scheduler/framework/types.go FitError.Error
 */
export function fitErrorMessage(numAllNodes: number, d: Diagnosis, postFilterMsg?: string): string {
  let msg = `0/${numAllNodes} nodes are available:`;
  if (d.preFilterMsg) msg += ` ${d.preFilterMsg}.`;
  else {
    const histogram = new Map<string, number>();
    for (const s of d.statuses.values()) for (const r of s.reasons) histogram.set(r, (histogram.get(r) ?? 0) + 1);
    const absent = numAllNodes - d.statuses.size;
    if (d.absent && absent > 0) for (const r of d.absent.reasons) histogram.set(r, (histogram.get(r) ?? 0) + absent);
    const parts = [...histogram].map(([r, n]) => `${n} ${r}`).sort(compareStrings);
    if (parts.length) msg += ` ${parts.join(", ")}.`;
  }
  if (postFilterMsg) msg += ` ${postFilterMsg}`;
  return msg;
}

/** Go's sort.Strings: byte order, not locale order. */
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
