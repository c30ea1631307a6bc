// The sandbox's default StorageClass. kubeadm installs none; a sandbox comes with the one kind
// ships, `standard` (rancher.io/local-path, WaitForFirstConsumer, Delete), so that a claim without
// a class is provisioned as on most clusters people learn on. Its provisioner is built into the
// sandbox (controllers/volume/provisioners/local-path.ts).
import type { KubeObject } from "../../resources/types";

export function defaultStorageClass(): KubeObject {
  return {
    apiVersion: "storage.k8s.io/v1",
    kind: "StorageClass",
    metadata: { name: "standard", annotations: { "storageclass.kubernetes.io/is-default-class": "true" } },
    provisioner: "rancher.io/local-path",
    reclaimPolicy: "Delete",
    volumeBindingMode: "WaitForFirstConsumer",
  };
}
