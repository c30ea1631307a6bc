// The requests in-cluster load loops send a server (the HPA walkthrough's busybox
// `while sleep 0.01; do wget -q -O- http://php-apache; done`), as its access log shows them. Nothing
// is stored per request: the lines come from the schedule, as the probes' do. Each running
// container whose process settled into an endless loop of requests (ProcessModel.traffic) is a
// closed-loop client at the metrics load model's pace (metrics/load.ts: its sleeps, its commands, a
// round trip and the server's CPU per request), its requests spread evenly over the endpoints its
// URL resolves to now (metrics/traffic.ts). Those endpoints count from the moment each became Ready,
// so a server's share drops when a scale-up adds endpoints; a server limited to less CPU than its
// clients want serves what it can. What cannot be told any more is not shown: the requests of a
// client that is gone, and a previous instance's.
import type { Container, Pod } from "kubernetes-types/core/v1";
import type { InstanceView, RequestRun } from "../kubelet/served";
import { modelOf } from "../kubelet/models";
import { containerSpec } from "../kubelet/work";
import { cpuCapMilli } from "../metrics/load";
import { COMMAND_MS, cpuProfile, ROUND_TRIP_MS } from "../metrics/profiles";
import { resolveUrl } from "../metrics/traffic";
import { isRunning, runningContainers } from "../metrics/view";
import type { KubeObject } from "../resources/types";
import { parseUrl } from "./client-env";
import { deliver } from "./deliver";

/** One client loop's requests to this server. */
interface Stream {
  client: string;
  userAgent: string;
  start: number;
  port: number;
  path: string;
  /** Requests per ms it sends the URL (all endpoints together), unsaturated. */
  rate: number;
  /** When each endpoint the requests spread over became Ready. */
  readySince: number[];
}

function readySince(pod: KubeObject): number {
  const p = pod as Pod;
  const ready = p.status?.conditions?.find((c) => c.type === "Ready" && c.status === "True");
  return Date.parse(ready?.lastTransitionTime ?? p.status?.startTime ?? "") || 0;
}

/** The client's User-Agent: curl's when its command runs curl, else BusyBox wget's. */
function agentOf(spec: Container): string {
  const argv = [...(spec.command ?? []), ...(spec.args ?? [])].join(" ");
  if (/\bcurl\b/.test(argv) && !/\bwget\b/.test(argv)) {
    const tag = /curl:(\d+\.\d+(?:\.\d+)?)/.exec(spec.image ?? "")?.[1];
    return `curl/${tag ? (tag.split(".").length === 2 ? `${tag}.0` : tag) : "8.12.1"}`;
  }
  return "Wget";
}

/** The container of `pod` a request to `port` reaches, as far as its spec tells: the one declaring the port, else the first. */
function receiverSpec(pod: KubeObject, port: number): Container {
  const containers = (pod as Pod).spec?.containers ?? [];
  return containers.find((c) => c.ports?.some((p) => p.containerPort === port)) ?? containers[0] ?? { name: "" };
}

function streamsTo(v: InstanceView, ports: Set<number>): Stream[] {
  const view = v.w.ctx;
  const now = v.w.now;
  const me = v.w.pod;
  const myName = me.metadata.name;
  const myNs = me.metadata.namespace ?? "default";
  const requestMs = cpuProfile(containerSpec(v.w, v.c) ?? { name: v.c.name }).requestMs;
  const isMe = (pod: KubeObject) => pod.metadata.name === myName && (pod.metadata.namespace ?? "default") === myNs;
  const out: Stream[] = [];
  for (const pod of view.list("/pods")) {
    if (!isRunning(pod) || (pod as Pod).spec?.hostNetwork) continue;
    const ip = (pod as Pod).status?.podIP;
    if (!ip) continue;
    for (const c of runningContainers(view, pod, now)) {
      for (const loop of c.model?.traffic ?? []) {
        let turnMs = loop.turnMs + loop.commands * COMMAND_MS;
        const hits: { port: number; path: string; perTurn: number; readySince: number[] }[] = [];
        for (const r of loop.requests) {
          const endpoints = resolveUrl(view, pod.metadata.namespace ?? "default", r.url);
          // The server's time per request, averaged over the endpoints (metrics/load.ts does the same).
          const serviceMs = endpoints.reduce((sum, e) => sum + (isMe(e.pod) ? requestMs : cpuProfile(receiverSpec(e.pod, e.port)).requestMs), 0) / Math.max(1, endpoints.length);
          turnMs += r.perTurn * (ROUND_TRIP_MS + serviceMs);
          const mine = endpoints.find((e) => isMe(e.pod) && ports.has(e.port));
          if (!mine) continue;
          hits.push({ port: mine.port, path: parseUrl(r.url)?.path ?? "/", perTurn: r.perTurn, readySince: endpoints.map((e) => readySince(e.pod)) });
        }
        if (turnMs <= 0) continue;
        for (const h of hits) {
          out.push({ client: ip, userAgent: agentOf(c.spec), start: c.startedAt, port: h.port, path: h.path, rate: h.perTurn / turnMs, readySince: h.readySince });
        }
      }
    }
  }
  return out;
}

