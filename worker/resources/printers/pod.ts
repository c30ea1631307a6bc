// Pod printing: the READY / STATUS / RESTARTS summary kubectl users read first.
import type { Container, ContainerStatus, Pod, PodCondition } from "kubernetes-types/core/v1";
import type { KubeObject, PrintContext, Printer, TableCell } from "../types";
import { age, ageColumn, as, col, nameColumn, nameOf } from "./common";
import { humanDuration, parseTimestamp } from "./duration";

/** Reason the node lifecycle controller stamps on pods of an unreachable node. */
const NODE_UNREACHABLE_POD_REASON = "NodeLost";

function isRestartableInitContainer(c: Container | undefined): boolean {
  return c?.restartPolicy === "Always";
}

function hasPodReadyCondition(conditions: PodCondition[]): boolean {
  return conditions.some((c) => c.type === "Ready" && c.status === "True");
}

function isPodInitializedConditionTrue(conditions: PodCondition[]): boolean {
  const c = conditions.find((x) => x.type === "Initialized");
  return c?.status === "True";
}

/** Latest lastState.terminated.finishedAt seen so far (epoch ms; undefined = none yet). */
function laterTermination(current: number | undefined, status: ContainerStatus): number | undefined {
  const finished = parseTimestamp(status.lastState?.terminated?.finishedAt);
  if (finished === undefined) return current;
  return current === undefined || finished > current ? finished : current;
}

interface PodSummary {
  ready: string;
  reason: string;
  restarts: string;
}

// Models pkg/printers/internalversion/printers.go printPod
export function summarizePod(pod: Pod, now: number): PodSummary {
  const spec = pod.spec ?? { containers: [] };
  const status = pod.status ?? {};
  const conditions = status.conditions ?? [];
  const initSpecs = spec.initContainers ?? [];

  let restarts = 0;
  let restartableInitRestarts = 0;
  let totalContainers = (spec.containers ?? []).length;
  let readyContainers = 0;
  let lastRestart: number | undefined;
  let lastRestartableInitRestart: number | undefined;

  const phase = status.phase ?? "";
  let reason = status.reason ? status.reason : phase;

  for (const c of conditions) {
    if (c.type === "PodScheduled" && c.reason === "SchedulingGated") reason = "SchedulingGated";
  }

  const initByName = new Map<string, Container>();
  for (const c of initSpecs) {
    initByName.set(c.name, c);
    if (isRestartableInitContainer(c)) totalContainers++;
  }

  let initializing = false;
  const initStatuses = status.initContainerStatuses ?? [];
  for (let i = 0; i < initStatuses.length; i++) {
    const cs = initStatuses[i]!;
    restarts += cs.restartCount ?? 0;
    lastRestart = laterTermination(lastRestart, cs);
    const restartable = isRestartableInitContainer(initByName.get(cs.name));
    if (restartable) {
      restartableInitRestarts += cs.restartCount ?? 0;
      lastRestartableInitRestart = laterTermination(lastRestartableInitRestart, cs);
    }
    const terminated = cs.state?.terminated;
    const waiting = cs.state?.waiting;
    if (terminated && terminated.exitCode === 0) continue;
    if (restartable && cs.started === true) {
      if (cs.ready) readyContainers++;
      continue;
    }
    if (terminated) {
      // Initialization failed.
      if (!terminated.reason) {
        reason = terminated.signal ? `Init:Signal:${terminated.signal}` : `Init:ExitCode:${terminated.exitCode}`;
      } else {
        reason = `Init:${terminated.reason}`;
      }
    } else if (waiting && waiting.reason && waiting.reason !== "PodInitializing") {
      reason = `Init:${waiting.reason}`;
    } else {
      reason = `Init:${i}/${initSpecs.length}`;
    }
    initializing = true;
    break;
  }

  if (!initializing || isPodInitializedConditionTrue(conditions)) {
    restarts = restartableInitRestarts;
    lastRestart = lastRestartableInitRestart;
    let hasRunning = false;
    const statuses = status.containerStatuses ?? [];
    // Walked backwards so the first container's state wins, as upstream.
    for (let i = statuses.length - 1; i >= 0; i--) {
      const cs = statuses[i]!;
      restarts += cs.restartCount ?? 0;
      lastRestart = laterTermination(lastRestart, cs);
      const waiting = cs.state?.waiting;
      const terminated = cs.state?.terminated;
      if (waiting && waiting.reason) {
        reason = waiting.reason;
      } else if (terminated && terminated.reason) {
        reason = terminated.reason;
      } else if (terminated) {
        reason = terminated.signal ? `Signal:${terminated.signal}` : `ExitCode:${terminated.exitCode}`;
      } else if (cs.ready && cs.state?.running) {
        hasRunning = true;
        readyContainers++;
      }
    }
    // A pod with one container done and another still running is reported by the running one.
    if (reason === "Completed" && hasRunning) {
      reason = hasPodReadyCondition(conditions) ? "Running" : "NotReady";
    }
  }

  const deleting = !!pod.metadata?.deletionTimestamp;
  if (deleting && status.reason === NODE_UNREACHABLE_POD_REASON) {
    reason = "Unknown";
  } else if (deleting && phase !== "Succeeded" && phase !== "Failed") {
    reason = "Terminating";
  }

  let restartsStr = String(restarts);
  if (restarts !== 0 && lastRestart !== undefined) {
    restartsStr = `${restarts} (${humanDuration(now - lastRestart)} ago)`;
  }

  return { ready: `${readyContainers}/${totalContainers}`, reason, restarts: restartsStr };
}

function readinessGates(pod: Pod): string {
  const gates = pod.spec?.readinessGates ?? [];
  if (gates.length === 0) return "<none>";
  const conditions = pod.status?.conditions ?? [];
  let trueConditions = 0;
  for (const gate of gates) {
    const c = conditions.find((x) => x.type === gate.conditionType);
    if (c?.status === "True") trueConditions++;
  }
  return `${trueConditions}/${gates.length}`;
}

export const podPrinter: Printer = {
  columns: [
    nameColumn,
    col("Ready", "string", "The aggregate readiness state of this pod for accepting traffic."),
    col("Status", "string", "The aggregate status of the containers in this pod."),
    col(
      "Restarts",
      "string",
      "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.",
    ),
    ageColumn,
    col("IP", "string", "podIP address allocated to the pod. Routable at least within the cluster.", 1),
    col("Node", "string", "NodeName indicates in which node this pod is scheduled.", 1),
    col("Nominated Node", "string", "nominatedNodeName is set when this pod preempts other pods on the node.", 1),
    col("Readiness Gates", "string", "If specified, all readiness gates will be evaluated for pod readiness.", 1),
  ],
  row(obj: KubeObject, ctx: PrintContext): TableCell[] {
    const pod = as<Pod>(obj);
    const s = summarizePod(pod, ctx.now);
    const podIP = pod.status?.podIPs?.[0]?.ip || pod.status?.podIP || "<none>";
    return [
      nameOf(obj),
      s.ready,
      s.reason,
      s.restarts,
      age(obj, ctx),
      podIP,
      pod.spec?.nodeName || "<none>",
      pod.status?.nominatedNodeName || "<none>",
      readinessGates(pod),
    ];
  },
};
