// OpenAPI v3 for the served group-versions: the index (`GET /openapi/v3`), one document per
// group-version (`GET /openapi/v3/<gvPath>?hash=…`), and strict field checking against the same schemas.
//
// kubectl needs these for `apply`/`create`/`replace` with the default --validate=strict (it looks for a
// `fieldValidation` parameter on each kind's PATCH operation, then leaves validation to the server) and
// for `explain`. Schemas come from generated/schemas.json (scripts/gen-openapi.mjs); paths are derived
// from the resource registry so they always match what the API serves.
//
// Serving (done by the router):
// - `/openapi/v3`: `Content-Type: application/json`, `Cache-Control: no-cache` (the hashes inside change
//   with the build, so clients must revalidate it; upstream sends no caching headers for it either).
// - `/openapi/v3/<gvPath>?hash=<h>` with h === openapiHash(gvPath): `Content-Type: application/json`,
//   `Cache-Control: public, immutable`, `Expires` one year ahead, `ETag: "<h>"`, `Vary: Accept`, exactly as
//   upstream — kubectl's HTTP cache then never refetches. A different `hash` answers 301 to the current URL
//   (with the sandbox prefix); no `hash` serves the document with `Cache-Control: no-cache`.
// - serverRelativeURL does not carry the sandbox prefix: client-go joins it onto the server URL's path
//   (rest.Request.AbsPath), so `--server=http://host/s/<id>` fetches `/s/<id>/openapi/v3/...`.
// - kubectl 1.27–1.33 use v3 for apply/create/replace/diff/edit/explain, but 1.27–1.28 also insist on
//   loading `/openapi/v2` first (see openapiV2 below: an empty document is enough).
//
// PATCH operations deliberately do not list application/strategic-merge-patch+json: if they did, kubectl
// would compute strategic patches from these schemas, which lack the patch merge keys and strategies.
// Without it kubectl uses its compiled-in types, which are exact for the built-in kinds.
import generated from "./generated/schemas.json";
import { groupVersions, subresourcesOf, type ResourceType } from "../../resources/registry";

type GVK = { group: string; kind: string; version: string };

interface Schema {
  description?: string;
  type?: string;
  format?: string;
  $ref?: string;
  allOf?: Schema[];
  oneOf?: Schema[];
  items?: Schema;
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  required?: string[];
  "x-kubernetes-group-version-kind"?: GVK[];
  "x-kubernetes-preserve-unknown-fields"?: boolean;
}

const GENERATED = generated as unknown as { hash: string; schemas: Record<string, Schema> };
const SCHEMAS = GENERATED.schemas;
const GENERATED_HASH = GENERATED.hash;
const REF_PREFIX = "#/components/schemas/";
const META = "io.k8s.apimachinery.pkg.apis.meta.v1";
/** Reported as the document's info.version (the version /version claims). */
const SERVER_VERSION = "v1.32.0";

const schemaByGVK = new Map<string, string>();
for (const [name, s] of Object.entries(SCHEMAS)) {
  for (const g of s["x-kubernetes-group-version-kind"] ?? []) {
    const key = `${g.group}/${g.version}/${g.kind}`;
    // A kind of a real API group wins over the meta types that share `v1` (e.g. Status).
    if (!schemaByGVK.has(key) || name.startsWith("io.k8s.api.")) schemaByGVK.set(key, name);
  }
}

function schemaNameOf(group: string, version: string, kind: string): string | undefined {
  return schemaByGVK.get(`${group}/${version}/${kind}`);
}

function parseGvPath(gvPath: string): { group: string; version: string } | undefined {
  const parts = gvPath.replace(/^\/+|\/+$/g, "").split("/");
  if (parts.length === 2 && parts[0] === "api") return { group: "", version: parts[1] };
  if (parts.length === 3 && parts[0] === "apis") return { group: parts[1], version: parts[2] };
  return undefined;
}

