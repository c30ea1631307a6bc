// ImageLocality: prefers nodes that already hold the pod's images (node.status.images), weighted
// by image size and by how many nodes share the image, so one popular image does not pull every pod
// onto the same node.
// Models pkg/scheduler/framework/plugins/imagelocality/image_locality.go Score / calculatePriority
import { normalizedImageName } from "../snapshot";
import { MAX_NODE_SCORE, type Plugin } from "../types";
import { arr, rec } from "../util";

const MB = 1024 * 1024;
const MIN_THRESHOLD = 23 * MB;
const MAX_CONTAINER_THRESHOLD = 1000 * MB;

export const imageLocality: Plugin = {
  name: "ImageLocality",
  weight: 1,
  score(state, node) {
    const spec = rec(state.pod.pod.spec);
    const containers = [...arr(spec.initContainers), ...arr(spec.containers)];
    const total = state.snapshot.nodes.length;
    let sum = 0;
    for (const c of containers) {
      const image = normalizedImageName(String(c.image ?? ""));
      const size = node.images.get(image);
      if (size === undefined) continue;
      sum += Math.trunc(size * ((state.snapshot.imageNodes.get(image) ?? 0) / total));
    }
    const maxThreshold = MAX_CONTAINER_THRESHOLD * containers.length;
    const clamped = Math.min(Math.max(sum, MIN_THRESHOLD), maxThreshold);
    if (maxThreshold <= MIN_THRESHOLD) return 0;
    return Math.trunc((MAX_NODE_SCORE * (clamped - MIN_THRESHOLD)) / (maxThreshold - MIN_THRESHOLD));
  },
};
