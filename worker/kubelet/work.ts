// One pod worker's view for one pass: the pod, its runtime record, the node, virtual now, and the
// wake-ups its state asks for. Every kubelet module takes it first.
import type { Container, Pod, PodSpec } from "kubernetes-types/core/v1";
import type { ControllerContext } from "../controllers/types";
import type { KubeObject } from "../resources/types";
import type { ContainerRuntime, PodRuntime } from "./record";

export interface PodWork {
  ctx: ControllerContext;
  now: number;
  pod: KubeObject;
  rec: PodRuntime;
  /** Node name and its InternalIP. */
  node: string;
  hostIP: string;
  /** Times at which something observable happens next. */
  wakes: number[];
  /** Rebuilding a running container's inputs: what went missing since its start is skipped, not an error. */
  lenient?: boolean;
}

/** The "sync" delay: the kubelet notices a container event about a second later (PLEG relist). */
export const SYNC_DELAY_MS = 1000;
/** How long creating the sandbox (network namespace, IP) takes. */
export const SANDBOX_MS = 1000;
/** The pod worker's retry period while a container is held back (back-off, config errors). */
export const RESYNC_MS = 10_000;

export function specOf(w: PodWork): PodSpec {
  return ((w.pod as Pod).spec ?? { containers: [] }) as PodSpec;
}

export function containerSpec(w: PodWork, c: ContainerRuntime): Container | undefined {
  const s = specOf(w);
  // A loop, not find(): the pod worker asks this many times per pod and pass.
  for (const x of (c.init ? s.initContainers : s.containers) ?? []) if (x.name === c.name) return x;
  return undefined;
}

/** A restartable init container (`restartPolicy: Always`): a sidecar that runs beside the containers. */
export function isSidecar(w: PodWork, c: ContainerRuntime): boolean {
  return c.init === true && containerSpec(w, c)?.restartPolicy === "Always";
}

export function podRef(w: PodWork): string {
  return `${w.pod.metadata.name}_${w.pod.metadata.namespace}(${w.pod.metadata.uid})`;
}

export function wake(w: PodWork, at: number | undefined): void {
  if (at !== undefined && Number.isFinite(at) && at > w.now) w.wakes.push(at);
}

export function restartPolicy(w: PodWork): "Always" | "OnFailure" | "Never" {
  return (specOf(w).restartPolicy as "Always" | "OnFailure" | "Never" | undefined) ?? "Always";
}

export function hostname(w: PodWork): string {
  return specOf(w).hostname ?? w.pod.metadata.name ?? "";
}

export function isHostNetwork(w: PodWork): boolean {
  return specOf(w).hostNetwork === true;
}

export function graceSeconds(w: PodWork): number {
  return specOf(w).terminationGracePeriodSeconds ?? 30;
}

/** Whether a container of the pod is running at `t` (started, not yet exited). */
export function runningAt(c: ContainerRuntime, t: number): boolean {
  const i = c.current;
  return !!i && i.startedAt <= t && (!i.exit || i.exit.at > t);
}

export function exitedAt(c: ContainerRuntime, t: number): boolean {
  const i = c.current;
  return !!i?.exit && i.exit.at <= t;
}

export type { KubeObject };
