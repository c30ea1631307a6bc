// The kubeplay Worker: the sandbox service (/api/sandboxes), and every /s/<id>/… request forwarded
// to that sandbox's Durable Object, which is both its Kubernetes API server and its console.
import { Hono } from "hono";
import type { Env } from "./env";
import { sandboxRoutes } from "./service/sandboxes";
import { forwardToSandbox } from "./service/forward";

export { Sandbox } from "./sandbox/sandbox-do";

const app = new Hono<{ Bindings: Env }>();

app.get("/healthz", (c) => c.text("ok"));
app.route("/api/sandboxes", sandboxRoutes);
app.all("/s/:id", (c) => forwardToSandbox(c.env, c.req.raw, c.req.param("id")));
app.all("/s/:id/*", (c) => forwardToSandbox(c.env, c.req.raw, c.req.param("id")));
app.notFound(async (c) => {
  if (c.req.method === "GET" || c.req.method === "HEAD") return c.env.ASSETS.fetch(c.req.raw);
  return c.json({ error: "not found" }, 404);
});

export default app;
