// create, update, patch, delete and deletecollection: every write goes through admission, is
// committed to D1 in one batch, and only then answered.
import { apiVersionOf, groupVersionPath, gvkKey, storageKey, type ResourceType } from "../resources/registry";
import type { KubeObject } from "../resources/types";
import { admitCreate, admitUpdate, checkNamespaceForCreate, resolveIdentity } from "./admission";
import { asObject, decodeObject, decodeText, mediaType, parseApplyPatch, parseJson, PATCH_MEDIA_TYPES, readBody } from "./body";
import { decodeKubeProtobuf, isKubeProtobuf } from "./protobuf";
import type { ApiContext } from "./context";
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch, recordUpdateManager, serverSideApply } from "./patch";
import { decodeGoTypes, unknownFields } from "./openapi";
import { alreadyExists, badRequest, conflict, forbidden, invalidPatch, KubeError, notFound, unsupportedMediaType } from "./status";
import type { Change } from "../store/object-store";
import { deleteChanges, type DeleteOptions } from "./deletion";
import { deepEqual } from "../util/equal";
import { createRefusal, limitsOf, objectBytesRefusal, storedCounts } from "../sandbox/limits";

export interface WriteResult {
  status: number;
  body: unknown;
  warnings: string[];
}

export interface WriteParams {
  dryRun: boolean;
  fieldManager: string;
  fieldValidation: "Strict" | "Warn" | "Ignore";
  force: boolean;
}

export function writeParams(url: URL, request: Request): WriteParams {
  const q = url.searchParams;
  const dryRun = q.getAll("dryRun");
  for (const d of dryRun) if (d !== "All") throw badRequest(`Invalid dryRun value: ${d}. Valid values: [All]`);
  const fv = q.get("fieldValidation") ?? "Warn";
  if (!["Strict", "Warn", "Ignore"].includes(fv)) {
    throw badRequest(`fieldValidation parameter unsupported: ${fv}. Supported values: Ignore, Warn, Strict`);
  }
  const ua = request.headers.get("user-agent") ?? "unknown";
  return {
    dryRun: dryRun.length > 0,
    fieldManager: q.get("fieldManager") ?? ua.split("/")[0],
    fieldValidation: fv as WriteParams["fieldValidation"],
    force: q.get("force") === "true",
  };
}

/** Enforces fieldValidation: Strict rejects unknown fields, Warn returns them as warnings. */
function checkUnknownFields(t: ResourceType, obj: unknown, params: WriteParams): string[] {
  if (params.fieldValidation === "Ignore") return [];
  const unknown = unknownFields(groupVersionPath(t), t.kind, obj);
  if (unknown.length === 0) return [];
  if (params.fieldValidation === "Strict") {
    const list = unknown.length === 1 ? unknown[0] : unknown.join(", ");
    throw badRequest(`${t.kind} in version "${t.version}" cannot be handled as a ${t.kind}: strict decoding error: ${list}`);
  }
  return unknown;
}

/** A body that does not decode into the kind's Go types is a 400, before anything reads it. */
function checkTypes(t: ResourceType, obj: unknown): void {
  const m = decodeGoTypes(groupVersionPath(t), t.kind, obj);
  if (m) throw badRequest(`${t.kind} in version "${t.version}" cannot be handled as a ${t.kind}: ${m}`);
}

/** A patched object that does not decode into the kind's Go types (status.ts invalidPatch). */
function checkPatchedTypes(t: ResourceType, patched: unknown): void {
  const m = decodeGoTypes(groupVersionPath(t), t.kind, patched);
  if (m) throw invalidPatch(patched, m);
}

