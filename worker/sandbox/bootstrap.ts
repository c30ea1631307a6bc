// What a new sandbox contains: a freshly installed kubeadm-style cluster.
import type { KubeObject } from "../resources/types";

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

export const KUBERNETES_VERSION = "v1.32.3";

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

export function nodeObject(n: NodeOptions, index: number): KubeObject {
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
        machineID: "",
        systemUUID: "",
        bootID: "",
        kernelVersion: "5.15.0-119-generic",
        osImage: "Ubuntu 22.04.4 LTS",
        containerRuntimeVersion: "containerd://1.7.22",
        kubeletVersion: KUBERNETES_VERSION,
        kubeProxyVersion: KUBERNETES_VERSION,
        operatingSystem: "linux",
        architecture: "amd64",
      },
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

/** Objects of a fresh cluster, in creation order (namespaces first). */
export function bootstrapObjects(options: SandboxOptions): KubeObject[] {
  const ns = (name: string): KubeObject => ({ apiVersion: "v1", kind: "Namespace", metadata: { name } });
  const objects: KubeObject[] = [ns("default"), ns("kube-system"), ns("kube-public"), ns("kube-node-lease")];
  options.nodes.forEach((n, i) => objects.push(nodeObject(n, i)));
  objects.push({
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "kubernetes", namespace: "default", labels: { component: "apiserver", provider: "kubernetes" } },
    spec: { type: "ClusterIP", clusterIP: "10.96.0.1", ports: [{ name: "https", port: 443, protocol: "TCP", targetPort: 6443 }], sessionAffinity: "None" },
  });
  for (const namespace of ["default", "kube-system", "kube-public", "kube-node-lease"]) {
    objects.push({ apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "default", namespace } });
    objects.push({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "kube-root-ca.crt", namespace, annotations: { "kubernetes.io/description": ROOT_CA_DESCRIPTION } },
      data: { "ca.crt": SANDBOX_CA },
    });
  }
  return objects;
}

const ROOT_CA_DESCRIPTION =
  "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.";

/** A placeholder certificate: nothing in a sandbox speaks TLS, but tutorials cat this file. */
const SANDBOX_CA = `-----BEGIN CERTIFICATE-----
MIIBdzCCAR2gAwIBAgIBADAKBggqhkjOPQQDAjAVMRMwEQYDVQQDEwprdWJlcm5l
dGVzMB4XDTI2MDEwMTAwMDAwMFoXDTM2MDEwMTAwMDAwMFowFTETMBEGA1UEAxMK
a3ViZXJuZXRlczBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABGt1YmVwbGF5IHNh
bmRib3ggY2VydGlmaWNhdGUgYXV0aG9yaXR5IHBsYWNlaG9sZGVyIGtleSBkYXRh
o0IwQDAOBgNVHQ8BAf8EBAMCAqQwDwYDVR0TAQH/BAUwAwEB/zAdBgNVHQ4EFgQU
a3ViZXBsYXktc2FuZGJveC1jYTAKBggqhkjOPQQDAgNIADBFAiEAa3ViZXBsYXkg
c2FuZGJveCBjYSBzaWduYXR1cmUgcGxhY2Vob2xkZXICIGt1YmVwbGF5IHNhbmRi
-----END CERTIFICATE-----
`;
