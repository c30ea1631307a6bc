// `kubectl replace -f`: each object from the files PUT over the live one (with the live
// resourceVersion when the file has none), or with --force deleted, waited for and created again.
// Models staging/src/k8s.io/kubectl/pkg/cmd/replace/replace.go and resource.Helper.Replace.
import type { KubeObject } from "../../resources/types";
import { DRY_RUN_FLAG, FIELD_MANAGER, FILENAME_FLAGS, OUTPUT_FLAGS, type Command, type Ctx } from "../command";
import { resourcePath, type Mapping } from "../discovery";
import { AggregateError, KubectlError, StatusError } from "../errors";
import { mappingOf, namespaceOf, readManifests, type Manifest } from "../resource";
import { LAST_APPLIED, withLastApplied } from "./apply";
import { dryRunOf, printResult, writeQuery, type DryRun } from "./common";
import { deleteOne, printDeletion, waitForDeletion } from "./delete";

export const replaceCommand: Command = {
  name: "replace",
  flags: [
    ...OUTPUT_FLAGS,
    ...FILENAME_FLAGS,
    DRY_RUN_FLAG,
    FIELD_MANAGER("kubectl-replace"),
    { name: "save-config", type: "bool" },
    { name: "validate", type: "string", default: "strict", noOptDefault: "strict" },
    { name: "force", type: "bool" },
    { name: "grace-period", type: "int", default: -1 },
    { name: "cascade", type: "string", default: "background", noOptDefault: "background" },
    { name: "wait", type: "bool" },
    { name: "timeout", type: "string", default: "0s" },
    { name: "raw", type: "string", default: "" },
    { name: "subresource", type: "string", default: "" },
  ],
  async run(ctx) {
    const files = ctx.flags.list("filename");
    if (files.length === 0) throw new KubectlError("must specify one of -f and -k");
    const dryRun = dryRunOf(ctx);
    if (ctx.flags.bool("force") && dryRun !== "none") throw new KubectlError("--dry-run can not be used when --force is set");
    const disc = await ctx.discovery();
    const manifests = readManifests(ctx, files, ctx.flags.bool("recursive"));
    if (ctx.flags.bool("force")) return forceReplace(ctx, manifests.map((m) => ({ m, mapping: mappingOf(disc, m) })));
    const errors: Error[] = [];
    for (const m of manifests) {
      try {
        const mapping = mappingOf(disc, m);
        const ns = namespaceOf(ctx, mapping, m.object);
        const obj = annotated(ctx, m.object);
        if (dryRun === "client") {
          printResult(ctx, mapping, obj, "replaced", dryRun);
          continue;
        }
        const replaced = await replaceOne(ctx, mapping, ns, obj, dryRun);
        printResult(ctx, mapping, replaced, "replaced", dryRun);
      } catch (e) {
        errors.push(withSource(e as Error, "replacing", m.source));
      }
    }
    if (errors.length) throw errors.length === 1 ? errors[0] : new AggregateError(errors);
  },
};

/** util.CreateOrUpdateAnnotation: --save-config writes the annotation; an existing one is kept current. */
function annotated(ctx: Ctx, obj: KubeObject): KubeObject {
  if (ctx.flags.bool("save-config") || obj.metadata?.annotations?.[LAST_APPLIED] !== undefined) return withLastApplied(obj);
  return obj;
}

async function replaceOne(ctx: Ctx, mapping: Mapping, ns: string, obj: KubeObject, dryRun: DryRun): Promise<KubeObject> {
  const path = resourcePath(mapping, ns, obj.metadata.name, ctx.str("subresource") || undefined);
  let body = obj;
  if (!obj.metadata.resourceVersion) {
    // Overwrite whatever is there now; a missing object gets the server's NotFound from the PUT.
    try {
      const live = await ctx.client.get<KubeObject>(path);
      body = { ...obj, metadata: { ...obj.metadata, resourceVersion: live.metadata.resourceVersion } };
    } catch (e) {
      if (!(e instanceof StatusError)) throw e;
    }
  }
  return ctx.client.json<KubeObject>("PUT", path, { body, query: writeQuery(dryRun, ctx.str("field-manager"), { fieldValidation: "Strict" }) });
}

async function forceReplace(ctx: Ctx, items: { m: Manifest; mapping: Mapping }[]): Promise<number> {
  const grace = ctx.flags.int("grace-period");
  const deleted = [];
  for (const { m, mapping } of items) {
    const victim = { mapping, namespace: namespaceOf(ctx, mapping, m.object), name: m.object.metadata.name ?? "" };
    try {
      const uid = await deleteOne(ctx, victim, "none", grace, cascadePolicy(ctx.str("cascade")));
      printDeletion(ctx, victim, grace, "none");
      deleted.push({ victim, uid });
    } catch (e) {
      // An object that is not there yet is simply created.
      if (!(e instanceof StatusError && e.reason === "NotFound")) throw withSource(e as Error, "deleting", m.source);
    }
  }
  const errors = await waitForDeletion(ctx, deleted);
  if (errors.length) throw errors.length === 1 ? errors[0] : new AggregateError(errors);
  for (const { m, mapping } of items) {
    const ns = namespaceOf(ctx, mapping, m.object);
    const { resourceVersion: _, ...metadata } = m.object.metadata;
    try {
      const created = await ctx.client.json<KubeObject>("POST", resourcePath(mapping, ns), { body: annotated(ctx, { ...m.object, metadata }), query: writeQuery("none", ctx.str("field-manager"), { fieldValidation: "Strict" }) });
      printResult(ctx, mapping, created, "replaced", "none");
    } catch (e) {
      throw withSource(e as Error, "creating", m.source);
    }
  }
  return 0;
}

function cascadePolicy(v: string): string {
  if (v === "foreground") return "Foreground";
  if (v === "orphan" || v === "false") return "Orphan";
  return "Background";
}

/** Models cmdutil.AddSourceToErr. */
function withSource(e: Error, action: string, source: string): Error {
  if (e instanceof StatusError) return new StatusError({ ...e.status, message: `error when ${action} "${source}": ${e.message}` });
  return e;
}
