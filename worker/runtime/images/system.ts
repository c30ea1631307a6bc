// The cluster's own images: pause, the control plane (apiserver, controller-manager, scheduler),
// etcd, CoreDNS and kube-proxy. They serve the health endpoints their probes ask for.
import type { CatalogImage } from "../images";
import type { Program } from "../shell/proc";
import type { HttpServer } from "../types";
import { flag, klogLine, STORAGE_IMAGES, STORAGE_PROGRAMS } from "./storage";

const healthz: HttpServer = (req) => {
  const path = req.path.split("?")[0];
  if (["/livez", "/readyz", "/healthz"].includes(path)) return { status: 200, body: "ok" };
  if (path === "/health") return { status: 200, body: '{"health":"true","reason":""}' };
  if (path === "/metrics") return { status: 200, body: "# HELP up\n" };
  return { status: 404, body: "404 page not found\n" };
};

/** `grpcPorts` also serve gRPC with a health server (etcd's client port, as the docs' gRPC probe uses). */
function component(ports: number[], startMs: number, term = { after: 1000, code: 0 }, grpcPorts: number[] = []): Program {
  return (p) => {
    for (const port of ports) {
      const grpc = grpcPorts.includes(port) ? { health: [""] } : undefined;
      p.listen({ port, protocol: "TCP", after: startMs, http: healthz, server: "component", ...(grpc ? { grpc } : {}) });
    }
    p.term = term;
    return p.block();
  };
}

const coredns: Program = (p, _argv, io) => {
  io.out(".:53\n[INFO] plugin/reload: Running configuration SHA512 = 591cf328cccc12bc490481273e738df59329c62c0b729d94e8b61db9961c2fa5f046dd37f1cf888b953814040d180f52594972691cd6ff41be96639138a43908\nCoreDNS-1.11.3\nlinux/amd64, go1.21.11, a6338e9\n");
  p.listen({ port: 53, protocol: "UDP", after: 200, server: "coredns" });
  p.listen({ port: 53, protocol: "TCP", after: 200, server: "coredns" });
  p.listen({ port: 9153, protocol: "TCP", after: 200, http: healthz, server: "coredns" });
  p.listen({ port: 8080, protocol: "TCP", after: 200, http: (r) => (r.path === "/health" ? { status: 200, body: "OK" } : healthz(r, undefined as never)), server: "coredns" });
  p.listen({ port: 8181, protocol: "TCP", after: 300, http: (r) => (r.path === "/ready" ? { status: 200, body: "OK" } : healthz(r, undefined as never)), server: "coredns" });
  p.term = { after: 5000, code: 0 };
  return p.block();
};

/**
 * kube-proxy: what it logs starting up (cmd/kube-proxy/app/server.go, server_linux.go), the proxier
 * named after the mode in the configuration file it is given (the kube-proxy ConfigMap, mounted), and
 * its health and metrics ports.
 */
const kubeProxy: Program = (p, argv, io) => {
  const configPath = flag(argv, "config");
  const conf = configPath ? (p.readFile(configPath) ?? "") : "";
  // A blank mode is the best available one: iptables.
  const mode = /^mode:\s*"?([A-Za-z]*)"?\s*$/m.exec(conf)?.[1] || "iptables";
  const proxier = mode === "ipvs" ? "ipvs" : mode === "nftables" ? "nftables" : "iptables";
  const log = (text: string) => io.err(klogLine(p, text));
  log(`server.go:698] "Successfully retrieved node IP(s)" IPs=["${p.opts.podIP || "127.0.0.1"}"]`);
  log(`conntrack.go:60] "Setting nf_conntrack_max" nfConntrackMax=131072`);
  log(`server_linux.go:170] "Using ${proxier} Proxier"`);
  if (proxier === "iptables") {
    log(
      `proxier.go:255] "Setting route_localnet=1 to allow node-ports on localhost; to change this either disable iptables.localhostNodePorts (--iptables-localhost-nodeports) or set nodePortAddresses (--nodeport-addresses) to filter loopback addresses" ipFamily="IPv4"`,
    );
  }
  log(`server.go:497] "Version info" version="${p.opts.imageTag ?? "v1.32.3"}"`);
  log(`server.go:499] "Golang settings" GOGC="" GOMAXPROCS="" GOTRACEBACK=""`);
  for (const [what, line] of [["service config", 199], ["endpoint slice config", 105], ["node config", 329]] as const) {
    const name = what === "endpoint slice config" ? "endpoint slice" : what.replace(" config", "");
    log(`config.go:${line}] "Starting ${name} config controller"`);
    log(`shared_informer.go:313] Waiting for caches to sync for ${what}`);
  }
  for (const what of ["node config", "service config", "endpoint slice config"]) log(`shared_informer.go:320] Caches are synced for ${what}`);
  return component([10256, 10249], 500)(p, argv, io);
};

