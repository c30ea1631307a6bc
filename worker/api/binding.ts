// pods/binding: how a scheduler assigns a pod to a node. POST a Binding naming the node; the pod gets
// spec.nodeName, the Binding's annotations and PodScheduled=True. The scheduler's own writes use
// the same function, so an API client binding a pod and the scheduler doing it look alike.
// Models pkg/registry/core/pod/storage/storage.go BindingREST.Create / setPodNodeAndMetadata
import { findKind, storageKey } from "../resources/registry";
import type { KubeObject } from "../resources/types";
import { updateCondition } from "../util/pod-condition";
import { decodeObject, mediaType, readBody } from "./body";
import { decodeGoTypes } from "./openapi";
import type { ApiContext } from "./context";
import { badRequest, conflict, forbidden, notFound } from "./status";
import type { WriteParams, WriteResult } from "./writes";

const POD = findKind({ group: "", version: "v1", kind: "Pod" })!;

/** The pod bound to `nodeName`; throws the Conflict upstream answers for a pod that cannot be bound. */
export function boundPod(pod: KubeObject, nodeName: string, annotations: Record<string, string> | undefined, now: string): KubeObject {
  const name = pod.metadata.name ?? "";
  const spec = (pod.spec ?? {}) as { nodeName?: string; schedulingGates?: unknown[] };
  const why = pod.metadata.deletionTimestamp
    ? `pod ${name} is being deleted, cannot be assigned to a host`
    : spec.nodeName
      ? `pod ${name} is already assigned to node "${spec.nodeName}"`
      : spec.schedulingGates?.length
        ? `pod ${name} has non-empty .spec.schedulingGates`
        : undefined;
  if (why) throw conflict("", "pods/binding", name, why);
  // Copies of what changes only: the rest stays shared with the stored pod (never edited in place).
  const next: KubeObject = { ...pod, metadata: { ...pod.metadata }, spec: { ...spec, nodeName } };
  if (annotations && Object.keys(annotations).length) next.metadata.annotations = { ...(next.metadata.annotations ?? {}), ...annotations };
  const status = { ...((pod.status ?? {}) as Record<string, unknown>) };
  updateCondition(status, { type: "PodScheduled", status: "True", lastProbeTime: null }, now);
  next.status = status;
  return next;
}

export async function createBinding(ctx: ApiContext, namespace: string, name: string, request: Request, params: WriteParams): Promise<WriteResult> {
  if (ctx.readOnly) throw forbidden("", "pods", name, "this is a read-only link to the sandbox; it cannot make changes");
  const binding = decodeObject(mediaType(request), await readBody(request, ctx.maxBodyBytes), { apiVersion: "v1", kind: "Binding" });
  const mismatch = decodeGoTypes("api/v1", "Binding", binding);
  if (mismatch) throw badRequest(`Binding in version "v1" cannot be handled as a Binding: ${mismatch}`);
  if (binding.metadata.name !== undefined && binding.metadata.name !== name) throw badRequest("name in URL does not match name in Binding object");
  const target = (binding.target ?? {}) as { kind?: string; name?: string };
  if (target.kind && target.kind !== "Node") throw badRequest(`Binding "${name}" is invalid: target.kind: Invalid value: "${target.kind}": must be empty or 'Node'`);
  if (!target.name) throw badRequest(`Binding "${name}" is invalid: target.name: Required value`);
  return ctx.store.exclusive(async () => {
    const pod = ctx.store.get("/pods", namespace, name);
    if (!pod) throw notFound("", "pods", name);
    const uid = binding.metadata.uid;
    if (uid && uid !== pod.metadata.uid) throw conflict("", "pods/binding", name, `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${pod.metadata.uid}`);
    const next = boundPod(pod, target.name!, binding.metadata.annotations, ctx.clock.nowRfc3339());
    if (!params.dryRun) {
      await ctx.store.commit([{ type: "put", resource: storageKey(POD), object: next }], { rngState: ctx.rng.state });
      ctx.afterWrite();
    }
    return { status: 201, body: { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", code: 201 }, warnings: [] };
  });
}
