// NetworkPolicy in the simulated traffic: which pods a policy isolates and in which direction, what
// its ingress `from` and egress `to` peers (podSelector, namespaceSelector, both, ipBlock with
// except) and ports (number, name, endPort, protocol) let through, the exceptions upstream documents
// (a pod reaching itself, a pod's own node), DNS under egress isolation, and that a denied
// connection is dropped (a timeout), never refused.
import { describe, expect, it } from "vitest";
import { ClusterNet } from "../../../worker/network/cluster";
import { NetworkMemory } from "../../../worker/network/memory";
import { ClusterNetwork } from "../../../worker/network/network";
import { policyAllows, type PolicyPeer } from "../../../worker/network/network-policy";
import { route, type Client } from "../../../worker/network/proxy";
import type { KubeObject } from "../../../worker/resources/types";
import { cluster, type Objects } from "./fixture";

const NOW = Date.parse("2026-01-02T00:00:00Z");

function withNamespaces(o: Objects): Objects {
  for (const [name, labels] of [
    ["default", {}],
    ["kube-system", {}],
    ["team-a", { team: "a" }],
    ["team-b", { team: "b" }],
  ] as const) {
    o.add("/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name, labels: { "kubernetes.io/metadata.name": name, ...labels } } });
  }
  // web pods serve 8080, named "http".
  for (const p of o.list("/pods", "default")) (p.spec as { containers: { ports?: unknown[] }[] }).containers[0].ports = [{ name: "http", containerPort: 8080, protocol: "TCP" }];
  o.pod("client", "k8s-node2", "10.244.2.9", { role: "client" });
  o.pod("other", "k8s-node2", "10.244.2.10", { role: "other" });
  o.pod("a-client", "k8s-node1", "10.244.1.20", { role: "client" }, "team-a");
  o.pod("b-client", "k8s-node1", "10.244.1.21", { role: "client" }, "team-b");
  return o;
}

let seq = 0;
function policy(o: Objects, spec: Record<string, unknown>, namespace = "default"): void {
  o.add("networking.k8s.io/networkpolicies", { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: `p${seq++}`, namespace }, spec });
}

const fromPod = (ip: string, node: string): Client => ({ ip, node, kind: "pod" });
const CLIENT = fromPod("10.244.2.9", "k8s-node2");

/** Where a connection to `ip:port` ends: `pod` or how it failed. */
function reach(o: Objects, client: Client, ip: string, port: number, protocol: "TCP" | "UDP" = "TCP"): string {
  const r = route(new ClusterNet(o, NOW), new NetworkMemory(), client, ip, port, { now: NOW, random: () => 0, protocol });
  return r.kind;
}

const DENY_ALL_INGRESS = { podSelector: {}, policyTypes: ["Ingress"] };
const WEB = { matchLabels: { app: "web" } };

