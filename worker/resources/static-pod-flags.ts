// A control-plane component's command-line flag, read from its static pod (seen through its mirror
// pod in kube-system): editing the manifest under /etc/kubernetes/manifests changes it once the
// kubelet has restarted the pod, as on a kubeadm cluster.
import type { KubeObject } from "./types";

/** The first value of `flag` (`--flag=value` or `--flag value`) in `component`'s command that `parse` accepts. */
export function staticPodFlag<T>(
  store: { list(resource: string, namespace?: string): KubeObject[] },
  component: string,
  flag: string,
  parse: (value: string) => T | undefined,
): T | undefined {
  for (const pod of store.list("/pods", "kube-system")) {
    if (pod.metadata.labels?.component !== component) continue;
    const c = (pod.spec as { containers?: { command?: string[]; args?: string[] }[] } | undefined)?.containers?.[0];
    const argv = [...(c?.command ?? []), ...(c?.args ?? [])];
    for (let i = 0; i < argv.length; i++) {
      const value = argv[i].startsWith(`${flag}=`) ? argv[i].slice(flag.length + 1) : argv[i] === flag ? argv[i + 1] : undefined;
      const parsed = value === undefined ? undefined : parse(value);
      if (parsed !== undefined) return parsed;
    }
  }
  return undefined;
}
