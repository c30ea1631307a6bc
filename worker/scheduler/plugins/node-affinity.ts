// NodeAffinity: nodeSelector and required node affinity filter; preferred terms add their weights.
// A DaemonSet pod's `metadata.name In [node]` field affinity narrows the candidates at PreFilter,
// so every other node reports "didn't satisfy plugin(s) [NodeAffinity]" as upstream does.
// Models pkg/scheduler/framework/plugins/nodeaffinity/node_affinity.go PreFilter, Filter, Score
import { nodeSelectorTermMatches, requiredNodeAffinityMatches } from "../../controllers/node-predicates";
import { MAX_NODE_SCORE, unresolvable, type Plugin } from "../types";
import { arr, defaultNormalizeScore, rec } from "../util";

export const ERR_NODE_AFFINITY = "node(s) didn't match Pod's node affinity/selector";
export const ERR_AFFINITY_CONFLICT = "pod affinity terms conflict";

function requiredTerms(spec: Record<string, unknown>): Record<string, unknown>[] | undefined {
  const required = rec(rec(rec(spec.affinity).nodeAffinity).requiredDuringSchedulingIgnoredDuringExecution);
  return Object.keys(required).length ? arr(required.nodeSelectorTerms) : undefined;
}

export const nodeAffinity: Plugin = {
  name: "NodeAffinity",
  weight: 2,
  preFilter(state) {
    const spec = rec(state.pod.pod.spec);
    const terms = requiredTerms(spec);
    if (!terms && Object.keys(rec(spec.nodeSelector)).length === 0) return { skip: true };
    if (!terms || terms.length === 0) return;
    let names: Set<string> | undefined;
    for (const t of terms) {
      let termNames: Set<string> | undefined;
      for (const r of arr(t.matchFields)) {
        if (r.key !== "metadata.name" || r.operator !== "In") continue;
        const s = new Set(arr<string>(r.values));
        termNames = termNames ? new Set([...termNames].filter((n) => s.has(n))) : s;
      }
      // A term without a name requirement admits every node: the terms are ORed.
      if (!termNames) return;
      names = new Set([...(names ?? []), ...termNames]);
    }
    if (names && names.size === 0) return { status: unresolvable(ERR_AFFINITY_CONFLICT) };
    return names ? { nodeNames: names } : undefined;
  },
  filter(state, node) {
    return requiredNodeAffinityMatches(rec(state.pod.pod.spec), node.node) ? null : unresolvable(ERR_NODE_AFFINITY);
  },
  preScore(state) {
    const preferred = arr(rec(rec(rec(state.pod.pod.spec).affinity).nodeAffinity).preferredDuringSchedulingIgnoredDuringExecution);
    state.data.set("NodeAffinity/preferred", preferred);
    return preferred.length > 0;
  },
  score(state, node) {
    let score = 0;
    for (const t of state.data.get("NodeAffinity/preferred") as Record<string, unknown>[]) {
      const weight = Number(t.weight ?? 0);
      if (weight !== 0 && nodeSelectorTermMatches(rec(t.preference), node.node)) score += weight;
    }
    return score;
  },
  normalize(_state, scores) {
    defaultNormalizeScore(MAX_NODE_SCORE, false, scores);
  },
};
