// The controller runtime: one pass's view of the cluster (the store overlaid with the pass's own
// writes), admission for objects controllers create, the event recorder, and requested wake-ups.
import { admitCreate, admitUpdate, resolveIdentity, type AdmissionContext } from "../api/admission";
import { deleteChanges, type DeleteOptions } from "../api/deletion";
import { KubeError } from "../api/status";
import { findKind, parseApiVersion, storageKey, type ResourceType } from "../resources/registry";
import { clonePlain } from "../resources/clone";
import type { KubeObject } from "../resources/types";
import { rfc3339, type SandboxClock } from "../sandbox/clock";
import type { Rng } from "../sandbox/rng";
import type { Change, ObjectStore } from "../store/object-store";
import { sidecar, type Sidecar } from "../store/sidecar";
import { EventIndex } from "./event-index";
import type { ControllerContext, EventSourceDetail, EventType } from "./types";
import { createRefusal, limitsOf, storedCounts, type CreateCounts, type SandboxLimits } from "../sandbox/limits";

const EVENT_TYPE = findKind({ group: "", version: "v1", kind: "Event" })!;

/** A pass's writes to one resource, arranged for list(): by the stored object they replace, or new. */
interface Overlay {
  byStored: Map<KubeObject, Change>;
  /** By the change's slot in the pass's list of changes. */
  added: Map<number, Change>;
  /** list() answers by namespace (or all), until the next write to the resource. */
  lists: Map<string, KubeObject[]>;
}

/** Events a source may record about one object at once, then one per refill period (client-go's defaults). */
const SPAM_BURST = 25;
const SPAM_REFILL_MS = 300_000;

/**
 * The spam filter's buckets per sandbox, in memory as the controller manager keeps them (a restart
 * starts them full). The kubelet keeps its own with each pod's runtime state.
 */
const spamBuckets = new WeakMap<ObjectStore, Map<string, { n: number; at: number }>>();

/**
 * The stored events by aggregation key → name, kept up to date with every commit rather than rebuilt
 * each pass (a busy sandbox holds thousands of events). Where two stored events share a key, the one
 * found first in list order wins, and keeps winning while it exists.
 */
function storedEventIndex(store: ObjectStore): Sidecar<EventIndex> {
  const built = new EventIndex();
  for (const e of store.list("/events")) {
    if (built.getOf(e) === undefined) built.setOf(e, e.metadata.name ?? "");
  }
  const unsubscribe = store.subscribe((ev) => {
    if (ev.resource !== "/events") return;
    const name = ev.object.metadata.name ?? "";
    const held = built.getOf(ev.object);
    if (ev.type === "DELETED") {
      if (held === name) built.deleteOf(ev.object);
    } else if (held === undefined || !store.get("/events", ev.object.metadata.namespace ?? "", held)) {
      built.setOf(ev.object, name);
    }
  });
  return { value: built, unsubscribe };
}

export class ControllerRuntime implements ControllerContext {
  /** The pass's changes, one slot per object in the order first written; a later write replaces its slot. */
  private readonly pending: Change[] = [];
  /** Slots by resource → namespace → name: found without building a key. */
  private readonly pendingIndex = new Map<string, Map<string, Map<string, number>>>();
  private readonly overlays = new Map<string, Overlay>();
  /** This pass's events by aggregation key → name (the store's are in storedEventIndex). */
  private events?: EventIndex;
  private readonly wakeups: number[] = [];
  private readonly admission: AdmissionContext;
  /** Objects this pass adds (+) or removes (−), per resource: the quotas count them before they are committed. */
  private readonly delta = new Map<string, number>();
  /** Why the last create was refused (a controller's FailedCreate event gives it). */
  lastCreateError?: string;

  constructor(
    private readonly store: ObjectStore,
    private readonly clock: SandboxClock,
    readonly rng: Rng,
  ) {
    this.admission = { store: this.store, rng, clock };
  }

  now(): number {
    return this.clock.now();
  }

  get limits(): SandboxLimits {
    return limitsOf(this.store);
  }

  nowRfc3339(): string {
    return rfc3339(this.clock.now());
  }

  get changes(): Change[] {
    return this.pending.slice();
  }

  get requestedWakeups(): number[] {
    return this.wakeups;
  }

  get(resource: string, namespace: string, name: string): KubeObject | undefined {
    const slot = this.pendingIndex.get(resource)?.get(namespace)?.get(name);
    const p = slot === undefined ? undefined : this.pending[slot];
    if (p) return p.type === "put" ? p.object : undefined;
    return this.store.get(resource, namespace, name);
  }

