// Volumes as file contents, and a container's whole filesystem at a moment: image files, its
// writable layer, the kubelet-managed files, mounted volumes (configMap, secret, downwardAPI,
// projected, emptyDir shared by the pod's containers, hostPath from the node) and what its own
// process wrote so far. A missing ConfigMap/Secret fails the mount with upstream's wording.
// Models pkg/volume/{configmap,secret,downwardapi,projected,emptydir,hostpath} SetUpAt (content only)
import type { Container, DownwardAPIVolumeFile, KeyToPath, Pod, Volume, VolumeMount } from "kubernetes-types/core/v1";
import { layeredFs, withEffects, type Mount } from "../runtime/fs";
import { resolveImage } from "../runtime/images";
import { SANDBOX_CA } from "../sandbox/bootstrap/pki";
import type { FsEffect, FsReader } from "../runtime/types";
import { fieldValue, resourceValue } from "./env";
import { nodeFilesUnder } from "./machine";
import { ClaimError, claimedVolume, volumeContent } from "./pv-content";
import type { ContainerRuntime } from "./record";
import { podHostname, podHostsFile, podResolvConfFile } from "../network/pod-files";
import { containerSpec, specOf, type PodWork } from "./work";

export class MountError extends Error {
  constructor(
    readonly volume: string,
    message: string,
    /** The volume manager refused before any SetUp (a claim missing or unbound). */
    readonly unprocessed = false,
  ) {
    super(message);
  }
}

function b64(s: string): string {
  try {
    return atob(s);
  } catch {
    return "";
  }
}

function keyed(data: Record<string, string>, items: KeyToPath[] | undefined, what: string, optional: boolean | undefined, volume: string): Record<string, string> {
  if (!items?.length) return { ...data };
  const out: Record<string, string> = {};
  for (const it of items) {
    if (!(it.key in data)) {
      if (optional) continue;
      throw new MountError(volume, `configmap references non-existent config key: ${it.key}`.replace("configmap", what));
    }
    out[it.path] = data[it.key];
  }
  return out;
}

function source(w: PodWork, kind: "ConfigMap" | "Secret", name: string, optional: boolean | undefined, volume: string): Record<string, string> | undefined {
  const ns = w.pod.metadata.namespace ?? "default";
  const obj = w.ctx.get(kind === "ConfigMap" ? "/configmaps" : "/secrets", ns, name);
  if (!obj) {
    if (optional) return undefined;
    throw new MountError(volume, `${kind.toLowerCase()} "${name}" not found`);
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries((obj.data as Record<string, string> | undefined) ?? {})) out[k] = kind === "Secret" ? b64(v) : v;
  return out;
}

function downward(w: PodWork, items: DownwardAPIVolumeFile[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const it of items ?? []) {
    if (it.fieldRef) out[it.path] = fieldValue(w, it.fieldRef.fieldPath);
    else if (it.resourceFieldRef) {
      const c = specOf(w).containers.find((x) => x.name === it.resourceFieldRef?.containerName) ?? specOf(w).containers[0];
      out[it.path] = resourceValue(c, it.resourceFieldRef.resource, it.resourceFieldRef.divisor);
    }
  }
  return out;
}

