// NodeUnschedulable: a cordoned node (spec.unschedulable) takes only pods that tolerate the
// node.kubernetes.io/unschedulable:NoSchedule taint.
// Models pkg/scheduler/framework/plugins/nodeunschedulable/node_unschedulable.go Filter
import { toleratesTaint } from "../../controllers/node-predicates";
import { unresolvable, type Plugin } from "../types";
import { rec, tolerationsOf } from "../util";

export const ERR_UNSCHEDULABLE = "node(s) were unschedulable";
const UNSCHEDULABLE_TAINT = { key: "node.kubernetes.io/unschedulable", effect: "NoSchedule" };

export const nodeUnschedulable: Plugin = {
  name: "NodeUnschedulable",
  filter(state, node) {
    if (rec(node.node.spec).unschedulable !== true) return null;
    const tolerated = tolerationsOf(state.pod.pod).some((t) => toleratesTaint(t, UNSCHEDULABLE_TAINT));
    return tolerated ? null : unresolvable(ERR_UNSCHEDULABLE);
  },
};
