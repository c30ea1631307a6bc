// DefaultPreemption: when a pod fits nowhere, find a node where evicting lower-priority pods would
// make room — the fewest, least important victims, sparing those a PodDisruptionBudget protects
// where possible — and nominate it. Also explains, for the FitError, why preemption cannot help.
// Models pkg/scheduler/framework/preemption/preemption.go Preempt / findCandidates and
// pkg/scheduler/framework/plugins/defaultpreemption/default_preemption.go SelectVictimsOnNode,
// PodEligibleToPreemptOthers, filterPodsWithPDBViolation, and preemption.go pickOneNodeForPreemption
import type { KubeObject } from "../resources/types";
import { fitErrorMessage, newCycleState, runFilters, runPreFilters, type Diagnosis } from "./framework";
import { addPod, cloneNodeInfo, removePod, withNode } from "./snapshot";
import { unresolvable, type CycleState, type NodeInfo, type PodInfo, type Snapshot, type Status } from "./types";
import { arr, matches, rec, selectorOf } from "./util";

export const NOT_HELPFUL = "Preemption is not helpful for scheduling";
export const NO_VICTIMS = "No preemption victims found for incoming pod";

export interface PreemptionResult {
  /** The node to nominate and the pods to evict there; absent when preemption cannot help. */
  candidate?: { node: string; victims: PodInfo[] };
  /** "preemption: …" for the FitError; empty when a candidate was found. */
  message: string;
  /** Whether the pod's nominatedNodeName should be cleared. */
  clearNomination: boolean;
}

function startTime(p: PodInfo): number {
  const t = Date.parse(String(rec(p.pod.status).startTime ?? p.pod.metadata.creationTimestamp ?? ""));
  return Number.isNaN(t) ? 0 : t;
}

// Models pkg/scheduler/util/utils.go MoreImportantPod: higher priority, then the one running longer.
function moreImportantFirst(a: PodInfo, b: PodInfo): number {
  return b.priority - a.priority || startTime(a) - startTime(b);
}

/** Deleted by the scheduler to make room (a DisruptionTarget condition from preemption). */
export function terminatingByPreemption(pod: KubeObject): boolean {
  if (!pod.metadata.deletionTimestamp) return false;
  return arr(rec(pod.status).conditions).some((c) => c.type === "DisruptionTarget" && c.reason === "PreemptionByScheduler");
}

function eligible(state: CycleState, d: Diagnosis): string | undefined {
  const spec = rec(state.pod.pod.spec);
  if (spec.preemptionPolicy === "Never") return "not eligible due to preemptionPolicy=Never.";
  const nominated = rec(state.pod.pod.status).nominatedNodeName;
  if (typeof nominated !== "string" || !nominated) return undefined;
  if (d.statuses.get(nominated)?.code === "UnschedulableAndUnresolvable") return undefined;
  const node = state.snapshot.byName.get(nominated);
  if (node?.pods.some((p) => p.priority < state.pod.priority && terminatingByPreemption(p.pod))) {
    return "not eligible due to a terminating pod on the nominated node.";
  }
  return undefined;
}

/** Whether the pod fits on `node` as it is in `snap` (PreFilter state recomputed for the changed node). */
function fits(pod: PodInfo, snap: Snapshot, node: NodeInfo): Status | null {
  const state = newCycleState(pod, withNode(snap, node));
  const pre = runPreFilters(state);
  if (pre.status) return pre.status;
  if (pre.nodeNames && !pre.nodeNames.has(node.name)) return unresolvable(NOT_HELPFUL);
  return runFilters(state, node);
}

