// Issue 12 with issue 19's rule: a .tf module from an untrusted pull request must not make rampart
// read files outside the scan roots. A module `source`, file(), templatefile() or fileexists()
// naming a path outside them is not read: a counted skip with the reason, and the values it
// would have given are unknown (never a pass). --allow-read PATH widens the roots.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli, findingKeys, json } from "../e2e/helpers.js";
import { manifestRules } from "../../scripts/rule-catalogue.js";

let top: string; // holds the repository and, beside it, a module and a file outside it
const REASON = "is outside the scan roots (the scanned paths and their git repository): not read; give --allow-read PATH to read it";

beforeAll(() => {
  top = fs.mkdtempSync(path.join(os.tmpdir(), "rampart-tf-confine-"));
  const repo = path.join(top, "repo");
  fs.mkdirSync(path.join(repo, "infra"), { recursive: true });
  spawnSync("git", ["init", "-q", repo]);
  fs.mkdirSync(path.join(top, "outside-mod"));
  fs.writeFileSync(
    path.join(top, "outside-mod", "main.tf"),
    `output "admin_cidr" {\n  value = "0.0.0.0/0"\n}\nresource "aws_security_group" "leak" {\n  description = "SECRET-OUTSIDE"\n}\n`,
  );
  fs.writeFileSync(
    path.join(top, "trust.json"),
    JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Sid: "SECRET-OUTSIDE", Effect: "Allow", Principal: { Service: "config.amazonaws.com" }, Action: "sts:AssumeRole" }],
    }),
  );
  fs.writeFileSync(
    path.join(repo, "infra", "main.tf"),
    `module "net" {
  source = "../../outside-mod"
}

resource "aws_security_group" "bastion" {
  name        = "bastion"
  description = "bastion"

  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [module.net.admin_cidr]
  }

  egress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_iam_role" "config" {
  name               = "config-recorder"
  assume_role_policy = fileexists("\${path.module}/../../trust.json") ? file("\${path.module}/../../trust.json") : "{}"
}
`,
  );
});
afterAll(() => fs.rmSync(top, { recursive: true, force: true }));

describe("Terraform source confinement, through the CLI", () => {
  it("a module source and file() outside the repository are not read: two counted skips, unknown findings, nothing of them printed", async () => {
    const run = await cli(["iac", "repo/infra", "--format", "json"], { cwd: top });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain("SECRET-OUTSIDE");
    const doc = json(run);
    expect(doc.scan.files).toEqual({ loaded: 1, skipped: 2, error: 0 });
    expect(doc.skipped).toEqual([
      // named relative to the working folder, like the scan path
      { file: "outside-mod", reason: REASON },
      { file: "trust.json", reason: REASON },
    ]);
    expect(findingKeys(doc)).toEqual(
      [
        "unknown ec2-security-group-admin-ports-restricted aws_security_group.bastion",
        // the trust policy was not read: every rule that judges trust policies cannot decide
        "unknown iam-rolesanywhere-trust-scoped aws_iam_role.config",
        "unknown iam-service-trust-confused-deputy aws_iam_role.config",
        // the module was not read: every rule that reads Terraform cannot judge what it makes
        ...manifestRules()
          .filter((m) => m.inputs.includes("terraform"))
          .map((m) => `unknown ${m.id} module.net`),
      ].sort(),
    );
    expect(doc.scan.incomplete).toBe(true);
    expect(doc.findings.map((f: { resource: { id: string } }) => f.resource.id)).not.toContain("module.net.aws_security_group.leak");
    // --fail-on-unknown makes the gate fail on what was not read
    expect((await cli(["iac", "repo/infra", "--fail-on-unknown"], { cwd: top })).code).toBe(3);
  });

  it("--allow-read of the folder above reads them: the module's resources and the trust policy are judged", async () => {
    const run = await cli(["iac", "repo/infra", "--allow-read", ".", "--format", "json"], { cwd: top });
    expect(run.stderr).toBe("");
    const doc = json(run);
    expect(doc.scan.files.skipped).toBe(0);
    expect(findingKeys(doc)).toEqual([
      "fail ec2-security-group-admin-ports-restricted aws_security_group.bastion",
      "fail ec2-security-group-egress-restricted module.net.aws_security_group.leak",
      "fail iam-service-trust-confused-deputy aws_iam_role.config",
    ]);
    expect(run.code).toBe(1);
  });
});
