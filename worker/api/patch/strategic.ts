// Strategic merge patch (application/strategic-merge-patch+json), applied server-side.
// Models staging/src/k8s.io/apimachinery/pkg/util/strategicpatch/patch.go StrategicMergeMapPatch
import { badRequest, invalid } from "../status";
import { fieldSpec, rootTypeFor, type FieldSpec } from "./merge-keys";
import { deepClone, genericUnprocessable, goFormat, goTypeName, isObject, jsonTypeName, sameGoType, type JsonObject } from "./util";

const DIRECTIVE = "$patch";
const RETAIN_KEYS = "$retainKeys";
const DELETE_FROM_PRIMITIVE_LIST = "$deleteFromPrimitiveList";
const SET_ELEMENT_ORDER = "$setElementOrder";

// mergepatch error texts; the apiserver answers the format errors with 400 (interpretStrategicMergePatchError).
const ERR_PRIMITIVE_LIST = "invalid patch format of primitive list";
const ERR_RETAIN_KEYS = "invalid patch format of retainKeys";
const ERR_SET_ELEMENT_ORDER = "invalid patch format of setElementOrder list";

// Upstream lets these reach the client as untyped errors; they are client mistakes, so they are 400s here.
const errBadArgType = (expected: string, actual: unknown) => badRequest(`expected a ${expected}, but received a ${goTypeName(actual)}`);
const errNoMergeKey = (m: unknown, key: string) => badRequest(`map: ${goFormat(m)} does not contain declared merge key: ${key}`);

function extractKey(key: string, prefix: string): string {
  const slash = key.indexOf("/");
  if (slash < 0 || key.slice(0, slash) !== prefix) {
    throw badRequest(prefix === DELETE_FROM_PRIMITIVE_LIST ? ERR_PRIMITIVE_LIST : ERR_SET_ELEMENT_ORDER);
  }
  return key.slice(slash + 1);
}

/** Removes directives and nulls from a value taken verbatim from the patch, as decoding into the typed object would. */
function stripDirectives(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripDirectives);
  if (!isObject(v)) return v;
  const out: JsonObject = {};
  for (const [k, x] of Object.entries(v)) if (x !== null && !k.startsWith("$")) out[k] = stripDirectives(x);
  return out;
}

/** A value the original lacks: process its directives against an empty original. */
function freshValue(patchV: unknown, spec: FieldSpec | undefined): unknown {
  if (isObject(patchV)) return mergeMap({}, patchV, spec?.type);
  if (Array.isArray(patchV) && spec?.patchStrategy === "merge") return mergeSlice([], patchV, spec, false);
  return stripDirectives(patchV);
}

function mergeMap(original: JsonObject, patch: JsonObject, typeName: string | undefined): JsonObject {
  if (Object.prototype.hasOwnProperty.call(patch, DIRECTIVE)) {
    const directive = patch[DIRECTIVE];
    if (directive === "replace") {
      const { [DIRECTIVE]: _, ...rest } = patch;
      return stripDirectives(rest) as JsonObject;
    }
    if (directive === "delete") return {};
    throw badRequest(`unknown patch type: ${goFormat(directive)} in map: ${goFormat(patch)}`);
  }
  applyRetainKeys(original, patch);
  mergeOrderedLists(original, patch, typeName);

  for (const [rawKey, patchV] of Object.entries(patch)) {
    let key = rawKey;
    let isDeleteList = false;
    if (rawKey.startsWith(DELETE_FROM_PRIMITIVE_LIST)) {
      key = extractKey(rawKey, DELETE_FROM_PRIMITIVE_LIST);
      isDeleteList = true;
      if (!Array.isArray(patchV)) throw badRequest(ERR_PRIMITIVE_LIST);
    } else if (rawKey.startsWith("$")) {
      continue; // unknown directive-like keys are dropped, as decoding drops unknown fields
    }
    if (patchV === null) {
      delete original[key];
      continue;
    }
    const spec = fieldSpec(typeName, key);
    if (!Object.prototype.hasOwnProperty.call(original, key) || original[key] === null) {
      if (!isDeleteList) original[key] = freshValue(patchV, spec);
      continue;
    }
    const origV = original[key];
    if (!sameGoType(origV, patchV)) {
      original[key] = freshValue(patchV, spec);
    } else if (isObject(origV)) {
      original[key] = mergeMap(origV, patchV as JsonObject, spec?.type);
    } else if (Array.isArray(origV)) {
      original[key] = mergeSliceHandler(origV, patchV as unknown[], spec, isDeleteList);
    } else {
      original[key] = patchV;
    }
  }
  return original;
}

