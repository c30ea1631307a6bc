// Workload controllers: Deployment, ReplicaSet, DaemonSet, StatefulSet, ControllerRevision and
// the core ReplicationController — defaults and validation.
// Models pkg/apis/apps/v1/defaults.go and pkg/apis/apps/validation/validation.go
import { deepEqual } from "../../util/equal";
import type { FieldError, KubeObject } from "../types";
import {
  FIELD_IMMUTABLE,
  child,
  ensure,
  forbidden,
  goIntOrString,
  goLabelSelector,
  goStringMap,
  invalid,
  lit,
  nonNegative,
  notSupported,
  num,
  type Obj,
  rec,
  required,
  setDefault,
  spec as specOf,
  str,
} from "./field";
import { isValidPercent } from "./formats";
import { mapSelectorMatches, selectorIsEmpty, selectorMatches, selectorParses, validateLabelSelector } from "./meta";
import { canonicalizeResourceList, defaultTemplate } from "./pod-defaults";
import { validatePodTemplateSpec } from "./pod";

function defaultReplicas(spec: Obj): void {
  if (typeof spec.replicas !== "number") spec.replicas = 1;
}
function defaultHistory(spec: Obj): void {
  if (typeof spec.revisionHistoryLimit !== "number") spec.revisionHistoryLimit = 10;
}

// Models pkg/apis/apps/v1/defaults.go SetDefaults_Deployment
export function defaultDeployment(obj: KubeObject): void {
  const spec = ensure(obj, "spec");
  defaultReplicas(spec);
  const strategy = ensure(spec, "strategy");
  setDefault(strategy, "type", "RollingUpdate");
  if (strategy.type === "RollingUpdate") {
    const ru = ensure(strategy, "rollingUpdate");
    if (ru.maxUnavailable === undefined || ru.maxUnavailable === null) ru.maxUnavailable = "25%";
    if (ru.maxSurge === undefined || ru.maxSurge === null) ru.maxSurge = "25%";
  }
  defaultHistory(spec);
  if (typeof spec.progressDeadlineSeconds !== "number") spec.progressDeadlineSeconds = 600;
  defaultTemplate(spec.template);
}

export function defaultReplicaSet(obj: KubeObject): void {
  const spec = ensure(obj, "spec");
  defaultReplicas(spec);
  defaultTemplate(spec.template);
}

// Models pkg/apis/apps/v1/defaults.go SetDefaults_DaemonSet
export function defaultDaemonSet(obj: KubeObject): void {
  const spec = ensure(obj, "spec");
  const strategy = ensure(spec, "updateStrategy");
  setDefault(strategy, "type", "RollingUpdate");
  if (strategy.type === "RollingUpdate") {
    const ru = ensure(strategy, "rollingUpdate");
    if (ru.maxUnavailable === undefined || ru.maxUnavailable === null) ru.maxUnavailable = 1;
    if (ru.maxSurge === undefined || ru.maxSurge === null) ru.maxSurge = 0;
  }
  defaultHistory(spec);
  defaultTemplate(spec.template);
}

// Models pkg/apis/apps/v1/defaults.go SetDefaults_StatefulSet
export function defaultStatefulSet(obj: KubeObject): void {
  const spec = ensure(obj, "spec");
  setDefault(spec, "podManagementPolicy", "OrderedReady");
  const strategy = ensure(spec, "updateStrategy");
  if (!str(strategy.type)) {
    strategy.type = "RollingUpdate";
    ensure(strategy, "rollingUpdate");
  }
  const ru = rec(strategy.rollingUpdate);
  if (strategy.type === "RollingUpdate" && ru && typeof ru.partition !== "number") ru.partition = 0;
  const retention = ensure(spec, "persistentVolumeClaimRetentionPolicy");
  setDefault(retention, "whenDeleted", "Retain");
  setDefault(retention, "whenScaled", "Retain");
  defaultReplicas(spec);
  defaultHistory(spec);
  defaultTemplate(spec.template);
  for (const t of Array.isArray(spec.volumeClaimTemplates) ? spec.volumeClaimTemplates : []) {
    const pvc = rec(t);
    if (!pvc) continue;
    setDefault(pvc, "apiVersion", "v1");
    setDefault(pvc, "kind", "PersistentVolumeClaim");
    const ps = ensure(pvc, "spec");
    setDefault(ps, "volumeMode", "Filesystem");
    canonicalizeResourceList(rec(ps.resources)?.requests);
    canonicalizeResourceList(rec(ps.resources)?.limits);
    setDefault(ensure(pvc, "status"), "phase", "Pending");
  }
}

