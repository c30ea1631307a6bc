// pods/eviction: a deletion that respects PodDisruptionBudgets (what `kubectl drain` uses). A pod
// that is not running yet, finished or already terminating is simply deleted. A running pod covered
// by a budget is deleted only if the budget allows one more disruption, which the eviction takes
// (disruptionsAllowed − 1, the pod noted in disruptedPods) in the same write as the deletion;
// otherwise 429 "Cannot evict pod as it would violate the pod's disruption budget."
// Models pkg/registry/core/pod/storage/eviction.go EvictionREST.Create / checkAndDecrement / canIgnorePDB
import { findKind, storageKey } from "../resources/registry";
import type { KubeObject } from "../resources/types";
import { getCondition, updateCondition } from "../util/pod-condition";
import { labelSelectorFromSpec, matchesLabels, type LabelSelectorSpec } from "./selectors";
import { decodeObject, mediaType, readBody } from "./body";
import { decodeGoTypes } from "./openapi";
import type { ApiContext } from "./context";
import { deleteChanges, type DeleteOptions } from "./deletion";
import { badRequest, conflict, forbidden, KubeError, notFound } from "./status";
import type { WriteParams, WriteResult } from "./writes";
import type { Change } from "../store/object-store";

const POD = findKind({ group: "", version: "v1", kind: "Pod" })!;
const PDB = findKind({ group: "policy", version: "v1", kind: "PodDisruptionBudget" })!;

/** More unconfirmed evictions than this and the budget refuses (MaxDisruptedPodSize). */
const MAX_DISRUPTED_PODS = 2000;
const EVICTION_MESSAGE = "Cannot evict pod as it would violate the pod's disruption budget.";

function tooManyRequests(cause: string): KubeError {
  return new KubeError(429, "TooManyRequests", EVICTION_MESSAGE, { causes: [{ reason: "DisruptionBudget", message: cause }] });
}

function canIgnorePdb(pod: KubeObject): boolean {
  const phase = (pod.status as { phase?: string } | undefined)?.phase;
  return phase === "Succeeded" || phase === "Failed" || phase === "Pending" || !!pod.metadata.deletionTimestamp;
}

function isPodReady(pod: KubeObject): boolean {
  return getCondition(pod.status, "Ready")?.status === "True";
}

/** Budgets in the pod's namespace whose selector picks it (an empty selector protects nothing here). */
export function budgetsFor(ctx: Pick<ApiContext, "store">, pod: KubeObject): KubeObject[] {
  return ctx.store.list(storageKey(PDB), pod.metadata.namespace ?? "").filter((pdb) => {
    const sel = (pdb.spec as { selector?: LabelSelectorSpec } | undefined)?.selector;
    if (!sel || (!Object.keys(sel.matchLabels ?? {}).length && !(sel.matchExpressions ?? []).length)) return false;
    try {
      return matchesLabels(labelSelectorFromSpec(sel), pod.metadata.labels);
    } catch {
      return false;
    }
  });
}

interface BudgetStatus {
  observedGeneration?: number;
  disruptionsAllowed?: number;
  currentHealthy?: number;
  desiredHealthy?: number;
  disruptedPods?: Record<string, string>;
  conditions?: unknown[];
}

/** The budget after this eviction takes one disruption from it, or the refusal. */
function checkAndDecrement(pdb: KubeObject, podName: string, now: string): KubeObject {
  const status = (pdb.status ?? {}) as BudgetStatus;
  const name = pdb.metadata.name ?? "";
  if ((status.observedGeneration ?? 0) < (pdb.metadata.generation ?? 0)) throw tooManyRequests(`The disruption budget ${name} is still being processed by the server.`);
  const allowed = status.disruptionsAllowed ?? 0;
  if (allowed < 0) throw forbidden("policy", "poddisruptionbudget", name, "pdb disruptions allowed is negative");
  if (Object.keys(status.disruptedPods ?? {}).length > MAX_DISRUPTED_PODS) {
    throw forbidden("policy", "poddisruptionbudget", name, "DisruptedPods map too big - too many evictions not confirmed by PDB controller");
  }
  if (allowed === 0) throw tooManyRequests(`The disruption budget ${name} needs ${status.desiredHealthy ?? 0} healthy pods and has ${status.currentHealthy ?? 0} currently`);
  const next = structuredClone(pdb);
  const ns = structuredClone(status) as BudgetStatus & Record<string, unknown>;
  ns.disruptionsAllowed = allowed - 1;
  ns.disruptedPods = { ...(status.disruptedPods ?? {}), [podName]: now };
  if (ns.disruptionsAllowed === 0) {
    updateCondition(ns, { type: "DisruptionAllowed", status: "False", reason: "InsufficientPods", message: "", observedGeneration: ns.observedGeneration }, now);
  }
  next.status = ns;
  return next;
}

