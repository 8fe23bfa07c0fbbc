/** Loopback KMS (JSON 1.1): a customer key shared with the other account (copy 0), and PutKeyPolicy with KMS's lockout check. */

import type { Copy, StubService } from "../service.js";
import { days, epoch, page, StubError, unsupported } from "../wire.js";

declare module "../service.js" {
  interface RegionData {
    keys: { meta: Record<string, unknown>; policy: string; rotation: boolean }[];
  }
}

/** The ARN of copy `c`'s app data key (secrets, clusters, streams and firewall policies encrypt with it). */
export const keyArnOf = (c: Copy): string => c.arn("kms", `key/${c.id("key")}`);

/** The key policy of the key "shared secrets key": "*" may use it, without conditions. */
export function sharedKeyPolicy(account: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Id: "key-shared-1",
    Statement: [
      { Sid: "Enable IAM User Permissions", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: "kms:*", Resource: "*" },
      { Sid: "AllowUseForSecrets", Effect: "Allow", Principal: { AWS: "*" }, Action: ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"], Resource: "*" },
    ],
  });
}

/**
 * A key policy as PutKeyPolicy accepts it: JSON, at most 32 KB, and (unless the lockout
 * check is bypassed) still letting the account (its root, or "*") call kms:PutKeyPolicy
 * without a condition, so that the key stays manageable.
 */
function keyPolicyText(text: unknown, account: string, bypass: boolean): string {
  const malformed = (m: string): StubError => new StubError(400, "MalformedPolicyDocumentException", m);
  if (typeof text !== "string") throw malformed("The policy is required.");
  if (text.length > 32_768) throw malformed("The key policy exceeds 32 KB.");
  let doc: any;
  try {
    doc = JSON.parse(text);
  } catch {
    throw malformed("The policy is not valid JSON.");
  }
  const st = (Array.isArray(doc?.Statement) ? doc.Statement : [doc?.Statement]) as any[];
  const arr = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
  const manageable = st.some(
    (x) =>
      x?.Effect === "Allow" &&
      !x.Condition &&
      arr(x.Action).some((a) => typeof a === "string" && ["*", "kms:*", "kms:putkeypolicy"].includes(a.toLowerCase())) &&
      (x.Principal === "*" || arr(x.Principal?.AWS).some((p) => p === "*" || p === account || p === `arn:aws:iam::${account}:root`)),
  );
  if (!bypass && !manageable) throw malformed("The new key policy will not allow you to update the key policy in the future.");
  return text;
}

export const kms: StubService = {
  name: "kms",
  types: ["AWS::KMS::Key"],
  emptyRegion: () => ({ keys: [] }),
  seed(d, c) {
    const { account, other, now, k, sfx, fix, id, arn } = c;
    // KMS: a customer key shared with the other account without conditions (copy 0), else private.
    const keyId = id("key");
    const keyArn = keyArnOf(c);
    const statements: unknown[] = [
      { Sid: "Enable IAM User Permissions", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: "kms:*", Resource: "*" },
    ];
    if (k === 0)
      statements.push({
        Sid: "AllowPartnerUse",
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::${other}:root` },
        Action: ["kms:Decrypt", "kms:GenerateDataKey"],
        Resource: "*",
      });
    d.keys.push({
      meta: {
        AWSAccountId: account,
        KeyId: keyId,
        Arn: keyArn,
        CreationDate: epoch(days(now, 500)),
        Enabled: true,
        Description: `app data key${sfx}`,
        KeyUsage: "ENCRYPT_DECRYPT",
        KeyState: "Enabled",
        Origin: "AWS_KMS",
        KeyManager: "CUSTOMER",
        CustomerMasterKeySpec: "SYMMETRIC_DEFAULT",
        KeySpec: "SYMMETRIC_DEFAULT",
        EncryptionAlgorithms: ["SYMMETRIC_DEFAULT"],
        MultiRegion: false,
      },
      policy: JSON.stringify({ Version: "2012-10-17", Id: "key-default-1", Statement: statements }),
      rotation: k !== 0,
    });
    if (fix) {
      // A key any AWS principal may use, with no caller-account or via-service condition.
      const sharedId = id("key-shared");
      d.keys.push({
        meta: {
          AWSAccountId: account,
          KeyId: sharedId,
          Arn: arn("kms", `key/${sharedId}`),
          CreationDate: epoch(days(now, 250)),
          Enabled: true,
          Description: "shared secrets key",
          KeyUsage: "ENCRYPT_DECRYPT",
          KeyState: "Enabled",
          Origin: "AWS_KMS",
          KeyManager: "CUSTOMER",
          CustomerMasterKeySpec: "SYMMETRIC_DEFAULT",
          KeySpec: "SYMMETRIC_DEFAULT",
          EncryptionAlgorithms: ["SYMMETRIC_DEFAULT"],
          MultiRegion: false,
        },
        policy: sharedKeyPolicy(account),
        rotation: true,
      });
    }
  },
  call(op, x) {
    const { r, b, d } = x;
    const tok = (name = "NextToken") => b[name] as string | undefined;
    switch (op) {
      case "ListKeys": {
        const pg = page(d.keys, tok("Marker"), b.Limit);
        return { Keys: pg.items.map((k) => ({ KeyId: k.meta.KeyId, KeyArn: k.meta.Arn })), Truncated: pg.next !== undefined, NextMarker: pg.next };
      }
      case "DescribeKey":
      case "GetKeyPolicy":
      case "GetKeyRotationStatus":
      case "ListResourceTags": {
        const k = d.keys.find((x) => x.meta.KeyId === b.KeyId || x.meta.Arn === b.KeyId);
        if (!k) throw new StubError(400, "NotFoundException", `Key '${String(b.KeyId)}' does not exist`);
        if (op === "DescribeKey") return { KeyMetadata: k.meta };
        if (op === "GetKeyPolicy") {
          if ((b.PolicyName ?? "default") !== "default") throw new StubError(400, "NotFoundException", `Policy ${String(b.PolicyName)} does not exist`);
          return { Policy: k.policy, PolicyName: "default" };
        }
        if (op === "GetKeyRotationStatus") return { KeyRotationEnabled: k.rotation, KeyId: k.meta.KeyId };
        return { Tags: [{ TagKey: "team", TagValue: "orders" }], Truncated: false };
      }
      case "PutKeyPolicy": {
        const k = d.keys.find((x) => x.meta.KeyId === b.KeyId || x.meta.Arn === b.KeyId);
        if (!k) throw new StubError(400, "NotFoundException", `Key '${String(b.KeyId)}' does not exist`);
        if ((b.PolicyName ?? "default") !== "default") throw new StubError(400, "ValidationException", "PolicyName must be default");
        if (k.meta.KeyManager === "AWS") throw new StubError(400, "AccessDeniedException", "The key policy of an AWS managed key cannot be changed.");
        k.policy = keyPolicyText(b.Policy, r.account, b.BypassPolicyLockoutSafetyCheck === true);
        return {};
      }
      default:
        throw unsupported(x.r, op);
    }
  },
};
