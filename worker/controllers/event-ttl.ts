// Event expiry: the apiserver stores Events with a time-to-live (`--event-ttl`, 1 hour), counted
// from their last write, and etcd drops them when it runs out. Here the last write is read from the
// event's own timestamps, and the controller asks to be woken at the next expiry.
// Models pkg/registry/core/event/storage/storage.go NewREST (TTLFunc) with kube-apiserver --event-ttl=1h
import { findKind, type ResourceType } from "../resources/registry";
import type { KubeObject } from "../resources/types";
import type { ControllerContext } from "./types";

export const EVENT_TTL_MS = 60 * 60 * 1000;

/**
 * Both storage keys are swept: events.k8s.io Events are served from the core store, but sandboxes
 * created before that kept some under their own key.
 */
const EVENT_TYPES: ResourceType[] = [
  findKind({ group: "", version: "v1", kind: "Event" })!,
  findKind({ group: "events.k8s.io", version: "v1", kind: "Event" })!,
];

function parse(ts: unknown): number | undefined {
  if (typeof ts !== "string" || !ts) return undefined;
  const ms = Date.parse(ts);
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * Stored objects are replaced, never changed in place, so an event's last write is worked out once per
 * stored version: every pass visits every event, and parsing five timestamps each time added up.
 */
const lastWriteOf = new WeakMap<KubeObject, number | undefined>();

/** When the event was last written: the latest of the times its recorder stamps on each write. */
export function lastWrite(ev: KubeObject): number | undefined {
  if (lastWriteOf.has(ev)) return lastWriteOf.get(ev);
  const written = computeLastWrite(ev);
  lastWriteOf.set(ev, written);
  return written;
}

function computeLastWrite(ev: KubeObject): number | undefined {
  const series = ev.series as { lastObservedTime?: string } | undefined;
  const times = [ev.lastTimestamp, ev.deprecatedLastTimestamp, series?.lastObservedTime, ev.eventTime, ev.metadata.creationTimestamp]
    .map(parse)
    .filter((t): t is number => t !== undefined);
  return times.length ? Math.max(...times) : undefined;
}

export function eventTtlController(ctx: ControllerContext): void {
  const now = ctx.now();
  let next = Infinity;
  for (const t of EVENT_TYPES) {
    for (const ev of ctx.list(`${t.group}/${t.resource}`)) {
      const written = lastWrite(ev);
      if (written === undefined) continue;
      const expiry = written + EVENT_TTL_MS;
      if (expiry <= now) ctx.delete(t, ev, { propagationPolicy: "Background" });
      else next = Math.min(next, expiry);
    }
  }
  ctx.requeueAt(next);
}
