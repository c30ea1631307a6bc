// The control plane of a kubeadm cluster: static pod manifests in /etc/kubernetes/manifests on every
// control-plane node, and the mirror pods the kubelet publishes for them in kube-system.
// Models cmd/kubeadm/app/phases/controlplane/manifests.go GetStaticPodSpecs and
// cmd/kubeadm/app/phases/etcd/local.go GetEtcdPodSpec (kubeadm 1.32 defaults)
import type { KubeObject } from "../../resources/types";
import { type BootstrapEnv, type BootstrapNode, runningPodStatus } from "./common";
import { IMAGES, POD_SUBNET, SERVICE_SUBNET } from "./config";
import { canonicalJson, hexDigest } from "./hash";

const PKI = "/etc/kubernetes/pki";

interface ProbeTiming {
  failureThreshold: number;
  initialDelaySeconds?: number;
  periodSeconds: number;
  timeoutSeconds: number;
}

const LIVENESS: ProbeTiming = { failureThreshold: 8, initialDelaySeconds: 10, periodSeconds: 10, timeoutSeconds: 15 };
const READINESS: ProbeTiming = { failureThreshold: 3, periodSeconds: 1, timeoutSeconds: 15 };
const STARTUP: ProbeTiming = { failureThreshold: 24, initialDelaySeconds: 10, periodSeconds: 10, timeoutSeconds: 15 };

function probe(host: string, path: string, port: number, scheme: "HTTP" | "HTTPS", timing: ProbeTiming) {
  return { ...timing, httpGet: { host, path, port, scheme } };
}

type Mount = { name: string; mountPath: string; hostPath: string; type: "DirectoryOrCreate" | "FileOrCreate"; readOnly?: boolean };

const CA_MOUNTS: Mount[] = [
  { name: "ca-certs", mountPath: "/etc/ssl/certs", hostPath: "/etc/ssl/certs", type: "DirectoryOrCreate", readOnly: true },
  { name: "etc-ca-certificates", mountPath: "/etc/ca-certificates", hostPath: "/etc/ca-certificates", type: "DirectoryOrCreate", readOnly: true },
];
const K8S_CERTS: Mount = { name: "k8s-certs", mountPath: PKI, hostPath: PKI, type: "DirectoryOrCreate", readOnly: true };
const SHARE_MOUNTS: Mount[] = [
  { name: "usr-local-share-ca-certificates", mountPath: "/usr/local/share/ca-certificates", hostPath: "/usr/local/share/ca-certificates", type: "DirectoryOrCreate", readOnly: true },
  { name: "usr-share-ca-certificates", mountPath: "/usr/share/ca-certificates", hostPath: "/usr/share/ca-certificates", type: "DirectoryOrCreate", readOnly: true },
];

function kubeconfigMount(file: string): Mount {
  return { name: "kubeconfig", mountPath: `/etc/kubernetes/${file}`, hostPath: `/etc/kubernetes/${file}`, type: "FileOrCreate", readOnly: true };
}

interface Component {
  name: string;
  image: string;
  command: string[];
  cpu: string;
  memory?: string;
  probes: Record<string, unknown>;
  mounts: Mount[];
  annotations?: Record<string, string>;
}

/** A static pod manifest as kubeadm writes it (`/etc/kubernetes/manifests/<name>.yaml`). */
function manifest(c: Component): KubeObject {
  // Volumes are listed by name, mounts in the order kubeadm writes them.
  const volumes = [...c.mounts].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: c.name,
      namespace: "kube-system",
      labels: { component: c.name, tier: "control-plane" },
      ...(c.annotations ? { annotations: c.annotations } : {}),
    },
    spec: {
      containers: [
        {
          name: c.name,
          image: c.image,
          imagePullPolicy: "IfNotPresent",
          command: c.command,
          ...c.probes,
          resources: { requests: { cpu: c.cpu, ...(c.memory ? { memory: c.memory } : {}) } },
          volumeMounts: c.mounts.map((m) => ({ mountPath: m.mountPath, name: m.name, ...(m.readOnly ? { readOnly: true } : {}) })),
        },
      ],
      hostNetwork: true,
      priority: 2000001000,
      priorityClassName: "system-node-critical",
      securityContext: { seccompProfile: { type: "RuntimeDefault" } },
      volumes: volumes.map((m) => ({ hostPath: { path: m.hostPath, type: m.type }, name: m.name })),
    },
  };
}

