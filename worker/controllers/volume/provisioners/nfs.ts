// The two NFS provisioners tutorials install, each alive while its controller pod runs:
// - csi-driver-nfs (`nfs.csi.k8s.io`): the csi-provisioner sidecar next to the nfsplugin driver; a
//   volume is the subdirectory `pvc-<uid>` of the class's `server:share`, a CSI volume whose
//   handle names server, share and subdirectory. With a csi-resizer sidecar volumes can grow
//   (an NFS share has no size to grow, so no kubelet step follows).
// - nfs-subdir-external-provisioner: a directory `<namespace>-<claim>-<pv>` under NFS_PATH on
//   NFS_SERVER, handed out as an in-tree NFS volume; deleted volumes are archived by default.
// When the server is a node of the sandbox (by name or address) the directory is made on that
// node, so `ls` there shows it and files written there are what the pods read; the export must
// exist on the node (`mkdir` it first), as the NFS server refuses a path it does not export.
// Other servers are taken on trust and the volume's files are kept with the volume.
// Models github.com/kubernetes-csi/csi-driver-nfs pkg/nfs/controllerserver.go CreateVolume / DeleteVolume
// and github.com/kubernetes-sigs/nfs-subdir-external-provisioner cmd/nfs-subdir-external-provisioner/provisioner.go
import { createVolumeDirectory, deleteVolumeContent, nodeFileExists, nodeForServer, volumeBacking } from "../../../kubelet/pv-content";
import { nodeFilesUnder, writeNodeFiles } from "../../../kubelet/machine";
import type { KubeObject } from "../../../resources/types";
import { DIRECTORY } from "../../../runtime/types";
import { formatQuantity } from "../../../resources/validation/quantity";
import { hexDigest } from "../../../sandbox/bootstrap/hash";
import type { ControllerContext } from "../../types";
import { accessModes, list, quantity, rec, requestedStorage, volumeMode } from "../util";
import type { Provisioner, ProvisionResult } from "./types";

export const NFS_CSI = "nfs.csi.k8s.io";

