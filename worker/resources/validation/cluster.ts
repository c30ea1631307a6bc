// StorageClass, Lease, PriorityClass, PodDisruptionBudget, HorizontalPodAutoscaler and RBAC.
// Models pkg/apis/{storage,coordination,scheduling,policy,autoscaling,rbac}/validation/validation.go
import { deepEqual } from "../../util/equal";
import type { FieldError, KubeObject } from "../types";
import {
  FIELD_IMMUTABLE,
  arr,
  child,
  duplicate,
  ensure,
  forbidden,
  goQuote,
  idx,
  invalid,
  lit,
  notSupported,
  num,
  type Obj,
  rec,
  required,
  setDefault,
  spec as specOf,
  str,
  tooLong,
} from "./field";
import { isDNS1123Subdomain, isQualifiedName, isValidPathSegmentName } from "./formats";
import { validateLabelSelector } from "./meta";
import { isNotMoreThan100Percent, validatePositiveIntOrPercent } from "./apps";
import { parseQuantity, sign } from "./quantity";

// ---- StorageClass ----

export function defaultStorageClass(obj: KubeObject): void {
  if (obj.reclaimPolicy == null) obj.reclaimPolicy = "Delete";
  if (obj.volumeBindingMode == null) obj.volumeBindingMode = "Immediate";
}

export function validateStorageClass(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const prov = str(obj.provisioner);
  if (!prov) errs.push(required("provisioner"));
  else for (const m of isQualifiedName(prov.toLowerCase())) errs.push(invalid("provisioner", prov.toLowerCase(), m));
  const params = rec(obj.parameters) ?? {};
  let size = 0;
  for (const [k, v] of Object.entries(params)) {
    if (!k) errs.push(invalid("parameters", k, "field can not be empty."));
    size += k.length + str(v).length;
  }
  if (size > 256 * 1024) errs.push(tooLong("parameters", 256 * 1024));
  const rp = str(obj.reclaimPolicy);
  if (rp && rp !== "Delete" && rp !== "Retain") errs.push(notSupported("reclaimPolicy", rp, ["Delete", "Retain"]));
  const mode = obj.volumeBindingMode;
  if (mode == null) errs.push(required("volumeBindingMode"));
  else if (mode !== "Immediate" && mode !== "WaitForFirstConsumer") errs.push(notSupported("volumeBindingMode", mode, ["Immediate", "WaitForFirstConsumer"]));
  return errs;
}

export function validateStorageClassUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  if (!deepEqual(obj.parameters, old.parameters)) errs.push(forbidden("parameters", "updates to parameters are forbidden."));
  if (obj.provisioner !== old.provisioner) errs.push(forbidden("provisioner", "updates to provisioner are forbidden."));
  if (obj.reclaimPolicy !== old.reclaimPolicy) errs.push(forbidden("reclaimPolicy", "updates to reclaimPolicy are forbidden."));
  if (obj.volumeBindingMode !== old.volumeBindingMode) errs.push(invalid("volumeBindingMode", str(obj.volumeBindingMode), FIELD_IMMUTABLE));
  return errs;
}

// ---- CSIDriver ----
// Models pkg/apis/storage/v1/defaults.go SetDefaults_CSIDriver and
// pkg/apis/storage/validation/validation.go ValidateCSIDriver (SELinuxMountReadWriteOncePod on, as in 1.32)

export function defaultCSIDriver(obj: KubeObject): void {
  const spec = ensure(obj as Obj, "spec");
  if (spec.attachRequired === undefined) spec.attachRequired = true;
  if (spec.podInfoOnMount === undefined) spec.podInfoOnMount = false;
  if (spec.storageCapacity === undefined) spec.storageCapacity = false;
  if (spec.fsGroupPolicy === undefined) spec.fsGroupPolicy = "ReadWriteOnceWithFSType";
  if (arr(spec.volumeLifecycleModes).length === 0) spec.volumeLifecycleModes = ["Persistent"];
  if (spec.requiresRepublish === undefined) spec.requiresRepublish = false;
  if (spec.seLinuxMount === undefined) spec.seLinuxMount = false;
}

const FS_GROUP_POLICIES = ["File", "None", "ReadWriteOnceWithFSType"];
const LIFECYCLE_MODES = ["Persistent", "Ephemeral"];

