// The kubelet's runtime state of one pod, kept as an internal object
// `kubeplay.internal/containers/<namespace>/<pod>`: the sandbox, each container's current instance
// (when it started, when its process exits, its probes), image pulls, restart back-off, the
// writable layer exec and hooks write to, and emptyDir contents. Times are virtual epoch ms.
// A pod the kubelet finds already running (the bootstrap's pods) is adopted from its status
// without a write until something about it changes.
import type { Container, ContainerStatus, Pod } from "kubernetes-types/core/v1";
import type { KubeObject } from "../resources/types";
import type { AccessRecord } from "../runtime/images/web";

export const CONTAINERS = "kubeplay.internal/containers";

export type ProbeKind = "startup" | "liveness" | "readiness";

export interface ProbeState {
  /** Ticks fall at origin + k × period. */
  origin: number;
  /** Last tick whose result was counted (ticks are counted lazily when nothing observable happens). */
  seen: number;
  successes: number;
  failures: number;
  result: "Success" | "Failure" | "Unknown";
  /** Outcome of the last evaluated tick. */
  raw?: { ok: boolean; message: string };
}

export interface Terminated {
  exitCode: number;
  reason: string;
  message?: string;
  signal?: number;
  startedAt: number;
  finishedAt: number;
  containerID: string;
}

export interface Instance {
  id: string;
  /** Canonical image reference and digest reference, as containerd reports them. */
  image: string;
  imageID: string;
  startedAt: number;
  /** The postStart hook holds the pod worker until then. */
  postStartUntil?: number;
  /** When the process exits, and how (decided at start, or by a kill). */
  exit?: { at: number; code: number; reason: string; message?: string };
  /** A kill in progress: SIGTERM (after preStop) and the SIGKILL deadline. */
  stopping?: { since: number; reason: "delete" | "liveness" | "startup" | "postStart"; killAt: number };
  /** Startup passed (or there is no startup probe); when. */
  startedOk?: number;
  /** What its process wrote to volumes has been kept. */
  folded?: boolean;
  /** Adopted already running: its process is taken to be this far (ms) past its own start-up. */
  warm?: number;
  /** Its process calls the network: its exit follows the network's changes (kubelet/network-deps.ts). */
  net?: boolean;
  probes?: Partial<Record<ProbeKind, ProbeState>>;
}

export interface PullState {
  phase: "pulling" | "failed";
  /** Canonical reference being pulled. */
  image: string;
  /** When the kubelet asked for the image, and when the node's puller got to it. */
  requested: number;
  started?: number;
  /** When the pull finishes (or failed). */
  end: number;
  ok: boolean;
  message?: string;
  /** Image pull back-off: seconds, and when it was last bumped. */
  backoff?: number;
  backoffAt?: number;
  /** Next attempt not before. */
  retryAt?: number;
  /** Last time the back-off was reported (events repeat every resync). */
  notedAt?: number;
  /** An earlier attempt failed: the pod still shows ImagePullBackOff while this one runs. */
  failedBefore?: boolean;
  /** It waits on another pod's pull of the same image instead of queueing its own. */
  joined?: boolean;
}

export interface ContainerRuntime {
  name: string;
  init: boolean;
  restartCount: number;
  pull?: PullState;
  current?: Instance;
  last?: Terminated;
  /** Container restart back-off (seconds) and when it was last bumped. */
  backoff?: { seconds: number; at: number };
  /** A reason the container cannot be created right now (CreateContainerConfigError, InvalidImageName, CrashLoopBackOff…). */
  blocked?: { reason: string; message: string; since: number; notedAt?: number };
  /** Files written into the container's own layer (exec, hooks); null = removed. */
  layer?: Record<string, string | null>;
  /**
   * Requests the container answered for commands (curl, wget in kubectl exec or the node shell), for
   * its access log: the newest few, of its current and last instance (kubelet/logs.ts).
   */
  served?: ServedEntry[];
}

/** One request a container instance (`id`) answered, as its access log shows it. */
export interface ServedEntry extends AccessRecord {
  id: string;
  port: number;
}

