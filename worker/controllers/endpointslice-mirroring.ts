// The EndpointSlice mirroring controller: Endpoints written by hand for a Service without a selector
// are mirrored into EndpointSlices `<name>-<5 chars>` (owned by the Endpoints, managed by
// endpointslicemirroring-controller.k8s.io), one per subset port set and address family, so readers
// of slices — kube-proxy, `kubectl describe svc` from 1.31 on — see them. Endpoints labelled
// endpointslice.kubernetes.io/skip-mirror (the apiserver's `kubernetes`) and leader-election locks
// are not mirrored; the mirrored slices go once the Endpoints or the Service is gone, or the Service
// gets a selector (its endpoints are then the endpoint controllers').
// Models pkg/controller/endpointslicemirroring/endpointslicemirroring_controller.go syncEndpoints
// and reconciler.go reconcile
import type { EndpointAddress, Endpoints, EndpointPort as CorePort, Service } from "kubernetes-types/core/v1";
import type { Endpoint, EndpointPort, EndpointSlice } from "kubernetes-types/discovery/v1";
import { findKind, storageKey } from "../resources/registry";
import type { KubeObject } from "../resources/types";
import { deepEqual } from "../util/equal";
import { LABEL_MANAGED_BY, LABEL_SERVICE_NAME, type SliceChanges } from "./endpointslice";
import { InputMemo, labelsWithout, sameLabels, serviceKey, TRIGGER_TIME_ANNOTATION, Writes } from "./service-endpoints";
import type { Controller } from "./types";
import { namespaceTerminating } from "./workload-helpers";

const SLICE = findKind({ group: "discovery.k8s.io", version: "v1", kind: "EndpointSlice" })!;
const SLICES = storageKey(SLICE);

export const MIRRORING_CONTROLLER_NAME = "endpointslicemirroring-controller.k8s.io";
const SKIP_MIRROR_LABEL = "endpointslice.kubernetes.io/skip-mirror";
const LEADER_ANNOTATION = "control-plane.alpha.kubernetes.io/leader";
const LAST_APPLIED_ANNOTATION = "kubectl.kubernetes.io/last-applied-configuration";
/** kube-controller-manager's --mirroring-max-endpoints-per-subset default. */
const MAX_ENDPOINTS_PER_SUBSET = 1000;

type AddressType = "IPv4" | "IPv6";
const sliceOf = (obj: KubeObject) => obj as unknown as EndpointSlice;

interface Desired {
  addressType: AddressType;
  ports: EndpointPort[];
  endpoints: Map<string, Endpoint>;
}

function addressType(ip: string): AddressType | undefined {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(ip)) return ip.split(".").every((p) => Number(p) <= 255) ? "IPv4" : undefined;
  return /^[0-9a-fA-F:.]+$/.test(ip) && ip.includes(":") ? "IPv6" : undefined;
}

// Models pkg/controller/endpointslicemirroring/utils.go addressToEndpoint
function addressToEndpoint(address: EndpointAddress, ready: boolean): Endpoint {
  const ep: Endpoint = { addresses: [address.ip], conditions: { ready } };
  if (address.hostname) ep.hostname = address.hostname;
  if (address.nodeName) ep.nodeName = address.nodeName;
  if (address.targetRef) ep.targetRef = address.targetRef;
  return ep;
}

// Models pkg/controller/endpointslicemirroring/utils.go epPortsToEpsPorts
function slicePorts(ports: CorePort[] | undefined): EndpointPort[] {
  return (ports ?? []).map((p) => {
    const out: EndpointPort = { name: p.name ?? "", port: p.port, protocol: p.protocol ?? "TCP" };
    if (p.appProtocol) out.appProtocol = p.appProtocol;
    return out;
  });
}

function groupKey(type: AddressType, ports: EndpointPort[] | null | undefined): string {
  return `${type}/${JSON.stringify((ports ?? []).map((p) => JSON.stringify([p.name ?? "", p.port ?? null, p.protocol ?? "", p.appProtocol ?? ""])).sort())}`;
}

