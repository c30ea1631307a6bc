// kube-proxy's choice: uniform random in iptables mode, round-robin in IPVS mode, ClientIP affinity,
// traffic policies, and how connections fail.
import { describe, expect, it } from "vitest";
import { ClusterNet } from "../../../worker/network/cluster";
import { NetworkMemory } from "../../../worker/network/memory";
import { route, type Client } from "../../../worker/network/proxy";
import { Rng } from "../../../worker/sandbox/rng";
import { cluster, type Objects } from "./fixture";

const NOW = Date.parse("2026-01-02T00:00:00Z");
const fromPod: Client = { ip: "10.244.2.9", node: "k8s-node2", kind: "pod" };

function ipvs(o: Objects): void {
  (o.get("/configmaps", "kube-system", "kube-proxy")!.data as Record<string, string>)["config.conf"] = "mode: ipvs\n";
}

function picks(o: Objects, n: number, client = fromPod, ip = "10.96.1.2", port = 80, mem = new NetworkMemory()): string[] {
  const net = new ClusterNet(o, NOW);
  const rng = new Rng(42);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = route(net, mem, client, ip, port, { now: NOW + i, random: () => rng.next() });
    out.push(r.kind === "pod" ? `${r.ip}:${r.port}` : r.kind);
  }
  return out;
}

describe("iptables mode", () => {
  it("spreads connections uniformly over the ready endpoints (seeded generator)", () => {
    const counts = new Map<string, number>();
    for (const p of picks(cluster(), 3000)) counts.set(p, (counts.get(p) ?? 0) + 1);
    expect([...counts.keys()].sort()).toEqual(["10.244.1.2:8080", "10.244.1.3:8080", "10.244.2.2:8080"]);
    for (const c of counts.values()) expect(Math.abs(c - 1000)).toBeLessThan(100);
  });

  it("skips endpoints that are not ready, and falls back to serving terminating ones", () => {
    const o = cluster();
    const slice = o.get("discovery.k8s.io/endpointslices", "default", "web-abcde") as unknown as { endpoints: { conditions: Record<string, boolean> }[] };
    slice.endpoints[0].conditions = { ready: false, serving: false, terminating: false };
    slice.endpoints[1].conditions = { ready: false, serving: false, terminating: false };
    expect(new Set(picks(o, 50))).toEqual(new Set(["10.244.2.2:8080"]));
    slice.endpoints[2].conditions = { ready: false, serving: true, terminating: true };
    expect(new Set(picks(o, 20))).toEqual(new Set(["10.244.2.2:8080"]));
    slice.endpoints[2].conditions = { ready: false, serving: false, terminating: true };
    expect(picks(o, 1)).toEqual(["refused"]);
  });
});

describe("ipvs mode", () => {
  it("walks the real servers round-robin, in address order", () => {
    const o = cluster();
    ipvs(o);
    expect(picks(o, 5)).toEqual(["10.244.1.2:8080", "10.244.1.3:8080", "10.244.2.2:8080", "10.244.1.2:8080", "10.244.1.3:8080"]);
  });

  it("a ClusterIP port nobody serves is refused by the node itself (iptables drops it)", () => {
    const o = cluster();
    expect(picks(o, 1, fromPod, "10.96.1.2", 81)).toEqual(["timeout"]);
    ipvs(o);
    expect(picks(o, 1, fromPod, "10.96.1.2", 81)).toEqual(["refused"]);
  });
});

describe("session affinity", () => {
  it("ClientIP sticks to the first pick until it times out", () => {
    const o = cluster();
    const web = o.get("/services", "default", "web")!;
    (web.spec as Record<string, unknown>).sessionAffinity = "ClientIP";
    (web.spec as Record<string, unknown>).sessionAffinityConfig = { clientIP: { timeoutSeconds: 60 } };
    const mem = new NetworkMemory();
    const first = picks(o, 30, fromPod, "10.96.1.2", 80, mem);
    expect(new Set(first).size).toBe(1);
    const other = picks(o, 30, { ...fromPod, ip: "10.244.2.10" }, "10.96.1.2", 80, mem);
    expect(new Set(other).size).toBe(1);
  });
});

