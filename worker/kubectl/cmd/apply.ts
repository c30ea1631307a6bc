// `kubectl apply -f FILE|DIR|-`: client-side apply. Each object is created with the
// `kubectl.kubernetes.io/last-applied-configuration` annotation, or patched with the three-way
// strategic merge patch from that annotation, the file and the live object ("configured"), or left
// alone when the patch is empty ("unchanged"). `--server-side` sends an apply patch instead.
// Models staging/src/k8s.io/kubectl/pkg/cmd/apply/{apply.go,patcher.go} and util.GetModifiedConfiguration.
import type { KubeObject } from "../../resources/types";
import { threeWayMergePatch, gvkKeyOf } from "../apply/three-way";
import { DRY_RUN_FLAG, FIELD_MANAGER, FILENAME_FLAGS, OUTPUT_FLAGS, SELECTOR_FLAG, type Command, type Ctx } from "../command";
import { groupResource, resourcePath, type Mapping } from "../discovery";
import { AggregateError, isNotFound, KubectlError, StatusError } from "../errors";
import { goJson } from "../printers/jsonpath";
import { mappingOf, namespaceOf, readManifests } from "../resource";
import { dryRunOf, printResult, writeQuery } from "./common";

export const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

/** The object as JSON with the last-applied annotation taken out (an empty annotations map stays), plus a newline. */
export function lastAppliedOf(obj: KubeObject): string {
  const annotations = { ...(obj.metadata?.annotations ?? {}) };
  delete annotations[LAST_APPLIED];
  return `${goJson({ ...obj, metadata: { ...obj.metadata, annotations } })}\n`;
}

/** The object to send: annotated with its own configuration. */
export function withLastApplied(obj: KubeObject): KubeObject {
  const config = lastAppliedOf(obj);
  return { ...obj, metadata: { ...obj.metadata, annotations: { ...(obj.metadata?.annotations ?? {}), [LAST_APPLIED]: config } } };
}

export const applyCommand: Command = {
  name: "apply",
  flags: [
    ...OUTPUT_FLAGS,
    ...FILENAME_FLAGS,
    SELECTOR_FLAG,
    DRY_RUN_FLAG,
    FIELD_MANAGER("kubectl-client-side-apply"),
    { name: "server-side", type: "bool" },
    { name: "force-conflicts", type: "bool" },
    { name: "validate", type: "string", default: "strict", noOptDefault: "strict" },
    { name: "overwrite", type: "bool", default: true },
    { name: "prune", type: "bool" },
    { name: "all", type: "bool" },
    { name: "force", type: "bool" },
    { name: "wait", type: "bool" },
    { name: "grace-period", type: "int", default: -1 },
    { name: "cascade", type: "string", default: "background", noOptDefault: "background" },
    { name: "record", type: "bool" },
    { name: "save-config", type: "bool" },
    { name: "openapi-patch", type: "bool", default: true },
    { name: "timeout", type: "string", default: "0s" },
  ],
  sub: [
    { name: "view-last-applied", flags: [...OUTPUT_FLAGS, ...FILENAME_FLAGS, SELECTOR_FLAG, { name: "all", type: "bool" }], run: viewLastApplied },
  ],
  async run(ctx) {
    const files = ctx.flags.list("filename");
    if (files.length === 0) throw new KubectlError("must specify one of -f and -k", 1, "help");
    if (ctx.args.length) throw new KubectlError(`Unexpected args: [${ctx.args.join(" ")}]`, 1, "help");
    const dryRun = dryRunOf(ctx);
    const disc = await ctx.discovery();
    const manifests = readManifests(ctx, files, ctx.flags.bool("recursive"));
    if (manifests.length === 0) throw new KubectlError("no objects passed to apply");
    const errors: Error[] = [];
    for (const m of manifests) {
      try {
        const mapping = mappingOf(disc, m);
        const obj = structuredClone(m.object);
        obj.metadata ??= {};
        const ns = namespaceOf(ctx, mapping, obj);
        if (mapping.namespaced) obj.metadata.namespace = ns;
        if (!obj.metadata.name && !obj.metadata.generateName) throw new KubectlError(`error when retrieving current configuration of:\nResource: "${groupResource(mapping)}", GroupVersionKind: "${gvk(mapping)}"\nName: "", Namespace: "${ns}"\nfrom server for: "${m.source}": resource name may not be empty`);
        if (ctx.flags.bool("server-side")) await serverSide(ctx, mapping, ns, obj, dryRun);
        else await clientSide(ctx, mapping, ns, obj, dryRun, m.source);
      } catch (e) {
        errors.push(e as Error);
      }
    }
    if (errors.length) throw errors.length === 1 ? errors[0] : new AggregateError(errors);
    return 0;
  },
};

function gvk(m: Mapping): string {
  return `${m.group ? `${m.group}/` : "/"}${m.version}, Kind=${m.kind}`;
}

