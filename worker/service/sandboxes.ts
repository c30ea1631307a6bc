// The sandbox service API: create, info, delete, fork, and the clock.
import { Hono, type Context } from "hono";
import type { Env } from "../env";
import { parseSandboxOptions } from "../sandbox/bootstrap";
import { type ManifestObject, parseCreateManifests, TEMPLATES } from "../sandbox/bootstrap/templates";
import { groupVersionPath } from "../resources/registry";
import { pickShard } from "../store/shards";
import { isReadOnlyId, isSandboxId, newOwnerToken, newReadOnlyId, newSandboxId, sha256Hex, timingSafeEqualHex } from "./ids";
import { findSandbox, forgetReadOnlyId } from "./sandbox-rows";
import { internalCall, toSandbox } from "./forward";
import { INTERNAL_PREFIX } from "../sandbox/internal";
import { type Access, resolveAccess } from "./access";
import { clientKey, countCreation, creationLimitMessage } from "./client-limits";
import { readBody } from "../api/body";
import { KubeError } from "../api/status";

type App = { Bindings: Env };

function links(origin: string, id: string, readOnlyId: string) {
  return {
    url: `${origin}/s/${id}`,
    readOnlyUrl: `${origin}/s/${readOnlyId}`,
    kubeconfigUrl: `${origin}/s/${id}/kubeconfig`,
  };
}

const error = (message: string, status: number, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify({ error: message }), { status, headers: { "content-type": "application/json", ...headers } });

/** The creation limit (client-limits.ts): a 429 with Retry-After when the client is over it. */
async function overCreationLimit(c: Context<App>): Promise<Response | undefined> {
  const over = await countCreation(c.env, await clientKey(c.req.raw));
  if (!over) return undefined;
  return error(creationLimitMessage(c.env, over.retryAfterSeconds), 429, { "retry-after": String(over.retryAfterSeconds) });
}

/** The service's bodies are small JSON: read within 64 KiB, so a huge body is refused before it is held. */
const MAX_SERVICE_BODY_BYTES = 64 * 1024;

