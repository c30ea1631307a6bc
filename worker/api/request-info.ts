// Parses a Kubernetes API path into what it addresses, like apiserver's RequestInfoFactory.
// Models staging/src/k8s.io/apiserver/pkg/endpoints/request/requestinfo.go NewRequestInfo
import { unescapeUrl, UrlEscapeError } from "../util/url";
import { badRequest } from "./status";

export interface ResourceRequest {
  type: "resource";
  group: string;
  version: string;
  resource: string;
  namespace?: string;
  name?: string;
  subresource?: string;
  /** Trailing path after a subresource (e.g. the proxied path of `services/x/proxy/...`). */
  rest?: string;
  /** Path used the legacy `/watch/` prefix. */
  watchPath: boolean;
}

export type ApiPath =
  | { type: "discovery-root"; legacy: boolean } // /api or /apis
  | { type: "discovery-group"; group: string } // /apis/<group>
  | { type: "discovery-version"; group: string; version: string } // /api/v1, /apis/<g>/<v>
  | ResourceRequest
  | { type: "other"; path: string };

/**
 * A path segment as Go's net/url decodes it. A broken escape never reaches kube-apiserver: Go's HTTP
 * server refuses the request line with 400 and url.EscapeError's words.
 */
function segment(s: string): string {
  try {
    return unescapeUrl(s);
  } catch (e) {
    if (e instanceof UrlEscapeError) throw badRequest(e.message);
    throw e;
  }
}

export function parseApiPath(path: string): ApiPath {
  const parts = path.split("/").filter((p) => p !== "");
  if (parts[0] === "api") {
    if (parts.length === 1) return { type: "discovery-root", legacy: true };
    return parseGroupVersionPath("", parts[1], parts.slice(2), path);
  }
  if (parts[0] === "apis") {
    if (parts.length === 1) return { type: "discovery-root", legacy: false };
    if (parts.length === 2) return { type: "discovery-group", group: parts[1] };
    return parseGroupVersionPath(parts[1], parts[2], parts.slice(3), path);
  }
  return { type: "other", path };
}

function parseGroupVersionPath(group: string, version: string, rest: string[], path: string): ApiPath {
  if (rest.length === 0) return { type: "discovery-version", group, version };
  let watchPath = false;
  if (rest[0] === "watch") {
    watchPath = true;
    rest = rest.slice(1);
  }
  if (rest.length === 0) return { type: "other", path };
  let namespace: string | undefined;
  // /namespaces/<ns>/<resource>/... addresses namespaced resources; /namespaces and /namespaces/<name>[/status|finalize]
  // address the namespace objects themselves.
  if (rest[0] === "namespaces" && rest.length >= 3) {
    namespace = segment(rest[1]);
    rest = rest.slice(2);
  }
  const [resource, name, subresource, ...tail] = rest;
  if (namespace !== undefined && resource === undefined) return { type: "other", path };
  const req: ResourceRequest = { type: "resource", group, version, resource, watchPath };
  if (namespace !== undefined) req.namespace = namespace;
  if (name !== undefined) req.name = segment(name);
  if (subresource !== undefined) req.subresource = subresource;
  if (tail.length > 0) req.rest = tail.join("/");
  // /api/v1/namespaces/<ns>/status and /finalize: subresources of the namespace object.
  if (namespace !== undefined && group === "" && (resource === "status" || resource === "finalize") && name === undefined) {
    return { type: "resource", group, version, resource: "namespaces", name: namespace, subresource: resource, watchPath };
  }
  return req;
}
