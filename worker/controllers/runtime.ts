// The controller runtime: one pass's view of the cluster (the store overlaid with the pass's own
// writes), admission for objects controllers create, the event recorder, and requested wake-ups.
import { admitCreate, admitUpdate, resolveIdentity, type AdmissionContext } from "../api/admission";
import { deleteChanges, type DeleteOptions } from "../api/deletion";
import { KubeError } from "../api/status";
import { findKind, parseApiVersion, storageKey, type ResourceType } from "../resources/registry";
import type { KubeObject } from "../resources/types";
import { rfc3339, type SandboxClock } from "../sandbox/clock";
import type { Rng } from "../sandbox/rng";
import type { Change, ObjectStore } from "../store/object-store";
import type { ControllerContext, EventSourceDetail, EventType } from "./types";

const EVENT_TYPE = findKind({ group: "", version: "v1", kind: "Event" })!;

function keyOf(resource: string, namespace: string, name: string): string {
  return `${resource}\u0000${namespace}\u0000${name}`;
}

export class ControllerRuntime implements ControllerContext {
  private readonly pending = new Map<string, Change>();
  private readonly wakeups: number[] = [];
  private readonly admission: AdmissionContext;

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

  nowRfc3339(): string {
    return rfc3339(this.clock.now());
  }

  get changes(): Change[] {
    return [...this.pending.values()];
  }

  get requestedWakeups(): number[] {
    return this.wakeups;
  }

  get(resource: string, namespace: string, name: string): KubeObject | undefined {
    const p = this.pending.get(keyOf(resource, namespace, name));
    if (p) return p.type === "put" ? p.object : undefined;
    return this.store.get(resource, namespace, name);
  }

  list(resource: string, namespace?: string): KubeObject[] {
    const base = this.store.list(resource, namespace);
    if (this.pending.size === 0) return base;
    const out: KubeObject[] = [];
    const seen = new Set<string>();
    for (const o of base) {
      const k = keyOf(resource, o.metadata.namespace ?? "", o.metadata.name ?? "");
      seen.add(k);
      const p = this.pending.get(k);
      if (!p) out.push(o);
      else if (p.type === "put") out.push(p.object);
    }
    for (const [k, p] of this.pending) {
      if (p.type !== "put" || p.resource !== resource || seen.has(k)) continue;
      if (namespace !== undefined && (p.object.metadata.namespace ?? "") !== namespace) continue;
      out.push(p.object);
    }
    return out;
  }

  emit(change: Change): void {
    const m = change.object.metadata;
    this.pending.set(keyOf(change.resource, m.namespace ?? "", m.name ?? ""), change);
  }

  create(t: ResourceType, obj: KubeObject): KubeObject | undefined {
    try {
      resolveIdentity(this.admission, t, obj, obj.metadata.namespace);
      if (!obj.metadata.name) return undefined;
      if (this.get(storageKey(t), obj.metadata.namespace ?? "", obj.metadata.name)) return undefined;
      const admitted = admitCreate(this.admission, t, obj);
      this.emit({ type: "put", resource: storageKey(t), object: admitted });
      return admitted;
    } catch (e) {
      if (e instanceof KubeError) return undefined;
      throw e;
    }
  }

  update(t: ResourceType, next: KubeObject): KubeObject | undefined {
    return this.write(t, next);
  }

  updateStatus(t: ResourceType, next: KubeObject): KubeObject | undefined {
    return this.write(t, next, "status");
  }

  private write(t: ResourceType, next: KubeObject, subresource?: string): KubeObject | undefined {
    const m = next.metadata;
    const current = this.get(storageKey(t), m.namespace ?? "", m.name ?? "");
    if (!current) return undefined;
    try {
      const candidate = structuredClone(next);
      // Controllers write what they computed from the current state; the version check is theirs to skip.
      candidate.metadata.resourceVersion = current.metadata.resourceVersion;
      const admitted = admitUpdate(this.admission, t, current, candidate, { subresource });
      if (!admitted) return current;
      const finishing = admitted.metadata.deletionTimestamp && !(admitted.metadata.finalizers ?? []).length;
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

  /**
   * Models staging/src/k8s.io/client-go/tools/record/events_cache.go EventAggregate/eventObserve:
   * an event identical to an earlier one (same object, type, reason, message, source) bumps its count.
   */
  event(involved: KubeObject, type: EventType, reason: string, message: string, component: string, source: EventSourceDetail = {}): void {
    const now = this.nowRfc3339();
    const m = involved.metadata;
    const namespace = m.namespace || "default";
    const { group, version } = parseApiVersion(involved.apiVersion);
    const existing = this.list("/events", namespace).find((e) => {
      const io = e.involvedObject as { uid?: string; fieldPath?: string } | undefined;
      const src = e.source as { component?: string } | undefined;
      return io?.uid === m.uid && io?.fieldPath === source.fieldPath && e.reason === reason && e.message === message && e.type === type && src?.component === component;
    });
    if (existing) {
      const next = structuredClone(existing);
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
