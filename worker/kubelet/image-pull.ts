// Making sure a container's image is on the node before it is created: the pull policy, one pull
// at a time per node (serialized pulls, so "including waiting" means something), the events in
// upstream wording, and the pull back-off (10 s doubling to 5 min) for images that cannot exist.
// Models pkg/kubelet/images/image_manager.go EnsureImageExists and
// staging/src/k8s.io/client-go/util/flowcontrol/backoff.go
import type { Container } from "kubernetes-types/core/v1";
import { invalidImageMessage, parseImageRef } from "../runtime/image-ref";
import { pullDurationMs, resolveImage } from "../runtime/images";
import { goDuration } from "../runtime/units";
import { nextTokenAt, record } from "./events";
import { addImage, imagePresent } from "./machine";
import { CONTAINERS, type ContainerRuntime, type PodRuntime } from "./record";
import { RESYNC_MS, SYNC_DELAY_MS, wake, type PodWork } from "./work";

const BACKOFF_INITIAL_S = 10;
const BACKOFF_MAX_S = 300;
/** A pull that finds the layers already there only checks the manifest. */
const MANIFEST_CHECK_MS = 500;
/** Unpacking for a pod that waited on another pod's pull of the same image. */
const JOINED_PULL_MS = 100;
/** How long the registry takes to say a reference does not exist. */
const RESOLVE_FAILURE_MS = 800;

export type ImageReady = { image: string; imageID: string } | undefined;

// Models pkg/kubelet/images/image_manager.go shouldPullImage (defaulting is admission's)
function pullPolicy(spec: Container): "Always" | "IfNotPresent" | "Never" {
  if (spec.imagePullPolicy) return spec.imagePullPolicy as "Always" | "IfNotPresent" | "Never";
  const ref = parseImageRef(spec.image ?? "");
  return "error" in ref || !ref.tag || ref.tag === "latest" ? "Always" : "IfNotPresent";
}

interface Pulling {
  uid: string;
  image: string;
  end: number;
  ok: boolean;
  joined: boolean;
}

/**
 * The pulls under way per node, gathered once per pass and added to as the pass starts more: going
 * through every pod's record for each pull made starting n pods cost n².
 */
const pullsByPass = new WeakMap<object, Map<string, Pulling[]>>();

function pullsOn(w: PodWork): Pulling[] {
  let byNode = pullsByPass.get(w.ctx);
  if (!byNode) {
    pullsByPass.set(w.ctx, (byNode = new Map()));
    for (const r of w.ctx.list(CONTAINERS) as PodRuntime[]) {
      for (const c of r.containers) {
        const p = c.pull;
        if (p?.phase !== "pulling") continue;
        let list = byNode.get(r.node);
        if (!list) byNode.set(r.node, (list = []));
        list.push({ uid: r.uid, image: p.image, end: p.end, ok: p.ok, joined: !!p.joined });
      }
    }
  }
  let list = byNode.get(w.node);
  if (!list) byNode.set(w.node, (list = []));
  return list;
}

/**
 * When the node's puller is free for `canonical`: pulls are serialized, but a pull of the same image
 * already under way is joined (containerd fetches its layers once).
 */
function nodePuller(w: PodWork, canonical: string): { freeAt: number; joined: boolean } {
  let freeAt = w.now;
  let sameEnd: number | undefined;
  for (const p of pullsOn(w)) {
    if (p.uid === w.rec.uid || p.end <= w.now) continue;
    if (p.ok && p.image === canonical && !p.joined) sameEnd = Math.max(sameEnd ?? 0, p.end);
    else if (!p.joined) freeAt = Math.max(freeAt, p.end);
  }
  return sameEnd !== undefined ? { freeAt: sameEnd, joined: true } : { freeAt, joined: false };
}

function block(w: PodWork, c: ContainerRuntime, reason: string, message: string, events: [string, string][]): void {
  if (c.blocked?.reason === reason && c.blocked.message === message) return;
  c.blocked = { reason, message, since: w.now };
  for (const [r, m] of events) record(w, "Warning", r, m, c);
}

