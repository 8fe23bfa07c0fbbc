/**
 * Secrets Manager (regional): secret metadata and tags from ListSecrets, and each
 * secret's resource policy. Secret values are never read (no GetSecretValue, no
 * DescribeSecret's version data beyond what ListSecrets returns).
 */
import { GetResourcePolicyCommand, ListSecretsCommand, SecretsManagerClient, type SecretListEntry } from "@aws-sdk/client-secrets-manager";
import type { Resource } from "../../model/types.js";
import { unknown } from "../../model/types.js";
import { bool, date, f, isObj, itemByItem, num, str, tagsOf } from "./configitem.js";
import { mapPool } from "./concurrency.js";
import type { ConfigItem, ServiceCollector } from "./types.js";
import { call, compact, convertTags, daysBetween, iso, type Origin, originOf, parsePolicyDocument, tryCall } from "./util.js";

export const SECRET = "AWS::SecretsManager::Secret";
export const SECRET_RESOURCE_POLICY = "AWS::SecretsManager::ResourcePolicy";

const INNER_CONCURRENCY = 4;

/** The metadata of one secret (ListSecrets' entry, or the same fields from AWS Config). */
export type SecretFacts = Pick<
  SecretListEntry,
  | "ARN"
  | "Name"
  | "Description"
  | "KmsKeyId"
  | "Tags"
  | "RotationEnabled"
  | "RotationLambdaARN"
  | "LastRotatedDate"
  | "LastAccessedDate"
  | "LastChangedDate"
  | "CreatedDate"
  | "DeletedDate"
  | "OwningService"
  | "PrimaryRegion"
> & { RotationRules?: { AutomaticallyAfterDays?: number; ScheduleExpression?: string; Duration?: string } };

export function secretResource(o: Origin, s: SecretFacts, collectedAt: Date): Resource {
  const arn = s.ARN ?? "";
  const { tags, Tags } = convertTags(s.Tags);
  return compact({
    type: SECRET,
    id: arn,
    arn,
    name: s.Name,
    account: o.account,
    region: o.region,
    tags,
    properties: compact({ Name: s.Name, Description: s.Description, KmsKeyId: s.KmsKeyId, Tags }),
    observed: compact({
      RotationEnabled: s.RotationEnabled ?? false,
      RotationLambdaARN: s.RotationLambdaARN,
      RotationRules: s.RotationRules ? compact({ ...s.RotationRules }) : undefined,
      LastRotatedDate: iso(s.LastRotatedDate) ?? null,
      LastAccessedDate: iso(s.LastAccessedDate) ?? null,
      LastChangedDate: iso(s.LastChangedDate),
      CreatedDate: iso(s.CreatedDate),
      DeletedDate: iso(s.DeletedDate),
      daysSinceLastAccess: daysBetween(s.LastAccessedDate, collectedAt) ?? null,
      daysSinceLastRotation: daysBetween(s.LastRotatedDate, collectedAt) ?? null,
      OwningService: s.OwningService,
      PrimaryRegion: s.PrimaryRegion,
    }),
    source: { kind: "aws" as const, account: o.account, region: o.region },
  });
}

/** The secret's resource policy, id `<secret ARN>|resource-policy`, `SecretId` the secret's ARN (the join key). */
export function secretPolicyResource(o: Origin, secretArn: string, name: string | undefined, policy: unknown): Resource {
  const id = `${secretArn}|resource-policy`;
  return compact({
    type: SECRET_RESOURCE_POLICY,
    id,
    name,
    account: o.account,
    region: o.region,
    tags: {},
    properties: {
      SecretId: secretArn,
      ResourcePolicy: typeof policy === "string" ? parsePolicyDocument(policy, `resource policy of secret ${name ?? secretArn}`) : policy,
    },
    source: { kind: "aws" as const, account: o.account, region: o.region },
  });
}

// --- AWS Config ------------------------------------------------------------------------

function secretFromItem(o: Origin, item: ConfigItem, collectedAt: Date): Resource {
  const c = item.configuration ?? {};
  const rules = f(c, "rotationRules");
  return secretResource(
    o,
    {
      ARN: str(f(c, "arn")) ?? item.arn ?? item.resourceId,
      Name: str(f(c, "name")) ?? item.resourceName,
      Description: str(f(c, "description")),
      KmsKeyId: str(f(c, "kmsKeyId")),
      Tags: tagsOf(item),
      RotationEnabled: bool(f(c, "rotationEnabled")),
      RotationLambdaARN: str(f(c, "rotationLambdaARN")) ?? str(f(c, "rotationLambdaArn")),
      RotationRules: isObj(rules)
        ? {
            AutomaticallyAfterDays: num(f(rules, "automaticallyAfterDays")),
            ScheduleExpression: str(f(rules, "scheduleExpression")),
            Duration: str(f(rules, "duration")),
          }
        : undefined,
      LastRotatedDate: date(f(c, "lastRotatedDate")),
      LastAccessedDate: date(f(c, "lastAccessedDate")),
      LastChangedDate: date(f(c, "lastChangedDate")),
      CreatedDate: date(f(c, "createdDate")),
      DeletedDate: date(f(c, "deletedDate")),
      OwningService: str(f(c, "owningService")),
      PrimaryRegion: str(f(c, "primaryRegion")),
    },
    collectedAt,
  );
}

export const secretsmanager: ServiceCollector = {
  service: "secretsmanager",
  resourceTypes: [SECRET, SECRET_RESOURCE_POLICY],
  actions: ["secretsmanager:ListSecrets", "secretsmanager:GetResourcePolicy"],
  async collect(ctx) {
    const client = new SecretsManagerClient(ctx.clientConfig);
    try {
      const secrets: SecretListEntry[] = [];
      let token: string | undefined;
      do {
        const page = await call(ctx, "secretsmanager:ListSecrets", () => client.send(new ListSecretsCommand({ NextToken: token, MaxResults: 100 })));
        secrets.push(...(page.SecretList ?? []));
        token = page.NextToken;
      } while (token);
      const o = originOf(ctx);
      const out = await mapPool(secrets, INNER_CONCURRENCY, async (s): Promise<Resource[]> => {
        if (!s.ARN) return [];
        const arn = s.ARN;
        const rs = [secretResource(o, s, ctx.collectedAt)];
        // A failed read leaves the policy unknown (the resource says why) rather than absent:
        // an absent policy resource would read as "no policy".
        const got = await tryCall(ctx, "secretsmanager:GetResourcePolicy", [], () => client.send(new GetResourcePolicyCommand({ SecretId: arn })));
        if (!got) rs.push(secretPolicyResource(o, arn, s.Name, unknown("secretsmanager:GetResourcePolicy failed, so the resource policy was not read")));
        else if (got.ResourcePolicy) rs.push(secretPolicyResource(o, arn, s.Name, got.ResourcePolicy));
        return rs;
      });
      return out.flat();
    } finally {
      client.destroy();
    }
  },
  // The resource policy is not in Config's item: AWS::SecretsManager::ResourcePolicy is left to the services source.
  config: itemByItem({ [SECRET]: { recordedAs: "AWS::SecretsManager::Secret", fromItem: secretFromItem } }),
};
