// What a command's arguments and `-f` files name: `TYPE[,TYPE…] [NAME…]`, `TYPE/NAME…`, categories
// (`all`), and objects read from YAML or JSON manifests (several documents, `kind: List`,
// directories, `-` for stdin).
// Models staging/src/k8s.io/cli-runtime/pkg/resource/builder.go (ResourceTypeOrNameArgs, FilenameParam)
// and visitor.go (FileVisitor, StreamVisitor).
import YAML from "yaml";
import type { KubeObject } from "../resources/types";
import type { Ctx } from "./command";
import type { Discovery, Mapping } from "./discovery";
import { KubectlError } from "./errors";

export interface Target {
  mapping: Mapping;
  /** Absent: the whole collection (with the selectors given). */
  name?: string;
}

/**
 * Resolves `TYPE NAME…`, `TYPE1,TYPE2`, `TYPE/NAME…`. The hint kubectl prints when both forms are
 * mixed names `get` whatever the command (the resource builder's wording); `_command` is the caller's.
 */
export function resourceArgs(disc: Discovery, args: string[], _command: string): Target[] {
  if (args.length === 0) return [];
  if (args.some((a) => a.includes("/"))) {
    const out: Target[] = [];
    for (const a of args) {
      const slash = a.indexOf("/");
      if (slash < 0) {
        throw new KubectlError(
          `there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of 'kubectl get resource resource/<resource_name>'`,
        );
      }
      const type = a.slice(0, slash);
      const name = a.slice(slash + 1);
      if (!type || !name) throw new KubectlError(`arguments in resource/name form must have a single resource and name`);
      out.push({ mapping: disc.mustFind(type), name });
    }
    return out;
  }
  const [types, ...names] = args;
  const mappings: Mapping[] = [];
  for (const t of types.split(",")) {
    if (!t) continue;
    const cat = disc.find(t) ? undefined : disc.category(t);
    if (cat) mappings.push(...cat);
    else mappings.push(disc.mustFind(t));
  }
  if (names.length === 0) return mappings.map((mapping) => ({ mapping }));
  const out: Target[] = [];
  for (const mapping of mappings) for (const name of names) out.push({ mapping, name });
  return out;
}

export interface Manifest {
  /** Where it came from (`x.yaml`, `STDIN`), for error messages. */
  source: string;
  object: KubeObject;
}

/** The files `-f` names: a file, `-` (stdin), or a directory's .json/.yaml/.yml files. */
function manifestFiles(ctx: Ctx, name: string, recursive: boolean): { source: string; text: string }[] {
  if (name === "-") return [{ source: "STDIN", text: ctx.env.stdin }];
  if (/^https?:\/\//.test(name)) throw new KubectlError(`unable to read URL "${name}": kubeplay's console does not fetch from the network`);
  const files = ctx.env.files;
  if (files.isDir(name)) {
    const out: { source: string; text: string }[] = [];
    for (const entry of files.list(name)) {
      const path = `${name.replace(/\/$/, "")}/${entry}`;
      if (files.isDir(path)) {
        if (recursive) out.push(...manifestFiles(ctx, path, true));
      } else if (/\.(json|ya?ml)$/.test(entry)) out.push({ source: path, text: files.read(path) ?? "" });
    }
    return out;
  }
  const text = files.read(name);
  if (text === undefined) throw new KubectlError(`the path "${name}" does not exist`);
  return [{ source: name, text }];
}

/** Every object in the `-f` files, in order. */
export function readManifests(ctx: Ctx, filenames: string[], recursive = false): Manifest[] {
  const out: Manifest[] = [];
  for (const f of filenames) {
    for (const { source, text } of manifestFiles(ctx, f, recursive)) {
      for (const doc of parseDocuments(text, source)) {
        if (doc.kind === "List" && Array.isArray(doc.items)) {
          for (const item of doc.items as KubeObject[]) out.push({ source, object: item });
        } else out.push({ source, object: doc });
      }
    }
  }
  return out;
}

function parseDocuments(text: string, source: string): KubeObject[] {
  try {
    return parseDocumentsAt(text, source);
  } catch (e) {
    if (e instanceof KubectlError) throw e;
    // The parser's own limits: nesting deeper than its stack, aliases expanded past a hundred.
    const why = /Maximum call stack/i.test((e as Error).message) ? "exceeded max depth of 10000" : (e as Error).message;
    throw new KubectlError(`error parsing ${source}: error converting YAML to JSON: yaml: ${why}`);
  }
}

function parseDocumentsAt(text: string, source: string): KubeObject[] {
  const out: KubeObject[] = [];
  const docs = YAML.parseAllDocuments(text, { version: "1.1" });
  for (const d of Array.isArray(docs) ? docs : [docs]) {
    if (d.errors.length) {
      const e = d.errors[0];
      if (/Maximum call stack/i.test(e.message)) throw new KubectlError(`error parsing ${source}: error converting YAML to JSON: yaml: exceeded max depth of 10000`);
      const line = (e.linePos?.[0]?.line ?? 1);
      throw new KubectlError(`error parsing ${source}: error converting YAML to JSON: yaml: line ${line}: ${e.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "")}`);
    }
    const v = d.toJS({ maxAliasCount: 100 }) as unknown;
    if (v === null || v === undefined) continue;
    if (typeof v !== "object" || Array.isArray(v)) throw new KubectlError(`error validating "${source}": error validating data: invalid object to validate; if you choose to ignore these errors, turn validation off with --validate=false`);
    out.push(v as KubeObject);
  }
  return out;
}

/** The mapping of an object from a file, with kubectl's errors for what the server lacks. */
export function mappingOf(disc: Discovery, m: Manifest): Mapping {
  const o = m.object;
  if (!o.kind) throw new KubectlError(`error validating "${m.source}": error validating data: kind not set; if you choose to ignore these errors, turn validation off with --validate=false`);
  if (!o.apiVersion) throw new KubectlError(`error validating "${m.source}": error validating data: apiVersion not set; if you choose to ignore these errors, turn validation off with --validate=false`);
  const mapping = disc.forKind(o.apiVersion, o.kind);
  if (!mapping) {
    const [g, v] = o.apiVersion.includes("/") ? o.apiVersion.split("/") : ["", o.apiVersion];
    throw new KubectlError(
      `resource mapping not found for name: "${o.metadata?.name ?? ""}" namespace: "${o.metadata?.namespace ?? ""}" from "${m.source}": no matches for kind "${o.kind}" in version "${g ? `${g}/${v}` : v}"\nensure CRDs are installed first`,
    );
  }
  return mapping;
}

/** The namespace an object from a file goes to; a `-n` that disagrees with the file is refused. */
export function namespaceOf(ctx: Ctx, mapping: Mapping, obj: KubeObject): string {
  if (!mapping.namespaced) return "";
  const own = obj.metadata?.namespace;
  if (own && ctx.explicitNamespace && own !== ctx.namespace) {
    throw new KubectlError(`the namespace from the provided object "${own}" does not match the namespace "${ctx.namespace}". You must pass '--namespace=${own}' to perform this operation.`);
  }
  return own || ctx.namespace;
}
