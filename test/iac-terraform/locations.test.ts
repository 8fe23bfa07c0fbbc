// Issue 12, Build 3: a finding on Terraform source points at the attribute, nested block or list
// element the rule names (file, line, column, end), in JSON, SARIF regions and the file:line of the
// terminal and Markdown reports; a value written elsewhere (a variable) is located at the attribute.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cli, findingKeys, json } from "../e2e/helpers.js";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rampart-tf-loc-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(rel: string, text: string): void {
  fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
  fs.writeFileSync(path.join(dir, rel), text);
}

// line numbers below are of these texts
write(
  "sg/main.tf",
  `resource "aws_security_group" "web" {
  name        = "web"
  description = "web"

  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  ingress {
    from_port = 22
    to_port   = 22
    protocol  = "tcp"
    cidr_blocks = [
      "10.0.0.0/8",
      "0.0.0.0/0",
    ]
  }

  egress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/8"]
  }
}

resource "aws_security_group_rule" "rdp" {
  type              = "ingress"
  security_group_id = aws_security_group.web.id
  from_port         = 3389
  to_port           = 3389
  protocol          = "tcp"
  cidr_blocks       = ["é😀", "0.0.0.0/0"]
}

resource "aws_vpc_security_group_ingress_rule" "ssh6" {
  security_group_id = aws_security_group.web.id
  ip_protocol       = "tcp"
  from_port         = 22
  to_port           = 22
  cidr_ipv6         = "::/0"
}
`,
);

write(
  "role/main.tf",
  `resource "aws_iam_role" "pods" {
  name = "pods"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect    = "Allow"
        Principal = { Service = "pods.eks.amazonaws.com" }
        Action    = ["sts:AssumeRole"]
      },
    ]
  })
}
`,
);

write(
  "dyn/main.tf",
  `variable "open" {
  default = { ssh = 22 }
}

module "inner" {
  source = "./modules/sg"
  cidrs  = ["0.0.0.0/0"]
}

resource "aws_security_group" "dyn" {
  name        = "dyn"
  description = "dyn"
  egress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/8"]
  }
  dynamic "ingress" {
    for_each = var.open
    content {
      from_port   = ingress.value
      to_port     = ingress.value
      protocol    = "tcp"
      cidr_blocks = ["0.0.0.0/0"]
    }
  }
}
`,
);
write(
  "dyn/modules/sg/main.tf",
  `variable "cidrs" {}

resource "aws_security_group" "m" {
  name        = "m"
  description = "m"
  egress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/8"]
  }
  ingress {
    from_port   = 3389
    to_port     = 3389
    protocol    = "tcp"
    cidr_blocks = var.cidrs
  }
}
`,
);

type Loc = { file: string; line: number; column?: number; endLine?: number; endColumn?: number; pointer?: string };
function locations(doc: { findings: Array<{ ruleId: string; resource: { id: string }; location: Loc }> }): Record<string, Loc> {
  return Object.fromEntries(doc.findings.map((f) => [`${f.ruleId} ${f.resource.id}`, f.location]));
}

describe("finding locations in .tf source", () => {
  it("point at the list element, attribute or block the rule names", async () => {
    const run = await cli(["iac", "sg", "--format", "json", "--fail-on", "none"], { cwd: dir });
    expect(run.code).toBe(0);
    const doc = json(run);
    expect(findingKeys(doc)).toEqual([
      "fail ec2-security-group-admin-ports-restricted aws_security_group.web",
      "fail ec2-security-group-admin-ports-restricted aws_security_group_rule.rdp#2",
      "fail ec2-security-group-admin-ports-restricted aws_vpc_security_group_ingress_rule.ssh6",
    ]);
    const at = locations(doc);
    // the second element of the second ingress block's cidr_blocks (the first block is port 443)
    expect(at["ec2-security-group-admin-ports-restricted aws_security_group.web"]).toEqual({
      file: "sg/main.tf",
      address: "aws_security_group.web",
      line: 18,
      column: 7,
      endLine: 18,
      endColumn: 18,
      pointer: "/Properties/SecurityGroupIngress/2/CidrIp",
    });
    // columns count UTF-16 code units (SARIF's default columnKind): "é😀" is 3 of them (6 bytes in UTF-8)
    expect(at["ec2-security-group-admin-ports-restricted aws_security_group_rule.rdp#2"]).toMatchObject({
      line: 36,
      column: 31,
      endLine: 36,
      endColumn: 42,
      pointer: "/Properties/CidrIp",
    });
    // a scalar attribute: from its name to the end of its value
    expect(at["ec2-security-group-admin-ports-restricted aws_vpc_security_group_ingress_rule.ssh6"]).toMatchObject({
      line: 44,
      column: 3,
      endLine: 44,
      endColumn: 29,
      pointer: "/Properties/CidrIpv6",
    });
  });

  it("give SARIF regions and the file:line of the terminal and Markdown reports", async () => {
    const sarif = json(await cli(["iac", "sg", "--format", "sarif", "--fail-on", "none"], { cwd: dir }));
    const regions = sarif.runs[0].results.map(
      (r: { locations: Array<{ physicalLocation: { artifactLocation: { uri: string }; region: unknown } }> }) => r.locations[0].physicalLocation,
    );
    expect(regions).toContainEqual({ artifactLocation: { uri: "sg/main.tf" }, region: { startLine: 18, startColumn: 7, endLine: 18, endColumn: 18 } });
    expect(regions).toContainEqual({ artifactLocation: { uri: "sg/main.tf" }, region: { startLine: 44, startColumn: 3, endLine: 44, endColumn: 29 } });
    const table = await cli(["iac", "sg", "--fail-on", "none"], { cwd: dir, env: { NO_COLOR: "1" } });
    expect(table.stdout).toContain("at sg/main.tf:18  /Properties/SecurityGroupIngress/2/CidrIp");
    const md = await cli(["iac", "sg", "--format", "markdown", "--fail-on", "none"], { cwd: dir });
    expect(md.stdout).toContain("sg/main.tf:36");
  });

  it("point into a jsonencode() policy at the statement", async () => {
    const doc = json(await cli(["iac", "role", "--format", "json", "--fail-on", "none"], { cwd: dir }));
    expect(findingKeys(doc)).toEqual(["fail iam-pod-identity-trust-actions aws_iam_role.pods"]);
    expect(doc.findings[0].location).toMatchObject({
      file: "role/main.tf",
      line: 6,
      column: 7,
      endLine: 10,
      endColumn: 8,
      pointer: "/Properties/AssumeRolePolicyDocument/Statement/0",
    });
  });

  it("point at a dynamic block's content, and at the attribute in a child module that a variable sets", async () => {
    const doc = json(await cli(["iac", "dyn", "--format", "json", "--fail-on", "none"], { cwd: dir }));
    expect(findingKeys(doc)).toEqual([
      "fail ec2-security-group-admin-ports-restricted aws_security_group.dyn",
      "fail ec2-security-group-admin-ports-restricted module.inner.aws_security_group.m",
    ]);
    const at = locations(doc);
    expect(at["ec2-security-group-admin-ports-restricted aws_security_group.dyn"]).toMatchObject({ file: "dyn/main.tf", line: 25, column: 22, endColumn: 33 });
    expect(at["ec2-security-group-admin-ports-restricted module.inner.aws_security_group.m"]).toMatchObject({
      file: "dyn/modules/sg/main.tf",
      line: 16,
      column: 5,
      endLine: 16,
      endColumn: 28,
    });
  });
});
