/**
 * A loopback AWS for the collectors: one HTTP server on 127.0.0.1 that answers every API
 * call the live collectors (collectors/aws/*.ts) and the runner make, in the wire shape
 * each SDK client parses:
 *
 * - query / XML (IAM, STS, ELBv2) and EC2's query dialect: by `Action=` in the form body;
 * - AWS JSON 1.0 / 1.1 (KMS, Secrets Manager, EMR, Network Firewall, WAFv2, FMS, WorkMail,
 *   EventBridge, Firehose, ACM PCA): by the `X-Amz-Target` header;
 * - REST-JSON (GuardDuty, EKS, IAM Roles Anywhere): by method and path.
 *
 * It serves an organization of accounts × regions. The account is the one the SigV4
 * access key id in the Authorization header belongs to (the base key is the caller's
 * account; sts:AssumeRole hands out one key per account), the region is the SigV4
 * credential scope's. Switches: AccessDenied for a service (optionally one account /
 * region), a latency per call, and a share of calls answered once with a throttling error.
 * Every call is counted. Nothing here leaves 127.0.0.1.
 *
 * It is stateful: the write operations the remediations (remediations/aws/**) send change
 * the same data the reads serve, so a scan after a fix sees it, with the checks AWS makes
 * (IAM's five policy versions and undeletable default version, Network Firewall's update
 * tokens, one GuardDuty detector per region, WAF's aws-waf-logs- destinations, KMS's
 * lockout check, …). `state()` is a JSON copy of all of it, to compare before and after.
 * `remediationFixtures` adds failing, fixable resources for each remediable rule.
 *
 * Writes (and the reads only the remediations make):
 * - iam: GetRole, UpdateAssumeRolePolicy, ListRolePolicies, GetRolePolicy, PutRolePolicy,
 *   DeleteRolePolicy, ListAttachedRolePolicies, ListEntitiesForPolicy, GetPolicy /
 *   GetPolicyVersion (also customer managed), ListPolicyVersions, CreatePolicyVersion,
 *   SetDefaultPolicyVersion, DeletePolicyVersion;
 * - kms: PutKeyPolicy; secretsmanager: DescribeSecret, TagResource, UntagResource;
 * - network-firewall: UpdateFirewallAnalysisSettings, UpdateFirewallPolicy (update tokens);
 * - firehose: StartDeliveryStreamEncryption, StopDeliveryStreamEncryption (ENABLING /
 *   DISABLING are seen by one DescribeDeliveryStream, then settle);
 * - guardduty: CreateDetector, UpdateDetector, DeleteDetector;
 * - wafv2: GetLoggingConfiguration, PutLoggingConfiguration, DeleteLoggingConfiguration,
 *   GetWebACLForResource, AssociateWebACL, DisassociateWebACL;
 * - workmail: PutIdentityProviderConfiguration; elasticloadbalancing: AddTags, RemoveTags.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

// --- options and the organization ------------------------------------------------------

export interface StubOptions {
  /** Member accounts (12 digits) the caller may assume `roleName` in. */
  accounts: string[];
  /** Regions with regional resources. */
  regions: string[];
  /** The caller's own account (the base credentials'); default 999988887777. */
  callerAccount?: string;
  /** Copies of every regional resource per account × region (default 1). */
  scale?: number;
  /** Extra IAM roles and users per account (default 0): bulk for benchmarks. */
  iamExtra?: number;
  /** Delay before every answer, ms (default 0). */
  latencyMs?: number;
  /** Share of calls answered with a throttling error, each distinct request at most once (default 0). */
  throttleRate?: number;
  /** Seed of the throttling draw (default 1). */
  seed?: number;
  /** The time the fixtures' dates are relative to (default: when the stub starts). */
  now?: Date;
  /**
   * Adds, in every member account (copy 0 of each region), resources that make each
   * remediable rule fail in a way its module can fix: a Pod Identity role whose trust
   * allows sts:* (reports-pod); an inline and a customer managed policy (two versions) of
   * orders-api-pod reading secrets without tag conditions, and secrets it reads without the
   * kubernetes-namespace tag (orders/db) or tagged for another namespace (payments/api); a
   * Roles Anywhere profile listing onprem-batch and a disabled trust anchor; a KMS key "*"
   * may use without conditions; a STRICT_ORDER firewall policy whose defaults only alert
   * and pass stateless traffic (egress-legacy) and a DEFAULT_ACTION_ORDER one over a
   * DEFAULT_ACTION_ORDER group that has a STRICT_ORDER copy (egress-open); an untagged internal ALB sharing the orders web
   * ACL with the tagged one; no GuardDuty detector in the second region and a disabled one
   * in the third. Off by default: the org-scan test and the collector benchmark measure the
   * base organization.
   */
  remediationFixtures?: boolean;
}

export interface DenyRule {
  /** IAM action prefix of the service: "kms", "iam", "network-firewall", … */
  service: string;
  account?: string;
  region?: string;
}

export interface AwsStub {
  url: string;
  port: number;
  /** The base credentials (the caller's account). */
  accessKeyId: string;
  secretAccessKey: string;
  callerAccount: string;
  accounts: string[];
  regions: string[];
  /** Requests answered (throttled ones included). */
  readonly calls: number;
  /** Requests answered with a throttling error. */
  readonly throttled: number;
  /** Requests per "service:Operation". */
  readonly byOperation: ReadonlyMap<string, number>;
  /** Requests per "account|region|service" (the SigV4 scope's region; IAM's is the home region). */
  readonly byScope: ReadonlyMap<string, number>;
  /** Answers AccessDenied for a service from now on (optionally in one account / region). */
  deny(rule: DenyRule): void;
  /** Lifts every deny switch. */
  allowAll(): void;
  resetCounters(): void;
  /**
   * A JSON copy of all mutable data: `iam[account]` (roles, users, groups, policies,
   * access keys) and `regions["account|region"]` (every regional resource) for the member
   * accounts and the caller's, plus any other region that holds something. Dates are ISO
   * strings; IAM documents are URL-encoded as IAM returns them.
   */
  state(): StubState;
  /** The live IAM data of an account, to change behind the CLI's back (drift). */
  iam(account: string): IamData;
  /** The live regional data of an account and region, to change behind the CLI's back (drift). */
  region(account: string, region: string): RegionData;
  close(): Promise<void>;
}

export interface StubState {
  iam: Record<string, Record<string, unknown>>;
  regions: Record<string, Record<string, unknown>>;
}

export const DEFAULT_CALLER = "999988887777";
export const BASE_ACCESS_KEY = "AKIASTUBCALLER000001";
const BASE_SECRET = "stub-secret-key";
const REQUEST_ID = "0c7b2f5e-5d1a-4c3e-9b7a-00000000stub";

/** The access key sts:AssumeRole hands out for `account`: the account is readable from it. */
export function accessKeyFor(account: string): string {
  return `ASIA${account}STUB`;
}

function accountOfKey(key: string, caller: string): string {
  const m = /^ASIA(\d{12})STUB$/.exec(key);
  return m ? m[1] : caller;
}

// --- wire helpers --------------------------------------------------------------------

const esc = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** Plain data → XML elements; arrays become `<member>` (awsQuery) or `<item>` (EC2) lists. */
function xml(v: unknown, item: string): string {
  if (v === undefined || v === null) return "";
  if (Array.isArray(v)) return v.map((x) => `<${item}>${xml(x, item)}</${item}>`).join("");
  if (v instanceof Date) return v.toISOString();
  if (typeof v === "object") {
    return Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .map(([k, x]) => `<${k}>${xml(x, item)}</${k}>`)
      .join("");
  }
  return esc(String(v));
}

const NS: Record<string, string> = {
  iam: "https://iam.amazonaws.com/doc/2010-05-08/",
  sts: "https://sts.amazonaws.com/doc/2011-06-15/",
  elasticloadbalancing: "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/",
  ec2: "http://ec2.amazonaws.com/doc/2016-11-15/",
};

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

function queryOk(service: string, action: string, result: Record<string, unknown>): Answer {
  if (service === "ec2") {
    return {
      status: 200,
      headers: { "content-type": "text/xml;charset=UTF-8" },
      body: `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${NS.ec2}"><requestId>${REQUEST_ID}</requestId>${xml(result, "item")}</${action}Response>`,
    };
  }
  return {
    status: 200,
    headers: { "content-type": "text/xml", "x-amzn-requestid": REQUEST_ID },
    body: `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${NS[service] ?? NS.iam}"><${action}Result>${xml(result, "member")}</${action}Result><ResponseMetadata><RequestId>${REQUEST_ID}</RequestId></ResponseMetadata></${action}Response>`,
  };
}

function queryError(service: string, status: number, code: string, message: string): Answer {
  if (service === "ec2") {
    return {
      status,
      headers: { "content-type": "text/xml;charset=UTF-8" },
      body: `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${esc(code)}</Code><Message>${esc(message)}</Message></Error></Errors><RequestID>${REQUEST_ID}</RequestID></Response>`,
    };
  }
  return {
    status,
    headers: { "content-type": "text/xml", "x-amzn-requestid": REQUEST_ID },
    body: `<ErrorResponse xmlns="${NS[service] ?? NS.iam}"><Error><Type>Sender</Type><Code>${esc(code)}</Code><Message>${esc(message)}</Message></Error><RequestId>${REQUEST_ID}</RequestId></ErrorResponse>`,
  };
}

function jsonOk(body: unknown, protocol: "json" | "rest"): Answer {
  return {
    status: 200,
    headers: { "content-type": protocol === "json" ? "application/x-amz-json-1.1" : "application/json", "x-amzn-requestid": REQUEST_ID },
    body: JSON.stringify(body),
  };
}

function jsonError(status: number, type: string, message: string): Answer {
  return {
    status,
    headers: { "content-type": "application/json", "x-amzn-errortype": type, "x-amzn-requestid": REQUEST_ID },
    body: JSON.stringify({ __type: type, message, Message: message }),
  };
}

class StubError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const notFound = (what: string): StubError => new StubError(400, "ResourceNotFoundException", `${what} not found`);

/** One page of `items` from the decimal offset `token`; the next token is the offset after it. */
function page<T>(items: readonly T[], token: string | undefined | null, size: number): { items: T[]; next?: string } {
  const from = token ? Number(token.replace(/^p/, "")) || 0 : 0;
  const n = Math.max(1, Math.min(size || 100, 100));
  const slice = items.slice(from, from + n);
  return { items: slice, next: from + n < items.length ? `p${from + n}` : undefined };
}

/** Seconds since the epoch: the timestamp format of the JSON protocols. */
const epoch = (d: Date): number => Math.floor(d.getTime() / 1000);
const days = (now: Date, n: number): Date => new Date(now.getTime() - n * 86_400_000);

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const uuid = (account: string, region: string, kind: string, k: number): string => {
  // Deterministic, uuid-shaped, distinct per account, region, kind and copy.
  let h = 2166136261;
  for (const c of `${account}|${region}|${kind}|${k}`) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
  const hex = (h.toString(16).padStart(8, "0") + account.slice(-4)).padEnd(12, "0");
  return `${hex.slice(0, 8)}-${(k % 65536).toString(16).padStart(4, "0")}-4${hex.slice(8, 11)}-8${region.length.toString(16).padStart(3, "0")}-${hex.slice(0, 12)}`;
};

// --- the organization's data -----------------------------------------------------------

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

