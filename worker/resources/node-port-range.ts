// The API server's --service-node-port-range. kube-apiserver runs as a static pod on the control
// plane: the range is the one its manifest gives (seen through its mirror pod), so editing
// /etc/kubernetes/manifests/kube-apiserver.yaml changes it once the kubelet has restarted the pod,
// as on a kubeadm cluster. Models k8s.io/apimachinery/pkg/util/net.ParsePortRange.
import { staticPodFlag } from "./static-pod-flags";
import type { KubeObject } from "./types";

export const DEFAULT_NODE_PORT_RANGE: readonly [number, number] = [30000, 32767];

const FLAG = "--service-node-port-range";

/** "30000-32767", "30000+767" or a single port; undefined when it is none of those. */
export function parsePortRange(value: string): [number, number] | undefined {
  const m = /^(\d+)(?:([-+])(\d+))?$/.exec(value.trim());
  if (!m) return undefined;
  const base = Number(m[1]);
  const size = m[2] === "+" ? Number(m[3]) : m[2] === "-" ? Number(m[3]) - base : 0;
  const hi = base + size;
  if (base < 0 || size < 0 || hi > 65535) return undefined;
  return [base, hi];
}

/** The range the kube-apiserver pod's command sets, else the default. */
export function nodePortRange(store: { list(resource: string, namespace?: string): KubeObject[] }): readonly [number, number] {
  return staticPodFlag(store, "kube-apiserver", FLAG, parsePortRange) ?? DEFAULT_NODE_PORT_RANGE;
}