// Models strategicpatch/patch.go applyRetainKeysDirective
function applyRetainKeys(original: JsonObject, patch: JsonObject): void {
  if (!Object.prototype.hasOwnProperty.call(patch, RETAIN_KEYS)) return;
  const list = patch[RETAIN_KEYS];
  delete patch[RETAIN_KEYS];
  if (!Array.isArray(list)) throw badRequest(ERR_RETAIN_KEYS);
  const retained = new Set(list);
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || k.startsWith(DELETE_FROM_PRIMITIVE_LIST) || k.startsWith(SET_ELEMENT_ORDER)) continue;
    if (!retained.has(k)) throw badRequest(ERR_RETAIN_KEYS);
  }
  for (const k of Object.keys(original)) if (!retained.has(k)) delete original[k];
}

// Models strategicpatch/patch.go mergePatchIntoOriginal: $setElementOrder/<field> and its list are merged together.
function mergeOrderedLists(original: JsonObject, patch: JsonObject, typeName: string | undefined): void {
  for (const directiveKey of Object.keys(patch)) {
    if (!directiveKey.startsWith(SET_ELEMENT_ORDER)) continue;
    const order = patch[directiveKey];
    delete patch[directiveKey];
    if (!Array.isArray(order)) throw errBadArgType("[]interface {}", order);
    const key = extractKey(directiveKey, SET_ELEMENT_ORDER);
    const foundOriginal = Object.prototype.hasOwnProperty.call(original, key) && original[key] !== null;
    const foundPatch = Object.prototype.hasOwnProperty.call(patch, key);
    const origList = original[key];
    const patchList = patch[key];
    if (foundOriginal && !Array.isArray(origList)) throw errBadArgType("[]interface {}", origList);
    if (foundPatch && !Array.isArray(patchList)) throw errBadArgType("[]interface {}", patchList);
    const spec = fieldSpec(typeName, key);
    const mergeKey = spec?.patchMergeKey ?? "";
    const origItems = (origList as unknown[] | undefined) ?? [];
    const patchItems = (patchList as unknown[] | undefined) ?? [];
    validatePatchWithSetOrderList(patchItems, order, mergeKey);

    let merged: unknown[];
    if (foundOriginal && !foundPatch) merged = origItems;
    else if (!foundOriginal && foundPatch) merged = freshValue(patchItems, spec) as unknown[];
    else if (foundOriginal && foundPatch) merged = mergeSliceHandler(origItems, patchItems, spec, false);
    else continue;

    if (merged.length > 0) {
      const [inOrder, serverOnly] = partition(merged, order, mergeKey);
      merged = normalizeElementOrder(inOrder, serverOnly, order, origItems, mergeKey);
    }
    original[key] = merged;
    delete patch[key];
  }
}

function isDeleteItem(v: unknown): boolean {
  return isObject(v) && v[DIRECTIVE] === "delete";
}

function mergeKeyValueEqual(left: unknown, right: unknown, mergeKey: string): boolean {
  if (!mergeKey) return left === right;
  if (!isObject(left)) throw errBadArgType("map[string]interface {}", left);
  if (!isObject(right)) throw errBadArgType("map[string]interface {}", right);
  if (!(mergeKey in left)) throw errNoMergeKey(left, mergeKey);
  if (!(mergeKey in right)) throw errNoMergeKey(right, mergeKey);
  return left[mergeKey] === right[mergeKey];
}

// Models strategicpatch/patch.go validatePatchWithSetOrderList
function validatePatchWithSetOrderList(patchList: unknown[], order: unknown[], mergeKey: string): void {
  if (order.length === 0 || patchList.length === 0) return;
  let items = patchList;
  if (mergeKey) {
    for (const v of patchList) if (!isObject(v)) throw errBadArgType("map[string]interface {}", v);
    items = patchList.filter((v) => !isDeleteItem(v));
  }
  let p = 0;
  let s = 0;
  while (p < items.length && s < order.length) {
    if (isObject(items[p]) && DIRECTIVE in (items[p] as JsonObject)) {
      p++;
      continue;
    }
    if (mergeKeyValueEqual(items[p], order[s], mergeKey)) p++;
    s++;
  }
  if (p < items.length && s >= order.length) {
    throw badRequest(
      `The order in patch list:\n${goFormat(patchList)}\n doesn't match ${SET_ELEMENT_ORDER} list:\n${goFormat(order)}\n`,
    );
  }
}

