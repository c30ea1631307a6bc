// The EndpointSlice controller: for every Service with a selector, EndpointSlices `<service>-<5
// chars>` owned by the Service and labelled with its name and this controller, holding up to 100
// endpoints each: a selected pod's address with its node, zone, hostname and conditions (ready,
// serving, terminating — terminating pods stay, not ready), grouped by the ports the Service
// resolves to on the pod. A Service with no endpoints gets one empty placeholder slice. Slices are
// updated in place where possible and only when an endpoint, a port or a label changes; a deleted
// Service's slices go with it through their owner reference.
// Models pkg/controller/endpointslice/endpointslice_controller.go syncService and
// staging/src/k8s.io/endpointslice/reconciler.go
import type { Endpoint, EndpointPort, EndpointSlice } from "kubernetes-types/discovery/v1";
import type { OwnerReference } from "kubernetes-types/meta/v1";
import { findKind, storageKey } from "../resources/registry";
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
import type { Controller } from "./types";
import { namespaceTerminating } from "./workload-helpers";

const SLICE = findKind({ group: "discovery.k8s.io", version: "v1", kind: "EndpointSlice" })!;
const SLICES = storageKey(SLICE);

export const CONTROLLER_NAME = "endpointslice-controller.k8s.io";
export const LABEL_SERVICE_NAME = "kubernetes.io/service-name";
export const LABEL_MANAGED_BY = "endpointslice.kubernetes.io/managed-by";
const RESERVED_LABELS = [LABEL_SERVICE_NAME, LABEL_MANAGED_BY, HEADLESS_LABEL];
const ZONE_LABEL = "topology.kubernetes.io/zone";
/** kube-controller-manager's --max-endpoints-per-slice default. */
export const MAX_ENDPOINTS_PER_SLICE = 100;

type AddressType = "IPv4" | "IPv6";
const sliceOf = (obj: KubeObject) => obj as unknown as EndpointSlice;

export interface SliceChanges {
  create: KubeObject[];
  update: KubeObject[];
  delete: KubeObject[];
}

// Models staging/src/k8s.io/endpointslice/util/endpointset.go hashEndpoint
function hashEndpoint(e: Endpoint): string {
  return JSON.stringify([[...e.addresses].sort(), e.hostname ?? "", e.targetRef?.namespace ?? "", e.targetRef?.name ?? ""]);
}

function portMapKey(ports: EndpointPort[] | null | undefined): string {
  const keys = (ports ?? []).map((p) => JSON.stringify([p.name ?? "", p.port ?? null, p.protocol ?? "", p.appProtocol ?? ""]));
  return JSON.stringify(keys.sort());
}

/** The Service's ports as resolved on one pod (an unresolvable named port is left out). */
// Models staging/src/k8s.io/endpointslice/utils.go getEndpointPorts
function endpointPorts(svc: KubeObject, pod: KubeObject): EndpointPort[] {
  const spec = svcOf(svc).spec ?? {};
  const out: EndpointPort[] = [];
  for (const sp of spec.ports ?? []) {
    const port = findPort(pod, sp);
    if (port === undefined) continue;
    const ep: EndpointPort = { name: sp.name ?? "", port, protocol: sp.protocol ?? "TCP" };
    if (sp.appProtocol) ep.appProtocol = sp.appProtocol;
    out.push(ep);
  }
  return out;
}

// Models staging/src/k8s.io/endpointslice/utils.go podToEndpoint
function podToEndpoint(pod: KubeObject, node: KubeObject | undefined, svc: KubeObject, addressType: AddressType): Endpoint {
  const serving = isPodReady(pod);
  const terminating = !!pod.metadata.deletionTimestamp;
  // Never ready while terminating, unless the Service publishes not-ready addresses.
  const ready = svcOf(svc).spec?.publishNotReadyAddresses === true || (serving && !terminating);
  const ep: Endpoint = {
    addresses: podAddresses(pod, addressType),
    conditions: { ready, serving, terminating },
    targetRef: { kind: "Pod", namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid },
  };
  const spec = podOf(pod).spec;
  if (spec?.nodeName) ep.nodeName = spec.nodeName;
  const zone = node?.metadata.labels?.[ZONE_LABEL];
  if (zone) ep.zone = zone;
  if (shouldSetHostname(pod, svc)) ep.hostname = spec?.hostname;
  return ep;
}

