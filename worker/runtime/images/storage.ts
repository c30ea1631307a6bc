// The storage images tutorials deploy: the Kubernetes CSI sidecars (csi-provisioner,
// csi-resizer, csi-snapshotter, csi-attacher, livenessprobe, csi-node-driver-registrar,
// snapshot-controller), the NFS CSI driver (nfsplugin) and nfs-subdir-external-provisioner.
// They run as long-lived processes that log their start; what makes volumes appear is not in them
// but in the provisioners that run while these containers do (controllers/volume/provisioners).
import type { CatalogImage } from "../images";
import type { HttpServer } from "../types";
import type { Program } from "../shell/proc";

export function flag(argv: string[], name: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === `--${name}` || argv[i] === `-${name}`) return argv[i + 1];
    if (argv[i].startsWith(`--${name}=`) || argv[i].startsWith(`-${name}=`)) return argv[i].slice(argv[i].indexOf("=") + 1);
  }
  return undefined;
}

const healthz: HttpServer = (req) => (req.path.split("?")[0] === "/healthz" ? { status: 200, body: "ok" } : { status: 404, body: "404 page not found\n" });

/** A line as klog writes it at Info level (`I` + month and day, the time, the pid: 1 in a container). */
export function klogLine(p: { now(): number }, text: string, level = "I"): string {
  const d = new Date(p.now());
  const mmdd = `${String(d.getUTCMonth() + 1).padStart(2, "0")}${String(d.getUTCDate()).padStart(2, "0")}`;
  return `${level}${mmdd} ${d.toISOString().slice(11, 23)}000       1 ${text}\n`;
}

/** A sidecar that connects to the driver's socket and then watches the API. */
function sidecar(started: string): Program {
  return (p, argv, io) => {
    io.err(klogLine(p, `main.go:110] Version: ${p.opts.imageTag ?? "unknown"}`));
    io.err(klogLine(p, `connection.go:215] Connecting to unix://${flag(argv, "csi-address") ?? "/run/csi/socket"}`));
    io.err(klogLine(p, started));
    p.term = { after: 0, code: 0 };
    return p.block();
  };
}

// The livenessprobe sidecar serves /healthz on --http-endpoint or --health-port (default 9808).
const livenessprobe: Program = (p, argv, io) => {
  const endpoint = flag(argv, "http-endpoint");
  const port = Number(endpoint ? endpoint.slice(endpoint.lastIndexOf(":") + 1) : (flag(argv, "health-port") ?? 9808));
  io.err(klogLine(p, `main.go:149] calling CSI driver to discover driver name`));
  io.err(klogLine(p, `main.go:174] ServeMux listening at "${endpoint ?? `0.0.0.0:${port}`}"`));
  p.listen({ port, protocol: "TCP", after: 100, http: healthz, server: "livenessprobe" });
  p.term = { after: 0, code: 0 };
  return p.block();
};

// csi-node-driver-registrar; `--mode=kubelet-registration-probe` is its own liveness check.
const registrar: Program = (p, argv, io) => {
  if (flag(argv, "mode") === "kubelet-registration-probe") return 0;
  io.err(klogLine(p, `main.go:150] Version: ${p.opts.imageTag ?? "unknown"}`));
  io.err(klogLine(p, `node_register.go:53] Starting Registration Server at: /registration/${flag(argv, "kubelet-registration-path")?.split("/").slice(-2, -1)[0] ?? "csi"}-reg.sock`));
  p.term = { after: 0, code: 0 };
  return p.block();
};

// The driver. A pod's containers share one network namespace, and its liveness probes name the
// port of the livenessprobe sidecar (29652 for the controller, 29653 for the node plugin in
// csi-driver-nfs's manifests); probes here ask the probed container, so the driver answers them.
const nfsplugin: Program = (p, argv, io) => {
  io.err(klogLine(p, `nfs.go:89] Driver: ${flag(argv, "drivername") ?? "nfs.csi.k8s.io"} version: ${p.opts.imageTag ?? "unknown"}`));
  io.err(klogLine(p, `server.go:117] Listening for connections on address: &net.UnixAddr{Name:"/csi/csi.sock", Net:"unix"}`));
  for (const port of [29652, 29653, 9808]) p.listen({ port, protocol: "TCP", after: 100, http: healthz, server: "nfsplugin" });
  p.term = { after: 0, code: 0 };
  return p.block();
};

const subdir: Program = (p) => {
  p.term = { after: 0, code: 0 };
  return p.block();
};

export const STORAGE_PROGRAMS: Record<string, Program> = {
  "csi-provisioner": sidecar("controller.go:811] Starting provisioner controller"),
  "csi-resizer": sidecar("controller.go:255] Starting external resizer"),
  "csi-snapshotter": sidecar("snapshot_controller_base.go:151] Starting CSI snapshotter"),
  "csi-attacher": sidecar("controller.go:115] Starting CSI attacher"),
  "snapshot-controller": sidecar("snapshot_controller_base.go:174] Starting snapshot controller"),
  livenessprobe,
  "csi-node-driver-registrar": registrar,
  nfsplugin,
  "nfs-subdir-external-provisioner": subdir,
};

function sigStorage(name: string, lines: Record<string, number>, size: number, memoryMi = 15): CatalogImage {
  return {
    id: name,
    repositories: [`registry.k8s.io/sig-storage/${name}`, `k8s.gcr.io/sig-storage/${name}`, `gcr.io/k8s-staging-sig-storage/${name}`],
    names: [name],
    tags: { named: ["canary"], lines, prefix: "v" },
    size,
    config: { entrypoint: [`/${name}`] },
    shell: "none",
    memoryMi,
    programs: [name],
    files: {},
  };
}

export const STORAGE_IMAGES: CatalogImage[] = [
  sigStorage("csi-provisioner", { "3.4": 1, "3.5": 0, "3.6": 4, "4.0": 1, "5.0": 2, "5.1": 0, "5.2": 0, "5.3": 0 }, 28_600_000),
  sigStorage("csi-resizer", { "1.8": 1, "1.9": 4, "1.10": 1, "1.11": 2, "1.12": 0, "1.13": 2, "1.14": 0 }, 28_100_000),
  sigStorage("csi-snapshotter", { "6.2": 2, "6.3": 4, "7.0": 2, "8.0": 1, "8.1": 0, "8.2": 1 }, 26_800_000),
  sigStorage("csi-attacher", { "4.3": 0, "4.4": 4, "4.5": 1, "4.6": 1, "4.7": 0, "4.8": 1 }, 27_500_000),
  sigStorage("snapshot-controller", { "6.2": 2, "6.3": 4, "7.0": 2, "8.0": 1, "8.1": 0, "8.2": 1 }, 25_400_000),
  sigStorage("livenessprobe", { "2.10": 0, "2.11": 0, "2.12": 0, "2.13": 1, "2.14": 0, "2.15": 0 }, 9_800_000, 5),
  sigStorage("csi-node-driver-registrar", { "2.8": 0, "2.9": 4, "2.10": 1, "2.11": 1, "2.12": 0, "2.13": 0 }, 10_500_000, 5),
  sigStorage("nfsplugin", { "4.4": 0, "4.5": 0, "4.6": 0, "4.7": 0, "4.8": 0, "4.9": 0, "4.10": 0, "4.11": 0 }, 83_500_000, 20),
  sigStorage("nfs-subdir-external-provisioner", { "4.0": 2 }, 17_200_000, 10),
];
