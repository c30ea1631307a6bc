// The simulated machines behind the nodes, as far as the control plane cannot see them: whether each
// node's kubelet runs. It lives in the store under an internal key the API does not serve, so it is
// durable and forks with the sandbox but no client can read or change it except through the sandbox
// service. A node without an entry has a running kubelet.
import type { KubeObject } from "../resources/types";

export const MACHINES = "kubeplay.internal/machines";

export type KubeletState = "running" | "stopped";

export interface Machine extends KubeObject {
  kubelet: KubeletState;
  /** RFC 3339: when the kubelet stopped (its last heartbeat). */
  stoppedAt?: string;
}

interface Reader {
  get(resource: string, namespace: string, name: string): KubeObject | undefined;
}

export function machineOf(src: Reader, node: string): Machine | undefined {
  return src.get(MACHINES, "", node) as Machine | undefined;
}

/** Epoch ms when the node's kubelet stopped, or undefined while it runs. */
export function kubeletStoppedAt(src: Reader, node: string): number | undefined {
  const m = machineOf(src, node);
  if (!m || m.kubelet !== "stopped") return undefined;
  const t = Date.parse(m.stoppedAt ?? "");
  return Number.isNaN(t) ? 0 : t;
}

export function machine(node: string, kubelet: KubeletState, stoppedAt?: string): Machine {
  return {
    apiVersion: "kubeplay.internal/v1",
    kind: "Machine",
    metadata: { name: node },
    kubelet,
    ...(stoppedAt ? { stoppedAt } : {}),
  };
}
