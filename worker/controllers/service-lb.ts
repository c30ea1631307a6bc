// LoadBalancer Services in a sandbox without a cloud: the service controller of a cloud controller
// manager, whose "load balancer" is an address from a pool. The pool is 172.18.255.200–250, the
// range kind's documentation gives MetalLB on kind's docker network, so EXTERNAL-IP reads like a
// local kind cluster's. An address is the one `spec.loadBalancerIP` asks for or the lowest free one,
// unique among Services, and goes back to the pool when its Service is deleted or stops being a
// LoadBalancer. As upstream, the finalizer `service.kubernetes.io/load-balancer-cleanup` goes on
// before the balancer is made and comes off once it is gone, with the EnsuringLoadBalancer /
// EnsuredLoadBalancer and DeletingLoadBalancer / DeletedLoadBalancer events. A Service with a
// loadBalancerClass belongs to another implementation and stays <pending>.
// Models staging/src/k8s.io/cloud-provider/controllers/service/controller.go syncLoadBalancerIfNeeded
import type { Service } from "kubernetes-types/core/v1";
import { findKind } from "../resources/registry";
import { intToIp, ipToInt } from "../resources/service-alloc";
import type { KubeObject } from "../resources/types";
import { InputMemo, serviceKey } from "./service-endpoints";
import type { Controller, ControllerContext } from "./types";

const SERVICE = findKind({ group: "", version: "v1", kind: "Service" })!;
const COMPONENT = "service-controller";

export const LB_POOL_FIRST = "172.18.255.200";
export const LB_POOL_LAST = "172.18.255.250";
export const LB_CLEANUP_FINALIZER = "service.kubernetes.io/load-balancer-cleanup";

const svcOf = (obj: KubeObject) => obj as unknown as Service;

function wantsLoadBalancer(svc: KubeObject): boolean {
  const spec = svcOf(svc).spec;
  return spec?.type === "LoadBalancer" && !spec.loadBalancerClass && !svc.metadata.deletionTimestamp;
}

function hasFinalizer(svc: KubeObject): boolean {
  return (svc.metadata.finalizers ?? []).includes(LB_CLEANUP_FINALIZER);
}

function ingressIPs(svc: KubeObject): string[] {
  return (svcOf(svc).status?.loadBalancer?.ingress ?? []).map((i) => i.ip).filter((ip): ip is string => !!ip);
}

function isIPv4(s: string): boolean {
  return /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(s) && s.split(".").every((p) => Number(p) <= 255);
}

function nextFree(used: Map<string, string>): string | undefined {
  for (let n = ipToInt(LB_POOL_FIRST); n <= ipToInt(LB_POOL_LAST); n++) {
    const ip = intToIp(n);
    if (!used.has(ip)) return ip;
  }
  return undefined;
}

/** The address a Service should have, or why it cannot have one. */
function chooseAddress(svc: KubeObject, key: string, used: Map<string, string>): { ip?: string; error?: string } {
  const requested = svcOf(svc).spec?.loadBalancerIP;
  if (requested) {
    if (!isIPv4(requested)) return { error: `requested IP ${requested} is not a valid IPv4 address` };
    const holder = used.get(requested);
    return holder && holder !== key ? { error: `requested IP ${requested} is already assigned to ${holder}` } : { ip: requested };
  }
  const current = ingressIPs(svc)[0];
  if (current && used.get(current) === key) return { ip: current };
  const ip = nextFree(used);
  return ip ? { ip } : { error: `no available IPs in pool ${LB_POOL_FIRST}-${LB_POOL_LAST}` };
}

function withoutFinalizer(svc: KubeObject): KubeObject {
  const next = structuredClone(svc);
  next.metadata.finalizers = (next.metadata.finalizers ?? []).filter((f) => f !== LB_CLEANUP_FINALIZER);
  if (next.metadata.finalizers.length === 0) delete next.metadata.finalizers;
  return next;
}

function release(svc: KubeObject, key: string, used: Map<string, string>): void {
  for (const ip of ingressIPs(svc)) if (used.get(ip) === key) used.delete(ip);
}

/** Brings one Service's balancer in line; true when it wrote something. */
function sync(ctx: ControllerContext, svc: KubeObject, used: Map<string, string>): boolean {
  const key = serviceKey(svc.metadata.namespace, svc.metadata.name);
  if (!wantsLoadBalancer(svc)) {
    // No balancer wanted (any more): tear down the one made here, if any.
    if (!hasFinalizer(svc)) return false;
    ctx.event(svc, "Normal", "DeletingLoadBalancer", "Deleting load balancer", COMPONENT);
    release(svc, key, used);
    const after = ctx.update(SERVICE, withoutFinalizer(svc));
    ctx.event(svc, "Normal", "DeletedLoadBalancer", "Deleted load balancer", COMPONENT);
    // A Service still there (its type changed) loses its ingress; a deleted one is simply gone.
    if (after && !after.metadata.deletionTimestamp && ingressIPs(after).length) {
      ctx.updateStatus(SERVICE, { ...structuredClone(after), status: { ...(after.status as object), loadBalancer: {} } });
    }
    return true;
  }

  const { ip, error } = chooseAddress(svc, key, used);
  const ingress = svcOf(svc).status?.loadBalancer?.ingress ?? [];
  const settled = ingress.length === 1 && ingress[0].ip === ip && ingress[0].ipMode === "VIP" && !ingress[0].hostname;
  if (hasFinalizer(svc) && (settled || !ip)) return false; // a failure was reported when it first happened
  ctx.event(svc, "Normal", "EnsuringLoadBalancer", "Ensuring load balancer", COMPONENT);
  let current = svc;
  if (!hasFinalizer(svc)) {
    const next = structuredClone(svc);
    next.metadata.finalizers = [...(next.metadata.finalizers ?? []), LB_CLEANUP_FINALIZER];
    current = ctx.update(SERVICE, next) ?? svc;
  }
  if (!ip) {
    ctx.event(svc, "Warning", "SyncLoadBalancerFailed", `Error syncing load balancer: failed to ensure load balancer: ${error}`, COMPONENT);
    return true;
  }
  release(svc, key, used);
  used.set(ip, key);
  ctx.updateStatus(SERVICE, { ...structuredClone(current), status: { ...(current.status as object), loadBalancer: { ingress: [{ ip, ipMode: "VIP" }] } } });
  ctx.event(svc, "Normal", "EnsuredLoadBalancer", "Ensured load balancer", COMPONENT);
  return true;
}

const memo = new InputMemo();

export const serviceLoadBalancerController: Controller = (ctx) => {
  const services = ctx.list("/services");
  if (memo.matches([services])) return;
  // Addresses held, by the Service holding them: those of the balancers made here.
  const used = new Map<string, string>();
  for (const svc of services) {
    if (!hasFinalizer(svc)) continue;
    for (const ip of ingressIPs(svc)) used.set(ip, serviceKey(svc.metadata.namespace, svc.metadata.name));
  }
  let wrote = false;
  for (const svc of services) wrote = sync(ctx, svc, used) || wrote;
  memo.remember([services], wrote);
};
