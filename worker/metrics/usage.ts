// Resource usage as metrics-server reports it. metrics-server scrapes every kubelet every 15 s; a
// kubelet answers with its latest stats (taken a little before the scrape); usage is the CPU used
// between two such points divided by the time between them (the "window"), and the working-set
// memory at the last one. So a container has metrics once two points of it exist — or, when it
// started 10–15 s before a scrape, one point and its start. Here every number is a pure function of
// the cluster's state and the scrape: CPU from the image's idle baseline, the requests it served
// (load.ts) and its own loops, capped at its limit; memory from the process model; a little seeded
// jitter per scrape so readings are not suspiciously flat.
// Models sigs.k8s.io/metrics-server pkg/storage (pod.go Store, node.go, types.go resourceUsage)
import type { Node, Pod } from "kubernetes-types/core/v1";
import type { KubeObject } from "../resources/types";
import { resolveImage } from "../runtime/images";
import { parseQuantity } from "../runtime/units";
import { kubeletStoppedAt } from "../sandbox/machines";
import { ClusterLoad, containerKey, cpuCapMilli } from "./load";
import { signed, unit } from "./noise";
import { cpuProfile, nodeSystemUsage } from "./profiles";
import { podKey, type ClusterView, type RunningContainer } from "./view";

/** metrics-server's --metric-resolution. */
export const RESOLUTION_MS = 15_000;
/** A container younger than this at a scrape gets no point-from-start (metrics-server's freshContainerMinMetricsResolution). */
const FRESH_MIN_MS = 10_000;
/** The kubelet's stats are up to this much older than the scrape that reads them. */
const STATS_LAG_MS = 2_500;
const PAGE = 4096;

export interface ContainerUsage {
  name: string;
  cpuNano: number;
  memoryBytes: number;
}

export interface PodSample {
  pod: KubeObject;
  /** When the stats were taken (the kubelet's timestamp), epoch ms. */
  timestamp: number;
  windowMs: number;
  containers: ContainerUsage[];
}

export interface NodeSample {
  node: KubeObject;
  timestamp: number;
  windowMs: number;
  cpuNano: number;
  memoryBytes: number;
}

/** The kubelet's stats time for scrape `k` of `node`. */
export function statsTime(node: string, k: number): number {
  return k * RESOLUTION_MS - Math.floor(unit(`stats|${node}|${k}`) * STATS_LAG_MS);
}

/**
 * The window a container started at `startedAt` has metrics for at scrape `k`, or undefined.
 * `last` and `prev` are the stats times of scrapes k and k-1.
 */
export function containerWindow(startedAt: number, last: number, prev: number): number | undefined {
  const age = last - startedAt;
  if (startedAt < last && age < RESOLUTION_MS && age >= FRESH_MIN_MS) return age;
  if (startedAt < prev) return last - prev;
  return undefined;
}

function memoryOf(c: RunningContainer): number {
  if (c.model) return c.model.memory;
  const resolved = resolveImage(c.image || c.spec.image || "");
  return resolved.ok ? resolved.image.memoryMi * 2 ** 20 : 2 ** 20;
}

/** Usage of every container and node at one scrape: computed once, read many times, never stored. */
export class MetricsSnapshot {
  /** The latest scrape at or before now. */
  readonly k: number;
  private loadCache: ClusterLoad | undefined;

  constructor(
    private readonly view: ClusterView,
    readonly now: number,
  ) {
    this.k = Math.floor(now / RESOLUTION_MS);
  }

  private get load(): ClusterLoad {
    this.loadCache ??= new ClusterLoad(this.view, { start: (this.k - 1) * RESOLUTION_MS, end: this.k * RESOLUTION_MS }, this.now);
    return this.loadCache;
  }

  private containerUsage(pod: KubeObject, c: RunningContainer): ContainerUsage {
    const key = containerKey(pod, c.name);
    const seed = `${pod.metadata.uid}|${c.name}|${c.startedAt}|${this.k}`;
    const profile = cpuProfile(c.spec);
    const busy = (this.load.served.get(key) ?? 0) * profile.requestMs + (this.load.clientMilli.get(key) ?? 0) + (profile.burnCores ?? 0) * 1000;
    // Idle use only ever dips below the baseline, so an idle pod reads the same whole millicores every scrape.
    const idle = profile.idleMilli * (0.55 + 0.45 * unit(`idle|${seed}`));
    const milli = Math.min(cpuCapMilli(this.view, pod, c.spec), idle + busy * (1 + 0.04 * signed(`busy|${seed}`)));
    const bytes = memoryOf(c) * (1 + 0.01 * signed(`mem|${seed}`));
    return { name: c.name, cpuNano: Math.round(milli * 1e6), memoryBytes: Math.max(PAGE, Math.round(bytes / PAGE) * PAGE) };
  }

  /** What metrics-server answers for `pod`: undefined while it has no metrics (not running, or too new). */
  pod(pod: KubeObject): PodSample | undefined {
    if ((pod as Pod).status?.phase !== "Running") return undefined;
    const node = (pod as Pod).spec?.nodeName ?? "";
    if (!this.nodeScraped(node)) return undefined;
    const containers = this.load.running.get(podKey(pod)) ?? [];
    if (containers.length === 0) return undefined;
    const last = statsTime(node, this.k);
    const prev = statsTime(node, this.k - 1);
    let windowMs: number | undefined;
    for (const c of containers) {
      const w = containerWindow(c.startedAt, last, prev);
      // metrics-server answers for a pod only once it has metrics for every container.
      if (w === undefined) return undefined;
      windowMs ??= w;
    }
    return { pod, timestamp: last, windowMs: windowMs ?? RESOLUTION_MS, containers: containers.map((c) => this.containerUsage(pod, c)) };
  }

  private nodeScraped(name: string): boolean {
    const node = this.view.get("/nodes", "", name);
    if (!node || kubeletStoppedAt(this.view, name) !== undefined) return false;
    const created = Date.parse(node.metadata.creationTimestamp ?? "");
    // Two scrapes of the node are needed before its usage is known.
    return !Number.isFinite(created) || created < statsTime(name, this.k - 1);
  }

  /** What metrics-server answers for `node`: its pods' usage plus the node's own processes. */
  node(node: KubeObject): NodeSample | undefined {
    const name = node.metadata.name ?? "";
    if (!this.nodeScraped(name)) return undefined;
    const controlPlane = Object.hasOwn(node.metadata.labels ?? {}, "node-role.kubernetes.io/control-plane");
    const system = nodeSystemUsage(controlPlane);
    const seed = `${node.metadata.uid}|${this.k}`;
    let milli = system.milli * (1 + 0.15 * signed(`node-cpu|${seed}`));
    let bytes = system.bytes * (1 + 0.01 * signed(`node-mem|${seed}`));
    for (const pod of this.view.list("/pods")) {
      if ((pod as Pod).spec?.nodeName !== name) continue;
      for (const c of this.load.running.get(podKey(pod)) ?? []) {
        const u = this.containerUsage(pod, c);
        milli += u.cpuNano / 1e6;
        bytes += u.memoryBytes;
      }
    }
    const cores = parseQuantity((node as Node).status?.capacity?.cpu) ?? 2;
    const last = statsTime(name, this.k);
    return {
      node,
      timestamp: last,
      windowMs: last - statsTime(name, this.k - 1),
      cpuNano: Math.round(Math.min(milli, cores * 1000) * 1e6),
      memoryBytes: Math.round(bytes / PAGE) * PAGE,
    };
  }
}
