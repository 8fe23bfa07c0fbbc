/**
 * IAM (global): roles, users, groups, customer managed policies and the AWS managed
 * policies attached to something, plus every user's access keys.
 *
 * One paginated GetAccountAuthorizationDetails (roles, users, groups, local managed
 * policies) carries almost everything. AWS managed policies are not requested from it
 * (there are well over a thousand, each with every version); the ones the account
 * actually uses are found in the same call's attachments and permissions boundaries and
 * read one by one with GetPolicy + GetPolicyVersion. ListRoles adds MaxSessionDuration
 * and Description, which GetAccountAuthorizationDetails does not return.
 */
import {
  GetAccessKeyLastUsedCommand,
  GetAccountAuthorizationDetailsCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListRolesCommand,
  type AccessKeyMetadata,
  type AttachedPolicy,
  type GroupDetail,
  type InstanceProfile,
  type ManagedPolicyDetail,
  type PolicyDetail,
  type Role,
  type RoleDetail,
  type UserDetail,
} from "@aws-sdk/client-iam";
import type { Resource, Unknown } from "../../model/types.js";
import { unknown } from "../../model/types.js";
import { mapPool } from "./concurrency.js";
import { arr, bool, date, f, isObj, num, type Obj, originOfItem, str, tagsOf } from "./configitem.js";
import type { CollectContext, ConfigItem, Origin, ServiceCollector } from "./types.js";
import { call, compact, convertTags, daysBetween, iso, liveResource, originOf, parsePolicyDocument, tryCall } from "./util.js";

export const IAM_ROLE = "AWS::IAM::Role";
export const IAM_USER = "AWS::IAM::User";
export const IAM_GROUP = "AWS::IAM::Group";
export const IAM_MANAGED_POLICY = "AWS::IAM::ManagedPolicy";
export const IAM_ACCESS_KEY = "AWS::IAM::AccessKey";

/** Parallel per-user / per-policy calls inside the collector (the rate limiter still applies). */
const INNER_CONCURRENCY = 4;

function inlinePolicies(list: PolicyDetail[] | undefined, owner: string): { PolicyName: string; PolicyDocument: unknown }[] {
  return (list ?? []).map((p) => ({
    PolicyName: p.PolicyName ?? "",
    PolicyDocument: parsePolicyDocument(p.PolicyDocument, `inline policy ${p.PolicyName ?? "?"} of ${owner}`),
  }));
}

function managedArns(list: AttachedPolicy[] | undefined): string[] {
  return (list ?? []).map((p) => p.PolicyArn).filter((a): a is string => typeof a === "string");
}

function isAwsManaged(arn: string): boolean {
  return /^arn:[^:]+:iam::aws:policy\//.test(arn);
}

interface Details {
  roles: RoleDetail[];
  users: UserDetail[];
  groups: GroupDetail[];
  policies: ManagedPolicyDetail[];
}

