// Deployment helpers: shapes, the pod-template-hash, revisions and the replica-count annotations,
// maxSurge/maxUnavailable arithmetic, and finding the new and old ReplicaSets.
// Models pkg/controller/deployment/util/deployment_util.go
import type { LabelSelectorSpec } from "../../api/selectors";
import { findKind } from "../../resources/registry";
import type { KubeObject } from "../../resources/types";
import { deepEqual } from "../../util/equal";
import { NAME_SUFFIX_ALPHABET } from "../../sandbox/rng";
import { timeOf, type PodTemplate } from "../replica-pods";

export const DEPLOYMENT = findKind({ group: "apps", version: "v1", kind: "Deployment" })!;
export const REPLICA_SET = findKind({ group: "apps", version: "v1", kind: "ReplicaSet" })!;
export const POD = findKind({ group: "", version: "v1", kind: "Pod" })!;
export const COMPONENT = "deployment-controller";

export const HASH_LABEL = "pod-template-hash";
export const REVISION = "deployment.kubernetes.io/revision";
export const REVISION_HISTORY = "deployment.kubernetes.io/revision-history";
export const DESIRED_REPLICAS = "deployment.kubernetes.io/desired-replicas";
export const MAX_REPLICAS = "deployment.kubernetes.io/max-replicas";
/** Upstream caps the revision-history annotation at this many characters. */
const MAX_REV_HISTORY_CHARS = 2000;
/** Annotations a ReplicaSet does not inherit from its Deployment (and `rollout undo` keeps). */
const ANNOTATIONS_TO_SKIP = new Set([
  "kubectl.kubernetes.io/last-applied-configuration",
  REVISION,
  REVISION_HISTORY,
  DESIRED_REPLICAS,
  MAX_REPLICAS,
  "deprecated.deployment.rollback.to",
]);

export interface RollingUpdate {
  maxSurge?: number | string;
  maxUnavailable?: number | string;
}

export interface DeploymentSpec {
  replicas?: number;
  selector?: LabelSelectorSpec;
  template?: PodTemplate;
  strategy?: { type?: string; rollingUpdate?: RollingUpdate };
  minReadySeconds?: number;
  revisionHistoryLimit?: number;
  paused?: boolean;
  progressDeadlineSeconds?: number;
}

export interface DeploymentCondition {
  type: string;
  status: "True" | "False" | "Unknown";
  lastUpdateTime?: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface DeploymentStatus {
  observedGeneration?: number;
  replicas?: number;
  updatedReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  unavailableReplicas?: number;
  conditions?: DeploymentCondition[];
  collisionCount?: number;
}

export interface ReplicaSetSpec {
  replicas?: number;
  minReadySeconds?: number;
  selector?: LabelSelectorSpec;
  template?: PodTemplate;
}

export interface ReplicaSetStatus {
  replicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  observedGeneration?: number;
}

export const dSpec = (d: KubeObject) => (d.spec ?? {}) as DeploymentSpec;
export const dStatus = (d: KubeObject) => (d.status ?? {}) as DeploymentStatus;
export const rsSpec = (rs: KubeObject) => (rs.spec ?? {}) as ReplicaSetSpec;
export const rsStatus = (rs: KubeObject) => (rs.status ?? {}) as ReplicaSetStatus;
/** spec.replicas (defaulted to 1 by the API). */
export const desired = (o: KubeObject) => (o.spec as { replicas?: number } | undefined)?.replicas ?? 1;

// ---- the pod-template-hash ----

/** Drops nulls and empty maps/lists, which the API treats as absent (Semantic.DeepEqual does too). */
function normalize(v: unknown): unknown {
  if (Array.isArray(v)) {
    const items = v.map(normalize);
    return items.length ? items : undefined;
  }
  if (v === null || typeof v !== "object") return v ?? undefined;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v).sort()) {
    const n = normalize((v as Record<string, unknown>)[k]);
    if (n !== undefined) out[k] = n;
  }
  return Object.keys(out).length ? out : undefined;
}

function fnv32a(bytes: Uint8Array, hash = 0x811c9dc5): number {
  for (const b of bytes) hash = Math.imul(hash ^ b, 0x01000193) >>> 0;
  return hash;
}

/** Maps each character of `s` into the alphabet of generated names (no vowels, no look-alikes). */
// Models staging/src/k8s.io/apimachinery/pkg/util/rand/rand.go SafeEncodeString
function safeEncode(s: string): string {
  let out = "";
  for (const ch of s) out += NAME_SUFFIX_ALPHABET[ch.codePointAt(0)! % NAME_SUFFIX_ALPHABET.length];
  return out;
}

/**
 * fnv32a over the template (canonical JSON rather than upstream's Go struct dump, so the values
 * differ from a real cluster's but are just as stable), then the collision count as 8 bytes.
 */
