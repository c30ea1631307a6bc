// The patch `kubectl apply` sends: a three-way strategic merge patch from the last-applied
// configuration (original), the new configuration (modified) and the live object (current) —
// additions and changes from current to modified, plus deletions from original to modified.
// Lists whose elements merge by a key (containers by name, ports by containerPort, …) are diffed
// element by element with `$patch: delete` for removed ones and `$setElementOrder` for the order.
// Models staging/src/k8s.io/apimachinery/pkg/util/strategicpatch/patch.go
// (CreateThreeWayMergePatch, diffMaps, diffLists, diffListsOfMaps, diffListsOfScalars).
import { fieldSpec, rootTypeFor, type FieldSpec } from "../../api/patch/merge-keys";

type Json = unknown;
type JsonMap = Record<string, Json>;

interface DiffOptions {
  ignoreDeletions?: boolean;
  ignoreChangesAndAdditions?: boolean;
  setElementOrder?: boolean;
  buildRetainKeys?: boolean;
}

/** Fields whose struct is replaced key by key (`patchStrategy:"retainKeys"`): the patch lists the keys to keep. */
const RETAIN_KEYS: Record<string, string[]> = {
  WorkloadSpec: ["strategy", "updateStrategy"],
  StatefulSetSpec: ["updateStrategy"],
};

const isMap = (v: Json): v is JsonMap => typeof v === "object" && v !== null && !Array.isArray(v);

function typeOf(v: Json): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  return typeof v;
}

function deepEqual(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (typeOf(a) !== typeOf(b)) return false;
  if (Array.isArray(a)) return a.length === (b as Json[]).length && a.every((x, i) => deepEqual(x, (b as Json[])[i]));
  if (isMap(a)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b as JsonMap);
    return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual(a[k], (b as JsonMap)[k]));
  }
  return false;
}

function diffMaps(original: JsonMap, modified: JsonMap, typeName: string | undefined, o: DiffOptions): JsonMap {
  const patch: JsonMap = {};
  const retainKeys: string[] = [];
  for (const [key, mod] of Object.entries(modified)) {
    if (o.buildRetainKeys && mod !== null) retainKeys.push(key);
    if (!Object.prototype.hasOwnProperty.call(original, key)) {
      if (!o.ignoreChangesAndAdditions) patch[key] = mod;
      continue;
    }
    const orig = original[key];
    if (typeOf(orig) !== typeOf(mod)) {
      if (!o.ignoreChangesAndAdditions) patch[key] = mod;
      continue;
    }
    const spec = fieldSpec(typeName, key);
    if (isMap(orig)) {
      const retain = !!typeName && (RETAIN_KEYS[typeName] ?? []).includes(key);
      const sub = diffMaps(orig, mod as JsonMap, spec?.type, { ...o, buildRetainKeys: retain });
      if (Object.keys(sub).length) patch[key] = sub;
    } else if (Array.isArray(orig)) {
      diffSlice(key, orig, mod as Json[], patch, spec, o);
    } else if (!deepEqual(orig, mod) && !o.ignoreChangesAndAdditions) patch[key] = mod;
  }
  if (!o.ignoreDeletions) for (const key of Object.keys(original)) if (!Object.prototype.hasOwnProperty.call(modified, key)) patch[key] = null;
  if (retainKeys.length && (Object.keys(patch).length || Object.keys(original).some((k) => !Object.prototype.hasOwnProperty.call(modified, k)))) {
    patch.$retainKeys = [...retainKeys].sort();
  }
  return patch;
}

function diffSlice(key: string, orig: Json[], mod: Json[], patch: JsonMap, spec: FieldSpec | undefined, o: DiffOptions): void {
  if (spec?.patchStrategy !== "merge") {
    if (!deepEqual(orig, mod) && !o.ignoreChangesAndAdditions) patch[key] = mod;
    return;
  }
  const { add, del, order } = diffLists(orig, mod, spec, o);
  if (add.length) patch[key] = add;
  if (del.length) patch[`$deleteFromPrimitiveList/${key}`] = del;
  if (order.length) patch[`$setElementOrder/${key}`] = order;
}

const keyString = (v: Json) => (v === undefined ? "<nil>" : typeof v === "string" ? v : JSON.stringify(v));

function diffLists(orig: Json[], mod: Json[], spec: FieldSpec, o: DiffOptions): { add: Json[]; del: Json[]; order: Json[] } {
  if (orig.length === 0) {
    if (mod.length === 0 || o.ignoreChangesAndAdditions) return { add: [], del: [], order: [] };
    return { add: mod, del: [], order: [] };
  }
  const mergeKey = spec.patchMergeKey;
  const elementIsMap = isMap(orig[0] ?? mod[0]);
  if (elementIsMap && mergeKey) {
    let { patch, deletions } = diffListsOfMaps(orig as JsonMap[], mod as JsonMap[], spec, mergeKey, o);
    patch = normalizeOrder(patch, mod, mergeKey) as JsonMap[];
    const orderSame = sameOrder(orig, mod, mergeKey);
    patch = [...patch, ...deletions];
    let order: Json[] = [];
    if (o.setElementOrder && ((!o.ignoreChangesAndAdditions && (patch.length > 0 || !orderSame)) || (!o.ignoreDeletions && patch.length > 0))) {
      order = (mod as JsonMap[]).map((m) => ({ [mergeKey]: m[mergeKey] }));
    }
    return { add: patch, del: [], order };
  }
  // A list of scalars merged as a set.
  const add: Json[] = [];
  const del: Json[] = [];
  const origSet = new Set(orig.map(keyString));
  const modSet = new Set(mod.map(keyString));
  if (!o.ignoreChangesAndAdditions) for (const m of mod) if (!origSet.has(keyString(m))) add.push(m);
  if (!o.ignoreDeletions) for (const x of orig) if (!modSet.has(keyString(x))) del.push(x);
  let order: Json[] = [];
  if (o.setElementOrder && ((!o.ignoreDeletions && del.length > 0) || (!o.ignoreChangesAndAdditions && !deepEqual(orig, mod)))) order = mod;
  return { add: normalizeOrder(add, mod, undefined), del, order };
}