// Models staging/src/k8s.io/endpointslice/util/controller_utils.go EndpointsEqualBeyondHash
function equalBeyondHash(a: Endpoint, b: Endpoint): boolean {
  const ca = a.conditions ?? {};
  const cb = b.conditions ?? {};
  const { resourceVersion: _a, ...ra } = a.targetRef ?? {};
  const { resourceVersion: _b, ...rb } = b.targetRef ?? {};
  return (
    a.nodeName === b.nodeName &&
    a.zone === b.zone &&
    ca.ready === cb.ready &&
    ca.serving === cb.serving &&
    ca.terminating === cb.terminating &&
    (a.targetRef === undefined) === (b.targetRef === undefined) &&
    deepEqual(ra, rb)
  );
}

/**
 * A slice's labels: the Service's, except the reserved ones this controller sets itself; `changed`
 * when the Service's own labels differ from the slice's.
 */
// Models staging/src/k8s.io/endpointslice/utils.go setEndpointSliceLabels
function sliceLabels(slice: KubeObject | undefined, svc: KubeObject): { labels: Record<string, string>; changed: boolean } {
  const current = labelsWithout(slice?.metadata.labels, RESERVED_LABELS);
  const labels = labelsWithout(svc.metadata.labels, RESERVED_LABELS);
  const changed = !sameLabels(current, labels);
  if (!isServiceIPSet(svc)) labels[HEADLESS_LABEL] = "";
  labels[LABEL_SERVICE_NAME] = svc.metadata.name ?? "";
  labels[LABEL_MANAGED_BY] = CONTROLLER_NAME;
  return { labels, changed };
}

function ownerRefOf(svc: KubeObject): OwnerReference {
  return { apiVersion: "v1", kind: "Service", name: svc.metadata.name ?? "", uid: svc.metadata.uid ?? "", controller: true, blockOwnerDeletion: true };
}

// Models staging/src/k8s.io/endpointslice/utils.go ownedBy
function ownedBy(slice: KubeObject, svc: KubeObject): boolean {
  return (slice.metadata.ownerReferences ?? []).some((o) => o.uid === svc.metadata.uid && o.kind === "Service" && o.apiVersion === "v1");
}

// Models staging/src/k8s.io/endpointslice/utils.go newEndpointSlice
function newSlice(svc: KubeObject, ports: EndpointPort[], addressType: AddressType): KubeObject {
  return {
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    metadata: {
      generateName: `${svc.metadata.name}-`,
      namespace: svc.metadata.namespace,
      labels: sliceLabels(undefined, svc).labels,
      ownerReferences: [ownerRefOf(svc)],
    },
    addressType,
    endpoints: [],
    ports,
  };
}

/** Empty lists are stored as null, as upstream's protobuf storage gives them back. */
function forStorage(slice: KubeObject): KubeObject {
  if (!(slice.endpoints as unknown[] | null)?.length) slice.endpoints = null;
  if (!(slice.ports as unknown[] | null)?.length) slice.ports = null;
  return slice;
}

/** Compares what matters of two placeholder slices: namespace, labels, address type, endpoints and ports. */
// Models staging/src/k8s.io/endpointslice/reconciler.go placeholderSliceCompare
function samePlaceholder(a: KubeObject, b: KubeObject): boolean {
  const sa = sliceOf(a);
  const sb = sliceOf(b);
  return (
    a.metadata.namespace === b.metadata.namespace &&
    sameLabels(a.metadata.labels ?? {}, b.metadata.labels ?? {}) &&
    sa.addressType === sb.addressType &&
    deepEqual(sa.endpoints ?? [], sb.endpoints ?? []) &&
    deepEqual(sa.ports ?? [], sb.ports ?? [])
  );
}

/** The slice that is closest to full once `n` endpoints are added, if any has room. */
// Models staging/src/k8s.io/endpointslice/utils.go getSliceToFill
function sliceToFill(slices: KubeObject[], n: number, max: number): KubeObject | undefined {
  let closestDiff = max;
  let closest: KubeObject | undefined;
  for (const s of slices) {
    const diff = max - (n + (sliceOf(s).endpoints ?? []).length);
    if (diff >= 0 && diff < closestDiff) {
      closestDiff = diff;
      closest = s;
      if (closestDiff === 0) break;
    }
  }
  return closest;
}