const gvPathOf = (group: string, version: string) => (group ? `apis/${group}/${version}` : `api/${version}`);

function servedGroupVersions(): Map<string, ResourceType[]> {
  const out = new Map<string, ResourceType[]>();
  for (const gv of groupVersions()) out.set(gvPathOf(gv.group, gv.version), gv.types);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Paths

const str = { type: "string", uniqueItems: true };
// Parameter descriptions are abridged from upstream: kubectl only looks at the names, and the
// documents stay small.
const query = (name: string, description: string, schema: object = str) => ({ description, in: "query", name, schema });
const int = { type: "integer", uniqueItems: true };
const bool = { type: "boolean", uniqueItems: true };
const P = {
  name: (kind: string) => ({ description: `name of the ${kind}`, in: "path", name: "name", required: true, schema: str }),
  namespace: {
    description: "object name and auth scope, such as for teams and projects",
    in: "path",
    name: "namespace",
    required: true,
    schema: str,
  },
  pretty: query("pretty", "If 'true', then the output is pretty printed."),
  dryRun: query("dryRun", "When present, indicates that modifications should not be persisted. Valid values are: - All: all dry run stages will be processed"),
  fieldManager: query("fieldManager", "fieldManager is a name associated with the actor or entity that is making these changes."),
  fieldValidation: query(
    "fieldValidation",
    "fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: Ignore, Warn (the default), Strict.",
  ),
  force: query("force", 'Force is going to "force" Apply requests. Force flag must be unset for non-apply patch requests.', bool),
  gracePeriodSeconds: query("gracePeriodSeconds", "The duration in seconds before the object should be deleted.", int),
  propagationPolicy: query("propagationPolicy", "Whether and how garbage collection will be performed: 'Orphan', 'Background' or 'Foreground'."),
  labelSelector: query("labelSelector", "A selector to restrict the list of returned objects by their labels. Defaults to everything."),
  fieldSelector: query("fieldSelector", "A selector to restrict the list of returned objects by their fields. Defaults to everything."),
  limit: query("limit", "limit is a maximum number of responses to return for a list call.", int),
  continue: query("continue", "The continue option should be set when retrieving more results from the server."),
  resourceVersion: query("resourceVersion", "resourceVersion sets a constraint on what resource versions a request may be served from."),
  timeoutSeconds: query("timeoutSeconds", "Timeout for the list/watch call.", int),
  watch: query("watch", "Watch for changes to the described resources and return them as a stream of add, update, and remove notifications.", bool),
  allowWatchBookmarks: query("allowWatchBookmarks", 'allowWatchBookmarks requests watch events with type "BOOKMARK".', bool),
};
const LIST_PARAMS = [P.allowWatchBookmarks, P.continue, P.fieldSelector, P.labelSelector, P.limit, P.resourceVersion, P.timeoutSeconds, P.watch];
const WRITE_PARAMS = [P.dryRun, P.fieldManager, P.fieldValidation];
const PATCH_PARAMS = [P.dryRun, P.fieldManager, P.fieldValidation, P.force];
const PATCH_TYPES = ["application/json-patch+json", "application/merge-patch+json", "application/apply-patch+yaml"];

const ref = (name: string) => ({ $ref: REF_PREFIX + name });

function content(schemaName: string, types: string[]) {
  return Object.fromEntries(types.map((t) => [t, { schema: ref(schemaName) }]));
}

const READ_TYPES = ["application/json", "application/yaml"];

function responses(schemaName: string, codes: Record<string, string>) {
  return Object.fromEntries(
    Object.entries(codes).map(([code, description]) => [code, { content: content(schemaName, READ_TYPES), description }]),
  );
}

/** "rbac.authorization.k8s.io" → "RbacAuthorization", "" → "Core" (upstream operationId/tag style). */
function groupId(group: string): string {
  if (!group) return "Core";
  return group
    .replace(/\.k8s\.io$/, "")
    .split(".")
    .map((s) => s.charAt(0).toUpperCase() + s.slice(1))
    .join("");
}

type Operation = Record<string, unknown>;
type PathItem = Record<string, unknown>;

function buildPaths(group: string, version: string, types: ResourceType[]): Record<string, PathItem> {
  const paths: Record<string, PathItem> = {};
  const base = group ? `/apis/${group}/${version}` : `/api/${version}`;
  const gvId = groupId(group) + version.charAt(0).toUpperCase() + version.slice(1);
  const tag = `${groupId(group).charAt(0).toLowerCase()}${groupId(group).slice(1)}_${version}`;

  for (const t of types) {
    const kindSchema = schemaNameOf(t.group, t.version, t.kind);
    if (!kindSchema) continue;
    const listSchema = schemaNameOf(t.group, t.version, `${t.kind}List`);
    const gvk: GVK = { group: t.group, kind: t.kind, version: t.version };
    const ns = t.namespaced ? "Namespaced" : "";
    const collection = `${base}${t.namespaced ? "/namespaces/{namespace}" : ""}/${t.resource}`;
    const item = `${collection}/{name}`;
    const scopeParams = t.namespaced ? [P.namespace, P.pretty] : [P.pretty];
    const verbs = new Set<string>(t.verbs);
    const op = (action: string, id: string, description: string, extra: Operation): Operation => ({
      description,
      operationId: id,
      ...extra,
      tags: [tag],
      "x-kubernetes-action": action,
      "x-kubernetes-group-version-kind": gvk,
    });

    const coll: PathItem = { parameters: scopeParams };
    if (verbs.has("list") && listSchema) {
      coll.get = op("list", `list${gvId}${ns}${t.kind}`, `list or watch objects of kind ${t.kind}`, {
        parameters: LIST_PARAMS,
        responses: responses(listSchema, { "200": "OK" }),
      });
    }
    if (verbs.has("create")) {
      coll.post = op("post", `create${gvId}${ns}${t.kind}`, `create a ${t.kind}`, {
        parameters: WRITE_PARAMS,
        requestBody: { content: content(kindSchema, ["application/json", "application/yaml"]), required: true },
        responses: responses(kindSchema, { "200": "OK", "201": "Created", "202": "Accepted" }),
      });
    }
    if (verbs.has("deletecollection")) {
      coll.delete = op("deletecollection", `deletecollection${gvId}${ns}${t.kind}`, `delete collection of ${t.kind}`, {
        parameters: [P.dryRun, P.gracePeriodSeconds, P.propagationPolicy, ...LIST_PARAMS.filter((p) => p.name !== "watch" && p.name !== "allowWatchBookmarks")],
        requestBody: { content: content(`${META}.DeleteOptions`, ["application/json"]) },
        responses: responses(`${META}.Status`, { "200": "OK" }),
      });
    }
    paths[collection] = coll;

    const one: PathItem = { parameters: [P.name(t.kind), ...scopeParams] };
    if (verbs.has("get")) {
      one.get = op("get", `read${gvId}${ns}${t.kind}`, `read the specified ${t.kind}`, {
        responses: responses(kindSchema, { "200": "OK" }),
      });
    }
    if (verbs.has("update")) {
      one.put = op("put", `replace${gvId}${ns}${t.kind}`, `replace the specified ${t.kind}`, {
        parameters: WRITE_PARAMS,
        requestBody: { content: content(kindSchema, ["application/json", "application/yaml"]), required: true },
        responses: responses(kindSchema, { "200": "OK", "201": "Created" }),
      });
    }
    if (verbs.has("patch")) {
      one.patch = op("patch", `patch${gvId}${ns}${t.kind}`, `partially update the specified ${t.kind}`, {
        parameters: PATCH_PARAMS,
        requestBody: { content: content(`${META}.Patch`, PATCH_TYPES), required: true },
        responses: responses(kindSchema, { "200": "OK", "201": "Created" }),
      });
    }
    if (verbs.has("delete")) {
      one.delete = op("delete", `delete${gvId}${ns}${t.kind}`, `delete a ${t.kind}`, {
        parameters: [P.dryRun, P.gracePeriodSeconds, P.propagationPolicy],
        requestBody: { content: content(`${META}.DeleteOptions`, ["application/json"]) },
        responses: responses(kindSchema, { "200": "OK", "202": "Accepted" }),
      });
    }
    paths[item] = one;

    if (t.namespaced && verbs.has("list") && listSchema) {
      paths[`${base}/${t.resource}`] = {
        get: op("list", `list${gvId}${t.kind}ForAllNamespaces`, `list or watch objects of kind ${t.kind}`, {
          parameters: LIST_PARAMS,
          responses: responses(listSchema, { "200": "OK" }),
        }),
        parameters: [P.pretty],
      };
    }

    for (const sub of subresourcesOf(t)) {
      const subSchema = schemaNameOf(sub.group, sub.version, sub.kind);
      // Streaming/connect subresources (log, exec) and finalize are not object reads or writes.
      if (!subSchema || !["status", "scale", "binding", "eviction"].includes(sub.name)) continue;
      const subGvk: GVK = { group: sub.group, kind: sub.kind, version: sub.version };
      const suffix = sub.name.charAt(0).toUpperCase() + sub.name.slice(1);
      const subOp = (action: string, verb: string, description: string, extra: Operation): Operation => ({
        description,
        operationId: `${verb}${gvId}${ns}${t.kind}${suffix}`,
        ...extra,
        tags: [tag],
        "x-kubernetes-action": action,
        "x-kubernetes-group-version-kind": subGvk,
      });
      const subItem: PathItem = {
        parameters: [{ ...P.name(sub.kind), description: `name of the ${sub.kind}` }, ...scopeParams],
      };
      const subVerbs = new Set<string>(sub.verbs);
      if (subVerbs.has("get")) {
        subItem.get = subOp("get", "read", `read ${sub.name} of the specified ${t.kind}`, {
          responses: responses(subSchema, { "200": "OK" }),
        });
      }
      if (subVerbs.has("update")) {
        subItem.put = subOp("put", "replace", `replace ${sub.name} of the specified ${t.kind}`, {
          parameters: WRITE_PARAMS,
          requestBody: { content: content(subSchema, ["application/json", "application/yaml"]), required: true },
          responses: responses(subSchema, { "200": "OK", "201": "Created" }),
        });
      }
      if (subVerbs.has("patch")) {
        subItem.patch = subOp("patch", "patch", `partially update ${sub.name} of the specified ${t.kind}`, {
          parameters: PATCH_PARAMS,
          requestBody: { content: content(`${META}.Patch`, PATCH_TYPES), required: true },
          responses: responses(subSchema, { "200": "OK", "201": "Created" }),
        });
      }
      if (subVerbs.has("create")) {
        subItem.post = subOp("post", "create", `create ${sub.name} of a ${t.kind}`, {
          parameters: WRITE_PARAMS,
          requestBody: { content: content(subSchema, ["application/json", "application/yaml"]), required: true },
          responses: responses(subSchema, { "200": "OK", "201": "Created", "202": "Accepted" }),
        });
      }
      paths[`${item}/${sub.name}`] = subItem;
    }
  }
  return paths;
}

// ---------------------------------------------------------------------------------------------
// Documents, hashes, index

/** Names referenced through $ref anywhere inside `node`. */
function collectRefs(node: unknown, out: Set<string>): void {
  if (Array.isArray(node)) {
    for (const v of node) collectRefs(v, out);
  } else if (node && typeof node === "object") {
    for (const [k, v] of Object.entries(node)) {
      if (k === "$ref" && typeof v === "string" && v.startsWith(REF_PREFIX)) out.add(v.slice(REF_PREFIX.length));
      else collectRefs(v, out);
    }
  }
}

const refsCache = new Map<string, Set<string>>();

/** Every schema reachable from `roots` through $ref, sorted. */
function closure(roots: Iterable<string>): string[] {
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name) || !SCHEMAS[name]) return;
    seen.add(name);
    let refs = refsCache.get(name);
    if (!refs) refsCache.set(name, (refs = new Set()));
    if (refs.size === 0) collectRefs(SCHEMAS[name], refs);
    refs.forEach(visit);
  };
  for (const r of roots) visit(r);
  return [...seen].sort();
}

