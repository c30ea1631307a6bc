// Starts `wrangler dev` for kubeplay with local D1 migrated first. Used by `npm start`, the
// end-to-end tests and the benchmarks, so all three run the service the same way.
import { spawn, spawnSync } from "node:child_process";
import https from "node:https";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { localMigrationCommands } from "./d1-shards.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const wrangler = path.join(root, "node_modules", ".bin", "wrangler");

export const quietEnv = {
  ...process.env,
  WRANGLER_SEND_METRICS: "false",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  NO_UPDATE_NOTIFIER: "1",
};

/** Applies the D1 migrations to every local D1 shard of wrangler.toml (DB, DB_1, …) kept in `persistTo`. */
export async function migrate(persistTo) {
  const { unstable_readConfig } = await import("wrangler");
  const config = unstable_readConfig({ config: path.join(root, "wrangler.toml") });
  for (const args of localMigrationCommands(config, persistTo)) {
    const r = spawnSync(wrangler, args, { cwd: root, env: { ...quietEnv, CI: "true" }, stdio: "pipe", encoding: "utf8" });
    if (r.status !== 0) throw new Error(`migrations of ${args[3]} failed:\n${r.stdout}\n${r.stderr}`);
  }
}

/**
 * The per-client limits of wrangler.toml are for a public deployment: on a local server every request
 * comes from one client (the tests create hundreds of sandboxes), so they are off unless asked for.
 */
const LOCAL_VARS = { MAX_SANDBOXES_PER_CLIENT_PER_HOUR: "0", REQUEST_RATE_LIMIT: "off" };

/** Whether the server answers /healthz (over https with wrangler's self-signed certificate). */
async function healthy(url) {
  if (!url.startsWith("https:")) return (await fetch(`${url}/healthz`)).ok;
  return new Promise((resolve, reject) => {
    https.get(`${url}/healthz`, { rejectUnauthorized: false }, (res) => resolve(res.statusCode === 200)).on("error", reject);
  });
}

/**
 * Starts the dev server on 127.0.0.1:port and resolves once it answers /healthz; `protocol: "https"`
 * serves https with a self-signed certificate (kubectl sends bearer tokens only over TLS);
 * `inspector: false` starts it without wrangler's debugger inspector (scripts/serve-worker.mjs).
 * Returns { url, child, stop() }.
 */
export async function startServer({ port, persistTo, stdio = "pipe", vars = {}, protocol = "http", inspector = true }) {
  await migrate(persistTo);
  let child;
  if (inspector) {
    const args = ["dev", "--local", "--ip", "127.0.0.1", "--port", String(port), "--local-protocol", protocol, "--show-interactive-dev-session=false", "--log-level", "warn"];
    if (persistTo) args.push("--persist-to", persistTo);
    for (const [k, v] of Object.entries({ ...LOCAL_VARS, ...vars })) args.push("--var", `${k}:${v}`);
    child = spawn(wrangler, args, { cwd: root, env: quietEnv, stdio, detached: true });
  } else {
    // The same dev server through wrangler's API, without the debugger's inspector (the benchmarks).
    const opts = JSON.stringify({ port, persistTo, vars: { ...LOCAL_VARS, ...vars }, protocol });
    child = spawn(process.execPath, [path.join(root, "scripts", "serve-worker.mjs"), opts], { cwd: root, env: quietEnv, stdio, detached: true });
  }
  let output = "";
  if (stdio === "pipe") {
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
  }
  const url = `${protocol}://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited (${child.exitCode}):\n${output}`);
    try {
      if (await healthy(url)) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      stop(child);
      throw new Error(`wrangler dev did not start within 60s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { url, child, output: () => output, stop: () => stop(child) };
}

export function stop(child) {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {
      resolve();
    }
    setTimeout(() => {
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }, 5000).unref();
  });
}