/** Takes the first endpoint of `desired` (they are kept in address order). */
function popFirst(desired: Map<string, Endpoint>): Endpoint {
  const [key, ep] = desired.entries().next().value as [string, Endpoint];
  desired.delete(key);
  return ep;
}

/**
 * The slices of one set of ports: keeps endpoints still desired in the slices holding them
 * (updating those whose endpoints or labels changed, deleting emptied ones), then fills updated
 * slices, then the unchanged slice closest to full, then new slices, with what is left.
 */
// Models staging/src/k8s.io/endpointslice/reconciler.go reconcileByPortMapping
function reconcileByPortMapping(svc: KubeObject, existing: KubeObject[], desired: Map<string, Endpoint>, ports: EndpointPort[], addressType: AddressType): SliceChanges {
  const byName = new Map<string, KubeObject>();
  const unchanged = new Set<string>();
  const toUpdate = new Set<string>();
  const toDelete = new Set<string>();
  for (const slice of existing) {
    const name = slice.metadata.name ?? "";
    byName.set(name, slice);
    const endpoints = sliceOf(slice).endpoints ?? [];
    const kept: Endpoint[] = [];
    let updated = false;
    for (const ep of endpoints) {
      const hash = hashEndpoint(ep);
      const want = desired.get(hash);
      if (!want) continue;
      kept.push(want);
      if (!equalBeyondHash(want, ep)) updated = true;
      desired.delete(hash);
    }
    const { labels, changed } = sliceLabels(slice, svc);
    if (updated || endpoints.length !== kept.length) {
      if (kept.length === 0) {
        toDelete.add(name);
      } else {
        const copy = structuredClone(slice);
        copy.endpoints = kept;
        copy.metadata.labels = labels;
        byName.set(name, copy);
        toUpdate.add(name);
      }
    } else if (changed) {
      const copy = structuredClone(slice);
      copy.metadata.labels = labels;
      byName.set(name, copy);
      toUpdate.add(name);
    } else {
      unchanged.add(name);
    }
  }

  // Fill the slices being updated anyway, fullest first.
  if (desired.size > 0 && toUpdate.size > 0) {
    const slices = [...toUpdate].map((n) => byName.get(n)!);
    slices.sort((a, b) => (sliceOf(b).endpoints ?? []).length - (sliceOf(a).endpoints ?? []).length);
    for (const s of slices) {
      const eps = (sliceOf(s).endpoints ??= []);
      while (desired.size > 0 && eps.length < MAX_ENDPOINTS_PER_SLICE) eps.push(popFirst(desired));
    }
  }

  // Then one unchanged slice that takes the rest, else new slices.
  const create: KubeObject[] = [];
  while (desired.size > 0) {
    let fill: KubeObject | undefined;
    if (desired.size < MAX_ENDPOINTS_PER_SLICE && unchanged.size > 0) {
      fill = sliceToFill([...unchanged].map((n) => byName.get(n)!), desired.size, MAX_ENDPOINTS_PER_SLICE);
    }
    if (fill) {
      fill = structuredClone(fill);
      byName.set(fill.metadata.name ?? "", fill);
    } else {
      fill = newSlice(svc, ports, addressType);
    }
    const eps = (sliceOf(fill).endpoints ??= []);
    while (desired.size > 0 && eps.length < MAX_ENDPOINTS_PER_SLICE) eps.push(popFirst(desired));
    if (fill.metadata.name) {
      toUpdate.add(fill.metadata.name);
      unchanged.delete(fill.metadata.name);
    } else {
      create.push(fill);
    }
  }
  return { create, update: [...toUpdate].map((n) => byName.get(n)!), delete: [...toDelete].map((n) => byName.get(n)!) };
}

/** The first address of an endpoint, for ordering. */
const firstAddress = (e: Endpoint) => e.addresses[0] ?? "";

/**
 * The creates, updates and deletes that bring a Service's slices of one address type in line with
 * its pods. `nodeOf` looks a node up (for the zone).
 */
