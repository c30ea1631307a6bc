// Forwarding /s/<id>/… to the sandbox's Durable Object, and what the Worker answers itself
// (the kubeconfig, the console page for browsers, and the console's combined watch stream).
import type { Env } from "../env";
import { DEFAULT_MAX_BODY_BYTES, readBody } from "../api/body";
import { jsonResponse, statusResponse } from "../api/negotiate";
import { KubeError } from "../api/status";
import { PREFIX_HEADER, READ_ONLY_HEADER, SANDBOX_HEADER } from "../sandbox/internal";
import { isReadOnlyId, isSandboxId } from "./ids";
import { findSandbox, findSandboxByReadOnlyId } from "./sandbox-rows";
import { kubeconfigYaml } from "./kubeconfig";
import { watchMany } from "./watch-mux";

function notFoundStatus(id: string): Response {
  return jsonResponse(
    { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: `sandbox "${id}" not found`, reason: "NotFound", details: { name: id, kind: "sandboxes" }, code: 404 },
    404,
  );
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
  headers.delete(SANDBOX_HEADER);
  headers.delete(READ_ONLY_HEADER);
  headers.delete(PREFIX_HEADER);
  headers.set(SANDBOX_HEADER, sandboxId);
  headers.set(PREFIX_HEADER, opts.prefix);
  if (opts.readOnly) headers.set(READ_ONLY_HEADER, "1");
  const init: RequestInit = { method: request.method, headers };
  if (body) init.body = body;
  return sandboxStub(env, sandboxId).fetch(new Request(request.url, init));
}

function wantsHtml(request: Request): boolean {
  return (request.headers.get("accept") ?? "").includes("text/html");
}

export async function forwardToSandbox(env: Env, request: Request, id: string): Promise<Response> {
  let sandboxId: string;
  let readOnly = false;
  if (isSandboxId(id)) {
    sandboxId = id;
  } else if (isReadOnlyId(id)) {
    const row = await findSandboxByReadOnlyId(env, id);
    if (!row) return notFoundStatus(id);
    sandboxId = row.id;
    readOnly = true;
  } else {
    return notFoundStatus(id);
  }
  const url = new URL(request.url);
  const prefix = `/s/${id}`;
  const rest = url.pathname.slice(prefix.length);

  if (rest === "/kubeconfig" && request.method === "GET") {
    const row = await findSandbox(env, sandboxId);
    if (!row) return notFoundStatus(id);
    return new Response(kubeconfigYaml(url.origin, id), { headers: { "content-type": "application/yaml; charset=utf-8" } });
  }
  if ((rest === "" || rest === "/") && request.method === "GET" && wantsHtml(request)) {
    // The page reads the sandbox id and `?embed=` from its own URL. `/console` (not `/console.html`,
    // which the assets answer with a redirect) serves web/console.html.
    return env.ASSETS.fetch(new Request(new URL("/console", url.origin), request));
  }
  if (rest === "/console/watch" && request.method === "GET") {
    return watchMany(url, (path) =>
      toSandbox(env, new Request(new URL(`${prefix}${path}`, url.origin), { headers: { accept: "application/json" } }), sandboxId, { prefix, readOnly }),
    );
  }
  return toSandbox(env, request, sandboxId, { prefix, readOnly });
}
