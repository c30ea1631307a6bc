// Shapes shared by the API surface, the store and the per-kind modules.
import type { ObjectMeta as UpstreamObjectMeta } from "kubernetes-types/meta/v1";

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** metav1.ObjectMeta; the apiserver and controllers write these fields, so they are mutable here. */
export type ObjectMeta = Mutable<UpstreamObjectMeta>;

/** Any Kubernetes object as stored and served: apiVersion/kind/metadata plus kind-specific fields. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

/** A column of a server-side Table (meta.k8s.io/v1 TableColumnDefinition). */
export interface TableColumn {
  name: string;
  type: "string" | "integer" | "number" | "boolean" | "date";
  format?: string;
  description: string;
  /** 0 = always shown, 1 = only with `-o wide`. */
  priority?: number;
}

export type TableCell = string | number | boolean | null;

export interface PrintContext {
  /** Virtual "now" of the sandbox, in epoch milliseconds (AGE is computed against it). */
  now: number;
}

/** Server-side printing of one kind, like pkg/printers/internalversion/printers.go. */
export interface Printer {
  columns: TableColumn[];
  /** One row of cells per object; cells.length must equal columns.length. */
  row(obj: KubeObject, ctx: PrintContext): TableCell[];
}

/** Field error types, as in k8s.io/apimachinery/pkg/util/validation/field. */
export type FieldErrorType =
  | "FieldValueNotFound"
  | "FieldValueRequired"
  | "FieldValueDuplicate"
  | "FieldValueInvalid"
  | "FieldValueNotSupported"
  | "FieldValueForbidden"
  | "FieldValueTooLong"
  | "FieldValueTooMany"
  | "InternalError"
  | "FieldValueTypeInvalid";

/**
 * One validation failure. `message` is the full upstream rendering of the error
 * (e.g. `Invalid value: "Foo": a lowercase RFC 1123 subdomain must consist of ...`)
 * without the field prefix; `field` is the path (e.g. `spec.template.spec.containers[0].name`).
 */
export interface FieldError {
  type: FieldErrorType;
  field: string;
  message: string;
}

/** Which group/version/kind an object is. */
export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}
