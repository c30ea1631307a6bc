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
const inUse = new WeakMap<ControllerContext, Map<string, NodeAddresses>>();

interface NodeAddresses {
  /** IP → the uid of the runtime record holding it (undefined when only a pod's status names it). */
  used: Map<string, string | undefined>;
  /** uid → the addresses it holds here. */
  held: Map<string, string[]>;
  /** Every offset from 2 below this one is in use (addresses are only added during a pass). */
  lowest: number;
}

function hold(a: NodeAddresses, ip: string, uid: string | undefined): void {
  a.used.set(ip, uid);
  if (uid === undefined) return;
  const list = a.held.get(uid);
  if (list) list.push(ip);
  else a.held.set(uid, [ip]);
}

function usedOn(w: PodWork): NodeAddresses {
  let byNode = inUse.get(w.ctx);
  const of = (node: string) => {
    let m = byNode!.get(node);
    if (!m) byNode!.set(node, (m = { used: new Map(), held: new Map(), lowest: 2 }));
    return m;
  };
  if (!byNode) {
    byNode = new Map();
    inUse.set(w.ctx, byNode);
    for (const r of w.ctx.list(CONTAINERS) as PodRuntime[]) {
      if (r.ip && r.finished === undefined) hold(of(r.node), r.ip, r.uid);
    }
    for (const p of w.ctx.list("/pods") as unknown as Pod[]) {
      if (!p.spec?.nodeName || p.spec.hostNetwork) continue;
      const phase = p.status?.phase;
      if (p.status?.podIP && phase !== "Succeeded" && phase !== "Failed") {
        const m = of(p.spec.nodeName);
        if (!m.used.has(p.status.podIP)) m.used.set(p.status.podIP, undefined);
      }
    }
  }
  return of(w.node);
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
  const a = usedOn(w);
  const used = a.used;
  // The lowest free address from .2: below `lowest` every address is in use, but the pod's own
  // earlier sandbox does not hold an address against it, unless its status still names it.
  let pick: number | undefined;
  for (const ip of a.held.get(w.rec.uid) ?? []) {
    if (used.get(ip) !== w.rec.uid || ownStatusIP(w, ip)) continue;
    const i = ipToInt(ip) - base;
    if (i >= 2 && i < size - 1 && intToIp(base + i) === ip && (pick === undefined || i < pick)) pick = i;
  }
  let i = a.lowest;
  while (i < size - 1 && used.has(intToIp(base + i))) i++;
  a.lowest = i;
  if (i < size - 1 && (pick === undefined || i < pick)) pick = i;
  if (pick !== undefined) {
    const ip = intToIp(base + pick);
    hold(a, ip, w.rec.uid);
    return ip;
  }
  return intToIp(base + size - 2);
}
