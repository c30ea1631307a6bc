// Static pods: every Pod manifest in a node's /etc/kubernetes/manifests runs on that node, and the
// kubelet publishes a mirror pod `<name>-<node>` for it. A mirror deleted through the API comes
// back (the static pod itself keeps running); a changed manifest replaces the pod; a removed one
// takes its mirror away.
// Models pkg/kubelet/config/file.go, pkg/kubelet/config/common.go applyDefaults and
// pkg/kubelet/pod/mirror_client.go
import { parseAllDocuments } from "yaml";
import type { ControllerContext } from "../controllers/types";
import { POD_TYPE } from "../controllers/workload-helpers";
import type { KubeObject } from "../resources/types";
import { applyDefaults, decodeError, validateCreate } from "../resources/validation";
import { decodeGoTypes } from "../api/openapi";
import { mirrorPod } from "../sandbox/bootstrap/control-plane";
import { canonicalJson, hexDigest } from "../sandbox/bootstrap/hash";
import { bootstrapNodeOf, MANIFESTS_DIR, nodeFilesUnder } from "./machine";
import { adoptRecord, CONTAINERS } from "./record";

export const MIRROR_ANNOTATION = "kubernetes.io/config.mirror";

const parsed = new Map<string, KubeObject[]>();

/**
 * A manifest's pod as the kubelet takes it: defaulted and valid as a created Pod would be, else it
 * logs "invalid pod" and runs nothing (a node's files may hold anything: one bad file must not stop
 * the kubelet, nor the controllers that run with it).
 */
// Models pkg/kubelet/config/common.go tryDecodeSinglePod
function validStaticPod(obj: KubeObject): boolean {
  if (typeof obj.metadata !== "object" || obj.metadata === null || Array.isArray(obj.metadata) || typeof obj.metadata.name !== "string") return false;
  try {
    const pod = structuredClone(obj);
    pod.metadata.namespace ||= "default";
    if (decodeGoTypes("api/v1", "Pod", pod) || decodeError("/Pod", pod)) return false;
    applyDefaults("/Pod", pod);
    return validateCreate("/Pod", pod).length === 0;
  } catch {
    return false;
  }
}

/** The Pod objects in a manifest file; anything else in it is ignored, as the kubelet does. */
function podsIn(text: string): KubeObject[] {
  const hit = parsed.get(text);
  if (hit) return hit;
  const out: KubeObject[] = [];
  try {
    for (const doc of parseAllDocuments(text)) {
      const obj = doc.toJSON() as KubeObject | null;
      if (obj && typeof obj === "object" && obj.kind === "Pod" && obj.apiVersion === "v1" && obj.metadata?.name && validStaticPod(obj)) out.push(obj);
    }
  } catch {
    // A manifest that does not parse runs nothing.
  }
  if (parsed.size > 500) parsed.clear();
  parsed.set(text, out);
  return out;
}

/** Stores the runtime state of a static pod found running (adopted, never written) before its mirror goes. */
function keepRuntime(ctx: ControllerContext, mirror: KubeObject, node: string): void {
  if (ctx.get(CONTAINERS, mirror.metadata.namespace ?? "", mirror.metadata.name ?? "")) return;
  const adopted = adoptRecord(mirror, node, ctx.now());
  if (adopted) ctx.emit({ type: "put", resource: CONTAINERS, object: adopted });
}

export function isMirrorPod(pod: KubeObject): boolean {
  return pod.metadata.annotations?.[MIRROR_ANNOTATION] !== undefined;
}

/** Reconciles the node's mirror pods with its manifests; returns the config hashes that should run. */
export function syncStaticPods(ctx: ControllerContext, node: KubeObject): Set<string> {
  const nodeName = node.metadata.name ?? "";
  const desired = new Map<string, { manifest: KubeObject; hash: string; namespace: string }>();
  const files = nodeFilesUnder(ctx, nodeName, MANIFESTS_DIR);
  for (const path of Object.keys(files).sort()) {
    if (!/\.(ya?ml|json)$/.test(path) || path.slice(MANIFESTS_DIR.length + 1).includes("/")) continue;
    for (const parsedPod of podsIn(files[path])) {
      // Models pkg/kubelet/config/common.go applyDefaults: the namespace defaults before hashing.
      const namespace = parsedPod.metadata.namespace || "default";
      const manifest = { ...parsedPod, metadata: { ...parsedPod.metadata, namespace } };
      const hash = hexDigest(canonicalJson(manifest) + nodeName, 32);
      desired.set(`${manifest.metadata.name}-${nodeName}`, { manifest, hash, namespace });
    }
  }
  const hashes = new Set<string>();
  for (const [name, d] of desired) {
    hashes.add(d.hash);
    const current = ctx.get("/pods", d.namespace, name);
    if (!current) {
      const mirror = mirrorPod({ now: ctx.now(), rng: ctx.rng }, d.manifest, bootstrapNodeOf(node));
      delete mirror.status;
      ctx.create(POD_TYPE, mirror);
      continue;
    }
    if (!isMirrorPod(current)) continue;
    // A mirror deleted through the API, or of an older manifest, is replaced.
    if (current.metadata.annotations?.[MIRROR_ANNOTATION] !== d.hash) {
      ctx.delete(POD_TYPE, current, { gracePeriodSeconds: 0, propagationPolicy: "Background" });
    } else if (current.metadata.deletionTimestamp) {
      // The static pod runs on: keep what the kubelet knows of it for the new mirror.
      keepRuntime(ctx, current, nodeName);
      ctx.delete(POD_TYPE, current, { gracePeriodSeconds: 0, propagationPolicy: "Background" });
    }
  }
  for (const pod of ctx.list("/pods")) {
    if ((pod.spec as { nodeName?: string } | undefined)?.nodeName !== nodeName || !isMirrorPod(pod)) continue;
    if (!desired.has(pod.metadata.name ?? "")) ctx.delete(POD_TYPE, pod, { gracePeriodSeconds: 0, propagationPolicy: "Background" });
  }
  return hashes;
}
