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

type OwnerRef = NonNullable<KubeObject["metadata"]["ownerReferences"]>[number];

/**
 * Whether an owner is gone: looked up by its coordinates (its kind, its name, in the dependent's
 * namespace when it is namespaced), present only with the same uid, as upstream's GC verifies an
 * owner. An owner of a kind not served is looked for by uid among all objects (`uids`).
 */
function ownerAbsent(ctx: ControllerContext, dependent: KubeObject, ref: OwnerRef, uids: () => Set<string>): boolean {
  const slash = ref.apiVersion.indexOf("/");
  const t = BY_GROUP_KIND.get(`${slash < 0 ? "" : ref.apiVersion.slice(0, slash)}/${ref.kind}`);
  if (!t) return !uids().has(ref.uid);
  const owner = ctx.get(storageKey(t), t.namespaced ? (dependent.metadata.namespace ?? "") : "", ref.name);
  return owner?.metadata.uid !== ref.uid;
}

export function garbageCollector(ctx: ControllerContext): void {
  // Only objects with owners or being deleted, the only ones the loop below acts on (most objects,
  // events above all, have neither), in the same order.
  const entries: Entry[] = [];
  const dependents = new Map<string, Entry[]>();
  for (const type of STORED_TYPES) {
    for (const object of ctx.list(storageKey(type))) {
      const meta = object.metadata;
      const refs = meta.ownerReferences;
      if (!meta.deletionTimestamp && !refs?.length) continue;
      const e = { type, object };
      entries.push(e);
      for (const ref of refs ?? []) {
        let list = dependents.get(ref.uid);
        if (!list) dependents.set(ref.uid, (list = []));
        list.push(e);
      }
    }
  }
  let uidSet: Set<string> | undefined;
  const uids = () => {
    if (uidSet) return uidSet;
    uidSet = new Set();
    for (const type of STORED_TYPES) for (const object of ctx.list(storageKey(type))) if (object.metadata.uid) uidSet.add(object.metadata.uid);
    return uidSet;
  };

  for (const e of entries) {
    const meta = e.object.metadata;
    const finalizers = meta.finalizers ?? [];
    if (meta.deletionTimestamp && finalizers.includes(ORPHAN_FINALIZER)) {
      for (const d of dependents.get(meta.uid ?? "") ?? []) {
        const next = structuredClone(d.object);
        next.metadata.ownerReferences = (next.metadata.ownerReferences ?? []).filter((r) => r.uid !== meta.uid);
        if (next.metadata.ownerReferences.length === 0) delete next.metadata.ownerReferences;
        ctx.update(d.type, next);
      }
      ctx.update(e.type, withoutFinalizer(e.object, ORPHAN_FINALIZER));
      continue;
    }
    if (meta.deletionTimestamp && finalizers.includes(FOREGROUND_FINALIZER)) {
      const deps = dependents.get(meta.uid ?? "") ?? [];
      for (const d of deps) if (!d.object.metadata.deletionTimestamp) ctx.delete(d.type, d.object, { propagationPolicy: "Foreground" });
      const blocking = deps.some((d) => d.object.metadata.ownerReferences?.some((r) => r.uid === meta.uid && r.blockOwnerDeletion));
      if (!blocking) ctx.update(e.type, withoutFinalizer(e.object, FOREGROUND_FINALIZER));
      continue;
    }
    // A dependent all of whose owners are gone is deleted in the background.
    const refs = meta.ownerReferences ?? [];
    // One this pass already changed (an orphaned dependent) is looked at again on the next.
    const current = ctx.get(storageKey(e.type), meta.namespace ?? "", meta.name ?? "");
    if (refs.length > 0 && !meta.deletionTimestamp && current === e.object && refs.every((r) => ownerAbsent(ctx, e.object, r, uids))) {
      ctx.delete(e.type, e.object, { propagationPolicy: "Background" });
    }
  }
}
