// Structures kept beside a sandbox's store and in step with its commits (an index of its events, the
// order in which they expire), so a controller pass reads them instead of scanning every object.
// Made on first use from what is stored; dropped when the store reloads, and made again from what
// was loaded the next time they are asked for.
import type { ObjectStore } from "./object-store";

/** What a sidecar's maker returns: the structure, and how to stop following the store. */
export interface Sidecar<T> {
  value: T;
  unsubscribe(): void;
}

type Maker = (store: ObjectStore) => Sidecar<unknown>;

interface Made {
  values: Map<Maker, unknown>;
  stops: (() => void)[];
}

const sidecars = new WeakMap<ObjectStore, Made>();

/** The structure `make` keeps for `store`: one per store and maker. */
export function sidecar<T>(store: ObjectStore, make: (store: ObjectStore) => Sidecar<T>): T {
  let made = sidecars.get(store);
  if (!made) {
    const mine: Made = (made = { values: new Map(), stops: [] });
    sidecars.set(store, mine);
    const unreset = store.onReset(() => {
      unreset();
      for (const stop of mine.stops) stop();
      sidecars.delete(store);
    });
  }
  if (made.values.has(make)) return made.values.get(make) as T;
  const s = make(store);
  made.stops.push(s.unsubscribe);
  made.values.set(make, s.value);
  return s.value;
}
