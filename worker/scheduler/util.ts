// Small helpers the plugins share: reading untyped object fields, label selectors that never throw,
// pod affinity terms with their namespaces resolved, and upstream's default score normalization.
import { matchesLabels, type LabelSelector } from "../api/selectors";
import { parseSelector } from "../controllers/workload-helpers";
import type { Toleration } from "../controllers/node-predicates";
import type { KubeObject } from "../resources/types";
import type { PodInfo } from "./types";

export type Obj = Record<string, unknown>;

export function rec(v: unknown): Obj {
  return v && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : {};
}

export function arr<T = Obj>(v: unknown): T[] {
  return Array.isArray(v) ? (v as T[]) : [];
}

const NOTHING: LabelSelector = { requirements: [], nothing: true } as LabelSelector;

/** A metav1.LabelSelector; an invalid one (rejected at admission anyway) selects nothing. */
export function selectorOf(spec: unknown): LabelSelector {
  if (spec === undefined || spec === null) return NOTHING;
  return parseSelector(spec) ?? NOTHING;
}

export function matches(sel: LabelSelector, labels: Record<string, string> | undefined): boolean {
  return matchesLabels(sel, labels);
}

export function tolerationsOf(pod: KubeObject): Toleration[] {
  return arr<Toleration>(rec(pod.spec).tolerations);
}

/** A pod (anti-)affinity term with its namespaces and selectors resolved (framework.AffinityTerm). */
export interface AffinityTerm {
  namespaces: Set<string>;
  /** null: no namespaceSelector; otherwise matched against the namespace's labels. */
  namespaceSelector: LabelSelector | null;
  selector: LabelSelector;
  topologyKey: string;
  weight: number;
}

// Models pkg/scheduler/framework/types.go newAffinityTerm / getNamespacesFromPodAffinityTerm
export function affinityTerm(pod: PodInfo, raw: Obj, weight = 0): AffinityTerm {
  const namespaces = arr<string>(raw.namespaces);
  const nsSel = raw.namespaceSelector;
  // matchLabelKeys / mismatchLabelKeys narrow the selector with the incoming pod's own label values.
  const base = rec(raw.labelSelector);
  const exprs = [...arr(base.matchExpressions)];
  for (const k of arr<string>(raw.matchLabelKeys)) if (k in pod.labels) exprs.push({ key: k, operator: "In", values: [pod.labels[k]] });
  for (const k of arr<string>(raw.mismatchLabelKeys)) if (k in pod.labels) exprs.push({ key: k, operator: "NotIn", values: [pod.labels[k]] });
  const selector = raw.labelSelector === undefined || raw.labelSelector === null ? NOTHING : selectorOf({ ...base, matchExpressions: exprs });
  return {
    namespaces: new Set(namespaces.length === 0 && (nsSel === undefined || nsSel === null) ? [pod.namespace] : namespaces),
    namespaceSelector: nsSel === undefined || nsSel === null ? null : selectorOf(nsSel),
    selector,
    topologyKey: String(raw.topologyKey ?? ""),
    weight,
  };
}

// Models pkg/scheduler/framework/types.go AffinityTerm.Matches
export function termMatches(term: AffinityTerm, pod: PodInfo, nsLabels: Map<string, Record<string, string>>): boolean {
  const nsOk = term.namespaces.has(pod.namespace) || (term.namespaceSelector !== null && matches(term.namespaceSelector, nsLabels.get(pod.namespace) ?? {}));
  return nsOk && matches(term.selector, pod.labels);
}

export interface PodAffinityTerms {
  requiredAffinity: AffinityTerm[];
  requiredAntiAffinity: AffinityTerm[];
  preferredAffinity: AffinityTerm[];
  preferredAntiAffinity: AffinityTerm[];
}

const termCache = new WeakMap<PodInfo, PodAffinityTerms>();

export function affinityTermsOf(p: PodInfo): PodAffinityTerms {
  const hit = termCache.get(p);
  if (hit) return hit;
  const affinity = rec(rec(p.pod.spec).affinity);
  const aff = rec(affinity.podAffinity);
  const anti = rec(affinity.podAntiAffinity);
  const required = (l: unknown) => arr(l).map((t) => affinityTerm(p, t));
  const preferred = (l: unknown) => arr(l).map((t) => affinityTerm(p, rec(t.podAffinityTerm), Number(t.weight ?? 0)));
  const terms = {
    requiredAffinity: required(aff.requiredDuringSchedulingIgnoredDuringExecution),
    requiredAntiAffinity: required(anti.requiredDuringSchedulingIgnoredDuringExecution),
    preferredAffinity: preferred(aff.preferredDuringSchedulingIgnoredDuringExecution),
    preferredAntiAffinity: preferred(anti.preferredDuringSchedulingIgnoredDuringExecution),
  };
  termCache.set(p, terms);
  return terms;
}

// Models pkg/scheduler/framework/plugins/helper/normalize_score.go DefaultNormalizeScore
export function defaultNormalizeScore(max: number, reverse: boolean, scores: number[]): void {
  const top = Math.max(0, ...scores);
  if (top === 0) {
    if (reverse) scores.fill(max);
    return;
  }
  for (let i = 0; i < scores.length; i++) {
    const s = Math.trunc((max * scores[i]) / top);
    scores[i] = reverse ? max - s : s;
  }
}