function etcd(node: BootstrapNode, members: BootstrapNode[]): Component {
  const ip = node.ip;
  const cluster = members.map((m) => `${m.name}=https://${m.ip}:2380`).join(",");
  const joining = members[0]?.name !== node.name;
  return {
    name: "etcd",
    image: IMAGES.etcd,
    annotations: { "kubeadm.kubernetes.io/etcd.advertise-client-urls": `https://${ip}:2379` },
    command: [
      "etcd",
      `--advertise-client-urls=https://${ip}:2379`,
      `--cert-file=${PKI}/etcd/server.crt`,
      "--client-cert-auth=true",
      "--data-dir=/var/lib/etcd",
      "--experimental-initial-corrupt-check=true",
      "--experimental-watch-progress-notify-interval=5s",
      `--initial-advertise-peer-urls=https://${ip}:2380`,
      `--initial-cluster=${cluster}`,
      ...(joining ? ["--initial-cluster-state=existing"] : []),
      `--key-file=${PKI}/etcd/server.key`,
      `--listen-client-urls=https://127.0.0.1:2379,https://${ip}:2379`,
      "--listen-metrics-urls=http://127.0.0.1:2381",
      `--listen-peer-urls=https://${ip}:2380`,
      `--name=${node.name}`,
      `--peer-cert-file=${PKI}/etcd/peer.crt`,
      "--peer-client-cert-auth=true",
      `--peer-key-file=${PKI}/etcd/peer.key`,
      `--peer-trusted-ca-file=${PKI}/etcd/ca.crt`,
      "--snapshot-count=10000",
      `--trusted-ca-file=${PKI}/etcd/ca.crt`,
    ],
    cpu: "100m",
    memory: "100Mi",
    probes: {
      livenessProbe: probe("127.0.0.1", "/livez", 2381, "HTTP", LIVENESS),
      readinessProbe: probe("127.0.0.1", "/readyz", 2381, "HTTP", READINESS),
      startupProbe: probe("127.0.0.1", "/readyz", 2381, "HTTP", STARTUP),
    },
    mounts: [
      { name: "etcd-data", mountPath: "/var/lib/etcd", hostPath: "/var/lib/etcd", type: "DirectoryOrCreate" },
      { name: "etcd-certs", mountPath: `${PKI}/etcd`, hostPath: `${PKI}/etcd`, type: "DirectoryOrCreate" },
    ],
  };
}

function apiserver(node: BootstrapNode): Component {
  const ip = node.ip;
  return {
    name: "kube-apiserver",
    image: IMAGES.apiserver,
    annotations: { "kubeadm.kubernetes.io/kube-apiserver.advertise-address.endpoint": `${ip}:6443` },
    command: [
      "kube-apiserver",
      `--advertise-address=${ip}`,
      "--allow-privileged=true",
      "--authorization-mode=Node,RBAC",
      `--client-ca-file=${PKI}/ca.crt`,
      "--enable-admission-plugins=NodeRestriction",
      "--enable-bootstrap-token-auth=true",
      `--etcd-cafile=${PKI}/etcd/ca.crt`,
      `--etcd-certfile=${PKI}/apiserver-etcd-client.crt`,
      `--etcd-keyfile=${PKI}/apiserver-etcd-client.key`,
      "--etcd-servers=https://127.0.0.1:2379",
      `--kubelet-client-certificate=${PKI}/apiserver-kubelet-client.crt`,
      `--kubelet-client-key=${PKI}/apiserver-kubelet-client.key`,
      "--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname",
      `--proxy-client-cert-file=${PKI}/front-proxy-client.crt`,
      `--proxy-client-key-file=${PKI}/front-proxy-client.key`,
      "--requestheader-allowed-names=front-proxy-client",
      `--requestheader-client-ca-file=${PKI}/front-proxy-ca.crt`,
      "--requestheader-extra-headers-prefix=X-Remote-Extra-",
      "--requestheader-group-headers=X-Remote-Group",
      "--requestheader-username-headers=X-Remote-User",
      "--secure-port=6443",
      "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
      `--service-account-key-file=${PKI}/sa.pub`,
      `--service-account-signing-key-file=${PKI}/sa.key`,
      `--service-cluster-ip-range=${SERVICE_SUBNET}`,
      `--tls-cert-file=${PKI}/apiserver.crt`,
      `--tls-private-key-file=${PKI}/apiserver.key`,
    ],
    cpu: "250m",
    probes: {
      livenessProbe: probe(ip, "/livez", 6443, "HTTPS", LIVENESS),
      readinessProbe: probe(ip, "/readyz", 6443, "HTTPS", READINESS),
      startupProbe: probe(ip, "/livez", 6443, "HTTPS", STARTUP),
    },
    mounts: [...CA_MOUNTS, K8S_CERTS, ...SHARE_MOUNTS],
  };
}

