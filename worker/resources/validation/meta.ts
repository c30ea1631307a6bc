// ObjectMeta, labels, annotations and label selectors.
// Models staging/src/k8s.io/apimachinery/pkg/api/validation/objectmeta.go ValidateObjectMetaAccessor
import { utf8Length } from "../../util/utf8";
import type { FieldError, KubeObject } from "../types";
import {
  FIELD_IMMUTABLE,
  arr,
  child,
  forbidden,
  idx,
  invalid,
  nonNegative,
  rec,
  required,
  sortedKeys,
  str,
  tooLong,
} from "./field";
import { isDNS1035Label, isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidLabelValue, isValidPathSegmentName } from "./formats";

/** Name check for a kind; `prefix` is true for generateName, which may end in '-'. */
export type NameFn = (name: string, prefix: boolean) => string[];

function maskTrailingDash(name: string): string {
  return name.length > 1 && name.endsWith("-") ? `${name.slice(0, -2)}a` : name;
}

export const nameIsDNSSubdomain: NameFn = (name, prefix) => isDNS1123Subdomain(prefix ? maskTrailingDash(name) : name);
export const nameIsDNSLabel: NameFn = (name, prefix) => isDNS1123Label(prefix ? maskTrailingDash(name) : name);
export const nameIsDNS1035Label: NameFn = (name, prefix) => isDNS1035Label(prefix ? maskTrailingDash(name) : name);
export const nameIsPathSegment: NameFn = (name, prefix) =>
  prefix ? isValidPathSegmentName(name).filter((m) => m.startsWith("may not contain")) : isValidPathSegmentName(name);
/** Names any path can carry: only what a URL segment cannot hold is refused. */
export const nameAny: NameFn = (name) => isValidPathSegmentName(name);

export const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

// Models staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/validation/validation.go ValidateLabels
export function validateLabels(labels: unknown, field: string): FieldError[] {
  const errs: FieldError[] = [];
  const m = rec(labels);
  // Every stored write checks its labels: valid ones (nearly all) are told without sorting them.
  if (m && allValid(m)) return errs;
  for (const k of sortedKeys(m)) {
    for (const msg of isQualifiedName(k)) errs.push(invalid(field, k, msg));
    const v = str(m?.[k]);
    for (const msg of isValidLabelValue(v)) errs.push(invalid(field, v, msg));
  }
  return errs;
}

function allValid(m: Record<string, unknown>): boolean {
  for (const k in m) {
    if (isQualifiedName(k).length || isValidLabelValue(str(m[k])).length) return false;
  }
  return true;
}

export function validateAnnotations(annotations: unknown, field: string): FieldError[] {
  const errs: FieldError[] = [];
  const m = rec(annotations);
  let size = 0;
  for (const k of sortedKeys(m)) {
    // Annotation keys are qualified names regardless of case.
    for (const msg of isQualifiedName(k.toLowerCase())) errs.push(invalid(field, k, msg));
    size += utf8Length(k) + utf8Length(str(m?.[k]));
  }
  if (size > TOTAL_ANNOTATION_SIZE_LIMIT) errs.push(tooLong(field, TOTAL_ANNOTATION_SIZE_LIMIT));
  return errs;
}


function validateFinalizers(finalizers: unknown, field: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const f of arr(finalizers)) {
    const name = str(f);
    for (const msg of isQualifiedName(name)) errs.push(invalid(field, name, msg));
  }
  return errs;
}

function validateOwnerReferences(refs: unknown, field: string): FieldError[] {
  const errs: FieldError[] = [];
  let controllers = 0;
  arr(refs).forEach((r) => {
    const ref = rec(r) ?? {};
    if (!str(ref.apiVersion)) errs.push(invalid(child(field, "apiVersion"), str(ref.apiVersion), "version must not be empty"));
    if (!str(ref.kind)) errs.push(invalid(child(field, "kind"), str(ref.kind), "kind must not be empty"));
    if (!str(ref.name)) errs.push(invalid(child(field, "name"), str(ref.name), "name must not be empty"));
    if (!str(ref.uid)) errs.push(invalid(child(field, "uid"), str(ref.uid), "uid must not be empty"));
    if (ref.controller === true) controllers++;
  });
  if (controllers > 1) errs.push(invalid(field, null, "Only one reference can have Controller set to true"));
  return errs;
}

