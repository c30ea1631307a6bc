// Lifecycle hooks (postStart, preStop: exec, httpGet, sleep) run inside the container, and keeping
// what containers write: into an emptyDir (the pod's), a hostPath (the node's), a claimed
// PersistentVolume (shared by every pod that mounts it) or the container's own layer.
// Models pkg/kubelet/lifecycle/handlers.go HandlerRunner.Run
import type { LifecycleHandler, Pod } from "kubernetes-types/core/v1";
import type { FsEffect } from "../runtime/types";
import { machineOf, writeNodeFiles } from "./machine";
import { execIn } from "./models";
import { httpGet } from "./probe-eval";
import { volumeContent, writeVolumeContent } from "./pv-content";
import type { ContainerRuntime } from "./record";
import { claimVolume } from "./volumes";
import { containerSpec, podRef, type PodWork } from "./work";

export interface HookResult {
  /** How long it ran, ms. */
  duration: number;
  error?: string;
}

/** Runs a hook at now; what an exec hook writes is kept. */
export function runHook(w: PodWork, c: ContainerRuntime, h: LifecycleHandler, limitMs: number): HookResult {
  if (h.exec) {
    const argv = h.exec.command ?? [];
    const r = execIn(w, c, argv, w.now, limitMs);
    persistEffects(w, c, r.effects.map((e) => ({ ...e, at: 0 })));
    const duration = Math.min(r.duration, limitMs);
    if (r.code === 0) return { duration };
    const cmd = argv.join(" ");
    const error = `Exec lifecycle hook ([${cmd}]) for Container "${c.name}" in Pod "${podRef(w)}" failed - error: command '${cmd}' exited with ${r.code}: ${r.stderr.replace(/\s+$/, "")}, message: "${(r.stdout + r.stderr).replace(/\s+$/, "")}"`;
    return { duration, error };
  }
  if (h.httpGet) {
    const port = typeof h.httpGet.port === "number" ? h.httpGet.port : Number(h.httpGet.port) || containerSpec(w, c)?.ports?.find((p) => p.name === h.httpGet?.port)?.containerPort || 0;
    const path = h.httpGet.path ?? "";
    const r = httpGet(w, c, port, path.startsWith("/") ? path : `/${path}`, w.now, h.httpGet.scheme ?? "HTTP", h.httpGet.host);
    // Only a request that got no answer fails: the handler does not look at the status code.
    if ("error" in r) return { duration: 0, error: `HTTP lifecycle hook (${path}) for Container "${c.name}" in Pod "${podRef(w)}" failed - error: ${r.error}` };
    return { duration: 0 };
  }
  if (h.sleep) return { duration: Math.min((h.sleep.seconds ?? 0) * 1000, limitMs) };
  return { duration: 0 };
}

/** Keeps file changes a container made: volumes outlive it, its own layer lives as long as it does. */
export function persistEffects(w: PodWork, c: ContainerRuntime, effects: FsEffect[]): void {
  if (effects.length === 0) return;
  const spec = containerSpec(w, c);
  const volumes = new Map(((w.pod as Pod).spec?.volumes ?? []).map((v) => [v.name, v]));
  const mounts = [...(spec?.volumeMounts ?? [])].sort((a, b) => b.mountPath.length - a.mountPath.length);
  const nodeWrites: Record<string, string | null> = {};
  const claimWrites = new Map<string, Record<string, string | null>>();
  for (const e of effects) {
    const m = mounts.find((x) => e.path === x.mountPath || e.path.startsWith(`${x.mountPath.replace(/\/$/, "")}/`));
    const v = m && volumes.get(m.name);
    const rel = m ? e.path.slice(m.mountPath.replace(/\/$/, "").length + 1) : e.path;
    if (m && !v) continue;
    if (v?.emptyDir) {
      const files = ((w.rec.volumes ??= {})[v.name] ??= {});
      applyEffect(files, rel, e, (k) => files[k]);
    } else if (v?.hostPath) {
      const path = `${v.hostPath.path.replace(/\/$/, "")}/${rel}`;
      applyEffect(nodeWrites, path, e, (k) => nodeWrites[k] ?? currentNodeFile(w, k));
    } else if (v?.persistentVolumeClaim) {
      let pv: string;
      try {
        pv = claimVolume(w, v.persistentVolumeClaim.claimName, v.name);
      } catch {
        continue;
      }
      const writes = claimWrites.get(pv) ?? {};
      claimWrites.set(pv, writes);
      applyEffect(writes, rel, e, (k) => (k in writes ? writes[k] : volumeContent(w.ctx, pv, w.node)[k]));
    } else if (!v) {
      const layer = (c.layer ??= {});
      applyEffect(layer, rel, e, (k) => layer[k] ?? undefined);
    }
  }
  writeNodeFiles(w.ctx, w.node, nodeWrites);
  for (const [pv, writes] of claimWrites) writeVolumeContent(w.ctx, pv, writes, w.node);
}

function currentNodeFile(w: PodWork, path: string): string | undefined {
  return machineOf(w.ctx, w.node)?.files?.[path] ?? undefined;
}

function applyEffect(target: Record<string, string | null>, key: string, e: FsEffect, read: (k: string) => string | null | undefined): void {
  if (e.op === "remove") target[key] = null;
  else if (e.op === "write") target[key] = e.content ?? "";
  else if (e.op === "append") target[key] = (read(key) ?? "") + (e.content ?? "");
}
