import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadTerraformSource } from "../../collectors/iac/terraform/load.js";
import { cli, findingKeys, json } from "../e2e/helpers.js";

const fixtures = path.join(import.meta.dirname, "..", "fixtures", "terraform-source");

describe("rampart iac on a bare .tf folder (no plan)", () => {
  it("reads shapes of the public modules: a nested splat, and a dynamic block of unknown for_each beside a static one", async () => {
    const load = await loadTerraformSource([path.join(fixtures, "corpus-shapes")]);
    expect(load.errors).toEqual([]);
    expect(load.resources.map((r) => r.id)).toEqual(["aws_security_group.sg"]);
  });

  it("exits 1 on a security group open to the world, with each for_each instance at its address and line", async () => {
    // the rule is medium: --fail-on medium makes it gate
    const run = await cli(["iac", "test/fixtures/terraform-source/open-sg", "--fail-on", "medium", "--format", "json"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(1);
    const doc = json(run);
    expect(doc.scan.files).toEqual({ loaded: 1, skipped: 0, error: 0 });
    expect(findingKeys(doc)).toEqual([
      'fail ec2-security-group-egress-restricted aws_security_group.tier["api"]',
      'fail ec2-security-group-egress-restricted aws_security_group.tier["web"]',
    ]);
    // the egress block the open rule comes from (lines 16–21), not only the resource's first line
    expect(doc.findings[0].location).toMatchObject({ file: "test/fixtures/terraform-source/open-sg/main.tf", line: 16, column: 3, endLine: 21, endColumn: 4 });
  });

  it("--tf-var wins over the default: a closed egress passes", async () => {
    const run = await cli([
      "iac",
      "test/fixtures/terraform-source/open-sg",
      "--tf-var",
      'egress_cidrs=["10.0.0.0/8"]',
      "--fail-on",
      "medium",
      "--format",
      "json",
    ]);
    expect(run.code).toBe(0);
    expect(findingKeys(json(run))).toEqual([]);
  });
});

describe("the Terraform source loader", () => {
  it("reads terraform.tfvars, count and dynamic blocks into the same properties a plan gives", async () => {
    const r = await loadTerraformSource([path.join(fixtures, "closed-sg")]);
    expect(r.errors).toEqual([]);
    expect(r.resources.map((x) => x.id)).toEqual(["aws_security_group.tier[0]", "aws_security_group.tier[1]"]);
    expect(r.resources[1].properties).toEqual({
      GroupName: "sg-1",
      GroupDescription: "tier 1",
      SecurityGroupIngress: [],
      SecurityGroupEgress: [{ IpProtocol: "tcp", FromPort: 443, ToPort: 443, CidrIp: "10.0.0.0/8" }],
    });
  });

  it("a variable with no value is an unknown naming it, never a guess", async () => {
    const r = await loadTerraformSource([path.join(fixtures, "unset-var")], {});
    expect(r.resources[0].properties.SecurityGroupEgress).toEqual({
      $unknown:
        'aws_security_group.tier[0] egress: the dynamic "egress" blocks are unknown (var.egress_cidrs has no value (no default; give it with --tf-var egress_cidrs=… or a .tfvars file))',
    });
  });

  it("TF_VAR_* is the lowest of the set values: terraform.tfvars wins over it", async () => {
    const env = { TF_VAR_egress_cidrs: '["192.168.0.0/16"]' };
    const fromEnv = await loadTerraformSource([path.join(fixtures, "unset-var")], { env });
    expect(fromEnv.resources[0].properties.SecurityGroupEgress).toEqual([{ IpProtocol: "tcp", FromPort: 443, ToPort: 443, CidrIp: "192.168.0.0/16" }]);
    const withFile = await loadTerraformSource([path.join(fixtures, "closed-sg")], { env });
    expect(withFile.resources[0].properties.SecurityGroupEgress).toEqual([{ IpProtocol: "tcp", FromPort: 443, ToPort: 443, CidrIp: "10.0.0.0/8" }]);
  });
});
