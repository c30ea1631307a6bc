// NodeAffinity: nodeSelector, required terms with every operator, matchFields, preferred weights.
import { describe, expect, it } from "vitest";
import { fitErrorMessage, schedulePod } from "../../../worker/scheduler/framework";
import { nodeAffinity } from "../../../worker/scheduler/plugins/node-affinity";
import { newPodInfo } from "../../../worker/scheduler/snapshot";
import { filterAll, node, pod, scoreAll, snapshotOf } from "./helpers";

const required = (...terms: Record<string, unknown>[]) => ({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } } });
const expr = (key: string, operator: string, values?: string[]) => ({ matchExpressions: [{ key, operator, ...(values ? { values } : {}) }] });
const NO = "unresolvable: node(s) didn't match Pod's node affinity/selector";

const nodes = () => [node("ssd", { labels: { disk: "ssd", cores: "8" } }), node("hdd", { labels: { disk: "hdd", cores: "2" } }), node("bare")];

describe("NodeAffinity filter", () => {
  it.each([
    { name: "nodeSelector", spec: { nodeSelector: { disk: "ssd" } }, want: ["ok", NO, NO] },
    { name: "In", spec: required(expr("disk", "In", ["ssd", "nvme"])), want: ["ok", NO, NO] },
    { name: "NotIn admits nodes without the label", spec: required(expr("disk", "NotIn", ["ssd"])), want: [NO, "ok", "ok"] },
    { name: "Exists", spec: required(expr("disk", "Exists")), want: ["ok", "ok", NO] },
    { name: "DoesNotExist", spec: required(expr("disk", "DoesNotExist")), want: [NO, NO, "ok"] },
    { name: "Gt compares integers", spec: required(expr("cores", "Gt", ["4"])), want: ["ok", NO, NO] },
    { name: "Lt compares integers", spec: required(expr("cores", "Lt", ["4"])), want: [NO, "ok", NO] },
    { name: "terms are ORed", spec: required(expr("disk", "In", ["hdd"]), expr("disk", "DoesNotExist")), want: [NO, "ok", "ok"] },
    { name: "expressions in a term are ANDed", spec: required({ matchExpressions: [{ key: "disk", operator: "Exists" }, { key: "cores", operator: "Gt", values: ["4"] }] }), want: ["ok", NO, NO] },
    { name: "nodeSelector and affinity both apply", spec: { nodeSelector: { disk: "hdd" }, ...required(expr("disk", "In", ["ssd"])) }, want: [NO, NO, NO] },
  ])("$name", ({ spec, want }) => {
    const got = filterAll(nodeAffinity, snapshotOf(nodes()), pod("p", spec));
    expect([got.ssd, got.hdd, got.bare]).toEqual(want);
  });

  it("places a pod with metadata.name field affinity on that node (DaemonSet pods)", () => {
    const p = pod("p", required({ matchFields: [{ key: "metadata.name", operator: "In", values: ["hdd"] }] }));
    const r = schedulePod(snapshotOf(nodes()), newPodInfo(p));
    expect("node" in r && r.node.name).toBe("hdd");
  });

  it("explains DaemonSet-style pods pinned to a node that cannot take them", () => {
    const snap = snapshotOf([node("a"), node("b", { cpu: "1" }), node("c")]);
    const p = pod("ds", { ...required({ matchFields: [{ key: "metadata.name", operator: "In", values: ["b"] }] }), containers: [{ name: "c", image: "x", resources: { requests: { cpu: "2" } } }] });
    const r = schedulePod(snap, newPodInfo(p));
    expect("diagnosis" in r && fitErrorMessage(3, r.diagnosis)).toBe("0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't satisfy plugin(s) [NodeAffinity].");
  });

  it("refuses conflicting metadata.name terms at PreFilter", () => {
    const p = pod("p", required({ matchFields: [{ key: "metadata.name", operator: "In", values: ["a"] }, { key: "metadata.name", operator: "In", values: ["b"] }] }));
    const r = schedulePod(snapshotOf([node("a"), node("b")]), newPodInfo(p));
    expect("diagnosis" in r && fitErrorMessage(2, r.diagnosis)).toBe("0/2 nodes are available: pod affinity terms conflict.");
  });
});

describe("NodeAffinity score", () => {
  it("sums the weights of matching preferred terms, normalized to 100", () => {
    const spec = {
      affinity: {
        nodeAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            { weight: 80, preference: expr("disk", "In", ["ssd"]) },
            { weight: 20, preference: expr("cores", "Exists") },
          ],
        },
      },
    };
    expect(scoreAll(nodeAffinity, snapshotOf(nodes()), pod("p", spec))).toEqual({ ssd: 100, hdd: 20, bare: 0 });
  });
});
