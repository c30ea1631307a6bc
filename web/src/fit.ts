// Why a node would not take a pod, by the scheduler's common filters, computed in the page from the
// cached nodes: a pod scheduled on the first try leaves no record of the nodes it passed over (the
// scheduler writes a FailedScheduling event only when no node fits), yet its story should say why the
// others were not chosen. The filters run in the default profile's order and the first that fails
// gives the reason, in the scheduler's words. Resources, ports, volumes and pod affinity are not
// re-checked here: a node that passes these may still have been filtered by those.
import type { Node, NodeSelectorRequirement, NodeSelectorTerm, Pod, Taint, Toleration } from "kubernetes-types/core/v1";

// Models staging/src/k8s.io/api/core/v1/toleration.go Toleration.ToleratesTaint
export function tolerates(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  if (t.operator === "Exists") return true;
  return (t.operator ?? "Equal") === "Equal" && (t.value ?? "") === (taint.value ?? "");
}

function requirementMatches(r: NodeSelectorRequirement, value: string | undefined): boolean {
  const values = r.values ?? [];
  switch (r.operator) {
    case "In":
      return value !== undefined && values.includes(value);
    case "NotIn":
      return value === undefined || !values.includes(value);
    case "Exists":
      return value !== undefined;
    case "DoesNotExist":
      return value === undefined;
    case "Gt":
    case "Lt":
      if (value === undefined || values.length !== 1 || !/^-?\d+$/.test(value) || !/^-?\d+$/.test(values[0])) return false;
      return r.operator === "Gt" ? Number(value) > Number(values[0]) : Number(value) < Number(values[0]);
    default:
      return false;
  }
}

// Models staging/src/k8s.io/component-helpers/scheduling/corev1/nodeaffinity/nodeaffinity.go nodeSelectorTerm.match
function termMatches(term: NodeSelectorTerm, node: Node): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (!exprs.length && !fields.length) return false;
  const labels = node.metadata?.labels ?? {};
  if (!exprs.every((r) => requirementMatches(r, Object.hasOwn(labels, r.key) ? labels[r.key] : undefined))) return false;
  return fields.every((r) => r.key === "metadata.name" && (r.operator === "In" || r.operator === "NotIn") && requirementMatches(r, node.metadata?.name));
}

/** The first of the common filters that keeps the pod off the node, in the scheduler's words; null if none does. */
// Models pkg/scheduler/framework/plugins/{nodeunschedulable,tainttoleration,nodeaffinity} Filter
export function whyNotFit(pod: Pod, node: Node): string | null {
  const tolerations = pod.spec?.tolerations ?? [];
  if (node.spec?.unschedulable && !tolerations.some((t) => tolerates(t, { key: "node.kubernetes.io/unschedulable", effect: "NoSchedule" }))) return "node(s) were unschedulable";
  const taint = (node.spec?.taints ?? []).find((x) => (x.effect === "NoSchedule" || x.effect === "NoExecute") && !tolerations.some((t) => tolerates(t, x)));
  if (taint) return `node(s) had untolerated taint {${taint.key}: ${taint.value ?? ""}}`;
  const labels = node.metadata?.labels ?? {};
  const selector = pod.spec?.nodeSelector ?? {};
  const terms = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (Object.entries(selector).some(([k, v]) => labels[k] !== v) || (terms && !terms.some((t) => termMatches(t, node)))) return "node(s) didn't match Pod's node affinity/selector";
  return null;
}
