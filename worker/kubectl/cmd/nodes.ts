// `kubectl patch`, and the node commands that are patches: cordon, uncordon, taint.
// Models staging/src/k8s.io/kubectl/pkg/cmd/{patch/patch.go,drain/cordon.go,taint/taint.go}.
import YAML from "yaml";
import type { KubeObject } from "../../resources/types";
import { DRY_RUN_FLAG, FIELD_MANAGER, FILENAME_FLAGS, OUTPUT_FLAGS, SELECTOR_FLAG, type Command, type Ctx } from "../command";
import { resourcePath, type Mapping } from "../discovery";
import { AggregateError, KubectlError } from "../errors";
import { dryRunOf, printResult, writeQuery, type DryRun } from "./common";
import { resolveObjects } from "./modify";

const NEED_RESOURCES =
  "You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'";

const sameJson = (a: unknown, b: unknown) => JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === "object") return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
  return v;
}

const PATCH_TYPES: Record<string, string> = { strategic: "application/strategic-merge-patch+json", merge: "application/merge-patch+json", json: "application/json-patch+json" };

export const patchCommand: Command = {
  name: "patch",
  flags: [...OUTPUT_FLAGS, ...FILENAME_FLAGS, DRY_RUN_FLAG, FIELD_MANAGER("kubectl-patch"), { name: "patch", short: "p", type: "string", default: "" }, { name: "patch-file", type: "string", default: "" }, { name: "type", type: "string", default: "strategic" }, { name: "local", type: "bool" }, { name: "subresource", type: "string", default: "" }],
  async run(ctx) {
    let text = ctx.str("patch");
    if (ctx.str("patch-file")) {
      const t = ctx.env.files.read(ctx.str("patch-file"));
      if (t === undefined) throw new KubectlError(`unable to read patch file: open ${ctx.str("patch-file")}: no such file or directory`);
      text = t;
    }
    if (!text) throw new KubectlError("must specify -p to patch", 1, "help");
    const type = ctx.str("type");
    const contentType = PATCH_TYPES[type];
    if (!contentType) throw new KubectlError(`--type must be one of [json merge strategic], not "${type}"`, 1, "help");
    // kubectl accepts YAML and sends JSON.
    let body: string;
    try {
      body = JSON.stringify(YAML.parse(text, { version: "1.1" }));
    } catch (e) {
      throw new KubectlError(`unable to parse "${text}": ${(e as Error).message.split("\n")[0]}`);
    }
    if (ctx.args.length === 0 && !ctx.flags.list("filename").length) throw new KubectlError(NEED_RESOURCES, 1, "help");
    const dryRun = dryRunOf(ctx);
    const { objects, errors } = await resolveObjects(ctx, ctx.args, { command: "kubectl patch" });
    for (const o of objects) {
      try {
        const patched = await ctx.client.json<KubeObject>("PATCH", resourcePath(o.mapping, o.namespace, o.name, ctx.str("subresource") || undefined), { body, contentType, query: writeQuery(dryRun, ctx.str("field-manager")) });
        printResult(ctx, o.mapping, patched, sameJson(o.object, patched) ? "patched (no change)" : "patched", dryRun);
      } catch (e) {
        errors.push(e as Error);
      }
    }
    if (errors.length) throw errors.length === 1 ? errors[0] : new AggregateError(errors);
  },
};

function cordonCommand(name: "cordon" | "uncordon"): Command {
  const on = name === "cordon";
  return {
    name,
    flags: [SELECTOR_FLAG, DRY_RUN_FLAG],
    async run(ctx) {
      if (ctx.args.length === 0 && !ctx.str("selector")) throw new KubectlError(`USAGE: ${name} NODE [flags]\nSee '${ctx.path} -h' for help and examples`);
      const dryRun = dryRunOf(ctx);
      const args = ctx.args.length ? ["nodes", ...ctx.args] : ["nodes"];
      const { objects, errors } = await resolveObjects(ctx, args, { command: `kubectl ${name}` });
      await cordonNodes(ctx, objects, on, dryRun);
      if (errors.length) throw errors.length === 1 ? errors[0] : new AggregateError(errors);
    },
  };
}

/** Models drain.go RunCordonOrUncordon: `node/x cordoned`, or `already cordoned` (both with the dry-run suffix). */
export async function cordonNodes(ctx: Ctx, nodes: { mapping: Mapping; name: string; object: KubeObject }[], on: boolean, dryRun: DryRun): Promise<void> {
  const verb = on ? "cordoned" : "uncordoned";
  const suffix = dryRun === "client" ? " (dry run)" : dryRun === "server" ? " (server dry run)" : "";
  for (const o of nodes) {
    const unschedulable = !!(o.object.spec as { unschedulable?: boolean } | undefined)?.unschedulable;
    if (unschedulable === on) {
      ctx.out(`node/${o.name} already ${verb}${suffix}\n`);
      continue;
    }
    if (dryRun !== "client") {
      try {
        await ctx.client.json("PATCH", resourcePath(o.mapping, "", o.name), { body: { spec: { unschedulable: on ? true : null } }, contentType: "application/strategic-merge-patch+json", query: writeQuery(dryRun) });
      } catch (e) {
        ctx.err(`error: unable to ${on ? "cordon" : "uncordon"} node ${JSON.stringify(o.name)}: ${(e as Error).message}\n`);
        continue;
      }
    }
    ctx.out(`node/${o.name} ${verb}${suffix}\n`);
  }
}

