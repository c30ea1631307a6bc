// ResourceQuota and LimitRange: defaults and validation.
// Models pkg/apis/core/validation/validation.go ValidateResourceQuota, ValidateLimitRange
import type { FieldError, KubeObject } from "../types";
import { IS_NEGATIVE, arr, child, ensure, idx, invalid, key, lit, notSupported, rec, sortedKeys, spec as specOf, str } from "./field";
import { isQualifiedName } from "./formats";
import { canonicalizeResourceList } from "./pod-defaults";
import { cmpQuantity, formatQuantity, parseQuantity, sign } from "./quantity";

export function quantityValue(v: unknown, field: string, positive = false): FieldError[] {
  const q = parseQuantity(v);
  if (typeof q === "string") return [invalid(field, String(v), q)];
  if (positive && sign(q) <= 0) return [invalid(field, formatQuantity(q), "must be greater than zero")];
  return sign(q) < 0 ? [invalid(field, formatQuantity(q), IS_NEGATIVE)] : [];
}

const QUOTA_RESOURCES = new Set([
  "pods", "services", "replicationcontrollers", "resourcequotas", "secrets", "configmaps", "persistentvolumeclaims",
  "services.nodeports", "services.loadbalancers", "cpu", "memory", "ephemeral-storage", "requests.cpu", "requests.memory",
  "requests.storage", "requests.ephemeral-storage", "limits.cpu", "limits.memory", "limits.ephemeral-storage",
]);

function isStandardQuotaResource(name: string): boolean {
  return QUOTA_RESOURCES.has(name) || /^(requests\.)?hugepages-/.test(name) || name.endsWith(".storageclass.storage.k8s.io/requests.storage") || name.endsWith(".storageclass.storage.k8s.io/persistentvolumeclaims");
}

export function defaultResourceQuota(obj: KubeObject): void {
  canonicalizeResourceList(specOf(obj).hard);
}

export function validateResourceQuota(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const hard = rec(specOf(obj).hard);
  for (const name of sortedKeys(hard)) {
    const p = key("spec.hard", name);
    for (const m of isQualifiedName(name)) errs.push(invalid(p, name, m));
    if (!name.includes("/") && !isStandardQuotaResource(name)) errs.push(invalid(p, name, "must be a standard resource for quota"));
    errs.push(...quantityValue(hard?.[name], p));
  }
  const scopes = ["Terminating", "NotTerminating", "BestEffort", "NotBestEffort", "PriorityClass", "CrossNamespacePodAffinity", "VolumeAttributesClass"];
  arr(specOf(obj).scopes).forEach((s) => {
    if (!scopes.includes(str(s))) errs.push(invalid("spec.scopes", str(s), "unsupported scope"));
  });
  return errs;
}

const LIMIT_TYPES = ["Container", "PersistentVolumeClaim", "Pod"];

// Models pkg/apis/core/v1/defaults.go SetDefaults_LimitRangeItem
export function defaultLimitRange(obj: KubeObject): void {
  for (const item of arr(specOf(obj).limits)) {
    const it = rec(item);
    if (!it) continue;
    for (const f of ["max", "min", "default", "defaultRequest", "maxLimitRequestRatio"]) canonicalizeResourceList(it[f]);
    if (it.type !== "Container") continue;
    const def = ensure(it, "default");
    const defReq = ensure(it, "defaultRequest");
    for (const [k, v] of Object.entries(rec(it.max) ?? {})) if (def[k] === undefined) def[k] = v;
    for (const [k, v] of Object.entries(def)) if (defReq[k] === undefined) defReq[k] = v;
    for (const [k, v] of Object.entries(rec(it.min) ?? {})) if (defReq[k] === undefined) defReq[k] = v;
  }
}

// Models pkg/apis/core/validation/validation.go ValidateLimitRange
export function validateLimitRange(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  arr(specOf(obj).limits).forEach((item, i) => {
    const it = rec(item) ?? {};
    const p = idx("spec.limits", i);
    const type = str(it.type);
    if (!LIMIT_TYPES.includes(type)) errs.push(notSupported(child(p, "type"), type, LIMIT_TYPES));
    const q = (f: string, k: string) => {
      const v = rec(it[f])?.[k];
      if (v === undefined) return undefined;
      const parsed = parseQuantity(v);
      return typeof parsed === "string" ? undefined : parsed;
    };
    const names = new Set([...Object.keys(rec(it.max) ?? {}), ...Object.keys(rec(it.min) ?? {}), ...Object.keys(rec(it.default) ?? {}), ...Object.keys(rec(it.defaultRequest) ?? {})]);
    for (const k of [...names].sort()) {
      const [min, max, def, defReq] = [q("min", k), q("max", k), q("default", k), q("defaultRequest", k)];
      const s = (x: NonNullable<typeof min>) => formatQuantity(x);
      if (min && max && cmpQuantity(min, max) > 0) errs.push(invalid(key(child(p, "min"), k), lit(s(min)), `min value ${s(min)} is greater than max value ${s(max)}`));
      if (defReq && max && cmpQuantity(defReq, max) > 0) errs.push(invalid(key(child(p, "defaultRequest"), k), lit(s(defReq)), `default request value ${s(defReq)} is greater than max value ${s(max)}`));
      if (defReq && min && cmpQuantity(min, defReq) > 0) errs.push(invalid(key(child(p, "defaultRequest"), k), lit(s(defReq)), `min value ${s(min)} is greater than default request value ${s(defReq)}`));
      if (defReq && def && cmpQuantity(defReq, def) > 0) errs.push(invalid(key(child(p, "defaultRequest"), k), lit(s(defReq)), `default request value ${s(defReq)} is greater than default limit value ${s(def)}`));
      if (def && max && cmpQuantity(def, max) > 0) errs.push(invalid(key(child(p, "default"), k), lit(s(def)), `default value ${s(def)} is greater than max value ${s(max)}`));
      if (def && min && cmpQuantity(min, def) > 0) errs.push(invalid(key(child(p, "default"), k), lit(s(def)), `min value ${s(min)} is greater than default value ${s(def)}`));
    }
  });
  return errs;
}

