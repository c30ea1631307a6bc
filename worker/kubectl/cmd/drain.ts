// `kubectl drain`: cordon the node, sort its pods through kubectl's filters (DaemonSet-managed,
// mirror, local storage, no controller), evict (or delete) the rest and wait until they are gone.
// Models staging/src/k8s.io/kubectl/pkg/cmd/drain/drain.go and pkg/drain/{drain,filters}.go.
import type { KubeObject } from "../../resources/types";
import type { KubeList, Query } from "../client";
import { DRY_RUN_FLAG, SELECTOR_FLAG, type Command, type Ctx } from "../command";
import { resourcePath } from "../discovery";
import { AggregateError, isNotFound, KubectlError, StatusError } from "../errors";
import { dryRunOf, type DryRun } from "./common";
import { itemsOf } from "./get";
import { resolveObjects } from "./modify";
import { cordonNodes } from "./nodes";

type Pod = KubeObject & {
  spec?: { volumes?: { emptyDir?: unknown }[] };
  status?: { phase?: string };
};

interface Status {
  delete: boolean;
  reason: "okay" | "skip" | "warning" | "error";
  message: string;
}

const okay = (): Status => ({ delete: true, reason: "okay", message: "" });
const skip = (): Status => ({ delete: false, reason: "skip", message: "" });
const warning = (del: boolean, message: string): Status => ({ delete: del, reason: "warning", message });
const failure = (message: string): Status => ({ delete: false, reason: "error", message });

// The wording of kubectl 1.32, its doubled "cannot delete" included.
const DAEMONSET_FATAL = "cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore)";
const DAEMONSET_WARNING = "ignoring DaemonSet-managed Pods";
const LOCAL_STORAGE_FATAL = "cannot delete Pods with local storage (use --delete-emptydir-data to override)";
const LOCAL_STORAGE_WARNING = "deleting Pods with local storage";
const UNMANAGED_FATAL = "cannot delete cannot delete Pods that declare no controller (use --force to override)";
const UNMANAGED_WARNING = "deleting Pods that declare no controller";

export const drainCommand: Command = {
  name: "drain",
  flags: [
    SELECTOR_FLAG,
    DRY_RUN_FLAG,
    { name: "force", type: "bool" },
    { name: "ignore-daemonsets", type: "bool" },
    { name: "delete-emptydir-data", type: "bool" },
    { name: "grace-period", type: "int", default: -1 },
    { name: "timeout", type: "string", default: "0s" },
    { name: "pod-selector", type: "string", default: "" },
    { name: "disable-eviction", type: "bool" },
    { name: "skip-wait-for-delete-timeout", type: "int", default: 0 },
    { name: "chunk-size", type: "int", default: 500 },
  ],
  async run(ctx) {
    if (ctx.args.length === 0 && !ctx.flags.changed("selector")) throw new KubectlError("USAGE: drain NODE [flags]", 1, "help");
    if (ctx.args.length > 0 && ctx.str("selector")) throw new KubectlError("cannot specify both a node name and a --selector option", 1, "help");
    const dryRun = dryRunOf(ctx);
    const podSelector = ctx.str("pod-selector");
    if (podSelector && !/^[\w./-]+(\s*(=|==|!=)\s*[\w./-]*)?(\s*,\s*!?[\w./-]+(\s*(=|==|!=)\s*[\w./-]*)?)*$/.test(podSelector.trim())) {
      throw new KubectlError("--pod-selector=<pod_selector> must be a valid label selector");
    }
    const { objects, errors } = await resolveObjects(ctx, ctx.args.length ? ["nodes", ...ctx.args] : ["nodes"], { command: "kubectl drain", allowAll: true });
    if (errors.length) throw errors[0];
    await cordonNodes(ctx, objects, true, dryRun);

    const fatal: Error[] = [];
    const remaining: string[] = [];
    for (const node of objects) {
      try {
        const r = await drainNode(ctx, node.name, dryRun);
        if (r === "interrupted") return 130;
        ctx.out(`node/${node.name} drained${dryRun === "client" ? " (dry run)" : dryRun === "server" ? " (server dry run)" : ""}\n`);
      } catch (e) {
        const err = e as Error;
        ctx.err(`error: unable to drain node ${JSON.stringify(node.name)} due to error: ${aggregateText(err)}, continuing command...\n`);
        fatal.push(err);
        remaining.push(node.name);
      }
    }
    if (remaining.length) ctx.err(`There are pending nodes to be drained:\n${remaining.map((n) => ` ${n}\n`).join("")}`);
    if (fatal.length) {
      // utilerrors.NewAggregate: checkErr prints each error on its own line, without "error: ".
      for (const e of fatal.flatMap((f) => (f instanceof AggregateError ? f.errors : [f]))) ctx.err(`${e.message}\n`);
      return 1;
    }
    return 0;
  },
};

