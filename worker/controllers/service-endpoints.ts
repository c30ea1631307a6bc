// What the Endpoints and EndpointSlice controllers share: which Services they manage, which pods back
// a Service (found through an index of the pass's pods by namespace and label, so a thousand
// Services do not each scan every pod), each pod's address and ports for it, and the
// last-change-trigger-time annotation both objects carry.
import type { Pod, Service, ServicePort } from "kubernetes-types/core/v1";
import type { ResourceType } from "../resources/registry";
import type { KubeObject } from "../resources/types";
import { isPodReady, timeOf } from "./replica-pods";
import type { ControllerContext } from "./types";

export const TRIGGER_TIME_ANNOTATION = "endpoints.kubernetes.io/last-change-trigger-time";
export const HEADLESS_LABEL = "service.kubernetes.io/headless";

export const svcOf = (obj: KubeObject) => obj as unknown as Service;
export const podOf = (obj: KubeObject) => obj as unknown as Pod;

/**
 * The selector of a Service the endpoint controllers fill in; undefined for ExternalName Services
 * and Services without a selector, whose endpoints are the user's (or the apiserver's, for
 * `default/kubernetes`). An empty selector counts as none: upstream stores Services as protobuf,
 * which keeps no empty map.
 */
// Models pkg/controller/endpoint/endpoints_controller.go syncService (the early returns)
export function managedSelector(svc: KubeObject): Record<string, string> | undefined {
  const spec = svcOf(svc).spec;
  if (spec?.type === "ExternalName") return undefined;
  const selector = spec?.selector;
  if (!selector || Object.keys(selector).length === 0) return undefined;
  return selector;
}

export function serviceKey(namespace: string | undefined, name: string | undefined): string {
  return `${namespace ?? ""}/${name ?? ""}`;
}