async function authorizationDetails(ctx: CollectContext, client: IAMClient): Promise<Details> {
  const out: Details = { roles: [], users: [], groups: [], policies: [] };
  let marker: string | undefined;
  do {
    const page = await call(ctx, "iam:GetAccountAuthorizationDetails", () =>
      client.send(new GetAccountAuthorizationDetailsCommand({ Filter: ["Role", "User", "Group", "LocalManagedPolicy"], MaxItems: 1000, Marker: marker })),
    );
    out.roles.push(...(page.RoleDetailList ?? []));
    out.users.push(...(page.UserDetailList ?? []));
    out.groups.push(...(page.GroupDetailList ?? []));
    out.policies.push(...(page.Policies ?? []));
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
  return out;
}

/** ListRoles for the two role properties GetAccountAuthorizationDetails lacks; undefined when it failed (a gap is recorded). */
async function listRoles(ctx: CollectContext, client: IAMClient): Promise<Map<string, Role> | undefined> {
  const byArn = new Map<string, Role>();
  let marker: string | undefined;
  do {
    const page = await tryCall(ctx, "iam:ListRoles", [], () => client.send(new ListRolesCommand({ MaxItems: 1000, Marker: marker })));
    if (!page) return undefined;
    for (const r of page.Roles ?? []) if (r.Arn) byArn.set(r.Arn, r);
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
  return byArn;
}

/** IAM resources are global: region "global" whatever region the read went through. */
function base(o: Origin, type: string, arn: string, name: string | undefined, tags: Record<string, string>): Omit<Resource, "properties"> {
  return liveResource({ account: o.account, region: "global" }, type, arn, arn, name, tags);
}

/** The two role properties GetAccountAuthorizationDetails lacks (from ListRoles or AWS Config), and whether the last use was read. */
interface RoleExtras {
  Description: unknown;
  MaxSessionDuration: unknown;
  /** Why the role's last use is not known, when it is not. */
  lastUseUnknown?: Unknown;
}

function roleExtrasFromList(arn: string, listed: Map<string, Role> | undefined): RoleExtras {
  if (!listed) {
    const missing = unknown("iam:ListRoles failed, so this property was not read");
    return { Description: missing, MaxSessionDuration: missing };
  }
  const r = listed.get(arn);
  return { Description: r?.Description, MaxSessionDuration: r?.MaxSessionDuration };
}

function roleArn(o: Origin, r: RoleDetail): string {
  return r.Arn ?? `arn:${o.partition}:iam::${o.account}:role${r.Path ?? "/"}${r.RoleName ?? ""}`;
}

function roleResource(o: Origin, r: RoleDetail, extras: RoleExtras, collectedAt: Date): Resource {
  const arn = roleArn(o, r);
  const { tags, Tags } = convertTags(r.Tags);
  const lastUsed = r.RoleLastUsed?.LastUsedDate;
  const notRead = extras.lastUseUnknown;
  return {
    ...base(o, IAM_ROLE, arn, r.RoleName, tags),
    properties: compact({
      RoleName: r.RoleName,
      Path: r.Path,
      Description: extras.Description,
      AssumeRolePolicyDocument: parsePolicyDocument(r.AssumeRolePolicyDocument, `trust policy of role ${r.RoleName ?? arn}`),
      Policies: inlinePolicies(r.RolePolicyList, `role ${r.RoleName ?? arn}`),
      ManagedPolicyArns: managedArns(r.AttachedManagedPolicies),
      MaxSessionDuration: extras.MaxSessionDuration,
      PermissionsBoundary: r.PermissionsBoundary?.PermissionsBoundaryArn,
      Tags,
    }),
    observed: compact({
      RoleId: r.RoleId,
      CreateDate: iso(r.CreateDate),
      LastUsedDate: notRead ?? iso(lastUsed) ?? null,
      LastUsedRegion: notRead ?? r.RoleLastUsed?.Region ?? null,
      daysSinceLastUse: notRead ?? daysBetween(lastUsed, collectedAt) ?? null,
      InstanceProfileArns: (r.InstanceProfileList ?? []).map((p) => p.Arn).filter((a): a is string => !!a),
    }),
  };
}

function userResource(o: Origin, u: UserDetail): Resource {
  const arn = u.Arn ?? `arn:${o.partition}:iam::${o.account}:user${u.Path ?? "/"}${u.UserName ?? ""}`;
  const { tags, Tags } = convertTags(u.Tags);
  return {
    ...base(o, IAM_USER, arn, u.UserName, tags),
    properties: compact({
      UserName: u.UserName,
      Path: u.Path,
      Groups: u.GroupList ?? [],
      Policies: inlinePolicies(u.UserPolicyList, `user ${u.UserName ?? arn}`),
      ManagedPolicyArns: managedArns(u.AttachedManagedPolicies),
      PermissionsBoundary: u.PermissionsBoundary?.PermissionsBoundaryArn,
      Tags,
    }),
    observed: compact({ UserId: u.UserId, CreateDate: iso(u.CreateDate) }),
  };
}

function groupResource(o: Origin, g: GroupDetail): Resource {
  const arn = g.Arn ?? `arn:${o.partition}:iam::${o.account}:group${g.Path ?? "/"}${g.GroupName ?? ""}`;
  return {
    ...base(o, IAM_GROUP, arn, g.GroupName, {}),
    properties: compact({
      GroupName: g.GroupName,
      Path: g.Path,
      Policies: inlinePolicies(g.GroupPolicyList, `group ${g.GroupName ?? arn}`),
      ManagedPolicyArns: managedArns(g.AttachedManagedPolicies),
    }),
    observed: compact({ GroupId: g.GroupId, CreateDate: iso(g.CreateDate) }),
  };
}

/** Who uses each managed policy, by name, as CloudFormation's ManagedPolicy Roles/Users/Groups. */
interface Attachments {
  roles: Map<string, string[]>;
  users: Map<string, string[]>;
  groups: Map<string, string[]>;
  boundaries: Set<string>;
}

function attachments(d: Details): Attachments {
  const a: Attachments = { roles: new Map(), users: new Map(), groups: new Map(), boundaries: new Set() };
  const add = (m: Map<string, string[]>, arns: string[], name: string | undefined): void => {
    if (!name) return;
    for (const arn of arns) m.set(arn, [...(m.get(arn) ?? []), name]);
  };
  for (const r of d.roles) {
    add(a.roles, managedArns(r.AttachedManagedPolicies), r.RoleName);
    if (r.PermissionsBoundary?.PermissionsBoundaryArn) a.boundaries.add(r.PermissionsBoundary.PermissionsBoundaryArn);
  }
  for (const u of d.users) {
    add(a.users, managedArns(u.AttachedManagedPolicies), u.UserName);
    if (u.PermissionsBoundary?.PermissionsBoundaryArn) a.boundaries.add(u.PermissionsBoundary.PermissionsBoundaryArn);
  }
  for (const g of d.groups) add(a.groups, managedArns(g.AttachedManagedPolicies), g.GroupName);
  return a;
}

interface ManagedPolicyFacts {
  arn: string;
  name?: string;
  path?: string;
  description?: string;
  document: unknown;
  defaultVersionId?: string;
  attachmentCount?: number;
  permissionsBoundaryUsageCount?: number;
  policyId?: string;
  createDate?: Date;
  updateDate?: Date;
  awsManaged: boolean;
}

function managedPolicyResource(o: Origin, p: ManagedPolicyFacts, a: Attachments): Resource {
  return {
    ...base(o, IAM_MANAGED_POLICY, p.arn, p.name, {}),
    properties: compact({
      ManagedPolicyName: p.name,
      Path: p.path,
      Description: p.description,
      PolicyDocument: p.document,
      Roles: a.roles.get(p.arn) ?? [],
      Users: a.users.get(p.arn) ?? [],
      Groups: a.groups.get(p.arn) ?? [],
    }),
    observed: compact({
      PolicyId: p.policyId,
      DefaultVersionId: p.defaultVersionId,
      attachmentCount: p.attachmentCount,
      permissionsBoundaryUsageCount: p.permissionsBoundaryUsageCount,
      usedAsPermissionsBoundary: a.boundaries.has(p.arn),
      awsManaged: p.awsManaged,
      CreateDate: iso(p.createDate),
      UpdateDate: iso(p.updateDate),
    }),
  };
}

function localPolicyFacts(p: ManagedPolicyDetail): ManagedPolicyFacts {
  const def = (p.PolicyVersionList ?? []).find((v) => v.IsDefaultVersion) ?? (p.PolicyVersionList ?? []).find((v) => v.VersionId === p.DefaultVersionId);
  return {
    arn: p.Arn ?? "",
    name: p.PolicyName,
    path: p.Path,
    description: p.Description,
    document: parsePolicyDocument(def?.Document, `default version of managed policy ${p.PolicyName ?? p.Arn}`),
    defaultVersionId: p.DefaultVersionId,
    attachmentCount: p.AttachmentCount,
    permissionsBoundaryUsageCount: p.PermissionsBoundaryUsageCount,
    policyId: p.PolicyId,
    createDate: p.CreateDate,
    updateDate: p.UpdateDate,
    awsManaged: false,
  };
}

/** GetPolicy + GetPolicyVersion for one AWS managed policy; undefined (with a gap) when either fails. */
async function awsManagedPolicy(ctx: CollectContext, client: IAMClient, arn: string): Promise<ManagedPolicyFacts | undefined> {
  const got = await tryCall(ctx, "iam:GetPolicy", [IAM_MANAGED_POLICY], () => client.send(new GetPolicyCommand({ PolicyArn: arn })));
  const p = got?.Policy;
  if (!p) return undefined;
  const version = await tryCall(ctx, "iam:GetPolicyVersion", [IAM_MANAGED_POLICY], () =>
    client.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: p.DefaultVersionId })),
  );
  if (!version) return undefined;
  return {
    arn,
    name: p.PolicyName,
    path: p.Path,
    description: p.Description,
    document: parsePolicyDocument(version.PolicyVersion?.Document, `default version of AWS managed policy ${p.PolicyName ?? arn}`),
    defaultVersionId: p.DefaultVersionId,
    attachmentCount: p.AttachmentCount,
    permissionsBoundaryUsageCount: p.PermissionsBoundaryUsageCount,
    policyId: p.PolicyId,
    createDate: p.CreateDate,
    updateDate: p.UpdateDate,
    awsManaged: true,
  };
}

