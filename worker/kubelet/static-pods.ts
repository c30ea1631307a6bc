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

/** Config hashes per parsed manifest and node (parsed manifests are kept per file text, above). */
const hashes = new WeakMap<KubeObject, Map<string, string>>();

function configHash(parsedPod: KubeObject, manifest: KubeObject, nodeName: string): string {
  let byNode = hashes.get(parsedPod);
  if (!byNode) hashes.set(parsedPod, (byNode = new Map()));
  let hash = byNode.get(nodeName);
  if (hash === undefined) byNode.set(nodeName, (hash = hexDigest(canonicalJson(manifest) + nodeName, 32)));
  return hash;
}

/** Mirror pods per node, gathered once per pass (every node's kubelet looks for its own). */
const mirrorsByPass = new WeakMap<ControllerContext, Map<string, KubeObject[]>>();

function mirrorsOn(ctx: ControllerContext, nodeName: string): KubeObject[] {
  let byNode = mirrorsByPass.get(ctx);
  if (!byNode) {
    mirrorsByPass.set(ctx, (byNode = new Map()));
    for (const pod of ctx.list("/pods")) {
      const node = (pod.spec as { nodeName?: string } | undefined)?.nodeName;
      if (!node || !isMirrorPod(pod)) continue;
      let list = byNode.get(node);
      if (!list) byNode.set(node, (list = []));
      list.push(pod);
    }
  }
  return byNode.get(nodeName) ?? [];
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
      const hash = configHash(parsedPod, manifest, nodeName);
      desired.set(`${manifest.metadata.name}-${nodeName}`, { manifest, hash, namespace });
    }
  }
  const running = new Set<string>();
  for (const [name, d] of desired) {
    running.add(d.hash);
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
  // Mirrors as the pass began: one this pass created is desired, and one it deleted is deleted again to no effect.
  for (const pod of mirrorsOn(ctx, nodeName)) {
    if (!desired.has(pod.metadata.name ?? "")) ctx.delete(POD_TYPE, pod, { gracePeriodSeconds: 0, propagationPolicy: "Background" });
  }
  return running;
}
