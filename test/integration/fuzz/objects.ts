// Well-formed objects of every served kind: the starting points the fuzz test mutates.
import type { ResourceType } from "../../../worker/resources/registry";

const podSpec = (extra: Record<string, unknown> = {}) => ({
  containers: [
    {
      name: "c",
      image: "busybox:1.36",
      command: ["sh", "-c", "echo hi; sleep 3600"],
      ports: [{ containerPort: 80, name: "http", protocol: "TCP" }],
      env: [{ name: "A", value: "b" }, { name: "P", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } }],
      resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { cpu: "100m", memory: "64Mi" } },
      volumeMounts: [{ name: "data", mountPath: "/data", subPath: "sub" }],
      readinessProbe: { httpGet: { path: "/", port: 80 }, periodSeconds: 5 },
    },
  ],
  volumes: [{ name: "data", emptyDir: {} }],
  restartPolicy: "Always",
  ...extra,
});

const template = (app: string, extra: Record<string, unknown> = {}) => ({ metadata: { labels: { app } }, spec: podSpec(extra) });
const selector = (app: string) => ({ matchLabels: { app } });

/** A minimal valid object of each kind, keyed like the registry's `group/kind`. */
export function validObject(t: ResourceType, name: string): Record<string, unknown> {
  const apiVersion = t.group ? `${t.group}/${t.version}` : t.version;
  const base = { apiVersion, kind: t.kind, metadata: { name, labels: { app: name, fuzz: "1" }, annotations: { note: "fuzz" } } };
  const key = `${t.group}/${t.kind}`;
  switch (key) {
    case "/Namespace":
      return base;
    case "/Node":
      return { ...base, spec: { podCIDR: "10.244.9.0/24", taints: [{ key: "k", value: "v", effect: "NoSchedule" }] } };
    case "/Pod":
      return { ...base, spec: podSpec({ schedulerName: "kubeplay-fuzz-none" }) };
    case "/Service":
      return { ...base, spec: { selector: { app: name }, ports: [{ name: "http", port: 80, targetPort: "http", protocol: "TCP" }], type: "ClusterIP", sessionAffinity: "None" } };
    case "/Endpoints":
      return { ...base, subsets: [{ addresses: [{ ip: "10.244.1.5", targetRef: { kind: "Pod", name: "p", namespace: "default" } }], ports: [{ port: 80, name: "http" }] }] };
    case "/ConfigMap":
      return { ...base, data: { "app.properties": "a=b\n", key: "value" }, binaryData: { bin: "AAEC" } };
    case "/Secret":
      return { ...base, type: "Opaque", data: { password: "cGFzcw==" }, stringData: { user: "admin" } };
    case "/ServiceAccount":
      return { ...base, secrets: [{ name: "s" }], imagePullSecrets: [{ name: "regcred" }], automountServiceAccountToken: false };
    case "/Event":
      return { ...base, involvedObject: { kind: "Pod", name: "p", namespace: "default" }, reason: "Test", message: "m", type: "Normal", count: 1, firstTimestamp: "2024-01-01T00:00:00Z", lastTimestamp: "2024-01-01T00:00:00Z", source: { component: "fuzz" } };
    case "events.k8s.io/Event":
      return { ...base, eventTime: "2024-01-01T00:00:00.000000Z", reportingController: "fuzz/c", reportingInstance: "i", action: "Act", reason: "R", regarding: { kind: "Pod", name: "p", namespace: "default" }, note: "n", type: "Normal" };
    case "/PersistentVolume":
      return { ...base, spec: { capacity: { storage: "1Gi" }, accessModes: ["ReadWriteOnce"], persistentVolumeReclaimPolicy: "Retain", storageClassName: "manual", hostPath: { path: "/mnt/data", type: "DirectoryOrCreate" } } };
    case "/PersistentVolumeClaim":
      return { ...base, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } }, storageClassName: "manual" } };
    case "/ReplicationController":
      return { ...base, spec: { replicas: 1, selector: { app: name }, template: template(name) } };
    case "/ResourceQuota":
      return { ...base, spec: { hard: { pods: "10", "requests.cpu": "4", "limits.memory": "8Gi" } } };
    case "/LimitRange":
      return { ...base, spec: { limits: [{ type: "Container", default: { cpu: "500m" }, defaultRequest: { cpu: "100m" }, max: { cpu: "2" }, min: { cpu: "10m" } }] } };
    case "/PodTemplate":
      return { ...base, template: template(name) };
    case "apps/Deployment":
      return { ...base, spec: { replicas: 1, selector: selector(name), template: template(name), strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: 1 } }, minReadySeconds: 0, revisionHistoryLimit: 2 } };
    case "apps/ReplicaSet":
      return { ...base, spec: { replicas: 1, selector: selector(name), template: template(name) } };
    case "apps/DaemonSet":
      return { ...base, spec: { selector: selector(name), template: template(name, { tolerations: [{ operator: "Exists" }] }), updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1 } } } };
    case "apps/StatefulSet":
      return {
        ...base,
        spec: {
          replicas: 1,
          serviceName: name,
          selector: selector(name),
          template: template(name),
          volumeClaimTemplates: [{ metadata: { name: "www" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } }],
          podManagementPolicy: "OrderedReady",
        },
      };
    case "apps/ControllerRevision":
      return { ...base, revision: 1, data: { spec: { template: template(name) } } };
    case "batch/Job":
      return { ...base, spec: { completions: 1, parallelism: 1, backoffLimit: 2, activeDeadlineSeconds: 600, ttlSecondsAfterFinished: 60, template: { metadata: { labels: { app: name } }, spec: podSpec({ restartPolicy: "Never" }) } } };
    case "batch/CronJob":
      return {
        ...base,
        spec: {
          schedule: "*/5 * * * *",
          timeZone: "Etc/UTC",
          concurrencyPolicy: "Forbid",
          jobTemplate: { spec: { template: { spec: podSpec({ restartPolicy: "OnFailure" }) } } },
          successfulJobsHistoryLimit: 1,
        },
      };
    case "discovery.k8s.io/EndpointSlice":
      return { ...base, addressType: "IPv4", endpoints: [{ addresses: ["10.244.1.5"], conditions: { ready: true }, nodeName: "k8s-node1" }], ports: [{ name: "http", port: 80, protocol: "TCP" }] };
    case "networking.k8s.io/Ingress":
      return {
        ...base,
        spec: {
          ingressClassName: "nginx",
          tls: [{ hosts: ["a.example.com"], secretName: "tls" }],
          rules: [{ host: "a.example.com", http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "web", port: { number: 80 } } } }] } }],
        },
      };
    case "networking.k8s.io/IngressClass":
      return { ...base, spec: { controller: "example.com/ingress" } };
    case "networking.k8s.io/NetworkPolicy":
      return {
        ...base,
        spec: {
          podSelector: { matchLabels: { app: name } },
          policyTypes: ["Ingress", "Egress"],
          ingress: [{ from: [{ ipBlock: { cidr: "10.0.0.0/8", except: ["10.1.0.0/16"] } }, { namespaceSelector: { matchExpressions: [{ key: "a", operator: "In", values: ["b"] }] } }], ports: [{ port: 80, endPort: 90, protocol: "TCP" }] }],
          egress: [{ to: [{ podSelector: {} }], ports: [{ port: "dns", protocol: "UDP" }] }],
        },
      };
    case "storage.k8s.io/StorageClass":
      return { ...base, provisioner: "example.com/fuzz", reclaimPolicy: "Delete", volumeBindingMode: "WaitForFirstConsumer", allowVolumeExpansion: true, parameters: { a: "b" } };
    case "coordination.k8s.io/Lease":
      return { ...base, spec: { holderIdentity: "h", leaseDurationSeconds: 15, renewTime: "2024-01-01T00:00:00.000000Z" } };
    case "scheduling.k8s.io/PriorityClass":
      return { ...base, value: 1000, globalDefault: false, description: "d", preemptionPolicy: "PreemptLowerPriority" };
    case "policy/PodDisruptionBudget":
      return { ...base, spec: { minAvailable: 1, selector: selector(name), unhealthyPodEvictionPolicy: "IfHealthyBudget" } };
    case "autoscaling/HorizontalPodAutoscaler":
      return t.version === "v1"
        ? { ...base, spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "web" }, minReplicas: 1, maxReplicas: 5, targetCPUUtilizationPercentage: 80 } }
        : {
            ...base,
            spec: {
              scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "web" },
              minReplicas: 1,
              maxReplicas: 5,
              metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 50 } } }],
              behavior: { scaleDown: { stabilizationWindowSeconds: 300, policies: [{ type: "Pods", value: 1, periodSeconds: 60 }] } },
            },
          };
    case "rbac.authorization.k8s.io/Role":
    case "rbac.authorization.k8s.io/ClusterRole":
      return { ...base, rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["get", "list"] }, { nonResourceURLs: ["/healthz"], verbs: ["get"] }].slice(0, t.kind === "Role" ? 1 : 2) };
    case "rbac.authorization.k8s.io/RoleBinding":
    case "rbac.authorization.k8s.io/ClusterRoleBinding":
      return { ...base, subjects: [{ kind: "ServiceAccount", name: "default", namespace: "default" }], roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: t.kind === "RoleBinding" ? "Role" : "ClusterRole", name: "view" } };
  }
  return base;
}