function mergeSliceHandler(original: unknown[], patch: unknown[], spec: FieldSpec | undefined, isDeleteList: boolean): unknown[] {
  if (spec?.patchStrategy === "merge" || isDeleteList) return mergeSlice(original, patch, spec, isDeleteList);
  return stripDirectives(patch) as unknown[];
}

/** "map" when the lists hold objects, "scalar" otherwise; rejects lists of lists and mixed element types. */
function sliceElementKind(...lists: unknown[][]): "map" | "scalar" {
  let first: string | undefined;
  for (const list of lists) {
    for (const v of list) {
      const t = goTypeName(v) === "int64" ? "float64" : goTypeName(v);
      if (first === undefined) {
        if (Array.isArray(v)) throw genericUnprocessable(); // lists of lists are not supported
        first = t;
      } else if (first !== t) {
        throw badRequest(`list element types are not identical: ${goFormat(lists)}`);
      }
    }
  }
  return first === "map[string]interface {}" ? "map" : "scalar";
}

// Models strategicpatch/patch.go mergeSlice
function mergeSlice(original: unknown[], patch: unknown[], spec: FieldSpec | undefined, isDeleteList: boolean): unknown[] {
  if (original.length === 0 && patch.length === 0) return original;
  const kind = sliceElementKind(original, patch);
  const mergeKey = spec?.patchMergeKey ?? "";
  let merged: unknown[];
  if (kind === "scalar") {
    if (isDeleteList) {
      const drop = new Set(patch);
      return original.filter((v) => !drop.has(v));
    }
    merged = [...new Set([...original, ...patch])];
  } else {
    if (!mergeKey) throw badRequest(`cannot merge lists without merge key for type ${spec?.type ? "struct" : "string"}`);
    [original, patch] = mergeSpecialElements(original, patch, mergeKey, spec?.type);
    merged = [...original];
    for (const item of patch) {
      const obj = item as JsonObject;
      if (!(mergeKey in obj)) throw errNoMergeKey(obj, mergeKey);
      const at = findByKey(merged, mergeKey, obj[mergeKey]);
      if (at >= 0) merged[at] = mergeMap(merged[at] as JsonObject, obj, spec?.type);
      else merged.push(mergeMap({}, obj, spec?.type));
    }
  }
  const [patchItems, serverOnly] = partition(merged, patch, kind === "map" ? mergeKey : "");
  return normalizeElementOrder(patchItems, serverOnly, patch, original, kind === "map" ? mergeKey : "");
}

// Models strategicpatch/patch.go mergeSliceWithSpecialElements: $patch delete/replace items of a merging list.
function mergeSpecialElements(
  original: unknown[],
  patch: unknown[],
  mergeKey: string,
  elemType: string | undefined,
): [unknown[], unknown[]] {
  const plain: unknown[] = [];
  let replace = false;
  for (const v of patch) {
    const item = v as JsonObject;
    if (!(DIRECTIVE in item)) {
      plain.push(v);
      continue;
    }
    const directive = item[DIRECTIVE];
    if (directive === "delete") {
      if (!(mergeKey in item)) throw errNoMergeKey(item, mergeKey);
      original = original.filter((o) => !(isObject(o) && mergeKey in o && o[mergeKey] === item[mergeKey]));
    } else if (directive === "replace") {
      replace = true;
    } else if (directive === "merge") {
      throw badRequest("merging lists cannot yet be specified in the patch");
    } else {
      throw badRequest(`unknown patch type: ${goFormat(directive)} in map: ${goFormat(item)}`);
    }
  }
  if (replace) return [plain.map((p) => mergeMap({}, p as JsonObject, elemType)), []];
  return [original, plain];
}

function findByKey(list: unknown[], mergeKey: string, value: unknown): number {
  for (let i = 0; i < list.length; i++) {
    const v = list[i];
    if (!isObject(v)) throw badRequest(`value for key ${i} is not a map.`);
    if (mergeKey in v && v[mergeKey] === value) return i;
  }
  return -1;
}

/** Splits `list` into items present in `by` and the rest (server-only items). */
function partition(list: unknown[], by: unknown[], mergeKey: string): [unknown[], unknown[]] {
  const inBy: unknown[] = [];
  const rest: unknown[] = [];
  for (const v of list) {
    let present: boolean;
    if (!mergeKey) {
      present = by.includes(v);
    } else {
      if (!isObject(v)) throw errBadArgType("map[string]interface {}", v);
      if (!(mergeKey in v)) throw errNoMergeKey(v, mergeKey);
      present = findByKey(by, mergeKey, v[mergeKey]) >= 0;
    }
    (present ? inBy : rest).push(v);
  }
  return [inBy, rest];
}

