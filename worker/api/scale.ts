// The scale subresource (autoscaling/v1 Scale) of deployments, replicasets, statefulsets and RCs.
import type { ResourceType, ScaleSubresource } from "../resources/registry";
import type { KubeObject } from "../resources/types";
import { applyJsonPatch, applyMergePatch } from "./patch";
import { labelSelectorFromSpec, formatLabelSelector } from "./selectors";
import { asObject, decodeObject, decodeText, mediaType, parseJson, readBody } from "./body";
import type { ApiContext } from "./context";
import { getObject } from "./reads";
import { badRequest, conflict, invalid, invalidPatch, OBJECT_MODIFIED, unsupportedMediaType } from "./status";
import { decodeGoTypes } from "./openapi";
import { storeUpdate, type WriteParams, type WriteResult } from "./writes";

function at(obj: unknown, path: string[]): unknown {
  let cur = obj;
  for (const p of path) cur = cur && typeof cur === "object" ? (cur as Record<string, unknown>)[p] : undefined;
  return cur;
}

function selectorString(scale: ScaleSubresource, obj: KubeObject): string {
  const sel = at(obj, scale.selectorPath);
  if (!sel || typeof sel !== "object") return "";
  // An RC's selector is a plain label map; the others are LabelSelector objects.
  const spec = "matchLabels" in sel || "matchExpressions" in sel ? sel : { matchLabels: sel };
  return formatLabelSelector(labelSelectorFromSpec(spec as never));
}

export function scaleOf(t: ResourceType, obj: KubeObject): unknown {
  const scale = t.scale as ScaleSubresource;
  const m = obj.metadata;
  return {
    kind: "Scale",
    apiVersion: "autoscaling/v1",
    metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp },
    spec: { replicas: (at(obj, scale.specReplicasPath) as number | undefined) ?? 0 },
    status: { replicas: (at(obj, scale.statusReplicasPath) as number | undefined) ?? 0, selector: selectorString(scale, obj) },
  };
}

export async function writeScale(
  ctx: ApiContext,
  t: ResourceType,
  namespace: string | undefined,
  name: string,
  request: Request,
  params: WriteParams,
): Promise<WriteResult> {
  const contentType = mediaType(request);
  const text = decodeText(await readBody(request, ctx.maxBodyBytes));
  return ctx.store.exclusive(async () => {
    const current = getObject(ctx, t, namespace, name);
    const currentScale = scaleOf(t, current) as { metadata: { resourceVersion?: string } };
    let next: KubeObject;
    if (request.method === "PUT") {
      next = decodeObject(contentType, new TextEncoder().encode(text));
    } else if (contentType === "application/merge-patch+json" || contentType === "application/strategic-merge-patch+json") {
      next = asObject(applyMergePatch(structuredClone(currentScale), parseJson(text)));
    } else if (contentType === "application/json-patch+json") {
      next = asObject(applyJsonPatch(structuredClone(currentScale), parseJson(text)));
    } else {
      throw unsupportedMediaType(["application/json-patch+json", "application/merge-patch+json", "application/strategic-merge-patch+json"]);
    }
    // The Scale decodes into autoscaling/v1's Go type first: replicas is an int32.
    const mismatch = decodeGoTypes("apis/autoscaling/v1", "Scale", next);
    if (mismatch && request.method === "PUT") throw badRequest(`Scale in version "v1" cannot be handled as a Scale: ${mismatch}`);
    if (mismatch) throw invalidPatch(next, mismatch);
    const rv = next.metadata?.resourceVersion;
    if (rv && rv !== current.metadata.resourceVersion) throw conflict(t.group, t.resource, name, OBJECT_MODIFIED);
    const replicas = (next.spec as { replicas?: unknown } | undefined)?.replicas;
    if (replicas === undefined || replicas === null) throw badRequest("spec.replicas: Required value");
    if (typeof replicas !== "number" || !Number.isInteger(replicas) || replicas < 0) {
      throw invalid("autoscaling", "Scale", name, [
        { type: "FieldValueInvalid", field: "spec.replicas", message: `Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0` },
      ]);
    }
    const updated = structuredClone(current);
    let cur = updated as Record<string, unknown>;
    const path = t.scale!.specReplicasPath;
    for (const p of path.slice(0, -1)) cur = (cur[p] ??= {}) as Record<string, unknown>;
    cur[path[path.length - 1]] = replicas;
    const stored = await storeUpdate(ctx, t, current, updated, params);
    return { status: 200, body: scaleOf(t, stored), warnings: [] };
  });
}
