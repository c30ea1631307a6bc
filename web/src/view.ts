// The live cluster view: nodes with their pods, workloads, services with endpoints, volumes, events.
// Each panel is a pure rendering of the cache; the console re-renders the visible one on change.
import type { Event as CoreV1Event, Node, PersistentVolume, PersistentVolumeClaim, Pod, Service } from "kubernetes-types/core/v1";
import type { DaemonSet, Deployment, ReplicaSet, StatefulSet } from "kubernetes-types/apps/v1";
import type { CronJob, Job } from "kubernetes-types/batch/v1";
import type { EndpointSlice } from "kubernetes-types/discovery/v1";
import type { KubeObject } from "./api";
import type { ClusterCache } from "./cache";
import { h, type Child } from "./dom";
import { age, nodeReady, nodeRoles, podStatus, podTone, readyCount } from "./status";

export interface ViewContext {
  cache: ClusterCache;
  /** Virtual time now, in ms. */
  now(): number;
  /** Namespace shown ("" for all). */
  namespace(): string;
}

/** A button that opens an object's detail: the console delegates clicks on `[data-open]`. */
export function objectLink(resource: string, o: KubeObject, label?: Child, cls = "link"): HTMLElement {
  const ref = `${resource}/${o.metadata.namespace ?? ""}/${o.metadata.name}`;
  return h("button", { type: "button", class: cls, "data-open": ref, "data-key": ref }, label ?? o.metadata.name ?? "");
}

const inNamespace = (ctx: ViewContext) => (o: KubeObject) => !ctx.namespace() || o.metadata.namespace === ctx.namespace();
const byName = (a: KubeObject, b: KubeObject) => `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`);

function table(headers: string[], rows: Child[][], empty: string): HTMLElement {
  if (rows.length === 0) return h("p", { class: "empty" }, empty);
  return h(
    "div",
    { class: "scroll" },
    h("table", null, h("thead", null, h("tr", null, headers.map((t) => h("th", { scope: "col" }, t)))), h("tbody", null, rows.map((r) => h("tr", null, r.map((c) => h("td", null, c)))))),
  );
}

function podChip(pod: Pod): HTMLElement {
  const status = podStatus(pod);
  const label = `${pod.metadata?.namespace}/${pod.metadata?.name}: ${status} ${readyCount(pod)}`;
  // The state is written out, not only coloured: the dot's colour repeats it for a glance.
  const chip = objectLink("pods", pod as KubeObject, [h("span", { class: "dot", "aria-hidden": "true" }), h("span", { class: "pod-name" }, pod.metadata?.name ?? ""), h("span", { class: "pod-state" }, status)], `pod ${podTone(pod)}`);
  chip.title = label;
  chip.setAttribute("aria-label", label);
  return chip;
}

export function renderNodes(ctx: ViewContext): Child {
  const pods = ctx.cache.list<Pod & KubeObject>("pods").filter(inNamespace(ctx)).sort(byName);
  const nodes = ctx.cache.list<Node & KubeObject>("nodes").sort(byName);
  const onNode = new Map<string, Pod[]>();
  for (const p of pods) {
    const n = p.spec?.nodeName ?? "";
    onNode.set(n, [...(onNode.get(n) ?? []), p]);
  }
  const card = (title: Child, meta: Child, list: Pod[], key: string) =>
    h(
      "article",
      { class: "node", "data-node": key },
      h("header", null, title),
      meta,
      list.length ? h("ul", { class: "pods" }, list.map((p) => h("li", null, podChip(p)))) : h("p", { class: "empty" }, "no pods"),
    );
  const cards = nodes.map((n) => {
    const ready = nodeReady(n);
    const ip = n.status?.addresses?.find((a) => a.type === "InternalIP")?.address ?? "";
    return card(
      [h("h3", null, objectLink("nodes", n, n.metadata?.name)), nodeRoles(n) === "<none>" ? null : h("span", { class: "tag" }, nodeRoles(n)), h("span", { class: `pill ${ready === "Ready" ? "ok" : "bad"}` }, ready)],
      h("p", { class: "meta" }, [ip, n.spec?.podCIDR, `${n.status?.capacity?.cpu ?? "?"} CPU`].filter(Boolean).join(" · ")),
      onNode.get(n.metadata?.name ?? "") ?? [],
      n.metadata?.name ?? "",
    );
  });
  const pending = onNode.get("") ?? [];
  if (pending.length) cards.push(card(h("h3", null, "Not scheduled"), h("p", { class: "meta" }, "waiting for the scheduler"), pending, ""));
  return [h("div", { class: "nodes" }, cards), legend()];
}

