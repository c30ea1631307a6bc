// The resolver files the kubelet writes into a pod: /etc/hosts with the pod's FQDN when it has a
// subdomain and its hostAliases, and /etc/resolv.conf by dnsPolicy with dnsConfig merged in.
import { describe, expect, it } from "vitest";
import { podHostname, podHostsFile, podResolvConfFile } from "../../../worker/network/pod-files";

const HEADER = "# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n";

describe("/etc/hosts", () => {
  it("names the pod by its hostname, and by its FQDN under a subdomain (a StatefulSet's pods)", () => {
    expect(podHostsFile({ containers: [] }, "box", "default", "10.244.1.5")).toBe(`${HEADER}10.244.1.5\tbox\n`);
    expect(podHostsFile({ containers: [], hostname: "web-0", subdomain: "nginx" }, "web-0", "default", "10.244.1.6")).toBe(`${HEADER}10.244.1.6\tweb-0.nginx.default.svc.cluster.local\tweb-0\n`);
  });

  it("adds the hostAliases block, one line per IP", () => {
    const spec = { containers: [], hostAliases: [{ ip: "127.0.0.1", hostnames: ["foo.local", "bar.local"] }, { ip: "10.1.2.3", hostnames: ["foo.remote"] }] };
    expect(podHostsFile(spec, "hostaliases-pod", "default", "10.244.1.7")).toBe(
      `${HEADER}10.244.1.7\thostaliases-pod\n\n# Entries added by HostAliases.\n127.0.0.1\tfoo.local\tbar.local\n10.1.2.3\tfoo.remote\n`,
    );
  });

  it("cuts a long pod name to a DNS label for the hostname", () => {
    const name = `${"a".repeat(62)}-bcdef`;
    expect(podHostname({ containers: [] }, name)).toBe("a".repeat(62));
  });
});

describe("/etc/resolv.conf", () => {
  const CLUSTER_FIRST = "search ns1.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n";

  it("ClusterFirst: CoreDNS and the namespace's search path; with hostNetwork, the node's resolver", () => {
    expect(podResolvConfFile({ containers: [] }, "ns1")).toBe(CLUSTER_FIRST);
    expect(podResolvConfFile({ containers: [], hostNetwork: true }, "ns1")).toBe("nameserver 192.168.1.1\n");
  });

  it("ClusterFirstWithHostNet gives a hostNetwork pod CoreDNS; Default always the node's", () => {
    expect(podResolvConfFile({ containers: [], hostNetwork: true, dnsPolicy: "ClusterFirstWithHostNet" }, "ns1")).toBe(CLUSTER_FIRST);
    expect(podResolvConfFile({ containers: [], dnsPolicy: "Default" }, "ns1")).toBe("nameserver 192.168.1.1\n");
  });

  it("None takes only dnsConfig; dnsConfig is appended to a policy's, options merged by name", () => {
    // The docs' example (Pod's DNS Config).
    const dnsConfig = { nameservers: ["192.0.2.1"], searches: ["ns1.svc.cluster-domain.example", "my.dns.search.suffix"], options: [{ name: "ndots", value: "2" }, { name: "edns0" }] };
    expect(podResolvConfFile({ containers: [], dnsPolicy: "None", dnsConfig }, "ns1")).toBe("search ns1.svc.cluster-domain.example my.dns.search.suffix\nnameserver 192.0.2.1\noptions ndots:2 edns0\n");
    expect(podResolvConfFile({ containers: [], dnsConfig: { searches: ["svc.cluster.local", "corp.example"], options: [{ name: "ndots", value: "1" }, { name: "timeout", value: "3" }] } }, "ns1")).toBe(
      "search ns1.svc.cluster.local svc.cluster.local cluster.local corp.example\nnameserver 10.96.0.10\noptions ndots:1 timeout:3\n",
    );
  });
});
