// The garbage collector: dependents go when their owners are gone (Background), before them
// (Foreground, `foregroundDeletion` finalizer), or are released (Orphan, `orphan` finalizer).
// Models pkg/controller/garbagecollector/garbagecollector.go attemptToDeleteItem / orphanDependents
import { FOREGROUND_FINALIZER, ORPHAN_FINALIZER, deleteChanges } from "../api/deletion";
import { RESOURCE_TYPES, storageKey, type ResourceType } from "../resources/registry";
import type { KubeObject } from "../resources/types";
import type { Change } from "../store/object-store";
import type { ControllerContext } from "./types";

interface Entry {
  type: ResourceType;
  object: KubeObject;
}

const typesByStorage = new Map<string, ResourceType>();
for (const t of RESOURCE_TYPES) if (!typesByStorage.has(storageKey(t))) typesByStorage.set(storageKey(t), t);

function allObjects(ctx: ControllerContext): Entry[] {
  const out: Entry[] = [];
  for (const resource of ctx.store.resources()) {
    const type = typesByStorage.get(resource);
    if (!type) continue;
    for (const object of ctx.store.list(resource)) out.push({ type, object });
  }
  return out;
}

function withoutFinalizer(obj: KubeObject, finalizer: string): KubeObject {
  const next = structuredClone(obj);
  next.metadata.finalizers = (next.metadata.finalizers ?? []).filter((f) => f !== finalizer);
  if (next.metadata.finalizers.length === 0) delete next.metadata.finalizers;
  return next;
}

function put(e: Entry, object: KubeObject): Change {
  // An object being deleted whose last finalizer goes away is removed.
  if (object.metadata.deletionTimestamp && !(object.metadata.finalizers ?? []).length) {
    return { type: "delete", resource: storageKey(e.type), object };
  }
  return { type: "put", resource: storageKey(e.type), object };
}

export function garbageCollector(ctx: ControllerContext): Change[] {
  const entries = allObjects(ctx);
  const byUid = new Map<string, Entry>();
  for (const e of entries) if (e.object.metadata.uid) byUid.set(e.object.metadata.uid, e);
  const dependents = new Map<string, Entry[]>();
  for (const e of entries) {
    for (const ref of e.object.metadata.ownerReferences ?? []) {
      let list = dependents.get(ref.uid);
      if (!list) dependents.set(ref.uid, (list = []));
      list.push(e);
    }
  }
  const changes: Change[] = [];
  const touched = new Set<string>();
  const emit = (c: Change) => {
    const uid = c.object.metadata.uid ?? "";
    if (touched.has(uid)) return;
    touched.add(uid);
    changes.push(c);
  };

  for (const e of entries) {
    const meta = e.object.metadata;
    const finalizers = meta.finalizers ?? [];
    if (meta.deletionTimestamp && finalizers.includes(ORPHAN_FINALIZER)) {
      for (const d of dependents.get(meta.uid ?? "") ?? []) {
        const next = structuredClone(d.object);
        next.metadata.ownerReferences = (next.metadata.ownerReferences ?? []).filter((r) => r.uid !== meta.uid);
        if (next.metadata.ownerReferences.length === 0) delete next.metadata.ownerReferences;
        emit(put(d, next));
      }
      emit(put(e, withoutFinalizer(e.object, ORPHAN_FINALIZER)));
      continue;
    }
    if (meta.deletionTimestamp && finalizers.includes(FOREGROUND_FINALIZER)) {
      const deps = dependents.get(meta.uid ?? "") ?? [];
      const blocking = deps.filter((d) => d.object.metadata.ownerReferences?.some((r) => r.uid === meta.uid && r.blockOwnerDeletion));
      for (const d of deps) {
        if (!d.object.metadata.deletionTimestamp) {
          for (const c of deleteChanges(ctx, d.type, d.object, { propagationPolicy: "Foreground" }).changes) emit(c);
        }
      }
      if (blocking.length === 0) emit(put(e, withoutFinalizer(e.object, FOREGROUND_FINALIZER)));
      continue;
    }
    // A dependent all of whose owners are gone is deleted in the background.
    const refs = meta.ownerReferences ?? [];
    if (refs.length > 0 && !meta.deletionTimestamp && refs.every((r) => !byUid.has(r.uid))) {
      for (const c of deleteChanges(ctx, e.type, e.object, { propagationPolicy: "Background" }).changes) emit(c);
    }
  }
  return changes;
}
