// `kubectl explain TYPE[.field…] [--recursive]`: documentation from the server's OpenAPI v3
// documents, laid out as kubectl's plaintext template lays it out (descriptions wrapped at 76–78
// columns by go-wordwrap's rules, fields sorted, type hints like `<[]Container>`).
// Models staging/src/k8s.io/kubectl/pkg/explain/v2 (explain.go, funcs.go, templates/plaintext.tmpl)
// and github.com/mitchellh/go-wordwrap WrapString.
import type { Command, Ctx } from "../command";
import { KubectlError } from "../errors";

type Schema = {
  $ref?: string;
  type?: string;
  description?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  additionalProperties?: Schema | boolean;
  allOf?: Schema[];
  enum?: unknown[];
  externalDocs?: { description?: string; url?: string };
  "x-kubernetes-group-version-kind"?: { group: string; version: string; kind: string }[];
};

interface Document {
  paths?: Record<string, Record<string, { "x-kubernetes-group-version-kind"?: { group: string; version: string; kind: string } }>>;
  components?: { schemas?: Record<string, Schema> };
}

/** go-wordwrap WrapString: break at spaces so lines stay within `lim` (longer words stand alone). */
export function wordWrap(s: string, lim: number): string {
  let out = "";
  let current = 0;
  let word = "";
  let space = "";
  for (const ch of s) {
    if (ch === "\n") {
      if (!word) {
        if (current + space.length <= lim) out += space;
      } else out += space + word;
      space = "";
      word = "";
      out += ch;
      current = 0;
    } else if (/\s/.test(ch) && ch !== "\u00a0") {
      if (!space || word) {
        current += space.length + [...word].length;
        out += space + word;
        space = "";
        word = "";
      }
      space += ch;
    } else {
      word += ch;
      const wl = [...word].length;
      if (current + space.length + wl > lim && wl < lim) {
        out += "\n";
        current = 0;
        space = "";
      }
    }
  }
  if (!word) {
    if (current + space.length <= lim) out += space;
  } else out += space + word;
  return out;
}

const indent = (n: number, s: string) => " ".repeat(n) + s.split("\n").join(`\n${" ".repeat(n)}`);

