// NodeResourcesBalancedAllocation: prefers nodes where cpu and memory would end up used in similar
// proportions (a score of 100 minus the spread of the two fractions).
// Models pkg/scheduler/framework/plugins/noderesources/balanced_allocation.go balancedResourceScorer
import { MAX_NODE_SCORE, type Plugin } from "../types";

export const balancedAllocation: Plugin = {
  name: "NodeResourcesBalancedAllocation",
  weight: 1,
  score(state, node) {
    const fractions: number[] = [];
    const pairs: [number, number][] = [
      [node.nonZeroCpu + state.pod.nonZeroCpu, node.allocatable.milliCpu],
      [node.nonZeroMemory + state.pod.nonZeroMemory, node.allocatable.memory],
    ];
    for (const [requested, allocatable] of pairs) {
      if (allocatable === 0) continue;
      fractions.push(Math.min(1, requested / allocatable));
    }
    let std = 0;
    if (fractions.length === 2) std = Math.abs((fractions[0] - fractions[1]) / 2);
    return Math.trunc((1 - std) * MAX_NODE_SCORE);
  },
};
