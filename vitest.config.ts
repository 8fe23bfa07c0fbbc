import { configDefaults, defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "collectors/**/*.test.ts", "engine/**/*.test.ts", "reports/**/*.test.ts", "remediations/**/*.test.ts", "cli/**/*.test.ts"],
    // the install tests (npm run test:install, a .ci/run step) take minutes: not in npm test
    exclude: [...configDefaults.exclude, "test/install/**"],
    testTimeout: 30000,
    // in-process CLI runs build SDK clients too: keep the SDK's Node-version notice out of the logs (bin/rampart.js)
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
    pool: "forks",
    // the spawn tests run dist/: stop when it is older than the sources (test/setup/dist-fresh.ts)
    globalSetup: ["test/setup/dist-fresh.ts"],
  },
});
