import type { RuleMeta } from "../../engine/engine.js";
import type { Finding, FindingsDocument } from "../../engine/findings.js";

export const ACCOUNT = "111122223333";
export const HOSTILE = "<img src=x onerror=alert(1)>";

export const RULES: RuleMeta[] = [
  {
    package: "iam.rolesanywhere_trust_scoped",
    file: "rules/aws/iam/rolesanywhere_trust_scoped.rego",
    id: "iam-rolesanywhere-trust-scoped",
    title: "Roles Anywhere trust policies are scoped to certificate and trust anchor",
    description: "Checks trust policies.",
    severity: "high",
    family: "trust-policies",
    resourceTypes: ["AWS::IAM::Role"],
    inputs: ["live", "cloudformation", "terraform"],
    guidance: "seeds lines 1-2",
    rationale: "An unscoped trust lets any certificate of the CA assume the role.",
    remediation: { summary: "Add aws:SourceArn and a certificate condition.", automatic: false },
  },
  {
    package: "kms.key_policy_cross_account",
    file: "rules/aws/kms/key_policy_cross_account.rego",
    id: "kms-key-policy-cross-account",
    title: "KMS key policies name trusted accounts only",
    description: "Checks key policies.",
    severity: "critical",
    family: "kms-cross-account",
    resourceTypes: ["AWS::KMS::Key"],
    inputs: ["live", "cloudformation"],
    guidance: "seeds lines 3-4",
    rationale: "A foreign principal can decrypt.",
    remediation: { summary: "Remove the foreign principal.", automatic: true },
  },
  {
    package: "ec2.egress_restricted",
    file: "rules/aws/ec2/egress_restricted.rego",
    id: "ec2-egress-restricted",
    title: "Security groups restrict egress",
    description: "Checks egress.",
    severity: "medium",
    family: "egress",
    resourceTypes: ["AWS::EC2::SecurityGroup"],
    inputs: ["live", "cloudformation", "terraform"],
    guidance: "seeds lines 5-6",
  },
  {
    package: "guardduty.enabled",
    file: "rules/aws/guardduty/enabled.rego",
    id: "guardduty-enabled",
    title: "GuardDuty is enabled in every region",
    description: "Checks detectors.",
    severity: "low",
    family: "guardduty",
    resourceTypes: ["AWS::GuardDuty::Detector"],
    inputs: ["live"],
    guidance: "seeds lines 7-8",
  },
];

const role = (name: string, region = "global", account = ACCOUNT): Finding["resource"] => ({
  type: "AWS::IAM::Role",
  id: `arn:aws:iam::${account}:role/${name}`,
  arn: `arn:aws:iam::${account}:role/${name}`,
  name,
  account,
  region,
});

let n = 0;
const fid = () => (++n).toString(16).padStart(32, "0");

