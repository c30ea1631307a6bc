// What the volume controllers share: the annotations and finalizers of the binding protocol, a
// claim's and a volume's class, the default StorageClass, storage quantities, and matching a claim
// to a volume (the PV controller without a node, the scheduler with one).
// Models staging/src/k8s.io/component-helpers/storage/volume/pv_helpers.go and
// pkg/controller/volume/persistentvolume/index.go
import { nodeSelectorTermMatches } from "../node-predicates";
import { labelSelectorFromSpec, matchesLabels, type LabelSelectorSpec } from "../../api/selectors";
import { findKind } from "../../resources/registry";
import type { KubeObject } from "../../resources/types";
import { cmpQuantity, parseQuantity, type Quantity } from "../../resources/validation/quantity";
import { list, rec, type Obj } from "../workload-helpers";

export const PV = findKind({ group: "", version: "v1", kind: "PersistentVolume" })!;
export const PVC = findKind({ group: "", version: "v1", kind: "PersistentVolumeClaim" })!;

export const ANN_BIND_COMPLETED = "pv.kubernetes.io/bind-completed";
export const ANN_BOUND_BY_CONTROLLER = "pv.kubernetes.io/bound-by-controller";
export const ANN_DYNAMICALLY_PROVISIONED = "pv.kubernetes.io/provisioned-by";
export const ANN_STORAGE_PROVISIONER = "volume.kubernetes.io/storage-provisioner";
export const ANN_BETA_STORAGE_PROVISIONER = "volume.beta.kubernetes.io/storage-provisioner";
export const ANN_SELECTED_NODE = "volume.kubernetes.io/selected-node";
export const ANN_STORAGE_RESIZER = "volume.kubernetes.io/storage-resizer";
export const BETA_STORAGE_CLASS = "volume.beta.kubernetes.io/storage-class";
export const DEFAULT_CLASS = "storageclass.kubernetes.io/is-default-class";
export const BETA_DEFAULT_CLASS = "storageclass.beta.kubernetes.io/is-default-class";
export const PVC_PROTECTION = "kubernetes.io/pvc-protection";
export const PV_PROTECTION = "kubernetes.io/pv-protection";

export const STORAGE_CLASSES = "storage.k8s.io/storageclasses";
export const PVS = "/persistentvolumes";
export const PVCS = "/persistentvolumeclaims";

export { list, rec, type Obj };

export function annotation(obj: KubeObject, key: string): string | undefined {
  return obj.metadata.annotations?.[key];
}

// Models pkg/apis/core/v1/helper GetPersistentVolumeClaimClass: the beta annotation still wins.
export function claimClass(pvc: KubeObject): string {
  const beta = annotation(pvc, BETA_STORAGE_CLASS);
  if (beta !== undefined) return beta;
  const name = rec(pvc.spec).storageClassName;
  return typeof name === "string" ? name : "";
}

export function volumeClass(pv: KubeObject): string {
  const beta = annotation(pv, BETA_STORAGE_CLASS);
  if (beta !== undefined) return beta;
  const name = rec(pv.spec).storageClassName;
  return typeof name === "string" ? name : "";
}

/** A class was asked for, even "" (no class): only a claim that says nothing gets the default. */
export function claimHasClass(pvc: KubeObject): boolean {
  if (annotation(pvc, BETA_STORAGE_CLASS) !== undefined) return true;
  const name = rec(pvc.spec).storageClassName;
  return name !== undefined && name !== null;
}

export function isDefaultClass(sc: KubeObject): boolean {
  return annotation(sc, DEFAULT_CLASS) === "true" || annotation(sc, BETA_DEFAULT_CLASS) === "true";
}

// Models pkg/volume/util/storageclass.go GetDefaultClass: with several defaults, the newest wins
// (ties by name), so marking a second class default takes effect without unmarking the first.
export function defaultClass(classes: KubeObject[]): KubeObject | undefined {
  const defaults = classes.filter(isDefaultClass);
  defaults.sort((a, b) => {
    const ta = Date.parse(a.metadata.creationTimestamp ?? "") || 0;
    const tb = Date.parse(b.metadata.creationTimestamp ?? "") || 0;
    return ta === tb ? (a.metadata.name ?? "").localeCompare(b.metadata.name ?? "") : tb - ta;
  });
  return defaults[0];
}

const ZERO: Quantity = { n: 0n, scale: 0, format: "BinarySI" };

/** A storage quantity; what does not parse counts as zero. */
export function quantity(v: unknown): Quantity {
  const q = parseQuantity(v ?? "0");
  return typeof q === "string" ? ZERO : q;
}

export function requestedStorage(pvc: KubeObject): unknown {
  return rec(rec(rec(pvc.spec).resources).requests).storage;
}

export function capacityOf(obj: KubeObject): unknown {
  const holder = obj.kind === "PersistentVolume" ? rec(obj.spec) : rec(obj.status);
  return rec(holder.capacity).storage;
}

export function accessModes(obj: KubeObject): string[] {
  return list<string>(rec(obj.spec).accessModes);
}

export function volumeMode(obj: KubeObject): string {
  const m = rec(obj.spec).volumeMode;
  return typeof m === "string" && m ? m : "Filesystem";
}

export function claimRefOf(pv: KubeObject): Obj | undefined {
  const ref = rec(pv.spec).claimRef;
  return ref && typeof ref === "object" ? (ref as Obj) : undefined;
}

/** The reference a volume holds to a claim (reference.GetReference). */
export function claimReference(pvc: KubeObject): Obj {
  const m = pvc.metadata;
  return { kind: "PersistentVolumeClaim", namespace: m.namespace, name: m.name, uid: m.uid, apiVersion: "v1", resourceVersion: m.resourceVersion };
}

