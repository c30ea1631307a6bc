// Printers for apps/v1 kinds.
import type { ControllerRevision, DaemonSet, Deployment, StatefulSet } from "kubernetes-types/apps/v1";
import type { KubeObject, PrintContext, Printer, TableCell } from "../types";
import {
  age,
  ageColumn,
  as,
  col,
  containersColumn,
  controllerOf,
  formatLabelSelector,
  formatLabels,
  imagesColumn,
  layoutContainerCells,
  nameColumn,
  nameOf,
  num,
  selectorString,
} from "./common";

// Models pkg/printers/internalversion/printers.go printDeployment
export const deploymentPrinter: Printer = {
  columns: [
    nameColumn,
    col("Ready", "string", "Number of the pod with ready state"),
    col("Up-to-date", "string", "Total number of non-terminated pods targeted by this deployment that have the desired template spec."),
    col("Available", "string", "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment."),
    ageColumn,
    containersColumn,
    imagesColumn,
    col("Selector", "string", "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.", 1),
  ],
  row(obj: KubeObject, ctx: PrintContext): TableCell[] {
    const d = as<Deployment>(obj);
    const [names, images] = layoutContainerCells(d.spec?.template?.spec?.containers);
    return [
      nameOf(obj),
      `${num(d.status?.readyReplicas)}/${num(d.spec?.replicas, 1)}`,
      num(d.status?.updatedReplicas),
      num(d.status?.availableReplicas),
      age(obj, ctx),
      names,
      images,
      // Deployment prints the raw selector string (empty, not <none>, when there is none).
      selectorString(d.spec?.selector),
    ];
  },
};

type ReplicatedPods = { spec?: { replicas?: number; selector?: unknown; template?: { spec?: { containers?: unknown[] } } }; status?: { replicas?: number; readyReplicas?: number } };

/** ReplicaSets and ReplicationControllers print alike; only the form of their selector differs. */
export function replicatedPodsPrinter(owner: string, selectorSubject: string, formatSelector: (selector: never) => string): Printer {
  return {
    columns: [
      nameColumn,
      col("Desired", "integer", "Replicas is the number of desired replicas."),
      col("Current", "integer", "Replicas is the most recently observed number of replicas."),
      col("Ready", "integer", `The number of ready replicas for this ${owner}.`),
      ageColumn,
      containersColumn,
      imagesColumn,
      col("Selector", "string", `Selector is a label query over pods that should match the ${selectorSubject}.`, 1),
    ],
    row(obj: KubeObject, ctx: PrintContext): TableCell[] {
      const r = as<ReplicatedPods>(obj);
      const [names, images] = layoutContainerCells(r.spec?.template?.spec?.containers as never);
      return [nameOf(obj), num(r.spec?.replicas, 1), num(r.status?.replicas), num(r.status?.readyReplicas), age(obj, ctx), names, images, formatSelector(r.spec?.selector as never)];
    },
  };
}

export const replicaSetPrinter: Printer = replicatedPodsPrinter("replica set", "replica count", formatLabelSelector);

export const daemonSetPrinter: Printer = {
  columns: [
    nameColumn,
    col("Desired", "integer", "The total number of nodes that should be running the daemon pod."),
    col("Current", "integer", "The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod."),
    col("Ready", "integer", "The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and ready."),
    col("Up-to-date", "integer", "The total number of nodes that are running updated daemon pod"),
    col("Available", "integer", "The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available."),
    col("Node Selector", "string", "NodeSelector is a selector which must be true for the pod to fit on a node."),
    ageColumn,
    containersColumn,
    imagesColumn,
    col("Selector", "string", "A label query over pods that are managed by the daemon set.", 1),
  ],
  row(obj: KubeObject, ctx: PrintContext): TableCell[] {
    const ds = as<DaemonSet>(obj);
    const [names, images] = layoutContainerCells(ds.spec?.template?.spec?.containers);
    return [
      nameOf(obj),
      num(ds.status?.desiredNumberScheduled),
      num(ds.status?.currentNumberScheduled),
      num(ds.status?.numberReady),
      num(ds.status?.updatedNumberScheduled),
      num(ds.status?.numberAvailable),
      formatLabels(ds.spec?.template?.spec?.nodeSelector),
      age(obj, ctx),
      names,
      images,
      formatLabelSelector(ds.spec?.selector),
    ];
  },
};

export const statefulSetPrinter: Printer = {
  columns: [nameColumn, col("Ready", "string", "Number of the pod with ready state"), ageColumn, containersColumn, imagesColumn],
  row(obj: KubeObject, ctx: PrintContext): TableCell[] {
    const sts = as<StatefulSet>(obj);
    const [names, images] = layoutContainerCells(sts.spec?.template?.spec?.containers);
    return [nameOf(obj), `${num(sts.status?.readyReplicas)}/${num(sts.spec?.replicas, 1)}`, age(obj, ctx), names, images];
  },
};

// Models pkg/printers/internalversion/printers.go printControllerRevision
export const controllerRevisionPrinter: Printer = {
  columns: [
    nameColumn,
    col("Controller", "string", "Controller of the object"),
    col("Revision", "string", "Revision indicates the revision of the state represented by Data."),
    ageColumn,
  ],
  row(obj: KubeObject, ctx: PrintContext): TableCell[] {
    const ref = controllerOf(obj);
    let controller = "<none>";
    if (ref) {
      // GroupKind.String() is "Kind.group", or just "Kind" for the core group.
      const slash = ref.apiVersion.indexOf("/");
      const group = slash >= 0 ? ref.apiVersion.slice(0, slash) : "";
      const gk = group ? `${ref.kind}.${group}` : ref.kind;
      controller = gk ? `${gk.toLowerCase()}/${ref.name}` : ref.name;
    }
    return [nameOf(obj), controller, num(as<ControllerRevision>(obj).revision), age(obj, ctx)];
  },
};
