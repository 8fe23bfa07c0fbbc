// Issue 12, "Done when" 1 (second half): `rampart iac` on a bare folder of `.tf` files (no plan,
// no `terraform init`) holding a security group open to the world fails the gate (exit 1).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cli, findingKeys, json } from "./helpers.js";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rampart-tf-gate-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function folder(name: string, mainTf: string): string {
  fs.mkdirSync(path.join(dir, name));
  fs.writeFileSync(path.join(dir, name, "main.tf"), mainTf);
  return name;
}

const allOpen = folder(
  "all-open",
  `resource "aws_security_group" "open" {
  name        = "open"
  description = "open to the world"
  vpc_id      = "vpc-0123456789abcdef0"

  ingress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
`,
);

describe("a bare .tf folder with an open security group", () => {
  it("exits 1 with the admin-ports finding (high) and the egress finding (medium)", async () => {
    const run = await cli(["iac", allOpen], { cwd: dir });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("HIGH     ec2-security-group-admin-ports-restricted  aws_security_group.open (AWS::EC2::SecurityGroup)");
    expect(run.stdout).toContain("at all-open/main.tf:10  /Properties/SecurityGroupIngress/0/CidrIp");
    const doc = json(await cli(["iac", allOpen, "--format", "json"], { cwd: dir }));
    expect(findingKeys(doc)).toEqual([
      "fail ec2-security-group-admin-ports-restricted aws_security_group.open",
      "fail ec2-security-group-egress-restricted aws_security_group.open",
    ]);
    expect(doc.findings.map((f: { ruleId: string; severity: string }) => `${f.ruleId} ${f.severity}`).sort()).toEqual([
      "ec2-security-group-admin-ports-restricted high",
      "ec2-security-group-egress-restricted medium",
    ]);
    expect(doc.scan.files).toEqual({ loaded: 1, skipped: 0, error: 0 });
  });

  it("exits 1 on SSH opened by separate rule resources (aws_security_group_rule to ::/0, aws_vpc_security_group_ingress_rule)", async () => {
    const name = folder(
      "separate-rules",
      `resource "aws_security_group" "bastion" {
  name        = "bastion"
  description = "bastion"
  vpc_id      = "vpc-0123456789abcdef0"

  egress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

variable "admin_ports" {
  default = { ssh = 22, rdp = 3389 }
}

resource "aws_security_group_rule" "ssh_v6" {
  type              = "ingress"
  security_group_id = aws_security_group.bastion.id
  protocol          = "tcp"
  from_port         = var.admin_ports.ssh
  to_port           = var.admin_ports.ssh
  ipv6_cidr_blocks  = ["0:0:0:0:0:0:0:0/0"]
}

resource "aws_vpc_security_group_ingress_rule" "admin" {
  for_each          = var.admin_ports
  security_group_id = aws_security_group.bastion.id
  ip_protocol       = "tcp"
  from_port         = each.value
  to_port           = each.value
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_vpc_security_group_ingress_rule" "https" {
  security_group_id = aws_security_group.bastion.id
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
}
`,
    );
    const run = await cli(["iac", name, "--format", "json"], { cwd: dir });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(1);
    expect(findingKeys(json(run))).toEqual([
      "fail ec2-security-group-admin-ports-restricted aws_security_group_rule.ssh_v6",
      'fail ec2-security-group-admin-ports-restricted aws_vpc_security_group_ingress_rule.admin["rdp"]',
      'fail ec2-security-group-admin-ports-restricted aws_vpc_security_group_ingress_rule.admin["ssh"]',
    ]);
  });

  it("exits 0 when SSH comes only from an administrators' range, and unknown (exit 3 with --fail-on-unknown, not a pass) when the range is a variable without a value", async () => {
    const closed = folder(
      "closed",
      `resource "aws_security_group" "bastion" {
  name        = "bastion"
  description = "bastion"
  vpc_id      = "vpc-0123456789abcdef0"

  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["203.0.113.0/24"]
  }

  egress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
`,
    );
    const ok = await cli(["iac", closed, "--format", "json"], { cwd: dir });
    expect(ok.stderr).toBe("");
    expect(ok.code).toBe(0);
    expect(findingKeys(json(ok))).toEqual([]);

    const open = folder(
      "variable",
      fs.readFileSync(path.join(dir, closed, "main.tf"), "utf8").replace('["203.0.113.0/24"]', "[var.admin_cidr]") + 'variable "admin_cidr" {}\n',
    );
    const unk = await cli(["iac", open, "--format", "json", "--fail-on-unknown"], { cwd: dir });
    expect(unk.stderr).toBe("");
    expect(unk.code).toBe(3); // a rule could not decide, with --fail-on-unknown
    expect(findingKeys(json(unk))).toEqual(["unknown ec2-security-group-admin-ports-restricted aws_security_group.bastion"]);
    const set = await cli(["iac", open, "--format", "json", "--tf-var", "admin_cidr=0.0.0.0/0"], { cwd: dir });
    expect(set.code).toBe(1);
    expect(findingKeys(json(set))).toEqual(["fail ec2-security-group-admin-ports-restricted aws_security_group.bastion"]);
  });
});