export function validateCSIDriver(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const name = obj.metadata.name ?? "";
  // The driver's name is what its GetPluginName() answers: a DNS subdomain of at most 63 characters.
  if (name.length > 63) errs.push(tooLong("metadata.name", 63));
  const spec = specOf(obj as Obj);
  // Upstream's field path says "attachedRequired".
  for (const [field, path] of [
    ["attachRequired", "spec.attachedRequired"],
    ["podInfoOnMount", "spec.podInfoOnMount"],
    ["storageCapacity", "spec.storageCapacity"],
    ["seLinuxMount", "spec.seLinuxMount"],
  ]) {
    if (spec[field] == null) errs.push(required(path));
  }
  const policy = spec.fsGroupPolicy;
  if (policy != null && !FS_GROUP_POLICIES.includes(str(policy))) errs.push(notSupported("spec.fsGroupPolicy", policy, FS_GROUP_POLICIES));
  const audiences = new Set<string>();
  arr(spec.tokenRequests).forEach((t, i) => {
    const tr = rec(t) ?? {};
    const audience = str(tr.audience);
    if (audiences.has(audience)) {
      errs.push(duplicate(child(idx("spec.tokenRequests", i), "audience"), audience));
      return;
    }
    audiences.add(audience);
    const seconds = num(tr.expirationSeconds);
    if (seconds === undefined) return;
    if (seconds < 600) errs.push(invalid(child(idx("spec.tokenRequests", i), "expirationSeconds"), seconds, "may not specify a duration less than 10 minutes"));
    if (seconds > 2 ** 32) errs.push(invalid(child(idx("spec.tokenRequests", i), "expirationSeconds"), seconds, "may not specify a duration larger than 2^32 seconds"));
  });
  for (const mode of arr(spec.volumeLifecycleModes)) {
    if (!LIFECYCLE_MODES.includes(str(mode))) errs.push(notSupported("spec.volumeLifecycleModes", mode, LIFECYCLE_MODES));
  }
  const period = num(spec.nodeAllocatableUpdatePeriodSeconds);
  if (period !== undefined && period < 10) errs.push(invalid("spec.nodeAllocatableUpdatePeriodSeconds", period, "must be greater than or equal to 10 seconds"));
  return errs;
}

export function validateCSIDriverUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const spec = specOf(obj as Obj);
  const was = specOf(old as Obj);
  if (!deepEqual(spec.attachRequired, was.attachRequired)) errs.push(invalid("spec.attachedRequired", spec.attachRequired, FIELD_IMMUTABLE));
  if (!deepEqual(spec.volumeLifecycleModes, was.volumeLifecycleModes)) errs.push(invalid("spec.volumeLifecycleModes", lit(goStringSliceOf(spec.volumeLifecycleModes)), FIELD_IMMUTABLE));
  return errs;
}

function goStringSliceOf(v: unknown): string {
  return `[]storage.VolumeLifecycleMode{${arr(v).map((m) => goQuote(str(m))).join(", ")}}`;
}

// ---- Lease ----

export function validateLease(obj: KubeObject): FieldError[] {
  const spec = specOf(obj);
  const errs: FieldError[] = [];
  const dur = num(spec.leaseDurationSeconds);
  if (dur !== undefined && dur <= 0) errs.push(invalid("spec.leaseDurationSeconds", dur, "must be greater than 0"));
  const tr = num(spec.leaseTransitions);
  if (tr !== undefined && tr < 0) errs.push(invalid("spec.leaseTransitions", tr, "must be greater than or equal to 0"));
  return errs;
}

// ---- PriorityClass ----

const HIGHEST_USER_PRIORITY = 1000000000;
const SYSTEM_CLASSES: Record<string, number> = { "system-node-critical": 2000001000, "system-cluster-critical": 2000000000 };

export function defaultPriorityClass(obj: KubeObject): void {
  if (obj.preemptionPolicy == null) obj.preemptionPolicy = "PreemptLowerPriority";
}

// Models pkg/apis/scheduling/validation/validation.go ValidatePriorityClass
export function validatePriorityClass(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const name = str(obj.metadata.name);
  const value = num(obj.value);
  if (value === undefined) errs.push(required("value"));
  if (name.startsWith("system-")) {
    const known = SYSTEM_CLASSES[name];
    if (known === undefined) {
      errs.push(forbidden("metadata.name", `priority class names with 'system-' prefix are reserved for system use only. error: ${name} is not a known system priority class`));
    } else if (value !== known) {
      errs.push(forbidden("metadata.name", `priority class names with 'system-' prefix are reserved for system use only. error: value of ${name} PriorityClass must be ${known}`));
    }
  } else if (value !== undefined && value > HIGHEST_USER_PRIORITY) {
    errs.push(forbidden("value", `maximum allowed value of a user defined priority is ${HIGHEST_USER_PRIORITY}`));
  }
  const pp = obj.preemptionPolicy;
  if (pp != null && pp !== "PreemptLowerPriority" && pp !== "Never") errs.push(notSupported("preemptionPolicy", pp, ["PreemptLowerPriority", "Never"]));
  return errs;
}

