// A container's filesystem as one view: the image's files, its writable layer (what exec and the
// process wrote), the volumes mounted over paths (emptyDir, configMap, secret, downwardAPI,
// projected, hostPath), and the files the kubelet manages (/etc/hosts, the service account).
import { DIRECTORY, type FsEffect, type FsReader } from "./types";

export interface Mount {
  /** Where it is mounted in the container. */
  path: string;
  /** Files by path relative to the volume root (`config/app.conf`). */
  files: Record<string, string>;
  readOnly?: boolean;
}

const BASE_DIRS = ["/", "/bin", "/dev", "/etc", "/home", "/lib", "/proc", "/root", "/run", "/sbin", "/sys", "/tmp", "/usr", "/usr/bin", "/usr/local", "/usr/local/bin", "/usr/share", "/var", "/var/log", "/var/run"];

function under(path: string, dir: string): string | undefined {
  if (path === dir) return "";
  const prefix = dir === "/" ? "/" : `${dir}/`;
  return path.startsWith(prefix) ? path.slice(prefix.length) : undefined;
}

function childName(key: string, dir: string): string | undefined {
  const rel = under(key, dir);
  return rel ? rel.split("/")[0] : undefined;
}

export interface FsLayers {
  /** The image's files. */
  image: Record<string, string>;
  /** Files the kubelet puts in every container. */
  managed?: Record<string, string>;
  /** The writable layer: written content, or null for removed. */
  layer?: Record<string, string | null>;
  mounts?: Mount[];
}

/** The layered view; mounts hide what is under them, the layer hides the image. */
export function layeredFs(l: FsLayers): FsReader {
  const mounts = [...(l.mounts ?? [])].sort((a, b) => b.path.length - a.path.length);
  const mountOf = (path: string) => {
    for (const m of mounts) {
      const rel = under(path, m.path);
      if (rel !== undefined) return { m, rel };
    }
    return undefined;
  };
  const fileOf = (path: string): string | undefined => {
    const hit = mountOf(path);
    if (hit) {
      if (hit.rel === "") return DIRECTORY;
      const c = hit.m.files[hit.rel];
      if (c !== undefined) return c;
      return Object.keys(hit.m.files).some((k) => k.startsWith(`${hit.rel}/`)) ? DIRECTORY : undefined;
    }
    const layered = l.layer?.[path];
    if (layered !== undefined) return layered ?? undefined;
    if (l.layer && Object.entries(l.layer).some(([k, v]) => v === null && path.startsWith(`${k}/`))) return undefined;
    const c = l.managed?.[path] ?? l.image[path];
    if (c !== undefined) return c;
    if (BASE_DIRS.includes(path)) return DIRECTORY;
    const dirPrefix = `${path}/`;
    const anyUnder = (rec: Record<string, unknown> | undefined) => !!rec && Object.keys(rec).some((k) => k.startsWith(dirPrefix) && rec[k] !== null);
    if (anyUnder(l.image) || anyUnder(l.managed) || anyUnder(l.layer) || mounts.some((m) => m.path.startsWith(dirPrefix))) return DIRECTORY;
    return undefined;
  };
  return {
    read: fileOf,
    list(dir: string): string[] {
      const d = dir.length > 1 ? dir.replace(/\/$/, "") : dir;
      const hit = mountOf(d);
      const names = new Set<string>();
      if (hit) {
        const prefix = hit.rel ? `${hit.rel}/` : "";
        for (const k of Object.keys(hit.m.files)) if (k.startsWith(prefix)) names.add(k.slice(prefix.length).split("/")[0]);
      } else {
        for (const rec of [l.image, l.managed ?? {}]) for (const k of Object.keys(rec)) childName(k, d) && names.add(childName(k, d)!);
        for (const [k, v] of Object.entries(l.layer ?? {})) {
          const n = childName(k, d);
          if (!n) continue;
          if (v === null && under(k, d) === n) names.delete(n);
          else if (v !== null) names.add(n);
        }
        for (const b of BASE_DIRS) childName(b, d) && names.add(childName(b, d)!);
      }
      for (const m of mounts) {
        const n = childName(m.path, d);
        if (n) names.add(n);
      }
      return [...names].sort();
    },
  };
}

/** `base` with a process's effects up to offset `until` applied on top. */
export function withEffects(base: FsReader, effects: FsEffect[], until: number): FsReader {
  const overlay = new Map<string, string | null>();
  for (const e of effects) {
    if (e.at > until) break;
    if (e.op === "remove") overlay.set(e.path, null);
    else if (e.op === "mkdir") overlay.set(e.path, DIRECTORY);
    else if (e.op === "write") overlay.set(e.path, e.content ?? "");
    else {
      const before = overlay.has(e.path) ? overlay.get(e.path) : base.read(e.path);
      overlay.set(e.path, (before && before !== DIRECTORY ? before : "") + (e.content ?? ""));
    }
  }
  if (overlay.size === 0) return base;
  return {
    read(path) {
      if (overlay.has(path)) return overlay.get(path) ?? undefined;
      return base.read(path);
    },
    list(dir) {
      const names = new Set(base.list(dir));
      const prefix = dir === "/" ? "/" : `${dir.replace(/\/$/, "")}/`;
      for (const [k, v] of overlay) {
        if (!k.startsWith(prefix) || k.slice(prefix.length).includes("/")) continue;
        if (v === null) names.delete(k.slice(prefix.length));
        else names.add(k.slice(prefix.length));
      }
      return [...names].sort();
    },
  };
}
