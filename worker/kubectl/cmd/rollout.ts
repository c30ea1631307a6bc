// `kubectl rollout status|history|undo|restart|pause|resume` for Deployments (and status, history
// and restart for DaemonSets and StatefulSets).
// Models staging/src/k8s.io/kubectl/pkg/cmd/rollout/*.go and polymorphichelpers (rollout_status.go,
// history.go, rollback.go, objectrestarter.go, objectpauser.go, objectresumer.go).
import type { KubeObject } from "../../resources/types";
import { twoWayMergePatch, gvkKeyOf } from "../apply/three-way";
import type { KubeList } from "../client";
import { DRY_RUN_FLAG, FIELD_MANAGER, FILENAME_FLAGS, OUTPUT_FLAGS, SELECTOR_FLAG, type Command, type Ctx } from "../command";
import { groupResource, kindPrefix, resourcePath, type Mapping } from "../discovery";
import { AggregateError, KubectlError } from "../errors";
import { tabwrite, DESCRIBE_OPTIONS } from "../printers/tabwriter";
import { readWatch } from "../watch";
import { dryRunOf, printResult, writeQuery } from "./common";
import { describePodTemplate } from "../describe/pod-template";
import { resolveObjects } from "./modify";
import { itemsOf } from "./get";

type Obj = KubeObject & { spec?: Record<string, unknown>; status?: Record<string, unknown> };

const REVISION = "deployment.kubernetes.io/revision";
const CHANGE_CAUSE = "kubernetes.io/change-cause";
const HASH_LABEL = "pod-template-hash";

const NEED_RESOURCES =
  "You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'";

function requireResources(ctx: Ctx): void {
  if (ctx.args.length === 0 && ctx.flags.list("filename").length === 0) throw new KubectlError(NEED_RESOURCES);
}

// --- status ---

interface Status {
  text: string;
  done: boolean;
}

export function rolloutStatus(o: Obj): Status {
  const name = o.metadata.name ?? "";
  const spec = o.spec ?? {};
  const st = (o.status ?? {}) as Record<string, number | undefined> & { conditions?: { type: string; reason?: string }[]; updateRevision?: string; currentRevision?: string };
  const gen = o.metadata.generation ?? 0;
  const observed = (st.observedGeneration as number | undefined) ?? 0;
  switch (o.kind) {
    case "Deployment": {
      if (gen <= observed) {
        const cond = st.conditions?.find((c) => c.type === "Progressing");
        if (cond?.reason === "ProgressDeadlineExceeded") throw new KubectlError(`deployment "${name}" exceeded its progress deadline`);
        const replicas = spec.replicas as number | undefined;
        const updated = st.updatedReplicas ?? 0;
        if (replicas !== undefined && updated < replicas) return { text: `Waiting for deployment "${name}" rollout to finish: ${updated} out of ${replicas} new replicas have been updated...\n`, done: false };
        if ((st.replicas ?? 0) > updated) return { text: `Waiting for deployment "${name}" rollout to finish: ${(st.replicas ?? 0) - updated} old replicas are pending termination...\n`, done: false };
        if ((st.availableReplicas ?? 0) < updated) return { text: `Waiting for deployment "${name}" rollout to finish: ${st.availableReplicas ?? 0} of ${updated} updated replicas are available...\n`, done: false };
        return { text: `deployment "${name}" successfully rolled out\n`, done: true };
      }
      return { text: "Waiting for deployment spec update to be observed...\n", done: false };
    }
    case "DaemonSet": {
      if ((spec.updateStrategy as { type?: string } | undefined)?.type !== "RollingUpdate") throw new KubectlError("rollout status is only available for RollingUpdate strategy type");
      if (gen <= observed) {
        const updated = st.updatedNumberScheduled ?? 0;
        const desired = st.desiredNumberScheduled ?? 0;
        if (updated < desired) return { text: `Waiting for daemon set "${name}" rollout to finish: ${updated} out of ${desired} new pods have been updated...\n`, done: false };
        if ((st.numberAvailable ?? 0) < desired) return { text: `Waiting for daemon set "${name}" rollout to finish: ${st.numberAvailable ?? 0} of ${desired} updated pods are available...\n`, done: false };
        return { text: `daemon set "${name}" successfully rolled out\n`, done: true };
      }
      return { text: "Waiting for daemon set spec update to be observed...\n", done: false };
    }
    case "StatefulSet": {
      const strategy = spec.updateStrategy as { type?: string; rollingUpdate?: { partition?: number } } | undefined;
      if (strategy?.type !== "RollingUpdate") throw new KubectlError("rollout status is only available for RollingUpdate strategy type");
      if (observed === 0 || gen > observed) return { text: "Waiting for statefulset spec update to be observed...\n", done: false };
      const replicas = spec.replicas as number | undefined;
      if (replicas !== undefined && (st.readyReplicas ?? 0) < replicas) return { text: `Waiting for ${replicas - (st.readyReplicas ?? 0)} pods to be ready...\n`, done: false };
      if (strategy.rollingUpdate) {
        const partition = strategy.rollingUpdate.partition;
        if (replicas !== undefined && partition !== undefined && (st.updatedReplicas ?? 0) < replicas - partition) {
          return { text: `Waiting for partitioned roll out to finish: ${st.updatedReplicas ?? 0} out of ${replicas - partition} new pods have been updated...\n`, done: false };
        }
        return { text: `partitioned roll out complete: ${st.updatedReplicas ?? 0} new pods have been updated...\n`, done: true };
      }
      if (st.updateRevision !== st.currentRevision) return { text: `waiting for statefulset rolling update to complete ${st.updatedReplicas ?? 0} pods at revision ${st.updateRevision}...\n`, done: false };
      return { text: `statefulset rolling update complete ${st.currentReplicas ?? 0} pods at revision ${st.currentRevision}...\n`, done: true };
    }
  }
  throw new KubectlError(`no status viewer has been implemented for ${o.kind}`);
}

