// Asking a simulated container something over the pod network or by exec, at a given moment:
// an HTTP GET, a TCP connect, a gRPC health check, a command. The answers come from the runtime's
// model of the container's process and from its filesystem, in the prober's wording.
// Models pkg/probe/http/http.go, pkg/probe/tcp/tcp.go, pkg/probe/grpc/grpc.go, pkg/probe/exec/exec.go
import type { Container, Probe } from "kubernetes-types/core/v1";
import type { HttpRequest, HttpResponse, Listener } from "../runtime/types";
import { execIn, fsAt, modelOf } from "./models";
import type { ContainerRuntime } from "./record";
import { containerSpec, hostname, runningAt, specOf, type PodWork } from "./work";

export interface Outcome {
  ok: boolean;
  message: string;
}

function resolvePort(spec: Container | undefined, port: number | string | undefined): number | undefined {
  if (typeof port === "number") return port;
  if (port === undefined) return undefined;
  if (/^\d+$/.test(port)) return Number(port);
  return spec?.ports?.find((p) => p.name === port)?.containerPort;
}

/** The listener accepting on `port` at `t`, if the container runs then. */
export function listenerAt(w: PodWork, c: ContainerRuntime, port: number, t: number): Listener | undefined {
  if (!runningAt(c, t)) return undefined;
  const model = modelOf(w, c);
  const offset = offsetOf(c, t);
  return model?.listeners.find((l) => l.port === port && l.protocol === "TCP" && l.after <= offset);
}

function podIP(w: PodWork): string {
  return specOf(w).hostNetwork ? w.hostIP : (w.rec.ip ?? "");
}

/** GET `path` on `port` of `c` at `t`: the status code, or the client's error text. */
export function httpGet(w: PodWork, c: ContainerRuntime, port: number, path: string, t: number, scheme = "HTTP", host?: string): { status: number; body: string } | { error: string } {
  const addr = host || podIP(w);
  const url = `${scheme.toLowerCase()}://${addr}:${port}${path}`;
  const l = listenerAt(w, c, port, t);
  if (!l) return { error: `Get "${url}": dial tcp ${addr}:${port}: connect: connection refused` };
  if (!l.http) return { error: `Get "${url}": EOF` };
  const res = l.http({ method: "GET", path }, { at: offsetOf(c, t), now: t, fs: fsAt(w, c, t), hostname: hostname(w), podIP: podIP(w), env: {} });
  return { status: res.status, body: res.body };
}

export type Served =
  | { kind: "response"; res: HttpResponse; container: string; listener: Listener }
  /** A listener that speaks no HTTP closes the connection without an answer. */
  | { kind: "empty" }
  | { kind: "refused" };

/**
 * One HTTP exchange with whatever listens on `port` in the pod at `t` (the containers share the
 * pod's network namespace): the answer of the first container accepting there, as its process
 * model serves it from its files at that moment.
 */
export function serveRequest(w: PodWork, port: number, req: HttpRequest, t: number): Served {
  for (const c of w.rec.containers) {
    if (c.init && containerSpec(w, c)?.restartPolicy !== "Always") continue;
    const l = listenerAt(w, c, port, t);
    if (!l) continue;
    if (!l.http) return { kind: "empty" };
    const res = l.http(req, { at: offsetOf(c, t), now: t, fs: fsAt(w, c, t), hostname: hostname(w), podIP: podIP(w), env: {} });
    return { kind: "response", res, container: c.name, listener: l };
  }
  return { kind: "refused" };
}

/** One probe run against `c` at `t`. */
export function evaluateProbe(w: PodWork, c: ContainerRuntime, probe: Probe, t: number): Outcome {
  const spec = containerSpec(w, c);
  const timeout = (probe.timeoutSeconds ?? 1) * 1000;
  if (probe.httpGet) {
    const port = resolvePort(spec, probe.httpGet.port as number | string);
    if (port === undefined) return { ok: false, message: `unable to find port "${String(probe.httpGet.port)}"` };
    const path = probe.httpGet.path || "/";
    const r = httpGet(w, c, port, path.startsWith("/") ? path : `/${path}`, t, probe.httpGet.scheme ?? "HTTP", probe.httpGet.host);
    if ("error" in r) return { ok: false, message: r.error };
    if (r.status >= 200 && r.status < 400) return { ok: true, message: "" };
    return { ok: false, message: `HTTP probe failed with statuscode: ${r.status}` };
  }
  if (probe.tcpSocket) {
    const port = resolvePort(spec, probe.tcpSocket.port as number | string);
    const addr = probe.tcpSocket.host || podIP(w);
    if (port !== undefined && listenerAt(w, c, port, t)) return { ok: true, message: "" };
    return { ok: false, message: `dial tcp ${addr}:${port ?? probe.tcpSocket.port}: connect: connection refused` };
  }
  if (probe.grpc) return grpcCheck(w, c, probe.grpc.port, probe.grpc.service ?? "", t, timeout);
  if (probe.exec) {
    const argv = probe.exec.command ?? [];
    const r = execIn(w, c, argv, t, timeout);
    if (r.duration === Infinity || r.duration > timeout) return { ok: false, message: `command "${argv.join(" ")}" timed out` };
    if (r.code === 0) return { ok: true, message: "" };
    return { ok: false, message: (r.stdout + r.stderr).replace(/\s+$/, "") };
  }
  return { ok: true, message: "" };
}

/** Go's time.Duration text for whole seconds and milliseconds (`1s`, `1.5s`). */
function goSeconds(ms: number): string {
  return `${ms / 1000}s`;
}

// Models pkg/probe/grpc/grpc.go Probe: the client dials with grpc.WithBlock, so a port nobody
// answers and a server that speaks no gRPC (an HTTP/1 server, redis) alike end in the dial's timeout.
function grpcCheck(w: PodWork, c: ContainerRuntime, port: number, service: string, t: number, timeout: number): Outcome {
  const addr = `${podIP(w)}:${port}`;
  const server = listenerAt(w, c, port, t)?.grpc;
  if (!server) return { ok: false, message: `timeout: failed to connect service "${addr}" within ${goSeconds(timeout)}: context deadline exceeded` };
  if (!server.health) return { ok: false, message: "error: this server does not implement the grpc health protocol (grpc.health.v1.Health): unknown service grpc.health.v1.Health" };
  if (!server.health.includes(service)) return { ok: false, message: "error: health rpc probe failed: rpc error: code = NotFound desc = unknown service" };
  if (server.notServingFrom !== undefined && offsetOf(c, t) >= server.notServingFrom) return { ok: false, message: 'service unhealthy (responded with "NOT_SERVING")' };
  return { ok: true, message: "" };
}

/** Offsets after `t` at which what `c` answers may change by itself (listeners opening, files written). */
export function nextChange(w: PodWork, c: ContainerRuntime, t: number): number | undefined {
  const inst = c.current;
  const model = inst && modelOf(w, c);
  if (!inst || !model) return undefined;
  const warm = inst.warm ?? 0;
  const after = offsetOf(c, t);
  let best: number | undefined;
  const consider = (off: number) => {
    if (off > after && (best === undefined || off < best)) best = off;
  };
  for (const l of model.listeners) {
    consider(l.after);
    for (const ch of l.changesAt ?? []) consider(l.after + ch);
  }
  for (const e of model.effects) {
    if (e.at > after) {
      consider(e.at);
      break;
    }
  }
  return best === undefined ? undefined : inst.startedAt + best - warm;
}

/** How far into its run the container's process is at `t`. */
function offsetOf(c: ContainerRuntime, t: number): number {
  return t - c.current!.startedAt + (c.current!.warm ?? 0);
}
