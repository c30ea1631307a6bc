// `npm run deploy -- --dry-run`: the commands a deploy would run, the configuration's problems, and
// the Worker as wrangler would upload it, measured against Cloudflare's size limits — nothing deployed.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");

describe("deploy dry run", () => {
  it("prints the migrate and deploy commands and the bundle's size, within the free plan's limit", () => {
    const r = spawnSync(process.execPath, ["scripts/deploy.mjs", "--dry-run"], { cwd: root, encoding: "utf8", timeout: 180_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("$ wrangler d1 migrations apply DB --remote\n$ wrangler deploy\n");
    // The checkout keeps the local placeholder id: a real deploy would be refused, and the dry run says why.
    expect(r.stderr).toContain("wrangler.toml: DB: database_id is the local placeholder");
    const m = /^bundle: (\d+) KiB, (\d+) KiB gzipped \(Workers limit: 3072 KiB gzipped on the free plan, 10240 KiB on a paid plan\)$/m.exec(r.stdout);
    expect(m, r.stdout).not.toBeNull();
    const [raw, gzipped] = [Number(m![1]), Number(m![2])];
    expect(gzipped).toBeGreaterThan(100);
    expect(gzipped).toBeLessThan(raw);
    expect(gzipped).toBeLessThan(3072);
  }, 200_000);
});