const status: Command = {
  name: "status",
  flags: [...FILENAME_FLAGS, SELECTOR_FLAG, { name: "watch", short: "w", type: "bool", default: true }, { name: "revision", type: "int", default: 0 }, { name: "timeout", type: "string", default: "0s" }],
  async run(ctx) {
    requireResources(ctx);
    const { objects, errors } = await resolveObjects(ctx, ctx.args, { command: "kubectl rollout status" });
    if (errors.length) throw errors[0];
    if (objects.length !== 1) throw new KubectlError(`rollout status is only supported on individual resources and resource collections - ${objects.length} resources were found`);
    const o = objects[0];
    let s = rolloutStatus(o.object);
    ctx.out(s.text);
    if (s.done || !ctx.flags.bool("watch")) return 0;
    const res = await ctx.client.raw("GET", resourcePath(o.mapping, o.namespace), {
      query: { allowWatchBookmarks: "true", fieldSelector: `metadata.name=${o.name}`, resourceVersion: o.object.metadata.resourceVersion, timeoutSeconds: "540", watch: "true" },
    });
    let failure: Error | undefined;
    const abort = new AbortController();
    const onAbort = () => abort.abort();
    ctx.env.signal.addEventListener("abort", onAbort);
    try {
      await readWatch(res, abort.signal, (ev) => {
        if (ev.type === "DELETED") {
          failure = new KubectlError("object has been deleted");
          abort.abort();
          return;
        }
        if (ev.type !== "ADDED" && ev.type !== "MODIFIED") return;
        try {
          s = rolloutStatus(ev.object as Obj);
        } catch (e) {
          failure = e as Error;
          abort.abort();
          return;
        }
        ctx.out(s.text);
        if (s.done) abort.abort();
      });
    } finally {
      ctx.env.signal.removeEventListener("abort", onAbort);
    }
    if (failure) throw failure;
    return s.done ? 0 : 1;
  },
};

// --- history ---

/** The ReplicaSets a Deployment owns (selected by its selector and controlled by it). */
async function ownedReplicaSets(ctx: Ctx, d: Obj, namespace: string): Promise<Obj[]> {
  const disc = await ctx.discovery();
  const rsMapping = disc.mustFind("replicasets.apps");
  const sel = ((d.spec?.selector as { matchLabels?: Record<string, string> }) ?? {}).matchLabels ?? {};
  const labelSelector = Object.entries(sel)
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
  const list = await ctx.client.get<KubeList>(resourcePath(rsMapping, namespace), labelSelector ? { labelSelector } : {});
  return (itemsOf(list) as Obj[]).filter((rs) => rs.metadata.ownerReferences?.some((r) => r.controller && r.uid === d.metadata.uid));
}

async function revisions(ctx: Ctx, o: { mapping: Mapping; namespace: string; object: Obj }): Promise<Map<number, { annotations: Record<string, string>; template: unknown }>> {
  const out = new Map<number, { annotations: Record<string, string>; template: unknown }>();
  if (o.object.kind === "Deployment") {
    for (const rs of await ownedReplicaSets(ctx, o.object, o.namespace)) {
      const rev = Number(rs.metadata.annotations?.[REVISION]);
      if (Number.isFinite(rev) && rs.metadata.annotations?.[REVISION] !== undefined) out.set(rev, { annotations: rs.metadata.annotations ?? {}, template: rs.spec?.template });
    }
    return out;
  }
  const disc = await ctx.discovery();
  const list = await ctx.client.get<KubeList>(resourcePath(disc.mustFind("controllerrevisions.apps"), o.namespace));
  for (const cr of itemsOf(list) as (Obj & { revision?: number; data?: { spec?: { template?: unknown } } })[]) {
    if (!cr.metadata.ownerReferences?.some((r) => r.controller && r.uid === o.object.metadata.uid)) continue;
    out.set(cr.revision ?? 0, { annotations: cr.metadata.annotations ?? {}, template: cr.data?.spec?.template });
  }
  return out;
}

