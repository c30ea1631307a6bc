// NodeName: a pod that names its node fits only there.
// Models pkg/scheduler/framework/plugins/nodename/node_name.go Filter
import { unresolvable, type Plugin } from "../types";
import { rec } from "../util";

export const ERR_NODE_NAME = "node(s) didn't match the requested node name";

export const nodeName: Plugin = {
  name: "NodeName",
  filter(state, node) {
    const wanted = rec(state.pod.pod.spec).nodeName;
    return typeof wanted === "string" && wanted && wanted !== node.name ? unresolvable(ERR_NODE_NAME) : null;
  },
};
