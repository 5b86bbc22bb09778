import { defineConfig } from "vitest/config";

// Unit and golden tests: never touch a Docker engine.
export default defineConfig({
  test: {
    // The JSON report lets .ci/run print one closing "N passed, N failed" line for both suites.
    reporters: ["default", "json"],
    outputFile: { json: ".r2d-infra/test-results/unit.json" },
    include: ["test/**/*.test.ts"],
    exclude: ["test/**/*.itg.test.ts", "node_modules/**"],
    testTimeout: 20_000,
  },
});