async function accessKeys(ctx: CollectContext, client: IAMClient, user: UserDetail): Promise<Resource[] | undefined> {
  const userName = user.UserName;
  if (!userName) return [];
  const keys: AccessKeyMetadata[] = [];
  let marker: string | undefined;
  do {
    const page = await tryCall(ctx, "iam:ListAccessKeys", [IAM_ACCESS_KEY], () =>
      client.send(new ListAccessKeysCommand({ UserName: userName, Marker: marker })),
    );
    if (!page) return undefined;
    keys.push(...(page.AccessKeyMetadata ?? []));
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
  const out: Resource[] = [];
  for (const k of keys) {
    const keyId = k.AccessKeyId;
    if (!keyId) continue;
    // A failed last-use lookup leaves the key itself known (an active key is a finding
    // whatever its last use): the gap names no type, the unknown markers say why.
    const used = await tryCall(ctx, "iam:GetAccessKeyLastUsed", [], () => client.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: keyId })));
    const lastUsed = used?.AccessKeyLastUsed;
    const notRead = unknown("iam:GetAccessKeyLastUsed failed, so the key's last use is not known");
    const service = lastUsed?.ServiceName && lastUsed.ServiceName !== "N/A" ? lastUsed.ServiceName : null;
    const region = lastUsed?.Region && lastUsed.Region !== "N/A" ? lastUsed.Region : null;
    out.push({
      type: IAM_ACCESS_KEY,
      id: keyId,
      name: keyId,
      account: ctx.account,
      region: ctx.region,
      tags: {},
      properties: compact({ UserName: userName, Status: k.Status }),
      observed: {
        AccessKeyId: keyId,
        UserArn: user.Arn ?? null,
        CreateDate: iso(k.CreateDate) ?? null,
        ageDays: daysBetween(k.CreateDate, ctx.collectedAt) ?? null,
        LastUsedDate: used ? (iso(lastUsed?.LastUsedDate) ?? null) : notRead,
        LastUsedService: used ? service : notRead,
        LastUsedRegion: used ? region : notRead,
        daysSinceLastUse: used ? (daysBetween(lastUsed?.LastUsedDate, ctx.collectedAt) ?? null) : notRead,
        neverUsed: used ? !lastUsed?.LastUsedDate : notRead,
      },
      source: { kind: "aws", account: ctx.account, region: ctx.region },
    });
  }
  return out;
}

