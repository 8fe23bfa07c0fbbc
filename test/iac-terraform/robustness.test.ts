// Issue 12, Build 5: bad Terraform source gives one line naming the file (and line) and exit 2,
// or a value that is unknown with its reason; never a hang or a stack trace.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadTerraformSource } from "../../collectors/iac/terraform/load.js";
import { cli, findingKeys, json } from "../e2e/helpers.js";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rampart-tf-robust-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(rel: string, text: string | Buffer): void {
  fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
  fs.writeFileSync(path.join(dir, rel), text);
}

const egress = `  egress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }`;

/** `rampart iac <folder>` must end with exit 2 and exactly this one error line on stderr. */
async function failsWith(folder: string, line: string): Promise<void> {
  const run = await cli(["iac", folder], { cwd: dir });
  expect(run.code).toBe(2);
  const errors = run.stderr.split("\n").filter((l) => l.startsWith("rampart: "));
  expect(errors).toEqual([`rampart: ${line}`]);
  expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
}

describe("bad Terraform source: one line naming the file and line, exit 2", () => {
  it("malformed HCL: the line of the unclosed block's end", async () => {
    write("malformed/main.tf", 'resource "aws_security_group" "x" {\n  name = "a"\n  ingress {\n');
    await failsWith("malformed", "malformed/main.tf: line 4: invalid HCL: missing }");
  });

  it("malformed HCL inside a block: the line of the offending token, not of the block (an unescaped IAM policy variable)", async () => {
    write(
      "interp/main.tf",
      'resource "aws_iam_policy" "p" {\n  name = "p"\n  policy = jsonencode({\n    Statement = [{\n      Effect    = "Allow"\n      Condition = { StringEquals = { "k" = "${aws:PrincipalTag/team}" } }\n    }]\n  })\n}\n',
    );
    await failsWith(
      "interp",
      'interp/main.tf: line 6: invalid HCL: unexpected "= \\"${aws" (an IAM policy variable such as ${aws:username} is written $${aws:username} in HCL)',
    );
  });

  it("a binary file named .tf", async () => {
    write("binary/main.tf", Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00, 0x00, 0xff, 0xfe]));
    await failsWith("binary", "binary/main.tf: binary content (a NUL byte), not HCL");
  });

  it("a missing module folder", async () => {
    write("missing/main.tf", 'module "network" {\n  source = "./modules/network"\n}\n');
    await failsWith("missing", "missing/main.tf: line 2: module.network source ./modules/network: no such folder");
  });

  it("a module cycle (a calls b, b calls a): named with the folders of the cycle", async () => {
    write("cycle/live/main.tf", 'module "b" {\n  source = "../b"\n}\n');
    write("cycle/b/main.tf", 'module "live" {\n  source = "../live"\n}\n');
    // b is outside the scanned folder: --allow-read lets the loader follow it (else it is a counted skip)
    const run = await cli(["iac", "cycle/live", "--allow-read", "cycle"], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr.split("\n").filter((l) => l.startsWith("rampart: "))).toEqual([
      // the cycle closes where b calls live again; folders are named relative to the root module
      "rampart: cycle/b/main.tf: line 1: module.live makes a module cycle (. → ../b → .)",
    ]);
  });

  it("expressions nested 5,000 deep", async () => {
    write("deep/main.tf", `locals {\n  x = ${"[".repeat(5000)}${"]".repeat(5000)}\n}\n`);
    await failsWith("deep", "deep/main.tf: line 2: expression nested deeper than 200 levels");
  });

  it("a file over the size limit", async () => {
    write("huge/main.tf", `locals {\n  x = "${"a".repeat(9 * 1024 * 1024)}"\n}\n`);
    await failsWith("huge", `huge/main.tf: larger than the 8 MiB limit for a .tf file (${9 * 1024 * 1024 + 20} bytes)`);
  });

  it("an internal error of the loader names the module folder in one line instead of a stack trace", async () => {
    write("internal/main.tf", 'locals {\n  policy = file("${path.module}/policy.json")\n}\nresource "aws_iam_policy" "p" {\n  policy = local.policy\n}\n');
    const folder = path.join(dir, "internal");
    const load = await loadTerraformSource([folder], {
      confine: () => {
        throw new TypeError("confine exploded");
      },
    });
    expect(load.errors).toEqual([
      { file: folder, reason: "this module could not be read (internal error: confine exploded); please report it with the module" },
    ]);
    expect(load.resources).toEqual([]);
  });
});

describe("cyclic locals: the values are unknown with the reason, the rest of the module is judged", () => {
  it("a security group whose ingress source is a cycle of locals is unknown, not a pass and not a crash", async () => {
    write(
      "cyclic/main.tf",
      `locals {
  admin = local.vpn
  vpn   = local.admin
}

resource "aws_security_group" "bastion" {
  name        = "bastion"
  description = "bastion"

  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [local.admin]
  }

${egress}
}
`,
    );
    const run = await cli(["iac", "cyclic", "--format", "json"], { cwd: dir });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const doc = json(run);
    expect(findingKeys(doc)).toEqual(["unknown ec2-security-group-admin-ports-restricted aws_security_group.bastion"]);
    expect(doc.findings[0].message).toMatch(/local\.admin refers to itself \(a cycle\)|local\.vpn refers to itself \(a cycle\)/);
  });
});
