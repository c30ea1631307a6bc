// `kubectl describe TYPE [NAME_PREFIX]`, `TYPE/NAME`, `-f`, `-l`, `-A`: the objects described one
// after another, a missing exact name falling back to every object whose name starts with it.
// Models staging/src/k8s.io/kubectl/pkg/cmd/describe/describe.go (Run, DescribeMatchingResources).
import type { KubeObject } from "../../resources/types";
import type { KubeList } from "../client";
import { FILENAME_FLAGS, SELECTOR_FLAG, type Command } from "../command";
import { resourcePath, type Mapping } from "../discovery";
import { AggregateError, isNotFound, KubectlError } from "../errors";
import { describeContext, describeObject } from "../describe/index";
import { mappingOf, namespaceOf, readManifests, resourceArgs } from "../resource";
import { itemsOf } from "./get";

const NEED = `You must specify the type of resource to describe. Use "kubectl api-resources" for a complete list of supported resources.\n`;

export const describeCommand: Command = {
  name: "describe",
  flags: [...FILENAME_FLAGS, SELECTOR_FLAG, { name: "all-namespaces", short: "A", type: "bool" }, { name: "show-events", type: "bool", default: true }, { name: "chunk-size", type: "int", default: 500 }],
  async run(ctx) {
    const f = ctx.flags;
    const files = f.list("filename");
    if (ctx.args.length === 0 && files.length === 0) {
      ctx.err(NEED);
      throw new KubectlError("Required resource not specified.", 1, "help");
    }
    const disc = await ctx.discovery();
    const all = f.bool("all-namespaces");
    const objects: { mapping: Mapping; object: KubeObject }[] = [];
    const errors: Error[] = [];
    let notFound: Error | undefined;
    if (files.length) {
      for (const m of readManifests(ctx, files, f.bool("recursive"))) {
        const mapping = mappingOf(disc, m);
        try {
          objects.push({ mapping, object: await ctx.client.get<KubeObject>(resourcePath(mapping, namespaceOf(ctx, mapping, m.object), m.object.metadata.name)) });
        } catch (e) {
          errors.push(e as Error);
        }
      }
    } else {
      for (const t of resourceArgs(disc, ctx.args, "kubectl describe")) {
        const ns = t.mapping.namespaced ? ctx.namespace : "";
        if (t.name !== undefined) {
          try {
            objects.push({ mapping: t.mapping, object: await ctx.client.get<KubeObject>(resourcePath(t.mapping, ns, t.name)) });
          } catch (e) {
            if (isNotFound(e) && ctx.args.length === 2) notFound = e as Error;
            else errors.push(e as Error);
          }
          continue;
        }
        const query: Record<string, string> = { limit: String(f.int("chunk-size") || 500) };
        if (f.str("selector")) query.labelSelector = f.str("selector");
        const list = await ctx.client.get<KubeList>(resourcePath(t.mapping, all ? undefined : ns), query);
        for (const o of itemsOf(list)) objects.push({ mapping: t.mapping, object: o });
      }
    }
    if (notFound) {
      // `describe pods web` describes every pod whose name starts with "web".
      const t = resourceArgs(disc, [ctx.args[0]], "kubectl describe")[0];
      const list = await ctx.client.get<KubeList>(resourcePath(t.mapping, t.mapping.namespaced ? ctx.namespace : undefined));
      const matching = itemsOf(list).filter((o) => (o.metadata.name ?? "").startsWith(ctx.args[1]));
      if (!matching.length) throw notFound;
      for (const o of matching) objects.push({ mapping: t.mapping, object: o });
    }
    if (objects.length === 0 && errors.length === 0) {
      ctx.err(all ? "No resources found\n" : `No resources found in ${ctx.namespace} namespace.\n`);
      return 0;
    }
    const d = describeContext(ctx, f.bool("show-events"));
    let first = true;
    for (const { mapping, object } of objects) {
      try {
        const s = await describeObject(d, mapping.group, object);
        ctx.out(first ? s : `\n\n${s}`);
        first = false;
      } catch (e) {
        errors.push(e as Error);
      }
    }
    if (errors.length) throw errors.length === 1 ? errors[0] : new AggregateError(errors);
    return 0;
  },
};
