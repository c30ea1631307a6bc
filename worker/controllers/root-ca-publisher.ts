// The root CA publisher: every namespace has a `kube-root-ca.crt` ConfigMap with the cluster's CA
// bundle, recreated when deleted and restored when its data or description is changed.
// Models pkg/controller/certificates/rootcacertpublisher/publisher.go syncNamespace
import { findKind } from "../resources/registry";
import { rootCAConfigMap } from "../sandbox/bootstrap/cluster";
import { ROOT_CA_DESCRIPTION, SANDBOX_CA } from "../sandbox/bootstrap/pki";
import { deepEqual } from "../util/equal";
import type { ControllerContext } from "./types";

const CONFIG_MAP = findKind({ group: "", version: "v1", kind: "ConfigMap" })!;
export const ROOT_CA_CONFIG_MAP = "kube-root-ca.crt";
const DESCRIPTION_ANNOTATION = "kubernetes.io/description";

export function rootCaPublisher(ctx: ControllerContext): void {
  const data = { "ca.crt": SANDBOX_CA };
  for (const ns of ctx.list("/namespaces")) {
    // Upstream's create fails in a terminating namespace and is not retried.
    if (ns.metadata.deletionTimestamp) continue;
    const namespace = ns.metadata.name ?? "";
    const cm = ctx.get("/configmaps", namespace, ROOT_CA_CONFIG_MAP);
    if (!cm) {
      ctx.create(CONFIG_MAP, rootCAConfigMap(namespace));
      continue;
    }
    // Only the data and a non-empty description are owned; other labels and annotations stay.
    if (deepEqual(cm.data, data) && cm.metadata.annotations?.[DESCRIPTION_ANNOTATION]) continue;
    const next = structuredClone(cm);
    next.data = { ...data };
    next.metadata.annotations = { ...(next.metadata.annotations ?? {}), [DESCRIPTION_ANNOTATION]: ROOT_CA_DESCRIPTION };
    ctx.update(CONFIG_MAP, next);
  }
}
