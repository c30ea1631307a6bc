// The taint eviction controller (the NoExecute taint manager): a pod on a node with a NoExecute
// taint it does not tolerate is deleted at once; one that tolerates it for tolerationSeconds is
// deleted that long after the taint appeared (the default 300 s tolerations for not-ready and
// unreachable nodes make this five minutes). Controllers then replace the pods elsewhere.
// Models pkg/controller/tainteviction/taint_eviction.go processPodOnNode / getMinTolerationTime and
// pkg/apis/core/v1/helper/helpers.go GetMatchingTolerations
import { findKind } from "../resources/registry";
import type { KubeObject } from "../resources/types";
import { getCondition, updateCondition } from "../util/pod-condition";
import { nodeTaints, toleratesTaint, type Taint, type Toleration } from "./node-predicates";
import type { ControllerContext } from "./types";
import { list, parseTime, rec } from "./workload-helpers";

const POD = findKind({ group: "", version: "v1", kind: "Pod" })!;
const COMPONENT = "taint-eviction-controller";

/** Every taint tolerated, with the first toleration matching each; or undefined when one is not. */
function matchingTolerations(taints: Taint[], tolerations: Toleration[]): Toleration[] | undefined {
  const used: Toleration[] = [];
  for (const taint of taints) {
    const t = tolerations.find((x) => toleratesTaint(x, taint));
    if (!t) return undefined;
    used.push(t);
  }
  return used;
}

/** Seconds the pod may stay: 0 at once, undefined forever. */
export function minTolerationSeconds(used: Toleration[]): number | undefined {
  if (used.length === 0) return 0;
  let min: number | undefined;
  for (const t of used) {
    if (t.tolerationSeconds === undefined || t.tolerationSeconds === null) continue;
    if (t.tolerationSeconds <= 0) return 0;
    min = min === undefined ? t.tolerationSeconds : Math.min(min, t.tolerationSeconds);
  }
  return min;
}

/** Epoch ms at which the pod must go from `node`, or undefined when it may stay. */
export function evictionTime(pod: KubeObject, node: KubeObject): number | undefined {
  const taints = nodeTaints(node).filter((t) => t.effect === "NoExecute");
  if (taints.length === 0) return undefined;
  const used = matchingTolerations(taints, list<Toleration>(rec(pod.spec).tolerations));
  if (!used) return 0;
  const seconds = minTolerationSeconds(used);
  if (seconds === undefined) return undefined;
  // The clock starts when the taint manager saw both the taint and the pod on the node.
  const tainted = Math.max(...taints.map((t) => parseTime((t as { timeAdded?: string }).timeAdded) ?? 0));
  const scheduled = parseTime(getCondition(pod.status, "PodScheduled")?.lastTransitionTime) ?? parseTime(pod.metadata.creationTimestamp) ?? 0;
  return Math.max(tainted, scheduled) + seconds * 1000;
}

export function taintEvictionController(ctx: ControllerContext): void {
  const nodes = new Map(ctx.list("/nodes").map((n) => [n.metadata.name ?? "", n]));
  const tainted = [...nodes.values()].filter((n) => nodeTaints(n).some((t) => t.effect === "NoExecute"));
  if (tainted.length === 0) return;
  const names = new Set(tainted.map((n) => n.metadata.name ?? ""));
  for (const pod of ctx.list("/pods")) {
    const nodeName = String(rec(pod.spec).nodeName ?? "");
    if (!names.has(nodeName) || pod.metadata.deletionTimestamp) continue;
    const at = evictionTime(pod, nodes.get(nodeName)!);
    if (at === undefined) continue;
    if (at > ctx.now()) {
      ctx.requeueAt(at);
      continue;
    }
    ctx.event(pod, "Normal", "TaintManagerEviction", `Marking for deletion Pod ${pod.metadata.namespace}/${pod.metadata.name}`, COMPONENT);
    const status = structuredClone(rec(pod.status));
    const cond = { type: "DisruptionTarget", status: "True", reason: "DeletionByTaintManager", message: "Taint manager: deleting due to NoExecute taint" };
    const marked = updateCondition(status, cond, ctx.nowRfc3339()) ? (ctx.updateStatus(POD, { ...pod, status }) ?? pod) : pod;
    ctx.delete(POD, marked);
  }
}