// --- AWS Config ------------------------------------------------------------------------
// Config's IAM items (`configuration` in camelCase, policy documents URL-encoded JSON)
// mapped onto GetAccountAuthorizationDetails' shapes, then turned into resources by the
// same functions. Config records customer managed policies only, and no access keys.

const policyList = (list: unknown): PolicyDetail[] =>
  arr(list).map((p) => ({ PolicyName: str(f(p, "policyName")), PolicyDocument: str(f(p, "policyDocument")) }));
const attachedList = (list: unknown): AttachedPolicy[] => arr(list).map((p) => ({ PolicyArn: str(f(p, "policyArn")), PolicyName: str(f(p, "policyName")) }));
const boundaryOf = (c: Obj): RoleDetail["PermissionsBoundary"] => {
  const arn = str(f(f(c, "permissionsBoundary"), "permissionsBoundaryArn"));
  return arn ? { PermissionsBoundaryArn: arn, PermissionsBoundaryType: "PermissionsBoundaryPolicy" } : undefined;
};
const itemArn = (item: ConfigItem): string => str(f(item.configuration, "arn")) ?? item.arn ?? item.resourceId;

function roleOfItem(item: ConfigItem): { role: RoleDetail; extras: RoleExtras } {
  const c = item.configuration ?? {};
  const lastUsed = f(c, "roleLastUsed");
  const notRecorded = unknown("AWS Config does not record this role property");
  return {
    role: {
      Arn: itemArn(item),
      RoleName: str(f(c, "roleName")) ?? item.resourceName,
      Path: str(f(c, "path")),
      RoleId: str(f(c, "roleId")),
      CreateDate: date(f(c, "createDate")),
      AssumeRolePolicyDocument: str(f(c, "assumeRolePolicyDocument")),
      RolePolicyList: policyList(f(c, "rolePolicyList")),
      AttachedManagedPolicies: attachedList(f(c, "attachedManagedPolicies")),
      PermissionsBoundary: boundaryOf(c),
      RoleLastUsed: isObj(lastUsed) ? { LastUsedDate: date(f(lastUsed, "lastUsedDate")), Region: str(f(lastUsed, "region")) } : undefined,
      InstanceProfileList: arr(f(c, "instanceProfileList")).map((p) => ({ Arn: str(f(p, "arn")) }) as InstanceProfile),
      Tags: tagsOf(item),
    },
    extras: {
      Description: str(f(c, "description")) ?? (f(c, "description") === undefined ? notRecorded : undefined),
      MaxSessionDuration: num(f(c, "maxSessionDuration")) ?? notRecorded,
      lastUseUnknown: lastUsed === undefined ? unknown("AWS Config does not record the role's last use") : undefined,
    },
  };
}

