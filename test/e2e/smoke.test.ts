/**
 * Smoke tests of the real entry point: `bin/rampart.js` and dist/ in a child process, as a user's
 * `npx rampart` runs them. A handful on purpose (each spawn costs a Node start-up): the behaviour
 * tests run the CLI in-process (helpers.ts `cli()`), and each smoke test here checks the built CLI
 * against that in-process run or an exact figure, so dist/ and the sources cannot drift apart
 * unseen. vitest's globalSetup (test/setup/dist-fresh.ts) stops the run first when dist/ is stale.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../../model/paths.js";
import { startAwsStub, type AwsStub } from "../stub/aws-stub.js";
import { cli, findingKeys, json, spawnRampart } from "./helpers.js";

const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8")) as { version: string };
const templates = path.join(repoRoot, "examples", "templates");
const ACCOUNT = "012345678912";

describe("bin/rampart.js (dist/) in a child process", () => {
  it("--version prints package.json's version", async () => {
    const r = await spawnRampart(["--version"]);
    expect(r).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: "" });
  });

  it("demo: exit 0 and the same findings as the sources", async () => {
    const built = await spawnRampart(["demo", "--format", "json"]);
    expect(built.code).toBe(0);
    expect(built.stderr).toBe("");
    const keys = findingKeys(json(built));
    expect(keys).toContain("fail iam-rolesanywhere-trust-scoped Role");
    expect(keys).toEqual(findingKeys(json(await cli(["demo", "--format", "json"]))));
  });

  it("iac: exit 1 on a failing template, 0 on a passing one, 2 on a missing file", async () => {
    const bad = await spawnRampart(["iac", "--account", ACCOUNT, "rolesanywhere-trust-bad.yaml", "--format", "json"], { cwd: templates });
    expect(bad.code).toBe(1);
    expect(findingKeys(json(bad)).filter((k) => k.startsWith("fail "))).toEqual(["fail iam-rolesanywhere-trust-scoped Role"]);
    const good = await spawnRampart(["iac", "--account", ACCOUNT, "rolesanywhere-trust-good.yaml", "--format", "json"], { cwd: templates });
    expect(good.code).toBe(0);
    expect(findingKeys(json(good)).filter((k) => k.startsWith("fail "))).toEqual([]);
    const missing = await spawnRampart(["iac", "missing.yaml"], { cwd: templates });
    expect(missing.code).toBe(2);
    expect(missing.stdout).toBe("");
    expect(missing.stderr.trim().split("\n")).toHaveLength(1);
    expect(missing.stderr).toMatch(/^rampart: .*missing\.yaml/);
  });

  it("a user error (a bad flag value): one line naming the flag, exit 2, no stack trace", async () => {
    const r = await spawnRampart(["scan", "--snapshot", "examples/demo/account.json", "--account", "12"]);
    expect(r).toEqual({ code: 2, stdout: "", stderr: "rampart: --account 12: an AWS account id is 12 digits.\n" });
  });

  describe("scan against the loopback AWS stub", () => {
    let stub: AwsStub;
    let dir: string;
    const env = (): Record<string, string> => ({
      AWS_ENDPOINT_URL: stub.url,
      AWS_ACCESS_KEY_ID: stub.accessKeyId,
      AWS_SECRET_ACCESS_KEY: stub.secretAccessKey,
      AWS_REGION: "us-east-1",
      AWS_CONFIG_FILE: path.join(dir, "no-config"),
      AWS_SHARED_CREDENTIALS_FILE: path.join(dir, "no-credentials"),
      AWS_EC2_METADATA_DISABLED: "true",
    });

    beforeAll(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), "rampart-smoke-"));
      stub = await startAwsStub({ accounts: [ACCOUNT], callerAccount: ACCOUNT, regions: ["us-east-1"] });
    }, 120_000);
    afterAll(async () => {
      await stub?.close();
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    it("collects the account completely and judges it (exit 1: high-severity failures)", async () => {
      const built = await spawnRampart(["scan", "--regions", "us-east-1", "--format", "json"], { env: env() });
      expect(built.stderr).not.toMatch(/Error|rampart:/);
      expect(built.code).toBe(1);
      const doc = json(built);
      expect(doc.scan.incomplete).toBe(false);
      expect(doc.coverage.filter((c: { status: string }) => c.status !== "ok")).toEqual([]);
      // the domain without fine-grained access control fails (the stub's well-configured one does not)
      const rule = "opensearch-domain-fine-grained-access";
      expect([...new Set(findingKeys(doc).filter((k) => k.split(" ")[1] === rule))]).toEqual([
        `fail ${rule} arn:aws:es:us-east-1:${ACCOUNT}:domain/legacy-search`,
      ]);
    }, 120_000);
  });
});
