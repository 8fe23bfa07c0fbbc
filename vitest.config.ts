import { configDefaults, defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "collectors/**/*.test.ts", "engine/**/*.test.ts", "reports/**/*.test.ts", "remediations/**/*.test.ts", "cli/**/*.test.ts"],
    // the install tests (npm run test:install, a .ci/run step) take minutes: not in npm test
    exclude: [...configDefaults.exclude, "test/install/**"],
    testTimeout: 30000,
    pool: "forks",
    // the spawn tests run dist/: stop when it is older than the sources (test/setup/dist-fresh.ts)
    globalSetup: ["test/setup/dist-fresh.ts"],
  },
});