// Models pkg/controller/controller_utils.go ComputeHash
export function computeHash(template: PodTemplate | undefined, collisionCount?: number): string {
  let hash = fnv32a(new TextEncoder().encode(JSON.stringify(normalize(template ?? {}) ?? {})));
  if (collisionCount !== undefined) {
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setUint32(0, collisionCount >>> 0, true);
    hash = fnv32a(bytes, hash);
  }
  return safeEncode(String(hash));
}

/**
 * A template without its hash label, normalized, as JSON (normalize sorts keys). Kept per template
 * object: stored objects are never changed in place, and every pass compares every ReplicaSet's
 * template with its deployment's.
 */
const withoutHashJson = new WeakMap<PodTemplate, string>();

function withoutHash(template: PodTemplate | undefined): string {
  if (!template) return JSON.stringify(normalize({}) ?? null);
  let json = withoutHashJson.get(template);
  if (json === undefined) {
    const labels = template.metadata?.labels;
    const copy = labels && HASH_LABEL in labels ? { ...template, metadata: { ...template.metadata, labels: Object.fromEntries(Object.entries(labels).filter(([k]) => k !== HASH_LABEL)) } } : template;
    json = JSON.stringify(normalize(copy) ?? null);
    withoutHashJson.set(template, json);
  }
  return json;
}

// Models pkg/controller/deployment/util/deployment_util.go EqualIgnoreHash
export function equalIgnoreHash(a: PodTemplate | undefined, b: PodTemplate | undefined): boolean {
  return withoutHash(a) === withoutHash(b);
}

// ---- ordering and selection of ReplicaSets ----

// Models pkg/controller/controller_utils.go ReplicaSetsByCreationTimestamp
export function byCreation(a: KubeObject, b: KubeObject): number {
  const ta = timeOf(a.metadata.creationTimestamp) ?? 0;
  const tb = timeOf(b.metadata.creationTimestamp) ?? 0;
  return ta !== tb ? ta - tb : (a.metadata.name ?? "").localeCompare(b.metadata.name ?? "");
}

export function revisionOf(obj: KubeObject): number | undefined {
  const v = obj.metadata.annotations?.[REVISION];
  if (v === undefined) return 0;
  return /^-?\d+$/.test(v) ? Number(v) : undefined;
}

// Models pkg/controller/deployment/util/deployment_util.go ReplicaSetsByRevision
export function byRevision(a: KubeObject, b: KubeObject): number {
  const ra = revisionOf(a) ?? 0;
  const rb = revisionOf(b) ?? 0;
  return ra !== rb ? ra - rb : byCreation(a, b);
}

export function maxRevision(rss: KubeObject[]): number {
  return Math.max(0, ...rss.map((rs) => revisionOf(rs) ?? 0));
}

/** The oldest ReplicaSet whose template is the deployment's (the hash label aside). */
export function findNewReplicaSet(d: KubeObject, rsList: KubeObject[]): KubeObject | undefined {
  return [...rsList].sort(byCreation).find((rs) => equalIgnoreHash(rsSpec(rs).template, dSpec(d).template));
}

export function findOldReplicaSets(d: KubeObject, rsList: KubeObject[]): KubeObject[] {
  const newRS = findNewReplicaSet(d, rsList);
  return rsList.filter((rs) => rs.metadata.uid !== newRS?.metadata.uid);
}

// Models pkg/controller/controller_utils.go FilterActiveReplicaSets
export function activeReplicaSets(rss: (KubeObject | undefined)[]): KubeObject[] {
  return rss.filter((rs): rs is KubeObject => !!rs && desired(rs) > 0);
}

export const sumSpecReplicas = (rss: (KubeObject | undefined)[]) => rss.reduce((n, rs) => n + (rs ? desired(rs) : 0), 0);
export const sumStatus = (rss: (KubeObject | undefined)[], field: keyof ReplicaSetStatus) =>
  rss.reduce((n, rs) => n + (rs ? (rsStatus(rs)[field] ?? 0) : 0), 0);

// ---- surge and unavailability ----

/** An int-or-percent against `total`: percentages round up for surge, down for unavailability. */
// Models staging/src/k8s.io/apimachinery/pkg/util/intstr/intstr.go GetScaledValueFromIntOrPercent
export function scaledValue(v: number | string | undefined, total: number, roundUp: boolean): number {
  if (v === undefined) return 0;
  if (typeof v === "number") return v;
  const pct = Number(v.endsWith("%") ? v.slice(0, -1) : NaN);
  if (!Number.isFinite(pct)) return 0;
  const raw = (pct * total) / 100;
  return roundUp ? Math.ceil(raw) : Math.floor(raw);
}

export const isRollingUpdate = (d: KubeObject) => dSpec(d).strategy?.type !== "Recreate";

/**
 * maxSurge and maxUnavailable resolved together: when both round to zero, one pod may be
 * unavailable (e.g. 1 replica with 10%/10% would otherwise never move).
 */
