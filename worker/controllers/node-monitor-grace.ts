// kube-controller-manager's --node-monitor-grace-period: how long a node may go without a heartbeat
// before the node lifecycle controller marks it Unknown. kube-controller-manager runs as a static pod
// on the control plane, so the value is the one its manifest gives (seen through its mirror pod), and
// editing /etc/kubernetes/manifests/kube-controller-manager.yaml changes it once the kubelet has
// restarted the pod, as on a kubeadm cluster. 1.32's default is 50 s (it was 40 s before).
// Models cmd/kube-controller-manager/app/options/nodelifecyclecontroller.go and
// pkg/controller/nodelifecycle/config/v1alpha1/defaults.go (NodeMonitorGracePeriod)
import { staticPodFlag } from "../resources/static-pod-flags";
import type { KubeObject } from "../resources/types";

/** The default when the manifest does not set the flag. */
export const DEFAULT_NODE_MONITOR_GRACE_MS = 50_000;

const FLAG = "--node-monitor-grace-period";
const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, "µs": 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A Go duration ("50s", "1m30s", "2m") in ms; undefined when it does not parse or is not positive. */
export function parseGraceDuration(value: string): number | undefined {
  const s = value.trim();
  if (!/^(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|ms|s|m|h))+$/.test(s)) return undefined;
  let total = 0;
  for (const m of s.matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/g)) total += Number(m[1]) * UNIT_MS[m[2]];
  return total > 0 ? total : undefined;
}

/** The grace period the kube-controller-manager pod's command sets, else the default. */
export function nodeMonitorGraceMs(store: { list(resource: string, namespace?: string): KubeObject[] }): number {
  return staticPodFlag(store, "kube-controller-manager", FLAG, parseGraceDuration) ?? DEFAULT_NODE_MONITOR_GRACE_MS;
}
