// Event expiry: the apiserver stores Events with a time-to-live (`--event-ttl`, 1 hour), counted
// from their last write, and etcd drops them when it runs out. Here the last write is read from the
// event's own timestamps, and the controller asks to be woken at the next expiry.
// Models pkg/registry/core/event/storage/storage.go NewREST (TTLFunc) with kube-apiserver --event-ttl=1h
import { findKind, storageKey, type ResourceType } from "../resources/registry";
import type { KubeObject } from "../resources/types";
import type { ObjectStore } from "../store/object-store";
import type { Sidecar } from "../store/sidecar";
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
const EVENT_KEYS = new Set(EVENT_TYPES.map(storageKey));

function parse(ts: unknown): number | undefined {
  if (typeof ts !== "string" || !ts) return undefined;
  const ms = Date.parse(ts);
  return Number.isNaN(ms) ? undefined : ms;
}

/** When the event was last written: the latest of the times its recorder stamps on each write. */
export function lastWrite(ev: KubeObject): number | undefined {
  const series = ev.series as { lastObservedTime?: string } | undefined;
  let last: number | undefined;
  for (const ts of [ev.lastTimestamp, ev.deprecatedLastTimestamp, series?.lastObservedTime, ev.eventTime, ev.metadata.creationTimestamp]) {
    const t = parse(ts);
    if (t !== undefined && (last === undefined || t > last)) last = t;
  }
  return last;
}

/**
 * Stored events by expiry, earliest first (a binary heap on two arrays), with each stored version
 * added as it is committed: a pass looks at the expired ones only, where it once visited every event.
 * A version since replaced or deleted stays in the heap until it comes to the top, and is dropped then.
 */
export class ExpiryQueue {
  private at: number[] = [];
  private objects: { resource: string; object: KubeObject }[] = [];

  constructor(private readonly store: ObjectStore) {}

  get size(): number {
    return this.at.length;
  }

  add(resource: string, object: KubeObject): void {
    const written = lastWrite(object);
    if (written === undefined) return;
    this.at.push(written + EVENT_TTL_MS);
    this.objects.push({ resource, object });
    this.up(this.at.length - 1);
    // Events rewritten often (a crash loop's) leave many replaced versions: past twice the stored
    // events, the heap is made again from what is stored, before it is next read (not in the middle
    // of the commit that adds them).
    let stored = 0;
    for (const key of EVENT_KEYS) stored += this.store.count(key);
    if (this.at.length > 2 * stored + 1024) this.stale = true;
  }

  private stale = false;

  rebuild(): void {
    this.stale = false;
    this.at = [];
    this.objects = [];
    for (const key of EVENT_KEYS) for (const ev of this.store.list(key)) this.add(key, ev);
  }

  /** Whether the entry is the stored version of its event. */
  private live(i: number): boolean {
    const { resource, object } = this.objects[i];
    return this.store.get(resource, object.metadata.namespace ?? "", object.metadata.name ?? "") === object;
  }

  /** Drops replaced and deleted versions from the top; the earliest expiry left, if any. */
  next(): number | undefined {
    if (this.stale) this.rebuild();
    while (this.at.length && !this.live(0)) this.pop();
    return this.at[0];
  }

  /** The stored versions whose expiry is at or before `now` (the heap's top, walked down no further than that). */
  expired(now: number): { resource: string; object: KubeObject }[] {
    if (this.stale) this.rebuild();
    const out: { resource: string; object: KubeObject }[] = [];
    const stack = this.at.length && this.at[0] <= now ? [0] : [];
    while (stack.length) {
      const i = stack.pop()!;
      if (this.live(i)) out.push(this.objects[i]);
      for (const c of [2 * i + 1, 2 * i + 2]) if (c < this.at.length && this.at[c] <= now) stack.push(c);
    }
    return out;
  }

  private pop(): void {
    const last = this.at.length - 1;
    this.swap(0, last);
    this.at.pop();
    this.objects.pop();
    this.down(0);
  }

  private up(i: number): void {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.at[p] <= this.at[i]) return;
      this.swap(i, p);
      i = p;
    }
  }

  private down(i: number): void {
    const n = this.at.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && this.at[l] < this.at[m]) m = l;
      if (r < n && this.at[r] < this.at[m]) m = r;
      if (m === i) return;
      this.swap(i, m);
      i = m;
    }
  }

  private swap(a: number, b: number): void {
    const t = this.at[a];
    this.at[a] = this.at[b];
    this.at[b] = t;
    const o = this.objects[a];
    this.objects[a] = this.objects[b];
    this.objects[b] = o;
  }
}

/** The queue of a store's events, built from what is stored and fed by every commit. */
export function eventExpiry(store: ObjectStore): Sidecar<ExpiryQueue> {
  const queue = new ExpiryQueue(store);
  queue.rebuild();
  const unsubscribe = store.subscribe((e) => {
    if (e.type !== "DELETED" && EVENT_KEYS.has(e.resource)) queue.add(e.resource, e.object);
  });
  return { value: queue, unsubscribe };
}

export function eventTtlController(ctx: ControllerContext): void {
  const queue = ctx.sidecar(eventExpiry);
  const now = ctx.now();
  for (const { resource, object } of queue.expired(now)) {
    // One this pass already changed is looked at again once that change is stored.
    if (ctx.get(resource, object.metadata.namespace ?? "", object.metadata.name ?? "") !== object) continue;
    ctx.delete(EVENT_TYPES.find((t) => storageKey(t) === resource)!, object, { propagationPolicy: "Background" });
  }
  const next = queue.next();
  if (next !== undefined) ctx.requeueAt(next);
}