export interface RegionData {
  anchors: Record<string, unknown>[];
  profiles: Record<string, unknown>[];
  crls: Record<string, unknown>[];
  cas: Record<string, unknown>[];
  keys: { meta: Record<string, unknown>; policy: string; rotation: boolean }[];
  secrets: { entry: Record<string, unknown>; policy?: string }[];
  clusters: { cluster: Record<string, unknown>; associations: Record<string, unknown>[] }[];
  subnets: Record<string, unknown>[];
  groups: Record<string, unknown>[];
  emr: { cluster: Record<string, unknown>; fleets: Record<string, unknown>[]; scaling?: Record<string, unknown>; running: number }[];
  firewalls: { firewall: { Firewall: Record<string, unknown> } & Record<string, unknown>; logging: Record<string, unknown> }[];
  fwPolicies: { response: Record<string, unknown>; policy: Record<string, unknown>; token: string }[];
  ruleGroups: { response: Record<string, unknown>; group: Record<string, unknown> }[];
  acls: { summary: Record<string, unknown>; acl: Record<string, unknown>; albs: string[]; tags: Record<string, unknown>[] }[];
  wafLogging: Record<string, unknown>[];
  fmsPolicies: {
    summary: Record<string, unknown>;
    policy: Record<string, unknown>;
    arn: string;
    status: Record<string, unknown>[];
    violators: Record<string, unknown>[];
  }[];
  lbs: { lb: Record<string, unknown>; tags: Record<string, unknown>[] }[];
  orgs: { summary: Record<string, unknown>; described: Record<string, unknown>; idp: Record<string, unknown>; users: Record<string, unknown>[] }[];
  detectors: { id: string; detector: Record<string, unknown>; findings: Record<string, unknown>[] }[];
  rules: { rule: Record<string, unknown>; targets: Record<string, unknown>[] }[];
  streams: Record<string, unknown>[];
}

const enc = (doc: unknown): string => encodeURIComponent(JSON.stringify(doc));

// --- remediation fixtures (remediationFixtures) ----------------------------------------

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