interface Built {
  doc: { openapi: string; info: unknown; paths: unknown; components: { schemas: Record<string, Schema> } };
  hash: string;
  json?: string;
}

const built = new Map<string, Built>();

function build(gvPath: string): Built | undefined {
  const key = gvPath.replace(/^\/+|\/+$/g, "");
  const cached = built.get(key);
  if (cached) return cached;
  const gv = parseGvPath(key);
  const types = servedGroupVersions().get(key);
  if (!gv || !types) return undefined;
  const paths = buildPaths(gv.group, gv.version, types);
  const roots = new Set<string>([`${META}.APIResourceList`, `${META}.DeleteOptions`, `${META}.Patch`, `${META}.Status`]);
  collectRefs(paths, roots);
  const names = closure(roots);
  const schemas: Record<string, Schema> = {};
  for (const name of names) schemas[name] = SCHEMAS[name];
  const info = { title: "Kubernetes", version: SERVER_VERSION };
  const doc = { openapi: "3.0.0", info, paths, components: { schemas } };
  // The document is a function of its info, paths, the chosen schema names and the schema data (whose
  // content hash the generator recorded), so hashing those covers every byte without serializing it.
  const hash = hash128(`${GENERATED_HASH}\n${names.join(",")}\n${JSON.stringify({ info, paths })}`);
  const result: Built = { doc, hash };
  built.set(key, result);
  return result;
}

