import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../../model/paths.js";

// A spawned CLI (bin/rampart.js) that builds AWS SDK clients: on Node 20 the SDK would print its
// seven-line NodeVersionSupportWarning once per bundled copy of @aws-sdk/core. The CLI's stderr is
// exactly rampart's own one-line error, in a CI log as in a terminal.
describe("the spawned CLI's stderr", () => {
  it("carries rampart's message only, no SDK Node-version warning", () => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NO_COLOR: "1",
      AWS_ENDPOINT_URL: "http://127.0.0.1:9",
      AWS_ACCESS_KEY_ID: "AKIDEXAMPLE",
      AWS_SECRET_ACCESS_KEY: "example",
      AWS_MAX_ATTEMPTS: "1",
    };
    delete env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED;
    const r = spawnSync(process.execPath, [path.join(repoRoot, "bin", "rampart.js"), "scan", "--regions", "us-east-1"], {
      cwd: repoRoot,
      encoding: "utf8",
      env,
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^rampart: cannot identify the AWS caller \(sts:GetCallerIdentity\): [^\n]+\n$/);
  });
});
