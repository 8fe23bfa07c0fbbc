// Issue 12: relative paths in file() / templatefile() / fileexists() are read as Terraform reads
// them: relative to the working directory, which is the root module's folder, also inside a child
// module; `${path.module}` is the module's own folder and `${path.root}` the root's. (Terraform's
// abspath() documentation: a relative path "will be joined with the current working directory".)
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cli, findingKeys, json } from "../e2e/helpers.js";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rampart-tf-paths-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const group = (name: string, cidr: string) => `resource "aws_security_group" "${name}" {
  name        = "${name}"
  description = "${name}"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [jsondecode(${cidr}).admin_cidr]
  }
  egress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/8"]
  }
}
`;

const files: Record<string, string> = {
  "root/main.tf": 'module "m" {\n  source = "./modules/m"\n}\n',
  "root/net.json": '{"admin_cidr": "0.0.0.0/0"}\n', // the root's: open
  "root/modules/m/net.json": '{"admin_cidr": "10.0.0.0/8"}\n', // the module's: closed
  "root/modules/m/main.tf": [
    group("relative", 'file("net.json")'),
    group("module", 'file("${path.module}/net.json")'),
    group("root", 'file("${path.root}/net.json")'),
    group("template", 'templatefile("net.json", {})'),
    group("exists", 'fileexists("modules/m/net.json") ? file("modules/m/net.json") : "{}"'),
  ].join("\n"),
};
for (const [rel, text] of Object.entries(files)) {
  fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
  fs.writeFileSync(path.join(dir, rel), text);
}

describe("file paths in a child module", () => {
  it("a relative path is the root module's file; ${path.module} the module's; ${path.root} the root's", async () => {
    // from the root module's folder and from elsewhere: the same files are read
    for (const [cwd, target] of [
      [path.join(dir, "root"), "."],
      [dir, "root"],
    ]) {
      const run = await cli(["iac", target, "--format", "json"], { cwd });
      expect(run.stderr).toBe("");
      expect(run.code).toBe(1);
      const doc = json(run);
      expect(findingKeys(doc)).toEqual([
        "fail ec2-security-group-admin-ports-restricted module.m.aws_security_group.relative",
        "fail ec2-security-group-admin-ports-restricted module.m.aws_security_group.root",
        "fail ec2-security-group-admin-ports-restricted module.m.aws_security_group.template",
      ]);
      expect(doc.summary.pass).toBeGreaterThan(0);
      // the .json files are offered to the CloudFormation loader too, which skips them; none is a confinement skip
      expect(doc.skipped.map((k: { reason: string }) => k.reason)).toEqual([
        "not a CloudFormation template: no Resources section",
        "not a CloudFormation template: no Resources section",
      ]);
    }
  });
});