/**
 * 128-bit non-cryptographic content hash (four multiply-xorshift lanes), uppercase hex like upstream's.
 * It only has to change when the document changes; a sync hash keeps openapiHash() synchronous.
 */
function hash128(s: string): string {
  let h1 = 0x6a09e667, h2 = 0xbb67ae85, h3 = 0x3c6ef372, h4 = 0xa54ff53a;
  // Two UTF-16 units per step: half the multiplications on megabyte-sized inputs.
  for (let i = 0; i < s.length; i += 2) {
    const c = s.charCodeAt(i) | ((i + 1 < s.length ? s.charCodeAt(i + 1) : 0xffff) << 16);
    h1 = h2 ^ Math.imul(h1 ^ c, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ c, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ c, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ c, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1, h2, h3, h4].map((h) => (h >>> 0).toString(16).padStart(8, "0")).join("").toUpperCase();
}

/** `{"paths":{"api/v1":{"serverRelativeURL":"/openapi/v3/api/v1?hash=…"},…}}` (no sandbox prefix). */
export function openapiIndex(): unknown {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const gvPath of servedGroupVersions().keys()) {
    paths[gvPath] = { serverRelativeURL: `/openapi/v3/${gvPath}?hash=${openapiHash(gvPath)}` };
  }
  return { paths };
}

