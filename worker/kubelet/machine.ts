// What the kubelet keeps on a node's machine beyond whether the kubelet runs (sandbox/machines.ts):
// the images in its containerd store and its files (hostPath volumes, /etc/kubernetes/manifests).
// Absent fields mean "as kubeadm left it"; writes keep every other field of the machine.
import { stringify } from "yaml";
import type { ControllerContext } from "../controllers/types";
import type { KubeObject } from "../resources/types";
import type { BootstrapNode } from "../sandbox/bootstrap/common";
import { IMAGES } from "../sandbox/bootstrap/config";
import { staticPodManifests } from "../sandbox/bootstrap/control-plane";
import { parseImageRef } from "../runtime/image-ref";
import { resolveImage } from "../runtime/images";
import { kubeletStoppedAt, MACHINES, type Machine as BaseMachine } from "../sandbox/machines";

export const MANIFESTS_DIR = "/etc/kubernetes/manifests";

export interface Machine extends BaseMachine {
  /** Canonical references of the images pulled on the node; absent = the images kubeadm pulled. */
  images?: string[];
  /** Files written on the node over its defaults; null = removed. */
  files?: Record<string, string | null>;
  /** RFC 3339: when the kubelet was last started, until its start is reported on the Node. */
  started?: string;
  /** The spec.unschedulable the kubelet last reported an event for (absent: schedulable). */
  reportedUnschedulable?: boolean;
}

/** Read access to the store: a controller pass, or the store itself (the node shell). */
export type StoreReader = Pick<ControllerContext, "get" | "list">;

export function machineOf(ctx: StoreReader, node: string): Machine | undefined {
  return ctx.get(MACHINES, "", node) as Machine | undefined;
}

/** A stopped kubelet does nothing for its node. */
export function kubeletRunning(ctx: ControllerContext, node: string): boolean {
  return kubeletStoppedAt(ctx, node) === undefined;
}

function blankMachine(node: string): Machine {
  return { apiVersion: "kubeplay.internal/v1", kind: "Machine", metadata: { name: node }, kubelet: "running" };
}

function putMachine(ctx: ControllerContext, node: string, mutate: (m: Machine) => void): void {
  const next = structuredClone(machineOf(ctx, node) ?? blankMachine(node));
  mutate(next);
  ctx.emit({ type: "put", resource: MACHINES, object: next });
}

/** The images kubeadm leaves on every node (control plane, addons, pause). */
const DEFAULT_IMAGES = Object.values(IMAGES).map((i) => {
  const r = parseImageRef(i);
  return "error" in r ? i : r.canonical;
});

export function imagePresent(ctx: ControllerContext, node: string, canonical: string): boolean {
  return (machineOf(ctx, node)?.images ?? DEFAULT_IMAGES).includes(canonical);
}

export function addImage(ctx: ControllerContext, node: string, canonical: string): void {
  if (imagePresent(ctx, node, canonical)) return;
  putMachine(ctx, node, (m) => {
    m.images = [...(m.images ?? DEFAULT_IMAGES), canonical];
  });
}

/** One entry of node.status.images. */
export interface NodeImage {
  names: string[];
  sizeBytes: number;
}

/** The kubelet's nodeStatusMaxImages default, and the names kept per image (MaxNamesPerImageInNodeStatus). */
const MAX_NODE_STATUS_IMAGES = 50;
const MAX_NAMES_PER_IMAGE = 5;

const statusImagesCache = new WeakMap<readonly string[], NodeImage[]>();

/**
 * What the kubelet reports in node.status.images for the images on a machine: each image's names
 * (`repo@sha256:…`, then `repo:tag`) and its size from the image catalog, largest first, at most 50.
 * Computed once per list of images (a machine's list is replaced, never edited).
 * Models pkg/kubelet/nodestatus/setters.go Images
 */
