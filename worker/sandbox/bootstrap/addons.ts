// The addons `kubeadm init` installs — CoreDNS and kube-proxy — together with what their
// controllers had made of them by the time the cluster was handed over: the coredns ReplicaSet and
// pods, the kube-proxy ControllerRevision and one pod per node, all running.
// Models cmd/kubeadm/app/phases/addons/dns/manifests.go and cmd/kubeadm/app/phases/addons/proxy/manifests.go
import { computeHash as podTemplateHash } from "../../controllers/deployment/util";
import { computeHash as revisionHash, templatePatch } from "../../controllers/history";
import { applyDefaults } from "../../resources/validation";
import type { KubeObject } from "../../resources/types";
import { NAME_SUFFIX_ALPHABET } from "../rng";
import { type BootstrapEnv, type BootstrapNode, ownerRef, podIP, runningPodStatus, timestamp, withUid } from "./common";
import { DNS_SERVICE_IP, IMAGES } from "./config";

const CONTROL_PLANE_TAINT = "node-role.kubernetes.io/control-plane";

function serviceAccount(name: string): KubeObject {
  return { apiVersion: "v1", kind: "ServiceAccount", metadata: { name, namespace: "kube-system" } };
}

function corednsDeployment(): KubeObject {
  const dnsPort = (name: string, port: number, protocol: string) => ({ containerPort: port, name, protocol });
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "coredns", namespace: "kube-system", labels: { "k8s-app": "kube-dns" }, annotations: { "deployment.kubernetes.io/revision": "1" } },
    spec: {
      replicas: 2,
      strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1 } },
      selector: { matchLabels: { "k8s-app": "kube-dns" } },
      template: {
        metadata: { labels: { "k8s-app": "kube-dns" } },
        spec: {
          priorityClassName: "system-cluster-critical",
          serviceAccountName: "coredns",
          affinity: {
            podAntiAffinity: {
              preferredDuringSchedulingIgnoredDuringExecution: [
                {
                  weight: 100,
                  podAffinityTerm: {
                    labelSelector: { matchExpressions: [{ key: "k8s-app", operator: "In", values: ["kube-dns"] }] },
                    topologyKey: "kubernetes.io/hostname",
                  },
                },
              ],
            },
          },
          tolerations: [
            { key: "CriticalAddonsOnly", operator: "Exists" },
            { key: CONTROL_PLANE_TAINT, effect: "NoSchedule" },
          ],
          nodeSelector: { "kubernetes.io/os": "linux" },
          containers: [
            {
              name: "coredns",
              image: IMAGES.coredns,
              imagePullPolicy: "IfNotPresent",
              resources: { limits: { memory: "170Mi" }, requests: { cpu: "100m", memory: "70Mi" } },
              args: ["-conf", "/etc/coredns/Corefile"],
              volumeMounts: [{ name: "config-volume", mountPath: "/etc/coredns", readOnly: true }],
              ports: [
                dnsPort("dns", 53, "UDP"),
                dnsPort("dns-tcp", 53, "TCP"),
                dnsPort("metrics", 9153, "TCP"),
                dnsPort("liveness-probe", 8080, "TCP"),
                dnsPort("readiness-probe", 8181, "TCP"),
              ],
              livenessProbe: {
                httpGet: { path: "/health", port: "liveness-probe", scheme: "HTTP" },
                initialDelaySeconds: 60,
                timeoutSeconds: 5,
                successThreshold: 1,
                failureThreshold: 5,
              },
              readinessProbe: { httpGet: { path: "/ready", port: "readiness-probe", scheme: "HTTP" } },
              securityContext: {
                allowPrivilegeEscalation: false,
                capabilities: { add: ["NET_BIND_SERVICE"], drop: ["ALL"] },
                readOnlyRootFilesystem: true,
              },
            },
          ],
          dnsPolicy: "Default",
          volumes: [{ name: "config-volume", configMap: { name: "coredns", items: [{ key: "Corefile", path: "Corefile" }] } }],
        },
      },
    },
  };
}

function kubeDnsService(): KubeObject {
  const port = (name: string, p: number, protocol: string) => ({ name, port: p, protocol, targetPort: p });
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: {
      name: "kube-dns",
      namespace: "kube-system",
      labels: { "k8s-app": "kube-dns", "kubernetes.io/cluster-service": "true", "kubernetes.io/name": "CoreDNS" },
      annotations: { "prometheus.io/port": "9153", "prometheus.io/scrape": "true" },
    },
    spec: {
      clusterIP: DNS_SERVICE_IP,
      ports: [port("dns", 53, "UDP"), port("dns-tcp", 53, "TCP"), port("metrics", 9153, "TCP")],
      selector: { "k8s-app": "kube-dns" },
    },
  };
}

