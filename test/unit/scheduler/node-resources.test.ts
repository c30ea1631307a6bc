// NodeResourcesFit (filter and LeastAllocated), BalancedAllocation and the request arithmetic.
import { describe, expect, it } from "vitest";
import { balancedAllocation } from "../../../worker/scheduler/plugins/balanced-allocation";
import { nodeResourcesFit } from "../../../worker/scheduler/plugins/node-resources-fit";
import { podRequests, quantityValue } from "../../../worker/scheduler/resources";
import { filterAll, node, on, pod, requests, scoreAll, snapshotOf } from "./helpers";

describe("quantities", () => {
  it.each([
    ["500m", true, 500],
    ["1", true, 1000],
    ["0.1", true, 100],
    ["1.5", false, 2],
    ["1Gi", false, 1073741824],
    ["128974848", false, 128974848],
    ["129e6", false, 129000000],
    ["123Mi", false, 128974848],
    ["1n", true, 1],
  ])("%s (milli=%s) = %d", (q, milli, want) => {
    expect(quantityValue(q, milli as boolean)).toBe(want);
  });

  it("adds containers, takes the larger of the init containers, adds sidecars and overhead", () => {
    const r = podRequests({
      containers: [{ resources: { requests: { cpu: "100m", memory: "64Mi" } } }, { resources: { requests: { cpu: "200m" } } }],
      initContainers: [{ resources: { requests: { cpu: "1" } } }, { restartPolicy: "Always", resources: { requests: { cpu: "50m", memory: "16Mi" } } }],
      overhead: { cpu: "10m" },
    });
    expect(r.milliCpu).toBe(1010);
    expect(r.memory).toBe(80 * 1024 * 1024);
  });
});

describe("NodeResourcesFit filter", () => {
  const busy = [on("a", pod("x", requests({ cpu: "3", memory: "6Gi" })))];
  it.each([
    { name: "fits in what is left", r: { cpu: "1" }, want: "ok" },
    { name: "cpu over what is left", r: { cpu: "1500m" }, want: "Insufficient cpu" },
    { name: "memory over what is left", r: { memory: "3Gi" }, want: "Insufficient memory" },
    { name: "both", r: { cpu: "2", memory: "3Gi" }, want: "Insufficient cpu, Insufficient memory" },
    { name: "more than the whole node", r: { cpu: "64" }, want: "Insufficient cpu" },
    { name: "ephemeral storage", r: { "ephemeral-storage": "60Gi" }, want: "Insufficient ephemeral-storage" },
    { name: "extended resources", r: { "nvidia.com/gpu": "1" }, want: "Insufficient nvidia.com/gpu" },
    { name: "no requests only counts pods", r: {}, want: "ok" },
  ])("$name", ({ r, want }) => {
    expect(filterAll(nodeResourcesFit, snapshotOf([node("a")], busy), pod("p", requests(r))).a).toBe(want);
  });

  it("counts pods against allocatable pods", () => {
    const full = [on("a", pod("x")), on("a", pod("y"))];
    expect(filterAll(nodeResourcesFit, snapshotOf([node("a", { pods: "2" })], full), pod("p")).a).toBe("Too many pods");
  });

  it("ignores finished pods", () => {
    const done = on("a", pod("x", requests({ cpu: "4" })));
    done.status = { phase: "Succeeded" };
    expect(filterAll(nodeResourcesFit, snapshotOf([node("a")], [done]), pod("p", requests({ cpu: "1" }))).a).toBe("ok");
  });
});

describe("scores", () => {
  it("LeastAllocated prefers the emptier node, counting 100m/200Mi for containers without requests", () => {
    const snap = snapshotOf([node("empty"), node("half")], [on("half", pod("x", requests({ cpu: "2", memory: "4Gi" })))]);
    // empty: cpu (4000-1000)/4000 = 75, memory (8Gi-1Gi)/8Gi = 87 → 81; half: 25 and 37 → 31
    expect(scoreAll(nodeResourcesFit, snap, pod("p", requests({ cpu: "1", memory: "1Gi" })))).toEqual({ empty: 81, half: 31 });
    // no requests: 100m of 4 cpus and 200Mi of 8Gi → (97 + 97) / 2
    expect(scoreAll(nodeResourcesFit, snapshotOf([node("a")]), pod("p")).a).toBe(97);
  });

  // 4 cpu and 8Gi per node. The requests count as written (useRequested): a missing request adds nothing.
  it.each([
    { name: "nothing requested anywhere", existing: [], incoming: {}, want: 100 },
    { name: "cpu 1 and 1Gi on an empty node", existing: [], incoming: { cpu: "1", memory: "1Gi" }, want: 93 },
    { name: "best-effort pods on the node count nothing", existing: Array(10).fill({}), incoming: { cpu: "1", memory: "2Gi" }, want: 100 },
    { name: "a missing memory request is no memory", existing: [{ cpu: "2" }], incoming: { cpu: "1" }, want: 62 },
    { name: "both fractions are capped at 1", existing: [{ cpu: "6" }], incoming: { memory: "16Gi" }, want: 100 },
  ])("BalancedAllocation: $name", ({ existing, incoming, want }) => {
    const pods = existing.map((r, i) => on("n", pod(`x${i}`, Object.keys(r).length ? requests(r) : {})));
    const snap = snapshotOf([node("n")], pods);
    expect(scoreAll(balancedAllocation, snap, pod("p", Object.keys(incoming).length ? requests(incoming) : {})).n).toBe(want);
  });

  it("BalancedAllocation prefers cpu and memory used alike", () => {
    const snap = snapshotOf([node("cpuheavy"), node("even")], [on("cpuheavy", pod("x", requests({ cpu: "3", memory: "0" })))]);
    const s = scoreAll(balancedAllocation, snap, pod("p", requests({ cpu: "1", memory: "2Gi" })));
    expect(s.even).toBe(100);
    expect(s.cpuheavy).toBe(62);
  });
});
