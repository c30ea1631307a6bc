// Pieces the commands that change objects share: dry-run, field managers, the `kind/name verb`
// lines (or `-o` output) they print, finding one object by `TYPE NAME` or `TYPE/NAME`.
import type { KubeObject } from "../../resources/types";
import type { Query } from "../client";
import type { Ctx } from "../command";
import { kindPrefix, resourcePath, type Mapping } from "../discovery";
import { KubectlError } from "../errors";
import { parseOutput, printObject } from "../printers/index";
import { resourceArgs, type Target } from "../resource";

export type DryRun = "none" | "client" | "server";

// Models kubectl/pkg/cmd/util/helpers.go GetDryRunStrategy.
export function dryRunOf(ctx: Ctx): DryRun {
  const v = ctx.str("dry-run");
  switch (v) {
    case "":
    case "none":
    case "false":
      return "none";
    case "client":
      return "client";
    case "server":
      return "server";
    case "unchanged":
    case "true":
      ctx.err(`W${klogStamp(ctx)}] --dry-run is deprecated and can be replaced with --dry-run=client.\n`);
      return "client";
  }
  throw new KubectlError(`Invalid dry-run value (${v}). Must be "none", "server", or "client".`);
}

function klogStamp(ctx: Ctx): string {
  const d = new Date(ctx.env.now());
  const pad = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds() * 1000, 6)}       1 helpers.go:703`;
}

/** Query parameters of a write: `dryRun=All` and the field manager. */
export function writeQuery(dryRun: DryRun, fieldManager?: string, extra: Query = {}): Query {
  const q: Query = { ...extra };
  if (dryRun === "server") q.dryRun = "All";
  if (fieldManager) q.fieldManager = fieldManager;
  return q;
}

/** What a command prints for an object it changed: `deployment.apps/web created`, or the object in `-o`. */
export function printResult(ctx: Ctx, mapping: Mapping, obj: KubeObject, verb: string, dryRun: DryRun, typed = false): void {
  const output = ctx.flags.parsed.flags.has("output") ? ctx.str("output") : "";
  const suffix = dryRun === "client" ? " (dry run)" : dryRun === "server" ? " (server dry run)" : "";
  const name = `${kindPrefix(mapping)}/${obj.metadata?.name ?? ""}`;
  if (!output) {
    ctx.out(`${name} ${verb}${suffix}\n`);
    return;
  }
  const o = parseOutput(output, false);
  if (o.kind === "name") {
    ctx.out(`${name}\n`);
    return;
  }
  ctx.out(printObject(o, obj, () => name, ctx.flags.bool("show-managed-fields"), typed));
}

/** `TYPE NAME` or `TYPE/NAME` naming exactly the objects a command acts on. */
export async function namedTargets(ctx: Ctx, args: string[], command: string): Promise<Target[]> {
  const disc = await ctx.discovery();
  return resourceArgs(disc, args, command);
}

export async function getObject(ctx: Ctx, mapping: Mapping, namespace: string, name: string): Promise<KubeObject> {
  return ctx.client.get<KubeObject>(resourcePath(mapping, namespace, name));
}

export function apiVersionOf(m: Mapping): string {
  return m.group ? `${m.group}/${m.version}` : m.version;
}
