// `kubectl get`: server-side Tables for the human formats (one header per kind, `kind/name` when
// several kinds are listed, a blank line between kinds, "No resources found in … namespace."),
// a List or the single object for yaml/json/name/jsonpath/custom-columns, and `-w` streaming.
// Models staging/src/k8s.io/kubectl/pkg/cmd/get/get.go (Run, printGeneric, watch).
import type { KubeObject } from "../../resources/types";
import { ACCEPT_JSON, ACCEPT_TABLE, type KubeList, type Query, type Table } from "../client";
import { FILENAME_FLAGS, OUTPUT_FLAGS, SELECTOR_FLAG, type Command, type Ctx } from "../command";
import { kindPrefix, resourcePath, type Mapping } from "../discovery";
import { AggregateError, isNotFound, KubectlError } from "../errors";
import { JsonPath } from "../printers/jsonpath";
import { parseOutput, printObject, type Output } from "../printers/index";
import { TablePrinter } from "../printers/table";
import { TabWriter, TABLE_OPTIONS } from "../printers/tabwriter";
import { mappingOf, namespaceOf, readManifests, resourceArgs, type Target } from "../resource";
import { readWatch } from "../watch";

interface Info {
  mapping: Mapping;
  /** A Table (human formats) or the object or list. */
  body: Table | KubeObject | KubeList;
  named: boolean;
}

export function objectName(m: Mapping, o: KubeObject): string {
  return `${kindPrefix(m)}/${o.metadata?.name ?? ""}`;
}

/** List items carry no kind; kubectl's decoder gives them the list's. */
export function itemsOf(list: KubeList): KubeObject[] {
  const kind = list.kind?.replace(/List$/, "") ?? "";
  return (list.items ?? []).map((i) => ({ ...i, apiVersion: i.apiVersion ?? list.apiVersion ?? "", kind: i.kind ?? kind }));
}

const REQUIRED = `You must specify the type of resource to get. Use "kubectl api-resources" for a complete list of supported resources.

error: Required resource not specified.
Use "kubectl explain <resource>" for a detailed description of that resource (e.g. kubectl explain pods).
See 'kubectl get -h' for help and examples
`;

export const getCommand: Command = {
  name: "get",
  flags: [
    ...OUTPUT_FLAGS,
    ...FILENAME_FLAGS,
    SELECTOR_FLAG,
    { name: "watch", short: "w", type: "bool" },
    { name: "watch-only", type: "bool" },
    { name: "output-watch-events", type: "bool" },
    { name: "field-selector", type: "string", default: "" },
    { name: "all-namespaces", short: "A", type: "bool" },
    { name: "show-labels", type: "bool" },
    { name: "label-columns", short: "L", type: "stringSlice", default: [] },
    { name: "no-headers", type: "bool" },
    { name: "sort-by", type: "string", default: "" },
    { name: "chunk-size", type: "int", default: 500 },
    { name: "ignore-not-found", type: "bool" },
    { name: "show-kind", type: "bool" },
    { name: "raw", type: "string", default: "" },
    { name: "subresource", type: "string", default: "" },
    { name: "server-print", type: "bool", default: true },
  ],
  async run(ctx) {
    const f = ctx.flags;
    const output = parseOutput(ctx.str("output"), true);
    if (ctx.str("raw")) return raw(ctx, ctx.str("raw"));
    const filenames = f.list("filename");
    if (ctx.args.length === 0 && filenames.length === 0) {
      ctx.err(REQUIRED);
      return 1;
    }
    const disc = await ctx.discovery();
    const allNamespaces = f.bool("all-namespaces");
    let targets: (Target & { namespace?: string })[];
    if (filenames.length) {
      targets = readManifests(ctx, filenames, f.bool("recursive")).map((m) => {
        const mapping = mappingOf(disc, m);
        return { mapping, name: m.object.metadata?.name, namespace: namespaceOf(ctx, mapping, m.object) };
      });
    } else targets = resourceArgs(disc, ctx.args, "kubectl get");
    if (allNamespaces && targets.some((t) => t.name !== undefined)) throw new KubectlError("a resource cannot be retrieved by name across all namespaces");
    if (f.bool("watch") || f.bool("watch-only")) return watch(ctx, targets, output, allNamespaces);

    const human = output.kind === "human";
    const sortBy = ctx.str("sort-by");
    const errors: Error[] = [];
    const infos: Info[] = [];
    for (const t of targets) {
      try {
        infos.push(await fetchTarget(ctx, t, human, allNamespaces, sortBy !== ""));
      } catch (e) {
        if (f.bool("ignore-not-found") && isNotFound(e)) continue;
        errors.push(e as Error);
      }
    }
    if (!human) {
      const single = targets.length === 1 && targets[0].name !== undefined;
      // One object asked for by name: its error alone, no empty List.
      if (single && errors.length) throw errors[0];
      printGeneric(ctx, output, infos, single);
      if (errors.length) throw errors.length === 1 ? errors[0] : new AggregateError(errors);
      return 0;
    }
    const multipleKinds = new Set(infos.map((i) => `${i.mapping.group}/${i.mapping.kind}`)).size > 1;
    const withKind = multipleKinds || f.bool("show-kind");
    let written = 0;
    let separatorReady = false;
    const emit = (text: string) => {
      if (!text) return;
      if (separatorReady) {
        ctx.out("\n");
        separatorReady = false;
      }
      written += text.length;
      ctx.out(text);
    };
    const w = new TabWriter(TABLE_OPTIONS);
    let printer: TablePrinter | undefined;
    let last: Mapping | undefined;
    let allNamespaced = !allNamespaces;
    for (const info of infos) {
      allNamespaced = allNamespaced && info.mapping.namespaced;
      if (!printer || !last || last.resource !== info.mapping.resource || last.group !== info.mapping.group) {
        emit(w.flush());
        if (last && !f.bool("no-headers") && written > 0) separatorReady = true;
        printer = new TablePrinter({
          wide: output.wide,
          noHeaders: f.bool("no-headers"),
          withNamespace: allNamespaces && info.mapping.namespaced,
          showLabels: f.bool("show-labels"),
          columnLabels: f.list("label-columns"),
          kind: withKind ? kindPrefix(info.mapping) : undefined,
        });
        last = info.mapping;
      }
      let table = info.body as Table;
      if (sortBy) table = sortTable(table, sortBy);
      w.write(printer.print(table));
    }
    emit(w.flush());
    if (written === 0 && errors.length === 0 && !f.bool("ignore-not-found")) {
      ctx.err(allNamespaced ? `No resources found in ${ctx.namespace} namespace.\n` : "No resources found\n");
    }
    if (errors.length) throw errors.length === 1 ? errors[0] : new AggregateError(errors);
    return 0;
  },
};