/** Whether two lists hold the very same objects in the same order. */
export function sameObjects(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Remembers what a controller read on its last pass that found nothing to write. The store hands out
 * the same object until it changes, so when every list holds the very same objects as then, nothing
 * the controller decides from can have changed and the pass can be skipped: a settled sandbox costs
 * a few identity comparisons, not a recomputation of every Service.
 */
export class InputMemo {
  private quiet: KubeObject[][] | undefined;

  matches(lists: KubeObject[][]): boolean {
    const quiet = this.quiet;
    return !!quiet && lists.length === quiet.length && lists.every((l, i) => sameObjects(l, quiet[i]));
  }

  /** Records the lists of a pass that wrote nothing; a pass that wrote forgets them. */
  remember(lists: KubeObject[][], wrote: boolean): void {
    this.quiet = wrote ? undefined : lists;
  }
}

/** Counts a controller's writes in a pass, passing them on to the context. */
export class Writes {
  count = 0;

  constructor(private readonly ctx: ControllerContext) {}

  create(t: ResourceType, obj: KubeObject): void {
    this.count++;
    this.ctx.create(t, obj);
  }

  update(t: ResourceType, obj: KubeObject): void {
    this.count++;
    this.ctx.update(t, obj);
  }

  delete(t: ResourceType, obj: KubeObject): void {
    this.count++;
    this.ctx.delete(t, obj);
  }
}

interface NamespacePods {
  pods: KubeObject[];
  /** Pods by `key\0value` of each label, in name order. */
  byLabel: Map<string, KubeObject[]>;
}

/** The last index built per namespace, reused while the namespace's pods are the same objects. */
const namespaceIndexes = new Map<string, NamespacePods>();

/** One pass's pods, indexed per namespace on first use. */
export class PodIndex {
  private readonly namespaces = new Map<string, NamespacePods>();
  private readonly lists = new Map<string, KubeObject[]>();

  constructor(private readonly ctx: ControllerContext) {}

  /** Pods of `namespace` whose labels carry every pair of `selector`, in name order. */
  select(namespace: string, selector: Record<string, string>): KubeObject[] {
    const ns = this.namespace(namespace);
    const { keys, entries } = selectorKeys(selector);
    let shortest: KubeObject[] | undefined;
    for (const key of keys) {
      const posting = ns.byLabel.get(key);
      if (!posting) return [];
      if (!shortest || posting.length < shortest.length) shortest = posting;
    }
    if (!shortest) return [];
    if (entries.length === 1) return shortest.slice();
    return shortest.filter((p) => entries.every(([k, v]) => p.metadata.labels?.[k] === v));
  }

  /** The pods of a namespace, listed once per pass. */
  pods(namespace: string): KubeObject[] {
    let pods = this.lists.get(namespace);
    if (!pods) this.lists.set(namespace, (pods = this.ctx.list("/pods", namespace)));
    return pods;
  }

  /** The pods of the namespaces of `services`, one list per namespace (what a memo compares). */
  podsFor(services: KubeObject[]): KubeObject[][] {
    const namespaces = new Set(services.map((s) => s.metadata.namespace ?? ""));
    return [...namespaces].sort().map((ns) => this.pods(ns));
  }

  private namespace(namespace: string): NamespacePods {
    let ns = this.namespaces.get(namespace);
    if (ns) return ns;
    const pods = this.pods(namespace);
    const cached = namespaceIndexes.get(namespace);
    if (cached && (sameObjects(cached.pods, pods) || patchIndex(cached, pods))) {
      ns = cached;
    } else {
      ns = { pods, byLabel: new Map() };
      for (const pod of pods) {
        for (const [k, v] of Object.entries(pod.metadata.labels ?? {})) {
          const key = `${k}\u0000${v}`;
          const posting = ns.byLabel.get(key);
          if (posting) posting.push(pod);
          else ns.byLabel.set(key, [pod]);
        }
      }
      namespaceIndexes.set(namespace, ns);
    }
    this.namespaces.set(namespace, ns);
    return ns;
  }
}

/** A selector's index keys and pairs, worked out once per selector object. */
const selectorCache = new WeakMap<Record<string, string>, { keys: string[]; entries: [string, string][] }>();
function selectorKeys(selector: Record<string, string>): { keys: string[]; entries: [string, string][] } {
  let hit = selectorCache.get(selector);
  if (!hit) {
    const entries = Object.entries(selector);
    selectorCache.set(selector, (hit = { keys: entries.map(([k, v]) => `${k}\u0000${v}`), entries }));
  }
  return hit;
}

/** Most pod writes change a pod's status, not its name or labels: swap the new objects in. */
const MAX_PATCHED = 64;
function patchIndex(index: NamespacePods, pods: KubeObject[]): boolean {
  if (index.pods.length !== pods.length) return false;
  const changed: number[] = [];
  for (let i = 0; i < pods.length; i++) {
    const before = index.pods[i];
    const after = pods[i];
    if (before === after) continue;
    if (before.metadata.name !== after.metadata.name || !sameLabels(before.metadata.labels ?? {}, after.metadata.labels ?? {})) return false;
    changed.push(i);
    if (changed.length > MAX_PATCHED) return false;
  }
  for (const i of changed) {
    const before = index.pods[i];
    for (const [k, v] of Object.entries(before.metadata.labels ?? {})) {
      const posting = index.byLabel.get(`${k}\u0000${v}`)!;
      posting[posting.indexOf(before)] = pods[i];
    }
  }
  index.pods = pods;
  return true;
}

/**
 * The pass's pod index. The endpoint controllers run next to each other and write no pods, so they
 * share one; a pod written by a controller in between is seen on the next pass that write causes.
 */
const indexes = new WeakMap<ControllerContext, PodIndex>();
export function podIndex(ctx: ControllerContext): PodIndex {
  let index = indexes.get(ctx);
  if (!index) indexes.set(ctx, (index = new PodIndex(ctx)));
  return index;
}

function isTerminal(pod: KubeObject): boolean {
  const phase = podOf(pod).status?.phase;
  return phase === "Succeeded" || phase === "Failed";
}

/** Whether a pod has an address to publish at all; terminating pods only when asked for. */
// Models staging/src/k8s.io/endpointslice/util/controller_utils.go ShouldPodBeInEndpoints
export function shouldPodBeInEndpoints(pod: KubeObject, includeTerminating: boolean): boolean {
  if (isTerminal(pod)) return false;
  const status = podOf(pod).status;
  if (!status?.podIP && !(status?.podIPs ?? []).length) return false;
  if (!includeTerminating && pod.metadata.deletionTimestamp) return false;
  return true;
}

export { isPodReady };

function isIPv6(ip: string): boolean {
  return ip.includes(":");
}

/** The Service's IP family (its first); what `ipFamilies` says, else what its cluster IP is. */
export function serviceFamily(svc: KubeObject): "IPv4" | "IPv6" {
  const spec = svcOf(svc).spec;
  const first = spec?.ipFamilies?.[0];
  if (first === "IPv4" || first === "IPv6") return first;
  const ip = spec?.clusterIP;
  return ip && ip !== "None" && isIPv6(ip) ? "IPv6" : "IPv4";
}

/** The pod's addresses of one family, as the pod reports them. */
export function podAddresses(pod: KubeObject, family: "IPv4" | "IPv6"): string[] {
  const status = podOf(pod).status;
  const ips = (status?.podIPs ?? []).map((p) => p.ip).filter((ip): ip is string => !!ip);
  if (!ips.length && status?.podIP) ips.push(status.podIP);
  return ips.filter((ip) => isIPv6(ip) === (family === "IPv6"));
}

/** Whether the Service has a cluster IP (is not headless). */
export function isServiceIPSet(svc: KubeObject): boolean {
  const ip = svcOf(svc).spec?.clusterIP;
  return !!ip && ip !== "None";
}

/** A pod's hostname is published for the headless Service named by its subdomain. */
// Models staging/src/k8s.io/endpointslice/util/controller_utils.go ShouldSetHostname
export function shouldSetHostname(pod: KubeObject, svc: KubeObject): boolean {
  const spec = podOf(pod).spec;
  return !!spec?.hostname && spec.subdomain === svc.metadata.name && svc.metadata.namespace === pod.metadata.namespace;
}

/**
 * The container port a Service port reaches on a pod: a number as is, a name looked up among the
 * containers' (and sidecars') named ports of the same protocol; undefined when the pod has none.
 */
// Models staging/src/k8s.io/endpointslice/utils.go FindPort
export function findPort(pod: KubeObject, sp: ServicePort): number | undefined {
  const target = sp.targetPort ?? sp.port;
  if (typeof target === "number") return target;
  const protocol = sp.protocol ?? "TCP";
  const spec = podOf(pod).spec;
  const sidecars = (spec?.initContainers ?? []).filter((c) => c.restartPolicy === "Always");
  for (const c of [...(spec?.containers ?? []), ...sidecars]) {
    for (const p of c.ports ?? []) {
      if (p.name === target && (p.protocol ?? "TCP") === protocol) return p.containerPort;
    }
  }
  return undefined;
}

/** When a pod last changed in a way that moves an endpoint: its Ready condition's transition. */
function podTriggerTime(pod: KubeObject): number | undefined {
  const ready = podOf(pod).status?.conditions?.find((c) => c.type === "Ready");
  return timeOf(ready?.lastTransitionTime);
}

/** Go's RFC3339Nano, which leaves out a zero fraction. */
function formatTriggerTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.?0*Z$/, "Z");
}

