// Who wants to know when a sandbox's clock is set (paused, played, sped up, advanced): the console's
// combined watch streams, which pass the new state on to every open page. The Durable Object calls
// `clockSet` once per change it commits, not per step of an advance.
import type { SandboxClock } from "../sandbox/clock";

const listeners = new WeakMap<SandboxClock, Set<() => void>>();

/** Calls `fn` after each change of `clock`; returns the unsubscribe. */
export function onClockSet(clock: SandboxClock, fn: () => void): () => void {
  let set = listeners.get(clock);
  if (!set) listeners.set(clock, (set = new Set()));
  set.add(fn);
  return () => set.delete(fn);
}

export function clockSet(clock: SandboxClock): void {
  for (const fn of [...(listeners.get(clock) ?? [])]) fn();
}

/** The clock as the console shows it: virtual now (to the millisecond), its pace, and whether it is paused. */
export function clockState(clock: SandboxClock): { now: string; timeScale: number; paused: boolean } {
  return { now: new Date(clock.now()).toISOString(), timeScale: clock.timeScale, paused: clock.paused };
}
