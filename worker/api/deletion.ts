// What deleting an object means: immediate removal, graceful termination (pods), finalizers
// (foreground/orphan propagation, namespaces) — the object stays visible until they are done.
// Models staging/src/k8s.io/apiserver/pkg/registry/generic/registry/store.go Delete
import { storageKey, type ResourceType } from "../resources/registry";
import type { KubeObject } from "../resources/types";
import type { Change } from "../store/object-store";
import type { SandboxClock } from "../sandbox/clock";
import { forbidden } from "./status";

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: "Orphan" | "Background" | "Foreground";
  orphanDependents?: boolean;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: string[];
}

export const PROTECTED_NAMESPACES = new Set(["default", "kube-system", "kube-public", "kube-node-lease"]);

export const FOREGROUND_FINALIZER = "foregroundDeletion";
export const ORPHAN_FINALIZER = "orphan";

/**
 * Longest grace period a deletion keeps: Go's time.Duration holds about 292 years, and upstream's
 * `now + grace` is computed in one. Past it the deadline would be no time at all.
 */
const MAX_GRACE_SECONDS = Math.floor((2 ** 63 - 1) / 1e9);

function rfc3339At(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}

/** The changes that deleting `obj` makes now; `immediate` when the object is gone at once. */
export function deleteChanges(
  ctx: { clock: Pick<SandboxClock, "now"> },
  t: ResourceType,
  obj: KubeObject,
  opts: DeleteOptions,
): { changes: Change[]; immediate: boolean } {
  const resource = storageKey(t);
  const name = obj.metadata.name ?? "";
  if (t.kind === "Namespace" && t.group === "" && PROTECTED_NAMESPACES.has(name)) {
    throw forbidden("", "namespaces", name, "this namespace may not be deleted");
  }
  const next: KubeObject = structuredClone(obj);
  const meta = next.metadata;
  const finalizers = new Set(meta.finalizers ?? []);
  const policy = opts.propagationPolicy ?? (opts.orphanDependents ? "Orphan" : undefined);
  if (policy === "Foreground") finalizers.add(FOREGROUND_FINALIZER);
  if (policy === "Orphan") finalizers.add(ORPHAN_FINALIZER);

  const now = ctx.clock.now();
  let graceSeconds = 0;
  if (t.kind === "Pod" && t.group === "") {
    const spec = (obj.spec ?? {}) as { nodeName?: string; terminationGracePeriodSeconds?: number };
    const status = (obj.status ?? {}) as { phase?: string };
    // An unscheduled or finished pod has nothing to stop; a bound one terminates gracefully.
    const running = !!spec.nodeName && status.phase !== "Succeeded" && status.phase !== "Failed";
    if (running) graceSeconds = Math.min(MAX_GRACE_SECONDS, opts.gracePeriodSeconds ?? spec.terminationGracePeriodSeconds ?? 30);
  }

  if (t.kind === "Namespace" && t.group === "") {
    if (!meta.deletionTimestamp) {
      meta.deletionTimestamp = rfc3339At(now);
      meta.deletionGracePeriodSeconds = 0;
    }
    next.status = { ...((next.status as object) ?? {}), phase: "Terminating" };
    meta.finalizers = finalizers.size ? [...finalizers] : undefined;
    if (!meta.finalizers) delete meta.finalizers;
    return { changes: [{ type: "put", resource, object: next }], immediate: false };
  }

  if (finalizers.size > 0 || graceSeconds > 0) {
    if (meta.deletionTimestamp) {
      // Already being deleted: a shorter grace period may bring the deadline forward.
      const current = meta.deletionGracePeriodSeconds ?? 0;
      if (graceSeconds < current) {
        meta.deletionGracePeriodSeconds = graceSeconds;
        meta.deletionTimestamp = rfc3339At(now + graceSeconds * 1000);
      }
    } else {
      meta.deletionTimestamp = rfc3339At(now + graceSeconds * 1000);
      meta.deletionGracePeriodSeconds = graceSeconds;
    }
    meta.finalizers = finalizers.size ? [...finalizers] : undefined;
    if (!meta.finalizers) delete meta.finalizers;
    if (finalizers.size === 0 && graceSeconds === 0) return { changes: [{ type: "delete", resource, object: obj }], immediate: true };
    return { changes: [{ type: "put", resource, object: next }], immediate: false };
  }
  return { changes: [{ type: "delete", resource, object: obj }], immediate: true };
}
