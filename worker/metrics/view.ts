// What the metrics pipeline reads: the cluster's objects (the API's store, or a controller pass's
// view of it) and, per running container, the runtime's process model and when that instance
// started. Reading never writes: pods the kubelet adopted without a record get a transient one.
import { readOnlyContext } from "../controllers/read-only";
import type { Container, Pod } from "kubernetes-types/core/v1";
import { modelOf } from "../kubelet/models";
import { adoptRecord, CONTAINERS, podIdentity, type PodRuntime } from "../kubelet/record";
import type { PodWork } from "../kubelet/work";
import type { KubeObject } from "../resources/types";
import type { ProcessModel } from "../runtime/types";

export interface ClusterView {
  get(resource: string, namespace: string, name: string): KubeObject | undefined;
  list(resource: string, namespace?: string): KubeObject[];
}

/** One running container as the runtime sees it. */
export interface RunningContainer {
  name: string;
  spec: Container;
  /** When the current instance started, epoch ms. */
  startedAt: number;
  image: string;
  model: ProcessModel | undefined;
}

export const podKey = (pod: KubeObject): string => `${pod.metadata.namespace ?? ""}/${pod.metadata.name ?? ""}`;

export function podSpec(pod: KubeObject): Pod["spec"] {
  return (pod as Pod).spec;
}

/** Running, and not a leftover of an earlier pod of the same name. */
export function isRunning(pod: KubeObject): boolean {
  return (pod as Pod).status?.phase === "Running";
}

export function isPodReady(pod: KubeObject): boolean {
  return !!(pod as Pod).status?.conditions?.some((c) => c.type === "Ready" && c.status === "True");
}


function recordOf(view: ClusterView, pod: KubeObject, node: string, now: number): PodRuntime | undefined {
  const rec = view.get(CONTAINERS, pod.metadata.namespace ?? "", pod.metadata.name ?? "") as PodRuntime | undefined;
  if (rec && rec.uid === podIdentity(pod)) return rec;
  return adoptRecord(pod, node, now);
}

/** The containers of `pod` running at `now` (regular and restartable init containers), with their process models. */
export function runningContainers(view: ClusterView, pod: KubeObject, now: number): RunningContainer[] {
  const p = pod as Pod;
  if (!isRunning(pod)) return [];
  const node = p.spec?.nodeName ?? "";
  const rec = recordOf(view, pod, node, now);
  const out: RunningContainer[] = [];
  const specs = [...(p.spec?.initContainers ?? []).filter((c) => c.restartPolicy === "Always"), ...(p.spec?.containers ?? [])];
  const statuses = [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])];
  for (const spec of specs) {
    const status = statuses.find((s) => s.name === spec.name);
    const running = status?.state?.running;
    if (!running) continue;
    const c = rec?.containers.find((x) => x.name === spec.name && x.current && !x.current.exit);
    const startedAt = c?.current?.startedAt ?? Date.parse(running.startedAt ?? "");
    if (!Number.isFinite(startedAt) || startedAt > now) continue;
    let model: ProcessModel | undefined;
    if (rec && c) {
      const w: PodWork = { ctx: readOnlyContext(view, now), now, pod, rec, node, hostIP: "", wakes: [], lenient: true };
      try {
        model = modelOf(w, c);
      } catch {
        model = undefined;
      }
    }
    out.push({ name: spec.name, spec, startedAt, image: c?.current?.image ?? spec.image ?? "", model });
  }
  return out;
}
