// The Recreate strategy: scale every old ReplicaSet to zero, wait until none of their pods is
// left (terminating ones included), and only then create or scale up the new ReplicaSet.
// Models pkg/controller/deployment/recreate.go
import type { KubeObject } from "../../resources/types";
import type { ControllerContext } from "../types";
import { deploymentComplete, syncRolloutStatus } from "./progress";
import { cleanupDeployment, getAllReplicaSetsAndSyncRevision, scaleAndRecord } from "./sync";
import { activeReplicaSets, desired, dStatus, sumStatus } from "./util";

/** Pods of a deployment grouped by the uid of the ReplicaSet controlling them. */
export type PodMap = Map<string, KubeObject[]>;

// Models pkg/controller/deployment/recreate.go oldPodsRunning
function oldPodsRunning(newRS: KubeObject | undefined, oldRSs: KubeObject[], podMap: PodMap): boolean {
  if (sumStatus(oldRSs, "replicas") > 0) return true;
  for (const [uid, pods] of podMap) {
    if (newRS && newRS.metadata.uid === uid) continue;
    const phaseOf = (p: KubeObject) => (p.status as { phase?: string } | undefined)?.phase;
    if (pods.some((p) => phaseOf(p) !== "Succeeded" && phaseOf(p) !== "Failed")) return true;
  }
  return false;
}

// Models pkg/controller/deployment/recreate.go rolloutRecreate
export function rolloutRecreate(ctx: ControllerContext, d: KubeObject, rsList: KubeObject[], podMap: PodMap): void {
  // The new ReplicaSet is not created yet so that nothing scales up before the old pods are gone.
  let { newRS, oldRSs } = getAllReplicaSetsAndSyncRevision(ctx, d, rsList, false);
  let allRSs = [...oldRSs, newRS];

  let scaledDown = false;
  for (const rs of activeReplicaSets(oldRSs)) if (scaleAndRecord(ctx, rs, 0, d).scaled) scaledDown = true;
  if (scaledDown || oldPodsRunning(newRS, oldRSs, podMap)) return syncRolloutStatus(ctx, allRSs, newRS, d);

  if (!newRS) {
    ({ newRS, oldRSs } = getAllReplicaSetsAndSyncRevision(ctx, d, rsList, true));
    if (!newRS) return;
    allRSs = [...oldRSs, newRS];
  }
  scaleAndRecord(ctx, newRS, desired(d), d);
  if (deploymentComplete(d, dStatus(d))) cleanupDeployment(ctx, oldRSs, d);
  syncRolloutStatus(ctx, allRSs, newRS, d);
}
