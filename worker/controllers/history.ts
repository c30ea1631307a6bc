// ControllerRevisions: the snapshots of a pod template that DaemonSets and StatefulSets keep to
// tell old pods from new ones and to roll back. Names are `<owner>-<hash of the snapshot>`.
// Models pkg/controller/history/controller_history.go and pkg/controller/controller_utils.go ComputeHash
import { findKind, type ResourceType } from "../resources/registry";
import { clonePlain } from "../resources/clone";
import type { KubeObject } from "../resources/types";
import { deepEqual } from "../util/equal";
import { NAME_SUFFIX_ALPHABET } from "../sandbox/rng";
import type { ControllerContext } from "./types";
import { controlledBy, newControllerRef } from "./workload-helpers";

export const CONTROLLER_REVISION_TYPE: ResourceType = findKind({ group: "apps", version: "v1", kind: "ControllerRevision" })!;
const REVISIONS = "apps/controllerrevisions";

/** JSON with sorted keys, so equal objects hash equally whatever their key order. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v && typeof v === "object") {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o).filter((k) => o[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`).join(",")}}`;
  }
  return JSON.stringify(v ?? null);
}

function fnv32a(bytes: Uint8Array, h = 0x811c9dc5): number {
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h >>> 0;
}

// Models staging/src/k8s.io/apimachinery/pkg/util/rand/rand.go SafeEncodeString
function safeEncode(s: string): string {
  let out = "";
  for (let i = 0; i < s.length; i++) out += NAME_SUFFIX_ALPHABET[s.charCodeAt(i) % NAME_SUFFIX_ALPHABET.length];
  return out;
}

/** A short, stable, DNS-safe hash of `value`, varied by the collision count. */
export function computeHash(value: unknown, collisionCount?: number): string {
  let h = fnv32a(new TextEncoder().encode(canonical(value)));
  if (collisionCount) {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, collisionCount >>> 0, true);
    h = fnv32a(b, h);
  }
  return safeEncode(String(h));
}

/** The revision data of a pod template: a patch that restores it (`$patch: replace`). */
export function templatePatch(owner: KubeObject): Record<string, unknown> {
  const template = clonePlain((owner.spec as { template?: Record<string, unknown> } | undefined)?.template ?? {});
  return { spec: { template: { ...template, $patch: "replace" } } };
}

/** The template a revision restores. */
export function templateOf(revision: KubeObject): Record<string, unknown> {
  const template = { ...((revision.data as { spec?: { template?: Record<string, unknown> } } | undefined)?.spec?.template ?? {}) };
  delete template.$patch;
  return template;
}

export function revisionNumber(r: KubeObject): number {
  return typeof r.revision === "number" ? r.revision : 0;
}

/** Revisions `owner` controls, oldest first. */
export function ownedRevisions(ctx: ControllerContext, owner: KubeObject): KubeObject[] {
  return controlledBy(ctx, REVISIONS, owner).sort((a, b) => revisionNumber(a) - revisionNumber(b) || (a.metadata.name ?? "").localeCompare(b.metadata.name ?? ""));
}

export function maxRevision(revisions: KubeObject[]): number {
  return revisions.reduce((m, r) => Math.max(m, revisionNumber(r)), 0);
}

export function sameData(a: KubeObject, b: { data?: unknown }): boolean {
  return deepEqual(a.data, b.data);
}

/**
 * Creates the revision `<owner>-<hash>`; on a name taken by a revision with other data, retries
 * with a bumped collision count. Returns the revision and the collision count used.
 */
export function createRevision(
  ctx: ControllerContext,
  owner: KubeObject,
  data: Record<string, unknown>,
  revision: number,
  labels: (hash: string) => Record<string, string>,
  collisionCount: number,
  annotations?: Record<string, string>,
): { revision: KubeObject | undefined; collisionCount: number; hash: string } {
  const ns = owner.metadata.namespace ?? "";
  for (let count = collisionCount; count < collisionCount + 10; count++) {
    const hash = computeHash(data, count);
    const name = `${(owner.metadata.name ?? "").slice(0, 223)}-${hash}`;
    const existing = ctx.get(REVISIONS, ns, name);
    if (existing) {
      if (sameData(existing, { data }) && existing.metadata.ownerReferences?.some((r) => r.uid === owner.metadata.uid)) {
        return { revision: existing, collisionCount: count, hash };
      }
      continue;
    }
    const created = ctx.create(CONTROLLER_REVISION_TYPE, {
      apiVersion: "apps/v1",
      kind: "ControllerRevision",
      metadata: {
        name,
        namespace: ns,
        labels: labels(hash),
        ...(annotations && Object.keys(annotations).length ? { annotations: { ...annotations } } : {}),
        ownerReferences: [newControllerRef(owner)],
      },
      data,
      revision,
    });
    return { revision: created, collisionCount: count, hash };
  }
  return { revision: undefined, collisionCount, hash: "" };
}

/** Sets a revision's number (a rollback to an old template makes it the newest again). */
export function renumber(ctx: ControllerContext, revision: KubeObject, n: number): KubeObject {
  if (revisionNumber(revision) === n) return revision;
  return ctx.update(CONTROLLER_REVISION_TYPE, { ...structuredClone(revision), revision: n }) ?? revision;
}

/** Deletes the oldest revisions beyond `limit`, never one in `live`. */
export function truncateHistory(ctx: ControllerContext, old: KubeObject[], live: Set<string>, limit: number): void {
  const candidates = old.filter((r) => !live.has(r.metadata.name ?? ""));
  let excess = candidates.length - limit;
  for (const r of candidates) {
    if (excess <= 0) break;
    ctx.delete(CONTROLLER_REVISION_TYPE, r, { propagationPolicy: "Background" });
    excess--;
  }
}
