// RFC 6902 JSON Patch and RFC 7386 JSON Merge Patch, with the apiserver's error mapping.
// Models staging/src/k8s.io/apiserver/pkg/endpoints/handlers/patch.go applyJSPatch
import { KubeError, badRequest } from "../status";
import { deepClone, deepEqual, genericUnprocessable, isObject, jsonTypeName, type JsonObject } from "./util";

/** Upstream maxJSONPatchOperations. */
export const MAX_JSON_PATCH_OPERATIONS = 10000;

/**
 * Errors from applying a decoded JSON patch (missing path, failed test, bad op) reach the client as
 * a generic 422: the apiserver wraps them with NewGenericServerResponse, which drops the detail.
 */
class PatchApplyError extends Error {}


interface Operation {
  op?: string;
  path?: string;
  from?: string;
  value?: unknown;
  hasValue: boolean;
}

// Decoding mirrors the strict decode into []jsonPatchOp that runs under the default fieldValidation=Warn.
function decodeOperations(patch: unknown): Operation[] {
  if (patch === null || patch === undefined) return [];
  if (!Array.isArray(patch)) {
    throw badRequest(`error decoding patch: json: cannot unmarshal ${jsonTypeName(patch)} into Go value of type []handlers.jsonPatchOp`);
  }
  return patch.map((raw) => {
    if (raw === null) return { hasValue: false };
    if (!isObject(raw)) {
      throw badRequest(`error decoding patch: json: cannot unmarshal ${jsonTypeName(raw)} into Go value of type handlers.jsonPatchOp`);
    }
    for (const field of ["op", "path", "from"] as const) {
      const v = raw[field];
      if (v !== undefined && v !== null && typeof v !== "string") {
        throw badRequest(
          `error decoding patch: json: cannot unmarshal ${jsonTypeName(v)} into Go struct field jsonPatchOp.${field} of type string`,
        );
      }
    }
    return {
      op: raw.op as string | undefined,
      path: raw.path as string | undefined,
      from: raw.from as string | undefined,
      value: raw.value,
      hasValue: Object.prototype.hasOwnProperty.call(raw, "value"),
    };
  });
}

/** Splits a JSON pointer into unescaped reference tokens; "" (the whole document) yields []. */
function parsePointer(pointer: string | undefined): string[] {
  if (pointer === undefined) throw new PatchApplyError("operation missing path field");
  if (pointer === "") return [];
  if (!pointer.startsWith("/")) throw new PatchApplyError(`invalid JSON pointer: ${pointer}`);
  // Single-pass replacement, so "~01" decodes to "~1" and not "/".
  return pointer
    .slice(1)
    .split("/")
    .map((t) => t.replace(/~[01]/g, (m) => (m === "~1" ? "/" : "~")));
}

type Container = JsonObject | unknown[];

/** Resolves the parent container of the last token; like evanphx/json-patch, the document root is not addressable. */
function findParent(doc: unknown, tokens: string[]): { parent: Container; key: string } {
  if (tokens.length === 0) throw new PatchApplyError("doc is missing path");
  let cur: unknown = doc;
  for (const t of tokens.slice(0, -1)) {
    if (Array.isArray(cur)) {
      const i = arrayIndex(t, cur.length, false);
      cur = cur[i];
    } else if (isObject(cur)) {
      if (!Object.prototype.hasOwnProperty.call(cur, t)) throw new PatchApplyError("doc is missing path");
      cur = cur[t];
    } else {
      throw new PatchApplyError("doc is missing path");
    }
  }
  if (!Array.isArray(cur) && !isObject(cur)) throw new PatchApplyError("doc is missing path");
  return { parent: cur, key: tokens[tokens.length - 1] };
}

/** Array index; negative indices count from the end, as the apiserver's json-patch library allows. */
function arrayIndex(token: string, length: number, forInsert: boolean): number {
  if (!/^-?\d+$/.test(token)) throw new PatchApplyError(`value was not a proper array index: '${token}'`);
  let i = Number(token);
  const size = forInsert ? length + 1 : length;
  if (i >= size || i < -size) throw new PatchApplyError(`Unable to access invalid index: ${i}`);
  if (i < 0) i += size;
  return i;
}

function getAt(doc: unknown, path: string | undefined): unknown {
  const { parent, key } = findParent(doc, parsePointer(path));
  if (Array.isArray(parent)) return parent[arrayIndex(key, parent.length, false)];
  if (!Object.prototype.hasOwnProperty.call(parent, key)) throw new PatchApplyError("missing value");
  return parent[key];
}

function addAt(doc: unknown, path: string | undefined, value: unknown): void {
  const { parent, key } = findParent(doc, parsePointer(path));
  if (Array.isArray(parent)) {
    if (key === "-") parent.push(value);
    else parent.splice(arrayIndex(key, parent.length, true), 0, value);
  } else {
    parent[key] = value;
  }
}

