// Issue 12, Build 3: `--changed-since REF` and baselines on Terraform source. A change to a .tf
// file of a root module, to a local module it calls, to a .tfvars it reads or to a file its
// expressions read scans that root again, and only the roots so changed; baseline fingerprints
// of .tf findings survive line moves.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cli, findingKeys, json } from "../e2e/helpers.js";

const top = fs.mkdtempSync(path.join(os.tmpdir(), "rampart-tf-changed-"));
afterAll(() => fs.rmSync(top, { recursive: true, force: true }));

const env = {
  GIT_AUTHOR_NAME: "t",
  GIT_AUTHOR_EMAIL: "t@example.com",
  GIT_COMMITTER_NAME: "t",
  GIT_COMMITTER_EMAIL: "t@example.com",
  GIT_CONFIG_NOSYSTEM: "1",
  HOME: os.tmpdir(),
};
const git = (dir: string, ...args: string[]) => execFileSync("git", args, { cwd: dir, env: { ...process.env, ...env }, stdio: "pipe" });

/** A security group whose SSH ingress comes from `cidr` (an HCL expression); egress is closed. */
const group = (name: string, cidr: string) => `resource "aws_security_group" "${name}" {
  name        = "${name}"
  description = "${name}"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [${cidr}]
  }
  egress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/8"]
  }
}
`;

let n = 0;
function repo(): string {
  const dir = path.join(top, `r${n++}`);
  const files: Record<string, string> = {
    "live/a/main.tf": 'module "sg" {\n  source = "../../modules/sg"\n  cidr   = "0.0.0.0/0"\n}\n',
    "modules/sg/main.tf": `variable "cidr" {}\n${group("this", "var.cidr")}`,
    "live/b/main.tf": group("b", 'jsondecode(file("${path.module}/net.json")).admin_cidr'),
    "live/b/net.json": '{"admin_cidr": "10.0.0.0/8"}\n',
    "live/c/main.tf": `variable "admin_cidr" {}\n${group("c", "var.admin_cidr")}`,
    "live/c/terraform.tfvars": 'admin_cidr = "0.0.0.0/0"\n',
  };
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  git(dir, "init", "-q", "-b", "main");
  git(dir, "add", ".");
  git(dir, "commit", "-q", "-m", "base");
  return dir;
}

const OPEN_A = "fail ec2-security-group-admin-ports-restricted module.sg.aws_security_group.this";
const OPEN_C = "fail ec2-security-group-admin-ports-restricted aws_security_group.c";

describe("--changed-since on Terraform source", () => {
  it("scans again exactly the root modules whose module, tfvars or read file changed", async () => {
    const dir = repo();
    const scan = async () => {
      const run = await cli(["iac", ".", "--changed-since", "HEAD", "--format", "json"], { cwd: dir });
      return { run, doc: run.stdout ? json(run) : undefined };
    };
    // nothing changed: nothing scanned, exit 0 (live/b/net.json is the one .json a template could be)
    let { run, doc } = await scan();
    expect(run.code).toBe(0);
    expect(run.stderr).toContain("--changed-since HEAD: 0 of 1 template file(s) changed; 0 of 3 Terraform root module(s) to scan again");
    expect(run.stderr).toContain("nothing to scan: no IaC file changed");
    expect(doc.findings).toEqual([]);

    // a called module changed (uncommitted): live/a, which calls it, and only it
    fs.appendFileSync(path.join(dir, "modules/sg/main.tf"), "# reviewed\n");
    ({ run, doc } = await scan());
    expect(run.stderr).toContain("1 of 3 Terraform root module(s) to scan again");
    expect(run.code).toBe(1);
    expect(findingKeys(doc)).toEqual([OPEN_A]);
    expect(doc.findings[0].location.file).toBe(path.join("modules", "sg", "main.tf"));
    expect(doc.scan.files.loaded).toBe(2); // live/a/main.tf and the module's file
    git(dir, "commit", "-q", "-am", "module");

    // terraform.tfvars of live/c changed: live/c, and it now passes
    fs.writeFileSync(path.join(dir, "live/c/terraform.tfvars"), 'admin_cidr = "192.0.2.0/24"\n');
    ({ run, doc } = await scan());
    expect(run.stderr).toContain("1 of 3 Terraform root module(s) to scan again");
    expect(run.code).toBe(0);
    expect(doc.findings).toEqual([]);
    expect(doc.summary.pass).toBeGreaterThan(0);
    expect(doc.scan.files).toEqual({ loaded: 1, skipped: 0, error: 0 });
    git(dir, "commit", "-q", "-am", "tfvars");

    // the JSON file live/b reads with file() changed: live/b, now open
    fs.writeFileSync(path.join(dir, "live/b/net.json"), '{"admin_cidr": "0.0.0.0/0"}\n');
    ({ run, doc } = await scan());
    expect(run.stderr).toContain("1 of 3 Terraform root module(s) to scan again");
    expect(run.code).toBe(1);
    expect(findingKeys(doc)).toEqual(["fail ec2-security-group-admin-ports-restricted aws_security_group.b"]);
  });

  it("a --tf-var-file that changed scans every root again", async () => {
    const dir = repo();
    fs.writeFileSync(path.join(dir, "ci.tfvars"), 'admin_cidr = "0.0.0.0/0"\n');
    const run = await cli(["iac", "live", "--changed-since", "HEAD", "--tf-var-file", "ci.tfvars", "--format", "json"], { cwd: dir });
    expect(run.stderr).toContain("3 of 3 Terraform root module(s) to scan again");
    expect(findingKeys(json(run))).toEqual([OPEN_C, OPEN_A]);
  });
});

describe("baselines on Terraform source", () => {
  it("fingerprints survive line moves and edits elsewhere; a changed resource is new", async () => {
    const dir = repo();
    const full = await cli(["iac", ".", "--write-baseline", "../base.json", "--format", "json"], { cwd: dir });
    expect(findingKeys(json(full))).toEqual([OPEN_C, OPEN_A]);
    // lines moved: comments and a variable above, the module's resource after a new one
    const mod = path.join(dir, "modules/sg/main.tf");
    fs.writeFileSync(mod, `# network module\n\n${group("other", '"10.1.0.0/16"')}\n${fs.readFileSync(mod, "utf8")}`);
    const c = path.join(dir, "live/c/main.tf");
    fs.writeFileSync(c, `variable "unused" {\n  default = 1\n}\n\n\n${fs.readFileSync(c, "utf8")}`);
    let run = await cli(["iac", ".", "--baseline", "../base.json", "--format", "json"], { cwd: dir });
    expect(run.code).toBe(0);
    let doc = json(run);
    expect(doc.scan.baseline).toEqual({ file: "../base.json", matched: 2, new: 0, fixed: 0 });
    // ... while their locations follow the moved cidr_blocks lines
    expect(doc.findings.map((f: { location: { file: string; line: number } }) => `${f.location.file}:${f.location.line}`)).toEqual([
      path.join("live", "c", "main.tf") + ":14",
      path.join("modules", "sg", "main.tf") + ":28",
    ]);
    // the group of live/c renamed: its finding is new, the old one fixed
    fs.writeFileSync(c, fs.readFileSync(c, "utf8").replace('"aws_security_group" "c"', '"aws_security_group" "c2"'));
    run = await cli(["iac", ".", "--baseline", "../base.json", "--format", "json"], { cwd: dir });
    expect(run.code).toBe(1);
    doc = json(run);
    expect(doc.scan.baseline).toEqual({ file: "../base.json", matched: 1, new: 1, fixed: 1 });
  });
});
