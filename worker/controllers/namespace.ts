// The namespace controller: a namespace being deleted stays Terminating while it has content,
// deletes everything in it, then drops the `kubernetes` finalizer and goes.
// Models pkg/controller/namespace/deletion/namespaced_resources_deleter.go Delete
import { deleteChanges } from "../api/deletion";
import { RESOURCE_TYPES, storageKey } from "../resources/registry";
import type { Change } from "../store/object-store";
import type { ControllerContext } from "./types";

const NAMESPACED = [...new Map(RESOURCE_TYPES.filter((t) => t.namespaced).map((t) => [storageKey(t), t])).values()];

export function namespaceController(ctx: ControllerContext): Change[] {
  const changes: Change[] = [];
  for (const ns of ctx.store.list("/namespaces")) {
    if (!ns.metadata.deletionTimestamp) continue;
    const name = ns.metadata.name ?? "";
    let remaining = 0;
    for (const t of NAMESPACED) {
      for (const obj of ctx.store.list(storageKey(t), name)) {
        remaining++;
        if (!obj.metadata.deletionTimestamp) changes.push(...deleteChanges(ctx, t, obj, { propagationPolicy: "Background" }).changes);
      }
    }
    if (remaining > 0) continue;
    const spec = (ns.spec ?? {}) as { finalizers?: string[] };
    const finalizers = (spec.finalizers ?? []).filter((f) => f !== "kubernetes");
    if (finalizers.length === 0 && !(ns.metadata.finalizers ?? []).length) {
      changes.push({ type: "delete", resource: "/namespaces", object: ns });
    } else if (finalizers.length !== (spec.finalizers ?? []).length) {
      const next = structuredClone(ns);
      next.spec = { ...spec, finalizers };
      changes.push({ type: "put", resource: "/namespaces", object: next });
    }
  }
  return changes;
}
