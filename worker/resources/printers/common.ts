// Helpers shared by the per-area printers: standard columns and the formatting upstream applies to
// labels, selectors, container lists, quantities and references.
import type { Container } from "kubernetes-types/core/v1";
import type { LabelSelector, OwnerReference } from "kubernetes-types/meta/v1";
import type { KubeObject, PrintContext, TableColumn } from "../types";
import { translateTimestampSince } from "./duration";

const NAME_DOC =
  "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names";
const CREATION_DOC =
  "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";

export const nameColumn: TableColumn = { name: "Name", type: "string", format: "name", description: NAME_DOC };
export const ageColumn: TableColumn = { name: "Age", type: "string", description: CREATION_DOC };
export const containersColumn: TableColumn = {
  name: "Containers",
  type: "string",
  priority: 1,
  description: "Names of each container in the template.",
};
export const imagesColumn: TableColumn = {
  name: "Images",
  type: "string",
  priority: 1,
  description: "Images referenced by each container in the template.",
};

export function col(name: string, type: TableColumn["type"], description: string, priority = 0): TableColumn {
  return priority ? { name, type, description, priority } : { name, type, description };
}

/** View an untyped stored object as its kubernetes-types shape. */
export function as<T>(obj: KubeObject): T {
  return obj as unknown as T;
}

export function nameOf(obj: KubeObject): string {
  return obj.metadata.name ?? "";
}

export function age(obj: KubeObject, ctx: PrintContext): string {
  return translateTimestampSince(obj.metadata.creationTimestamp, ctx.now);
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// Models staging/src/k8s.io/apimachinery/pkg/labels/labels.go FormatLabels
/** `a=1,b=2` sorted by key, or `<none>`. */
export function formatLabels(labels: Record<string, string> | null | undefined): string {
  const keys = Object.keys(labels ?? {}).sort(compareStrings);
  if (keys.length === 0) return "<none>";
  return keys.map((k) => `${k}=${labels![k]}`).join(",");
}

// Models staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/helpers.go LabelSelectorAsSelector (String of the result)
/** The selector string of a LabelSelector; "" for a nil or empty selector. */
export function selectorString(sel: LabelSelector | null | undefined): string {
  if (!sel) return "";
  const reqs: { key: string; text: string }[] = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) reqs.push({ key: k, text: `${k}=${v}` });
  for (const expr of sel.matchExpressions ?? []) {
    // Requirement.String prints multi-valued sets sorted.
    const values = [...(expr.values ?? [])].sort(compareStrings).join(",");
    switch (expr.operator) {
      case "In":
        reqs.push({ key: expr.key, text: `${expr.key} in (${values})` });
        break;
      case "NotIn":
        reqs.push({ key: expr.key, text: `${expr.key} notin (${values})` });
        break;
      case "Exists":
        reqs.push({ key: expr.key, text: expr.key });
        break;
      case "DoesNotExist":
        reqs.push({ key: expr.key, text: `!${expr.key}` });
        break;
      default:
        return "<error>";
    }
  }
  // Array.prototype.sort is stable, so equal keys keep matchLabels-before-matchExpressions order.
  return reqs
    .sort((a, b) => compareStrings(a.key, b.key))
    .map((r) => r.text)
    .join(",");
}

// Models staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/helpers.go FormatLabelSelector
export function formatLabelSelector(sel: LabelSelector | null | undefined): string {
  return selectorString(sel) || "<none>";
}

// Models pkg/printers/internalversion/printers.go layoutContainerCells
export function layoutContainerCells(containers: Container[] | null | undefined): [string, string] {
  const list = containers ?? [];
  return [list.map((c) => c.name).join(","), list.map((c) => c.image ?? "").join(",")];
}

/** Quantity.String(): stored quantities are already canonical; a missing one is the zero quantity. */
export function quantity(q: string | number | null | undefined): string {
  if (q === undefined || q === null || q === "") return "0";
  return String(q);
}

/** String() of a *Quantity that may be nil. */
export function quantityPtr(q: string | number | null | undefined): string {
  if (q === undefined || q === null) return "<nil>";
  return quantity(q);
}

/** intstr.IntOrString String(). */
export function intOrString(v: string | number): string {
  return typeof v === "number" ? String(Math.trunc(v)) : v;
}

export function printBoolPtr(v: boolean | null | undefined): string {
  if (v === undefined || v === null) return "<unset>";
  return v ? "True" : "False";
}

export function controllerOf(obj: KubeObject): OwnerReference | undefined {
  return (obj.metadata.ownerReferences ?? []).find((r) => r.controller === true);
}

/** "+ N more..." list rendering used by several printers; "<unset>" when nothing was listed. */
export function listWithMoreString(list: string[], more: boolean, count: number, max: number): string {
  const ret = list.join(",");
  if (more) return `${ret} + ${count - max} more...`;
  return ret === "" ? "<unset>" : ret;
}

export function num(v: number | null | undefined, fallback = 0): number {
  return typeof v === "number" ? v : fallback;
}
