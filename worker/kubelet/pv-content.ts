// What is stored on persistent volumes: one internal object per PersistentVolume
// (`kubeplay.internal/volumes/<pv>`) holding its files, so the data outlives every pod that mounts
// it, is shared by all of them on whatever node they run, and is persisted and forked with the
// sandbox. A pod reaches it through its claim, which must be bound to a volume.
// Volumes that are directories of a node keep their files there instead, where a node shell sees
// them: a local-path volume (its directory on the node it was provisioned on), a `local` volume (its
// path on the node its nodeAffinity names), a static hostPath volume (its path on whichever node
// the pod using it runs, so pods on different nodes see different directories, as upstream), and an
// NFS volume whose server is a node (the exported directory on that node).
import type { PersistentVolumeClaim } from "kubernetes-types/core/v1";
import type { ControllerContext } from "../controllers/types";
import type { KubeObject } from "../resources/types";
import { DIRECTORY } from "../runtime/types";
import { machineOf, nodeFilesUnder, writeNodeFiles, type StoreReader } from "./machine";

export const VOLUME_CONTENT = "kubeplay.internal/volumes";

export interface VolumeContent extends KubeObject {
  files: Record<string, string>;
}

/** A claim that cannot be mounted (missing or not bound), with the volume manager's wording. */
export class ClaimError extends Error {}

/**
 * The PersistentVolume behind claim `name` in `namespace`. A claim being deleted still serves the
 * pods already using it (that is what its protection finalizer waits for); only a pod starting is refused.
 */
export function claimedVolume(ctx: StoreReader, namespace: string, name: string, starting = true): string {
  const pvc = ctx.get("/persistentvolumeclaims", namespace, name) as PersistentVolumeClaim | undefined;
  // Models pkg/kubelet/volumemanager/populator/desired_state_of_world_populator.go getPVCExtractPV
  if (!pvc) throw new ClaimError(`error processing PVC ${namespace}/${name}: failed to fetch PVC from API server: persistentvolumeclaims "${name}" not found`);
  if (pvc.metadata?.deletionTimestamp && starting) throw new ClaimError(`error processing PVC ${namespace}/${name}: can't start pod because PVC ${namespace}/${name} is being deleted`);
  const volume = pvc.spec?.volumeName;
  if (!volume || pvc.status?.phase !== "Bound") throw new ClaimError(`error processing PVC ${namespace}/${name}: PVC is not bound`);
  return volume;
}

/** A node directory holding a volume's files. */
export interface NodeBacking {
  node: string;
  path: string;
}

type Obj = Record<string, unknown>;
const rec = (v: unknown): Obj => (v && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : {});

/** The node a server name or address names (its name, hostname or InternalIP), if any. */
export function nodeForServer(ctx: StoreReader, server: string): string | undefined {
  if (!server) return undefined;
  for (const n of ctx.list("/nodes")) {
    if (n.metadata.name === server) return server;
    const addresses = (rec(n.status).addresses as { address?: string }[] | undefined) ?? [];
    if (addresses.some((a) => a.address === server)) return n.metadata.name;
  }
  return undefined;
}

const LOCAL_PATH_NODE = "local.path.provisioner/selected-node";

/** The node a `local` volume's required nodeAffinity names (`kubernetes.io/hostname In [node]`). */
function affinityNode(spec: Obj): string | undefined {
  const terms = (rec(rec(rec(spec.nodeAffinity).required)).nodeSelectorTerms as { matchExpressions?: { key?: string; operator?: string; values?: string[] }[] }[] | undefined) ?? [];
  for (const t of terms) for (const e of t.matchExpressions ?? []) if (e.key === "kubernetes.io/hostname" && e.operator === "In" && e.values?.[0]) return e.values[0];
  return undefined;
}

/**
 * Where on a node the volume's files are, when they are on a node. `node` is where the pod using
 * the volume runs: a static hostPath volume is that node's directory.
 */