/** The OpenAPI 3.0 document of a group-version ("api/v1", "apis/apps/v1"); shared, treat as read-only. */
export function openapiDocument(gvPath: string): unknown | undefined {
  return build(gvPath)?.doc;
}

/** The same document, already serialized (it is large; avoid re-stringifying it per request). */
export function openapiDocumentJSON(gvPath: string): string | undefined {
  const b = build(gvPath);
  if (b && b.json === undefined) b.json = JSON.stringify(b.doc);
  return b?.json;
}

export function openapiHash(gvPath: string): string | undefined {
  return build(gvPath)?.hash;
}

// ---------------------------------------------------------------------------------------------
// Strict field validation

interface Flat {
  properties?: Record<string, Schema>;
  additionalProperties?: Schema;
  items?: Schema;
  freeForm: boolean;
}

const flatCache = new Map<Schema, Flat>();

/** Follows $ref and allOf so that a schema's properties/items/additionalProperties are at hand. */
function flatten(schema: Schema): Flat {
  const cached = flatCache.get(schema);
  if (cached) return cached;
  const out: Flat = { freeForm: schema["x-kubernetes-preserve-unknown-fields"] === true };
  const parts: Schema[] = [schema];
  if (schema.$ref) {
    const target = SCHEMAS[schema.$ref.slice(REF_PREFIX.length)];
    if (target) parts.push(target);
  }
  for (const sub of schema.allOf ?? []) parts.push(sub);
  for (const part of parts) {
    const f = part === schema ? undefined : flatten(part);
    const props = f ? f.properties : part.properties;
    if (props) out.properties = { ...out.properties, ...props };
    const ap = f ? f.additionalProperties : typeof part.additionalProperties === "object" ? part.additionalProperties : undefined;
    if (ap) out.additionalProperties = ap;
    const items = f ? f.items : part.items;
    if (items) out.items = items;
    if (f?.freeForm || part.additionalProperties === true) out.freeForm = true;
  }
  // An object type that declares no fields at all (RawExtension, FieldsV1) holds arbitrary JSON.
  const declaresObject = parts.some((p) => p.type === "object");
  if (declaresObject && !out.properties && !out.additionalProperties) out.freeForm = true;
  flatCache.set(schema, out);
  return out;
}

