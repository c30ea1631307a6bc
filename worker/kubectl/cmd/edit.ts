// kubectl edit: the objects as YAML (or JSON) in a temporary file on the node, the user's editor
// ($KUBE_EDITOR, $EDITOR, else vi) run on it, and what changed sent back as a patch. The console has
// no full-screen editor, so in practice the editor is a command such as
// `KUBE_EDITOR="sed -i s/a/b/" kubectl edit …`; the loop around it (reopening the file with the
// server's complaints, "Edit cancelled, …", the saved copy) is kubectl's.
// Models staging/src/k8s.io/kubectl/pkg/cmd/util/editor/editoptions.go (normal edit mode).
import YAML from "yaml";
import type { KubeObject } from "../../resources/types";
import { gvkKeyOf, twoWayMergePatch } from "../apply/three-way";
import { FIELD_MANAGER, FILENAME_FLAGS, OUTPUT_FLAGS, type Command, type Ctx } from "../command";
import { groupResource, resourcePath, type Mapping } from "../discovery";
import { AggregateError, KubectlError, StatusError, isNotFound } from "../errors";
import { goJson } from "../printers/jsonpath";
import { toYaml } from "../printers/yaml";
import { withLastApplied } from "./apply";
import { printResult } from "./common";
import { mergePatch, resolveObjects } from "./modify";

type Obj = KubeObject & Record<string, unknown>;

interface Info {
  mapping: Mapping;
  namespace: string;
  name: string;
  object: Obj;
}

interface Reason {
  head: string;
  other: string[];
}

interface Results {
  reasons: Reason[];
  retryable: number;
  notfound: number;
  edit: number;
  file: string;
}

const HEADER = `# Please edit the object below. Lines beginning with a '#' will be ignored,
# and an empty file will abort the edit. If an error occurs while saving this file will be
# reopened with the relevant failures.
#
`;

// A sed that never matches loops for good otherwise; kubectl stops when a reopened file comes back
// unchanged, so this bound is only a guard.
const MAX_ROUNDS = 20;

export const editCommand: Command = {
  name: "edit",
  flags: [
    ...OUTPUT_FLAGS,
    ...FILENAME_FLAGS,
    FIELD_MANAGER("kubectl-edit"),
    { name: "output-patch", type: "bool" },
    { name: "save-config", type: "bool" },
    { name: "validate", type: "string", default: "strict", noOptDefault: "strict" },
    { name: "windows-line-endings", type: "bool" },
    { name: "subresource", type: "string", default: "" },
    { name: "record", type: "bool" },
  ],
  async run(ctx) {
    const output = ctx.str("output");
    if (output && output !== "yaml" && output !== "json") {
      throw new KubectlError(`unable to match a printer suitable for the output format "${output}", allowed formats are: json,yaml`);
    }
    const sub = ctx.str("subresource");
    if (sub && sub !== "status") throw new KubectlError(`invalid subresource value: "${sub}". Must be one of [status]`);
    if (ctx.args.length === 0 && ctx.flags.list("filename").length === 0) {
      throw new KubectlError("You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'");
    }
    const { objects, errors } = await resolveObjects(ctx, ctx.args, { command: "kubectl edit", allowAll: true });
    if (errors.length) throw errors.length === 1 ? errors[0] : new AggregateError(errors);
    if (objects.length === 0) throw new KubectlError("edit cancelled, no objects found");
    return editLoop(ctx, objects, output === "json" ? "json" : "yaml");
  },
};

