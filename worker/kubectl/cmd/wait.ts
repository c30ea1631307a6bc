// `kubectl wait --for=delete|create|condition=X[=v]|jsonpath='{…}'[=v]`: each object checked, then
// watched until it qualifies, all within one --timeout (30s of wall time by default — the sandbox's
// controllers act meanwhile if its clock runs).
// Models staging/src/k8s.io/kubectl/pkg/cmd/wait/{wait,delete,condition,json,create}.go.
import type { KubeObject } from "../../resources/types";
import type { KubeList, Query } from "../client";
import { FILENAME_FLAGS, OUTPUT_FLAGS, SELECTOR_FLAG, type Command, type Ctx } from "../command";
import { resourcePath, type Mapping } from "../discovery";
import { AggregateError, isNotFound, KubectlError, StatusError } from "../errors";
import { JsonPath, goFormat } from "../printers/jsonpath";
import { mappingOf, namespaceOf, readManifests, resourceArgs } from "../resource";
import { readWatch } from "../watch";
import { printResult } from "./common";
import { itemsOf } from "./get";

type Check = (o: KubeObject) => boolean;

type Condition = { kind: "delete" } | { kind: "create" } | { kind: "check"; check: Check };

interface Info {
  mapping: Mapping;
  namespace: string;
  name: string;
  object?: KubeObject;
  error?: Error;
}

const TIMED_OUT = "timed out waiting for the condition";
const WEEK_MS = 168 * 3_600_000;

export const waitCommand: Command = {
  name: "wait",
  flags: [
    ...OUTPUT_FLAGS,
    ...FILENAME_FLAGS,
    SELECTOR_FLAG,
    { name: "field-selector", type: "string", default: "" },
    { name: "all", type: "bool" },
    { name: "all-namespaces", short: "A", type: "bool" },
    { name: "local", type: "bool" },
    { name: "for", type: "string", default: "" },
    { name: "timeout", type: "string", default: "30s" },
  ],
  async run(ctx) {
    const output = ctx.str("output");
    if (output && output !== "name" && output !== "yaml" && output !== "json" && !output.startsWith("jsonpath")) {
      throw new KubectlError(`unable to match a printer suitable for the output format "${output}", allowed formats are: go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,yaml`);
    }
    const cond = conditionFor(ctx.str("for"));
    let timeoutMs = durationMs(ctx.str("timeout"));
    if (timeoutMs < 0) timeoutMs = WEEK_MS;
    const deadline = Date.now() + timeoutMs;

    if (cond.kind === "create") return waitForCreate(ctx, deadline, timeoutMs === 0);
    const infos = await findInfos(ctx);
    const errors: Error[] = [];
    let visited = 0;
    for (const info of infos) {
      if (info.error) {
        if (!(cond.kind === "delete" && isNotFound(info.error))) errors.push(info.error);
        continue;
      }
      visited++;
      try {
        const r = cond.kind === "delete" ? await untilDeleted(ctx, info, deadline, timeoutMs === 0) : await untilChecked(ctx, info, cond.check, deadline, timeoutMs === 0);
        if (r === "interrupted") return 130;
        if (r) printResult(ctx, info.mapping, r, "condition met", "none");
      } catch (e) {
        errors.push(e as Error);
      }
    }
    if (errors.length) throw errors.length === 1 ? errors[0] : new AggregateError(errors);
    if (visited === 0 && cond.kind !== "delete") throw new KubectlError("no matching resources found");
    return 0;
  },
};

