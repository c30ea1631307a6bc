// `kubectl delete`: by name, `-f`, `-l`, `--all`, with `propagationPolicy: Background`, then — as
// kubectl does by default — waiting until each object is gone (graceful pod termination, namespace
// finalization), watching it. The wait ends on Ctrl-C, at `--timeout`, or at a bound of its own.
// Models staging/src/k8s.io/kubectl/pkg/cmd/delete/delete.go and cmd/wait (ForDeletion).
import type { KubeObject } from "../../resources/types";
import type { KubeList } from "../client";
import { DRY_RUN_FLAG, FILENAME_FLAGS, OUTPUT_FLAGS, SELECTOR_FLAG, type Command, type Ctx } from "../command";
import { resourcePath, type Mapping } from "../discovery";
import { AggregateError, isNotFound, KubectlError } from "../errors";
import { mappingOf, namespaceOf, readManifests, resourceArgs } from "../resource";
import { readWatch } from "../watch";
import { dryRunOf, type DryRun } from "./common";
import { itemsOf } from "./get";

/** How long the console waits for a deletion to finish when no --timeout is given (wall time). */
const DEFAULT_WAIT_MS = 120_000;

export interface Victim {
  mapping: Mapping;
  namespace: string;
  name: string;
}

const NEED_RESOURCES =
  "You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'";

function kindString(m: Mapping): string {
  return m.group ? `${m.kind.toLowerCase()}.${m.group}` : m.kind.toLowerCase();
}

export const deleteCommand: Command = {
  name: "delete",
  flags: [
    ...OUTPUT_FLAGS,
    ...FILENAME_FLAGS,
    SELECTOR_FLAG,
    DRY_RUN_FLAG,
    { name: "all", type: "bool" },
    { name: "all-namespaces", short: "A", type: "bool" },
    { name: "field-selector", type: "string", default: "" },
    { name: "force", type: "bool" },
    { name: "grace-period", type: "int", default: -1 },
    { name: "now", type: "bool" },
    { name: "ignore-not-found", type: "bool" },
    { name: "wait", type: "bool", default: true },
    { name: "timeout", type: "string", default: "0s" },
    { name: "cascade", type: "string", default: "background", noOptDefault: "background" },
    { name: "interactive", short: "i", type: "bool" },
    { name: "raw", type: "string", default: "" },
  ],
  async run(ctx) {
    const f = ctx.flags;
    const files = f.list("filename");
    if (ctx.args.length === 0 && files.length === 0) throw new KubectlError(NEED_RESOURCES);
    const dryRun = dryRunOf(ctx);
    let grace = f.int("grace-period");
    if (f.bool("now")) {
      if (grace !== -1) throw new KubectlError("--now and --grace-period cannot be specified together");
      grace = 1;
    }
    if (f.bool("force") && grace === -1) grace = 0;
    if (grace === 0 && !f.bool("force")) throw new KubectlError("--grace-period=0 must have --force specified");
    if (grace === 0 || (f.bool("force") && grace !== -1)) {
      ctx.err("Warning: Immediate deletion does not wait for confirmation that the running resource has been terminated. The resource may continue to run on the cluster indefinitely.\n");
    }
    const cascade = f.str("cascade");
    const policy = cascade === "orphan" || cascade === "false" ? "Orphan" : cascade === "foreground" ? "Foreground" : "Background";
    const ignoreNotFound = f.bool("ignore-not-found") || ((f.bool("all") || !!f.str("selector")) && !f.changed("ignore-not-found"));
    const disc = await ctx.discovery();
    const victims: Victim[] = [];
    const errors: Error[] = [];
    let listed = false;
    if (files.length) {
      for (const m of readManifests(ctx, files, f.bool("recursive"))) {
        const mapping = mappingOf(disc, m);
        victims.push({ mapping, namespace: namespaceOf(ctx, mapping, m.object), name: m.object.metadata?.name ?? "" });
      }
    } else {
      for (const t of resourceArgs(disc, ctx.args, "kubectl delete")) {
        const ns = t.mapping.namespaced ? ctx.namespace : "";
        if (t.name !== undefined) {
          victims.push({ mapping: t.mapping, namespace: ns, name: t.name });
          continue;
        }
        if (!f.bool("all") && !f.str("selector") && !f.str("field-selector")) throw new KubectlError("resource(s) were provided, but no name was specified");
        listed = true;
        const query: Record<string, string> = {};
        if (f.str("selector")) query.labelSelector = f.str("selector");
        if (f.str("field-selector")) query.fieldSelector = f.str("field-selector");
        const list = await ctx.client.get<KubeList>(resourcePath(t.mapping, f.bool("all-namespaces") ? undefined : ns), query);
        for (const o of itemsOf(list)) victims.push({ mapping: t.mapping, namespace: o.metadata.namespace ?? "", name: o.metadata.name ?? "" });
      }
    }
    const deleted: { victim: Victim; uid?: string }[] = [];
    for (const v of victims) {
      try {
        const uid = await deleteOne(ctx, v, dryRun, grace, policy);
        deleted.push({ victim: v, uid });
        printDeletion(ctx, v, grace, dryRun);
      } catch (e) {
        if (isNotFound(e) && ignoreNotFound) continue;
        errors.push(e as Error);
      }
    }
    if (deleted.length === 0 && errors.length === 0 && (listed || victims.length === 0)) ctx.out("No resources found\n");
    if (f.bool("wait") && dryRun === "none" && grace !== 0) {
      const waitErrors = await waitForDeletion(ctx, deleted);
      errors.push(...waitErrors);
    }
    if (errors.length) throw errors.length === 1 ? errors[0] : new AggregateError(errors);
  },
};