/** The image reference to create `c` from, or undefined while it is not (yet) on the node. */
export function ensureImage(w: PodWork, c: ContainerRuntime, spec: Container): ImageReady {
  const image = spec.image ?? "";
  const resolved = resolveImage(image);
  if (!resolved.ok && resolved.reason === "InvalidImageName") {
    const msg = invalidImageMessage(image, resolved.message);
    block(w, c, "InvalidImageName", msg, [["InspectFailed", msg], ["Failed", "Error: InvalidImageName"]]);
    return undefined;
  }
  const canonical = resolved.ref!.canonical;
  const ready = resolved.ok ? { image: canonical, imageID: resolved.imageID } : undefined;
  const present = resolved.ok && imagePresent(w.ctx, w.node, canonical);
  const policy = pullPolicy(spec);
  if (policy !== "Always" && present) {
    c.blocked = undefined;
    record(w, "Normal", "Pulled", `Container image "${image}" already present on machine`, c);
    return ready;
  }
  if (policy === "Never") {
    const msg = `Container image "${image}" is not present with pull policy of Never`;
    block(w, c, "ErrImageNeverPull", msg, [["ErrImageNeverPull", msg], ["Failed", "Error: ErrImageNeverPull"]]);
    return undefined;
  }
  const p = c.pull;
  if (p?.phase === "pulling") {
    if (w.now < p.end) {
      wake(w, p.end);
      return undefined;
    }
    if (p.ok) {
      c.pull = undefined;
      c.blocked = undefined;
      addImage(w.ctx, w.node, canonical);
      const size = resolved.ok ? resolved.size : 0;
      record(w, "Normal", "Pulled", `Successfully pulled image "${image}" in ${goDuration(p.end - (p.started ?? p.requested))} (${goDuration(p.end - p.requested)} including waiting). Image size: ${size} bytes.`, c);
      return ready;
    }
    // Models flowcontrol.Backoff.Next: a back-off unused for twice its maximum starts over.
    const stale = p.backoffAt === undefined || p.end - p.backoffAt > 2 * BACKOFF_MAX_S * 1000;
    const backoff = stale || p.backoff === undefined ? BACKOFF_INITIAL_S : Math.min(p.backoff * 2, BACKOFF_MAX_S);
    c.pull = { ...p, phase: "failed", backoff, backoffAt: p.end, retryAt: p.end + backoff * 1000, notedAt: undefined };
    record(w, "Warning", "Failed", `Failed to pull image "${image}": ${p.message}`, c);
    record(w, "Warning", "Failed", "Error: ErrImagePull", c);
    wake(w, p.end + SYNC_DELAY_MS);
    return undefined;
  }
  if (p?.phase === "failed" && w.now < (p.retryAt ?? 0)) {
    const firstNote = p.end + SYNC_DELAY_MS;
    // The pod worker notes the back-off on every resync (10 s); a note the event filter would drop
    // changes nothing, so the kubelet wakes for the first resync whose note gets through.
    if (w.now >= firstNote && (p.notedAt === undefined || w.now >= p.notedAt + RESYNC_MS) && nextTokenAt(w) <= w.now) {
      p.notedAt = w.now;
      record(w, "Normal", "BackOff", `Back-off pulling image "${image}"`, c);
      record(w, "Warning", "Failed", "Error: ImagePullBackOff", c);
    }
    const base = p.notedAt ?? firstNote;
    const nextNote = w.now < firstNote ? firstNote : base + Math.max(1, Math.ceil((nextTokenAt(w) - base) / RESYNC_MS)) * RESYNC_MS;
    wake(w, Math.min(p.retryAt ?? Infinity, nextNote));
    return undefined;
  }
  // Pull now, after whatever the node is already pulling.
  const queue = nodePuller(w, canonical);
  const started = queue.freeAt;
  const duration = !resolved.ok ? RESOLVE_FAILURE_MS : queue.joined ? JOINED_PULL_MS : present ? MANIFEST_CHECK_MS : pullDurationMs(resolved.size);
  record(w, "Normal", "Pulling", `Pulling image "${image}"`, c);
  c.pull = {
    phase: "pulling",
    requested: w.now,
    started,
    end: started + duration,
    ok: resolved.ok,
    image: canonical,
    message: resolved.ok ? undefined : resolved.message,
    backoff: p?.backoff,
    backoffAt: p?.backoffAt,
    failedBefore: p?.phase === "failed" || undefined,
    joined: queue.joined || undefined,
  };
  pullsOn(w).push({ uid: w.rec.uid, image: canonical, end: started + duration, ok: resolved.ok, joined: queue.joined });
  wake(w, started + duration);
  return undefined;
}
