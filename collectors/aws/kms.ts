/**
 * KMS (regional): every key the account holds, customer and AWS managed, with its key
 * policy (parsed JSON), rotation status and tags, in the CloudFormation shape of
 * AWS::KMS::Key. `observed.KeyManager` says whose key it is; rules decide what to judge.
 */
import {
  DescribeKeyCommand,
  GetKeyPolicyCommand,
  GetKeyRotationStatusCommand,
  KMSClient,
  ListKeysCommand,
  ListResourceTagsCommand,
  type KeyListEntry,
  type KeyMetadata,
  type Tag,
} from "@aws-sdk/client-kms";
import type { Resource } from "../../model/types.js";
import { unknown } from "../../model/types.js";
import { bool, date, f, isObj, itemByItem, str, tagsOf } from "./configitem.js";
import { mapPool } from "./concurrency.js";
import type { CollectContext, ConfigItem, ServiceCollector } from "./types.js";
import { call, compact, convertTags, iso, type Origin, originOf, parsePolicyDocument, tryCall } from "./util.js";

export const KMS_KEY = "AWS::KMS::Key";

const INNER_CONCURRENCY = 4;

/** What was read about one key; `undefined` members were not read (the reason is in `missing`). */
export interface KeyFacts {
  arn: string;
  metadata?: KeyMetadata;
  /** The policy document as returned (JSON text), or an already parsed / unknown value. */
  policy?: unknown;
  rotation?: unknown;
  /** KMS's `{TagKey, TagValue}` list, or `{Key, Value}` (AWS Config). */
  tags?: readonly (Tag | { Key?: string; Value?: string })[];
  /** Why the tags were not read (unknown marker), when they were not. */
  tagsUnknown?: unknown;
}

/** The AWS::KMS::Key resource for the facts read about one key (shared with the AWS Config source). */
export function keyResource(o: Origin, f: KeyFacts): Resource {
  const m = f.metadata;
  const t = f.tags ? convertTags(f.tags.map((x) => ("TagKey" in x ? { Key: x.TagKey, Value: x.TagValue } : x))) : undefined;
  const policy =
    typeof f.policy === "string" || f.policy === undefined ? parsePolicyDocument(f.policy as string | undefined, `key policy of ${f.arn}`) : f.policy;
  const notDescribed = m ? undefined : unknown("kms:DescribeKey failed, so the key's metadata was not read");
  return compact({
    type: KMS_KEY,
    id: f.arn,
    arn: f.arn,
    name: m?.KeyId ?? f.arn.split("/").pop(),
    account: o.account,
    region: o.region,
    tags: t ? t.tags : {},
    properties: compact({
      Description: m ? m.Description : notDescribed,
      KeyPolicy: policy,
      KeySpec: m ? (m.KeySpec ?? m.CustomerMasterKeySpec) : notDescribed,
      KeyUsage: m ? m.KeyUsage : notDescribed,
      Enabled: m ? m.Enabled : notDescribed,
      EnableKeyRotation: f.rotation,
      MultiRegion: m?.MultiRegion,
      Origin: m?.Origin,
      Tags: t ? t.Tags : f.tagsUnknown,
    }),
    observed: compact({
      KeyId: m?.KeyId,
      KeyManager: m ? m.KeyManager : notDescribed,
      KeyState: m?.KeyState,
      CreationDate: iso(m?.CreationDate),
      DeletionDate: iso(m?.DeletionDate),
    }),
    source: { kind: "aws" as const, account: o.account, region: o.region },
  });
}

/** Rotation applies to symmetric encryption keys with key material KMS generated, in a usable state. */
function rotationApplies(m: KeyMetadata): boolean {
  const spec = m.KeySpec ?? m.CustomerMasterKeySpec;
  return spec === "SYMMETRIC_DEFAULT" && (m.Origin ?? "AWS_KMS") === "AWS_KMS" && !/^Pending(Replica)?Deletion$|^Unavailable$/.test(m.KeyState ?? "");
}

async function listTags(ctx: CollectContext, client: KMSClient, keyId: string): Promise<Tag[] | undefined> {
  const out: Tag[] = [];
  let marker: string | undefined;
  do {
    const page = await tryCall(ctx, "kms:ListResourceTags", [], () => client.send(new ListResourceTagsCommand({ KeyId: keyId, Marker: marker })));
    if (!page) return undefined;
    out.push(...(page.Tags ?? []));
    marker = page.Truncated ? page.NextMarker : undefined;
  } while (marker);
  return out;
}

