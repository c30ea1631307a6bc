// A shell on a simulated node (`POST /api/sandboxes/<id>/shell`): the node's files as kubeadm left
// them plus what was written since (static pod manifests, hostPath data), and the host's own tools —
// `systemctl` for the kubelet, `crictl` for what runs there. What a command writes is kept on the
// node's machine record, so the kubelet sees a moved manifest on its next pass.
import type { AdmissionContext } from "../api/admission";
import { jsonResponse } from "../api/negotiate";
import { servedChanges } from "../kubelet/served";
import { adoptRecord, CONTAINERS, type PodRuntime } from "../kubelet/record";
import { defaultFiles, machineOf as nodeMachineOf, type Machine as NodeMachine } from "../kubelet/machine";
import type { CatalogImage } from "../runtime/images";
import { layeredFs } from "../runtime/fs";
import { resolveProgram } from "../runtime/programs";
import { HOST_TOOLS } from "../console/host-tools";
import { Shell } from "../runtime/shell/interp";
import { ExitSignal, Forever, Horizon, NoSpace, Proc, type Io, type Program } from "../runtime/shell/proc";
import { DIRECTORY, type FsEffect, type FsReader } from "../runtime/types";
import type { KubeObject } from "../resources/types";
import { hostNetworkPrograms, HOST_NETWORK_PROGRAMS, nodeNetwork } from "../network/host-tools";
import { journalServed } from "../network/memory";
import { RESOLVED_STUB } from "../network/network";
import { KUBELET_CONFIGURATION } from "./bootstrap/config";
import { rfc3339 } from "./clock";
import { machine, MACHINES, type Machine } from "./machines";
import { showmountProgram, ssProgram } from "./node-services";
import { freeFileSpace, limitsOf } from "./limits";

/** Virtual time a node-shell command may take before it is stopped (it does not move the clock). */
const COMMAND_LIMIT_MS = 60_000;
const MAX_COMMAND_BYTES = 64 * 1024;

/** The node's userland: Ubuntu with bash and GNU tools, as kubeadm nodes usually are. */
const HOST_IMAGE: CatalogImage = {
  id: "kubeplay-node",
  repositories: [],
  names: [],
  tags: { named: [] },
  size: 0,
  config: {},
  shell: "bash",
  memoryMi: 0,
  programs: ["bash", "systemctl", "crictl", "ps", "kill", ...HOST_NETWORK_PROGRAMS],
  files: {},
};

interface NodeInfo {
  name: string;
  ip: string;
  controlPlane: boolean;
  osImage: string;
  kernelVersion: string;
  kubeletVersion: string;
}

function nodeInfo(node: KubeObject): NodeInfo {
  const status = (node.status ?? {}) as { addresses?: { type: string; address: string }[]; nodeInfo?: Record<string, string> };
  return {
    name: node.metadata.name ?? "",
    ip: status.addresses?.find((a) => a.type === "InternalIP")?.address ?? "",
    controlPlane: node.metadata.labels?.["node-role.kubernetes.io/control-plane"] !== undefined,
    osImage: status.nodeInfo?.osImage ?? "Ubuntu 22.04.4 LTS",
    kernelVersion: status.nodeInfo?.kernelVersion ?? "5.15.0-119-generic",
    kubeletVersion: status.nodeInfo?.kubeletVersion ?? "",
  };
}

/** Files every node has before anyone writes: OS identity, the kubelet's configuration, the manifests directory. */
function hostFiles(n: NodeInfo, peers: NodeInfo[]): Record<string, string> {
  const version = /(\d+\.\d+(?:\.\d+)?)/.exec(n.osImage)?.[1] ?? "22.04";
  return {
    "/etc/hostname": `${n.name}\n`,
    // As kubeadm install guides set nodes up: every node of the cluster by name; DNS via systemd-resolved.
    "/etc/hosts": `127.0.0.1 localhost\n${peers.map((x) => `${x.ip} ${x.name}\n`).join("")}`,
    "/etc/resolv.conf": `nameserver ${RESOLVED_STUB}\noptions edns0 trust-ad\nsearch .\n`,
    "/etc/os-release": `PRETTY_NAME="${n.osImage}"\nNAME="Ubuntu"\nVERSION_ID="${version}"\nID=ubuntu\nID_LIKE=debian\n`,
    "/var/lib/kubelet/config.yaml": KUBELET_CONFIGURATION,
    "/etc/kubernetes/kubelet.conf": `apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    server: https://control-plane.kubeplay.internal:6443\n  name: default-cluster\ncontexts:\n- context:\n    cluster: default-cluster\n    namespace: default\n    user: default-auth\n  name: default-context\ncurrent-context: default-context\nusers:\n- name: default-auth\n  user:\n    client-certificate: /var/lib/kubelet/pki/kubelet-client-current.pem\n    client-key: /var/lib/kubelet/pki/kubelet-client-current.pem\n`,
    "/etc/kubernetes/manifests": DIRECTORY,
    "/etc/kubernetes/pki": DIRECTORY,
    "/var/log/pods": DIRECTORY,
  };
}

