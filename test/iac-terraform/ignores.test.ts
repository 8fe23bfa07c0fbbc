// Inline waivers in .tf source (`# rampart:ignore <rule> reason=… owner=… expires=…` above a
// block): the same meaning as CloudFormation Metadata ignores, through the CLI.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ignoresAbove } from "../../collectors/iac/terraform/ignores.js";
import { cli, json } from "../e2e/helpers.js";

const RULE = "ec2-security-group-admin-ports-restricted";
const group = (name: string) => `resource "aws_security_group" "${name}" {
  name = "${name}"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
  egress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/8"]
  }
}
`;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rampart-tf-ignore-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function folder(name: string, text: string): string {
  const d = path.join(dir, name);
  fs.mkdirSync(d, { recursive: true });
  fs.writeFileSync(path.join(d, "main.tf"), text);
  return d;
}

const rows = (doc: any) =>
  doc.findings
    .map((f: any) => `${f.status} ${f.ruleId} ${f.resource.id}${f.exception ? ` (${f.exception.reason}; ${f.exception.owner}; ${f.exception.expires})` : ""}`)
    .sort();

describe("inline waivers in .tf source", () => {
  it("a waiver above a block suppresses that rule on that block only, with its reason, owner and expiry", async () => {
    const d = folder(
      "waived",
      `${group("open")}
# rampart:ignore ${RULE} reason="bastion behind SSO" owner="netops" expires=2099-01-01
${group("bastion")}`,
    );
    const r = await cli(["iac", d, "--format", "json"]);
    expect(rows(json(r))).toEqual([
      `fail ${RULE} aws_security_group.open`,
      `suppressed ${RULE} aws_security_group.bastion (bastion behind SSO; netops; 2099-01-01)`,
    ]);
    expect(r.code).toBe(1);
    const only = await cli([
      "iac",
      folder("waived-only", `// rampart:ignore ${RULE} reason="bastion" expires=2099-02-01\n${group("bastion")}`),
      "--format",
      "json",
    ]);
    expect(rows(json(only))).toEqual([`suppressed ${RULE} aws_security_group.bastion (bastion; inline Terraform comment; 2099-02-01)`]);
    expect(only.code).toBe(0);
  });

  it("an expired waiver reports the finding again and the expiry", async () => {
    const d = folder("expired", `# rampart:ignore ${RULE} reason="temporary" owner="netops" expires=2020-01-01\n${group("bastion")}`);
    const r = await cli(["iac", d, "--format", "json"]);
    expect(rows(json(r))).toEqual([`fail ${RULE} aws_security_group.bastion`, `fail rampart-exception-expired aws_security_group.bastion`]);
    expect(r.code).toBe(1);
  });

  it("does not apply across a blank line, to another rule, or from inside another block", async () => {
    const d = folder(
      "not-applied",
      `# rampart:ignore ${RULE} reason="detached" expires=2099-01-01

${group("a")}
# rampart:ignore ec2-security-group-egress-restricted reason="other rule" expires=2099-01-01
${group("b")}`,
    );
    const r = await cli(["iac", d, "--format", "json"]);
    expect(rows(json(r))).toEqual([`fail ${RULE} aws_security_group.a`, `fail ${RULE} aws_security_group.b`]);
  });

  it("a waiver in a module applies to each instance of it", async () => {
    const d = folder("root", `module "edge" {\n  source = "./edge"\n}\nmodule "core" {\n  source = "./edge"\n}\n`);
    folder("root/edge", `# rampart:ignore ${RULE} reason="jump hosts" expires=2099-01-01\n${group("jump")}`);
    const r = await cli(["iac", d, "--format", "json"]);
    expect(rows(json(r))).toEqual([
      `suppressed ${RULE} module.core.aws_security_group.jump (jump hosts; inline Terraform comment; 2099-01-01)`,
      `suppressed ${RULE} module.edge.aws_security_group.jump (jump hosts; inline Terraform comment; 2099-01-01)`,
    ]);
  });
});

describe("ignoresAbove", () => {
  it("reads every directive of the comment run directly above the block, in order", () => {
    const lines = ["x = 1", '# rampart:ignore r1 reason="a b"', "# a note", "// rampart:ignore r2 expires=2030-01-01 owner=me", 'resource "t" "n" {'];
    expect(ignoresAbove(lines, 5)).toEqual([
      { rule: "r1", reason: "a b", line: 2 },
      { rule: "r2", expires: "2030-01-01", owner: "me", line: 4 },
    ]);
    expect(ignoresAbove(lines, 1)).toEqual([]);
  });
});