function controllerManager(): Component {
  const conf = "/etc/kubernetes/controller-manager.conf";
  return {
    name: "kube-controller-manager",
    image: IMAGES.controllerManager,
    command: [
      "kube-controller-manager",
      "--allocate-node-cidrs=true",
      `--authentication-kubeconfig=${conf}`,
      `--authorization-kubeconfig=${conf}`,
      "--bind-address=127.0.0.1",
      `--client-ca-file=${PKI}/ca.crt`,
      `--cluster-cidr=${POD_SUBNET}`,
      "--cluster-name=kubernetes",
      `--cluster-signing-cert-file=${PKI}/ca.crt`,
      `--cluster-signing-key-file=${PKI}/ca.key`,
      "--controllers=*,bootstrapsigner,tokencleaner",
      `--kubeconfig=${conf}`,
      "--leader-elect=true",
      `--requestheader-client-ca-file=${PKI}/front-proxy-ca.crt`,
      `--root-ca-file=${PKI}/ca.crt`,
      `--service-account-private-key-file=${PKI}/sa.key`,
      `--service-cluster-ip-range=${SERVICE_SUBNET}`,
      "--use-service-account-credentials=true",
    ],
    cpu: "200m",
    probes: {
      livenessProbe: probe("127.0.0.1", "/healthz", 10257, "HTTPS", LIVENESS),
      startupProbe: probe("127.0.0.1", "/healthz", 10257, "HTTPS", STARTUP),
    },
    mounts: [
      ...CA_MOUNTS,
      { name: "flexvolume-dir", mountPath: "/usr/libexec/kubernetes/kubelet-plugins/volume/exec", hostPath: "/usr/libexec/kubernetes/kubelet-plugins/volume/exec", type: "DirectoryOrCreate" },
      K8S_CERTS,
      kubeconfigMount("controller-manager.conf"),
      ...SHARE_MOUNTS,
    ],
  };
}

function scheduler(): Component {
  const conf = "/etc/kubernetes/scheduler.conf";
  return {
    name: "kube-scheduler",
    image: IMAGES.scheduler,
    command: ["kube-scheduler", `--authentication-kubeconfig=${conf}`, `--authorization-kubeconfig=${conf}`, "--bind-address=127.0.0.1", `--kubeconfig=${conf}`, "--leader-elect=true"],
    cpu: "100m",
    probes: {
      livenessProbe: probe("127.0.0.1", "/livez", 10259, "HTTPS", LIVENESS),
      readinessProbe: probe("127.0.0.1", "/readyz", 10259, "HTTPS", READINESS),
      startupProbe: probe("127.0.0.1", "/livez", 10259, "HTTPS", STARTUP),
    },
    mounts: [kubeconfigMount("scheduler.conf")],
  };
}

/**
 * The manifests kubeadm writes on a control-plane node, keyed by file name
 * (`etcd.yaml`, `kube-apiserver.yaml`, …). `members` are every control-plane node (etcd peers).
 */
export function staticPodManifests(node: BootstrapNode, members: BootstrapNode[]): Record<string, KubeObject> {
  const out: Record<string, KubeObject> = {};
  for (const c of [etcd(node, members), apiserver(node), controllerManager(), scheduler()]) out[`${c.name}.yaml`] = manifest(c);
  return out;
}

// Models pkg/kubelet/config/common.go applyDefaults and pkg/kubelet/pod/mirror_client.go CreateMirrorPod
/** The mirror pod a kubelet publishes for a static pod it runs: named after the node, owned by it. */
export function mirrorPod(env: BootstrapEnv, staticPod: KubeObject, node: BootstrapNode): KubeObject {
  const pod = structuredClone(staticPod);
  const hash = hexDigest(canonicalJson(staticPod) + node.name, 32);
  const seen = new Date(env.now).toISOString().replace(/Z$/, `${String(env.rng.int(0, 999_999)).padStart(6, "0")}Z`);
  pod.metadata.name = `${staticPod.metadata.name}-${node.name}`;
  pod.metadata.annotations = {
    ...(staticPod.metadata.annotations ?? {}),
    "kubernetes.io/config.hash": hash,
    "kubernetes.io/config.mirror": hash,
    "kubernetes.io/config.seen": seen,
    "kubernetes.io/config.source": "file",
  };
  pod.metadata.ownerReferences = [{ apiVersion: "v1", kind: "Node", name: node.name, uid: node.uid, controller: true }];
  const spec = pod.spec as Record<string, unknown>;
  spec.nodeName = node.name;
  // Static pods tolerate every NoExecute taint: nothing may evict them from their node.
  spec.tolerations = [{ effect: "NoExecute", operator: "Exists" }];
  pod.status = runningPodStatus(env, pod, node, node.ip);
  return pod;
}

/** The mirror pods of every control-plane node. */
export function controlPlanePods(env: BootstrapEnv, nodes: BootstrapNode[]): KubeObject[] {
  const members = nodes.filter((n) => n.controlPlane);
  return members.flatMap((node) => Object.values(staticPodManifests(node, members)).map((m) => mirrorPod(env, m, node)));
}