// Models default_preemption.go filterPodsWithPDBViolation
function splitByPdb(pods: PodInfo[], pdbs: KubeObject[]): [PodInfo[], PodInfo[]] {
  const allowed = pdbs.map((p) => Number(rec(p.status).disruptionsAllowed ?? 0));
  const violating: PodInfo[] = [];
  const nonViolating: PodInfo[] = [];
  for (const p of pods) {
    let violated = false;
    if (Object.keys(p.labels).length) {
      pdbs.forEach((pdb, i) => {
        if (pdb.metadata.namespace !== p.namespace) return;
        const sel = rec(rec(pdb.spec).selector);
        if (!Object.keys(sel).length || !matches(selectorOf(sel), p.labels)) return;
        if (p.name in rec(rec(pdb.status).disruptedPods)) return;
        if (--allowed[i] < 0) violated = true;
      });
    }
    (violated ? violating : nonViolating).push(p);
  }
  return [violating, nonViolating];
}

interface Candidate {
  node: string;
  victims: PodInfo[];
  pdbViolations: number;
}

// Models default_preemption.go SelectVictimsOnNode: remove every lower-priority pod, then give back
// as many as still fit, most important first (PDB-protected ones before the rest).
function selectVictims(state: CycleState, node: NodeInfo, pdbs: KubeObject[]): Candidate | Status {
  const pod = state.pod;
  const lower = node.pods.filter((p) => p.priority < pod.priority);
  if (lower.length === 0) return unresolvable(NO_VICTIMS);
  const ni = cloneNodeInfo(node);
  for (const p of lower) removePod(ni, p);
  const status = fits(pod, state.snapshot, ni);
  if (status) return status;
  lower.sort(moreImportantFirst);
  const [violating, nonViolating] = splitByPdb(lower, pdbs);
  const victims: PodInfo[] = [];
  let pdbViolations = 0;
  const reprieve = (p: PodInfo): boolean => {
    addPod(ni, p);
    if (fits(pod, state.snapshot, ni) === null) return true;
    removePod(ni, p);
    victims.push(p);
    return false;
  };
  for (const p of violating) if (!reprieve(p)) pdbViolations++;
  for (const p of nonViolating) reprieve(p);
  victims.sort(moreImportantFirst);
  return { node: node.name, victims, pdbViolations };
}

// Models preemption.go pickOneNodeForPreemption: fewest PDB violations, then the lowest top victim
// priority, the lowest priority sum, the fewest victims, the latest-started top victims, the first node.
function pickOne(cands: Candidate[]): Candidate {
  const by = (list: Candidate[], key: (c: Candidate) => number): Candidate[] => {
    const best = Math.min(...list.map(key));
    return list.filter((c) => key(c) === best);
  };
  let left = by(cands, (c) => c.pdbViolations);
  left = by(left, (c) => c.victims[0]?.priority ?? 0);
  left = by(left, (c) => c.victims.reduce((s, v) => s + v.priority + 2 ** 31, 0));
  left = by(left, (c) => c.victims.length);
  left = by(left, (c) => {
    const top = c.victims[0]?.priority ?? 0;
    return -Math.min(...c.victims.filter((v) => v.priority === top).map(startTime));
  });
  return left[0];
}

export function preempt(state: CycleState, d: Diagnosis, pdbs: KubeObject[]): PreemptionResult {
  const notEligible = eligible(state, d);
  if (notEligible) return { message: `preemption: ${notEligible}`, clearNomination: false };
  const all = state.snapshot.nodes.length;
  const helpless: Diagnosis = { statuses: new Map(), absent: unresolvable(NOT_HELPFUL) };
  const potential = state.snapshot.nodes.filter((n) => d.statuses.get(n.name)?.code === "Unschedulable");
  const cands: Candidate[] = [];
  for (const node of potential) {
    const r = selectVictims(state, node, pdbs);
    if ("code" in r) helpless.statuses.set(node.name, r);
    else if (r.victims.length) cands.push(r);
  }
  if (cands.length === 0) return { message: `preemption: ${fitErrorMessage(all, helpless)}`, clearNomination: true };
  const best = pickOne(cands);
  return { candidate: { node: best.node, victims: best.victims }, message: "", clearNomination: false };
}
