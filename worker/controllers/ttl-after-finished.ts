// The TTL-after-finished controller: a finished Job with ttlSecondsAfterFinished is deleted
// (Foreground, so its pods go first) once that many seconds have passed since it finished.
// Models pkg/controller/ttlafterfinished/ttlafterfinished_controller.go processJob / processTTL
import { findKind, type ResourceType } from "../resources/registry";
import type { ControllerContext } from "./types";
import { list, parseTime, specOf, statusOf } from "./workload-helpers";

const JOB_TYPE: ResourceType = findKind({ group: "batch", version: "v1", kind: "Job" })!;

export function ttlAfterFinishedController(ctx: ControllerContext): void {
  for (const job of ctx.list("batch/jobs")) {
    const ttl = specOf(job).ttlSecondsAfterFinished;
    if (ttl == null || job.metadata.deletionTimestamp) continue;
    // The finish time is when the Complete or Failed condition became true.
    const finished = list(statusOf(job).conditions).find((c) => (c.type === "Complete" || c.type === "Failed") && c.status === "True");
    const finishedAt = parseTime(finished?.lastTransitionTime);
    if (finishedAt === undefined) continue;
    const expireAt = finishedAt + Number(ttl) * 1000;
    if (ctx.now() < expireAt) ctx.requeueAt(expireAt);
    else ctx.delete(JOB_TYPE, job, { propagationPolicy: "Foreground" });
  }
}
