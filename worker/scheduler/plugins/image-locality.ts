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
  preScore(state) {
    const spec = rec(state.pod.pod.spec);
    const images = [...arr(spec.initContainers), ...arr(spec.containers)].map((c) => normalizedImageName(String(c.image ?? "")));
    state.data.set("ImageLocality/images", images);
    // No node holds any image: every node scores 0.
    return state.snapshot.imageNodes.size > 0;
  },
  score(state, node) {
    const images = state.data.get("ImageLocality/images") as string[];
    const total = state.snapshot.nodes.length;
    let sum = 0;
    for (const image of images) {
      const size = node.images.get(image);
      if (size === undefined) continue;
      sum += Math.trunc(size * ((state.snapshot.imageNodes.get(image) ?? 0) / total));
    }
    const maxThreshold = MAX_CONTAINER_THRESHOLD * images.length;
    const clamped = Math.min(Math.max(sum, MIN_THRESHOLD), maxThreshold);
    if (maxThreshold <= MIN_THRESHOLD) return 0;
    return Math.trunc((MAX_NODE_SCORE * (clamped - MIN_THRESHOLD)) / (maxThreshold - MIN_THRESHOLD));
  },
};