function hashEndpoint(e: Endpoint): string {
  return JSON.stringify([[...e.addresses].sort(), e.hostname ?? "", e.targetRef?.namespace ?? "", e.targetRef?.name ?? ""]);
}

/** The labels and annotations a mirrored slice carries: the Endpoints', plus who it is for and by. */
function mirroredMeta(ep: KubeObject): { labels: Record<string, string>; annotations: Record<string, string> } {
  const labels = { ...(ep.metadata.labels ?? {}), [LABEL_SERVICE_NAME]: ep.metadata.name ?? "", [LABEL_MANAGED_BY]: MIRRORING_CONTROLLER_NAME };
  const annotations = labelsWithout(ep.metadata.annotations, [TRIGGER_TIME_ANNOTATION, LAST_APPLIED_ANNOTATION]);
  return { labels, annotations };
}

// Models pkg/controller/endpointslicemirroring/utils.go newEndpointSlice
function mirroredSlice(ep: KubeObject, d: Desired, name: string | undefined): KubeObject {
  const { labels, annotations } = mirroredMeta(ep);
  const endpoints = [...d.endpoints.values()].slice(0, MAX_ENDPOINTS_PER_SUBSET);
  return {
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    metadata: {
      ...(name ? { name } : { generateName: `${ep.metadata.name}-` }),
      namespace: ep.metadata.namespace,
      labels,
      ...(Object.keys(annotations).length ? { annotations } : {}),
      ownerReferences: [{ apiVersion: "v1", kind: "Endpoints", name: ep.metadata.name ?? "", uid: ep.metadata.uid ?? "", controller: true, blockOwnerDeletion: true }],
    },
    addressType: d.addressType,
    endpoints: endpoints.length ? endpoints : null,
    ports: d.ports.length ? d.ports : null,
  };
}

/** Whether a slice already holds exactly the desired endpoints, labels and annotations. */
function upToDate(slice: KubeObject, d: Desired, ep: KubeObject): boolean {
  const existing = sliceOf(slice).endpoints ?? [];
  if (existing.length !== d.endpoints.size) return false;
  for (const e of existing) {
    const want = d.endpoints.get(hashEndpoint(e));
    if (!want || e.nodeName !== want.nodeName || e.conditions?.ready !== want.conditions?.ready || !deepEqual(e.targetRef, want.targetRef)) return false;
  }
  const { labels, annotations } = mirroredMeta(ep);
  return sameLabels(slice.metadata.labels ?? {}, labels) && sameLabels(slice.metadata.annotations ?? {}, annotations);
}

