// events.k8s.io/v1 Events are a second representation of the core/v1 Events, as upstream: one
// store, two shapes. Requests for events.k8s.io get a view of the store that keeps core Events
// and converts field names on the way in and out; everything else passes through untouched.
import { storageKey, type ResourceType } from "../resources/registry";
import { coreEventToEventsV1, eventsV1ToCoreEvent } from "../resources/event-conversion";
import type { Change, Listener, ObjectStore, StoreEvent } from "../store/object-store";
import type { ApiContext } from "./context";

const CORE_KEY = "/events";
const EVENTS_V1_KEY = "events.k8s.io/events";

/** The store as events.k8s.io requests see it: their storage key reads and writes the core Events. */
function eventsV1View(store: ObjectStore): ObjectStore {
  const toCore = (c: Change): Change => (c.resource === EVENTS_V1_KEY ? { ...c, resource: CORE_KEY, object: eventsV1ToCoreEvent(c.object) } : c);
  const fromCore = (e: StoreEvent): StoreEvent => (e.resource === CORE_KEY ? { ...e, resource: EVENTS_V1_KEY, object: coreEventToEventsV1(e.object) } : e);
  const overrides: Partial<ObjectStore> = {
    get(resource, namespace, name) {
      if (resource !== EVENTS_V1_KEY) return store.get(resource, namespace, name);
      const ev = store.get(CORE_KEY, namespace, name);
      return ev && coreEventToEventsV1(ev);
    },
    list(resource, namespace) {
      if (resource !== EVENTS_V1_KEY) return store.list(resource, namespace);
      return store.list(CORE_KEY, namespace).map(coreEventToEventsV1);
    },
    async commit(changes, extra) {
      const stored = await store.commit(changes.map(toCore), extra);
      return stored.map((o, i) => (changes[i].resource === EVENTS_V1_KEY ? coreEventToEventsV1(o) : o));
    },
    eventsSince(fromRv) {
      return store.eventsSince(fromRv)?.map(fromCore);
    },
    subscribe(listener: Listener) {
      return store.subscribe((e) => listener(fromCore(e)));
    },
  };
  return new Proxy(store, {
    get(target, prop) {
      if (Object.hasOwn(overrides, prop)) return overrides[prop as keyof ObjectStore];
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/** The context a request for `t` runs with: events.k8s.io Events are served from the core store. */
export function withEventStorage(ctx: ApiContext, t: ResourceType): ApiContext {
  return storageKey(t) === EVENTS_V1_KEY ? { ...ctx, store: eventsV1View(ctx.store) } : ctx;
}
