// `-o` formats other than tables: yaml, json, name, jsonpath, jsonpath-as-json, custom-columns, and
// the `kind/name verb` lines commands print when they change something.
// Models staging/src/k8s.io/cli-runtime/pkg/genericclioptions/print_flags.go and printers/{name,json,yaml,jsonpath}.go.
import type { KubeObject } from "../../resources/types";
import { KubectlError } from "../errors";
import { goFormat, goJson, goJsonOrdered, JsonPath, JsonPathError } from "./jsonpath";
import { TabWriter, TABLE_OPTIONS } from "./tabwriter";
import { toYaml } from "./yaml";

export type Output =
  | { kind: "human"; wide: boolean }
  | { kind: "yaml" }
  | { kind: "json" }
  | { kind: "name" }
  | { kind: "jsonpath"; template: string; asJson: boolean }
  | { kind: "custom-columns"; columns: { header: string; path: string }[] };

const GET_FORMATS = "custom-columns,custom-columns-file,go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,wide,yaml";
const OBJECT_FORMATS = "go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,yaml";

/** Reads `-o`; `human` says whether tables (and `wide`) are allowed, as for `get`. */
export function parseOutput(value: string, human: boolean): Output {
  if (value === "" && human) return { kind: "human", wide: false };
  if (value === "wide" && human) return { kind: "human", wide: true };
  if (value === "yaml") return { kind: "yaml" };
  if (value === "json") return { kind: "json" };
  if (value === "name") return { kind: "name" };
  const eq = value.indexOf("=");
  const format = eq < 0 ? value : value.slice(0, eq);
  const arg = eq < 0 ? "" : value.slice(eq + 1);
  if (format === "jsonpath" || format === "jsonpath-as-json") {
    if (!arg) throw new KubectlError("template format specified but no template given");
    try {
      new JsonPath(arg);
    } catch (e) {
      if (e instanceof JsonPathError) throw new KubectlError(`error parsing jsonpath ${arg}, ${e.message}`);
      throw e;
    }
    return { kind: "jsonpath", template: arg, asJson: format === "jsonpath-as-json" };
  }
  if (format === "custom-columns" && human) {
    if (!arg) throw new KubectlError("custom-columns format specified but no custom columns given");
    return { kind: "custom-columns", columns: arg.split(",").map(customColumn) };
  }
  if (["go-template", "template", "go-template-file", "templatefile", "jsonpath-file", "custom-columns-file"].includes(format)) {
    throw new KubectlError(`the ${format} output format is not available in kubeplay's console; use -o jsonpath=… instead`);
  }
  throw new KubectlError(`unable to match a printer suitable for the output format "${value}", allowed formats are: ${human ? GET_FORMATS : OBJECT_FORMATS}`);
}

// Models kubectl/pkg/cmd/get/customcolumn.go RelaxedJSONPathExpression.
function customColumn(spec: string): { header: string; path: string } {
  const colon = spec.indexOf(":");
  if (colon < 0) throw new KubectlError(`unexpected custom-columns spec: ${spec}, expected <header>:<json-path-expr>`);
  const expr = spec.slice(colon + 1);
  if (!expr) return { header: spec.slice(0, colon), path: expr };
  const m = /^\{\.?([^{}]+)\}$|^\.?([^{}]+)$/.exec(expr);
  if (!m) throw new KubectlError("unexpected path string, expected a 'name1.name2' or '.name1.name2' or '{name1.name2}' or '{.name1.name2}'");
  return { header: spec.slice(0, colon), path: `{.${m[1] ?? m[2]}}` };
}

/** kubectl hides managedFields unless asked (`--show-managed-fields`). */
export function withoutManagedFields<T>(obj: T): T {
  const o = obj as unknown as KubeObject & { items?: KubeObject[] };
  if (!o || typeof o !== "object") return obj;
  const strip = (x: KubeObject): KubeObject => {
    if (!x?.metadata?.managedFields) return x;
    const { managedFields: _, ...metadata } = x.metadata;
    return { ...x, metadata };
  };
  if (Array.isArray(o.items)) return { ...strip(o), items: o.items.map(strip) } as unknown as T;
  return strip(o) as unknown as T;
}

/** Prints one object (or List) in a non-table format. `nameOf` gives `kind.group/name` for `-o name`. */
export function printObject(out: Output, obj: KubeObject, nameOf: (o: KubeObject) => string, showManagedFields = false, typed = false): string {
  const shown = showManagedFields ? obj : withoutManagedFields(obj);
  switch (out.kind) {
    case "yaml":
      return toYaml(shown);
    case "json":
      // A typed object (built by a generator) keeps its Go field order; decoded ones sort their keys.
      return `${typed ? goJsonOrdered(shown, "    ") : goJson(shown, "    ")}\n`;
    case "name": {
      const items = Array.isArray((obj as { items?: KubeObject[] }).items) && obj.kind.endsWith("List") ? ((obj as unknown as { items: KubeObject[] }).items) : [obj];
      return items.map((i) => `${nameOf(i)}\n`).join("");
    }
    case "jsonpath":
      return runJsonPath(out.template, shown, out.asJson);
    case "custom-columns":
      return customColumns(out.columns, shown, false);
    case "human":
      throw new Error("tables are printed by the table printer");
  }
}

function runJsonPath(template: string, obj: unknown, asJson: boolean): string {
  try {
    const jp = new JsonPath(template);
    if (!asJson) return jp.execute(obj);
    const values = jp.findResults(obj).flat();
    return `${goJson(values, "    ")}\n`;
  } catch (e) {
    if (!(e instanceof JsonPathError)) throw e;
    throw new KubectlError(
      `error executing jsonpath "${template}": Error executing template: ${e.message}. Printing more information for debugging the template:\n\ttemplate was:\n\t\t${template}\n\tobject given to jsonpath engine was:\n\t\t${goFormat(obj)}\n\n`,
    );
  }
}

export function customColumns(columns: { header: string; path: string }[], obj: KubeObject, noHeaders: boolean): string {
  const w = new TabWriter(TABLE_OPTIONS);
  if (!noHeaders) w.write(`${columns.map((c) => c.header).join("\t")}\n`);
  const items = obj.kind.endsWith("List") && Array.isArray((obj as { items?: KubeObject[] }).items) ? (obj as unknown as { items: KubeObject[] }).items : [obj];
  for (const item of items) {
    const cells = columns.map((c) => {
      if (!c.path) return "<none>";
      const values = new JsonPath(c.path).findResults(item);
      const flat = values.flat();
      if (values.length === 0 || values[0].length === 0) return ["<none>", ...flat.map(goFormat)].join(",");
      return flat.map(goFormat).join(",");
    });
    w.write(`${cells.join("\t")}\n`);
  }
  return w.flush();
}
