// Starts one kubeplay server (wrangler dev, fresh local D1) for the end-to-end suite.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
// @ts-expect-error plain ESM helper shared with `npm start`
import { startServer } from "../../scripts/dev-server.mjs";
import { freePort } from "./ports";

declare module "vitest" {
  export interface ProvidedContext {
    baseUrl: string;
    persistDir: string;
  }
}

export default async function setup(project: TestProject) {
  const persistDir = mkdtempSync(path.join(tmpdir(), "kubeplay-e2e-"));
  const port = await freePort();
  const server = await startServer({ port, persistTo: persistDir });
  project.provide("baseUrl", server.url);
  project.provide("persistDir", persistDir);
  return async () => {
    await server.stop();
    rmSync(persistDir, { recursive: true, force: true });
  };
}
