import { createHash } from "node:crypto";
import { UserError } from "../model/errors.js";
import type { Finding, FindingsDocument } from "../engine/findings.js";
import { controlsByRule, frameworkName } from "./compliance.js";
import type { ReportContext } from "./index.js";
import { jsonText, plainText } from "./escape.js";

/**
 * The AWS Security Finding Format (ASFF, SchemaVersion 2018-10-08), as Security Hub's
 * BatchImportFindings takes it. Id is the finding's stable fingerprint, so importing a new
 * scan updates the findings of the last one instead of adding duplicates.
 */

export const ASFF_SCHEMA_VERSION = "2018-10-08";
export const GENERATOR_PREFIX = "rampart/";
const HELP_BASE = "https://github.com/rampart-scanner/rampart/blob/main/docs/rules/";

export interface AsffFinding {
  SchemaVersion: string;
  Id: string;
  ProductArn: string;
  GeneratorId: string;
  AwsAccountId: string;
  Types: string[];
  CreatedAt: string;
  UpdatedAt: string;
  FirstObservedAt?: string;
  LastObservedAt?: string;
  Severity: { Label: "INFORMATIONAL" | "LOW" | "MEDIUM" | "HIGH" | "CRITICAL"; Original?: string };
  Title: string;
  Description: string;
  Remediation?: { Recommendation?: { Text?: string; Url?: string } };
  ProductFields?: Record<string, string>;
  Resources: Array<{ Type: string; Id: string; Partition?: string; Region?: string; Details?: { Other?: Record<string, string> } }>;
  Compliance?: {
    Status: "PASSED" | "WARNING" | "FAILED" | "NOT_AVAILABLE";
    StatusReasons?: Array<{ ReasonCode: string; Description?: string }>;
    /** --compliance: "<framework title and version>/<control id>" of the controls the rule checks (at most 32). */
    RelatedRequirements?: string[];
  };
  Workflow?: { Status: "NEW" | "NOTIFIED" | "RESOLVED" | "SUPPRESSED" };
  RecordState: "ACTIVE" | "ARCHIVED";
  Note?: { Text: string; UpdatedBy: string; UpdatedAt: string };
  [k: string]: unknown;
}

export interface AsffOptions {
  /** Account for findings without one (IaC) and of the product ARN. */
  account?: string;
  /** The Security Hub region the findings are imported into (the product ARN's region). */
  region?: string;
  /** CreatedAt / FirstObservedAt of findings already in Security Hub, by Id. */
  firstSeen?: Map<string, string>;
  now?: Date;
}

/** CloudFormation type → ASFF resource type, where the ASFF has one; anything else is "Other". */
const ASFF_TYPES: Record<string, string> = {
  "AWS::IAM::Role": "AwsIamRole",
  "AWS::IAM::User": "AwsIamUser",
  "AWS::IAM::Group": "AwsIamGroup",
  "AWS::IAM::Policy": "AwsIamPolicy",
  "AWS::IAM::ManagedPolicy": "AwsIamPolicy",
  "AWS::IAM::AccessKey": "AwsIamAccessKey",
  "AWS::EC2::SecurityGroup": "AwsEc2SecurityGroup",
  "AWS::EC2::SecurityGroupEgress": "AwsEc2SecurityGroup",
  "AWS::EC2::SecurityGroupIngress": "AwsEc2SecurityGroup",
  "AWS::EC2::Subnet": "AwsEc2Subnet",
  "AWS::EC2::VPC": "AwsEc2Vpc",
  "AWS::EC2::Instance": "AwsEc2Instance",
  "AWS::EC2::NetworkAcl": "AwsEc2NetworkAcl",
  "AWS::EKS::Cluster": "AwsEksCluster",
  "AWS::KMS::Key": "AwsKmsKey",
  "AWS::S3::Bucket": "AwsS3Bucket",
  "AWS::WAFv2::WebACL": "AwsWafv2WebAcl",
  "AWS::WAFv2::RuleGroup": "AwsWafv2RuleGroup",
  "AWS::ElasticLoadBalancingV2::LoadBalancer": "AwsElbv2LoadBalancer",
  "AWS::ApiGateway::Stage": "AwsApiGatewayStage",
  "AWS::CloudFront::Distribution": "AwsCloudFrontDistribution",
  "AWS::GuardDuty::Detector": "AwsGuardDutyDetector",
  "AWS::MSK::Cluster": "AwsMskCluster",
  "AWS::NetworkFirewall::Firewall": "AwsNetworkFirewallFirewall",
  "AWS::NetworkFirewall::FirewallPolicy": "AwsNetworkFirewallFirewallPolicy",
  "AWS::NetworkFirewall::RuleGroup": "AwsNetworkFirewallRuleGroup",
  "AWS::OpenSearchService::Domain": "AwsOpenSearchServiceDomain",
  "AWS::SecretsManager::Secret": "AwsSecretsManagerSecret",
  "AWS::Lambda::Function": "AwsLambdaFunction",
};

