// Killing the server at any moment loses nothing acknowledged: every write kubectl saw succeed is
// there after a restart, and resourceVersions keep growing.
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
// @ts-expect-error plain ESM helper shared with `npm start`
import { startServer } from "../../scripts/dev-server.mjs";

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === "object" && addr ? addr.port : 0));
    });
  });
}

const persistTo = mkdtempSync(path.join(tmpdir(), "kubeplay-durable-"));
afterAll(() => rmSync(persistTo, { recursive: true, force: true }));

describe("durability across a killed server", () => {
  it("keeps every acknowledged write", async () => {
    const port = await freePort();
    let server = await startServer({ port, persistTo });
    const sb = await (await fetch(`${server.url}/api/sandboxes`, { method: "POST" })).json();
    const acknowledged: Record<string, string> = {};
    for (let i = 0; i < 20; i++) {
      const res = await fetch(`${sb.url}/api/v1/namespaces/default/configmaps`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ metadata: { name: `cm-${i}` }, data: { i: String(i) } }),
      });
      expect(res.status).toBe(201);
      acknowledged[`cm-${i}`] = (await res.json()).metadata.resourceVersion;
    }
    // No graceful shutdown: the process group is killed outright.
    process.kill(-server.child.pid, "SIGKILL");
    await new Promise((r) => server.child.once("exit", r));
    server = await startServer({ port, persistTo });
    try {
      const list = await (await fetch(`${sb.url}/api/v1/namespaces/default/configmaps`)).json();
      const got = Object.fromEntries(list.items.filter((c: any) => c.metadata.name.startsWith("cm-")).map((c: any) => [c.metadata.name, c.metadata.resourceVersion]));
      expect(got).toEqual(acknowledged);
      const next = await fetch(`${sb.url}/api/v1/namespaces/default/configmaps`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ metadata: { name: "after" } }),
      });
      const maxBefore = Math.max(...Object.values(acknowledged).map(Number));
      expect(Number((await next.json()).metadata.resourceVersion)).toBeGreaterThan(maxBefore);
    } finally {
      await server.stop();
    }
  });
});
