/** Secrets Manager secrets and their resource policies. */
import { o, type View } from "../view.js";
import type { Ctx, Emitted, Family } from "./common.js";

function nonEmpty(x: unknown): unknown {
  return Array.isArray(x) && x.length === 0 ? undefined : x;
}

function secret(v: View): Emitted[] {
  const out: Emitted[] = [
    {
      type: "AWS::SecretsManager::Secret",
      properties: o({
        Name: v.str("name"),
        Description: v.str("description"),
        // not configured: the AWS managed key aws/secretsmanager, as for a template without KmsKeyId
        KmsKeyId: v.computedDefault("kms_key_id") ? undefined : v.ref("kms_key_id"),
        ReplicaRegions: nonEmpty(v.list("replica", (r) => o({ Region: r.str("region"), KmsKeyId: r.ref("kms_key_id") }))),
        Tags: v.tagList(),
      }),
    },
  ];
  // the deprecated inline `policy` argument is a resource policy too
  if (!v.computedDefault("policy") && v.raw("policy") !== null && v.raw("policy") !== "" && v.raw("policy") !== undefined) {
    out.push({
      type: "AWS::SecretsManager::ResourcePolicy",
      idSuffix: "#policy",
      properties: o({ SecretId: { $ref: v.inst.address }, ResourcePolicy: v.json("policy") }),
    });
  }
  return out;
}

function secretPolicy(v: View): Emitted {
  return {
    type: "AWS::SecretsManager::ResourcePolicy",
    properties: o({ SecretId: v.ref("secret_arn"), ResourcePolicy: v.json("policy"), BlockPublicPolicy: v.val("block_public_policy") }),
  };
}

/**
 * A secret's value: the SecretString of the secret it belongs to, as CloudFormation writes it on
 * AWS::SecretsManager::Secret, and only when the configuration writes it (`View.written`).
 */
function secretVersion(v: View, ctx: Ctx): undefined {
  const value = v.written("secret_string");
  if (value === undefined) return undefined;
  const target = ctx.find(["aws_secretsmanager_secret"], v.ref("secret_id"), ["id", "arn"]);
  if (target) target.properties.SecretString = value;
  else ctx.note(`${v.inst.address}: secret ${JSON.stringify(v.ref("secret_id"))} is not in the plan, so the value its configuration writes is not judged`);
  return undefined;
}

export const secrets: Family = {
  primary: { aws_secretsmanager_secret: secret, aws_secretsmanager_secret_policy: secretPolicy },
  secondary: { aws_secretsmanager_secret_version: secretVersion },
};