function uuidFrom(seed: string): string {
  const h = hexDigest(seed, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const trimSlashes = (s: string) => s.replace(/^\/+|\/+$/g, "");

/** What mounting `server:share` gives: nothing wrong, or mount.nfs's complaint. */
function mountError(ctx: ControllerContext, server: string, share: string, options: string[], target: string): string | undefined {
  const node = nodeForServer(ctx, server);
  if (!node) return undefined;
  const path = `/${trimSlashes(share)}`;
  if (path === "/" || nodeFileExists(ctx, { node, path })) return undefined;
  const opts = options.length ? `-o ${options.join(",")} ` : "";
  return `mount failed: exit status 32\nMounting command: mount\nMounting arguments: -t nfs ${opts}${server}:${share} ${target}\nOutput: mount.nfs: access denied by server while mounting ${server}:${share}\n`;
}

/** Moves a node-backed volume's directory to `archived-<name>` beside it. */
function archive(ctx: ControllerContext, pv: KubeObject): void {
  const backing = volumeBacking(ctx, pv);
  if (!backing) return;
  const slash = backing.path.lastIndexOf("/");
  const target = `${backing.path.slice(0, slash)}/archived-${backing.path.slice(slash + 1)}`;
  const writes: Record<string, string | null> = { [target]: DIRECTORY };
  for (const [p, c] of Object.entries(nodeFilesUnder(ctx, backing.node, backing.path))) {
    writes[target + p.slice(backing.path.length)] = c;
    writes[p] = null;
  }
  if (nodeFileExists(ctx, backing)) writes[backing.path] = null;
  writeNodeFiles(ctx, backing.node, writes);
}

/** Bytes of the request as the CSI response reports them back. */
function capacityFor(pvc: KubeObject): string {
  const q = quantity(requestedStorage(pvc));
  const bytes = q.scale >= 0 ? q.n * 10n ** BigInt(q.scale) : (q.n + 10n ** BigInt(-q.scale) - 1n) / 10n ** BigInt(-q.scale);
  return formatQuantity({ n: bytes, scale: 0, format: "BinarySI" });
}

export interface ControllerPod {
  pod: KubeObject;
  /** The container running the provisioner (the CSI driver, or the provisioner itself). */
  container: Record<string, unknown>;
  startedAt: number;
  /** Names of the pod's other running containers' images (`csi-resizer`, …). */
  sidecars: Set<string>;
}

function hostOf(pod: KubeObject): string {
  return rec(pod.spec).hostNetwork ? String(rec(pod.spec).nodeName ?? "") : (pod.metadata.name ?? "");
}

export function nfsCsiProvisioner(c: ControllerPod): Provisioner {
  const args = list<string>(c.container.args).concat(list<string>(c.container.command));
  const name = args.map((a) => /^--?drivername=(.+)$/.exec(a)?.[1]).find(Boolean) ?? NFS_CSI;
  const identity = `${name}_${hostOf(c.pod)}_${uuidFrom(`${c.pod.metadata.uid}/${c.startedAt}`)}`;
  const provisionerIdentity = `${c.startedAt}-${parseInt(hexDigest(c.pod.metadata.uid ?? "", 4), 16) % 10000}-${name}`;
  return {
    name,
    identity,
    durationMs: 1000,
    supportsBlock: false,
    resizer: c.sidecars.has("csi-resizer") ? { nodeExpansion: false } : undefined,
    provision(ctx, { pvc, sc, pvName }): ProvisionResult {
      const params = rec(sc.parameters) as Record<string, string>;
      const server = params.server ?? "";
      const share = params.share ?? "";
      if (!server) return { error: "rpc error: code = InvalidArgument desc = server is a required parameter" };
      if (!share) return { error: "rpc error: code = InvalidArgument desc = share is a required parameter" };
      if (volumeMode(pvc) === "Block") return { error: "rpc error: code = InvalidArgument desc = Block volume capability not supported" };
      const failed = mountError(ctx, server, share, list<string>(sc.mountOptions), `/tmp/${pvName}`);
      if (failed) return { error: `rpc error: code = Internal desc = failed to mount nfs server: rpc error: code = Internal desc = ${failed}` };
      const onDelete = ["retain", "archive"].includes((params.onDelete ?? "").toLowerCase()) ? params.onDelete : "";
      const pv: KubeObject = {
        apiVersion: "v1",
        kind: "PersistentVolume",
        metadata: {
          name: pvName,
          annotations: { "volume.kubernetes.io/provisioner-deletion-secret-name": "", "volume.kubernetes.io/provisioner-deletion-secret-namespace": "" },
        },
        spec: {
          accessModes: accessModes(pvc),
          capacity: { storage: capacityFor(pvc) },
          csi: {
            driver: name,
            volumeHandle: [trimSlashes(server), trimSlashes(share), pvName, "", onDelete].join("#"),
            volumeAttributes: {
              "csi.storage.k8s.io/pv/name": pvName,
              "csi.storage.k8s.io/pvc/name": pvc.metadata.name ?? "",
              "csi.storage.k8s.io/pvc/namespace": pvc.metadata.namespace ?? "",
              server,
              share,
              "storage.kubernetes.io/csiProvisionerIdentity": provisionerIdentity,
              subdir: pvName,
            },
          },
          ...(list(sc.mountOptions).length ? { mountOptions: structuredClone(sc.mountOptions) } : {}),
          persistentVolumeReclaimPolicy: sc.reclaimPolicy ?? "Delete",
          volumeMode: "Filesystem",
        },
      };
      createVolumeDirectory(ctx, pv);
      return { pv };
    },
    delete(ctx, pv) {
      const onDelete = String(rec(rec(pv.spec).csi).volumeHandle ?? "").split("#")[4]?.toLowerCase() ?? "";
      if (onDelete === "retain") return undefined;
      if (onDelete === "archive") archive(ctx, pv);
      else deleteVolumeContent(ctx, pv);
      return undefined;
    },
  };
}

function envOf(container: Record<string, unknown>, name: string): string | undefined {
  const e = list(container.env).find((x) => x.name === name);
  return typeof e?.value === "string" ? e.value : undefined;
}

export function nfsSubdirProvisioner(c: ControllerPod): Provisioner | undefined {
  // Without these the provisioner exits at start-up.
  const name = envOf(c.container, "PROVISIONER_NAME");
  const server = envOf(c.container, "NFS_SERVER");
  const base = envOf(c.container, "NFS_PATH");
  if (!name || !server || !base) return undefined;
  return {
    name,
    identity: `${name}_${hostOf(c.pod)}_${uuidFrom(`${c.pod.metadata.uid}/${c.startedAt}`)}`,
    durationMs: 1000,
    supportsBlock: false,
    provision(ctx, { pvc, sc, pvName }): ProvisionResult {
      const dir = [pvc.metadata.namespace, pvc.metadata.name, pvName].join("-");
      const pv: KubeObject = {
        apiVersion: "v1",
        kind: "PersistentVolume",
        metadata: { name: pvName },
        spec: {
          persistentVolumeReclaimPolicy: sc.reclaimPolicy ?? "Delete",
          accessModes: accessModes(pvc),
          ...(list(sc.mountOptions).length ? { mountOptions: structuredClone(sc.mountOptions) } : {}),
          capacity: { storage: requestedStorage(pvc) },
          nfs: { server, path: `${base.replace(/\/+$/, "")}/${dir}` },
        },
      };
      createVolumeDirectory(ctx, pv);
      return { pv };
    },
    delete(ctx, pv, sc) {
      const params = rec(sc?.parameters) as Record<string, string>;
      const onDelete = params.onDelete ?? "";
      if (onDelete === "retain") return undefined;
      const archiveOnDelete = params.archiveOnDelete;
      if (onDelete === "delete" || (archiveOnDelete !== undefined && /^(false|f|0|FALSE|False|F)$/.test(archiveOnDelete))) deleteVolumeContent(ctx, pv);
      // Archived: a volume whose files are kept with it keeps them.
      else archive(ctx, pv);
      return undefined;
    },
  };
}