function regionData(account: string, region: string, accounts: string[], scale: number, now: Date, fixtures: boolean, regionIndex: number): RegionData {
  const d: RegionData = {
    anchors: [],
    profiles: [],
    crls: [],
    cas: [],
    keys: [],
    secrets: [],
    clusters: [],
    subnets: [],
    groups: [],
    emr: [],
    firewalls: [],
    fwPolicies: [],
    ruleGroups: [],
    acls: [],
    wafLogging: [],
    fmsPolicies: [],
    lbs: [],
    orgs: [],
    detectors: [],
    rules: [],
    streams: [],
  };
  const other = accounts.find((a) => a !== account) ?? "444455556666";
  const arn = (svc: string, rest: string): string => `arn:aws:${svc}:${region}:${account}:${rest}`;
  for (let k = 0; k < scale; k++) {
    const id = (kind: string): string => uuid(account, region, kind, k);
    const sfx = k === 0 ? "" : `-${k}`;
    const fix = fixtures && k === 0;

    // Private CA and Roles Anywhere.
    const caArn = arn("acm-pca", `certificate-authority/${id("ca")}`);
    d.cas.push({
      Arn: caArn,
      OwnerAccount: account,
      CreatedAt: epoch(days(now, 200)),
      Status: "ACTIVE",
      Type: "SUBORDINATE",
      Serial: `7f:${k.toString(16).padStart(2, "0")}`,
      NotBefore: epoch(days(now, 200)),
      NotAfter: epoch(days(now, -900)),
      KeyStorageSecurityStandard: "FIPS_140_2_LEVEL_3_OR_HIGHER",
      UsageMode: "SHORT_LIVED_CERTIFICATE",
      CertificateAuthorityConfiguration: {
        KeyAlgorithm: "EC_prime256v1",
        SigningAlgorithm: "SHA256WITHECDSA",
        Subject: { CommonName: `iamra-ca${sfx}.example.com`, Organization: "Example" },
      },
      RevocationConfiguration: { CrlConfiguration: { Enabled: false }, OcspConfiguration: { Enabled: false } },
    });
    const anchorArn = arn("rolesanywhere", `trust-anchor/${id("anchor")}`);
    d.anchors.push({
      trustAnchorArn: anchorArn,
      trustAnchorId: id("anchor"),
      name: `onprem-pki${sfx}`,
      enabled: true,
      source: { sourceType: "AWS_ACM_PCA", sourceData: { acmPcaArn: caArn } },
      createdAt: days(now, 150).toISOString(),
      updatedAt: days(now, 10).toISOString(),
    });
    d.profiles.push({
      profileArn: arn("rolesanywhere", `profile/${id("profile")}`),
      profileId: id("profile"),
      name: `batch${sfx}`,
      enabled: true,
      roleArns: [`arn:aws:iam::${account}:role/iamra-issuer`],
      durationSeconds: 3600,
      requireInstanceProperties: false,
      createdBy: `arn:aws:sts::${account}:assumed-role/admin/alice`,
      createdAt: days(now, 150).toISOString(),
      updatedAt: days(now, 10).toISOString(),
    });
    d.crls.push({
      crlArn: arn("rolesanywhere", `crl/${id("crl")}`),
      crlId: id("crl"),
      name: `onprem-crl${sfx}`,
      enabled: true,
      trustAnchorArn: anchorArn,
      crlData: Buffer.from(`crl-${k}`).toString("base64"),
      createdAt: days(now, 100).toISOString(),
      updatedAt: days(now, 10).toISOString(),
    });
    if (fix) {
      // A profile for onprem-batch (the role whose trust is not scoped), and a disabled anchor beside the enabled one.
      d.profiles.push({
        profileArn: arn("rolesanywhere", `profile/${id("profile-batch")}`),
        profileId: id("profile-batch"),
        name: "onprem-batch",
        enabled: true,
        roleArns: [`arn:aws:iam::${account}:role/onprem-batch`],
        durationSeconds: 3600,
        requireInstanceProperties: false,
        createdBy: `arn:aws:sts::${account}:assumed-role/admin/alice`,
        createdAt: days(now, 120).toISOString(),
        updatedAt: days(now, 5).toISOString(),
      });
      d.anchors.push({
        trustAnchorArn: arn("rolesanywhere", `trust-anchor/${id("anchor-retired")}`),
        trustAnchorId: id("anchor-retired"),
        name: "retired-pki",
        enabled: false,
        source: { sourceType: "AWS_ACM_PCA", sourceData: { acmPcaArn: caArn } },
        createdAt: days(now, 700).toISOString(),
        updatedAt: days(now, 300).toISOString(),
      });
    }

    // KMS: a customer key shared with the other account without conditions (copy 0), else private.
    const keyId = id("key");
    const keyArn = arn("kms", `key/${keyId}`);
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

    // EC2: two subnets (one nearly full) and a security group open to the world on egress.
    const vpc = `vpc-${id("vpc").slice(0, 17).replace(/-/g, "")}`;
    const subnetIds = ["a", "b"].map((az) => `subnet-${id(`subnet-${az}`).replace(/-/g, "").slice(0, 17)}`);
    ["a", "b"].forEach((az, i) => {
      d.subnets.push({
        subnetId: subnetIds[i],
        subnetArn: arn("ec2", `subnet/${subnetIds[i]}`),
        state: "available",
        ownerId: account,
        vpcId: vpc,
        cidrBlock: `10.${k % 250}.${i}.0/27`,
        availableIpAddressCount: i === 0 ? 3 : 20,
        availabilityZone: `${region}${az}`,
        availabilityZoneId: `use1-az${i + 1}`,
        defaultForAz: false,
        mapPublicIpOnLaunch: false,
        tagSet: [{ key: "Name", value: `emr-${az}${sfx}` }],
      });
    });
    const sgId = `sg-${id("sg").replace(/-/g, "").slice(0, 17)}`;
    d.groups.push({
      ownerId: account,
      groupId: sgId,
      groupName: `emr-workers${sfx}`,
      groupDescription: "EMR workers",
      vpcId: vpc,
      securityGroupArn: arn("ec2", `security-group/${sgId}`),
      ipPermissions: [{ ipProtocol: "tcp", fromPort: 22, toPort: 22, ipRanges: [{ cidrIp: "10.0.0.0/8", description: "ssh from corp" }] }],
      ipPermissionsEgress: [{ ipProtocol: "-1", ipRanges: [{ cidrIp: "0.0.0.0/0" }] }],
      tagSet: [{ key: "team", value: "data" }],
    });

    // EKS with a Pod Identity association.
    const clusterName = `prod${sfx}`;
    const assocId = `a-${id("assoc").replace(/-/g, "").slice(0, 17)}`;
    d.clusters.push({
      cluster: {
        name: clusterName,
        arn: arn("eks", `cluster/${clusterName}`),
        createdAt: epoch(days(now, 300)),
        version: "1.31",
        roleArn: `arn:aws:iam::${account}:role/eks-cluster`,
        endpoint: `https://${id("eks").replace(/-/g, "").toUpperCase()}.gr7.${region}.eks.amazonaws.com`,
        status: "ACTIVE",
        platformVersion: "eks.9",
        resourcesVpcConfig: {
          subnetIds,
          securityGroupIds: [sgId],
          clusterSecurityGroupId: sgId,
          vpcId: vpc,
          endpointPublicAccess: false,
          endpointPrivateAccess: true,
          publicAccessCidrs: [],
        },
        kubernetesNetworkConfig: { serviceIpv4Cidr: "172.20.0.0/16", ipFamily: "ipv4" },
        logging: {
          clusterLogging: [
            { types: ["api", "audit", "authenticator"], enabled: true },
            { types: ["scheduler"], enabled: false },
          ],
        },
        identity: { oidc: { issuer: `https://oidc.eks.${region}.amazonaws.com/id/${id("oidc").replace(/-/g, "").toUpperCase()}` } },
        accessConfig: { authenticationMode: "API" },
        encryptionConfig: [{ resources: ["secrets"], provider: { keyArn } }],
        tags: { team: "orders" },
      },
      associations: [
        {
          clusterName,
          namespace: "orders",
          serviceAccount: "orders-api",
          roleArn: `arn:aws:iam::${account}:role/orders-api-pod`,
          associationArn: arn("eks", `podidentityassociation/${clusterName}/${assocId}`),
          associationId: assocId,
          ownerArn: undefined,
          tags: { app: "orders" },
          createdAt: epoch(days(now, 100)),
          modifiedAt: epoch(days(now, 50)),
          disableSessionTags: false,
        },
      ],
    });

    // EMR: an instance-fleet cluster over both subnets.
    const emrId = `j-${id("emr").replace(/-/g, "").slice(0, 13).toUpperCase()}`;
    d.emr.push({
      cluster: {
        Id: emrId,
        Name: `etl${sfx}`,
        ClusterArn: arn("elasticmapreduce", `cluster/${emrId}`),
        ReleaseLabel: "emr-7.2.0",
        InstanceCollectionType: "INSTANCE_FLEET",
        Status: { State: "RUNNING", Timeline: { CreationDateTime: epoch(days(now, 5)) } },
        Ec2InstanceAttributes: { RequestedEc2SubnetIds: subnetIds, Ec2SubnetId: subnetIds[0], Ec2AvailabilityZone: `${region}a` },
        Tags: [{ Key: "team", Value: "data" }],
      },
      fleets: [
        {
          Id: "if-1",
          Name: "primary",
          InstanceFleetType: "MASTER",
          TargetOnDemandCapacity: 1,
          TargetSpotCapacity: 0,
          InstanceTypeSpecifications: [{ InstanceType: "m5.xlarge", WeightedCapacity: 1 }],
        },
        {
          Id: "if-2",
          Name: "core",
          InstanceFleetType: "CORE",
          TargetOnDemandCapacity: 2,
          TargetSpotCapacity: 8,
          InstanceTypeSpecifications: [
            { InstanceType: "r5.2xlarge", WeightedCapacity: 1 },
            { InstanceType: "r5a.2xlarge", WeightedCapacity: 1 },
          ],
          LaunchSpecifications: {
            SpotSpecification: { TimeoutDurationMinutes: 20, TimeoutAction: "SWITCH_TO_ON_DEMAND", AllocationStrategy: "capacity-optimized" },
          },
        },
      ],
      scaling: { ComputeLimits: { UnitType: "InstanceFleetUnits", MinimumCapacityUnits: 3, MaximumCapacityUnits: 40 } },
      running: 3,
    });

    // Network Firewall: firewall, policy, rule group, logging.
    const fwArn = arn("network-firewall", `firewall/egress${sfx}`);
    const policyArn = arn("network-firewall", `firewall-policy/egress${sfx}`);
    const groupArn = arn("network-firewall", `stateful-rulegroup/allowed-domains${sfx}`);
    d.firewalls.push({
      firewall: {
        UpdateToken: id("fw-token"),
        Firewall: {
          FirewallName: `egress${sfx}`,
          FirewallArn: fwArn,
          FirewallPolicyArn: policyArn,
          VpcId: vpc,
          SubnetMappings: [{ SubnetId: subnetIds[1], IPAddressType: "IPV4" }],
          FirewallId: id("fw"),
          DeleteProtection: true,
          SubnetChangeProtection: true,
          FirewallPolicyChangeProtection: true,
          Tags: [{ Key: "team", Value: "network" }],
          EnabledAnalysisTypes: [],
        },
        FirewallStatus: { Status: "READY", ConfigurationSyncStateSummary: "IN_SYNC" },
      },
      logging: {
        FirewallArn: fwArn,
        LoggingConfiguration: {
          LogDestinationConfigs: k === 0 ? [] : [{ LogType: "ALERT", LogDestinationType: "CloudWatchLogs", LogDestination: { logGroup: "/nfw/alert" } }],
        },
      },
    });
    d.fwPolicies.push({
      response: {
        FirewallPolicyName: `egress${sfx}`,
        FirewallPolicyArn: policyArn,
        FirewallPolicyId: id("fwp"),
        FirewallPolicyStatus: "ACTIVE",
        NumberOfAssociations: 1,
        Tags: [],
      },
      policy: {
        StatelessDefaultActions: ["aws:forward_to_sfe"],
        StatelessFragmentDefaultActions: ["aws:forward_to_sfe"],
        StatefulRuleGroupReferences: [{ ResourceArn: groupArn, Priority: 1 }],
        StatefulDefaultActions: ["aws:drop_established"],
        StatefulEngineOptions: { RuleOrder: "STRICT_ORDER" },
      },
      token: id("fwp-token"),
    });
    d.ruleGroups.push({
      response: {
        RuleGroupArn: groupArn,
        RuleGroupName: `allowed-domains${sfx}`,
        RuleGroupId: id("rg"),
        Type: "STATEFUL",
        Capacity: 100,
        RuleGroupStatus: "ACTIVE",
        NumberOfAssociations: 1,
        ConsumedCapacity: 2,
        Tags: [],
      },
      group: {
        RulesSource: {
          RulesSourceList: { Targets: [".example.com", "api.partner.example"], TargetTypes: ["TLS_SNI", "HTTP_HOST"], GeneratedRulesType: "ALLOWLIST" },
        },
        StatefulRuleOptions: { RuleOrder: "STRICT_ORDER" },
      },
    });
    if (fix) {
      // Two policies that are not default deny. egress-legacy is in STRICT_ORDER over an
      // ALLOWLIST group, but its stateful default only alerts and its stateless default
      // passes traffic around the stateful engine (it has a description and a customer
      // managed key, which an update must send back). egress-open is in
      // DEFAULT_ACTION_ORDER over a DENYLIST group in DEFAULT_ACTION_ORDER: a policy and its
      // groups must use the same order, and a group's order is fixed, so it can switch only
      // by referencing blocked-domains-strict, a STRICT_ORDER copy, in the same update.
      const strictGroup = arn("network-firewall", "stateful-rulegroup/allowed-domains-strict");
      const defaultGroup = arn("network-firewall", "stateful-rulegroup/blocked-domains");
      const strictCopy = arn("network-firewall", "stateful-rulegroup/blocked-domains-strict");
      d.ruleGroups.push({
        response: {
          RuleGroupArn: strictGroup,
          RuleGroupName: "allowed-domains-strict",
          RuleGroupId: id("rg-strict"),
          Type: "STATEFUL",
          Capacity: 100,
          RuleGroupStatus: "ACTIVE",
          NumberOfAssociations: 1,
          ConsumedCapacity: 2,
          Tags: [],
        },
        group: {
          RulesSource: { RulesSourceList: { Targets: [".example.com"], TargetTypes: ["TLS_SNI", "HTTP_HOST"], GeneratedRulesType: "ALLOWLIST" } },
          StatefulRuleOptions: { RuleOrder: "STRICT_ORDER" },
        },
      });
      d.ruleGroups.push({
        response: {
          RuleGroupArn: defaultGroup,
          RuleGroupName: "blocked-domains",
          RuleGroupId: id("rg-default"),
          Type: "STATEFUL",
          Capacity: 100,
          RuleGroupStatus: "ACTIVE",
          NumberOfAssociations: 1,
          ConsumedCapacity: 1,
          Tags: [],
        },
        group: {
          RulesSource: { RulesSourceList: { Targets: [".bad.example"], TargetTypes: ["TLS_SNI", "HTTP_HOST"], GeneratedRulesType: "DENYLIST" } },
          StatefulRuleOptions: { RuleOrder: "DEFAULT_ACTION_ORDER" },
        },
      });
      d.ruleGroups.push({
        response: {
          RuleGroupArn: strictCopy,
          RuleGroupName: "blocked-domains-strict",
          RuleGroupId: id("rg-copy"),
          Type: "STATEFUL",
          Capacity: 100,
          RuleGroupStatus: "ACTIVE",
          NumberOfAssociations: 0,
          ConsumedCapacity: 1,
          Tags: [],
        },
        group: {
          RulesSource: { RulesSourceList: { Targets: [".bad.example"], TargetTypes: ["TLS_SNI", "HTTP_HOST"], GeneratedRulesType: "DENYLIST" } },
          StatefulRuleOptions: { RuleOrder: "STRICT_ORDER" },
        },
      });
      for (const [name, group] of [
        ["egress-legacy", strictGroup],
        ["egress-open", defaultGroup],
      ]) {
        d.fwPolicies.push({
          response: {
            FirewallPolicyName: name,
            FirewallPolicyArn: arn("network-firewall", `firewall-policy/${name}`),
            FirewallPolicyId: id(`fwp-${name}`),
            FirewallPolicyStatus: "ACTIVE",
            NumberOfAssociations: 0,
            Tags: [],
            ...(name === "egress-legacy" ? { Description: "legacy egress", EncryptionConfiguration: { KeyId: keyArn, Type: "CUSTOMER_KMS" } } : {}),
          },
          policy:
            name === "egress-legacy"
              ? {
                  StatelessDefaultActions: ["aws:pass"],
                  StatelessFragmentDefaultActions: ["aws:forward_to_sfe"],
                  StatefulRuleGroupReferences: [{ ResourceArn: group, Priority: 10 }],
                  StatefulDefaultActions: ["aws:alert_established"],
                  StatefulEngineOptions: { RuleOrder: "STRICT_ORDER" },
                }
              : {
                  StatelessDefaultActions: ["aws:forward_to_sfe"],
                  StatelessFragmentDefaultActions: ["aws:forward_to_sfe"],
                  StatefulRuleGroupReferences: [{ ResourceArn: group }],
                },
          token: id(`fwp-token-${name}`),
        });
      }
    }

    // ELBv2 and a web ACL protecting it; WAF logging to a Firehose stream (copy 0 has none).
    const lbName = `orders-alb${sfx}`;
    const lbArn = arn("elasticloadbalancing", `loadbalancer/app/${lbName}/${id("lb").replace(/-/g, "").slice(0, 16)}`);
    d.lbs.push({
      lb: {
        LoadBalancerArn: lbArn,
        DNSName: `${lbName}-123.${region}.elb.amazonaws.com`,
        CanonicalHostedZoneId: "Z35SXDOTRQ7X7K",
        CreatedTime: days(now, 200),
        LoadBalancerName: lbName,
        Scheme: "internet-facing",
        VpcId: vpc,
        State: { Code: "active" },
        Type: "application",
        IpAddressType: "ipv4",
        SecurityGroups: [sgId],
        AvailabilityZones: subnetIds.map((s, i) => ({ ZoneName: `${region}${"ab"[i]}`, SubnetId: s, LoadBalancerAddresses: [] })),
      },
      tags: [
        { Key: "app", Value: "orders" },
        { Key: "waf", Value: "required" },
      ],
    });
    const internalArn = arn("elasticloadbalancing", `loadbalancer/app/orders-internal/${id("lb-internal").replace(/-/g, "").slice(0, 16)}`);
    if (fix) {
      // An internal ALB without the waf=required tag, sharing the orders web ACL (fms-retrofit-web-acl-scope-consistent).
      d.lbs.push({
        lb: {
          LoadBalancerArn: internalArn,
          DNSName: `internal-orders-internal-456.${region}.elb.amazonaws.com`,
          CanonicalHostedZoneId: "Z35SXDOTRQ7X7K",
          CreatedTime: days(now, 90),
          LoadBalancerName: "orders-internal",
          Scheme: "internal",
          VpcId: vpc,
          State: { Code: "active" },
          Type: "application",
          IpAddressType: "ipv4",
          SecurityGroups: [sgId],
          AvailabilityZones: subnetIds.map((s, i) => ({ ZoneName: `${region}${"ab"[i]}`, SubnetId: s, LoadBalancerAddresses: [] })),
        },
        tags: [{ Key: "app", Value: "orders" }],
      });
    }
    const aclId = id("acl");
    const aclArn = arn("wafv2", `regional/webacl/orders${sfx}/${aclId}`);
    d.acls.push({
      summary: { Name: `orders${sfx}`, Id: aclId, ARN: aclArn, Description: "orders", LockToken: "lt" },
      acl: {
        Name: `orders${sfx}`,
        Id: aclId,
        ARN: aclArn,
        DefaultAction: { Allow: {} },
        Description: "orders",
        Capacity: 700,
        ManagedByFirewallManager: false,
        LabelNamespace: `awswaf:${account}:webacl:orders${sfx}:`,
        Rules: [
          {
            Name: "AWSManagedRulesCommonRuleSet",
            Priority: 0,
            Statement: { ManagedRuleGroupStatement: { VendorName: "AWS", Name: "AWSManagedRulesCommonRuleSet" } },
            OverrideAction: { None: {} },
            VisibilityConfig: { SampledRequestsEnabled: true, CloudWatchMetricsEnabled: true, MetricName: "common" },
          },
        ],
        VisibilityConfig: { SampledRequestsEnabled: true, CloudWatchMetricsEnabled: true, MetricName: `orders${sfx}` },
      },
      albs: fix ? [lbArn, internalArn].sort() : [lbArn],
      tags: [{ Key: "app", Value: "orders" }],
    });
    const streamName = `aws-waf-logs-orders${sfx}`;
    const streamArn = arn("firehose", `deliverystream/${streamName}`);
    d.streams.push({
      DeliveryStreamName: streamName,
      DeliveryStreamARN: streamArn,
      DeliveryStreamStatus: "ACTIVE",
      DeliveryStreamType: "DirectPut",
      VersionId: "1",
      CreateTimestamp: epoch(days(now, 100)),
      Destinations: [],
      HasMoreDestinations: false,
      DeliveryStreamEncryptionConfiguration: k === 0 ? { Status: "DISABLED" } : { KeyType: "CUSTOMER_MANAGED_CMK", KeyARN: keyArn, Status: "ENABLED" },
    });
    if (k === 0) {
      // A second web ACL, protecting nothing and logging nowhere.
      const legacyId = id("acl-legacy");
      const legacyArn = arn("wafv2", `regional/webacl/legacy/${legacyId}`);
      d.acls.push({
        summary: { Name: "legacy", Id: legacyId, ARN: legacyArn, Description: "legacy", LockToken: "lt" },
        acl: {
          Name: "legacy",
          Id: legacyId,
          ARN: legacyArn,
          DefaultAction: { Allow: {} },
          Rules: [],
          Capacity: 0,
          ManagedByFirewallManager: false,
          VisibilityConfig: { SampledRequestsEnabled: false, CloudWatchMetricsEnabled: false, MetricName: "legacy" },
        },
        albs: [],
        tags: [],
      });
    }
    {
      d.wafLogging.push({
        ResourceArn: aclArn,
        LogDestinationConfigs: [streamArn],
        RedactedFields: [{ SingleHeader: { Name: "authorization" } }],
        ManagedByFirewallManager: false,
        LogType: "WAF_LOGS",
        LogScope: "CUSTOMER",
      });
    }

    // Firewall Manager: a WAF policy, non-compliant in the other account.
    const fmsId = id("fms");
    const fmsArn = `arn:aws:fms:${region}:${account}:policy/${fmsId}`;
    const msd = JSON.stringify({
      type: "WAFV2",
      preProcessRuleGroups: [
        {
          managedRuleGroupIdentifier: { vendorName: "AWS", managedRuleGroupName: "AWSManagedRulesCommonRuleSet" },
          overrideAction: { type: "NONE" },
          ruleGroupType: "ManagedRuleGroup",
          excludeRules: [],
        },
      ],
      postProcessRuleGroups: [],
      defaultAction: { type: "ALLOW" },
      overrideCustomerWebACLAssociation: false,
      sampledRequestsEnabledForDefaultActions: true,
      webACLSource: "RETROFIT_EXISTING",
    });
    d.fmsPolicies.push({
      summary: {
        PolicyArn: fmsArn,
        PolicyId: fmsId,
        PolicyName: `waf-baseline${sfx}`,
        ResourceType: "AWS::ElasticLoadBalancingV2::LoadBalancer",
        SecurityServiceType: "WAFV2",
        RemediationEnabled: true,
        PolicyStatus: "ACTIVE",
      },
      policy: {
        PolicyId: fmsId,
        PolicyName: `waf-baseline${sfx}`,
        PolicyUpdateToken: "1",
        SecurityServicePolicyData: { Type: "WAFV2", ManagedServiceData: msd },
        ResourceType: "AWS::ElasticLoadBalancingV2::LoadBalancer",
        ResourceTags: [{ Key: "waf", Value: "required" }],
        ExcludeResourceTags: false,
        RemediationEnabled: true,
        DeleteUnusedFMManagedResources: false,
        IncludeMap: { ACCOUNT: accounts },
        PolicyStatus: "ACTIVE",
      },
      arn: fmsArn,
      status: accounts.map((a) => ({
        PolicyOwner: account,
        PolicyId: fmsId,
        PolicyName: `waf-baseline${sfx}`,
        MemberAccount: a,
        LastUpdated: epoch(days(now, 1)),
        EvaluationResults: [
          { ComplianceStatus: a === account ? "COMPLIANT" : "NON_COMPLIANT", ViolatorCount: a === account ? 0 : 1, EvaluationLimitExceeded: false },
        ],
      })),
      violators: [
        { ResourceId: lbArn.replace(account, other), ViolationReason: "RESOURCE_MISSING_WEB_ACL", ResourceType: "AWS::ElasticLoadBalancingV2::LoadBalancer" },
      ],
    });

    // WorkMail with one user not linked to Identity Center.
    const orgId = `m-${id("workmail").replace(/-/g, "").slice(0, 32)}`;
    d.orgs.push({
      summary: { OrganizationId: orgId, Alias: `example${k}-${account.slice(-4)}`, DefaultMailDomain: `example${k}.awsapps.com`, State: "Active" },
      described: {
        OrganizationId: orgId,
        Alias: `example${k}-${account.slice(-4)}`,
        State: "Active",
        DirectoryId: `d-${account.slice(-10)}`,
        DirectoryType: "WorkMailDirectory",
        DefaultMailDomain: `example${k}.awsapps.com`,
        CompletedDate: epoch(days(now, 365)),
        ARN: arn("workmail", `organization/${orgId}`),
        InteroperabilityEnabled: false,
      },
      idp:
        k === 0
          ? {
              AuthenticationMode: "IDENTITY_PROVIDER_AND_DIRECTORY",
              IdentityCenterConfiguration: { InstanceArn: "arn:aws:sso:::instance/ssoins-1", ApplicationArn: "arn:aws:sso::123:application/ssoins-1/apl-1" },
              PersonalAccessTokenConfiguration: { Status: "ACTIVE", LifetimeInDays: 365 },
            }
          : {
              AuthenticationMode: "IDENTITY_PROVIDER_ONLY",
              IdentityCenterConfiguration: { InstanceArn: "arn:aws:sso:::instance/ssoins-1", ApplicationArn: "arn:aws:sso::123:application/ssoins-1/apl-1" },
              PersonalAccessTokenConfiguration: { Status: "ACTIVE", LifetimeInDays: 30 },
            },
      users: [
        { Id: "u-1", Email: `alice@example${k}.com`, Name: "alice", State: "ENABLED", UserRole: "USER", IdentityProviderUserId: "idc-alice" },
        { Id: "u-2", Email: `bob@example${k}.com`, Name: "bob", State: "ENABLED", UserRole: "USER" },
      ],
    });

    // GuardDuty (one detector per region) and the EventBridge rule that alerts on its findings.
    // With the remediation fixtures the second region has none and the third a disabled one.
    if (k === 0 && !(fix && regionIndex === 1)) {
      const detectorId = id("gd").replace(/-/g, "").slice(0, 32);
      d.detectors.push({
        id: detectorId,
        detector: {
          createdAt: days(now, 600).toISOString(),
          findingPublishingFrequency: "FIFTEEN_MINUTES",
          status: fix && regionIndex === 2 ? "DISABLED" : "ENABLED",
          updatedAt: days(now, 30).toISOString(),
          serviceRole: `arn:aws:iam::${account}:role/aws-service-role/guardduty.amazonaws.com/AWSServiceRoleForAmazonGuardDuty`,
          tags: { team: "secops" },
          features: [
            { name: "S3_DATA_EVENTS", status: "ENABLED", updatedAt: epoch(days(now, 30)) },
            { name: "EKS_AUDIT_LOGS", status: "ENABLED", updatedAt: epoch(days(now, 30)) },
            {
              name: "RUNTIME_MONITORING",
              status: "DISABLED",
              updatedAt: epoch(days(now, 30)),
              additionalConfiguration: [{ name: "EKS_ADDON_MANAGEMENT", status: "DISABLED", updatedAt: epoch(days(now, 30)) }],
            },
          ],
        },
        findings: [
          {
            accountId: account,
            arn: arn("guardduty", `detector/${detectorId}/finding/f-${account}-${region}`),
            id: `f-${account}-${region}`,
            type: "CryptoCurrency:EC2/BitcoinTool.B!DNS",
            severity: 8,
            title: "EC2 instance is querying a domain name associated with Bitcoin.",
            region,
            partition: "aws",
            schemaVersion: "2.0",
            createdAt: days(now, 2).toISOString(),
            updatedAt: days(now, 1).toISOString(),
            resource: { resourceType: "Instance", instanceDetails: { instanceId: "i-0123456789abcdef0" } },
            service: { archived: false, count: 3, serviceName: "guardduty", detectorId },
          },
        ],
      });
    }
    d.rules.push({
      rule: {
        Name: `guardduty-high${sfx}`,
        Arn: arn("events", `rule/guardduty-high${sfx}`),
        EventBusName: "default",
        State: "ENABLED",
        EventPattern: JSON.stringify({ source: ["aws.guardduty"], "detail-type": ["GuardDuty Finding"], detail: { severity: [{ numeric: [">=", 7] }] } }),
      },
      targets: [{ Id: "sns", Arn: `arn:aws:sns:${region}:${account}:secops-alerts` }],
    });
  }
  return d;
}

