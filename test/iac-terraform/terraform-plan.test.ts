// The Terraform plan loader: hand-written `terraform show -json` fixtures per family, each
// translated to CloudFormation-typed resources (exact expected resources in *.expected.json,
// reviewed by hand), plus the behaviours the rules rely on asserted one by one.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { isTerraformPlan, loadTerraformPlanFile, loadTerraformPlanText, type TfFileResult } from "../../collectors/iac/terraform/index.js";
import type { Resource } from "../../model/types.js";
import { validateSnapshot } from "../../model/snapshot.js";

const dir = "test/fixtures/terraform";
const load = (name: string) => loadTerraformPlanFile(`${dir}/${name}.plan.json`);
const byId = (r: TfFileResult) => new Map(r.resources.map((x) => [x.id, x]));
const props = (r: TfFileResult, id: string) => {
  const x = byId(r).get(id);
  if (!x) throw new Error(`${id} not emitted; got ${r.resources.map((y) => y.id).join(", ")}`);
  return x.properties as Record<string, any>;
};

describe("each family's fixture translates to the exact expected resources", () => {
  for (const name of ["iam", "ec2-modules", "emr", "networkfirewall", "waf-fms", "guardduty", "secrets-kms", "rolesanywhere-misc"]) {
    it(name, async () => {
      const r = await load(name);
      expect(r.status).toBe("loaded");
      const got = Object.fromEntries(r.resources.map((x) => [x.id, { type: x.type, properties: x.properties }]));
      expect(got).toEqual(JSON.parse(readFileSync(`${dir}/${name}.expected.json`, "utf8")));
      expect(() => validateSnapshot({ schemaVersion: "1", source: { kind: "iac" }, resources: r.resources, coverage: [] }, name)).not.toThrow();
      for (const x of r.resources) {
        expect(x.source).toEqual({ kind: "terraform", file: `${dir}/${name}.plan.json`, address: x.id.replace(/#.*$/, "") });
      }
    });
  }
});

describe("IAM", () => {
  it("joins attachments and inline policies into the role, by name or by recovered reference", async () => {
    const r = await load("iam");
    expect(props(r, "aws_iam_role.app").ManagedPolicyArns).toEqual([{ $ref: "aws_iam_policy.pca" }, "arn:aws:iam::aws:policy/ReadOnlyAccess"]);
    expect(props(r, "aws_iam_role.app").Policies).toEqual([]);
    const worker = props(r, "aws_iam_role.worker");
    expect(worker.RoleName).toEqual({ $unknown: "known after apply: name" });
    expect(worker.Policies.map((p: any) => p.PolicyName)).toEqual(["logs", "read-secrets"]);
    expect(worker.Policies[0].PolicyDocument.$unknown).toMatch(/^known after apply: inline_policy\[0\]\.policy/);
    expect(worker.Policies[1].PolicyDocument.Statement[0].Action).toBe("secretsmanager:GetSecretValue");
  });
  it("emits an inline policy whose role is not in the plan as AWS::IAM::Policy", async () => {
    const r = await load("iam");
    const p = byId(r).get("aws_iam_role_policy.external") as Resource;
    expect(p.type).toBe("AWS::IAM::Policy");
    expect(p.properties.Roles).toEqual(["role-managed-elsewhere"]);
  });
  it("does not emit deleted resources nor attachment resources themselves", async () => {
    const r = await load("iam");
    expect([...byId(r).keys()].sort()).toEqual([
      "aws_iam_access_key.legacy",
      "aws_iam_policy.pca",
      "aws_iam_role.app",
      "aws_iam_role.worker",
      "aws_iam_role_policy.external",
      "aws_iam_user.legacy",
    ]);
  });
  it("sets tags (tags_all, or default_tags ∪ tags), arn, account and region", async () => {
    const r = await load("iam");
    const app = byId(r).get("aws_iam_role.app") as Resource;
    expect(app.tags).toEqual({ Env: "prod", Team: "payments" });
    expect(app.region).toBe("global");
    expect(byId(r).get("aws_iam_role.worker")?.tags).toEqual({ Env: "prod" });
    const user = byId(r).get("aws_iam_user.legacy") as Resource;
    expect([user.arn, user.account, user.name]).toEqual(["arn:aws:iam::111122223333:user/legacy-ci", "111122223333", "legacy-ci"]);
    expect(byId(r).get("aws_iam_access_key.legacy")?.tags).toEqual({});
  });
});

describe("child modules, indexes and references", () => {
  it("uses full addresses with module prefix and instance keys", async () => {
    const r = await load("ec2-modules");
    expect(r.resources.map((x) => x.id)).toEqual([
      "aws_security_group.open",
      "aws_security_group_rule.out#1",
      "aws_security_group_rule.out#2",
      'module.net.aws_security_group.web["a"]',
      'module.net.aws_security_group.web["b"]',
      "module.net.aws_security_group.db",
      "module.net.aws_vpc_security_group_egress_rule.db_all",
      'module.net.aws_vpc_security_group_egress_rule.web_https["a"]',
      "module.net.aws_subnet.private[0]",
    ]);
    expect(r.unmapped).toEqual({ aws_instance: 1 });
  });
  it("recovers references inside a module, through a module output, and through a module input", async () => {
    const r = await load("ec2-modules");
    expect(props(r, "module.net.aws_vpc_security_group_egress_rule.db_all").GroupId).toEqual({
      $ref: "module.net.aws_security_group.db",
      attribute: "GroupId",
    });
    expect(props(r, "aws_security_group_rule.out#1").GroupId).toEqual({ $ref: "module.net.aws_security_group.db", attribute: "GroupId" });
    const m = await load("rolesanywhere-misc");
    expect(props(m, "aws_eks_pod_identity_association.app").RoleArn).toEqual({ $ref: "module.irsa.aws_iam_role.this", attribute: "Arn" });
  });
  it("leaves an ambiguous reference (one of several for_each instances) unknown, never guessed", async () => {
    const r = await load("ec2-modules");
    expect(props(r, 'module.net.aws_vpc_security_group_egress_rule.web_https["a"]').GroupId.$unknown).toMatch(
      /^known after apply: security_group_id .*one of 2 instances/,
    );
  });
  it("a group without declared egress has an explicitly empty SecurityGroupEgress; self becomes a GroupId reference", async () => {
    const r = await load("ec2-modules");
    expect(props(r, "module.net.aws_security_group.db").SecurityGroupEgress).toEqual([]);
    const open = props(r, "aws_security_group.open");
    expect(open.SecurityGroupEgress).toEqual([
      { IpProtocol: "-1", FromPort: 0, ToPort: 0, CidrIp: "0.0.0.0/0" },
      { IpProtocol: "-1", FromPort: 0, ToPort: 0, CidrIpv6: "::/0" },
    ]);
    expect(open.SecurityGroupIngress[1].SourceSecurityGroupId).toEqual({ $ref: "aws_security_group.open", attribute: "GroupId" });
  });
});

describe("unknown values", () => {
  it("become markers at the same place, naming what they depend on", async () => {
    const r = await load("rolesanywhere-misc");
    expect(props(r, "aws_iam_role.ra").AssumeRolePolicyDocument).toEqual({
      $unknown: "known after apply: assume_role_policy (depends on aws_rolesanywhere_trust_anchor.pca.arn)",
    });
    expect(props(r, "aws_rolesanywhere_trust_anchor.pca").Source).toEqual({
      SourceType: "AWS_ACM_PCA",
      SourceData: { AcmPcaArn: { $ref: "aws_acmpca_certificate_authority.root", attribute: "Arn" } },
    });
  });
  it("resolves per-element references in nested blocks, keeping known ARNs as strings", async () => {
    const r = await load("networkfirewall");
    expect(props(r, "aws_networkfirewall_firewall_policy.egress").FirewallPolicy.StatefulRuleGroupReferences.map((x: any) => x.ResourceArn)).toEqual([
      { $ref: "aws_networkfirewall_rule_group.domains", attribute: "RuleGroupArn" },
      { $ref: "aws_networkfirewall_rule_group.drop_ssh", attribute: "RuleGroupArn" },
      "arn:aws:network-firewall:us-east-1:aws-managed:stateful-rulegroup/MalwareDomainsStrictOrder",
    ]);
  });
  it("never copies the OpenSearch master password", async () => {
    const r = await load("rolesanywhere-misc");
    expect(JSON.stringify(props(r, "aws_opensearch_domain.search"))).not.toContain("s3cr3t");
  });
});

describe("secondary resources merge into their primary", () => {
  it("EMR managed scaling, GuardDuty features, EventBridge targets, KMS key policy", async () => {
    expect(props(await load("emr"), "aws_emr_cluster.main").ManagedScalingPolicy.ComputeLimits.MaximumCapacityUnits).toBe(120);
    const gd = props(await load("guardduty"), "aws_guardduty_detector.main");
    expect(gd.Features.map((f: any) => `${f.Name}=${f.Status}`)).toEqual([
      "S3_DATA_EVENTS=ENABLED",
      "EKS_AUDIT_LOGS=ENABLED",
      "EBS_MALWARE_PROTECTION=ENABLED",
      "RUNTIME_MONITORING=ENABLED",
    ]);
    const ev = await load("guardduty");
    expect(props(ev, "aws_cloudwatch_event_rule.gd").Targets[0].Arn).toEqual({ $ref: "aws_sns_topic.alerts" });
    expect(props(ev, "aws_cloudwatch_event_rule.off").State).toBe("DISABLED");
    const k = await load("secrets-kms");
    expect(props(k, "aws_kms_key.secrets").KeyPolicy.Statement[0].Sid).toBe("Use");
    expect(props(k, "aws_kms_key.default_policy").KeyPolicy).toBeUndefined();
  });
});

describe("plan shapes and bad input", () => {
  const iamText = readFileSync(`${dir}/iam.plan.json`, "utf8");

  it("reads a plan with resource_changes only", () => {
    const doc = JSON.parse(iamText);
    delete doc.planned_values;
    delete doc.configuration;
    const r = loadTerraformPlanText(JSON.stringify(doc), "rc-only.json");
    expect(r.status).toBe("loaded");
    // without configuration nothing tells whether managed_policy_arns is set: the list stays unknown
    expect(props(r, "aws_iam_role.app").ManagedPolicyArns).toEqual({ $unknown: "known after apply: managed_policy_arns" });
    expect(props(r, "aws_iam_role.app").Policies).toEqual({ $unknown: "known after apply: inline_policy" });
    expect(props(r, "aws_iam_role.app").AssumeRolePolicyDocument.Statement[0].Principal).toEqual({ Service: "rolesanywhere.amazonaws.com" });
  });

  it("reads a plan with planned_values only (child modules included)", () => {
    const doc = JSON.parse(readFileSync(`${dir}/ec2-modules.plan.json`, "utf8"));
    delete doc.resource_changes;
    const r = loadTerraformPlanText(JSON.stringify(doc), "pv-only.json");
    expect(r.status).toBe("loaded");
    expect(r.resources.map((x) => x.id)).toContain('module.net.aws_security_group.web["b"]');
    expect(props(r, "module.net.aws_subnet.private[0]").CidrBlock).toBe("10.0.1.0/27");
  });

  it("malformed JSON is an error with a one-line reason", () => {
    const r = loadTerraformPlanText('{"format_version": "1.2",\n "planned_values": {', "broken.json");
    expect(r.status).toBe("error");
    expect(r.reason).toMatch(/^broken\.json is not valid JSON/);
    expect(r.reason).not.toContain("\n");
    expect(r.resources).toEqual([]);
  });

  it("JSON that is not a plan is skipped; a future format major is an error", () => {
    const s = loadTerraformPlanText('{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {}}', "template.json");
    expect([s.status, s.reason]).toEqual(["skipped", "template.json is not a Terraform plan (no format_version with planned_values or resource_changes)"]);
    expect(loadTerraformPlanText('{"format_version": "2.0", "resource_changes": []}', "f.json").status).toBe("error");
    expect(isTerraformPlan({ format_version: "1.2", resource_changes: [] })).toBe(true);
    expect(isTerraformPlan({ format_version: "1.0", values: {} })).toBe(false);
    expect(isTerraformPlan([1])).toBe(false);
  });

  it("hostile nesting and a missing file are errors, not crashes", async () => {
    let deep = "true";
    for (let i = 0; i < 500; i++) deep = `{"a": ${deep}}`;
    const doc = `{"format_version": "1.2", "resource_changes": [{"address": "aws_iam_role.x", "mode": "managed", "type": "aws_iam_role", "name": "x", "change": {"actions": ["create"], "after": {}, "after_unknown": ${deep}}}]}`;
    const r = loadTerraformPlanText(doc, "deep.json");
    expect(r.status).toBe("error");
    expect(r.reason).toMatch(/nested deeper/);
    const m = await loadTerraformPlanFile(`${dir}/does-not-exist.json`);
    expect(m.status).toBe("error");
  });

  it("ignores other providers and data sources", async () => {
    const r = await load("ec2-modules");
    expect(r.resources.some((x) => x.id.startsWith("random_"))).toBe(false);
  });
});
