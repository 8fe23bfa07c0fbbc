// The pull-request gate, as CI runs it: baselines, exceptions, --changed-since and the
// exact exit codes of --fail-on / --fail-on-unknown. Each test works in its own temporary
// folder (the CLI runs there, so file paths and fingerprints are relative and stable).
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { repoRoot } from "../../model/paths.js";
import { cli, findingKeys, json, type CliRun } from "./helpers.js";

const templates = path.join(repoRoot, "examples", "templates");
const demo = path.join(repoRoot, "examples", "demo", "templates");
const BAD_ROLE = fs.readFileSync(path.join(templates, "rolesanywhere-trust-bad.yaml"), "utf8");
const GOOD_ROLE = fs.readFileSync(path.join(templates, "rolesanywhere-trust-good.yaml"), "utf8");
const ACCOUNT = ["--account", "012345678912"];

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** A temporary folder with the given files (name → text). */
function workdir(files: Record<string, string> = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rampart-gate-"));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

function demoFile(name: string): string {
  return fs.readFileSync(path.join(demo, name), "utf8");
}

/** One line on stderr, no stack trace. */
function expectOneLineError(run: CliRun, pattern: RegExp): void {
  expect(run.code).toBe(2);
  const lines = run.stderr.trim().split("\n");
  expect(lines.length).toBe(1);
  expect(lines[0]).toMatch(pattern);
  expect(run.stderr).not.toMatch(/\n\s+at /);
}

/** The bad Roles Anywhere role under another logical id. */
function renamedRole(id: string): string {
  return BAD_ROLE.replace(/^ {2}Role:/m, `  ${id}:`);
}

describe("baselines", () => {
  it("--write-baseline writes sorted, stable fingerprints with rule, resource, file and message, and exits 0", async () => {
    const dir = workdir({ "tpl/role.yaml": BAD_ROLE, "tpl/sg.yaml": demoFile("security-group.yaml"), "tpl/waf.yaml": demoFile("waf-logging.yaml") });
    const first = await cli(["iac", ...ACCOUNT, "tpl", "--write-baseline", "baseline.json", "--format", "json"], { cwd: dir });
    expect(first.code).toBe(0);
    expect(first.stderr).toContain("baseline written to baseline.json (4 finding(s))");
    const text = fs.readFileSync(path.join(dir, "baseline.json"), "utf8");
    const base = JSON.parse(text);
    expect(base.format).toBe("rampart-baseline");
    expect(base.version).toBe(1);
    const doc = json(first);
    expect(base.findings.map((e: any) => e.id).sort()).toEqual(doc.findings.map((f: any) => f.id).sort());
    expect(base.findings.map((e: any) => `${e.file} ${e.rule} ${e.resource.id}`)).toEqual([
      "tpl/role.yaml iam-rolesanywhere-trust-scoped Role",
      "tpl/sg.yaml ec2-security-group-egress-restricted WorkloadSecurityGroup",
      "tpl/waf.yaml wafv2-logging-redacts-sensitive-fields WebACLLogging",
      "tpl/waf.yaml wafv2-logging-redacts-sensitive-fields WebACLLogging",
    ]);
    for (const e of base.findings) {
      expect(Object.keys(e)).toEqual(["id", "rule", "severity", "status", "resource", "file", "message"]);
      expect(e.message.length).toBeGreaterThan(20);
    }
    // Stable: the same templates give the same bytes.
    await cli(["iac", ...ACCOUNT, "tpl", "--write-baseline", "again.json"], { cwd: dir });
    expect(fs.readFileSync(path.join(dir, "again.json"), "utf8")).toBe(text);
  });

  it("--baseline: known findings stay in the report, marked, and do not fail the gate", async () => {
    const dir = workdir({ "tpl/role.yaml": BAD_ROLE, "tpl/sg.yaml": demoFile("security-group.yaml") });
    expect((await cli(["iac", ...ACCOUNT, "tpl", "--write-baseline", "b.json"], { cwd: dir })).code).toBe(0);
    expect((await cli(["iac", ...ACCOUNT, "tpl", "--fail-on", "medium"], { cwd: dir })).code).toBe(1);
    const run = await cli(["iac", ...ACCOUNT, "tpl", "--baseline", "b.json", "--fail-on", "medium", "--format", "json"], { cwd: dir });
    expect(run.code).toBe(0);
    const doc = json(run);
    expect(findingKeys(doc)).toEqual(["fail ec2-security-group-egress-restricted WorkloadSecurityGroup", "fail iam-rolesanywhere-trust-scoped Role"]);
    expect(doc.findings.every((f: any) => f.baseline === true)).toBe(true);
    expect(doc.scan.baseline).toEqual({ file: "b.json", matched: 2, new: 0, fixed: 0 });
    const table = (await cli(["iac", ...ACCOUNT, "tpl", "--baseline", "b.json"], { cwd: dir })).stdout;
    expect(table).toMatch(
      /In the baseline b\.json \(2\), not counted for the exit code:\n {2}high {5}iam-rolesanywhere-trust-scoped {2}Role {2}tpl\/role\.yaml:11\n/,
    );
    expect(table).toContain("baseline: 0 new, 2 known, 0 fixed");
    const md = (await cli(["iac", ...ACCOUNT, "tpl", "--baseline", "b.json", "--format", "markdown"], { cwd: dir })).stdout;
    expect(md).toContain("<details><summary>Already in the baseline (2, not counted)</summary>");
    expect(md).toContain("✅ No new findings since the baseline.");
    expect(md).not.toContain("### New failing");
  });

  it("still matches after the resource moves 20 lines down", async () => {
    const dir = workdir({ "tpl/role.yaml": BAD_ROLE });
    await cli(["iac", ...ACCOUNT, "tpl", "--write-baseline", "b.json"], { cwd: dir });
    const before = json(await cli(["iac", ...ACCOUNT, "tpl", "--format", "json"], { cwd: dir })).findings[0];
    // 20 lines above the role: a bucket and comments.
    const filler = [
      "  Bucket:",
      "    Type: AWS::S3::Bucket",
      "    Properties:",
      "      BucketName: logs-bucket",
      ...Array.from({ length: 16 }, (_, i) => `  # note ${i + 1}`),
    ];
    fs.writeFileSync(path.join(dir, "tpl/role.yaml"), BAD_ROLE.replace(/^Resources:\n/m, `Resources:\n${filler.join("\n")}\n`));
    const run = await cli(["iac", ...ACCOUNT, "tpl", "--baseline", "b.json", "--format", "json"], { cwd: dir });
    const after = json(run).findings.find((f: any) => f.ruleId === "iam-rolesanywhere-trust-scoped");
    expect(after.location.line).toBe(before.location.line + 20);
    expect(after.id).toBe(before.id);
    expect(after.baseline).toBe(true);
    expect(run.code).toBe(0);
  });

  it("a new bad resource fails the gate; the known one stays marked", async () => {
    const dir = workdir({ "tpl/role.yaml": BAD_ROLE });
    await cli(["iac", ...ACCOUNT, "tpl", "--write-baseline", "b.json"], { cwd: dir });
    fs.writeFileSync(path.join(dir, "tpl/role.yaml"), BAD_ROLE + renamedRole("SecondRole").split("Resources:\n")[1]);
    const run = await cli(["iac", ...ACCOUNT, "tpl", "--baseline", "b.json", "--format", "json"], { cwd: dir });
    expect(run.code).toBe(1);
    const doc = json(run);
    expect(doc.findings.map((f: any) => `${f.resource.id} ${f.baseline === true}`).sort()).toEqual(["Role true", "SecondRole false"]);
    expect(doc.scan.baseline).toEqual({ file: "b.json", matched: 1, new: 1, fixed: 0 });
    const table = (await cli(["iac", ...ACCOUNT, "tpl", "--baseline", "b.json"], { cwd: dir })).stdout;
    expect(table).toMatch(/^HIGH {5}iam-rolesanywhere-trust-scoped {2}SecondRole /m);
    expect(table).toContain("baseline: 1 new, 1 known, 0 fixed");
    const md = (await cli(["iac", ...ACCOUNT, "tpl", "--baseline", "b.json", "--format", "markdown"], { cwd: dir })).stdout;
    expect(md).toContain("### New failing (1)");
    expect(md).toContain("Already in the baseline (1, not counted)");
    const sarif = JSON.parse((await cli(["iac", ...ACCOUNT, "tpl", "--baseline", "b.json", "--format", "sarif"], { cwd: dir })).stdout);
    const states = sarif.runs[0].results.map((r: any) => `${r.properties.resource.id} ${r.baselineState}`).sort();
    expect(states).toEqual(["Role unchanged", "SecondRole new"]);
  });

  it("a fixed finding is counted as fixed and the gate passes", async () => {
    const dir = workdir({ "tpl/role.yaml": BAD_ROLE });
    await cli(["iac", ...ACCOUNT, "tpl", "--write-baseline", "b.json"], { cwd: dir });
    fs.writeFileSync(path.join(dir, "tpl/role.yaml"), GOOD_ROLE);
    const run = await cli(["iac", ...ACCOUNT, "tpl", "--baseline", "b.json", "--format", "json"], { cwd: dir });
    expect(run.code).toBe(0);
    expect(json(run).scan.baseline).toEqual({ file: "b.json", matched: 0, new: 0, fixed: 1 });
  });

  it("a missing baseline file is exit 2 with one line naming it", async () => {
    const dir = workdir({ "tpl/role.yaml": BAD_ROLE });
    expectOneLineError(
      await cli(["iac", "tpl", "--baseline", "missing.json"], { cwd: dir }),
      /^rampart: --baseline missing\.json: cannot read the baseline file \(ENOENT\)/,
    );
  });

  const malformed: Array<[string, string, RegExp]> = [
    ["not JSON", "{ nope", /not a rampart baseline \(invalid JSON/],
    ["a findings document", JSON.stringify({ schemaVersion: "1", findings: [] }), /not a rampart baseline \("format" is not "rampart-baseline"\)/],
    ["a future version", JSON.stringify({ format: "rampart-baseline", version: 9, findings: [] }), /unsupported version 9/],
    ["findings not a list", JSON.stringify({ format: "rampart-baseline", version: 1, findings: {} }), /"findings" is not a list/],
    ["an entry without id", JSON.stringify({ format: "rampart-baseline", version: 1, findings: [{ rule: "x" }] }), /findings\[0\] has no fingerprint "id"/],
  ];
  for (const [name, text, message] of malformed) {
    it(`a malformed baseline (${name}) is exit 2 with one line naming it`, async () => {
      const dir = workdir({ "tpl/role.yaml": BAD_ROLE, "b.json": text });
      const run = await cli(["iac", "tpl", "--baseline", "b.json"], { cwd: dir });
      expectOneLineError(run, /^rampart: --baseline b\.json: /);
      expect(run.stderr).toMatch(message);
    });
  }
});

const FUTURE = "2999-12-31";
const PAST = "2020-01-31";

function inlineIgnored(expires: string): string {
  return BAD_ROLE.replace(
    /^ {4}Type: AWS::IAM::Role\n/m,
    `    Type: AWS::IAM::Role\n    Metadata:\n      rampart:\n        ignore:\n          - rule: iam-rolesanywhere-trust-scoped\n            reason: migration to per-anchor roles\n            expires: "${expires}"\n`,
  );
}

function pack(expires: string): string {
  return [
    "name: gate-test",
    "extends: default",
    "exceptions:",
    "  - rule: iam-rolesanywhere-trust-scoped",
    "    resource: { id: Role }",
    "    reason: legacy issuer role, replaced in Q3",
    "    owner: platform-security@example.com",
    `    expires: "${expires}"`,
    "",
  ].join("\n");
}

describe("exceptions", () => {
  const cases: Array<[string, () => string, string[], string]> = [
    ["a pack exception", () => workdir({ "tpl/role.yaml": BAD_ROLE, "pack.yaml": pack(FUTURE) }), ["--policy", "pack.yaml"], "platform-security@example.com"],
    ["an inline Metadata ignore", () => workdir({ "tpl/role.yaml": inlineIgnored(FUTURE) }), [], "inline template Metadata"],
  ];
  for (const [name, setup, extra, owner] of cases) {
    it(`${name} keeps the finding visible as suppressed (JSON, SARIF, table) and passes the gate`, async () => {
      const dir = setup();
      const run = await cli(["iac", ...ACCOUNT, "tpl", ...extra, "--format", "json", "--fail-on", "info"], { cwd: dir });
      expect(run.code).toBe(0);
      const doc = json(run);
      expect(findingKeys(doc)).toEqual(["suppressed iam-rolesanywhere-trust-scoped Role"]);
      expect(doc.findings[0].suppressedStatus).toBe("fail");
      expect(doc.findings[0].exception).toMatchObject({ rule: "iam-rolesanywhere-trust-scoped", owner, expires: FUTURE });
      expect(doc.summary).toMatchObject({ fail: 0, suppressed: 1 });
      const sarif = JSON.parse((await cli(["iac", ...ACCOUNT, "tpl", ...extra, "--format", "sarif"], { cwd: dir })).stdout);
      const [result] = sarif.runs[0].results;
      expect(result.suppressions).toEqual([
        { kind: "external", status: "accepted", justification: expect.stringContaining(`owner ${owner}, expires ${FUTURE}`) },
      ]);
      const table = await cli(["iac", ...ACCOUNT, "tpl", ...extra], { cwd: dir });
      expect(table.code).toBe(0);
      expect(table.stdout).toMatch(/Suppressed by exceptions \(1\):\n {2}iam-rolesanywhere-trust-scoped {2}Role {2}— /);
      expect(table.stdout).toContain("0 failing");
    });
  }

  const expired: Array<[string, () => string, string[]]> = [
    ["an expired pack exception", () => workdir({ "tpl/role.yaml": BAD_ROLE, "pack.yaml": pack(PAST) }), ["--policy", "pack.yaml"]],
    ["an expired inline ignore", () => workdir({ "tpl/role.yaml": inlineIgnored(PAST) }), []],
  ];
  for (const [name, setup, extra] of expired) {
    it(`${name} fails the gate and is reported itself`, async () => {
      const dir = setup();
      const run = await cli(["iac", ...ACCOUNT, "tpl", ...extra, "--format", "json"], { cwd: dir });
      expect(run.code).toBe(1);
      const doc = json(run);
      expect(findingKeys(doc)).toEqual(["fail iam-rolesanywhere-trust-scoped Role", "fail rampart-exception-expired Role"]);
      const exp = doc.findings.find((f: any) => f.ruleId === "rampart-exception-expired");
      expect(exp.severity).toBe("high");
      expect(exp.message).toContain(`expired on ${PAST}`);
      // The expired exception still fails with the original finding baselined.
      await cli(["iac", ...ACCOUNT, "tpl", ...extra, "--write-baseline", "b.json"], { cwd: dir });
      const base = JSON.parse(fs.readFileSync(path.join(dir, "b.json"), "utf8"));
      base.findings = base.findings.filter((e: any) => e.rule !== "rampart-exception-expired");
      fs.writeFileSync(path.join(dir, "b.json"), JSON.stringify(base));
      expect((await cli(["iac", ...ACCOUNT, "tpl", ...extra, "--baseline", "b.json"], { cwd: dir })).code).toBe(1);
    });
  }
});

describe("--changed-since", () => {
  const env = {
    GIT_AUTHOR_NAME: "t",
    GIT_AUTHOR_EMAIL: "t@example.com",
    GIT_COMMITTER_NAME: "t",
    GIT_COMMITTER_EMAIL: "t@example.com",
    GIT_CONFIG_NOSYSTEM: "1",
    HOME: os.tmpdir(),
  };
  const git = (dir: string, ...args: string[]) => execFileSync("git", args, { cwd: dir, env: { ...process.env, ...env }, stdio: "pipe" });

  function repo(): string {
    const dir = workdir({
      "infra/a.yaml": BAD_ROLE, // unchanged on the branch: not scanned
      "infra/b.yaml": GOOD_ROLE, // made bad on the branch (committed)
      "infra/c.yaml": GOOD_ROLE, // made bad in the working tree (uncommitted)
      "other/x.yaml": GOOD_ROLE,
      "README.md": "docs\n",
    });
    git(dir, "init", "-q", "-b", "main");
    git(dir, "add", ".");
    git(dir, "commit", "-q", "-m", "base");
    git(dir, "checkout", "-q", "-b", "feature");
    fs.writeFileSync(path.join(dir, "infra/b.yaml"), renamedRole("RoleB"));
    fs.writeFileSync(path.join(dir, "other/x.yaml"), renamedRole("RoleX")); // changed, but outside the given path
    fs.writeFileSync(path.join(dir, "README.md"), "more docs\n"); // changed, not a template
    git(dir, "commit", "-q", "-am", "feature");
    fs.writeFileSync(path.join(dir, "infra/c.yaml"), renamedRole("RoleC"));
    fs.writeFileSync(path.join(dir, "infra/d.yaml"), renamedRole("RoleD")); // untracked
    fs.writeFileSync(path.join(dir, "infra/ignored.yaml"), renamedRole("RoleIgnored"));
    fs.writeFileSync(path.join(dir, ".gitignore"), "infra/ignored.yaml\n");
    return dir;
  }

  it("scans only templates changed against the ref (committed, uncommitted and untracked) under the given paths", async () => {
    const dir = repo();
    const run = await cli(["iac", ...ACCOUNT, "infra", "--changed-since", "main", "--format", "json"], { cwd: dir });
    expect(run.stderr).toContain("--changed-since main: 3 of 5 template file(s) changed");
    expect(run.code).toBe(1);
    const doc = json(run);
    expect(doc.findings.map((f: any) => `${f.location.file} ${f.resource.id}`).sort()).toEqual([
      "infra/b.yaml RoleB",
      "infra/c.yaml RoleC",
      "infra/d.yaml RoleD",
    ]);
    expect(doc.scan.files).toEqual({ loaded: 3, skipped: 0, error: 0 });
    expect(doc.scan.changedSince).toEqual({ ref: "main", files: 3 });
    // From a subfolder, with a relative path.
    const sub = await cli(["iac", ...ACCOUNT, ".", "--changed-since", "main", "--format", "json"], { cwd: path.join(dir, "other") });
    expect(findingKeys(json(sub))).toEqual(["fail iam-rolesanywhere-trust-scoped RoleX"]);
  });

  it("nothing changed: nothing scanned, exit 0", async () => {
    const dir = repo();
    git(dir, "add", "-A");
    git(dir, "commit", "-q", "-m", "all");
    const run = await cli(["iac", ...ACCOUNT, "infra", "--changed-since", "HEAD", "--format", "json"], { cwd: dir });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain("--changed-since HEAD: 0 of 5 template file(s) changed");
    expect(run.stderr).toContain("nothing to scan: no IaC file changed");
    expect(json(run).findings).toEqual([]);
  });

  it("works with a baseline written on the base branch", async () => {
    const dir = repo();
    git(dir, "stash", "-q", "-u");
    git(dir, "checkout", "-q", "main");
    await cli(["iac", ...ACCOUNT, "infra", "--write-baseline", "../base.json"], { cwd: dir });
    git(dir, "checkout", "-q", "feature");
    git(dir, "stash", "pop", "-q");
    const run = await cli(["iac", ...ACCOUNT, "infra", "--changed-since", "main", "--baseline", "../base.json", "--format", "json"], { cwd: dir });
    expect(run.code).toBe(1);
    expect(json(run).scan.baseline).toEqual({ file: "../base.json", matched: 0, new: 3, fixed: 0 });
  });

  it("a bad ref is exit 2 with one line naming it", async () => {
    const dir = repo();
    expectOneLineError(
      await cli(["iac", "infra", "--changed-since", "no-such-branch"], { cwd: dir }),
      /^rampart: --changed-since no-such-branch: no such commit, branch or tag in /,
    );
    expectOneLineError(await cli(["iac", "infra", "--changed-since=--output=x"], { cwd: dir }), /^rampart: --changed-since --output=x: not a git revision/);
  });

  it("outside a git work tree is exit 2 naming the ref", async () => {
    const dir = workdir({ "infra/a.yaml": BAD_ROLE });
    expectOneLineError(
      await cli(["iac", "infra", "--changed-since", "main"], { cwd: dir, env: { GIT_CEILING_DIRECTORIES: path.dirname(dir) } }),
      /^rampart: --changed-since main: .* is not inside a git work tree/,
    );
  });
});

describe("--fail-on and --fail-on-unknown exit codes", () => {
  // One finding each: low (WAF logging, two findings), medium (security group), high (Roles Anywhere), critical (open key).
  const files: Record<string, string> = {
    low: demoFile("waf-logging.yaml"),
    medium: demoFile("security-group.yaml"),
    high: BAD_ROLE,
  };
  const unknownTemplate = [
    "Parameters:",
    "  EgressCidr:",
    "    Type: String",
    "Resources:",
    "  WorkloadSecurityGroup:",
    "    Type: AWS::EC2::SecurityGroup",
    "    Properties:",
    "      GroupDescription: workload",
    "      VpcId: vpc-0123456789abcdef0",
    "      SecurityGroupEgress:",
    '        - IpProtocol: "-1"',
    "          CidrIp: !Ref EgressCidr",
    "",
  ].join("\n");
  const infoPack = "name: info\nextends: default\nrules:\n  wafv2-logging-redacts-sensitive-fields: { severity: info }\n";

  const cases: Array<[string, string, string[], number]> = [
    ["low", "default (high)", [], 0],
    ["low", "medium", ["--fail-on", "medium"], 0],
    ["low", "low", ["--fail-on", "low"], 1],
    ["low", "info", ["--fail-on", "info"], 1],
    ["low", "none", ["--fail-on", "none"], 0],
    ["medium", "high", ["--fail-on", "high"], 0],
    ["medium", "medium", ["--fail-on", "medium"], 1],
    ["medium", "MEDIUM (any case)", ["--fail-on", "MEDIUM"], 1],
    ["high", "critical", ["--fail-on", "critical"], 0],
    ["high", "default (high)", [], 1],
    ["critical", "critical", ["--fail-on", "critical"], 1],
    ["info", "low", ["--fail-on", "low", "--policy", "info.yaml"], 0],
    ["info", "info", ["--fail-on", "info", "--policy", "info.yaml"], 1],
    ["unknown", "default, no --fail-on-unknown", [], 0],
    ["unknown", "none --fail-on-unknown", ["--fail-on", "none", "--fail-on-unknown"], 3],
    ["unknown+high", "--fail-on-unknown: failing findings win", ["--fail-on-unknown"], 1],
    ["unknown+high", "critical --fail-on-unknown", ["--fail-on", "critical", "--fail-on-unknown"], 3],
    ["clean", "info --fail-on-unknown", ["--fail-on", "info", "--fail-on-unknown"], 0],
  ];
  for (const [what, threshold, args, code] of cases) {
    it(`${what} finding, --fail-on ${threshold} → exit ${code}`, async () => {
      const t: Record<string, string> = { "info.yaml": infoPack };
      if (what === "critical") t["tpl/t.yaml"] = demoFile("kms-open-key.yaml");
      else if (what === "info") t["tpl/t.yaml"] = files.low;
      else if (what === "unknown") t["tpl/t.yaml"] = unknownTemplate;
      else if (what === "unknown+high") Object.assign(t, { "tpl/u.yaml": unknownTemplate, "tpl/h.yaml": BAD_ROLE });
      else if (what === "clean") t["tpl/t.yaml"] = GOOD_ROLE;
      else t["tpl/t.yaml"] = files[what];
      const dir = workdir(t);
      const run = await cli(["iac", ...ACCOUNT, "tpl", "--format", "json", ...args], { cwd: dir });
      const doc = json(run);
      const severities = doc.findings.map((f: any) => (f.status === "unknown" ? "unknown" : f.severity));
      const expected = what === "unknown+high" ? ["high", "unknown"] : what === "clean" ? [] : [what];
      expect([...new Set(severities)].sort()).toEqual(what === "critical" ? ["critical", "medium"] : expected);
      expect(run.code).toBe(code);
    });
  }
});

describe("--summary-markdown (the GitHub Action's job summary)", () => {
  it("appends the Markdown report of the same scan to the file while the main report goes to stdout", async () => {
    const dir = workdir({ "tpl/role.yaml": BAD_ROLE, "summary.md": "earlier step\n" });
    const run = await cli(["iac", ...ACCOUNT, "tpl", "--format", "json", "--summary-markdown", "summary.md"], { cwd: dir });
    expect(run.code).toBe(1);
    expect(findingKeys(json(run))).toEqual(["fail iam-rolesanywhere-trust-scoped Role"]);
    const md = (await cli(["iac", ...ACCOUNT, "tpl", "--format", "markdown"], { cwd: dir })).stdout;
    const summary = fs.readFileSync(path.join(dir, "summary.md"), "utf8");
    // the same document: only the timing line may differ between the two scans
    const untimed = (t: string) => t.replace(/^.*\d+(\.\d+)? ?m?s\b.*$/gm, "");
    expect(summary.startsWith("earlier step\n## rampart infrastructure-code scan\n")).toBe(true);
    expect(untimed(summary.slice("earlier step\n".length))).toBe(untimed(md));
  });

  it("an unwritable summary file is exit 2 with one line naming the flag", async () => {
    const dir = workdir({ "tpl/role.yaml": GOOD_ROLE });
    const run = await cli(["iac", ...ACCOUNT, "tpl", "--summary-markdown", "no/such/dir/summary.md"], { cwd: dir });
    expectOneLineError(run, /^rampart: --summary-markdown no\/such\/dir\/summary\.md: cannot write the summary \(ENOENT\)\.$/);
  });
});