export function validatePriorityClassUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  if (obj.value !== old.value) errs.push(forbidden("value", "may not be changed in an update."));
  if (obj.preemptionPolicy !== old.preemptionPolicy) errs.push(invalid("preemptionPolicy", str(obj.preemptionPolicy), FIELD_IMMUTABLE));
  return errs;
}

// ---- PodDisruptionBudget ----

export function validatePodDisruptionBudget(obj: KubeObject): FieldError[] {
  const spec = specOf(obj);
  const errs: FieldError[] = [];
  if (spec.minAvailable != null && spec.maxUnavailable != null) {
    errs.push(invalid("spec", lit(`policy.PodDisruptionBudgetSpec{MinAvailable:${goQuote(String(spec.minAvailable))}, MaxUnavailable:${goQuote(String(spec.maxUnavailable))}}`), "minAvailable and maxUnavailable cannot be both set"));
  }
  for (const f of ["minAvailable", "maxUnavailable"]) {
    if (spec[f] == null) continue;
    errs.push(...validatePositiveIntOrPercent(spec[f], child("spec", f)), ...isNotMoreThan100Percent(spec[f], child("spec", f)));
  }
  errs.push(...validateLabelSelector(spec.selector, "spec.selector"));
  const policy = spec.unhealthyPodEvictionPolicy;
  if (policy != null && policy !== "AlwaysAllow" && policy !== "IfHealthyBudget") {
    errs.push(notSupported("spec.unhealthyPodEvictionPolicy", policy, ["AlwaysAllow", "IfHealthyBudget"]));
  }
  return errs;
}

// ---- HorizontalPodAutoscaler ----

const SCALE_UP = { stabilizationWindowSeconds: 0, selectPolicy: "Max", policies: [{ type: "Pods", value: 4, periodSeconds: 15 }, { type: "Percent", value: 100, periodSeconds: 15 }] };
const SCALE_DOWN = { stabilizationWindowSeconds: 300, selectPolicy: "Max", policies: [{ type: "Percent", value: 100, periodSeconds: 15 }] };

// Models pkg/apis/autoscaling/v2/defaults.go SetDefaults_HorizontalPodAutoscaler
export function defaultHorizontalPodAutoscaler(obj: KubeObject): void {
  const spec = ensure(obj, "spec");
  if (spec.minReplicas == null) spec.minReplicas = 1;
  if (!arr(spec.metrics).length) {
    spec.metrics = [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 80 } } }];
  }
  const behavior = rec(spec.behavior);
  if (!behavior) return;
  for (const [dir, defaults] of [["scaleUp", SCALE_UP], ["scaleDown", SCALE_DOWN]] as const) {
    const rules = rec(behavior[dir]);
    if (!rules) {
      behavior[dir] = structuredClone(defaults);
      continue;
    }
    if (rules.stabilizationWindowSeconds == null) rules.stabilizationWindowSeconds = defaults.stabilizationWindowSeconds;
    setDefault(rules, "selectPolicy", defaults.selectPolicy);
    if (rules.policies == null) rules.policies = structuredClone(defaults.policies);
  }
}

const METRIC_TYPES = ["Object", "Pods", "Resource", "External", "ContainerResource"];
const METRIC_FIELDS: Record<string, string> = { Object: "object", Pods: "pods", Resource: "resource", External: "external", ContainerResource: "containerResource" };

function validateTarget(target: Obj, p: string): FieldError[] {
  const errs: FieldError[] = [];
  const type = str(target.type);
  if (!type) errs.push(required(child(p, "type"), "must specify a metric target type"));
  if (!["Utilization", "Value", "AverageValue"].includes(type)) errs.push(invalid(child(p, "type"), type, "must be either Utilization, Value, or AverageValue"));
  for (const f of ["value", "averageValue"]) {
    if (target[f] == null) continue;
    const q = parseQuantity(target[f]);
    if (typeof q === "string" || sign(q) !== 1) errs.push(invalid(child(p, f), String(target[f]), "must be positive"));
  }
  const u = num(target.averageUtilization);
  if (u !== undefined && u < 1) errs.push(invalid(child(p, "averageUtilization"), u, "must be greater than 0"));
  return errs;
}

