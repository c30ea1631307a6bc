// Forwarding /s/<id>/… to the sandbox's Durable Object, and what the Worker answers itself
// (the kubeconfig and the console page for browsers).
import type { Env } from "../env";
import { DEFAULT_MAX_BODY_BYTES, readBody } from "../api/body";
import { jsonResponse, statusResponse } from "../api/negotiate";
import { KubeError } from "../api/status";
import { INTERNAL_PREFIX, PREFIX_HEADER, READ_ONLY_HEADER, SANDBOX_HEADER } from "../sandbox/internal";
import { findSandbox } from "./sandbox-rows";
import { kubeconfigYaml } from "./kubeconfig";
import { accessToken, resolveAccess } from "./access";

function notFoundStatus(id: string): Response {
  return jsonResponse(
    { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: `sandbox "${id}" not found`, reason: "NotFound", details: { name: id, kind: "sandboxes" }, code: 404 },
    404,
  );
}

/** What a present-but-invalid bearer token gets, in kube-apiserver's words. */
export function unauthorizedStatus(): Response {
  return jsonResponse({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: "Unauthorized", reason: "Unauthorized", code: 401 }, 401);
}

export function sandboxStub(env: Env, id: string): DurableObjectStub {
  return env.SANDBOX.get(env.SANDBOX.idFromName(id));
}

const BODYLESS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Sends a request to a sandbox's Durable Object with the trusted headers set (and client copies removed).
 * A body is read here first, within the size limit: an oversized one is refused before it reaches the
 * sandbox, and a sandbox that answers early never leaves a half-read client stream behind.
 */
export async function toSandbox(env: Env, request: Request, sandboxId: string, opts: { prefix: string; readOnly: boolean }): Promise<Response> {
  let body: Uint8Array | undefined;
  if (!BODYLESS.has(request.method) && request.body) {
    const limit = Number(env.MAX_BODY_BYTES ?? DEFAULT_MAX_BODY_BYTES) || DEFAULT_MAX_BODY_BYTES;
    try {
      body = await readBody(request, limit);
    } catch (e) {
      if (e instanceof KubeError) return statusResponse(e);
      throw e;
    }
  }
  const headers = new Headers(request.headers);
  // Every x-kubeplay-* header is the Worker's to set. Credentials stop here: nothing in the sandbox
  // (a pod behind the API server's proxy, say) gets to see them.
  for (const name of [...headers.keys()]) if (name.startsWith("x-kubeplay-")) headers.delete(name);
  headers.delete("authorization");
  headers.set(SANDBOX_HEADER, sandboxId);
  headers.set(PREFIX_HEADER, opts.prefix);
  if (opts.readOnly) headers.set(READ_ONLY_HEADER, "1");
  const init: RequestInit = { method: request.method, headers };
  if (body) init.body = body;
  return sandboxStub(env, sandboxId).fetch(new Request(request.url, init));
}

/** One of the sandbox's internal operations (init, info, fork, destroy, expire, clock, nodes, …). */
export function internalCall(env: Env, sandboxId: string, op: string, method: string, body?: unknown): Promise<Response> {
  const init: RequestInit = { method };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers = { "content-type": "application/json" };
  }
  return toSandbox(env, new Request(`http://sandbox${INTERNAL_PREFIX}${op}`, init), sandboxId, { prefix: "", readOnly: false });
}

function wantsHtml(request: Request): boolean {
  return (request.headers.get("accept") ?? "").includes("text/html");
}

export async function forwardToSandbox(env: Env, request: Request, id: string): Promise<Response> {
  const url = new URL(request.url);
  const prefix = `/s/${id}`;
  // The id as written in the path (an id spelled with percent escapes is not one).
  if (!url.pathname.startsWith(prefix)) return notFoundStatus(id);
  const access = await resolveAccess(env, id, request.headers.get("authorization"), false);
  if ("refused" in access) return access.refused === "unauthorized" ? unauthorizedStatus() : notFoundStatus(id);
  const { sandboxId, readOnly } = access;
  const rest = url.pathname.slice(prefix.length);

  if (rest === "/kubeconfig" && request.method === "GET") {
    const row = await findSandbox(env, sandboxId);
    if (!row) return notFoundStatus(id);
    // A bearer token only over https, where it cannot be read on the way. It is the token of the id in
    // the URL (see access.ts), never the owner token.
    const token = url.protocol === "https:" ? await accessToken(id) : undefined;
    return new Response(kubeconfigYaml(url.origin, id, token), { headers: { "content-type": "application/yaml; charset=utf-8" } });
  }
  if ((rest === "" || rest === "/") && request.method === "GET" && wantsHtml(request)) {
    // The page reads the sandbox id and `?embed=` from its own URL. `/console` (not `/console.html`,
    // which the assets answer with a redirect) serves web/console.html.
    return env.ASSETS.fetch(new Request(new URL("/console", url.origin), request));
  }
  return toSandbox(env, request, sandboxId, { prefix, readOnly });
}
