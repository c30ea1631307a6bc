// Field selectors: parsing, matching and the per-kind selectable fields, with the apiserver's
// error wording (the messages reach kubectl as 400 BadRequest).
import type { KubeObject } from "../../resources/types";
import { badRequest } from "../status";
import { compareStrings, quote, SelectorError } from "./labels";

export interface FieldRequirement {
  readonly field: string;
  readonly operator: "=" | "==" | "!=";
  /** Unescaped value. */
  readonly value: string;
}

export interface FieldSelector {
  readonly requirements: readonly FieldRequirement[];
}

// Models staging/src/k8s.io/apimachinery/pkg/fields/selector.go splitTerms
function splitTerms(s: string): string[] {
  if (s.length === 0) return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (inSlash) inSlash = false;
    else if (c === "\\") inSlash = true;
    else if (c === ",") {
      terms.push(s.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(s.slice(start));
  return terms;
}

const TERM_OPERATORS = ["!=", "==", "="] as const;

function splitTerm(term: string): [string, (typeof TERM_OPERATORS)[number], string] | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of TERM_OPERATORS) {
      if (term.startsWith(op, i)) return [term.slice(0, i), op, term.slice(i + op.length)];
    }
  }
  return undefined;
}

// Models staging/src/k8s.io/apimachinery/pkg/fields/selector.go UnescapeValue
function unescapeValue(s: string): string {
  if (!/[\\,=]/.test(s)) return s;
  let out = "";
  let inSlash = false;
  for (const c of s) {
    if (inSlash) {
      if (c === "\\" || c === "," || c === "=") out += c;
      else throw new SelectorError(`invalid field selector: invalid escape sequence: \\${c}`);
      inSlash = false;
    } else if (c === "\\") inSlash = true;
    else if (c === "," || c === "=") {
      // Go prints the rune with %v, i.e. as its code point.
      throw new SelectorError(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`);
    } else out += c;
  }
  if (inSlash) throw new SelectorError("invalid field selector: invalid escape sequence: \\");
  return out;
}

/** fields.ParseSelector: `a=b,c==d,e!=f`, comma is AND, `\,` `\=` `\\` escape. Throws 400 BadRequest. */
export function parseFieldSelector(s: string): FieldSelector {
  try {
    const reqs: FieldRequirement[] = [];
    for (const part of splitTerms(s).sort(compareStrings)) {
      if (part === "") continue;
      const split = splitTerm(part);
      if (!split) throw new SelectorError(`invalid selector: '${s}'; can't understand '${part}'`);
      const [field, operator, raw] = split;
      reqs.push({ field, operator, value: unescapeValue(raw) });
    }
    return { requirements: reqs };
  } catch (err) {
    if (err instanceof SelectorError) throw badRequest(err.message);
    throw err;
  }
}

/** fields.EscapeValue */
function escapeValue(s: string): string {
  return s.replace(/[\\,=]/g, (c) => `\\${c}`);
}

/** The canonical string form (Selector.String). */
export function formatFieldSelector(sel: FieldSelector): string {
  return sel.requirements.map((r) => `${r.field}${r.operator === "!=" ? "!=" : "="}${escapeValue(r.value)}`).join(",");
}

// Which field labels each kind accepts, as its AddFieldLabelConversionFunc does; kinds without one
// use runtime.DefaultMetaV1FieldSelectorConversion. Values are the label the fields set uses.
interface FieldLabelConversion {
  labels: Record<string, string>;
  error: (label: string) => string;
}

const notSupported = (label: string) => `field label not supported: ${label}`;
const identity = (...labels: string[]): Record<string, string> => Object.fromEntries(labels.map((l) => [l, l]));

const FIELD_LABEL_CONVERSIONS: Record<string, FieldLabelConversion> = {
  // Models pkg/apis/core/v1/conversion.go addConversionFuncs
  "/Pod": {
    labels: {
      ...identity(
        "metadata.name",
        "metadata.namespace",
        "spec.nodeName",
        "spec.restartPolicy",
        "spec.schedulerName",
        "spec.serviceAccountName",
        "spec.hostNetwork",
        "status.phase",
        "status.podIP",
        "status.podIPs",
        "status.nominatedNodeName",
      ),
      // Old v1 clients send spec.host.
      "spec.host": "spec.nodeName",
    },
    error: notSupported,
  },
  "/Node": { labels: identity("metadata.name", "spec.unschedulable"), error: notSupported },
  "/ReplicationController": { labels: identity("metadata.name", "metadata.namespace", "status.replicas"), error: notSupported },
  // Models pkg/apis/core/v1/conversion.go AddFieldLabelConversionsForEvent
  "/Event": {
    labels: identity(
      "involvedObject.kind",
      "involvedObject.namespace",
      "involvedObject.name",
      "involvedObject.uid",
      "involvedObject.apiVersion",
      "involvedObject.resourceVersion",
      "involvedObject.fieldPath",
      "reason",
      "reportingComponent",
      "source",
      "type",
      "metadata.namespace",
      "metadata.name",
    ),
    error: notSupported,
  },
  "/Namespace": { labels: identity("status.phase", "metadata.name"), error: notSupported },
  "/Secret": { labels: identity("type", "metadata.namespace", "metadata.name"), error: notSupported },
  "/Service": { labels: identity("metadata.namespace", "metadata.name", "spec.clusterIP", "spec.type"), error: notSupported },
  // Models pkg/apis/batch/v1/conversion.go addConversionFuncs
  "batch/Job": {
    labels: identity("metadata.name", "metadata.namespace", "status.successful"),
    error: (label) => `field label ${quote(label)} not supported for Job`,
  },
  // Models pkg/apis/certificates/v1/conversion.go addConversionFuncs
  "certificates.k8s.io/CertificateSigningRequest": { labels: identity("metadata.name", "spec.signerName"), error: notSupported },
  // Models pkg/apis/events/v1/conversion.go AddFieldLabelConversionsForEvent
  "events.k8s.io/Event": {
    labels: identity(
      "reason",
      "regarding.kind",
      "regarding.namespace",
      "regarding.name",
      "regarding.uid",
      "regarding.apiVersion",
      "regarding.resourceVersion",
      "regarding.fieldPath",
      "reportingController",
      "source",
      "type",
      "metadata.namespace",
      "metadata.name",
    ),
    error: notSupported,
  },
};

// Models staging/src/k8s.io/apimachinery/pkg/runtime/conversion.go DefaultMetaV1FieldSelectorConversion
const DEFAULT_CONVERSION: FieldLabelConversion = {
  labels: identity("metadata.name", "metadata.namespace"),
  error: (label) => `${quote(label)} is not a known field selector: only "metadata.name", "metadata.namespace"`,
};

const checked = new WeakMap<FieldSelector, Map<string, FieldSelector>>();

/**
 * Checks every label of `sel` against what the kind supports and maps aliases (e.g. spec.host);
 * throws 400 BadRequest on an unsupported label. Call it before listing, so the error is raised
 * even when there is nothing to filter. `gvkKey` is `"<group>/<Kind>"`, core group empty.
 */
export function checkFieldSelector(sel: FieldSelector, gvkKey: string): FieldSelector {
  let perKind = checked.get(sel);
  const cached = perKind?.get(gvkKey);
  if (cached) return cached;
  const conv = FIELD_LABEL_CONVERSIONS[gvkKey] ?? DEFAULT_CONVERSION;
  const converted: FieldSelector = {
    requirements: sel.requirements.map((r) => {
      const field = Object.prototype.hasOwnProperty.call(conv.labels, r.field) ? conv.labels[r.field] : undefined;
      if (field === undefined) throw badRequest(conv.error(r.field));
      return { ...r, field };
    }),
  };
  if (!perKind) checked.set(sel, (perKind = new Map()));
  perKind.set(gvkKey, converted);
  return converted;
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Json) : {});
const str = (v: unknown): string => (typeof v === "string" ? v : v === undefined || v === null ? "" : String(v));
const int = (v: unknown): string => (typeof v === "number" ? String(Math.trunc(v)) : "0");