async function editLoop(ctx: Ctx, infos: Info[], format: "yaml" | "json"): Promise<number> {
  const launch = ctx.env.edit;
  if (!launch) throw new KubectlError("kubectl edit needs an editor, and there is none here");
  const ext = format === "json" ? ".json" : ".yaml";
  let results: Results = { reasons: [], retryable: 0, notfound: 0, edit: 0, file: "" };
  let original = "";
  let edited = "";
  let file = "";
  let containsError = false;
  const stored = (path: string) => {
    if (path) ctx.err(`A copy of your changes has been stored to "${path}"\n`);
  };
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const shown = infos.length === 1 ? withoutManagedFields(infos[0].object) : { apiVersion: "v1", items: infos.map((i) => withoutManagedFields(i.object)), kind: "List", metadata: {} };
    let buf = format === "yaml" ? header(results.reasons) : "";
    if (!containsError) {
      buf += format === "json" ? `${goJson(shown as never, "    ")}\n` : toYaml(shown);
      original = buf;
    } else buf += manualStrip(edited);

    const editedDiff = edited;
    const r = await launch("kubectl-edit-", ext, buf);
    edited = r.text;
    file = r.file;
    if (containsError && stripComments(editedDiff) === stripComments(edited)) {
      stored(file);
      throw new KubectlError("Edit cancelled, no valid changes were saved.");
    }
    if (results.file) await ctx.env.removeFile?.(results.file);

    const invalid = validate(stripComments(edited));
    if (invalid) {
      results = { reasons: [], retryable: 0, notfound: 0, edit: 0, file };
      containsError = true;
      ctx.err(`${addError(results, new StatusError({ reason: "Invalid", code: 422, details: { causes: [{ field: "<nil>", message: `Invalid value: "The edited file failed validation": ${invalid}` }] } }), infos[0])}\n`);
      continue;
    }
    if (stripComments(original) === stripComments(edited)) {
      await ctx.env.removeFile?.(file);
      ctx.err("Edit cancelled, no changes made.\n");
      return 0;
    }
    if (!edited.split("\n").some((l) => l.trim() !== "" && !l.trim().startsWith("#"))) {
      await ctx.env.removeFile?.(file);
      ctx.err("Edit cancelled, saved file was empty.\n");
      return 0;
    }
    results = { reasons: [], retryable: 0, notfound: 0, edit: 0, file };

    let updated: Obj[];
    try {
      updated = parseEdited(edited);
    } catch (e) {
      containsError = true;
      results.reasons.push({ head: `The edited file had a syntax error: ${(e as Error).message}`, other: [] });
      continue;
    }
    containsError = false;
    try {
      for (const u of updated) {
        // resource.RequireNamespace: an object without a namespace gets the command's.
        if (infos[0].mapping.namespaced && !u.metadata?.namespace) u.metadata = { ...(u.metadata ?? {}), namespace: ctx.namespace };
        const ns = u.metadata?.namespace;
        if (ns && infos[0].mapping.namespaced && ns !== ctx.namespace) {
          throw new KubectlError(`the namespace from the provided object "${ns}" does not match the namespace "${ctx.namespace}". You must pass '--namespace=${ns}' to perform this operation.`);
        }
      }
      await visitToPatch(ctx, infos, updated, results);
    } catch (e) {
      stored(results.file);
      throw e;
    }
    if (results.retryable > 0) {
      ctx.err(`You can run \`kubectl replace -f ${file}\` to try this update again.\n`);
      return 1;
    }
    if (results.notfound > 0) {
      ctx.err(`The edits you made on deleted resources have been saved to "${file}"\n`);
      return 1;
    }
    if (results.edit === 0) {
      await ctx.env.removeFile?.(file);
      return 0;
    }
    if (results.reasons.length) containsError = true;
  }
  stored(file);
  throw new KubectlError("Edit cancelled, no valid changes were saved.");
}

async function visitToPatch(ctx: Ctx, infos: Info[], updated: Obj[], results: Results): Promise<void> {
  for (const u of updated) {
    const info = infos.find((i) => i.object.metadata?.uid === u.metadata?.uid);
    if (!info) throw new KubectlError(`no original object found for &unstructured.Unstructured{Object:${goSharpV(u)}}`);
    let edited = u;
    if (ctx.flags.bool("save-config")) edited = withLastApplied(u) as Obj;
    // Managed fields were taken out for the editor; both sides get them back before comparing.
    edited = { ...edited, metadata: { ...edited.metadata, managedFields: info.object.metadata?.managedFields } } as Obj;
    if (edited.metadata.managedFields === undefined) delete edited.metadata.managedFields;
    if (goJson(info.object as never) === goJson(edited as never)) {
      printResult(ctx, info.mapping, info.object, "skipped", "none");
      continue;
    }
    const builtin = !info.mapping.group.includes(".") || info.mapping.group.endsWith(".k8s.io");
    const patch = (builtin ? twoWayMergePatch(info.object, edited, gvkKeyOf(info.object.apiVersion, info.object.kind)) : mergePatch(info.object, edited)) as Record<string, unknown>;
    const meta = patch.metadata as Record<string, unknown> | undefined;
    if ("apiVersion" in patch || "kind" in patch || "managedFields" in patch || (meta && "name" in meta)) {
      throw new KubectlError("At least one of apiVersion, kind and name was changed");
    }
    if (ctx.flags.bool("output-patch")) ctx.out(`Patch: ${goJson(patch as never)}\n`);
    const query: Record<string, string> = { fieldManager: ctx.str("field-manager"), fieldValidation: validation(ctx) };
    const sub = ctx.str("subresource");
    try {
      const result = await ctx.client.json<KubeObject>("PATCH", resourcePath(info.mapping, info.namespace, info.name, sub || undefined), {
        body: patch,
        contentType: builtin ? "application/strategic-merge-patch+json" : "application/merge-patch+json",
        query,
      });
      printResult(ctx, info.mapping, result, "edited", "none");
    } catch (e) {
      if (!(e instanceof StatusError)) throw e;
      ctx.err(`${addError(results, e, info)}\n`);
    }
  }
}

