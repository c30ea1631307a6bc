// NodeResourcesFit: the pod's requests must fit in what the node's allocatable leaves after the
// requests of the pods already bound there, and a node holds at most `pods` pods. Scores prefer the
// least allocated node (LeastAllocated over cpu and memory, equal weights).
// Models pkg/scheduler/framework/plugins/noderesources/fit.go Filter / fitsRequest and
// pkg/scheduler/framework/plugins/noderesources/least_allocated.go leastResourceScorer
import { MAX_NODE_SCORE, unschedulable, type NodeInfo, type PodInfo, type Plugin } from "../types";

/** Why `pod` does not fit on `node`, in upstream's order; empty when it fits. */
export function insufficientResources(pod: PodInfo, node: NodeInfo): string[] {
  const out: string[] = [];
  const req = pod.requests;
  const alloc = node.allocatable;
  const used = node.requested;
  if (node.pods.length + 1 > alloc.pods) out.push("Too many pods");
  if (req.milliCpu === 0 && req.memory === 0 && req.ephemeralStorage === 0 && [...req.scalars.values()].every((v) => v === 0)) return out;
  // In 1.32 these are all plain Unschedulable, even when the node could never hold the pod.
  if (req.milliCpu > 0 && req.milliCpu > alloc.milliCpu - used.milliCpu) out.push("Insufficient cpu");
  if (req.memory > 0 && req.memory > alloc.memory - used.memory) out.push("Insufficient memory");
  if (req.ephemeralStorage > 0 && req.ephemeralStorage > alloc.ephemeralStorage - used.ephemeralStorage) out.push("Insufficient ephemeral-storage");
  for (const name of [...req.scalars.keys()].sort()) {
    const q = req.scalars.get(name) ?? 0;
    if (q > 0 && q > (alloc.scalars.get(name) ?? 0) - (used.scalars.get(name) ?? 0)) out.push(`Insufficient ${name}`);
  }
  return out;
}

function leastRequestedScore(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return Math.trunc(((capacity - requested) * MAX_NODE_SCORE) / capacity);
}

export const nodeResourcesFit: Plugin = {
  name: "NodeResourcesFit",
  weight: 1,
  filter(state, node) {
    const reasons = insufficientResources(state.pod, node);
    return reasons.length ? unschedulable(...reasons) : null;
  },
  score(state, node) {
    const pairs: [number, number][] = [
      [node.nonZeroCpu + state.pod.nonZeroCpu, node.allocatable.milliCpu],
      [node.nonZeroMemory + state.pod.nonZeroMemory, node.allocatable.memory],
    ];
    let score = 0;
    let weights = 0;
    for (const [requested, allocatable] of pairs) {
      if (allocatable === 0) continue;
      score += leastRequestedScore(requested, allocatable);
      weights += 1;
    }
    return weights === 0 ? 0 : Math.trunc(score / weights);
  },
};
