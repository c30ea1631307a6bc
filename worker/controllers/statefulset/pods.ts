// StatefulSet pods and claims: stable identity (`<set>-<ordinal>`, hostname, subdomain, labels),
// the PersistentVolumeClaims from volumeClaimTemplates wired in as volumes, and claim ownership
// following persistentVolumeClaimRetentionPolicy.
// Models pkg/controller/statefulset/stateful_set_utils.go and stateful_pod_control.go
import type { OwnerReference } from "kubernetes-types/meta/v1";
import { findKind, type ResourceType } from "../../resources/registry";
import type { KubeObject } from "../../resources/types";
import { deepEqual } from "../../util/equal";
import { templateOf } from "../history";
import type { ControllerContext } from "../types";
import { failedCreate, isPodAvailable, list, podFromTemplate, podPhase, POD_TYPE, rec, specOf, type Obj } from "../workload-helpers";

export const PVC_TYPE: ResourceType = findKind({ group: "", version: "v1", kind: "PersistentVolumeClaim" })!;
export const COMPONENT = "statefulset-controller";
export const POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name";
export const POD_INDEX_LABEL = "apps.kubernetes.io/pod-index";
export const REVISION_LABEL = "controller-revision-hash";

export function startOrdinal(set: KubeObject): number {
  return Number(rec(specOf(set).ordinals).start ?? 0);
}

export function replicaCount(set: KubeObject): number {
  return Number(specOf(set).replicas ?? 1);
}

/** The parent name and ordinal a pod name encodes; ordinal -1 when it encodes none. */
export function parentAndOrdinal(pod: KubeObject): { parent: string; ordinal: number } {
  const m = /^(.*)-([0-9]+)$/.exec(pod.metadata.name ?? "");
  if (!m) return { parent: "", ordinal: -1 };
  const ordinal = Number(m[2]);
  return Number.isSafeInteger(ordinal) ? { parent: m[1], ordinal } : { parent: "", ordinal: -1 };
}

export function ordinalOf(pod: KubeObject): number {
  return parentAndOrdinal(pod).ordinal;
}

export function isMemberOf(set: KubeObject, pod: KubeObject): boolean {
  return parentAndOrdinal(pod).parent === set.metadata.name;
}

export function inOrdinalRange(set: KubeObject, pod: KubeObject): boolean {
  const ord = ordinalOf(pod);
  return ord >= startOrdinal(set) && ord < startOrdinal(set) + replicaCount(set);
}

export function podRevision(pod: KubeObject): string {
  return pod.metadata.labels?.[REVISION_LABEL] ?? "";
}

export function isRunningAndReady(pod: KubeObject): boolean {
  return podPhase(pod) === "Running" && list(rec(pod.status).conditions).some((c) => c.type === "Ready" && c.status === "True");
}

export function isHealthy(pod: KubeObject): boolean {
  return isRunningAndReady(pod) && !pod.metadata.deletionTimestamp;
}

/** A missing replica (undefined) counts as unavailable. */
export function isUnavailable(pod: KubeObject | undefined, minReadySeconds: number, now: number): boolean {
  return !pod || !isHealthy(pod) || !isPodAvailable(pod, minReadySeconds, now);
}

/** The set with the template a revision records. Models stateful_set_utils.go ApplyRevision */
export function applyRevision(set: KubeObject, revision: KubeObject): KubeObject {
  const clone = structuredClone(set);
  clone.spec = { ...specOf(clone), template: templateOf(revision) };
  return clone;
}