// --- the server ----------------------------------------------------------------------

interface Req {
  method: string;
  url: URL;
  headers: http.IncomingHttpHeaders;
  body: string;
  account: string;
  region: string;
  service: string;
  key: string;
}

interface State {
  opts: Required<Omit<StubOptions, "now">> & { now: Date };
  iam: Map<string, IamData>;
  regions: Map<string, RegionData>;
  denies: DenyRule[];
  /** Counter of created ids and update tokens. */
  seq: number;
}

function iamOf(s: State, account: string): IamData {
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

/** A member account's regional data, or an empty region (the caller's own account, unknown regions). */
function regionOf(s: State, account: string, region: string): RegionData {
  const key = `${account}|${region}`;
  let d = s.regions.get(key);
  if (!d) {
    const served = s.opts.accounts.includes(account) && s.opts.regions.includes(region);
    s.regions.set(
      key,
      (d = regionData(account, region, s.opts.accounts, served ? s.opts.scale : 0, s.opts.now, s.opts.remediationFixtures, s.opts.regions.indexOf(region))),
    );
  }
  return d;
}

// --- helpers of the write operations -----------------------------------------------------

/** awsQuery lists: `Name.member.N` (strings) or `Name.member.N.Field` (structures). */
function members(p: URLSearchParams, name: string, fields?: string[]): unknown[] {
  const out: unknown[] = [];
  for (let i = 1; ; i++) {
    if (!fields) {
      const v = p.get(`${name}.member.${i}`);
      if (v === null) return out;
      out.push(v);
      continue;
    }
    const o: Record<string, string> = {};
    for (const f of fields) {
      const v = p.get(`${name}.member.${i}.${f}`);
      if (v !== null) o[f] = v;
    }
    if (Object.keys(o).length === 0) return out;
    out.push(o);
  }
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

// Query / XML: IAM, STS, EC2, ELBv2.
function queryCall(s: State, r: Req, p: URLSearchParams): Answer {
  const action = p.get("Action") ?? "";
  const ok = (result: Record<string, unknown>): Answer => queryOk(r.service, action, result);
  switch (`${r.service}:${action}`) {
    case "sts:GetCallerIdentity": {
      const arn = r.account === s.opts.callerAccount ? `arn:aws:iam::${r.account}:user/scanner` : `arn:aws:sts::${r.account}:assumed-role/audit/rampart-scan`;
      return ok({ Arn: arn, UserId: `AIDA${r.account}`, Account: r.account });
    }
    case "sts:AssumeRole": {
      const roleArn = p.get("RoleArn") ?? "";
      const m = /^arn:aws:iam::(\d{12}):role\/(.+)$/.exec(roleArn);
      if (!m || !s.opts.accounts.includes(m[1])) {
        throw new StubError(
          403,
          "AccessDenied",
          `User: arn:aws:iam::${r.account}:user/scanner is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
        );
      }
      return ok({
        Credentials: {
          AccessKeyId: accessKeyFor(m[1]),
          SecretAccessKey: `stub-secret-${m[1]}`,
          SessionToken: `stub-session-${m[1]}`,
          Expiration: new Date(Date.now() + 3600_000),
        },
        AssumedRoleUser: {
          Arn: `arn:aws:sts::${m[1]}:assumed-role/${m[2]}/${p.get("RoleSessionName") ?? "s"}`,
          AssumedRoleId: `AROA${m[1]}:${p.get("RoleSessionName") ?? "s"}`,
        },
      });
    }
    case "iam:GetAccountAuthorizationDetails": {
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
    case "iam:ListRoles": {
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
    case "iam:GetPolicy": {
      const local = customerPolicy(iamOf(s, r.account), p.get("PolicyArn"), false);
      if (local) return ok({ Policy: policySummary(local) });
      const got = iamOf(s, r.account).awsManaged.get(p.get("PolicyArn") ?? "");
      if (!got) throw new StubError(404, "NoSuchEntity", `Policy ${p.get("PolicyArn")} does not exist or is not attachable.`);
      return ok({ Policy: got.policy });
    }
    case "iam:GetPolicyVersion": {
      const local = customerPolicy(iamOf(s, r.account), p.get("PolicyArn"), false);
      if (local) return ok({ PolicyVersion: policyVersion(local, p.get("VersionId")) });
      const got = iamOf(s, r.account).awsManaged.get(p.get("PolicyArn") ?? "");
      if (!got || (p.get("VersionId") && p.get("VersionId") !== got.policy.DefaultVersionId))
        throw new StubError(404, "NoSuchEntity", `Policy ${p.get("PolicyArn")} version ${p.get("VersionId")} does not exist.`);
      return ok({
        PolicyVersion: { Document: got.document, VersionId: got.policy.DefaultVersionId, IsDefaultVersion: true, CreateDate: got.policy.UpdateDate },
      });
    }
    case "iam:GetRole": {
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
    case "iam:UpdateAssumeRolePolicy": {
      const x = roleNamed(iamOf(s, r.account), p.get("RoleName"));
      x.AssumeRolePolicyDocument = encodeURIComponent(policyText(p.get("PolicyDocument")));
      return ok({});
    }
    case "iam:ListRolePolicies": {
      const x = roleNamed(iamOf(s, r.account), p.get("RoleName"));
      const names = (x.RolePolicyList as { PolicyName: string }[]).map((y) => y.PolicyName).sort();
      const pg = page(names, p.get("Marker"), Number(p.get("MaxItems")) || 100);
      return ok({ PolicyNames: pg.items, IsTruncated: pg.next !== undefined, Marker: pg.next });
    }
    case "iam:GetRolePolicy": {
      const x = roleNamed(iamOf(s, r.account), p.get("RoleName"));
      const got = (x.RolePolicyList as { PolicyName: string; PolicyDocument: string }[]).find((y) => y.PolicyName === p.get("PolicyName"));
      if (!got) throw new StubError(404, "NoSuchEntity", `The role policy with name ${p.get("PolicyName")} cannot be found.`);
      return ok({ RoleName: x.RoleName, PolicyName: got.PolicyName, PolicyDocument: got.PolicyDocument });
    }
    case "iam:PutRolePolicy": {
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
    case "iam:DeleteRolePolicy": {
      const x = roleNamed(iamOf(s, r.account), p.get("RoleName"));
      const list = x.RolePolicyList as { PolicyName: string }[];
      const i = list.findIndex((y) => y.PolicyName === p.get("PolicyName"));
      if (i < 0) throw new StubError(404, "NoSuchEntity", `The role policy with name ${p.get("PolicyName")} cannot be found.`);
      list.splice(i, 1);
      return ok({});
    }
    case "iam:ListAttachedRolePolicies": {
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
    case "iam:ListEntitiesForPolicy": {
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
    case "iam:ListPolicyVersions": {
      const x = customerPolicy(iamOf(s, r.account), p.get("PolicyArn"), true) as Record<string, unknown>;
      const versions = (x.PolicyVersionList as Record<string, unknown>[]).map((v) => ({
        VersionId: v.VersionId,
        IsDefaultVersion: v.IsDefaultVersion,
        CreateDate: v.CreateDate,
      }));
      const pg = page(versions, p.get("Marker"), Number(p.get("MaxItems")) || 100);
      return ok({ Versions: pg.items, IsTruncated: pg.next !== undefined, Marker: pg.next });
    }
    case "iam:CreatePolicyVersion": {
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
    case "iam:SetDefaultPolicyVersion": {
      const x = customerPolicy(iamOf(s, r.account), p.get("PolicyArn"), true) as Record<string, unknown>;
      const id = p.get("VersionId") ?? "";
      policyVersion(x, id); // NoSuchEntity
      setDefaultVersion(x, id, x.PolicyVersionList as Record<string, unknown>[]);
      return ok({});
    }
    case "iam:DeletePolicyVersion": {
      const x = customerPolicy(iamOf(s, r.account), p.get("PolicyArn"), true) as Record<string, unknown>;
      const id = p.get("VersionId") ?? "";
      const v = policyVersion(x, id);
      if (v.IsDefaultVersion) throw new StubError(409, "DeleteConflict", `Cannot delete the default version of a policy.`);
      x.PolicyVersionList = (x.PolicyVersionList as Record<string, unknown>[]).filter((y) => y.VersionId !== id);
      x.UpdateDate = newestVersion(x);
      return ok({});
    }
    case "iam:ListAccessKeys": {
      const user = p.get("UserName") ?? "";
      const keys = iamOf(s, r.account).keys.get(user);
      if (!keys) throw new StubError(404, "NoSuchEntity", `The user with name ${user} cannot be found.`);
      return ok({ UserName: user, AccessKeyMetadata: keys, IsTruncated: false });
    }
    case "iam:GetAccessKeyLastUsed": {
      const id = p.get("AccessKeyId") ?? "";
      const d = iamOf(s, r.account);
      const user = [...d.keys.entries()].find(([, ks]) => ks.some((k) => k.AccessKeyId === id))?.[0];
      return ok({ UserName: user, AccessKeyLastUsed: d.lastUsed.get(id) ?? { ServiceName: "N/A", Region: "N/A" } });
    }
    case "ec2:DescribeRegions":
      return ok({ regionInfo: s.opts.regions.map((x) => ({ regionName: x, regionEndpoint: `ec2.${x}.amazonaws.com`, optInStatus: "opt-in-not-required" })) });
    case "ec2:DescribeSubnets": {
      const pg = page(regionOf(s, r.account, r.region).subnets, p.get("NextToken"), Number(p.get("MaxResults")) || 100);
      return ok({ subnetSet: pg.items, nextToken: pg.next });
    }
    case "ec2:DescribeSecurityGroups": {
      const pg = page(regionOf(s, r.account, r.region).groups, p.get("NextToken"), Number(p.get("MaxResults")) || 100);
      return ok({ securityGroupInfo: pg.items, nextToken: pg.next });
    }
    case "elasticloadbalancing:DescribeLoadBalancers": {
      const pg = page(regionOf(s, r.account, r.region).lbs, p.get("Marker"), Number(p.get("PageSize")) || 100);
      return ok({ LoadBalancers: pg.items.map((x) => x.lb), NextMarker: pg.next });
    }
    case "elasticloadbalancing:AddTags":
    case "elasticloadbalancing:RemoveTags": {
      const arns = members(p, "ResourceArns");
      const lbs = regionOf(s, r.account, r.region).lbs;
      const found = arns.map((a) => lbs.find((x) => x.lb.LoadBalancerArn === a));
      if (arns.length === 0 || found.some((x) => !x)) throw new StubError(400, "LoadBalancerNotFound", `One or more load balancers not found`);
      if (action === "AddTags") {
        const tags = members(p, "Tags", ["Key", "Value"]) as { Key: string; Value?: string }[];
        if (new Set(tags.map((t) => t.Key)).size !== tags.length) throw new StubError(400, "DuplicateTagKeys", `A tag key was specified more than once.`);
        for (const x of found as { tags: Record<string, unknown>[] }[]) {
          const next = x.tags.map((t) => ({ ...t }));
          for (const t of tags) {
            const had = next.find((y) => y.Key === t.Key);
            if (had) had.Value = t.Value ?? "";
            else next.push({ Key: t.Key, Value: t.Value ?? "" });
          }
          if (next.length > 50) throw new StubError(400, "TooManyTags", `You've reached the limit on the number of tags for this resource.`);
          x.tags = next;
        }
      } else {
        const keys = members(p, "TagKeys") as string[];
        for (const x of found as { tags: Record<string, unknown>[] }[]) x.tags = x.tags.filter((t) => !keys.includes(String(t.Key)));
      }
      return ok({});
    }
    case "elasticloadbalancing:DescribeTags": {
      const want = [...p.entries()].filter(([k]) => k.startsWith("ResourceArns.member.")).map(([, v]) => v);
      const lbs = regionOf(s, r.account, r.region).lbs;
      return ok({ TagDescriptions: want.map((a) => ({ ResourceArn: a, Tags: lbs.find((x) => x.lb.LoadBalancerArn === a)?.tags ?? [] })) });
    }
    default:
      throw new StubError(400, "InvalidAction", `The action ${action} is not valid for this web service (stub: ${r.service}).`);
  }
}

type Body = Record<string, any>;

const staleToken = (): StubError => new StubError(400, "InvalidTokenException", "The token you provided is stale or isn't valid for the operation.");
const wafNonexistent = (): StubError =>
  new StubError(400, "WAFNonexistentItemException", "AWS WAF couldn’t perform the operation because your resource doesn’t exist.");

/** A fresh update token (Network Firewall hands out a new one after every change). */
function newToken(s: State): string {
  s.seq++;
  return `00000000-0000-4000-8000-${s.seq.toString(16).padStart(12, "0")}`;
}

/**
 * The checks UpdateFirewallPolicy makes on the new policy: both stateless default action
 * lists; stateful default actions only with STRICT_ORDER; every referenced stateful group
 * exists and uses the policy's rule order, and with STRICT_ORDER has a priority.
 */
function checkFirewallPolicy(d: RegionData, fp: unknown): void {
  const bad = (m: string): StubError => new StubError(400, "InvalidRequestException", m);
  if (!fp || typeof fp !== "object") throw bad("FirewallPolicy is required");
  const p = fp as Record<string, any>;
  if (!Array.isArray(p.StatelessDefaultActions) || !Array.isArray(p.StatelessFragmentDefaultActions))
    throw bad("StatelessDefaultActions and StatelessFragmentDefaultActions are required");
  const order = p.StatefulEngineOptions?.RuleOrder ?? "DEFAULT_ACTION_ORDER";
  if (order !== "STRICT_ORDER" && Array.isArray(p.StatefulDefaultActions) && p.StatefulDefaultActions.length > 0)
    throw bad("StatefulDefaultActions can only be set with the STRICT_ORDER rule order");
  for (const ref of (p.StatefulRuleGroupReferences ?? []) as Record<string, any>[]) {
    const g = d.ruleGroups.find((x) => x.response.RuleGroupArn === ref.ResourceArn);
    if (!g) throw bad(`rule group ${String(ref.ResourceArn)} does not exist`);
    const gOrder = (g.group.StatefulRuleOptions as { RuleOrder?: string } | undefined)?.RuleOrder ?? "DEFAULT_ACTION_ORDER";
    if (gOrder !== order) throw bad(`rule group ${String(ref.ResourceArn)} uses ${gOrder}, the policy ${order}: they must match`);
    if (order === "STRICT_ORDER" && typeof ref.Priority !== "number")
      throw bad(`rule group reference ${String(ref.ResourceArn)} needs a Priority with STRICT_ORDER`);
  }
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

// AWS JSON 1.0 / 1.1: by X-Amz-Target.
function jsonCall(s: State, r: Req, op: string, b: Body): unknown {
  const d = regionOf(s, r.account, r.region);
  const tok = (name = "NextToken") => b[name] as string | undefined;
  switch (`${r.service}:${op}`) {
    case "acm-pca:ListCertificateAuthorities": {
      const pg = page(d.cas, tok(), b.MaxResults);
      return { CertificateAuthorities: pg.items, NextToken: pg.next };
    }
    case "acm-pca:ListTags":
      return { Tags: [{ Key: "team", Value: "pki" }] };
    case "kms:ListKeys": {
      const pg = page(d.keys, tok("Marker"), b.Limit);
      return { Keys: pg.items.map((k) => ({ KeyId: k.meta.KeyId, KeyArn: k.meta.Arn })), Truncated: pg.next !== undefined, NextMarker: pg.next };
    }
    case "kms:DescribeKey":
    case "kms:GetKeyPolicy":
    case "kms:GetKeyRotationStatus":
    case "kms:ListResourceTags": {
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
    case "kms:PutKeyPolicy": {
      const k = d.keys.find((x) => x.meta.KeyId === b.KeyId || x.meta.Arn === b.KeyId);
      if (!k) throw new StubError(400, "NotFoundException", `Key '${String(b.KeyId)}' does not exist`);
      if ((b.PolicyName ?? "default") !== "default") throw new StubError(400, "ValidationException", "PolicyName must be default");
      if (k.meta.KeyManager === "AWS") throw new StubError(400, "AccessDeniedException", "The key policy of an AWS managed key cannot be changed.");
      k.policy = keyPolicyText(b.Policy, r.account, b.BypassPolicyLockoutSafetyCheck === true);
      return {};
    }
    case "secretsmanager:DescribeSecret":
    case "secretsmanager:TagResource":
    case "secretsmanager:UntagResource": {
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
    case "secretsmanager:ListSecrets": {
      const pg = page(d.secrets, tok(), b.MaxResults);
      return { SecretList: pg.items.map((x) => x.entry), NextToken: pg.next };
    }
    case "secretsmanager:GetResourcePolicy": {
      const x = d.secrets.find((y) => y.entry.ARN === b.SecretId || y.entry.Name === b.SecretId);
      if (!x) throw new StubError(400, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.");
      return { ARN: x.entry.ARN, Name: x.entry.Name, ResourcePolicy: x.policy };
    }
    case "elasticmapreduce:ListClusters": {
      const pg = page(d.emr, tok("Marker"), 50);
      return {
        Clusters: pg.items.map((x) => ({ Id: x.cluster.Id, Name: x.cluster.Name, Status: x.cluster.Status, ClusterArn: x.cluster.ClusterArn })),
        Marker: pg.next,
      };
    }
    case "elasticmapreduce:DescribeCluster":
    case "elasticmapreduce:ListInstanceFleets":
    case "elasticmapreduce:GetManagedScalingPolicy":
    case "elasticmapreduce:ListInstances": {
      const x = d.emr.find((y) => y.cluster.Id === b.ClusterId);
      if (!x) throw new StubError(400, "InvalidRequestException", `Cluster id '${String(b.ClusterId)}' is not valid.`);
      if (op === "DescribeCluster") return { Cluster: x.cluster };
      if (op === "ListInstanceFleets") return { InstanceFleets: x.fleets };
      if (op === "GetManagedScalingPolicy") return x.scaling ? { ManagedScalingPolicy: x.scaling } : {};
      return {
        Instances: Array.from({ length: x.running }, (_, i) => ({
          Id: `ci-${i}`,
          Ec2InstanceId: `i-0${i}`,
          Status: { State: "RUNNING" },
          InstanceFleetId: i === 0 ? "if-1" : "if-2",
        })),
      };
    }
    case "network-firewall:ListFirewalls": {
      const pg = page(d.firewalls, tok(), b.MaxResults);
      return {
        Firewalls: pg.items.map((x) => ({ FirewallName: x.firewall.Firewall.FirewallName, FirewallArn: x.firewall.Firewall.FirewallArn })),
        NextToken: pg.next,
      };
    }
    case "network-firewall:DescribeFirewall":
    case "network-firewall:DescribeLoggingConfiguration":
    case "network-firewall:UpdateFirewallAnalysisSettings": {
      const x = d.firewalls.find((y) =>
        b.FirewallArn ? y.firewall.Firewall.FirewallArn === b.FirewallArn : y.firewall.Firewall.FirewallName === b.FirewallName,
      );
      if (!x) throw new StubError(400, "ResourceNotFoundException", `firewall ${String(b.FirewallArn ?? b.FirewallName)} not found`);
      if (op === "DescribeFirewall") return x.firewall;
      if (op === "DescribeLoggingConfiguration") return x.logging;
      if (b.UpdateToken !== undefined && b.UpdateToken !== x.firewall.UpdateToken) throw staleToken();
      const types = (b.EnabledAnalysisTypes ?? []) as string[];
      if (types.some((t) => t !== "TLS_SNI" && t !== "HTTP_HOST"))
        throw new StubError(400, "InvalidRequestException", `EnabledAnalysisTypes: valid values are TLS_SNI and HTTP_HOST`);
      x.firewall.Firewall.EnabledAnalysisTypes = [...types];
      x.firewall.UpdateToken = newToken(s);
      return {
        EnabledAnalysisTypes: types,
        FirewallArn: x.firewall.Firewall.FirewallArn,
        FirewallName: x.firewall.Firewall.FirewallName,
        UpdateToken: x.firewall.UpdateToken,
      };
    }
    case "network-firewall:ListFirewallPolicies": {
      const pg = page(d.fwPolicies, tok(), b.MaxResults);
      return { FirewallPolicies: pg.items.map((x) => ({ Name: x.response.FirewallPolicyName, Arn: x.response.FirewallPolicyArn })), NextToken: pg.next };
    }
    case "network-firewall:DescribeFirewallPolicy": {
      const x = d.fwPolicies.find((y) => y.response.FirewallPolicyArn === b.FirewallPolicyArn);
      if (!x) throw notFound(`firewall policy ${String(b.FirewallPolicyArn)}`);
      return { UpdateToken: x.token, FirewallPolicyResponse: x.response, FirewallPolicy: x.policy };
    }
    case "network-firewall:UpdateFirewallPolicy": {
      const x = d.fwPolicies.find((y) =>
        b.FirewallPolicyArn ? y.response.FirewallPolicyArn === b.FirewallPolicyArn : y.response.FirewallPolicyName === b.FirewallPolicyName,
      );
      if (!x) throw notFound(`firewall policy ${String(b.FirewallPolicyArn ?? b.FirewallPolicyName)}`);
      if (typeof b.UpdateToken !== "string" || b.UpdateToken !== x.token) throw staleToken();
      checkFirewallPolicy(d, b.FirewallPolicy);
      if (b.DryRun === true) return { UpdateToken: x.token, FirewallPolicyResponse: x.response };
      x.policy = JSON.parse(JSON.stringify(b.FirewallPolicy)) as Record<string, unknown>;
      // The update replaces the description and the encryption: left out, they are cleared
      // (a customer managed key falls back to an AWS owned one).
      if (typeof b.Description === "string") x.response.Description = b.Description;
      else delete x.response.Description;
      if (b.EncryptionConfiguration) x.response.EncryptionConfiguration = JSON.parse(JSON.stringify(b.EncryptionConfiguration)) as unknown;
      else if (x.response.EncryptionConfiguration) x.response.EncryptionConfiguration = { Type: "AWS_OWNED_KMS_KEY" };
      x.token = newToken(s);
      return { UpdateToken: x.token, FirewallPolicyResponse: x.response };
    }
    case "network-firewall:ListRuleGroups": {
      const pg = page(d.ruleGroups, tok(), b.MaxResults);
      return { RuleGroups: pg.items.map((x) => ({ Name: x.response.RuleGroupName, Arn: x.response.RuleGroupArn })), NextToken: pg.next };
    }
    case "network-firewall:DescribeRuleGroup": {
      const x = d.ruleGroups.find((y) => y.response.RuleGroupArn === b.RuleGroupArn);
      if (!x) throw notFound(`rule group ${String(b.RuleGroupArn)}`);
      return { UpdateToken: "t", RuleGroupResponse: x.response, RuleGroup: x.group };
    }
    case "wafv2:ListWebACLs": {
      const acls = b.Scope === "REGIONAL" ? d.acls : [];
      const pg = page(acls, tok("NextMarker"), b.Limit);
      return { WebACLs: pg.items.map((x) => x.summary), NextMarker: pg.next };
    }
    case "wafv2:GetWebACL": {
      const x = d.acls.find((y) => y.summary.Id === b.Id && y.summary.Name === b.Name);
      if (!x) throw wafNonexistent();
      return { WebACL: x.acl, LockToken: "lt" };
    }
    case "wafv2:ListTagsForResource": {
      const x = d.acls.find((y) => y.summary.ARN === b.ResourceARN);
      return { TagInfoForResource: { ResourceARN: b.ResourceARN, TagList: x?.tags ?? [] } };
    }
    case "wafv2:ListResourcesForWebACL": {
      const x = d.acls.find((y) => y.summary.ARN === b.WebACLArn);
      return { ResourceArns: x && b.ResourceType === "APPLICATION_LOAD_BALANCER" ? x.albs : [] };
    }
    case "wafv2:GetLoggingConfiguration": {
      const x = d.wafLogging.find((y) => y.ResourceArn === b.ResourceArn);
      if (!x) throw wafNonexistent();
      return { LoggingConfiguration: x };
    }
    case "wafv2:PutLoggingConfiguration": {
      const lc = (b.LoggingConfiguration ?? {}) as Record<string, any>;
      if (!d.acls.some((y) => y.summary.ARN === lc.ResourceArn)) throw wafNonexistent();
      const dests = (lc.LogDestinationConfigs ?? []) as string[];
      if (dests.length !== 1)
        throw new StubError(
          400,
          "WAFInvalidParameterException",
          "Error reason: LogDestinationConfigs must hold exactly one destination, field: LOG_DESTINATION",
        );
      const dest = dests[0];
      if (!/:(deliverystream\/|log-group:|s3:::)aws-waf-logs-/.test(dest))
        throw new StubError(
          400,
          "WAFInvalidParameterException",
          "Error reason: The ARN isn't valid. A valid ARN begins with arn: and includes other information separated by colons or slashes., field: LOG_DESTINATION",
        );
      if (dest.includes(":deliverystream/")) {
        const [, , , region, account] = dest.split(":");
        const name = dest.split("deliverystream/")[1];
        if (region !== r.region || account !== r.account || !d.streams.some((x) => x.DeliveryStreamName === name)) throw wafNonexistent();
      }
      const stored = JSON.parse(JSON.stringify({ ManagedByFirewallManager: false, LogType: "WAF_LOGS", LogScope: "CUSTOMER", ...lc })) as Record<
        string,
        unknown
      >;
      const i = d.wafLogging.findIndex((y) => y.ResourceArn === lc.ResourceArn);
      if (i >= 0) d.wafLogging[i] = stored;
      else d.wafLogging.push(stored);
      return { LoggingConfiguration: stored };
    }
    case "wafv2:DeleteLoggingConfiguration": {
      const i = d.wafLogging.findIndex((y) => y.ResourceArn === b.ResourceArn);
      if (i < 0) throw wafNonexistent();
      d.wafLogging.splice(i, 1);
      return {};
    }
    case "wafv2:GetWebACLForResource": {
      if (!d.lbs.some((y) => y.lb.LoadBalancerArn === b.ResourceArn)) throw wafNonexistent();
      const x = d.acls.find((y) => y.albs.includes(String(b.ResourceArn)));
      return x ? { WebACL: x.acl } : {};
    }
    case "wafv2:AssociateWebACL": {
      const x = d.acls.find((y) => y.summary.ARN === b.WebACLArn);
      if (!x || !d.lbs.some((y) => y.lb.LoadBalancerArn === b.ResourceArn)) throw wafNonexistent();
      // A resource has at most one web ACL: associating another replaces it.
      for (const y of d.acls) y.albs = y.albs.filter((a) => a !== b.ResourceArn);
      x.albs = [...x.albs, String(b.ResourceArn)].sort();
      return {};
    }
    case "wafv2:DisassociateWebACL": {
      if (!d.lbs.some((y) => y.lb.LoadBalancerArn === b.ResourceArn)) throw wafNonexistent();
      for (const y of d.acls) y.albs = y.albs.filter((a) => a !== b.ResourceArn);
      return {};
    }
    case "wafv2:ListLoggingConfigurations": {
      const pg = page(b.Scope === "REGIONAL" ? d.wafLogging : [], tok("NextMarker"), b.Limit);
      return { LoggingConfigurations: pg.items, NextMarker: pg.next };
    }
    case "fms:ListPolicies": {
      const pg = page(d.fmsPolicies, tok(), b.MaxResults);
      return { PolicyList: pg.items.map((x) => x.summary), NextToken: pg.next };
    }
    case "fms:GetPolicy": {
      const x = d.fmsPolicies.find((y) => y.summary.PolicyId === b.PolicyId);
      if (!x) throw notFound(`policy ${String(b.PolicyId)}`);
      return { Policy: x.policy, PolicyArn: x.arn };
    }
    case "fms:ListTagsForResource":
      return { TagList: [{ Key: "owner", Value: "secops" }] };
    case "fms:ListComplianceStatus": {
      const x = d.fmsPolicies.find((y) => y.summary.PolicyId === b.PolicyId);
      return { PolicyComplianceStatusList: x?.status ?? [] };
    }
    case "fms:GetComplianceDetail": {
      const x = d.fmsPolicies.find((y) => y.summary.PolicyId === b.PolicyId);
      return {
        PolicyComplianceDetail: {
          PolicyOwner: r.account,
          PolicyId: b.PolicyId,
          MemberAccount: b.MemberAccount,
          EvaluationLimitExceeded: false,
          Violators: x?.violators ?? [],
        },
      };
    }
    case "workmail:ListOrganizations": {
      const pg = page(d.orgs, tok(), b.MaxResults);
      return { OrganizationSummaries: pg.items.map((x) => x.summary), NextToken: pg.next };
    }
    case "workmail:DescribeOrganization":
    case "workmail:DescribeIdentityProviderConfiguration":
    case "workmail:ListUsers": {
      const x = d.orgs.find((y) => y.summary.OrganizationId === b.OrganizationId);
      if (!x) throw new StubError(400, "OrganizationNotFoundException", `organization ${String(b.OrganizationId)} not found`);
      if (op === "DescribeOrganization") return x.described;
      if (op === "DescribeIdentityProviderConfiguration") return x.idp;
      const pg = page(
        x.users.filter((u) => !b.Filters?.State || u.State === b.Filters.State),
        tok(),
        b.MaxResults,
      );
      return { Users: pg.items, NextToken: pg.next };
    }
    case "workmail:PutIdentityProviderConfiguration": {
      const x = d.orgs.find((y) => y.summary.OrganizationId === b.OrganizationId);
      if (!x) throw new StubError(400, "OrganizationNotFoundException", `organization ${String(b.OrganizationId)} not found`);
      const ic = b.IdentityCenterConfiguration as Record<string, unknown> | undefined;
      const pat = b.PersonalAccessTokenConfiguration as Record<string, unknown> | undefined;
      if (!["IDENTITY_PROVIDER_ONLY", "IDENTITY_PROVIDER_AND_DIRECTORY"].includes(String(b.AuthenticationMode)))
        throw new StubError(400, "InvalidParameterException", "AuthenticationMode is not valid");
      if (!ic?.InstanceArn || !ic.ApplicationArn)
        throw new StubError(400, "InvalidParameterException", "IdentityCenterConfiguration needs InstanceArn and ApplicationArn");
      if (!pat || !["ACTIVE", "INACTIVE"].includes(String(pat.Status)))
        throw new StubError(400, "InvalidParameterException", "PersonalAccessTokenConfiguration.Status is required");
      x.idp = JSON.parse(
        JSON.stringify({ AuthenticationMode: b.AuthenticationMode, IdentityCenterConfiguration: ic, PersonalAccessTokenConfiguration: pat }),
      ) as Record<string, unknown>;
      return {};
    }
    case "events:ListRules": {
      const pg = page(d.rules, tok(), b.Limit);
      return { Rules: pg.items.map((x) => x.rule), NextToken: pg.next };
    }
    case "events:ListTargetsByRule": {
      const x = d.rules.find((y) => y.rule.Name === b.Rule);
      if (!x) throw new StubError(400, "ResourceNotFoundException", `Rule ${String(b.Rule)} does not exist on EventBus default.`);
      return { Targets: x.targets };
    }
    case "firehose:ListDeliveryStreams": {
      const names = d.streams.map((x) => String(x.DeliveryStreamName)).sort();
      const from = b.ExclusiveStartDeliveryStreamName ? names.indexOf(String(b.ExclusiveStartDeliveryStreamName)) + 1 : 0;
      const n = Math.min(Number(b.Limit) || 100, 100);
      return { DeliveryStreamNames: names.slice(from, from + n), HasMoreDeliveryStreams: from + n < names.length };
    }
    case "firehose:DescribeDeliveryStream": {
      const x = d.streams.find((y) => y.DeliveryStreamName === b.DeliveryStreamName);
      if (!x) throw new StubError(400, "ResourceNotFoundException", `Firehose ${String(b.DeliveryStreamName)} not found.`);
      const answer = { DeliveryStreamDescription: JSON.parse(JSON.stringify(x)) as unknown };
      // ENABLING / DISABLING are seen once, then the change has finished.
      const e = x.DeliveryStreamEncryptionConfiguration as Record<string, unknown> | undefined;
      if (e?.Status === "ENABLING") e.Status = "ENABLED";
      if (e?.Status === "DISABLING") x.DeliveryStreamEncryptionConfiguration = { Status: "DISABLED" };
      return answer;
    }
    case "firehose:StartDeliveryStreamEncryption":
    case "firehose:StopDeliveryStreamEncryption": {
      const x = d.streams.find((y) => y.DeliveryStreamName === b.DeliveryStreamName);
      if (!x) throw new StubError(400, "ResourceNotFoundException", `Firehose ${String(b.DeliveryStreamName)} not found.`);
      if (x.DeliveryStreamType !== "DirectPut")
        throw new StubError(400, "InvalidArgumentException", `Encryption is supported only for Direct PUT delivery streams.`);
      const e = (x.DeliveryStreamEncryptionConfiguration ?? { Status: "DISABLED" }) as Record<string, unknown>;
      if (e.Status === "ENABLING" || e.Status === "DISABLING")
        throw new StubError(400, "ResourceInUseException", `Firehose ${String(b.DeliveryStreamName)} is ${String(e.Status)}.`);
      if (op === "StopDeliveryStreamEncryption") {
        if (e.Status === "ENABLED" || e.Status === "DISABLING_FAILED") x.DeliveryStreamEncryptionConfiguration = { ...e, Status: "DISABLING" };
        return {};
      }
      const input = (b.DeliveryStreamEncryptionConfigurationInput ?? { KeyType: "AWS_OWNED_CMK" }) as { KeyType?: string; KeyARN?: string };
      if (input.KeyType === "CUSTOMER_MANAGED_CMK" && !input.KeyARN)
        throw new StubError(400, "InvalidArgumentException", "KeyARN is required for CUSTOMER_MANAGED_CMK.");
      if (input.KeyType === "AWS_OWNED_CMK" && input.KeyARN) throw new StubError(400, "InvalidArgumentException", "KeyARN is not allowed for AWS_OWNED_CMK.");
      x.DeliveryStreamEncryptionConfiguration = {
        KeyType: input.KeyType ?? "AWS_OWNED_CMK",
        ...(input.KeyARN ? { KeyARN: input.KeyARN } : {}),
        Status: "ENABLING",
      };
      return {};
    }
    case "firehose:ListTagsForDeliveryStream":
      return { Tags: [{ Key: "team", Value: "secops" }], HasMoreTags: false };
    default:
      throw new StubError(400, "UnknownOperationException", `stub: ${r.service} has no operation ${op}`);
  }
}

// REST-JSON: GuardDuty, EKS, IAM Roles Anywhere, by method and path.
function restCall(s: State, r: Req, b: Body): unknown {
  const d = regionOf(s, r.account, r.region);
  const q = r.url.searchParams;
  const parts = r.url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
  const literal = new Set(["findings", "get", "pod-identity-associations"]);
  const route = `${r.service}:${r.method} /${parts.map((x, i) => (i % 2 === 1 && !literal.has(x) ? "{}" : x)).join("/")}`;
  switch (route) {
    case "rolesanywhere:GET /trustanchors": {
      const pg = page(d.anchors, q.get("nextToken"), Number(q.get("pageSize")));
      return { trustAnchors: pg.items, nextToken: pg.next };
    }
    case "rolesanywhere:GET /profiles": {
      const pg = page(d.profiles, q.get("nextToken"), Number(q.get("pageSize")));
      return { profiles: pg.items, nextToken: pg.next };
    }
    case "rolesanywhere:GET /crls": {
      const pg = page(d.crls, q.get("nextToken"), Number(q.get("pageSize")));
      return { crls: pg.items, nextToken: pg.next };
    }
    case "rolesanywhere:GET /ListTagsForResource":
      return { tags: [{ key: "team", value: "pki" }] };
    case "eks:GET /clusters": {
      const pg = page(d.clusters, q.get("nextToken"), Number(q.get("maxResults")));
      return { clusters: pg.items.map((x) => x.cluster.name), nextToken: pg.next };
    }
    case "eks:GET /clusters/{}": {
      const x = d.clusters.find((y) => y.cluster.name === parts[1]);
      if (!x) throw new StubError(404, "ResourceNotFoundException", `No cluster found for name: ${parts[1]}.`);
      return { cluster: x.cluster };
    }
    case "eks:GET /clusters/{}/pod-identity-associations": {
      const x = d.clusters.find((y) => y.cluster.name === parts[1]);
      if (!x) throw new StubError(404, "ResourceNotFoundException", `No cluster found for name: ${parts[1]}.`);
      const pg = page(x.associations, q.get("nextToken"), Number(q.get("maxResults")));
      return {
        associations: pg.items.map((a) => ({
          clusterName: a.clusterName,
          namespace: a.namespace,
          serviceAccount: a.serviceAccount,
          associationArn: a.associationArn,
          associationId: a.associationId,
        })),
        nextToken: pg.next,
      };
    }
    case "eks:GET /clusters/{}/pod-identity-associations/{}": {
      const a = d.clusters.find((y) => y.cluster.name === parts[1])?.associations.find((y) => y.associationId === parts[3]);
      if (!a) throw new StubError(404, "ResourceNotFoundException", `association ${parts[3]} not found`);
      return { association: a };
    }
    case "guardduty:GET /detector": {
      const pg = page(d.detectors, q.get("nextToken"), Number(q.get("maxResults")));
      return { detectorIds: pg.items.map((x) => x.id), nextToken: pg.next };
    }
    case "guardduty:POST /detector": {
      if (d.detectors.length > 0)
        throw new StubError(400, "BadRequestException", "The request is rejected because a detector already exists for the current account.");
      if (typeof b.enable !== "boolean")
        throw new StubError(
          400,
          "BadRequestException",
          "The request is rejected because an invalid or out-of-range value is specified as an input parameter: enable.",
        );
      s.seq++;
      const id = uuid(r.account, r.region, "gd-created", s.seq).replace(/-/g, "").slice(0, 32);
      const when = new Date();
      const features = NEW_DETECTOR_FEATURES.map(([name, status]) => ({ name, status, updatedAt: epoch(when) }));
      d.detectors.push({
        id,
        detector: {
          createdAt: when.toISOString(),
          findingPublishingFrequency: b.findingPublishingFrequency ?? "SIX_HOURS",
          status: b.enable ? "ENABLED" : "DISABLED",
          updatedAt: when.toISOString(),
          serviceRole: `arn:aws:iam::${r.account}:role/aws-service-role/guardduty.amazonaws.com/AWSServiceRoleForAmazonGuardDuty`,
          tags: b.tags ?? {},
          features,
        },
        findings: [],
      });
      updateFeatures(d.detectors[d.detectors.length - 1].detector, b.features, when);
      return { detectorId: id };
    }
    case "guardduty:POST /detector/{}":
    case "guardduty:DELETE /detector/{}": {
      const i = d.detectors.findIndex((y) => y.id === parts[1]);
      if (i < 0) throw new StubError(400, "BadRequestException", `The request is rejected because the input detectorId is not owned by the current account.`);
      if (r.method === "DELETE") {
        d.detectors.splice(i, 1);
        return {};
      }
      const det = d.detectors[i].detector;
      const when = new Date();
      if (typeof b.enable === "boolean") det.status = b.enable ? "ENABLED" : "DISABLED";
      if (typeof b.findingPublishingFrequency === "string") det.findingPublishingFrequency = b.findingPublishingFrequency;
      updateFeatures(det, b.features, when);
      det.updatedAt = when.toISOString();
      return {};
    }
    case "guardduty:GET /detector/{}":
    case "guardduty:POST /detector/{}/findings":
    case "guardduty:POST /detector/{}/findings/get": {
      const x = d.detectors.find((y) => y.id === parts[1]);
      if (!x) throw new StubError(400, "BadRequestException", `The request is rejected because the input detectorId is not owned by the current account.`);
      if (r.method === "GET") return x.detector;
      if (parts.length === 3) {
        const pg = page(x.findings, b.nextToken, b.maxResults);
        return { findingIds: pg.items.map((f) => f.id), nextToken: pg.next ?? "" };
      }
      const ids = new Set<string>(b.findingIds ?? []);
      return { findings: x.findings.filter((f) => ids.has(String(f.id))) };
    }
    default:
      throw new StubError(404, "UnknownOperationException", `stub: no route ${route}`);
  }
}

/** The features a detector created through the API starts with. */
const NEW_DETECTOR_FEATURES: [string, string][] = [
  ["CLOUD_TRAIL", "ENABLED"],
  ["DNS_LOGS", "ENABLED"],
  ["FLOW_LOGS", "ENABLED"],
  ["S3_DATA_EVENTS", "ENABLED"],
  ["EKS_AUDIT_LOGS", "ENABLED"],
  ["EBS_MALWARE_PROTECTION", "ENABLED"],
  ["RDS_LOGIN_EVENTS", "ENABLED"],
  ["LAMBDA_NETWORK_LOGS", "ENABLED"],
  ["RUNTIME_MONITORING", "DISABLED"],
];

const FEATURE_NAMES = new Set([...NEW_DETECTOR_FEATURES.map(([n]) => n), "EKS_RUNTIME_MONITORING"]);

/** UpdateDetector / CreateDetector `features`: set the named features' statuses (and additional configurations); others stay. */
function updateFeatures(det: Record<string, unknown>, given: unknown, when: Date): void {
  if (given === undefined) return;
  if (!Array.isArray(given)) throw new StubError(400, "BadRequestException", "features must be a list");
  const list = ((det.features ?? []) as Record<string, unknown>[]).map((f) => ({ ...f }));
  for (const g of given as Record<string, any>[]) {
    if (!FEATURE_NAMES.has(g.name) || (g.status !== undefined && g.status !== "ENABLED" && g.status !== "DISABLED")) {
      throw new StubError(
        400,
        "BadRequestException",
        `The request is rejected because an invalid or out-of-range value is specified as an input parameter: features ${JSON.stringify(g)}.`,
      );
    }
    let f = list.find((x) => x.name === g.name);
    if (!f) list.push((f = { name: g.name, status: "DISABLED" }));
    if (g.status) f.status = g.status;
    f.updatedAt = epoch(when);
    for (const a of (g.additionalConfiguration ?? []) as Record<string, any>[]) {
      const extra = ((f.additionalConfiguration ?? []) as Record<string, unknown>[]).map((x) => ({ ...x }));
      const had = extra.find((x) => x.name === a.name);
      if (had) Object.assign(had, { status: a.status, updatedAt: epoch(when) });
      else extra.push({ name: a.name, status: a.status, updatedAt: epoch(when) });
      f.additionalConfiguration = extra;
    }
  }
  det.features = list;
}

const THROTTLE = { query: "Throttling", ec2: "RequestLimitExceeded", json: "ThrottlingException", rest: "TooManyRequestsException" } as const;
const DENY = { query: "AccessDenied", ec2: "UnauthorizedOperation", json: "AccessDeniedException", rest: "AccessDeniedException" } as const;

function protocolOf(r: Req): "query" | "ec2" | "json" | "rest" {
  if (r.headers["x-amz-target"]) return "json";
  if (String(r.headers["content-type"] ?? "").includes("x-www-form-urlencoded")) return r.service === "ec2" ? "ec2" : "query";
  return "rest";
}

function errorAnswer(r: Req, proto: ReturnType<typeof protocolOf>, status: number, code: string, message: string): Answer {
  return proto === "query" || proto === "ec2" ? queryError(r.service, status, code, message) : jsonError(status, code, message);
}

function answer(s: State, r: Req): Answer {
  const proto = protocolOf(r);
  try {
    if (proto === "query" || proto === "ec2") return queryCall(s, r, new URLSearchParams(r.body));
    const b = (r.body ? JSON.parse(r.body) : {}) as Body;
    if (proto === "json") return jsonOk(jsonCall(s, r, String(r.headers["x-amz-target"]).split(".").pop() ?? "", b), "json");
    return jsonOk(restCall(s, r, b), "rest");
  } catch (err) {
    if (err instanceof StubError) return errorAnswer(r, proto, err.status, err.code, err.message);
    return errorAnswer(r, proto, 500, "InternalFailure", `stub failure: ${(err as Error).message}`);
  }
}

function operationOf(r: Req): string {
  const proto = protocolOf(r);
  if (proto === "json") return String(r.headers["x-amz-target"]).split(".").pop() ?? "?";
  if (proto === "rest") return `${r.method} ${r.url.pathname.replace(/\/[^/]*[0-9a-f]{8}[^/]*/g, "/{id}")}`;
  return new URLSearchParams(r.body).get("Action") ?? "?";
}

/** Maps → objects, Dates → ISO strings, and a deep copy. */
function plainCopy(v: unknown): Record<string, unknown> {
  return JSON.parse(JSON.stringify(v, (_k, x: unknown) => (x instanceof Map ? Object.fromEntries(x) : x))) as Record<string, unknown>;
}

function dumpState(s: State): StubState {
  // The member accounts' and the caller's data exist (they are built on first use, the same every time).
  for (const a of new Set([...s.opts.accounts, s.opts.callerAccount])) {
    iamOf(s, a);
    for (const r of s.opts.regions) regionOf(s, a, r);
  }
  const iam: StubState["iam"] = {};
  for (const [a, d] of [...s.iam.entries()].sort(([x], [y]) => x.localeCompare(y))) {
    const { versionSeq: _seq, ...rest } = d;
    iam[a] = plainCopy(rest);
  }
  const regions: StubState["regions"] = {};
  for (const [k, d] of [...s.regions.entries()].sort(([x], [y]) => x.localeCompare(y))) {
    const [a, r] = k.split("|");
    const served = (s.opts.accounts.includes(a) || a === s.opts.callerAccount) && s.opts.regions.includes(r);
    if (served || Object.values(d).some((v) => Array.isArray(v) && v.length > 0)) regions[k] = plainCopy(d);
  }
  return { iam, regions };
}

/** Starts the stub on 127.0.0.1 (an ephemeral port). */
export async function startAwsStub(options: StubOptions): Promise<AwsStub> {
  const opts = {
    callerAccount: DEFAULT_CALLER,
    scale: 1,
    iamExtra: 0,
    latencyMs: 0,
    throttleRate: 0,
    seed: 1,
    remediationFixtures: false,
    ...options,
    now: options.now ?? new Date(),
  };
  const state: State = { opts, iam: new Map(), regions: new Map(), denies: [], seq: 0 };
  const rand = mulberry32(opts.seed);
  const throttledOnce = new Set<string>();
  const byOperation = new Map<string, number>();
  const byScope = new Map<string, number>();
  let calls = 0;
  let throttled = 0;

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const auth = String(req.headers.authorization ?? "");
      const scope = /Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(auth);
      const key = scope?.[1] ?? "";
      const r: Req = {
        method: req.method ?? "GET",
        url: new URL(req.url ?? "/", "http://stub"),
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
        key,
        account: accountOfKey(key, opts.callerAccount),
        region: scope?.[2] ?? "us-east-1",
        service: scope?.[3] ?? "",
      };
      calls++;
      const op = `${r.service}:${operationOf(r)}`;
      byOperation.set(op, (byOperation.get(op) ?? 0) + 1);
      const where = `${r.account}|${r.region}|${r.service}`;
      byScope.set(where, (byScope.get(where) ?? 0) + 1);
      const proto = protocolOf(r);
      let a: Answer;
      const denied = state.denies.some((d) => d.service === r.service && (!d.account || d.account === r.account) && (!d.region || d.region === r.region));
      const once = `${r.key}|${r.region}|${r.method}|${req.url}|${String(req.headers["x-amz-target"] ?? "")}|${r.body}`;
      if (!scope) {
        a = errorAnswer(r, proto, 403, "MissingAuthenticationTokenException", "Missing Authentication Token");
      } else if (denied) {
        const action = `${r.service}:${operationOf(r).split(" ")[0]}`;
        a = errorAnswer(
          r,
          proto,
          proto === "query" || proto === "ec2" ? 403 : 403,
          DENY[proto],
          `User: arn:aws:sts::${r.account}:assumed-role/audit/rampart-scan is not authorized to perform: ${action} (stub deny switch)`,
        );
      } else if (opts.throttleRate > 0 && r.service !== "sts" && !throttledOnce.has(once) && rand() < opts.throttleRate) {
        throttledOnce.add(once);
        throttled++;
        a = errorAnswer(r, proto, proto === "rest" ? 429 : 400, THROTTLE[proto], "Rate exceeded");
      } else {
        a = answer(state, r);
      }
      const send = (): void => {
        res.writeHead(a.status, a.headers);
        res.end(a.body);
      };
      if (opts.latencyMs > 0) setTimeout(send, opts.latencyMs);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    accessKeyId: BASE_ACCESS_KEY,
    secretAccessKey: BASE_SECRET,
    callerAccount: opts.callerAccount,
    accounts: [...opts.accounts],
    regions: [...opts.regions],
    get calls() {
      return calls;
    },
    get throttled() {
      return throttled;
    },
    get byOperation() {
      return byOperation;
    },
    get byScope() {
      return byScope;
    },
    deny(rule) {
      state.denies.push(rule);
    },
    allowAll() {
      state.denies = [];
    },
    state: () => dumpState(state),
    iam: (account) => iamOf(state, account),
    region: (account, region) => regionOf(state, account, region),
    resetCounters() {
      calls = 0;
      throttled = 0;
      byOperation.clear();
      byScope.clear();
      throttledOnce.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Every CloudFormation type the stub serves at least one of (per member account). */
export const SERVED_TYPES = [
  "AWS::ACMPCA::CertificateAuthority",
  "AWS::EC2::SecurityGroup",
  "AWS::EC2::Subnet",
  "AWS::EKS::Cluster",
  "AWS::EKS::PodIdentityAssociation",
  "AWS::EMR::Cluster",
  "AWS::ElasticLoadBalancingV2::LoadBalancer",
  "AWS::Events::Rule",
  "AWS::FMS::Policy",
  "AWS::GuardDuty::Detector",
  "AWS::IAM::AccessKey",
  "AWS::IAM::Group",
  "AWS::IAM::ManagedPolicy",
  "AWS::IAM::Role",
  "AWS::IAM::User",
  "AWS::KMS::Key",
  "AWS::KinesisFirehose::DeliveryStream",
  "AWS::NetworkFirewall::Firewall",
  "AWS::NetworkFirewall::FirewallPolicy",
  "AWS::NetworkFirewall::LoggingConfiguration",
  "AWS::NetworkFirewall::RuleGroup",
  "AWS::RolesAnywhere::CRL",
  "AWS::RolesAnywhere::Profile",
  "AWS::RolesAnywhere::TrustAnchor",
  "AWS::SecretsManager::ResourcePolicy",
  "AWS::SecretsManager::Secret",
  "AWS::WAFv2::LoggingConfiguration",
  "AWS::WAFv2::WebACL",
  "AWS::WAFv2::WebACLAssociation",
  "AWS::WorkMail::Organization",
] as const;