// Models staging/src/k8s.io/endpointslice/reconciler.go reconcileByAddressType and finalize
function reconcileByAddressType(
  svc: KubeObject,
  pods: KubeObject[],
  existing: KubeObject[],
  addressType: AddressType,
  nodeOf: (name: string) => KubeObject | undefined,
): SliceChanges {
  const toDelete: KubeObject[] = [];
  const existingByPortMap = new Map<string, KubeObject[]>();
  for (const slice of existing) {
    if (!ownedBy(slice, svc)) {
      toDelete.push(slice);
      continue;
    }
    const key = portMapKey(sliceOf(slice).ports);
    const list = existingByPortMap.get(key);
    if (list) list.push(slice);
    else existingByPortMap.set(key, [slice]);
  }

  const publishNotReady = svcOf(svc).spec?.publishNotReadyAddresses === true;
  const desiredByPortMap = new Map<string, { ports: EndpointPort[]; endpoints: Endpoint[] }>();
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, true)) continue;
    const ports = endpointPorts(svc, pod);
    const key = portMapKey(ports);
    let group = desiredByPortMap.get(key);
    if (!group) desiredByPortMap.set(key, (group = { ports, endpoints: [] }));
    const nodeName = podOf(pod).spec?.nodeName ?? "";
    const node = nodeName ? nodeOf(nodeName) : undefined;
    // A pod on a node that is gone is left out, unless not-ready addresses are published anyway.
    if (!node && !publishNotReady) continue;
    const ep = podToEndpoint(pod, node, svc, addressType);
    if (ep.addresses.length) group.endpoints.push(ep);
  }

  const create: KubeObject[] = [];
  const update: KubeObject[] = [];
  for (const [key, group] of desiredByPortMap) {
    // Endpoints are placed in address order, so new slices read like the Endpoints object.
    const desired = new Map<string, Endpoint>();
    for (const ep of group.endpoints.sort((a, b) => (firstAddress(a) < firstAddress(b) ? -1 : firstAddress(a) > firstAddress(b) ? 1 : 0))) {
      desired.set(hashEndpoint(ep), ep);
    }
    const r = reconcileByPortMapping(svc, existingByPortMap.get(key) ?? [], desired, group.ports, addressType);
    create.push(...r.create);
    update.push(...r.update);
    toDelete.push(...r.delete);
  }
  for (const [key, slices] of existingByPortMap) if (!desiredByPortMap.has(key)) toDelete.push(...slices);

  // A Service without endpoints still gets one (empty) slice.
  if (existing.length === toDelete.length && create.length < 1) {
    const placeholder = newSlice(svc, [], addressType);
    if (toDelete.length === 1 && samePlaceholder(toDelete[0], placeholder)) toDelete.length = 0;
    else create.push(placeholder);
  }

  // Rather than create one slice and delete another, reuse the one going away.
  for (let i = 0; i < toDelete.length && create.length > 0; ) {
    const old = toDelete[i];
    const slice = create[create.length - 1];
    if (sliceOf(old).addressType === sliceOf(slice).addressType && ownedBy(old, svc)) {
      slice.metadata.name = old.metadata.name;
      create.pop();
      update.push(slice);
      toDelete.splice(i, 1);
    } else {
      i++;
    }
  }
  return { create, update, delete: toDelete };
}

/** Readiness (serving) by pod uid of the endpoints existing slices list. */
function listedServing(slices: KubeObject[]): Map<string, boolean> {
  const out = new Map<string, boolean>();
  for (const s of slices) {
    for (const ep of sliceOf(s).endpoints ?? []) if (ep.targetRef?.uid) out.set(ep.targetRef.uid, ep.conditions?.serving === true);
  }
  return out;
}

/**
 * Everything to create, update and delete for a Service's slices, given the managed slices that
 * exist (not being deleted). Created and updated slices carry the last-change trigger time.
 */
