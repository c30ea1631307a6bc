// Pod priority from its PriorityClass, resolved when the pod is created (the Priority admission
// plugin): the class's value and preemption policy are copied into the pod; a pod without a class
// gets the globalDefault class, if there is one. An unknown class is refused. The same plugin keeps
// PriorityClasses to one global default.
// Models plugin/pkg/admission/priority/admission.go admitPod / getDefaultPriority /
// validatePriorityClass
import { forbidden } from "../api/status";
import type { KubeObject } from "../resources/types";

interface Lister {
  get(resource: string, namespace: string, name: string): KubeObject | undefined;
  list(resource: string, namespace?: string): KubeObject[];
}

const PRIORITY_CLASSES = "scheduling.k8s.io/priorityclasses";

/** Built in: they resolve even before (or without) their objects. */
const SYSTEM: Record<string, number> = { "system-node-critical": 2000001000, "system-cluster-critical": 2000000000 };

function defaultClass(store: Lister): KubeObject | undefined {
  // With several global defaults (a race upstream allows), the lowest value wins.
  return store
    .list(PRIORITY_CLASSES)
    .filter((pc) => pc.globalDefault === true)
    .sort((a, b) => Number(a.value ?? 0) - Number(b.value ?? 0))[0];
}

/**
 * A second globalDefault class is refused, created or marked so by an update, while another one
 * exists (403, as admission refuses it).
 */
export function admitPriorityClass(pc: KubeObject, old: KubeObject | undefined, store: Lister): void {
  if (pc.globalDefault !== true) return;
  const current = defaultClass(store);
  if (!current || (old && current.metadata.name === pc.metadata.name)) return;
  throw forbidden("scheduling.k8s.io", "priorityclasses", pc.metadata.name ?? "", `PriorityClass ${current.metadata.name} is already marked as default. Only one default can exist`);
}

export function resolvePodPriority(pod: KubeObject, store: Lister): void {
  const spec = (pod.spec ?? {}) as Record<string, unknown>;
  const name = typeof spec.priorityClassName === "string" ? spec.priorityClassName : "";
  let pc: KubeObject | undefined;
  if (!name) {
    pc = defaultClass(store);
    // Defaulting already set 0 for a pod without a class; the global default replaces that.
    if (!pc) return;
    if (spec.priority === 0) delete spec.priority;
    spec.priorityClassName = pc.metadata.name;
  } else {
    pc = store.get(PRIORITY_CLASSES, "", name);
    if (!pc && !(name in SYSTEM)) throw forbidden("", "pods", pod.metadata.name ?? "", `no PriorityClass with name ${name} was found`);
  }
  const value = pc ? Number(pc.value ?? 0) : SYSTEM[name];
  if (typeof spec.priority === "number" && spec.priority !== value) {
    throw forbidden(
      "",
      "pods",
      pod.metadata.name ?? "",
      `the integer value of priority (${spec.priority}) must not be provided in pod spec; priority admission controller computed ${value} from the given PriorityClass name`,
    );
  }
  spec.priority = value;
  if (typeof pc?.preemptionPolicy === "string") spec.preemptionPolicy = pc.preemptionPolicy;
}
