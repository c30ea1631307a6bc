// `npm run deploy`: applies the D1 migrations to every shard bound in wrangler.toml (remotely), then
// deploys the Worker. `--dry-run` prints the commands and any configuration problem without running
// anything; other arguments go to `wrangler deploy`. One-time setup: README "Deploying".
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { deployCommands, deployProblems } from "./d1-shards.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const wrangler = path.join(root, "node_modules", ".bin", "wrangler");
const args = process.argv.slice(2);
const dryRun = args.includes("--dry-run");

const { unstable_readConfig } = await import("wrangler");
const config = unstable_readConfig({ config: path.join(root, "wrangler.toml") });
const problems = deployProblems(config);
for (const p of problems) console.error(`wrangler.toml: ${p}`);
if (problems.length > 0 && !dryRun) process.exit(1);

for (const command of deployCommands(config, args.filter((a) => a !== "--dry-run"))) {
  console.log(`$ wrangler ${command.join(" ")}`);
  if (dryRun) continue;
  const r = spawnSync(wrangler, command, { cwd: root, stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
