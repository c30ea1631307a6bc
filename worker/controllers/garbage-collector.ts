// The garbage collector: dependents go when their owners are gone (Background), before them
// (Foreground, `foregroundDeletion` finalizer), or are released (Orphan, `orphan` finalizer).
// Models pkg/controller/garbagecollector/garbagecollector.go attemptToDeleteItem / orphanDependents
import { FOREGROUND_FINALIZER, ORPHAN_FINALIZER } from "../api/deletion";
import { RESOURCE_TYPES, storageKey, type ResourceType } from "../resources/registry";
import type { KubeObject } from "../resources/types";
import type { ControllerContext } from "./types";

interface Entry {
  type: ResourceType;
  object: KubeObject;
}

/** One type per storage key (a resource served in several versions is stored once). */
export const STORED_TYPES: ResourceType[] = [...new Map(RESOURCE_TYPES.map((t) => [storageKey(t), t])).values()];


function withoutFinalizer(obj: KubeObject, finalizer: string): KubeObject {
  const next = structuredClone(obj);
  next.metadata.finalizers = (next.metadata.finalizers ?? []).filter((f) => f !== finalizer);
  if (next.metadata.finalizers.length === 0) delete next.metadata.finalizers;
  return next;
}

/** Stored types by group and kind: an owner reference names its owner's kind in any served version. */
const BY_GROUP_KIND = new Map(STORED_TYPES.map((t) => [`${t.group}/${t.kind}`, t]));
/** The same by an owner reference's apiVersion and kind, filled as references are met (no key built per lookup). */
const byReference = new Map<string, Map<string, ResourceType | null>>();

function ownerType(apiVersion: string, kind: string): ResourceType | undefined {
  let kinds = byReference.get(apiVersion);
  if (!kinds) byReference.set(apiVersion, (kinds = new Map()));
  let t = kinds.get(kind);
  if (t === undefined) {
    const slash = apiVersion.indexOf("/");
    t = BY_GROUP_KIND.get(`${slash < 0 ? "" : apiVersion.slice(0, slash)}/${kind}`) ?? null;
    // Bounded: references to kinds not served are few, but a client may make up any.
    if (byReference.size < 256 && kinds.size < 256) kinds.set(kind, t);
  }
  return t ?? undefined;
}

type OwnerRef = NonNullable<KubeObject["metadata"]["ownerReferences"]>[number];

/**
 * Whether an owner is gone: looked up by its coordinates (its kind, its name, in the dependent's
 * namespace when it is namespaced), present only with the same uid, as upstream's GC verifies an
 * owner. An owner of a kind not served is looked for by uid among all objects (`uids`).
 */
function ownerAbsent(ctx: ControllerContext, dependent: KubeObject, ref: OwnerRef, uids: () => Set<string>): boolean {
  const t = ownerType(ref.apiVersion, ref.kind);
  if (!t) return !uids().has(ref.uid);
  const owner = ctx.get(storageKey(t), t.namespaced ? (dependent.metadata.namespace ?? "") : "", ref.name);
  return owner?.metadata.uid !== ref.uid;
}

export function garbageCollector(ctx: ControllerContext): void {
  let uidSet: Set<string> | undefined;
  const uids = () => {
    if (uidSet) return uidSet;
    uidSet = new Set();
    for (const type of STORED_TYPES) for (const object of ctx.list(storageKey(type))) if (object.metadata.uid) uidSet.add(object.metadata.uid);
    return uidSet;
  };
  // Dependents all of whose owners are gone are deleted in the background; owners being deleted
  // with a finalizer of this controller's are handled after, with their dependents.
  const owners: Entry[] = [];
  for (const type of STORED_TYPES) {
    for (const object of ctx.list(storageKey(type))) {
      const meta = object.metadata;
      if (meta.deletionTimestamp) {
        const finalizers = meta.finalizers;
        if (finalizers && (finalizers.includes(ORPHAN_FINALIZER) || finalizers.includes(FOREGROUND_FINALIZER))) owners.push({ type, object });
        continue;
      }
      const refs = meta.ownerReferences;
      if (!refs?.length) continue;
      let absent = true;
      for (const r of refs) if (!(absent = ownerAbsent(ctx, object, r, uids))) break;
      if (absent) ctx.delete(type, object, { propagationPolicy: "Background" });
    }
  }
  if (owners.length === 0) return;

  const dependents = new Map<string, Entry[]>();
  for (const type of STORED_TYPES) {
    for (const object of ctx.list(storageKey(type))) {
      for (const ref of object.metadata.ownerReferences ?? []) {
        let list = dependents.get(ref.uid);
        if (!list) dependents.set(ref.uid, (list = []));
        list.push({ type, object });
      }
    }
  }
  for (const e of owners) {
    const meta = e.object.metadata;
    if (meta.finalizers!.includes(ORPHAN_FINALIZER)) {
      for (const d of dependents.get(meta.uid ?? "") ?? []) {
        const next = structuredClone(d.object);
        next.metadata.ownerReferences = (next.metadata.ownerReferences ?? []).filter((r) => r.uid !== meta.uid);
        if (next.metadata.ownerReferences.length === 0) delete next.metadata.ownerReferences;
        ctx.update(d.type, next);
      }
      ctx.update(e.type, withoutFinalizer(e.object, ORPHAN_FINALIZER));
      continue;
    }
    const deps = dependents.get(meta.uid ?? "") ?? [];
    for (const d of deps) if (!d.object.metadata.deletionTimestamp) ctx.delete(d.type, d.object, { propagationPolicy: "Foreground" });
    const blocking = deps.some((d) => d.object.metadata.ownerReferences?.some((r) => r.uid === meta.uid && r.blockOwnerDeletion));
    if (!blocking) ctx.update(e.type, withoutFinalizer(e.object, FOREGROUND_FINALIZER));
  }
}