  list(resource: string, namespace?: string): KubeObject[] {
    const overlay = this.overlays.get(resource);
    if (!overlay) return this.store.list(resource, namespace);
    const cacheKey = namespace ?? "\u0000all";
    const hit = overlay.lists.get(cacheKey);
    if (hit) return hit.slice();
    // Stored objects in order, each replaced by this pass's write to it; then objects new in this pass.
    const out: KubeObject[] = [];
    for (const o of this.store.list(resource, namespace)) {
      const p = overlay.byStored.get(o);
      if (!p) out.push(o);
      else if (p.type === "put") out.push(p.object);
    }
    for (const p of overlay.added.values()) {
      if (p.type !== "put") continue;
      if (namespace !== undefined && (p.object.metadata.namespace ?? "") !== namespace) continue;
      out.push(p.object);
    }
    overlay.lists.set(cacheKey, out);
    return out.slice();
  }

  emit(change: Change): void {
    const m = change.object.metadata;
    const namespace = m.namespace ?? "";
    const name = m.name ?? "";
    const stored = this.store.get(change.resource, namespace, name);
    let byNs = this.pendingIndex.get(change.resource);
    if (!byNs) this.pendingIndex.set(change.resource, (byNs = new Map()));
    let byName = byNs.get(namespace);
    if (!byName) byNs.set(namespace, (byName = new Map()));
    let slot = byName.get(name);
    const prev = slot === undefined ? undefined : this.pending[slot];
    const before = prev ? (prev.type === "put" ? 1 : 0) : stored ? 1 : 0;
    const after = change.type === "put" ? 1 : 0;
    if (after !== before) this.delta.set(change.resource, (this.delta.get(change.resource) ?? 0) + after - before);
    if (slot === undefined) {
      slot = this.pending.length;
      byName.set(name, slot);
    }
    this.pending[slot] = change;
    let overlay = this.overlays.get(change.resource);
    if (!overlay) this.overlays.set(change.resource, (overlay = { byStored: new Map(), added: new Map(), lists: new Map() }));
    if (stored) overlay.byStored.set(stored, change);
    else overlay.added.set(slot, change);
    overlay.lists.clear();
    if (change.resource === "/events") this.indexEvent(change);
  }

  create(t: ResourceType, obj: KubeObject): KubeObject | undefined {
    this.lastCreateError = undefined;
    try {
      resolveIdentity(this.admission, t, obj, obj.metadata.namespace);
      if (!obj.metadata.name) return undefined;
      if (this.get(storageKey(t), obj.metadata.namespace ?? "", obj.metadata.name)) return undefined;
      // Events are always recorded: aggregation and their one-hour life bound them.
      if (t !== EVENT_TYPE) {
        const refusal = createRefusal(this.limits, this.counts(), t.group, t.resource, storageKey(t), obj.metadata.name);
        if (refusal) throw refusal;
      }
      const admitted = admitCreate(this.admission, t, obj);
      this.emit({ type: "put", resource: storageKey(t), object: admitted });
      return admitted;
    } catch (e) {
      if (e instanceof KubeError) {
        this.lastCreateError = e.message;
        return undefined;
      }
      throw e;
    }
  }

  /** What the quotas see: the store plus this pass's own creates and deletes. */
  private counts(): CreateCounts {
    const c = storedCounts(this.store);
    for (const [resource, d] of this.delta) {
      if (resource.startsWith("kubeplay.internal/")) continue;
      c.objects += d;
      if (resource === "/pods") c.pods += d;
      if (resource === "/nodes") c.nodes += d;
    }
    return c;
  }

  update(t: ResourceType, next: KubeObject): KubeObject | undefined {
    return this.write(t, next);
  }

  updateStatus(t: ResourceType, next: KubeObject, fresh = false): KubeObject | undefined {
    return this.write(t, next, "status", fresh);
  }

  private write(t: ResourceType, next: KubeObject, subresource?: string, fresh = false): KubeObject | undefined {
    const m = next.metadata;
    const current = this.get(storageKey(t), m.namespace ?? "", m.name ?? "");
    if (!current) return undefined;
    try {
      // A status write takes only status, labels and annotations from `next` (admitUpdate keeps the
      // rest of the stored object): copying the whole object for it made pod status writes costly.
      const candidate: KubeObject =
        subresource === "status"
          ? {
              ...next,
              metadata: { ...next.metadata, labels: next.metadata.labels && { ...next.metadata.labels }, annotations: next.metadata.annotations && { ...next.metadata.annotations } },
              status: fresh ? next.status : clonePlain(next.status),
            }
          : clonePlain(next);
      // Controllers write what they computed from the current state; the version check is theirs to skip.
      candidate.metadata.resourceVersion = current.metadata.resourceVersion;
      const admitted = admitUpdate(this.admission, t, current, candidate, { subresource });
      if (!admitted) return current;
      // Removed only when this write took its last finalizer away (a terminating pod's status writes keep it).
      const finishing = admitted.metadata.deletionTimestamp && !(admitted.metadata.finalizers ?? []).length && !!current.metadata.finalizers?.length;
      this.emit({ type: finishing ? "delete" : "put", resource: storageKey(t), object: admitted });
      return admitted;
    } catch (e) {
      if (e instanceof KubeError) return undefined;
      throw e;
    }
  }

