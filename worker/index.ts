// The kubeplay Worker: the sandbox service (/api/sandboxes), every /s/<id>/… request forwarded to that
// sandbox's Durable Object, which is both its Kubernetes API server and its console, and the hourly
// sweep of abandoned sandboxes.
import { Hono, type MiddlewareHandler } from "hono";
import { cors } from "hono/cors";
import type { Env } from "./env";
import { sandboxRoutes } from "./service/sandboxes";
import { forwardToSandbox } from "./service/forward";
import { allowRequest, clientKey, REQUEST_LIMIT_PERIOD_S } from "./service/client-limits";
import { sweepIdleSandboxes } from "./service/expiry";

export { Sandbox } from "./sandbox/sandbox-do";

type App = { Bindings: Env };

const app = new Hono<App>();

/**
 * CORS: any origin may call the service and the sandboxes' APIs, without credentials. Access is by
 * capability (the id in the URL, a bearer token in a header), never by cookie, so a page can only do
 * what the ids it already holds allow — which is what lets a tutorial page drive a sandbox. Preflights
 * are answered here, before anything else runs.
 */
const corsPolicy = cors({
  origin: "*",
  allowMethods: ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"],
  exposeHeaders: ["Location", "Retry-After", "Warning"],
  maxAge: 86400,
});
const apiCors: MiddlewareHandler<App> = (c, next) =>
  // A WebSocket upgrade is not subject to CORS, and its 101 answer must pass through untouched.
  (c.req.header("upgrade") ?? "").toLowerCase() === "websocket" ? next() : corsPolicy(c, next);

/** The per-client request limit (client-limits.ts), as a Kubernetes Status on the API and JSON on the service. */
function requestLimit(kind: "api" | "service"): MiddlewareHandler<App> {
  return async (c, next) => {
    if (await allowRequest(c.env, await clientKey(c.req.raw))) return next();
    const message = "Too many requests, please try again later.";
    const headers = { "retry-after": String(REQUEST_LIMIT_PERIOD_S) };
    if (kind === "service") return c.json({ error: message }, 429, headers);
    const status = { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason: "TooManyRequests", details: { retryAfterSeconds: REQUEST_LIMIT_PERIOD_S }, code: 429 };
    return c.json(status, 429, headers);
  };
}

app.use("/api/*", apiCors, requestLimit("service"));
app.use("/s/*", apiCors, requestLimit("api"));

/**
 * What the Worker itself failed at (its own D1 lookups, mostly) is answered in the route's language —
 * a Kubernetes Status on a sandbox's API, the service's JSON error elsewhere — and with CORS, so a
 * tutorial page sees the failure instead of an opaque network error. Nothing has changed: retrying is safe.
 */
app.onError((err, c) => {
  console.error(`worker error on ${c.req.method} ${new URL(c.req.url).pathname}: ${err instanceof Error ? err.message : String(err)}`);
  const message = "Internal error occurred: the request could not be completed, please try again";
  if (new URL(c.req.url).pathname.startsWith("/s/")) {
    const status = { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason: "InternalError", details: { retryAfterSeconds: 1 }, code: 500 };
    return c.json(status, 500, { "retry-after": "1" });
  }
  return c.json({ error: message }, 500, { "retry-after": "1" });
});

app.get("/healthz", (c) => c.text("ok"));
app.route("/api/sandboxes", sandboxRoutes);
app.all("/s/:id", (c) => forwardToSandbox(c.env, c.req.raw, c.req.param("id")));
app.all("/s/:id/*", (c) => forwardToSandbox(c.env, c.req.raw, c.req.param("id")));
app.notFound(async (c) => {
  // The service's unknown paths get its JSON error, a sandbox path without an id (`/s//api`) the API's
  // Status; only other reads are static pages.
  const path = new URL(c.req.url).pathname;
  if (path.startsWith("/s/")) {
    const status = { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: "the server could not find the requested resource", reason: "NotFound", details: {}, code: 404 };
    return c.json(status, 404);
  }
  if ((c.req.method === "GET" || c.req.method === "HEAD") && !path.startsWith("/api/")) return c.env.ASSETS.fetch(c.req.raw);
  return c.json({ error: "not found" }, 404);
});

export default {
  fetch: app.fetch,
  /** The cron trigger: delete abandoned sandboxes (service/expiry.ts). */
  async scheduled(controller: ScheduledController, env: Env): Promise<void> {
    const { expired, kept } = await sweepIdleSandboxes(env, controller.scheduledTime);
    if (expired.length > 0 || kept.length > 0) console.log(`expiry sweep: ${expired.length} deleted, ${kept.length} kept`);
  },
} satisfies ExportedHandler<Env>;