function validateMetric(m: Obj, p: string): FieldError[] {
  const errs: FieldError[] = [];
  const type = str(m.type);
  if (!type) errs.push(required(child(p, "type"), "must specify a metric source type"));
  if (!METRIC_TYPES.includes(type)) errs.push(notSupported(child(p, "type"), type, METRIC_TYPES));
  const present = Object.values(METRIC_FIELDS).filter((f) => m[f] != null);
  const expected = METRIC_FIELDS[type];
  if (expected && m[expected] == null) errs.push(required(child(p, expected), "must populate information for the given metric source"));
  if (present.length !== 1) for (const f of present.filter((f) => f !== expected)) errs.push(forbidden(child(p, f), "must populate the given metric source only"));
  for (const src of ["resource", "containerResource"]) {
    const r = rec(m[src]);
    if (!r) continue;
    const sp = child(p, src);
    if (!str(r.name)) errs.push(required(child(sp, "name"), "must specify a resource name"));
    if (src === "containerResource" && !str(r.container)) errs.push(required(child(sp, "container"), "must specify a container"));
    const target = rec(r.target) ?? {};
    errs.push(...validateTarget(target, child(sp, "target")));
    if (target.averageUtilization == null && target.averageValue == null) {
      errs.push(required(child(sp, "target", "averageUtilization"), "must set either a target raw value or a target utilization"));
    }
    if (target.averageUtilization != null && target.averageValue != null) {
      errs.push(forbidden(child(sp, "target", "averageValue"), "may not set both a target raw value and a target utilization"));
    }
  }
  return errs;
}

function validateScalingRules(rules: unknown, p: string): FieldError[] {
  const r = rec(rules);
  if (!r) return [];
  const errs: FieldError[] = [];
  const win = num(r.stabilizationWindowSeconds);
  if (win !== undefined && (win < 0 || win > 3600)) {
    errs.push(invalid(child(p, "stabilizationWindowSeconds"), win, win < 0 ? "must be greater than or equal to zero" : "must be less than or equal to 3600"));
  }
  const sp = r.selectPolicy;
  if (sp != null && !["Disabled", "Max", "Min"].includes(str(sp))) errs.push(notSupported(child(p, "selectPolicy"), sp, ["Disabled", "Max", "Min"]));
  const policies = arr(r.policies);
  if (!policies.length) errs.push(required(child(p, "policies"), "must specify at least one Policy"));
  policies.forEach((x, i) => {
    const pol = rec(x) ?? {};
    const pp = idx(child(p, "policies"), i);
    if (pol.type !== "Pods" && pol.type !== "Percent") errs.push(notSupported(child(pp, "type"), str(pol.type), ["Percent", "Pods"]));
    const v = num(pol.value) ?? 0;
    if (v <= 0) errs.push(invalid(child(pp, "value"), v, "must be greater than zero"));
    const period = num(pol.periodSeconds) ?? 0;
    if (period <= 0) errs.push(invalid(child(pp, "periodSeconds"), period, "must be greater than zero"));
    else if (period > 1800) errs.push(invalid(child(pp, "periodSeconds"), period, "must be less than or equal to 1800"));
  });
  return errs;
}

// Models pkg/apis/autoscaling/validation/validation.go ValidateHorizontalPodAutoscalerSpec
export function validateHorizontalPodAutoscaler(obj: KubeObject): FieldError[] {
  const spec = specOf(obj);
  const errs: FieldError[] = [];
  const min = num(spec.minReplicas);
  const max = num(spec.maxReplicas) ?? 0;
  if (min !== undefined && min < 1) errs.push(invalid("spec.minReplicas", min, "must be greater than or equal to 1"));
  if (max < 1) errs.push(invalid("spec.maxReplicas", max, "must be greater than 0"));
  if (min !== undefined && max < min) errs.push(invalid("spec.maxReplicas", max, "must be greater than or equal to `minReplicas`"));
  const ref = rec(spec.scaleTargetRef) ?? {};
  for (const f of ["kind", "name"]) {
    const v = str(ref[f]);
    if (!v) errs.push(required(child("spec.scaleTargetRef", f)));
    else for (const m of isValidPathSegmentName(v)) errs.push(invalid(child("spec.scaleTargetRef", f), v, m));
  }
  arr(spec.metrics).forEach((m, i) => errs.push(...validateMetric(rec(m) ?? {}, idx("spec.metrics", i))));
  const behavior = rec(spec.behavior);
  if (behavior) {
    errs.push(...validateScalingRules(behavior.scaleUp, "spec.behavior.scaleUp"), ...validateScalingRules(behavior.scaleDown, "spec.behavior.scaleDown"));
  }
  return errs;
}

