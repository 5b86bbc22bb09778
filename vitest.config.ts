import { defineConfig } from "vitest/config";

// Unit and golden tests: never touch a Docker engine.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["test/**/*.itg.test.ts", "node_modules/**"],
    testTimeout: 20_000,
  },
});
