// Cluster DNS: what CoreDNS's kubernetes plugin answers for cluster.local (Services, headless
// Services' ready pods, StatefulSet pods by hostname and subdomain, ExternalName CNAMEs, pod
// A records, reverse lookups), and the resolver side every client uses — /etc/hosts first, then
// the search path of resolv.conf by its ndots rule, as glibc and musl do.
// Models coredns plugin/kubernetes (kubernetes.go Records, reverse.go) and glibc resolv/res_query.c
// __res_context_search.
import type { ClusterNet } from "./cluster";
import { CLUSTER_DOMAIN, isHeadless, isIPv4, svcOf } from "./cluster";
import type { DnsAnswer, DnsRecord, DnsType, NetworkAccess } from "./types";

const NXDOMAIN = (authoritative: boolean): DnsAnswer => ({ rcode: "NXDOMAIN", authoritative, records: [] });

export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/\.$/, "");
}

/** `10.96.0.10` → `10.0.96.10.in-addr.arpa`. */
export function reverseName(ip: string): string {
  return `${ip.split(".").reverse().join(".")}.in-addr.arpa`;
}

function fromReverse(name: string): string | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\.in-addr\.arpa$/.exec(name);
  return m ? `${m[4]}.${m[3]}.${m[2]}.${m[1]}` : undefined;
}

function serviceRecords(net: ClusterNet, name: string, namespace: string, service: string, type: DnsType): DnsAnswer {
  const svc = net.service(namespace, service);
  if (!svc) return NXDOMAIN(true);
  const spec = svcOf(svc).spec ?? {};
  if (spec.type === "ExternalName") {
    // The target is looked up upstream, which a sandbox does not reach: the CNAME is all there is.
    return { rcode: "NOERROR", authoritative: true, records: [{ type: "CNAME", name, target: String(spec.externalName ?? "") }] };
  }
  if (!isHeadless(svc)) {
    return { rcode: "NOERROR", authoritative: true, records: type === "A" ? [{ type: "A", name, address: spec.clusterIP! }] : [] };
  }
  const addresses = [...new Set(net.endpoints(svc, undefined).filter((e) => e.ready || spec.publishNotReadyAddresses).map((e) => e.ip))];
  // A headless Service without endpoints has no records at all.
  if (addresses.length === 0) return NXDOMAIN(true);
  return { rcode: "NOERROR", authoritative: true, records: type === "A" ? addresses.map((address) => ({ type: "A" as const, name, address })) : [] };
}

function endpointRecords(net: ClusterNet, name: string, host: string, namespace: string, service: string, type: DnsType): DnsAnswer {
  const svc = net.service(namespace, service);
  if (!svc || !isHeadless(svc)) return NXDOMAIN(true);
  const publish = svcOf(svc).spec?.publishNotReadyAddresses;
  const eps = net.endpoints(svc, undefined).filter((e) => e.hostname === host && (e.ready || publish));
  if (eps.length === 0) return NXDOMAIN(true);
  return { rcode: "NOERROR", authoritative: true, records: type === "A" ? [...new Set(eps.map((e) => e.ip))].map((address) => ({ type: "A" as const, name, address })) : [] };
}

function reverseRecords(net: ClusterNet, name: string, ip: string): DnsAnswer {
  const svc = net.serviceByClusterIP(ip);
  if (svc) return { rcode: "NOERROR", authoritative: true, records: [{ type: "PTR", name, target: `${svc.metadata.name}.${svc.metadata.namespace}.svc.${CLUSTER_DOMAIN}` }] };
  const records: DnsRecord[] = [];
  for (const s of net.services()) {
    for (const e of net.endpoints(s, undefined)) {
      if (e.ip === ip) records.push({ type: "PTR", name, target: `${e.hostname ?? ip.replace(/\./g, "-")}.${s.metadata.name}.${s.metadata.namespace}.svc.${CLUSTER_DOMAIN}` });
    }
  }
  // Other addresses fall through to the upstream resolvers, which know none of them.
  return records.length ? { rcode: "NOERROR", authoritative: true, records: records.slice(0, 1) } : NXDOMAIN(false);
}

/** What CoreDNS (the `kube-dns` Service) answers for one question. */
export function coreDnsAnswer(net: ClusterNet, question: string, type: DnsType): DnsAnswer {
  const name = normalizeName(question);
  if (type === "PTR") {
    const ip = fromReverse(name);
    return ip ? reverseRecords(net, name, ip) : NXDOMAIN(false);
  }
  const suffix = `.${CLUSTER_DOMAIN}`;
  // Everything outside the cluster domain is forwarded upstream: a sandbox reaches no other DNS.
  if (!name.endsWith(suffix)) return NXDOMAIN(false);
  const labels = name.slice(0, -suffix.length).split(".");
  if (labels.length === 3 && labels[2] === "svc") return serviceRecords(net, name, labels[1], labels[0], type);
  if (labels.length === 4 && labels[3] === "svc") return endpointRecords(net, name, labels[0], labels[2], labels[1], type);
  if (labels.length === 3 && labels[2] === "pod") {
    // `pods insecure`: the address is read back from the name itself.
    const ip = labels[0].replace(/-/g, ".");
    if (!isIPv4(ip)) return NXDOMAIN(true);
    return { rcode: "NOERROR", authoritative: true, records: type === "A" ? [{ type: "A", name, address: ip }] : [] };
  }
  return NXDOMAIN(true);
}

