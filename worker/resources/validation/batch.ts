// Job and CronJob: defaults, the generated selector, validation and update rules.
// Models pkg/apis/batch/v1/defaults.go, pkg/registry/batch/job/strategy.go generateSelector and
// pkg/apis/batch/validation/validation.go
import { deepEqual } from "../../util/equal";
import type { FieldError, KubeObject } from "../types";
import {
  FIELD_IMMUTABLE,
  child,
  ensure,
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
import { cronError } from "./cron";
import { selectorMatches, selectorParses, validateAnnotations, validateLabels, validateLabelSelector } from "./meta";
import { defaultTemplate } from "./pod-defaults";
import { validatePodTemplateSpec } from "./pod";

const LEGACY_UID = "controller-uid";
const UID_LABEL = "batch.kubernetes.io/controller-uid";
const LEGACY_NAME = "job-name";
const NAME_LABEL = "batch.kubernetes.io/job-name";

// Models pkg/apis/batch/v1/defaults.go SetDefaults_Job
export function defaultJob(obj: KubeObject): void {
  const spec = ensure(obj, "spec");
  if (spec.completions == null && spec.parallelism == null) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  if (spec.parallelism == null) spec.parallelism = 1;
  if (spec.backoffLimit == null) spec.backoffLimit = spec.backoffLimitPerIndex != null ? 2147483647 : 6;
  const labels = rec(rec(rec(spec.template)?.metadata)?.labels);
  if (labels && !Object.keys(obj.metadata.labels ?? {}).length) obj.metadata.labels = { ...(labels as Record<string, string>) };
  setDefault(spec, "completionMode", "NonIndexed");
  if (spec.suspend == null) spec.suspend = false;
  const pfp = rec(spec.podFailurePolicy);
  for (const rule of Array.isArray(pfp?.rules) ? pfp.rules : []) {
    for (const cond of Array.isArray(rec(rule)?.onPodConditions) ? (rec(rule)?.onPodConditions as unknown[]) : []) {
      const c = rec(cond);
      if (c) setDefault(c, "status", "True");
    }
  }
  setDefault(spec, "podReplacementPolicy", pfp ? "Failed" : "TerminatingOrFailed");
  defaultTemplate(spec.template);
}

/**
 * Adds the uid-based selector and pod labels, as the Job strategy does on create.
 * Must run after metadata.uid is assigned and before validation.
 */
export function finalizeJobSelector(obj: KubeObject): void {
  const spec = ensure(obj, "spec");
  if (spec.manualSelector === true) return;
  const uid = str(obj.metadata.uid);
  const name = str(obj.metadata.name);
  const template = ensure(spec, "template");
  const meta = ensure(template, "metadata");
  const labels = ensure(meta, "labels");
  // Labels the user set are kept; a conflict is reported by validation.
  for (const k of [LEGACY_NAME, NAME_LABEL]) if (labels[k] === undefined) labels[k] = name;
  for (const k of [LEGACY_UID, UID_LABEL]) if (labels[k] === undefined) labels[k] = uid;
  const selector = ensure(spec, "selector");
  const matchLabels = ensure(selector, "matchLabels");
  if (matchLabels[UID_LABEL] === undefined) matchLabels[UID_LABEL] = uid;
  // Defaulting copies template labels to an unlabeled Job; upstream shows this on the next read.
  if (!Object.keys(obj.metadata.labels ?? {}).length) obj.metadata.labels = { ...(labels as Record<string, string>) };
}

// Models pkg/apis/batch/v1/defaults.go SetDefaults_CronJob
export function defaultCronJob(obj: KubeObject): void {
  const spec = ensure(obj, "spec");
  setDefault(spec, "concurrencyPolicy", "Allow");
  if (spec.suspend == null) spec.suspend = false;
  if (spec.successfulJobsHistoryLimit == null) spec.successfulJobsHistoryLimit = 3;
  if (spec.failedJobsHistoryLimit == null) spec.failedJobsHistoryLimit = 1;
  defaultTemplate(rec(rec(spec.jobTemplate)?.spec)?.template);
}

function hasLabel(labels: Obj, k: string, want: string): FieldError[] {
  const p = `spec.template.metadata.labels[${k}]`;
  if (labels[k] === undefined) return [required(p, `must be '${want}'`)];
  return labels[k] !== want ? [invalid(p, goStringMap(labels), `must be '${want}'`)] : [];
}

// Models pkg/apis/batch/validation/validation.go validateGeneratedSelector
function validateGeneratedSelector(obj: KubeObject): FieldError[] {
  const spec = specOf(obj);
  if (spec.manualSelector === true || !rec(spec.selector)) return [];
  const uid = str(obj.metadata.uid);
  const name = str(obj.metadata.name);
  const errs: FieldError[] = [];
  if (!uid) errs.push(required("metadata.uid"));
  const labels = rec(rec(rec(spec.template)?.metadata)?.labels) ?? {};
  errs.push(...hasLabel(labels, LEGACY_UID, uid), ...hasLabel(labels, LEGACY_NAME, name));
  errs.push(...hasLabel(labels, UID_LABEL, uid), ...hasLabel(labels, NAME_LABEL, name));
  const expected = { [UID_LABEL]: uid, [NAME_LABEL]: name, [LEGACY_UID]: uid, [LEGACY_NAME]: name };
  if (selectorParses(spec.selector) && !selectorMatches(spec.selector, expected)) {
    errs.push(invalid("spec.selector", goLabelSelector(spec.selector), "`selector` not auto-generated"));
  }
  return errs;
}

// Models pkg/apis/batch/validation/validation.go validateJobSpec
function validateJobSpecCommon(spec: Obj, field: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const f of ["parallelism", "completions", "activeDeadlineSeconds", "backoffLimit", "ttlSecondsAfterFinished"]) {
    errs.push(...nonNegative(spec[f], child(field, f)));
  }
  const mode = spec.completionMode;
  if (mode != null) {
    if (mode !== "NonIndexed" && mode !== "Indexed") errs.push(notSupported(child(field, "completionMode"), mode, ["NonIndexed", "Indexed"]));
    if (mode === "Indexed") {
      if (spec.completions == null) errs.push(required(child(field, "completions"), "when completion mode is Indexed"));
      const par = num(spec.parallelism);
      if (par !== undefined && par > 100000) {
        errs.push(invalid(child(field, "parallelism"), par, "must be less than or equal to 100000 when completion mode is Indexed"));
      }
    }
  }
  const prp = spec.podReplacementPolicy;
  if (prp != null) {
    const allowed = rec(spec.podFailurePolicy) ? ["Failed"] : ["TerminatingOrFailed", "Failed"];
    if (!allowed.includes(str(prp))) errs.push(notSupported(child(field, "podReplacementPolicy"), prp, allowed));
  }
  errs.push(...validatePodTemplateSpec(spec.template, child(field, "template")));
  const rp = str(rec(rec(spec.template)?.spec)?.restartPolicy);
  const rpPath = child(field, "template", "spec", "restartPolicy");
  // The pod spec default makes an unset restartPolicy "Always", so both mean "not chosen".
  if (rp === "Always" || rp === "") errs.push(required(rpPath, 'valid values: "OnFailure", "Never"'));
  else if (rp !== "OnFailure" && rp !== "Never") errs.push(notSupported(rpPath, rp, ["OnFailure", "Never"]));
  else if (rec(spec.podFailurePolicy) && rp !== "Never") errs.push(invalid(rpPath, rp, 'only "Never" is supported when podFailurePolicy is specified'));
  return errs;
}

