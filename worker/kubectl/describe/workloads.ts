// Describers for pods and the workloads that make them: Pod, Deployment, ReplicaSet,
// ReplicationController, DaemonSet, StatefulSet, Job, CronJob, HorizontalPodAutoscaler.
// Models staging/src/k8s.io/kubectl/pkg/describe/describe.go (describePod, describeDeployment,
// describeReplicaSet, describeDaemonSet, describeStatefulSet, describeJob, describeCronJob,
// describeHorizontalPodAutoscalerV2) and pkg/util/qos.
import type { Pod, PodTemplateSpec } from "kubernetes-types/core/v1";
import type { KubeObject } from "../../resources/types";
import { humanDuration, parseTimestamp } from "../../resources/printers/duration";
import { describeContainers, describeVolumes, writePodTemplate } from "./pod-template";
import { describeEvents, labelsInline, printAnnotationsMultiline, printLabelsMultiline, printTolerationsMultiline, rfc1123z, since, tabbed, type KubeEvent, type PrefixWriter } from "./writer";
import type { DescribeContext } from "./index";

type Obj = KubeObject & { spec?: any; status?: any };

/** `app=web,tier in (a,b)` (metav1.FormatLabelSelector / LabelSelectorAsSelector). */
export function formatSelector(sel: { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] } | undefined): string {
  if (!sel) return "<none>";
  const parts: string[] = [];
  for (const k of Object.keys(sel.matchLabels ?? {})) parts.push(`${k}=${sel.matchLabels![k]}`);
  for (const e of sel.matchExpressions ?? []) {
    const vals = [...(e.values ?? [])].sort().join(",");
    switch (e.operator) {
      case "In":
        parts.push(`${e.key} in (${vals})`);
        break;
      case "NotIn":
        parts.push(`${e.key} notin (${vals})`);
        break;
      case "Exists":
        parts.push(e.key);
        break;
      case "DoesNotExist":
        parts.push(`!${e.key}`);
        break;
    }
  }
  // LabelSelectorAsSelector sorts its requirements by key.
  const sorted = parts.sort((a, b) => {
    const ka = a.replace(/^!/, "").split(/[=\s]/)[0];
    const kb = b.replace(/^!/, "").split(/[=\s]/)[0];
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
  return sorted.length ? sorted.join(",") : "<none>";
}

export function controllerOf(o: KubeObject): string {
  const ref = o.metadata.ownerReferences?.find((r) => r.controller);
  return ref ? `${ref.kind}/${ref.name}` : "";
}

// --- pods ---

/** QoS class: the status's, else computed from the requests and limits (Models pkg/util/qos ComputePodQOS). */
export function podQos(pod: Pod): string {
  if (pod.status?.qosClass) return pod.status.qosClass;
  const containers = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
  let any = false;
  let guaranteed = true;
  for (const c of containers) {
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    for (const r of ["cpu", "memory"]) {
      if (req[r] !== undefined || lim[r] !== undefined) any = true;
      if (lim[r] === undefined || (req[r] !== undefined && String(req[r]) !== String(lim[r]))) guaranteed = false;
    }
  }
  if (!any) return "BestEffort";
  return guaranteed ? "Guaranteed" : "Burstable";
}

function fieldValue(pod: Pod, path: string): string {
  const annotation = /^metadata\.annotations\['(.*)'\]$/.exec(path);
  if (annotation) return pod.metadata?.annotations?.[annotation[1]] ?? "";
  const label = /^metadata\.labels\['(.*)'\]$/.exec(path);
  if (label) return pod.metadata?.labels?.[label[1]] ?? "";
  switch (path) {
    case "metadata.name":
      return pod.metadata?.name ?? "";
    case "metadata.namespace":
      return pod.metadata?.namespace ?? "";
    case "metadata.uid":
      return pod.metadata?.uid ?? "";
    case "spec.nodeName":
      return pod.spec?.nodeName ?? "";
    case "spec.serviceAccountName":
      return pod.spec?.serviceAccountName ?? "";
    case "status.hostIP":
      return pod.status?.hostIP ?? "";
    case "status.podIP":
      return pod.status?.podIP ?? "";
    case "status.podIPs":
      return (pod.status?.podIPs ?? []).map((p) => p.ip).join(",");
  }
  return "";
}

export async function describePod(d: DescribeContext, o: Obj): Promise<string> {
  const pod = o as unknown as Pod;
  const mirror = pod.metadata?.annotations?.["kubernetes.io/config.mirror"];
  const events = await d.events({ name: o.metadata.name ?? "", namespace: o.metadata.namespace ?? "", uid: mirror ?? o.metadata.uid ?? "" });
  return tabbed((w) => {
    const spec = pod.spec!;
    const st = pod.status ?? {};
    w.write(0, `Name:\t${o.metadata.name}\n`);
    w.write(0, `Namespace:\t${o.metadata.namespace}\n`);
    if (spec.priority !== undefined) w.write(0, `Priority:\t${spec.priority}\n`);
    if (spec.priorityClassName) w.write(0, `Priority Class Name:\t${spec.priorityClassName}\n`);
    if (spec.runtimeClassName) w.write(0, `Runtime Class Name:\t${spec.runtimeClassName}\n`);
    if (spec.serviceAccountName) w.write(0, `Service Account:\t${spec.serviceAccountName}\n`);
    w.write(0, spec.nodeName ? `Node:\t${spec.nodeName}/${st.hostIP ?? ""}\n` : "Node:\t<none>\n");
    if (st.startTime) w.write(0, `Start Time:\t${rfc1123z(st.startTime)}\n`);
    printLabelsMultiline(w, "Labels", o.metadata.labels);
    printAnnotationsMultiline(w, "Annotations", o.metadata.annotations);
    if (o.metadata.deletionTimestamp && st.phase !== "Failed" && st.phase !== "Succeeded") {
      w.write(0, `Status:\tTerminating (lasts ${since(o.metadata.deletionTimestamp, d.now)})\n`);
      w.write(0, `Termination Grace Period:\t${o.metadata.deletionGracePeriodSeconds ?? 0}s\n`);
    } else w.write(0, `Status:\t${st.phase ?? ""}\n`);
    if (st.reason) w.write(0, `Reason:\t${st.reason}\n`);
    if (st.message) w.write(0, `Message:\t${st.message}\n`);
    if (spec.securityContext?.seccompProfile) {
      w.write(0, `SeccompProfile:\t${spec.securityContext.seccompProfile.type}\n`);
      if (spec.securityContext.seccompProfile.type === "Localhost") w.write(0, `LocalhostProfile:\t${spec.securityContext.seccompProfile.localhostProfile ?? ""}\n`);
    }
    w.write(0, `IP:\t${st.podIP ?? ""}\n`);
    if (!st.podIPs?.length) w.write(0, "IPs:\t<none>\n");
    else {
      w.write(0, "IPs:\n");
      for (const ip of st.podIPs) w.write(1, `IP:\t${ip.ip}\n`);
    }
    const ctl = controllerOf(o);
    if (ctl) w.write(0, `Controlled By:\t${ctl}\n`);
    if (st.nominatedNodeName) w.write(0, `NominatedNodeName:\t${st.nominatedNodeName}\n`);
    const resolve = (path: string) => fieldValue(pod, path);
    if (spec.initContainers?.length) describeContainers(w, "Init Containers", spec.initContainers, st.initContainerStatuses, resolve, "");
    describeContainers(w, "Containers", spec.containers, st.containerStatuses, resolve, "");
    if (spec.ephemeralContainers?.length) describeContainers(w, "Ephemeral Containers", spec.ephemeralContainers as never, st.ephemeralContainerStatuses, resolve, "");
    if (spec.readinessGates?.length) {
      w.write(0, "Readiness Gates:\n  Type\tStatus\n");
      for (const g of spec.readinessGates) w.write(1, `${g.conditionType} \t${st.conditions?.find((c) => c.type === g.conditionType)?.status ?? "<none>"} \n`);
    }
    if (st.conditions?.length) {
      w.write(0, "Conditions:\n  Type\tStatus\n");
      for (const c of st.conditions) w.write(1, `${c.type} \t${c.status} \n`);
    }
    describeVolumes(w, spec.volumes, "");
    w.write(0, `QoS Class:\t${podQos(pod)}\n`);
    printLabelsMultiline(w, "Node-Selectors", spec.nodeSelector);
    printTolerationsMultiline(w, "Tolerations", spec.tolerations);
    describeEvents(w, events, d.now);
  });
}

// --- replica controllers ---

async function podPhases(d: DescribeContext, ns: string, selector: string, uid: string): Promise<string> {
  const pods = await d.list("/api/v1", "pods", ns, selector ? { labelSelector: selector } : {});
  let running = 0;
  let waiting = 0;
  let succeeded = 0;
  let failed = 0;
  for (const p of pods) {
    if (!p.metadata.ownerReferences?.some((r) => r.controller && r.uid === uid)) continue;
    const phase = (p.status as { phase?: string } | undefined)?.phase;
    if (phase === "Running") running++;
    else if (phase === "Pending") waiting++;
    else if (phase === "Succeeded") succeeded++;
    else if (phase === "Failed") failed++;
  }
  return `${running} Running / ${waiting} Waiting / ${succeeded} Succeeded / ${failed} Failed`;
}

function selectorQuery(sel: { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] } | undefined): string {
  const s = formatSelector(sel);
  return s === "<none>" ? "" : s;
}

function conditionsTable(w: PrefixWriter, conditions: { type: string; status: string; reason?: string }[] | undefined): void {
  if (!conditions?.length) return;
  w.write(0, "Conditions:\n  Type\tStatus\tReason\n");
  w.write(1, "----\t------\t------\n");
  for (const c of conditions) w.write(1, `${c.type} \t${c.status}\t${c.reason ?? ""}\n`);
}

export async function describeReplicaSet(d: DescribeContext, o: Obj): Promise<string> {
  const ns = o.metadata.namespace ?? "";
  const sel = o.kind === "ReplicationController" ? labelsInline(o.spec?.selector) : selectorQuery(o.spec?.selector);
  const phases = await podPhases(d, ns, sel === "<none>" ? "" : sel, o.metadata.uid ?? "");
  const events = await d.eventsFor(o);
  return tabbed((w) => {
    w.write(0, `Name:\t${o.metadata.name}\n`);
    w.write(0, `Namespace:\t${ns}\n`);
    w.write(0, `Selector:\t${o.kind === "ReplicationController" ? labelsInline(o.spec?.selector) : formatSelector(o.spec?.selector)}\n`);
    printLabelsMultiline(w, "Labels", o.metadata.labels);
    printAnnotationsMultiline(w, "Annotations", o.metadata.annotations);
    if (o.kind === "ReplicaSet") {
      const ctl = controllerOf(o);
      if (ctl) w.write(0, `Controlled By:\t${ctl}\n`);
    }
    w.write(0, `Replicas:\t${o.status?.replicas ?? 0} current / ${o.spec?.replicas ?? 1} desired\n`);
    w.write(0, `Pods Status:\t${phases}\n`);
    writePodTemplate(w, o.spec?.template as PodTemplateSpec);
    conditionsTable(w, o.status?.conditions);
    describeEvents(w, events, d.now);
  });
}

const HASH = "pod-template-hash";

function sameTemplate(a: unknown, b: unknown): boolean {
  const strip = (t: unknown) => {
    const c = structuredClone(t) as { metadata?: { labels?: Record<string, string> } };
    if (c?.metadata?.labels) delete c.metadata.labels[HASH];
    return c;
  };
  const norm = (v: unknown): unknown => (Array.isArray(v) ? v.map(norm) : v && typeof v === "object" ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, norm((v as Record<string, unknown>)[k])])) : v);
  return JSON.stringify(norm(strip(a))) === JSON.stringify(norm(strip(b)));
}