function removeAt(doc: unknown, path: string | undefined): unknown {
  const { parent, key } = findParent(doc, parsePointer(path));
  if (Array.isArray(parent)) {
    const i = arrayIndex(key, parent.length, false);
    return parent.splice(i, 1)[0];
  }
  if (!Object.prototype.hasOwnProperty.call(parent, key)) throw new PatchApplyError(`Unable to remove nonexistent key: ${key}`);
  const old = parent[key];
  delete parent[key];
  return old;
}

function replaceAt(doc: unknown, path: string | undefined, value: unknown): void {
  const { parent, key } = findParent(doc, parsePointer(path));
  if (Array.isArray(parent)) {
    parent[arrayIndex(key, parent.length, false)] = value;
    return;
  }
  if (!Object.prototype.hasOwnProperty.call(parent, key)) throw new PatchApplyError("replace operation does not apply: doc is missing key");
  parent[key] = value;
}

function testAt(doc: unknown, op: Operation): void {
  const { parent, key } = findParent(doc, parsePointer(op.path));
  let current: unknown;
  let found: boolean;
  if (Array.isArray(parent)) {
    current = parent[arrayIndex(key, parent.length, false)];
    found = true;
  } else {
    found = Object.prototype.hasOwnProperty.call(parent, key);
    current = parent[key];
  }
  const expected = op.value === undefined ? null : op.value;
  // A missing member compares equal to null, as the apiserver's json-patch library treats it.
  if (!found || current === null) {
    if (expected === null) return;
    throw new PatchApplyError(`testing value ${op.path} failed`);
  }
  if (!deepEqual(current, expected)) throw new PatchApplyError(`testing value ${op.path} failed`);
}

/** Applies an RFC 6902 patch to a copy of `doc`. Decode errors are 400s; apply errors are the apiserver's generic 422. */
export function applyJsonPatch(doc: unknown, patch: unknown): unknown {
  const ops = decodeOperations(patch);
  if (ops.length > MAX_JSON_PATCH_OPERATIONS) {
    throw new KubeError(
      413,
      "RequestEntityTooLarge",
      `Request entity too large: The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${ops.length}`,
      {},
    );
  }
  const out = deepClone(doc);
  try {
    for (const op of ops) {
      const value = op.hasValue ? deepClone(op.value) : null;
      switch (op.op) {
        case "add":
          addAt(out, op.path, value);
          break;
        case "remove":
          removeAt(out, op.path);
          break;
        case "replace":
          replaceAt(out, op.path, value);
          break;
        case "move": {
          if (op.from === undefined) throw new PatchApplyError("move operation missing from field");
          const moved = removeAt(out, op.from);
          addAt(out, op.path, moved);
          break;
        }
        case "copy": {
          if (op.from === undefined) throw new PatchApplyError("copy operation missing from field");
          addAt(out, op.path, deepClone(getAt(out, op.from)));
          break;
        }
        case "test":
          testAt(out, op);
          break;
        default:
          throw new PatchApplyError(`Unexpected kind: ${op.op ?? "unknown"}`);
      }
    }
  } catch (e) {
    if (e instanceof PatchApplyError) throw genericUnprocessable();
    throw e;
  }
  return out;
}

// Models gopkg.in/evanphx/json-patch.v4 merge.go mergeDocs: nulls delete keys and are pruned from added values.
function pruneNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(pruneNulls);
  if (isObject(v)) {
    const out: JsonObject = {};
    for (const [k, x] of Object.entries(v)) if (x !== null) out[k] = pruneNulls(x);
    return out;
  }
  return v;
}

function mergeInto(doc: JsonObject, patch: JsonObject): JsonObject {
  for (const [k, pv] of Object.entries(patch)) {
    if (pv === null) {
      delete doc[k];
      continue;
    }
    const cur = doc[k];
    if (isObject(cur) && isObject(pv)) doc[k] = mergeInto(cur, pv);
    else doc[k] = pruneNulls(deepClone(pv));
  }
  return doc;
}

/** Applies an RFC 7386 merge patch to a copy of `doc`. */
export function applyMergePatch(doc: unknown, patch: unknown): unknown {
  if (patch === null || patch === undefined) throw badRequest("Invalid JSON Patch");
  if (Array.isArray(patch)) {
    throw badRequest("error decoding patch: json: cannot unmarshal array into Go value of type map[string]interface {}");
  }
  if (!isObject(patch)) {
    throw badRequest(`error decoding patch: json: cannot unmarshal ${jsonTypeName(patch)} into Go value of type map[string]interface {}`);
  }
  const base = isObject(doc) ? deepClone(doc) : {};
  return mergeInto(base, patch);
}