export function validateJob(obj: KubeObject): FieldError[] {
  const errs = validateGeneratedSelector(obj);
  const spec = specOf(obj);
  errs.push(...validateJobSpecCommon(spec, "spec"));
  if (!rec(spec.selector)) errs.push(required("spec.selector"));
  else errs.push(...validateLabelSelector(spec.selector, "spec.selector"));
  const labels = rec(rec(spec.template)?.metadata)?.labels;
  if (selectorParses(spec.selector) && !selectorMatches(spec.selector, labels)) {
    errs.push(invalid("spec.template.metadata.labels", goStringMap(labels), "`selector` does not match template `labels`"));
  }
  return errs;
}

const TEMPLATE_LIT = lit("core.PodTemplateSpec{ObjectMeta:v1.ObjectMeta{...}, Spec:core.PodSpec{...}}");

// Models pkg/apis/batch/validation/validation.go ValidateJobSpecUpdate
export function validateJobUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const spec = specOf(obj);
  const prev = specOf(old);
  if (!deepEqual(spec.completions, prev.completions)) {
    if (spec.completionMode !== "Indexed") errs.push(invalid("spec.completions", spec.completions ?? null, FIELD_IMMUTABLE));
    else if (spec.completions != null && spec.completions !== spec.parallelism) {
      errs.push(invalid("spec.completions", spec.completions, "can only be modified in tandem with spec.parallelism"));
    }
  }
  if (!deepEqual(spec.selector, prev.selector)) errs.push(invalid("spec.selector", goLabelSelector(spec.selector), FIELD_IMMUTABLE));
  let oldTemplate = rec(prev.template) ?? {};
  const template = rec(spec.template) ?? {};
  const startTime = rec(old.status)?.startTime;
  if (prev.suspend === true && spec.suspend === true && !startTime) {
    // A suspended Job that never started may change its scheduling directives.
    oldTemplate = structuredClone(oldTemplate);
    const om = ensure(oldTemplate, "metadata");
    const nm = rec(template.metadata) ?? {};
    om.labels = nm.labels;
    om.annotations = nm.annotations;
    const os = ensure(oldTemplate, "spec");
    const ns = rec(template.spec) ?? {};
    for (const f of ["nodeSelector", "tolerations", "affinity", "schedulingGates"]) os[f] = ns[f];
  }
  if (!deepEqual(template, oldTemplate)) errs.push(invalid("spec.template", TEMPLATE_LIT, FIELD_IMMUTABLE));
  for (const f of ["completionMode", "podFailurePolicy", "backoffLimitPerIndex", "managedBy"]) {
    if (!deepEqual(spec[f], prev[f])) errs.push(invalid(child("spec", f), typeof spec[f] === "object" ? lit(JSON.stringify(spec[f])) : (spec[f] ?? null), FIELD_IMMUTABLE));
  }
  return errs;
}