describe("isolation", () => {
  it("a pod no policy selects takes every connection; a selected one only what a rule allows", () => {
    const o = withNamespaces(cluster());
    expect(reach(o, CLIENT, "10.244.1.2", 8080)).toBe("pod");
    policy(o, { podSelector: WEB, policyTypes: ["Ingress"] });
    expect(reach(o, CLIENT, "10.244.1.2", 8080)).toBe("timeout");
    // Through the Service too: the verdict is on the endpoint kube-proxy chose.
    expect(reach(o, CLIENT, "10.96.1.2", 80)).toBe("timeout");
    // The client itself is not selected.
    expect(reach(o, fromPod("10.244.1.2", "k8s-node1"), "10.244.2.9", 80)).toBe("pod");
  });

  it("a policy in another namespace isolates nothing here", () => {
    const o = withNamespaces(cluster());
    policy(o, DENY_ALL_INGRESS, "team-a");
    expect(reach(o, CLIENT, "10.244.1.2", 8080)).toBe("pod");
    expect(reach(o, CLIENT, "10.244.1.20", 80)).toBe("timeout");
  });

  it("policies add up: any one allowing is enough", () => {
    const o = withNamespaces(cluster());
    policy(o, DENY_ALL_INGRESS);
    expect(reach(o, CLIENT, "10.244.1.2", 8080)).toBe("timeout");
    policy(o, { podSelector: WEB, ingress: [{ from: [{ podSelector: { matchLabels: { role: "client" } } }] }] });
    expect(reach(o, CLIENT, "10.244.1.2", 8080)).toBe("pod");
    expect(reach(o, fromPod("10.244.2.10", "k8s-node2"), "10.244.1.2", 8080)).toBe("timeout");
  });

  it("policyTypes default as the apiserver's do: Ingress, plus Egress with egress rules", () => {
    const o = withNamespaces(cluster());
    // No policyTypes and no egress rules: ingress isolation only.
    policy(o, { podSelector: { matchLabels: { role: "client" } } });
    expect(reach(o, CLIENT, "10.244.1.2", 8080)).toBe("pod");
    expect(reach(o, fromPod("10.244.1.2", "k8s-node1"), "10.244.2.9", 80)).toBe("timeout");
    // Egress rules make it an Egress policy too.
    policy(o, { podSelector: { matchLabels: { role: "client" } }, egress: [{ to: [{ podSelector: { matchLabels: { app: "nothing" } } }] }] });
    expect(reach(o, CLIENT, "10.244.1.2", 8080)).toBe("timeout");
  });

  it("never blocks a pod reaching itself, nor its own node, and leaves hostNetwork pods alone", () => {
    const o = withNamespaces(cluster());
    policy(o, { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
    const webA = fromPod("10.244.1.2", "k8s-node1");
    expect(reach(o, webA, "10.244.1.2", 8080)).toBe("pod");
    expect(reach(o, webA, "10.96.1.2", 80)).not.toBe("timeout");
    // The node shell on the pod's node gets in; another node does not.
    expect(reach(o, { ip: "192.168.1.11", node: "k8s-node1", kind: "host" }, "10.244.1.2", 8080)).toBe("pod");
    expect(reach(o, { ip: "192.168.1.12", node: "k8s-node2", kind: "host" }, "10.244.1.2", 8080)).toBe("timeout");
  });
});

describe("peers", () => {
  const peer = (namespace: string, labels: Record<string, string>, ip: string): PolicyPeer => ({ ip, node: "k8s-node1", pod: { namespace, labels } });
  const target = peer("default", { app: "web" }, "10.244.1.2");
  const cases: [string, Record<string, unknown>, PolicyPeer, boolean][] = [
    ["podSelector: same namespace only", { podSelector: { matchLabels: { role: "client" } } }, peer("default", { role: "client" }, "10.244.2.9"), true],
    ["podSelector: not another namespace's pods", { podSelector: { matchLabels: { role: "client" } } }, peer("team-a", { role: "client" }, "10.244.1.20"), false],
    ["podSelector: labels must match", { podSelector: { matchLabels: { role: "client" } } }, peer("default", { role: "other" }, "10.244.2.10"), false],
    ["podSelector {}: every pod of the namespace", { podSelector: {} }, peer("default", { role: "other" }, "10.244.2.10"), true],
    ["namespaceSelector: every pod of those namespaces", { namespaceSelector: { matchLabels: { team: "a" } } }, peer("team-a", { role: "x" }, "10.244.1.20"), true],
    ["namespaceSelector: not others", { namespaceSelector: { matchLabels: { team: "a" } } }, peer("team-b", { role: "client" }, "10.244.1.21"), false],
    ["namespaceSelector by kubernetes.io/metadata.name", { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "team-b" } } }, peer("team-b", {}, "10.244.1.21"), true],
    ["namespaceSelector {}: every namespace", { namespaceSelector: {} }, peer("team-b", {}, "10.244.1.21"), true],
    ["both: the pods in those namespaces", { namespaceSelector: { matchLabels: { team: "a" } }, podSelector: { matchLabels: { role: "client" } } }, peer("team-a", { role: "client" }, "10.244.1.20"), true],
    ["both: not other pods there", { namespaceSelector: { matchLabels: { team: "a" } }, podSelector: { matchLabels: { role: "client" } } }, peer("team-a", { role: "x" }, "10.244.1.20"), false],
    ["both: not those pods elsewhere", { namespaceSelector: { matchLabels: { team: "a" } }, podSelector: { matchLabels: { role: "client" } } }, peer("default", { role: "client" }, "10.244.2.9"), false],
    ["ipBlock", { ipBlock: { cidr: "10.244.2.0/24" } }, peer("default", { role: "other" }, "10.244.2.10"), true],
    ["ipBlock except", { ipBlock: { cidr: "10.244.0.0/16", except: ["10.244.2.0/24"] } }, peer("default", { role: "other" }, "10.244.2.10"), false],
    ["ipBlock outside", { ipBlock: { cidr: "192.168.1.0/24" } }, { ip: "192.168.1.1" }, true],
    ["selectors never match outside addresses", { namespaceSelector: {} }, { ip: "192.168.1.1" }, false],
    ["selectors never match a node", { podSelector: {} }, { ip: "10.244.2.0", node: "k8s-node2", host: true }, false],
  ];
  for (const [name, from, source, allowed] of cases) {
    it(`ingress from ${name}`, () => {
      const o = withNamespaces(cluster());
      policy(o, { podSelector: WEB, ingress: [{ from: [from] }] });
      expect(policyAllows(new ClusterNet(o, NOW), { from: source, to: target, port: 8080, protocol: "TCP" })).toBe(allowed);
    });
    it(`egress to ${name}`, () => {
      const o = withNamespaces(cluster());
      policy(o, { podSelector: WEB, policyTypes: ["Egress"], egress: [{ to: [from] }] });
      expect(policyAllows(new ClusterNet(o, NOW), { from: target, to: source, port: 8080, protocol: "TCP" })).toBe(allowed);
    });
  }

  it("an empty rule list denies all; a rule without peers allows every source", () => {
    const o = withNamespaces(cluster());
    policy(o, { podSelector: WEB, ingress: [] });
    expect(reach(o, CLIENT, "10.244.1.2", 8080)).toBe("timeout");
    policy(o, { podSelector: WEB, ingress: [{}] });
    expect(reach(o, CLIENT, "10.244.1.2", 8080)).toBe("pod");
  });
});

