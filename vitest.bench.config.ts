import { defineConfig } from "vitest/config";

// In-process benchmarks run in Node (workerd does not advance its clock during CPU work, so CPU
// time is measured here), with D1 replaced by a counting stand-in.
export default defineConfig({
  test: {
    include: ["bench/**/*.bench.ts"],
    testTimeout: 600_000,
    fileParallelism: false,
  },
});
