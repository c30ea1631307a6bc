// Whether a pod may run on a node: node selector, required node affinity, and taints against
// tolerations. The DaemonSet controller decides placement with these; the scheduler can too.
import type { KubeObject } from "../resources/types";
import { list, rec, type Obj } from "./workload-helpers";

export interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
}

export interface Taint {
  key: string;
  value?: string;
  effect: string;
}

// Models staging/src/k8s.io/api/core/v1/toleration.go Toleration.ToleratesTaint
export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  switch (t.operator ?? "") {
    case "":
    case "Equal":
      return (t.value ?? "") === (taint.value ?? "");
    case "Exists":
      return true;
    default:
      return false;
  }
}

// Models pkg/apis/core/v1/helper/helpers.go FindMatchingUntoleratedTaint
export function findUntoleratedTaint(taints: Taint[], tolerations: Toleration[], include: (t: Taint) => boolean): Taint | undefined {
  return taints.filter(include).find((taint) => !tolerations.some((t) => toleratesTaint(t, taint)));
}

export function nodeTaints(node: KubeObject): Taint[] {
  return list<Taint>(rec(node.spec).taints);
}

interface Requirement {
  key: string;
  operator: string;
  values?: string[];
}

function requirementMatches(r: Requirement, value: string | undefined): boolean {
  const has = value !== undefined;
  const values = r.values ?? [];
  switch (r.operator) {
    case "In":
      return has && values.includes(value);
    case "NotIn":
      return !has || !values.includes(value);
    case "Exists":
      return has;
    case "DoesNotExist":
      return !has;
    case "Gt":
    case "Lt": {
      if (!has || values.length !== 1 || !/^-?\d+$/.test(value) || !/^-?\d+$/.test(values[0])) return false;
      return r.operator === "Gt" ? Number(value) > Number(values[0]) : Number(value) < Number(values[0]);
    }
    default:
      return false;
  }
}

/**
 * A term matches when all of its label expressions and field expressions do; an empty term
 * matches nothing.
 * Models staging/src/k8s.io/component-helpers/scheduling/corev1/nodeaffinity/nodeaffinity.go nodeSelectorTerm.match
 */
export function nodeSelectorTermMatches(term: Obj, node: KubeObject): boolean {
  const exprs = list<Requirement>(term.matchExpressions);
  const fields = list<Requirement>(term.matchFields);
  if (!exprs.length && !fields.length) return false;
  const labels = node.metadata.labels ?? {};
  if (!exprs.every((r) => requirementMatches(r, Object.prototype.hasOwnProperty.call(labels, r.key) ? labels[r.key] : undefined))) return false;
  return fields.every((r) => r.key === "metadata.name" && (r.operator === "In" || r.operator === "NotIn") && requirementMatches(r, node.metadata.name));
}

/**
 * The pod's nodeSelector and required node affinity both admit the node.
 * Models staging/src/k8s.io/component-helpers/scheduling/corev1/nodeaffinity/nodeaffinity.go GetRequiredNodeAffinity.Match
 */
export function requiredNodeAffinityMatches(podSpec: Obj, node: KubeObject): boolean {
  const labels = node.metadata.labels ?? {};
  for (const [k, v] of Object.entries(rec(podSpec.nodeSelector))) if (labels[k] !== v) return false;
  const required = rec(rec(rec(podSpec.affinity).nodeAffinity).requiredDuringSchedulingIgnoredDuringExecution);
  if (!Object.keys(required).length) return true;
  return list(required.nodeSelectorTerms).some((t) => nodeSelectorTermMatches(t, node));
}