// Models pv_helpers.go IsVolumeBoundToClaim: a reference without uid is a reservation by name.
export function isVolumeBoundToClaim(pv: KubeObject, pvc: KubeObject): boolean {
  const ref = claimRefOf(pv);
  if (!ref) return false;
  if (ref.name !== pvc.metadata.name || ref.namespace !== pvc.metadata.namespace) return false;
  return !ref.uid || ref.uid === pvc.metadata.uid;
}

export function nodeAffinityMatches(pv: KubeObject, node: KubeObject): boolean {
  const terms = list(rec(rec(rec(pv.spec).nodeAffinity).required).nodeSelectorTerms);
  return terms.length === 0 || terms.some((t) => nodeSelectorTermMatches(t, node));
}

function selectorOf(pvc: KubeObject): ((labels: Record<string, string> | undefined) => boolean) | undefined {
  const spec = rec(pvc.spec).selector;
  if (spec === undefined || spec === null) return undefined;
  try {
    const sel = labelSelectorFromSpec(spec as LabelSelectorSpec);
    return (labels) => matchesLabels(sel, labels);
  } catch {
    return () => false;
  }
}

/**
 * The volume for `pvc` among `volumes`: one already reserved for it, else the smallest Available
 * volume of its class, mode, selector (and, with a node, node affinity and access modes) that is
 * big enough. Without a node and with delayed binding only a reserved volume is returned: the
 * scheduler picks the rest.
 */
// Models pv_helpers.go FindMatchingVolume
export function findMatchingVolume(pvc: KubeObject, volumes: KubeObject[], node: KubeObject | undefined, delayBinding: boolean): KubeObject | undefined {
  const requested = quantity(requestedStorage(pvc));
  const cls = claimClass(pvc);
  const selector = selectorOf(pvc);
  const wantModes = accessModes(pvc);
  let smallest: KubeObject | undefined;
  let smallestQty: Quantity | undefined;
  for (const pv of volumes) {
    if (claimRefOf(pv) && !isVolumeBoundToClaim(pv, pvc)) continue;
    const qty = quantity(capacityOf(pv));
    if (cmpQuantity(qty, requested) < 0) continue;
    if (volumeMode(pv) !== volumeMode(pvc)) continue;
    if (pv.metadata.deletionTimestamp) continue;
    const affinityOk = !node || nodeAffinityMatches(pv, node);
    if (isVolumeBoundToClaim(pv, pvc)) return affinityOk ? pv : undefined;
    if (!node && delayBinding) continue;
    if (rec(pv.status).phase !== "Available") continue;
    if (selector && !selector(pv.metadata.labels)) continue;
    if (volumeClass(pv) !== cls || !affinityOk) continue;
    if (node && !wantModes.every((m) => accessModes(pv).includes(m))) continue;
    if (!smallestQty || cmpQuantity(smallestQty, qty) > 0) [smallest, smallestQty] = [pv, qty];
  }
  return smallest;
}

const MODE_ORDER = ["ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod"];

/**
 * The PV controller's search: volumes grouped by their set of access modes, the groups that offer
 * every mode the claim asks for tried from the fewest modes up, so a claim for RWO gets an RWO
 * volume before an RWO+RWX one of the same size.
 */
// Models pkg/controller/volume/persistentvolume/index.go findByClaim / allPossibleMatchingAccessModes
export function findBestMatchForClaim(pvc: KubeObject, volumes: KubeObject[], delayBinding: boolean): KubeObject | undefined {
  const groups = new Map<string, KubeObject[]>();
  for (const pv of volumes) {
    const modes = MODE_ORDER.filter((m) => accessModes(pv).includes(m));
    const key = modes.join(",");
    groups.set(key, [...(groups.get(key) ?? []), pv]);
  }
  const want = accessModes(pvc);
  const candidates = [...groups.keys()]
    .map((k) => (k ? k.split(",") : []))
    .filter((modes) => want.every((m) => modes.includes(m)))
    .sort((a, b) => a.length - b.length || a.join().localeCompare(b.join()));
  for (const modes of candidates) {
    const found = findMatchingVolume(pvc, groups.get(modes.join(",")) ?? [], undefined, delayBinding);
    if (found) return found;
  }
  return undefined;
}

/** The claims a pod's volumes name: `claimName`, or `<pod>-<volume>` for generic ephemeral volumes. */
export function podClaimNames(pod: KubeObject): string[] {
  const out: string[] = [];
  for (const v of list(rec(pod.spec).volumes)) {
    const name = v.ephemeral ? `${pod.metadata.name}-${String(v.name)}` : rec(v.persistentVolumeClaim).claimName;
    if (typeof name === "string" && name) out.push(name);
  }
  return out;
}

/** Pods of the claim's namespace that name it in their volumes. */
export function podsUsingClaim(pods: KubeObject[], pvc: KubeObject): KubeObject[] {
  return pods.filter((p) => p.metadata.namespace === pvc.metadata.namespace && podClaimNames(p).includes(pvc.metadata.name ?? ""));
}

export function nodeNameOf(pod: KubeObject): string {
  const n = rec(pod.spec).nodeName;
  return typeof n === "string" ? n : "";
}

export function withAnnotations(obj: KubeObject, set: Record<string, string | undefined>): KubeObject {
  const next = structuredClone(obj);
  const ann = { ...(next.metadata.annotations ?? {}) };
  for (const [k, v] of Object.entries(set)) {
    if (v === undefined) delete ann[k];
    else ann[k] = v;
  }
  if (Object.keys(ann).length) next.metadata.annotations = ann;
  else delete next.metadata.annotations;
  return next;
}