describe("ports", () => {
  const cases: [string, Record<string, unknown>[], number, "TCP" | "UDP", boolean][] = [
    ["a number", [{ port: 8080 }], 8080, "TCP", true],
    ["another number", [{ port: 9090 }], 8080, "TCP", false],
    ["protocol defaults to TCP", [{ port: 8080 }], 8080, "UDP", false],
    ["UDP", [{ port: 8080, protocol: "UDP" }], 8080, "UDP", true],
    ["a protocol without a port: all its ports", [{ protocol: "TCP" }], 8080, "TCP", true],
    ["a named port of the destination pod", [{ port: "http" }], 8080, "TCP", true],
    ["a name the pod does not have", [{ port: "metrics" }], 8080, "TCP", false],
    ["a range with endPort", [{ port: 8000, endPort: 8100 }], 8080, "TCP", true],
    ["below the range", [{ port: 8081, endPort: 8100 }], 8080, "TCP", false],
    ["any of several", [{ port: 80 }, { port: 8080 }], 8080, "TCP", true],
  ];
  for (const [name, ports, port, protocol, allowed] of cases) {
    it(name, () => {
      const o = withNamespaces(cluster());
      policy(o, { podSelector: WEB, ingress: [{ from: [{ podSelector: {} }], ports }] });
      const pod = o.get("/pods", "default", "web-a") as KubeObject;
      const to: PolicyPeer = { ip: "10.244.1.2", node: "k8s-node1", pod: { namespace: "default", labels: pod.metadata.labels ?? {}, ports: [{ name: "http", containerPort: 8080, protocol: "TCP" }] } };
      expect(policyAllows(new ClusterNet(o, NOW), { from: { ip: "10.244.2.9", pod: { namespace: "default", labels: { role: "client" } } }, to, port, protocol })).toBe(allowed);
    });
  }
});