type Template = { metadata: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec: Record<string, unknown> };

/** A pod made from a controller's template, as the controller creates it (generateName + suffix). */
function podFromTemplate(env: BootstrapEnv, template: Template, owner: KubeObject, prefix: string, labels: Record<string, string>): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: prefix + env.rng.chars(NAME_SUFFIX_ALPHABET, 5),
      generateName: prefix,
      namespace: owner.metadata.namespace,
      labels: { ...(template.metadata.labels ?? {}), ...labels },
      ...(template.metadata.annotations ? { annotations: { ...template.metadata.annotations } } : {}),
      ownerReferences: [ownerRef(owner, true)],
    },
    spec: structuredClone(template.spec),
  };
}

/**
 * CoreDNS: ServiceAccount, Service, Deployment, its ReplicaSet `coredns-<pod-template-hash>` and two
 * pods. kubeadm installs it while the control-plane node is the only node, so both replicas run there.
 */
export function coredns(env: BootstrapEnv, nodes: BootstrapNode[]): KubeObject[] {
  const host = nodes.find((n) => n.controlPlane) ?? nodes[0];
  const deployment = withUid(env, corednsDeployment());
  // Controllers hash and copy the stored (defaulted) template; the hash is the controller's own.
  applyDefaults("apps/Deployment", deployment);
  const spec = deployment.spec as { replicas: number; selector: { matchLabels: Record<string, string> }; template: Template };
  const hash = podTemplateHash(spec.template);
  const rsName = `coredns-${hash}`;
  const rsTemplate = structuredClone(spec.template);
  rsTemplate.metadata.labels = { ...rsTemplate.metadata.labels, "pod-template-hash": hash };

  // Models pkg/controller/deployment/sync.go getNewReplicaSet
  const replicaSet = withUid(env, {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: {
      name: rsName,
      namespace: "kube-system",
      labels: rsTemplate.metadata.labels,
      annotations: {
        "deployment.kubernetes.io/desired-replicas": String(spec.replicas),
        "deployment.kubernetes.io/max-replicas": String(spec.replicas + 1),
        "deployment.kubernetes.io/revision": "1",
      },
      ownerReferences: [ownerRef(deployment, true)],
    },
    spec: {
      replicas: spec.replicas,
      selector: { matchLabels: { ...spec.selector.matchLabels, "pod-template-hash": hash } },
      template: rsTemplate,
    },
  });

  const pods: KubeObject[] = [];
  for (let i = 0; i < spec.replicas; i++) {
    const pod = podFromTemplate(env, rsTemplate, replicaSet, `${rsName}-`, {});
    (pod.spec as Record<string, unknown>).nodeName = host.name;
    pod.status = runningPodStatus(env, pod, host, podIP(host, 2 + i));
    pods.push(pod);
  }

  const now = timestamp(env);
  const condition = (type: string, reason: string, message: string) => ({ type, status: "True", lastUpdateTime: now, lastTransitionTime: now, reason, message });
  deployment.status = {
    observedGeneration: 1,
    replicas: spec.replicas,
    updatedReplicas: spec.replicas,
    readyReplicas: spec.replicas,
    availableReplicas: spec.replicas,
    conditions: [
      condition("Available", "MinimumReplicasAvailable", "Deployment has minimum availability."),
      condition("Progressing", "NewReplicaSetAvailable", `ReplicaSet "${rsName}" has successfully progressed.`),
    ],
  };
  replicaSet.status = { replicas: spec.replicas, fullyLabeledReplicas: spec.replicas, readyReplicas: spec.replicas, availableReplicas: spec.replicas, observedGeneration: 1 };
  return [serviceAccount("coredns"), kubeDnsService(), deployment, replicaSet, ...pods];
}