export function volumeBacking(ctx: StoreReader, volume: string | KubeObject, node?: string): NodeBacking | undefined {
  const pv = typeof volume === "string" ? ctx.get("/persistentvolumes", "", volume) : volume;
  if (!pv) return undefined;
  const spec = rec(pv.spec);
  const clean = (p: string) => `/${p.split("/").filter(Boolean).join("/")}`;
  const localNode = pv.metadata.annotations?.[LOCAL_PATH_NODE];
  const hostPath = String(rec(spec.hostPath).path ?? "");
  if (localNode && hostPath) return { node: localNode, path: clean(hostPath) };
  const local = String(rec(spec.local).path ?? "");
  if (local) {
    const at = affinityNode(spec) ?? node;
    return at ? { node: at, path: clean(local) } : undefined;
  }
  if (hostPath) return node ? { node, path: clean(hostPath) } : undefined;
  const nfs = rec(spec.nfs);
  if (nfs.server) {
    const node = nodeForServer(ctx, String(nfs.server));
    return node ? { node, path: clean(String(nfs.path ?? "/")) } : undefined;
  }
  const csi = rec(spec.csi);
  const attrs = rec(csi.volumeAttributes);
  if (csi.driver && attrs.server && attrs.share !== undefined) {
    const node = nodeForServer(ctx, String(attrs.server));
    return node ? { node, path: clean(`${String(attrs.share)}/${String(attrs.subdir ?? "")}`) } : undefined;
  }
  return undefined;
}

/** A volume's files, as the pod on `node` sees them. */
export function volumeContent(ctx: StoreReader, volume: string, node?: string): Record<string, string> {
  const backing = volumeBacking(ctx, volume, node);
  if (backing) {
    const out: Record<string, string> = {};
    for (const [p, c] of Object.entries(nodeFilesUnder(ctx, backing.node, backing.path))) out[p.slice(backing.path.length + 1)] = c;
    return out;
  }
  return (ctx.get(VOLUME_CONTENT, "", volume) as VolumeContent | undefined)?.files ?? {};
}

/** Removes everything a volume holds (a deleted volume's storage is gone with it). */
export function deleteVolumeContent(ctx: ControllerContext, volume: KubeObject): void {
  const backing = volumeBacking(ctx, volume);
  if (backing) {
    const removed: Record<string, null> = {};
    for (const p of Object.keys(nodeFilesUnder(ctx, backing.node, backing.path))) removed[p] = null;
    if (nodeFileExists(ctx, backing)) removed[backing.path] = null;
    writeNodeFiles(ctx, backing.node, removed);
    return;
  }
  const stored = ctx.get(VOLUME_CONTENT, "", volume.metadata.name ?? "");
  if (stored) ctx.emit({ type: "delete", resource: VOLUME_CONTENT, object: stored });
}

/** Creates the directory a node-backed volume lives in (a provisioner's mkdir). */
export function createVolumeDirectory(ctx: ControllerContext, volume: KubeObject): void {
  const backing = volumeBacking(ctx, volume);
  if (backing && !nodeFileExists(ctx, backing)) writeNodeFiles(ctx, backing.node, { [backing.path]: DIRECTORY });
}

/** Whether the node has the path itself (written, or implied by files under it). */
export function nodeFileExists(ctx: StoreReader, at: NodeBacking): boolean {
  const written = machineOf(ctx, at.node)?.files?.[at.path];
  if (written !== undefined) return written !== null;
  return Object.keys(nodeFilesUnder(ctx, at.node, at.path)).length > 0;
}

/** Applies writes (null removes, with everything under it) to a volume's files, as the pod on `node` makes them. */
export function writeVolumeContent(ctx: ControllerContext, volume: string, writes: Record<string, string | null>, node?: string): void {
  if (Object.keys(writes).length === 0) return;
  const backing = volumeBacking(ctx, volume, node);
  if (backing) {
    const nodeWrites: Record<string, string | null> = {};
    const current = nodeFilesUnder(ctx, backing.node, backing.path);
    for (const [path, content] of Object.entries(writes)) {
      const abs = `${backing.path}/${path}`;
      nodeWrites[abs] = content;
      if (content === null) for (const k of Object.keys(current)) if (k.startsWith(`${abs}/`)) nodeWrites[k] = null;
    }
    writeNodeFiles(ctx, backing.node, nodeWrites);
    return;
  }
  const files = { ...volumeContent(ctx, volume, node) };
  for (const [path, content] of Object.entries(writes)) {
    if (content !== null) {
      files[path] = content;
      continue;
    }
    delete files[path];
    for (const k of Object.keys(files)) if (k.startsWith(`${path}/`)) delete files[k];
  }
  const obj: VolumeContent = { apiVersion: "kubeplay.internal/v1", kind: "VolumeContent", metadata: { name: volume }, files };
  ctx.emit({ type: "put", resource: VOLUME_CONTENT, object: obj });
}