/**
 * Metadata of a new object. `namespaced` false means cluster-scoped (a namespace is forbidden);
 * undefined means unknown scope (checked for format only when present).
 */
export function validateObjectMeta(obj: KubeObject, namespaced: boolean | undefined, nameFn: NameFn): FieldError[] {
  const meta = obj.metadata ?? {};
  const errs: FieldError[] = [];
  const generateName = str(meta.generateName);
  if (generateName) for (const msg of nameFn(generateName, true)) errs.push(invalid("metadata.generateName", generateName, msg));
  const name = str(meta.name);
  if (!name) errs.push(required("metadata.name", "name or generateName is required"));
  else for (const msg of nameFn(name, false)) errs.push(invalid("metadata.name", name, msg));
  const ns = str(meta.namespace);
  if (namespaced === true && !ns) errs.push(required("metadata.namespace"));
  else if (namespaced === false && ns) errs.push(forbidden("metadata.namespace", "not allowed on this type"));
  else if (ns) for (const msg of isDNS1123Label(ns)) errs.push(invalid("metadata.namespace", ns, msg));
  errs.push(...nonNegative(meta.generation, "metadata.generation"));
  errs.push(...validateLabels(meta.labels, "metadata.labels"));
  errs.push(...validateAnnotations(meta.annotations, "metadata.annotations"));
  errs.push(...validateOwnerReferences(meta.ownerReferences, "metadata.ownerReferences"));
  errs.push(...validateFinalizers(meta.finalizers, "metadata.finalizers"));
  return errs;
}

// Models staging/src/k8s.io/apimachinery/pkg/api/validation/objectmeta.go ValidateObjectMetaAccessorUpdate
export function validateObjectMetaUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const meta = obj.metadata ?? {};
  const prev = old.metadata ?? {};
  const errs: FieldError[] = [];
  if (prev.deletionTimestamp) {
    const before = new Set(arr(prev.finalizers).map(str));
    for (const f of arr(meta.finalizers).map(str)) {
      if (!before.has(f)) errs.push(forbidden("metadata.finalizers", `no new finalizers can be added if the object is being deleted, found new finalizers []string{"${f}"}`));
    }
  }
  if ((meta.generation ?? 0) < (prev.generation ?? 0)) errs.push(invalid("metadata.generation", meta.generation ?? 0, "must not be decremented"));
  const immutable = (field: "name" | "namespace" | "uid") => {
    const a = str(meta[field]);
    const b = str(prev[field]);
    if (a !== b) errs.push(invalid(`metadata.${field}`, a, FIELD_IMMUTABLE));
  };
  immutable("name");
  immutable("namespace");
  immutable("uid");
  errs.push(...validateLabels(meta.labels, "metadata.labels"));
  errs.push(...validateAnnotations(meta.annotations, "metadata.annotations"));
  errs.push(...validateOwnerReferences(meta.ownerReferences, "metadata.ownerReferences"));
  return errs;
}

// ---- label selectors ----