function userOfItem(item: ConfigItem): UserDetail {
  const c = item.configuration ?? {};
  return {
    Arn: itemArn(item),
    UserName: str(f(c, "userName")) ?? item.resourceName,
    Path: str(f(c, "path")),
    UserId: str(f(c, "userId")),
    CreateDate: date(f(c, "createDate")),
    GroupList: arr(f(c, "groupList")).filter((g): g is string => typeof g === "string"),
    UserPolicyList: policyList(f(c, "userPolicyList")),
    AttachedManagedPolicies: attachedList(f(c, "attachedManagedPolicies")),
    PermissionsBoundary: boundaryOf(c),
    Tags: tagsOf(item),
  };
}

function groupOfItem(item: ConfigItem): GroupDetail {
  const c = item.configuration ?? {};
  return {
    Arn: itemArn(item),
    GroupName: str(f(c, "groupName")) ?? item.resourceName,
    Path: str(f(c, "path")),
    GroupId: str(f(c, "groupId")),
    CreateDate: date(f(c, "createDate")),
    GroupPolicyList: policyList(f(c, "groupPolicyList")),
    AttachedManagedPolicies: attachedList(f(c, "attachedManagedPolicies")),
  };
}

function policyOfItem(item: ConfigItem): ManagedPolicyDetail {
  const c = item.configuration ?? {};
  return {
    Arn: itemArn(item),
    PolicyName: str(f(c, "policyName")) ?? item.resourceName,
    Path: str(f(c, "path")),
    Description: str(f(c, "description")),
    PolicyId: str(f(c, "policyId")),
    DefaultVersionId: str(f(c, "defaultVersionId")),
    AttachmentCount: num(f(c, "attachmentCount")),
    PermissionsBoundaryUsageCount: num(f(c, "permissionsBoundaryUsageCount")),
    CreateDate: date(f(c, "createDate")),
    UpdateDate: date(f(c, "updateDate")),
    PolicyVersionList: arr(f(c, "policyVersionList")).map((v) => ({
      Document: str(f(v, "document")),
      VersionId: str(f(v, "versionId")),
      IsDefaultVersion: bool(f(v, "isDefaultVersion")),
    })),
  };
}

