// Server-side Table printing for every served kind, keyed by "<group>/<Kind>" (core group is "").
import type { KubeObject, Printer, TableCell } from "../types";
import {
  controllerRevisionPrinter,
  daemonSetPrinter,
  deploymentPrinter,
  replicaSetPrinter,
  statefulSetPrinter,
} from "./apps";
import { cronJobPrinter, jobPrinter } from "./batch";
import { nameColumn } from "./common";
import {
  componentStatusPrinter,
  configMapPrinter,
  endpointsPrinter,
  namespacePrinter,
  nodePrinter,
  podTemplatePrinter,
  replicationControllerPrinter,
  resourceQuotaPrinter,
  secretPrinter,
  serviceAccountPrinter,
  servicePrinter,
} from "./core";
import { parseTimestamp } from "./duration";
import { coreEventPrinter, eventsV1EventPrinter } from "./events";
import { horizontalPodAutoscalerPrinter, leasePrinter, podDisruptionBudgetPrinter, priorityClassPrinter } from "./misc";
import { endpointSlicePrinter, ingressClassPrinter, ingressPrinter, networkPolicyPrinter } from "./networking";
import { podPrinter } from "./pod";
import { clusterRoleBindingPrinter, roleBindingPrinter } from "./rbac";
import { persistentVolumeClaimPrinter, persistentVolumePrinter, storageClassPrinter, csiDriverPrinter } from "./storage";

export { humanDuration, translateTimestampSince } from "./duration";

/** Go's time.Time{}.UTC().Format(time.RFC3339) — what an unset timestamp renders as. */
const ZERO_TIME_RFC3339 = "0001-01-01T00:00:00Z";

// Models staging/src/k8s.io/apiserver/pkg/registry/rest/table.go defaultTableConvertor
/** Used for kinds without a dedicated printer (Role, ClusterRole, LimitRange, …). */
export const defaultPrinter: Printer = {
  columns: [
    nameColumn,
    {
      name: "Created At",
      type: "date",
      description:
        "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata",
    },
  ],
  row(obj: KubeObject): TableCell[] {
    const t = parseTimestamp(obj.metadata.creationTimestamp);
    // RFC 3339 at second precision in UTC, like Go's time.RFC3339 layout.
    const created = t === undefined ? ZERO_TIME_RFC3339 : new Date(t).toISOString().replace(/\.\d{3}Z$/, "Z");
    return [obj.metadata.name ?? "", created];
  },
};

export const printers: Record<string, Printer> = {
  "/Namespace": namespacePrinter,
  "/Node": nodePrinter,
  "/Pod": podPrinter,
  "/PodTemplate": podTemplatePrinter,
  "/Service": servicePrinter,
  "/Endpoints": endpointsPrinter,
  "/ConfigMap": configMapPrinter,
  "/Secret": secretPrinter,
  "/ServiceAccount": serviceAccountPrinter,
  "/Event": coreEventPrinter,
  "/PersistentVolume": persistentVolumePrinter,
  "/PersistentVolumeClaim": persistentVolumeClaimPrinter,
  "/ReplicationController": replicationControllerPrinter,
  "/ResourceQuota": resourceQuotaPrinter,
  "/ComponentStatus": componentStatusPrinter,
  "events.k8s.io/Event": eventsV1EventPrinter,
  "apps/Deployment": deploymentPrinter,
  "apps/ReplicaSet": replicaSetPrinter,
  "apps/DaemonSet": daemonSetPrinter,
  "apps/StatefulSet": statefulSetPrinter,
  "apps/ControllerRevision": controllerRevisionPrinter,
  "batch/Job": jobPrinter,
  "batch/CronJob": cronJobPrinter,
  "discovery.k8s.io/EndpointSlice": endpointSlicePrinter,
  "networking.k8s.io/Ingress": ingressPrinter,
  "networking.k8s.io/IngressClass": ingressClassPrinter,
  "networking.k8s.io/NetworkPolicy": networkPolicyPrinter,
  "storage.k8s.io/StorageClass": storageClassPrinter,
  "storage.k8s.io/CSIDriver": csiDriverPrinter,
  "coordination.k8s.io/Lease": leasePrinter,
  "scheduling.k8s.io/PriorityClass": priorityClassPrinter,
  "policy/PodDisruptionBudget": podDisruptionBudgetPrinter,
  "autoscaling/HorizontalPodAutoscaler": horizontalPodAutoscalerPrinter,
  "rbac.authorization.k8s.io/RoleBinding": roleBindingPrinter,
  "rbac.authorization.k8s.io/ClusterRoleBinding": clusterRoleBindingPrinter,
  // Role, ClusterRole and LimitRange have no upstream printer: they use defaultPrinter.
};

/** The printer for a kind, falling back to the apiserver's default table. */
export function printerFor(group: string, kind: string): Printer {
  return printers[`${group}/${kind}`] ?? defaultPrinter;
}