describe("egress", () => {
  it("default-deny egress cuts DNS too, until a rule allows port 53 to kube-dns", () => {
    const o = withNamespaces(cluster());
    const net = () => new ClusterNetwork({ reader: o, now: NOW }, CLIENT);
    expect(net().dns("10.96.0.10", "web.default.svc.cluster.local", "A")?.rcode).toBe("NOERROR");
    policy(o, { podSelector: {}, policyTypes: ["Egress"] });
    expect(net().dns("10.96.0.10", "web.default.svc.cluster.local", "A")).toBeUndefined();
    expect(reach(o, CLIENT, "10.96.1.2", 80)).toBe("timeout");
    policy(o, { podSelector: {}, policyTypes: ["Egress"], egress: [{ to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }], ports: [{ port: 53, protocol: "UDP" }, { port: 53, protocol: "TCP" }] }] });
    expect(net().dns("10.96.0.10", "web.default.svc.cluster.local", "A")?.rcode).toBe("NOERROR");
    expect(reach(o, CLIENT, "10.96.1.2", 80)).toBe("timeout");
    policy(o, { podSelector: { matchLabels: { role: "client" } }, egress: [{ to: [{ podSelector: WEB }], ports: [{ port: 8080 }] }] });
    expect(reach(o, CLIENT, "10.96.1.2", 80)).toBe("pod");
  });

  it("a pod may always reach its own node; other nodes only through an ipBlock", () => {
    const o = withNamespaces(cluster());
    o.add("/pods", { apiVersion: "v1", kind: "Pod", metadata: { name: "hostnet", namespace: "default", labels: {} }, spec: { nodeName: "k8s-node1", hostNetwork: true, containers: [{ name: "c", image: "nginx" }] }, status: { phase: "Running", podIP: "192.168.1.11" } });
    o.add("/pods", { apiVersion: "v1", kind: "Pod", metadata: { name: "hostnet2", namespace: "default", labels: {} }, spec: { nodeName: "k8s-node2", hostNetwork: true, containers: [{ name: "c", image: "nginx" }] }, status: { phase: "Running", podIP: "192.168.1.12" } });
    policy(o, { podSelector: { matchLabels: { role: "client" } }, policyTypes: ["Egress"] });
    expect(reach(o, CLIENT, "192.168.1.12", 9100)).toBe("pod");
    expect(reach(o, CLIENT, "192.168.1.11", 9100)).toBe("timeout");
    policy(o, { podSelector: { matchLabels: { role: "client" } }, policyTypes: ["Egress"], egress: [{ to: [{ ipBlock: { cidr: "192.168.1.0/24" } }] }] });
    expect(reach(o, CLIENT, "192.168.1.11", 9100)).toBe("pod");
  });

  it("ping needs a rule without ports", () => {
    const o = withNamespaces(cluster());
    const ping = () => new ClusterNetwork({ reader: o, now: NOW }, CLIENT).ping("10.244.1.2", NOW).kind;
    expect(ping()).toBe("reply");
    policy(o, { podSelector: WEB, ingress: [{ from: [{ podSelector: {} }], ports: [{ port: 8080 }] }] });
    expect(ping()).toBe("timeout");
    policy(o, { podSelector: WEB, ingress: [{ from: [{ podSelector: {} }] }] });
    expect(ping()).toBe("reply");
  });
});