function checkTypeMeta(t: ResourceType, obj: KubeObject): void {
  const want = apiVersionOf(t);
  if (obj.apiVersion !== undefined && obj.apiVersion !== want) {
    throw badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${want})`);
  }
  if (obj.kind !== undefined && obj.kind !== t.kind) {
    throw badRequest(`the kind in the data (${obj.kind}) does not match the expected kind (${t.kind})`);
  }
}

function guardReadOnly(ctx: ApiContext, t: ResourceType, name: string): void {
  if (ctx.readOnly) throw forbidden(t.group, t.resource, name, "this is a read-only link to the sandbox; it cannot make changes");
}

/** The sandbox's object, pod and node quotas, checked before anything is written (dry runs too, as upstream's admission). */
function checkQuota(ctx: ApiContext, t: ResourceType, name: string): void {
  const refusal = createRefusal(limitsOf(ctx.store), storedCounts(ctx.store), t.group, t.resource, storageKey(t), name);
  if (refusal) throw refusal;
}

/** The object-bytes quota for a client's create or update, measured on the object as it would be stored. */
function checkObjectBytes(ctx: ApiContext, t: ResourceType, object: KubeObject): void {
  const refusal = objectBytesRefusal(limitsOf(ctx.store), ctx.store, t.group, t.resource, storageKey(t), object);
  if (refusal) throw refusal;
}

async function commit(ctx: ApiContext, params: WriteParams, changes: Change[]): Promise<KubeObject[]> {
  if (params.dryRun) return changes.map((c) => c.object);
  const stored = await ctx.store.commit(changes, { rngState: ctx.rng.state });
  ctx.afterWrite();
  return stored;
}

export async function createObject(
  ctx: ApiContext,
  t: ResourceType,
  namespace: string | undefined,
  obj: KubeObject,
  params: WriteParams,
  warnings: string[] = [],
): Promise<WriteResult> {
  guardReadOnly(ctx, t, obj.metadata.name ?? "");
  checkTypeMeta(t, obj);
  resolveIdentity(ctx, t, obj, namespace);
  if (t.namespaced) checkNamespaceForCreate(ctx, t, obj.metadata.namespace ?? "", obj.metadata.name ?? "");
  if (obj.metadata.name && ctx.store.get(storageKey(t), obj.metadata.namespace ?? "", obj.metadata.name)) {
    throw alreadyExists(t.group, t.resource, obj.metadata.name);
  }
  const admitted = admitCreate(ctx, t, obj);
  checkQuota(ctx, t, admitted.metadata.name ?? "");
  recordUpdateManager(undefined, admitted, { manager: params.fieldManager, now: ctx.clock.nowRfc3339() });
  checkObjectBytes(ctx, t, admitted);
  const [stored] = await commit(ctx, params, [{ type: "put", resource: storageKey(t), object: admitted }]);
  return { status: 201, body: stored, warnings };
}

export async function createFromRequest(
  ctx: ApiContext,
  t: ResourceType,
  namespace: string | undefined,
  request: Request,
  params: WriteParams,
): Promise<WriteResult> {
  guardReadOnly(ctx, t, "");
  const body = await readBody(request, ctx.maxBodyBytes);
  const obj = decodeObject(mediaType(request), body, { apiVersion: apiVersionOf(t), kind: t.kind });
  checkTypes(t, obj);
  const warnings = checkUnknownFields(t, obj, params);
  return ctx.store.exclusive(() => createObject(ctx, t, namespace, obj, params, warnings));
}

/** Stores `next` as the new state of `old` (or deletes it when its last finalizer went away while deleting). */
async function storeUpdate(
  ctx: ApiContext,
  t: ResourceType,
  old: KubeObject,
  next: KubeObject,
  params: WriteParams,
  subresource?: string,
): Promise<KubeObject> {
  const admitted = admitUpdate(ctx, t, old, next, { subresource });
  if (!admitted) return old;
  recordUpdateManager(old, admitted, { manager: params.fieldManager, now: ctx.clock.nowRfc3339(), subresource });
  const finishing = admitted.metadata.deletionTimestamp && (admitted.metadata.finalizers ?? []).length === 0;
  if (!finishing) checkObjectBytes(ctx, t, admitted);
  const change: Change = finishing
    ? { type: "delete", resource: storageKey(t), object: admitted }
    : { type: "put", resource: storageKey(t), object: admitted };
  const [stored] = await commit(ctx, params, [change]);
  return stored;
}

export async function updateFromRequest(
  ctx: ApiContext,
  t: ResourceType,
  namespace: string | undefined,
  name: string,
  subresource: string | undefined,
  request: Request,
  params: WriteParams,
): Promise<WriteResult> {
  guardReadOnly(ctx, t, name);
  const body = await readBody(request, ctx.maxBodyBytes);
  const obj = decodeObject(mediaType(request), body, { apiVersion: apiVersionOf(t), kind: t.kind });
  checkTypes(t, obj);
  const warnings = checkUnknownFields(t, obj, params);
  checkTypeMeta(t, obj);
  return ctx.store.exclusive(async () => {
    const old = ctx.store.get(storageKey(t), t.namespaced ? (namespace ?? "") : "", name);
    if (!old) throw notFound(t.group, t.resource, name);
    if (obj.metadata.name !== undefined && obj.metadata.name !== name) {
      throw badRequest(`the name of the object (${obj.metadata.name}) does not match the name on the URL (${name})`);
    }
    const stored = await storeUpdate(ctx, t, old, obj, params, subresource);
    return { status: 200, body: stored, warnings };
  });
}

function patchDocument(t: ResourceType, contentType: string, text: string, current: KubeObject): unknown {
  switch (contentType) {
    case "application/json-patch+json":
      return applyJsonPatch(structuredClone(current), parseJson(text));
    case "application/merge-patch+json":
      return applyMergePatch(structuredClone(current), parseJson(text));
    case "application/strategic-merge-patch+json":
      return applyStrategicMergePatch(structuredClone(current), parseJson(text), gvkKey(t));
    default:
      throw unsupportedMediaType(PATCH_MEDIA_TYPES);
  }
}

function parseApplyBody(text: string): KubeObject {
  return parseApplyPatch(text);
}

export async function patchFromRequest(
  ctx: ApiContext,
  t: ResourceType,
  namespace: string | undefined,
  name: string,
  subresource: string | undefined,
  request: Request,
  params: WriteParams,
): Promise<WriteResult> {
  guardReadOnly(ctx, t, name);
  const contentType = mediaType(request);
  if (!PATCH_MEDIA_TYPES.includes(contentType)) throw unsupportedMediaType(PATCH_MEDIA_TYPES);
  const text = decodeText(await readBody(request, ctx.maxBodyBytes));
  const ns = t.namespaced ? (namespace ?? "") : "";

  if (contentType === "application/apply-patch+yaml") {
    if (!new URL(request.url).searchParams.get("fieldManager")) {
      throw badRequest("PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch");
    }
    const applied = parseApplyBody(text);
    checkTypes(t, applied);
    const warnings = checkUnknownFields(t, applied, params);
    checkTypeMeta(t, applied);
    if (applied.metadata.name !== undefined && applied.metadata.name !== name) {
      throw badRequest(`the name of the object (${applied.metadata.name}) does not match the name on the URL (${name})`);
    }
    return ctx.store.exclusive(async () => {
      const current = ctx.store.get(storageKey(t), ns, name);
      const now = ctx.clock.nowRfc3339();
      if (!current) {
        if (subresource) throw notFound(t.group, t.resource, name);
        const created = serverSideApply(undefined, { ...applied, metadata: { ...applied.metadata, name } }, { manager: params.fieldManager, force: params.force, now, gvkKey: gvkKey(t) });
        resolveIdentity(ctx, t, created, namespace);
        if (t.namespaced) checkNamespaceForCreate(ctx, t, ns, name);
        const admitted = admitCreate(ctx, t, created);
        checkQuota(ctx, t, name);
        checkObjectBytes(ctx, t, admitted);
        const [stored] = await commit(ctx, params, [{ type: "put", resource: storageKey(t), object: admitted }]);
        return { status: 201, body: stored, warnings };
      }
      const next = serverSideApply(structuredClone(current), applied, { manager: params.fieldManager, force: params.force, now, gvkKey: gvkKey(t) });
      let admitted = admitUpdate(ctx, t, current, next, { subresource });
      if (!admitted) {
        // Same values, but a manager may have taken co-ownership of them: that alone is persisted too.
        if (deepEqual(current.metadata.managedFields, next.metadata.managedFields)) return { status: 200, body: current, warnings };
        admitted = structuredClone(current);
        admitted.metadata.managedFields = next.metadata.managedFields;
      }
      checkObjectBytes(ctx, t, admitted);
      const [stored] = await commit(ctx, params, [{ type: "put", resource: storageKey(t), object: admitted }]);
      return { status: 200, body: stored, warnings };
    });
  }

  return ctx.store.exclusive(async () => {
    const current = ctx.store.get(storageKey(t), ns, name);
    if (!current) throw notFound(t.group, t.resource, name);
    const patched = asObject(patchDocument(t, contentType, text, current));
    checkPatchedTypes(t, patched);
    const warnings = checkUnknownFields(t, patched, params);
    const stored = await storeUpdate(ctx, t, current, patched, params, subresource);
    return { status: 200, body: stored, warnings };
  });
}

export function deleteOptions(url: URL, body: unknown): DeleteOptions {
  const q = url.searchParams;
  const opts: DeleteOptions = {};
  if (body !== undefined && body !== null) {
    if (typeof body !== "object" || Array.isArray(body)) throw badRequest("DeleteOptions: expected an object");
    Object.assign(opts, body);
  }
  if (q.get("gracePeriodSeconds") !== null) opts.gracePeriodSeconds = Number(q.get("gracePeriodSeconds"));
  if (q.get("propagationPolicy")) opts.propagationPolicy = q.get("propagationPolicy") as DeleteOptions["propagationPolicy"];
  if (q.get("orphanDependents") !== null) opts.orphanDependents = q.get("orphanDependents") === "true";
  if (opts.gracePeriodSeconds !== undefined && (!Number.isInteger(opts.gracePeriodSeconds) || opts.gracePeriodSeconds < 0)) {
    opts.gracePeriodSeconds = 0;
  }
  const pp = opts.propagationPolicy;
  if (pp !== undefined && pp !== "Orphan" && pp !== "Background" && pp !== "Foreground") {
    throw new KubeError(422, "Invalid", `DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "${pp}": supported values: "Foreground", "Background", "Orphan", "nil"`, {
      kind: "DeleteOptions",
      group: "meta.k8s.io",
      causes: [{ reason: "FieldValueNotSupported", message: `Unsupported value: "${pp}": supported values: "Foreground", "Background", "Orphan", "nil"`, field: "propagationPolicy" }],
    });
  }
  return opts;
}

async function readDeleteOptions(ctx: ApiContext, request: Request, url: URL): Promise<DeleteOptions> {
  const bytes = await readBody(request, ctx.maxBodyBytes);
  // kubectl's typed clients (drain --disable-eviction) send DeleteOptions as protobuf.
  if (bytes.length && isKubeProtobuf(mediaType(request))) return deleteOptions(url, decodeKubeProtobuf(bytes, { apiVersion: "v1", kind: "DeleteOptions" }));
  const text = decodeText(bytes).trim();
  return deleteOptions(url, text ? parseJson(text) : undefined);
}

export async function deleteFromRequest(
  ctx: ApiContext,
  t: ResourceType,
  namespace: string | undefined,
  name: string,
  request: Request,
  url: URL,
  params: WriteParams,
): Promise<WriteResult> {
  guardReadOnly(ctx, t, name);
  const opts = await readDeleteOptions(ctx, request, url);
  return ctx.store.exclusive(async () => {
    const obj = ctx.store.get(storageKey(t), t.namespaced ? (namespace ?? "") : "", name);
    if (!obj) throw notFound(t.group, t.resource, name);
    const pre = opts.preconditions;
    if (pre?.uid && pre.uid !== obj.metadata.uid) {
      throw conflict(t.group, t.resource, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${obj.metadata.uid}`);
    }
    if (pre?.resourceVersion && pre.resourceVersion !== obj.metadata.resourceVersion) {
      throw conflict(t.group, t.resource, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${obj.metadata.resourceVersion}`);
    }
    const { changes, immediate } = deleteChanges(ctx, t, obj, opts);
    const stored = await commit(ctx, params, changes);
    if (immediate) {
      const details: Record<string, string> = { name, kind: t.resource, uid: obj.metadata.uid ?? "" };
      if (t.group) details.group = t.group;
      return { status: 200, body: { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", details }, warnings: [] };
    }
    return { status: 200, body: stored[0] ?? obj, warnings: [] };
  });
}

export async function deleteCollectionFromRequest(
  ctx: ApiContext,
  t: ResourceType,
  namespace: string | undefined,
  filter: (o: KubeObject) => boolean,
  request: Request,
  url: URL,
  params: WriteParams,
): Promise<WriteResult> {
  guardReadOnly(ctx, t, "");
  const opts = await readDeleteOptions(ctx, request, url);
  return ctx.store.exclusive(async () => {
    const victims = ctx.store.list(storageKey(t), t.namespaced ? namespace : undefined).filter(filter);
    const changes: Change[] = [];
    for (const v of victims) changes.push(...deleteChanges(ctx, t, v, opts).changes);
    await commit(ctx, params, changes);
    return {
      status: 200,
      body: { kind: `${t.kind}List`, apiVersion: apiVersionOf(t), metadata: { resourceVersion: String(ctx.store.resourceVersion) }, items: victims },
      warnings: [],
    };
  });
}

export { storeUpdate };
