// Pod and PodTemplateSpec validation, and the pod update rule (almost all of the spec is frozen).
// Models pkg/apis/core/validation/validation.go ValidatePodSpec, ValidatePodCreate, ValidatePodUpdate
import { deepEqual } from "../../util/equal";
import type { FieldError, KubeObject } from "../types";
import { dnsLabel, validateContainers } from "./containers";
import {
  arr,
  child,
  duplicate,
  forbidden,
  idx,
  invalid,
  lit,
  num,
  notSupported,
  type Obj,
  rec,
  required,
  spec as specOf,
  str,
  goQuote,
} from "./field";
import { inclusiveRangeError, isDNS1123Subdomain, isQualifiedName, isValidLabelValue } from "./formats";
import { validateAnnotations, validateLabels, validateObjectMeta, validateObjectMetaUpdate, nameIsDNSSubdomain } from "./meta";
import { VOLUME_SOURCES } from "./pod-defaults";

const FILE_MODE_MSG = "must be a number between 0 and 0777 (octal), both inclusive";

function validateVolumeSource(vol: Obj, p: string): FieldError[] {
  const errs: FieldError[] = [];
  let count = 0;
  for (const s of VOLUME_SOURCES) {
    const src = vol[s];
    if (src === undefined || src === null) continue;
    if (count > 0) {
      errs.push(forbidden(child(p, s), "may not specify more than 1 volume type"));
      continue;
    }
    count++;
    const r = rec(src) ?? {};
    const sp = child(p, s);
    const requireField = (f: string) => {
      if (!str(r[f])) errs.push(required(child(sp, f)));
    };
    switch (s) {
      case "hostPath":
        requireField("path");
        break;
      case "secret":
        requireField("secretName");
        break;
      case "configMap":
        requireField("name");
        break;
      case "persistentVolumeClaim":
        requireField("claimName");
        break;
      case "nfs":
        requireField("server");
        requireField("path");
        if (str(r.path) && !str(r.path).startsWith("/")) errs.push(invalid(child(sp, "path"), str(r.path), "must be an absolute path"));
        break;
    }
    const mode = num(r.defaultMode);
    if (mode !== undefined && (mode < 0 || mode > 0o777)) errs.push(invalid(child(sp, "defaultMode"), mode, FILE_MODE_MSG));
    arr(r.items).forEach((it, i) => {
      const item = rec(it) ?? {};
      const ip = idx(child(sp, "items"), i);
      if ((s === "secret" || s === "configMap") && !str(item.key)) errs.push(required(child(ip, "key")));
      if (!str(item.path)) errs.push(required(child(ip, "path")));
    });
  }
  if (count === 0) errs.push(required(p, "must specify a volume type"));
  return errs;
}

function validateVolumes(volumes: unknown, field: string): { names: Set<string>; errs: FieldError[] } {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  arr(volumes).forEach((v, i) => {
    const vol = rec(v) ?? {};
    const p = idx(field, i);
    const el = validateVolumeSource(vol, p);
    const name = str(vol.name);
    if (!name) el.push(required(child(p, "name")));
    else el.push(...dnsLabel(name, child(p, "name")));
    if (names.has(name)) el.push(duplicate(child(p, "name"), name));
    if (!el.length) names.add(name);
    errs.push(...el);
  });
  return { names, errs };
}

const TAINT_EFFECTS = ["NoSchedule", "PreferNoSchedule", "NoExecute"];

function goToleration(t: Obj): string {
  const secs = num(t.tolerationSeconds);
  return `core.Toleration{Key:${goQuote(str(t.key))}, Operator:${goQuote(str(t.operator))}, Value:${goQuote(str(t.value))}, Effect:${goQuote(
    str(t.effect),
  )}, TolerationSeconds:${secs === undefined ? "(*int64)(nil)" : `(*int64)(${secs})`}}`;
}