/** The service account token the kubelet projects (a stand-in JWT; the API does not check it). */
function token(w: PodWork): string {
  const enc = (o: unknown) => btoa(JSON.stringify(o)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
  const sa = specOf(w).serviceAccountName ?? "default";
  const iat = Math.floor(w.rec.admittedAt / 1000);
  return `${enc({ alg: "RS256", kid: "kubeplay" })}.${enc({ aud: ["https://kubernetes.default.svc.cluster.local"], exp: iat + 3607, iat, iss: "https://kubernetes.default.svc.cluster.local", sub: `system:serviceaccount:${w.pod.metadata.namespace}:${sa}` })}.c2lnbmF0dXJl`;
}

/** Files of a volume that does not depend on the pod's containers; emptyDir answers its stored content. */
export function volumeFiles(w: PodWork, v: Volume): Record<string, string> {
  if (v.configMap) return keyed(source(w, "ConfigMap", v.configMap.name ?? "", v.configMap.optional, v.name) ?? {}, v.configMap.items, "configmap", v.configMap.optional, v.name);
  if (v.secret) return keyed(source(w, "Secret", v.secret.secretName ?? "", v.secret.optional, v.name) ?? {}, v.secret.items, "secret", v.secret.optional, v.name);
  if (v.downwardAPI) return downward(w, v.downwardAPI.items);
  if (v.projected) {
    const out: Record<string, string> = {};
    for (const s of v.projected.sources ?? []) {
      if (s.configMap) Object.assign(out, keyed(source(w, "ConfigMap", s.configMap.name ?? "", s.configMap.optional, v.name) ?? {}, s.configMap.items, "configmap", s.configMap.optional, v.name));
      if (s.secret) Object.assign(out, keyed(source(w, "Secret", s.secret.name ?? "", s.secret.optional, v.name) ?? {}, s.secret.items, "secret", s.secret.optional, v.name));
      if (s.downwardAPI) Object.assign(out, downward(w, s.downwardAPI.items));
      if (s.serviceAccountToken) out[s.serviceAccountToken.path] = token(w);
    }
    return out;
  }
  if (v.hostPath) {
    const base = v.hostPath.path.replace(/\/$/, "");
    const out: Record<string, string> = {};
    for (const [p, c] of Object.entries(nodeFilesUnder(w.ctx, w.node, base))) out[p.slice(base.length + 1)] = c;
    return out;
  }
  if (v.emptyDir) return { ...(w.rec.volumes?.[v.name] ?? {}) };
  if (v.persistentVolumeClaim) return { ...volumeContent(w.ctx, claimVolume(w, v.persistentVolumeClaim.claimName, v.name), w.node) };
  return {};
}

/** The PersistentVolume a pod's claim is bound to; MountError while it is missing or unbound. */
export function claimVolume(w: PodWork, claim: string, volume: string): string {
  try {
    // Once the pod's sandbox is up its volumes are mounted: a claim deleted since keeps serving it.
    return claimedVolume(w.ctx, w.pod.metadata.namespace ?? "default", claim, w.rec.sandboxAt === undefined);
  } catch (e) {
    if (e instanceof ClaimError) throw new MountError(volume, e.message, true);
    throw e;
  }
}

/** Every volume the pod's containers mount can be set up; throws MountError for the first that cannot. */
export function checkMounts(w: PodWork): void {
  const used = new Set([...(specOf(w).initContainers ?? []), ...specOf(w).containers].flatMap((c) => (c.volumeMounts ?? []).map((m) => m.name)));
  for (const v of specOf(w).volumes ?? []) if (used.has(v.name)) volumeFiles(w, v);
}

/**
 * Managed files by everything they are made of: every probe and model of a pod asks for them again,
 * and the token's encoding dominated reading one file. Read-only (containerFs copies them).
 */
const managedCache = new Map<string, Record<string, string>>();
const MANAGED_CACHED = 5000;

function managedFiles(w: PodWork): Record<string, string> {
  const spec = specOf(w);
  const m = w.pod.metadata;
  const dns = spec.subdomain || spec.hostAliases || spec.dnsPolicy || spec.dnsConfig ? JSON.stringify([spec.subdomain, spec.hostAliases, spec.dnsPolicy, spec.dnsConfig]) : "";
  const k = [spec.hostname ?? "\u0001", m.name ?? "\u0001", w.rec.ip ?? "", m.namespace ?? "\u0001", spec.hostNetwork === true, w.node, spec.automountServiceAccountToken === false, m.annotations?.["kubernetes.io/config.hash"] ? 1 : 0, spec.serviceAccountName ?? "\u0001", w.rec.admittedAt, dns].join("\u0000");
  let files = managedCache.get(k);
  if (!files) {
    if (managedCache.size >= MANAGED_CACHED) managedCache.clear();
    managedCache.set(k, (files = buildManagedFiles(w)));
  }
  return files;
}

/** /etc/hostname, /etc/hosts and /etc/resolv.conf as the kubelet writes them (`network/pod-files.ts`). */
function buildManagedFiles(w: PodWork): Record<string, string> {
  const spec = specOf(w);
  const ns = w.pod.metadata.namespace ?? "default";
  const host = podHostname(spec, w.pod.metadata.name ?? "");
  return {
    "/etc/hostname": `${spec.hostNetwork === true ? w.node : host}\n`,
    "/etc/hosts": podHostsFile(spec, w.pod.metadata.name ?? "", ns, w.rec.ip ?? ""),
    "/etc/resolv.conf": podResolvConfFile(spec, ns),
    ...serviceAccountFiles(w),
  };
}

const SA_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

/**
 * What the ServiceAccount admission plugin's `kube-api-access-*` volume gives every container (the
 * docs' init containers read `namespace` from it). kubeplay does not add that volume to the pod; the
 * kubelet provides its files, unless the pod opts out or is a static pod (which admission never
 * sees). A volume mounted there replaces them.
 */
function serviceAccountFiles(w: PodWork): Record<string, string> {
  if (specOf(w).automountServiceAccountToken === false || w.pod.metadata.annotations?.["kubernetes.io/config.hash"]) return {};
  return { [`${SA_DIR}/ca.crt`]: SANDBOX_CA, [`${SA_DIR}/namespace`]: w.pod.metadata.namespace ?? "default", [`${SA_DIR}/token`]: token(w) };
}

/** Effects of the pod's other containers on emptyDir `volume`, as paths within the volume. */
function sharedEffects(w: PodWork, volume: string, self: ContainerRuntime, effectsOf: EffectsSource): FsEffect[] {
  const out: FsEffect[] = [];
  const selfStart = self.current?.startedAt ?? Infinity;
  for (const other of w.rec.containers) {
    if (other === self || !other.current || other.current.startedAt >= selfStart) continue;
    const mount = containerSpec(w, other)?.volumeMounts?.find((m) => m.name === volume);
    if (!mount) continue;
    const base = mount.mountPath.replace(/\/$/, "");
    for (const e of effectsOf(other)) {
      if (!e.path.startsWith(`${base}/`)) continue;
      out.push({ ...e, at: e.at + other.current.startedAt, path: e.path.slice(base.length + 1) });
    }
  }
  return out.sort((a, b) => a.at - b.at);
}

/** A container's process effects (offsets from its start); supplied by the process-model cache. */
export type EffectsSource = (c: ContainerRuntime) => FsEffect[];

function applyToFiles(files: Record<string, string>, effects: FsEffect[], until: number): Record<string, string> {
  const out = { ...files };
  for (const e of effects) {
    if (e.at > until) break;
    if (e.op === "remove") delete out[e.path];
    else if (e.op === "write") out[e.path] = e.content ?? "";
    else if (e.op === "append") out[e.path] = (out[e.path] ?? "") + (e.content ?? "");
  }
  return out;
}

function subPathOf(files: Record<string, string>, m: VolumeMount): Record<string, string> {
  if (!m.subPath) return files;
  const prefix = m.subPath.replace(/\/$/, "");
  if (files[prefix] !== undefined) return { "": files[prefix] };
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(files)) if (k.startsWith(`${prefix}/`)) out[k.slice(prefix.length + 1)] = v;
  return out;
}