export interface PodRuntime extends KubeObject {
  /** The pod's uid (a static pod's config hash: it outlives its mirror pod). */
  uid: string;
  node: string;
  admittedAt: number;
  /** When the sandbox (network namespace, IP) is up. */
  sandboxAt?: number;
  ip?: string;
  containers: ContainerRuntime[];
  /** emptyDir contents: volume → path within it → content. */
  volumes?: Record<string, Record<string, string>>;
  /** The event recorder's per-pod token bucket (client-go's spam filter). */
  tokens?: { n: number; at: number };
  /** Volume mount retries. */
  mount?: { failedSince: number; retryAt: number; backoff: number; claim?: boolean };
  /** Deletion under way: since, and the grace deadline. */
  terminating?: { since: number; deadline: number };
  /** The pod reached a terminal phase; its sandbox is gone. */
  finished?: number;
  /** Resync for repeated warning events (back-off states). */
  resyncAt?: number;
}

export function recordName(pod: KubeObject): { namespace: string; name: string } {
  return { namespace: pod.metadata.namespace ?? "default", name: pod.metadata.name ?? "" };
}

/** The identity the kubelet runs a pod under: a static pod's config hash, else the API uid. */
export function podIdentity(pod: KubeObject): string {
  return pod.metadata.annotations?.["kubernetes.io/config.hash"] ?? pod.metadata.uid ?? "";
}

export function newRecord(pod: KubeObject, node: string, now: number): PodRuntime {
  const spec = (pod as Pod).spec;
  const containers = (list: Container[] | undefined, init: boolean) => (list ?? []).map((c) => ({ name: c.name, init, restartCount: 0 }));
  return {
    apiVersion: "kubeplay.internal/v1",
    kind: "PodRuntime",
    metadata: recordName(pod),
    uid: podIdentity(pod),
    node,
    admittedAt: now,
    containers: [...containers(spec?.initContainers, true), ...containers(spec?.containers, false)],
  };
}

/** A container found running is past its start-up: servers listen, first-run initialisation is done. */
const ADOPTED_WARM_MS = 3_600_000;

const time = (s: unknown): number | undefined => (typeof s === "string" && s ? Date.parse(s) : undefined);

function adoptContainer(cs: ContainerStatus | undefined, c: Container, init: boolean, fallback: number): ContainerRuntime {
  const out: ContainerRuntime = { name: c.name, init, restartCount: cs?.restartCount ?? 0 };
  const running = cs?.state?.running;
  const terminated = cs?.state?.terminated;
  const id = (cs?.containerID ?? "").replace(/^\w+:\/\//, "");
  if (running || terminated) {
    const startedAt = time(running?.startedAt ?? terminated?.startedAt) ?? fallback;
    out.current = { id, image: cs?.image ?? c.image ?? "", imageID: cs?.imageID ?? "", startedAt, startedOk: cs?.started || terminated ? startedAt : undefined, warm: ADOPTED_WARM_MS };
    if (terminated) {
      out.current.exit = { at: time(terminated.finishedAt) ?? startedAt, code: terminated.exitCode, reason: terminated.reason ?? (terminated.exitCode ? "Error" : "Completed"), message: terminated.message };
    }
    if (running && cs?.ready) {
      const probes: Partial<Record<ProbeKind, ProbeState>> = {};
      for (const kind of ["readiness", "liveness", "startup"] as const) {
        if (c[`${kind}Probe`]) probes[kind] = { origin: startedAt, seen: startedAt, successes: 1, failures: 0, result: "Success", raw: { ok: true, message: "" } };
      }
      out.current.probes = probes;
    }
  }
  const last = cs?.lastState?.terminated;
  if (last) {
    out.last = {
      exitCode: last.exitCode,
      reason: last.reason ?? "Error",
      message: last.message,
      startedAt: time(last.startedAt) ?? fallback,
      finishedAt: time(last.finishedAt) ?? fallback,
      containerID: (last.containerID ?? "").replace(/^\w+:\/\//, ""),
    };
  }
  return out;
}

/**
 * The state of a pod some earlier kubelet already started (its status says its containers ran);
 * undefined when it never got that far.
 */
export function adoptRecord(pod: KubeObject, node: string, now: number): PodRuntime | undefined {
  const p = pod as Pod;
  const statuses = [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])];
  if (!statuses.some((s) => s.state?.running || s.state?.terminated)) return undefined;
  const start = time(p.status?.startTime) ?? now;
  const rec = newRecord(pod, node, start);
  rec.sandboxAt = start;
  rec.ip = p.status?.podIP;
  const find = (name: string, init: boolean) => (init ? p.status?.initContainerStatuses : p.status?.containerStatuses)?.find((s) => s.name === name);
  const specs = [...(p.spec?.initContainers ?? []), ...(p.spec?.containers ?? [])];
  rec.containers = rec.containers.map((c, i) => adoptContainer(find(c.name, c.init), specs[i], c.init, start));
  return rec;
}
