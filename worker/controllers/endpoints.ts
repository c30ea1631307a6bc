// The Endpoints controller: for every Service with a selector, an Endpoints object of the same name
// listing the selected pods — ready ones under `addresses`, the others under `notReadyAddresses`
// (all of them under `addresses` with publishNotReadyAddresses) — with each Service port resolved
// on each pod. Terminating pods are dropped (unless publishNotReadyAddresses). It writes only when
// the subsets or the labels copied from the Service change, and deletes the Endpoints it made once
// their Service is gone. Services without a selector keep the Endpoints their user (or, for
// `default/kubernetes`, the apiserver) wrote.
// Models pkg/controller/endpoint/endpoints_controller.go syncService
import type { EndpointAddress, EndpointPort, Endpoints, EndpointSubset } from "kubernetes-types/core/v1";
import { findKind } from "../resources/registry";
import type { KubeObject } from "../resources/types";
import { deepEqual } from "../util/equal";
import {
  findPort,
  HEADLESS_LABEL,
  InputMemo,
  isPodReady,
  isServiceIPSet,
  labelsWithout,
  lastChangeTriggerTime,
  managedSelector,
  podAddresses,
  podIndex,
  type PodIndex,
  podOf,
  sameLabels,
  sameObjects,
  serviceFamily,
  serviceKey,
  shouldPodBeInEndpoints,
  shouldSetHostname,
  svcOf,
  TRIGGER_TIME_ANNOTATION,
  Writes,
} from "./service-endpoints";
import type { Controller, ControllerContext } from "./types";
import { namespaceTerminating } from "./workload-helpers";

const ENDPOINTS = findKind({ group: "", version: "v1", kind: "Endpoints" })!;

/** Addresses an Endpoints object holds at most; the rest are dropped and the object annotated. */
const MAX_CAPACITY = 1000;
const OVER_CAPACITY_ANNOTATION = "endpoints.kubernetes.io/over-capacity";
/** Endpoints used as leader-election locks have no Service and are not the controller's. */
const LEADER_ANNOTATION = "control-plane.alpha.kubernetes.io/leader";

interface Entry {
  address: EndpointAddress;
  /** Undefined for a headless Service without ports. */
  port?: EndpointPort;
  ready: boolean;
}

function addressKey(a: EndpointAddress): string {
  return `${a.ip}\u0000${a.targetRef?.uid ?? ""}`;
}

function portKey(p: EndpointPort | undefined): string {
  return p ? JSON.stringify([p.port, p.protocol ?? "TCP", p.name ?? "", p.appProtocol ?? ""]) : "";
}

// Models pkg/api/v1/endpoints/util.go LessEndpointAddress
function compareAddresses(a: EndpointAddress, b: EndpointAddress): number {
  if (a.ip !== b.ip) return a.ip < b.ip ? -1 : 1;
  const au = a.targetRef?.uid ?? "";
  const bu = b.targetRef?.uid ?? "";
  return au < bu ? -1 : au > bu ? 1 : 0;
}

/**
 * Groups (address, port) pairs into subsets: addresses offering the same ports (with the same
 * readiness) share one. Not-ready wins when a pod is both for one port. Addresses sort by IP, ports
 * by number and protocol (upstream sorts ports and subsets by a hash, which only needs to be
 * stable), so equal inputs give equal objects.
 */
