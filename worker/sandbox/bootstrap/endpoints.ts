// The Endpoints and EndpointSlices of a fresh cluster: `default/kubernetes`'s, which the apiserver
// keeps (the control-plane nodes' addresses on 6443, in a slice named after the Service), and those
// of the Services with a selector (kube-dns), made by the endpoint controllers' own code so that the
// first reconcile finds nothing to change.
import { nextEndpoints } from "../../controllers/endpoints";
import { reconcileSlices } from "../../controllers/endpointslice";
import { managedSelector } from "../../controllers/service-endpoints";
import type { KubeObject } from "../../resources/types";
import { NAME_SUFFIX_ALPHABET, type Rng } from "../rng";

const APISERVER_PORT = 6443;

// Models pkg/controlplane/reconcilers/endpointsadapter.go updateEndpoints / updateEndpointSlice
function apiserverEndpoints(ips: string[]): KubeObject[] {
  const port = { name: "https", port: APISERVER_PORT, protocol: "TCP" };
  return [
    {
      apiVersion: "v1",
      kind: "Endpoints",
      metadata: { name: "kubernetes", namespace: "default", labels: { "endpointslice.kubernetes.io/skip-mirror": "true" } },
      subsets: [{ addresses: ips.map((ip) => ({ ip })), ports: [port] }],
    },
    {
      apiVersion: "discovery.k8s.io/v1",
      kind: "EndpointSlice",
      metadata: { name: "kubernetes", namespace: "default", labels: { "kubernetes.io/service-name": "kubernetes" } },
      addressType: "IPv4",
      endpoints: ips.map((ip) => ({ addresses: [ip], conditions: { ready: true } })),
      ports: [port],
    },
  ];
}

/** The endpoint objects for the (admitted) objects of a fresh cluster; slice names draw from `rng`. */
export function serviceEndpointObjects(objects: KubeObject[], rng: Rng): KubeObject[] {
  const of = (kind: string) => objects.filter((o) => o.kind === kind && o.apiVersion === "v1");
  const nodes = of("Node");
  // The apiservers run on the control-plane nodes; a cluster without one has its apiserver on the
  // first node, as its control-plane endpoint says.
  const controlPlane = nodes.filter((n) => n.metadata.labels?.["node-role.kubernetes.io/control-plane"] !== undefined);
  const ips = (controlPlane.length ? controlPlane : nodes.slice(0, 1)).map((n) => (n.status as { addresses?: { type: string; address: string }[] }).addresses?.find((a) => a.type === "InternalIP")?.address ?? "");
  const out = apiserverEndpoints(ips.filter(Boolean).sort());
  const pods = of("Pod");
  const nodeOf = (name: string) => nodes.find((n) => n.metadata.name === name);
  for (const svc of of("Service")) {
    const selector = managedSelector(svc);
    if (!selector) continue;
    const selected = pods.filter((p) => p.metadata.namespace === svc.metadata.namespace && Object.entries(selector).every(([k, v]) => p.metadata.labels?.[k] === v));
    const endpoints = nextEndpoints(svc, selected, undefined);
    if (endpoints) out.push(endpoints);
    for (const slice of reconcileSlices(svc, selected, [], nodeOf).create) {
      slice.metadata.name = `${slice.metadata.generateName}${rng.chars(NAME_SUFFIX_ALPHABET, 5)}`;
      out.push(slice);
    }
  }
  return out;
}