/**
 * Container `c`'s filesystem at `at`: what its process sees, probes read and (later) exec works on.
 * `ownEffects` applies its own process's writes up to then.
 */
export function containerFs(w: PodWork, c: ContainerRuntime, at: number, effectsOf?: EffectsSource, ownEffects = true): FsReader {
  const spec = containerSpec(w, c);
  // A container with no volumes and nothing written to its layer sees the same files all pass
  // long (its image and the managed files): one view per pass, however many probes read it.
  const plain = !spec?.volumeMounts?.length && c.layer === undefined;
  let base = plain ? plainViews.get(w)?.get(c) : undefined;
  if (!base || base.inst !== c.current || base.ip !== w.rec.ip) {
    const fs = buildFs(w, c, spec, at, effectsOf);
    if (!plain) return withOwnEffects(w, c, fs, at, effectsOf, ownEffects);
    let views = plainViews.get(w);
    if (!views) plainViews.set(w, (views = new Map()));
    views.set(c, (base = { inst: c.current, ip: w.rec.ip, fs }));
  }
  return withOwnEffects(w, c, base.fs, at, effectsOf, ownEffects);
}

const plainViews = new WeakMap<PodWork, Map<ContainerRuntime, { inst: ContainerRuntime["current"]; ip: string | undefined; fs: FsReader }>>();

function withOwnEffects(w: PodWork, c: ContainerRuntime, base: FsReader, at: number, effectsOf: EffectsSource | undefined, ownEffects: boolean): FsReader {
  if (!ownEffects || !effectsOf || !c.current) return base;
  return withEffects(base, effectsOf(c), at - c.current.startedAt);
}

function buildFs(w: PodWork, c: ContainerRuntime, spec: Container | undefined, at: number, effectsOf: EffectsSource | undefined): FsReader {
  const resolved = resolveImage(c.current?.image || spec?.image || "");
  const mounts: Mount[] = [];
  const volumes = new Map(((w.pod as Pod).spec?.volumes ?? []).map((v) => [v.name, v]));
  const single: Record<string, string> = {};
  for (const m of spec?.volumeMounts ?? []) {
    const v = volumes.get(m.name);
    if (!v) continue;
    let files: Record<string, string>;
    try {
      files = volumeFiles(w, v);
    } catch {
      files = {};
    }
    if (v.emptyDir && effectsOf) files = applyToFiles(files, sharedEffects(w, v.name, c, effectsOf), at);
    const sub = subPathOf(files, m);
    if (m.subPath && sub[""] !== undefined) single[m.mountPath] = sub[""];
    else mounts.push({ path: m.mountPath.replace(/\/$/, "") || "/", files: sub, readOnly: m.readOnly });
  }
  return layeredFs({ image: resolved.ok ? resolved.image.files : {}, managed: { ...managedFiles(w), ...single }, layer: c.layer, mounts });
}