/** What `systemctl` changed during one command. */
interface Services {
  kubelet: "running" | "stopped";
  /** Epoch ms the kubelet's state last changed (for `Active: … since`). */
  since: number;
}

function systemctl(svc: Services, info: NodeInfo): Program {
  const known: Record<string, string> = {
    kubelet: "kubelet: The Kubernetes Node Agent",
    containerd: "containerd container runtime",
    "nfs-server": "NFS server and services",
    ssh: "OpenBSD Secure Shell server",
  };
  return (p, argv, io) => {
    const args = argv.slice(1).filter((a) => !a.startsWith("-"));
    const [verb, ...units] = args;
    if (!verb) {
      io.err("systemctl: this shell lists no units; try systemctl status kubelet\n");
      return 1;
    }
    const unitName = (u: string) => u.replace(/\.service$/, "");
    const unknown = units.find((u) => !known[unitName(u)]);
    const dateOf = (ms: number) => {
      const d = new Date(ms);
      const days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
      return `${days[d.getUTCDay()]} ${rfc3339(ms).replace("T", " ").replace("Z", "")} UTC`;
    };
    switch (verb) {
      case "start":
      case "stop":
      case "restart":
      case "enable":
      case "disable":
      case "daemon-reload":
      case "reload": {
        if (verb === "daemon-reload") return 0;
        if (units.length === 0) {
          io.err(`Too few arguments.\n`);
          return 1;
        }
        if (unknown) {
          const action = { start: "start", stop: "stop", restart: "restart", reload: "reload", enable: "enable", disable: "disable" }[verb];
          io.err(verb === "enable" || verb === "disable" ? `Failed to ${action} unit: Unit file ${unitName(unknown)}.service does not exist.\n` : `Failed to ${action} ${unitName(unknown)}.service: Unit ${unitName(unknown)}.service not found.\n`);
          return verb === "enable" || verb === "disable" ? 1 : 5;
        }
        if (units.some((u) => unitName(u) === "kubelet")) {
          const next = verb === "stop" ? "stopped" : verb === "start" || verb === "restart" ? "running" : svc.kubelet;
          if (next !== svc.kubelet || verb === "restart") {
            svc.kubelet = next;
            svc.since = p.now();
          }
        }
        return 0;
      }
      case "status":
      case "is-active": {
        let status = 0;
        for (const u of units.length ? units : ["kubelet"]) {
          const name = unitName(u);
          if (!known[name]) {
            if (verb === "status") io.err(`Unit ${name}.service could not be found.\n`);
            else io.out("inactive\n");
            status = verb === "status" ? 4 : 3;
            continue;
          }
          const active = name !== "kubelet" || svc.kubelet === "running";
          if (verb === "is-active") {
            io.out(active ? "active\n" : "inactive\n");
            if (!active) status = 3;
            continue;
          }
          const since = name === "kubelet" ? svc.since : 0;
          const state = active ? `active (running) since ${dateOf(since)}` : `inactive (dead) since ${dateOf(since)}`;
          io.out(
            `${active ? "●" : "○"} ${name}.service - ${known[name]}\n` +
              `     Loaded: loaded (/lib/systemd/system/${name}.service; enabled; vendor preset: enabled)\n` +
              (name === "kubelet" ? `    Drop-In: /usr/lib/systemd/system/kubelet.service.d\n             └─10-kubeadm.conf\n` : "") +
              `     Active: ${state}\n` +
              (name === "kubelet" ? `       Docs: https://kubernetes.io/docs/\n` : "") +
              (active && name === "kubelet" ? `   Main PID: 1042 (kubelet)\n` : "") +
              (name === "kubelet" && active ? `     CGroup: /system.slice/kubelet.service\n             └─1042 /usr/bin/kubelet --bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf --kubeconfig=/etc/kubernetes/kubelet.conf --config=/var/lib/kubelet/config.yaml --container-runtime-endpoint=unix:///var/run/containerd/containerd.sock --node-ip=${info.ip}\n` : ""),
          );
          if (!active) status = 3;
        }
        return status;
      }
    }
    io.err(`Unknown command verb ${verb}.\n`);
    return 1;
  };
}

