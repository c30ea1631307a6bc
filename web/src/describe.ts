// A describe-like view: the fields `kubectl describe` leads with, as aligned text, then the object's
// events. Computed from the page's cache, so it follows the object live.
import type { Container, ContainerStatus, Event as CoreV1Event, Node, PersistentVolumeClaim, Pod, Service } from "kubernetes-types/core/v1";
import type { Deployment } from "kubernetes-types/apps/v1";
import type { KubeObject } from "./api";
import { eventTime } from "./view";
import { age, nodeReady, podStatus, restarts } from "./status";

type Line = [label: string, value: string] | string;

function block(lines: Line[], indent = ""): string {
  const width = Math.max(0, ...lines.map((l) => (typeof l === "string" ? 0 : l[0].length + 1)));
  return lines.map((l) => (typeof l === "string" ? `${indent}${l}` : `${indent}${`${l[0]}:`.padEnd(width + 1)} ${l[1]}`.trimEnd())).join("\n");
}

const map = (m: Record<string, string> | undefined): string => {
  const entries = Object.entries(m ?? {});
  return entries.length ? entries.map(([k, v]) => `${k}=${v}`).join("\n" + " ".repeat(14)) : "<none>";
};

function meta(o: KubeObject): Line[] {
  const m = o.metadata;
  const owner = m.ownerReferences?.find((r) => r.controller) ?? m.ownerReferences?.[0];
  const lines: Line[] = [["Name", m.name ?? ""]];
  if (m.namespace) lines.push(["Namespace", m.namespace]);
  lines.push(["Labels", map(m.labels)], ["Annotations", map(m.annotations)], ["Created", m.creationTimestamp ?? ""]);
  if (owner) lines.push(["Controlled By", `${owner.kind}/${owner.name}`]);
  if (m.deletionTimestamp) lines.push(["Deleting at", m.deletionTimestamp]);
  return lines;
}

function containerState(s: ContainerStatus | undefined): string {
  if (!s?.state) return "Waiting";
  if (s.state.running) return `Running (started ${s.state.running.startedAt ?? ""})`;
  if (s.state.terminated) return `Terminated: ${s.state.terminated.reason ?? ""} (exit code ${s.state.terminated.exitCode})`;
  return `Waiting: ${s.state.waiting?.reason ?? ""}`;
}

function containers(list: Container[], statuses: ContainerStatus[] | undefined): string[] {
  return list.flatMap((c) => {
    const s = statuses?.find((x) => x.name === c.name);
    const probes = (["livenessProbe", "readinessProbe", "startupProbe"] as const)
      .filter((p) => c[p])
      .map((p) => {
        const probe = c[p]!;
        const how = probe.httpGet ? `http-get :${probe.httpGet.port}${probe.httpGet.path ?? "/"}` : probe.exec ? `exec [${probe.exec.command?.join(" ")}]` : probe.tcpSocket ? `tcp-socket :${probe.tcpSocket.port}` : "grpc";
        return ["  " + p.replace("Probe", "").replace(/^./, (x) => x.toUpperCase()), `${how} delay=${probe.initialDelaySeconds ?? 0}s period=${probe.periodSeconds ?? 10}s`] as Line;
      });
    return [`${c.name}:`, block([["  Image", c.image ?? ""], ["  State", containerState(s)], ["  Ready", String(s?.ready ?? false)], ["  Restart Count", String(s?.restartCount ?? 0)], ...probes], "  ")];
  });
}