/** The changes that make an Endpoints object's mirrored slices match it. */
export function reconcileMirror(ep: KubeObject, existing: KubeObject[]): SliceChanges {
  const desired = new Map<string, Desired>();
  for (const subset of (ep as Endpoints).subsets ?? []) {
    const ports = slicePorts(subset.ports);
    for (const type of ["IPv4", "IPv6"] as const) {
      const key = groupKey(type, ports);
      if (!desired.has(key)) desired.set(key, { addressType: type, ports, endpoints: new Map() });
    }
    let added = 0;
    const addresses: [EndpointAddress, boolean][] = [...(subset.addresses ?? []).map((a) => [a, true] as [EndpointAddress, boolean]), ...(subset.notReadyAddresses ?? []).map((a) => [a, false] as [EndpointAddress, boolean])];
    for (const [address, ready] of addresses) {
      if (added >= MAX_ENDPOINTS_PER_SUBSET) break;
      const type = addressType(address.ip);
      if (!type) continue;
      const endpoint = addressToEndpoint(address, ready);
      desired.get(groupKey(type, ports))!.endpoints.set(hashEndpoint(endpoint), endpoint);
      added++;
    }
  }

  const existingByKey = new Map<string, KubeObject[]>();
  for (const slice of existing) {
    const key = groupKey(sliceOf(slice).addressType as AddressType, sliceOf(slice).ports);
    const list = existingByKey.get(key);
    if (list) list.push(slice);
    else existingByKey.set(key, [slice]);
  }
  const changes: SliceChanges = { create: [], update: [], delete: [] };
  for (const [key, d] of desired) {
    const slices = existingByKey.get(key) ?? [];
    if (d.endpoints.size === 0) {
      changes.delete.push(...slices);
      continue;
    }
    // One slice per port set and family: keep the first, drop the rest.
    changes.delete.push(...slices.slice(1));
    if (slices.length && upToDate(slices[0], d, ep)) continue;
    const slice = mirroredSlice(ep, d, slices[0]?.metadata.name);
    (slices.length ? changes.update : changes.create).push(slice);
  }
  for (const [key, slices] of existingByKey) if (!desired.has(key)) changes.delete.push(...slices);

  // Rather than create one slice and delete another of the same family, reuse the one going away.
  for (let i = 0; i < changes.create.length; ) {
    const slice = changes.create[i];
    const j = changes.delete.findIndex((d) => sliceOf(d).addressType === sliceOf(slice).addressType);
    if (j < 0) {
      i++;
      continue;
    }
    const [old] = changes.delete.splice(j, 1);
    slice.metadata.name = old.metadata.name;
    delete slice.metadata.generateName;
    changes.create.splice(i, 1);
    changes.update.push(slice);
  }
  if (ep.metadata.deletionTimestamp) changes.create = [];
  return changes;
}

function shouldMirror(ep: KubeObject): boolean {
  return ep.metadata.labels?.[SKIP_MIRROR_LABEL] !== "true" && ep.metadata.annotations?.[LEADER_ANNOTATION] === undefined;
}

function hasSelector(svc: KubeObject): boolean {
  return Object.keys((svc as unknown as Service).spec?.selector ?? {}).length > 0;
}

const memo = new InputMemo();

export const endpointSliceMirroringController: Controller = (ctx) => {
  const services = ctx.list("/services");
  const endpoints = ctx.list("/endpoints");
  const slices = ctx.list(SLICES);
  const inputs = [services, endpoints, slices];
  if (memo.matches(inputs)) return;
  const writes = new Writes(ctx);
  const serviceByKey = new Map(services.map((s) => [serviceKey(s.metadata.namespace, s.metadata.name), s]));
  const endpointsByKey = new Map(endpoints.map((e) => [serviceKey(e.metadata.namespace, e.metadata.name), e]));
  const mirrored = new Map<string, KubeObject[]>();
  for (const slice of slices) {
    const labels = slice.metadata.labels ?? {};
    if (labels[LABEL_MANAGED_BY] !== MIRRORING_CONTROLLER_NAME || !labels[LABEL_SERVICE_NAME] || slice.metadata.deletionTimestamp) continue;
    const key = serviceKey(slice.metadata.namespace, labels[LABEL_SERVICE_NAME]);
    const list = mirrored.get(key);
    if (list) list.push(slice);
    else mirrored.set(key, [slice]);
  }
  for (const key of new Set([...endpointsByKey.keys(), ...mirrored.keys()])) {
    const ep = endpointsByKey.get(key);
    const svc = serviceByKey.get(key);
    const existing = mirrored.get(key) ?? [];
    if (!ep || !shouldMirror(ep) || !svc || hasSelector(svc)) {
      for (const slice of existing) writes.delete(SLICE, slice);
      continue;
    }
    const changes = reconcileMirror(ep, existing);
    if (!namespaceTerminating(ctx, ep.metadata.namespace ?? "")) for (const slice of changes.create) writes.create(SLICE, slice);
    for (const slice of changes.update) writes.update(SLICE, slice);
    for (const slice of changes.delete) writes.delete(SLICE, slice);
  }
  memo.remember(inputs, writes.count > 0);
};
