/**
 * AWS Config as the source (`scan --source config`): instead of calling each service,
 * read the resources AWS Config has recorded, from the account's recorder
 * (SelectResourceConfig, per region) or from an aggregator (SelectAggregateResourceConfig,
 * once, `--aggregator NAME`), and translate the configuration items into the same
 * common-model shapes the service collectors produce (reusing their translation
 * functions where they are exported).
 *
 * The select returns each item's `configuration`; an item without it is completed with
 * BatchGetResourceConfig / BatchGetAggregateResourceConfig. Types rampart reads that
 * Config does not record (or does not record with what the rules need) are reported as a
 * `skipped` coverage entry naming them, never as "no resources".
 */
import {
  BatchGetAggregateResourceConfigCommand,
  BatchGetResourceConfigCommand,
  ConfigServiceClient,
  DescribeConfigurationRecordersCommand,
  SelectAggregateResourceConfigCommand,
  SelectResourceConfigCommand,
  type BaseConfigurationItem,
  type ConfigurationRecorder,
  type ResourceType,
} from "@aws-sdk/client-config-service";
import type { IpPermission, SecurityGroup, Subnet } from "@aws-sdk/client-ec2";
import type { Resource } from "../../model/types.js";
import { unknown } from "../../model/types.js";
import { EC2_SECURITY_GROUP, EC2_SUBNET, securityGroupResource, subnetResource } from "./ec2.js";
import { keyResource, KMS_KEY } from "./kms.js";
import { SECRET, secretResource } from "./secretsmanager.js";
import type { CollectContext, ServiceCollector } from "./types.js";
import { call, compact, convertTags, iso, parsePolicyDocument, type Origin } from "./util.js";

const IAM_ROLE = "AWS::IAM::Role";
const IAM_USER = "AWS::IAM::User";
const IAM_GROUP = "AWS::IAM::Group";
const IAM_MANAGED_POLICY = "AWS::IAM::ManagedPolicy";

/** Common-model type → the type name AWS Config records it under. */
const CONFIG_TYPE: Record<string, string> = {
  [IAM_ROLE]: "AWS::IAM::Role",
  [IAM_USER]: "AWS::IAM::User",
  [IAM_GROUP]: "AWS::IAM::Group",
  [IAM_MANAGED_POLICY]: "AWS::IAM::Policy",
  [KMS_KEY]: "AWS::KMS::Key",
  [EC2_SECURITY_GROUP]: "AWS::EC2::SecurityGroup",
  [EC2_SUBNET]: "AWS::EC2::Subnet",
  [SECRET]: "AWS::SecretsManager::Secret",
};
const GLOBAL_TYPES = new Set(["AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group", "AWS::IAM::Policy"]);

/** The common-model types the Config source can produce. */
export const CONFIG_SOURCE_TYPES: readonly string[] = Object.keys(CONFIG_TYPE).sort();

export const CONFIG_RECORDER_ACTIONS: readonly string[] = [
  "config:DescribeConfigurationRecorders",
  "config:SelectResourceConfig",
  "config:BatchGetResourceConfig",
];
export const CONFIG_AGGREGATOR_ACTIONS: readonly string[] = ["config:SelectAggregateResourceConfig", "config:BatchGetAggregateResourceConfig"];

// --- configuration items --------------------------------------------------------------