function age(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s} seconds ago`;
  if (s < 3600) return `${Math.floor(s / 60)} minutes ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} hours ago`;
  return `${Math.floor(s / 86400)} days ago`;
}

/** `crictl ps [-a]`, `crictl pods`: the containers and sandboxes the node's runtime holds. */
function crictl(ctx: AdmissionContext, node: string): Program {
  return (p, argv, io) => {
    const verb = argv[1];
    const all = argv.includes("-a") || argv.includes("--all");
    const now = p.now();
    // Pods found running at start-up have no record until something about them changes.
    const records: PodRuntime[] = [];
    for (const pod of ctx.store.list("/pods")) {
      if ((pod.spec as { nodeName?: string } | undefined)?.nodeName !== node) continue;
      const rec = (ctx.store.get(CONTAINERS, pod.metadata.namespace ?? "", pod.metadata.name ?? "") as PodRuntime | undefined) ?? adoptRecord(pod, node, now);
      if (rec?.sandboxAt !== undefined) records.push(rec);
    }
    const pad = (cols: string[], widths: number[]) => cols.map((c, i) => (i === cols.length - 1 ? c : c.padEnd(widths[i]))).join("   ").trimEnd();
    const table = (header: string[], rows: string[][]) => {
      const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
      io.out(`${[header, ...rows].map((r) => pad(r, widths)).join("\n")}\n`);
    };
    const podId = (r: PodRuntime) => r.uid.replace(/-/g, "").slice(0, 13);
    if (verb === "pods") {
      const rows = records
        .filter((r) => all || !r.finished)
        .map((r) => [podId(r), age(now - (r.sandboxAt ?? now)), r.finished ? "NotReady" : "Ready", r.metadata.name ?? "", r.metadata.namespace ?? "", "0", "(default)"]);
      table(["POD ID", "CREATED", "STATE", "NAME", "NAMESPACE", "ATTEMPT", "RUNTIME"], rows);
      return 0;
    }
    if (verb === "ps") {
      const rows: string[][] = [];
      for (const r of records) {
        for (const c of r.containers) {
          const inst = c.current;
          if (!inst) continue;
          const running = !inst.exit || inst.exit.at > now;
          if (!running && !all) continue;
          rows.push([inst.id.slice(0, 13), (inst.imageID.split("@")[1] ?? inst.imageID).replace(/^sha256:/, "").slice(0, 13), age(now - inst.startedAt), running ? "Running" : "Exited", c.name, String(c.restartCount), podId(r), r.metadata.name ?? ""]);
        }
      }
      table(["CONTAINER", "IMAGE", "CREATED", "STATE", "NAME", "ATTEMPT", "POD ID", "POD"], rows);
      return 0;
    }
    io.err(`crictl: this node's crictl answers "crictl ps [-a]" and "crictl pods"\n`);
    return 1;
  };
}

/** Replays a command's file effects onto the node's written files (null = removed). */
export function foldEffects(base: Record<string, string | null>, effects: FsEffect[], view: FsReader): Record<string, string | null> {
  const out = { ...base };
  for (const e of effects) {
    if (e.op === "remove") {
      for (const k of Object.keys(out)) if (k.startsWith(`${e.path}/`)) delete out[k];
      out[e.path] = null;
    } else if (e.op === "mkdir") out[e.path] = DIRECTORY;
    else if (e.op === "write") out[e.path] = e.content ?? "";
    else {
      const before = e.path in out ? out[e.path] : view.read(e.path);
      out[e.path] = (before && before !== DIRECTORY ? before : "") + (e.content ?? "");
    }
  }
  return out;
}

export interface ShellResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** A command run on a node for a caller that keeps a session (the console): its state goes in and comes out. */
export interface NodeCommand {
  node: string;
  /** A command line, or a function running parsed commands in the node's shell. */
  run: string | ((sh: Shell, io: Io) => number);
  stdin?: string;
  /** The session's variables, working directory and `$?` (defaults: a fresh root login). */
  vars?: Record<string, string>;
  cwd?: string;
  status?: number;
  /** An interactive shell: `bash: x: command not found`, as typed at a prompt. */
  interactive?: boolean;
  /** A read-only link: the command runs, but nothing it would change is kept. */
  readOnly?: boolean;
  /** Programs the caller adds to the node's. */
  programs?: Record<string, Program>;
  /** Receives output as it is written, in order (the result still collects it per stream). */
  sink?: (stream: "stdout" | "stderr", text: string) => void;
}

export interface NodeCommandResult extends ShellResult {
  vars: Record<string, string>;
  cwd: string;
  /** Something was committed: the controllers should run. */
  changed: boolean;
}

