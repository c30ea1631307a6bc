// The Deployment controller. Each pass syncs every Deployment once, taking one step:
// being deleted → status only; paused → scaling only; spec.replicas changed → proportional
// scaling; otherwise one step of its strategy (RollingUpdate or Recreate). The next step comes on
// a later pass, once the ReplicaSets and pods have moved.
// Models pkg/controller/deployment/deployment_controller.go syncDeployment
import { matchesLabels, type LabelSelector } from "../../api/selectors";
import { parseSelector } from "../workload-helpers";
import { clonePlain } from "../../resources/clone";
import { storageKey } from "../../resources/registry";
import type { KubeObject } from "../../resources/types";
import { claimObjects, controllerRefOf } from "../replica-pods";
import type { ControllerContext } from "../types";
import { writeStatus } from "./progress";
import { rolloutRecreate, type PodMap } from "./recreate";
import { rolloutRolling } from "./rolling";
import { checkPausedConditions, isScalingEvent, refresh, syncScaling, syncStatusOnly } from "./sync";
import { COMPONENT, DEPLOYMENT, dSpec, dStatus, POD, REPLICA_SET } from "./util";

function selectorOf(d: KubeObject): LabelSelector | undefined {
  return parseSelector(dSpec(d).selector);
}

/** ReplicaSets the deployment controls: adopting matching orphans, releasing ones it no longer selects. */
// Models pkg/controller/deployment/deployment_controller.go getReplicaSetsForDeployment
function replicaSetsFor(ctx: ControllerContext, d: KubeObject, selector: LabelSelector): KubeObject[] {
  const all = ctx.list(storageKey(REPLICA_SET), d.metadata.namespace);
  return claimObjects(ctx, REPLICA_SET, d, all, (rs) => matchesLabels(selector, rs.metadata.labels));
}

// Models pkg/controller/deployment/deployment_controller.go getPodMapForDeployment
function podMapFor(ctx: ControllerContext, d: KubeObject, selector: LabelSelector, rsList: KubeObject[]): PodMap {
  const map: PodMap = new Map(rsList.map((rs) => [rs.metadata.uid ?? "", []]));
  for (const pod of ctx.list(storageKey(POD), d.metadata.namespace)) {
    if (!matchesLabels(selector, pod.metadata.labels)) continue;
    map.get(controllerRefOf(pod)?.uid ?? "")?.push(pod);
  }
  return map;
}

export function syncDeployment(ctx: ControllerContext, deployment: KubeObject): void {
  // The controller replaces metadata fields and changes status on its copy, never the spec: sharing
  // the spec keeps its template the stored object, whose comparisons with ReplicaSets' are remembered.
  const d: KubeObject = { ...deployment, metadata: { ...deployment.metadata } };
  if (deployment.status !== undefined) d.status = clonePlain(deployment.status);
  const selector = selectorOf(d);
  if (!selector || selector.nothing) return;
  if (selector.requirements.length === 0) {
    // Selecting every pod is refused; said once per generation (an event each pass would never settle).
    if ((dStatus(d).observedGeneration ?? 0) < (d.metadata.generation ?? 0)) {
      ctx.event(d, "Warning", "SelectingAll", "This deployment is selecting all pods. A non-empty selector is required.", COMPONENT);
      d.status = { ...dStatus(d), observedGeneration: d.metadata.generation };
      writeStatus(ctx, d);
    }
    return;
  }

  let rsList = replicaSetsFor(ctx, d, selector);
  const podMap = podMapFor(ctx, d, selector, rsList);
  if (d.metadata.deletionTimestamp) return syncStatusOnly(ctx, d, rsList);

  checkPausedConditions(ctx, d);
  if (dSpec(d).paused) return syncScaling(ctx, d, rsList);

  const scaling = isScalingEvent(ctx, d, rsList);
  rsList = refresh(ctx, rsList);
  if (scaling) return syncScaling(ctx, d, rsList);

  if (dSpec(d).strategy?.type === "Recreate") rolloutRecreate(ctx, d, rsList, podMap);
  else rolloutRolling(ctx, d, rsList);
}

export function deploymentController(ctx: ControllerContext): void {
  for (const d of ctx.list(storageKey(DEPLOYMENT))) syncDeployment(ctx, d);
}