async function keyFacts(ctx: CollectContext, client: KMSClient, k: KeyListEntry): Promise<KeyFacts | undefined> {
  const arn = k.KeyArn;
  const keyId = k.KeyId ?? arn;
  if (!arn || !keyId) return undefined;
  // Without the metadata the key is still judged on its policy; the markers say what is missing.
  const described = await tryCall(ctx, "kms:DescribeKey", [], () => client.send(new DescribeKeyCommand({ KeyId: keyId })));
  const m = described?.KeyMetadata;
  const got = await tryCall(ctx, "kms:GetKeyPolicy", [], () => client.send(new GetKeyPolicyCommand({ KeyId: keyId, PolicyName: "default" })));
  const policy = got ? got.Policy : unknown("kms:GetKeyPolicy failed, so the key policy was not read");
  let rotation: unknown;
  if (m && rotationApplies(m)) {
    const r = await tryCall(ctx, "kms:GetKeyRotationStatus", [], () => client.send(new GetKeyRotationStatusCommand({ KeyId: keyId })));
    rotation = r ? r.KeyRotationEnabled === true : unknown("kms:GetKeyRotationStatus failed, so the rotation status was not read");
  } else if (!m) {
    rotation = unknown("kms:DescribeKey failed, so whether the key rotates was not read");
  }
  // AWS managed keys carry no tags of their own.
  if (m?.KeyManager === "AWS") return { arn, metadata: m, policy, rotation, tags: [] };
  const tags = await listTags(ctx, client, keyId);
  return { arn, metadata: m, policy, rotation, tags, tagsUnknown: tags ? undefined : unknown("kms:ListResourceTags failed, so the tags were not read") };
}

// --- AWS Config ------------------------------------------------------------------------

function keyFromItem(o: Origin, item: ConfigItem): Resource {
  const c = item.configuration ?? {};
  const sup = item.supplementaryConfiguration ?? {};
  const policy = sup.Policy ?? sup.KeyPolicy ?? sup.policy;
  const rotation = bool(sup.KeyRotationStatus ?? f(sup.KeyRotationStatus, "keyRotationEnabled"));
  const spec = str(f(c, "keySpec")) ?? str(f(c, "customerMasterKeySpec"));
  return keyResource(o, {
    arn: str(f(c, "arn")) ?? item.arn ?? item.resourceId,
    metadata: {
      KeyId: str(f(c, "keyId")) ?? item.resourceId,
      Arn: str(f(c, "arn")) ?? item.arn,
      Description: str(f(c, "description")),
      KeyUsage: str(f(c, "keyUsage")) as never,
      KeySpec: spec as never,
      Enabled: bool(f(c, "enabled")),
      KeyState: str(f(c, "keyState")) as never,
      KeyManager: str(f(c, "keyManager")) as never,
      Origin: str(f(c, "origin")) as never,
      MultiRegion: bool(f(c, "multiRegion")),
      CreationDate: date(f(c, "creationDate")),
      DeletionDate: date(f(c, "deletionDate")),
    },
    policy:
      policy === undefined
        ? unknown("AWS Config's configuration item for this key carries no key policy: scan with --source services to read it")
        : typeof policy === "string"
          ? policy
          : isObj(policy)
            ? policy
            : unknown("AWS Config returned a key policy that is not a JSON document"),
    rotation: rotation ?? unknown("AWS Config's configuration item for this key carries no rotation status"),
    tags: tagsOf(item),
  });
}

export const kms: ServiceCollector = {
  service: "kms",
  resourceTypes: [KMS_KEY],
  actions: ["kms:ListKeys", "kms:DescribeKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListResourceTags"],
  async collect(ctx) {
    const client = new KMSClient(ctx.clientConfig);
    try {
      const keys: KeyListEntry[] = [];
      let marker: string | undefined;
      do {
        const page = await call(ctx, "kms:ListKeys", () => client.send(new ListKeysCommand({ Marker: marker, Limit: 1000 })));
        keys.push(...(page.Keys ?? []));
        marker = page.Truncated ? page.NextMarker : undefined;
      } while (marker);
      const o = originOf(ctx);
      const facts = await mapPool(keys, INNER_CONCURRENCY, (k) => keyFacts(ctx, client, k));
      return facts.filter((f): f is KeyFacts => !!f).map((f) => keyResource(o, f));
    } finally {
      client.destroy();
    }
  },
  config: itemByItem({ [KMS_KEY]: { recordedAs: "AWS::KMS::Key", fromItem: keyFromItem } }),
};