export async function describeDeployment(d: DescribeContext, o: Obj): Promise<string> {
  const ns = o.metadata.namespace ?? "";
  const events = await d.eventsFor(o);
  const sel = selectorQuery(o.spec?.selector);
  const owned = (await d.list("/apis/apps/v1", "replicasets", ns, sel ? { labelSelector: sel } : {})).filter((rs) => rs.metadata.ownerReferences?.some((r) => r.controller && r.uid === o.metadata.uid)) as Obj[];
  // Models deploymentutil.FindNewReplicaSet: the oldest with the deployment's template.
  const byAge = [...owned].sort((a, b) => (parseTimestamp(a.metadata.creationTimestamp) ?? 0) - (parseTimestamp(b.metadata.creationTimestamp) ?? 0) || ((a.metadata.name ?? "") < (b.metadata.name ?? "") ? -1 : 1));
  const newRs = byAge.find((rs) => sameTemplate(rs.spec?.template, o.spec?.template));
  const oldRss = owned.filter((rs) => rs !== newRs);
  const rsList = (xs: Obj[]) => xs.map((rs) => `${rs.metadata.name} (${rs.status?.replicas ?? 0}/${rs.spec?.replicas ?? 1} replicas created)`).join(", ") || "<none>";
  return tabbed((w) => {
    const st = o.status ?? {};
    w.write(0, `Name:\t${o.metadata.name}\n`);
    w.write(0, `Namespace:\t${ns}\n`);
    w.write(0, `CreationTimestamp:\t${rfc1123z(o.metadata.creationTimestamp)}\n`);
    printLabelsMultiline(w, "Labels", o.metadata.labels);
    printAnnotationsMultiline(w, "Annotations", o.metadata.annotations);
    w.write(0, `Selector:\t${formatSelector(o.spec?.selector)}\n`);
    w.write(0, `Replicas:\t${o.spec?.replicas ?? 1} desired | ${st.updatedReplicas ?? 0} updated | ${st.replicas ?? 0} total | ${st.availableReplicas ?? 0} available | ${st.unavailableReplicas ?? 0} unavailable\n`);
    w.write(0, `StrategyType:\t${o.spec?.strategy?.type ?? ""}\n`);
    w.write(0, `MinReadySeconds:\t${o.spec?.minReadySeconds ?? 0}\n`);
    const ru = o.spec?.strategy?.rollingUpdate;
    if (ru) w.write(0, `RollingUpdateStrategy:\t${ru.maxUnavailable ?? ""} max unavailable, ${ru.maxSurge ?? ""} max surge\n`);
    writePodTemplate(w, o.spec?.template);
    conditionsTable(w, st.conditions);
    if (oldRss.length || newRs) {
      w.write(0, `OldReplicaSets:\t${rsList(oldRss)}\n`);
      w.write(0, `NewReplicaSet:\t${rsList(newRs ? [newRs] : [])}\n`);
    }
    describeEvents(w, events, d.now);
  });
}

