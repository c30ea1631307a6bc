// Shared by the volume controller tests: claims, volumes, classes and pods as manifests, and what
// `kubectl get pv/pvc` and `describe` would show of them.
import type { KubeObject } from "../../../worker/resources/types";
import type { TestCluster } from "../../cluster";

export type Obj = Record<string, unknown>;

export const PVC = { apiVersion: "v1", kind: "PersistentVolumeClaim" };
export const PV = { apiVersion: "v1", kind: "PersistentVolume" };
export const SC = { apiVersion: "storage.k8s.io/v1", kind: "StorageClass" };
export const POD = { apiVersion: "v1", kind: "Pod" };

export function claim(name: string, spec: Obj = {}, extra: Partial<KubeObject["metadata"]> = {}): KubeObject {
  return { ...PVC, metadata: { name, namespace: "default", ...extra }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } }, ...spec } };
}

export function volume(name: string, spec: Obj = {}, labels?: Record<string, string>): KubeObject {
  return { ...PV, metadata: { name, ...(labels ? { labels } : {}) }, spec: { capacity: { storage: "1Gi" }, accessModes: ["ReadWriteOnce"], hostPath: { path: `/mnt/${name}` }, storageClassName: "", ...spec } };
}

export function storageClass(name: string, provisioner: string, extra: Obj = {}): KubeObject {
  return { ...SC, metadata: { name }, provisioner, ...extra };
}

/** A pod using claim `name` at /data (scheduled by the scheduler unless `node` is given). */
export function claimPod(name: string, claimName: string, extra: Obj = {}, image = "nginx:1.25"): KubeObject {
  return {
    ...POD,
    metadata: { name, namespace: "default" },
    spec: { containers: [{ name: "c", image, volumeMounts: [{ name: "data", mountPath: "/data" }] }], volumes: [{ name: "data", persistentVolumeClaim: { claimName } }], ...extra },
  };
}

export function getClaim(c: TestCluster, name: string): KubeObject {
  return c.get(PVC, "default", name)!;
}

export function getVolume(c: TestCluster, name: string): KubeObject | undefined {
  return c.get(PV, "", name);
}

export function phase(obj: KubeObject | undefined): string {
  if (!obj) return "<gone>";
  return obj.metadata.deletionTimestamp ? "Terminating" : String((obj.status as Obj | undefined)?.phase ?? "");
}

export function volumeName(pvc: KubeObject): string {
  return String((pvc.spec as Obj).volumeName ?? "");
}

/** Events about the object: "Reason: message" (with the source component when asked). */
export function eventsOf(c: TestCluster, obj: KubeObject, withSource = false): string[] {
  return c.store
    .list("/events")
    .filter((e) => (e.involvedObject as Obj).uid === obj.metadata.uid)
    .sort((a, b) => String(a.firstTimestamp).localeCompare(String(b.firstTimestamp)) || Number(a.metadata.resourceVersion) - Number(b.metadata.resourceVersion))
    .map((e) => `${e.reason}: ${e.message}${withSource ? ` [${(e.source as Obj).component}]` : ""}`);
}

/** A settled cluster: nothing to write, and no timer but the expiry of its oldest event. */
export async function expectSettled(c: TestCluster): Promise<void> {
  const { writes } = await c.settle();
  if (writes !== 0) throw new Error(`settling wrote ${writes} objects`);
  const expiries = c.store.list("/events").map((e) => Date.parse(String(e.lastTimestamp)) + 3600_000);
  const next = c.engine.nextWakeup();
  if (next !== undefined && next !== Math.min(...expiries)) throw new Error(`a wake-up at ${new Date(next).toISOString()}`);
}

/** csi-driver-nfs v4.6.0's controller Deployment, as its install script applies it (trimmed). */
export function csiNfsController(extraContainers: Obj[] = []): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "csi-nfs-controller", namespace: "kube-system" },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: "csi-nfs-controller" } },
      template: {
        metadata: { labels: { app: "csi-nfs-controller" } },
        spec: {
          hostNetwork: true,
          dnsPolicy: "ClusterFirstWithHostNet",
          containers: [
            { name: "csi-provisioner", image: "registry.aliyuncs.com/google_containers/csi-provisioner:v4.0.0", args: ["-v=2", "--csi-address=$(ADDRESS)", "--leader-election", "--extra-create-metadata=true"], env: [{ name: "ADDRESS", value: "/csi/csi.sock" }] },
            { name: "liveness-probe", image: "registry.aliyuncs.com/google_containers/livenessprobe:v2.12.0", args: ["--csi-address=/csi/csi.sock", "--probe-timeout=3s", "--http-endpoint=localhost:29652"] },
            {
              name: "nfs",
              image: "swr.cn-north-4.myhuaweicloud.com/ddn-k8s/registry.k8s.io/sig-storage/nfsplugin:v4.6.0",
              args: ["-v=5", "--nodeid=$(NODE_ID)", "--endpoint=$(CSI_ENDPOINT)"],
              env: [{ name: "NODE_ID", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } }, { name: "CSI_ENDPOINT", value: "unix:///csi/csi.sock" }],
              livenessProbe: { failureThreshold: 5, httpGet: { host: "localhost", path: "/healthz", port: 29652 }, initialDelaySeconds: 30, timeoutSeconds: 10, periodSeconds: 30 },
            },
            ...extraContainers,
          ],
        },
      },
    },
  } as never;
}

