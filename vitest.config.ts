import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

// Unit and integration tests run inside workerd, against the real Durable Object and a local D1.
export default defineConfig({
  plugins: [
    cloudflareTest(async () => ({
      wrangler: { configPath: "./wrangler.toml" },
      miniflare: {
        bindings: {
          TEST_MIGRATIONS: await readD1Migrations(path.join(import.meta.dirname, "migrations")),
          // Tests create many sandboxes from one (local) client: the per-client limits are tested on their own.
          MAX_SANDBOXES_PER_CLIENT_PER_HOUR: "0",
          REQUEST_RATE_LIMIT: "off",
          // The fuzz test sends thousands of requests to one sandbox as fast as workerd answers them; the
          // sandbox limits are tested on their own (test/integration/limits.test.ts sets its own).
          RATE_SANDBOX_RPS: "1000",
          RATE_SANDBOX_BURST: "5000",
          // The fuzz test's seed, size and categories (test/integration/fuzz.test.ts), passed through from the shell.
          FUZZ_SEED: process.env.FUZZ_SEED ?? "",
          FUZZ_SCALE: process.env.FUZZ_SCALE ?? "",
          FUZZ_ONLY: process.env.FUZZ_ONLY ?? "",
        },
        // A second D1 shard. New sandboxes still go to DB only (D1_SHARDS); the sharding tests place them on both.
        d1Databases: { DB_1: "kubeplay-shard-1" },
      },
    })),
  ],
  test: {
    include: ["test/unit/**/*.test.ts", "test/integration/**/*.test.ts"],
    setupFiles: ["./test/apply-migrations.ts"],
  },
});