export async function evictPod(ctx: ApiContext, namespace: string, name: string, request: Request, params: WriteParams): Promise<WriteResult> {
  if (ctx.readOnly) throw forbidden("", "pods", name, "this is a read-only link to the sandbox; it cannot make changes");
  const eviction = decodeObject(mediaType(request), await readBody(request, ctx.maxBodyBytes), { apiVersion: "policy/v1", kind: "Eviction" });
  const mismatch = decodeGoTypes("apis/policy/v1", "Eviction", eviction);
  if (mismatch) throw badRequest(`Eviction in version "v1" cannot be handled as a Eviction: ${mismatch}`);
  if (eviction.metadata.name !== undefined && eviction.metadata.name !== name) throw badRequest("name in URL does not match name in Eviction object");
  const opts = { ...((eviction.deleteOptions ?? {}) as DeleteOptions) };
  if (opts.gracePeriodSeconds !== undefined && (!Number.isInteger(opts.gracePeriodSeconds) || opts.gracePeriodSeconds < 0)) opts.gracePeriodSeconds = 0;
  const dryRun = params.dryRun || (opts.dryRun ?? []).includes("All");
  return ctx.store.exclusive(async () => {
    const pod = ctx.store.get("/pods", namespace, name);
    if (!pod) throw notFound("", "pods", name);
    const pre = opts.preconditions;
    if (pre?.uid && pre.uid !== pod.metadata.uid) throw conflict("", "pods", name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${pod.metadata.uid}`);
    if (pre?.resourceVersion && pre.resourceVersion !== pod.metadata.resourceVersion) {
      throw conflict("", "pods", name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${pod.metadata.resourceVersion}`);
    }
    const now = ctx.clock.nowRfc3339();
    const changes: Change[] = [];
    if (!canIgnorePdb(pod)) {
      const pdbs = budgetsFor(ctx, pod);
      if (pdbs.length > 1) {
        return { status: 500, body: { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.", code: 500 }, warnings: [] };
      }
      const pdb = pdbs[0];
      const st = (pdb?.status ?? {}) as BudgetStatus;
      const policy = (pdb?.spec as { unhealthyPodEvictionPolicy?: string } | undefined)?.unhealthyPodEvictionPolicy;
      // An unready pod is not counted as healthy; evicting it costs the budget nothing when the budget is met.
      const freeUnhealthy = pdb && !isPodReady(pod) && (policy === "AlwaysAllow" || ((st.currentHealthy ?? 0) >= (st.desiredHealthy ?? 0) && (st.desiredHealthy ?? 0) > 0));
      if (pdb && !freeUnhealthy) {
        const next = checkAndDecrement(pdb, name, now);
        changes.push({ type: "put", resource: storageKey(PDB), object: next });
      }
    }
    // Models eviction.go addConditionAndDeletePod: the pod says why it is going before it goes.
    const marked = structuredClone(pod);
    const status = (marked.status ?? {}) as Record<string, unknown>;
    updateCondition(status, { type: "DisruptionTarget", status: "True", reason: "EvictionByEvictionAPI", message: "Eviction API: evicting" }, now);
    marked.status = status;
    changes.push(...deleteChanges(ctx, POD, marked, opts).changes);
    if (!dryRun) {
      await ctx.store.commit(changes, { rngState: ctx.rng.state });
      ctx.afterWrite();
    }
    return { status: 201, body: { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", code: 201 }, warnings: [] };
  });
}
