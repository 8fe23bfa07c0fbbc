/**
 * firehose-direct-put-encrypted: turn on server-side encryption of a Direct PUT stream
 * with an AWS owned key (firehose:StartDeliveryStreamEncryption, KeyType AWS_OWNED_CMK),
 * which GUIDANCE.md §9 (line 1730) calls safe. Rollback stops it again.
 *
 * The state is `{DeliveryStreamName, Encryption: "on"|"off", KeyType?}`: ENABLING counts
 * as on and DISABLING / ENABLING_FAILED as off, so that the transition after the call is
 * not mistaken for drift.
 */
import type { Finding } from "../../../engine/findings.js";
import type { AwsClients } from "../../clients.js";
import type { Json, PlanContext, PlanResult, Remediation, Target } from "../../types.js";
import { known, snapshotResource } from "../common.js";

function target(f: Finding, name: string): Target {
  const region = f.resource.region ?? f.resource.id.split(":")[3];
  if (!region) throw new Error(`cannot tell the region of ${f.resource.id}`);
  return { service: "firehose", region, ...(f.resource.account ? { account: f.resource.account } : {}), key: { DeliveryStreamName: name } };
}

function streamName(f: Finding): string {
  const m = /:deliverystream\/(.+)$/.exec(f.resource.arn ?? f.resource.id);
  const n = m?.[1] ?? f.resource.name;
  if (!n) throw new Error(`cannot tell the stream name of ${f.resource.id}`);
  return n;
}

function state(name: string, status: string | undefined, keyType: string | undefined): Json {
  const on = status === "ENABLED" || status === "ENABLING" || status === "DISABLING_FAILED";
  return on ? { DeliveryStreamName: name, Encryption: "on", KeyType: keyType ?? null } : { DeliveryStreamName: name, Encryption: "off" };
}

async function read(t: Target, aws: AwsClients): Promise<Json> {
  const r = await aws.send("firehose", t.region, "DescribeDeliveryStream", { DeliveryStreamName: t.key.DeliveryStreamName });
  const d = r.DeliveryStreamDescription;
  if (!d) throw new Error(`firehose:DescribeDeliveryStream returned nothing for ${t.key.DeliveryStreamName}`);
  const e = d.DeliveryStreamEncryptionConfiguration;
  return state(t.key.DeliveryStreamName, e?.Status ?? "DISABLED", e?.KeyType);
}

export const remediation: Remediation = {
  ruleId: "firehose-direct-put-encrypted",
  permissions: ["firehose:DescribeDeliveryStream", "firehose:StartDeliveryStreamEncryption", "firehose:StopDeliveryStreamEncryption"],
  paramsSchema: { type: "object", additionalProperties: false, properties: {} },
  verifyServices: ["firehose"],

  async plan(findings: Finding[], ctx: PlanContext): Promise<PlanResult> {
    const f = findings[0];
    const name = streamName(f);
    const t = target(f, name);
    let before: Json;
    if (ctx.snapshot) {
      const r = snapshotResource(ctx.snapshot, f);
      const enc = known(r.properties.DeliveryStreamEncryptionConfigurationInput, "the stream's encryption") as { KeyType?: string } | undefined;
      before = state(name, (r.observed?.EncryptionStatus as string | undefined) ?? (enc ? "ENABLED" : "DISABLED"), enc?.KeyType);
    } else if (ctx.aws) before = await read(t, ctx.aws);
    else throw new Error("no snapshot and no AWS access to read the stream");
    if ((before as { Encryption: string }).Encryption === "on") {
      return {
        manual: findings.map((x) => ({
          findingId: x.id,
          ruleId: x.ruleId,
          resourceId: x.resource.id,
          reason: "encryption is on, but the rule still fails (a customer managed key without KeyARN, or a failure)",
          advice: "Check the key and the stream's FailureDescription; restart encryption by hand.",
        })),
      };
    }
    return {
      manual: [],
      change: {
        target: t,
        before,
        after: { DeliveryStreamName: name, Encryption: "on", KeyType: "AWS_OWNED_CMK" },
        calls: [
          {
            service: "firehose",
            region: t.region,
            action: "StartDeliveryStreamEncryption",
            input: { DeliveryStreamName: name, DeliveryStreamEncryptionConfigurationInput: { KeyType: "AWS_OWNED_CMK" } },
          },
        ],
        rollbackCalls: [{ service: "firehose", region: t.region, action: "StopDeliveryStreamEncryption", input: { DeliveryStreamName: name } }],
        findingIds: findings.map((x) => x.id),
        summary: `encrypt Direct PUT stream ${name} with an AWS owned key`,
      },
    };
  },

  read,
};
