// Sets of field paths as server-side apply tracks them, and their FieldsV1 encoding
// (`f:<field>`, `k:{<list keys>}`, `v:<set value>`, `.` for a node that is itself a member).
// Models sigs.k8s.io/structured-merge-diff fieldpath.Set, typed.ToFieldSet and typed.Compare
import { fieldSpec, type FieldSpec } from "./merge-keys";
import { canonicalJson, deepEqual, isObject, type JsonObject } from "./util";

export type Path = readonly string[];

const PE_RANK: Record<string, number> = { f: 0, k: 1, v: 2, i: 3 };

function comparePE(a: string, b: string): number {
  const ra = PE_RANK[a[0]] ?? 4;
  const rb = PE_RANK[b[0]] ?? 4;
  if (ra !== rb) return ra - rb;
  return a < b ? -1 : a > b ? 1 : 0;
}

export class FieldSet {
  member = false;
  readonly children = new Map<string, FieldSet>();

  static fromFieldsV1(v: unknown): FieldSet {
    const set = new FieldSet();
    if (isObject(v)) for (const [k, c] of Object.entries(v)) if (k !== ".") set.children.set(k, FieldSet.parseNode(c));
    set.prune();
    return set;
  }

  private static parseNode(v: unknown): FieldSet {
    const node = new FieldSet();
    const entries = isObject(v) ? Object.entries(v) : [];
    if (entries.length === 0) node.member = true;
    for (const [k, c] of entries) {
      if (k === ".") node.member = true;
      else node.children.set(k, FieldSet.parseNode(c));
    }
    return node;
  }

  toFieldsV1(): JsonObject {
    const out: JsonObject = {};
    if (this.member && this.children.size > 0) out["."] = {};
    for (const k of [...this.children.keys()].sort(comparePE)) out[k] = this.children.get(k)!.toFieldsV1();
    return out;
  }

  insert(path: Path): void {
    let node: FieldSet = this;
    for (const pe of path) {
      let next = node.children.get(pe);
      if (!next) {
        next = new FieldSet();
        node.children.set(pe, next);
      }
      node = next;
    }
    node.member = true;
  }

  get(path: Path): FieldSet | undefined {
    let node: FieldSet | undefined = this;
    for (const pe of path) {
      node = node.children.get(pe);
      if (!node) return undefined;
    }
    return node;
  }

  has(path: Path): boolean {
    return this.get(path)?.member ?? false;
  }

  /** Whether the path or anything below it is a member. */
  hasWithin(path: Path): boolean {
    const node = this.get(path);
    return node !== undefined && !node.isEmpty();
  }

  isEmpty(): boolean {
    if (this.member) return false;
    for (const c of this.children.values()) if (!c.isEmpty()) return false;
    return true;
  }

  /** Member paths, parents before children, in FieldsV1 order. */
  members(prefix: string[] = []): string[][] {
    const out: string[][] = [];
    if (this.member) out.push(prefix);
    for (const k of [...this.children.keys()].sort(comparePE)) out.push(...this.children.get(k)!.members([...prefix, k]));
    return out;
  }

  union(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const p of this.members()) out.insert(p);
    for (const p of other.members()) out.insert(p);
    return out;
  }

  difference(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const p of this.members()) if (!other.has(p)) out.insert(p);
    return out;
  }

  intersection(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const p of this.members()) if (other.has(p)) out.insert(p);
    return out;
  }

  /** Drops the node at `path` and everything under it. */
  removeSubtree(path: Path): void {
    if (path.length === 0) return;
    const parent = this.get(path.slice(0, -1));
    parent?.children.delete(path[path.length - 1]);
    this.prune();
  }

  prune(): void {
    for (const [k, c] of this.children) {
      c.prune();
      if (c.isEmpty()) this.children.delete(k);
    }
  }
}

function valueString(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (v === null || v === undefined) return "null";
  if (Array.isArray(v)) return `[${v.map(valueString).join(",")}]`;
  if (isObject(v)) return `{${Object.keys(v).sort().map((k) => `${k}=${valueString(v[k])}`).join(",")}}`;
  return String(v);
}

/** `.spec.template.spec.containers[name="nginx"].image`, as fieldpath.Path.String prints paths in conflicts. */
export function pathString(path: Path): string {
  return path
    .map((pe) => {
      const body = pe.slice(2);
      switch (pe[0]) {
        case "f":
          return `.${body}`;
        case "k": {
          const keys = JSON.parse(body) as JsonObject;
          return `[${Object.keys(keys).sort().map((k) => `${k}=${valueString(keys[k])}`).join(",")}]`;
        }
        case "v":
          return `[=${valueString(JSON.parse(body))}]`;
        default:
          return `[${body}]`;
      }
    })
    .join("");
}

/**
 * Path elements of the items of a list, or undefined when the list is owned atomically: no key
 * metadata, items without keys, or duplicate keys.
 */
