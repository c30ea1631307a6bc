// What a new sandbox contains: a cluster just after `kubeadm init` and the workers' `kubeadm join`,
// with the addons running. The parts live in bootstrap/; this module assembles and admits them.
import { admitCreate, type AdmissionContext } from "../api/admission";
import { findKind, parseApiVersion, storageKey } from "../resources/registry";
import type { KubeObject } from "../resources/types";
import type { Change } from "../store/object-store";
import { coredns, kubeProxy } from "./bootstrap/addons";
import {
  controlPlaneLeases,
  defaultServiceAccount,
  kubernetesService,
  namespaces,
  nodeLease,
  priorityClasses,
  rootCAConfigMap,
  SYSTEM_NAMESPACES,
} from "./bootstrap/cluster";
import { type BootstrapEnv, type BootstrapNode, controlPlaneEndpoint, microTimestamp, timestamp, withUid } from "./bootstrap/common";
import { hexDigest } from "./bootstrap/hash";
import { clusterConfigMaps, KUBERNETES_VERSION } from "./bootstrap/config";
import { controlPlanePods } from "./bootstrap/control-plane";
import { serviceEndpointObjects } from "./bootstrap/endpoints";
import { ingressNginxObjects } from "./bootstrap/ingress-nginx";
import { defaultStorageClass } from "./bootstrap/storage";
import { nodeStatusImages } from "../kubelet/machine";
import { Rng } from "./rng";

export interface NodeOptions {
  name: string;
  controlPlane?: boolean;
  labels?: Record<string, string>;
  cpu?: string;
  memory?: string;
}

export interface SandboxOptions {
  nodes: NodeOptions[];
}

export const DEFAULT_NODES: NodeOptions[] = [
  { name: "k8s-master", controlPlane: true },
  { name: "k8s-node1" },
  { name: "k8s-node2" },
];

export { KUBERNETES_VERSION };

/** Validates the create request's options; returns an error message or the options. */
export function parseSandboxOptions(body: unknown): SandboxOptions | string {
  if (body === undefined || body === null) return { nodes: DEFAULT_NODES };
  if (typeof body !== "object" || Array.isArray(body)) return "the request body must be a JSON object";
  const nodes = (body as { nodes?: unknown }).nodes;
  if (nodes === undefined) return { nodes: DEFAULT_NODES };
  if (!Array.isArray(nodes) || nodes.length === 0) return "nodes must be a non-empty list";
  if (nodes.length > 50) return "a sandbox has at most 50 nodes";
  const seen = new Set<string>();
  const out: NodeOptions[] = [];
  for (const [i, n] of nodes.entries()) {
    if (!n || typeof n !== "object") return `nodes[${i}] must be an object`;
    const { name, controlPlane, labels } = n as NodeOptions;
    if (typeof name !== "string" || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(name) || name.length > 253) {
      return `nodes[${i}].name must be a lowercase RFC 1123 subdomain`;
    }
    if (seen.has(name)) return `nodes[${i}].name "${name}" is duplicated`;
    seen.add(name);
    if (labels !== undefined && (typeof labels !== "object" || Array.isArray(labels) || Object.values(labels).some((v) => typeof v !== "string"))) {
      return `nodes[${i}].labels must map strings to strings`;
    }
    out.push({ name, controlPlane: controlPlane === true, labels });
  }
  return { nodes: out };
}

/**
 * A machine's identities as its kubelet reports them (/etc/machine-id, the DMI product UUID, the
 * kernel's boot id): derived from the sandbox and the node's name by hashing, so they are the same
 * every time and draw nothing from the sandbox's random generator.
 */
