// Printers for networking.k8s.io/v1 and discovery.k8s.io/v1 kinds.
import type { EndpointSlice } from "kubernetes-types/discovery/v1";
import type { Ingress, IngressClass, IngressRule, NetworkPolicy } from "kubernetes-types/networking/v1";
import type { KubeObject, PrintContext, Printer, TableCell } from "../types";
import { age, ageColumn, as, col, formatLabelSelector, listWithMoreString, nameColumn, nameOf } from "./common";
import { loadBalancerIngressString } from "./core";

// Models pkg/printers/internalversion/printers.go formatHosts
function formatHosts(rules: IngressRule[]): string {
  const list: string[] = [];
  const max = 3;
  let more = false;
  for (const rule of rules) {
    if (list.length === max) more = true;
    if (!more && rule.host) list.push(rule.host);
  }
  if (list.length === 0) return "*";
  const ret = list.join(",");
  return more ? `${ret} + ${rules.length - max} more...` : ret;
}

export const ingressPrinter: Printer = {
  columns: [
    nameColumn,
    col("Class", "string", "The name of the IngressClass resource that should be used for additional configuration"),
    col("Hosts", "string", "Hosts that incoming requests are matched against before the ingress rule"),
    col("Address", "string", "Address is a list containing ingress points for the load-balancer"),
    col("Ports", "string", "Ports of TLS configurations that open"),
    ageColumn,
  ],
  row(obj: KubeObject, ctx: PrintContext): TableCell[] {
    const ing = as<Ingress>(obj);
    return [
      nameOf(obj),
      ing.spec?.ingressClassName ?? "<none>",
      formatHosts(ing.spec?.rules ?? []),
      loadBalancerIngressString(ing.status?.loadBalancer?.ingress),
      (ing.spec?.tls ?? []).length !== 0 ? "80, 443" : "80",
      age(obj, ctx),
    ];
  },
};

export const ingressClassPrinter: Printer = {
  columns: [
    nameColumn,
    col("Controller", "string", "Controller that is responsible for handling this class"),
    col("Parameters", "string", "A reference to a resource with additional parameters"),
    ageColumn,
  ],
  row(obj: KubeObject, ctx: PrintContext): TableCell[] {
    const ic = as<IngressClass>(obj);
    const p = ic.spec?.parameters;
    let parameters = "<none>";
    if (p) {
      parameters = p.kind;
      if (p.apiGroup !== undefined) parameters += `.${p.apiGroup}`;
      parameters += `/${p.name}`;
    }
    return [nameOf(obj), ic.spec?.controller ?? "", parameters, age(obj, ctx)];
  },
};

export const networkPolicyPrinter: Printer = {
  columns: [nameColumn, col("Pod-Selector", "string", "Selects the pods to which this NetworkPolicy object applies."), ageColumn],
  row(obj: KubeObject, ctx: PrintContext): TableCell[] {
    return [nameOf(obj), formatLabelSelector(as<NetworkPolicy>(obj).spec?.podSelector ?? {}), age(obj, ctx)];
  },
};

// Models pkg/printers/internalversion/printers.go formatDiscoveryPorts / formatDiscoveryEndpoints
function formatDiscoveryPorts(slice: EndpointSlice): string {
  const list: string[] = [];
  const max = 3;
  let more = false;
  let count = 0;
  for (const port of slice.ports ?? []) {
    if (list.length < max) {
      list.push(typeof port.port === "number" ? String(port.port) : port.name !== undefined ? port.name : "*");
    } else if (list.length === max) {
      more = true;
    }
    count++;
  }
  return listWithMoreString(list, more, count, max);
}

function formatDiscoveryEndpoints(slice: EndpointSlice): string {
  const list: string[] = [];
  const max = 3;
  let more = false;
  let count = 0;
  for (const ep of slice.endpoints ?? []) {
    for (const address of ep.addresses ?? []) {
      if (list.length < max) list.push(address);
      else if (list.length === max) more = true;
      count++;
    }
  }
  return listWithMoreString(list, more, count, max);
}

export const endpointSlicePrinter: Printer = {
  columns: [
    nameColumn,
    col("AddressType", "string", "addressType specifies the type of address carried by this EndpointSlice."),
    col("Ports", "string", "ports specifies the list of network ports exposed by each endpoint in this slice."),
    col("Endpoints", "string", "endpoints is a list of unique endpoints in this slice."),
    ageColumn,
  ],
  row(obj: KubeObject, ctx: PrintContext): TableCell[] {
    const slice = as<EndpointSlice>(obj);
    return [nameOf(obj), slice.addressType ?? "", formatDiscoveryPorts(slice), formatDiscoveryEndpoints(slice), age(obj, ctx)];
  },
};