// Models pkg/apis/core/v1/defaults.go SetDefaults_ReplicationController
export function defaultReplicationController(obj: KubeObject): void {
  const spec = ensure(obj, "spec");
  const labels = rec(rec(rec(spec.template)?.metadata)?.labels);
  if (labels) {
    if (!Object.keys(rec(spec.selector) ?? {}).length) spec.selector = { ...labels };
    if (!Object.keys(obj.metadata.labels ?? {}).length) obj.metadata.labels = { ...(labels as Record<string, string>) };
  }
  defaultReplicas(spec);
  defaultTemplate(spec.template);
}

// ---- validation ----

function intOrPercentValue(v: unknown): number {
  if (typeof v === "number") return v;
  const s = str(v);
  return s.endsWith("%") ? Number(s.slice(0, -1)) || 0 : Number(s) || 0;
}

// Models pkg/apis/apps/validation/validation.go ValidatePositiveIntOrPercent
export function validatePositiveIntOrPercent(v: unknown, field: string): FieldError[] {
  if (typeof v === "string") return isValidPercent(v).map((m) => invalid(field, goIntOrString(v), m));
  if (typeof v === "number") return nonNegative(v, field);
  return [];
}

export function isNotMoreThan100Percent(v: unknown, field: string): FieldError[] {
  if (typeof v !== "string" || isValidPercent(v).length) return [];
  return intOrPercentValue(v) > 100 ? [invalid(field, goIntOrString(v), "must not be greater than 100%")] : [];
}

/** The template checks every replicated pod controller shares. */
function templateForReplicas(spec: Obj, matches: boolean, owner: string): FieldError[] {
  const errs: FieldError[] = [];
  const template = rec(spec.template);
  if (!template) return [required("spec.template")];
  if (!matches) {
    errs.push(invalid("spec.template.metadata.labels", goStringMap(rec(template.metadata)?.labels), "`selector` does not match template `labels`"));
  }
  errs.push(...validatePodTemplateSpec(template, "spec.template"));
  const tspec = rec(template.spec) ?? {};
  const rp = str(tspec.restartPolicy);
  if (rp !== "Always") errs.push(notSupported("spec.template.spec.restartPolicy", rp, ["Always"]));
  if (tspec.activeDeadlineSeconds !== undefined && tspec.activeDeadlineSeconds !== null) {
    errs.push(forbidden("spec.template.spec.activeDeadlineSeconds", `activeDeadlineSeconds in ${owner} is not Supported`));
  }
  return errs;
}

/** Selector rules for the LabelSelector-based controllers. */
function selectorAndTemplate(spec: Obj, emptyMsg: string, owner: string): FieldError[] {
  const errs: FieldError[] = [];
  const sel = spec.selector;
  if (!rec(sel)) errs.push(required("spec.selector"));
  else {
    errs.push(...validateLabelSelector(sel, "spec.selector"));
    if (selectorIsEmpty(sel)) errs.push(invalid("spec.selector", goLabelSelector(sel), emptyMsg));
  }
  if (!selectorParses(sel)) {
    errs.push(invalid("spec.selector", goLabelSelector(sel), "invalid label selector"));
    return errs;
  }
  // A missing selector matches nothing (so the template is reported too); an empty one matches all.
  const matches = selectorMatches(sel, rec(rec(spec.template)?.metadata)?.labels);
  errs.push(...templateForReplicas(spec, matches, owner));
  return errs;
}