export async function describeDaemonSet(d: DescribeContext, o: Obj): Promise<string> {
  const ns = o.metadata.namespace ?? "";
  const sel = selectorQuery(o.spec?.selector);
  const phases = await podPhases(d, ns, sel, o.metadata.uid ?? "");
  const events = await d.eventsFor(o);
  return tabbed((w) => {
    const st = o.status ?? {};
    w.write(0, `Name:\t${o.metadata.name}\n`);
    w.write(0, `Namespace:\t${ns}\n`);
    w.write(0, `Selector:\t${formatSelector(o.spec?.selector)}\n`);
    w.write(0, `Node-Selector:\t${labelsInline(o.spec?.template?.spec?.nodeSelector)}\n`);
    printLabelsMultiline(w, "Labels", o.metadata.labels);
    printAnnotationsMultiline(w, "Annotations", o.metadata.annotations);
    w.write(0, `Desired Number of Nodes Scheduled: ${st.desiredNumberScheduled ?? 0}\n`);
    w.write(0, `Current Number of Nodes Scheduled: ${st.currentNumberScheduled ?? 0}\n`);
    w.write(0, `Number of Nodes Scheduled with Up-to-date Pods: ${st.updatedNumberScheduled ?? 0}\n`);
    w.write(0, `Number of Nodes Scheduled with Available Pods: ${st.numberAvailable ?? 0}\n`);
    w.write(0, `Number of Nodes Misscheduled: ${st.numberMisscheduled ?? 0}\n`);
    w.write(0, `Pods Status:\t${phases}\n`);
    writePodTemplate(w, o.spec?.template);
    describeEvents(w, events, d.now);
  });
}

