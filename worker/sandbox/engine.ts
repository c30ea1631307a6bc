// The simulation engine of one sandbox: runs the controllers in passes until nothing changes, keeps
// the virtual times they asked to be woken at, and replays those in order when time moves on.
// Wake-ups are not stored: every settled pass recomputes them from the objects, so after a restart
// the first pass derives what is due from the stored state.
import { CONTROLLERS } from "../controllers";
import { ControllerRuntime } from "../controllers/runtime";
import type { Controller } from "../controllers/types";
import type { ObjectStore } from "../store/object-store";
import type { SandboxClock } from "./clock";
import type { Rng } from "./rng";

/**
 * Who wants to hear when a sandbox settled (state changed or virtual time moved): followed log
 * streams. Keyed by the sandbox's store, which request handlers hold.
 */
const settledListeners = new WeakMap<ObjectStore, Set<() => void>>();

/** Calls `fn` after every settled reconcile of the sandbox owning `store`; returns the unsubscribe. */
export function onSettled(store: ObjectStore, fn: () => void): () => void {
  let set = settledListeners.get(store);
  if (!set) settledListeners.set(store, (set = new Set()));
  set.add(fn);
  return () => set.delete(fn);
}

function notifySettled(store: ObjectStore): void {
  for (const fn of [...(settledListeners.get(store) ?? [])]) {
    try {
      fn();
    } catch (e) {
      console.error("settled listener failed", e);
    }
  }
}

/** Passes per reconcile before giving up on settling (a controller that never settles is a bug). */
const MAX_PASSES = 100;

export interface EngineState {
  store: ObjectStore;
  clock: SandboxClock;
  rng: Rng;
}

export interface ReconcileStats {
  passes: number;
  writes: number;
}

export class Engine {
  /** Virtual times (epoch ms) at which some controller wants another pass, ascending. */
  private wakeups: number[] = [];

  constructor(
    private readonly state: EngineState,
    private readonly controllers: Controller[] = CONTROLLERS,
  ) {}

  /** The earliest requested wake-up, if any. */
  nextWakeup(): number | undefined {
    return this.wakeups[0];
  }

  /** Runs passes until no controller writes anything. Call it holding the store's write lock. */
  async reconcile(): Promise<ReconcileStats> {
    const { store, clock, rng } = this.state;
    let writes = 0;
    for (let pass = 1; pass <= MAX_PASSES; pass++) {
      const runtime = new ControllerRuntime(store, clock, rng);
      for (const controller of this.controllers) controller(runtime);
      const changes = runtime.changes;
      if (changes.length === 0) {
        const now = clock.now();
        this.wakeups = [...new Set(runtime.requestedWakeups.filter((t) => t > now))].sort((a, b) => a - b);
        notifySettled(store);
        return { passes: pass, writes };
      }
      await store.commit(changes, { rngState: rng.state, clock: JSON.stringify(clock.snapshot()) });
      writes += changes.length;
    }
    console.error("controllers did not settle");
    return { passes: MAX_PASSES, writes };
  }

  /**
   * Moves virtual time forward by `ms`, stopping at every wake-up on the way so that skipping ahead
   * gives exactly what waiting would. Call it holding the store's write lock.
   */
  async advance(ms: number): Promise<ReconcileStats> {
    const { clock } = this.state;
    const target = clock.now() + ms;
    const total: ReconcileStats = { passes: 0, writes: 0 };
    const add = (s: ReconcileStats) => {
      total.passes += s.passes;
      total.writes += s.writes;
    };
    add(await this.reconcile());
    for (let next = this.nextWakeup(); next !== undefined && next <= target; next = this.nextWakeup()) {
      clock.advanceTo(next);
      add(await this.reconcile());
    }
    clock.advanceTo(target);
    add(await this.reconcile());
    return total;
  }
}
