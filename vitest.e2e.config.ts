import { defineConfig } from "vitest/config";

// End-to-end tests: a real `wrangler dev` server driven by the real kubectl binaries.
export default defineConfig({
  test: {
    include: ["test/e2e/**/*.test.ts"],
    globalSetup: ["./test/e2e/global-setup.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