function indexIn(list: unknown[], v: unknown, mergeKey: string): number {
  const val = (x: unknown) => (mergeKey ? (isObject(x) ? x[mergeKey] : undefined) : x);
  const target = val(v);
  return list.findIndex((x) => val(x) === target);
}

function normalizeSliceOrder(toSort: unknown[], order: unknown[], mergeKey: string): unknown[] {
  let items = toSort;
  let deletes: unknown[] = [];
  if (mergeKey) {
    for (const list of [toSort, order]) {
      for (const v of list) {
        if (!isObject(v)) throw errBadArgType("map[string]interface {}", v);
        if (!(mergeKey in v)) throw errNoMergeKey(v, mergeKey);
      }
    }
    items = toSort.filter((v) => !isDeleteItem(v));
    deletes = toSort.filter(isDeleteItem);
  }
  const ranked = items.map((v, i) => ({ v, i, at: indexIn(order, v, mergeKey) }));
  ranked.sort((a, b) => (a.at >= 0 && b.at >= 0 ? a.at - b.at : a.i - b.i));
  return [...ranked.map((r) => r.v), ...deletes];
}

// Models strategicpatch/patch.go normalizeElementOrder and mergeSortedSlice: patch order wins, server-only items
// keep their relative live order, and items new to the server come before later server-only items.
function normalizeElementOrder(
  patchItems: unknown[],
  serverOnly: unknown[],
  patchOrder: unknown[],
  serverOrder: unknown[],
  mergeKey: string,
): unknown[] {
  const right = normalizeSliceOrder(patchItems, patchOrder, mergeKey);
  const left = normalizeSliceOrder(serverOnly, serverOrder, mergeKey);
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) out.push(right[j++]);
    else if (j >= right.length) out.push(left[i++]);
    else {
      const li = indexIn(serverOrder, left[i], mergeKey);
      const ri = indexIn(serverOrder, right[j], mergeKey);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]);
      else out.push(right[j++]);
    }
  }
  return out;
}

/** Go reflect kind of a decoded JSON value, as the unstructured converter reports it. */
function reflectKind(v: unknown): string {
  if (Array.isArray(v)) return "slice";
  if (isObject(v)) return "map";
  if (typeof v === "number") return Number.isInteger(v) ? "int64" : "float64";
  return typeof v === "boolean" ? "bool" : "string";
}

/**
 * Checks that fields the schema knows as lists or structs still have that shape, as converting the
 * patched map back into the typed object does; returns the converter's complaint.
 */
export function shapeProblem(value: unknown, typeName: string | undefined): string | undefined {
  if (!isObject(value) || !typeName) return undefined;
  for (const [k, v] of Object.entries(value)) {
    if (v === null || v === undefined) continue;
    const spec = fieldSpec(typeName, k);
    if (!spec) continue;
    const isList = spec.listType !== undefined || spec.patchStrategy !== undefined;
    if (isList) {
      if (!Array.isArray(v)) return `cannot restore slice from ${reflectKind(v)}`;
      for (const item of v) {
        if (spec.type && !isObject(item)) return `cannot restore struct from: ${reflectKind(item)}`;
        const inner = shapeProblem(item, spec.type);
        if (inner) return inner;
      }
    } else if (spec.type) {
      if (!isObject(v)) return `cannot restore struct from: ${reflectKind(v)}`;
      const inner = shapeProblem(v, spec.type);
      if (inner) return inner;
    } else if (spec.atomic && Array.isArray(v)) {
      return `cannot restore map from ${reflectKind(v)}`;
    }
  }
  return undefined;
}

/**
 * Applies a strategic merge patch to a copy of `doc`. `gvkKey` ("apps/Deployment", "/Pod") selects the
 * merge keys; kinds without metadata are merged like a JSON merge patch with list replacement.
 */
export function applyStrategicMergePatch(doc: unknown, patch: unknown, gvkKey: string): unknown {
  if (patch === null || patch === undefined) return deepClone(doc);
  if (!isObject(patch)) {
    throw badRequest(`json: cannot unmarshal ${jsonTypeName(patch)} into Go value of type map[string]interface {}`);
  }
  const typeName = rootTypeFor(gvkKey);
  const original = isObject(doc) ? deepClone(doc) : {};
  const result = mergeMap(original, deepClone(patch), typeName);
  const problem = shapeProblem(result, typeName);
  if (problem) {
    throw invalid("", "", "", [
      { type: "FieldValueInvalid", field: "patch", message: `Invalid value: ${JSON.stringify(goFormat(patch))}: ${problem}` },
    ]);
  }
  return result;
}
