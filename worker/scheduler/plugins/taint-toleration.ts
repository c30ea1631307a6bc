// TaintToleration: NoSchedule and NoExecute taints keep out pods that do not tolerate them;
// PreferNoSchedule taints only lower a node's score (fewer untolerated ones score higher).
// Models pkg/scheduler/framework/plugins/tainttoleration/taint_toleration.go Filter, Score, NormalizeScore
import { findUntoleratedTaint, nodeTaints, toleratesTaint } from "../../controllers/node-predicates";
import { MAX_NODE_SCORE, unresolvable, type Plugin } from "../types";
import { defaultNormalizeScore, tolerationsOf } from "../util";

export const taintToleration: Plugin = {
  name: "TaintToleration",
  weight: 3,
  filter(state, node) {
    const taint = findUntoleratedTaint(nodeTaints(node.node), tolerationsOf(state.pod.pod), (t) => t.effect === "NoSchedule" || t.effect === "NoExecute");
    return taint ? unresolvable(`node(s) had untolerated taint {${taint.key}: ${taint.value ?? ""}}`) : null;
  },
  score(state, node) {
    const tolerations = tolerationsOf(state.pod.pod).filter((t) => !t.effect || t.effect === "PreferNoSchedule");
    return nodeTaints(node.node).filter((taint) => taint.effect === "PreferNoSchedule" && !tolerations.some((t) => toleratesTaint(t, taint))).length;
  },
  normalize(_state, scores) {
    defaultNormalizeScore(MAX_NODE_SCORE, true, scores);
  },
};
