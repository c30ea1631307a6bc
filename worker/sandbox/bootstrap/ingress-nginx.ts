// The ingress controller every sandbox comes with, as ingress-nginx's manifest installs it: the
// namespace `ingress-nginx`, the IngressClass `nginx` (controller `k8s.io/ingress-nginx`, not marked
// default, as upstream ships it) and the Service `ingress-nginx-controller` (LoadBalancer, http 80 and
// https 443, NodePorts 32080 and 32443), already holding the pool's first address as the service
// controller would have given it. The controller itself is built into the sandbox
// (network/ingress.ts, controllers/ingress.ts), so no pod stands for it and the Service has no
// selector. Its ClusterIP draws from a generator of its own so no other random choice moves.
import { LB_CLEANUP_FINALIZER, LB_POOL_FIRST } from "../../controllers/service-lb";
import { INGRESS_HTTP_NODE_PORT, INGRESS_HTTPS_NODE_PORT, INGRESS_NGINX_CLASS, INGRESS_NGINX_CONTROLLER, INGRESS_NGINX_NAMESPACE, INGRESS_NGINX_SERVICE } from "../../network/ingress";
import { intToIp, ipToInt } from "../../resources/service-alloc";
import type { KubeObject } from "../../resources/types";
import type { Rng } from "../rng";
import { defaultServiceAccount, rootCAConfigMap } from "./cluster";

export const INGRESS_NGINX_VERSION = "1.12.1";
/** Addresses kubeadm's objects hold: `kubernetes` and `kube-dns`. */
const TAKEN = new Set(["10.96.0.1", "10.96.0.10"]);

const LABELS = {
  "app.kubernetes.io/component": "controller",
  "app.kubernetes.io/instance": "ingress-nginx",
  "app.kubernetes.io/name": "ingress-nginx",
  "app.kubernetes.io/part-of": "ingress-nginx",
  "app.kubernetes.io/version": INGRESS_NGINX_VERSION,
};

function clusterIP(rng: Rng): string {
  for (;;) {
    const ip = intToIp(ipToInt("10.96.0.0") + rng.int(2, (1 << 20) - 2));
    if (!TAKEN.has(ip)) return ip;
  }
}

export function ingressNginxObjects(rng: Rng): KubeObject[] {
  const ns = INGRESS_NGINX_NAMESPACE;
  const ip = clusterIP(rng);
  return [
    { apiVersion: "v1", kind: "Namespace", metadata: { name: ns, labels: { "app.kubernetes.io/instance": "ingress-nginx", "app.kubernetes.io/name": "ingress-nginx" } } },
    defaultServiceAccount(ns),
    rootCAConfigMap(ns),
    { apiVersion: "networking.k8s.io/v1", kind: "IngressClass", metadata: { name: INGRESS_NGINX_CLASS, labels: LABELS }, spec: { controller: INGRESS_NGINX_CONTROLLER } },
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: INGRESS_NGINX_SERVICE, namespace: ns, labels: LABELS, finalizers: [LB_CLEANUP_FINALIZER] },
      spec: {
        type: "LoadBalancer",
        clusterIP: ip,
        clusterIPs: [ip],
        ipFamilies: ["IPv4"],
        ipFamilyPolicy: "SingleStack",
        ports: [
          { name: "http", port: 80, protocol: "TCP", targetPort: "http", appProtocol: "http", nodePort: INGRESS_HTTP_NODE_PORT },
          { name: "https", port: 443, protocol: "TCP", targetPort: "https", appProtocol: "https", nodePort: INGRESS_HTTPS_NODE_PORT },
        ],
      },
      status: { loadBalancer: { ingress: [{ ip: LB_POOL_FIRST, ipMode: "VIP" }] } },
    },
  ];
}
