// `npm run test:install`: the package, the pre-commit hook and the GitHub Action installed
// with their real clients (minutes each, so not in `npm test`; .ci/run runs them after it).
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/install/**/*.test.ts"],
    globalSetup: ["test/install/global-setup.ts"],
    testTimeout: 20 * 60_000,
    hookTimeout: 20 * 60_000,
    pool: "forks",
    fileParallelism: false,
  },
});
