// NodeResourcesBalancedAllocation: prefers nodes where cpu and memory would end up used in similar
// proportions (a score of 100 minus the spread of the two fractions). Unlike LeastAllocated it
// counts the requests as written (useRequested): a container without a request adds nothing, where
// LeastAllocated counts 100m and 200Mi for it.
// Models pkg/scheduler/framework/plugins/noderesources/balanced_allocation.go balancedResourceScorer,
// NewBalancedAllocation (useRequested: true) and resource_allocation.go calculateResourceAllocatableRequest
import { MAX_NODE_SCORE, type Plugin } from "../types";

export const balancedAllocation: Plugin = {
  name: "NodeResourcesBalancedAllocation",
  weight: 1,
  score(state, node) {
    const fractions: number[] = [];
    const pairs: [number, number][] = [
      [node.requested.milliCpu + state.pod.requests.milliCpu, node.allocatable.milliCpu],
      [node.requested.memory + state.pod.requests.memory, node.allocatable.memory],
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
