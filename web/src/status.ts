// What kubectl shows for an object's state, computed the same way, and the colour class the views use.
import type { Node, Pod } from "kubernetes-types/core/v1";

export type Tone = "ok" | "progress" | "bad" | "done" | "ending";

// Models kubectl's printPod (pkg/printers/internalversion/printers.go): the reason of the last
// waiting or terminated container wins over the phase, and a pod being deleted is Terminating.
export function podStatus(pod: Pod): string {
  const status = pod.status ?? {};
  let reason = status.reason ?? status.phase ?? "Pending";
  const init = status.initContainerStatuses ?? [];
  for (const [i, c] of init.entries()) {
    if (c.state?.terminated?.exitCode === 0) continue;
    if (c.state?.terminated) reason = `Init:${c.state.terminated.reason || `ExitCode:${c.state.terminated.exitCode}`}`;
    else if (c.state?.waiting?.reason && c.state.waiting.reason !== "PodInitializing") reason = `Init:${c.state.waiting.reason}`;
    else reason = `Init:${i}/${pod.spec?.initContainers?.length ?? init.length}`;
    return pod.metadata?.deletionTimestamp ? "Terminating" : reason;
  }
  let running = false;
  for (const c of [...(status.containerStatuses ?? [])].reverse()) {
    if (c.state?.waiting?.reason) reason = c.state.waiting.reason;
    else if (c.state?.terminated) reason = c.state.terminated.reason || (c.state.terminated.signal ? `Signal:${c.state.terminated.signal}` : `ExitCode:${c.state.terminated.exitCode}`);
    else if (c.ready && c.state?.running) running = true;
  }
  if (reason === "Completed" && running) reason = podReady(pod) ? "Running" : "NotReady";
  if (pod.metadata?.deletionTimestamp) return status.reason === "NodeLost" ? "Unknown" : "Terminating";
  return reason;
}

export function podReady(pod: Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
}

export function readyCount(pod: Pod): string {
  const cs = pod.status?.containerStatuses ?? [];
  return `${cs.filter((c) => c.ready).length}/${pod.spec?.containers.length ?? cs.length}`;
}

export function restarts(pod: Pod): number {
  return (pod.status?.containerStatuses ?? []).reduce((n, c) => n + (c.restartCount ?? 0), 0);
}

export function podTone(pod: Pod): Tone {
  const s = podStatus(pod);
  if (s === "Terminating") return "ending";
  if (s === "Completed" || s === "Succeeded") return "done";
  if (s === "Running") return podReady(pod) ? "ok" : "progress";
  if (/Err|BackOff|Error|Failed|OOMKilled|Invalid|Evicted|Unknown|ExitCode|Signal/.test(s)) return "bad";
  return "progress";
}

export function nodeReady(node: Node): string {
  const ready = node.status?.conditions?.find((c) => c.type === "Ready");
  const base = ready?.status === "True" ? "Ready" : ready?.status === "Unknown" ? "NotReady" : ready ? "NotReady" : "Unknown";
  return node.spec?.unschedulable ? `${base},SchedulingDisabled` : base;
}

export function nodeRoles(node: Node): string {
  const roles = Object.keys(node.metadata?.labels ?? {})
    .filter((l) => l.startsWith("node-role.kubernetes.io/"))
    .map((l) => l.slice("node-role.kubernetes.io/".length));
  return roles.length ? roles.join(",") : "<none>";
}

// Models kubectl's duration.HumanDuration: the AGE column.
export function age(from: string | undefined, nowMs: number): string {
  if (!from) return "<unknown>";
  const s = Math.floor((nowMs - Date.parse(from)) / 1000);
  if (s < -1) return "<invalid>";
  if (s < 0) return "0s";
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  if (m < 180) return `${m}m`;
  const hr = Math.floor(m / 60);
  if (hr < 8) return m % 60 === 0 ? `${hr}h` : `${hr}h${m % 60}m`;
  if (hr < 48) return `${hr}h`;
  const d = Math.floor(hr / 24);
  if (d < 8) return hr % 24 === 0 ? `${d}d` : `${d}d${hr % 24}h`;
  if (d < 365 * 2) return `${d}d`;
  return `${Math.floor(d / 365)}y`;
}

/** A virtual time, as the page shows it: `2026-11-23 03:56:52`. */
export function clockText(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace("T", " ");
}
