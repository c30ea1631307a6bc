// InterPodAffinity: required affinity and anti-affinity (both directions), topology keys,
// namespaces and namespaceSelector, and preferred terms as scores.
import { describe, expect, it } from "vitest";
import { interPodAffinity } from "../../../worker/scheduler/plugins/inter-pod-affinity";
import { filterAll, node, on, pod, scoreAll, snapshotOf } from "./helpers";

const zone = (name: string, z: string) => node(name, { labels: { "topology.kubernetes.io/zone": z } });
const term = (labels: Record<string, string>, topologyKey: string, extra: Record<string, unknown> = {}) => ({ labelSelector: { matchLabels: labels }, topologyKey, ...extra });
const anti = (...terms: unknown[]) => ({ affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: terms } } });
const aff = (...terms: unknown[]) => ({ affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: terms } } });
const HOST = "kubernetes.io/hostname";
const ZONE = "topology.kubernetes.io/zone";

const cluster = () => [zone("a1", "a"), zone("a2", "a"), zone("b1", "b")];

describe("InterPodAffinity filter", () => {
  it.each([
    {
      name: "anti-affinity by hostname keeps replicas apart",
      existing: [on("a1", pod("web-1", {}, { labels: { app: "web" } }))],
      incoming: pod("web-2", anti(term({ app: "web" }, HOST)), { labels: { app: "web" } }),
      want: { a1: "node(s) didn't match pod anti-affinity rules", a2: "ok", b1: "ok" },
    },
    {
      name: "anti-affinity by zone rules out the whole zone",
      existing: [on("a1", pod("web-1", {}, { labels: { app: "web" } }))],
      incoming: pod("web-2", anti(term({ app: "web" }, ZONE)), { labels: { app: "web" } }),
      want: { a1: "node(s) didn't match pod anti-affinity rules", a2: "node(s) didn't match pod anti-affinity rules", b1: "ok" },
    },
    {
      name: "an existing pod's anti-affinity keeps matching pods away",
      existing: [on("b1", pod("db", anti(term({ app: "web" }, ZONE)), { labels: { app: "db" } }))],
      incoming: pod("web", {}, { labels: { app: "web" } }),
      want: { a1: "ok", a2: "ok", b1: "node(s) didn't satisfy existing pods anti-affinity rules" },
    },
    {
      name: "affinity needs a matching pod in the same domain",
      existing: [on("a2", pod("cache", {}, { labels: { app: "cache" } }))],
      incoming: pod("web", aff(term({ app: "cache" }, ZONE))),
      want: { a1: "ok", a2: "ok", b1: "unresolvable: node(s) didn't match pod affinity rules" },
    },
    {
      name: "the first pod of a self-affine group may go anywhere",
      existing: [],
      incoming: pod("web", aff(term({ app: "web" }, ZONE)), { labels: { app: "web" } }),
      want: { a1: "ok", a2: "ok", b1: "ok" },
    },
    {
      name: "affinity to pods in another namespace needs namespaces",
      existing: [on("a1", pod("cache", {}, { labels: { app: "cache" }, namespace: "other" }))],
      incoming: pod("web", aff(term({ app: "cache" }, HOST))),
      want: { a1: "unresolvable: node(s) didn't match pod affinity rules", a2: "unresolvable: node(s) didn't match pod affinity rules", b1: "unresolvable: node(s) didn't match pod affinity rules" },
    },
    {
      name: "namespaces lists the other namespace",
      existing: [on("a1", pod("cache", {}, { labels: { app: "cache" }, namespace: "other" }))],
      incoming: pod("web", aff(term({ app: "cache" }, HOST, { namespaces: ["other"] }))),
      want: { a1: "ok", a2: "unresolvable: node(s) didn't match pod affinity rules", b1: "unresolvable: node(s) didn't match pod affinity rules" },
    },
    {
      name: "an empty namespaceSelector means every namespace",
      existing: [on("a2", pod("cache", {}, { labels: { app: "cache" }, namespace: "other" }))],
      incoming: pod("web", aff(term({ app: "cache" }, HOST, { namespaceSelector: {} }))),
      want: { a1: "unresolvable: node(s) didn't match pod affinity rules", a2: "ok", b1: "unresolvable: node(s) didn't match pod affinity rules" },
    },
    {
      name: "a node without the topology key fails required affinity",
      existing: [on("a1", pod("cache", {}, { labels: { app: "cache" } }))],
      incoming: pod("web", aff(term({ app: "cache" }, "rack"))),
      want: { a1: "unresolvable: node(s) didn't match pod affinity rules", a2: "unresolvable: node(s) didn't match pod affinity rules", b1: "unresolvable: node(s) didn't match pod affinity rules" },
    },
  ])("$name", ({ existing, incoming, want }) => {
    const snap = snapshotOf(cluster(), existing, {
      "/namespaces": [
        { apiVersion: "v1", kind: "Namespace", metadata: { name: "default" } },
        { apiVersion: "v1", kind: "Namespace", metadata: { name: "other", labels: { team: "x" } } },
      ],
    });
    expect(filterAll(interPodAffinity, snap, incoming)).toEqual(want);
  });
});

describe("InterPodAffinity score", () => {
  it("prefers domains with pods it likes and avoids those it dislikes, scaled min..max", () => {
    const existing = [on("a1", pod("cache", {}, { labels: { app: "cache" } })), on("b1", pod("noisy", {}, { labels: { app: "noisy" } }))];
    const spec = {
      affinity: {
        podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 50, podAffinityTerm: term({ app: "cache" }, ZONE) }] },
        podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: term({ app: "noisy" }, HOST) }] },
      },
    };
    // a1, a2: +50 (zone a has the cache); b1: -100 (the noisy pod) → normalized 100, 100, 0
    expect(scoreAll(interPodAffinity, snapshotOf(cluster(), existing), pod("web", spec))).toEqual({ a1: 100, a2: 100, b1: 0 });
  });

  it("counts existing pods' required affinity toward the incoming pod (hard weight 1)", () => {
    const existing = [on("b1", pod("sidecar", aff(term({ app: "web" }, HOST)), { labels: { app: "sidecar" } }))];
    expect(scoreAll(interPodAffinity, snapshotOf(cluster(), existing), pod("web", {}, { labels: { app: "web" } }))).toEqual({ a1: 0, a2: 0, b1: 100 });
  });
});
