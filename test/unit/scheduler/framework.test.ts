// The framework as a whole: plugin order in messages, the FitError wording, node choice, and
// DefaultPreemption's victims and explanations.
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../../worker/resources/types";
import { fitErrorMessage, numFeasibleNodesToFind, schedulePod } from "../../../worker/scheduler/framework";
import { preempt } from "../../../worker/scheduler/preemption";
import { newPodInfo } from "../../../worker/scheduler/snapshot";
import type { Snapshot } from "../../../worker/scheduler/types";
import { node, on, pod, requests, snapshotOf } from "./helpers";

const master = () => node("k8s-master", { taints: [{ key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" }], cpu: "2" });
const workers = () => [node("k8s-node1"), node("k8s-node2")];

function explain(snap: Snapshot, p: KubeObject, pdbs: KubeObject[] = []): { node?: string; message?: string; victims?: string[] } {
  const r = schedulePod(snap, newPodInfo(p));
  if ("node" in r) return { node: r.node.name };
  const pre = preempt(r.state, r.diagnosis, pdbs);
  return { message: fitErrorMessage(snap.nodes.length, r.diagnosis, pre.message), node: pre.candidate?.node, victims: pre.candidate?.victims.map((v) => v.name) };
}

describe("FitError", () => {
  it("counts reasons per node, sorted, with the preemption outcome", () => {
    const snap = snapshotOf([master(), ...workers()]);
    expect(explain(snap, pod("big", requests({ cpu: "64" }))).message).toBe(
      "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.",
    );
    expect(explain(snap, pod("lost", { nodeSelector: { disk: "ssd" } })).message).toBe(
      "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.",
    );
  });

  it("lists several reasons of one node separately", () => {
    const snap = snapshotOf([node("a", { cpu: "1", memory: "1Gi" })]);
    expect(explain(snap, pod("p", requests({ cpu: "2", memory: "2Gi" }))).message).toBe(
      "0/1 nodes are available: 1 Insufficient cpu, 1 Insufficient memory. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.",
    );
  });

  it("says so when the pod may not preempt", () => {
    const snap = snapshotOf([node("a", { cpu: "1" })]);
    expect(explain(snap, pod("p", requests({ cpu: "2" }, { preemptionPolicy: "Never" }))).message).toBe(
      "0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.",
    );
  });
});

describe("node choice", () => {
  it("never picks the tainted control plane and prefers the emptier worker", () => {
    const snap = snapshotOf([master(), ...workers()], [on("k8s-node1", pod("x", requests({ cpu: "2", memory: "4Gi" })))]);
    expect(explain(snap, pod("p", requests({ cpu: "500m" }))).node).toBe("k8s-node2");
  });

  it("breaks ties the same way for the same pod", () => {
    const snap = snapshotOf(workers());
    const p = pod("p");
    expect(explain(snap, p).node).toBe(explain(snapshotOf(workers()), p).node);
  });

  it("scores only part of a large cluster, as upstream", () => {
    expect([numFeasibleNodesToFind(50), numFeasibleNodesToFind(100), numFeasibleNodesToFind(1000), numFeasibleNodesToFind(5000)]).toEqual([50, 100, 420, 500]);
  });

  it("counts pods nominated to a node as already there", () => {
    const nominated = pod("vip", requests({ cpu: "3" }, { priority: 100 }));
    nominated.status = { phase: "Pending", nominatedNodeName: "k8s-node1" };
    const snap = snapshotOf(workers(), [nominated]);
    expect(explain(snap, pod("p", requests({ cpu: "2" }))).node).toBe("k8s-node2");
  });
});

describe("DefaultPreemption", () => {
  const low = (name: string, cpu: string, priority = 0, extra: Record<string, unknown> = {}) => pod(name, requests({ cpu }, { priority }), { labels: { app: name }, ...extra });

  it("evicts the fewest, least important pods on the best node", () => {
    const existing = [
      on("k8s-node1", low("a", "2", 10)),
      on("k8s-node1", low("b", "2", 5)),
      on("k8s-node2", low("c", "3", 50)),
      on("k8s-node2", low("d", "1", 1)),
    ];
    const vip = pod("vip", requests({ cpu: "2" }, { priority: 1000 }));
    expect(explain(snapshotOf(workers(), existing), vip)).toEqual({ message: "0/2 nodes are available: 2 Insufficient cpu.", node: "k8s-node1", victims: ["b"] });
  });

  it("prefers victims no PodDisruptionBudget protects", () => {
    const existing = [on("k8s-node1", low("guarded", "3")), on("k8s-node2", low("free", "3"))];
    const pdb: KubeObject = { apiVersion: "policy/v1", kind: "PodDisruptionBudget", metadata: { name: "g", namespace: "default" }, spec: { selector: { matchLabels: { app: "guarded" } } }, status: { disruptionsAllowed: 0 } };
    const vip = pod("vip", requests({ cpu: "2" }, { priority: 1000 }));
    expect(explain(snapshotOf(workers(), existing), vip, [pdb]).victims).toEqual(["free"]);
  });

  it("does not preempt pods of equal or higher priority", () => {
    const existing = [on("k8s-node1", low("a", "3", 1000)), on("k8s-node2", low("b", "3", 2000))];
    const vip = pod("vip", requests({ cpu: "2" }, { priority: 1000 }));
    expect(explain(snapshotOf(workers(), existing), vip).message).toBe(
      "0/2 nodes are available: 2 Insufficient cpu. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.",
    );
  });

  it("explains a node where evicting everything still would not help", () => {
    const existing = [on("k8s-node1", low("a", "1"))];
    const vip = pod("vip", requests({ cpu: "8" }, { priority: 1000 }));
    expect(explain(snapshotOf([node("k8s-node1")], existing), vip).message).toBe(
      "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 Insufficient cpu.",
    );
  });
});
