// The sandbox service API: create, info, delete, fork, and the clock.
import { Hono, type Context } from "hono";
import type { Env } from "../env";
import { INTERNAL_PREFIX } from "../sandbox/internal";
import { parseSandboxOptions } from "../sandbox/bootstrap";
import { type ManifestObject, parseCreateManifests, TEMPLATES } from "../sandbox/bootstrap/templates";
import { groupVersionPath } from "../resources/registry";
import { isReadOnlyId, isSandboxId, newOwnerToken, newReadOnlyId, newSandboxId, sha256Hex, timingSafeEqualHex } from "./ids";
import { findSandbox, findSandboxByReadOnlyId, forgetReadOnlyId } from "./sandbox-rows";
import { toSandbox } from "./forward";

type App = { Bindings: Env };

function internalCall(env: Env, sandboxId: string, op: string, method: string, body?: unknown): Promise<Response> {
  const init: RequestInit = { method };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers = { "content-type": "application/json" };
  }
  return toSandbox(env, new Request(`http://sandbox${INTERNAL_PREFIX}${op}`, init), sandboxId, { prefix: "", readOnly: false });
}

function links(origin: string, id: string, readOnlyId: string) {
  return {
    url: `${origin}/s/${id}`,
    readOnlyUrl: `${origin}/s/${readOnlyId}`,
    kubeconfigUrl: `${origin}/s/${id}/kubeconfig`,
  };
}

const error = (message: string, status: number) =>
  new Response(JSON.stringify({ error: message }), { status, headers: { "content-type": "application/json" } });

async function readJsonBody(request: Request): Promise<unknown | Response> {
  const text = await request.text();
  if (!text.trim()) return undefined;
  if (text.length > 64 * 1024) return error("request body too large", 413);
  try {
    return JSON.parse(text);
  } catch {
    return error("request body is not valid JSON", 400);
  }
}

/** What creating one manifest object answered: its kind and name, and the API's error if it refused it. */
interface AppliedObject {
  kind: string;
  name: string;
  namespace?: string;
  error?: string;
  code?: number;
}

/**
 * Creates a template's or the request's objects in a new sandbox through its API (as `kubectl create -f`
 * would, one after the other, so a Namespace comes before what goes in it). A refusal is reported, not
 * fatal: the sandbox exists by then, and the caller sees which object failed and why.
 */
async function createObjects(env: Env, sandboxId: string, objects: ManifestObject[]): Promise<AppliedObject[]> {
  const out: AppliedObject[] = [];
  for (const { type, object, namespace } of objects) {
    const path = `/${groupVersionPath(type)}${namespace ? `/namespaces/${namespace}` : ""}/${type.resource}`;
    const req = new Request(`http://sandbox${path}?fieldManager=kubeplay-template`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify(object),
    });
    const res = await toSandbox(env, req, sandboxId, { prefix: "", readOnly: false });
    const body = (await res.json().catch(() => ({}))) as { metadata?: { name?: string }; message?: string };
    const meta = (object.metadata ?? {}) as { name?: string; generateName?: string };
    const entry: AppliedObject = { kind: type.kind, name: body.metadata?.name ?? meta.name ?? meta.generateName ?? "" };
    if (namespace) entry.namespace = namespace;
    if (!res.ok) Object.assign(entry, { error: body.message ?? `HTTP ${res.status}`, code: res.status });
    out.push(entry);
  }
  return out;
}

/** Creates the sandbox rows through the DO; returns the created sandbox's public description. */
async function createSandbox(env: Env, origin: string, options: unknown, fork?: { from: string }, objects: ManifestObject[] = []): Promise<Response> {
  const id = newSandboxId();
  const readOnlyId = newReadOnlyId();
  const ownerToken = newOwnerToken();
  const ownerTokenHash = await sha256Hex(ownerToken);
  const createdAt = Date.now();
  const res = fork
    ? await internalCall(env, fork.from, "fork", "POST", { id, readOnlyId, ownerTokenHash, createdAt })
    : await internalCall(env, id, "init", "POST", { readOnlyId, ownerTokenHash, createdAt, options });
  if (!res.ok) return res;
  const body: Record<string, unknown> = {
    id,
    ...links(origin, id, readOnlyId),
    readOnlyId,
    ownerToken,
    createdAt: new Date(createdAt).toISOString(),
  };
  if (fork) body.forkedFrom = fork.from;
  if (objects.length > 0) body.applied = await createObjects(env, id, objects);
  return new Response(JSON.stringify(body), { status: 201, headers: { "content-type": "application/json", location: `/api/sandboxes/${id}` } });
}

/** Resolves a sandbox or read-only id to the sandbox id. */
async function resolve(env: Env, id: string): Promise<{ sandboxId: string; readOnly: boolean } | undefined> {
  if (isSandboxId(id)) return (await findSandbox(env, id)) ? { sandboxId: id, readOnly: false } : undefined;
  if (isReadOnlyId(id)) {
    const row = await findSandboxByReadOnlyId(env, id);
    return row ? { sandboxId: row.id, readOnly: true } : undefined;
  }
  return undefined;
}

export const sandboxRoutes = new Hono<App>();

