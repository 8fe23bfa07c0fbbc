// The CLI as a user runs it, on the bundled examples: exact findings, exit codes, errors.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { cli, findingKeys, json } from "./helpers.js";

const require = createRequire(import.meta.url);

describe("rampart iac on the article's Roles Anywhere trust policy", () => {
  it("reports nothing for the article's policy", async () => {
    const run = await cli(["iac", "--account", "012345678912", "examples/templates/rolesanywhere-trust-good.yaml", "--format", "json"]);
    expect(run.code).toBe(0);
    const doc = json(run);
    expect(doc.findings).toEqual([]);
    expect(doc.summary.pass).toBeGreaterThan(0);
  });

  it("reports iam-rolesanywhere-trust-scoped on the role, with file and line, when ArnEquals is removed", async () => {
    const run = await cli(["iac", "--account", "012345678912", "examples/templates/rolesanywhere-trust-bad.yaml", "--format", "json"]);
    expect(run.code).toBe(1);
    const doc = json(run);
    expect(findingKeys(doc)).toEqual(["fail iam-rolesanywhere-trust-scoped Role"]);
    expect(doc.findings[0].severity).toBe("high");
    expect(doc.findings[0].location).toEqual({
      file: "examples/templates/rolesanywhere-trust-bad.yaml",
      line: 11,
      pointer: "/Resources/Role/Properties/AssumeRolePolicyDocument/Statement/0",
    });
  });

  it("prints file:line in the terminal report", async () => {
    const run = await cli(["iac", "--account", "012345678912", "examples/templates/rolesanywhere-trust-bad.yaml"]);
    expect(run.stdout).toContain("examples/templates/rolesanywhere-trust-bad.yaml:11");
    expect(run.stdout).toContain("iam-rolesanywhere-trust-scoped");
    expect(run.stdout).toMatch(/1 failing \(1 high\)/);
  });

  it("without the deploy account, the literal account in SourceArn cannot be trusted", async () => {
    const run = await cli(["iac", "examples/templates/rolesanywhere-trust-good.yaml", "--format", "json"]);
    expect(findingKeys(json(run))).toEqual(["fail iam-rolesanywhere-trust-scoped Role"]);
  });
});

