// The image catalog: which images exist, under which repositories and tags, how big they are, and
// what a container of each runs by default. Behaviour lives in the per-family modules under
// images/; this module resolves a reference to an entry the way a registry would answer a pull.
import { hexDigest } from "../sandbox/bootstrap/hash";
import { effectiveTag, parseImageRef, type ImageRef } from "./image-ref";
import { DATABASE_IMAGES } from "./images/databases";
import { DISTRO_IMAGES } from "./images/distros";
import { LANGUAGE_IMAGES } from "./images/languages";
import { SYSTEM_IMAGES } from "./images/system";
import { TUTORIAL_IMAGES } from "./images/tutorials";
import { WEB_IMAGES } from "./images/web";

export interface TagRule {
  /** Tags that exist as written (`latest`, `stable`, `jammy`). */
  named: string[];
  /** Release lines and their highest patch (`"1.25": 5` means 1.25, 1.25.0 … 1.25.5). */
  lines?: Record<string, number>;
  /** Suffixes a version or named tag may carry (`alpine` for `1.25.1-alpine`). */
  variants?: string[];
  /** Prefix of version tags (`v` for `v1.32.0`). */
  prefix?: string;
}

export interface CatalogImage {
  id: string;
  /** Repositories (`docker.io/library/nginx`) that hold it on public registries. */
  repositories: string[];
  /** Last path components it answers to on other registries (mirrors such as Harbor). */
  names: string[];
  tags: TagRule;
  /** Compressed size of the default tag, bytes (the `Image size:` of the Pulled event). */
  size: number;
  /** Sizes of variants (`alpine`) where they differ. */
  variantSizes?: Record<string, number>;
  config: { entrypoint?: string[]; cmd?: string[]; workingDir?: string; env?: Record<string, string>; ports?: number[] };
  /** Which shell `sh` is (its error wording), or none (distroless). */
  shell: "dash" | "bash" | "busybox" | "none";
  /** Resident memory of the default process, MiB. */
  memoryMi: number;
  /** Programs on PATH besides the shell and core utilities. */
  programs: string[];
  /** Files of the image that behaviour depends on (web roots, configs). */
  files: Record<string, string>;
}

export const CATALOG: CatalogImage[] = [...WEB_IMAGES, ...DISTRO_IMAGES, ...DATABASE_IMAGES, ...LANGUAGE_IMAGES, ...TUTORIAL_IMAGES, ...SYSTEM_IMAGES];

const BY_REPOSITORY = new Map<string, CatalogImage>();
const BY_NAME = new Map<string, CatalogImage>();
for (const img of CATALOG) {
  for (const r of img.repositories) BY_REPOSITORY.set(r, img);
  for (const n of img.names) if (!BY_NAME.has(n)) BY_NAME.set(n, img);
}

/** Registries whose content we know: an unknown repository there does not exist. */
const PUBLIC_REGISTRIES = new Set(["docker.io", "registry.k8s.io", "k8s.gcr.io", "gcr.io", "us-docker.pkg.dev", "quay.io", "ghcr.io", "mcr.microsoft.com", "public.ecr.aws"]);

export type ResolvedImage =
  | { ok: true; ref: ImageRef; image: CatalogImage; tag: string; size: number; digest: string; imageID: string; variant?: string }
  | { ok: false; ref?: ImageRef; reason: "InvalidImageName" | "NotFound" | "AccessDenied"; message: string };

/** Whether `tag` exists under the rule; returns the variant it carries, or false. */
export function matchTag(rule: TagRule, tag: string): { variant?: string } | false {
  const variants = rule.variants ?? [];
  const candidates: { base: string; variant?: string }[] = [{ base: tag }];
  for (const v of variants) {
    if (tag === v) candidates.push({ base: "latest", variant: v });
    if (tag.endsWith(`-${v}`)) candidates.push({ base: tag.slice(0, -v.length - 1), variant: v });
  }
  for (const c of candidates) {
    if (rule.named.includes(c.base)) return { variant: c.variant };
    const prefix = rule.prefix ?? "";
    if (!c.base.startsWith(prefix)) continue;
    const m = /^(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(c.base.slice(prefix.length));
    if (!m || !rule.lines) continue;
    const [, major, minor, patch] = m;
    for (const [line, maxPatch] of Object.entries(rule.lines)) {
      const [lMajor, lMinor] = line.split(".");
      if (lMajor !== major) continue;
      if (minor === undefined) return { variant: c.variant };
      if ((lMinor ?? "0") !== minor) continue;
      if (patch === undefined || Number(patch) <= maxPatch) return { variant: c.variant };
    }
  }
  return false;
}

function lookup(ref: ImageRef): CatalogImage | undefined {
  const exact = BY_REPOSITORY.get(ref.repository);
  if (exact) return exact;
  // A private registry or mirror (`harbor.example.com/team/nginx`) serves copies of public images.
  if (!PUBLIC_REGISTRIES.has(ref.domain)) return BY_NAME.get(ref.name);
  return undefined;
}

// Models the error wording of containerd's remotes/docker resolver as the kubelet relays it.
function notFound(ref: ImageRef): string {
  const c = ref.canonical;
  return `rpc error: code = NotFound desc = failed to pull and unpack image "${c}": failed to resolve reference "${c}": ${c}: not found`;
}

function accessDenied(ref: ImageRef): string {
  const c = ref.canonical;
  return `rpc error: code = Unknown desc = failed to pull and unpack image "${c}": failed to resolve reference "${c}": pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed`;
}

/** Answers by image reference: the catalog does not change, and every pod start asks again. */
const resolved = new Map<string, ResolvedImage>();
const MAX_RESOLVED = 1000;

/** What pulling `image` gives: the catalog entry and its digest, or the registry's refusal. */
export function resolveImage(image: string): ResolvedImage {
  let hit = resolved.get(image);
  if (!hit) {
    if (resolved.size >= MAX_RESOLVED) resolved.clear();
    resolved.set(image, (hit = resolveUncached(image)));
  }
  return hit;
}

function resolveUncached(image: string): ResolvedImage {
  const ref = parseImageRef(image);
  if ("error" in ref) return { ok: false, reason: "InvalidImageName", message: ref.error };
  const entry = lookup(ref);
  if (!entry) {
    const denied = ref.domain === "docker.io";
    return { ok: false, ref, reason: denied ? "AccessDenied" : "NotFound", message: denied ? accessDenied(ref) : notFound(ref) };
  }
  let variant: string | undefined;
  if (!ref.digest || ref.tag) {
    const m = matchTag(entry.tags, effectiveTag(ref));
    if (!m) return { ok: false, ref, reason: "NotFound", message: notFound(ref) };
    variant = m.variant;
  }
  const size = (variant && entry.variantSizes?.[variant]) || entry.size;
  const digest = ref.digest ?? `sha256:${hexDigest(ref.canonical, 64)}`;
  return { ok: true, ref, image: entry, tag: effectiveTag(ref), size, digest, imageID: `${ref.repository}@${digest}`, variant };
}

/** How long a pull takes on a node: a registry round trip plus the layers at ~40 MB/s. */
export function pullDurationMs(size: number): number {
  return Math.round(400 + size / 40_000);
}

/** The shell flavour of a resolved image (`-alpine` variants carry busybox). */
export function shellOf(r: { image: CatalogImage; variant?: string; tag?: string }): CatalogImage["shell"] {
  if (r.image.shell === "none") return "none";
  if (r.variant?.includes("alpine") || r.tag?.includes("alpine")) return "busybox";
  return r.image.shell;
}