sandboxRoutes.post("/", async (c) => {
  const body = await readJsonBody(c.req.raw);
  if (body instanceof Response) return body;
  const options = parseSandboxOptions(body);
  if (typeof options === "string") return error(options, 400);
  const objects = parseCreateManifests(body);
  if (typeof objects === "string") return error(objects, 400);
  return createSandbox(c.env, new URL(c.req.url).origin, options, undefined, objects);
});

/** The templates a create request can name (the landing page lists them). */
sandboxRoutes.get("/templates", (c) => c.json({ templates: TEMPLATES.map(({ name, title, description }) => ({ name, title, description })) }));

sandboxRoutes.get("/:id", async (c) => {
  const id = c.req.param("id");
  const r = await resolve(c.env, id);
  if (!r) return error(`sandbox "${id}" not found`, 404);
  const res = await internalCall(c.env, r.sandboxId, "info", "GET");
  if (!res.ok) return res;
  const info = (await res.json()) as Record<string, unknown>;
  const origin = new URL(c.req.url).origin;
  const readOnlyId = info.readOnlyId as string;
  if (r.readOnly) {
    // A read-only link reveals nothing that leads to write access.
    return c.json({ ...info, id, readOnly: true, url: `${origin}/s/${id}`, readOnlyUrl: `${origin}/s/${id}`, kubeconfigUrl: `${origin}/s/${id}/kubeconfig`, forkUrl: `${origin}/api/sandboxes/${id}/fork`, readOnlyId: id });
  }
  return c.json({ ...info, readOnly: false, ...links(origin, r.sandboxId, readOnlyId), forkUrl: `${origin}/api/sandboxes/${id}/fork` });
});

sandboxRoutes.get("/:id/stats", async (c) => {
  const id = c.req.param("id");
  const r = await resolve(c.env, id);
  if (!r) return error(`sandbox "${id}" not found`, 404);
  return internalCall(c.env, r.sandboxId, "stats", "GET");
});

sandboxRoutes.get("/:id/ping", async (c) => {
  const id = c.req.param("id");
  if (!isSandboxId(id) && !isReadOnlyId(id)) return error(`sandbox "${id}" not found`, 404);
  const sandboxId = isSandboxId(id) ? id : (await findSandboxByReadOnlyId(c.env, id))?.id;
  if (!sandboxId) return error(`sandbox "${id}" not found`, 404);
  return internalCall(c.env, sandboxId, "ping", "GET");
});

sandboxRoutes.delete("/:id", async (c) => {
  const id = c.req.param("id");
  if (!isSandboxId(id)) return error(`sandbox "${id}" not found`, 404);
  const row = await findSandbox(c.env, id);
  if (!row) return error(`sandbox "${id}" not found`, 404);
  const auth = c.req.header("authorization") ?? "";
  const token = auth.startsWith("Bearer ") ? auth.slice(7).trim() : "";
  if (!token) return error("an owner token is required: Authorization: Bearer <ownerToken>", 401);
  if (!timingSafeEqualHex(await sha256Hex(token), row.ownerTokenHash)) return error("the owner token does not match", 403);
  const res = await internalCall(c.env, id, "destroy", "POST", {});
  if (!res.ok) return res;
  forgetReadOnlyId(row.readOnlyId);
  return c.json({ id, deleted: true });
});

sandboxRoutes.post("/:id/fork", async (c) => {
  const id = c.req.param("id");
  const r = await resolve(c.env, id);
  if (!r) return error(`sandbox "${id}" not found`, 404);
  return createSandbox(c.env, new URL(c.req.url).origin, undefined, { from: r.sandboxId });
});

sandboxRoutes.post("/:id/clock", async (c) => {
  const id = c.req.param("id");
  if (isReadOnlyId(id)) return error("a read-only link cannot change the clock", 403);
  const r = await resolve(c.env, id);
  if (!r) return error(`sandbox "${id}" not found`, 404);
  const body = await readJsonBody(c.req.raw);
  if (body instanceof Response) return body;
  if (body === undefined || typeof body !== "object" || body === null || Array.isArray(body)) {
    return error("expected a JSON object such as {\"advanceSeconds\": 60}", 400);
  }
  return internalCall(c.env, r.sandboxId, "clock", "POST", body);
});

/** Node operations: add a node (`POST …/nodes`), start or stop a node's kubelet (`POST …/nodes/<node>/kubelet`), a node shell (`POST …/shell`). */
async function nodeOperation(c: Context<App>, op: string, extra: Record<string, unknown> = {}): Promise<Response> {
  const id = c.req.param("id") ?? "";
  if (isReadOnlyId(id)) return error("a read-only link cannot change the sandbox", 403);
  const r = await resolve(c.env, id);
  if (!r) return error(`sandbox "${id}" not found`, 404);
  const body = await readJsonBody(c.req.raw);
  if (body instanceof Response) return body;
  if (typeof body !== "object" || body === null || Array.isArray(body)) return error("expected a JSON object", 400);
  return internalCall(c.env, r.sandboxId, op, "POST", { ...body, ...extra });
}

sandboxRoutes.post("/:id/nodes", (c) => nodeOperation(c, "nodes"));
sandboxRoutes.post("/:id/nodes/:node/kubelet", (c) => nodeOperation(c, "kubelet", { node: c.req.param("node") }));
sandboxRoutes.post("/:id/shell", (c) => nodeOperation(c, "shell"));
