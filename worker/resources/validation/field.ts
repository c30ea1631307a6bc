// Field errors rendered the way k8s.io/apimachinery/pkg/util/validation/field renders them,
// plus small accessors for walking untyped JSON objects.
// Models staging/src/k8s.io/apimachinery/pkg/util/validation/field/errors.go ErrorBody
import type { FieldError } from "../types";

export type Obj = Record<string, unknown>;

/** A value already rendered as Go would print it (struct literals, typed nil slices...). */
export class GoLit {
  constructor(readonly text: string) {}
}

export function lit(text: string): GoLit {
  return new GoLit(text);
}

/** Go's %q for a string (close enough: JSON escaping differs only for exotic control characters). */
export function goQuote(s: string): string {
  return JSON.stringify(s);
}

/** `map[string]string{"a":"b"}` with sorted keys, or the typed nil. */
export function goStringMap(m: unknown): GoLit {
  const r = rec(m);
  if (!r) return lit("map[string]string(nil)");
  const body = Object.keys(r)
    .sort()
    .map((k) => `${goQuote(k)}:${goQuote(String(r[k]))}`)
    .join(", ");
  return lit(`map[string]string{${body}}`);
}

/** `[]string{"a", "b"}` or the typed nil. */
export function goStringSlice(v: unknown): GoLit {
  if (!Array.isArray(v)) return lit("[]string(nil)");
  return lit(`[]string{${v.map((s) => goQuote(String(s))).join(", ")}}`);
}

/** A metav1.LabelSelector as %#v prints it. */
export function goLabelSelector(sel: unknown): GoLit {
  const s = rec(sel) ?? {};
  const exprs = Array.isArray(s.matchExpressions)
    ? `[]v1.LabelSelectorRequirement{${s.matchExpressions
        .map((e) => {
          const r = rec(e) ?? {};
          return `v1.LabelSelectorRequirement{Key:${goQuote(str(r.key))}, Operator:${goQuote(str(r.operator))}, Values:${goStringSlice(r.values).text}}`;
        })
        .join(", ")}}`
    : "[]v1.LabelSelectorRequirement(nil)";
  return lit(`v1.LabelSelector{MatchLabels:${goStringMap(s.matchLabels).text}, MatchExpressions:${exprs}}`);
}

/** An intstr.IntOrString prints through its String() method: bare, unquoted. */
export function goIntOrString(v: unknown): GoLit {
  return lit(v === undefined || v === null ? "0" : String(v));
}

export function goRepr(v: unknown): string {
  if (v instanceof GoLit) return v.text;
  if (v === undefined || v === null) return "null";
  if (typeof v === "string") return goQuote(v);
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (Array.isArray(v) && v.every((x) => typeof x === "string")) return goStringSlice(v).text;
  const r = rec(v);
  if (r && Object.values(r).every((x) => typeof x === "string")) return goStringMap(r).text;
  return JSON.stringify(v);
}

function withDetail(head: string, detail: string): string {
  return detail ? `${head}: ${detail}` : head;
}

export function required(field: string, detail = ""): FieldError {
  return { type: "FieldValueRequired", field, message: withDetail("Required value", detail) };
}

export function invalid(field: string, value: unknown, detail = ""): FieldError {
  return { type: "FieldValueInvalid", field, message: withDetail(`Invalid value: ${goRepr(value)}`, detail) };
}

export function notSupported(field: string, value: unknown, valid: string[]): FieldError {
  const detail = valid.length ? `supported values: ${valid.map(goQuote).join(", ")}` : "";
  return { type: "FieldValueNotSupported", field, message: withDetail(`Unsupported value: ${goRepr(value)}`, detail) };
}

export function forbidden(field: string, detail = ""): FieldError {
  return { type: "FieldValueForbidden", field, message: withDetail("Forbidden", detail) };
}

export function duplicate(field: string, value: unknown): FieldError {
  return { type: "FieldValueDuplicate", field, message: `Duplicate value: ${goRepr(value)}` };
}

export function notFound(field: string, value: unknown): FieldError {
  return { type: "FieldValueNotFound", field, message: `Not found: ${goRepr(value)}` };
}

export function tooLong(field: string, max: number): FieldError {
  return { type: "FieldValueTooLong", field, message: `Too long: must have at most ${max} bytes` };
}

export const FIELD_IMMUTABLE = "field is immutable";
export const IS_NEGATIVE = "must be greater than or equal to 0";

// Models staging/src/k8s.io/apimachinery/pkg/api/validation/generic.go ValidateNonnegativeField
export function nonNegative(value: unknown, field: string): FieldError[] {
  return typeof value === "number" && value < 0 ? [invalid(field, value, IS_NEGATIVE)] : [];
}

/** Field path helpers: `child("spec", "x")`, `idx("spec.ports", 0)`, `key("data", "k")`. */
export function child(base: string, ...names: string[]): string {
  return [base, ...names].filter((s) => s !== "").join(".");
}
export function idx(base: string, i: number): string {
  return `${base}[${i}]`;
}
export function key(base: string, k: string): string {
  return `${base}[${k}]`;
}

// ---- untyped JSON accessors ----

export function rec(v: unknown): Obj | undefined {
  return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : undefined;
}
export function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}
export function str(v: unknown): string {
  return typeof v === "string" ? v : "";
}
export function num(v: unknown): number | undefined {
  return typeof v === "number" ? v : undefined;
}
/** Returns `parent[k]` as an object, creating `{}` when absent. */
export function ensure(parent: Obj, k: string): Obj {
  const cur = rec(parent[k]);
  if (cur) return cur;
  const made: Obj = {};
  parent[k] = made;
  return made;
}
export function setDefault(o: Obj, k: string, v: unknown): void {
  if (o[k] === undefined || o[k] === null || o[k] === "") o[k] = v;
}
export function spec(obj: Obj): Obj {
  return rec(obj.spec) ?? {};
}
export function sortedKeys(o: Obj | undefined): string[] {
  return o ? Object.keys(o).sort() : [];
}