// ---- RBAC ----

const RBAC_GROUP = "rbac.authorization.k8s.io";

// Models pkg/apis/rbac/v1/defaults.go SetDefaults_Subject and SetDefaults_RoleBinding
export function defaultBinding(obj: KubeObject): void {
  const ref = rec(obj.roleRef);
  if (ref) setDefault(ref, "apiGroup", RBAC_GROUP);
  for (const s of arr(obj.subjects)) {
    const subject = rec(s);
    if (!subject || str(subject.apiGroup)) continue;
    if (subject.kind === "ServiceAccount") subject.apiGroup = "";
    else if (subject.kind === "User" || subject.kind === "Group") subject.apiGroup = RBAC_GROUP;
  }
}

export function validateRules(obj: KubeObject, namespaced: boolean): FieldError[] {
  const errs: FieldError[] = [];
  arr(obj.rules).forEach((r, i) => {
    const rule = rec(r) ?? {};
    const p = idx("rules", i);
    if (!arr(rule.verbs).length) errs.push(required(child(p, "verbs"), "verbs must contain at least one value"));
    const urls = arr(rule.nonResourceURLs);
    if (urls.length) {
      const v = lit(`[]string{${urls.map((u) => goQuote(str(u))).join(", ")}}`);
      if (namespaced) errs.push(invalid(child(p, "nonResourceURLs"), v, "namespaced rules cannot apply to non-resource URLs"));
      if (arr(rule.apiGroups).length || arr(rule.resources).length || arr(rule.resourceNames).length) {
        errs.push(invalid(child(p, "nonResourceURLs"), v, "rules cannot apply to both regular resources and non-resource URLs"));
      }
      return;
    }
    if (!arr(rule.apiGroups).length) errs.push(required(child(p, "apiGroups"), "resource rules must supply at least one api group"));
    if (!arr(rule.resources).length) errs.push(required(child(p, "resources"), "resource rules must supply at least one resource"));
  });
  return errs;
}

// Models pkg/apis/rbac/validation/validation.go ValidateRoleBinding and ValidateRoleBindingSubject
export function validateBinding(obj: KubeObject, namespaced: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const ref = rec(obj.roleRef) ?? {};
  if (str(ref.apiGroup) !== RBAC_GROUP) errs.push(notSupported("roleRef.apiGroup", str(ref.apiGroup), [RBAC_GROUP]));
  const kinds = namespaced ? ["Role", "ClusterRole"] : ["ClusterRole"];
  if (!kinds.includes(str(ref.kind))) errs.push(notSupported("roleRef.kind", str(ref.kind), kinds));
  const name = str(ref.name);
  if (!name) errs.push(required("roleRef.name"));
  else for (const m of isValidPathSegmentName(name)) errs.push(invalid("roleRef.name", name, m));
  arr(obj.subjects).forEach((s, i) => {
    const subject = rec(s) ?? {};
    const p = idx("subjects", i);
    const sname = str(subject.name);
    if (!sname) errs.push(required(child(p, "name")));
    const group = str(subject.apiGroup);
    switch (subject.kind) {
      case "ServiceAccount":
        if (sname) for (const m of isDNS1123Subdomain(sname)) errs.push(invalid(child(p, "name"), sname, m));
        if (group) errs.push(notSupported(child(p, "apiGroup"), group, [""]));
        if (!namespaced && !str(subject.namespace)) errs.push(required(child(p, "namespace")));
        break;
      case "User":
      case "Group":
        if (group !== RBAC_GROUP) errs.push(notSupported(child(p, "apiGroup"), group, [RBAC_GROUP]));
        break;
      default:
        errs.push(notSupported(child(p, "kind"), str(subject.kind), ["ServiceAccount", "User", "Group"]));
    }
  });
  return errs;
}

export function validateBindingUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const a = rec(obj.roleRef) ?? {};
  if (deepEqual(a, old.roleRef)) return [];
  const v = lit(`rbac.RoleRef{APIGroup:${goQuote(str(a.apiGroup))}, Kind:${goQuote(str(a.kind))}, Name:${goQuote(str(a.name))}}`);
  return [invalid("roleRef", v, "cannot change roleRef")];
}

