/** Loopback IAM (query/XML, global): roles, users, groups, managed policies, access keys; the writes of the IAM remediations with IAM's checks (five versions per policy, an undeletable default version, document size). */

import type { State, StubService } from "../service.js";
import { days, enc, page, StubError, unsupported, uuid } from "../wire.js";

/** Trust policies (from the articles' examples, as in examples/demo/account.json). */
export function trustPolicies(anchorArn: string, callerAccount: string): Record<string, unknown> {
  return {
    "iamra-issuer": {
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "Statement1",
          Effect: "Allow",
          Principal: { Service: "rolesanywhere.amazonaws.com" },
          Action: ["sts:AssumeRole", "sts:SetSourceIdentity", "sts:TagSession"],
          Condition: { StringEquals: { "aws:PrincipalTag/x509Subject/CN": "iamra-issuer" }, ArnEquals: { "aws:SourceArn": [anchorArn] } },
        },
      ],
    },
    "onprem-batch": { Version: "2012-10-17", Statement: { Effect: "Allow", Principal: { Service: "rolesanywhere.amazonaws.com" }, Action: "sts:*" } },
    "orders-api-pod": {
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { Service: "pods.eks.amazonaws.com" }, Action: ["sts:AssumeRole", "sts:TagSession"] }],
    },
    audit: {
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${callerAccount}:root` }, Action: "sts:AssumeRole" }],
    },
  };
}

export interface IamData {
  roles: Record<string, unknown>[];
  users: Record<string, unknown>[];
  groups: Record<string, unknown>[];
  policies: Record<string, unknown>[];
  keys: Map<string, Record<string, unknown>[]>;
  lastUsed: Map<string, Record<string, unknown>>;
  awsManaged: Map<string, { policy: Record<string, unknown>; document: string }>;
  /** The number of the last version created of each customer managed policy (IAM never reuses one). Not part of state(). */
  versionSeq: Map<string, number>;
}

/** The trust of reports-pod: pods.eks.amazonaws.com may perform sts:*. */
export function podTrustBroad(): Record<string, unknown> {
  return {
    Version: "2012-10-17",
    Statement: [{ Sid: "EksPodIdentity", Effect: "Allow", Principal: { Service: "pods.eks.amazonaws.com" }, Action: ["sts:AssumeRole", "sts:*"] }],
  };
}

/** The secrets orders-api-pod reads, in every region: orders/db (no kubernetes-namespace tag) and payments/api (tagged for another namespace). */
export function podSecretArns(account: string, regions: string[]): string[] {
  return regions.flatMap((r) => [
    `arn:aws:secretsmanager:${r}:${account}:secret:orders/db-AbCdEf`,
    `arn:aws:secretsmanager:${r}:${account}:secret:payments/api-QrStUv`,
  ]);
}

/** The inline policy read-orders-secrets of orders-api-pod. */
export function ordersSecretsInline(account: string, regions: string[]): Record<string, unknown> {
  return {
    Version: "2012-10-17",
    Statement: [{ Sid: "ReadOrdersSecrets", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: podSecretArns(account, regions) }],
  };
}

/** The default version (v2) of the customer managed policy pod-secrets-read. */
export function podSecretsManaged(): Record<string, unknown> {
  return {
    Version: "2012-10-17",
    Statement: [{ Sid: "ReadSecrets", Effect: "Allow", Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], Resource: "*" }],
  };
}

function iamData(account: string, regions: string[], callerAccount: string, extra: number, now: Date, fixtures: boolean): IamData {
  const anchorArn = `arn:aws:rolesanywhere:${regions[0]}:${account}:trust-anchor/${uuid(account, regions[0], "anchor", 0)}`;
  const trust = trustPolicies(anchorArn, callerAccount);
  const pcaIssuer = `arn:aws:iam::${account}:policy/pca-issuer`;
  const readOnly = "arn:aws:iam::aws:policy/ReadOnlyAccess";
  const attached = (arns: string[]) => arns.map((a) => ({ PolicyName: a.split("/").pop(), PolicyArn: a }));
  const role = (name: string, doc: unknown, managed: string[], lastUsedDays?: number) => ({
    Path: "/",
    RoleName: name,
    RoleId: `AROA${account}${uuid(account, "global", name, 0).slice(0, 8).toUpperCase()}`,
    Arn: `arn:aws:iam::${account}:role/${name}`,
    CreateDate: days(now, 400),
    AssumeRolePolicyDocument: enc(doc),
    InstanceProfileList: [],
    RolePolicyList: [],
    AttachedManagedPolicies: attached(managed),
    Tags: [{ Key: "owner", Value: "platform" }],
    RoleLastUsed: lastUsedDays === undefined ? {} : { LastUsedDate: days(now, lastUsedDays), Region: regions[0] },
  });
  const roles = [
    role("iamra-issuer", trust["iamra-issuer"], [pcaIssuer], 3),
    role("onprem-batch", trust["onprem-batch"], [], 1),
    role("orders-api-pod", trust["orders-api-pod"], [], 1),
    role("audit", trust.audit, [readOnly], 0),
  ];
  const podSecretsRead = `arn:aws:iam::${account}:policy/pod-secrets-read`;
  if (fixtures) {
    // A Pod Identity role whose trust allows sts:* (iam-pod-identity-trust-actions).
    roles.push(role("reports-pod", podTrustBroad(), [], 2));
    // orders-api-pod reads secrets through an inline and a customer managed policy, neither
    // with the namespace / cluster tag conditions (iam-secrets-access-tag-scoped), naming
    // secrets that lack those tags or carry other values (secretsmanager-secret-pod-identity-tagged).
    const orders = roles.find((r) => r.RoleName === "orders-api-pod") as Record<string, unknown>;
    orders.RolePolicyList = [{ PolicyName: "read-orders-secrets", PolicyDocument: enc(ordersSecretsInline(account, regions)) }];
    orders.AttachedManagedPolicies = attached([podSecretsRead]);
  }
  for (let i = 0; i < extra; i++) {
    roles.push(
      role(
        `app-${i}`,
        { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }] },
        [],
        10,
      ),
    );
  }
  const user = (name: string) => ({
    Path: "/",
    UserName: name,
    UserId: `AIDA${account}${uuid(account, "global", name, 0).slice(0, 8).toUpperCase()}`,
    Arn: `arn:aws:iam::${account}:user/${name}`,
    CreateDate: days(now, 1500),
    UserPolicyList: [],
    GroupList: name === "legacy-ci" ? ["ci"] : [],
    AttachedManagedPolicies: [],
    Tags: [],
  });
  const users = [user("legacy-ci"), ...Array.from({ length: Math.ceil(extra / 4) }, (_, i) => user(`svc-${i}`))];
  const keys = new Map<string, Record<string, unknown>[]>();
  const lastUsed = new Map<string, Record<string, unknown>>();
  users.forEach((u, i) => {
    const id = `AKIA${account}${i.toString().padStart(4, "0")}`;
    keys.set(u.UserName, [{ UserName: u.UserName, AccessKeyId: id, Status: "Active", CreateDate: days(now, 1400) }]);
    lastUsed.set(id, { LastUsedDate: days(now, 2), ServiceName: "s3", Region: regions[0] });
  });
  const pcaDoc = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["acm-pca:IssueCertificate", "acm-pca:GetCertificate"], Resource: "*" }] };
  const policies = [
    {
      PolicyName: "pca-issuer",
      PolicyId: `ANPA${account}0001`,
      Arn: pcaIssuer,
      Path: "/",
      DefaultVersionId: "v1",
      AttachmentCount: 1,
      PermissionsBoundaryUsageCount: 0,
      IsAttachable: true,
      CreateDate: days(now, 300),
      UpdateDate: days(now, 300),
      PolicyVersionList: [{ Document: enc(pcaDoc), VersionId: "v1", IsDefaultVersion: true, CreateDate: days(now, 300) }],
    },
  ];
  if (fixtures) {
    // Two versions: v1 (an older draft) and v2, the default, both without tag conditions.
    const v1 = { Version: "2012-10-17", Statement: [{ Sid: "ReadSecrets", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: "*" }] };
    policies.push({
      PolicyName: "pod-secrets-read",
      PolicyId: `ANPA${account}0002`,
      Arn: podSecretsRead,
      Path: "/",
      DefaultVersionId: "v2",
      AttachmentCount: 1,
      PermissionsBoundaryUsageCount: 0,
      IsAttachable: true,
      CreateDate: days(now, 200),
      UpdateDate: days(now, 20),
      PolicyVersionList: [
        { Document: enc(podSecretsManaged()), VersionId: "v2", IsDefaultVersion: true, CreateDate: days(now, 20) },
        { Document: enc(v1), VersionId: "v1", IsDefaultVersion: false, CreateDate: days(now, 200) },
      ],
    });
  }
  const groups = [
    {
      Path: "/",
      GroupName: "ci",
      GroupId: `AGPA${account}0001`,
      Arn: `arn:aws:iam::${account}:group/ci`,
      CreateDate: days(now, 1500),
      GroupPolicyList: [],
      AttachedManagedPolicies: [],
    },
  ];
  const awsManaged = new Map([
    [
      readOnly,
      {
        policy: {
          PolicyName: "ReadOnlyAccess",
          PolicyId: "ANPAAWSREADONLY00001",
          Arn: readOnly,
          Path: "/",
          DefaultVersionId: "v100",
          AttachmentCount: 2,
          PermissionsBoundaryUsageCount: 0,
          IsAttachable: true,
          CreateDate: days(now, 4000),
          UpdateDate: days(now, 30),
        },
        document: enc({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Action: ["kms:Describe*", "kms:List*", "iam:Get*", "iam:List*"], Resource: "*" }],
        }),
      },
    ],
  ]);
  const versionSeq = new Map(policies.map((p) => [p.Arn, p.PolicyVersionList.length]));
  return { roles, users, groups, policies, keys, lastUsed, awsManaged, versionSeq };
}

function roleNamed(d: IamData, name: string | null): Record<string, unknown> {
  const x = d.roles.find((y) => y.RoleName === name);
  if (!x) throw new StubError(404, "NoSuchEntity", `The role with name ${String(name)} cannot be found.`);
  return x;
}

/** A customer managed policy of the account by ARN (or, when `required`, NoSuchEntity). */
function customerPolicy(d: IamData, arn: string | null, required: boolean): Record<string, unknown> | undefined {
  const x = d.policies.find((y) => y.Arn === arn);
  if (!x && required) throw new StubError(404, "NoSuchEntity", `Policy ${String(arn)} does not exist or is not attachable.`);
  return x;
}

/** GetPolicy's answer: the policy without its versions. */
function policySummary(x: Record<string, unknown>): Record<string, unknown> {
  const { PolicyVersionList: _versions, ...rest } = x;
  return rest;
}

function policyVersion(x: Record<string, unknown>, id: string | null): Record<string, unknown> {
  const v = (x.PolicyVersionList as Record<string, unknown>[]).find((y) => y.VersionId === (id ?? x.DefaultVersionId));
  if (!v) throw new StubError(404, "NoSuchEntity", `Policy ${String(x.Arn)} version ${String(id)} does not exist or is not attachable.`);
  return v;
}

function setDefaultVersion(x: Record<string, unknown>, id: string, list: Record<string, unknown>[]): void {
  x.PolicyVersionList = list.map((v) => ({ ...v, IsDefaultVersion: v.VersionId === id }));
  x.DefaultVersionId = id;
}

/** A policy's UpdateDate: when its newest version was created (IAM's definition). */
function newestVersion(x: Record<string, unknown>): unknown {
  const dates = (x.PolicyVersionList as { CreateDate: Date | string }[]).map((v) => new Date(v.CreateDate).getTime());
  return dates.length > 1 ? new Date(Math.max(...dates)) : x.CreateDate;
}

/** A policy document as IAM accepts it: JSON with a Statement, at most 10,240 characters (else MalformedPolicyDocument). */
function policyText(text: string | null): string {
  let doc: unknown;
  try {
    doc = JSON.parse(text ?? "");
  } catch {
    throw new StubError(400, "MalformedPolicyDocument", "This policy contains invalid Json");
  }
  if (!doc || typeof doc !== "object" || Array.isArray(doc) || !("Statement" in doc))
    throw new StubError(400, "MalformedPolicyDocument", "Syntax errors in policy.");
  if ((text ?? "").length > 10_240) throw new StubError(400, "LimitExceeded", "Cannot exceed quota for PolicySize: 10240");
  return text as string;
}

/** An account's IAM data, built on first use (the same every time). */
export function iamOf(s: State, account: string): IamData {
  let d = s.iam.get(account);
  if (!d)
    s.iam.set(
      account,
      (d = iamData(
        account,
        s.opts.regions,
        s.opts.callerAccount,
        s.opts.iamExtra,
        s.opts.now,
        s.opts.remediationFixtures && s.opts.accounts.includes(account),
      )),
    );
  return d;
}

export const iam: StubService = {
  name: "iam",
  types: ["AWS::IAM::AccessKey", "AWS::IAM::Group", "AWS::IAM::ManagedPolicy", "AWS::IAM::Role", "AWS::IAM::User"],
  call(action, x) {
    const { s, r, p } = x;
    const ok = (result: Record<string, unknown>): Record<string, unknown> => result;
    switch (action) {
      case "GetAccountAuthorizationDetails": {
        const d = iamOf(s, r.account);
        // Roles, users, groups and policies, one list after another, pages of MaxItems.
        const all: [string, Record<string, unknown>][] = [
          ...d.roles.map((x): [string, Record<string, unknown>] => ["RoleDetailList", x]),
          ...d.users.map((x): [string, Record<string, unknown>] => ["UserDetailList", x]),
          ...d.groups.map((x): [string, Record<string, unknown>] => ["GroupDetailList", x]),
          ...d.policies.map((x): [string, Record<string, unknown>] => ["Policies", x]),
        ];
        const pg = page(all, p.get("Marker"), Number(p.get("MaxItems")) || 100);
        const of = (list: string) => pg.items.filter(([l]) => l === list).map(([, x]) => x);
        return ok({
          IsTruncated: pg.next !== undefined,
          Marker: pg.next,
          UserDetailList: of("UserDetailList"),
          GroupDetailList: of("GroupDetailList"),
          RoleDetailList: of("RoleDetailList"),
          Policies: of("Policies"),
        });
      }
      case "ListRoles": {
        const d = iamOf(s, r.account);
        const pg = page(d.roles, p.get("Marker"), Number(p.get("MaxItems")) || 100);
        return ok({
          Roles: pg.items.map((x) => ({
            Path: x.Path,
            RoleName: x.RoleName,
            RoleId: x.RoleId,
            Arn: x.Arn,
            CreateDate: x.CreateDate,
            AssumeRolePolicyDocument: x.AssumeRolePolicyDocument,
            Description: `role ${String(x.RoleName)}`,
            MaxSessionDuration: 3600,
          })),
          IsTruncated: pg.next !== undefined,
          Marker: pg.next,
        });
      }
      case "GetPolicy": {
        const local = customerPolicy(iamOf(s, r.account), p.get("PolicyArn"), false);
        if (local) return ok({ Policy: policySummary(local) });
        const got = iamOf(s, r.account).awsManaged.get(p.get("PolicyArn") ?? "");
        if (!got) throw new StubError(404, "NoSuchEntity", `Policy ${p.get("PolicyArn")} does not exist or is not attachable.`);
        return ok({ Policy: got.policy });
      }
      case "GetPolicyVersion": {
        const local = customerPolicy(iamOf(s, r.account), p.get("PolicyArn"), false);
        if (local) return ok({ PolicyVersion: policyVersion(local, p.get("VersionId")) });
        const got = iamOf(s, r.account).awsManaged.get(p.get("PolicyArn") ?? "");
        if (!got || (p.get("VersionId") && p.get("VersionId") !== got.policy.DefaultVersionId))
          throw new StubError(404, "NoSuchEntity", `Policy ${p.get("PolicyArn")} version ${p.get("VersionId")} does not exist.`);
        return ok({
          PolicyVersion: { Document: got.document, VersionId: got.policy.DefaultVersionId, IsDefaultVersion: true, CreateDate: got.policy.UpdateDate },
        });
      }
      case "GetRole": {
        const x = roleNamed(iamOf(s, r.account), p.get("RoleName"));
        return ok({
          Role: {
            Path: x.Path,
            RoleName: x.RoleName,
            RoleId: x.RoleId,
            Arn: x.Arn,
            CreateDate: x.CreateDate,
            AssumeRolePolicyDocument: x.AssumeRolePolicyDocument,
            Description: `role ${String(x.RoleName)}`,
            MaxSessionDuration: 3600,
            Tags: x.Tags,
            RoleLastUsed: x.RoleLastUsed,
          },
        });
      }
      case "UpdateAssumeRolePolicy": {
        const x = roleNamed(iamOf(s, r.account), p.get("RoleName"));
        x.AssumeRolePolicyDocument = encodeURIComponent(policyText(p.get("PolicyDocument")));
        return ok({});
      }
      case "ListRolePolicies": {
        const x = roleNamed(iamOf(s, r.account), p.get("RoleName"));
        const names = (x.RolePolicyList as { PolicyName: string }[]).map((y) => y.PolicyName).sort();
        const pg = page(names, p.get("Marker"), Number(p.get("MaxItems")) || 100);
        return ok({ PolicyNames: pg.items, IsTruncated: pg.next !== undefined, Marker: pg.next });
      }
      case "GetRolePolicy": {
        const x = roleNamed(iamOf(s, r.account), p.get("RoleName"));
        const got = (x.RolePolicyList as { PolicyName: string; PolicyDocument: string }[]).find((y) => y.PolicyName === p.get("PolicyName"));
        if (!got) throw new StubError(404, "NoSuchEntity", `The role policy with name ${p.get("PolicyName")} cannot be found.`);
        return ok({ RoleName: x.RoleName, PolicyName: got.PolicyName, PolicyDocument: got.PolicyDocument });
      }
      case "PutRolePolicy": {
        const x = roleNamed(iamOf(s, r.account), p.get("RoleName"));
        const name = p.get("PolicyName") ?? "";
        if (!/^[\w+=,.@-]{1,128}$/.test(name)) throw new StubError(400, "ValidationError", `The specified value for policyName is invalid.`);
        const doc = encodeURIComponent(policyText(p.get("PolicyDocument")));
        const list = x.RolePolicyList as { PolicyName: string; PolicyDocument: string }[];
        const got = list.find((y) => y.PolicyName === name);
        if (got) got.PolicyDocument = doc;
        else list.push({ PolicyName: name, PolicyDocument: doc });
        return ok({});
      }
      case "DeleteRolePolicy": {
        const x = roleNamed(iamOf(s, r.account), p.get("RoleName"));
        const list = x.RolePolicyList as { PolicyName: string }[];
        const i = list.findIndex((y) => y.PolicyName === p.get("PolicyName"));
        if (i < 0) throw new StubError(404, "NoSuchEntity", `The role policy with name ${p.get("PolicyName")} cannot be found.`);
        list.splice(i, 1);
        return ok({});
      }
      case "ListAttachedRolePolicies": {
        const x = roleNamed(iamOf(s, r.account), p.get("RoleName"));
        const prefix = p.get("PathPrefix") ?? "/";
        const d = iamOf(s, r.account);
        const list = (x.AttachedManagedPolicies as { PolicyName: string; PolicyArn: string }[]).filter((a) => {
          const path = String(customerPolicy(d, a.PolicyArn, false)?.Path ?? d.awsManaged.get(a.PolicyArn)?.policy.Path ?? "/");
          return path.startsWith(prefix);
        });
        const pg = page(list, p.get("Marker"), Number(p.get("MaxItems")) || 100);
        return ok({ AttachedPolicies: pg.items, IsTruncated: pg.next !== undefined, Marker: pg.next });
      }
      case "ListEntitiesForPolicy": {
        const d = iamOf(s, r.account);
        const arn = p.get("PolicyArn") ?? "";
        if (!customerPolicy(d, arn, false) && !d.awsManaged.has(arn))
          throw new StubError(404, "NoSuchEntity", `Policy ${arn} does not exist or is not attachable.`);
        const usage = p.get("PolicyUsageFilter");
        const uses = (x: Record<string, unknown>): boolean =>
          (usage !== "PermissionsBoundary" && (x.AttachedManagedPolicies as { PolicyArn: string }[]).some((a) => a.PolicyArn === arn)) ||
          (usage !== "PermissionsPolicy" && (x.PermissionsBoundary as { PermissionsBoundaryArn?: string } | undefined)?.PermissionsBoundaryArn === arn);
        const only = p.get("EntityFilter");
        const want = (kind: string): boolean => !only || only === kind;
        return ok({
          PolicyRoles: want("Role") ? d.roles.filter(uses).map((x) => ({ RoleName: x.RoleName, RoleId: x.RoleId })) : [],
          PolicyUsers: want("User") ? d.users.filter(uses).map((x) => ({ UserName: x.UserName, UserId: x.UserId })) : [],
          PolicyGroups: want("Group") ? d.groups.filter(uses).map((x) => ({ GroupName: x.GroupName, GroupId: x.GroupId })) : [],
          IsTruncated: false,
        });
      }
      case "ListPolicyVersions": {
        const x = customerPolicy(iamOf(s, r.account), p.get("PolicyArn"), true) as Record<string, unknown>;
        const versions = (x.PolicyVersionList as Record<string, unknown>[]).map((v) => ({
          VersionId: v.VersionId,
          IsDefaultVersion: v.IsDefaultVersion,
          CreateDate: v.CreateDate,
        }));
        const pg = page(versions, p.get("Marker"), Number(p.get("MaxItems")) || 100);
        return ok({ Versions: pg.items, IsTruncated: pg.next !== undefined, Marker: pg.next });
      }
      case "CreatePolicyVersion": {
        const d = iamOf(s, r.account);
        const x = customerPolicy(d, p.get("PolicyArn"), true) as Record<string, unknown>;
        const list = x.PolicyVersionList as Record<string, unknown>[];
        const doc = encodeURIComponent(policyText(p.get("PolicyDocument")));
        if (list.length >= 5) {
          throw new StubError(
            409,
            "LimitExceeded",
            `A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.`,
          );
        }
        const n = (d.versionSeq.get(String(x.Arn)) ?? list.length) + 1;
        d.versionSeq.set(String(x.Arn), n);
        const when = new Date();
        const v = { Document: doc, VersionId: `v${n}`, IsDefaultVersion: p.get("SetAsDefault") === "true", CreateDate: when };
        if (v.IsDefaultVersion) setDefaultVersion(x, v.VersionId, [v, ...list]);
        else list.unshift(v);
        x.UpdateDate = newestVersion(x);
        return ok({ PolicyVersion: { VersionId: v.VersionId, IsDefaultVersion: v.IsDefaultVersion, CreateDate: v.CreateDate } });
      }
      case "SetDefaultPolicyVersion": {
        const x = customerPolicy(iamOf(s, r.account), p.get("PolicyArn"), true) as Record<string, unknown>;
        const id = p.get("VersionId") ?? "";
        policyVersion(x, id); // NoSuchEntity
        setDefaultVersion(x, id, x.PolicyVersionList as Record<string, unknown>[]);
        return ok({});
      }
      case "DeletePolicyVersion": {
        const x = customerPolicy(iamOf(s, r.account), p.get("PolicyArn"), true) as Record<string, unknown>;
        const id = p.get("VersionId") ?? "";
        const v = policyVersion(x, id);
        if (v.IsDefaultVersion) throw new StubError(409, "DeleteConflict", `Cannot delete the default version of a policy.`);
        x.PolicyVersionList = (x.PolicyVersionList as Record<string, unknown>[]).filter((y) => y.VersionId !== id);
        x.UpdateDate = newestVersion(x);
        return ok({});
      }
      case "ListAccessKeys": {
        const user = p.get("UserName") ?? "";
        const keys = iamOf(s, r.account).keys.get(user);
        if (!keys) throw new StubError(404, "NoSuchEntity", `The user with name ${user} cannot be found.`);
        return ok({ UserName: user, AccessKeyMetadata: keys, IsTruncated: false });
      }
      case "GetAccessKeyLastUsed": {
        const id = p.get("AccessKeyId") ?? "";
        const d = iamOf(s, r.account);
        const user = [...d.keys.entries()].find(([, ks]) => ks.some((k) => k.AccessKeyId === id))?.[0];
        return ok({ UserName: user, AccessKeyLastUsed: d.lastUsed.get(id) ?? { ServiceName: "N/A", Region: "N/A" } });
      }
      default:
        throw unsupported(x.r, action);
    }
  },
};
