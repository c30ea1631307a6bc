// The namespace controller: a namespace being deleted stays Terminating while it has content,
// deletes everything in it, then drops the `kubernetes` finalizer and goes.
// Models pkg/controller/namespace/deletion/namespaced_resources_deleter.go Delete
import { findKind, storageKey } from "../resources/registry";
import { STORED_TYPES } from "./garbage-collector";
import type { ControllerContext } from "./types";

const NAMESPACE = findKind({ group: "", version: "v1", kind: "Namespace" })!;
const NAMESPACED = STORED_TYPES.filter((t) => t.namespaced);

export function namespaceController(ctx: ControllerContext): void {
  for (const ns of ctx.list("/namespaces")) {
    if (!ns.metadata.deletionTimestamp) continue;
    const name = ns.metadata.name ?? "";
    let remaining = 0;
    for (const t of NAMESPACED) {
      for (const obj of ctx.list(storageKey(t), name)) {
        remaining++;
        if (!obj.metadata.deletionTimestamp) ctx.delete(t, obj, { propagationPolicy: "Background" });
      }
    }
    if (remaining > 0) continue;
    const spec = (ns.spec ?? {}) as { finalizers?: string[] };
    const finalizers = (spec.finalizers ?? []).filter((f) => f !== "kubernetes");
    if (finalizers.length === 0 && !(ns.metadata.finalizers ?? []).length) {
      ctx.emit({ type: "delete", resource: storageKey(NAMESPACE), object: ns });
    } else if (finalizers.length !== (spec.finalizers ?? []).length) {
      const next = structuredClone(ns);
      next.spec = { ...spec, finalizers };
      // spec.finalizers changes only through the finalize subresource.
      ctx.emit({ type: "put", resource: storageKey(NAMESPACE), object: next });
    }
  }
}