function legend(): HTMLElement {
  const item = (tone: string, text: string) => h("li", null, h("span", { class: `dot ${tone}`, "aria-hidden": "true" }), text);
  return h("ul", { class: "legend", "aria-label": "pod colours" }, item("ok", "running and ready"), item("progress", "starting or not ready"), item("bad", "failing"), item("done", "completed"), item("ending", "terminating"));
}

export function renderWorkloads(ctx: ViewContext): Child {
  const now = ctx.now();
  const rows: Child[][] = [];
  const row = (resource: string, kind: string, o: KubeObject, pods: string, info: string) =>
    rows.push([kind, o.metadata.namespace ?? "", objectLink(resource, o), pods, info, age(o.metadata.creationTimestamp, now)]);
  const of = <T>(key: string) => ctx.cache.list<T & KubeObject>(key).filter(inNamespace(ctx)).sort(byName);
  for (const d of of<Deployment>("deployments")) {
    const s = d.status ?? {};
    row("deployments", "Deployment", d, `${s.readyReplicas ?? 0}/${d.spec?.replicas ?? 1}`, `${s.updatedReplicas ?? 0} up-to-date, ${s.availableReplicas ?? 0} available`);
  }
  for (const r of of<ReplicaSet>("replicasets")) row("replicasets", "ReplicaSet", r, `${r.status?.readyReplicas ?? 0}/${r.spec?.replicas ?? 1}`, `${r.status?.replicas ?? 0} current`);
  for (const s of of<StatefulSet>("statefulsets")) row("statefulsets", "StatefulSet", s, `${s.status?.readyReplicas ?? 0}/${s.spec?.replicas ?? 1}`, `service ${s.spec?.serviceName ?? ""}`);
  for (const d of of<DaemonSet>("daemonsets")) {
    const s = d.status;
    row("daemonsets", "DaemonSet", d, `${s?.numberReady ?? 0}/${s?.desiredNumberScheduled ?? 0}`, `${s?.updatedNumberScheduled ?? 0} up-to-date`);
  }
  for (const j of of<Job>("jobs")) {
    const done = j.status?.conditions?.find((c) => (c.type === "Complete" || c.type === "Failed") && c.status === "True")?.type;
    row("jobs", "Job", j, `${j.status?.succeeded ?? 0}/${j.spec?.completions ?? 1}`, done ?? (j.status?.active ? `${j.status.active} active` : "Pending"));
  }
  for (const c of of<CronJob>("cronjobs")) row("cronjobs", "CronJob", c, `${c.status?.active?.length ?? 0} active`, `${c.spec?.schedule ?? ""}${c.spec?.suspend ? " (suspended)" : ""}`);
  return table(["Kind", "Namespace", "Name", "Pods", "Status", "Age"], rows, "No workloads.");
}

export function endpointsOf(ctx: ViewContext, svc: Service & KubeObject): Child {
  const slices = ctx.cache
    .list<EndpointSlice & KubeObject>("endpointslices")
    .filter((s) => s.metadata.namespace === svc.metadata.namespace && s.metadata.labels?.["kubernetes.io/service-name"] === svc.metadata.name);
  const items: Child[] = [];
  for (const s of slices) {
    const port = s.ports?.[0]?.port;
    for (const e of s.endpoints ?? []) {
      const ready = e.conditions?.ready !== false;
      const addr = `${e.addresses[0]}${port ? `:${port}` : ""}`;
      const pod = e.targetRef?.kind === "Pod" ? ctx.cache.get("pods", e.targetRef.namespace, e.targetRef.name ?? "") : undefined;
      items.push(h("li", { class: ready ? "ready" : "notready" }, addr, pod ? [" ", objectLink("pods", pod, `(${pod.metadata.name})`)] : null, ready ? null : " not ready"));
    }
  }
  return items.length ? h("ul", { class: "endpoints" }, items) : h("span", { class: "empty" }, "<none>");
}