export function nodeStatusImages(m: Machine | undefined): NodeImage[] {
  const refs = m?.images ?? DEFAULT_IMAGES;
  const cached = statusImagesCache.get(refs);
  if (cached) return cached;
  const images: NodeImage[] = [];
  for (const canonical of refs) {
    const r = resolveImage(canonical);
    if (!r.ok) continue;
    const names = [`${r.ref.repository}@${r.digest}`];
    if (r.ref.tag) names.push(`${r.ref.repository}:${r.ref.tag}`);
    images.push({ names: names.slice(0, MAX_NAMES_PER_IMAGE), sizeBytes: r.size });
  }
  images.sort((a, b) => b.sizeBytes - a.sizeBytes || (a.names[0] < b.names[0] ? -1 : a.names[0] > b.names[0] ? 1 : 0));
  const out = images.slice(0, MAX_NODE_STATUS_IMAGES);
  statusImagesCache.set(refs, out);
  return out;
}

/** The node as the bootstrap's helpers describe it. */
export function bootstrapNodeOf(node: KubeObject): BootstrapNode {
  const addresses = ((node.status as { addresses?: { type: string; address: string }[] } | undefined)?.addresses ?? []);
  return {
    name: node.metadata.name ?? "",
    uid: node.metadata.uid ?? "",
    ip: addresses.find((a) => a.type === "InternalIP")?.address ?? "",
    podCIDR: String((node.spec as { podCIDR?: string } | undefined)?.podCIDR ?? ""),
    controlPlane: node.metadata.labels?.["node-role.kubernetes.io/control-plane"] !== undefined,
  };
}

const defaultsCache = new Map<string, Record<string, string>>();

/** Files kubeadm wrote on the node: the static pod manifests of a control-plane node. */
export function defaultFiles(ctx: StoreReader, node: string): Record<string, string> {
  const nodeObj = ctx.get("/nodes", "", node);
  if (!nodeObj) return {};
  const self = bootstrapNodeOf(nodeObj);
  if (!self.controlPlane) return {};
  const lastOctet = (ip: string) => Number(ip.split(".").pop() ?? 0);
  const members = ctx
    .list("/nodes")
    .map(bootstrapNodeOf)
    .filter((n) => n.controlPlane)
    .sort((a, b) => lastOctet(a.ip) - lastOctet(b.ip));
  const key = `${self.name}|${self.uid}|${members.map((m) => `${m.name}=${m.ip}`).join(",")}`;
  const cached = defaultsCache.get(key);
  if (cached) return cached;
  const out: Record<string, string> = {};
  for (const [file, manifest] of Object.entries(staticPodManifests(self, members))) out[`${MANIFESTS_DIR}/${file}`] = stringify(manifest);
  if (defaultsCache.size > 200) defaultsCache.clear();
  defaultsCache.set(key, out);
  return out;
}

/** Files under `dir` on the node (defaults overlaid with what was written), by absolute path. */
export function nodeFilesUnder(ctx: StoreReader, node: string, dir: string): Record<string, string> {
  const prefix = `${dir.replace(/\/$/, "")}/`;
  const written = machineOf(ctx, node)?.files ?? {};
  const out: Record<string, string> = {};
  if (MANIFESTS_DIR.startsWith(prefix) || prefix.startsWith(`${MANIFESTS_DIR}/`)) {
    for (const [p, c] of Object.entries(defaultFiles(ctx, node))) if (p.startsWith(prefix)) out[p] = c;
  }
  for (const [p, c] of Object.entries(written)) {
    if (!p.startsWith(prefix)) continue;
    if (c === null) delete out[p];
    else out[p] = c;
  }
  return out;
}

/** Writes files on the node (hostPath volumes); null removes. */
export function writeNodeFiles(ctx: ControllerContext, node: string, files: Record<string, string | null>): void {
  if (Object.keys(files).length === 0) return;
  putMachine(ctx, node, (m) => {
    m.files = { ...(m.files ?? {}), ...files };
  });
}
