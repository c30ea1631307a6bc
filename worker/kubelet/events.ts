// The kubelet's event recorder: events about a pod or one of its containers (fieldPath
// `spec.containers{web}`), through client-go's spam filter — a token bucket per source and object
// (25 events, then one per 5 minutes) — so a probe failing forever costs a write every 5 minutes,
// not every period.
// Models staging/src/k8s.io/client-go/tools/record/events_cache.go EventSourceObjectSpamFilter
import type { EventType } from "../controllers/types";
import type { ContainerRuntime } from "./record";
import type { PodWork } from "./work";

export const SPAM_BURST = 25;
export const SPAM_REFILL_MS = 300_000;

/** Tokens in the bucket at `t`. */
function tokensAt(w: PodWork, t: number): number {
  const b = w.rec.tokens;
  if (!b) return SPAM_BURST;
  return Math.min(SPAM_BURST, b.n + (t - b.at) / SPAM_REFILL_MS);
}

/** When the bucket next holds a whole token (now when it does). */
export function nextTokenAt(w: PodWork): number {
  const b = w.rec.tokens;
  if (!b || tokensAt(w, w.now) >= 1) return w.now;
  return b.at + (1 - b.n) * SPAM_REFILL_MS;
}

export function fieldPath(c: ContainerRuntime): string {
  return `${c.init ? "spec.initContainers" : "spec.containers"}{${c.name}}`;
}

/** Records an event unless the spam filter drops it. */
export function record(w: PodWork, type: EventType, reason: string, message: string, c?: ContainerRuntime): void {
  const n = tokensAt(w, w.now);
  if (n < 1) return;
  w.rec.tokens = { n: n - 1, at: w.now };
  w.ctx.event(w.pod, type, reason, message, "kubelet", { fieldPath: c ? fieldPath(c) : undefined, host: w.node });
}