function kindLines(resource: string, o: KubeObject): Line[] {
  if (resource === "pods") {
    const p = o as Pod & KubeObject;
    return [
      ["Node", p.spec?.nodeName ?? "<none>"],
      ["Status", podStatus(p)],
      ["IP", p.status?.podIP ?? "<none>"],
      ["Restarts", String(restarts(p))],
      "Containers:",
      ...containers(p.spec?.containers ?? [], p.status?.containerStatuses),
      "Conditions:",
      ...(p.status?.conditions ?? []).map((c) => `  ${c.type.padEnd(26)} ${c.status}`),
    ];
  }
  if (resource === "nodes") {
    const n = o as Node & KubeObject;
    return [
      ["Status", nodeReady(n)],
      ["Addresses", (n.status?.addresses ?? []).map((a) => `${a.type}=${a.address}`).join(", ")],
      ["PodCIDR", n.spec?.podCIDR ?? ""],
      ["Taints", (n.spec?.taints ?? []).map((t) => `${t.key}${t.value ? `=${t.value}` : ""}:${t.effect}`).join(", ") || "<none>"],
      ["Capacity", `cpu=${n.status?.capacity?.cpu}, memory=${n.status?.capacity?.memory}, pods=${n.status?.capacity?.pods}`],
      "Conditions:",
      ...(n.status?.conditions ?? []).map((c) => `  ${c.type.padEnd(16)} ${c.status.padEnd(8)} ${c.reason ?? ""}`),
    ];
  }
  if (resource === "deployments") {
    const d = o as Deployment & KubeObject;
    const s = d.status ?? {};
    return [
      ["Selector", map(d.spec?.selector?.matchLabels)],
      ["Replicas", `${d.spec?.replicas ?? 1} desired | ${s.updatedReplicas ?? 0} updated | ${s.replicas ?? 0} total | ${s.availableReplicas ?? 0} available | ${s.unavailableReplicas ?? 0} unavailable`],
      ["StrategyType", d.spec?.strategy?.type ?? "RollingUpdate"],
      "Pod Template:",
      ...containers(d.spec?.template?.spec?.containers ?? [], undefined),
      "Conditions:",
      ...(s.conditions ?? []).map((c) => `  ${c.type.padEnd(16)} ${c.status.padEnd(8)} ${c.reason ?? ""}`),
    ];
  }
  if (resource === "services") {
    const s = o as Service & KubeObject;
    return [
      ["Type", s.spec?.type ?? "ClusterIP"],
      ["Selector", map(s.spec?.selector)],
      ["IP", s.spec?.clusterIP ?? ""],
      ...(s.spec?.ports ?? []).map((p) => ["Port", `${p.name ?? "<unset>"} ${p.port}/${p.protocol ?? "TCP"} → ${p.targetPort ?? p.port}${p.nodePort ? ` (NodePort ${p.nodePort})` : ""}`] as Line),
    ];
  }
  if (resource === "persistentvolumeclaims") {
    const c = o as PersistentVolumeClaim & KubeObject;
    return [
      ["StorageClass", c.spec?.storageClassName ?? ""],
      ["Status", c.status?.phase ?? "Pending"],
      ["Volume", c.spec?.volumeName ?? ""],
      ["Capacity", c.status?.capacity?.storage ?? ""],
      ["Access Modes", (c.spec?.accessModes ?? []).join(",")],
    ];
  }
  return [];
}

export function describe(resource: string, o: KubeObject, events: CoreV1Event[], nowMs: number): string {
  const own = events
    .filter((e) => (o.metadata.uid && e.involvedObject.uid === o.metadata.uid) || (e.involvedObject.name === o.metadata.name && (e.involvedObject.namespace ?? "") === (o.metadata.namespace ?? "")))
    .sort((a, b) => eventTime(a).localeCompare(eventTime(b)));
  const row = (type: string, reason: string, when: string, from: string, message: string) => `  ${type.padEnd(8)} ${reason.padEnd(18)} ${when.padEnd(6)} ${from.padEnd(22)} ${message}`;
  const ev = own.length
    ? ["Events:", row("Type", "Reason", "Age", "From", "Message"), ...own.map((e) => row(e.type ?? "", e.reason ?? "", age(eventTime(e), nowMs), e.source?.component ?? e.reportingComponent ?? "", e.message ?? ""))]
    : ["Events: <none>"];
  return [block([...meta(o), ...kindLines(resource, o)]), ...ev].join("\n");
}