export async function describeStatefulSet(d: DescribeContext, o: Obj): Promise<string> {
  const ns = o.metadata.namespace ?? "";
  const sel = selectorQuery(o.spec?.selector);
  const phases = await podPhases(d, ns, sel, o.metadata.uid ?? "");
  const events = await d.eventsFor(o);
  return tabbed((w) => {
    w.write(0, `Name:\t${o.metadata.name}\n`);
    w.write(0, `Namespace:\t${ns}\n`);
    w.write(0, `CreationTimestamp:\t${rfc1123z(o.metadata.creationTimestamp)}\n`);
    w.write(0, `Selector:\t${formatSelector(o.spec?.selector)}\n`);
    printLabelsMultiline(w, "Labels", o.metadata.labels);
    printAnnotationsMultiline(w, "Annotations", o.metadata.annotations);
    w.write(0, `Replicas:\t${o.spec?.replicas ?? 1} desired | ${o.status?.replicas ?? 0} total\n`);
    w.write(0, `Update Strategy:\t${o.spec?.updateStrategy?.type ?? ""}\n`);
    const ru = o.spec?.updateStrategy?.rollingUpdate;
    if (ru?.partition !== undefined) {
      w.write(1, `Partition:\t${ru.partition}\n`);
      if (ru.maxUnavailable !== undefined) w.write(1, `MaxUnavailable:\t${ru.maxUnavailable}\n`);
    }
    w.write(0, `Pods Status:\t${phases}\n`);
    writePodTemplate(w, o.spec?.template);
    const templates = (o.spec?.volumeClaimTemplates ?? []) as Obj[];
    if (!templates.length) w.write(0, "Volume Claims:\t<none>\n");
    else {
      w.write(0, "Volume Claims:\n");
      for (const pvc of templates) {
        // A template stored without metadata is Go's zero ObjectMeta to kubectl, not a missing one.
        const meta = pvc.metadata ?? {};
        w.write(1, `Name:\t${meta.name ?? ""}\n`);
        w.write(1, `StorageClass:\t${pvc.spec?.storageClassName ?? ""}\n`);
        printLabelsMultiline(w, "Labels", meta.labels, "  ");
        printLabelsMultiline(w, "Annotations", meta.annotations, "  ");
        const cap = pvc.spec?.resources?.requests?.storage;
        w.write(1, `Capacity:\t${cap ?? "<default>"}\n`);
        w.write(1, `Access Modes:\t[${(pvc.spec?.accessModes ?? []).join(" ")}]\n`);
      }
    }
    describeEvents(w, events, d.now);
  });
}

