// rancher.io/local-path, the provisioner behind the default `standard` class (as in kind): a
// volume is a directory on the node the scheduler chose, `/var/local-path-provisioner/
// pvc-<uid>_<namespace>_<claim>`, mounted as a hostPath and pinned to that node by node affinity,
// so every pod of the claim lands there. Only ReadWriteOnce(Pod) filesystem claims, no selector.
// The sandbox runs it built in (there is no local-path-storage namespace); unlike the real one it
// can also grow volumes, so expansion works on the default class when the class allows it.
// Models github.com/rancher/local-path-provisioner provisioner.go Provision / provisionFor / Delete
import { createVolumeDirectory, deleteVolumeContent } from "../../../kubelet/pv-content";
import { hexDigest } from "../../../sandbox/bootstrap/hash";
import type { ControllerContext } from "../../types";
import { accessModes, rec, requestedStorage } from "../util";
import type { Provisioner } from "./types";

export const LOCAL_PATH = "rancher.io/local-path";
const BASE_PATH = "/var/local-path-provisioner";
const HOSTNAME = "kubernetes.io/hostname";

function uuidFrom(seed: string): string {
  const h = hexDigest(seed, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function localPathProvisioner(ctx: ControllerContext): Provisioner {
  const cluster = ctx.get("/namespaces", "", "kube-system")?.metadata.uid ?? "";
  return {
    name: LOCAL_PATH,
    identity: `${LOCAL_PATH}_local-path-provisioner_${uuidFrom(`local-path/${cluster}`)}`,
    // The real one runs a helper pod to create the directory.
    durationMs: 2000,
    supportsBlock: false,
    resizer: { nodeExpansion: true },
    provision(ctx, { pvc, sc, pvName, node }) {
      if (rec(pvc.spec).selector) return { error: "claim.Spec.Selector is not supported" };
      if (accessModes(pvc).some((m) => m !== "ReadWriteOnce" && m !== "ReadWriteOncePod")) return { error: "NodePath only supports ReadWriteOnce and ReadWriteOncePod (1.22+) access modes" };
      if (!node) return { error: "configuration error, no node was specified" };
      const nodeName = node.metadata.name ?? "";
      const path = `${BASE_PATH}/${[pvName, pvc.metadata.namespace, pvc.metadata.name].join("_")}`;
      const pv = {
        apiVersion: "v1",
        kind: "PersistentVolume",
        metadata: { name: pvName, annotations: { "local.path.provisioner/selected-node": nodeName } },
        spec: {
          persistentVolumeReclaimPolicy: sc.reclaimPolicy ?? "Delete",
          accessModes: accessModes(pvc),
          volumeMode: "Filesystem",
          capacity: { storage: requestedStorage(pvc) },
          hostPath: { path, type: "DirectoryOrCreate" },
          nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: HOSTNAME, operator: "In", values: [node.metadata.labels?.[HOSTNAME] ?? nodeName] }] }] } },
        },
      };
      createVolumeDirectory(ctx, pv);
      return { pv };
    },
    delete(ctx, pv) {
      deleteVolumeContent(ctx, pv);
      return undefined;
    },
  };
}
