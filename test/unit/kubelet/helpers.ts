// Shared by the kubelet tests: pods bound to a node, the STATUS column kubectl prints, and the
// sequence of STATUS values a pod goes through as virtual time passes.
import type { Pod } from "kubernetes-types/core/v1";
import { summarizePod } from "../../../worker/resources/printers/pod";
import type { KubeObject } from "../../../worker/resources/types";
import type { TestCluster } from "../../cluster";

export const POD = { apiVersion: "v1", kind: "Pod" };

export function pod(name: string, spec: Record<string, unknown>, node = "k8s-node1"): KubeObject {
  return { ...POD, metadata: { name, namespace: "default" }, spec: { nodeName: node, ...spec } };
}

export function container(name: string, image: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { name, image, ...extra };
}

export function get(cluster: TestCluster, name: string, namespace = "default"): Pod | undefined {
  return cluster.get(POD, namespace, name) as Pod | undefined;
}

/** READY, STATUS and RESTARTS as `kubectl get pods` prints them now. */
export function row(cluster: TestCluster, name: string, namespace = "default"): { ready: string; status: string; restarts: string } {
  const p = get(cluster, name, namespace);
  if (!p) return { ready: "", status: "<gone>", restarts: "" };
  const s = summarizePod(p, cluster.clock.now());
  return { ready: s.ready, status: s.reason, restarts: s.restarts };
}

export function status(cluster: TestCluster, name: string): string {
  return row(cluster, name).status;
}

/** The STATUS after each one-second step, collapsed to the changes: `["ContainerCreating@0", "Running@3"]`. */
export async function statusTimeline(cluster: TestCluster, name: string, seconds: number, step = 1): Promise<string[]> {
  const out: string[] = [];
  let last = "";
  for (let t = 0; t <= seconds; t += step) {
    if (t > 0) await cluster.advance(step);
    const r = row(cluster, name);
    const s = `${r.ready} ${r.status} ${r.restarts.replace(/ \(.*\)$/, "")}`;
    if (s !== last) out.push(`${s}@${t}`);
    last = s;
  }
  return out;
}

/** Within one second, the order the kubelet records them in. */
const ORDER = ["Scheduled", "FailedMount", "Pulling", "Pulled", "Created", "Started", "Failed", "BackOff", "Killing", "Unhealthy"];

/** Events about the pod: "Reason: message" (with xN when aggregated). */
export function podEvents(cluster: TestCluster, name: string): string[] {
  const p = get(cluster, name);
  if (!p) return [];
  return cluster.store
    .list("/events")
    .filter((e) => (e.involvedObject as { uid?: string }).uid === p.metadata?.uid)
    .sort((a, b) => String(a.firstTimestamp).localeCompare(String(b.firstTimestamp)) || ORDER.indexOf(String(a.reason)) - ORDER.indexOf(String(b.reason)))
    .map((e) => `${e.reason}: ${e.message}${(e.count as number) > 1 ? ` (x${e.count})` : ""}`);
}