// Models pkg/api/v1/endpoints/util.go RepackSubsets
export function repackSubsets(entries: Entry[]): EndpointSubset[] {
  const addresses = new Map<string, EndpointAddress>();
  const ports = new Map<string, EndpointPort | undefined>();
  const readyByPort = new Map<string, Map<string, boolean>>();
  for (const e of entries) {
    const ak = addressKey(e.address);
    if (!addresses.has(ak)) addresses.set(ak, e.address);
    const pk = portKey(e.port);
    ports.set(pk, e.port);
    let byAddress = readyByPort.get(pk);
    if (!byAddress) readyByPort.set(pk, (byAddress = new Map()));
    if (byAddress.get(ak) !== false) byAddress.set(ak, e.ready);
  }
  // Ports offered by exactly the same addresses (with the same readiness) go together.
  const groups = new Map<string, { byAddress: Map<string, boolean>; ports: (EndpointPort | undefined)[] }>();
  for (const [pk, byAddress] of readyByPort) {
    const signature = JSON.stringify([...byAddress].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    const group = groups.get(signature);
    if (group) group.ports.push(ports.get(pk));
    else groups.set(signature, { byAddress, ports: [ports.get(pk)] });
  }
  const subsets: EndpointSubset[] = [];
  for (const { byAddress, ports: groupPorts } of groups.values()) {
    const ready: EndpointAddress[] = [];
    const notReady: EndpointAddress[] = [];
    for (const [ak, isReady] of byAddress) (isReady ? ready : notReady).push(addresses.get(ak)!);
    const subset: EndpointSubset = {};
    if (ready.length) subset.addresses = ready.sort(compareAddresses);
    if (notReady.length) subset.notReadyAddresses = notReady.sort(compareAddresses);
    const defined = groupPorts.filter((p): p is EndpointPort => p !== undefined);
    if (defined.length) {
      subset.ports = defined.sort((a, b) => a.port - b.port || (a.protocol ?? "").localeCompare(b.protocol ?? "") || (a.name ?? "").localeCompare(b.name ?? ""));
    }
    subsets.push(subset);
  }
  const order = (s: EndpointSubset) => JSON.stringify([s.ports?.map((p) => portKey(p)) ?? [], (s.addresses ?? s.notReadyAddresses ?? [])[0]?.ip ?? ""]);
  return subsets.sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
}

/** The address of a pod for a Service, as the Endpoints list it. */
// Models pkg/controller/endpoint/endpoints_controller.go podToEndpointAddressForService
function podAddress(svc: KubeObject, pod: KubeObject): EndpointAddress | undefined {
  const ip = podAddresses(pod, serviceFamily(svc))[0];
  if (!ip) return undefined;
  const spec = podOf(pod).spec;
  const address: EndpointAddress = { ip };
  if (shouldSetHostname(pod, svc)) address.hostname = spec?.hostname;
  if (spec?.nodeName) address.nodeName = spec.nodeName;
  address.targetRef = { kind: "Pod", namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid };
  return address;
}

/** The subsets a Service's selected pods give, and the pods they list. */
export function desiredSubsets(svc: KubeObject, pods: KubeObject[]): { subsets: EndpointSubset[]; listed: KubeObject[] } {
  const spec = svcOf(svc).spec ?? {};
  const tolerate = spec.publishNotReadyAddresses === true;
  const servicePorts = spec.ports ?? [];
  const entries: Entry[] = [];
  const listed: KubeObject[] = [];
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, tolerate)) continue;
    const address = podAddress(svc, pod);
    if (!address) continue;
    const ready = tolerate || isPodReady(pod);
    const before = entries.length;
    if (servicePorts.length === 0) {
      // A headless Service may have no ports: its pods are listed by address alone.
      if (spec.clusterIP === "None") entries.push({ address, ready });
    } else {
      for (const sp of servicePorts) {
        const port = findPort(pod, sp);
        if (port === undefined) continue;
        const ep: EndpointPort = { port, protocol: sp.protocol ?? "TCP" };
        if (sp.name) ep.name = sp.name;
        if (sp.appProtocol) ep.appProtocol = sp.appProtocol;
        entries.push({ address, port: ep, ready });
      }
    }
    if (entries.length > before) listed.push(pod);
  }
  return { subsets: repackSubsets(entries), listed };
}

/**
 * Keeps at most MAX_CAPACITY addresses, ready ones first, spreading the cut over the subsets in
 * proportion to their size; true when something was dropped.
 */
// Models pkg/controller/endpoint/endpoints_controller.go truncateEndpoints
export function truncateSubsets(subsets: EndpointSubset[]): boolean {
  let totalReady = 0;
  let totalNotReady = 0;
  for (const s of subsets) {
    totalReady += (s.addresses ?? []).length;
    totalNotReady += (s.notReadyAddresses ?? []).length;
  }
  if (totalReady + totalNotReady <= MAX_CAPACITY) return false;
  const truncateReady = totalReady > MAX_CAPACITY;
  const max = truncateReady ? MAX_CAPACITY : MAX_CAPACITY - totalReady;
  const numTotal = truncateReady ? totalReady : totalNotReady;
  let canBeAdded = max;
  for (const s of subsets) {
    const inSubset = truncateReady ? (s.addresses ?? []).length : (s.notReadyAddresses ?? []).length;
    const toBeAdded = Math.min(Math.ceil((inSubset / numTotal) * max), canBeAdded);
    if (truncateReady) {
      if (s.addresses) s.addresses = s.addresses.slice(0, toBeAdded);
      delete s.notReadyAddresses;
      canBeAdded -= (s.addresses ?? []).length;
    } else {
      if (s.notReadyAddresses) s.notReadyAddresses = s.notReadyAddresses.slice(0, toBeAdded);
      canBeAdded -= (s.notReadyAddresses ?? []).length;
    }
  }
  return true;
}

/** The labels of a Service's Endpoints: the Service's, marked headless when it has no cluster IP. */
function endpointsLabels(svc: KubeObject): Record<string, string> {
  const labels = labelsWithout(svc.metadata.labels, [HEADLESS_LABEL]);
  if (!isServiceIPSet(svc)) labels[HEADLESS_LABEL] = "";
  return labels;
}