/** One recorded resource, as the select (objects) or a batch get (JSON strings) returns it. */
export interface ConfigItem {
  resourceId: string;
  resourceType: string;
  resourceName?: string;
  arn?: string;
  awsRegion?: string;
  accountId?: string;
  configuration?: Record<string, unknown>;
  supplementaryConfiguration?: Record<string, unknown>;
  tags?: unknown;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** A field by its camelCase name, or the PascalCase spelling some items use. */
function f(o: unknown, name: string): unknown {
  if (!isObj(o)) return undefined;
  if (name in o) return o[name];
  const pascal = name[0].toUpperCase() + name.slice(1);
  return o[pascal];
}
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const num = (v: unknown): number | undefined =>
  typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" && !Number.isNaN(Number(v)) ? Number(v) : undefined;
const bool = (v: unknown): boolean | undefined => (typeof v === "boolean" ? v : v === "true" ? true : v === "false" ? false : undefined);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const date = (v: unknown): Date | undefined => (typeof v === "string" || typeof v === "number" ? new Date(v) : v instanceof Date ? v : undefined);

/** JSON text → value (supplementary configuration values are JSON-encoded strings in a batch get). */
function maybeJson(v: unknown): unknown {
  if (typeof v !== "string") return v;
  const t = v.trim();
  if (!t.startsWith("{") && !t.startsWith("[") && !t.startsWith('"')) return v;
  try {
    return JSON.parse(t);
  } catch {
    return v;
  }
}

/** Config's tags: `[{key, value}]`, `[{Key, Value}]` or a `{key: value}` map → `[{Key, Value}]`. */
function tagsOf(item: ConfigItem): { Key: string; Value: string }[] {
  const raw = item.tags ?? f(item.configuration, "tags");
  if (Array.isArray(raw)) {
    return raw.filter(isObj).flatMap((t) => {
      const key = str(f(t, "key"));
      return key === undefined ? [] : [{ Key: key, Value: str(f(t, "value")) ?? "" }];
    });
  }
  if (isObj(raw)) return Object.entries(raw).map(([Key, v]) => ({ Key, Value: typeof v === "string" ? v : String(v) }));
  return [];
}

export function fromBatchItem(b: BaseConfigurationItem): ConfigItem {
  return {
    resourceId: b.resourceId ?? "",
    resourceType: b.resourceType ?? "",
    resourceName: b.resourceName,
    arn: b.arn,
    awsRegion: b.awsRegion,
    accountId: b.accountId,
    configuration: isObj(maybeJson(b.configuration)) ? (maybeJson(b.configuration) as Obj) : undefined,
    supplementaryConfiguration: b.supplementaryConfiguration
      ? Object.fromEntries(Object.entries(b.supplementaryConfiguration).map(([k, v]) => [k, maybeJson(v)]))
      : undefined,
  };
}

// --- translations ---------------------------------------------------------------------

function originOfItem(item: ConfigItem, fallback: Origin): Origin {
  return { account: item.accountId ?? fallback.account, region: item.awsRegion ?? fallback.region, partition: item.arn?.split(":")[1] || fallback.partition };
}

function ipPermission(p: unknown): IpPermission {
  const v4 = arr(f(p, "ipv4Ranges")).filter(isObj);
  return {
    IpProtocol: str(f(p, "ipProtocol")) ?? (num(f(p, "ipProtocol")) !== undefined ? String(num(f(p, "ipProtocol"))) : undefined),
    FromPort: num(f(p, "fromPort")),
    ToPort: num(f(p, "toPort")),
    // Config repeats the IPv4 ranges twice: as objects (with descriptions) and as bare strings.
    IpRanges:
      v4.length > 0
        ? v4.map((r) => ({ CidrIp: str(f(r, "cidrIp")), Description: str(f(r, "description")) }))
        : arr(f(p, "ipRanges")).map((r) => (typeof r === "string" ? { CidrIp: r } : { CidrIp: str(f(r, "cidrIp")), Description: str(f(r, "description")) })),
    Ipv6Ranges: arr(f(p, "ipv6Ranges")).map((r) => ({ CidrIpv6: str(f(r, "cidrIpv6")), Description: str(f(r, "description")) })),
    PrefixListIds: arr(f(p, "prefixListIds")).map((r) => ({ PrefixListId: str(f(r, "prefixListId")), Description: str(f(r, "description")) })),
    UserIdGroupPairs: arr(f(p, "userIdGroupPairs")).map((g) => ({
      GroupId: str(f(g, "groupId")),
      UserId: str(f(g, "userId")),
      Description: str(f(g, "description")),
    })),
  };
}

function securityGroupFromItem(o: Origin, item: ConfigItem): Resource {
  const c = item.configuration ?? {};
  const g: SecurityGroup & { SecurityGroupArn?: string } = {
    GroupId: str(f(c, "groupId")) ?? item.resourceId,
    GroupName: str(f(c, "groupName")) ?? item.resourceName,
    Description: str(f(c, "description")),
    VpcId: str(f(c, "vpcId")),
    OwnerId: str(f(c, "ownerId")) ?? item.accountId,
    IpPermissions: arr(f(c, "ipPermissions")).map(ipPermission),
    IpPermissionsEgress: arr(f(c, "ipPermissionsEgress")).map(ipPermission),
    Tags: tagsOf(item),
    SecurityGroupArn: item.arn,
  };
  return securityGroupResource(o, g);
}

function subnetFromItem(o: Origin, item: ConfigItem): Resource {
  const c = item.configuration ?? {};
  const s: Subnet = {
    SubnetId: str(f(c, "subnetId")) ?? item.resourceId,
    SubnetArn: str(f(c, "subnetArn")) ?? item.arn,
    VpcId: str(f(c, "vpcId")),
    CidrBlock: str(f(c, "cidrBlock")),
    AvailabilityZone: str(f(c, "availabilityZone")),
    AvailabilityZoneId: str(f(c, "availabilityZoneId")),
    AvailableIpAddressCount: num(f(c, "availableIpAddressCount")),
    MapPublicIpOnLaunch: bool(f(c, "mapPublicIpOnLaunch")),
    DefaultForAz: bool(f(c, "defaultForAz")),
    State: str(f(c, "state")) as Subnet["State"],
    OwnerId: str(f(c, "ownerId")) ?? item.accountId,
    Ipv6CidrBlockAssociationSet: arr(f(c, "ipv6CidrBlockAssociationSet")).map((a) => ({ Ipv6CidrBlock: str(f(a, "ipv6CidrBlock")) })),
    Tags: tagsOf(item),
  };
  return subnetResource(o, s);
}

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

// IAM. The IAM collector's own translations are private to iam.ts; these produce the
// same properties from Config's items (whose policy documents are URL-encoded JSON).

function inline(list: unknown, owner: string): { PolicyName: string; PolicyDocument: unknown }[] {
  return arr(list).map((p) => ({
    PolicyName: str(f(p, "policyName")) ?? "",
    PolicyDocument: parsePolicyDocument(str(f(p, "policyDocument")), `inline policy ${str(f(p, "policyName")) ?? "?"} of ${owner}`),
  }));
}
const attached = (list: unknown): string[] =>
  arr(list)
    .map((p) => str(f(p, "policyArn")))
    .filter((a): a is string => !!a);

function iamBase(o: Origin, type: string, item: ConfigItem, name: string | undefined, tags: Record<string, string>): Omit<Resource, "properties"> {
  const arn = str(f(item.configuration, "arn")) ?? item.arn ?? item.resourceId;
  return compact({
    type,
    id: arn,
    arn,
    name,
    account: o.account,
    region: "global",
    tags,
    source: { kind: "aws" as const, account: o.account, region: "global" },
  });
}

function roleFromItem(o: Origin, item: ConfigItem): Resource {
  const c = item.configuration ?? {};
  const name = str(f(c, "roleName")) ?? item.resourceName;
  const { tags, Tags } = convertTags(tagsOf(item));
  const lastUsed = f(c, "roleLastUsed");
  const lastUsedDate = date(f(lastUsed, "lastUsedDate"));
  const notRecorded = unknown("AWS Config does not record this role property");
  return {
    ...iamBase(o, IAM_ROLE, item, name, tags),
    properties: compact({
      RoleName: name,
      Path: str(f(c, "path")),
      Description: str(f(c, "description")) ?? (f(c, "description") === undefined ? notRecorded : undefined),
      AssumeRolePolicyDocument: parsePolicyDocument(str(f(c, "assumeRolePolicyDocument")), `trust policy of role ${name ?? item.resourceId}`),
      Policies: inline(f(c, "rolePolicyList"), `role ${name ?? item.resourceId}`),
      ManagedPolicyArns: attached(f(c, "attachedManagedPolicies")),
      MaxSessionDuration: num(f(c, "maxSessionDuration")) ?? notRecorded,
      PermissionsBoundary: str(f(f(c, "permissionsBoundary"), "permissionsBoundaryArn")),
      Tags,
    }),
    observed: compact({
      RoleId: str(f(c, "roleId")),
      CreateDate: iso(date(f(c, "createDate"))),
      LastUsedDate: lastUsed === undefined ? unknown("AWS Config does not record the role's last use") : (iso(lastUsedDate) ?? null),
      InstanceProfileArns: arr(f(c, "instanceProfileList"))
        .map((p) => str(f(p, "arn")))
        .filter((a): a is string => !!a),
    }),
  };
}

function userFromItem(o: Origin, item: ConfigItem): Resource {
  const c = item.configuration ?? {};
  const name = str(f(c, "userName")) ?? item.resourceName;
  const { tags, Tags } = convertTags(tagsOf(item));
  return {
    ...iamBase(o, IAM_USER, item, name, tags),
    properties: compact({
      UserName: name,
      Path: str(f(c, "path")),
      Groups: arr(f(c, "groupList")).filter((g): g is string => typeof g === "string"),
      Policies: inline(f(c, "userPolicyList"), `user ${name ?? item.resourceId}`),
      ManagedPolicyArns: attached(f(c, "attachedManagedPolicies")),
      PermissionsBoundary: str(f(f(c, "permissionsBoundary"), "permissionsBoundaryArn")),
      Tags,
    }),
    observed: compact({ UserId: str(f(c, "userId")), CreateDate: iso(date(f(c, "createDate"))) }),
  };
}

function groupFromItem(o: Origin, item: ConfigItem): Resource {
  const c = item.configuration ?? {};
  const name = str(f(c, "groupName")) ?? item.resourceName;
  return {
    ...iamBase(o, IAM_GROUP, item, name, {}),
    properties: compact({
      GroupName: name,
      Path: str(f(c, "path")),
      Policies: inline(f(c, "groupPolicyList"), `group ${name ?? item.resourceId}`),
      ManagedPolicyArns: attached(f(c, "attachedManagedPolicies")),
    }),
    observed: compact({ GroupId: str(f(c, "groupId")), CreateDate: iso(date(f(c, "createDate"))) }),
  };
}

/** Who uses each managed policy, by name, computed from the roles, users and groups of the same read. */
interface Attachments {
  roles: Map<string, string[]>;
  users: Map<string, string[]>;
  groups: Map<string, string[]>;
}

function policyFromItem(o: Origin, item: ConfigItem, a: Attachments): Resource {
  const c = item.configuration ?? {};
  const name = str(f(c, "policyName")) ?? item.resourceName;
  const arn = str(f(c, "arn")) ?? item.arn ?? item.resourceId;
  const versions = arr(f(c, "policyVersionList"));
  const def = versions.find((v) => bool(f(v, "isDefaultVersion")) === true) ?? versions.find((v) => str(f(v, "versionId")) === str(f(c, "defaultVersionId")));
  return {
    ...iamBase(o, IAM_MANAGED_POLICY, item, name, {}),
    properties: compact({
      ManagedPolicyName: name,
      Path: str(f(c, "path")),
      Description: str(f(c, "description")),
      PolicyDocument: parsePolicyDocument(str(f(def, "document")), `default version of managed policy ${name ?? arn}`),
      Roles: a.roles.get(arn) ?? [],
      Users: a.users.get(arn) ?? [],
      Groups: a.groups.get(arn) ?? [],
    }),
    observed: compact({
      PolicyId: str(f(c, "policyId")),
      DefaultVersionId: str(f(c, "defaultVersionId")),
      attachmentCount: num(f(c, "attachmentCount")),
      permissionsBoundaryUsageCount: num(f(c, "permissionsBoundaryUsageCount")),
      awsManaged: false,
      CreateDate: iso(date(f(c, "createDate"))),
      UpdateDate: iso(date(f(c, "updateDate"))),
    }),
  };
}

/** Configuration items → common-model resources (the items of one select, so managed-policy attachments can be joined). */
export function translateItems(items: readonly ConfigItem[], fallback: Origin, collectedAt: Date): Resource[] {
  const a: Attachments = { roles: new Map(), users: new Map(), groups: new Map() };
  const add = (m: Map<string, string[]>, list: unknown, name: string | undefined): void => {
    if (!name) return;
    for (const arn of attached(list)) m.set(arn, [...(m.get(arn) ?? []), name]);
  };
  for (const i of items) {
    const c = i.configuration;
    if (i.resourceType === "AWS::IAM::Role") add(a.roles, f(c, "attachedManagedPolicies"), str(f(c, "roleName")) ?? i.resourceName);
    if (i.resourceType === "AWS::IAM::User") add(a.users, f(c, "attachedManagedPolicies"), str(f(c, "userName")) ?? i.resourceName);
    if (i.resourceType === "AWS::IAM::Group") add(a.groups, f(c, "attachedManagedPolicies"), str(f(c, "groupName")) ?? i.resourceName);
  }
  const out: Resource[] = [];
  for (const i of items) {
    const o = originOfItem(i, fallback);
    switch (i.resourceType) {
      case "AWS::IAM::Role":
        out.push(roleFromItem(o, i));
        break;
      case "AWS::IAM::User":
        out.push(userFromItem(o, i));
        break;
      case "AWS::IAM::Group":
        out.push(groupFromItem(o, i));
        break;
      case "AWS::IAM::Policy":
        out.push(policyFromItem(o, i, a));
        break;
      case "AWS::KMS::Key":
        out.push(keyFromItem(o, i));
        break;
      case "AWS::EC2::SecurityGroup":
        out.push(securityGroupFromItem(o, i));
        break;
      case "AWS::EC2::Subnet":
        out.push(subnetFromItem(o, i));
        break;
      case "AWS::SecretsManager::Secret":
        out.push(secretFromItem(o, i, collectedAt));
        break;
      default:
        break;
    }
  }
  return out;
}

// --- reading ---------------------------------------------------------------------------

const FIELDS = "resourceId, resourceType, resourceName, arn, awsRegion, accountId, configuration, supplementaryConfiguration, tags";

export function selectQuery(configTypes: readonly string[]): string {
  return `SELECT ${FIELDS} WHERE resourceType IN (${configTypes.map((t) => `'${t}'`).join(", ")})`;
}

function parseRow(row: string): ConfigItem | undefined {
  try {
    const o: unknown = JSON.parse(row);
    if (!isObj(o) || typeof o.resourceId !== "string" || typeof o.resourceType !== "string") return undefined;
    const sup = isObj(o.supplementaryConfiguration)
      ? Object.fromEntries(Object.entries(o.supplementaryConfiguration).map(([k, v]) => [k, maybeJson(v)]))
      : undefined;
    return {
      resourceId: o.resourceId,
      resourceType: o.resourceType,
      resourceName: str(o.resourceName),
      arn: str(o.arn),
      awsRegion: str(o.awsRegion),
      accountId: str(o.accountId),
      configuration: isObj(maybeJson(o.configuration)) ? (maybeJson(o.configuration) as Obj) : undefined,
      supplementaryConfiguration: sup,
      tags: o.tags,
    };
  } catch {
    return undefined;
  }
}

const DELETED = /^ResourceDeleted/;

export interface ConfigSourceOptions {
  /** Read from this aggregator (in the caller's account) instead of each account's recorder. */
  aggregator?: string;
  /** The common-model types wanted (those of the selected service collectors). */
  types: readonly string[];
}

/** Which of `configTypes` the region's recorder records; `undefined` recorder means none exists. */
function recordedBy(recorder: ConfigurationRecorder | undefined, configTypes: readonly string[]): Set<string> {
  if (!recorder) return new Set();
  const g = recorder.recordingGroup;
  const strategy = g?.recordingStrategy?.useOnly;
  const listed = new Set<string>(g?.resourceTypes ?? []);
  const excluded = new Set<string>(g?.exclusionByResourceTypes?.resourceTypes ?? []);
  const out = new Set<string>();
  for (const t of configTypes) {
    let yes: boolean;
    if (strategy === "EXCLUSION_BY_RESOURCE_TYPES") yes = !excluded.has(t);
    else if (strategy === "INCLUSION_BY_RESOURCE_TYPES" || g?.allSupported === false) yes = listed.has(t);
    else yes = GLOBAL_TYPES.has(t) ? g?.includeGlobalResourceTypes === true || listed.has(t) : true;
    if (yes) out.add(t);
  }
  return out;
}

/** A collector reading the wanted types from AWS Config. Aggregator mode runs once (as a global collector, in the home region). */
export function configSource(opts: ConfigSourceOptions): ServiceCollector {
  const wanted = [...new Set(opts.types)].sort();
  const translatable = wanted.filter((t) => t in CONFIG_TYPE);
  const notRecorded = wanted.filter((t) => !(t in CONFIG_TYPE));
  const aggregator = opts.aggregator;
  const selectAction = aggregator ? "config:SelectAggregateResourceConfig" : "config:SelectResourceConfig";
  const batchAction = aggregator ? "config:BatchGetAggregateResourceConfig" : "config:BatchGetResourceConfig";
  return {
    service: "config",
    global: aggregator !== undefined,
    resourceTypes: translatable,
    actions: [...(aggregator ? CONFIG_AGGREGATOR_ACTIONS : CONFIG_RECORDER_ACTIONS)],
    async collect(ctx: CollectContext) {
      if (notRecorded.length > 0) {
        ctx.gap({
          action: selectAction,
          status: "skipped",
          detail: `AWS Config does not record ${notRecorded.join(", ")} (or not with what the rules read): scan without --source config to collect them`,
          resourceTypes: notRecorded,
        });
      }
      if (translatable.length === 0) return [];
      const client = new ConfigServiceClient(ctx.clientConfig);
      try {
        let configTypes = translatable.map((t) => CONFIG_TYPE[t]);
        if (!aggregator) {
          const r = await call(ctx, "config:DescribeConfigurationRecorders", () => client.send(new DescribeConfigurationRecordersCommand({})));
          const recorded = recordedBy(r.ConfigurationRecorders?.[0], configTypes);
          const missing = translatable.filter((t) => !recorded.has(CONFIG_TYPE[t]));
          if (missing.length > 0) {
            const why = r.ConfigurationRecorders?.length
              ? `the AWS Config recorder in ${ctx.region} does not record ${missing.map((t) => CONFIG_TYPE[t]).join(", ")}${missing.some((t) => GLOBAL_TYPES.has(CONFIG_TYPE[t])) ? " (global IAM types are recorded in one region only)" : ""}`
              : `there is no AWS Config recorder in ${ctx.region}`;
            ctx.gap({ action: "config:DescribeConfigurationRecorders", status: "skipped", detail: why, resourceTypes: missing });
          }
          configTypes = configTypes.filter((t) => recorded.has(t));
          if (configTypes.length === 0) return [];
        }

        const items: ConfigItem[] = [];
        const incomplete: ConfigItem[] = [];
        const query = selectQuery(configTypes);
        let token: string | undefined;
        do {
          const page = aggregator
            ? await call(ctx, selectAction, () =>
                client.send(
                  new SelectAggregateResourceConfigCommand({ Expression: query, ConfigurationAggregatorName: aggregator, NextToken: token, Limit: 100 }),
                ),
              )
            : await call(ctx, selectAction, () => client.send(new SelectResourceConfigCommand({ Expression: query, NextToken: token, Limit: 100 })));
          for (const row of page.Results ?? []) {
            const item = parseRow(row);
            if (!item) continue;
            (item.configuration ? items : incomplete).push(item);
          }
          token = page.NextToken;
        } while (token);

        // Complete the items the select returned without their configuration, 100 at a time.
        for (let i = 0; i < incomplete.length; i += 100) {
          const chunk = incomplete.slice(i, i + 100);
          const got = aggregator
            ? (
                await call(ctx, batchAction, () =>
                  client.send(
                    new BatchGetAggregateResourceConfigCommand({
                      ConfigurationAggregatorName: aggregator,
                      ResourceIdentifiers: chunk.map((c) => ({
                        SourceAccountId: c.accountId ?? ctx.account,
                        SourceRegion: c.awsRegion ?? ctx.region,
                        ResourceId: c.resourceId,
                        ResourceType: c.resourceType as ResourceType,
                        ResourceName: c.resourceName,
                      })),
                    }),
                  ),
                )
              ).BaseConfigurationItems
            : (
                await call(ctx, batchAction, () =>
                  client.send(
                    new BatchGetResourceConfigCommand({
                      resourceKeys: chunk.map((c) => ({ resourceType: c.resourceType as ResourceType, resourceId: c.resourceId })),
                    }),
                  ),
                )
              ).baseConfigurationItems;
          const byKey = new Map(
            (got ?? [])
              .filter((b) => !DELETED.test(b.configurationItemStatus ?? ""))
              .map((b) => [`${b.resourceType}|${b.resourceId}|${b.accountId ?? ""}|${b.awsRegion ?? ""}`, b]),
          );
          for (const c of chunk) {
            const b =
              byKey.get(`${c.resourceType}|${c.resourceId}|${c.accountId ?? ""}|${c.awsRegion ?? ""}`) ??
              (got ?? []).find((x) => x.resourceType === c.resourceType && x.resourceId === c.resourceId);
            if (!b || DELETED.test(b.configurationItemStatus ?? "")) continue;
            const full = fromBatchItem(b);
            items.push({ ...full, tags: c.tags ?? full.tags, accountId: full.accountId ?? c.accountId, awsRegion: full.awsRegion ?? c.awsRegion });
          }
        }
        return translateItems(items, { account: ctx.account, region: ctx.region, partition: ctx.partition }, ctx.collectedAt);
      } finally {
        client.destroy();
      }
    },
  };
}