// Models staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/validation/validation.go ValidateLabelSelector
export function validateLabelSelector(sel: unknown, field: string): FieldError[] {
  const s = rec(sel);
  if (!s) return [];
  const errs = validateLabels(s.matchLabels, child(field, "matchLabels"));
  arr(s.matchExpressions).forEach((e, i) => {
    const r = rec(e) ?? {};
    const p = idx(child(field, "matchExpressions"), i);
    const op = str(r.operator);
    const values = arr(r.values);
    if (op === "In" || op === "NotIn") {
      if (!values.length) errs.push(required(child(p, "values"), "must be specified when `operator` is 'In' or 'NotIn'"));
    } else if (op === "Exists" || op === "DoesNotExist") {
      if (values.length) errs.push(forbidden(child(p, "values"), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
    } else {
      errs.push(invalid(child(p, "operator"), op, "not a valid selector operator"));
    }
    for (const msg of isQualifiedName(str(r.key))) errs.push(invalid(child(p, "key"), str(r.key), msg));
    values.forEach((v, j) => {
      for (const msg of isValidLabelValue(str(v))) errs.push(invalid(idx(child(p, "values"), j), str(v), msg));
    });
  });
  return errs;
}

/** Whether a selector converts cleanly (LabelSelectorAsSelector would not error). */
export function selectorParses(sel: unknown): boolean {
  const s = rec(sel);
  if (!s) return true;
  return arr(s.matchExpressions).every((e) => {
    const r = rec(e) ?? {};
    const op = str(r.operator);
    const n = arr(r.values).length;
    if (op === "In" || op === "NotIn") return n > 0;
    if (op === "Exists" || op === "DoesNotExist") return n === 0;
    return false;
  });
}

export function selectorIsEmpty(sel: unknown): boolean {
  const s = rec(sel);
  return !s || Object.keys(rec(s.matchLabels) ?? {}).length + arr(s.matchExpressions).length === 0;
}

/** LabelSelectorAsSelector(sel).Matches(labels): nil matches nothing, empty matches everything. */
export function selectorMatches(sel: unknown, labels: unknown): boolean {
  const s = rec(sel);
  if (!s) return false;
  const l = rec(labels) ?? {};
  for (const [k, v] of Object.entries(rec(s.matchLabels) ?? {})) if (l[k] !== v) return false;
  for (const e of arr(s.matchExpressions)) {
    const r = rec(e) ?? {};
    const k = str(r.key);
    const has = Object.prototype.hasOwnProperty.call(l, k);
    const values = arr(r.values).map(str);
    switch (str(r.operator)) {
      case "In":
        if (!has || !values.includes(str(l[k]))) return false;
        break;
      case "NotIn":
        if (has && values.includes(str(l[k]))) return false;
        break;
      case "Exists":
        if (!has) return false;
        break;
      case "DoesNotExist":
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** A plain map selector (ReplicationController, Service): empty selects nothing here. */
export function mapSelectorMatches(sel: unknown, labels: unknown): boolean {
  const s = rec(sel) ?? {};
  const l = rec(labels) ?? {};
  return Object.entries(s).every(([k, v]) => l[k] === v);
}

// managedFields is left alone: an empty list there means "keep the current entries" (managed-fields.ts).
const OMITEMPTY_META_FIELDS = ["labels", "annotations", "ownerReferences", "finalizers"];

/**
 * ObjectMeta's maps and lists are `omitempty`: an empty or null `annotations` (left behind by
 * `kubectl annotate key-`, or sent by `kubectl diff`) is validated as sent but never stored or returned.
 */
function dropEmptyMetaFields(meta: Record<string, unknown>): void {
  for (const f of OMITEMPTY_META_FIELDS) {
    const v = meta[f];
    if (v === null || (Array.isArray(v) && v.length === 0) || (rec(v) && Object.keys(v as object).length === 0)) delete meta[f];
  }
}

/** The pod and job templates an object carries (spec.template, PodTemplate's template, spec.jobTemplate…). */
function templatesOf(obj: KubeObject): Record<string, unknown>[] {
  const spec = rec(obj.spec);
  const jobTemplate = rec(spec?.jobTemplate);
  const out: Record<string, unknown>[] = [];
  // In this order: spec.template, template, spec.jobTemplate, spec.jobTemplate.spec.template.
  for (const c of [spec?.template, (obj as Record<string, unknown>).template, jobTemplate, rec(jobTemplate?.spec)?.template]) {
    const t = rec(c);
    if (t !== undefined) out.push(t);
  }
  return out;
}

/**
 * A template's creationTimestamp is a zero metav1.Time that Go writes as null; setting it before
 * validation also keeps template equality (Job immutability) independent of whether a client sent it.
 */
export function nullTemplateTimestamps(obj: KubeObject): void {
  for (const t of templatesOf(obj)) {
    let meta = rec(t.metadata);
    if (!meta) t.metadata = meta = {};
    if (meta.creationTimestamp === undefined) meta.creationTimestamp = null;
  }
}

/** The object as the apiserver stores and returns it after validation (see dropEmptyMetaFields). */
export function normalizeForStorage(obj: KubeObject): void {
  if (rec(obj.metadata)) dropEmptyMetaFields(obj.metadata as Record<string, unknown>);
  nullTemplateTimestamps(obj);
  for (const t of templatesOf(obj)) dropEmptyMetaFields(t.metadata as Record<string, unknown>);
}