function kubeProxyDaemonSet(): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: { name: "kube-proxy", namespace: "kube-system", labels: { "k8s-app": "kube-proxy" }, annotations: { "deprecated.daemonset.template.generation": "1" } },
    spec: {
      selector: { matchLabels: { "k8s-app": "kube-proxy" } },
      updateStrategy: { type: "RollingUpdate" },
      template: {
        metadata: { labels: { "k8s-app": "kube-proxy" } },
        spec: {
          priorityClassName: "system-node-critical",
          containers: [
            {
              name: "kube-proxy",
              image: IMAGES.proxy,
              imagePullPolicy: "IfNotPresent",
              command: ["/usr/local/bin/kube-proxy", "--config=/var/lib/kube-proxy/config.conf", "--hostname-override=$(NODE_NAME)"],
              securityContext: { privileged: true },
              volumeMounts: [
                { mountPath: "/var/lib/kube-proxy", name: "kube-proxy" },
                { mountPath: "/run/xtables.lock", name: "xtables-lock" },
                { mountPath: "/lib/modules", name: "lib-modules", readOnly: true },
              ],
              env: [{ name: "NODE_NAME", valueFrom: { fieldRef: { apiVersion: "v1", fieldPath: "spec.nodeName" } } }],
            },
          ],
          hostNetwork: true,
          serviceAccountName: "kube-proxy",
          volumes: [
            { name: "kube-proxy", configMap: { name: "kube-proxy" } },
            { name: "xtables-lock", hostPath: { path: "/run/xtables.lock", type: "FileOrCreate" } },
            { name: "lib-modules", hostPath: { path: "/lib/modules", type: "" } },
          ],
          tolerations: [{ key: "CriticalAddonsOnly", operator: "Exists" }, { operator: "Exists" }],
          nodeSelector: { "kubernetes.io/os": "linux" },
        },
      },
    },
  };
}

// Models pkg/controller/daemon/util/daemonset_util.go AddOrUpdateDaemonPodTolerations
function daemonPodTolerations(hostNetwork: boolean): Record<string, string>[] {
  const t = (key: string, effect: string) => ({ key: `node.kubernetes.io/${key}`, operator: "Exists", effect });
  return [
    t("not-ready", "NoExecute"),
    t("unreachable", "NoExecute"),
    t("disk-pressure", "NoSchedule"),
    t("memory-pressure", "NoSchedule"),
    t("pid-pressure", "NoSchedule"),
    t("unschedulable", "NoSchedule"),
    ...(hostNetwork ? [t("network-unavailable", "NoSchedule")] : []),
  ];
}

/**
 * kube-proxy: ServiceAccount, DaemonSet, its ControllerRevision and one running pod per node,
 * each pinned to its node by the node affinity the DaemonSet controller writes.
 */
export function kubeProxy(env: BootstrapEnv, nodes: BootstrapNode[]): KubeObject[] {
  const ds = withUid(env, kubeProxyDaemonSet());
  applyDefaults("apps/DaemonSet", ds);
  const template = (ds.spec as { template: Template }).template;
  // The revision stores the template as a replace patch, named by the hash the controller uses.
  const data = templatePatch(ds);
  const hash = revisionHash(data);
  const revision: KubeObject = {
    apiVersion: "apps/v1",
    kind: "ControllerRevision",
    metadata: {
      name: `kube-proxy-${hash}`,
      namespace: "kube-system",
      labels: { ...(template.metadata.labels ?? {}), "controller-revision-hash": hash },
      annotations: { "deprecated.daemonset.template.generation": "1" },
      ownerReferences: [ownerRef(ds, true)],
    },
    data,
    revision: 1,
  };

  const pods = nodes.map((node) => {
    // Models pkg/controller/daemon/util/daemonset_util.go CreatePodTemplate and ReplaceDaemonSetPodNodeNameNodeAffinity
    const pod = podFromTemplate(env, template, ds, "kube-proxy-", { "controller-revision-hash": hash, "pod-template-generation": "1" });
    const spec = pod.spec as Record<string, unknown>;
    spec.affinity = {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchFields: [{ key: "metadata.name", operator: "In", values: [node.name] }] }],
        },
      },
    };
    spec.tolerations = [...((spec.tolerations as unknown[]) ?? []), ...daemonPodTolerations(spec.hostNetwork === true)];
    spec.nodeName = node.name;
    pod.status = runningPodStatus(env, pod, node, node.ip);
    return pod;
  });

  const n = nodes.length;
  ds.status = {
    currentNumberScheduled: n,
    desiredNumberScheduled: n,
    numberAvailable: n,
    numberMisscheduled: 0,
    numberReady: n,
    observedGeneration: 1,
    updatedNumberScheduled: n,
  };
  return [serviceAccount("kube-proxy"), ds, revision, ...pods];
}
