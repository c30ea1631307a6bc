// Pod IPs from the node's podCIDR, the way the host-local IPAM plugin hands them out: the lowest
// free address from .2 up (.1 is the bridge), unique among the node's live sandboxes.
// Models containernetworking/plugins plugins/ipam/host-local allocator (lowest-free variant)
import type { Pod } from "kubernetes-types/core/v1";
import { CONTAINERS, type PodRuntime } from "./record";
import type { ControllerContext } from "../controllers/types";
import type { PodWork } from "./work";

/**
 * Addresses in use per node, gathered once per pass and kept up to date as the pass hands out more:
 * looking through every pod for each new one made starting n pods cost n².
 */
const inUse = new WeakMap<ControllerContext, Map<string, Map<string, string | undefined>>>();

/** IP → the uid of the runtime record holding it (undefined when only a pod's status names it). */
function usedOn(w: PodWork): Map<string, string | undefined> {
  let byNode = inUse.get(w.ctx);
  if (!byNode) {
    byNode = new Map();
    inUse.set(w.ctx, byNode);
    const of = (node: string) => {
      let m = byNode!.get(node);
      if (!m) byNode!.set(node, (m = new Map()));
      return m;
    };
    for (const r of w.ctx.list(CONTAINERS) as PodRuntime[]) {
      if (r.ip && r.finished === undefined) of(r.node).set(r.ip, r.uid);
    }
    for (const p of w.ctx.list("/pods") as unknown as Pod[]) {
      if (!p.spec?.nodeName || p.spec.hostNetwork) continue;
      const phase = p.status?.phase;
      if (p.status?.podIP && phase !== "Succeeded" && phase !== "Failed") {
        const m = of(p.spec.nodeName);
        if (!m.has(p.status.podIP)) m.set(p.status.podIP, undefined);
      }
    }
  }
  let m = byNode.get(w.node);
  if (!m) byNode.set(w.node, (m = new Map()));
  return m;
}

function ipToInt(ip: string): number {
  return ip.split(".").reduce((n, o) => n * 256 + Number(o), 0);
}

function intToIp(n: number): string {
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join(".");
}

function ownStatusIP(w: PodWork, ip: string): boolean {
  const status = (w.pod as Pod).status;
  return status?.podIP === ip && status.phase !== "Succeeded" && status.phase !== "Failed";
}

export function allocateIP(w: PodWork): string {
  const cidr = String(((w.ctx.get("/nodes", "", w.node)?.spec as { podCIDR?: string } | undefined)?.podCIDR) ?? "10.244.0.0/24");
  const [net, bits] = cidr.split("/");
  const base = ipToInt(net);
  const size = 2 ** (32 - Number(bits || 24));
  const used = usedOn(w);
  // The pod's own earlier sandbox does not hold an address against it, unless its status still names it.
  const taken = (ip: string) => used.has(ip) && !(used.get(ip) === w.rec.uid && !ownStatusIP(w, ip));
  for (let i = 2; i < size - 1; i++) {
    const ip = intToIp(base + i);
    if (!taken(ip)) {
      used.set(ip, w.rec.uid);
      return ip;
    }
  }
  return intToIp(base + size - 2);
}
