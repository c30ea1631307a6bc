// get and list: filtering by selectors, paging with limit/continue, and server-side Tables.
import { gvkKey, apiVersionOf, storageKey, type ResourceType } from "../resources/registry";
import { defaultPrinter, printers } from "../resources/printers";
import type { KubeObject, TableCell } from "../resources/types";
import type { ApiContext } from "./context";
import type { TableRequest } from "./negotiate";
import { checkFieldSelector, matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector } from "./selectors";
import { badRequest, expired, notFound } from "./status";

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continueToken?: string;
}

export function listOptions(url: URL): ListOptions {
  const q = url.searchParams;
  const opts: ListOptions = {};
  if (q.get("labelSelector")) opts.labelSelector = q.get("labelSelector") ?? undefined;
  if (q.get("fieldSelector")) opts.fieldSelector = q.get("fieldSelector") ?? undefined;
  const limit = q.get("limit");
  if (limit) {
    const n = Number(limit);
    if (!Number.isInteger(n) || n < 0) throw badRequest(`invalid value for limit: ${limit}`);
    if (n > 0) opts.limit = n;
  }
  if (q.get("continue")) opts.continueToken = q.get("continue") ?? undefined;
  return opts;
}

/** A filter for objects of one kind built from label and field selector strings. */
export function objectFilter(t: ResourceType, opts: ListOptions): (o: KubeObject) => boolean {
  const labels = opts.labelSelector ? parseLabelSelector(opts.labelSelector) : undefined;
  const key = gvkKey(t);
  // An unsupported field label is an error even when nothing would be listed.
  const fields = opts.fieldSelector ? checkFieldSelector(parseFieldSelector(opts.fieldSelector), key) : undefined;
  return (o) => (!labels || matchesLabels(labels, o.metadata.labels)) && (!fields || matchesFields(fields, key, o));
}

export function getObject(ctx: ApiContext, t: ResourceType, namespace: string | undefined, name: string): KubeObject {
  const obj = ctx.store.get(storageKey(t), t.namespaced ? (namespace ?? "") : "", name);
  if (!obj) throw notFound(t.group, t.resource, name);
  return obj;
}

interface ContinueToken {
  rv: number;
  start: string;
}

function encodeContinue(tok: ContinueToken): string {
  return btoa(JSON.stringify({ v: "meta.k8s.io/v1", rv: tok.rv, start: tok.start }));
}

