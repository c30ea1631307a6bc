// DaemonSet rollouts: the ControllerRevision history of the pod template, and RollingUpdate —
// without surge, old pods are deleted while at most maxUnavailable nodes lack an available pod;
// with surge, new pods start beside old ones and an old pod goes once its replacement is available.
// Models pkg/controller/daemon/update.go rollingUpdate / constructHistory / cleanupHistory
import { findKind } from "../resources/registry";
import type { KubeObject } from "../resources/types";
import { HASH_LABEL, nodeShouldRunDaemonPod, syncNodes, type DaemonState } from "./daemonset";
import { createRevision, maxRevision, ownedRevisions, renumber, sameData, templatePatch, truncateHistory, CONTROLLER_REVISION_TYPE } from "./history";
import type { ControllerContext } from "./types";
import { isPodAvailable, rec, scaledValue, specOf, statusOf } from "./workload-helpers";

const DAEMONSET_TYPE = findKind({ group: "apps", version: "v1", kind: "DaemonSet" })!;

export interface DaemonHistory {
  hash: string;
  cleanup(st: DaemonState): void;
}

/**
 * Finds (or creates) the revision of the current template and renumbers it as the newest;
 * returns its hash and a history cleanup to run after the pods are synced.
 */
export function constructHistory(ctx: ControllerContext, ds: KubeObject): DaemonHistory | undefined {
  const revisions = ownedRevisions(ctx, ds);
  const data = templatePatch(ds);
  const same = new Set(revisions.filter((r) => sameData(r, { data })));
  const current = revisions.filter((r) => same.has(r));
  const old = revisions.filter((r) => !same.has(r));
  const next = maxRevision(old) + 1;
  let cur: KubeObject | undefined;
  if (!current.length) {
    const collisionCount = Number(statusOf(ds).collisionCount ?? 0);
    const templateLabels = rec(rec(rec(specOf(ds).template).metadata).labels) as Record<string, string>;
    const res = createRevision(ctx, ds, data, next, (hash) => ({ ...templateLabels, [HASH_LABEL]: hash }), collisionCount, ds.metadata.annotations);
    if (res.collisionCount !== collisionCount) ctx.updateStatus(DAEMONSET_TYPE, { ...ds, status: { ...statusOf(ds), collisionCount: res.collisionCount } });
    cur = res.revision;
  } else {
    // Duplicates of the current template (a lost race upstream) keep only the newest.
    cur = current[current.length - 1];
    for (const dup of current.slice(0, -1)) ctx.delete(CONTROLLER_REVISION_TYPE, dup, { propagationPolicy: "Background" });
    if (Number(cur.revision ?? 0) < next) cur = renumber(ctx, cur, next);
  }
  if (!cur) return undefined;
  const hash = cur.metadata.labels?.[HASH_LABEL] ?? (cur.metadata.name ?? "").slice((ds.metadata.name ?? "").length + 1);
  return {
    hash,
    cleanup(st: DaemonState) {
      const liveHashes = new Set<string>();
      for (const pods of st.byNode.values()) for (const p of pods) if (p.metadata.labels?.[HASH_LABEL]) liveHashes.add(p.metadata.labels[HASH_LABEL]);
      const live = new Set(old.filter((r) => liveHashes.has(r.metadata.labels?.[HASH_LABEL] ?? "")).map((r) => r.metadata.name ?? ""));
      truncateHistory(ctx, old, live, Number(specOf(ds).revisionHistoryLimit ?? 10));
    },
  };
}

/** The one new and one old non-terminating pod on a node; ok=false when there are more. */
// Models pkg/controller/daemon/update.go findUpdatedPodsOnNode
function updatedPodsOnNode(pods: KubeObject[], hash: string): { newPod?: KubeObject; oldPod?: KubeObject; ok: boolean } {
  let newPod: KubeObject | undefined;
  let oldPod: KubeObject | undefined;
  for (const p of pods) {
    if (p.metadata.deletionTimestamp) continue;
    if (p.metadata.labels?.[HASH_LABEL] === hash) {
      if (newPod) return { ok: false };
      newPod = p;
    } else {
      if (oldPod) return { ok: false };
      oldPod = p;
    }
  }
  return { newPod, oldPod, ok: true };
}

export function rollingUpdate(ctx: ControllerContext, st: DaemonState): void {
  const { ds, hash, minReadySeconds } = st;
  const now = ctx.now();
  const available = (p: KubeObject) => isPodAvailable(p, minReadySeconds, now);
  // Every node that wants a pod takes part, with or without one.
  // Models pkg/controller/daemon/update.go updatedDesiredNodeCounts
  const byNode = new Map(st.byNode);
  let desired = 0;
  for (const node of st.nodes) {
    if (!nodeShouldRunDaemonPod(node, ds).shouldRun) continue;
    desired++;
    if (!byNode.has(node.metadata.name ?? "")) byNode.set(node.metadata.name ?? "", []);
  }
  const ru = rec(rec(specOf(ds).updateStrategy).rollingUpdate);
  let maxUnavailable = scaledValue(ru.maxUnavailable ?? 1, desired, true);
  const maxSurge = scaledValue(ru.maxSurge ?? 0, desired, true);
  if (desired > 0 && maxUnavailable === 0 && maxSurge === 0) maxUnavailable = 1;
  const nodeNames = [...byNode.keys()].sort();

  if (maxSurge === 0) {
    // Delete just enough old pods to stay within maxUnavailable; the next pass recreates them.
    // Worked example: 3 nodes, maxUnavailable 1, all old and available → one old pod deleted per
    // round, the next only once its replacement is available again.
    let unavailable = 0;
    const replace: KubeObject[] = [];
    const candidates: KubeObject[] = [];
    for (const name of nodeNames) {
      const { newPod, oldPod, ok } = updatedPodsOnNode(byNode.get(name) ?? [], hash);
      if (!ok || (!newPod && !oldPod) || (newPod && oldPod)) unavailable++;
      else if (newPod) {
        if (!available(newPod)) unavailable++;
      } else if (oldPod) {
        if (!available(oldPod)) replace.push(oldPod);
        else if (unavailable < maxUnavailable) candidates.push(oldPod);
      }
    }
    const room = Math.max(0, Math.min(maxUnavailable - unavailable, candidates.length));
    syncNodes(ctx, st, [], [...replace, ...candidates.slice(0, room)]);
    return;
  }

  // Surge: start new pods beside available old ones (up to maxSurge at once), and delete an old
  // pod once the new one on its node is available.
  const toDelete: KubeObject[] = [];
  const allowedNew: string[] = [];
  const candidateNew: string[] = [];
  let surging = 0;
  for (const name of nodeNames) {
    const { newPod, oldPod, ok } = updatedPodsOnNode(byNode.get(name) ?? [], hash);
    if (!ok) {
      surging++;
      continue;
    }
    if (!oldPod) continue;
    if (!newPod) {
      if (!available(oldPod)) {
        const node = st.nodes.find((n) => n.metadata.name === name);
        if (!node || !nodeShouldRunDaemonPod(node, ds).shouldRun) toDelete.push(oldPod);
        else allowedNew.push(name);
      } else if (surging < maxSurge) candidateNew.push(name);
      continue;
    }
    if (!available(newPod)) surging++;
    else toDelete.push(oldPod);
  }
  const room = Math.max(0, Math.min(maxSurge - surging, candidateNew.length));
  syncNodes(ctx, st, [...allowedNew, ...candidateNew.slice(0, room)], toDelete);
}
