// InterPodAffinity: required pod affinity (the node's topology domain must already hold a matching
// pod), required anti-affinity (it must not, in either direction), and preferred terms of both the
// incoming and the existing pods as scores.
// Models pkg/scheduler/framework/plugins/interpodaffinity/filtering.go and scoring.go
import { MAX_NODE_SCORE, unresolvable, unschedulable, type CycleState, type NodeInfo, type PodInfo, type Plugin } from "../types";
import { affinityTermsOf, termMatches, type AffinityTerm } from "../util";

export const ERR_AFFINITY = "node(s) didn't match pod affinity rules";
export const ERR_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules";
export const ERR_EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules";

/** Hard affinity of existing pods counts for the incoming pod with this weight (args.HardPodAffinityWeight). */
const HARD_POD_AFFINITY_WEIGHT = 1;

type Counts = Map<string, number>;

interface FilterState {
  affinity: AffinityTerm[];
  anti: AffinityTerm[];
  affinityCounts: Counts;
  antiCounts: Counts;
  existingAntiCounts: Counts;
}

const pair = (key: string, value: string) => `${key}\u0000${value}`;
const bump = (c: Counts, key: string, by = 1) => c.set(key, (c.get(key) ?? 0) + by);

function matchesAll(terms: AffinityTerm[], pod: PodInfo, ns: Map<string, Record<string, string>>): boolean {
  return terms.length > 0 && terms.every((t) => termMatches(t, pod, ns));
}

// Models filtering.go PreFilter / getExistingAntiAffinityCounts / getIncomingAffinityAntiAffinityCounts
function preFilterState(state: CycleState): FilterState | undefined {
  const { pod, snapshot } = state;
  const { requiredAffinity: affinity, requiredAntiAffinity: anti } = affinityTermsOf(pod);
  const ns = snapshot.namespaceLabels;
  const s: FilterState = { affinity, anti, affinityCounts: new Map(), antiCounts: new Map(), existingAntiCounts: new Map() };
  const incoming = affinity.length > 0 || anti.length > 0;
  let any = incoming;
  for (const node of snapshot.nodes) {
    // Without terms of its own, only existing pods' required anti-affinity matters.
    if (!incoming && node.antiAffinityPods === 0) continue;
    for (const existing of node.pods) {
      if (existing.hasRequiredAntiAffinity) {
        for (const t of affinityTermsOf(existing).requiredAntiAffinity) {
          const v = node.labels[t.topologyKey];
          if (v !== undefined && termMatches(t, pod, ns)) {
            bump(s.existingAntiCounts, pair(t.topologyKey, v));
            any = true;
          }
        }
      }
      if (affinity.length && matchesAll(affinity, existing, ns)) {
        for (const t of affinity) if (node.labels[t.topologyKey] !== undefined) bump(s.affinityCounts, pair(t.topologyKey, node.labels[t.topologyKey]));
      }
      for (const t of anti) {
        const v = node.labels[t.topologyKey];
        if (v !== undefined && termMatches(t, existing, ns)) bump(s.antiCounts, pair(t.topologyKey, v));
      }
    }
  }
  return any ? s : undefined;
}

function satisfiesAffinity(s: FilterState, node: NodeInfo, state: CycleState): boolean {
  let podsExist = true;
  for (const t of s.affinity) {
    const v = node.labels[t.topologyKey];
    if (v === undefined) return false;
    if ((s.affinityCounts.get(pair(t.topologyKey, v)) ?? 0) <= 0) podsExist = false;
  }
  // The first pod of a group with affinity to itself would otherwise wait forever.
  return podsExist || (s.affinityCounts.size === 0 && matchesAll(s.affinity, state.pod, state.snapshot.namespaceLabels));
}

export const interPodAffinity: Plugin = {
  name: "InterPodAffinity",
  weight: 2,
  preFilter(state) {
    const s = preFilterState(state);
    if (!s) return { skip: true };
    state.data.set("InterPodAffinity/filter", s);
  },
  filter(state, node) {
    const s = state.data.get("InterPodAffinity/filter") as FilterState;
    if (!satisfiesAffinity(s, node, state)) return unresolvable(ERR_AFFINITY);
    for (const t of s.anti) {
      const v = node.labels[t.topologyKey];
      if (v !== undefined && (s.antiCounts.get(pair(t.topologyKey, v)) ?? 0) > 0) return unschedulable(ERR_ANTI_AFFINITY);
    }
    for (const [k, v] of Object.entries(node.labels)) {
      if ((s.existingAntiCounts.get(pair(k, v)) ?? 0) > 0) return unschedulable(ERR_EXISTING_ANTI_AFFINITY);
    }
    return null;
  },
  // Models scoring.go PreScore / processExistingPod
  preScore(state) {
    const { pod, snapshot } = state;
    const ns = snapshot.namespaceLabels;
    const mine = affinityTermsOf(pod);
    const hasPreferred = mine.preferredAffinity.length > 0 || mine.preferredAntiAffinity.length > 0;
    const scores: Counts = new Map();
    const add = (t: AffinityTerm, weight: number, target: PodInfo, node: NodeInfo) => {
      const v = node.labels[t.topologyKey];
      if (v !== undefined && termMatches(t, target, ns)) bump(scores, pair(t.topologyKey, v), weight);
    };
    for (const node of snapshot.nodes) {
      if (!hasPreferred && node.affinityPods === 0) continue;
      for (const existing of node.pods) {
        if (!hasPreferred && !existing.hasAffinity) continue;
        for (const t of mine.preferredAffinity) add(t, t.weight, existing, node);
        for (const t of mine.preferredAntiAffinity) add(t, -t.weight, existing, node);
        if (!existing.hasAffinity) continue;
        const theirs = affinityTermsOf(existing);
        for (const t of theirs.requiredAffinity) add(t, HARD_POD_AFFINITY_WEIGHT, pod, node);
        for (const t of theirs.preferredAffinity) add(t, t.weight, pod, node);
        for (const t of theirs.preferredAntiAffinity) add(t, -t.weight, pod, node);
      }
    }
    if (scores.size === 0) return false;
    state.data.set("InterPodAffinity/score", scores);
  },
  score(state, node) {
    const scores = state.data.get("InterPodAffinity/score") as Counts;
    let score = 0;
    for (const [k, v] of Object.entries(node.labels)) score += scores.get(pair(k, v)) ?? 0;
    return score;
  },
  normalize(_state, scores) {
    const min = Math.min(...scores);
    const diff = Math.max(...scores) - min;
    for (let i = 0; i < scores.length; i++) scores[i] = diff > 0 ? Math.trunc(MAX_NODE_SCORE * ((scores[i] - min) / diff)) : 0;
  },
};