async function fetchTarget(ctx: Ctx, t: Target & { namespace?: string }, human: boolean, allNamespaces: boolean, withObjects: boolean): Promise<Info> {
  const ns = t.namespace ?? ctx.namespace;
  const accept = human ? ACCEPT_TABLE : ACCEPT_JSON;
  const query: Query = {};
  if (human && withObjects) query.includeObject = "Object";
  if (t.name !== undefined) {
    const body = await ctx.client.get<Table | KubeObject>(resourcePath(t.mapping, ns, t.name), query, accept);
    return { mapping: t.mapping, body, named: true };
  }
  const selector = ctx.str("selector");
  const fieldSelector = ctx.str("field-selector");
  if (selector) query.labelSelector = selector;
  if (fieldSelector) query.fieldSelector = fieldSelector;
  query.limit = String(ctx.flags.int("chunk-size") || 500);
  const path = resourcePath(t.mapping, allNamespaces ? undefined : ns);
  const body = await ctx.client.get<Table | KubeList>(path, query, accept);
  return { mapping: t.mapping, body, named: false };
}

function printGeneric(ctx: Ctx, output: Output, infos: Info[], singleItemImplied: boolean): void {
  const items: { mapping: Mapping; object: KubeObject }[] = [];
  for (const i of infos) {
    const b = i.body as KubeObject & KubeList;
    if (Array.isArray(b.items) && !i.named) for (const o of itemsOf(b)) items.push({ mapping: i.mapping, object: o });
    else items.push({ mapping: i.mapping, object: b });
  }
  const mappingOfObj = new Map(items.map((x) => [x.object, x.mapping]));
  const nameOf = (o: KubeObject) => {
    const m = mappingOfObj.get(o);
    return m ? objectName(m, o) : `${o.kind.toLowerCase()}/${o.metadata?.name}`;
  };
  const showManaged = ctx.flags.bool("show-managed-fields");
  if (singleItemImplied && items.length === 1) {
    ctx.out(printObject(output, items[0].object, nameOf, showManaged));
    return;
  }
  let sorted = items;
  const sortBy = ctx.str("sort-by");
  if (sortBy) sorted = sortObjects(items, (x) => x.object, sortBy);
  const list = { apiVersion: "v1", kind: "List", items: sorted.map((x) => x.object), metadata: { resourceVersion: "" } } as unknown as KubeObject;
  if (output.kind === "name") {
    ctx.out(sorted.map((x) => `${objectName(x.mapping, x.object)}\n`).join(""));
    return;
  }
  ctx.out(printObject(output, list, nameOf, showManaged));
}

// --sort-by: rows ordered by a JSONPath value of each object. Models kubectl/pkg/cmd/get/sorter.go.
function sortKey(obj: unknown, path: string): unknown {
  const expr = /^\{.*\}$/.test(path) ? path : `{${path.startsWith(".") ? path : `.${path}`}}`;
  const r = new JsonPath(expr).findResults(obj).flat();
  return r[0];
}

