// What a controller works with. A controller is one level-triggered pass over the cluster: it reads
// desired and observed state through the runtime, and writes, records events and asks to be woken
// at a later virtual time through it. The runtime commits a pass's writes as one batch.
import type { DeleteOptions } from "../api/deletion";
import type { ResourceType } from "../resources/registry";
import type { KubeObject } from "../resources/types";
import type { Rng } from "../sandbox/rng";
import type { Change, ObjectStore } from "../store/object-store";
import type { Sidecar } from "../store/sidecar";
import type { SandboxLimits } from "../sandbox/limits";

export type EventType = "Normal" | "Warning";

export interface EventSourceDetail {
  fieldPath?: string;
  host?: string;
}

export interface ControllerContext {
  /** Virtual now, epoch ms. */
  now(): number;
  /** Virtual now, RFC 3339 (second precision, as object timestamps are). */
  nowRfc3339(): string;
  rng: Rng;

  /** Reads see this pass's own earlier writes. */
  get(resource: string, namespace: string, name: string): KubeObject | undefined;
  list(resource: string, namespace?: string): KubeObject[];

  /** Creates an object through admission (defaults, generateName, uid); undefined when admission refused it. */
  create(t: ResourceType, obj: KubeObject): KubeObject | undefined;
  /** Why the last create was refused, in the API server's words (`pods "x" is forbidden: exceeded quota: …`). */
  readonly lastCreateError?: string;
  /** The sandbox's limits (absent: nothing limited), for what exec and shells may write. */
  readonly limits?: SandboxLimits;
  /** Writes a new state of an existing object (spec/metadata; status is kept for kinds with a status subresource). */
  update(t: ResourceType, next: KubeObject): KubeObject | undefined;
  /** Writes only the status of an existing object. */
  /** `fresh`: `next.status` was built for this write and is not used after it, so it is not copied. */
  updateStatus(t: ResourceType, next: KubeObject, fresh?: boolean): KubeObject | undefined;
  delete(t: ResourceType, obj: KubeObject, opts?: DeleteOptions): void;
  /** A raw change, for controllers that build the stored object themselves. */
  emit(change: Change): void;

  /**
   * Records an Event about `involved` (aggregated with an identical earlier one, as the recorder does);
   * `fieldPath` names a part of it (`spec.containers{web}`), `host` the node of the reporting component.
   */
  event(involved: KubeObject, type: EventType, reason: string, message: string, component: string, source?: EventSourceDetail): void;
  /** Asks for another pass when virtual time reaches `at` (epoch ms). */
  requeueAt(at: number): void;
  /** A structure kept beside the store, in step with its commits (store/sidecar.ts). */
  sidecar<T>(make: (store: ObjectStore) => Sidecar<T>): T;
}

/** One pass of one controller. */
export type Controller = (ctx: ControllerContext) => void;
