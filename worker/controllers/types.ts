// What a controller works with. Controllers read desired and observed state from the store and
// return the writes that close the gap; the runner commits them in one batch.
import type { SandboxClock } from "../sandbox/clock";
import type { Rng } from "../sandbox/rng";
import type { Change, ObjectStore } from "../store/object-store";

export interface ControllerContext {
  store: ObjectStore;
  clock: SandboxClock;
  rng: Rng;
}

/** One level-triggered pass over the state; returns the changes to commit (empty when settled). */
export type Controller = (ctx: ControllerContext) => Change[];
