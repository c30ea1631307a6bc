// Pod IPs from the node's podCIDR, the way the host-local IPAM plugin hands them out: the lowest
// free address from .2 up (.1 is the bridge), unique among the node's live sandboxes.
// Models containernetworking/plugins plugins/ipam/host-local allocator (lowest-free variant)
import type { Pod } from "kubernetes-types/core/v1";
import { CONTAINERS, type PodRuntime } from "./record";
import type { PodWork } from "./work";

function ipToInt(ip: string): number {
  return ip.split(".").reduce((n, o) => n * 256 + Number(o), 0);
}

function intToIp(n: number): string {
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join(".");
}

export function allocateIP(w: PodWork): string {
  const cidr = String(((w.ctx.get("/nodes", "", w.node)?.spec as { podCIDR?: string } | undefined)?.podCIDR) ?? "10.244.0.0/24");
  const [net, bits] = cidr.split("/");
  const base = ipToInt(net);
  const size = 2 ** (32 - Number(bits || 24));
  const used = new Set<string>();
  for (const r of w.ctx.list(CONTAINERS) as PodRuntime[]) {
    if (r.node === w.node && r.ip && r.finished === undefined && r.uid !== w.rec.uid) used.add(r.ip);
  }
  for (const p of w.ctx.list("/pods") as unknown as Pod[]) {
    if (p.spec?.nodeName !== w.node || p.spec.hostNetwork) continue;
    const phase = p.status?.phase;
    if (p.status?.podIP && phase !== "Succeeded" && phase !== "Failed") used.add(p.status.podIP);
  }
  for (let i = 2; i < size - 1; i++) {
    const ip = intToIp(base + i);
    if (!used.has(ip)) return ip;
  }
  return intToIp(base + size - 2);
}
