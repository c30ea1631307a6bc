// CoreDNS's answers for cluster.local and the resolver's search path.
import { describe, expect, it } from "vitest";
import { ClusterNet } from "../../../worker/network/cluster";
import { clusterAddresses, coreDnsAnswer, parseResolvConf, searchCandidates } from "../../../worker/network/dns";
import { cluster } from "./fixture";

const NOW = Date.parse("2026-01-02T00:00:00Z");

function addresses(name: string, from = "default"): string[] {
  return clusterAddresses(new ClusterNet(cluster(), NOW), from, name);
}

describe("names a pod resolves", () => {
  it.each([
    ["web", ["10.96.1.2"]],
    ["web.default", ["10.96.1.2"]],
    ["web.default.svc", ["10.96.1.2"]],
    ["web.default.svc.cluster.local", ["10.96.1.2"]],
    ["web.default.svc.cluster.local.", ["10.96.1.2"]],
    ["kube-dns.kube-system", ["10.96.0.10"]],
    ["nope", []],
    ["google.com", []],
    ["10-244-1-2.default.pod.cluster.local", ["10.244.1.2"]],
  ])("%s", (name, want) => {
    expect(addresses(name)).toEqual(want);
  });

  it("a bare name is looked up in the pod's own namespace", () => {
    expect(addresses("kube-dns", "kube-system")).toEqual(["10.96.0.10"]);
    expect(addresses("kube-dns")).toEqual([]);
  });
});

describe("CoreDNS records", () => {
  it("headless Services answer their ready pods, StatefulSet pods by hostname", () => {
    const o = cluster();
    o.service("db", { clusterIP: "None", ports: [{ port: 5432 }] });
    o.slice("db", { port: 5432 }, [
      { ip: "10.244.1.7", node: "k8s-node1", hostname: "db-0" },
      { ip: "10.244.2.7", node: "k8s-node2", hostname: "db-1" },
      { ip: "10.244.2.8", node: "k8s-node2", hostname: "db-2", ready: false },
    ]);
    const net = new ClusterNet(o, NOW);
    expect(coreDnsAnswer(net, "db.default.svc.cluster.local", "A").records.map((r) => (r.type === "A" ? r.address : ""))).toEqual(["10.244.1.7", "10.244.2.7"]);
    expect(coreDnsAnswer(net, "db-1.db.default.svc.cluster.local", "A")).toEqual({ rcode: "NOERROR", authoritative: true, records: [{ type: "A", name: "db-1.db.default.svc.cluster.local", address: "10.244.2.7" }] });
    expect(coreDnsAnswer(net, "db-2.db.default.svc.cluster.local", "A").rcode).toBe("NXDOMAIN");
  });

  it("ExternalName is a CNAME; AAAA of an IPv4 Service is empty; reverse lookups name the Service", () => {
    const o = cluster();
    o.service("ext", { type: "ExternalName", externalName: "db.example.com" });
    const net = new ClusterNet(o, NOW);
    expect(coreDnsAnswer(net, "ext.default.svc.cluster.local", "A").records).toEqual([{ type: "CNAME", name: "ext.default.svc.cluster.local", target: "db.example.com" }]);
    expect(coreDnsAnswer(net, "web.default.svc.cluster.local", "AAAA")).toEqual({ rcode: "NOERROR", authoritative: true, records: [] });
    expect(coreDnsAnswer(net, "10.0.96.10.in-addr.arpa", "PTR").records).toEqual([{ type: "PTR", name: "10.0.96.10.in-addr.arpa", target: "kube-dns.kube-system.svc.cluster.local" }]);
    expect(coreDnsAnswer(net, "kubernetes.default", "A")).toEqual({ rcode: "NXDOMAIN", authoritative: false, records: [] });
  });

  it("search candidates follow ndots", () => {
    const conf = parseResolvConf("search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n");
    expect(conf).toEqual({ nameservers: ["10.96.0.10"], search: ["default.svc.cluster.local", "svc.cluster.local", "cluster.local"], ndots: 5 });
    expect(searchCandidates("web", conf)).toEqual(["web.default.svc.cluster.local", "web.svc.cluster.local", "web.cluster.local", "web"]);
    expect(searchCandidates("a.b.c.d.e.f", conf)[0]).toBe("a.b.c.d.e.f");
    expect(searchCandidates("web.", conf)).toEqual(["web"]);
  });
});