// Models pkg/apis/apps/validation/validation.go ValidateDeploymentSpec
export function validateDeploymentSpec(obj: KubeObject): FieldError[] {
  const spec = specOf(obj);
  const errs = nonNegative(spec.replicas, "spec.replicas");
  errs.push(...selectorAndTemplate(spec, "empty selector is invalid for deployment", "ReplicaSet"));
  const strategy = rec(spec.strategy) ?? {};
  const type = str(strategy.type);
  if (type === "Recreate") {
    if (strategy.rollingUpdate !== undefined && strategy.rollingUpdate !== null) {
      errs.push(forbidden("spec.strategy.rollingUpdate", "may not be specified when strategy `type` is 'Recreate'"));
    }
  } else if (type === "RollingUpdate") {
    const ru = rec(strategy.rollingUpdate);
    if (!ru) errs.push(required("spec.strategy.rollingUpdate", "this should be defaulted and never be nil"));
    else {
      const p = "spec.strategy.rollingUpdate";
      errs.push(...validatePositiveIntOrPercent(ru.maxUnavailable, child(p, "maxUnavailable")));
      errs.push(...validatePositiveIntOrPercent(ru.maxSurge, child(p, "maxSurge")));
      if (intOrPercentValue(ru.maxUnavailable) === 0 && intOrPercentValue(ru.maxSurge) === 0) {
        errs.push(invalid(child(p, "maxUnavailable"), goIntOrString(ru.maxUnavailable), "may not be 0 when `maxSurge` is 0"));
      }
      errs.push(...isNotMoreThan100Percent(ru.maxUnavailable, child(p, "maxUnavailable")));
    }
  } else {
    errs.push(notSupported("spec.strategy", lit(`apps.DeploymentStrategy{Type:${JSON.stringify(type)}}`), ["Recreate", "RollingUpdate"]));
  }
  errs.push(...nonNegative(spec.minReadySeconds, "spec.minReadySeconds"));
  errs.push(...nonNegative(spec.revisionHistoryLimit, "spec.revisionHistoryLimit"));
  const pds = num(spec.progressDeadlineSeconds);
  if (pds !== undefined) {
    errs.push(...nonNegative(pds, "spec.progressDeadlineSeconds"));
    if (pds <= (num(spec.minReadySeconds) ?? 0)) errs.push(invalid("spec.progressDeadlineSeconds", pds, "must be greater than minReadySeconds"));
  }
  return errs;
}

export function validateReplicaSetSpec(obj: KubeObject): FieldError[] {
  const spec = specOf(obj);
  const errs = nonNegative(spec.replicas, "spec.replicas");
  errs.push(...nonNegative(spec.minReadySeconds, "spec.minReadySeconds"));
  // Upstream reuses the Deployment wording here.
  errs.push(...selectorAndTemplate(spec, "empty selector is invalid for deployment", "ReplicaSet"));
  return errs;
}

// Models pkg/apis/apps/validation/validation.go ValidateDaemonSetSpec
export function validateDaemonSetSpec(obj: KubeObject): FieldError[] {
  const spec = specOf(obj);
  const sel = spec.selector;
  const errs = validateLabelSelector(sel, "spec.selector");
  const template = rec(spec.template) ?? {};
  if (selectorParses(sel) && !selectorMatches(sel, rec(template.metadata)?.labels)) {
    errs.push(invalid("spec.template.metadata.labels", goStringMap(rec(template.metadata)?.labels), "`selector` does not match template `labels`"));
  }
  if (rec(sel) && selectorIsEmpty(sel)) errs.push(invalid("spec.selector", goLabelSelector(sel), "empty selector is invalid for daemonset"));
  errs.push(...validatePodTemplateSpec(spec.template, "spec.template"));
  const tspec = rec(template.spec) ?? {};
  if (str(tspec.restartPolicy) !== "Always") errs.push(notSupported("spec.template.spec.restartPolicy", str(tspec.restartPolicy), ["Always"]));
  const ads = num(tspec.activeDeadlineSeconds);
  if (ads !== undefined) errs.push(invalid("spec.template.spec.activeDeadlineSeconds", ads, "activeDeadlineSeconds must be nil for daemonset"));
  errs.push(...nonNegative(spec.minReadySeconds, "spec.minReadySeconds"));
  const strategy = rec(spec.updateStrategy) ?? {};
  const p = "spec.updateStrategy";
  if (strategy.type === "RollingUpdate") {
    const ru = rec(strategy.rollingUpdate);
    if (!ru) errs.push(required(child(p, "rollingUpdate")));
    else {
      const rp = child(p, "rollingUpdate");
      const hasUnavailable = intOrPercentValue(ru.maxUnavailable) !== 0;
      const hasSurge = intOrPercentValue(ru.maxSurge) !== 0;
      for (const [f, on] of [["maxUnavailable", hasUnavailable], ["maxSurge", hasSurge]] as const) {
        if (!on) continue;
        errs.push(...validatePositiveIntOrPercent(ru[f], child(rp, f)), ...isNotMoreThan100Percent(ru[f], child(rp, f)));
      }
      if (hasUnavailable && hasSurge) errs.push(invalid(child(rp, "maxSurge"), goIntOrString(ru.maxSurge), "may not be set when maxUnavailable is non-zero"));
      if (!hasUnavailable && !hasSurge) errs.push(required(child(rp, "maxUnavailable"), "cannot be 0 when maxSurge is 0"));
    }
  } else if (strategy.type !== "OnDelete") {
    errs.push(notSupported(p, lit(`apps.DaemonSetUpdateStrategy{Type:${JSON.stringify(str(strategy.type))}}`), ["RollingUpdate", "OnDelete"]));
  }
  errs.push(...nonNegative(spec.revisionHistoryLimit, "spec.revisionHistoryLimit"));
  return errs;
}

