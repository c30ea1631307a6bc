// The RollingUpdate strategy, one step per sync: scale the new ReplicaSet up as far as maxSurge
// allows; if that did nothing, scale old ones down as far as maxUnavailable allows; when neither
// moves, wait for pods to become available (the ReplicaSet status change brings the next pass).
// Models pkg/controller/deployment/rolling.go
import type { KubeObject } from "../../resources/types";
import type { ControllerContext } from "../types";
import { deploymentComplete, syncRolloutStatus } from "./progress";
import { cleanupDeployment, getAllReplicaSetsAndSyncRevision, scaleAndRecord } from "./sync";
import { activeReplicaSets, byCreation, desired, dStatus, maxUnavailable, newRSNewReplicas, rsStatus, sumSpecReplicas, sumStatus } from "./util";

// Models pkg/controller/deployment/rolling.go rolloutRolling
export function rolloutRolling(ctx: ControllerContext, d: KubeObject, rsList: KubeObject[]): void {
  const { newRS, oldRSs } = getAllReplicaSetsAndSyncRevision(ctx, d, rsList, true);
  if (!newRS) return;
  const allRSs = [...oldRSs, newRS];
  if (reconcileNewReplicaSet(ctx, allRSs, newRS, d)) return syncRolloutStatus(ctx, allRSs, newRS, d);
  if (reconcileOldReplicaSets(ctx, allRSs, activeReplicaSets(oldRSs), newRS, d)) return syncRolloutStatus(ctx, allRSs, newRS, d);
  if (deploymentComplete(d, dStatus(d))) cleanupDeployment(ctx, oldRSs, d);
  syncRolloutStatus(ctx, allRSs, newRS, d);
}

// Models pkg/controller/deployment/rolling.go reconcileNewReplicaSet
function reconcileNewReplicaSet(ctx: ControllerContext, allRSs: KubeObject[], newRS: KubeObject, d: KubeObject): boolean {
  if (desired(newRS) === desired(d)) return false;
  if (desired(newRS) > desired(d)) return scaleAndRecord(ctx, newRS, desired(d), d).scaled;
  return scaleAndRecord(ctx, newRS, newRSNewReplicas(d, allRSs, newRS), d).scaled;
}

/**
 * How far old ReplicaSets may shrink: all pods minus the minimum available minus new pods not yet
 * available. 10 replicas, maxUnavailable 2, maxSurge 3, old 8 + new 5 with no new pod available:
 * 13 - 8 - 5 = 0, so nothing; once the 5 are available, 13 - 8 - 0 = 5.
 */
// Models pkg/controller/deployment/rolling.go reconcileOldReplicaSets
function reconcileOldReplicaSets(ctx: ControllerContext, allRSs: KubeObject[], oldRSs: KubeObject[], newRS: KubeObject, d: KubeObject): boolean {
  if (sumSpecReplicas(oldRSs) === 0) return false;
  const minAvailable = desired(d) - maxUnavailable(d);
  const newUnavailable = desired(newRS) - (rsStatus(newRS).availableReplicas ?? 0);
  const maxScaledDown = sumSpecReplicas(allRSs) - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return false;
  const { rss, count: cleaned } = cleanupUnhealthyReplicas(ctx, oldRSs, d, maxScaledDown);
  const scaledDown = scaleDownOldReplicaSets(ctx, [...rss, newRS], rss, d);
  return cleaned + scaledDown > 0;
}

/** Unavailable old pods go first: removing them costs no availability. */
// Models pkg/controller/deployment/rolling.go cleanupUnhealthyReplicas
function cleanupUnhealthyReplicas(ctx: ControllerContext, oldRSs: KubeObject[], d: KubeObject, maxCleanup: number): { rss: KubeObject[]; count: number } {
  const rss = [...oldRSs].sort(byCreation);
  let total = 0;
  for (let i = 0; i < rss.length && total < maxCleanup; i++) {
    const rs = rss[i];
    const unhealthy = desired(rs) - (rsStatus(rs).availableReplicas ?? 0);
    if (desired(rs) === 0 || unhealthy <= 0) continue;
    const n = Math.min(maxCleanup - total, unhealthy);
    rss[i] = scaleAndRecord(ctx, rs, desired(rs) - n, d).rs;
    total += n;
  }
  return { rss, count: total };
}

/** Then available old pods, oldest ReplicaSet first, as long as availability stays above the minimum. */
// Models pkg/controller/deployment/rolling.go scaleDownOldReplicaSetsForRollingUpdate
function scaleDownOldReplicaSets(ctx: ControllerContext, allRSs: KubeObject[], oldRSs: KubeObject[], d: KubeObject): number {
  const minAvailable = desired(d) - maxUnavailable(d);
  const available = sumStatus(allRSs, "availableReplicas");
  if (available <= minAvailable) return 0;
  const budget = available - minAvailable;
  let total = 0;
  for (const rs of [...oldRSs].sort(byCreation)) {
    if (total >= budget) break;
    if (desired(rs) === 0) continue;
    const n = Math.min(desired(rs), budget - total);
    scaleAndRecord(ctx, rs, desired(rs) - n, d);
    total += n;
  }
  return total;
}
