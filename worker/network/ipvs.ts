// `ipvsadm -ln` on a node: in IPVS mode kube-proxy makes one virtual server per ClusterIP:port, per
// node address:NodePort and per LoadBalancer/external IP:port, scheduler `rr` (`persistent N` with
// ClientIP affinity), each endpoint a masqueraded real server of weight 1. In iptables mode the
// table is empty (ipvsadm loads the module and finds nothing).
// Models pkg/proxy/ipvs/proxier.go syncService/syncEndpoint and ipvsadm's list_service/list_dest.
import { ipToInt, isHeadless, svcOf, type ClusterNet, type EndpointInfo } from "./cluster";

interface VirtualServer {
  protocol: string;
  ip: string;
  port: number;
  persistent?: number;
  reals: EndpointInfo[];
}

function programmed(eps: EndpointInfo[]): EndpointInfo[] {
  const ready = eps.filter((e) => e.ready);
  return ready.length ? ready : eps.filter((e) => e.serving && e.terminating);
}

/** The virtual servers `node`'s kube-proxy keeps in IPVS mode, in listing order. */
export function virtualServers(net: ClusterNet, node: string): VirtualServer[] {
  const out: VirtualServer[] = [];
  const self = net.node(node);
  for (const svc of net.services()) {
    const spec = svcOf(svc).spec;
    if (!spec || isHeadless(svc) || spec.type === "ExternalName") continue;
    const persistent = spec.sessionAffinity === "ClientIP" ? (spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? 10800) : undefined;
    for (const sp of spec.ports ?? []) {
      const protocol = sp.protocol ?? "TCP";
      const eps = programmed(net.endpoints(svc, sp, protocol));
      const external = spec.externalTrafficPolicy === "Local" ? eps.filter((e) => e.node === node) : eps;
      const vs = (ip: string, port: number, reals: EndpointInfo[]) => out.push({ protocol, ip, port, reals, ...(persistent !== undefined ? { persistent } : {}) });
      vs(spec.clusterIP!, sp.port, spec.internalTrafficPolicy === "Local" ? eps.filter((e) => e.node === node) : eps);
      if ((spec.type === "NodePort" || spec.type === "LoadBalancer") && sp.nodePort && self) vs(self.ip, sp.nodePort, external);
      for (const ip of spec.externalIPs ?? []) vs(ip, sp.port, external);
      for (const i of svcOf(svc).status?.loadBalancer?.ingress ?? []) if (i.ip) vs(i.ip, sp.port, external);
    }
  }
  const order = (p: string) => ({ TCP: 0, UDP: 1, SCTP: 2 })[p] ?? 3;
  return out.sort((a, b) => order(a.protocol) - order(b.protocol) || ipToInt(a.ip) - ipToInt(b.ip) || a.port - b.port);
}

/** `ipvsadm -Ln`'s table. */
export function ipvsadmList(net: ClusterNet, node: string): string {
  const lines = ["IP Virtual Server version 1.2.1 (size=4096)", "Prot LocalAddress:Port Scheduler Flags", "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn"];
  if (net.proxyMode(node) === "ipvs") {
    for (const vs of virtualServers(net, node)) {
      lines.push(`${vs.protocol.padEnd(4)} ${vs.ip}:${vs.port} rr${vs.persistent !== undefined ? ` persistent ${vs.persistent}` : ""}`);
      for (const r of vs.reals) lines.push(`  -> ${`${r.ip}:${r.port}`.padEnd(28)} ${"Masq".padEnd(7)} ${"1".padEnd(6)} ${"0".padEnd(10)} ${"0".padEnd(10)}`);
    }
  }
  return `${lines.join("\n")}\n`;
}
