import { Hono } from "hono";
import type { Env } from "./env";
export { Sandbox } from "./sandbox/sandbox-do";

const app = new Hono<{ Bindings: Env }>();
app.get("/healthz", (c) => c.text("ok"));
export default app;
