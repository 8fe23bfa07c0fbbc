import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "collectors/**/*.test.ts", "engine/**/*.test.ts", "reports/**/*.test.ts", "remediations/**/*.test.ts", "cli/**/*.test.ts"],
    testTimeout: 30000,
    pool: "forks",
  },
});