export async function describeJob(d: DescribeContext, o: Obj): Promise<string> {
  const events = await d.eventsFor(o);
  return tabbed((w) => {
    const spec = o.spec ?? {};
    const st = o.status ?? {};
    w.write(0, `Name:\t${o.metadata.name}\n`);
    w.write(0, `Namespace:\t${o.metadata.namespace}\n`);
    w.write(0, `Selector:\t${formatSelector(spec.selector) === "<none>" ? "" : formatSelector(spec.selector)}\n`);
    printLabelsMultiline(w, "Labels", o.metadata.labels);
    printAnnotationsMultiline(w, "Annotations", o.metadata.annotations);
    const ctl = controllerOf(o);
    if (ctl) w.write(0, `Controlled By:\t${ctl}\n`);
    if (spec.parallelism !== undefined) w.write(0, `Parallelism:\t${spec.parallelism}\n`);
    w.write(0, spec.completions !== undefined ? `Completions:\t${spec.completions}\n` : "Completions:\t<unset>\n");
    if (spec.completionMode) w.write(0, `Completion Mode:\t${spec.completionMode}\n`);
    if (spec.suspend !== undefined) w.write(0, `Suspend:\t${spec.suspend}\n`);
    if (spec.backoffLimit !== undefined) w.write(0, `Backoff Limit:\t${spec.backoffLimit}\n`);
    if (spec.ttlSecondsAfterFinished !== undefined) w.write(0, `TTL Seconds After Finished:\t${spec.ttlSecondsAfterFinished}\n`);
    if (st.startTime) w.write(0, `Start Time:\t${rfc1123z(st.startTime)}\n`);
    if (st.completionTime) w.write(0, `Completed At:\t${rfc1123z(st.completionTime)}\n`);
    if (st.startTime && st.completionTime) w.write(0, `Duration:\t${humanDuration((parseTimestamp(st.completionTime) ?? 0) - (parseTimestamp(st.startTime) ?? 0))}\n`);
    if (spec.activeDeadlineSeconds !== undefined) w.write(0, `Active Deadline Seconds:\t${spec.activeDeadlineSeconds}s\n`);
    if (st.ready === undefined) w.write(0, `Pods Statuses:\t${st.active ?? 0} Active / ${st.succeeded ?? 0} Succeeded / ${st.failed ?? 0} Failed\n`);
    else w.write(0, `Pods Statuses:\t${st.active ?? 0} Active (${st.ready} Ready) / ${st.succeeded ?? 0} Succeeded / ${st.failed ?? 0} Failed\n`);
    if (spec.completionMode === "Indexed") w.write(0, `Completed Indexes:\t${st.completedIndexes || "<none>"}\n`);
    writePodTemplate(w, spec.template);
    describeEvents(w, events, d.now);
  });
}