export function asffResourceType(cfnType: string): string {
  return ASFF_TYPES[cfnType] ?? "Other";
}

const LABEL = { critical: "CRITICAL", high: "HIGH", medium: "MEDIUM", low: "LOW", info: "INFORMATIONAL" } as const;

/** Plain text (no controls: Security Hub's console and its integrations print it) within the field's length limit. */
function clip(text: string, max: number): string {
  const s = plainText(text);
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

/** The id of a pass (rule × resource), stable across runs. */
export function passId(ruleId: string, r: Finding["resource"]): string {
  return createHash("sha256")
    .update(["pass", ruleId, r.type, r.id, r.account ?? "", r.region ?? ""].join("\u0000"))
    .digest("hex")
    .slice(0, 32);
}

/** The account the document is about, when every resource that names one names the same. */
function docAccount(doc: FindingsDocument): string | undefined {
  const accounts = new Set<string>();
  for (const f of doc.findings) if (f.resource.account) accounts.add(f.resource.account);
  for (const p of doc.passes ?? []) if (p.resource.account) accounts.add(p.resource.account);
  return accounts.size === 1 ? [...accounts][0] : undefined;
}

function docRegion(doc: FindingsDocument): string | undefined {
  for (const f of [...doc.findings, ...(doc.passes ?? [])]) if (f.resource.region && f.resource.region !== "global") return f.resource.region;
  return undefined;
}

export function productArn(region: string, account: string): string {
  return `arn:aws:securityhub:${region}:${account}:product/${account}/default`;
}

export function toAsff(doc: FindingsDocument, ctx: Pick<ReportContext, "rules">, opts: AsffOptions = {}): AsffFinding[] {
  const family = new Map(ctx.rules.map((r) => [r.id, r.family]));
  const account = opts.account ?? docAccount(doc);
  const region = opts.region ?? docRegion(doc) ?? "us-east-1";
  const now = (opts.now ?? new Date()).toISOString();
  const observed = doc.scan.finishedAt || now;
  const out: AsffFinding[] = [];
  const cmp = doc.compliance;
  const controls = cmp ? controlsByRule(cmp) : new Map<string, string[]>();
  const related = (ruleId: string) => {
    const cs = controls.get(ruleId);
    return cs?.length ? { RelatedRequirements: cs.slice(0, 32).map((c) => `${frameworkName(cmp!)}/${c}`) } : {};
  };

  const base = (id: string, ruleId: string, r: Finding["resource"], severity: Finding["severity"]) => {
    const acct = r.account ?? account;
    if (!acct) {
      throw new UserError(`the ASFF needs an AWS account id for ${r.id} (${ruleId}); give the account the templates deploy to with --account.`);
    }
    const partition = r.arn?.split(":")[1] || "aws";
    const resRegion = r.region && r.region !== "global" ? r.region : region;
    const other: Record<string, string> = { "rampart:type": clip(r.type, 1024), "rampart:id": clip(r.id, 1024) };
    if (r.name) other["rampart:name"] = clip(r.name, 1024);
    const first = opts.firstSeen?.get(id);
    return {
      SchemaVersion: ASFF_SCHEMA_VERSION,
      Id: id,
      ProductArn: productArn(region, account ?? acct),
      GeneratorId: `${GENERATOR_PREFIX}${ruleId}`,
      AwsAccountId: acct,
      Types: [`Software and Configuration Checks/AWS Security Best Practices/${family.get(ruleId) ?? "rampart"}`],
      CreatedAt: first ?? observed,
      UpdatedAt: now,
      FirstObservedAt: first ?? observed,
      LastObservedAt: observed,
      Severity: { Label: LABEL[severity] ?? "MEDIUM", Original: severity },
      Resources: [{ Type: asffResourceType(r.type), Id: clip(r.arn ?? r.id, 512), Partition: partition, Region: resRegion, Details: { Other: other } }],
    };
  };

  for (const f of doc.findings) {
    const b = base(f.id, f.ruleId, f.resource, f.severity);
    const status = f.status === "suppressed" ? (f.suppressedStatus ?? "fail") : f.status;
    const compliance: AsffFinding["Compliance"] =
      status === "unknown"
        ? { Status: "NOT_AVAILABLE", StatusReasons: [{ ReasonCode: "RAMPART_UNDECIDED", Description: clip(f.message, 2048) }], ...related(f.ruleId) }
        : { Status: f.severity === "info" ? "WARNING" : "FAILED", ...related(f.ruleId) };
    const where = f.location?.file ? ` (${f.location.file}${f.location.line ? `:${f.location.line}` : ""})` : "";
    const fields: Record<string, string> = { "rampart/ruleId": f.ruleId, "rampart/status": f.status, "rampart/fingerprint": f.id };
    if (f.location?.file) fields["rampart/location"] = clip(`${f.location.file}${f.location.line ? `:${f.location.line}` : ""}`, 1024);
    if (f.location?.pointer) fields["rampart/pointer"] = clip(f.location.pointer, 1024);
    const a: AsffFinding = {
      ...b,
      Title: clip(`${f.title}: ${f.resource.name ?? f.resource.id}`, 256),
      Description: clip(`${f.status === "unknown" ? "[could not decide] " : ""}${f.message}${where}`, 1024),
      ...(f.fix ? { Remediation: { Recommendation: { Text: clip(f.fix, 512), Url: `${HELP_BASE}${f.ruleId}.md` } } } : {}),
      ProductFields: fields,
      Compliance: compliance,
      Workflow: { Status: f.status === "suppressed" ? "SUPPRESSED" : "NEW" },
      RecordState: "ACTIVE",
    };
    if (f.status === "suppressed" && f.exception) {
      a.Note = {
        Text: clip(`Suppressed by a rampart exception: ${f.exception.reason} (owner ${f.exception.owner}, expires ${f.exception.expires})`, 512),
        UpdatedBy: "rampart",
        UpdatedAt: now,
      };
    }
    out.push(a);
  }
  const meta = new Map(ctx.rules.map((r) => [r.id, r]));
  for (const p of doc.passes ?? []) {
    const m = meta.get(p.ruleId);
    const b = base(passId(p.ruleId, p.resource), p.ruleId, p.resource, m?.severity ?? "info");
    out.push({
      ...b,
      Title: clip(`${m?.title ?? p.ruleId}: ${p.resource.name ?? p.resource.id}`, 256),
      Description: clip(`${p.resource.type} ${p.resource.id} passes ${p.ruleId}.`, 1024),
      ProductFields: { "rampart/ruleId": p.ruleId, "rampart/status": "pass" },
      Compliance: { Status: "PASSED", ...related(p.ruleId) },
      Workflow: { Status: "RESOLVED" },
      RecordState: "ACTIVE",
    });
  }
  return out;
}

/** `--format asff`: the findings as a JSON array, as `aws securityhub batch-import-findings --findings file://…` takes it. */
export function formatAsff(doc: FindingsDocument, ctx: ReportContext): string {
  return jsonText(JSON.stringify(toAsff(doc, ctx, { account: ctx.aws?.account, region: ctx.aws?.region }), null, 2)) + "\n";
}
