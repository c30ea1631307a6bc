// Generates the OpenAPI v3 schema dictionary served under /openapi/v3 from the `kubernetes-types`
// declaration files (every field with its upstream description as JSDoc). The output is committed, so
// the Worker never needs kubernetes-types at run time. Usage: node scripts/gen-openapi.mjs
//
// The .d.ts files are machine-generated and very regular, so a small line-oriented parser is enough
// (and avoids depending on a particular TypeScript compiler API).
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(path.join(root, "package.json"));
const typesDir = path.dirname(require.resolve("kubernetes-types/package.json"));
const typesVersion = JSON.parse(readFileSync(path.join(typesDir, "package.json"), "utf8")).version;
const outDir = path.join(root, "worker/api/openapi/generated");

// Modules (paths relative to kubernetes-types, without .d.ts) and the upstream schema-name prefix of
// their types. Only the group-versions kubeplay serves, plus what their kinds reference.
const MODULES = {
  "core/v1": "io.k8s.api.core.v1",
  "apps/v1": "io.k8s.api.apps.v1",
  "batch/v1": "io.k8s.api.batch.v1",
  "discovery/v1": "io.k8s.api.discovery.v1",
  "events/v1": "io.k8s.api.events.v1",
  "networking/v1": "io.k8s.api.networking.v1",
  "storage/v1": "io.k8s.api.storage.v1",
  "coordination/v1": "io.k8s.api.coordination.v1",
  "scheduling/v1": "io.k8s.api.scheduling.v1",
  "policy/v1": "io.k8s.api.policy.v1",
  "autoscaling/v1": "io.k8s.api.autoscaling.v1",
  "autoscaling/v2": "io.k8s.api.autoscaling.v2",
  "rbac/v1": "io.k8s.api.rbac.v1",
  "meta/v1": "io.k8s.apimachinery.pkg.apis.meta.v1",
  runtime: "io.k8s.apimachinery.pkg.runtime",
  "api/resource": "io.k8s.apimachinery.pkg.api.resource",
};

// kubernetes-types inlines IntOrString as `number | string`; upstream documents it as its own schema.
const INT_OR_STRING = "io.k8s.apimachinery.pkg.util.intstr.IntOrString";
const INT_OR_STRING_SCHEMA = {
  description:
    "IntOrString is a type that can hold an int32 or a string.  When used in JSON or YAML marshalling and unmarshalling, it produces or consumes the inner type.  This allows you to have, for example, a JSON field that can accept a name or number.",
  format: "int-or-string",
  oneOf: [{ type: "integer" }, { type: "string" }],
};

/** Upstream shapes of the aliases that are plain strings in TypeScript. */
function aliasSchema(fullName, description) {
  const withDesc = (s) => (description ? { description, ...s } : s);
  if (fullName.endsWith(".meta.v1.Time") || fullName.endsWith(".meta.v1.MicroTime")) {
    return withDesc({ type: "string", format: "date-time" });
  }
  if (fullName.endsWith(".resource.Quantity")) return withDesc({ oneOf: [{ type: "string" }, { type: "number" }] });
  return withDesc({ type: "string" });
}

/** JSDoc text of the comment lines (without the opening/closing markers), joined as upstream does. */
function commentText(lines) {
  return lines
    .map((l) => l.replace(/^\s*\*( |$)/, ""))
    .join("\n")
    .trim();
}

/**
 * Parses one .d.ts file into { imports: Map<name, module>, decls: Map<name, decl> } where decl is
 * { kind: "interface", description, members: [{ name, optional, type, description }] } or
 * { kind: "alias", description, type }.
 */
function parseModule(mod) {
  const text = readFileSync(path.join(typesDir, `${mod}.d.ts`), "utf8");
  const lines = text.split("\n");
  const imports = new Map();
  const decls = new Map();
  let pending; // description of the next declaration or member
  let current; // interface being read
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const trimmed = line.trim();
    if (trimmed === "") continue;
    let m;
    if ((m = /^import \{ (.+) \} from "(.+)";$/.exec(trimmed))) {
      const from = path.posix.normalize(path.posix.join(path.posix.dirname(mod), m[2]));
      for (const name of m[1].split(",").map((s) => s.trim())) imports.set(name, from);
      continue;
    }
    if (trimmed.startsWith("/**")) {
      if (trimmed.endsWith("*/")) {
        pending = trimmed.slice(3, -2).trim();
      } else {
        const body = [];
        while (!lines[++i].trim().startsWith("*/")) body.push(lines[i]);
        pending = commentText(body);
      }
      continue;
    }
    if ((m = /^export interface (\w+) \{(\})?$/.exec(trimmed))) {
      current = { kind: "interface", description: pending, members: [] };
      decls.set(m[1], current);
      pending = undefined;
      if (m[2]) current = undefined;
      continue;
    }
    if ((m = /^export type (\w+) = (.+);$/.exec(trimmed))) {
      decls.set(m[1], { kind: "alias", description: pending, type: m[2] });
      pending = undefined;
      continue;
    }
    if (trimmed === "}") {
      current = undefined;
      continue;
    }
    if (current && (m = /^(?:readonly )?([\w$]+)(\?)?: (.+?);?$/.exec(trimmed))) {
      let type = m[3];
      if (type === "{") {
        // Index signature on the next line: `[name: string]: T;`, then `};`.
        const sig = /^\[\w+: string\]: (.+);$/.exec(lines[++i].trim());
        if (!sig || lines[++i].trim() !== "};") throw new Error(`${mod}:${i}: unexpected map shape`);
        type = `{map:${sig[1]}}`;
      }
      current.members.push({ name: m[1], optional: !!m[2], type, description: pending });
      pending = undefined;
      continue;
    }
    throw new Error(`${mod}:${i + 1}: cannot parse: ${line}`);
  }
  return { imports, decls };
}

