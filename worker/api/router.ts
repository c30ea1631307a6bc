// The Kubernetes API of one sandbox: dispatches a request path to discovery, OpenAPI, or a verb on a resource.
import { findResource, preferredVersion, type ResourceType } from "../resources/registry";
import type { ApiContext } from "./context";
import {
  aggregatedDiscovery,
  aggregatedDiscoveryType,
  apiResourceList,
  legacyApiGroup,
  legacyApiGroupList,
  legacyApiVersions,
  VERSION_INFO,
  wantsAggregated,
} from "./discovery";
import { createBinding } from "./binding";
import { withEventStorage } from "./event-conversion";
import { evictPod } from "./eviction";
import { METRICS_GROUP, metricsRoute } from "./metrics";
import { autoscalingV1, isAutoscalingV1Hpa } from "./autoscaling-v1";
import { streamSubresource } from "./exec";
import { podLog } from "./pod-log";
import { nodeProxy, podProxy, PORT_FORWARD_UNSUPPORTED, serviceProxy } from "../network/apiserver-proxy";
import { isOutsidePath, outsideRoute } from "../network/outside";
import { jsonResponse, statusResponse, wantsTable, warningHeaders } from "./negotiate";
import { openapiDocumentJSON, openapiHash, openapiIndex, openapiV2 } from "./openapi";
import { getObject, includeObjectParam, listBody, listObjects, listOptions, objectFilter, tableBody } from "./reads";
import { parseApiPath, type ResourceRequest } from "./request-info";
import { scaleOf, writeScale } from "./scale";
import { badRequest, forbidden, KubeError, methodNotAllowed, notFound } from "./status";
import { startWatch, watchParams } from "./watch";
import {
  createFromRequest,
  deleteCollectionFromRequest,
  deleteFromRequest,
  patchFromRequest,
  updateFromRequest,
  writeParams,
  type WriteResult,
} from "./writes";

const NOT_FOUND_PAGE = { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: "the server could not find the requested resource", reason: "NotFound", details: {}, code: 404 };

function pageNotFound(): Response {
  return jsonResponse(NOT_FOUND_PAGE, 404);
}

export async function handleApi(ctx: ApiContext, request: Request, path: string): Promise<Response> {
  try {
    return await route(ctx, request, path);
  } catch (e) {
    if (e instanceof KubeError) return statusResponse(e);
    console.error("internal error", e);
    return statusResponse(new KubeError(500, "InternalError", `Internal error occurred: ${(e as Error).message ?? String(e)}`, {}));
  }
}

async function route(ctx: ApiContext, request: Request, path: string): Promise<Response> {
  const url = new URL(request.url);
  const method = request.method;
  switch (path) {
    case "/version":
    case "/version/":
      return jsonResponse(VERSION_INFO);
    case "/healthz":
    case "/livez":
    case "/readyz":
      return new Response("ok", { headers: { "content-type": "text/plain; charset=utf-8" } });
    case "/openapi/v3":
    case "/openapi/v3/":
      return jsonResponse(openapiIndex(), 200, { "cache-control": "no-cache, private" });
  }
  if (path === "/openapi/v2" || path === "/openapi/v2/") {
    const v2 = openapiV2(request.headers.get("accept"));
    return new Response(v2.body, { headers: { "content-type": v2.contentType } });
  }
  if (path.startsWith("/openapi/v3/")) return openapiV3Document(ctx, url, path.slice("/openapi/v3/".length));

  // Services' NodePorts and LoadBalancer addresses, reached from outside the cluster.
  if (isOutsidePath(path)) return outsideRoute(ctx, request, path);
  const api = parseApiPath(path);
  const accept = request.headers.get("accept");
  switch (api.type) {
    case "discovery-root":
      if (method !== "GET") throw methodNotAllowed();
      {
        const aggregated = wantsAggregated(accept);
        if (aggregated) {
          return new Response(JSON.stringify(aggregatedDiscovery(api.legacy, aggregated)), {
            headers: { "content-type": aggregatedDiscoveryType(aggregated), vary: "Accept" },
          });
        }
      }
      return jsonResponse(api.legacy ? legacyApiVersions(url.host) : legacyApiGroupList());
    case "discovery-group": {
      const g = legacyApiGroup(api.group);
      return g ? jsonResponse(g) : pageNotFound();
    }
    case "discovery-version": {
      const list = apiResourceList(api.group, api.version);
      return list ? jsonResponse(list) : pageNotFound();
    }
    case "other":
      return pageNotFound();
    case "resource":
      if (api.group === METRICS_GROUP) return metricsRoute(ctx, request, url, api);
      if (isAutoscalingV1Hpa(api)) return autoscalingV1(ctx, request, path, api, (r, p) => route(ctx, r, p));
      return resourceRoute(ctx, request, url, api);
  }
}

function openapiV3Document(ctx: ApiContext, url: URL, gv: string): Response {
  const doc = openapiDocumentJSON(gv);
  const hash = openapiHash(gv);
  if (doc === undefined || hash === undefined) return pageNotFound();
  const asked = url.searchParams.get("hash");
  if (asked && asked !== hash) {
    // A client holding an index from before a deploy: send it to the current document.
    return new Response(null, { status: 301, headers: { location: `${ctx.prefix}/openapi/v3/${gv}?hash=${hash}` } });
  }
  const headers: Record<string, string> = { "content-type": "application/json", etag: `"${hash}"`, vary: "Accept" };
  if (asked) {
    headers["cache-control"] = "public, immutable";
    headers.expires = new Date(Date.now() + 365 * 86400_000).toUTCString();
  } else {
    headers["cache-control"] = "no-cache";
  }
  return new Response(doc, { headers });
}

