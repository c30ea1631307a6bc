// What a node serves, as its shell sees it. `ss`: the TCP sockets a kubeadm node listens on — sshd,
// the kubelet (and containerd's streaming server) while the kubelet runs, kube-proxy's metrics and
// health ports, and on the control plane the API server, etcd, the controller manager and the
// scheduler. NodePorts are not among them: kube-proxy forwards them with iptables or IPVS rules and
// holds no socket (seed 001). `showmount -e`: the NFS exports of a node, read from its /etc/exports
// (seed 003).
import type { Program } from "../runtime/shell/proc";
import { DIRECTORY } from "../runtime/types";

interface Listener {
  local: string;
  process: string;
}

export interface NodeSockets {
  ip: string;
  controlPlane: boolean;
  kubeletRunning(): boolean;
}

function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function listeners(node: string, n: NodeSockets): Listener[] {
  const out: Listener[] = [
    { local: "127.0.0.53%lo:53", process: "systemd-resolve" },
    { local: "0.0.0.0:22", process: "sshd" },
    { local: "[::]:22", process: "sshd" },
    { local: "127.0.0.1:10249", process: "kube-proxy" },
    { local: "*:10256", process: "kube-proxy" },
  ];
  if (n.kubeletRunning()) {
    // containerd's CRI streaming server takes a free port at start.
    out.push({ local: `127.0.0.1:${32768 + (hash(node) % 28000)}`, process: "containerd" }, { local: "127.0.0.1:10248", process: "kubelet" }, { local: "*:10250", process: "kubelet" });
  }
  if (n.controlPlane) {
    out.push(
      { local: `${n.ip}:2379`, process: "etcd" },
      { local: "127.0.0.1:2379", process: "etcd" },
      { local: `${n.ip}:2380`, process: "etcd" },
      { local: "127.0.0.1:2381", process: "etcd" },
      { local: "127.0.0.1:10257", process: "kube-controller-manager" },
      { local: "127.0.0.1:10259", process: "kube-scheduler" },
      { local: "*:6443", process: "kube-apiserver" },
    );
  }
  return out;
}

const USAGE = "ss: this node's ss lists listening TCP sockets (ss -tln, -p for processes)\n";

/** `ss` for `node`: listening TCP sockets only, as `ss -tln` (`-p` adds the process column). */
export function ssProgram(node: string, n: NodeSockets): Program {
  return (_p, argv, io) => {
    const flags = argv.slice(1).filter((a) => /^-[a-zA-Z]+$/.test(a)).join("").replace(/-/g, "");
    const other = argv.slice(1).filter((a) => !/^-[a-zA-Z]+$/.test(a));
    if (other.length || !flags.includes("l") || /[uxwsa]/.test(flags)) {
      io.err(USAGE);
      return 1;
    }
    const withProcess = flags.includes("p");
    const rows = listeners(node, n).map((l, i) => {
      const pid = 300 + (hash(`${node}|${l.process}`) % 60000);
      return ["LISTEN", "0", l.process === "sshd" ? "128" : "4096", l.local, l.local.startsWith("[") ? "[::]:*" : "0.0.0.0:*", withProcess ? `users:(("${l.process}",pid=${pid},fd=${3 + (i % 20)}))` : ""];
    });
    const header = ["State", "Recv-Q", "Send-Q", "Local Address:Port", "Peer Address:Port", withProcess ? "Process" : ""];
    const all = [header, ...rows];
    const width = (c: number) => Math.max(...all.map((r) => r[c].length));
    // As iproute2 lays it out: addresses right-aligned on the colon side, peers left-aligned.
    const line = (r: string[]) => `${r[0].padEnd(width(0))} ${r[1].padEnd(width(1))} ${r[2].padEnd(width(2))} ${r[3].padStart(width(3))} ${r[4].padEnd(width(4))} ${r[5]}`.trimEnd();
    io.out(`${all.map(line).join("\n")}\n`);
    return 0;
  };
}

/** One export of /etc/exports: its directory and its clients (options dropped), as showmount lists them. */
export function parseExports(text: string): { path: string; clients: string[] }[] {
  const out: { path: string; clients: string[] }[] = [];
  for (const raw of text.replace(/\\\n/g, " ").split("\n")) {
    const line = raw.replace(/#.*/, "").trim();
    if (!line) continue;
    const [path, ...specs] = line.split(/\s+/);
    const clients = specs.map((c) => c.replace(/\(.*\)$/, "")).filter((c) => c !== "");
    out.push({ path, clients: clients.length ? clients : ["(everyone)"] });
  }
  return out;
}

/**
 * `showmount -e [host]`: the export list of the node `host` names — this node's own /etc/exports
 * (as the command sees it) when `isSelf`, another node's from `exportsOf` (undefined: no such host).
 */
export function showmountProgram(isSelf: (host: string) => boolean, exportsOf: (host: string) => string | undefined): Program {
  return (p, argv, io) => {
    const args = argv.slice(1);
    if (!args.some((a) => a === "-e" || a === "--exports")) {
      io.err("showmount: this node's showmount lists exports only (showmount -e [host])\n");
      return 1;
    }
    const host = args.find((a) => !a.startsWith("-")) ?? "localhost";
    const own = isSelf(host) ? p.readFile("/etc/exports") : undefined;
    const text = isSelf(host) ? (own === undefined || own === DIRECTORY ? "" : own) : exportsOf(host);
    if (text === undefined) {
      io.err("clnt_create: RPC: Unknown host\n");
      return 1;
    }
    const exports = parseExports(text);
    const width = Math.max(0, ...exports.map((e) => e.path.length));
    io.out(`Export list for ${host}:\n${exports.map((e) => `${e.path.padEnd(width)} ${e.clients.join(",")}\n`).join("")}`);
    return 0;
  };
}