function resolveRef(ref: string | undefined, doc: Document): Schema | undefined {
  if (!ref || !ref.startsWith("#/")) return undefined;
  let cur: unknown = doc;
  for (const k of ref.slice(2).split("/")) {
    if (!k) continue;
    if (typeof cur !== "object" || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return typeof cur === "object" && cur !== null ? (cur as Schema) : undefined;
}

const isMapSchema = (a: Schema["additionalProperties"]): a is Schema => typeof a === "object" && a !== null;

function typeGuess(s: Schema, doc: Document): string {
  if (s.items) return `[]${typeGuess(s.items, doc)}`;
  if (isMapSchema(s.additionalProperties)) return `map[string]${typeGuess(s.additionalProperties, doc)}`;
  if (s.allOf && !s.properties && s.allOf.length === 1) return typeGuess(s.allOf[0], doc);
  if (s.$ref) {
    const r = resolveRef(s.$ref, doc);
    if (!r || !r.type || r.type === "object") return s.$ref.split("/").pop()!.split(".").pop() || "Object";
    return r.type || "Object";
  }
  if (s.type === "object") return "Object";
  return s.type || "Object";
}

function description(s: Schema, doc: Document): string {
  const r = resolveRef(s.$ref, doc) ?? s;
  let out = r.description ? `${r.description}\n` : "";
  for (const a of r.allOf ?? []) out += description(a, doc);
  if (r.items) out += description(r.items, doc);
  if (isMapSchema(r.additionalProperties)) out += description(r.additionalProperties, doc);
  return out;
}

function enumText(s: Schema, longView: boolean, limit: number, indentAmount: number): string {
  if (!s.enum?.length) return "";
  let out = longView ? "ENUM:" : `\n${" ".repeat(indentAmount)}enum: `;
  for (let i = 0; i < s.enum.length; i++) {
    if (limit > -1 && i >= limit) {
      out += ", ....";
      break;
    }
    if (i > 0 && !longView) out += ", ";
    else if (longView) out += `\n${" ".repeat(4)}`;
    const e = s.enum[i];
    out += e === "" ? '""' : String(e);
  }
  return out;
}

function fieldDetail(name: string, parent: Schema, level: number, short: boolean, doc: Document): string {
  const ind = level * 2;
  const f = parent.properties![name];
  let out = `${" ".repeat(ind)}${name}\t<${typeGuess(f, doc)}>`;
  if (parent.required?.includes(name)) out += " -required-";
  out += enumText(f, false, 4, ind);
  out += "\n";
  if (!short) {
    out += `${indent(ind + 2, wordWrap(f.description || "<no description>", 78 - ind))}\n`;
    if (f.externalDocs) {
      out += `\n${indent(ind + 2, "EXTERNAL DOCS:")}\n`;
      if (f.externalDocs.description) out += `${indent(ind + 4, wordWrap(f.externalDocs.description, 76 - ind))}\n`;
      if (f.externalDocs.url) out += `${indent(ind + 4, `URL: ${f.externalDocs.url}`)}\n`;
    }
    out += "\n";
  }
  return out;
}

function fieldList(s: Schema, level: number, recursive: boolean, doc: Document, history: Set<string>): string {
  const ref = s.$ref ?? "";
  if (ref && history.has(ref)) return "";
  const next = new Set(history);
  next.add(ref);
  const r = resolveRef(ref, doc) ?? s;
  let out = "";
  for (const k of Object.keys(r.properties ?? {}).sort()) {
    out += fieldDetail(k, r, level, recursive, doc);
    if (recursive) out += fieldList(r.properties![k], level + 1, recursive, doc, next);
  }
  for (const a of r.allOf ?? []) out += fieldList(a, level, recursive, doc, next);
  if (r.items) out += fieldList(r.items, level, recursive, doc, next);
  if (isMapSchema(r.additionalProperties)) out += fieldList(r.additionalProperties, level, recursive, doc, next);
  return out;
}

/** The "output" template: follows the field path, then prints a description and the fields. */
function output(s: Schema, path: string[], recursive: boolean, doc: Document, history: Set<string>): string {
  const ref = s.$ref ?? "";
  const next = new Set(history);
  next.add(ref);
  const r = resolveRef(ref, doc) ?? s;
  if (!path.length) {
    let out = `DESCRIPTION:\n${indent(4, wordWrap(description(r, doc) || "<empty>", 76))}\n`;
    if (r.externalDocs) {
      out += "\nEXTERNAL DOCS:\n";
      if (r.externalDocs.description) out += `${indent(4, wordWrap(r.externalDocs.description, 76))}\n`;
      if (r.externalDocs.url) out += `${indent(4, `URL: ${r.externalDocs.url}`)}\n`;
    }
    const fields = fieldList(r, 1, recursive, doc, new Set());
    if (fields) out += `FIELDS:\n${fields}`;
    return out;
  }
  if (ref && history.has(ref)) return "";
  const sub = r.properties?.[path[0]];
  if (sub) {
    let out = "";
    if (path.length === 1) out += `FIELD: ${path[0]} <${typeGuess(sub, doc)}>\n${enumText(sub, true, -1, 0)}\n\n`;
    return out + output(sub, path.slice(1), recursive, doc, new Set());
  }
  if (r.items) return output(r.items, path, recursive, doc, next);
  if (isMapSchema(r.additionalProperties)) return output(r.additionalProperties, path, recursive, doc, next);
  for (const a of r.allOf ?? []) {
    const o = output(a, path, recursive, doc, next);
    if (o) return o;
  }
  return "";
}

export const explainCommand: Command = {
  name: "explain",
  flags: [
    { name: "recursive", type: "bool" },
    { name: "api-version", type: "string", default: "" },
    { name: "output", short: "o", type: "string", default: "plaintext" },
  ],
  async run(ctx: Ctx) {
    if (ctx.args.length === 0) {
      ctx.err(`You must specify the type of resource to explain. Use "kubectl api-resources" for a complete list of supported resources.\n\n`);
      throw new KubectlError("Required resource not specified.", 1, "help");
    }
    if (ctx.args.length > 1) throw new KubectlError(`We accept only this format: explain RESOURCE`, 1, "help");
    const format = ctx.str("output");
    if (format !== "plaintext") throw new KubectlError(`unsupported output format: ${format}; supported: plaintext`);
    const [resourceArg, ...path] = ctx.args[0].split(".");
    const disc = await ctx.discovery();
    let mapping = disc.find(resourceArg);
    if (!mapping) {
      // An unknown type is reported plainly (checkErr's no-match branch adds no "error: ").
      ctx.err(`the server doesn't have a resource type "${resourceArg}"\n`);
      return 1;
    }
    const apiVersion = ctx.str("api-version");
    if (apiVersion) {
      const [g, v] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
      mapping = disc.mappings.find((m) => m.group === g && m.version === v && m.resource === mapping!.resource) ?? mapping;
    }
    const gv = mapping.group ? `apis/${mapping.group}/${mapping.version}` : `api/${mapping.version}`;
    const index = await ctx.client.get<{ paths: Record<string, { serverRelativeURL: string }> }>("/openapi/v3");
    const entry = index.paths?.[gv];
    if (!entry) throw new KubectlError(`couldn't find resource for "${mapping.group ? `${mapping.group}/` : ""}${mapping.version}, Resource=${mapping.resource}"`);
    const url = new URL(entry.serverRelativeURL, "http://x");
    const q: Record<string, string> = {};
    url.searchParams.forEach((v, k) => (q[k] = v));
    const doc = await ctx.client.get<Document>(url.pathname, q);
    const prefix = mapping.group ? `/apis/${mapping.group}` : "/api";
    const searches = [`${prefix}/${mapping.version}/${mapping.resource}`, `${prefix}/${mapping.version}/${mapping.resource}/{name}`, `${prefix}/${mapping.version}/namespaces/{namespace}/${mapping.resource}`, `${prefix}/${mapping.version}/namespaces/{namespace}/${mapping.resource}/{name}`];
    let gvk: { group: string; version: string; kind: string } | undefined;
    for (const p of searches) {
      const el = doc.paths?.[p];
      if (!el) continue;
      for (const m of ["get", "post", "put", "patch", "delete"]) {
        gvk = el[m]?.["x-kubernetes-group-version-kind"];
        if (gvk) break;
      }
      if (gvk) break;
    }
    if (!gvk) throw new KubectlError(`GVR (${mapping.group}/${mapping.version}, Resource=${mapping.resource}) not found in OpenAPI schema`);
    let out = "";
    if (gvk.group) out += `GROUP:      ${gvk.group}\n`;
    out += `KIND:       ${gvk.kind}\nVERSION:    ${gvk.version}\n\n`;
    const schema = Object.values(doc.components?.schemas ?? {}).find((s) => s["x-kubernetes-group-version-kind"]?.some((g) => g.group === gvk!.group && g.version === gvk!.version && g.kind === gvk!.kind));
    if (!schema) {
      ctx.out(out);
      throw new KubectlError(`GVK ${gvk.group}/${gvk.version}, Kind=${gvk.kind} not found in OpenAPI schema`);
    }
    const body = output(schema, path, ctx.flags.bool("recursive"), doc, new Set());
    if (!body) {
      ctx.out(out);
      throw new KubectlError(`field "${path[path.length - 1]}" does not exist`);
    }
    ctx.out(`${out}${body}\n`);
    return 0;
  },
};