interface ClaimTemplate {
  metadata?: { name?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: Obj;
}

export function claimTemplates(set: KubeObject): ClaimTemplate[] {
  return list<ClaimTemplate>(specOf(set).volumeClaimTemplates);
}

export function claimName(set: KubeObject, template: ClaimTemplate, ordinal: number): string {
  return `${template.metadata?.name ?? ""}-${set.metadata.name}-${ordinal}`;
}

// Models stateful_set_utils.go updateIdentity / initIdentity / updateStorage / newStatefulSetPod
export function newStatefulSetPod(set: KubeObject, ordinal: number, revision: string): KubeObject {
  const pod = podFromTemplate(specOf(set).template, set);
  const name = `${set.metadata.name}-${ordinal}`;
  pod.metadata.name = name;
  pod.metadata.labels = { ...pod.metadata.labels, [POD_NAME_LABEL]: name, [POD_INDEX_LABEL]: String(ordinal), [REVISION_LABEL]: revision };
  const spec = rec(pod.spec);
  spec.hostname = name;
  if (specOf(set).serviceName) spec.subdomain = specOf(set).serviceName;
  const claimed = claimTemplates(set).map((t) => ({
    name: t.metadata?.name ?? "",
    persistentVolumeClaim: { claimName: claimName(set, t, ordinal) },
  }));
  const names = new Set(claimed.map((v) => v.name));
  const volumes = [...claimed, ...list(spec.volumes).filter((v) => !names.has(String(v.name)))];
  if (volumes.length) spec.volumes = volumes;
  pod.spec = spec;
  return pod;
}

/** The labels a member's identity needs, if any are missing or wrong. */
export function identityLabels(pod: KubeObject): Record<string, string> | undefined {
  const name = pod.metadata.name ?? "";
  const want = { [POD_NAME_LABEL]: name, [POD_INDEX_LABEL]: String(ordinalOf(pod)) };
  const labels = pod.metadata.labels ?? {};
  return Object.entries(want).every(([k, v]) => labels[k] === v) ? undefined : { ...labels, ...want };
}

/**
 * Owner references a claim should carry under the retention policy: the set (whenDeleted=Delete)
 * so deleting the set deletes it, the pod (whenScaled=Delete, once scaled away) so it goes with it.
 * Models stateful_set_utils.go updateClaimOwnerRefForSetAndPod
 */
function wantedClaimOwners(set: KubeObject, pod: KubeObject, claim: KubeObject): OwnerReference[] {
  const policy = rec(specOf(set).persistentVolumeClaimRetentionPolicy);
  const scaledDown = !inOrdinalRange(set, pod);
  const setRef: OwnerReference = { apiVersion: "apps/v1", kind: "StatefulSet", name: set.metadata.name ?? "", uid: set.metadata.uid ?? "" };
  const podRef: OwnerReference = { apiVersion: "v1", kind: "Pod", name: pod.metadata.name ?? "", uid: pod.metadata.uid ?? "" };
  const others = (claim.metadata.ownerReferences ?? []).filter((r) => r.uid !== set.metadata.uid && r.uid !== pod.metadata.uid);
  const wantSet = policy.whenDeleted === "Delete" && !(scaledDown && policy.whenScaled === "Delete");
  const wantPod = policy.whenScaled === "Delete" && scaledDown;
  const keep = (ref: OwnerReference) => claim.metadata.ownerReferences?.find((r) => r.uid === ref.uid) ?? ref;
  return [...others, ...(wantSet ? [keep(setRef)] : []), ...(wantPod ? [keep(podRef)] : [])];
}

/** Brings the claims of a pod in line with the retention policy. */
export function syncClaimOwners(ctx: ControllerContext, set: KubeObject, pod: KubeObject): void {
  if (!pod.metadata.uid) return;
  for (const t of claimTemplates(set)) {
    const claim = ctx.get("/persistentvolumeclaims", set.metadata.namespace ?? "", claimName(set, t, ordinalOf(pod)));
    if (!claim || claim.metadata.deletionTimestamp) continue;
    const owners = wantedClaimOwners(set, pod, claim);
    if (deepEqual(owners, claim.metadata.ownerReferences ?? [])) continue;
    const next = structuredClone(claim);
    if (owners.length) next.metadata.ownerReferences = owners;
    else delete next.metadata.ownerReferences;
    ctx.update(PVC_TYPE, next);
  }
}

/** A claim still owned by an earlier pod of this ordinal is about to be collected: wait for it. */
export function claimIsStale(ctx: ControllerContext, set: KubeObject, ordinal: number): boolean {
  return claimTemplates(set).some((t) => {
    const claim = ctx.get("/persistentvolumeclaims", set.metadata.namespace ?? "", claimName(set, t, ordinal));
    return !!claim?.metadata.ownerReferences?.some((r) => r.kind === "Pod");
  });
}

/**
 * Creates the claims a pod needs that do not exist yet; false when one exists but is being
 * deleted (the pod must wait for it to go).
 * Models stateful_pod_control.go createPersistentVolumeClaims
 */
export function createMissingClaims(ctx: ControllerContext, set: KubeObject, pod: KubeObject): boolean {
  const ns = set.metadata.namespace ?? "";
  const selectorLabels = rec(rec(specOf(set).selector).matchLabels) as Record<string, string>;
  let ok = true;
  for (const t of claimTemplates(set)) {
    const name = claimName(set, t, ordinalOf(pod));
    const existing = ctx.get("/persistentvolumeclaims", ns, name);
    if (existing) {
      if (existing.metadata.deletionTimestamp) ok = false;
      continue;
    }
    const claim: KubeObject = {
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: { name, namespace: ns, labels: { ...(t.metadata?.labels ?? {}), ...selectorLabels } },
      spec: structuredClone(t.spec ?? {}),
    };
    if (t.metadata?.annotations) claim.metadata.annotations = { ...t.metadata.annotations };
    const created = ctx.create(PVC_TYPE, claim);
    if (!created) {
      ok = false;
      continue;
    }
    ctx.event(set, "Normal", "SuccessfulCreate", `create Claim ${name} Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} success`, COMPONENT);
  }
  return ok;
}

export function createPod(ctx: ControllerContext, set: KubeObject, pod: KubeObject): KubeObject | undefined {
  const created = ctx.create(POD_TYPE, pod);
  if (created) ctx.event(set, "Normal", "SuccessfulCreate", `create Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} successful`, COMPONENT);
  // Models pkg/controller/statefulset/stateful_pod_control.go recordPodEvent.
  else if (ctx.lastCreateError) failedCreate(ctx, set, `create Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} failed error: ${ctx.lastCreateError}`, COMPONENT);
  return created;
}

export function deletePod(ctx: ControllerContext, set: KubeObject, pod: KubeObject): void {
  if (pod.metadata.deletionTimestamp) return;
  ctx.delete(POD_TYPE, pod, { propagationPolicy: "Background" });
  ctx.event(set, "Normal", "SuccessfulDelete", `delete Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} successful`, COMPONENT);
}
