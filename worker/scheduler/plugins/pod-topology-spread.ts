// PodTopologySpread: DoNotSchedule constraints filter nodes whose domain would exceed maxSkew over
// the least loaded eligible domain (0 when there are fewer domains than minDomains); ScheduleAnyway
// constraints — and, for pods without constraints, the cluster defaults (hostname 3, zone 5,
// selecting the pods of the same Service/ReplicaSet/StatefulSet) — score emptier domains higher.
// Models pkg/scheduler/framework/plugins/podtopologyspread/filtering.go, scoring.go, common.go
import { requiredNodeAffinityMatches } from "../../controllers/node-predicates";
import { formatLabelSelector, type LabelSelector } from "../../api/selectors";
import { MAX_NODE_SCORE, unresolvable, unschedulable, type CycleState, type NodeInfo, type PodInfo, type Plugin } from "../types";
import type { KubeObject } from "../../resources/types";
import { arr, matches, rec, selectorOf, type Obj } from "../util";
import { findUntoleratedTaint, nodeTaints } from "../../controllers/node-predicates";

export const ERR_CONSTRAINTS = "node(s) didn't match pod topology spread constraints";
export const ERR_MISSING_LABEL = `${ERR_CONSTRAINTS} (missing required label)`;

const HOSTNAME = "kubernetes.io/hostname";
const ZONE = "topology.kubernetes.io/zone";

interface Constraint {
  maxSkew: number;
  topologyKey: string;
  selector: LabelSelector;
  /** The namespace and selector as text, to memoize counts by. */
  selectorKey: string;
  minDomains: number;
  honorAffinity: boolean;
  honorTaints: boolean;
}

// Models common.go filterTopologySpreadConstraints (matchLabelKeys merged into the selector)
function constraintsOf(p: PodInfo, when: "DoNotSchedule" | "ScheduleAnyway"): Constraint[] {
  return arr(rec(p.pod.spec).topologySpreadConstraints)
    .filter((c) => c.whenUnsatisfiable === when)
    .map((c) => {
      const base = rec(c.labelSelector);
      const exprs = [...arr(base.matchExpressions)];
      for (const k of arr<string>(c.matchLabelKeys)) if (k in p.labels) exprs.push({ key: k, operator: "In", values: [p.labels[k]] });
      const selector = c.labelSelector === undefined || c.labelSelector === null ? selectorOf(null) : selectorOf({ ...base, matchExpressions: exprs });
      return {
        maxSkew: Number(c.maxSkew ?? 1),
        topologyKey: String(c.topologyKey ?? ""),
        selector,
        selectorKey: `${p.namespace}\u0000${keyOf(selector)}`,
        minDomains: Number(c.minDomains ?? 1),
        honorAffinity: (c.nodeAffinityPolicy ?? "Honor") === "Honor",
        honorTaints: c.nodeTaintsPolicy === "Honor",
      };
    });
}

// Models pkg/scheduler/framework/plugins/helper/spread.go DefaultSelector
function defaultSelector(state: CycleState): LabelSelector | undefined {
  const { pod, snapshot } = state;
  const merged: Record<string, string> = {};
  for (const svc of snapshot.list("/services", pod.namespace)) {
    const sel = rec(rec(svc.spec).selector) as Record<string, string>;
    if (Object.keys(sel).length && Object.entries(sel).every(([k, v]) => pod.labels[k] === v)) Object.assign(merged, sel);
  }
  const exprs: Obj[] = [];
  const owner = (pod.pod.metadata.ownerReferences ?? []).find((r) => r.controller);
  const ownerKey = owner ? `${owner.apiVersion}/${owner.kind}` : "";
  if (owner && ownerKey === "v1/ReplicationController") {
    const rc = snapshot.read("/replicationcontrollers", pod.namespace, owner.name);
    Object.assign(merged, rec(rec(rc?.spec).selector));
  } else if (owner && (ownerKey === "apps/v1/ReplicaSet" || ownerKey === "apps/v1/StatefulSet")) {
    const o = snapshot.read(ownerKey === "apps/v1/ReplicaSet" ? "apps/replicasets" : "apps/statefulsets", pod.namespace, owner.name);
    const sel = rec(rec(o?.spec).selector);
    for (const [k, v] of Object.entries(rec(sel.matchLabels))) exprs.push({ key: k, operator: "In", values: [v] });
    exprs.push(...arr(sel.matchExpressions));
  }
  if (Object.keys(merged).length === 0 && exprs.length === 0) return undefined;
  return selectorOf({ matchLabels: merged, matchExpressions: exprs });
}

