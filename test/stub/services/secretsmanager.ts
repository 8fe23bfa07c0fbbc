/** Loopback Secrets Manager (JSON 1.1): secret metadata, tags and resource policies (never values). */

import type { StubService } from "../service.js";
import { days, epoch, page, StubError, unsupported } from "../wire.js";
import { keyArnOf } from "./kms.js";

declare module "../service.js" {
  interface RegionData {
    secrets: { entry: Record<string, unknown>; policy?: string }[];
  }
}

export const secretsmanager: StubService = {
  name: "secretsmanager",
  types: ["AWS::SecretsManager::ResourcePolicy", "AWS::SecretsManager::Secret"],
  emptyRegion: () => ({ secrets: [] }),
  seed(d, c) {
    const { other, now, k, sfx, fix, arn } = c;
    const keyArn = keyArnOf(c);
    // Secrets Manager.
    const secretArn = arn("secretsmanager", `secret:orders/db${sfx}-AbCdEf`);
    d.secrets.push({
      entry: {
        ARN: secretArn,
        Name: `orders/db${sfx}`,
        Description: "orders database",
        KmsKeyId: keyArn,
        RotationEnabled: false,
        LastAccessedDate: epoch(days(now, 1)),
        LastChangedDate: epoch(days(now, 90)),
        CreatedDate: epoch(days(now, 400)),
        Tags: [
          { Key: "app", Value: "orders" },
          { Key: "eks-cluster-name", Value: `prod${sfx}` },
        ],
      },
      policy:
        k === 0
          ? JSON.stringify({
              Version: "2012-10-17",
              Statement: [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${other}:root` }, Action: "secretsmanager:GetSecretValue", Resource: "*" }],
            })
          : undefined,
    });
    if (fix) {
      // Read by orders-api-pod, tagged for a namespace its Pod Identity association does not have.
      d.secrets.push({
        entry: {
          ARN: arn("secretsmanager", "secret:payments/api-QrStUv"),
          Name: "payments/api",
          Description: "payments API key",
          KmsKeyId: keyArn,
          RotationEnabled: false,
          LastAccessedDate: epoch(days(now, 1)),
          LastChangedDate: epoch(days(now, 60)),
          CreatedDate: epoch(days(now, 300)),
          Tags: [
            { Key: "app", Value: "payments" },
            { Key: "kubernetes-namespace", Value: "payments" },
            { Key: "eks-cluster-name", Value: "prod" },
          ],
        },
      });
    }
  },
  call(op, x) {
    const { b, d } = x;
    const tok = (name = "NextToken") => b[name] as string | undefined;
    switch (op) {
      case "DescribeSecret":
      case "TagResource":
      case "UntagResource": {
        const x = d.secrets.find((y) => y.entry.ARN === b.SecretId || y.entry.Name === b.SecretId);
        if (!x) throw new StubError(400, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.");
        const tags = (x.entry.Tags ?? []) as { Key: string; Value: string }[];
        if (op === "DescribeSecret") return { ...x.entry, Tags: tags, VersionIdsToStages: { [`${String(x.entry.Name)}-v1`]: ["AWSCURRENT"] } };
        if (op === "TagResource") {
          const add = (b.Tags ?? []) as { Key?: string; Value?: string }[];
          if (add.length === 0 || add.some((t) => typeof t.Key !== "string" || t.Key === "" || t.Key.startsWith("aws:")))
            throw new StubError(400, "InvalidParameterException", "You provided an invalid value for a tag key.");
          const next = tags.map((t) => ({ ...t }));
          for (const t of add) {
            const had = next.find((y) => y.Key === t.Key);
            if (had) had.Value = t.Value ?? "";
            else next.push({ Key: t.Key as string, Value: t.Value ?? "" });
          }
          if (next.length > 50) throw new StubError(400, "InvalidParameterException", "A resource can have at most 50 tags.");
          x.entry.Tags = next;
        } else {
          const keys = (b.TagKeys ?? []) as string[];
          x.entry.Tags = tags.filter((t) => !keys.includes(t.Key));
        }
        return {};
      }
      case "ListSecrets": {
        const pg = page(d.secrets, tok(), b.MaxResults);
        return { SecretList: pg.items.map((x) => x.entry), NextToken: pg.next };
      }
      case "GetResourcePolicy": {
        const x = d.secrets.find((y) => y.entry.ARN === b.SecretId || y.entry.Name === b.SecretId);
        if (!x) throw new StubError(400, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.");
        return { ARN: x.entry.ARN, Name: x.entry.Name, ResourcePolicy: x.policy };
      }
      default:
        throw unsupported(x.r, op);
    }
  },
};
