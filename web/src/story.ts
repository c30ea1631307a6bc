// A pod's story: the creation flow the tutorials draw — API server → controller → scheduler →
// kubelet → probes → endpoints — and its deletion, told from what the API keeps: the pod's own
// metadata and conditions, its owners, the events the components recorded, and the EndpointSlices
// that list it. A pure function of the page's cache, so the story grows live as the pod moves on.
import type { Event as CoreV1Event, Node, Pod, Service } from "kubernetes-types/core/v1";
import type { EndpointSlice } from "kubernetes-types/discovery/v1";
import type { KubeObject } from "./types";
import { whyNotFit } from "./fit";

export type StepState = "done" | "waiting" | "failed";

export interface StoryStep {
  /** Stable name of the step, e.g. `scheduled` or `kubelet-Pulled`. */
  key: string;
  phase: "create" | "delete";
  component: string;
  title: string;
  time?: string;
  detail: string[];
  state: StepState;
}

export interface StoryInput {
  events: CoreV1Event[];
  /** Objects that can own a pod or its owner, by `Kind/namespace/name`. */
  owner(kind: string, namespace: string, name: string): KubeObject | undefined;
  endpointSlices: EndpointSlice[];
  services: Service[];
  /** The pod is gone from the API (its DELETED event was seen). */
  gone: boolean;
  /** The cluster's nodes, for why the scheduler passed over the others. */
  nodes?: Node[];
}

// The order of the flow, for steps in the same second (events carry whole seconds).
const RANK: Record<string, number> = {
  stored: 0, created: 1, FailedScheduling: 2, scheduled: 3, Pulling: 4, Pulled: 5, Created: 6, Started: 7, ready: 8, endpoints: 9,
  requested: 20, "endpoints-removed": 21, Killing: 22, removed: 23,
};

const firstTime = (e: CoreV1Event) => e.firstTimestamp ?? e.eventTime ?? e.lastTimestamp ?? e.metadata?.creationTimestamp ?? undefined;
const count = (e: CoreV1Event) => ((e.count ?? 1) > 1 ? ` (×${e.count}, last ${e.lastTimestamp})` : "");

function controllerOf(o: KubeObject | Pod): { kind: string; name: string } | undefined {
  const refs = o.metadata?.ownerReferences ?? [];
  return refs.find((r) => r.controller) ?? refs[0];
}

const stamp = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");

/** When the pod began terminating: its deletion request (deletionTimestamp less the grace period). */
function terminatingSince(pod: Pod): string | undefined {
  const at = pod.metadata?.deletionTimestamp ? Date.parse(pod.metadata.deletionTimestamp) : NaN;
  return Number.isNaN(at) ? undefined : stamp(at - (pod.metadata?.deletionGracePeriodSeconds ?? 0) * 1000);
}

/** Why each other node was passed over, by the common filters (fit.ts), or that it fit and scored lower. */
function otherNodes(pod: Pod, nodes: Node[]): string[] {
  const chosen = pod.spec?.nodeName;
  const others = nodes.filter((n) => n.metadata?.name && n.metadata.name !== chosen).sort((a, b) => (a.metadata?.name ?? "").localeCompare(b.metadata?.name ?? ""));
  return others.map((n) => {
    const why = whyNotFit(pod, n);
    return `${n.metadata?.name}: ${why ?? `fits too; ${chosen ?? "the chosen node"} scored higher`}`;
  });
}