// Models staging/src/k8s.io/apiserver/pkg/storage/continue.go DecodeContinue, wrapped as
// ValidateListOptions wraps it: 400 "invalid continue token: …". Any JSON may come back from the
// base64, so its shape is checked before a field is read.
function decodeContinue(s: string, ctx: ApiContext): ContinueToken {
  const invalid = (why: string) => badRequest(`invalid continue token: continue key is not valid${why}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(atob(s));
  } catch {
    throw invalid(": illegal base64 data at input byte 0");
  }
  if (parsed !== null && (typeof parsed !== "object" || Array.isArray(parsed))) {
    const type = Array.isArray(parsed) ? "array" : typeof parsed === "boolean" ? "bool" : typeof parsed;
    throw invalid(`: json: cannot unmarshal ${type} into Go value of type storage.continueToken`);
  }
  const tok = (parsed ?? {}) as { v?: unknown; rv?: unknown; start?: unknown };
  for (const [field, want] of [["v", "string"], ["rv", "number"], ["start", "string"]] as const) {
    const v = tok[field];
    if (v === undefined || v === null || typeof v === want) continue;
    const type = Array.isArray(v) ? "array" : typeof v === "boolean" ? "bool" : typeof v;
    throw invalid(`: json: cannot unmarshal ${type} into Go struct field continueToken.${field} of type ${want === "number" ? "int64" : "string"}`);
  }
  if (tok.v !== "meta.k8s.io/v1") throw invalid(`: server does not recognize this encoded version ${JSON.stringify(typeof tok.v === "string" ? tok.v : "")}`);
  if (typeof tok.rv !== "number" || !Number.isSafeInteger(tok.rv) || tok.rv <= 0) throw invalid(": incorrect encoded start resourceVersion (version meta.k8s.io/v1)");
  if (typeof tok.start !== "string" || tok.start === "") throw invalid(": encoded start key empty (version meta.k8s.io/v1)");
  if (tok.rv < ctx.store.oldestWatchableVersion) {
    throw expired("The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.");
  }
  return { rv: tok.rv, start: tok.start };
}

export interface ListResult {
  items: KubeObject[];
  resourceVersion: string;
  continueToken?: string;
  remainingItemCount?: number;
}

export function listObjects(ctx: ApiContext, t: ResourceType, namespace: string | undefined, opts: ListOptions): ListResult {
  const filter = objectFilter(t, opts);
  let items = ctx.store.list(storageKey(t), t.namespaced ? namespace : undefined).filter(filter);
  const rv = ctx.store.resourceVersion;
  if (opts.continueToken) {
    const tok = decodeContinue(opts.continueToken, ctx);
    items = items.filter((o) => `${o.metadata.namespace ?? ""}/${o.metadata.name}` > tok.start);
  }
  const result: ListResult = { items, resourceVersion: String(rv) };
  if (opts.limit && items.length > opts.limit) {
    result.items = items.slice(0, opts.limit);
    const last = result.items[result.items.length - 1];
    result.continueToken = encodeContinue({ rv, start: `${last.metadata.namespace ?? ""}/${last.metadata.name}` });
    result.remainingItemCount = items.length - opts.limit;
  }
  return result;
}

/** The JSON list (`PodList`), items without kind/apiVersion as the apiserver encodes them. */
export function listBody(t: ResourceType, res: ListResult): unknown {
  const metadata: Record<string, unknown> = { resourceVersion: res.resourceVersion };
  if (res.continueToken) {
    metadata.continue = res.continueToken;
    metadata.remainingItemCount = res.remainingItemCount;
  }
  return {
    kind: `${t.kind}List`,
    apiVersion: apiVersionOf(t),
    metadata,
    items: res.items.map((o) => {
      const { apiVersion: _a, kind: _k, ...rest } = o;
      return rest;
    }),
  };
}

export type IncludeObject = "None" | "Metadata" | "Object";

export function includeObjectParam(url: URL): IncludeObject {
  const v = url.searchParams.get("includeObject");
  return v === "None" || v === "Object" ? v : "Metadata";
}

function partialObjectMetadata(obj: KubeObject, table: TableRequest): unknown {
  const { managedFields: _m, ...metadata } = obj.metadata;
  return { kind: "PartialObjectMetadata", apiVersion: `meta.k8s.io/${table.version}`, metadata };
}

export function tableRow(ctx: ApiContext, t: ResourceType, obj: KubeObject, table: TableRequest, include: IncludeObject): unknown {
  const printer = printers[gvkKey(t)] ?? defaultPrinter;
  const cells: TableCell[] = printer.row(obj, { now: ctx.clock.now() });
  const row: Record<string, unknown> = { cells };
  if (include === "Metadata") row.object = partialObjectMetadata(obj, table);
  else if (include === "Object") row.object = obj;
  return row;
}

export function tableBody(
  ctx: ApiContext,
  t: ResourceType,
  objects: KubeObject[],
  table: TableRequest,
  include: IncludeObject,
  meta: { resourceVersion?: string; continueToken?: string; remainingItemCount?: number } = {},
  withColumns = true,
): unknown {
  const printer = printers[gvkKey(t)] ?? defaultPrinter;
  const metadata: Record<string, unknown> = {};
  if (meta.resourceVersion) metadata.resourceVersion = meta.resourceVersion;
  if (meta.continueToken) {
    metadata.continue = meta.continueToken;
    metadata.remainingItemCount = meta.remainingItemCount;
  }
  return {
    kind: "Table",
    apiVersion: `meta.k8s.io/${table.version}`,
    metadata,
    columnDefinitions: withColumns ? printer.columns.map((c) => ({ format: "", priority: 0, ...c })) : null,
    rows: objects.map((o) => tableRow(ctx, t, o, table, include)),
  };
}