/** Models conditionFuncFor. */
function conditionFor(spec: string): Condition {
  if (spec.toLowerCase() === "delete") return { kind: "delete" };
  if (spec.toLowerCase() === "create") return { kind: "create" };
  if (spec.startsWith("condition=")) {
    let name = spec.slice("condition=".length);
    let want = "true";
    const eq = name.indexOf("=");
    if (eq >= 0) {
      want = name.slice(eq + 1);
      name = name.slice(0, eq);
    }
    return { kind: "check", check: (o) => conditionMet(o, name, want) };
  }
  if (spec.startsWith("jsonpath=")) {
    const parts = splitJsonPathInput(spec.slice("jsonpath=".length));
    if (parts.length < 1 || parts.length > 2) throw new KubectlError("jsonpath wait format must be --for=jsonpath='{.status.readyReplicas}'=3 or --for=jsonpath='{.status.readyReplicas}'");
    const expr = relaxed(parts[0]);
    let value = "";
    if (parts.length === 2) {
      value = parts[1].replace(/^['"]+|['"]+$/g, "");
      if (!value) throw new KubectlError("jsonpath wait has to have a value after equal sign, like --for=jsonpath='{.status.readyReplicas}'=3");
    }
    if (!expr) throw new KubectlError("jsonpath expression cannot be empty");
    const jp = new JsonPath(expr);
    return { kind: "check", check: (o) => jsonPathMet(jp, o, value) };
  }
  throw new KubectlError(`unrecognized condition: ${JSON.stringify(spec)}`);
}

function conditionMet(o: KubeObject, name: string, want: string): boolean {
  const status = (o as { status?: { conditions?: { type?: string; status?: string; observedGeneration?: number }[]; observedGeneration?: number } }).status;
  for (const c of status?.conditions ?? []) {
    if (typeof c.type !== "string" || c.type.toLowerCase() !== name.toLowerCase() || typeof c.status !== "string") continue;
    const generation = o.metadata?.generation;
    if (typeof generation === "number") {
      const observed = c.observedGeneration ?? status?.observedGeneration;
      if (typeof observed === "number" && observed < generation) return false;
    }
    return c.status.toLowerCase() === want.toLowerCase();
  }
  return false;
}

function jsonPathMet(jp: JsonPath, o: KubeObject, want: string): boolean {
  const results = jp.findResults(o as never);
  if (results.length === 0 || results[0].length === 0) return false;
  if (results.length > 1) throw new KubectlError("given jsonpath expression matches more than one list");
  if (results[0].length > 1) throw new KubectlError("given jsonpath expression matches more than one value");
  if (!want) return true;
  const v = results[0][0];
  if (v !== null && typeof v === "object") throw new KubectlError("jsonpath leads to a nested object or list which is not supported");
  return goFormat(v).trim() === want.trim();
}

/** Splits on single `=`; `==` stays in the expression. */
function splitJsonPathInput(input: string): string[] {
  const out: string[] = [];
  let cur = "";
  for (let i = 0; i < input.length; i++) {
    if (input[i] === "=") {
      if (input[i + 1] === "=") {
        cur += "==";
        i++;
        continue;
      }
      out.push(cur);
      cur = "";
      continue;
    }
    cur += input[i];
  }
  out.push(cur);
  return out;
}

/** Models cmd/get RelaxedJSONPathExpression. */
function relaxed(expr: string): string {
  if (!expr) return "";
  const m = /^\{\.?([^{}]+)\}$|^\.?([^{}]+)$/.exec(expr);
  if (!m) throw new KubectlError("unexpected path string, expected a 'name1.name2' or '.name1.name2' or '{name1.name2}' or '{.name1.name2}'");
  return `{.${m[1] ?? m[2]}}`;
}

function durationMs(s: string): number {
  const neg = s.startsWith("-");
  let ms = 0;
  const body = neg ? s.slice(1) : s;
  if (/^\d+(\.\d+)?$/.test(body)) {
    if (Number(body) !== 0) throw new KubectlError(`invalid argument "${s}" for "--timeout" flag: time: missing unit in duration "${s}"`);
    return 0;
  }
  for (const m of body.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) ms += Number(m[1]) * { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as "ms"];
  return neg ? -ms : ms;
}

/** The objects named (`TYPE NAME`, `TYPE/NAME`, `-f`) or selected (`-l`, `--all`), each fetched now. */
async function findInfos(ctx: Ctx): Promise<Info[]> {
  const disc = await ctx.discovery();
  const out: Info[] = [];
  const fetch = async (mapping: Mapping, namespace: string, name: string) => {
    try {
      out.push({ mapping, namespace, name, object: await ctx.client.get<KubeObject>(resourcePath(mapping, namespace, name)) });
    } catch (e) {
      if (!(e instanceof StatusError)) throw e;
      out.push({ mapping, namespace, name, error: e });
    }
  };
  const files = ctx.flags.list("filename");
  if (files.length) {
    for (const m of readManifests(ctx, files, ctx.flags.bool("recursive"))) {
      const mapping = mappingOf(disc, m);
      await fetch(mapping, namespaceOf(ctx, mapping, m.object), m.object.metadata.name ?? "");
    }
    return out;
  }
  if (ctx.args.length === 0) {
    throw new KubectlError("You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'");
  }
  const selector = ctx.str("selector");
  const fieldSelector = ctx.str("field-selector");
  const allNs = ctx.flags.bool("all-namespaces");
  for (const t of resourceArgs(disc, ctx.args, "kubectl wait")) {
    const ns = t.mapping.namespaced ? ctx.namespace : "";
    if (t.name !== undefined) {
      await fetch(t.mapping, ns, t.name);
      continue;
    }
    if (!selector && !fieldSelector && !ctx.flags.bool("all") && !allNs) throw new KubectlError("resource(s) were provided, but no name was specified");
    const query: Query = {};
    if (selector) query.labelSelector = selector;
    if (fieldSelector) query.fieldSelector = fieldSelector;
    const list = await ctx.client.get<KubeList>(resourcePath(t.mapping, allNs ? "" : ns), query);
    for (const o of itemsOf(list)) out.push({ mapping: t.mapping, namespace: o.metadata.namespace ?? "", name: o.metadata.name ?? "", object: o });
  }
  return out;
}

function timedOut(info: Info): KubectlError {
  return new KubectlError(`${TIMED_OUT} on ${info.mapping.resource}/${info.name}`);
}

/** Models IsDeleted: met when the object is gone or another with its name (a new uid) took its place. */
async function untilDeleted(ctx: Ctx, info: Info, deadline: number, once: boolean): Promise<KubeObject | undefined | "interrupted"> {
  const path = resourcePath(info.mapping, info.namespace, info.name);
  let live: KubeObject;
  try {
    live = await ctx.client.get<KubeObject>(path);
  } catch (e) {
    if (isNotFound(e)) return info.object;
    throw e;
  }
  const uid = info.object?.metadata?.uid;
  if (uid && live.metadata.uid !== uid) return live;
  if (once) throw new KubectlError(`condition not met for ${info.mapping.resource}/${info.name}`);
  const r = await watchUntil(ctx, info, live.metadata.resourceVersion ?? "", deadline, (type, o) => type === "DELETED" || (!!uid && o?.metadata?.uid !== undefined && o.metadata.uid !== uid));
  if (r === "timeout") throw timedOut(info);
  if (r === "interrupted") return r;
  return live;
}

/** Models getObjAndCheckCondition: the object now, then its changes, until `check` holds. */
async function untilChecked(ctx: Ctx, info: Info, check: Check, deadline: number, once: boolean): Promise<KubeObject | "interrupted"> {
  const path = resourcePath(info.mapping, info.namespace, info.name);
  const live = await ctx.client.get<KubeObject>(path);
  if (check(live)) return live;
  if (once) throw new KubectlError(`condition not met for ${info.mapping.resource}/${info.name}`);
  let met: KubeObject | undefined;
  const r = await watchUntil(ctx, info, live.metadata.resourceVersion ?? "", deadline, (type, o) => {
    if (type === "DELETED") throw new StatusError({ reason: "NotFound", code: 404, message: `${info.mapping.group ? `${info.mapping.resource}.${info.mapping.group}` : info.mapping.resource} "${info.name}" not found` });
    if (o && check(o)) {
      met = o;
      return true;
    }
    return false;
  });
  if (r === "timeout") throw timedOut(info);
  if (r === "interrupted") return r;
  return met ?? live;
}

/** Watches one object from `rv` until `done` says so, the deadline passes, or Ctrl-C. */
async function watchUntil(ctx: Ctx, info: Info, rv: string, deadline: number, done: (type: string, o: KubeObject | undefined) => boolean): Promise<"met" | "timeout" | "interrupted"> {
  const remaining = deadline - Date.now();
  if (remaining <= 0) return "timeout";
  const abort = new AbortController();
  const onAbort = () => abort.abort();
  ctx.env.signal.addEventListener("abort", onAbort);
  const timer = setTimeout(() => abort.abort(), remaining);
  let result = "timeout" as "met" | "timeout" | "interrupted";
  let failure: unknown;
  try {
    const res = await ctx.client.raw("GET", resourcePath(info.mapping, info.namespace), {
      query: { fieldSelector: `metadata.name=${info.name}`, resourceVersion: rv, watch: "true" },
      headers: {},
    });
    await readWatch(res, abort.signal, (ev) => {
      if (result === "met" || failure) return;
      try {
        if (done(ev.type, ev.object as KubeObject | undefined)) {
          result = "met";
          abort.abort();
        }
      } catch (e) {
        failure = e;
        abort.abort();
      }
    });
  } finally {
    clearTimeout(timer);
    ctx.env.signal.removeEventListener("abort", onAbort);
  }
  if (failure) throw failure;
  if (result !== "met" && ctx.env.signal.aborted) return "interrupted";
  return result;
}

/** `--for=create`: each named object, once it exists. */
async function waitForCreate(ctx: Ctx, deadline: number, once: boolean): Promise<number> {
  const disc = await ctx.discovery();
  for (const t of resourceArgs(disc, ctx.args, "kubectl wait")) {
    if (t.name === undefined) throw new KubectlError("resource(s) were provided, but no name was specified");
    const ns = t.mapping.namespaced ? ctx.namespace : "";
    const path = resourcePath(t.mapping, ns, t.name);
    for (;;) {
      try {
        const o = await ctx.client.get<KubeObject>(path);
        printResult(ctx, t.mapping, o, "condition met", "none");
        break;
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
      if (once || Date.now() >= deadline) throw new KubectlError(TIMED_OUT);
      if (ctx.env.signal.aborted) return 130;
      // Creation is awaited by asking again; the cluster moves on between the questions.
      await ctx.env.settle();
      await new Promise((r) => setTimeout(r, Math.min(1000, Math.max(0, deadline - Date.now()))));
    }
  }
  return 0;
}