export async function describeCronJob(d: DescribeContext, o: Obj): Promise<string> {
  const events = await d.eventsFor(o);
  return tabbed((w) => {
    const spec = o.spec ?? {};
    const st = o.status ?? {};
    const unset = (v: unknown, f: (x: any) => string = String) => (v === undefined || v === null ? "<unset>" : f(v));
    w.write(0, `Name:\t${o.metadata.name}\n`);
    w.write(0, `Namespace:\t${o.metadata.namespace}\n`);
    printLabelsMultiline(w, "Labels", o.metadata.labels);
    printAnnotationsMultiline(w, "Annotations", o.metadata.annotations);
    w.write(0, `Schedule:\t${spec.schedule}\n`);
    w.write(0, `Concurrency Policy:\t${spec.concurrencyPolicy ?? ""}\n`);
    w.write(0, `Suspend:\t${unset(spec.suspend, (b: boolean) => (b ? "True" : "False"))}\n`);
    w.write(0, `Time Zone:\t${unset(spec.timeZone)}\n`);
    w.write(0, `Successful Job History Limit:\t${unset(spec.successfulJobsHistoryLimit)}\n`);
    w.write(0, `Failed Job History Limit:\t${unset(spec.failedJobsHistoryLimit)}\n`);
    w.write(0, `Starting Deadline Seconds:\t${unset(spec.startingDeadlineSeconds, (n: number) => `${n}s`)}\n`);
    const jt = spec.jobTemplate?.spec ?? {};
    w.write(0, `Selector:\t${jt.selector ? formatSelector(jt.selector) : "<unset>"}\n`);
    w.write(0, `Parallelism:\t${unset(jt.parallelism)}\n`);
    w.write(0, `Completions:\t${unset(jt.completions)}\n`);
    if (jt.activeDeadlineSeconds !== undefined) w.write(0, `Active Deadline Seconds:\t${jt.activeDeadlineSeconds}s\n`);
    writePodTemplate(w, jt.template);
    w.write(0, `Last Schedule Time:\t${st.lastScheduleTime ? rfc1123z(st.lastScheduleTime) : "<unset>"}\n`);
    w.write(0, "Active Jobs:\t");
    const active = (st.active ?? []) as { name: string }[];
    w.line(active.length ? active.map((j) => j.name).join(", ") : "<none>");
    describeEvents(w, events, d.now);
  });
}

