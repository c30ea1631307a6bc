// Events by what makes two of them the same for aggregation (namespace, involved object's uid and
// fieldPath, reason, message, type, source component) → the name of the event they aggregate into.
// A busy sandbox holds tens of thousands of events, so the index keeps no key string per event: its
// entries point at the event's own strings, grouped by the involved object's uid and compared field
// by field, which answers exactly as a map keyed by the whole tuple would.
import type { KubeObject } from "../resources/types";

/** One key's fields (but the uid, its group's) and the name it maps to. */
interface Entry {
  namespace: string;
  fieldPath: string;
  reason: string;
  message: string;
  type: string;
  component: string;
  name: string;
}

/** The tuple as one string, for keys the uid grouping does not fit (no uid, or a field not a string). */
function tupleKey(namespace: unknown, uid: unknown, fieldPath: unknown, reason: unknown, message: unknown, type: unknown, component: unknown): string {
  const parts = [namespace, uid ?? "", fieldPath ?? "", reason, message, type, component ?? ""];
  // Strings length-prefixed, which tells any two lists apart as JSON would, for less.
  let key = "";
  for (const p of parts) {
    if (typeof p !== "string") return JSON.stringify(parts);
    key += `${p.length}:${p}`;
  }
  return key;
}

export class EventIndex {
  /** By uid: one entry, or the entries of an object with several distinct events. */
  private readonly byUid = new Map<string, Entry | Entry[]>();
  /** The rest, by their tuple as a string. */
  private readonly other = new Map<string, string>();

  /** The name of the event `e` would aggregate into, by its own fields. */
  getOf(e: KubeObject): string | undefined {
    return this.find(e, undefined, false);
  }

  /** Sets the name for `e`'s key (replacing what it held). */
  setOf(e: KubeObject, name: string): void {
    this.find(e, name, false);
  }

  /** Forgets `e`'s key. */
  deleteOf(e: KubeObject): void {
    this.find(e, undefined, true);
  }

  get(namespace: unknown, uid: unknown, fieldPath: unknown, reason: unknown, message: unknown, type: unknown, component: unknown): string | undefined {
    return this.at(namespace, uid ?? "", fieldPath ?? "", reason, message, type, component ?? "", undefined, false);
  }

  private find(e: KubeObject, set: string | undefined, remove: boolean): string | undefined {
    const io = e.involvedObject as { uid?: unknown; fieldPath?: unknown } | undefined;
    const src = e.source as { component?: unknown } | undefined;
    return this.at(e.metadata.namespace ?? "", io?.uid ?? "", io?.fieldPath ?? "", e.reason, e.message, e.type, src?.component ?? "", set, remove);
  }

  private at(namespace: unknown, uid: unknown, fieldPath: unknown, reason: unknown, message: unknown, type: unknown, component: unknown, set: string | undefined, remove: boolean): string | undefined {
    if (uid === "" || typeof namespace !== "string" || typeof uid !== "string" || typeof fieldPath !== "string" || typeof reason !== "string" || typeof message !== "string" || typeof type !== "string" || typeof component !== "string") {
      const key = tupleKey(namespace, uid, fieldPath, reason, message, type, component);
      if (remove) this.other.delete(key);
      else if (set !== undefined) this.other.set(key, set);
      return this.other.get(key);
    }
    const held = this.byUid.get(uid);
    const same = (x: Entry) => x.message === message && x.reason === reason && x.fieldPath === fieldPath && x.type === type && x.component === component && x.namespace === namespace;
    if (held === undefined || !Array.isArray(held)) {
      if (held !== undefined && same(held)) {
        if (remove) this.byUid.delete(uid);
        else if (set !== undefined) held.name = set;
        return remove ? undefined : held.name;
      }
      if (set === undefined) return undefined;
      const entry: Entry = { namespace, fieldPath, reason, message, type, component, name: set };
      this.byUid.set(uid, held === undefined ? entry : [held, entry]);
      return set;
    }
    for (let i = 0; i < held.length; i++) {
      const x = held[i];
      if (!same(x)) continue;
      if (remove) {
        const rest = held.slice(0, i).concat(held.slice(i + 1));
        this.byUid.set(uid, rest.length === 1 ? rest[0] : rest);
        return undefined;
      }
      if (set !== undefined) x.name = set;
      return x.name;
    }
    if (set === undefined) return undefined;
    // A new array of exactly the entries: one grown by push keeps room for many more.
    this.byUid.set(uid, held.concat({ namespace, fieldPath, reason, message, type, component, name: set }));
    return set;
  }
}