const pause: Program = (p) => {
  p.term = { after: 0, code: 0 };
  return p.block();
};

export const SYSTEM_PROGRAMS: Record<string, Program> = {
  pause,
  "kube-apiserver": component([6443], 5000),
  "kube-controller-manager": component([10257], 1000),
  "kube-scheduler": component([10259], 1000),
  "kube-proxy": kubeProxy,
  etcd: component([2379, 2380, 2381], 1000, undefined, [2379]),
  coredns,
  ...STORAGE_PROGRAMS,
};

const kubeLines = { "1.28": 15, "1.29": 14, "1.30": 10, "1.31": 6, "1.32": 4, "1.33": 1 };

function controlPlane(name: string, size: number, memoryMi: number): CatalogImage {
  return {
    id: name,
    repositories: [`registry.k8s.io/${name}`, `k8s.gcr.io/${name}`, `registry.aliyuncs.com/google_containers/${name}`],
    names: [name],
    tags: { named: [], lines: kubeLines, prefix: "v" },
    size,
    config: { entrypoint: [`/usr/local/bin/${name}`] },
    shell: "none",
    memoryMi,
    programs: [name],
    files: {},
  };
}

export const SYSTEM_IMAGES: CatalogImage[] = [
  {
    id: "pause",
    repositories: ["registry.k8s.io/pause", "k8s.gcr.io/pause", "gcr.io/google_containers/pause", "registry.aliyuncs.com/google_containers/pause"],
    names: ["pause"],
    tags: { named: ["latest", "3.1", "3.2", "3.3", "3.4.1", "3.5", "3.6", "3.7", "3.8", "3.9", "3.10"] },
    size: 320_368,
    config: { entrypoint: ["/pause"] },
    shell: "none",
    memoryMi: 0.2,
    programs: ["pause"],
    files: {},
  },
  controlPlane("kube-apiserver", 28_000_000, 250),
  controlPlane("kube-controller-manager", 26_000_000, 50),
  controlPlane("kube-scheduler", 20_000_000, 20),
  controlPlane("kube-proxy", 30_000_000, 20),
  {
    id: "etcd",
    repositories: ["registry.k8s.io/etcd", "k8s.gcr.io/etcd", "registry.aliyuncs.com/google_containers/etcd", "quay.io/coreos/etcd"],
    names: ["etcd"],
    tags: { named: ["latest"], lines: { "3.4": 35, "3.5": 21 }, variants: ["0", "1", "2"], prefix: "" },
    size: 57_680_000,
    config: { entrypoint: ["/usr/local/bin/etcd"] },
    shell: "none",
    memoryMi: 40,
    programs: ["etcd"],
    files: {},
  },
  {
    id: "coredns",
    repositories: ["registry.k8s.io/coredns/coredns", "k8s.gcr.io/coredns/coredns", "docker.io/coredns/coredns", "registry.aliyuncs.com/google_containers/coredns"],
    names: ["coredns"],
    tags: { named: ["latest"], lines: { "1.8": 7, "1.9": 4, "1.10": 1, "1.11": 4, "1.12": 0 }, prefix: "v" },
    size: 18_560_000,
    config: { entrypoint: ["/coredns"] },
    shell: "none",
    memoryMi: 15,
    programs: ["coredns"],
    files: {},
  },
  ...STORAGE_IMAGES,
];
