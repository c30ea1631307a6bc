// ImageLocality: nodes holding the pod's images score higher, scaled by size and spread.
import { describe, expect, it } from "vitest";
import { imageLocality } from "../../../worker/scheduler/plugins/image-locality";
import { node, pod, scoreAll, snapshotOf } from "./helpers";

const MB = 1024 * 1024;
const image = (names: string[], sizeBytes: number) => ({ names, sizeBytes });

describe("ImageLocality", () => {
  it.each([
    { name: "no images anywhere", images: [[], []], want: { a: 0, b: 0 } },
    { name: "a big image on one of two nodes", images: [[image(["nginx:1.25"], 600 * MB)], []], want: { a: 28, b: 0 } },
    { name: "on both nodes it counts fully", images: [[image(["nginx:1.25"], 600 * MB)], [image(["nginx:1.25"], 600 * MB)]], want: { a: 59, b: 59 } },
    { name: "below the 23 MB threshold counts nothing", images: [[image(["nginx:1.25"], 10 * MB)], []], want: { a: 0, b: 0 } },
    { name: "an untagged name means :latest", images: [[image(["busybox:latest"], 600 * MB)], []], want: { a: 0, b: 0 } },
  ])("$name", ({ images, want }) => {
    const snap = snapshotOf([node("a", { images: images[0] }), node("b", { images: images[1] })]);
    expect(scoreAll(imageLocality, snap, pod("p", { containers: [{ name: "c", image: "nginx:1.25" }] }))).toEqual(want);
  });

  it("matches a pod image without a tag to :latest", () => {
    const snap = snapshotOf([node("a", { images: [image(["busybox:latest"], 1000 * MB)] }), node("b")]);
    expect(scoreAll(imageLocality, snap, pod("p", { containers: [{ name: "c", image: "busybox" }] })).a).toBeGreaterThan(0);
  });
});