describe("rampart scan --snapshot", () => {
  it("writes SARIF 2.1.0 that validates against the SARIF schema", async () => {
    const run = await cli(["scan", "--snapshot", "examples/demo/account.json", "--format", "sarif", "--fail-on", "none"]);
    expect(run.code).toBe(0);
    const sarif = JSON.parse(run.stdout);
    const Ajv4 = require("ajv-draft-04");
    const ajv = new Ajv4({ allErrors: true, strict: false, validateFormats: false, unicodeRegExp: false });
    const schema = require("@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json");
    const validate = ajv.compile(schema);
    const ok = validate(sarif);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
    const doc = json(await cli(["scan", "--snapshot", "examples/demo/account.json", "--format", "json", "--fail-on", "none"]));
    const results = sarif.runs[0].results;
    expect(results.length).toBe(doc.findings.length);
    expect(results.map((r: any) => r.partialFingerprints["rampart/v1"]).sort()).toEqual(doc.findings.map((f: any) => f.id).sort());
    for (const r of results) expect(sarif.runs[0].tool.driver.rules[r.ruleIndex].id).toBe(r.ruleId);
    expect(results.filter((r: any) => r.suppressions).length).toBe(doc.summary.suppressed);
  });

  it("gives the same findings after a round trip through --snapshot-out", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rampart-e2e-"));
    const out = path.join(dir, "again.json");
    const first = json(await cli(["scan", "--snapshot", "examples/demo/account.json", "--snapshot-out", out, "--format", "json", "--fail-on", "none"]));
    const second = json(await cli(["scan", "--snapshot", out, "--format", "json", "--fail-on", "none"]));
    expect(second.findings.map((f: any) => f.id)).toEqual(first.findings.map((f: any) => f.id));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("exit codes follow --fail-on and --fail-on-unknown", async () => {
    const snap = ["scan", "--snapshot", "examples/demo/account.json", "--format", "json"];
    expect((await cli([...snap])).code).toBe(1); // critical and high findings, default threshold high
    expect((await cli([...snap, "--fail-on", "none"])).code).toBe(0);
    expect((await cli([...snap, "--fail-on", "none", "--fail-on-unknown"])).code).toBe(3); // a denied WorkMail read
  });

  it("reports a denied read as a coverage gap and the affected rules as unknown", async () => {
    const doc = json(await cli(["scan", "--snapshot", "examples/demo/account.json", "--format", "json", "--fail-on", "none"]));
    expect(doc.scan.incomplete).toBe(true);
    const unknown = findingKeys(doc).filter((k) => k.startsWith("unknown"));
    expect(unknown).toEqual([
      "unknown workmail-organization-mfa-enforced workmail:222233334444/us-west-2",
      "unknown workmail-personal-access-tokens-bounded workmail:222233334444/us-west-2",
    ]);
  });
});

describe("bad input gets one clear line and exit code 2", () => {
  const cases: Array<[string, string[], RegExp]> = [
    ["missing file", ["iac", "no/such/template.yaml"], /no\/such\/template\.yaml: no such file or directory/],
    ["unknown format", ["iac", "examples/templates", "--format", "xml"], /--format xml: unknown format/],
    ["unknown severity", ["iac", "examples/templates", "--fail-on", "urgent"], /--fail-on urgent: unknown severity/],
    ["bad account", ["iac", "examples/templates", "--account", "123"], /--account 123: an AWS account id is 12 digits/],
    ["missing snapshot", ["scan", "--snapshot", "nope.json"], /--snapshot nope\.json: cannot read the file/],
    ["not a snapshot", ["scan", "--snapshot", "package.json"], /package\.json: not a rampart snapshot/],
    ["bad rate", ["scan", "--rate", "0"], /--rate 0: give API calls per second per account × region × service/],
    ["unknown rule", ["rules", "show", "no-such-rule"], /no such rule/],
    ["unknown command", ["frobnicate"], /unknown command 'frobnicate'/],
  ];
  for (const [name, args, message] of cases) {
    it(name, async () => {
      const run = await cli(args);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
    });
  }

  it("an invalid policy pack names the file and the field", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rampart-e2e-"));
    const pack = path.join(dir, "pack.yaml");
    fs.writeFileSync(pack, "name: broken\nparams:\n  trustedAccounts: [12]\n");
    const run = await cli(["iac", "examples/templates", "--policy", pack]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${pack}: not a valid policy pack: /params/trustedAccounts/0: must be string`);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("a malformed template is an input error naming the file and line, and the rest is still scanned", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rampart-e2e-"));
    fs.writeFileSync(path.join(dir, "broken.yaml"), "Resources:\n  A:\n    Type: AWS::S3::Bucket\n   bad: [\n");
    fs.copyFileSync("examples/templates/rolesanywhere-trust-bad.yaml", path.join(dir, "bad.yaml"));
    const run = await cli(["iac", dir, "--format", "json"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/broken\.yaml: .*line/);
    expect(findingKeys(json(run))).toEqual(["fail iam-rolesanywhere-trust-scoped Role"]);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe("rampart rules", () => {
  it("lists every rule of the bundle with severity, family and inputs", async () => {
    const list = json(await cli(["rules", "list", "--format", "json"]));
    const manifest = JSON.parse(fs.readFileSync("build/policy/manifest.json", "utf8"));
    expect(list.map((r: any) => r.id).sort()).toEqual(manifest.metadata.rampart.rules.map((r: any) => r.id).sort());
    const table = (await cli(["rules", "list"])).stdout;
    expect(table).toMatch(/iam-rolesanywhere-trust-scoped\s+high\s+trust-policies\s+live cloudformation terraform/);
  });

  it("shows one rule", async () => {
    const run = await cli(["rules", "show", "iam-rolesanywhere-trust-scoped"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("seeds/000_14fc47060cf8555c.txt lines 191–230, 275");
    expect(run.stdout).toContain("docs/rules/iam-rolesanywhere-trust-scoped.md");
    // The automatic fix: how to run it, its parameters, the IAM actions it needs.
    expect(run.stdout).toContain("Automatic fix: rampart fix --findings <scan.json> --rule iam-rolesanywhere-trust-scoped\n");
    expect(run.stdout).toMatch(/^ {2}--param iam-rolesanywhere-trust-scoped\.certificateCN=… {2}The CN of the workload certificate/m);
    expect(run.stdout).toMatch(/^ {2}IAM actions: .*iam:UpdateAssumeRolePolicy/m);
    const manual = await cli(["rules", "show", "emr-cluster-subnet-ip-headroom"]);
    expect(manual.stdout).not.toContain("Automatic fix:");
  });
});
