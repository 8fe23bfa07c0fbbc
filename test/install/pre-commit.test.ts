// rampart's pre-commit hook in its real host (issue 17): Debian's `pre-commit` (.ci/run installs
// it) installs the hook from a local clone named as `repo` in .pre-commit-config.yaml — npm
// install, npm pack (stdout read as the tarball name), npm install -g of the tarball — then runs
// it on all files and on the staged files. PRE_COMMIT_HOME is a temporary folder, so the first
// run is a first install.
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { repoRoot } from "../../model/paths.js";

const hasPreCommit = spawnSync("pre-commit", ["--version"]).status === 0;
if (!hasPreCommit) process.stderr.write("pre-commit tests skipped: pre-commit is not on PATH (.ci/run installs Debian's pre-commit)\n");

const install = inject("install");
const work = fs.mkdtempSync(path.join(os.tmpdir(), "rampart-pre-commit-"));
const repo = path.join(work, "repo");
const env = { ...process.env, PRE_COMMIT_HOME: path.join(work, "home"), NO_COLOR: "1", PRE_COMMIT_COLOR: "never" };
const BAD = fs.readFileSync(path.join(repoRoot, "examples", "templates", "rolesanywhere-trust-bad.yaml"), "utf8");
const GOOD = fs.readFileSync(path.join(repoRoot, "examples", "templates", "rolesanywhere-trust-good.yaml"), "utf8");
const TF = fs.readFileSync(path.join(repoRoot, "test", "fixtures", "terraform-source", "open-sg", "main.tf"), "utf8");
const times: Record<string, number> = {};
// the terminal report's first two lines of a finding
const BAD_FINDING = /^HIGH +iam-rolesanywhere-trust-scoped +Role \(AWS::IAM::Role\)\n +at templates\/bad\.yaml:11 /m;
const tfFinding = (key: string) =>
  new RegExp(
    String.raw`^MEDIUM +ec2-security-group-egress-restricted +aws_security_group\.tier\["${key}"\] \(AWS::EC2::SecurityGroup\)\n +at network/main\.tf:16 `,
    "m",
  );

function git(...args: string[]): string {
  return execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@rampart.invalid", ...args], { cwd: repo, encoding: "utf8" });
}

function preCommit(label: string, ...args: string[]): { code: number; out: string } {
  const t0 = Date.now();
  const r = spawnSync("pre-commit", ["run", "--color", "never", ...args], {
    cwd: repo,
    encoding: "utf8",
    env,
    stdio: ["ignore", "pipe", "pipe"],
    timeout: 15 * 60_000,
  });
  times[label] = (Date.now() - t0) / 1000;
  return { code: r.status ?? -1, out: r.stdout + r.stderr };
}

function write(name: string, text: string): void {
  fs.mkdirSync(path.dirname(path.join(repo, name)), { recursive: true });
  fs.writeFileSync(path.join(repo, name), text);
}

beforeAll(() => {
  fs.mkdirSync(repo);
  git("init", "-q");
  write(
    ".pre-commit-config.yaml",
    [
      "repos:",
      `  - repo: ${install.clone}`,
      `    rev: ${install.rev}`,
      "    hooks:",
      "      - id: rampart-iac",
      '        args: [--account, "012345678912", --fail-on, medium]',
      "",
    ].join("\n"),
  );
  write("templates/good.yaml", GOOD);
  write("templates/bad.yaml", BAD);
  write("network/main.tf", TF);
  write("k8s/deployment.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n");
  git("add", "-A");
});
afterAll(() => {
  process.stderr.write(`install tests: pre-commit run times (s): ${JSON.stringify(times)}\n`);
  fs.rmSync(work, { recursive: true, force: true });
});

describe.skipIf(!hasPreCommit)("the rampart-iac pre-commit hook", () => {
  it("--all-files (first run installs the hook): exit 1 with the bad template's and the .tf file's findings", () => {
    const run = preCommit("first install + --all-files", "--all-files");
    expect(run.out).toMatch(/^rampart \(AWS policy rules on CloudFormation and Terraform\)\.+Failed$/m);
    expect(run.out).toContain("- hook id: rampart-iac\n- exit code: 1\n");
    expect(run.code).toBe(1);
    expect(run.out).toMatch(BAD_FINDING);
    expect(run.out).toMatch(tfFinding("api"));
    expect(run.out).toMatch(tfFinding("web"));
    expect(run.out).not.toContain("good.yaml:");
    // skipped, not errors: the Kubernetes manifest and .pre-commit-config.yaml itself (it matches the
    // hook's files); the .tf file was read (not listed as not read)
    expect(run.out).toMatch(/^rampart iac scan in 3 file\(s\), 2 skipped: 3 failing \(1 high, 2 medium\), 0 unknown, 5 passing, 0 suppressed$/m);
    expect(run.out).toContain(
      "Not read (2):\n  .pre-commit-config.yaml: not a CloudFormation template: no Resources section\n  k8s/deployment.yaml: not a CloudFormation template: Kubernetes manifest\n",
    );
  });

  it("staged files: a good template passes, then a staged bad one fails with its finding only", () => {
    git("commit", "-q", "-m", "fixtures");
    write("templates/good.yaml", GOOD + "# edited\n");
    write("templates/bad.yaml", BAD + "# edited, not staged\n");
    git("add", "templates/good.yaml");
    const pass = preCommit("warm, one staged good template");
    expect(pass.out).toMatch(/^rampart \(AWS policy rules on CloudFormation and Terraform\)\.+Passed$/m);
    expect(pass.code).toBe(0);
    git("add", "templates/bad.yaml");
    const fail = preCommit("warm, staged good + bad templates");
    expect(fail.code).toBe(1);
    expect(fail.out).toMatch(BAD_FINDING);
    expect(fail.out).not.toContain("network/main.tf");
  });

  it("a staged .tf file is matched by the hook and gated", () => {
    git("commit", "-q", "-m", "edits");
    write("network/main.tf", TF + "# edited\n");
    git("add", "network/main.tf");
    const run = preCommit("warm, one staged .tf");
    expect(run.code).toBe(1);
    expect(run.out).toMatch(tfFinding("web"));
    expect(run.out).not.toContain("bad.yaml");
  });

  it("a staged file that is no template (a Kubernetes manifest) passes", () => {
    git("commit", "-q", "-m", "tf");
    write("k8s/deployment.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n");
    git("add", "k8s/deployment.yaml");
    const run = preCommit("warm, one staged non-template");
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/\.+Passed$/m);
  });
});