function validation(ctx: Ctx): string {
  const v = ctx.str("validate");
  if (v === "false" || v === "ignore") return "Ignore";
  if (v === "warn") return "Warn";
  return "Strict";
}

/** What the next round's header says, and the line printed now. Models editResults.addError. */
function addError(results: Results, e: StatusError, info: Info): string {
  const res = groupResource(info.mapping);
  if (e.reason === "Invalid") {
    results.edit++;
    results.reasons.push({ head: `${res} "${info.name}" was not valid`, other: (e.status.details?.causes ?? []).map((c) => `${c.field}: ${c.message}`) });
    return `error: ${res} "${info.name}" is invalid`;
  }
  if (isNotFound(e)) {
    results.notfound++;
    return `error: ${res} "${info.name}" could not be found on the server`;
  }
  results.retryable++;
  return `error: ${res} "${info.name}" could not be patched: ${e.message}`;
}

function header(reasons: Reason[]): string {
  let s = HEADER;
  for (const r of reasons) {
    s += r.other.length ? `# ${hashOnLineBreak(r.head)}:\n` : `# ${hashOnLineBreak(r.head)}\n`;
    for (const o of r.other) s += `# * ${hashOnLineBreak(o)}\n`;
    s += "#\n";
  }
  return s;
}

function hashOnLineBreak(s: string): string {
  return s.replace(/\n(?!#)/g, "\n# ");
}

/** Lines that are comments (`#`, not `#!`) dropped. Models cmdutil.ManualStrip. */
function manualStrip(text: string): string {
  return text
    .split("\n")
    .filter((l) => !(l.trim().startsWith("#") && !l.trim().startsWith("#!")))
    .join("\n");
}

/** The file's first document as JSON, or its text without comments when it does not parse. Models cmdutil.StripComments. */
function stripComments(text: string): string {
  try {
    const doc = YAML.parseDocument(text, { version: "1.1" });
    if (doc.errors.length) return manualStrip(text);
    return goJson((doc.toJS() ?? null) as never);
  } catch {
    return manualStrip(text);
  }
}

/** The client-side check before anything is sent: each object names its kind and apiVersion. */
function validate(json: string): string | undefined {
  let v: unknown;
  try {
    v = JSON.parse(json);
  } catch (e) {
    return `error converting YAML to JSON: ${(e as Error).message}`;
  }
  const o = v as { kind?: unknown; apiVersion?: unknown } | null;
  if (!o || typeof o !== "object" || !o.kind) return `Object 'Kind' is missing in '${json}'`;
  if (!o.apiVersion) return `Object 'apiVersion' is missing in '${json}'`;
  return undefined;
}

function parseEdited(text: string): Obj[] {
  const out: Obj[] = [];
  for (const d of YAML.parseAllDocuments(text, { version: "1.1" }) as YAML.Document[]) {
    if (d.errors.length) throw new Error(`error converting YAML to JSON: yaml: line ${d.errors[0].linePos?.[0]?.line ?? 1}: ${d.errors[0].message.split("\n")[0]}`);
    const v = d.toJS() as Obj | null;
    if (!v) continue;
    if (v.kind === "List" && Array.isArray(v.items)) out.push(...(v.items as Obj[]));
    else out.push(v);
  }
  return out;
}

function withoutManagedFields(o: Obj): Obj {
  if (!o.metadata?.managedFields) return o;
  const { managedFields: _, ...metadata } = o.metadata;
  return { ...o, metadata } as Obj;
}

/** A decoded JSON value as Go's `%#v` prints it (in an error message about an object). */
function goSharpV(v: unknown): string {
  if (v === null || v === undefined) return "interface {}(nil)";
  if (Array.isArray(v)) return `[]interface {}{${v.map(goSharpV).join(", ")}}`;
  if (typeof v === "object") {
    const o = v as Record<string, unknown>;
    return `map[string]interface {}{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${goSharpV(o[k])}`).join(", ")}}`;
  }
  return typeof v === "string" ? JSON.stringify(v) : String(v);
}