/**
 * The value of the last-change-trigger-time annotation for a write of a Service's endpoints, or
 * undefined to drop it. Upstream keeps in memory each pod's Ready transition time as of its previous
 * sync and reports the earliest one that moved since (the Service's creation for a Service it has
 * not seen yet). Here the stored object is that memory: `listed(pod)` says whether it already shows
 * the pod with the readiness the pod has now, and every published pod it does not is a change. A
 * write that only removes pods (a deletion) has no trigger time, as upstream.
 */
// Models staging/src/k8s.io/endpointslice/util/trigger_time_tracker.go ComputeEndpointLastChangeTriggerTime
export function lastChangeTriggerTime(svc: KubeObject, published: KubeObject[], isNew: boolean, listed: (pod: KubeObject) => boolean): string | undefined {
  if (isNew) {
    const created = timeOf(svc.metadata.creationTimestamp);
    return created === undefined ? undefined : formatTriggerTime(created);
  }
  let min: number | undefined;
  for (const pod of published) {
    if (listed(pod)) continue;
    const t = podTriggerTime(pod);
    if (t !== undefined && (min === undefined || t < min)) min = t;
  }
  return min === undefined ? undefined : formatTriggerTime(min);
}

/** `labels` without the keys in `drop`, or undefined when nothing is left. */
export function labelsWithout(labels: Record<string, string> | undefined, drop: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels ?? {})) if (!drop.includes(k)) out[k] = v;
  return out;
}

export function sameLabels(a: Record<string, string>, b: Record<string, string>): boolean {
  const ak = Object.keys(a);
  return ak.length === Object.keys(b).length && ak.every((k) => b[k] === a[k]);
}