/** Readiness by pod uid of the addresses an Endpoints object lists. */
function listedReadiness(ep: KubeObject | undefined): Map<string, boolean> {
  const out = new Map<string, boolean>();
  for (const s of (ep as Endpoints | undefined)?.subsets ?? []) {
    for (const a of s.addresses ?? []) if (a.targetRef?.uid && !out.has(a.targetRef.uid)) out.set(a.targetRef.uid, true);
    for (const a of s.notReadyAddresses ?? []) if (a.targetRef?.uid) out.set(a.targetRef.uid, false);
  }
  return out;
}

/**
 * The Endpoints a Service should have, given the stored one; undefined when the stored one is
 * already right (so a settled sandbox writes nothing).
 */
export function nextEndpoints(svc: KubeObject, pods: KubeObject[], current: KubeObject | undefined): KubeObject | undefined {
  const { subsets, listed } = desiredSubsets(svc, pods);
  const truncated = truncateSubsets(subsets);
  const svcLabels = labelsWithout(svc.metadata.labels, [HEADLESS_LABEL]);
  if (
    current &&
    deepEqual((current as Endpoints).subsets ?? [], subsets) &&
    sameLabels(labelsWithout(current.metadata.labels, [HEADLESS_LABEL]), svcLabels) &&
    (current.metadata.annotations?.[OVER_CAPACITY_ANNOTATION] !== undefined) === truncated
  ) {
    return undefined;
  }
  const next: KubeObject = current
    ? structuredClone(current)
    : { apiVersion: "v1", kind: "Endpoints", metadata: { name: svc.metadata.name, namespace: svc.metadata.namespace } };
  const labels = endpointsLabels(svc);
  if (Object.keys(labels).length) next.metadata.labels = labels;
  else delete next.metadata.labels;

  const annotations = { ...(next.metadata.annotations ?? {}) };
  const tolerate = svcOf(svc).spec?.publishNotReadyAddresses === true;
  const known = listedReadiness(current);
  const trigger = lastChangeTriggerTime(svc, listed, !current, (pod) => known.get(pod.metadata.uid ?? "") === (tolerate || isPodReady(pod)));
  if (trigger) annotations[TRIGGER_TIME_ANNOTATION] = trigger;
  else delete annotations[TRIGGER_TIME_ANNOTATION];
  if (truncated) annotations[OVER_CAPACITY_ANNOTATION] = "truncated";
  else delete annotations[OVER_CAPACITY_ANNOTATION];
  if (Object.keys(annotations).length) next.metadata.annotations = annotations;
  else delete next.metadata.annotations;

  if (subsets.length) next.subsets = subsets;
  else delete next.subsets;
  return next;
}

/** Per Service, the inputs last found to need no write (the same objects need none again). */
const verified = new WeakMap<KubeObject, { pods: KubeObject[]; current: KubeObject | undefined }>();

function syncService(ctx: ControllerContext, writes: Writes, index: PodIndex, svc: KubeObject): void {
  const selector = managedSelector(svc);
  if (!selector) return;
  const namespace = svc.metadata.namespace ?? "";
  const current = ctx.get("/endpoints", namespace, svc.metadata.name ?? "");
  const pods = index.select(namespace, selector);
  const seen = verified.get(svc);
  if (seen && seen.current === current && sameObjects(seen.pods, pods)) return;
  const next = nextEndpoints(svc, pods, current);
  if (!next) {
    verified.set(svc, { pods, current });
    return;
  }
  if (current) writes.update(ENDPOINTS, next);
  // A namespace being deleted takes no new content (upstream's create is refused).
  else if (!namespaceTerminating(ctx, namespace)) writes.create(ENDPOINTS, next);
}

/** Whether an Endpoints object is one this controller wrote: every address points at a pod. */
function madeByController(ep: KubeObject): boolean {
  if (ep.metadata.annotations?.[LEADER_ANNOTATION] !== undefined) return false;
  return ((ep as Endpoints).subsets ?? []).every((s) => [...(s.addresses ?? []), ...(s.notReadyAddresses ?? [])].every((a) => a.targetRef?.kind === "Pod"));
}

const memo = new InputMemo();

export const endpointsController: Controller = (ctx) => {
  const all = ctx.list("/services");
  const endpoints = ctx.list("/endpoints");
  const index = podIndex(ctx);
  const inputs = [all, endpoints, ...index.podsFor(all)];
  if (memo.matches(inputs)) return;
  const writes = new Writes(ctx);
  const services = new Set<string>();
  for (const svc of all) {
    services.add(serviceKey(svc.metadata.namespace, svc.metadata.name));
    syncService(ctx, writes, index, svc);
  }
  // Upstream deletes the Endpoints of a Service when it sees the Service go. Endpoints written by
  // hand (addresses that name no pod) for a Service still to come stay.
  for (const ep of endpoints) {
    if (services.has(serviceKey(ep.metadata.namespace, ep.metadata.name)) || !madeByController(ep)) continue;
    writes.delete(ENDPOINTS, ep);
  }
  memo.remember(inputs, writes.count > 0);
};
