// Image references as containerd reads them: `nginx` is `docker.io/library/nginx:latest`,
// `harbor.example.com/team/nginx:1.25.1-alpine` names registry host, path and tag, and a digest
// pins content. Malformed references fail the way the kubelet reports them (InvalidImageName).
// Models github.com/distribution/reference normalize.go ParseNormalizedNamed and regexp.go

export interface ImageRef {
  /** As written in the pod spec. */
  original: string;
  /** Registry host (`docker.io`, `registry.k8s.io`, `harbor.example.com:5000`). */
  domain: string;
  /** Repository path under the host (`library/nginx`, `google-samples/kubernetes-bootcamp`). */
  path: string;
  /** Last path component (`nginx`). */
  name: string;
  tag?: string;
  digest?: string;
  /** Fully qualified reference with the default tag applied (`docker.io/library/nginx:latest`). */
  canonical: string;
  /** Fully qualified repository (`docker.io/library/nginx`). */
  repository: string;
}

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-fA-F0-9]{32,}$/;
const DOMAIN = /^(?:localhost|(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:.]+\])(?::\d+)?$/;

export const DEFAULT_DOMAIN = "docker.io";

/** The parsed reference, or the parse error kubelet puts after "couldn't parse image name …:". */
export function parseImageRef(original: string): ImageRef | { error: string } {
  const invalid = { error: "invalid reference format" };
  if (!original || original !== original.trim()) return invalid;
  let rest = original;
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) return invalid;
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(":");
  if (colon > rest.lastIndexOf("/")) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) return invalid;
  }
  let domain = DEFAULT_DOMAIN;
  let path = rest;
  const slash = rest.indexOf("/");
  const first = slash >= 0 ? rest.slice(0, slash) : "";
  if (slash >= 0 && (first.includes(".") || first.includes(":") || first === "localhost" || first !== first.toLowerCase())) {
    if (!DOMAIN.test(first)) return invalid;
    domain = first;
    path = rest.slice(slash + 1);
  }
  if (domain === "index.docker.io") domain = DEFAULT_DOMAIN;
  if (domain === DEFAULT_DOMAIN && !path.includes("/")) path = `library/${path}`;
  if (path !== path.toLowerCase()) return { error: `invalid reference format: repository name (${path}) must be lowercase` };
  const parts = path.split("/");
  if (parts.some((p) => !COMPONENT.test(p))) return invalid;
  if (`${domain}/${path}`.length > 255) return { error: "invalid reference format: repository name must not be more than 255 characters" };
  const repository = `${domain}/${path}`;
  const canonical = digest ? `${repository}${tag ? `:${tag}` : ""}@${digest}` : `${repository}:${tag ?? "latest"}`;
  return { original, domain, path, name: parts[parts.length - 1], tag, digest, canonical, repository };
}

/** The kubelet's InvalidImageName message for a reference that does not parse. */
export function invalidImageMessage(image: string, error: string): string {
  return `Failed to apply default image tag "${image}": couldn't parse image name "${image}": ${error}`;
}

/** The tag a pull resolves (`latest` when none is given). */
export function effectiveTag(ref: ImageRef): string {
  return ref.tag ?? "latest";
}