async function readJsonBody(request: Request): Promise<unknown | Response> {
  let text: string;
  try {
    text = new TextDecoder().decode(await readBody(request, MAX_SERVICE_BODY_BYTES));
  } catch (e) {
    if (e instanceof KubeError && e.code === 413) return error("request body too large", 413);
    throw e;
  }
  if (!text.trim()) return undefined;
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
  // The new sandbox's D1 shard, written into both of its ids (store/shards.ts); a fork gets its own.
  let shard: number;
  try {
    shard = pickShard(env);
  } catch (e) {
    return error(`the service is misconfigured: ${(e as Error).message}`, 500);
  }
  const id = newSandboxId(shard);
  const readOnlyId = newReadOnlyId(shard);
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

/**
 * Resolves a sandbox or read-only id, with the request's bearer token if any (access.ts), to the
 * sandbox; otherwise the error response (404, or 401 for a token that is not this sandbox's).
 */
async function resolve(c: Context<App>, id: string): Promise<Access | Response> {
  const r = await resolveAccess(c.env, id, c.req.header("authorization"), true);
  if (!("refused" in r)) return r;
  return r.refused === "unauthorized" ? error("the bearer token is not one of this sandbox's", 401) : error(`sandbox "${id}" not found`, 404);
}

export const sandboxRoutes = new Hono<App>();

sandboxRoutes.post("/", async (c) => {
  const body = await readJsonBody(c.req.raw);
  if (body instanceof Response) return body;
  const options = parseSandboxOptions(body);
  if (typeof options === "string") return error(options, 400);
  const objects = parseCreateManifests(body);
  if (typeof objects === "string") return error(objects, 400);
  const limited = await overCreationLimit(c);
  if (limited) return limited;
  return createSandbox(c.env, new URL(c.req.url).origin, options, undefined, objects);
});

/** The templates a create request can name (the landing page lists them). */
sandboxRoutes.get("/templates", (c) => c.json({ templates: TEMPLATES.map(({ name, title, description }) => ({ name, title, description })) }));

sandboxRoutes.get("/:id", async (c) => {
  const id = c.req.param("id");
  const r = await resolve(c, id);
  if (r instanceof Response) return r;
  const res = await internalCall(c.env, r.sandboxId, "info", "GET");
  if (!res.ok) return res;
  const info = (await res.json()) as Record<string, unknown>;
  const origin = new URL(c.req.url).origin;
  const readOnlyId = info.readOnlyId as string;
  if (r.readOnly && isReadOnlyId(id)) {
    // A read-only link reveals nothing that leads to write access.
    return c.json({ ...info, id, readOnly: true, url: `${origin}/s/${id}`, readOnlyUrl: `${origin}/s/${id}`, kubeconfigUrl: `${origin}/s/${id}/kubeconfig`, forkUrl: `${origin}/api/sandboxes/${id}/fork`, readOnlyId: id });
  }
  return c.json({ ...info, readOnly: r.readOnly, ...links(origin, r.sandboxId, readOnlyId), forkUrl: `${origin}/api/sandboxes/${id}/fork` });
});

sandboxRoutes.get("/:id/stats", async (c) => {
  const r = await resolve(c, c.req.param("id"));
  if (r instanceof Response) return r;
  return internalCall(c.env, r.sandboxId, "stats", "GET");
});

/**
 * The benchmarks' floors: GET is one round trip Worker → Durable Object → D1; with `?watch=1` it
 * holds a stream open instead, and POST makes the round trip and then writes one line to every
 * such stream (the floor of a watch fan-out); PUT leaves a body with the Durable Object (within the
 * body size limit) that `?payload=1` answers after the round trip (the floor of a large answer).
 * No D1 lookup before the Durable Object for an id.
 */
async function ping(c: Context<App>, op: "ping" | "ping-watch" | "ping-send" | "ping-payload", method: string): Promise<Response> {
  const id = c.req.param("id") ?? "";
  const r = await resolveAccess(c.env, id, c.req.header("authorization"), false);
  if ("refused" in r) return r.refused === "unauthorized" ? error("the bearer token is not one of this sandbox's", 401) : error(`sandbox "${id}" not found`, 404);
  // POST writes to every ping stream and PUT replaces the stored body: changes a read-only link may not make.
  if (r.readOnly && method !== "GET") return error("a read-only link cannot change the sandbox", 403);
  const res =
    method === "PUT"
      ? await toSandbox(
          c.env,
          new Request(`http://sandbox${INTERNAL_PREFIX}${op}`, { method, body: c.req.raw.body, headers: { "content-type": c.req.header("content-type") ?? "application/octet-stream" } }),
          r.sandboxId,
          { prefix: "", readOnly: false },
        )
      : await internalCall(c.env, r.sandboxId, op, method, method === "POST" ? {} : undefined);
  // A well-formed id with no sandbox behind it: the Durable Object finds nothing to load.
  return res.status === 404 ? error(`sandbox "${id}" not found`, 404) : res;
}

sandboxRoutes.get("/:id/ping", (c) => ping(c, c.req.query("watch") === "1" ? "ping-watch" : c.req.query("payload") === "1" ? "ping-payload" : "ping", "GET"));
sandboxRoutes.post("/:id/ping", (c) => ping(c, "ping-send", "POST"));
sandboxRoutes.put("/:id/ping", (c) => ping(c, "ping-payload", "PUT"));

/** Deleting a sandbox takes its owner token, which only its creator was given. */
sandboxRoutes.delete("/:id", async (c) => {
  const id = c.req.param("id");
  if (isReadOnlyId(id)) return error("a read-only link cannot delete the sandbox", 403);
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

/** Anyone who can read a sandbox may fork it: the fork is a new, private copy. */
sandboxRoutes.post("/:id/fork", async (c) => {
  const r = await resolve(c, c.req.param("id"));
  if (r instanceof Response) return r;
  const limited = await overCreationLimit(c);
  if (limited) return limited;
  return createSandbox(c.env, new URL(c.req.url).origin, undefined, { from: r.sandboxId });
});

sandboxRoutes.post("/:id/clock", async (c) => {
  const r = await resolve(c, c.req.param("id"));
  if (r instanceof Response) return r;
  if (r.readOnly) return error("a read-only link cannot change the clock", 403);
  const body = await readJsonBody(c.req.raw);
  if (body instanceof Response) return body;
  if (body === undefined || typeof body !== "object" || body === null || Array.isArray(body)) {
    return error("expected a JSON object such as {\"advanceSeconds\": 60}", 400);
  }
  return internalCall(c.env, r.sandboxId, "clock", "POST", body);
});

/** Node operations: add a node (`POST …/nodes`), start or stop a node's kubelet (`POST …/nodes/<node>/kubelet`), a node shell (`POST …/shell`). */
async function nodeOperation(c: Context<App>, op: string, extra: Record<string, unknown> = {}): Promise<Response> {
  const r = await resolve(c, c.req.param("id") ?? "");
  if (r instanceof Response) return r;
  if (r.readOnly) return error("a read-only link cannot change the sandbox", 403);
  const body = await readJsonBody(c.req.raw);
  if (body instanceof Response) return body;
  if (typeof body !== "object" || body === null || Array.isArray(body)) return error("expected a JSON object", 400);
  return internalCall(c.env, r.sandboxId, op, "POST", { ...body, ...extra });
}

sandboxRoutes.post("/:id/nodes", (c) => nodeOperation(c, "nodes"));
sandboxRoutes.post("/:id/nodes/:node/kubelet", (c) => nodeOperation(c, "kubelet", { node: c.req.param("node") }));
sandboxRoutes.post("/:id/shell", (c) => nodeOperation(c, "shell"));
