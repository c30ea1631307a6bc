// Printers for coordination, scheduling, policy and autoscaling kinds.
import type { HorizontalPodAutoscaler, MetricSpec, MetricStatus } from "kubernetes-types/autoscaling/v2";
import type { Lease } from "kubernetes-types/coordination/v1";
import type { PodDisruptionBudget } from "kubernetes-types/policy/v1";
import type { PriorityClass } from "kubernetes-types/scheduling/v1";
import type { KubeObject, PrintContext, Printer, TableCell } from "../types";
import { age, ageColumn, as, col, intOrString, nameColumn, nameOf, num, quantityPtr } from "./common";

export const leasePrinter: Printer = {
  columns: [nameColumn, col("Holder", "string", "holderIdentity contains the identity of the holder of a current lease."), ageColumn],
  row(obj: KubeObject, ctx: PrintContext): TableCell[] {
    return [nameOf(obj), as<Lease>(obj).spec?.holderIdentity ?? "", age(obj, ctx)];
  },
};

export const priorityClassPrinter: Printer = {
  columns: [
    nameColumn,
    col("Value", "integer", "value represents the integer value of this priority class."),
    col("Global-Default", "boolean", "globalDefault specifies whether this PriorityClass should be considered as the default priority for pods that do not have any priority class."),
    ageColumn,
    col("PreemptionPolicy", "string", "preemptionPolicy is the Policy for preempting pods with lower priority."),
  ],
  row(obj: KubeObject, ctx: PrintContext): TableCell[] {
    const pc = as<PriorityClass>(obj);
    return [nameOf(obj), num(pc.value), pc.globalDefault ?? false, age(obj, ctx), pc.preemptionPolicy ?? ""];
  },
};

export const podDisruptionBudgetPrinter: Printer = {
  columns: [
    nameColumn,
    col("Min Available", "string", "The minimum number of pods that must be available."),
    col("Max Unavailable", "string", "The maximum number of pods that may be unavailable."),
    col("Allowed Disruptions", "integer", "Calculated number of pods that may be disrupted at this time."),
    ageColumn,
  ],
  row(obj: KubeObject, ctx: PrintContext): TableCell[] {
    const pdb = as<PodDisruptionBudget>(obj);
    const min = pdb.spec?.minAvailable;
    const max = pdb.spec?.maxUnavailable;
    return [
      nameOf(obj),
      min === undefined ? "N/A" : intOrString(min),
      max === undefined ? "N/A" : intOrString(max),
      num(pdb.status?.disruptionsAllowed),
      age(obj, ctx),
    ];
  },
};

// Models pkg/printers/internalversion/printers.go formatHPAMetrics
export function formatHPAMetrics(specs: MetricSpec[] | undefined, statuses: MetricStatus[] | undefined): string {
  const list: string[] = [];
  const all = specs ?? [];
  if (all.length === 0) return "<none>";
  const st = statuses ?? [];
  const max = 2;
  all.forEach((spec, i) => {
    const status = st[i];
    switch (spec.type) {
      case "External": {
        const target = spec.external?.target;
        if (target?.averageValue !== undefined) {
          const cur = status?.external?.current?.averageValue;
          list.push(`${cur !== undefined ? quantityPtr(cur) : "<unknown>"}/${quantityPtr(target.averageValue)} (avg)`);
        } else {
          const cur = status?.external ? quantityPtr(status.external.current?.value) : "<unknown>";
          list.push(`${cur}/${quantityPtr(target?.value)}`);
        }
        break;
      }
      case "Pods": {
        const cur = status?.pods ? quantityPtr(status.pods.current?.averageValue) : "<unknown>";
        list.push(`${cur}/${quantityPtr(spec.pods?.target?.averageValue)}`);
        break;
      }
      case "Object": {
        const target = spec.object?.target;
        if (target?.averageValue !== undefined) {
          const cur = status?.object?.current?.averageValue;
          list.push(`${cur !== undefined ? quantityPtr(cur) : "<unknown>"}/${quantityPtr(target.averageValue)} (avg)`);
        } else {
          const cur = status?.object ? quantityPtr(status.object.current?.value) : "<unknown>";
          list.push(`${cur}/${quantityPtr(target?.value)}`);
        }
        break;
      }
      case "Resource":
      case "ContainerResource": {
        const source = spec.type === "Resource" ? spec.resource : spec.containerResource;
        const current = spec.type === "Resource" ? status?.resource : status?.containerResource;
        const name = source?.name ?? "";
        const target = source?.target;
        if (target?.averageValue !== undefined) {
          const cur = current ? quantityPtr(current.current?.averageValue) : "<unknown>";
          list.push(`${name}: ${cur}/${quantityPtr(target.averageValue)}`);
        } else {
          const util = current?.current?.averageUtilization;
          const cur = util !== undefined ? `${util}%` : "<unknown>";
          const tgt = target?.averageUtilization !== undefined ? `${target.averageUtilization}%` : "<auto>";
          list.push(`${name}: ${cur}/${tgt}`);
        }
        break;
      }
      default:
        list.push("<unknown type>");
    }
  });
  const count = list.length;
  if (count > max) return `${list.slice(0, max).join(", ")} + ${count - max} more...`;
  return list.join(", ");
}

export const horizontalPodAutoscalerPrinter: Printer = {
  columns: [
    nameColumn,
    col("Reference", "string", "reference to scaled resource; horizontal pod autoscaler will learn the current resource consumption and will set the desired number of pods by using its Scale subresource."),
    col("Targets", "string", "metrics contains the specifications for which to use to calculate the desired replica count."),
    col("MinPods", "string", "minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down."),
    col("MaxPods", "string", "maxReplicas is the upper limit for the number of replicas to which the autoscaler can scale up."),
    col("Replicas", "string", "currentReplicas is current number of replicas of pods managed by this autoscaler."),
    ageColumn,
  ],
  row(obj: KubeObject, ctx: PrintContext): TableCell[] {
    const hpa = as<HorizontalPodAutoscaler>(obj);
    const ref = hpa.spec?.scaleTargetRef;
    const minPods = typeof hpa.spec?.minReplicas === "number" ? String(hpa.spec.minReplicas) : "<unset>";
    return [
      nameOf(obj),
      `${ref?.kind ?? ""}/${ref?.name ?? ""}`,
      formatHPAMetrics(hpa.spec?.metrics, hpa.status?.currentMetrics),
      minPods,
      num(hpa.spec?.maxReplicas),
      num(hpa.status?.currentReplicas),
      age(obj, ctx),
    ];
  },
};