/**
 * The selectable fields of an object, as the kind's registry GetAttrs computes them, keyed by the
 * field label clients use for that kind. Always has metadata.name, plus metadata.namespace for
 * kinds whose conversion accepts it.
 */
export function fieldsOf(gvkKey: string, o: KubeObject): Record<string, string> {
  const meta = obj(o.metadata);
  const spec = obj(o.spec);
  const status = obj(o.status);
  const base: Record<string, string> = { "metadata.name": str(meta.name), "metadata.namespace": str(meta.namespace) };
  switch (gvkKey) {
    // Models pkg/registry/core/pod/strategy.go ToSelectableFields
    case "/Pod": {
      const podIPs = Array.isArray(status.podIPs) ? status.podIPs : [];
      return {
        ...base,
        "spec.nodeName": str(spec.nodeName),
        "spec.restartPolicy": str(spec.restartPolicy),
        "spec.schedulerName": str(spec.schedulerName),
        "spec.serviceAccountName": str(spec.serviceAccountName),
        "spec.hostNetwork": spec.hostNetwork === true ? "true" : "false",
        "status.phase": str(status.phase),
        "status.podIP": podIPs.length ? str(obj(podIPs[0]).ip) : str(status.podIP),
        "status.nominatedNodeName": str(status.nominatedNodeName),
      };
    }
    // Models pkg/registry/core/node/strategy.go NodeToSelectableFields
    case "/Node":
      return { "metadata.name": base["metadata.name"], "spec.unschedulable": spec.unschedulable === true ? "true" : "false" };
    // Models pkg/registry/core/namespace/strategy.go NamespaceToSelectableFields
    case "/Namespace":
      return { "metadata.name": base["metadata.name"], "status.phase": str(status.phase) };
    // Models pkg/registry/core/replicationcontroller/strategy.go ControllerToSelectableFields
    case "/ReplicationController":
      return { ...base, "status.replicas": int(status.replicas) };
    // Models pkg/registry/core/secret/strategy.go SelectableFields
    case "/Secret":
      return { ...base, type: str(o.type) };
    // Models pkg/registry/core/service/strategy.go SelectableFields
    case "/Service":
      return { ...base, "spec.clusterIP": str(spec.clusterIP), "spec.type": str(spec.type) };
    // Models pkg/registry/core/event/strategy.go ToSelectableFields
    case "/Event": {
      const ref = obj(o.involvedObject);
      const source = str(obj(o.source).component) || str(o.reportingComponent);
      return {
        ...base,
        "involvedObject.kind": str(ref.kind),
        "involvedObject.namespace": str(ref.namespace),
        "involvedObject.name": str(ref.name),
        "involvedObject.uid": str(ref.uid),
        "involvedObject.apiVersion": str(ref.apiVersion),
        "involvedObject.resourceVersion": str(ref.resourceVersion),
        "involvedObject.fieldPath": str(ref.fieldPath),
        reason: str(o.reason),
        reportingComponent: str(o.reportingComponent),
        source,
        type: str(o.type),
      };
    }
    // The same registry fields under the events.k8s.io/v1 names (the object may carry either shape).
    case "events.k8s.io/Event": {
      const ref = obj(o.regarding ?? o.involvedObject);
      const controller = str(o.reportingController ?? o.reportingComponent);
      const source = str(obj(o.deprecatedSource ?? o.source).component) || controller;
      return {
        ...base,
        "regarding.kind": str(ref.kind),
        "regarding.namespace": str(ref.namespace),
        "regarding.name": str(ref.name),
        "regarding.uid": str(ref.uid),
        "regarding.apiVersion": str(ref.apiVersion),
        "regarding.resourceVersion": str(ref.resourceVersion),
        "regarding.fieldPath": str(ref.fieldPath),
        reason: str(o.reason),
        reportingController: controller,
        source,
        type: str(o.type),
      };
    }
    // Models pkg/registry/batch/job/strategy.go JobToSelectableFields
    case "batch/Job":
      return { ...base, "status.successful": int(status.succeeded) };
    // Models pkg/registry/certificates/certificates/strategy.go SelectableFields
    case "certificates.k8s.io/CertificateSigningRequest":
      return { "metadata.name": base["metadata.name"], "spec.signerName": str(spec.signerName) };
    default:
      // apps/v1 ReplicaSet's registry also computes status.replicas, but no conversion admits it.
      return base;
  }
}

/**
 * Whether the object satisfies every term. An unsupported label throws 400 BadRequest
 * (`field label not supported: x`, or for kinds with only metadata fields
 * `"x" is not a known field selector: only "metadata.name", "metadata.namespace"`).
 */
export function matchesFields(sel: FieldSelector, gvkKey: string, o: KubeObject): boolean {
  const converted = checkFieldSelector(sel, gvkKey);
  if (converted.requirements.length === 0) return true;
  const fields = fieldsOf(gvkKey, o);
  return converted.requirements.every((r) => {
    // A label the fields set lacks reads as "" (fields.Set.Get).
    const actual = Object.prototype.hasOwnProperty.call(fields, r.field) ? fields[r.field] : "";
    return r.operator === "!=" ? actual !== r.value : actual === r.value;
  });
}