export async function deleteOne(ctx: Ctx, v: Victim, dryRun: DryRun, grace: number, policy: string): Promise<string | undefined> {
  const path = resourcePath(v.mapping, v.namespace, v.name);
  if (dryRun === "client") {
    const o = await ctx.client.get<KubeObject>(path);
    return o.metadata.uid;
  }
  const body: Record<string, unknown> = { propagationPolicy: policy };
  if (grace >= 0) body.gracePeriodSeconds = grace;
  const res = await ctx.client.json<KubeObject & { details?: { uid?: string } }>("DELETE", path, { body, query: dryRun === "server" ? { dryRun: "All" } : undefined });
  return res.metadata?.uid ?? res.details?.uid;
}

export function printDeletion(ctx: Ctx, v: Victim, grace: number, dryRun: DryRun): void {
  let op = grace === 0 ? "force deleted" : "deleted";
  if (dryRun === "client") op += " (dry run)";
  if (dryRun === "server") op += " (server dry run)";
  if (ctx.str("output") === "name") ctx.out(`${kindString(v.mapping)}/${v.name}\n`);
  else ctx.out(`${kindString(v.mapping)} "${v.name}" ${op}\n`);
}

function parseDuration(s: string): number {
  let ms = 0;
  for (const m of s.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) ms += Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as "ms" | "s" | "m" | "h"];
  return ms;
}

/** Waits until every deleted object is gone (or replaced by another with a new uid). */
export async function waitForDeletion(ctx: Ctx, deleted: { victim: Victim; uid?: string }[]): Promise<Error[]> {
  const errors: Error[] = [];
  const timeoutMs = parseDuration(ctx.str("timeout")) || DEFAULT_WAIT_MS;
  for (const { victim: v, uid } of deleted) {
    await ctx.env.settle();
    const gone = await goneOrWatch(ctx, v, uid, timeoutMs);
    if (gone === "interrupted") return errors;
    if (gone === "timeout") errors.push(new KubectlError(`timed out waiting for the condition on ${v.mapping.resource}${v.mapping.group ? `.${v.mapping.group}` : ""}/${v.name}`));
  }
  return errors;
}

async function goneOrWatch(ctx: Ctx, v: Victim, uid: string | undefined, timeoutMs: number): Promise<"gone" | "timeout" | "interrupted"> {
  let current: KubeObject;
  try {
    current = await ctx.client.get<KubeObject>(resourcePath(v.mapping, v.namespace, v.name));
  } catch (e) {
    if (isNotFound(e)) return "gone";
    throw e;
  }
  if (uid && current.metadata.uid !== uid) return "gone";
  const abort = new AbortController();
  const onAbort = () => abort.abort();
  ctx.env.signal.addEventListener("abort", onAbort);
  // Wall time: how long the person at the terminal is kept waiting.
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  let result = "timeout" as "gone" | "timeout" | "interrupted";
  try {
    const res = await ctx.client.raw("GET", resourcePath(v.mapping, v.namespace), {
      query: { fieldSelector: `metadata.name=${v.name}`, resourceVersion: current.metadata.resourceVersion, watch: "true" },
      headers: {},
    });
    await readWatch(res, abort.signal, (ev) => {
      const o = ev.object as KubeObject;
      if (ev.type === "DELETED" || (uid && o?.metadata?.uid && o.metadata.uid !== uid)) {
        result = "gone";
        abort.abort();
      }
    });
  } finally {
    clearTimeout(timer);
    ctx.env.signal.removeEventListener("abort", onAbort);
  }
  if (result !== "gone" && ctx.env.signal.aborted) return "interrupted";
  return result;
}
