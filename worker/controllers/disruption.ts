// The disruption controller: keeps every PodDisruptionBudget's status — how many of its pods are
// healthy (Ready), how many must be, how many may be disrupted now — so that the Eviction API can
// decide. Evictions note the pods they took in status.disruptedPods; those stop counting as healthy
// until they are gone, or for 2 minutes if they never go.
// Models pkg/controller/disruption/disruption.go trySync / getExpectedPodCount / getExpectedScale /
// buildDisruptedPodMap / countHealthyPods / updatePdbStatus / failSafe
import { findKind } from "../resources/registry";
import type { KubeObject } from "../resources/types";
import { getCondition, updateCondition } from "../util/pod-condition";
import { selectorOf, matches } from "../scheduler/util";
import type { ControllerContext } from "./types";
import { deepEqual } from "../util/equal";
import { controllerRefOf, parseTime, rec } from "./workload-helpers";

const PDB = findKind({ group: "policy", version: "v1", kind: "PodDisruptionBudget" })!;
const COMPONENT = "controllermanager";

/** How long an evicted pod may take to go before it counts again (DeletionTimeout). */
export const DELETION_TIMEOUT_MS = 2 * 60 * 1000;

/** intstr.GetScaledValueFromIntOrPercent with rounding up. */
function scaled(v: unknown, total: number): number | string {
  if (typeof v === "number") return v;
  const m = /^(\d+)%$/.exec(String(v));
  if (!m) return `invalid value for IntOrString: invalid type: string is not a percentage`;
  return Math.ceil((Number(m[1]) * total) / 100);
}

// Models disruption.go getExpectedScale: the sum of the scales of the pods' controllers.
function expectedScale(ctx: ControllerContext, pods: KubeObject[]): { count: number; unmanaged: string[] } | string {
  const scales = new Map<string, number>();
  const unmanaged: string[] = [];
  for (const pod of pods) {
    const ref = controllerRefOf(pod);
    if (!ref) {
      unmanaged.push(pod.metadata.name ?? "");
      continue;
    }
    if (scales.has(ref.uid)) continue;
    const ns = pod.metadata.namespace ?? "";
    const found = findScale(ctx, ref.kind, ref.apiVersion, ref.name, ref.uid, ns);
    if (!found) return `found no controllers for pod "${pod.metadata.name}"`;
    scales.set(found.uid, found.scale);
  }
  return { count: [...scales.values()].reduce((a, b) => a + b, 0), unmanaged };
}

function findScale(ctx: ControllerContext, kind: string, apiVersion: string, name: string, uid: string, ns: string): { uid: string; scale: number } | undefined {
  const replicas = (o: KubeObject) => Number(rec(o.spec).replicas ?? 1);
  const get = (resource: string, n: string, u: string) => {
    const o = ctx.get(resource, ns, n);
    return o && o.metadata.uid === u ? o : undefined;
  };
  if (kind === "ReplicaSet" && apiVersion.startsWith("apps/")) {
    const rs = get("apps/replicasets", name, uid);
    if (!rs) return undefined;
    const owner = controllerRefOf(rs);
    // A Deployment's ReplicaSet counts with the Deployment's scale.
    if (owner?.kind === "Deployment") {
      const d = get("apps/deployments", owner.name, owner.uid);
      return d ? { uid: owner.uid, scale: replicas(d) } : undefined;
    }
    return { uid, scale: replicas(rs) };
  }
  if (kind === "ReplicationController" && apiVersion === "v1") {
    const rc = get("/replicationcontrollers", name, uid);
    return rc ? { uid, scale: replicas(rc) } : undefined;
  }
  if (kind === "StatefulSet" && apiVersion.startsWith("apps/")) {
    const ss = get("apps/statefulsets", name, uid);
    return ss ? { uid, scale: replicas(ss) } : undefined;
  }
  return undefined;
}

function isReady(pod: KubeObject): boolean {
  return getCondition(pod.status, "Ready")?.status === "True";
}

interface Computed {
  expectedPods: number;
  desiredHealthy: number;
  currentHealthy: number;
  disruptionsAllowed: number;
  disruptedPods: Record<string, string>;
  recheck?: number;
  unmanaged: string[];
}