// Models pkg/controller/deployment/util/deployment_util.go ResolveFenceposts
export function resolveFenceposts(ru: RollingUpdate | undefined, replicas: number): { surge: number; unavailable: number } {
  const surge = scaledValue(ru?.maxSurge, replicas, true);
  let unavailable = scaledValue(ru?.maxUnavailable, replicas, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

export function maxSurge(d: KubeObject): number {
  if (!isRollingUpdate(d)) return 0;
  return resolveFenceposts(dSpec(d).strategy?.rollingUpdate, desired(d)).surge;
}

export function maxUnavailable(d: KubeObject): number {
  if (!isRollingUpdate(d) || desired(d) === 0) return 0;
  return Math.min(desired(d), resolveFenceposts(dSpec(d).strategy?.rollingUpdate, desired(d)).unavailable);
}

/**
 * Size of the new ReplicaSet for the next rolling step: as far as maxSurge allows, never past
 * spec.replicas. 10 replicas with 25% surge and 10 old pods: up to 13 pods, so new goes 0 → 3.
 */
// Models pkg/controller/deployment/util/deployment_util.go NewRSNewReplicas
export function newRSNewReplicas(d: KubeObject, allRSs: KubeObject[], newRS: KubeObject): number {
  if (!isRollingUpdate(d)) return desired(d);
  const maxTotal = desired(d) + scaledValue(dSpec(d).strategy?.rollingUpdate?.maxSurge, desired(d), true);
  const current = sumSpecReplicas(allRSs);
  if (current >= maxTotal) return desired(newRS);
  return desired(newRS) + Math.min(maxTotal - current, desired(d) - desired(newRS));
}

// ---- annotations ----

function intAnnotation(rs: KubeObject, key: string): number | undefined {
  const v = rs.metadata.annotations?.[key];
  return v !== undefined && /^-?\d+$/.test(v) ? Number(v) : undefined;
}

export const desiredReplicasAnnotation = (rs: KubeObject) => intAnnotation(rs, DESIRED_REPLICAS);

export function replicasAnnotationsNeedUpdate(rs: KubeObject, desiredReplicas: number, maxReplicas: number): boolean {
  const a = rs.metadata.annotations ?? {};
  return a[DESIRED_REPLICAS] !== String(desiredReplicas) || a[MAX_REPLICAS] !== String(maxReplicas);
}

export function setReplicasAnnotations(rs: KubeObject, desiredReplicas: number, maxReplicas: number): boolean {
  const changed = replicasAnnotationsNeedUpdate(rs, desiredReplicas, maxReplicas);
  rs.metadata.annotations = { ...rs.metadata.annotations, [DESIRED_REPLICAS]: String(desiredReplicas), [MAX_REPLICAS]: String(maxReplicas) };
  return changed;
}

/**
 * Copies the deployment's annotations (change-cause included) onto its new ReplicaSet and raises
 * the RS's revision to `newRevision`; a reused RS (rollback) keeps its old revisions in
 * revision-history, e.g. "1" → revision 3 with history "1".
 */
// Models pkg/controller/deployment/util/deployment_util.go SetNewReplicaSetAnnotations
export function setNewReplicaSetAnnotations(d: KubeObject, rs: KubeObject, newRevision: number, exists: boolean): boolean {
  const annotations = { ...rs.metadata.annotations };
  let changed = false;
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) {
    if (ANNOTATIONS_TO_SKIP.has(k) || annotations[k] === v) continue;
    annotations[k] = v;
    changed = true;
  }
  const oldRevision = annotations[REVISION];
  if (oldRevision !== undefined && !/^-?\d+$/.test(oldRevision)) {
    rs.metadata.annotations = annotations;
    return false;
  }
  const oldInt = oldRevision === undefined ? 0 : Number(oldRevision);
  if (oldInt < newRevision) {
    annotations[REVISION] = String(newRevision);
    changed = true;
    if (oldRevision !== undefined) {
      const history = annotations[REVISION_HISTORY] ?? "";
      const kept = history ? history.split(",") : [];
      kept.push(oldRevision);
      while (kept.join(",").length > MAX_REV_HISTORY_CHARS && kept.length > 1) kept.shift();
      annotations[REVISION_HISTORY] = kept.join(",");
    }
  }
  rs.metadata.annotations = annotations;
  if (!exists && setReplicasAnnotations(rs, desired(d), desired(d) + maxSurge(d))) changed = true;
  return changed;
}

/** Whether the new ReplicaSet owns every desired replica and all of them are available. */
// Models pkg/controller/deployment/util/deployment_util.go IsSaturated
export function isSaturated(d: KubeObject, rs: KubeObject | undefined): boolean {
  if (!rs) return false;
  return desired(rs) === desired(d) && desiredReplicasAnnotation(rs) === desired(d) && (rsStatus(rs).availableReplicas ?? 0) === desired(d);
}

/** Whether two statuses say the same (the zero counts the API omits count as equal to absent). */
export function sameStatus(a: unknown, b: unknown): boolean {
  return deepEqual(normalize(a) ?? {}, normalize(b) ?? {});
}
