// PodTopologySpread: maxSkew over domains, minDomains, node inclusion, missing labels, and the
// scoring used for ScheduleAnyway and the cluster's default constraints.
import { describe, expect, it } from "vitest";
import { podTopologySpread } from "../../../worker/scheduler/plugins/pod-topology-spread";
import { filterAll, node, on, pod, scoreAll, snapshotOf } from "./helpers";

const ZONE = "topology.kubernetes.io/zone";
const zone = (name: string, z: string, extra: Record<string, string> = {}) => node(name, { labels: { [ZONE]: z, ...extra } });
const web = (name: string) => pod(name, {}, { labels: { app: "web" } });
const spread = (c: Record<string, unknown>) => ({
  topologySpreadConstraints: [{ maxSkew: 1, topologyKey: ZONE, whenUnsatisfiable: "DoNotSchedule", labelSelector: { matchLabels: { app: "web" } }, ...c }],
});
const SKEW = "node(s) didn't match pod topology spread constraints";

describe("PodTopologySpread filter", () => {
  const nodes = () => [zone("a1", "a"), zone("b1", "b"), zone("c1", "c")];
  it.each([
    { name: "empty domains take the next pod", existing: [["a1", "w1"]], c: {}, want: { a1: SKEW, b1: "ok", c1: "ok" } },
    { name: "maxSkew 2 tolerates one more", existing: [["a1", "w1"]], c: { maxSkew: 2 }, want: { a1: "ok", b1: "ok", c1: "ok" } },
    { name: "balanced domains all take one", existing: [["a1", "w1"], ["b1", "w2"], ["c1", "w3"]], c: {}, want: { a1: "ok", b1: "ok", c1: "ok" } },
    { name: "minDomains above the domain count makes the minimum 0", existing: [["a1", "w1"], ["b1", "w2"], ["c1", "w3"]], c: { minDomains: 4 }, want: { a1: SKEW, b1: SKEW, c1: SKEW } },
    { name: "ScheduleAnyway never filters", existing: [["a1", "w1"], ["a1", "w2"]], c: { whenUnsatisfiable: "ScheduleAnyway" }, want: { a1: "ok", b1: "ok", c1: "ok" } },
  ])("$name", ({ existing, c, want }) => {
    const pods = existing.map(([n, p]) => on(n, web(p)));
    const incoming = pod("new", spread(c), { labels: { app: "web" } });
    expect(filterAll(podTopologySpread, snapshotOf(nodes(), pods), incoming)).toEqual(want);
  });

  it("a node without the topology label cannot take the pod", () => {
    const got = filterAll(podTopologySpread, snapshotOf([zone("a1", "a"), node("plain")]), pod("new", spread({}), { labels: { app: "web" } }));
    expect(got).toEqual({ a1: "ok", plain: "unresolvable: node(s) didn't match pod topology spread constraints (missing required label)" });
  });

  it("domains the pod's node affinity excludes do not count (nodeAffinityPolicy Honor)", () => {
    const nodes = [zone("a1", "a", { pool: "x" }), zone("b1", "b", { pool: "x" }), zone("c1", "c", { pool: "y" })];
    const pods = [on("a1", web("w1"))];
    const incoming = pod("new", { ...spread({}), nodeSelector: { pool: "x" } }, { labels: { app: "web" } });
    expect(filterAll(podTopologySpread, snapshotOf(nodes, pods), incoming)).toEqual({ a1: SKEW, b1: "ok", c1: "ok" });
    const ignore = pod("new", { ...spread({ nodeAffinityPolicy: "Ignore" }), nodeSelector: { pool: "x" } }, { labels: { app: "web" } });
    // With the c domain (0 pods) counted, b1 is still fine but a1 has skew 2.
    expect(filterAll(podTopologySpread, snapshotOf(nodes, [on("a1", web("w1")), on("b1", web("w2"))]), ignore)).toEqual({ a1: SKEW, b1: SKEW, c1: "ok" });
  });

  it("matchLabelKeys narrows the selector to the pod's own revision", () => {
    const old = on("a1", pod("old", {}, { labels: { app: "web", "pod-template-hash": "v1" } }));
    const incoming = pod("new", spread({ matchLabelKeys: ["pod-template-hash"] }), { labels: { app: "web", "pod-template-hash": "v2" } });
    expect(filterAll(podTopologySpread, snapshotOf([zone("a1", "a"), zone("b1", "b")], [old]), incoming)).toEqual({ a1: "ok", b1: "ok" });
  });
});

describe("PodTopologySpread score", () => {
  it("ScheduleAnyway prefers the emptier domain", () => {
    const pods = [on("a1", web("w1")), on("a1", web("w2"))];
    const incoming = pod("new", spread({ whenUnsatisfiable: "ScheduleAnyway" }), { labels: { app: "web" } });
    const s = scoreAll(podTopologySpread, snapshotOf([zone("a1", "a"), zone("b1", "b")], pods), incoming);
    expect(s.b1).toBe(100);
    expect(s.a1).toBeLessThan(s.b1);
  });

  it("spreads a ReplicaSet's pods by hostname by default", () => {
    const rs = { apiVersion: "apps/v1", kind: "ReplicaSet", metadata: { name: "web", namespace: "default", uid: "rs1" }, spec: { selector: { matchLabels: { app: "web" } } } };
    const owned = (name: string) => pod(name, {}, { labels: { app: "web" }, ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "web", uid: "rs1", controller: true }] });
    const snap = snapshotOf([node("n1"), node("n2")], [on("n1", owned("w1"))], { "apps/replicasets": [rs] });
    const s = scoreAll(podTopologySpread, snap, owned("w2"));
    expect(s.n2).toBe(100);
    expect(s.n1).toBeLessThan(100);
    // A bare pod with no Service or owner has no default constraint to score by.
    expect(scoreAll(podTopologySpread, snap, web("bare"))).toEqual({ n1: 0, n2: 0 });
  });
});