export function itemPathElements(list: unknown[], spec: FieldSpec | undefined): string[] | undefined {
  if (!spec) return undefined;
  const pes: string[] = [];
  if (spec.listType === "map" && spec.listMapKeys) {
    for (const item of list) {
      if (!isObject(item)) return undefined;
      const key: JsonObject = {};
      for (const k of spec.listMapKeys) {
        const v = item[k] ?? spec.keyDefaults?.[k];
        if (v !== undefined && v !== null) key[k] = v;
      }
      if (Object.keys(key).length === 0) return undefined;
      pes.push(`k:${canonicalJson(key)}`);
    }
  } else if (spec.listType === "set") {
    for (const item of list) {
      if (isObject(item) || Array.isArray(item)) return undefined;
      pes.push(`v:${canonicalJson(item)}`);
    }
  } else {
    return undefined;
  }
  return new Set(pes).size === pes.length ? pes : undefined;
}

/** The fields an applied configuration specifies. Models structured-merge-diff typed/tofieldset.go */
export function toFieldSet(obj: JsonObject, typeName: string): FieldSet {
  const set = new FieldSet();
  walkObject(obj, typeName, [], set);
  return set;
}

function walkObject(obj: JsonObject, typeName: string | undefined, path: string[], set: FieldSet): void {
  for (const [k, v] of Object.entries(obj)) walkValue(v, fieldSpec(typeName, k), [...path, `f:${k}`], set);
}

function walkValue(v: unknown, spec: FieldSpec | undefined, path: string[], set: FieldSet): void {
  if (v === null || v === undefined) return;
  if (Array.isArray(v)) {
    const pes = itemPathElements(v, spec);
    if (!pes) {
      set.insert(path);
      return;
    }
    v.forEach((item, i) => {
      const p = [...path, pes[i]];
      set.insert(p);
      if (isObject(item)) walkObject(item, spec?.type, p, set);
    });
    return;
  }
  if (isObject(v) && !spec?.atomic) {
    walkObject(v, spec?.type, path, set);
    return;
  }
  set.insert(path);
}

export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

// Struct fields present (possibly empty) in every object of their type: when their content is added,
// the field itself is not reported as added, matching what the apiserver records for typed objects.
const ALWAYS_PRESENT = new Set(["metadata", "spec", "status", "template", "strategy", "updateStrategy", "jobTemplate", "containers", "resources"]);

/** Fields added, changed and removed between two versions of an object. Models structured-merge-diff typed/compare.go */
export function compareObjects(oldObj: JsonObject | undefined, newObj: JsonObject, typeName: string): Comparison {
  const out: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  compareObject(oldObj ?? {}, newObj, typeName, [], out);
  return out;
}

/** Every field of an object, as a comparison against nothing reports them. */
export function allFields(obj: JsonObject, typeName: string): FieldSet {
  return compareObjects(undefined, obj, typeName).added;
}

function compareObject(o: JsonObject, n: JsonObject, typeName: string | undefined, path: string[], out: Comparison): void {
  const keys = new Set([...Object.keys(o), ...Object.keys(n)]);
  for (const k of keys) compareValue(o[k], n[k], fieldSpec(typeName, k), [...path, `f:${k}`], k, out);
}

function compareValue(o: unknown, n: unknown, spec: FieldSpec | undefined, path: string[], name: string, out: Comparison): void {
  const oAbsent = o === null || o === undefined;
  const nAbsent = n === null || n === undefined;
  if (oAbsent && nAbsent) return;
  if (oAbsent) return addSubtree(n, spec, path, !ALWAYS_PRESENT.has(name), out.added);
  if (nAbsent) return addSubtree(o, spec, path, !ALWAYS_PRESENT.has(name), out.removed);
  if (Array.isArray(o) && Array.isArray(n)) {
    const ope = itemPathElements(o, spec);
    const npe = itemPathElements(n, spec);
    if (!ope || !npe) {
      if (!deepEqual(o, n)) out.modified.insert(path);
      return;
    }
    const oldItems = new Map(ope.map((pe, i) => [pe, o[i]]));
    const newItems = new Map(npe.map((pe, i) => [pe, n[i]]));
    for (const pe of new Set([...ope, ...npe])) {
      const oi = oldItems.get(pe);
      const ni = newItems.get(pe);
      const p = [...path, pe];
      if (oi === undefined) addSubtree(ni, { ...spec, listType: undefined }, p, true, out.added);
      else if (ni === undefined) addSubtree(oi, { ...spec, listType: undefined }, p, true, out.removed);
      else if (isObject(oi) && isObject(ni)) compareObject(oi, ni, spec?.type, p, out);
      else if (!deepEqual(oi, ni)) out.modified.insert(p);
    }
    return;
  }
  if (isObject(o) && isObject(n) && !spec?.atomic) return compareObject(o, n, spec?.type, path, out);
  if (!deepEqual(o, n)) out.modified.insert(path);
}

function addSubtree(v: unknown, spec: FieldSpec | undefined, path: string[], self: boolean, set: FieldSet): void {
  if (Array.isArray(v)) {
    const pes = itemPathElements(v, spec);
    if (!pes || v.length === 0) {
      set.insert(path);
      return;
    }
    if (self) set.insert(path);
    v.forEach((item, i) => addSubtree(item, { ...spec, listType: undefined }, [...path, pes[i]], true, set));
    return;
  }
  if (isObject(v) && !spec?.atomic && Object.keys(v).length > 0) {
    if (self) set.insert(path);
    for (const [k, x] of Object.entries(v)) {
      if (x !== null && x !== undefined) addSubtree(x, fieldSpec(spec?.type, k), [...path, `f:${k}`], !ALWAYS_PRESENT.has(k), set);
    }
    return;
  }
  set.insert(path);
}