function walk(schema: Schema, value: unknown, path: string, out: string[]): void {
  if (value === null || typeof value !== "object") return;
  const flat = flatten(schema);
  if (flat.freeForm) return;
  if (Array.isArray(value)) {
    if (flat.items) value.forEach((v, i) => walk(flat.items as Schema, v, `${path}[${i}]`, out));
    return;
  }
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    const child = path ? `${path}.${key}` : key;
    const prop = flat.properties?.[key] ?? flat.additionalProperties;
    if (prop) walk(prop, v, child, out);
    else out.push(`unknown field "${child}"`);
  }
}

/**
 * Fields of `obj` that the kind's schema does not declare, worded like the apiserver's strict decoding
 * errors: `unknown field "spec.template.spec.containers[0].imagee"`, in document order. Free-form maps
 * (labels, annotations, data, …) and raw objects accept anything. Unknown group-version or kind: [].
 * For fieldValidation=Strict the apiserver answers 400 BadRequest with message
 * `<Kind> in version "<version>" cannot be handled as a <Kind>: strict decoding error: <errors joined by ", ">`;
 * for Warn it sends each as a `Warning: 299 - "<error with \" escaped>"` header (unescaped inner quotes make
 * kubectl drop the warning). PATCH needs the same check on the patched object. Duplicate keys cannot be
 * seen here: the body parser has already merged them.
 */
