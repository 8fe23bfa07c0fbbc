/**
 * wafv2-web-acl-logging-enabled: a web ACL without a logging configuration gets one
 * (wafv2:PutLoggingConfiguration) sending its logs to the destination given as the
 * `destination` parameter, which must be named aws-waf-logs-… (GUIDANCE.md §9, line
 * 1720): a Firehose stream, an S3 bucket or a CloudWatch Logs log group, in the web
 * ACL's region (us-east-1 for CloudFront). By default the authorization and cookie
 * headers are redacted (wafv2-logging-redacts-sensitive-fields). Rollback:
 * wafv2:DeleteLoggingConfiguration.
 *
 * Findings on an existing logging configuration (no destination, a destination with
 * another name) are left to a person: fixing them means replacing a destination.
 *
 * State: `{ResourceArn, LoggingConfiguration: null | {LogDestinationConfigs, RedactedFields?, LoggingFilter?}}`.
 */
import type { Finding } from "../../../engine/findings.js";
import type { Snapshot } from "../../../model/types.js";
import type { AwsClients } from "../../clients.js";
import type { Json, PlanContext, PlanResult, Remediation, Target } from "../../types.js";
import { manual, perResource } from "../common.js";

const RULE = "wafv2-web-acl-logging-enabled";
const WEB_ACL = "AWS::WAFv2::WebACL";

/** A Firehose stream, S3 bucket (optionally with a prefix) or log group named aws-waf-logs-…. */
export const DESTINATION =
  "^arn:aws[a-z-]*:(firehose:[a-z0-9-]+:[0-9]{12}:deliverystream/aws-waf-logs-[A-Za-z0-9_.-]+|s3:::aws-waf-logs-[a-z0-9.-]+(/.*)?|logs:[a-z0-9-]+:[0-9]{12}:log-group:aws-waf-logs-[A-Za-z0-9_./#-]+(:\\*)?)$";

const SENSITIVE = ["authorization", "cookie"];

function normalize(lc: Record<string, unknown> | undefined): Json {
  if (!lc) return null;
  return JSON.parse(
    JSON.stringify({
      LogDestinationConfigs: lc.LogDestinationConfigs ?? [],
      ...(Array.isArray(lc.RedactedFields) && lc.RedactedFields.length > 0 ? { RedactedFields: lc.RedactedFields } : {}),
      ...(lc.LoggingFilter ? { LoggingFilter: lc.LoggingFilter } : {}),
    }),
  ) as Json;
}

async function read(t: Target, aws: AwsClients): Promise<Json> {
  try {
    const r = await aws.send("wafv2", t.region, "GetLoggingConfiguration", { ResourceArn: t.key.ResourceArn });
    return { ResourceArn: t.key.ResourceArn, LoggingConfiguration: normalize(r.LoggingConfiguration) };
  } catch (e) {
    if ((e as { name?: string }).name === "WAFNonexistentItemException") return { ResourceArn: t.key.ResourceArn, LoggingConfiguration: null };
    throw e;
  }
}

function fromSnapshot(s: Snapshot, aclArn: string): Json {
  const lc = s.resources.find((r) => r.type === "AWS::WAFv2::LoggingConfiguration" && r.properties.ResourceArn === aclArn);
  return { ResourceArn: aclArn, LoggingConfiguration: normalize(lc?.properties) };
}

/** The region a destination ARN is in ("" for S3, whose ARNs carry none). */
const regionOfArn = (arn: string): string => arn.split(":")[3] ?? "";

