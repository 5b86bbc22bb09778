import { defineConfig } from "vitest/config";

// Integration tests: build and run real images against a real engine, one file at a time.
export default defineConfig({
  test: {
    // The JSON report lets .ci/run print one closing "N passed, N failed" line for both suites.
    reporters: ["default", "json"],
    outputFile: { json: ".r2d-infra/test-results/integration.json" },
    include: ["test/**/*.itg.test.ts"],
    testTimeout: 15 * 60_000,
    hookTimeout: 15 * 60_000,
    fileParallelism: false,
    maxWorkers: 1,
  },
});