// ---- The resolver side: resolv.conf, /etc/hosts, the search path ------------------------------------

export interface ResolvConf {
  nameservers: string[];
  search: string[];
  ndots: number;
}

export function parseResolvConf(text: string | undefined): ResolvConf {
  const conf: ResolvConf = { nameservers: [], search: [], ndots: 1 };
  for (const line of (text ?? "").split("\n")) {
    const [key, ...rest] = line.replace(/[#;].*$/, "").trim().split(/\s+/);
    if (key === "nameserver" && rest[0]) conf.nameservers.push(rest[0]);
    else if (key === "search" || key === "domain") conf.search = rest.filter((d) => d && d !== ".");
    else if (key === "options") {
      for (const o of rest) {
        const m = /^ndots:(\d+)$/.exec(o);
        if (m) conf.ndots = Math.min(15, Number(m[1]));
      }
    }
  }
  return conf;
}

/** Name → address from a hosts file (the first address listed for a name wins). */
export function parseHosts(text: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of (text ?? "").split("\n")) {
    const [addr, ...names] = line.replace(/#.*$/, "").trim().split(/\s+/);
    if (!addr || !isIPv4(addr)) continue;
    for (const n of names) if (n && !out.has(n.toLowerCase())) out.set(n.toLowerCase(), addr);
  }
  return out;
}

/** The names a resolver tries for `name`, in order (glibc's res_search). */
export function searchCandidates(name: string, conf: ResolvConf): string[] {
  if (name.endsWith(".")) return [name.slice(0, -1)];
  const dots = name.split(".").length - 1;
  const searched = conf.search.map((d) => `${name}.${d}`);
  return dots >= conf.ndots ? [name, ...searched] : [...searched, name];
}

export type HostLookup = { ok: true; address: string; name: string } | { ok: false; reason: "notfound" | "timeout"; elapsedMs: number };

/** glibc's RES_TIMEOUT × RES_DFLRETRY: how long a question to a silent server waits. */
export const DNS_TIMEOUT_MS = 10_000;

/** getaddrinfo for an IPv4 address: a literal, /etc/hosts, then each search candidate over DNS. */
export function lookupHost(net: NetworkAccess, name: string, conf: ResolvConf, hosts: Map<string, string>, at?: number): HostLookup {
  const host = name.toLowerCase();
  if (isIPv4(host)) return { ok: true, address: host, name: host };
  const fromHosts = hosts.get(host.replace(/\.$/, ""));
  if (fromHosts) return { ok: true, address: fromHosts, name: host };
  const servers = conf.nameservers.length ? conf.nameservers : ["127.0.0.1"];
  for (const candidate of searchCandidates(host, conf)) {
    let answer: DnsAnswer | undefined;
    for (const s of servers) {
      answer = net.dns(s, candidate, "A", at);
      if (answer) break;
    }
    if (!answer) return { ok: false, reason: "timeout", elapsedMs: DNS_TIMEOUT_MS * servers.length };
    const a = answer.records.find((r) => r.type === "A");
    if (a && a.type === "A") return { ok: true, address: a.address, name: candidate };
  }
  return { ok: false, reason: "notfound", elapsedMs: 0 };
}

/** The resolv.conf the kubelet writes for a pod with dnsPolicy ClusterFirst. */
export function podResolvConf(namespace: string): ResolvConf {
  return { nameservers: ["10.96.0.10"], search: [`${namespace}.svc.${CLUSTER_DOMAIN}`, `svc.${CLUSTER_DOMAIN}`, CLUSTER_DOMAIN], ndots: 5 };
}

/** Every address a pod's resolver gets for `name` straight from CoreDNS (the first candidate that has any). */
export function clusterAddresses(net: ClusterNet, namespace: string, name: string): string[] {
  const host = name.toLowerCase();
  if (isIPv4(host)) return [host];
  for (const candidate of searchCandidates(host, podResolvConf(namespace))) {
    const answer = coreDnsAnswer(net, candidate, "A");
    const addresses = answer.records.flatMap((r) => (r.type === "A" ? [r.address] : []));
    if (addresses.length) return addresses;
  }
  return [];
}