export function nodeIdentities(sandboxId: string, node: string): { machineID: string; systemUUID: string; bootID: string } {
  const hex = (what: string) => hexDigest(`${what}\u0000${sandboxId}\u0000${node}`, 32);
  const uuid = (h: string) => `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
  const boot = hex("boot-id");
  // A boot id is a random (version 4) UUID.
  const v4 = `${boot.slice(0, 12)}4${boot.slice(13, 16)}${"89ab"[parseInt(boot[16], 16) & 3]}${boot.slice(17)}`;
  return { machineID: hex("machine-id"), systemUUID: uuid(hex("system-uuid")), bootID: uuid(v4) };
}

export function nodeObject(n: NodeOptions, index: number, sandboxId = ""): KubeObject {
  const labels: Record<string, string> = {
    "beta.kubernetes.io/arch": "amd64",
    "beta.kubernetes.io/os": "linux",
    "kubernetes.io/arch": "amd64",
    "kubernetes.io/hostname": n.name,
    "kubernetes.io/os": "linux",
    ...(n.controlPlane ? { "node-role.kubernetes.io/control-plane": "", "node.kubernetes.io/exclude-from-external-load-balancers": "" } : {}),
    ...(n.labels ?? {}),
  };
  const cpu = n.cpu ?? (n.controlPlane ? "2" : "4");
  const memory = n.memory ?? (n.controlPlane ? "4015852Ki" : "8147876Ki");
  const allocatableMemory = `${Number(memory.replace("Ki", "")) - 102400}Ki`;
  const ip = `192.168.1.${10 + index}`;
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name: n.name,
      labels,
      annotations: {
        "kubeadm.alpha.kubernetes.io/cri-socket": "unix:///var/run/containerd/containerd.sock",
        "node.alpha.kubernetes.io/ttl": "0",
        "volumes.kubernetes.io/controller-managed-attach-detach": "true",
      },
    },
    spec: {
      podCIDR: `10.244.${index}.0/24`,
      podCIDRs: [`10.244.${index}.0/24`],
      ...(n.controlPlane ? { taints: [{ key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" }] } : {}),
    },
    status: {
      capacity: { cpu, "ephemeral-storage": "61202244Ki", "hugepages-1Gi": "0", "hugepages-2Mi": "0", memory, pods: "110" },
      allocatable: { cpu, "ephemeral-storage": "56403987978", "hugepages-1Gi": "0", "hugepages-2Mi": "0", memory: allocatableMemory, pods: "110" },
      conditions: [],
      addresses: [
        { type: "InternalIP", address: ip },
        { type: "Hostname", address: n.name },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        ...nodeIdentities(sandboxId, n.name),
        kernelVersion: "5.15.0-119-generic",
        osImage: "Ubuntu 22.04.4 LTS",
        containerRuntimeVersion: "containerd://1.7.22",
        kubeletVersion: KUBERNETES_VERSION,
        kubeProxyVersion: KUBERNETES_VERSION,
        operatingSystem: "linux",
        architecture: "amd64",
      },
      images: structuredClone(nodeStatusImages(undefined)),
    },
  };
}

export function nodeConditions(now: string): unknown[] {
  const c = (type: string, status: string, reason: string, message: string) => ({
    type,
    status,
    lastHeartbeatTime: now,
    lastTransitionTime: now,
    reason,
    message,
  });
  return [
    c("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
    c("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
    c("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
    c("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
  ];
}

function bootstrapNode(node: KubeObject, controlPlane: boolean): BootstrapNode {
  const addresses = (node.status as { addresses?: { type: string; address: string }[] }).addresses ?? [];
  return {
    name: node.metadata.name ?? "",
    uid: node.metadata.uid ?? "",
    ip: addresses.find((a) => a.type === "InternalIP")?.address ?? "",
    podCIDR: (node.spec as { podCIDR: string }).podCIDR,
    controlPlane,
  };
}

/**
 * Objects of a fresh cluster in creation order (namespaces first), with the status their controllers
 * and kubelets had reported by then, and uids already assigned so that owner references resolve.
 */
export function bootstrapObjects(options: SandboxOptions, env: BootstrapEnv, sandboxId = ""): KubeObject[] {
  const nodeObjects = options.nodes.map((n, i) => {
    const node = withUid(env, nodeObject(n, i, sandboxId));
    (node.status as Record<string, unknown>).conditions = nodeConditions(timestamp(env));
    return node;
  });
  const nodes = nodeObjects.map((o, i) => bootstrapNode(o, options.nodes[i].controlPlane === true));
  const today = timestamp(env).slice(0, 10);
  return [
    ...namespaces(),
    ...priorityClasses(),
    ...nodeObjects,
    kubernetesService(),
    ...SYSTEM_NAMESPACES.flatMap((ns) => [defaultServiceAccount(ns), rootCAConfigMap(ns)]),
    ...clusterConfigMaps(controlPlaneEndpoint(nodes), today),
    ...nodes.map((n) => nodeLease(n, microTimestamp(env))),
    ...controlPlaneLeases(env, nodes),
    ...controlPlanePods(env, nodes),
    ...kubeProxy(env, nodes),
    ...coredns(env, nodes),
  ];
}

/**
 * The admitted objects of a fresh cluster, as one batch of changes. Admission defaults and validates
 * them like any create; the uids and statuses decided above are kept.
 */
export function bootstrapChanges(ctx: AdmissionContext, options: SandboxOptions): Change[] {
  const env: BootstrapEnv = { now: ctx.clock.now(), rng: ctx.rng };
  const admit = (actx: AdmissionContext) => (obj: KubeObject): Change => {
    const { group, version } = parseApiVersion(obj.apiVersion);
    const t = findKind({ group, version, kind: obj.kind });
    if (!t) throw new Error(`bootstrap kind ${obj.kind} is not registered`);
    const { uid } = obj.metadata;
    const status = obj.status as Record<string, unknown> | undefined;
    const admitted = admitCreate(actx, t, obj);
    if (uid) admitted.metadata.uid = uid;
    if (status) admitted.status = { ...((admitted.status as object | undefined) ?? {}), ...status };
    return { type: "put", resource: storageKey(t), object: admitted };
  };
  const changes = bootstrapObjects(options, env, ctx.store.sandboxId).map(admit(ctx));
  // The Services' endpoints draw from a generator of their own, so they move no other random choice.
  const side = new Rng(ctx.rng.state ^ 0x5eed5eed);
  // So does the default StorageClass's uid.
  const storage = admit({ ...ctx, rng: new Rng(ctx.rng.state ^ 0x5c1a55e5) })(defaultStorageClass());
  // And the ingress controller's objects.
  const ingress = new Rng(ctx.rng.state ^ 0x1a9e55e5);
  const ingressNginx = ingressNginxObjects(ingress).map(admit({ ...ctx, rng: ingress }));
  return [...changes, ...serviceEndpointObjects(changes.map((c) => c.object), side).map(admit({ ...ctx, rng: side })), storage, ...ingressNginx];
}