  delete(t: ResourceType, obj: KubeObject, opts: DeleteOptions = { propagationPolicy: "Background" }): void {
    const current = this.get(storageKey(t), obj.metadata.namespace ?? "", obj.metadata.name ?? "");
    if (!current) return;
    for (const c of deleteChanges(this.admission, t, current, opts).changes) this.emit(c);
  }

  requeueAt(at: number): void {
    if (Number.isFinite(at)) this.wakeups.push(at);
  }

  sidecar<T>(make: (store: ObjectStore) => Sidecar<T>): T {
    return sidecar(this.store, make);
  }

  private takeSpamToken(key: string): boolean {
    let buckets = spamBuckets.get(this.store);
    if (!buckets) spamBuckets.set(this.store, (buckets = new Map()));
    const t = this.now();
    const b = buckets.get(key);
    const n = b ? Math.min(SPAM_BURST, b.n + (t - b.at) / SPAM_REFILL_MS) : SPAM_BURST;
    if (n < 1) return false;
    buckets.set(key, { n: n - 1, at: t });
    // Full buckets are as good as none: drop them before the map grows large.
    if (buckets.size > 5000) for (const [k, v] of buckets) if (v.n + (t - v.at) / SPAM_REFILL_MS >= SPAM_BURST) buckets.delete(k);
    return true;
  }

  /** The name of the event an identical one would aggregate into: this pass's events first, then the store's. */
  private eventNamed(namespace: string, uid: unknown, fieldPath: unknown, reason: string, message: string, type: string, component: string): string | undefined {
    return this.events?.get(namespace, uid, fieldPath, reason, message, type, component) ?? sidecar(this.store, storedEventIndex).get(namespace, uid, fieldPath, reason, message, type, component);
  }

  private indexEvent(change: Change): void {
    if (change.type !== "put") return;
    (this.events ??= new EventIndex()).setOf(change.object, change.object.metadata.name ?? "");
  }

  /**
   * Models staging/src/k8s.io/client-go/tools/record/events_cache.go EventAggregate/eventObserve:
   * an event identical to an earlier one (same object, type, reason, message, source) bumps its count.
   */
  event(involved: KubeObject, type: EventType, reason: string, message: string, component: string, source: EventSourceDetail = {}): void {
    const m = involved.metadata;
    // Models client-go's EventSourceObjectSpamFilter: a token bucket per source and object.
    if (component !== "kubelet" && !this.takeSpamToken(`${component}\u0000${source.host ?? ""}\u0000${m.uid ?? `${m.namespace}/${m.name}`}`)) return;
    const now = this.nowRfc3339();
    const namespace = m.namespace || "default";
    const { group, version } = parseApiVersion(involved.apiVersion);
    const name = this.eventNamed(namespace, m.uid, source.fieldPath, reason, message, type, component);
    const existing = name === undefined ? undefined : this.get("/events", namespace, name);
    if (existing) {
      const next = clonePlain(existing);
      next.count = ((existing.count as number | undefined) ?? 1) + 1;
      next.lastTimestamp = now;
      this.emit({ type: "put", resource: "/events", object: next });
      return;
    }
    const nanos = BigInt(Math.floor(this.now())) * 1_000_000n + BigInt(this.rng.int(0, 999_999));
    const ev: KubeObject = {
      apiVersion: "v1",
      kind: "Event",
      metadata: { name: `${m.name}.${nanos.toString(16)}`, namespace },
      involvedObject: {
        kind: involved.kind,
        namespace: m.namespace,
        name: m.name,
        uid: m.uid,
        apiVersion: group ? `${group}/${version}` : version,
        resourceVersion: m.resourceVersion,
        ...(source.fieldPath ? { fieldPath: source.fieldPath } : {}),
      },
      reason,
      message,
      source: source.host ? { component, host: source.host } : { component },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
      type,
      eventTime: null,
      reportingComponent: component,
      reportingInstance: source.host ?? "",
    };
    this.create(EVENT_TYPE, ev);
  }
}