/** A live findings document: fails of every severity, an unknown, a suppressed one, passes, a hostile role name. */
export function sampleDoc(opts: { hostile?: boolean; extraFails?: number; startedAt?: string } = {}): FindingsDocument {
  n = 0;
  const hostileName = opts.hostile === false ? "plain-role" : HOSTILE;
  const findings: Finding[] = [
    {
      id: fid(),
      ruleId: "kms-key-policy-cross-account",
      status: "fail",
      severity: "critical",
      title: RULES[1].title,
      message: "Statement AllowForeign lets arn:aws:iam::444455556666:root use kms:Decrypt.",
      rationale: RULES[1].rationale,
      fix: RULES[1].remediation?.summary,
      resource: {
        type: "AWS::KMS::Key",
        id: `arn:aws:kms:eu-west-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
        arn: `arn:aws:kms:eu-west-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
        account: ACCOUNT,
        region: "eu-west-1",
      },
      evidence: { Sid: "AllowForeign", Effect: "Allow", Principal: { AWS: "arn:aws:iam::444455556666:root" }, Action: "kms:Decrypt", Resource: "*" },
      remediation: { id: "kms-key-policy-cross-account", automatic: true },
    },
    {
      id: fid(),
      ruleId: "iam-rolesanywhere-trust-scoped",
      status: "fail",
      severity: "high",
      title: RULES[0].title,
      message: `Role ${hostileName} trusts rolesanywhere.amazonaws.com without aws:SourceArn (statement 0).`,
      rationale: RULES[0].rationale,
      fix: RULES[0].remediation?.summary,
      resource: role(hostileName),
      evidence: { note: `</script><script>alert(2)</script>`, name: hostileName },
    },
    {
      id: fid(),
      ruleId: "iam-rolesanywhere-trust-scoped",
      status: "fail",
      severity: "high",
      title: RULES[0].title,
      message: "Role =cmd|' /C calc'!A0 trusts rolesanywhere.amazonaws.com, \"quoted\", with a\nnewline.",
      resource: role("=cmd|' /C calc'!A0"),
    },
    {
      id: fid(),
      ruleId: "ec2-egress-restricted",
      status: "fail",
      severity: "medium",
      title: RULES[2].title,
      message: "Egress to 0.0.0.0/0 on all ports.",
      resource: { type: "AWS::EC2::SecurityGroup", id: "AppSg" },
      location: { file: "templates/app.yaml", line: 12, pointer: "/Resources/AppSg/Properties/SecurityGroupEgress/0" },
    },
    {
      id: fid(),
      ruleId: "guardduty-enabled",
      status: "fail",
      severity: "low",
      title: RULES[3].title,
      message: "No GuardDuty detector in us-east-1.",
      resource: { type: "AWS::GuardDuty::Detector", id: `(no AWS::GuardDuty::Detector in ${ACCOUNT}/us-east-1)`, account: ACCOUNT, region: "us-east-1" },
    },
    {
      id: fid(),
      ruleId: "iam-rolesanywhere-trust-scoped",
      status: "unknown",
      severity: "high",
      title: RULES[0].title,
      message: "Cannot judge AWS::IAM::Role in 111122223333/global: iam was denied (iam:GetAccountAuthorizationDetails).",
      resource: { type: "rampart::coverage::gap", id: `iam:${ACCOUNT}/global`, account: ACCOUNT, region: "global" },
    },
    {
      id: fid(),
      ruleId: "ec2-egress-restricted",
      status: "suppressed",
      suppressedStatus: "fail",
      severity: "medium",
      title: RULES[2].title,
      message: "Egress to 0.0.0.0/0 on port 443.",
      resource: {
        type: "AWS::EC2::SecurityGroup",
        id: `arn:aws:ec2:eu-west-1:${ACCOUNT}:security-group/sg-0abc`,
        arn: `arn:aws:ec2:eu-west-1:${ACCOUNT}:security-group/sg-0abc`,
        account: ACCOUNT,
        region: "eu-west-1",
      },
      exception: { rule: "ec2-egress-restricted", reason: "proxy needs the internet <b>", owner: "netops", expires: "2099-01-01" },
    },
  ];
  for (let i = 0; i < (opts.extraFails ?? 0); i++) {
    findings.push({
      id: fid(),
      ruleId: "iam-rolesanywhere-trust-scoped",
      status: "fail",
      severity: (["high", "medium", "low", "info"] as const)[i % 4],
      title: RULES[0].title,
      message: `Role bulk-${i} trusts rolesanywhere.amazonaws.com without conditions.`,
      resource: role(`bulk-${i}`),
    });
  }
  const fail = findings.filter((f) => f.status === "fail");
  const bySeverity: FindingsDocument["summary"]["bySeverity"] = {};
  for (const f of fail) bySeverity[f.severity] = (bySeverity[f.severity] ?? 0) + 1;
  const passes: NonNullable<FindingsDocument["passes"]> = [
    { ruleId: "iam-rolesanywhere-trust-scoped", resource: role("good-role") },
    {
      ruleId: "kms-key-policy-cross-account",
      resource: {
        type: "AWS::KMS::Key",
        id: `arn:aws:kms:eu-west-1:${ACCOUNT}:key/good`,
        arn: `arn:aws:kms:eu-west-1:${ACCOUNT}:key/good`,
        account: ACCOUNT,
        region: "eu-west-1",
      },
    },
  ];
  const startedAt = opts.startedAt ?? "2025-06-01T10:00:00.000Z";
  return {
    schemaVersion: "1",
    tool: { name: "rampart", version: "0.1.0" },
    scan: { kind: "live", startedAt, finishedAt: startedAt.replace("00.000Z", "07.500Z"), policy: "default", incomplete: false },
    summary: {
      fail: fail.length,
      unknown: findings.filter((f) => f.status === "unknown").length,
      pass: passes.length,
      suppressed: 1,
      bySeverity,
      rules: RULES.map((r) => ({ ruleId: r.id, pass: 0, fail: fail.filter((f) => f.ruleId === r.id).length, unknown: 0, suppressed: 0 })),
    },
    findings,
    passes,
    coverage: [],
  };
}