export function podStory(pod: Pod & KubeObject, input: StoryInput): StoryStep[] {
  const steps: StoryStep[] = [];
  const ns = pod.metadata.namespace ?? "default";
  const name = pod.metadata.name ?? "";
  const uid = pod.metadata.uid;
  const about = (e: CoreV1Event) => e.involvedObject.kind === "Pod" && (uid && e.involvedObject.uid ? e.involvedObject.uid === uid : e.involvedObject.name === name && e.involvedObject.namespace === ns);
  const own = input.events.filter(about);
  const deleting = Boolean(pod.metadata.deletionTimestamp) || input.gone;
  const add = (s: StoryStep) => steps.push(s);

  // 1. The API server stores the object.
  const manager = pod.metadata.managedFields?.find((f) => f.operation === "Update" || f.operation === "Apply")?.manager;
  add({
    key: "stored",
    phase: "create",
    component: "kube-apiserver",
    title: "Stored by the API server",
    time: pod.metadata.creationTimestamp,
    detail: [`POST /api/v1/namespaces/${ns}/pods → admitted, validated, persisted`, `uid ${uid ?? "?"}${manager ? `, field manager ${manager}` : ""}`],
    state: "done",
  });

  // 2. Which controller asked for it.
  const owner = controllerOf(pod);
  if (owner) {
    const chain: string[] = [];
    let time: string | undefined;
    if (owner.kind === "Node") {
      chain.push(`mirror pod of a static pod in /etc/kubernetes/manifests on ${owner.name}`);
    } else {
      const created = input.events.find((e) => e.involvedObject.kind === owner.kind && e.involvedObject.name === owner.name && e.reason === "SuccessfulCreate" && (e.message ?? "").includes(name));
      time = created ? firstTime(created) : undefined;
      chain.push(`${owner.kind} ${owner.name} created it${created ? `: ${created.message}` : ""}`);
      // Up the owner chain: ReplicaSet → Deployment, Job → CronJob.
      let child = { kind: owner.kind, name: owner.name };
      let parent = input.owner(child.kind, ns, child.name);
      for (let depth = 0; parent && depth < 3; depth++) {
        const up = controllerOf(parent);
        if (!up) break;
        const scaled = input.events.find((e) => e.involvedObject.kind === up.kind && e.involvedObject.name === up.name && (e.message ?? "").includes(child.name));
        chain.push(`${up.kind} ${up.name} owns ${child.kind} ${child.name}${scaled ? `: ${scaled.message}` : ""}`);
        child = { kind: up.kind, name: up.name };
        parent = input.owner(up.kind, ns, up.name);
      }
    }
    add({ key: "created", phase: "create", component: owner.kind === "Node" ? "kubelet" : "kube-controller-manager", title: `Created by ${owner.kind} ${owner.name}`, time, detail: chain, state: "done" });
  } else {
    add({ key: "created", phase: "create", component: manager ?? "client", title: "Created directly by a client", time: pod.metadata.creationTimestamp, detail: ["no owner: no controller will replace it if it goes"], state: "done" });
  }

  // 3. The scheduler binds it to a node (and says why other nodes did not fit).
  for (const e of own.filter((e) => e.reason === "FailedScheduling")) {
    add({ key: "FailedScheduling", phase: "create", component: "kube-scheduler", title: "Not schedulable yet", time: firstTime(e), detail: [`${e.message ?? ""}${count(e)}`], state: "failed" });
  }
  const scheduled = own.find((e) => e.reason === "Scheduled");
  if (scheduled) {
    add({ key: "scheduled", phase: "create", component: "kube-scheduler", title: `Scheduled to ${pod.spec?.nodeName ?? "a node"}`, time: firstTime(scheduled), detail: [scheduled.message ?? "", "bound through pods/binding: spec.nodeName set", ...otherNodes(pod, input.nodes ?? [])], state: "done" });
  } else if (pod.spec?.nodeName) {
    add({ key: "scheduled", phase: "create", component: "kube-apiserver", title: `Bound to ${pod.spec.nodeName}`, detail: ["spec.nodeName was set when the pod was created: the scheduler was not involved"], state: "done" });
  } else if (!deleting) {
    add({ key: "scheduled", phase: "create", component: "kube-scheduler", title: "Waiting for a node", detail: ["no node chosen yet"], state: "waiting" });
  }

  // 4. The kubelet on that node pulls images and starts containers (and reports what goes wrong).
  const kubeletEvents = own.filter((e) => (e.source?.component ?? e.reportingComponent) === "kubelet" && e.reason !== "Killing");
  for (const e of kubeletEvents) {
    const bad = e.type === "Warning";
    add({ key: `kubelet-${e.reason}`, phase: "create", component: `kubelet (${e.source?.host ?? pod.spec?.nodeName ?? ""})`, title: e.reason ?? "", time: firstTime(e), detail: [`${e.message ?? ""}${count(e)}`], state: bad ? "failed" : "done" });
  }

  // 5. Probes pass: the Ready condition.
  const ready = pod.status?.conditions?.find((c) => c.type === "Ready");
  const probes = (pod.spec?.containers ?? []).some((c) => c.readinessProbe) ? "readiness probe passing" : "no readiness probe: ready once started";
  if (ready?.status === "True") {
    add({ key: "ready", phase: "create", component: "kubelet", title: "Ready", time: ready.lastTransitionTime, detail: [probes, "condition Ready=True"], state: "done" });
  } else if (!deleting && pod.spec?.nodeName) {
    add({ key: "ready", phase: "create", component: "kubelet", title: "Not ready", time: ready?.lastTransitionTime, detail: [ready?.message ?? ready?.reason ?? "containers not ready yet"], state: "waiting" });
  }

  // 6. The EndpointSlice controller lists it behind the Services that select it.
  const ip = pod.status?.podIP;
  const listed = new Set<string>();
  for (const slice of input.endpointSlices) {
    if (slice.metadata?.namespace !== ns) continue;
    const entry = (slice.endpoints ?? []).find((e) => (uid && e.targetRef?.uid === uid) || (ip && e.addresses.includes(ip)));
    if (!entry) continue;
    const svc = slice.metadata?.labels?.["kubernetes.io/service-name"] ?? "?";
    listed.add(svc);
    const terminating = entry.conditions?.terminating === true;
    const ready = entry.conditions?.ready !== false;
    add({
      key: terminating ? "endpoints-removed" : "endpoints",
      phase: terminating ? "delete" : "create",
      component: "endpointslice-controller",
      title: terminating ? `Leaving Service ${svc}` : ready ? `In Service ${svc}'s endpoints` : `Listed by Service ${svc}, not ready: no traffic yet`,
      time: terminating ? terminatingSince(pod) : slice.metadata?.annotations?.["endpoints.kubernetes.io/last-change-trigger-time"],
      detail: [`EndpointSlice ${slice.metadata?.name}: ${entry.addresses.join(", ")} ready=${entry.conditions?.ready !== false}${terminating ? " terminating=true" : ""}`],
      state: terminating || ready ? "done" : "waiting",
    });
  }
  const labels = pod.metadata.labels ?? {};
  for (const svc of input.services) {
    const sel = svc.spec?.selector;
    if (svc.metadata?.namespace !== ns || !sel || Object.keys(sel).length === 0 || listed.has(svc.metadata?.name ?? "")) continue;
    if (!Object.entries(sel).every(([k, v]) => labels[k] === v)) continue;
    add({ key: "endpoints", phase: deleting ? "delete" : "create", component: "endpointslice-controller", title: deleting ? `Out of Service ${svc.metadata?.name}'s endpoints` : `Selected by Service ${svc.metadata?.name}`, detail: [deleting ? "removed from its EndpointSlices" : "not in its EndpointSlices yet: it gets there once it has an IP"], state: deleting ? "done" : "waiting" });
  }

  // 7. Deletion: who asked, the grace period, the kubelet stopping containers, the object gone.
  if (deleting) {
    const ownerDeleted = owner && input.events.find((e) => e.involvedObject.name === owner.name && e.reason === "SuccessfulDelete" && (e.message ?? "").includes(name));
    const grace = pod.metadata.deletionGracePeriodSeconds;
    const requestedAt = terminatingSince(pod);
    add({
      key: "requested",
      phase: "delete",
      component: ownerDeleted ? "kube-controller-manager" : "kube-apiserver",
      title: "Deletion requested",
      time: ownerDeleted ? firstTime(ownerDeleted) : requestedAt,
      detail: [ownerDeleted ? `${owner!.kind} ${owner!.name}: ${ownerDeleted.message}` : "DELETE accepted by the API server", pod.metadata.deletionTimestamp ? `deletionTimestamp ${pod.metadata.deletionTimestamp}${grace !== undefined ? ` (grace period ${grace}s)` : ""}` : ""].filter(Boolean),
      state: "done",
    });
    for (const e of own.filter((e) => e.reason === "Killing")) {
      add({ key: "Killing", phase: "delete", component: `kubelet (${e.source?.host ?? pod.spec?.nodeName ?? ""})`, title: "Killing", time: firstTime(e), detail: [e.message ?? ""], state: "done" });
    }
    // Gone once the kubelet saw the last container stop (its final status says when).
    const stopped = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])].map((c) => c.state?.terminated?.finishedAt).filter((t): t is string => Boolean(t)).sort();
    add({ key: "removed", phase: "delete", component: "kube-apiserver", title: input.gone ? "Removed from the API" : "Terminating", time: input.gone ? (stopped[stopped.length - 1] ?? pod.metadata.deletionTimestamp) : undefined, detail: [input.gone ? "the kubelet confirmed the containers stopped; the object is gone" : "waiting for the kubelet to stop the containers"], state: input.gone ? "done" : "waiting" });
  } else {
    // A container restarted by a failing liveness probe is killed too, while the pod lives on.
    for (const e of own.filter((e) => e.reason === "Killing")) {
      add({ key: "kubelet-Killing", phase: "create", component: `kubelet (${e.source?.host ?? ""})`, title: "Killing", time: firstTime(e), detail: [`${e.message ?? ""}${count(e)}`], state: "done" });
    }
  }

  // Order by time, and within a second (or without a time) by the flow's order: a step without a
  // time sorts as if at the time of the step before it in the flow.
  const rank = (s: StoryStep) => RANK[s.key.replace(/^kubelet-/, "")] ?? 10;
  const phase = (s: StoryStep) => (s.phase === "create" ? 0 : 1);
  const byFlow = steps.map((s, i) => ({ s, i })).sort((a, b) => phase(a.s) - phase(b.s) || rank(a.s) - rank(b.s) || a.i - b.i);
  let last = "";
  const keyed = byFlow.map(({ s, i }) => ({ s, i, t: (last = s.time && s.time > last ? s.time : last) }));
  return keyed.sort((a, b) => phase(a.s) - phase(b.s) || (a.t < b.t ? -1 : a.t > b.t ? 1 : 0) || rank(a.s) - rank(b.s) || a.i - b.i).map(({ s }) => s);
}