export async function describeHpa(d: DescribeContext, o: Obj): Promise<string> {
  const events = await d.eventsFor(o);
  return tabbed((w) => {
    const spec = o.spec ?? {};
    const st = o.status ?? {};
    w.write(0, `Name:\t${o.metadata.name}\n`);
    w.write(0, `Namespace:\t${o.metadata.namespace}\n`);
    printLabelsMultiline(w, "Labels", o.metadata.labels);
    printAnnotationsMultiline(w, "Annotations", o.metadata.annotations);
    w.write(0, `CreationTimestamp:\t${rfc1123z(o.metadata.creationTimestamp)}\n`);
    w.write(0, `Reference:\t${spec.scaleTargetRef?.kind}/${spec.scaleTargetRef?.name}\n`);
    w.write(0, "Metrics:\t( current / target )\n");
    (spec.metrics ?? []).forEach((m: any, i: number) => {
      const cur = st.currentMetrics?.[i];
      if (m.type === "Resource") {
        w.write(1, `resource ${m.resource.name} on pods`);
        if (m.resource.target.averageValue !== undefined) w.write(0, `:\t${cur?.resource?.current?.averageValue ?? "<unknown>"} / ${m.resource.target.averageValue}\n`);
        else {
          const c = cur?.resource?.current?.averageUtilization !== undefined ? `${cur.resource.current.averageUtilization}% (${cur.resource.current.averageValue})` : "<unknown>";
          const t = m.resource.target.averageUtilization !== undefined ? `${m.resource.target.averageUtilization}%` : "<auto>";
          w.write(1, `(as a percentage of request):\t${c} / ${t}\n`);
        }
      } else if (m.type === "ContainerResource") {
        w.write(1, `resource ${m.containerResource.name} of container "${m.containerResource.container}" on pods`);
        if (m.containerResource.target.averageValue !== undefined) w.write(0, `:\t${cur?.containerResource?.current?.averageValue ?? "<unknown>"} / ${m.containerResource.target.averageValue}\n`);
        else {
          const c = cur?.containerResource?.current?.averageUtilization !== undefined ? `${cur.containerResource.current.averageUtilization}% (${cur.containerResource.current.averageValue})` : "<unknown>";
          const t = m.containerResource.target.averageUtilization !== undefined ? `${m.containerResource.target.averageUtilization}%` : "<auto>";
          w.write(1, `(as a percentage of request):\t${c} / ${t}\n`);
        }
      } else if (m.type === "Pods") w.write(1, `"${m.pods.metric.name}" on pods:\t${cur?.pods?.current?.averageValue ?? "<unknown>"} / ${m.pods.target.averageValue}\n`);
      else w.write(1, `<unknown metric type "${m.type}">\n`);
    });
    w.write(0, `Min replicas:\t${spec.minReplicas ?? "<unset>"}\n`);
    w.write(0, `Max replicas:\t${spec.maxReplicas}\n`);
    if (spec.behavior) {
      w.write(0, "Behavior:\n");
      for (const [title, rules] of [["Scale Up", spec.behavior.scaleUp], ["Scale Down", spec.behavior.scaleDown]] as const) {
        if (!rules) continue;
        w.write(1, `${title}:\n`);
        if (rules.stabilizationWindowSeconds !== undefined) w.write(2, `Stabilization Window: ${rules.stabilizationWindowSeconds} seconds\n`);
        if (rules.policies?.length) {
          w.write(2, `Select Policy: ${rules.selectPolicy ?? "Max"}\n`);
          w.write(2, "Policies:\n");
          for (const p of rules.policies) w.write(3, `- Type: ${p.type}\tValue: ${p.value}\tPeriod: ${p.periodSeconds} seconds\n`);
        }
      }
    }
    w.write(0, `${spec.scaleTargetRef?.kind} pods:\t`);
    w.write(0, `${st.currentReplicas ?? 0} current / ${st.desiredReplicas ?? 0} desired\n`);
    if (st.conditions?.length) {
      w.write(0, "Conditions:\n");
      w.write(1, "Type\tStatus\tReason\tMessage\n");
      w.write(1, "----\t------\t------\t-------\n");
      for (const c of st.conditions) w.write(1, `${c.type}\t${c.status}\t${c.reason ?? ""}\t${c.message ?? ""}\n`);
    }
    describeEvents(w, events, d.now);
  });
}

export type { KubeEvent };
