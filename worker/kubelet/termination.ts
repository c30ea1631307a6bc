// Stopping containers and pods: preStop, then SIGTERM, then SIGKILL at the end of the grace
// period (never less than 2 s after SIGTERM). A deleted pod shows Terminating until every
// container has stopped; then the kubelet reports the terminal phase and removes the pod.
// Models pkg/kubelet/kuberuntime/kuberuntime_container.go killContainer and
// pkg/kubelet/kubelet.go SyncTerminatingPod / SyncTerminatedPod
import type { Pod } from "kubernetes-types/core/v1";
import { POD_TYPE } from "../controllers/workload-helpers";
import { record } from "./events";
import { persistEffects, runHook } from "./hooks";
import { effectsSource, modelOf } from "./models";
import { CONTAINERS, type ContainerRuntime, type Instance } from "./record";
import { containerSpec, graceSeconds, isSidecar, runningAt, wake, type PodWork } from "./work";

const MIN_GRACE_MS = 2000;

/** Keeps what an instance's process wrote to volumes up to its end. */
export function foldEffects(w: PodWork, c: ContainerRuntime, inst: Instance): void {
  if (inst.folded) return;
  inst.folded = true;
  const end = (inst.exit?.at ?? w.now) - inst.startedAt;
  const effects = effectsSource(w)(c).filter((e) => e.at <= end);
  // The container's own layer dies with it; only volume writes are kept.
  const layer = c.layer;
  persistEffects(w, c, effects);
  c.layer = layer;
}

/**
 * Sends `c` on its way out now: preStop, SIGTERM, SIGKILL at the deadline. `graceMs` defaults to
 * the pod's terminationGracePeriodSeconds.
 */
export function stopContainer(w: PodWork, c: ContainerRuntime, reason: "delete" | "liveness" | "startup" | "postStart", graceMs?: number): void {
  const inst = c.current;
  if (!inst || inst.stopping || (inst.exit && inst.exit.at <= w.now)) return;
  const grace = graceMs ?? graceSeconds(w) * 1000;
  let preStop = 0;
  const hook = containerSpec(w, c)?.lifecycle?.preStop;
  if (hook && runningAt(c, w.now)) {
    const r = runHook(w, c, hook, grace);
    preStop = r.duration;
    if (r.error) record(w, "Warning", "FailedPreStopHook", r.error, c);
  }
  const sigterm = w.now + Math.min(preStop, grace);
  const killAt = sigterm + Math.max(MIN_GRACE_MS, grace - (sigterm - w.now));
  const term = modelOf(w, c)?.term ?? null;
  let exit = { at: killAt, code: 137, reason: "Error" };
  if (term && sigterm + term.after <= killAt) exit = { at: sigterm + term.after, code: term.code, reason: term.code === 0 ? "Completed" : "Error" };
  // A process that ends by itself first is not killed.
  if (!inst.exit || inst.exit.at > exit.at) inst.exit = exit;
  inst.stopping = { since: w.now, reason, killAt };
  wake(w, inst.exit.at);
}

/** Stops `c` for the pod's deletion, if it runs and is not stopping already. */
function stopNow(w: PodWork, c: ContainerRuntime): void {
  if (!c.current || !runningAt(c, w.now) || c.current.stopping) return;
  record(w, "Normal", "Killing", `Stopping container ${c.name}`, c);
  stopContainer(w, c, "delete", Math.max(0, w.rec.terminating!.deadline - w.now));
}

/** Whether `c` has nothing left running. */
function stopped(w: PodWork, c: ContainerRuntime): boolean {
  return !c.current || (!!c.current.exit && c.current.exit.at <= w.now);
}

/**
 * A deleted pod: stops every container, then (once all are down) lets the status show the end and
 * removes the pod. Returns true when the pod is gone.
 */
export function terminatePod(w: PodWork): boolean {
  const pod = w.pod as Pod;
  if (!w.rec.terminating) {
    const grace = pod.metadata?.deletionGracePeriodSeconds ?? graceSeconds(w);
    w.rec.terminating = { since: w.now, deadline: w.now + grace * 1000 };
    for (const c of w.rec.containers) {
      // Nothing still being pulled gets created now.
      c.pull = undefined;
      if (!isSidecar(w, c)) stopNow(w, c);
    }
  }
  // Sidecars go after the containers, the last one first, each in the grace period that is left.
  if (w.rec.containers.every((c) => isSidecar(w, c) || stopped(w, c))) {
    for (const c of w.rec.containers.filter((x) => isSidecar(w, x)).reverse()) {
      if (stopped(w, c)) continue;
      stopNow(w, c);
      break;
    }
  }
  const pending = w.rec.containers.filter((c) => !stopped(w, c));
  if (pending.length) {
    for (const c of pending) wake(w, c.current?.exit?.at);
    return false;
  }
  for (const c of w.rec.containers) if (c.current) foldEffects(w, c, c.current);
  w.rec.finished ??= w.now;
  return true;
}

/** Removes the pod from the API (grace 0) and forgets its runtime state. */
export function removePod(w: PodWork): void {
  w.ctx.delete(POD_TYPE, w.pod, { gracePeriodSeconds: 0, propagationPolicy: "Background" });
  w.ctx.emit({ type: "delete", resource: CONTAINERS, object: w.rec });
}