const RETENTION = ["Retain", "Delete"];

// Models pkg/apis/apps/validation/validation.go ValidateStatefulSetSpec
export function validateStatefulSetSpec(obj: KubeObject): FieldError[] {
  const spec = specOf(obj);
  const errs: FieldError[] = [];
  const pmp = str(spec.podManagementPolicy);
  if (!pmp) errs.push(required("spec.podManagementPolicy"));
  else if (pmp !== "OrderedReady" && pmp !== "Parallel") errs.push(invalid("spec.podManagementPolicy", pmp, "must be 'OrderedReady' or 'Parallel'"));
  const strategy = rec(spec.updateStrategy) ?? {};
  const type = str(strategy.type);
  if (!type) errs.push(required("spec.updateStrategy"));
  else if (type === "OnDelete") {
    if (rec(strategy.rollingUpdate)) errs.push(invalid("spec.updateStrategy.rollingUpdate", lit("&apps.RollingUpdateStatefulSetStrategy{}"), "only allowed for updateStrategy 'RollingUpdate'"));
  } else if (type === "RollingUpdate") {
    const ru = rec(strategy.rollingUpdate);
    if (ru) errs.push(...nonNegative(ru.partition, "spec.updateStrategy.rollingUpdate.partition"));
  } else {
    errs.push(invalid("spec.updateStrategy", lit(`apps.StatefulSetUpdateStrategy{Type:${JSON.stringify(type)}}`), "must be 'RollingUpdate' or 'OnDelete'"));
  }
  const retention = rec(spec.persistentVolumeClaimRetentionPolicy);
  if (retention) {
    for (const f of ["whenDeleted", "whenScaled"]) {
      const v = str(retention[f]);
      if (!RETENTION.includes(v)) errs.push(notSupported(child("spec.persistentVolumeClaimRetentionPolicy", f), v, RETENTION));
    }
  }
  errs.push(...nonNegative(spec.replicas, "spec.replicas"));
  errs.push(...nonNegative(spec.minReadySeconds, "spec.minReadySeconds"));
  errs.push(...nonNegative(rec(spec.ordinals)?.start, "spec.ordinals.start"));
  errs.push(...selectorAndTemplate(spec, "empty selector is invalid for statefulset", "StatefulSet"));
  return errs;
}

// Models pkg/apis/apps/validation/validation.go ValidateStatefulSetUpdate
export function validateStatefulSetUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const a: Obj = { ...specOf(obj) };
  const b = specOf(old);
  for (const f of ["replicas", "ordinals", "template", "updateStrategy", "revisionHistoryLimit", "persistentVolumeClaimRetentionPolicy", "minReadySeconds"]) {
    a[f] = b[f];
  }
  if (deepEqual(a, b)) return [];
  return [
    forbidden(
      "spec",
      "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
    ),
  ];
}

/** apps/v1 forbids changing a controller's selector. */
export function selectorImmutable(obj: KubeObject, old: KubeObject): FieldError[] {
  const sel = specOf(obj).selector;
  return deepEqual(sel, specOf(old).selector) ? [] : [invalid("spec.selector", goLabelSelector(sel), FIELD_IMMUTABLE)];
}

export function validateControllerRevision(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  if (obj.data === undefined || obj.data === null) errs.push(required("data", "data is mandatory"));
  errs.push(...nonNegative(obj.revision, "revision"));
  return errs;
}

export function validateControllerRevisionUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  return deepEqual(obj.data, old.data) ? [] : [invalid("data", lit(`runtime.RawExtension{Raw:${JSON.stringify(JSON.stringify(obj.data ?? null))}}`), FIELD_IMMUTABLE)];
}

// Models pkg/apis/core/validation/validation.go ValidateReplicationControllerSpec
export function validateReplicationControllerSpec(obj: KubeObject): FieldError[] {
  const spec = specOf(obj);
  const errs = nonNegative(spec.minReadySeconds, "spec.minReadySeconds");
  const sel = rec(spec.selector) ?? {};
  const empty = !Object.keys(sel).length;
  if (empty) errs.push(required("spec.selector"));
  errs.push(...nonNegative(spec.replicas, "spec.replicas"));
  const labels = rec(rec(spec.template)?.metadata)?.labels;
  errs.push(...templateForReplicas(spec, empty || mapSelectorMatches(sel, labels), "ReplicationController"));
  return errs;
}
