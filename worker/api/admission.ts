// The shared write pipeline of create and update: defaulting, strategy hooks, validation,
// generation tracking and metadata rules, in the order the apiserver applies them.
import { NAME_SUFFIX_ALPHABET } from "../sandbox/rng";
import { gvkKey, type ResourceType } from "../resources/registry";
import { GENERATION_KINDS, STATUS_RESET_ON_CREATE, strategies, type StrategyContext } from "../resources/strategy";
import type { FieldError, KubeObject } from "../resources/types";
import { admitDefaultIngressClass } from "../resources/validation/networking";
import { applyDefaults, decodeError, finalizeJobSelector, normalizeForStorage, prepareUpdate, validateCreate, validateName, validateStatusUpdate, validateUpdate } from "../resources/validation";
import { deepEqual } from "../util/equal";
import type { ApiContext } from "./context";
import { badRequest, conflict, forbidden, invalid, notFound, OBJECT_MODIFIED } from "./status";
import { admitStorageCreate, validateStorageUpdate } from "./storage-admission";

/** What admission needs of a sandbox; the API and the controllers both provide it. */
export type AdmissionContext = Pick<ApiContext, "store" | "rng" | "clock">;

export function strategyContext(ctx: AdmissionContext): StrategyContext {
  return { store: ctx.store, rng: ctx.rng, now: ctx.clock.nowRfc3339() };
}


/** The fields that make up an object's "spec" for generation tracking. */
function specOf(t: ResourceType, obj: KubeObject): unknown {
  if (t.specFields) return t.specFields.map((f) => obj[f]);
  return obj.spec;
}

/** Checks that the namespace exists and accepts new content. */
export function checkNamespaceForCreate(ctx: AdmissionContext, t: ResourceType, namespace: string, name: string): void {
  const ns = ctx.store.get("/namespaces", "", namespace);
  if (!ns) throw notFound("", "namespaces", namespace);
  if (ns.metadata.deletionTimestamp) {
    throw forbidden(t.group, t.resource, name, `unable to create new content in namespace ${namespace} because it is being terminated`);
  }
}

/** Fills name from generateName, checks name and namespace against the request. */
export function resolveIdentity(ctx: AdmissionContext, t: ResourceType, obj: KubeObject, pathNamespace: string | undefined): void {
  const meta = obj.metadata;
  if (t.namespaced) {
    if (meta.namespace && pathNamespace !== undefined && meta.namespace !== pathNamespace) {
      throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
    }
    meta.namespace = pathNamespace ?? meta.namespace;
  } else {
    delete meta.namespace;
  }
  if (!meta.name && meta.generateName) {
    const bucket = `${t.group}/${t.resource}`;
    for (let i = 0; i < 8; i++) {
      const candidate = meta.generateName + ctx.rng.chars(NAME_SUFFIX_ALPHABET, 5);
      if (!ctx.store.get(bucket, meta.namespace ?? "", candidate)) {
        meta.name = candidate;
        break;
      }
    }
  }
}

function nameErrors(t: ResourceType, obj: KubeObject): FieldError[] {
  const name = obj.metadata.name;
  if (!name) {
    return [{ type: "FieldValueRequired", field: "metadata.name", message: "Required value: name or generateName is required" }];
  }
  return validateName(gvkKey(t), name).map((m: string) => ({ type: "FieldValueInvalid", field: "metadata.name", message: `Invalid value: "${name}": ${m}` }));
}

/** Prepares a new object for storage; throws 422 with every validation error. */
export function admitCreate(ctx: AdmissionContext, t: ResourceType, obj: KubeObject): KubeObject {
  const key = gvkKey(t);
  const sctx = strategyContext(ctx);
  const meta = obj.metadata;
  obj.apiVersion = t.group ? `${t.group}/${t.version}` : t.version;
  obj.kind = t.kind;
  const undecodable = decodeError(key, obj);
  if (undecodable) throw badRequest(undecodable);
  const errors = nameErrors(t, obj);
  if (errors.length) throw invalid(t.group, t.kind, meta.name ?? meta.generateName ?? "", errors);

  meta.uid = ctx.rng.uuid();
  meta.creationTimestamp = sctx.now;
  delete meta.resourceVersion;
  delete meta.deletionTimestamp;
  delete meta.deletionGracePeriodSeconds;
  delete meta.selfLink;
  if (GENERATION_KINDS.has(key)) meta.generation = 1;
  else delete meta.generation;
  if (STATUS_RESET_ON_CREATE.has(key)) obj.status = {};

  applyDefaults(key, obj);
  admitStorageCreate(ctx, key, obj);
  if (key === "networking.k8s.io/Ingress") admitDefaultIngressClass(obj, ctx.store.list("networking.k8s.io/ingressclasses"));
  if (key === "batch/Job") finalizeJobSelector(obj);
  strategies[key]?.prepareCreate?.(obj, sctx);
  const validation = validateCreate(key, obj);
  if (validation.length) throw invalid(t.group, t.kind, meta.name ?? "", validation);
  const allocation = strategies[key]?.allocate?.(obj, undefined, sctx) ?? [];
  if (allocation.length) throw invalid(t.group, t.kind, meta.name ?? "", allocation);
  normalizeForStorage(obj);
  return obj;
}