/**
 * The default selector of the pods of one ReplicaSet or StatefulSet and its text, while the Services
 * of the namespace and the pod's labels stay as they were: its pods are scheduled by the hundred.
 */
const defaultMemo = new WeakMap<KubeObject, { services: KubeObject[]; labels: Record<string, string>; sel: LabelSelector | undefined; key: string }>();

function sameLabels(a: Record<string, string>, b: Record<string, string>): boolean {
  if (a === b) return true;
  const ak = Object.keys(a);
  if (ak.length !== Object.keys(b).length) return false;
  return ak.every((k) => Object.prototype.hasOwnProperty.call(b, k) && a[k] === b[k]);
}

function memoDefaultSelector(state: CycleState): { sel: LabelSelector | undefined; key: string } {
  const { pod, snapshot } = state;
  const owner = (pod.pod.metadata.ownerReferences ?? []).find((r) => r.controller);
  const ownerKey = owner ? `${owner.apiVersion}/${owner.kind}` : "";
  const o =
    owner && (ownerKey === "apps/v1/ReplicaSet" || ownerKey === "apps/v1/StatefulSet")
      ? snapshot.read(ownerKey === "apps/v1/ReplicaSet" ? "apps/replicasets" : "apps/statefulsets", pod.namespace, owner.name)
      : undefined;
  const services = snapshot.list("/services", pod.namespace);
  const hit = o && defaultMemo.get(o);
  if (hit && hit.services.length === services.length && hit.services.every((s, i) => s === services[i]) && sameLabels(hit.labels, pod.labels)) return hit;
  const sel = defaultSelector(state);
  const key = sel ? `${pod.namespace}\u0000${keyOf(sel)}` : "";
  if (o) defaultMemo.set(o, { services, labels: pod.labels, sel, key });
  return { sel, key };
}

function includesNode(c: Constraint, pod: PodInfo, node: NodeInfo): boolean {
  if (c.honorAffinity && !requiredNodeAffinityMatches(rec(pod.pod.spec), node.node)) return false;
  if (c.honorTaints) {
    const taint = findUntoleratedTaint(nodeTaints(node.node), arr(rec(pod.pod.spec).tolerations), (t) => t.effect === "NoSchedule" || t.effect === "NoExecute");
    if (taint) return false;
  }
  return true;
}

function hasAllKeys(node: NodeInfo, cs: Constraint[]): boolean {
  return cs.every((c) => node.labels[c.topologyKey] !== undefined);
}

function keyOf(sel: LabelSelector): string {
  return sel.nothing ? "!" : formatLabelSelector(sel);
}

/**
 * Pods on the node in `namespace` that the selector picks, not being deleted (memoized per node
 * until its pods change; `key` names the namespace and selector).
 */
export function countMatching(node: NodeInfo, sel: LabelSelector, namespace: string, key = `${namespace}\u0000${keyOf(sel)}`): number {
  const hit = node.memo.get(key);
  if (hit !== undefined) return hit.n;
  let n = 0;
  for (const p of node.pods) if (p.namespace === namespace && !p.pod.metadata.deletionTimestamp && matches(sel, p.labels)) n++;
  node.memo.set(key, { n, sel, namespace });
  return n;
}

interface FilterState {
  constraints: Constraint[];
  counts: Map<string, number>[];
  minMatch: number[];
}

