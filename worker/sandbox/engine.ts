// The simulation engine of one sandbox: runs the controllers in passes until nothing changes, keeps
// the virtual times they asked to be woken at, and replays those in order when time moves on.
// Wake-ups are not stored: every settled pass recomputes them from the objects, so after a restart
// the first pass derives what is due from the stored state.
import { CONTROLLERS } from "../controllers";
import { ControllerRuntime } from "../controllers/runtime";
import type { Controller } from "../controllers/types";
import type { ObjectStore } from "../store/object-store";
import type { ClockState, SandboxClock } from "./clock";
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

/**
 * How a long clock advance stays cheap. Its first HEAD_STOPS wake-ups are run in order (work under
 * way when it began — pulls, starts, rollouts — finishes when it would have), and so is its last
 * hour, CATCH_UP_WINDOW_MS, the life of an Event, so what a client sees afterwards (events, recent
 * Jobs, restarts, logs) is what waiting would have made. Wake-ups in between are not visited: the
 * level-triggered controllers catch up on that stretch in one step, the way upstream's catch up
 * after their control plane was down — a CronJob starts only its most recent missed run, TTLs and
 * event expiry delete what is due, and the kubelet counts the crash-loop restarts of the gap
 * instead of making them (kubelet/restart.ts). Past MAX_ADVANCE_STOPS wake-ups an advance goes
 * straight to its end, so whatever the timers it costs at most that many settled reconciles.
 */
export const CATCH_UP_WINDOW_MS = 3600_000;
export const HEAD_STOPS = 200;
export const MAX_ADVANCE_STOPS = 1000;

export interface EngineState {
  store: ObjectStore;
  clock: SandboxClock;
  rng: Rng;
}

export interface ReconcileStats {
  passes: number;
  writes: number;
}

/** What the engine has done since the sandbox loaded (`GET /api/sandboxes/<id>/stats`). */
export interface EngineStats {
  reconciles: number;
  passes: number;
  /** Objects written by controller passes. */
  writes: number;
  /** Wake-ups clock advances stopped at. */
  stops: number;
  /** Virtual ms clock advances crossed in one step (see CATCH_UP_WINDOW_MS). */
  skippedMs: number;
}

export class Engine {
  /** Virtual times (epoch ms) at which some controller wants another pass, ascending. */
  private wakeups: number[] = [];
  readonly stats: EngineStats = { reconciles: 0, passes: 0, writes: 0, stops: 0, skippedMs: 0 };

  constructor(
    private readonly state: EngineState,
    private readonly controllers: Controller[] = CONTROLLERS,
  ) {
    // The generator and the clock are committed with every batch and rolled back with a failed one.
    const { store, clock, rng } = state;
    store.attachState({
      save: () => ({ rngState: rng.state, clock: JSON.stringify(clock.snapshot()) }),
      restore: (row) => {
        rng.reset(row.rngState);
        clock.restore(JSON.parse(row.clock || "{}") as Partial<ClockState>);
      },
    });
  }

  /** The earliest requested wake-up, if any. */
  nextWakeup(): number | undefined {
    return this.wakeups[0];
  }

  /** Runs passes until no controller writes anything. Call it holding the store's write lock. */
  async reconcile(): Promise<ReconcileStats> {
    const { store, clock, rng } = this.state;
    let writes = 0;
    this.stats.reconciles++;
    for (let pass = 1; pass <= MAX_PASSES; pass++) {
      this.stats.passes++;
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
      this.stats.writes += changes.length;
    }
    console.error("controllers did not settle");
    return { passes: MAX_PASSES, writes };
  }

  /**
   * Moves virtual time forward by `ms`, stopping at the wake-ups on the way so that skipping ahead
   * gives what waiting would — within the bounds above (CATCH_UP_WINDOW_MS). Call it holding the
   * store's write lock.
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
    const replayFrom = target - CATCH_UP_WINDOW_MS;
    let stops = 0;
    let skipped = false;
    for (let next = this.nextWakeup(); next !== undefined && next <= target; next = this.nextWakeup()) {
      if (stops >= MAX_ADVANCE_STOPS) {
        this.stats.skippedMs += target - clock.now();
        break;
      }
      if (!skipped && stops >= HEAD_STOPS && next < replayFrom) {
        skipped = true;
        this.stats.skippedMs += replayFrom - clock.now();
        clock.advanceTo(replayFrom);
        add(await this.reconcile());
        continue;
      }
      stops++;
      this.stats.stops++;
      clock.advanceTo(next);
      add(await this.reconcile());
    }
    clock.advanceTo(target);
    add(await this.reconcile());
    return total;
  }
}
