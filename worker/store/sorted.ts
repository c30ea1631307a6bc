// The store's lists of a resource's objects, sorted by namespace then name as etcd keys are (the
// order a LIST answers in), and kept in step with committed batches instead of sorted again.
import type { KubeObject } from "../resources/types";

/** A resource's cached lists: of all its objects, and by namespace. */
export interface SortedLists {
  all?: KubeObject[];
  byNamespace: Map<string, KubeObject[]>;
}

export function compareKeys(a: KubeObject, b: KubeObject): number {
  const an = a.metadata.namespace ?? "";
  const bn = b.metadata.namespace ?? "";
  if (an !== bn) return an < bn ? -1 : 1;
  const a1 = a.metadata.name ?? "";
  const b1 = b.metadata.name ?? "";
  return a1 < b1 ? -1 : a1 > b1 ? 1 : 0;
}

/**
 * A list sorted by namespace then name with a batch of changes applied: replacements in place, then
 * removals and additions in one merge (one by one, thousands of new Events made it quadratic).
 */
export function placeSorted(list: KubeObject[], byNs: Map<string, Map<string, KubeObject | undefined>>): KubeObject[] {
  const removed = new Set<number>();
  const added: KubeObject[] = [];
  for (const [ns, byName] of byNs) {
    for (const [name, object] of byName) {
      const { index, found } = findSorted(list, ns, name);
      if (found) {
        if (object) list[index] = object;
        else removed.add(index);
      } else if (object) {
        added.push(object);
      }
    }
  }
  if (removed.size === 0 && added.length === 0) return list;
  if (removed.size === 0 && added.length === 1) {
    list.splice(findSorted(list, added[0].metadata.namespace ?? "", added[0].metadata.name ?? "").index, 0, added[0]);
    return list;
  }
  added.sort(compareKeys);
  const out: KubeObject[] = [];
  let j = 0;
  for (let i = 0; i < list.length; i++) {
    if (removed.has(i)) continue;
    while (j < added.length && compareKeys(added[j], list[i]) < 0) out.push(added[j++]);
    out.push(list[i]);
  }
  while (j < added.length) out.push(added[j++]);
  return out;
}

/** Where (namespace, name) is or would go in a list sorted by namespace then name. */
function findSorted(list: KubeObject[], namespace: string, name: string): { index: number; found: boolean } {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const m = list[mid].metadata;
    const mn = m.namespace ?? "";
    const c = mn !== namespace ? (mn < namespace ? -1 : 1) : (m.name ?? "") < name ? -1 : (m.name ?? "") > name ? 1 : 0;
    if (c === 0) return { index: mid, found: true };
    if (c < 0) lo = mid + 1;
    else hi = mid;
  }
  return { index: lo, found: false };
}