const modules = new Map();
for (const mod of Object.keys(MODULES)) modules.set(mod, parseModule(mod));

/** Upstream name of a type referenced from `mod`. */
function qualify(mod, name) {
  const { decls, imports } = modules.get(mod);
  if (decls.has(name)) return `${MODULES[mod]}.${name}`;
  const from = imports.get(name);
  if (from && MODULES[from]) return `${MODULES[from]}.${name}`;
  throw new Error(`${mod}: unresolved type ${name}`);
}

const ref = (name) => ({ $ref: `#/components/schemas/${name}` });

/** Schema of a TypeScript type expression used inside `mod`. */
function typeSchema(mod, type) {
  type = type.trim();
  if (type === "string" || /^"[^"]*"$/.test(type)) return { type: "string" };
  if (type === "number") return { type: "integer" };
  if (type === "boolean") return { type: "boolean" };
  if (type === "number | string") return ref(INT_OR_STRING);
  let m;
  if ((m = /^Array<(.+)>$/.exec(type))) return { type: "array", items: typeSchema(mod, m[1]) };
  if ((m = /^\{map:(.+)\}$/.exec(type))) return { type: "object", additionalProperties: typeSchema(mod, m[1]) };
  if (/^\w+$/.test(type)) return ref(qualify(mod, type));
  throw new Error(`${mod}: unsupported type ${type}`);
}

/** A property: refs are wrapped in allOf so that the field keeps its own description (as upstream). */
function propertySchema(mod, member) {
  const s = typeSchema(mod, member.type);
  if (s.$ref) return member.description ? { allOf: [s], description: member.description } : s;
  return member.description ? { description: member.description, ...s } : s;
}

const schemas = {};
for (const [mod, { decls }] of modules) {
  for (const [name, decl] of decls) {
    const full = `${MODULES[mod]}.${name}`;
    if (decl.kind === "alias") {
      schemas[full] = aliasSchema(full, decl.description);
      continue;
    }
    const schema = {};
    if (decl.description) schema.description = decl.description;
    const properties = {};
    const required = [];
    let apiVersion;
    let kind;
    for (const member of decl.members) {
      properties[member.name] = propertySchema(mod, member);
      if (!member.optional) required.push(member.name);
      const lit = /^"(.*)"$/.exec(member.type);
      if (lit && member.name === "apiVersion") apiVersion = lit[1];
      if (lit && member.name === "kind") kind = lit[1];
    }
    if (decl.members.length) schema.properties = properties;
    if (required.length) schema.required = required;
    schema.type = "object";
    if (apiVersion && kind) {
      const slash = apiVersion.indexOf("/");
      const group = slash < 0 ? "" : apiVersion.slice(0, slash);
      const version = apiVersion.slice(slash + 1);
      schema["x-kubernetes-group-version-kind"] = [{ group, kind, version }];
    }
    schemas[full] = schema;
  }
}
schemas[INT_OR_STRING] = INT_OR_STRING_SCHEMA;

// Every $ref must resolve.
const names = new Set(Object.keys(schemas));
for (const m of JSON.stringify(schemas).matchAll(/"#\/components\/schemas\/([^"]+)"/g)) {
  if (!names.has(m[1])) throw new Error(`dangling $ref ${m[1]}`);
}

const sorted = Object.fromEntries(Object.keys(schemas).sort().map((k) => [k, schemas[k]]));
// The content hash lets the Worker derive document hashes without hashing megabytes at run time.
const hash = createHash("sha256").update(JSON.stringify(sorted)).digest("hex").toUpperCase();
const out = { source: `kubernetes-types@${typesVersion}`, hash, schemas: sorted };
mkdirSync(outDir, { recursive: true });
const file = path.join(outDir, "schemas.json");
writeFileSync(file, JSON.stringify(out) + "\n");
console.log(`${path.relative(root, file)}: ${names.size} schemas, ${(JSON.stringify(out).length / 1024).toFixed(0)} KiB`);