// Models staging/src/k8s.io/endpointslice/reconciler.go Reconcile
export function reconcileSlices(svc: KubeObject, pods: KubeObject[], existing: KubeObject[], nodeOf: (name: string) => KubeObject | undefined): SliceChanges {
  const addressType = serviceFamily(svc);
  const changes: SliceChanges = { create: [], update: [], delete: [] };
  const sameType: KubeObject[] = [];
  for (const s of existing) {
    if (sliceOf(s).addressType === addressType) sameType.push(s);
    else changes.delete.push(s);
  }
  const r = reconcileByAddressType(svc, pods, sameType, addressType, nodeOf);
  changes.create.push(...r.create);
  changes.update.push(...r.update);
  changes.delete.push(...r.delete);
  if (svc.metadata.deletionTimestamp) changes.create = [];
  if (!changes.create.length && !changes.update.length) return changes;

  const known = listedServing(existing);
  const published = pods.filter((p) => shouldPodBeInEndpoints(p, true));
  const trigger = lastChangeTriggerTime(svc, published, existing.length === 0, (pod) => known.get(pod.metadata.uid ?? "") === isPodReady(pod));
  for (const slice of [...changes.create, ...changes.update]) {
    const annotations = { ...(slice.metadata.annotations ?? {}) };
    if (trigger) annotations[TRIGGER_TIME_ANNOTATION] = trigger;
    else delete annotations[TRIGGER_TIME_ANNOTATION];
    if (Object.keys(annotations).length) slice.metadata.annotations = annotations;
    else delete slice.metadata.annotations;
    forStorage(slice);
  }
  return changes;
}

const memo = new InputMemo();
/** Per Service, the inputs last found to need no write (the same objects need none again). */
const verified = new WeakMap<KubeObject, { pods: KubeObject[]; existing: KubeObject[]; nodes: object }>();
/** Stands for the nodes as last listed, renewed when any node changes (zones come from nodes). */
let nodesSeen: KubeObject[] = [];
let nodesToken: object = {};
function nodesVersion(nodes: KubeObject[]): object {
  if (!sameObjects(nodes, nodesSeen)) {
    nodesSeen = nodes;
    nodesToken = {};
  }
  return nodesToken;
}

export const endpointSliceController: Controller = (ctx) => {
  const services = ctx.list("/services");
  const all = ctx.list(SLICES);
  const nodeList = ctx.list("/nodes");
  const index = podIndex(ctx);
  const inputs = [services, all, nodeList, ...index.podsFor(services)];
  if (memo.matches(inputs)) return;
  const writes = new Writes(ctx);
  const nodesNow = nodesVersion(nodeList);
  const managed = new Map<string, KubeObject[]>();
  for (const slice of all) {
    const labels = slice.metadata.labels ?? {};
    const service = labels[LABEL_SERVICE_NAME];
    // Slices on their way out are not counted, or the controller could wait on them forever.
    if (labels[LABEL_MANAGED_BY] !== CONTROLLER_NAME || !service || slice.metadata.deletionTimestamp) continue;
    const key = serviceKey(slice.metadata.namespace, service);
    const list = managed.get(key);
    if (list) list.push(slice);
    else managed.set(key, [slice]);
  }
  const nodes = new Map<string, KubeObject | undefined>();
  const nodeOf = (name: string) => {
    if (!nodes.has(name)) nodes.set(name, ctx.get("/nodes", "", name));
    return nodes.get(name);
  };
  for (const svc of services) {
    const selector = managedSelector(svc);
    if (!selector) continue;
    const namespace = svc.metadata.namespace ?? "";
    const existing = managed.get(serviceKey(namespace, svc.metadata.name)) ?? [];
    const pods = index.select(namespace, selector);
    const seen = verified.get(svc);
    if (seen && seen.nodes === nodesNow && sameObjects(seen.pods, pods) && sameObjects(seen.existing, existing)) continue;
    const changes = reconcileSlices(svc, pods, existing, nodeOf);
    if (!changes.create.length && !changes.update.length && !changes.delete.length) {
      verified.set(svc, { pods, existing, nodes: nodesNow });
      continue;
    }
    // A namespace being deleted takes no new content (upstream's create is refused).
    if (!namespaceTerminating(ctx, namespace)) for (const slice of changes.create) writes.create(SLICE, slice);
    for (const slice of changes.update) writes.update(SLICE, slice);
    for (const slice of changes.delete) writes.delete(SLICE, slice);
  }
  memo.remember(inputs, writes.count > 0);
};
