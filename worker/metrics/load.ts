// The request load in the cluster during one metrics window. Every container that runs an endless
// loop sending requests is a closed-loop client: a turn takes its own sleeps, its commands' CPU and,
// per request, a round trip plus the server's CPU time for it. That gives each client a request rate,
// spread evenly over the endpoints its URL resolves to (traffic.ts). A server container cannot use
// more CPU than its limit (or its node): past that it serves what it can, and its clients slow down.
// Worked numbers (the HPA walkthrough): `while sleep 0.01; do wget …; done` against php-apache (25 ms
// per request) turns in 10 + 2×0.5 + 1 + 25 = 37 ms, 27 requests/s, 676m of CPU wanted; one pod
// limited to 500m serves 20 requests/s, seven pods serve all 27 at about 97m each.
import type { Container, Pod } from "kubernetes-types/core/v1";
import type { KubeObject } from "../resources/types";
import type { LoopTraffic } from "../runtime/types";
import { parseQuantity } from "../runtime/units";
import { COMMAND_MS, cpuProfile, ROUND_TRIP_MS } from "./profiles";
import { resolveUrl } from "./traffic";
import { isRunning, podKey, runningContainers, type ClusterView, type RunningContainer } from "./view";

/** The window a scrape reports on, epoch ms. */
export interface Window {
  start: number;
  end: number;
}

/** A container key: `<namespace>/<pod>/<container>`. */
export const containerKey = (pod: KubeObject, container: string): string => `${podKey(pod)}/${container}`;

export interface Load {
  /** Requests per second each server container serves. */
  served: Map<string, number>;
  /** Millicores each client container's loops use. */
  clientMilli: Map<string, number>;
}

/** The most CPU a container can use, millicores: its limit, or its node's cores. */
export function cpuCapMilli(view: ClusterView, pod: KubeObject, container: Container): number {
  const limit = parseQuantity((container.resources?.limits as Record<string, unknown> | undefined)?.cpu);
  const node = view.get("/nodes", "", (pod as Pod).spec?.nodeName ?? "");
  const cores = parseQuantity((node?.status as { capacity?: Record<string, unknown> } | undefined)?.capacity?.cpu) ?? 2;
  return Math.min(limit !== undefined && limit > 0 ? limit * 1000 : Infinity, cores * 1000);
}

/** The container of `pod` a request to `port` reaches: the one listening there, else the first. */
function receiver(containers: RunningContainer[], port: number): RunningContainer | undefined {
  return (
    containers.find((c) => c.model?.listeners.some((l) => l.port === port)) ??
    containers.find((c) => c.spec.ports?.some((p) => p.containerPort === port)) ??
    containers[0]
  );
}

interface Stream {
  client: string;
  turnsPerSec: number;
  commandsMs: number;
  /** Of the client's loop that ran during the window. */
  fraction: number;
  targets: { key: string; perTurn: number; share: number }[];
}

/** Everything running, by pod, computed once for a window. */
export class ClusterLoad implements Load {
  readonly served = new Map<string, number>();
  readonly clientMilli = new Map<string, number>();
  /** Running containers of every running pod, by pod key. */
  readonly running = new Map<string, RunningContainer[]>();
  private readonly servers = new Map<string, { pod: KubeObject; container: RunningContainer }>();

  constructor(
    private readonly view: ClusterView,
    readonly window: Window,
    now: number,
  ) {
    for (const pod of view.list("/pods")) {
      if (isRunning(pod)) this.running.set(podKey(pod), runningContainers(view, pod, now));
    }
    this.compute();
  }

  private containersOf(pod: KubeObject): RunningContainer[] {
    return this.running.get(podKey(pod)) ?? [];
  }

  private compute(): void {
    const streams: Stream[] = [];
    for (const pod of this.view.list("/pods")) {
      for (const c of this.containersOf(pod)) {
        for (const loop of c.model?.traffic ?? []) streams.push(this.stream(pod, c, loop));
      }
    }
    // Demand on each server, then what it can serve.
    const demand = new Map<string, number>();
    for (const s of streams) for (const t of s.targets) demand.set(t.key, (demand.get(t.key) ?? 0) + s.turnsPerSec * t.perTurn * t.share);
    const factor = new Map<string, number>();
    for (const [key, wanted] of demand) {
      const server = this.servers.get(key)!;
      const profile = cpuProfile(server.container.spec);
      const capacity = profile.requestMs > 0 ? Math.max(0, cpuCapMilli(this.view, server.pod, server.container.spec) - profile.idleMilli) / profile.requestMs : Infinity;
      factor.set(key, wanted > capacity ? capacity / wanted : 1);
    }
    for (const s of streams) {
      // A client waits on its slowest answers: its turns slow down by the servers' saturation.
      const weights = s.targets.reduce((sum, t) => sum + t.share * t.perTurn, 0);
      const slow = weights > 0 ? s.targets.reduce((sum, t) => sum + t.share * t.perTurn * (factor.get(t.key) ?? 1), 0) / weights : 1;
      const turns = s.turnsPerSec * slow * s.fraction;
      this.clientMilli.set(s.client, (this.clientMilli.get(s.client) ?? 0) + turns * s.commandsMs);
      for (const t of s.targets) this.served.set(t.key, (this.served.get(t.key) ?? 0) + turns * t.perTurn * t.share);
    }
  }

  private stream(pod: KubeObject, c: RunningContainer, loop: LoopTraffic): Stream {
    const namespace = pod.metadata.namespace ?? "default";
    const commandsMs = loop.commands * COMMAND_MS;
    let turnMs = loop.turnMs + commandsMs;
    const targets: Stream["targets"] = [];
    for (const r of loop.requests) {
      const endpoints = resolveUrl(this.view, namespace, r.url);
      let serviceMs = 0;
      for (const e of endpoints) {
        const receiving = receiver(this.containersOf(e.pod), e.port);
        if (!receiving) continue;
        const key = containerKey(e.pod, receiving.name);
        this.servers.set(key, { pod: e.pod, container: receiving });
        targets.push({ key, perTurn: r.perTurn, share: 1 / endpoints.length });
        serviceMs += cpuProfile(receiving.spec).requestMs / endpoints.length;
      }
      turnMs += r.perTurn * (ROUND_TRIP_MS + serviceMs);
    }
    const span = this.window.end - this.window.start;
    const fraction = span > 0 ? Math.min(1, Math.max(0, (this.window.end - c.startedAt) / span)) : 1;
    return { client: containerKey(pod, c.name), turnsPerSec: turnMs > 0 ? 1000 / turnMs : 0, commandsMs, fraction, targets };
  }
}
