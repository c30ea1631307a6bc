// NodeName, NodeUnschedulable, TaintToleration and NodePorts, table by table.
import { describe, expect, it } from "vitest";
import { nodeName } from "../../../worker/scheduler/plugins/node-name";
import { nodePorts } from "../../../worker/scheduler/plugins/node-ports";
import { nodeUnschedulable } from "../../../worker/scheduler/plugins/node-unschedulable";
import { taintToleration } from "../../../worker/scheduler/plugins/taint-toleration";
import { filterAll, node, on, pod, scoreAll, snapshotOf } from "./helpers";

const ports = (...ps: Record<string, unknown>[]) => ({ containers: [{ name: "c", image: "nginx", ports: ps }] });

describe("NodeName", () => {
  it.each([
    { name: "no nodeName fits anywhere", spec: {}, want: { a: "ok", b: "ok" } },
    { name: "a named node fits only there", spec: { nodeName: "a" }, want: { a: "ok", b: "unresolvable: node(s) didn't match the requested node name" } },
  ])("$name", ({ spec, want }) => {
    expect(filterAll(nodeName, snapshotOf([node("a"), node("b")]), pod("p", spec))).toEqual(want);
  });
});

describe("NodeUnschedulable", () => {
  it.each([
    { name: "a cordoned node refuses", tolerations: undefined, want: "unresolvable: node(s) were unschedulable" },
    { name: "tolerating the unschedulable taint gets in", tolerations: [{ key: "node.kubernetes.io/unschedulable", operator: "Exists", effect: "NoSchedule" }], want: "ok" },
    { name: "an Exists-everything toleration gets in", tolerations: [{ operator: "Exists" }], want: "ok" },
  ])("$name", ({ tolerations, want }) => {
    const snap = snapshotOf([node("a", { unschedulable: true })]);
    expect(filterAll(nodeUnschedulable, snap, pod("p", tolerations ? { tolerations } : {})).a).toBe(want);
  });
});

describe("TaintToleration", () => {
  const cp = { key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" };
  it.each([
    { name: "untolerated NoSchedule", taints: [cp], tolerations: [], want: "unresolvable: node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }" },
    { name: "taint with a value", taints: [{ key: "dedicated", value: "gpu", effect: "NoExecute" }], tolerations: [], want: "unresolvable: node(s) had untolerated taint {dedicated: gpu}" },
    { name: "tolerated with Exists", taints: [cp], tolerations: [{ key: cp.key, operator: "Exists", effect: "NoSchedule" }], want: "ok" },
    { name: "Equal needs the same value", taints: [{ key: "k", value: "v", effect: "NoSchedule" }], tolerations: [{ key: "k", value: "w", effect: "NoSchedule" }], want: "unresolvable: node(s) had untolerated taint {k: v}" },
    { name: "PreferNoSchedule never filters", taints: [{ key: "k", effect: "PreferNoSchedule" }], tolerations: [], want: "ok" },
  ])("filter: $name", ({ taints, tolerations, want }) => {
    expect(filterAll(taintToleration, snapshotOf([node("a", { taints })]), pod("p", { tolerations })).a).toBe(want);
  });

  it("scores nodes with fewer untolerated PreferNoSchedule taints higher", () => {
    const prefer = (k: string) => ({ key: k, effect: "PreferNoSchedule" });
    const snap = snapshotOf([node("none"), node("one", { taints: [prefer("x")] }), node("two", { taints: [prefer("x"), prefer("y")] })]);
    expect(scoreAll(taintToleration, snap, pod("p"))).toEqual({ none: 100, one: 50, two: 0 });
    expect(scoreAll(taintToleration, snap, pod("q", { tolerations: [{ key: "x", operator: "Exists" }] }))).toEqual({ none: 100, one: 100, two: 0 });
  });
});

describe("NodePorts", () => {
  it.each([
    { name: "same port and protocol clash", want: ports({ containerPort: 80, hostPort: 8080 }), expected: "node(s) didn't have free ports for the requested pod ports" },
    { name: "another protocol is free", want: ports({ containerPort: 80, hostPort: 8080, protocol: "UDP" }), expected: "ok" },
    { name: "another host IP is free", want: ports({ containerPort: 80, hostPort: 8080, hostIP: "10.0.0.2" }), expected: "ok" },
    { name: "0.0.0.0 overlaps any IP", want: ports({ containerPort: 80, hostPort: 9090 }), expected: "node(s) didn't have free ports for the requested pod ports" },
    { name: "no host ports, nothing to check", want: ports({ containerPort: 8080 }), expected: "ok" },
  ])("$name", ({ want, expected }) => {
    const existing = on("a", pod("old", ports({ containerPort: 80, hostPort: 8080, hostIP: "10.0.0.1" }, { containerPort: 81, hostPort: 9090, hostIP: "10.0.0.1" })));
    expect(filterAll(nodePorts, snapshotOf([node("a")], [existing]), pod("new", want)).a).toBe(expected);
  });
});