/** An error as Go's %s prints it: an aggregate of several as `[a, b]`. */
function aggregateText(e: Error): string {
  if (e instanceof AggregateError) return e.errors.length === 1 ? e.errors[0].message : `[${e.errors.map((x) => x.message).join(", ")}]`;
  return e.message;
}

function controllerOf(p: Pod): { kind: string; name: string } | undefined {
  return (p.metadata.ownerReferences as { kind: string; name: string; controller?: boolean }[] | undefined)?.find((r) => r.controller);
}

const finished = (p: Pod) => p.status?.phase === "Succeeded" || p.status?.phase === "Failed";

/** Models Helper.GetPodsForDeletion: each pod's fate from the first filter that keeps it. */
async function podsForDeletion(ctx: Ctx, node: string): Promise<{ pod: Pod; status: Status }[]> {
  const query: Query = { fieldSelector: `spec.nodeName=${node}` };
  if (ctx.str("pod-selector")) query.labelSelector = ctx.str("pod-selector");
  const pods = itemsOf(await ctx.client.get<KubeList>("/api/v1/pods", query)) as Pod[];
  const force = ctx.flags.bool("force");
  const skipWait = ctx.flags.int("skip-wait-for-delete-timeout");
  const filters: ((p: Pod) => Promise<Status>)[] = [
    async (p) => {
      const ts = p.metadata.deletionTimestamp;
      if (skipWait > 0 && ts && (ctx.env.now() - Date.parse(ts)) / 1000 > skipWait) return skip();
      return okay();
    },
    async (p) => {
      const ref = controllerOf(p);
      if (!ref || ref.kind !== "DaemonSet" || finished(p)) return okay();
      try {
        await ctx.client.get(`/apis/apps/v1/namespaces/${p.metadata.namespace}/daemonsets/${ref.name}`);
      } catch (e) {
        if (isNotFound(e) && force) return warning(true, (e as Error).message);
        return failure((e as Error).message);
      }
      if (!ctx.flags.bool("ignore-daemonsets")) return failure(DAEMONSET_FATAL);
      return warning(false, DAEMONSET_WARNING);
    },
    async (p) => (p.metadata.annotations?.["kubernetes.io/config.mirror"] !== undefined ? skip() : okay()),
    async (p) => {
      if (!(p.spec?.volumes ?? []).some((v) => v.emptyDir !== undefined) || finished(p)) return okay();
      if (!ctx.flags.bool("delete-emptydir-data")) return failure(LOCAL_STORAGE_FATAL);
      return warning(true, LOCAL_STORAGE_WARNING);
    },
    async (p) => {
      if (finished(p) || controllerOf(p)) return okay();
      return force ? warning(true, UNMANAGED_WARNING) : failure(UNMANAGED_FATAL);
    },
  ];
  const out: { pod: Pod; status: Status }[] = [];
  for (const pod of pods) {
    let status = okay();
    for (const f of filters) {
      status = await f(pod);
      if (!status.delete) break;
    }
    out.push({ pod, status });
  }
  return out;
}

/** Messages with the pods they concern, `msg: ns/a, ns/b` (first seen first; kubectl's map order varies). */
function grouped(list: { pod: Pod; status: Status }[], reason: Status["reason"]): string[] {
  const by = new Map<string, string[]>();
  for (const { pod, status } of list) {
    if (status.reason !== reason) continue;
    const msg = status.message || "unexpected error";
    by.set(msg, [...(by.get(msg) ?? []), `${pod.metadata.namespace}/${pod.metadata.name}`]);
  }
  return [...by].map(([msg, pods]) => `${msg}: ${pods.join(", ")}`);
}

async function drainNode(ctx: Ctx, node: string, dryRun: DryRun): Promise<void | "interrupted"> {
  const list = await podsForDeletion(ctx, node);
  const errs = grouped(list, "error");
  if (errs.length) throw new AggregateError(errs.map((m) => new KubectlError(m)));
  const warnings = grouped(list, "warning");
  if (warnings.length) ctx.err(`Warning: ${warnings.join("; ")}\n`);
  const pods = list.filter((x) => x.status.delete).map((x) => x.pod);
  if (dryRun === "client") {
    for (const p of pods) ctx.out(`evicting pod ${p.metadata.namespace}/${p.metadata.name} (dry run)\n`);
    return;
  }
  if (pods.length === 0) return;
  try {
    return await (ctx.flags.bool("disable-eviction") ? deletePods(ctx, pods, dryRun) : evictPods(ctx, pods, dryRun));
  } catch (e) {
    const pending = (await podsForDeletion(ctx, node)).filter((x) => x.status.delete);
    if (pending.length) ctx.err(`There are pending pods in node ${JSON.stringify(node)} when an error occurred: ${aggregateText(e as Error)}\n${pending.map((x) => `pod/${x.pod.metadata.name}\n`).join("")}`);
    throw e;
  }
}

