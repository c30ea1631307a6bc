// The resolver files the kubelet writes into every pod: /etc/hosts (the pod's own address under its
// hostname, and under `<hostname>.<subdomain>.<ns>.svc.cluster.local` when it has a subdomain, then
// the pod's hostAliases) and /etc/resolv.conf by dnsPolicy, merged with dnsConfig.
// Models pkg/kubelet/kubelet_pods.go managedHostsFileContent, hostsEntriesFromHostAliases,
// truncatePodHostnameIfNeeded, GeneratePodHostNameAndDomain, and pkg/kubelet/network/dns/dns.go
// GetPodDNS (getPodDNSType, appendDNSConfig, mergeDNSOptions); the layout of resolv.conf is
// containerd's (search, nameserver, options).
import type { PodSpec } from "kubernetes-types/core/v1";
import { CLUSTER_DOMAIN } from "./cluster";
import { GATEWAY_IP } from "./network";

/** The kube-dns Service's address, the kubelet's clusterDNS. */
export const CLUSTER_DNS = "10.96.0.10";

/** A pod's hostname: spec.hostname, else its name cut to a DNS label (63 characters, no trailing `-` or `.`). */
export function podHostname(spec: PodSpec | undefined, podName: string): string {
  if (spec?.hostname) return spec.hostname;
  return podName.length <= 63 ? podName : podName.slice(0, 63).replace(/[-.]+$/, "");
}

/** `<subdomain>.<ns>.svc.cluster.local` for a pod with a subdomain, else "". */
export function podDomain(spec: PodSpec | undefined, namespace: string): string {
  return spec?.subdomain ? `${spec.subdomain}.${namespace}.svc.${CLUSTER_DOMAIN}` : "";
}

function aliasEntries(spec: PodSpec | undefined): string {
  const aliases = spec?.hostAliases ?? [];
  if (!aliases.length) return "";
  return `\n# Entries added by HostAliases.\n${aliases.map((a) => `${a.ip}\t${(a.hostnames ?? []).join("\t")}\n`).join("")}`;
}

/** The kubelet-managed /etc/hosts of a pod with its own network namespace. */
export function podHostsFile(spec: PodSpec | undefined, podName: string, namespace: string, ip: string): string {
  const host = podHostname(spec, podName);
  const domain = podDomain(spec, namespace);
  const own = domain ? `${ip}\t${host}.${domain}\t${host}\n` : `${ip}\t${host}\n`;
  return `# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n${own}${aliasEntries(spec)}`;
}

interface DnsSettings {
  nameservers: string[];
  searches: string[];
  options: string[];
}

/** What the node's resolver gives a pod that takes the host's DNS (the kubelet's resolvConf: the LAN's). */
function hostDns(): DnsSettings {
  return { nameservers: [GATEWAY_IP], searches: [], options: [] };
}

function unique(list: string[]): string[] {
  return [...new Set(list)];
}

/** Options by name, dnsConfig's overriding the policy's (`ndots:5` stays first). */
function mergeOptions(existing: string[], extra: { name?: string; value?: string }[]): string[] {
  const byName = new Map<string, string>();
  for (const o of existing) {
    const i = o.indexOf(":");
    byName.set(i < 0 ? o : o.slice(0, i), i < 0 ? "" : o.slice(i + 1));
  }
  for (const o of extra) if (o.name) byName.set(o.name, o.value ?? "");
  return [...byName].map(([k, v]) => (v ? `${k}:${v}` : k));
}

/** The /etc/resolv.conf of a pod: its dnsPolicy's settings, then dnsConfig's appended. */
export function podResolvConfFile(spec: PodSpec | undefined, namespace: string): string {
  const policy = spec?.dnsPolicy ?? "ClusterFirst";
  const hostNetwork = spec?.hostNetwork === true;
  let base: DnsSettings;
  if (policy === "None") base = { nameservers: [], searches: [], options: [] };
  else if (policy === "Default" || (policy === "ClusterFirst" && hostNetwork)) base = hostDns();
  else base = { nameservers: [CLUSTER_DNS], searches: [`${namespace}.svc.${CLUSTER_DOMAIN}`, `svc.${CLUSTER_DOMAIN}`, CLUSTER_DOMAIN, ...hostDns().searches], options: ["ndots:5"] };
  const extra = spec?.dnsConfig;
  const nameservers = unique([...base.nameservers, ...(extra?.nameservers ?? [])]);
  const searches = unique([...base.searches, ...(extra?.searches ?? [])]);
  const options = extra?.options?.length ? mergeOptions(base.options, extra.options) : base.options;
  let text = "";
  if (searches.length) text += `search ${searches.join(" ")}\n`;
  for (const n of nameservers) text += `nameserver ${n}\n`;
  if (options.length) text += `options ${options.join(" ")}\n`;
  return text;
}
