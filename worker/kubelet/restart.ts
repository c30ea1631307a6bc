// What happens after a container exits: whether the restart policy restarts it, and the crash
// back-off before it does — 10 s after the second exit, doubling to 5 minutes, forgotten once the
// container ran for 10 minutes. While backing off the container is waiting in CrashLoopBackOff.
// Models pkg/kubelet/kuberuntime/kuberuntime_manager.go computePodActions/doBackOff and
// staging/src/k8s.io/client-go/util/flowcontrol/backoff.go
import { goDuration } from "../runtime/units";
import { record } from "./events";
import type { ContainerRuntime } from "./record";
import { startContainer, type StartResult } from "./start";
import { foldEffects } from "./termination";
import { nextTokenAt } from "./events";
import { isSidecar, podRef, RESYNC_MS, restartPolicy, SYNC_DELAY_MS, wake, type PodWork } from "./work";

const INITIAL_BACKOFF_S = 10;
const MAX_BACKOFF_S = 300;
/** Crash-loop cycles counted one by one at most (the back-off reaches its cap within six). */
const MAX_STEPPED_CYCLES = 64;

/** Whether the policy restarts `c` after its current instance ended. */
export function shouldRestart(w: PodWork, c: ContainerRuntime): boolean {
  const exit = c.current?.exit;
  if (!exit) return false;
  const killedByProbe = c.current?.stopping && c.current.stopping.reason !== "delete";
  // A sidecar is restarted whatever the pod's policy, until the kubelet stops it.
  if (isSidecar(w, c)) return c.current?.stopping?.reason !== "delete";
  const policy = restartPolicy(w);
  if (policy === "Never") return false;
  if (c.init) return exit.code !== 0 || !!killedByProbe;
  return policy === "Always" || exit.code !== 0 || !!killedByProbe;
}

export type ExitOutcome = "final" | "backoff" | StartResult;

/** Handles `c`, whose current instance has exited by now. */
export function afterExit(w: PodWork, c: ContainerRuntime): ExitOutcome {
  const inst = c.current!;
  let exit = inst.exit!;
  foldEffects(w, c, inst);
  if (!shouldRestart(w, c)) return "final";
  // The kubelet sees the exit on its next relist, a moment later.
  const seenAt = exit.at + SYNC_DELAY_MS;
  if (w.now < seenAt) {
    wake(w, seenAt);
    return "backoff";
  }
  fastForward(w, c);
  exit = inst.exit!;
  const b = c.backoff;
  // A back-off whose last bump is older than twice the maximum (the container ran for 10 min) starts over.
  const fresh = !b || exit.at - b.at > 2 * MAX_BACKOFF_S * 1000;
  if (!fresh && w.now - exit.at < b.seconds * 1000) {
    const message = `back-off ${goDuration(b.seconds * 1000)} restarting failed container=${c.name} pod=${podRef(w)}`;
    if (c.blocked?.reason !== "CrashLoopBackOff" || c.blocked.message !== message) c.blocked = { reason: "CrashLoopBackOff", message, since: w.now };
    const held = c.blocked;
    // The pod worker notes the back-off on every resync (10 s); a note the event filter would drop
    // changes nothing, so the kubelet wakes for the first resync whose note gets through.
    if ((held.notedAt === undefined || w.now >= held.notedAt + RESYNC_MS) && nextTokenAt(w) <= w.now) {
      held.notedAt = w.now;
      record(w, "Warning", "BackOff", `Back-off restarting failed container ${c.name} in pod ${podRef(w)}`, c);
    }
    const base = held.notedAt ?? w.now;
    const nextNote = base + Math.max(1, Math.ceil((nextTokenAt(w) - base) / RESYNC_MS)) * RESYNC_MS;
    wake(w, Math.min(exit.at + b.seconds * 1000, nextNote));
    return "backoff";
  }
  c.backoff = fresh ? { seconds: INITIAL_BACKOFF_S, at: w.now } : { seconds: Math.min(b.seconds * 2, MAX_BACKOFF_S), at: w.now };
  c.last = { exitCode: exit.code, reason: exit.reason, message: exit.message, startedAt: inst.startedAt, finishedAt: exit.at, containerID: inst.id };
  c.restartCount++;
  c.current = undefined;
  c.layer = undefined;
  c.blocked = undefined;
  c.pull = undefined;
  return startContainer(w, c);
}

/**
 * After a long gap (a clock advance crossed in one step, an alarm that came late): the restarts the
 * crash loop made during it are counted, not made one pass each, so the restart count, the back-off
 * and the last instance's times are what a kubelet that ran all along would show. Each run is taken
 * to last as long as the one that just ended (the same spec gives the same process); what those runs
 * would have logged, written or recorded as events is not made up. Leaves the last exit before now
 * for the ordinary path to handle.
 */
function fastForward(w: PodWork, c: ContainerRuntime): void {
  const inst = c.current!;
  const exit = inst.exit!;
  // A process that calls the network may end differently next time; a deleted pod does not restart.
  if (inst.net || inst.stopping?.reason === "delete") return;
  const run = Math.max(0, exit.at - inst.startedAt);
  const resetAfter = 2 * MAX_BACKOFF_S * 1000;
  let b = c.backoff;
  let started = inst.startedAt;
  let ended = exit.at;
  let before: { startedAt: number; finishedAt: number } | undefined;
  let restarts = 0;
  for (let i = 0; i < MAX_STEPPED_CYCLES; i++) {
    const fresh = !b || ended - b.at > resetAfter;
    const restartAt = fresh ? ended + SYNC_DELAY_MS : Math.max(ended + SYNC_DELAY_MS, ended + b!.seconds * 1000);
    // The next run must have ended and been seen by now, or it is the ordinary path's to make.
    if (restartAt + run + SYNC_DELAY_MS > w.now) break;
    const next = fresh ? INITIAL_BACKOFF_S : Math.min(b!.seconds * 2, MAX_BACKOFF_S);
    // From here on every cycle is the same (the back-off at its cap, or forgotten after every long
    // run): the rest of them are counted in one step.
    const period = restartAt + run - ended;
    const steady = b !== undefined && (fresh ? run > resetAfter : b.seconds === MAX_BACKOFF_S);
    const skip = steady && period > 0 ? Math.floor((w.now - SYNC_DELAY_MS - (restartAt + run)) / period) : 0;
    before = { startedAt: started + skip * period, finishedAt: ended + skip * period };
    started = restartAt + skip * period;
    ended = started + run;
    b = { seconds: next, at: started };
    restarts += 1 + skip;
  }
  if (restarts === 0 || !before) return;
  c.restartCount += restarts;
  c.backoff = b;
  c.last = { exitCode: exit.code, reason: exit.reason, message: exit.message, startedAt: before.startedAt, finishedAt: before.finishedAt, containerID: inst.id };
  // The instance now stands for the last run the loop made: its own times move with it.
  const shift = started - inst.startedAt;
  inst.id = w.ctx.rng.chars("0123456789abcdef", 64);
  inst.startedAt = started;
  inst.exit = { ...exit, at: ended };
  if (inst.startedOk !== undefined) inst.startedOk += shift;
  if (inst.postStartUntil !== undefined) inst.postStartUntil += shift;
  if (inst.stopping) inst.stopping = { ...inst.stopping, since: inst.stopping.since + shift, killAt: inst.stopping.killAt + shift };
}
