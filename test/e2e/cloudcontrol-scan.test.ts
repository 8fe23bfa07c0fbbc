/**
 * User rules on a live account (issue 13): the types they read that no dedicated collector
 * produces are read through the Cloud Control API, here the loopback AWS's (test/stub/services/
 * cloudcontrol.ts), over the real SDK wire. Denied calls and types Cloud Control cannot read
 * are coverage gaps that make exactly the rules reading them unknown.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../../model/paths.js";
import { startAwsStub, type AwsStub } from "../stub/aws-stub.js";
import { findingKeys } from "./helpers.js";
import { runCli, type CliRun } from "./inprocess.js";

const A = "111122223333";
const REGIONS = ["us-east-1", "eu-west-1"];
const examples = path.join(repoRoot, "examples", "custom-rules");

let stub: AwsStub;
let dir: string;

function rampart(args: string[]): Promise<CliRun> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && (!k.startsWith("AWS_") || k.startsWith("AWS_SDK_JS_"))) env[k] = v;
  Object.assign(env, {
    NO_COLOR: "1",
    AWS_ENDPOINT_URL: stub.url,
    AWS_ACCESS_KEY_ID: stub.accessKeyId,
    AWS_SECRET_ACCESS_KEY: stub.secretAccessKey,
    AWS_REGION: REGIONS[0],
    AWS_CONFIG_FILE: path.join(dir, "no-config"),
    AWS_SHARED_CREDENTIALS_FILE: path.join(dir, "no-credentials"),
    AWS_EC2_METADATA_DISABLED: "true",
  });
  return runCli(args, { cwd: repoRoot, replaceEnv: env });
}

const scan = (...extra: string[]) =>
  rampart([
    "scan",
    "--accounts",
    A,
    "--role-name",
    "audit",
    "--regions",
    REGIONS.join(","),
    "--services",
    "cloudcontrol",
    "--format",
    "json",
    "--fail-on",
    "none",
    ...extra,
  ]);

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "rampart-cloudcontrol-"));
  stub = await startAwsStub({ accounts: [A], regions: REGIONS });
}, 120_000);

afterAll(async () => {
  await stub?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe("scan --rules reads the user rules' types through Cloud Control", () => {
  it("judges the buckets Cloud Control returns, read with ListResources and GetResource", async () => {
    stub.resetCounters();
    const r = await scan("--rules", examples);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(findingKeys(doc)).toEqual([
      `fail s3-bucket-public-access-blocked arn:aws:s3:::open-${A}`,
      `fail s3-bucket-required-tags arn:aws:s3:::open-${A}`,
      `fail s3-bucket-versioning-enabled arn:aws:s3:::open-${A}`,
    ]);
    const tags = doc.findings.find((f: { ruleId: string }) => f.ruleId === "s3-bucket-required-tags");
    expect(tags.message).toBe(`Bucket arn:aws:s3:::open-${A} lacks the required tag(s) data-class.`);
    expect(tags.resource).toEqual({
      type: "AWS::S3::Bucket",
      id: `arn:aws:s3:::open-${A}`,
      arn: `arn:aws:s3:::open-${A}`,
      name: `open-${A}`,
      account: A,
      region: "us-east-1",
    });
    // the locked bucket was judged by each rule and passed
    for (const id of ["s3-bucket-public-access-blocked", "s3-bucket-required-tags", "s3-bucket-versioning-enabled"])
      expect(doc.summary.rules.find((s: { ruleId: string }) => s.ruleId === id)).toMatchObject({ pass: 1, fail: 1, unknown: 0 });
    expect(doc.coverage.filter((c: { service: string }) => c.service === "cloudcontrol")).toEqual(
      REGIONS.slice()
        .sort()
        .map((region) => ({ service: "cloudcontrol", account: A, region, status: "ok", resourceTypes: ["AWS::S3::Bucket"] })),
    );
    // S3 lists only identifiers: one GetResource per bucket; one ListResources per region
    expect(stub.byOperation.get("cloudcontrolapi:ListResources")).toBe(2);
    expect(stub.byOperation.get("cloudcontrolapi:GetResource")).toBe(2);
  });

  it("a denied Cloud Control call makes the rules reading its types unknown there, not a pass", async () => {
    stub.deny({ service: "cloudcontrolapi", region: "us-east-1" });
    try {
      const r = await scan("--rules", examples);
      const doc = JSON.parse(r.stdout);
      expect(findingKeys(doc)).toEqual([
        `unknown s3-bucket-public-access-blocked cloudcontrol:${A}/us-east-1`,
        `unknown s3-bucket-required-tags cloudcontrol:${A}/us-east-1`,
        `unknown s3-bucket-versioning-enabled cloudcontrol:${A}/us-east-1`,
        // the built-in WAF logging rule reads S3 buckets too (log destinations)
        `unknown wafv2-web-acl-logging-enabled cloudcontrol:${A}/us-east-1`,
      ]);
      expect(doc.scan.incomplete).toBe(true);
      expect(doc.findings[0].message).toContain("cloudcontrol was denied (cloudformation:ListResources)");
    } finally {
      stub.allowAll();
    }
  });

  it("a type Cloud Control cannot read is unknown for its rule only; full listings page without GetResource", async () => {
    const rules = path.join(dir, "mixed");
    fs.mkdirSync(path.join(rules, "lambda"), { recursive: true });
    const rule = (id: string, pkg: string, type: string, cond: string) => `# METADATA
# title: A rule on ${type} for the test
# description: |
#   Reads ${type} through Cloud Control; fails on what the condition names.
# custom:
#   id: ${id}
#   severity: low
#   resourceTypes: [${type}]
#   inputs: [live]
package rampart.rules.${pkg}

import data.rampart.lib

judged contains r._ref if some r in lib.resources("${type}")

results contains lib.fail(r, {"message": sprintf("%s fails", [r.id]), "pointer": "/Properties", "key": "x"}) if {
	some r in lib.resources("${type}")
	${cond}
}
`;
    fs.writeFileSync(
      path.join(rules, "lambda", "function_named.rego"),
      rule("lambda-function-not-c", "lambda.function_not_c", "AWS::Lambda::Function", 'r.properties.FunctionName == "fn-c"'),
    );
    fs.writeFileSync(path.join(rules, "lambda", "nope.rego"), rule("nope-thing-checked", "nope.thing_checked", "AWS::Nope::Thing", "true"));
    stub.resetCounters();
    const r = await scan("--rules", rules, "--regions", "us-east-1");
    expect(r.stderr).toBe("");
    const doc = JSON.parse(r.stdout);
    expect(findingKeys(doc)).toEqual([
      `fail lambda-function-not-c arn:aws:lambda:us-east-1:${A}:function:fn-c`,
      `unknown nope-thing-checked cloudcontrol:${A}/us-east-1`,
    ]);
    const gap = doc.coverage.find((c: { status: string }) => c.status !== "ok");
    expect(gap).toMatchObject({ service: "cloudcontrol", status: "error", action: "cloudformation:ListResources", resourceTypes: ["AWS::Nope::Thing"] });
    expect(gap.detail).toMatch(/^Cloud Control cannot read AWS::Nope::Thing here: TypeNotFoundException/);
    expect(stub.byOperation.get("cloudcontrolapi:GetResource")).toBeUndefined();
    expect(stub.byOperation.get("cloudcontrolapi:ListResources")).toBe(3); // two pages of functions, one failed listing
  });
});

describe("rampart permissions --rules", () => {
  it("adds Cloud Control's read actions when user rules read types no collector reads", async () => {
    const plain = JSON.parse((await rampart(["permissions"])).stdout);
    const r = await rampart(["permissions", "--rules", examples]);
    expect(r.code).toBe(0);
    const policy = JSON.parse(r.stdout);
    expect(policy.Statement.slice(0, -1)).toEqual(plain.Statement);
    expect(policy.Statement.at(-1)).toEqual({
      Sid: "RampartCloudControl",
      Effect: "Allow",
      Action: ["cloudformation:GetResource", "cloudformation:ListResources"],
      Resource: "*",
    });
    expect(r.stderr).toContain("the user rules read AWS::S3::Bucket through Cloud Control");
  });
});