export function renderServices(ctx: ViewContext): Child {
  const now = ctx.now();
  const rows = ctx.cache
    .list<Service & KubeObject>("services")
    .filter(inNamespace(ctx))
    .sort(byName)
    .map((s) => [
      s.metadata.namespace ?? "",
      objectLink("services", s),
      s.spec?.type ?? "ClusterIP",
      s.spec?.clusterIP ?? "",
      (s.spec?.ports ?? []).map((p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ""}/${p.protocol ?? "TCP"}`).join(", "),
      endpointsOf(ctx, s),
      age(s.metadata.creationTimestamp, now),
    ]);
  return table(["Namespace", "Name", "Type", "Cluster IP", "Ports", "Endpoints", "Age"], rows, "No services.");
}

export function renderVolumes(ctx: ViewContext): Child {
  const now = ctx.now();
  const pvcs = ctx.cache
    .list<PersistentVolumeClaim & KubeObject>("persistentvolumeclaims")
    .filter(inNamespace(ctx))
    .sort(byName)
    .map((c) => [
      c.metadata.namespace ?? "",
      objectLink("persistentvolumeclaims", c),
      c.status?.phase ?? "Pending",
      c.spec?.volumeName ? objectLink("persistentvolumes", { metadata: { name: c.spec.volumeName } }) : "",
      c.status?.capacity?.storage ?? c.spec?.resources?.requests?.storage ?? "",
      (c.spec?.accessModes ?? []).join(","),
      c.spec?.storageClassName ?? "",
      age(c.metadata.creationTimestamp, now),
    ]);
  const pvs = ctx.cache
    .list<PersistentVolume & KubeObject>("persistentvolumes")
    .sort(byName)
    .map((v) => [
      objectLink("persistentvolumes", v),
      v.spec?.capacity?.storage ?? "",
      (v.spec?.accessModes ?? []).join(","),
      v.spec?.persistentVolumeReclaimPolicy ?? "",
      v.status?.phase ?? "",
      v.spec?.claimRef ? `${v.spec.claimRef.namespace}/${v.spec.claimRef.name}` : "",
      age(v.metadata.creationTimestamp, now),
    ]);
  return [
    h("h3", null, "PersistentVolumeClaims"),
    table(["Namespace", "Name", "Status", "Volume", "Capacity", "Access", "StorageClass", "Age"], pvcs, "No claims."),
    h("h3", null, "PersistentVolumes"),
    table(["Name", "Capacity", "Access", "Reclaim", "Status", "Claim", "Age"], pvs, "No volumes."),
  ];
}

export const eventTime = (e: CoreV1Event) => e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata?.creationTimestamp ?? "";

/** Events, newest first; `filter` narrows them to one object's. */
export function eventRows(ctx: ViewContext, filter?: (e: CoreV1Event) => boolean, limit = 200): HTMLElement {
  const now = ctx.now();
  const events = ctx.cache
    .list<CoreV1Event & KubeObject>("events")
    .filter(filter ?? inNamespace(ctx))
    .sort((a, b) => eventTime(b).localeCompare(eventTime(a)) || (b.metadata.resourceVersion ?? "").localeCompare(a.metadata.resourceVersion ?? ""))
    .slice(0, limit);
  const resourceOf: Record<string, string> = { Pod: "pods", Node: "nodes", Deployment: "deployments", ReplicaSet: "replicasets", Service: "services", Job: "jobs" };
  const rows = events.map((e) => {
    const io = e.involvedObject;
    const target = resourceOf[io.kind ?? ""];
    const obj = target ? ctx.cache.get(target, io.namespace, io.name ?? "") : undefined;
    const label = `${(io.kind ?? "").toLowerCase()}/${io.name}`;
    return [
      age(eventTime(e), now),
      h("span", { class: e.type === "Warning" ? "warn" : "" }, e.type ?? ""),
      e.reason ?? "",
      obj && target ? objectLink(target, obj, label) : label,
      [e.message ?? "", (e.count ?? 1) > 1 ? h("span", { class: "count" }, ` ×${e.count}`) : null],
    ];
  });
  return table(["Last seen", "Type", "Reason", "Object", "Message"], rows, "No events.");
}

export function renderEvents(ctx: ViewContext): Child {
  return eventRows(ctx);
}

