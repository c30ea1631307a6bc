// Shared by the kubelet tests: pods bound to a node, the STATUS column kubectl prints, and the
// sequence of STATUS values a pod goes through as virtual time passes.
import type { Pod } from "kubernetes-types/core/v1";
import { summarizePod } from "../../../worker/resources/printers/pod";
import type { KubeObject } from "../../../worker/resources/types";
import { expect } from "vitest";
import { ControllerRuntime } from "../../../worker/controllers/runtime";
import type { Runner } from "../../../worker/kubelet/exec";
import { ExecSession, type SessionEnd } from "../../../worker/kubelet/exec-session";
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

/** Runs an exec session's steps as the API does: each step's changes committed, then the cluster settled. */
export function runner(cluster: TestCluster): Runner {
  return async (step) => {
    const rt = new ControllerRuntime(cluster.store, cluster.clock, cluster.rng);
    const r = step(rt);
    if (rt.changes.length) {
      await cluster.store.commit(rt.changes);
      await cluster.settle();
    }
    return r;
  };
}

export interface Run {
  out: string;
  err: string;
  end?: SessionEnd;
  session: ExecSession;
}

/** Execs `command` in a pod's container (default `c`), feeding `stdin` if it is text. */
export async function exec(cluster: TestCluster, podName: string, command: string[], opts: { container?: string; stdin?: string | boolean; tty?: boolean } = {}): Promise<Run> {
  const r: Partial<Run> = { out: "", err: "" };
  const io = { write: (s: "stdout" | "stderr", t: string) => (s === "stdout" ? (r.out += t) : (r.err += t)), end: (e: SessionEnd) => (r.end = e) };
  const target = { namespace: "default", pod: podName, container: opts.container ?? "c" };
  r.session = new ExecSession({ target, command, stdin: opts.stdin !== undefined && opts.stdin !== false, tty: !!opts.tty }, runner(cluster), io);
  await r.session.start();
  if (typeof opts.stdin === "string") {
    await r.session.input(opts.stdin);
    await r.session.endInput();
  }
  return r as Run;
}

/** Creates a pod and checks it is Running 10 s on. */
export async function running(cluster: TestCluster, name: string, spec: Record<string, unknown>) {
  await cluster.apply(pod(name, spec));
  await cluster.advance(10);
  expect(row(cluster, name).status).toBe("Running");
}