export const remediation: Remediation = {
  ruleId: RULE,
  permissions: [
    "wafv2:GetLoggingConfiguration",
    "wafv2:PutLoggingConfiguration",
    "wafv2:DeleteLoggingConfiguration",
    // What WAF needs to set up log delivery (AWS WAF developer guide, "Permissions to publish logs").
    "logs:CreateLogDelivery",
    "logs:DeleteLogDelivery",
    "logs:PutResourcePolicy",
    "logs:DescribeResourcePolicies",
    "logs:DescribeLogGroups",
    "s3:GetBucketPolicy",
    "s3:PutBucketPolicy",
    "firehose:ListDeliveryStreams",
    "iam:CreateServiceLinkedRole",
  ],
  paramsSchema: {
    type: "object",
    additionalProperties: false,
    properties: {
      destination: {
        description: "The log destination ARN (named aws-waf-logs-…): one for every web ACL, or a map from web ACL name or ARN to an ARN.",
        anyOf: [
          { type: "string", pattern: DESTINATION },
          { type: "object", additionalProperties: { type: "string", pattern: DESTINATION } },
        ],
      },
      redactSensitiveHeaders: { description: "Redact the authorization and cookie headers in the logs (default true).", type: "boolean" },
    },
  },
  verifyServices: ["wafv2"],

  async plan(findings: Finding[], ctx: PlanContext): Promise<PlanResult> {
    const f = findings[0];
    if (f.resource.type !== WEB_ACL) {
      return {
        manual: findings.map((x) =>
          manual(
            x,
            "the web ACL already has a logging configuration; fixing its destinations means replacing one",
            "Point the logging configuration at a destination named aws-waf-logs-… by hand (PutLoggingConfiguration).",
          ),
        ),
      };
    }
    const arn = f.resource.arn ?? f.resource.id;
    const region = f.resource.region ?? arn.split(":")[3];
    const name = f.resource.name;
    const t: Target = { service: "wafv2", region, ...(f.resource.account ? { account: f.resource.account } : {}), key: { ResourceArn: arn } };
    const dest = perResource<string>(ctx.params.destination, f, name);
    if (!dest) {
      return {
        manual: findings.map((x) =>
          manual(
            x,
            "no log destination is known to rampart",
            `Create a destination named aws-waf-logs-… (a Direct PUT Firehose stream with encryption, an S3 bucket or a log group) and give it: --param ${RULE}.destination=<ARN>.`,
          ),
        ),
      };
    }
    if (!new RegExp(DESTINATION).test(dest))
      return {
        manual: findings.map((x) =>
          manual(x, `the destination ${dest} is not named aws-waf-logs-…`, "AWS WAF only delivers logs to destinations named aws-waf-logs-…; give one."),
        ),
      };
    const destRegion = regionOfArn(dest);
    if (destRegion && destRegion !== region) {
      return {
        manual: findings.map((x) =>
          manual(
            x,
            `the destination is in ${destRegion}, the web ACL in ${region}`,
            `Give a destination in ${region}${arn.includes(":global/") ? " (CloudFront web ACLs log to us-east-1)" : ""}.`,
          ),
        ),
      };
    }
    let before: Json;
    if (ctx.snapshot) before = fromSnapshot(ctx.snapshot, arn);
    else if (ctx.aws) before = await read(t, ctx.aws);
    else throw new Error("no snapshot and no AWS access to read the logging configuration");
    if ((before as { LoggingConfiguration: Json }).LoggingConfiguration !== null) {
      return { manual: findings.map((x) => manual(x, "the web ACL has a logging configuration now (it changed since the scan)", "Scan again.")) };
    }
    const redact = ctx.params.redactSensitiveHeaders !== false;
    const lc = {
      ResourceArn: arn,
      LogDestinationConfigs: [dest],
      ...(redact ? { RedactedFields: SENSITIVE.map((h) => ({ SingleHeader: { Name: h } })) } : {}),
    };
    return {
      manual: [],
      change: {
        target: t,
        before,
        after: { ResourceArn: arn, LoggingConfiguration: normalize(lc) },
        calls: [{ service: "wafv2", region, action: "PutLoggingConfiguration", input: { LoggingConfiguration: lc } }],
        rollbackCalls: [{ service: "wafv2", region, action: "DeleteLoggingConfiguration", input: { ResourceArn: arn } }],
        findingIds: findings.map((x) => x.id),
        summary: `log web ACL ${name ?? arn} to ${dest}${redact ? " (authorization and cookie headers redacted)" : ""}`,
        notes: [
          "Logs are billed by the destination (and CloudWatch Logs vended-log ingestion).",
          ...(dest.includes(":logs:") ? ["WAF adds a resource policy to CloudWatch Logs for the log group if none allows delivery."] : []),
          ...(dest.startsWith("arn:aws:s3") || dest.includes(":s3:::") ? ["WAF adds a statement to the bucket policy allowing log delivery."] : []),
        ],
      },
    };
  },

  read,
};
