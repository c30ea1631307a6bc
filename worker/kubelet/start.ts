// Creating and starting one container: its environment (a missing ConfigMap or Secret key holds it
// back), its image, the Created/Started events, the process the runtime predicts, the postStart
// hook (which holds the pod worker until it returns), and its probes.
// Models pkg/kubelet/kuberuntime/kuberuntime_container.go startContainer
import { record } from "./events";
import { ConfigError, containerEnv } from "./env";
import { runHook } from "./hooks";
import { ensureImage } from "./image-pull";
import { followNetwork, modelOf, usesNetwork } from "./models";
import { initProbes } from "./probes";
import type { ContainerRuntime, Instance } from "./record";
import { stopContainer } from "./termination";
import { containerSpec, graceSeconds, RESYNC_MS, wake, type PodWork } from "./work";

/** Container ids as containerd prints them: 64 hex digits. */
function containerId(w: PodWork): string {
  return w.ctx.rng.chars("0123456789abcdef", 64);
}

export function exitReason(code: number, reason?: string): string {
  return reason ?? (code === 0 ? "Completed" : "Error");
}

/** Holds a container back for a reason the pod worker retries every resync (with a warning each time). */
function holdBack(w: PodWork, c: ContainerRuntime, reason: string, message: string): void {
  const b = c.blocked;
  if (b?.reason !== reason || b.message !== message) c.blocked = { reason, message, since: w.now };
  const held = c.blocked!;
  if (held.notedAt === undefined || w.now >= held.notedAt + RESYNC_MS) {
    held.notedAt = w.now;
    record(w, "Warning", "Failed", `Error: ${message}`, c);
  }
  wake(w, held.notedAt + RESYNC_MS);
}

export type StartResult = "started" | "waiting" | "pulling";

/**
 * For a running container whose process calls the network: its model, simulated again when the
 * network changed what its calls get, and its exit decided again from it. An exit that a model
 * rebuilt after a restart places in the past happens now: what was observed stays.
 */
export function followNetworkExit(w: PodWork, c: ContainerRuntime): void {
  const inst = c.current;
  if (!inst?.net || inst.stopping || (inst.exit && inst.exit.at <= w.now)) return;
  const model = followNetwork(w, c);
  const e = model?.exit;
  if (!model || e?.reason === "StartError") return;
  const exit = e ? { at: Math.max(w.now, inst.startedAt + e.at), code: e.code, reason: exitReason(e.code, e.reason), ...(e.message !== undefined ? { message: e.message } : {}) } : undefined;
  if (JSON.stringify(exit) === JSON.stringify(inst.exit)) return;
  if (exit) inst.exit = exit;
  else delete inst.exit;
  wake(w, inst.exit?.at);
}

/** Tries to create and start `c` now. */
export function startContainer(w: PodWork, c: ContainerRuntime): StartResult {
  const spec = containerSpec(w, c);
  if (!spec) return "waiting";
  let env: Record<string, string>;
  try {
    env = containerEnv(w, spec);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    holdBack(w, c, "CreateContainerConfigError", e.message);
    return "waiting";
  }
  const image = ensureImage(w, c, spec);
  if (!image) return c.pull?.phase === "pulling" ? "pulling" : "waiting";
  c.blocked = undefined;
  const inst: Instance = { id: containerId(w), image: image.image, imageID: image.imageID, startedAt: w.now };
  c.current = inst;
  record(w, "Normal", "Created", `Created container ${c.name}`, c);
  const model = modelOf(w, c, env)!;
  if (model.exit?.reason === "StartError") {
    record(w, "Warning", "Failed", `Error: ${model.exit.message}`, c);
    inst.exit = { at: w.now, code: model.exit.code, reason: "StartError", message: model.exit.message };
    inst.startedOk = undefined;
    return "started";
  }
  record(w, "Normal", "Started", `Started container ${c.name}`, c);
  if (model.exit) inst.exit = { at: w.now + model.exit.at, code: model.exit.code, reason: exitReason(model.exit.code, model.exit.reason), message: model.exit.message };
  if (usesNetwork(w, c)) inst.net = true;
  const postStart = spec.lifecycle?.postStart;
  if (postStart) {
    const r = runHook(w, c, postStart, graceSeconds(w) * 1000);
    inst.postStartUntil = w.now + r.duration;
    if (r.error) {
      record(w, "Warning", "FailedPostStartHook", r.error, c);
      record(w, "Normal", "Killing", "FailedPostStartHook", c);
      stopContainer(w, c, "postStart");
    }
  }
  initProbes(w, c, inst);
  wake(w, inst.postStartUntil);
  wake(w, inst.exit?.at);
  return "started";
}
