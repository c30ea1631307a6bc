// `npm run deploy`: applies the D1 migrations to every shard bound in wrangler.toml (remotely), then
// deploys the Worker. `--dry-run` prints the commands and any configuration problem, and builds the
// Worker locally to report its size against Cloudflare's limits, without deploying anything; other
// arguments go to `wrangler deploy`. One-time setup: README "Deploying".
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { gzipSync } from "node:zlib";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { deployCommands, deployProblems } from "./d1-shards.mjs";

/** Cloudflare's limits on a Worker's compressed size: the free plan's and the paid plan's. */
const FREE_LIMIT = 3 * 1024 * 1024;
const PAID_LIMIT = 10 * 1024 * 1024;

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

if (dryRun) {
  // What would be uploaded: wrangler's own build, gzipped as the limits count it (source maps are not uploaded).
  const out = mkdtempSync(path.join(tmpdir(), "kubeplay-bundle-"));
  try {
    const build = spawnSync(wrangler, ["deploy", "--dry-run", "--outdir", out], { cwd: root, encoding: "utf8" });
    if (build.status !== 0) {
      process.stderr.write(build.stdout + build.stderr);
      process.exit(build.status ?? 1);
    }
    let raw = 0;
    let gzipped = 0;
    for (const f of readdirSync(out).filter((f) => f.endsWith(".js") || f.endsWith(".mjs") || f.endsWith(".wasm"))) {
      const bytes = readFileSync(path.join(out, f));
      raw += bytes.length;
      gzipped += gzipSync(bytes).length;
    }
    const kib = (n) => `${(n / 1024).toFixed(0)} KiB`;
    console.log(`bundle: ${kib(raw)}, ${kib(gzipped)} gzipped (Workers limit: ${kib(FREE_LIMIT)} gzipped on the free plan, ${kib(PAID_LIMIT)} on a paid plan)`);
    if (gzipped > PAID_LIMIT) {
      console.error("bundle: over the paid plan's limit; wrangler deploy would be refused");
      process.exit(1);
    }
    if (gzipped > FREE_LIMIT) console.error("bundle: over the free plan's limit; deploy on a paid plan");
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
