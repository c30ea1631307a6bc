// The status half of the sandbox's ingress controller (network/ingress.ts routes the traffic): as
// ingress-nginx does with `--publish-service`, every Ingress it serves gets the addresses of the
// `ingress-nginx/ingress-nginx-controller` Service in `status.loadBalancer.ingress` (what `kubectl
// get ing` shows as ADDRESS), updated when the Service's address changes. Ingresses of other
// classes are left alone. Written only on a change, so a settled sandbox writes nothing.
// Models internal/ingress/status/status.go of kubernetes/ingress-nginx.
import type { Ingress } from "kubernetes-types/networking/v1";
import { findKind } from "../resources/registry";
import { INGRESS_CLASSES, INGRESSES, publishedAddresses, servedByNginx } from "../network/ingress";
import { InputMemo } from "./service-endpoints";
import type { Controller } from "./types";

const INGRESS = findKind({ group: "networking.k8s.io", version: "v1", kind: "Ingress" })!;

const memo = new InputMemo();

export const ingressStatusController: Controller = (ctx) => {
  const ingresses = ctx.list(INGRESSES);
  if (!ingresses.length) return;
  const classes = ctx.list(INGRESS_CLASSES);
  const services = ctx.list("/services", "ingress-nginx");
  if (memo.matches([ingresses, classes, services])) return;
  const want = publishedAddresses(ctx);
  const key = JSON.stringify(want);
  let wrote = false;
  for (const ing of ingresses) {
    if (ing.metadata.deletionTimestamp || !servedByNginx(ing, classes)) continue;
    const current = (ing as unknown as Ingress).status?.loadBalancer?.ingress ?? [];
    if (JSON.stringify(current.map((i) => (i.ip ? { ip: i.ip } : { hostname: i.hostname }))) === key) continue;
    ctx.updateStatus(INGRESS, { ...structuredClone(ing), status: { loadBalancer: want.length ? { ingress: want } : {} } });
    wrote = true;
  }
  memo.remember([ingresses, classes, services], wrote);
};