function compute(ctx: ControllerContext, pdb: KubeObject, pods: KubeObject[]): Computed | string {
  const spec = rec(pdb.spec);
  let expectedPods = 0;
  let desiredHealthy = 0;
  let unmanaged: string[] = [];
  if (spec.maxUnavailable !== undefined && spec.maxUnavailable !== null) {
    const s = expectedScale(ctx, pods);
    if (typeof s === "string") return s;
    const max = scaled(spec.maxUnavailable, s.count);
    if (typeof max === "string") return max;
    [expectedPods, unmanaged, desiredHealthy] = [s.count, s.unmanaged, Math.max(0, s.count - max)];
  } else if (typeof spec.minAvailable === "number") {
    [expectedPods, desiredHealthy] = [pods.length, spec.minAvailable];
  } else if (spec.minAvailable !== undefined && spec.minAvailable !== null) {
    const s = expectedScale(ctx, pods);
    if (typeof s === "string") return s;
    const min = scaled(spec.minAvailable, s.count);
    if (typeof min === "string") return min;
    [expectedPods, unmanaged, desiredHealthy] = [s.count, s.unmanaged, min];
  }
  const now = ctx.now();
  const previous = rec(rec(pdb.status).disruptedPods) as Record<string, string>;
  const disruptedPods: Record<string, string> = {};
  let recheck: number | undefined;
  for (const pod of pods) {
    const name = pod.metadata.name ?? "";
    if (pod.metadata.deletionTimestamp || !(name in previous)) continue;
    const expires = (parseTime(previous[name]) ?? 0) + DELETION_TIMEOUT_MS;
    if (expires <= now) continue;
    disruptedPods[name] = previous[name];
    recheck = Math.min(recheck ?? Infinity, expires);
  }
  const currentHealthy = pods.filter((p) => !p.metadata.deletionTimestamp && !((p.metadata.name ?? "") in disruptedPods) && isReady(p)).length;
  const allowed = currentHealthy - desiredHealthy;
  return { expectedPods, desiredHealthy, currentHealthy, disruptionsAllowed: expectedPods <= 0 || allowed <= 0 ? 0 : allowed, disruptedPods, recheck, unmanaged };
}

function syncBudget(ctx: ControllerContext, pdb: KubeObject): void {
  const ns = pdb.metadata.namespace ?? "";
  const sel = selectorOf(rec(pdb.spec).selector);
  const pods = ctx.list("/pods", ns).filter((p) => matches(sel, p.metadata.labels));
  const c = compute(ctx, pdb, pods);
  const now = ctx.nowRfc3339();
  const old = rec(pdb.status);
  const status: Record<string, unknown> = { ...structuredClone(old) };
  const generation = pdb.metadata.generation ?? 1;
  if (typeof c === "string") {
    // Models disruption.go failSafe: when the budget cannot be computed, nothing may be disrupted.
    status.disruptionsAllowed = 0;
    updateCondition(status, { type: "DisruptionAllowed", status: "False", reason: "SyncFailed", message: c, observedGeneration: old.observedGeneration ?? 0 }, now);
  } else {
    Object.assign(status, {
      currentHealthy: c.currentHealthy,
      desiredHealthy: c.desiredHealthy,
      expectedPods: c.expectedPods,
      disruptionsAllowed: c.disruptionsAllowed,
      observedGeneration: generation,
    });
    if (Object.keys(c.disruptedPods).length) status.disruptedPods = c.disruptedPods;
    else delete status.disruptedPods;
    const sufficient = c.disruptionsAllowed > 0;
    updateCondition(
      status,
      { type: "DisruptionAllowed", status: sufficient ? "True" : "False", reason: sufficient ? "SufficientPods" : "InsufficientPods", message: "", observedGeneration: generation },
      now,
    );
    if (c.recheck !== undefined) ctx.requeueAt(c.recheck);
  }
  if (deepEqual(status, old)) return;
  ctx.updateStatus(PDB, { ...pdb, status });
  // Events only on a change of status, so a settled budget writes nothing pass after pass.
  if (typeof c === "string") {
    ctx.event(pdb, "Warning", "CalculateExpectedPodCountFailed", `Failed to calculate the number of expected pods: ${c}`, COMPONENT);
    return;
  }
  if (pods.length === 0) ctx.event(pdb, "Normal", "NoPods", "No matching pods found", COMPONENT);
  if (c.unmanaged.length) {
    ctx.event(
      pdb,
      "Warning",
      "UnmanagedPods",
      `Pods selected by this PodDisruptionBudget (selector: ${goSelector(rec(pdb.spec).selector)}) were found to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. To account for these pods please set ".spec.minAvailable" field of the PDB to an integer value.`,
      COMPONENT,
    );
  }
}

/** A *metav1.LabelSelector as Go's %v prints it (its generated String method). */
function goSelector(sel: unknown): string {
  if (!sel) return "nil";
  const s = rec(sel);
  const labels = Object.entries(rec(s.matchLabels)).sort(([a], [b]) => (a < b ? -1 : 1));
  const exprs = (Array.isArray(s.matchExpressions) ? s.matchExpressions : []).map((e: Record<string, unknown>) => {
    const values = Array.isArray(e.values) ? e.values.join(" ") : "";
    return `LabelSelectorRequirement{Key:${e.key},Operator:${e.operator},Values:[${values}],}`;
  });
  return `&LabelSelector{MatchLabels:map[string]string{${labels.map(([k, v]) => `${k}: ${v},`).join("")}},MatchExpressions:[]LabelSelectorRequirement{${exprs.join(",")}},}`;
}

export function disruptionController(ctx: ControllerContext): void {
  for (const pdb of ctx.list("policy/poddisruptionbudgets")) {
    if (pdb.metadata.deletionTimestamp) continue;
    syncBudget(ctx, pdb);
  }
}