interface Taint {
  key: string;
  value?: string;
  effect: string;
}

const EFFECTS = ["NoSchedule", "PreferNoSchedule", "NoExecute"];

/** `key=value:Effect` to add, `key[:Effect]-` to remove. Models taint/utils.go ParseTaints. */
function parseTaints(specs: string[]): { add: Taint[]; remove: { key: string; effect?: string }[] } {
  const add: Taint[] = [];
  const remove: { key: string; effect?: string }[] = [];
  for (const s of specs) {
    if (s.endsWith("-")) {
      const [key, effect] = s.slice(0, -1).split(":");
      if (effect && !EFFECTS.includes(effect)) throw new KubectlError(`invalid taint effect: ${effect}, unsupported taint effect`);
      remove.push({ key, effect });
      continue;
    }
    const colon = s.lastIndexOf(":");
    if (colon < 0) throw new KubectlError(`invalid taint spec: ${s}`);
    const effect = s.slice(colon + 1);
    if (!EFFECTS.includes(effect)) throw new KubectlError(`invalid taint spec: ${s}, unsupported taint effect`);
    const kv = s.slice(0, colon);
    const eq = kv.indexOf("=");
    add.push(eq < 0 ? { key: kv, effect } : { key: kv.slice(0, eq), value: kv.slice(eq + 1), effect });
  }
  return { add, remove };
}

export const taintCommand: Command = {
  name: "taint",
  flags: [...OUTPUT_FLAGS, SELECTOR_FLAG, DRY_RUN_FLAG, FIELD_MANAGER("kubectl-taint"), { name: "overwrite", type: "bool" }, { name: "all", type: "bool" }, { name: "validate", type: "string", default: "strict", noOptDefault: "strict" }],
  async run(ctx) {
    const isTaint = (a: string) => a.includes(":") || a.includes("=") || a.endsWith("-");
    const specs = ctx.args.filter((a, i) => i > 0 && isTaint(a));
    const resources = ctx.args.filter((a, i) => i === 0 || !isTaint(a));
    if (!specs.length) throw new KubectlError("at least one taint update is required");
    if (resources.length === 0) throw new KubectlError(NEED_RESOURCES, 1, "help");
    const { add, remove } = parseTaints(specs);
    const dryRun = dryRunOf(ctx);
    const { objects, errors } = await resolveObjects(ctx, resources.length === 1 && !resources[0].includes("/") && ctx.flags.bool("all") ? resources : resources, { command: "kubectl taint" });
    for (const o of objects) {
      try {
        const current = ((o.object.spec as { taints?: Taint[] } | undefined)?.taints ?? []).map((t) => ({ ...t }));
        let next = [...current];
        let op = "tainted";
        for (const t of add) {
          const same = next.findIndex((x) => x.key === t.key && x.effect === t.effect);
          if (same >= 0) {
            if (!ctx.flags.bool("overwrite")) throw new KubectlError(`node ${o.name} already has ${t.key} taint(s) with same effect(s) and --overwrite is false`);
            next[same] = t;
            op = "modified";
          } else next.push(t);
        }
        for (const r of remove) {
          const before = next.length;
          next = next.filter((x) => !(x.key === r.key && (!r.effect || x.effect === r.effect)));
          if (next.length === before) throw new KubectlError(`taint "${r.key}${r.effect ? `:${r.effect}` : ""}" not found`);
          op = add.length ? "modified" : "untainted";
        }
        if (dryRun !== "client") {
          const body = { spec: { taints: next.map((t) => (t.value === undefined ? { effect: t.effect, key: t.key } : { effect: t.effect, key: t.key, value: t.value })) } };
          await ctx.client.json("PATCH", resourcePath(o.mapping, "", o.name), { body, contentType: "application/strategic-merge-patch+json", query: writeQuery(dryRun, ctx.str("field-manager"), { fieldValidation: "Strict" }) });
        }
        printResult(ctx, o.mapping, o.object, op, dryRun);
      } catch (e) {
        errors.push(e as Error);
      }
    }
    if (errors.length) throw errors.length === 1 ? errors[0] : new AggregateError(errors);
  },
};

export const cordon = cordonCommand("cordon");
export const uncordon = cordonCommand("uncordon");

export type { Ctx };
