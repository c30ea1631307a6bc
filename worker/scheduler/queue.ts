// The scheduling queue, level-triggered: every pass takes the pods that still need a node, highest
// priority first, then oldest. A pod that failed waits out a backoff (1 s doubling to 10 s per
// failed attempt) before it is tried again, and is tried at the latest 5 minutes after its last
// failure (the flush of pods left unschedulable); attempts are the FailedScheduling events the
// scheduler recorded for it (their aggregated count), so the backoff survives a restart without any
// extra state.
// Models pkg/scheduler/backend/queue/scheduling_queue.go (activeQ ordering, backoffQ durations,
// flushUnschedulablePodsLeftover) and pkg/scheduler/framework/plugins/queuesort/priority_sort.go Less
import type { ControllerContext } from "../controllers/types";
import type { KubeObject } from "../resources/types";
import { DEFAULT_SCHEDULER, podPriority } from "./snapshot";
import { rec } from "./util";

export const INITIAL_BACKOFF_MS = 1000;
export const MAX_BACKOFF_MS = 10_000;
/** How long a pod stays unschedulable before it is tried again anyway (DefaultPodMaxInUnschedulablePodsDuration). */
export const UNSCHEDULABLE_FLUSH_MS = 5 * 60_000;

export interface Attempts {
  count: number;
  /** Epoch ms of the latest failure. */
  last: number;
}

/** A pod this scheduler should place: unbound, not finished, not being deleted, and addressed to it. */
export function needsScheduling(pod: KubeObject): boolean {
  const spec = rec(pod.spec);
  const phase = rec(pod.status).phase;
  if (spec.nodeName || pod.metadata.deletionTimestamp || phase === "Succeeded" || phase === "Failed") return false;
  return (spec.schedulerName ?? DEFAULT_SCHEDULER) === DEFAULT_SCHEDULER;
}

export function queueOrder(a: KubeObject, b: KubeObject): number {
  const pa = podPriority(a);
  const pb = podPriority(b);
  if (pa !== pb) return pb - pa;
  const ta = String(a.metadata.creationTimestamp ?? "");
  const tb = String(b.metadata.creationTimestamp ?? "");
  if (ta !== tb) return ta < tb ? -1 : 1;
  const ka = `${a.metadata.namespace}/${a.metadata.name}`;
  const kb = `${b.metadata.namespace}/${b.metadata.name}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** Failed attempts per pod uid, from the scheduler's FailedScheduling events. */
export function failureHistory(ctx: ControllerContext): Map<string, Attempts> {
  const out = new Map<string, Attempts>();
  for (const e of ctx.list("/events")) {
    if (e.reason !== "FailedScheduling" || rec(e.source).component !== DEFAULT_SCHEDULER) continue;
    const uid = String(rec(e.involvedObject).uid ?? "");
    const last = Date.parse(String(e.lastTimestamp ?? e.firstTimestamp ?? ""));
    const prev = out.get(uid) ?? { count: 0, last: 0 };
    out.set(uid, { count: prev.count + Number(e.count ?? 1), last: Math.max(prev.last, Number.isNaN(last) ? 0 : last) });
  }
  return out;
}

// Models scheduling_queue.go calculateBackoffDuration
export function backoffUntil(a: Attempts): number {
  let d = INITIAL_BACKOFF_MS;
  for (let i = 1; i < a.count && d < MAX_BACKOFF_MS; i++) d *= 2;
  return a.last + Math.min(d, MAX_BACKOFF_MS);
}