export const READ_ONLY_NODE = "kubeplay: this is a read-only link to the sandbox; nothing on the node was changed\n";

/**
 * Runs a command on a node and commits what it changed (files, the kubelet's state) to the node's
 * machine record. The caller holds the store's write lock and lets the controllers settle afterwards.
 * Shared by `POST /api/sandboxes/<id>/shell` and the console's terminal.
 */
export async function runOnNode(ctx: AdmissionContext, req: NodeCommand): Promise<NodeCommandResult | { error: string; status: number }> {
  const node = req.node;
  const nodeObj = ctx.store.get("/nodes", "", node);
  if (!nodeObj) return { error: `node "${node}" not found`, status: 404 };
  const info = nodeInfo(nodeObj);
  const current = nodeMachineOf(ctx.store, node);
  const now = ctx.clock.now();
  const stoppedAt = current?.kubelet === "stopped" ? Date.parse(current.stoppedAt ?? "") : NaN;
  const svc: Services = current?.kubelet === "stopped" ? { kubelet: "stopped", since: Number.isNaN(stoppedAt) ? now : stoppedAt } : { kubelet: "running", since: Date.parse(nodeObj.metadata.creationTimestamp ?? "") || now };
  const before = { ...svc };
  const written = current?.files ?? {};
  const fs = layeredFs({ image: { ...hostFiles(info, ctx.store.list("/nodes").map(nodeInfo)), ...defaultFiles(ctx.store, node) }, layer: written });
  // The host's network: pod IPs, ClusterIPs and NodePorts from the node's own address.
  const network = nodeNetwork({ reader: ctx.store, now, memoryKey: ctx.rng }, node, info.ip);
  const own: Record<string, Program> = {
    ...HOST_TOOLS,
    ...req.programs,
    systemctl: systemctl(svc, info),
    crictl: crictl(ctx, node),
    ss: ssProgram(node, { ip: info.ip, controlPlane: info.controlPlane, kubeletRunning: () => svc.kubelet === "running" }),
    showmount: showmountProgram(
      (host) => host === "localhost" || host === "127.0.0.1" || host === node || host === info.ip,
      (host) => {
        // Another node's file as stored (what its commands wrote).
        const other = ctx.store.list("/nodes").map(nodeInfo).find((n) => n.name === host || n.ip === host);
        if (!other) return undefined;
        const written = nodeMachineOf(ctx.store, other.name)?.files?.["/etc/exports"];
        return typeof written === "string" ? written : "";
      },
    ),
    ...hostNetworkPrograms(network, node, now),
  };
  const resolve = (name: string) => own[name.slice(name.lastIndexOf("/") + 1)] ?? resolveProgram(HOST_IMAGE, name);
  // The shell is root's already; guides write `sudo` in front of node commands all the same.
  own.sudo = sudo(resolve);
  const p = new Proc({
    image: HOST_IMAGE,
    fs,
    env: req.vars ?? { PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", HOME: "/root", HOSTNAME: node, USER: "root", SHELL: "/bin/bash" },
    startedAt: now,
    hostname: node,
    horizon: COMMAND_LIMIT_MS,
    resolve: req.interactive ? (name) => resolve(name) ?? commandNotFound : resolve,
    workingDir: req.cwd ?? "/root",
    network,
    // Node files count against the sandbox's files (MAX_VOLUME_BYTES), as the containers' do.
    space: freeFileSpace(limitsOf(ctx.store), ctx.store),
  });
  p.status = req.status ?? 0;
  const result: ShellResult = { stdout: "", stderr: "", exitCode: 0 };
  const sink = req.sink;
  const io: Io = {
    stdin: req.stdin ?? "",
    out: (t) => {
      result.stdout += t;
      sink?.("stdout", t);
    },
    err: (t) => {
      result.stderr += t;
      sink?.("stderr", t);
    },
  };
  const run = req.run;
  // Requests the command sends are kept for the logs of the containers that answered them.
  const journal = journalServed(ctx.rng);
  try {
    if (typeof run === "string") result.exitCode = resolveProgram(HOST_IMAGE, "bash")!(p, ["bash", "-c", run], io);
    else result.exitCode = run(new Shell(p, "bash"), io);
  } catch (e) {
    if (e instanceof ExitSignal) result.exitCode = e.code;
    else if (e instanceof NoSpace) {
      // A file the console writes for a command (a redirection of kubectl's output) that does not fit.
      io.err(`bash: ${e.path}: No space left on device\n`);
      result.exitCode = 1;
    } else if (e instanceof Forever || e instanceof Horizon) {
      // A command that never ends (tail -f, an endless loop) is stopped as Ctrl-C would.
      io.err(`^C\n`);
      result.exitCode = 130;
    } else throw e;
  } finally {
    journal.close();
  }
  const files = p.effects.length ? foldEffects(written, p.effects, fs) : written;
  const changed = p.effects.length > 0 || svc.kubelet !== before.kubelet || svc.since !== before.since;
  // A read-only link writes nothing, access log lines included.
  const records = req.readOnly ? [] : servedChanges(ctx.store, now, journal.served);
  if (changed && req.readOnly) {
    io.err(READ_ONLY_NODE);
    result.exitCode = 1;
  } else if (changed) {
    const next: NodeMachine = { ...(current ?? machine(node, "running")), kubelet: svc.kubelet } as NodeMachine;
    if (svc.kubelet === "stopped") next.stoppedAt = rfc3339(svc.since);
    else delete (next as Machine).stoppedAt;
    if (svc.kubelet === "running" && svc.since !== before.since) next.started = rfc3339(svc.since);
    if (Object.keys(files).length) next.files = files;
    await ctx.store.commit([{ type: "put", resource: MACHINES, object: next }, ...records], {});
  } else if (records.length) await ctx.store.commit(records, {});
  return { ...result, vars: Object.fromEntries(p.vars), cwd: p.cwd, changed: changed && !req.readOnly };
}

/** The node's files as its shell sees them (for readers outside a command, such as the console's kubectl). */
export function nodeFs(ctx: AdmissionContext, node: string): FsReader | undefined {
  const nodeObj = ctx.store.get("/nodes", "", node);
  if (!nodeObj) return undefined;
  const files = { ...hostFiles(nodeInfo(nodeObj), ctx.store.list("/nodes").map(nodeInfo)), ...defaultFiles(ctx.store, node) };
  return layeredFs({ image: files, layer: nodeMachineOf(ctx.store, node)?.files ?? {} });
}

/** What an interactive bash prints for a program it cannot find. */
/** Options of sudo that take a value (`-u user`, …). */
const SUDO_VALUE_OPTIONS = new Set(["-u", "-g", "-h", "-p", "-C", "-D", "-r", "-t", "-U", "-T"]);

/** `sudo [options] command…`: runs the command as it is (the node's shell is root). */
function sudo(resolve: (name: string) => Program | undefined): Program {
  return (p, argv, io) => {
    let i = 1;
    while (i < argv.length && argv[i].startsWith("-") && argv[i] !== "--") i += SUDO_VALUE_OPTIONS.has(argv[i]) ? 2 : 1;
    if (argv[i] === "--") i++;
    const command = argv.slice(i);
    if (command.length === 0) {
      io.err("usage: sudo -h | -K | -k | -V\nusage: sudo -v [-ABkNnS] [-g group] [-h host] [-p prompt] [-u user]\nusage: sudo -l [-ABkNnS] [-g group] [-h host] [-p prompt] [-U user]\n            [-u user] [command [arg ...]]\nusage: sudo [-ABbEHkNnPS] [-C num] [-D directory]\n            [-g group] [-h host] [-p prompt] [-R directory] [-T timeout]\n            [-u user] [VAR=value] [-i | -s] [command [arg ...]]\nusage: sudo -e [-ABkNnS] [-C num] [-D directory]\n            [-g group] [-h host] [-p prompt] [-R directory] [-T timeout]\n            [-u user] file ...\n");
      return 1;
    }
    const program = resolve(command[0]);
    if (!program) {
      io.err(`sudo: ${command[0]}: command not found\n`);
      return 1;
    }
    return program(p, command, io);
  };
}

const commandNotFound: Program = (_p, argv, io) => {
  io.err(`bash: ${argv[0]}: command not found\n`);
  return 127;
};

/**
 * `POST /api/sandboxes/<id>/shell` `{"node","command"}`: runs one command line on the node. The
 * caller holds the store's write lock and lets the controllers settle afterwards.
 */
export async function runNodeShell(ctx: AdmissionContext, body: Record<string, unknown>): Promise<Response> {
  const { node, command } = body;
  if (typeof node !== "string" || !node) return jsonResponse({ error: 'expected a JSON object such as {"node": "k8s-node1", "command": "ls /"}' }, 400);
  if (typeof command !== "string") return jsonResponse({ error: "command must be a string (a shell command line)" }, 400);
  if (command.length > MAX_COMMAND_BYTES) return jsonResponse({ error: `command is longer than ${MAX_COMMAND_BYTES} bytes` }, 413);
  const r = await runOnNode(ctx, { node, run: command });
  if ("error" in r) return jsonResponse({ error: r.error }, r.status);
  return jsonResponse({ stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode });
}