export interface UpdateOptions {
  /** `status` when writing the status subresource. */
  subresource?: string;
}

/**
 * Prepares an update of `old` to `next`; throws 409 on a stale resourceVersion and 422 when invalid.
 * Returns undefined when the update changes nothing (no write, no new resourceVersion).
 */
const POD_KEY = "/Pod";

export function admitUpdate(
  ctx: AdmissionContext,
  t: ResourceType,
  old: KubeObject,
  next: KubeObject,
  opts: UpdateOptions = {},
): KubeObject | undefined {
  const key = gvkKey(t);
  const sctx = strategyContext(ctx);
  const meta = next.metadata;
  const name = old.metadata.name ?? "";
  if (meta.resourceVersion && meta.resourceVersion !== old.metadata.resourceVersion) {
    throw conflict(t.group, t.resource, name, OBJECT_MODIFIED);
  }
  if (meta.name !== undefined && meta.name !== name) {
    throw badRequest(`the name of the object (${meta.name}) does not match the name on the URL (${name})`);
  }
  if (t.namespaced && meta.namespace && meta.namespace !== old.metadata.namespace) {
    throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
  }
  next.apiVersion = old.apiVersion;
  next.kind = old.kind;
  // Identity and system-owned metadata cannot be changed by a client.
  meta.name = name;
  if (t.namespaced) meta.namespace = old.metadata.namespace;
  meta.uid = old.metadata.uid;
  meta.creationTimestamp = old.metadata.creationTimestamp;
  meta.resourceVersion = old.metadata.resourceVersion;
  if (old.metadata.deletionTimestamp) {
    meta.deletionTimestamp = old.metadata.deletionTimestamp;
    meta.deletionGracePeriodSeconds = old.metadata.deletionGracePeriodSeconds;
  } else {
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
  }
  if (meta.generateName === undefined && old.metadata.generateName !== undefined) meta.generateName = old.metadata.generateName;

  if (opts.subresource === "status") {
    // A status write changes status only (and keeps metadata but for labels/annotations).
    // Everything else comes from the stored object, copied because defaulting below writes into it;
    // but a pod's spec is shared: it was decoded and defaulted when it was stored, and both are
    // skipped below (the kubelets write pod statuses by the thousand).
    const { status: _old, ...rest } = old;
    const merged: KubeObject = key === POD_KEY ? { ...rest } : structuredClone(rest);
    merged.status = next.status;
    merged.metadata = { ...old.metadata, labels: meta.labels, annotations: meta.annotations };
    if (merged.metadata.labels === undefined) delete merged.metadata.labels;
    if (merged.metadata.annotations === undefined) delete merged.metadata.annotations;
    next = merged;
  } else if (t.status) {
    if (old.status === undefined) delete next.status;
    else next.status = structuredClone(old.status);
  }

  const podStatus = key === POD_KEY && opts.subresource === "status";
  const undecodable = podStatus ? undefined : decodeError(key, next);
  if (undecodable) throw badRequest(undecodable);
  if (!podStatus) applyDefaults(key, next);
  if (opts.subresource !== "finalize") prepareUpdate(key, next, old);
  if (GENERATION_KINDS.has(key)) {
    const gen = old.metadata.generation ?? 1;
    next.metadata.generation = opts.subresource !== "status" && !deepEqual(specOf(t, next), specOf(t, old)) ? gen + 1 : gen;
  } else {
    delete next.metadata.generation;
  }
  const validation = opts.subresource === "status" ? validateStatusUpdate(key, next, old) : validateUpdate(key, next, old);
  if (validation.length) throw invalid(t.group, t.kind, name, validation);
  if (!opts.subresource) validateStorageUpdate(ctx, key, next, old);
  const allocation = strategies[key]?.allocate?.(next, old, sctx) ?? [];
  if (allocation.length) throw invalid(t.group, t.kind, name, allocation);
  normalizeForStorage(next);

  if (sameIgnoringManagedFields(old, next)) return undefined;
  return next;
}

function sameIgnoringManagedFields(a: KubeObject, b: KubeObject): boolean {
  return deepEqual(a, b, "metadata") && deepEqual(a.metadata ?? {}, b.metadata ?? {}, "managedFields");
}