function writeResponse(r: WriteResult): Response {
  return jsonResponse(r.body, r.status, warningHeaders(r.warnings));
}

const READ_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

async function resourceRoute(ctx: ApiContext, request: Request, url: URL, req: ResourceRequest): Promise<Response> {
  const t = findResource(req.group, req.version, req.resource);
  // A read-only link refuses every change, whatever it addresses.
  if (ctx.readOnly && !READ_METHODS.has(request.method)) {
    throw forbidden(req.group, req.resource, req.name ?? "", "this is a read-only link to the sandbox; it cannot make changes");
  }
  if (!t) {
    return pageNotFound();
  }
  // events.k8s.io Events are a view of the core Events (one store, as upstream).
  ctx = withEventStorage(ctx, t);
  if (req.namespace !== undefined && !t.namespaced) return pageNotFound();
  const method = request.method;
  const ns = req.namespace;
  const accept = request.headers.get("accept");
  const table = wantsTable(accept);
  const isWatch = req.watchPath || url.searchParams.get("watch") === "true" || url.searchParams.get("watch") === "1";

  if (req.name === undefined) {
    // Collection.
    const opts = listOptions(url);
    if (method === "GET") {
      if (isWatch) return startWatch(ctx, t, ns, undefined, opts, watchParams(url), table, url);
      const res = listObjects(ctx, t, ns, opts);
      if (table) {
        return jsonResponse(tableBody(ctx, t, res.items, table, includeObjectParam(url), res));
      }
      return jsonResponse(listBody(t, res));
    }
    if (method === "POST") {
      if (t.namespaced && ns === undefined) throw methodNotAllowed();
      return writeResponse(await createFromRequest(ctx, t, ns, request, writeParams(url, request)));
    }
    if (method === "DELETE") {
      return writeResponse(await deleteCollectionFromRequest(ctx, t, ns, objectFilter(t, opts), request, url, writeParams(url, request)));
    }
    throw methodNotAllowed();
  }

  const name = req.name;
  if (t.namespaced && ns === undefined) return pageNotFound();
  const sub = req.subresource;
  if (sub === undefined) {
    switch (method) {
      case "GET": {
        if (isWatch) return startWatch(ctx, t, ns, name, listOptions(url), watchParams(url), table, url);
        const obj = getObject(ctx, t, ns, name);
        if (table) return jsonResponse(tableBody(ctx, t, [obj], table, includeObjectParam(url), { resourceVersion: obj.metadata.resourceVersion }));
        return jsonResponse(obj);
      }
      case "PUT":
        return writeResponse(await updateFromRequest(ctx, t, ns, name, undefined, request, writeParams(url, request)));
      case "PATCH":
        return writeResponse(await patchFromRequest(ctx, t, ns, name, undefined, request, writeParams(url, request)));
      case "DELETE":
        return writeResponse(await deleteFromRequest(ctx, t, ns, name, request, url, writeParams(url, request)));
    }
    throw methodNotAllowed();
  }
  return subresourceRoute(ctx, t, request, url, ns, name, sub);
}

async function subresourceRoute(
  ctx: ApiContext,
  t: ResourceType,
  request: Request,
  url: URL,
  ns: string | undefined,
  name: string,
  sub: string,
): Promise<Response> {
  const method = request.method;
  if (sub === "status" && t.status) {
    if (method === "GET") return jsonResponse(getObject(ctx, t, ns, name));
    if (method === "PUT") return writeResponse(await updateFromRequest(ctx, t, ns, name, "status", request, writeParams(url, request)));
    if (method === "PATCH") return writeResponse(await patchFromRequest(ctx, t, ns, name, "status", request, writeParams(url, request)));
    throw methodNotAllowed();
  }
  if (sub === "scale" && t.scale) {
    if (method === "GET") return jsonResponse(scaleOf(t, getObject(ctx, t, ns, name)));
    if (method === "PUT" || method === "PATCH") return writeResponse(await writeScale(ctx, t, ns, name, request, writeParams(url, request)));
    throw methodNotAllowed();
  }
  if ((sub === "binding" || sub === "eviction") && t.kind === "Pod" && t.group === "") {
    if (method !== "POST") throw methodNotAllowed();
    const handler = sub === "binding" ? createBinding : evictPod;
    return writeResponse(await handler(ctx, ns ?? "", name, request, writeParams(url, request)));
  }
  if (sub === "log" && t.kind === "Pod" && t.group === "") return podLog(ctx, request, url, ns ?? "", name);
  if (sub === "proxy" && t.group === "") {
    if (t.kind === "Service") return serviceProxy(ctx, request, url, ns ?? "", name);
    if (t.kind === "Pod") return podProxy(ctx, request, url, ns ?? "", name);
    if (t.kind === "Node") return nodeProxy(ctx, request, url, name);
  }
  if (sub === "portforward" && t.kind === "Pod" && t.group === "") throw badRequest(PORT_FORWARD_UNSUPPORTED);
  if ((sub === "exec" || sub === "attach") && t.kind === "Pod" && t.group === "") return streamSubresource(ctx, request, url, ns ?? "", name, sub);
  if (sub === "finalize" && t.kind === "Namespace" && t.group === "") {
    if (method === "PUT") return writeResponse(await updateFromRequest(ctx, t, ns, name, "finalize", request, writeParams(url, request)));
    throw methodNotAllowed();
  }
  return pageNotFound();
}

export { preferredVersion, notFound };