export function unknownFields(gvPath: string, kind: string, obj: unknown): string[] {
  const gv = parseGvPath(gvPath);
  if (!gv) return [];
  const name = schemaNameOf(gv.group, gv.version, kind);
  if (!name) return [];
  const out: string[] = [];
  walk(SCHEMAS[name], obj, "", out);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Decoding into the Go types: the JSON type of every value

/**
 * Integer fields that are int64 in the Go types (the published schemas say only "integer"); every
 * other integer field is an int32.
 */
const INT64_FIELDS = new Set([
  "activeDeadlineSeconds",
  "deletionGracePeriodSeconds",
  "expirationSeconds",
  "fsGroup",
  "generation",
  "gracePeriodSeconds",
  "observedGeneration",
  "runAsGroup",
  "runAsUser",
  "startingDeadlineSeconds",
  "supplementalGroups",
  "terminationGracePeriodSeconds",
  "tolerationSeconds",
]);

const QUANTITY_SYNTAX = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

function refNameOf(schema: Schema): string | undefined {
  const ref = schema.$ref ?? schema.allOf?.find((p) => p.$ref)?.$ref;
  return ref?.slice(REF_PREFIX.length);
}

/** `v1.PodSpec`, `int32`, `[]v1.Container`, `map[string]string`: the Go type as encoding/json prints it. */
function goTypeOf(schema: Schema, field: string): string {
  const ref = refNameOf(schema);
  if (ref) return ref.split(".").slice(-2).join(".");
  switch (schema.type) {
    case "integer":
      return INT64_FIELDS.has(field) ? "int64" : "int32";
    case "number":
      return "float64";
    case "string":
      return "string";
    case "boolean":
      return "bool";
    case "array":
      return `[]${schema.items ? goTypeOf(schema.items, field) : "interface {}"}`;
    case "object":
      return typeof schema.additionalProperties === "object" ? `map[string]${goTypeOf(schema.additionalProperties, field)}` : "map[string]interface {}";
  }
  return "interface {}";
}

function jsonTypeOf(v: unknown): string {
  if (Array.isArray(v)) return "array";
  if (typeof v === "boolean") return "bool";
  return typeof v;
}

class TypeMismatch {
  constructor(readonly message: string) {}
}

/**
 * The value a JSON null becomes inside a list or a map: the Go type's zero value (`""` in a
 * []string, `{}` in a []v1.Container), which is what encoding/json stores there.
 */
function zeroOf(schema: Schema): unknown {
  const ref = refNameOf(schema);
  if (ref === "io.k8s.apimachinery.pkg.util.intstr.IntOrString") return 0;
  if (ref === "io.k8s.apimachinery.pkg.api.resource.Quantity") return "0";
  const flat = flatten(schema);
  if (flat.freeForm || flat.additionalProperties || flat.items) return null;
  if (flat.properties) return {};
  switch (schema.type) {
    case "integer":
    case "number":
      return 0;
    case "string":
      return "";
    case "boolean":
      return false;
  }
  return null;
}

/**
 * Checks `value` against `schema` as encoding/json decodes it; `struct` and `path` name the Go struct
 * field holding it. Nulls become what Go keeps for them: a struct field is left unset (removed), a
 * list item or map value gets its type's zero value.
 */
function checkTypes(schema: Schema, value: unknown, struct: string, path: string, field: string): void {
  if (value === null || value === undefined) return;
  const into = () => (path ? `Go struct field ${struct}.${path}` : "Go value");
  const mismatch = (detail = jsonTypeOf(value)) => new TypeMismatch(`json: cannot unmarshal ${detail} into ${into()} of type ${goTypeOf(schema, field)}`);
  const ref = refNameOf(schema);
  // The types with their own UnmarshalJSON, which word their own errors.
  if (ref === "io.k8s.apimachinery.pkg.util.intstr.IntOrString") {
    if (typeof value === "string") return;
    if (typeof value === "number" && Number.isInteger(value) && value >= -(2 ** 31) && value < 2 ** 31) return;
    throw new TypeMismatch(`json: cannot unmarshal ${typeof value === "number" ? `number ${value}` : jsonTypeOf(value)} into Go value of type int32`);
  }
  if (ref === "io.k8s.apimachinery.pkg.api.resource.Quantity") {
    if (typeof value === "string" || typeof value === "number") return;
    throw new TypeMismatch(QUANTITY_SYNTAX);
  }
  if (ref === "io.k8s.apimachinery.pkg.apis.meta.v1.Time" || ref === "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime") {
    if (typeof value !== "string") throw new TypeMismatch(`json: cannot unmarshal ${jsonTypeOf(value)} into Go value of type string`);
    if (value !== "" && (!RFC3339.test(value) || Number.isNaN(Date.parse(value)))) {
      throw new TypeMismatch(`parsing time ${JSON.stringify(value)} as "2006-01-02T15:04:05Z07:00": cannot parse ${JSON.stringify(value)} as "2006"`);
    }
    return;
  }
  const flat = flatten(schema);
  if (flat.freeForm) return;
  if (flat.properties) {
    if (typeof value !== "object" || Array.isArray(value)) throw mismatch();
    const name = ref ? ref.slice(ref.lastIndexOf(".") + 1) : struct;
    const obj = value as Record<string, unknown>;
    for (const [key, v] of Object.entries(obj)) {
      const prop = flat.properties[key];
      if (!prop) continue;
      if (v === null) delete obj[key];
      else checkTypes(prop, v, name, path ? `${path}.${key}` : key, key);
    }
    return;
  }
  if (flat.additionalProperties) {
    if (typeof value !== "object" || Array.isArray(value)) throw mismatch();
    const map = value as Record<string, unknown>;
    for (const [k, v] of Object.entries(map)) {
      if (v === null) map[k] = zeroOf(flat.additionalProperties);
      else checkTypes(flat.additionalProperties, v, struct, path, field);
    }
    return;
  }
  if (flat.items) {
    if (!Array.isArray(value)) throw mismatch();
    for (let i = 0; i < value.length; i++) {
      if (value[i] === null) value[i] = zeroOf(flat.items);
      else checkTypes(flat.items, value[i], struct, path, field);
    }
    return;
  }
  switch (schema.type) {
    case "integer": {
      if (typeof value !== "number") throw mismatch();
      const bound = INT64_FIELDS.has(field) ? 2 ** 63 : 2 ** 31;
      if (!Number.isInteger(value) || value < -bound || value >= bound) throw mismatch(`number ${value}`);
      return;
    }
    case "number":
      if (typeof value !== "number") throw mismatch();
      return;
    case "string":
      if (typeof value !== "string") throw mismatch();
      return;
    case "boolean":
      if (typeof value !== "boolean") throw mismatch();
      return;
  }
}

/**
 * Decodes `obj` (in place) as kube-apiserver decodes every body into the Go types before anything
 * else looks at it: returns the first value its Go type cannot hold, worded as encoding/json words it
 * (`json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32`),
 * or undefined, having replaced nulls as Go does. A value of the wrong type (or an integer out of its
 * range) never reaches validation, the controllers or the printers there, and must not here either.
 */
export function decodeGoTypes(gvPath: string, kind: string, obj: unknown): string | undefined {
  const gv = parseGvPath(gvPath);
  if (!gv) return undefined;
  const name = schemaNameOf(gv.group, gv.version, kind);
  if (!name) return undefined;
  try {
    checkTypes({ $ref: `${REF_PREFIX}${name}` }, obj, kind, "", "");
  } catch (e) {
    if (e instanceof TypeMismatch) return e.message;
    throw e;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// /openapi/v2

/**
 * `/openapi/v2`. kubectl 1.27–1.28 load it before `apply`/`create`/`diff`/`edit`/`explain` and fail the
 * whole command on a 404 ("the server could not find the requested resource"); kubectl 1.29+ only
 * consult it as a fallback. They never need its content when /openapi/v3 is complete, so an empty
 * document suffices: kubectl asks for protobuf, and zero bytes are a valid (empty) openapi_v2.Document.
 * Answer 200 with this body and content type; no caching headers needed.
 */
export function openapiV2(accept: string | null | undefined): { contentType: string; body: string } {
  if (accept && accept.includes("protobuf")) {
    // Upstream's response type; the `@` form kubectl sends in Accept does not parse as a media type.
    return { contentType: "application/com.github.proto-openapi.spec.v2.v1.0+protobuf", body: "" };
  }
  return {
    contentType: "application/json",
    body: JSON.stringify({ swagger: "2.0", info: { title: "Kubernetes", version: SERVER_VERSION }, paths: {}, definitions: {} }),
  };
}