async function clientSide(ctx: Ctx, mapping: Mapping, ns: string, obj: KubeObject, dryRun: "none" | "client" | "server", source: string): Promise<void> {
  const name = obj.metadata.name ?? "";
  const path = resourcePath(mapping, ns, name);
  const manager = ctx.str("field-manager");
  let current: KubeObject | undefined;
  try {
    current = await ctx.client.get<KubeObject>(path);
  } catch (e) {
    if (!isNotFound(e)) throw withContext(e as Error, "retrieving current configuration of", mapping, ns, name, source);
  }
  const modified = withLastApplied(obj);
  if (!current) {
    if (dryRun === "client") return printResult(ctx, mapping, modified, "created", dryRun);
    const created = await ctx.client.json<KubeObject>("POST", resourcePath(mapping, ns), { body: modified, query: writeQuery(dryRun, manager, { fieldValidation: "Strict" }) }).catch((e) => {
      throw withContext(e as Error, "creating", mapping, ns, name, source);
    });
    return printResult(ctx, mapping, created, "created", dryRun);
  }
  const originalText = current.metadata?.annotations?.[LAST_APPLIED];
  if (originalText === undefined) {
    ctx.err(
      `Warning: resource ${groupResource(mapping)}/${name} is missing the ${LAST_APPLIED} annotation which is required by kubectl apply. kubectl apply should only be used on resources created declaratively by either kubectl create --save-config or kubectl apply. The missing annotation will be patched automatically.\n`,
    );
  }
  let original: Record<string, unknown> | undefined;
  try {
    original = originalText ? (JSON.parse(originalText) as Record<string, unknown>) : undefined;
  } catch {
    original = undefined;
  }
  const patch = threeWayMergePatch(original, modified as unknown as Record<string, unknown>, current as unknown as Record<string, unknown>, gvkKeyOf(obj.apiVersion, obj.kind));
  if (Object.keys(patch).length === 0) return printResult(ctx, mapping, current, "unchanged", dryRun);
  if (dryRun === "client") return printResult(ctx, mapping, current, "configured", dryRun);
  const patched = await ctx.client
    .json<KubeObject>("PATCH", path, { body: patch, contentType: "application/strategic-merge-patch+json", query: writeQuery(dryRun, manager, { fieldValidation: "Strict" }) })
    .catch((e) => {
      throw withContext(e as Error, "applying patch:\n" + `${goJson(patch)}\nto:\n`, mapping, ns, name, source, true);
    });
  printResult(ctx, mapping, patched, "configured", dryRun);
}

async function serverSide(ctx: Ctx, mapping: Mapping, ns: string, obj: KubeObject, dryRun: "none" | "client" | "server"): Promise<void> {
  const name = obj.metadata.name ?? "";
  const manager = ctx.flags.changed("field-manager") ? ctx.str("field-manager") : "kubectl";
  const query = writeQuery(dryRun, manager, { fieldValidation: "Strict", force: String(ctx.flags.bool("force-conflicts")) });
  const res = await ctx.client.raw("PATCH", resourcePath(mapping, ns, name), { body: JSON.stringify(obj), contentType: "application/apply-patch+yaml", query });
  const text = await res.text();
  if (res.status >= 400) {
    const { statusErrorOf } = await import("../client");
    throw statusErrorOf(res.status, text);
  }
  printResult(ctx, mapping, JSON.parse(text) as KubeObject, "serverside-applied", dryRun);
}

/** kubectl's wrapping of a failed step (`Error from server (AlreadyExists): error when creating "x.yaml": …`). Models cmdutil.AddSourceToErr. */
function withContext(e: Error, action: string, mapping: Mapping, ns: string, name: string, source: string, patch = false): Error {
  if (e instanceof KubectlError) return e;
  const what = patch ? `${action}Resource: "${groupResource(mapping)}", GroupVersionKind: "${gvk(mapping)}"\nName: "${name}", Namespace: "${ns}"\nfor:` : action;
  const message = `error when ${what} "${source}": ${e.message}`;
  if (e instanceof StatusError) return new StatusError({ ...e.status, message });
  return new KubectlError(message);
}

async function viewLastApplied(ctx: Ctx): Promise<number> {
  const { namedTargets, getObject } = await import("./common");
  const targets = await namedTargets(ctx, ctx.args, "kubectl apply view-last-applied");
  const output = ctx.str("output") || "yaml";
  for (const t of targets) {
    if (!t.name) throw new KubectlError("You must specify the resource name");
    const obj = await getObject(ctx, t.mapping, ctx.namespace, t.name);
    const text = obj.metadata?.annotations?.[LAST_APPLIED];
    if (text === undefined) throw new KubectlError(`no last-applied-configuration annotation found on resource: ${t.name}`);
    const { toYaml } = await import("../printers/yaml");
    const v = JSON.parse(text) as unknown;
    ctx.out(output === "json" ? `${JSON.stringify(v, null, 2)}\n` : toYaml(v));
  }
  return 0;
}