function compareKeys(a: unknown, b: unknown): number {
  if (a === undefined || a === null) return b === undefined || b === null ? 0 : -1;
  if (b === undefined || b === null) return 1;
  if (typeof a === "number" && typeof b === "number") return a - b;
  const ta = typeof a === "string" ? Date.parse(a) : NaN;
  const tb = typeof b === "string" ? Date.parse(b) : NaN;
  if (typeof a === "string" && typeof b === "string" && /^\d{4}-\d\d-\d\dT/.test(a) && !Number.isNaN(ta) && !Number.isNaN(tb)) return ta - tb;
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

function sortObjects<T>(items: T[], objOf: (x: T) => unknown, path: string): T[] {
  return items
    .map((x, i) => ({ x, i, k: sortKey(objOf(x), path) }))
    .sort((p, q) => compareKeys(p.k, q.k) || p.i - q.i)
    .map((p) => p.x);
}

function sortTable(table: Table, path: string): Table {
  return { ...table, rows: sortObjects(table.rows, (r) => r.object, path) };
}

async function raw(ctx: Ctx, path: string): Promise<number> {
  const res = await ctx.client.raw("GET", path, { accept: ACCEPT_JSON });
  const text = await res.text();
  if (res.status >= 400) {
    const { statusErrorOf } = await import("../client");
    throw statusErrorOf(res.status, text);
  }
  ctx.out(text);
  return 0;
}

async function watch(ctx: Ctx, targets: (Target & { namespace?: string })[], output: Output, allNamespaces: boolean): Promise<number> {
  const f = ctx.flags;
  const kinds = new Set(targets.map((t) => `${t.mapping.group}/${t.mapping.resource}`));
  if (kinds.size > 1) throw new KubectlError("watch is only supported on individual resources and resource collections - more than 1 resource was found");
  const t = targets[0];
  const human = output.kind === "human";
  const info = await fetchTarget(ctx, t, human, allNamespaces, false);
  const printer = new TablePrinter({
    wide: human && output.wide,
    noHeaders: f.bool("no-headers"),
    withNamespace: allNamespaces && t.mapping.namespaced,
    showLabels: f.bool("show-labels"),
    columnLabels: f.list("label-columns"),
  });
  const w = new TabWriter({ ...TABLE_OPTIONS, rememberWidths: true });
  const eventsColumn = f.bool("output-watch-events");
  let printed = 0;
  const print = (obj: Table | KubeObject, type: string) => {
    if (human) {
      w.write(printer.print(obj as Table, eventsColumn ? type : undefined));
      ctx.out(w.flush());
      return;
    }
    let o = obj as KubeObject;
    if (!o.kind) o = { ...o, kind: t.mapping.kind, apiVersion: t.mapping.group ? `${t.mapping.group}/${t.mapping.version}` : t.mapping.version };
    let text = printObject(output, eventsColumn ? ({ type, object: o } as unknown as KubeObject) : o, (x) => objectName(t.mapping, x), f.bool("show-managed-fields"));
    if (output.kind === "yaml" && printed > 0) text = `---\n${text}`;
    printed++;
    ctx.out(text);
  };
  const ns = t.namespace ?? ctx.namespace;
  let rv = "0";
  const isList = t.name === undefined;
  if (!f.bool("watch-only")) {
    if (human) print(info.body as Table, "ADDED");
    else if (isList) for (const o of itemsOf(info.body as KubeList)) print(o, "ADDED");
    else print(info.body as KubeObject, "ADDED");
  }
  if (isList) rv = (info.body as KubeList).metadata?.resourceVersion ?? "0";
  // A watch of one object starts with a synthetic ADDED event for it, already printed.
  let skipFirst = !isList;
  const query: Query = { watch: "true", resourceVersion: rv };
  const selector = ctx.str("selector");
  const fieldSelector = ctx.str("field-selector");
  if (t.name !== undefined) query.fieldSelector = `metadata.name=${t.name}`;
  else {
    if (selector) query.labelSelector = selector;
    if (fieldSelector) query.fieldSelector = fieldSelector;
  }
  const res = await ctx.client.raw("GET", resourcePath(t.mapping, allNamespaces ? undefined : ns), { query, accept: human ? ACCEPT_TABLE : ACCEPT_JSON });
  if (res.status >= 400) {
    const { statusErrorOf } = await import("../client");
    throw statusErrorOf(res.status, await res.text());
  }
  const interrupted = await readWatch(res, ctx.env.signal, (ev) => {
    if (ev.type === "BOOKMARK") return;
    if (skipFirst) {
      skipFirst = false;
      return;
    }
    print(ev.object as Table | KubeObject, ev.type);
  });
  return interrupted ? 1 : 0;
}