/** The order goroutines started one after another first run in: the last one, then the others. */
function goroutineOrder<T>(items: T[]): T[] {
  return items.length > 1 ? [items[items.length - 1], ...items.slice(0, -1)] : items;
}

async function evictPods(ctx: Ctx, pods: Pod[], dryRun: DryRun): Promise<void | "interrupted"> {
  const grace = ctx.flags.int("grace-period");
  const errors: Error[] = [];
  const waiting: Pod[] = [];
  for (const p of goroutineOrder(pods)) {
    const ns = p.metadata.namespace ?? "";
    const name = p.metadata.name ?? "";
    ctx.out(`evicting pod ${ns}/${name}${dryRun === "server" ? " (server dry run)" : ""}\n`);
    const body: Record<string, unknown> = { apiVersion: "policy/v1", kind: "Eviction", metadata: { name, namespace: ns } };
    const deleteOptions: Record<string, unknown> = {};
    if (grace >= 0) deleteOptions.gracePeriodSeconds = grace;
    if (dryRun === "server") deleteOptions.dryRun = ["All"];
    if (Object.keys(deleteOptions).length) body.deleteOptions = deleteOptions;
    try {
      await ctx.client.json("POST", `/api/v1/namespaces/${ns}/pods/${name}/eviction`, { body });
      if (dryRun !== "server") waiting.push(p);
      // kubectl's goroutines race to report; the pods' own order is what it shows most often.
      waiting.sort((a, b) => pods.indexOf(a) - pods.indexOf(b));
    } catch (e) {
      if (isNotFound(e)) continue;
      // A PodDisruptionBudget refusal (429) is retried by kubectl every 5s until the timeout; here it is reported.
      errors.push(new KubectlError(`error when evicting pods/${JSON.stringify(name)} -n ${JSON.stringify(ns)}: ${(e as Error).message}`));
    }
  }
  const r = await waitForDelete(ctx, waiting, "evicted", errors);
  if (errors.length) throw new AggregateError(errors);
  return r;
}

async function deletePods(ctx: Ctx, pods: Pod[], dryRun: DryRun): Promise<void | "interrupted"> {
  const grace = ctx.flags.int("grace-period");
  for (const p of pods) {
    const body: Record<string, unknown> = {};
    if (grace >= 0) body.gracePeriodSeconds = grace;
    try {
      await ctx.client.json("DELETE", resourcePath({ group: "", version: "v1", resource: "pods", namespaced: true }, p.metadata.namespace, p.metadata.name), { body, query: dryRun === "server" ? { dryRun: "All" } : undefined });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
  if (dryRun === "server") return;
  const errors: Error[] = [];
  const r = await waitForDelete(ctx, pods, "deleted", errors);
  if (errors.length) throw new AggregateError(errors);
  return r;
}

/** Asks after each pod every second (wall time, the cluster moving on between) until it is gone or replaced. */
async function waitForDelete(ctx: Ctx, pods: Pod[], verb: string, errors: Error[]): Promise<void | "interrupted"> {
  const timeoutMs = durationMs(ctx.str("timeout"));
  const deadline = timeoutMs > 0 ? Date.now() + timeoutMs : Infinity;
  let pending = [...pods];
  for (;;) {
    const still: Pod[] = [];
    for (const p of pending) {
      try {
        const live = await ctx.client.get<Pod>(resourcePath({ group: "", version: "v1", resource: "pods", namespaced: true }, p.metadata.namespace, p.metadata.name));
        if (live.metadata.uid !== p.metadata.uid) ctx.out(`pod/${p.metadata.name} ${verb}\n`);
        else still.push(p);
      } catch (e) {
        if (!(e instanceof StatusError) || !isNotFound(e)) throw e;
        ctx.out(`pod/${p.metadata.name} ${verb}\n`);
      }
    }
    pending = still;
    if (pending.length === 0) return;
    if (ctx.env.signal.aborted) return "interrupted";
    if (Date.now() >= deadline) {
      for (const p of pending) errors.push(new KubectlError(`error when waiting for pod ${JSON.stringify(p.metadata.name)} in namespace ${JSON.stringify(p.metadata.namespace)} to terminate: global timeout reached: ${ctx.str("timeout")}`));
      return;
    }
    await ctx.env.settle();
    await new Promise((r) => setTimeout(r, Math.min(1000, Math.max(0, deadline - Date.now()))));
  }
}

function durationMs(s: string): number {
  let ms = 0;
  for (const m of s.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) ms += Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as "ms"];
  return ms;
}