/** The endless request loops of the cluster's running containers, as runs of requests this instance served. */
export function loopRequests(v: InstanceView, upTo: number): RequestRun[] {
  if (v.rebuilt) return [];
  const listeners = modelOf(v.w, v.c)?.listeners ?? [];
  // When each port starts to accept (an offset into the process, which an adopted one is past).
  const listensAt = new Map<number, number>();
  for (const l of listeners) if (l.http && !listensAt.has(l.port)) listensAt.set(l.port, v.inst.startedAt + Math.max(0, l.after - (v.inst.warm ?? 0)));
  const ports = new Set(listensAt.keys());
  if (ports.size === 0) return [];
  const streams = streamsTo(v, ports);
  if (streams.length === 0) return [];
  const pod = v.w.pod;
  const from = Math.max(v.inst.startedAt, readySince(pod));
  const spec = containerSpec(v.w, v.c) ?? { name: v.c.name };
  const profile = cpuProfile(spec);
  // Requests per ms it can serve within its CPU (metrics/load.ts's capacity).
  const capacity = profile.requestMs > 0 ? Math.max(0, cpuCapMilli(v.w.ctx, pod, spec) - profile.idleMilli) / profile.requestMs / 1000 : Infinity;
  // Stretches in which the same endpoints are Ready and the same clients run.
  const cuts = new Set<number>([from]);
  for (const t of listensAt.values()) cuts.add(t);
  for (const s of streams) {
    cuts.add(s.start);
    for (const t of s.readySince) cuts.add(t);
  }
  const bounds = [...cuts].filter((t) => t >= from && t <= upTo).sort((a, b) => a - b);
  const out: RequestRun[] = [];
  const ip = v.w.rec.ip ?? (pod as Pod).status?.podIP ?? "";
  for (let i = 0; i < bounds.length; i++) {
    const a = bounds[i];
    const b = i + 1 < bounds.length ? bounds[i + 1] : upTo + 1;
    const shares = streams.map((s) => (s.start <= a && listensAt.get(s.port)! <= a ? s.rate / Math.max(1, s.readySince.filter((t) => t <= a).length) : 0));
    const demand = shares.reduce((x, y) => x + y, 0);
    if (demand <= 0) continue;
    const factor = Math.min(1, capacity / demand);
    streams.forEach((s, k) => {
      const rate = shares[k] * factor;
      if (rate <= 0) return;
      const period = 1 / rate;
      // A tick every `period` ms from the stretch's start; runs need whole ms.
      const step = Math.max(1, Math.round(period));
      const count = Math.floor((b - 1 - a) / step) + 1;
      if (count <= 0) return;
      const res = deliver(v.w.ctx, pod, ip, s.port, { method: "GET", path: s.path, headers: { Host: ip, "User-Agent": s.userAgent } }, a, v.w.now);
      if (res.kind !== "response") return;
      const bytes = new TextEncoder().encode(res.body).length;
      out.push({ first: a, period: step, count, port: s.port, key: `loop|${s.client}|${s.path}|${a}`, request: { client: s.client, method: "GET", path: s.path, status: res.status, bytes, userAgent: s.userAgent } });
    });
  }
  return out;
}