const history: Command = {
  name: "history",
  flags: [...OUTPUT_FLAGS, ...FILENAME_FLAGS, SELECTOR_FLAG, { name: "revision", type: "int", default: 0 }],
  async run(ctx) {
    requireResources(ctx);
    const { objects, errors } = await resolveObjects(ctx, ctx.args, { command: "kubectl rollout history" });
    for (const o of objects) {
      if (!["Deployment", "DaemonSet", "StatefulSet"].includes(o.object.kind)) {
        errors.push(new KubectlError(`no history viewer has been implemented for ${o.object.kind}`));
        continue;
      }
      const revs = await revisions(ctx, o);
      const wanted = ctx.flags.int("revision");
      let body: string;
      if (wanted > 0) {
        const r = revs.get(wanted);
        if (!r) {
          errors.push(new KubectlError("unable to find the specified revision"));
          continue;
        }
        const template = structuredClone(r.template) as { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> } };
        body = describePodTemplate(template as never);
      } else {
        let table = "REVISION\tCHANGE-CAUSE\n";
        for (const rev of [...revs.keys()].sort((a, b) => a - b)) table += `${rev}\t${revs.get(rev)!.annotations[CHANGE_CAUSE] || "<none>"}\n`;
        body = tabwrite(table, DESCRIBE_OPTIONS);
      }
      const withRevision = wanted > 0 ? `with revision #${wanted}` : "";
      ctx.out(`${kindPrefix(o.mapping)}/${o.name} ${withRevision}\n${body}\n`);
    }
    if (errors.length) throw errors.length === 1 ? errors[0] : new AggregateError(errors);
  },
};

// --- undo ---

const SKIP_ANNOTATIONS = new Set([
  "kubectl.kubernetes.io/last-applied-configuration",
  REVISION,
  "deployment.kubernetes.io/revision-history",
  "deployment.kubernetes.io/desired-replicas",
  "deployment.kubernetes.io/max-replicas",
  "deprecated.deployment.rollback.to",
]);

function withoutHash(t: unknown): unknown {
  const c = structuredClone(t) as { metadata?: { labels?: Record<string, string> } };
  if (c?.metadata?.labels) delete c.metadata.labels[HASH_LABEL];
  return c;
}

function sameJson(a: unknown, b: unknown): boolean {
  const norm = (v: unknown): unknown => (Array.isArray(v) ? v.map(norm) : v && typeof v === "object" ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, norm((v as Record<string, unknown>)[k])])) : v);
  return JSON.stringify(norm(a)) === JSON.stringify(norm(b));
}