function diffListsOfMaps(orig: JsonMap[], mod: JsonMap[], spec: FieldSpec, mergeKey: string, o: DiffOptions): { patch: JsonMap[]; deletions: JsonMap[] } {
  const sortByKey = (xs: JsonMap[]) => [...xs].sort((a, b) => (keyString(a[mergeKey]) < keyString(b[mergeKey]) ? -1 : keyString(a[mergeKey]) > keyString(b[mergeKey]) ? 1 : 0));
  const os = sortByKey(orig);
  const ms = sortByKey(mod);
  const patch: JsonMap[] = [];
  const deletions: JsonMap[] = [];
  let i = 0;
  let j = 0;
  while (i < os.length || j < ms.length) {
    const ok = i < os.length ? keyString(os[i][mergeKey]) : undefined;
    const mk = j < ms.length ? keyString(ms[j][mergeKey]) : undefined;
    if (ok !== undefined && mk !== undefined && ok === mk) {
      const p = diffMaps(os[i], ms[j], spec.type, { ...o, buildRetainKeys: false });
      if (Object.keys(p).length) {
        p[mergeKey] = ms[j][mergeKey];
        patch.push(p);
      }
      i++;
      j++;
    } else if (ok === undefined || (mk !== undefined && mk < ok)) {
      if (!o.ignoreChangesAndAdditions) patch.push(ms[j]);
      j++;
    } else {
      if (!o.ignoreDeletions) deletions.push({ [mergeKey]: os[i][mergeKey], $patch: "delete" });
      i++;
    }
  }
  return { patch, deletions };
}

/** Patch elements in the order of the modified list (upstream's normalizeSliceOrder). */
function normalizeOrder(patch: Json[], mod: Json[], mergeKey: string | undefined): Json[] {
  const pos = (v: Json) => {
    const k = mergeKey && isMap(v) ? keyString(v[mergeKey]) : keyString(v);
    return mod.findIndex((m) => (mergeKey && isMap(m) ? keyString(m[mergeKey]) : keyString(m)) === k);
  };
  return [...patch].sort((a, b) => pos(a) - pos(b));
}

function sameOrder(orig: Json[], mod: Json[], mergeKey: string): boolean {
  const ks = (xs: Json[]) => xs.map((x) => keyString((x as JsonMap)[mergeKey]));
  const a = ks(orig);
  const b = ks(mod);
  const common = new Set(a.filter((k) => b.includes(k)));
  const fa = a.filter((k) => common.has(k));
  const fb = b.filter((k) => common.has(k));
  return fa.length === fb.length && fa.every((k, i) => k === fb[i]);
}

/** Merges the deletions patch and the delta patch (both strategic patches of one object). */
function mergePatches(base: JsonMap, delta: JsonMap, typeName: string | undefined): JsonMap {
  const out: JsonMap = { ...base };
  for (const [k, v] of Object.entries(delta)) {
    const b = out[k];
    if (isMap(b) && isMap(v)) out[k] = mergePatches(b, v, fieldSpec(typeName, k)?.type);
    else if (Array.isArray(b) && Array.isArray(v) && !k.startsWith("$")) {
      const spec = fieldSpec(typeName, k);
      const key = spec?.patchMergeKey;
      if (spec?.patchStrategy === "merge" && key) {
        const merged = [...(b as JsonMap[])];
        for (const e of v as JsonMap[]) {
          const idx = merged.findIndex((m) => keyString(m[key]) === keyString(e[key]));
          if (idx >= 0) merged[idx] = mergePatches(merged[idx], e, spec.type);
          else merged.push(e);
        }
        out[k] = merged;
      } else out[k] = [...new Set([...b, ...v].map((x) => JSON.stringify(x)))].map((x) => JSON.parse(x) as Json);
    } else out[k] = v;
  }
  return out;
}

/** The patch from current to modified (plus original's deletions); `{}` when there is nothing to change. */
export function threeWayMergePatch(original: JsonMap | undefined, modified: JsonMap, current: JsonMap, gvkKey: string): JsonMap {
  const root = rootTypeFor(gvkKey);
  const delta = diffMaps(current, modified, root, { ignoreDeletions: true, setElementOrder: true });
  const deletions = diffMaps(original ?? {}, modified, root, { ignoreChangesAndAdditions: true, setElementOrder: true });
  return mergePatches(deletions, delta, root);
}

/** `<group>/<Kind>` as merge-keys.ts keys root types. */
export function gvkKeyOf(apiVersion: string, kind: string): string {
  const group = apiVersion.includes("/") ? apiVersion.split("/")[0] : "";
  return `${group}/${kind}`;
}

/** The strategic merge patch from one version of an object to another (`kubectl set`, `rollout`). Models CreateTwoWayMergePatch. */
export function twoWayMergePatch(original: unknown, modified: unknown, gvkKey: string): JsonMap {
  return diffMaps(original as JsonMap, modified as JsonMap, rootTypeFor(gvkKey), { setElementOrder: true });
}