// Models pkg/apis/core/validation/validation.go ValidateTolerations
export function validateTolerations(tolerations: unknown, field: string): FieldError[] {
  const errs: FieldError[] = [];
  arr(tolerations).forEach((x, i) => {
    const t = rec(x) ?? {};
    const p = idx(field, i);
    const k = str(t.key);
    const op = str(t.operator);
    const effect = str(t.effect);
    if (k) for (const m of isQualifiedName(k)) errs.push(invalid(child(p, "key"), k, m));
    if (!k && op !== "Exists") {
      errs.push(invalid(child(p, "operator"), op, 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    }
    if (t.tolerationSeconds !== undefined && t.tolerationSeconds !== null && effect !== "NoExecute") {
      errs.push(invalid(child(p, "effect"), effect, "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    if (op === "Equal" || op === "") {
      const msgs = isValidLabelValue(str(t.value));
      if (msgs.length) errs.push(invalid(child(p, "operator"), str(t.value), msgs.join(";")));
    } else if (op === "Exists") {
      if (str(t.value)) errs.push(invalid(child(p, "operator"), lit(goToleration(t)), "value must be empty when `operator` is 'Exists'"));
    } else {
      errs.push(notSupported(child(p, "operator"), op, ["Equal", "Exists"]));
    }
    if (effect && !TAINT_EFFECTS.includes(effect)) errs.push(notSupported(child(p, "effect"), effect, TAINT_EFFECTS));
  });
  return errs;
}

const RESTART_POLICIES = ["Always", "OnFailure", "Never"];
const DNS_POLICIES = ["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"];

// Models pkg/apis/core/validation/validation.go ValidatePodSpec
export function validatePodSpec(spec: Obj, field: string): FieldError[] {
  const errs: FieldError[] = [];
  const { names, errs: volErrs } = validateVolumes(spec.volumes, child(field, "volumes"));
  errs.push(...volErrs);
  errs.push(...validateContainers(spec, field, names));
  const rp = str(spec.restartPolicy);
  if (!rp) errs.push(required(child(field, "restartPolicy")));
  else if (!RESTART_POLICIES.includes(rp)) errs.push(notSupported(child(field, "restartPolicy"), rp, RESTART_POLICIES));
  const dns = str(spec.dnsPolicy);
  if (!dns) errs.push(required(child(field, "dnsPolicy")));
  else if (!DNS_POLICIES.includes(dns)) errs.push(notSupported(child(field, "dnsPolicy"), dns, DNS_POLICIES));
  errs.push(...validateLabels(spec.nodeSelector, child(field, "nodeSelector")));
  arr(spec.imagePullSecrets).forEach((s, i) => {
    if (!str(rec(s)?.name)) errs.push(required(child(idx(child(field, "imagePullSecrets"), i), "name")));
  });
  for (const f of ["serviceAccountName", "nodeName", "priorityClassName"]) {
    const v = str(spec[f]);
    if (v) for (const m of isDNS1123Subdomain(v)) errs.push(invalid(child(field, f), v, m));
  }
  const ads = num(spec.activeDeadlineSeconds);
  if (ads !== undefined && (ads < 1 || ads > 2147483647)) {
    errs.push(invalid(child(field, "activeDeadlineSeconds"), ads, inclusiveRangeError(1, 2147483647)));
  }
  for (const f of ["hostname", "subdomain"]) {
    const v = str(spec[f]);
    if (v) errs.push(...dnsLabel(v, child(field, f)));
  }
  errs.push(...validateTolerations(spec.tolerations, child(field, "tolerations")));
  const pp = spec.preemptionPolicy;
  if (pp !== undefined && pp !== null && !["PreemptLowerPriority", "Never"].includes(str(pp))) {
    errs.push(notSupported(child(field, "preemptionPolicy"), pp, ["PreemptLowerPriority", "Never"]));
  }
  const os = str(rec(spec.os)?.name);
  if (rec(spec.os) && !["linux", "windows"].includes(os)) errs.push(notSupported(child(field, "os", "name"), os, ["linux", "windows"]));
  return errs;
}

// Models pkg/apis/core/validation/validation.go ValidatePodTemplateSpec
export function validatePodTemplateSpec(template: unknown, field: string): FieldError[] {
  const t = rec(template);
  if (!t) return [required(field)];
  const meta = rec(t.metadata) ?? {};
  const errs = validateLabels(meta.labels, child(field, "labels"));
  errs.push(...validateAnnotations(meta.annotations, child(field, "annotations")));
  const spec = rec(t.spec) ?? {};
  errs.push(...validatePodSpec(spec, child(field, "spec")));
  if (arr(spec.ephemeralContainers).length) {
    errs.push(forbidden(child(field, "spec", "ephemeralContainers"), "ephemeral containers not allowed in pod template"));
  }
  return errs;
}

function imageWhitespace(spec: Obj, list: string): FieldError[] {
  const errs: FieldError[] = [];
  arr(spec[list]).forEach((c, i) => {
    const image = str(rec(c)?.image);
    if (image !== image.trim()) errs.push(invalid(child(idx(`spec.${list}`, i), "image"), image, "must not have leading or trailing whitespace"));
  });
  return errs;
}

/**
 * Pod specs found valid, by their JSON: a controller creates its pods from one template, and each
 * was validated alike. Only the valid are remembered; a spec with errors is validated every time.
 */
const validSpecs = new Set<string>();
const VALID_SPECS_KEPT = 1000;

function validatePodObject(pod: KubeObject): FieldError[] {
  const spec = specOf(pod);
  const json = JSON.stringify(spec);
  if (validSpecs.has(json)) return [];
  const errs = validatePodSpec(spec, "spec");
  errs.push(...imageWhitespace(spec, "containers"), ...imageWhitespace(spec, "initContainers"));
  if (errs.length === 0) {
    if (validSpecs.size >= VALID_SPECS_KEPT) validSpecs.clear();
    validSpecs.add(json);
  }
  return errs;
}

export function validatePodCreate(pod: KubeObject): FieldError[] {
  const errs = validateObjectMeta(pod, true, nameIsDNSSubdomain);
  errs.push(...validatePodObject(pod));
  const spec = specOf(pod);
  if (arr(spec.ephemeralContainers).length) errs.push(forbidden("spec.ephemeralContainers", "cannot be set on create"));
  if (str(spec.nodeName) && arr(spec.schedulingGates).length) {
    errs.push(forbidden("spec.nodeName", "cannot be set until all schedulingGates have been cleared"));
  }
  return errs;
}

export const POD_UPDATABLE_FIELDS =
  "`spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)";

function goFieldName(k: string): string {
  return k.charAt(0).toUpperCase() + k.slice(1);
}

/** A short cmp.Diff-like rendering of the changed top-level spec fields. */
function specDiff(old: Obj, next: Obj): string {
  const keys = [...new Set([...Object.keys(old), ...Object.keys(next)])].sort();
  const lines = ["  core.PodSpec{"];
  let same = 0;
  for (const k of keys) {
    if (deepEqual(old[k], next[k])) {
      same++;
      continue;
    }
    if (same) lines.push(`  \t... // ${same} identical fields`);
    same = 0;
    if (old[k] !== undefined) lines.push(`- \t${goFieldName(k)}: ${JSON.stringify(old[k])},`);
    if (next[k] !== undefined) lines.push(`+ \t${goFieldName(k)}: ${JSON.stringify(next[k])},`);
  }
  if (same) lines.push(`  \t... // ${same} identical fields`);
  lines.push("  }");
  return lines.join("\n");
}

function onlyAddedTolerations(next: unknown, old: unknown, field: string): FieldError[] {
  const fresh = arr(next).map((t) => rec(t) ?? {});
  for (const o of arr(old).map((t) => rec(t) ?? {})) {
    const found = fresh.some((n) => deepEqual({ ...o, tolerationSeconds: n.tolerationSeconds }, n));
    if (!found) return [forbidden(field, "existing toleration can not be modified except its tolerationSeconds")];
  }
  return validateTolerations(next, field);
}

// Models pkg/apis/core/validation/validation.go ValidatePodUpdate
export function validatePodUpdate(pod: KubeObject, old: KubeObject): FieldError[] {
  const errs = validateObjectMetaUpdate(pod, old);
  errs.push(...validatePodObject(pod));
  const spec = specOf(pod);
  const prev = specOf(old);
  for (const list of ["containers", "initContainers"]) {
    const a = arr(spec[list]);
    if (a.length !== arr(prev[list]).length) {
      errs.push(forbidden(`spec.${list}`, "pod updates may not add or remove containers"));
      return errs;
    }
  }
  const ads = num(spec.activeDeadlineSeconds);
  const oldAds = num(prev.activeDeadlineSeconds);
  if (ads !== undefined) {
    if (ads < 0 || ads > 2147483647) {
      errs.push(invalid("spec.activeDeadlineSeconds", ads, inclusiveRangeError(0, 2147483647)));
      return errs;
    }
    if (oldAds !== undefined && oldAds < ads) {
      errs.push(invalid("spec.activeDeadlineSeconds", ads, "must be less than or equal to previous value"));
      return errs;
    }
  } else if (oldAds !== undefined) {
    errs.push(invalid("spec.activeDeadlineSeconds", null, "must not update from a positive integer to nil value"));
  }
  errs.push(...onlyAddedTolerations(spec.tolerations, prev.tolerations, "spec.tolerations"));
  const oldGates = arr(prev.schedulingGates).map((g) => str(rec(g)?.name));
  arr(spec.schedulingGates).forEach((g) => {
    if (!oldGates.includes(str(rec(g)?.name))) errs.push(forbidden("spec.schedulingGates", "only deletion is allowed, but found new scheduling gate '" + str(rec(g)?.name) + "'"));
  });
  if (deepEqual(spec, prev)) return errs;

  const munged: Obj = structuredClone(spec);
  for (const list of ["containers", "initContainers"]) {
    const olds = arr(prev[list]);
    arr(munged[list]).forEach((c, i) => {
      const ctr = rec(c);
      if (ctr) ctr.image = rec(olds[i])?.image;
    });
  }
  munged.activeDeadlineSeconds = prev.activeDeadlineSeconds;
  munged.schedulingGates = prev.schedulingGates;
  munged.tolerations = prev.tolerations;
  const oldGrace = num(prev.terminationGracePeriodSeconds);
  if (oldGrace !== undefined && oldGrace < 0 && munged.terminationGracePeriodSeconds === 1) munged.terminationGracePeriodSeconds = oldGrace;
  if (oldGates.length) {
    // A gated pod may still gain node selector entries and scheduling directives.
    munged.nodeSelector = prev.nodeSelector;
    munged.affinity = prev.affinity;
  }
  if (!deepEqual(munged, prev)) {
    errs.push(forbidden("spec", `pod updates may not change fields other than ${POD_UPDATABLE_FIELDS}\n${specDiff(prev, munged)}`));
  }
  return errs;
}