/** A pod whose volumes put `path` where volume paths go: hostPath, subPath, subPathExpr, items, local. */
export function podWithVolumePath(name: string, where: string, path: string): Record<string, unknown> {
  const mount: Record<string, unknown> = { name: "v", mountPath: "/mnt/v" };
  let volume: Record<string, unknown> = { name: "v", emptyDir: {} };
  switch (where) {
    case "hostPath":
      volume = { name: "v", hostPath: { path, type: "" } };
      break;
    case "hostPathType":
      volume = { name: "v", hostPath: { path, type: "DirectoryOrCreate" } };
      break;
    case "subPath":
      volume = { name: "v", hostPath: { path: "/var/fuzz", type: "DirectoryOrCreate" } };
      mount.subPath = path;
      break;
    case "subPathExpr":
      mount.subPathExpr = `$(P)/${path}`;
      break;
    case "mountPath":
      mount.mountPath = path;
      break;
    case "configMapItem":
      volume = { name: "v", configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path }] } };
      break;
    case "secretItem":
      volume = { name: "v", secret: { secretName: "s", optional: true, items: [{ key: "k", path }] } };
      break;
    case "downwardAPI":
      volume = { name: "v", downwardAPI: { items: [{ path, fieldRef: { fieldPath: "metadata.name" } }] } };
      break;
    case "projected":
      volume = { name: "v", projected: { sources: [{ serviceAccountToken: { path, expirationSeconds: 3600 } }, { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: `${path}-ca` }] } }] } };
      break;
    case "workingDir":
      break;
  }
  const container: Record<string, unknown> = {
    name: "c",
    image: "busybox:1.36",
    command: ["sh", "-c", "ls -la /mnt/v; cat /mnt/v/* 2>&1; sleep 3600"],
    env: [{ name: "P", value: path }],
    volumeMounts: [mount],
  };
  if (where === "workingDir") container.workingDir = path;
  return { apiVersion: "v1", kind: "Pod", metadata: { name, labels: { fuzz: "1" } }, spec: { containers: [container], volumes: [volume], terminationGracePeriodSeconds: 0 } };
}

export const VOLUME_PATH_PLACES = ["hostPath", "hostPathType", "subPath", "subPathExpr", "mountPath", "configMapItem", "secretItem", "downwardAPI", "projected", "workingDir"] as const;

/** Paths that try to leave where they are put. */
export const HOSTILE_PATHS: readonly string[] = [
  "..",
  "../..",
  "../../../../etc/passwd",
  "/etc/shadow",
  "/",
  "/proc/self/environ",
  "/var/run/secrets/kubernetes.io/serviceaccount/token",
  "a/../../b",
  "./../x",
  "x/..",
  "..a",
  "a..",
  "....//",
  "a/./b",
  "//etc//passwd",
  "\u0000",
  "a\u0000b",
  "/tmp/\u0000/x",
  "",
  " ",
  "~root",
  "$(HOME)",
  "$(P)",
  "%2e%2e",
  "..\\..\\x",
  "C:\\Windows",
  "a".repeat(5000),
  "a/".repeat(600),
  "😀/../😀",
  "\n",
  "-rf",
  "/etc/kubernetes/manifests",
  "/etc/kubernetes/manifests/../../../etc/hosts",
];