const RECORDED_AS = { [IAM_ROLE]: "AWS::IAM::Role", [IAM_USER]: "AWS::IAM::User", [IAM_GROUP]: "AWS::IAM::Group", [IAM_MANAGED_POLICY]: "AWS::IAM::Policy" };

/** The items of one read → resources; managed policies are joined with the roles, users and groups of the same read. */
function translateConfigItems(items: readonly ConfigItem[], fallback: Origin, collectedAt: Date): Resource[] {
  const of = (type: string) => items.filter((i) => i.resourceType === RECORDED_AS[type as keyof typeof RECORDED_AS]);
  const roles = of(IAM_ROLE).map((i) => ({ i, ...roleOfItem(i) }));
  const users = of(IAM_USER).map((i) => ({ i, user: userOfItem(i) }));
  const groups = of(IAM_GROUP).map((i) => ({ i, group: groupOfItem(i) }));
  const policies = of(IAM_MANAGED_POLICY).map((i) => ({ i, policy: policyOfItem(i) }));
  const att = attachments({ roles: roles.map((r) => r.role), users: users.map((u) => u.user), groups: groups.map((g) => g.group), policies: [] });
  return [
    ...roles.map((r) => roleResource(originOfItem(r.i, fallback), r.role, r.extras, collectedAt)),
    ...users.map((u) => userResource(originOfItem(u.i, fallback), u.user)),
    ...groups.map((g) => groupResource(originOfItem(g.i, fallback), g.group)),
    ...policies.map((p) => managedPolicyResource(originOfItem(p.i, fallback), localPolicyFacts(p.policy), att)),
  ];
}

export const iam: ServiceCollector = {
  service: "iam",
  global: true,
  resourceTypes: [IAM_ROLE, IAM_USER, IAM_GROUP, IAM_MANAGED_POLICY, IAM_ACCESS_KEY],
  actions: ["iam:GetAccountAuthorizationDetails", "iam:ListRoles", "iam:GetPolicy", "iam:GetPolicyVersion", "iam:ListAccessKeys", "iam:GetAccessKeyLastUsed"],
  async collect(ctx) {
    const client = new IAMClient(ctx.clientConfig);
    try {
      const details = await authorizationDetails(ctx, client);
      const listed = await listRoles(ctx, client);
      const att = attachments(details);

      const o = originOf(ctx);
      const resources: Resource[] = [];
      for (const r of details.roles) resources.push(roleResource(o, r, roleExtrasFromList(roleArn(o, r), listed), ctx.collectedAt));
      for (const u of details.users) resources.push(userResource(o, u));
      for (const g of details.groups) resources.push(groupResource(o, g));
      for (const p of details.policies) if (p.Arn) resources.push(managedPolicyResource(o, localPolicyFacts(p), att));

      const used = new Set<string>([...att.roles.keys(), ...att.users.keys(), ...att.groups.keys(), ...att.boundaries]);
      const awsManaged = [...used].filter(isAwsManaged).sort();
      const fetched = await mapPool(awsManaged, INNER_CONCURRENCY, (arn) => awsManagedPolicy(ctx, client, arn));
      for (const p of fetched) if (p) resources.push(managedPolicyResource(o, p, att));

      const keys = await mapPool(details.users, INNER_CONCURRENCY, (u) => accessKeys(ctx, client, u));
      for (const k of keys) if (k) resources.push(...k);
      return resources;
    } finally {
      client.destroy();
    }
  },
  config: { recordedAs: RECORDED_AS, translate: translateConfigItems },
};