const CONCURRENCY = ["Allow", "Forbid", "Replace"];

function validTimeZone(tz: string): string | undefined {
  for (const part of tz.split("/")) {
    if (part === "." || part === ".." || part.startsWith("-") || !/^[A-Za-z.\-_0-9+]{1,14}$/.test(part)) return `unknown time zone ${tz}`;
  }
  if (tz.toLowerCase() === "local") return "timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones";
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
  } catch {
    return `unknown time zone ${tz}`;
  }
  return undefined;
}

// Models pkg/apis/batch/validation/validation.go validateCronJobSpec
export function validateCronJob(obj: KubeObject, old?: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const spec = specOf(obj);
  const schedule = str(spec.schedule);
  if (!schedule) errs.push(required("spec.schedule"));
  else {
    const e = cronError(schedule);
    if (e) errs.push(invalid("spec.schedule", schedule, e));
    const allowTZ = !!old && str(specOf(old).schedule).includes("TZ");
    if (allowTZ && schedule.includes("TZ") && spec.timeZone != null) {
      errs.push(invalid("spec.schedule", schedule, "cannot use both timeZone field and TZ or CRON_TZ in schedule"));
    } else if (!allowTZ && schedule.includes("TZ")) {
      errs.push(invalid("spec.schedule", schedule, "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"));
    }
  }
  errs.push(...nonNegative(spec.startingDeadlineSeconds, "spec.startingDeadlineSeconds"));
  if (spec.timeZone != null && (!old || specOf(old).timeZone !== spec.timeZone)) {
    const tz = str(spec.timeZone);
    const msg = tz ? validTimeZone(tz) : "timeZone must be nil or non-empty string";
    if (msg) errs.push(invalid("spec.timeZone", tz, msg));
  }
  const cp = str(spec.concurrencyPolicy);
  if (!cp) errs.push(required("spec.concurrencyPolicy"));
  else if (!CONCURRENCY.includes(cp)) errs.push(notSupported("spec.concurrencyPolicy", cp, CONCURRENCY));
  const jt = rec(spec.jobTemplate) ?? {};
  const jtMeta = rec(jt.metadata) ?? {};
  errs.push(...validateLabels(jtMeta.labels, "spec.jobTemplate.metadata.labels"));
  errs.push(...validateAnnotations(jtMeta.annotations, "spec.jobTemplate.metadata.annotations"));
  const jspec = rec(jt.spec) ?? {};
  errs.push(...validateJobSpecCommon(jspec, "spec.jobTemplate.spec"));
  if (rec(jspec.selector)) errs.push(invalid("spec.jobTemplate.spec.selector", goLabelSelector(jspec.selector), "`selector` will be auto-generated"));
  if (jspec.manualSelector === true) errs.push(notSupported("spec.jobTemplate.spec.manualSelector", true, ["nil", "false"]));
  errs.push(...nonNegative(spec.successfulJobsHistoryLimit, "spec.successfulJobsHistoryLimit"));
  errs.push(...nonNegative(spec.failedJobsHistoryLimit, "spec.failedJobsHistoryLimit"));
  return errs;
}

export function cronJobNameLength(obj: KubeObject): FieldError[] {
  const name = str(obj.metadata.name);
  // The controller appends an 11-character suffix to name each Job, and Job names are labels.
  return name.length > 52 ? [invalid("metadata.name", name, "must be no more than 52 characters")] : [];
}