const undo: Command = {
  name: "undo",
  flags: [...OUTPUT_FLAGS, ...FILENAME_FLAGS, SELECTOR_FLAG, DRY_RUN_FLAG, { name: "to-revision", type: "int", default: 0 }],
  async run(ctx) {
    requireResources(ctx);
    const dryRun = dryRunOf(ctx);
    const { objects, errors } = await resolveObjects(ctx, ctx.args, { command: "kubectl rollout undo" });
    for (const o of objects) {
      try {
        if (o.object.kind !== "Deployment") throw new KubectlError(`no rollbacker has been implemented for "${o.object.kind}"`);
        const d = o.object as Obj;
        if (d.spec?.paused) throw new KubectlError(`you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' and try again`);
        const toRevision = ctx.flags.int("to-revision");
        const rss = await ownedReplicaSets(ctx, d, o.namespace);
        // Models polymorphichelpers/rollback.go deploymentRevision.
        let target: Obj | undefined;
        let latest = -1;
        let latestRs: Obj | undefined;
        let previous = -1;
        for (const rs of rss) {
          const raw = rs.metadata.annotations?.[REVISION];
          if (raw === undefined || !/^\d+$/.test(raw)) continue;
          const v = Number(raw);
          if (toRevision === 0) {
            if (latest < v) {
              previous = latest;
              target = latestRs;
              latest = v;
              latestRs = rs;
            } else if (previous < v) {
              previous = v;
              target = rs;
            }
          } else if (toRevision === v) {
            target = rs;
            break;
          }
        }
        if (toRevision > 0 && !target) throw new KubectlError(`unable to find specified revision ${toRevision} in history`);
        if (!target) throw new KubectlError(`no rollout history found for deployment "${o.name}"`);
        const rev = Number(target.metadata.annotations?.[REVISION]);
        if (sameJson(withoutHash(target.spec?.template), withoutHash(d.spec?.template))) {
          ctx.out(`${kindPrefix(o.mapping)}/${o.name} skipped rollback (current template already matches revision ${rev})\n`);
          continue;
        }
        const annotations: Record<string, string> = {};
        for (const k of SKIP_ANNOTATIONS) if (d.metadata.annotations?.[k] !== undefined) annotations[k] = d.metadata.annotations[k];
        for (const [k, v] of Object.entries(target.metadata.annotations ?? {})) if (!SKIP_ANNOTATIONS.has(k)) annotations[k] = v;
        const patch = [
          { op: "replace", path: "/spec/template", value: withoutHash(target.spec?.template) },
          { op: "replace", path: "/metadata/annotations", value: annotations },
        ];
        if (dryRun !== "client") {
          await ctx.client.json("PATCH", resourcePath(o.mapping, o.namespace, o.name), { body: patch, contentType: "application/json-patch+json", query: writeQuery(dryRun) }).catch((e: Error) => {
            throw new KubectlError(`failed restoring revision ${rev}: ${e.message}`);
          });
        }
        printResult(ctx, o.mapping, d, "rolled back", dryRun);
      } catch (e) {
        errors.push(e as Error);
      }
    }
    if (errors.length) throw errors.length === 1 ? errors[0] : new AggregateError(errors);
  },
};

// --- restart, pause, resume: patches of the object computed from a change ---

function patchCommand(name: "restart" | "pause" | "resume", change: (ctx: Ctx, o: Obj) => string | undefined, verb: string): Command {
  return {
    name,
    // These three have no --dry-run in kubectl 1.32.
    flags: [...OUTPUT_FLAGS, ...FILENAME_FLAGS, SELECTOR_FLAG, FIELD_MANAGER("kubectl-rollout")],
    async run(ctx) {
      requireResources(ctx);
      const dryRun = "none" as "none" | "client" | "server";
      const { objects, errors } = await resolveObjects(ctx, ctx.args, { command: `kubectl rollout ${name}` });
      for (const o of objects) {
        try {
          const updated = structuredClone(o.object) as Obj;
          const refusal = change(ctx, updated);
          if (refusal) throw new KubectlError(refusal.replace("%s", `${groupResource(o.mapping)} "${o.name}"`));
          const patch = twoWayMergePatch(o.object, updated, gvkKeyOf(o.object.apiVersion, o.object.kind));
          let result: KubeObject = updated;
          if (dryRun !== "client" && Object.keys(patch).length) {
            result = await ctx.client.json("PATCH", resourcePath(o.mapping, o.namespace, o.name), { body: patch, contentType: "application/strategic-merge-patch+json", query: writeQuery(dryRun, ctx.str("field-manager")) });
          }
          printResult(ctx, o.mapping, result, verb, dryRun);
        } catch (e) {
          errors.push(e as Error);
        }
      }
      if (errors.length) throw errors.length === 1 ? errors[0] : new AggregateError(errors);
    },
  };
}

function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}

const restart = patchCommand(
  "restart",
  (ctx, o) => {
    if (!["Deployment", "DaemonSet", "StatefulSet"].includes(o.kind)) return `restarting is not supported`;
    if (o.kind === "Deployment" && o.spec?.paused) return "can't restart paused deployment (run rollout resume first)";
    const t = (o.spec!.template ??= {}) as { metadata?: { annotations?: Record<string, string> } };
    t.metadata ??= {};
    t.metadata.annotations = { ...(t.metadata.annotations ?? {}), "kubectl.kubernetes.io/restartedAt": rfc3339(ctx.env.now()) };
    return undefined;
  },
  "restarted",
);

const pause = patchCommand(
  "pause",
  (_ctx, o) => {
    if (o.kind !== "Deployment") return `pausing is not supported`;
    if (o.spec?.paused) return "%s is already paused";
    o.spec!.paused = true;
    return undefined;
  },
  "paused",
);

const resume = patchCommand(
  "resume",
  (_ctx, o) => {
    if (o.kind !== "Deployment") return `resuming is not supported`;
    if (!o.spec?.paused) return "%s is not paused";
    delete o.spec.paused;
    return undefined;
  },
  "resumed",
);

export const rolloutCommand: Command = { name: "rollout", flags: [], sub: [history, pause, restart, resume, status, undo] };