export const podTopologySpread: Plugin = {
  name: "PodTopologySpread",
  weight: 2,
  preFilter(state) {
    const { pod, snapshot } = state;
    const constraints = constraintsOf(pod, "DoNotSchedule");
    if (!constraints.length) return { skip: true };
    const counts = constraints.map(() => new Map<string, number>());
    for (const node of snapshot.nodes) {
      if (!hasAllKeys(node, constraints)) continue;
      constraints.forEach((c, i) => {
        if (!includesNode(c, pod, node)) return;
        const v = node.labels[c.topologyKey];
        counts[i].set(v, (counts[i].get(v) ?? 0) + countMatching(node, c.selector, pod.namespace, c.selectorKey));
      });
    }
    const minMatch = constraints.map((c, i) => {
      if (counts[i].size < c.minDomains) return 0;
      return counts[i].size ? Math.min(...counts[i].values()) : 0;
    });
    state.data.set("PodTopologySpread/filter", { constraints, counts, minMatch } satisfies FilterState);
  },
  filter(state, node) {
    const s = state.data.get("PodTopologySpread/filter") as FilterState;
    for (let i = 0; i < s.constraints.length; i++) {
      const c = s.constraints[i];
      const v = node.labels[c.topologyKey];
      if (v === undefined) return unresolvable(ERR_MISSING_LABEL);
      const self = matches(c.selector, state.pod.labels) ? 1 : 0;
      if ((s.counts[i].get(v) ?? 0) + self - s.minMatch[i] > c.maxSkew) return unschedulable(ERR_CONSTRAINTS);
    }
    return null;
  },
  // Models scoring.go initPreScoreState / PreScore
  preScore(state, nodes) {
    const { pod, snapshot } = state;
    let constraints = constraintsOf(pod, "ScheduleAnyway");
    const systemDefaulted = arr(rec(pod.pod.spec).topologySpreadConstraints).length === 0;
    if (systemDefaulted) {
      const { sel, key: selectorKey } = memoDefaultSelector(state);
      if (!sel) return false;
      constraints = [
        { maxSkew: 3, topologyKey: HOSTNAME, selector: sel, selectorKey, minDomains: 1, honorAffinity: true, honorTaints: false },
        { maxSkew: 5, topologyKey: ZONE, selector: sel, selectorKey, minDomains: 1, honorAffinity: true, honorTaints: false },
      ];
    }
    if (!constraints.length) return false;
    const requireAll = !systemDefaulted;
    const ignored = new Set<string>();
    const counts = constraints.map(() => new Map<string, number>());
    for (const node of nodes) {
      if (requireAll && !hasAllKeys(node, constraints)) {
        ignored.add(node.name);
        continue;
      }
      constraints.forEach((c, i) => {
        const v = node.labels[c.topologyKey];
        if (c.topologyKey !== HOSTNAME && v !== undefined) counts[i].set(v, 0);
      });
    }
    const weights = constraints.map((c, i) => Math.log((c.topologyKey === HOSTNAME ? nodes.length - ignored.size : counts[i].size) + 2));
    for (const node of snapshot.nodes) {
      if (requireAll && !hasAllKeys(node, constraints)) continue;
      constraints.forEach((c, i) => {
        const v = node.labels[c.topologyKey];
        if (c.topologyKey === HOSTNAME || v === undefined || !counts[i].has(v) || !includesNode(c, pod, node)) return;
        counts[i].set(v, (counts[i].get(v) ?? 0) + countMatching(node, c.selector, pod.namespace, c.selectorKey));
      });
    }
    state.data.set("PodTopologySpread/score", { constraints, counts, weights, ignored });
  },
  score(state, node) {
    const s = state.data.get("PodTopologySpread/score") as { constraints: Constraint[]; counts: Map<string, number>[]; weights: number[]; ignored: Set<string> };
    if (s.ignored.has(node.name)) return 0;
    let score = 0;
    s.constraints.forEach((c, i) => {
      const v = node.labels[c.topologyKey];
      if (v === undefined) return;
      const cnt = c.topologyKey === HOSTNAME ? countMatching(node, c.selector, state.pod.namespace, c.selectorKey) : (s.counts[i].get(v) ?? 0);
      score += cnt * s.weights[i] + (c.maxSkew - 1);
    });
    return Math.round(score);
  },
  // Models scoring.go NormalizeScore: fewer matching pods → higher score; ignored nodes get 0.
  normalize(state, scores, nodes) {
    const s = state.data.get("PodTopologySpread/score") as { ignored: Set<string> };
    let min = Infinity;
    let max = 0;
    nodes.forEach((n, i) => {
      if (s.ignored.has(n.name)) return;
      min = Math.min(min, scores[i]);
      max = Math.max(max, scores[i]);
    });
    nodes.forEach((n, i) => {
      if (s.ignored.has(n.name)) scores[i] = 0;
      else if (max === 0) scores[i] = MAX_NODE_SCORE;
      else scores[i] = Math.trunc((MAX_NODE_SCORE * (max + min - scores[i])) / max);
    });
  },
};
