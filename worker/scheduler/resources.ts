// Compute resources as the scheduler counts them: cpu in millicores, memory and storage in bytes,
// the pod count, and extended resources (`nvidia.com/gpu`, `hugepages-2Mi`) as integers.
// Models pkg/scheduler/framework/types.go Resource and
// staging/src/k8s.io/component-helpers/resource/helpers.go PodRequests
import { parseQuantity } from "../resources/validation/quantity";

export interface Resources {
  milliCpu: number;
  memory: number;
  ephemeralStorage: number;
  pods: number;
  scalars: Map<string, number>;
}

/** Requests of containers that set none, for scoring only (schedutil.DefaultMilliCPURequest / DefaultMemoryRequest). */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

export function emptyResources(): Resources {
  return { milliCpu: 0, memory: 0, ephemeralStorage: 0, pods: 0, scalars: new Map() };
}

export function cloneResources(r: Resources): Resources {
  return { ...r, scalars: new Map(r.scalars) };
}

const parsed = new Map<string, number>();

/**
 * A quantity's value rounded up to an integer (Quantity.Value), or in thousandths (MilliValue).
 * Unparsable values count as 0, as a quantity that never passed validation would not exist.
 */
export function quantityValue(v: unknown, milli = false): number {
  const key = `${milli ? "m" : ""}${String(v)}`;
  const hit = parsed.get(key);
  if (hit !== undefined) return hit;
  const q = parseQuantity(v);
  let out = 0;
  if (typeof q !== "string") {
    const scale = q.scale + (milli ? 3 : 0);
    if (scale >= 0) out = Number(q.n * 10n ** BigInt(scale));
    else {
      const d = 10n ** BigInt(-scale);
      let r = q.n / d;
      if (r * d !== q.n && q.n > 0n) r += 1n;
      out = Number(r);
    }
  }
  if (parsed.size < 10_000) parsed.set(key, out);
  return out;
}

// Models pkg/scheduler/util/utils.go IsScalarResourceName (extended, hugepages, attachable volumes)
export function isScalarResource(name: string): boolean {
  if (name.startsWith("hugepages-") || name.startsWith("attachable-volumes-")) return true;
  if (!name.includes("/")) return false;
  const domain = name.slice(0, name.indexOf("/"));
  return !(domain === "kubernetes.io" || domain.endsWith(".kubernetes.io")) && !name.startsWith("requests.");
}

/** Adds a ResourceList (`{cpu: "500m", memory: "1Gi"}`) into `r`. */
export function addResourceList(r: Resources, list: Record<string, unknown> | undefined): void {
  if (!list) return;
  for (const [name, v] of Object.entries(list)) {
    switch (name) {
      case "cpu":
        r.milliCpu += quantityValue(v, true);
        break;
      case "memory":
        r.memory += quantityValue(v);
        break;
      case "ephemeral-storage":
        r.ephemeralStorage += quantityValue(v);
        break;
      case "pods":
        r.pods += quantityValue(v);
        break;
      default:
        if (isScalarResource(name)) r.scalars.set(name, (r.scalars.get(name) ?? 0) + quantityValue(v));
    }
  }
}

export function addResources(into: Resources, r: Resources): void {
  into.milliCpu += r.milliCpu;
  into.memory += r.memory;
  into.ephemeralStorage += r.ephemeralStorage;
  into.pods += r.pods;
  for (const [k, v] of r.scalars) into.scalars.set(k, (into.scalars.get(k) ?? 0) + v);
}

export function subtractResources(from: Resources, r: Resources): void {
  from.milliCpu -= r.milliCpu;
  from.memory -= r.memory;
  from.ephemeralStorage -= r.ephemeralStorage;
  from.pods -= r.pods;
  for (const [k, v] of r.scalars) from.scalars.set(k, (from.scalars.get(k) ?? 0) - v);
}

function maxResources(into: Resources, r: Resources): void {
  into.milliCpu = Math.max(into.milliCpu, r.milliCpu);
  into.memory = Math.max(into.memory, r.memory);
  into.ephemeralStorage = Math.max(into.ephemeralStorage, r.ephemeralStorage);
  for (const [k, v] of r.scalars) into.scalars.set(k, Math.max(into.scalars.get(k) ?? 0, v));
}

interface ContainerLike {
  restartPolicy?: string;
  resources?: { requests?: Record<string, unknown> };
}

export function resourceListOf(list: Record<string, unknown> | undefined): Resources {
  const r = emptyResources();
  addResourceList(r, list);
  return r;
}

/**
 * What a pod asks of a node: its containers' requests summed, restartable (sidecar) init
 * containers added, the largest one-at-a-time init container if that is more, plus overhead.
 * `nonZero` gives containers without cpu/memory requests the scoring defaults.
 */
export function podRequests(spec: Record<string, unknown>, nonZero = false): Resources {
  const containers = (spec.containers as ContainerLike[] | undefined) ?? [];
  const inits = (spec.initContainers as ContainerLike[] | undefined) ?? [];
  const of = (c: ContainerLike) => {
    const r = resourceListOf(c.resources?.requests);
    if (nonZero) {
      const req = c.resources?.requests ?? {};
      if (req.cpu === undefined) r.milliCpu = DEFAULT_MILLI_CPU_REQUEST;
      if (req.memory === undefined) r.memory = DEFAULT_MEMORY_REQUEST;
    }
    return r;
  };
  const reqs = emptyResources();
  for (const c of containers) addResources(reqs, of(c));
  const sidecars = emptyResources();
  const initMax = emptyResources();
  for (const c of inits) {
    let r = of(c);
    if (c.restartPolicy === "Always") {
      addResources(sidecars, r);
      r = cloneResources(sidecars);
    } else {
      addResources(r, sidecars);
    }
    maxResources(initMax, r);
  }
  addResources(reqs, sidecars);
  maxResources(reqs, initMax);
  addResourceList(reqs, spec.overhead as Record<string, unknown> | undefined);
  return reqs;
}
