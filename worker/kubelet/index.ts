// The kubelets of every node, as one controller: for each node whose kubelet runs, its static
// pods, then every pod bound to it (pod-worker.ts), then forgetting the runtime state of pods that
// are gone. The pod lifecycle lives here (sandbox, pulls, volumes, init containers, hooks, probes,
// restarts, termination, static pods); logs (logs.ts) and exec/attach (exec.ts, exec-session.ts)
// are served from the same runtime state on request.
import type { Pod } from "kubernetes-types/core/v1";
import type { Controller, ControllerContext } from "../controllers/types";
import type { KubeObject } from "../resources/types";
import { kubeletRunning } from "./machine";
import { observeNetwork, type NetworkState } from "./network-deps";
import { syncPod } from "./pod-worker";
import { CONTAINERS, podIdentity, type PodRuntime } from "./record";
import { isMirrorPod, syncStaticPods } from "./static-pods";

/**
 * A pod whose object and runtime state are the very objects of the last pass, with nothing due
 * before its next wake-up, needs no work: its wake-ups are asked for again as they were. A pod
 * running a process that calls the network also depends on the network's generation.
 */
const idle = new WeakMap<KubeObject, { rec: PodRuntime | undefined; wakes: number[]; until: number; gen?: number }>();

function networked(rec: PodRuntime | undefined, now: number): boolean {
  return !!rec?.containers.some((c) => c.current?.net && !(c.current.exit && c.current.exit.at <= now));
}

function syncIfDue(ctx: ControllerContext, pod: KubeObject, node: KubeObject, net: NetworkState): void {
  const rec = ctx.get(CONTAINERS, pod.metadata.namespace ?? "", pod.metadata.name ?? "") as PodRuntime | undefined;
  const memo = idle.get(pod);
  // A pod waiting for its claim depends on another object (the claim), so it is looked at on every pass.
  if (memo && memo.rec === rec && ctx.now() < memo.until && !rec?.mount?.claim && (memo.gen === undefined || memo.gen === net.gen)) {
    for (const t of memo.wakes) ctx.requeueAt(t);
    return;
  }
  const wakes = syncPod(ctx, pod, node);
  for (const t of wakes) ctx.requeueAt(t);
  // Only a pass that changed nothing about the pod may be replayed.
  if (ctx.get("/pods", pod.metadata.namespace ?? "", pod.metadata.name ?? "") === pod && ctx.get(CONTAINERS, pod.metadata.namespace ?? "", pod.metadata.name ?? "") === rec) {
    idle.set(pod, { rec, wakes, until: Math.min(...wakes.filter((t) => t > ctx.now()), Infinity), gen: networked(rec, ctx.now()) ? net.gen : undefined });
  }
}

export const kubeletController: Controller = (ctx) => {
  const nodes = new Map<string, KubeObject>();
  const staticHashes = new Set<string>();
  const net = observeNetwork(ctx);
  for (const node of ctx.list("/nodes")) {
    const name = node.metadata.name ?? "";
    if (!kubeletRunning(ctx, name)) continue;
    nodes.set(name, node);
    for (const h of syncStaticPods(ctx, node)) staticHashes.add(h);
  }
  for (const pod of ctx.list("/pods")) {
    const p = pod as unknown as Pod;
    const node = nodes.get(p.spec?.nodeName ?? "");
    if (!node) continue;
    // A mirror pod being deleted is replaced by the static pod sync; its static pod runs on.
    if (isMirrorPod(pod) && pod.metadata.deletionTimestamp) continue;
    const phase = p.status?.phase;
    if ((phase === "Succeeded" || phase === "Failed") && !pod.metadata.deletionTimestamp) continue;
    syncIfDue(ctx, pod, node, net);
  }
  for (const rec of ctx.list(CONTAINERS) as PodRuntime[]) {
    if (!nodes.has(rec.node)) continue;
    const pod = ctx.get("/pods", rec.metadata.namespace ?? "", rec.metadata.name ?? "");
    if (pod && podIdentity(pod) === rec.uid) continue;
    if (staticHashes.has(rec.uid)) continue;
    ctx.emit({ type: "delete", resource: CONTAINERS, object: rec });
  }
};