describe("NodePorts and traffic policies", () => {
  function nodePort(o: Objects, policy: "Cluster" | "Local"): void {
    const web = o.get("/services", "default", "web")!;
    Object.assign(web.spec as object, { type: "NodePort", externalTrafficPolicy: policy });
    (web.spec as { ports: Record<string, unknown>[] }).ports[0].nodePort = 30080;
  }

  it("answers on every node, and on 127.0.0.1 from the node in iptables mode only", () => {
    const o = cluster();
    nodePort(o, "Cluster");
    const host: Client = { ip: "192.168.1.10", node: "k8s-master", kind: "host" };
    for (const ip of ["192.168.1.10", "192.168.1.11", "192.168.1.12", "127.0.0.1"]) expect(picks(o, 1, host, ip, 30080)[0]).toMatch(/:8080$/);
    ipvs(o);
    expect(picks(o, 1, host, "127.0.0.1", 30080)).toEqual(["refused"]);
  });

  it("Local keeps outside traffic on the receiving node's endpoints, and drops it where there are none", () => {
    const o = cluster();
    nodePort(o, "Local");
    const outside: Client = { ip: "192.168.1.1", kind: "outside" };
    expect(new Set(picks(o, 20, outside, "192.168.1.12", 30080))).toEqual(new Set(["10.244.2.2:8080"]));
    expect(picks(o, 1, outside, "192.168.1.10", 30080)).toEqual(["timeout"]);
    // Pods reach it as the ClusterIP, whatever node they ask.
    expect(picks(o, 1, fromPod, "192.168.1.10", 30080)[0]).toMatch(/:8080$/);
  });
});

describe("externalIPs", () => {
  it("a Service's external IP on its port reaches its endpoints, from pods and from the nodes; other ports are not served", () => {
    const o = cluster();
    Object.assign(o.get("/services", "default", "web")!.spec as object, { externalIPs: ["198.51.100.7"] });
    const host: Client = { ip: "192.168.1.11", node: "k8s-node1", kind: "host" };
    expect(new Set(picks(o, 20, fromPod, "198.51.100.7", 80))).toEqual(new Set(["10.244.1.2:8080", "10.244.1.3:8080", "10.244.2.2:8080"]));
    expect(picks(o, 1, host, "198.51.100.7", 80)[0]).toMatch(/^10\.244\.\d+\.\d+:8080$/);
    expect(picks(o, 1, fromPod, "198.51.100.7", 81)[0]).not.toMatch(/:8080$/);
    // Without it, the address is nobody's.
    const plain = cluster();
    expect(picks(plain, 1, fromPod, "198.51.100.7", 80)[0]).not.toMatch(/:8080$/);
  });
});

describe("failures", () => {
  it("no endpoints: refused; an unknown pod IP: unreachable; a stopped node: timeout", () => {
    const o = cluster();
    o.service("empty", { clusterIP: "10.96.1.3", ports: [{ port: 80, protocol: "TCP" }] });
    o.slice("empty", { port: 80 }, []);
    expect(picks(o, 1, fromPod, "10.96.1.3", 80)).toEqual(["refused"]);
    expect(picks(o, 1, fromPod, "10.244.1.99", 80)).toEqual(["unreachable"]);
    o.add("kubeplay.internal/machines", { apiVersion: "kubeplay.internal/v1", kind: "Machine", metadata: { name: "k8s-node1" }, kubelet: "stopped", stoppedAt: "2026-01-01T12:00:00Z" } as never);
    expect(picks(o, 1, fromPod, "10.244.1.2", 8080)).toEqual(["timeout"]);
    expect(picks(o, 1, fromPod, "8.8.8.8", 53)).toEqual(["timeout"]);
  });
});
