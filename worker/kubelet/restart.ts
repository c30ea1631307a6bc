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
import { podRef, RESYNC_MS, restartPolicy, SYNC_DELAY_MS, wake, type PodWork } from "./work";

const INITIAL_BACKOFF_S = 10;
const MAX_BACKOFF_S = 300;

/** Whether the policy restarts `c` after its current instance ended. */
export function shouldRestart(w: PodWork, c: ContainerRuntime): boolean {
  const exit = c.current?.exit;
  if (!exit) return false;
  const policy = restartPolicy(w);
  if (policy === "Never") return false;
  const killedByProbe = c.current?.stopping && c.current.stopping.reason !== "delete";
  if (c.init) return exit.code !== 0 || !!killedByProbe;
  return policy === "Always" || exit.code !== 0 || !!killedByProbe;
}

export type ExitOutcome = "final" | "backoff" | StartResult;

/** Handles `c`, whose current instance has exited by now. */
export function afterExit(w: PodWork, c: ContainerRuntime): ExitOutcome {
  const inst = c.current!;
  const exit = inst.exit!;
  foldEffects(w, c, inst);
  if (!shouldRestart(w, c)) return "final";
  // The kubelet sees the exit on its next relist, a moment later.
  const seenAt = exit.at + SYNC_DELAY_MS;
  if (w.now < seenAt) {
    wake(w, seenAt);
    return "backoff";
  }
  const b = c.backoff;
  // A back-off whose last bump is older than twice the maximum (the container ran for 10 min) starts over.
  const fresh = !b || exit.at - b.at > 2 * MAX_BACKOFF_S * 1000;
  if (!fresh && w.now - exit.at < b.seconds * 1000) {
    const message = `back-off ${goDuration(b.seconds * 1000)} restarting failed container=${c.name} pod=${podRef(w)}`;
    if (c.blocked?.reason !== "CrashLoopBackOff" || c.blocked.message !== message) c.blocked = { reason: "CrashLoopBackOff", message, since: w.now };
    const held = c.blocked;
    if (held.notedAt === undefined || w.now >= held.notedAt + RESYNC_MS) {
      held.notedAt = w.now;
      record(w, "Warning", "BackOff", `Back-off restarting failed container ${c.name} in pod ${podRef(w)}`, c);
    }
    wake(w, Math.min(exit.at + b.seconds * 1000, held.notedAt + RESYNC_MS));
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
