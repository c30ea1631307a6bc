// NodePorts: two pods cannot hold the same hostPort (same protocol, overlapping host IP) on a node.
// Models pkg/scheduler/framework/plugins/nodeports/node_ports.go Filter and
// pkg/scheduler/framework/types.go HostPortInfo.CheckConflict
import { unschedulable, type HostPort, type Plugin } from "../types";

export const ERR_NODE_PORTS = "node(s) didn't have free ports for the requested pod ports";

const ANY = "0.0.0.0";

export function portsConflict(want: HostPort, used: HostPort): boolean {
  if (want.port !== used.port || want.protocol !== used.protocol) return false;
  return want.hostIP === ANY || used.hostIP === ANY || want.hostIP === used.hostIP;
}

export const nodePorts: Plugin = {
  name: "NodePorts",
  preFilter(state) {
    if (state.pod.hostPorts.length === 0) return { skip: true };
  },
  filter(state, node) {
    const clash = state.pod.hostPorts.some((p) => node.usedPorts.some((u) => portsConflict(p, u)));
    return clash ? unschedulable(ERR_NODE_PORTS) : null;
  },
};
