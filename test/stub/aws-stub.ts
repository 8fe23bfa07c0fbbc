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
  close(): Promise<void>;
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

interface IamData {
  roles: Record<string, unknown>[];
  users: Record<string, unknown>[];
  groups: Record<string, unknown>[];
  policies: Record<string, unknown>[];
  keys: Map<string, Record<string, unknown>[]>;
  lastUsed: Map<string, Record<string, unknown>>;
  awsManaged: Map<string, { policy: Record<string, unknown>; document: string }>;
}

interface RegionData {
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
  fwPolicies: { response: Record<string, unknown>; policy: Record<string, unknown> }[];
  ruleGroups: { response: Record<string, unknown>; group: Record<string, unknown> }[];
  acls: { summary: Record<string, unknown>; acl: Record<string, unknown>; albs: string[]; tags: Record<string, unknown>[] }[];
  wafLogging: Record<string, unknown>[];
  fmsPolicies: { summary: Record<string, unknown>; policy: Record<string, unknown>; arn: string; status: Record<string, unknown>[]; violators: Record<string, unknown>[] }[];
  lbs: { lb: Record<string, unknown>; tags: Record<string, unknown>[] }[];
  orgs: { summary: Record<string, unknown>; described: Record<string, unknown>; idp: Record<string, unknown>; users: Record<string, unknown>[] }[];
  detectors: { id: string; detector: Record<string, unknown>; findings: Record<string, unknown>[] }[];
  rules: { rule: Record<string, unknown>; targets: Record<string, unknown>[] }[];
  streams: Record<string, unknown>[];
}

const enc = (doc: unknown): string => encodeURIComponent(JSON.stringify(doc));

function iamData(account: string, regions: string[], callerAccount: string, extra: number, now: Date): IamData {
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
  for (let i = 0; i < extra; i++) {
    roles.push(role(`app-${i}`, { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }] }, [], 10));
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
  const groups = [{ Path: "/", GroupName: "ci", GroupId: `AGPA${account}0001`, Arn: `arn:aws:iam::${account}:group/ci`, CreateDate: days(now, 1500), GroupPolicyList: [], AttachedManagedPolicies: [] }];
  const awsManaged = new Map([
    [
      readOnly,
      {
        policy: { PolicyName: "ReadOnlyAccess", PolicyId: "ANPAAWSREADONLY00001", Arn: readOnly, Path: "/", DefaultVersionId: "v100", AttachmentCount: 2, PermissionsBoundaryUsageCount: 0, IsAttachable: true, CreateDate: days(now, 4000), UpdateDate: days(now, 30) },
        document: enc({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["kms:Describe*", "kms:List*", "iam:Get*", "iam:List*"], Resource: "*" }] }),
      },
    ],
  ]);
  return { roles, users, groups, policies, keys, lastUsed, awsManaged };
}

function regionData(account: string, region: string, accounts: string[], scale: number, now: Date): RegionData {
  const d: RegionData = {
    anchors: [], profiles: [], crls: [], cas: [], keys: [], secrets: [], clusters: [], subnets: [], groups: [], emr: [], firewalls: [],
    fwPolicies: [], ruleGroups: [], acls: [], wafLogging: [], fmsPolicies: [], lbs: [], orgs: [], detectors: [], rules: [], streams: [],
  };
  const other = accounts.find((a) => a !== account) ?? "444455556666";
  const arn = (svc: string, rest: string): string => `arn:aws:${svc}:${region}:${account}:${rest}`;
  for (let k = 0; k < scale; k++) {
    const id = (kind: string): string => uuid(account, region, kind, k);
    const sfx = k === 0 ? "" : `-${k}`;

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
      CertificateAuthorityConfiguration: { KeyAlgorithm: "EC_prime256v1", SigningAlgorithm: "SHA256WITHECDSA", Subject: { CommonName: `iamra-ca${sfx}.example.com`, Organization: "Example" } },
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

    // KMS: a customer key shared with the other account without conditions (copy 0), else private.
    const keyId = id("key");
    const keyArn = arn("kms", `key/${keyId}`);
    const statements: unknown[] = [{ Sid: "Enable IAM User Permissions", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: "kms:*", Resource: "*" }];
    if (k === 0) statements.push({ Sid: "AllowPartnerUse", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${other}:root` }, Action: ["kms:Decrypt", "kms:GenerateDataKey"], Resource: "*" });
    d.keys.push({
      meta: {
        AWSAccountId: account, KeyId: keyId, Arn: keyArn, CreationDate: epoch(days(now, 500)), Enabled: true, Description: `app data key${sfx}`,
        KeyUsage: "ENCRYPT_DECRYPT", KeyState: "Enabled", Origin: "AWS_KMS", KeyManager: "CUSTOMER", CustomerMasterKeySpec: "SYMMETRIC_DEFAULT", KeySpec: "SYMMETRIC_DEFAULT",
        EncryptionAlgorithms: ["SYMMETRIC_DEFAULT"], MultiRegion: false,
      },
      policy: JSON.stringify({ Version: "2012-10-17", Id: "key-default-1", Statement: statements }),
      rotation: k !== 0,
    });

    // Secrets Manager.
    const secretArn = arn("secretsmanager", `secret:orders/db${sfx}-AbCdEf`);
    d.secrets.push({
      entry: {
        ARN: secretArn, Name: `orders/db${sfx}`, Description: "orders database", KmsKeyId: keyArn, RotationEnabled: false,
        LastAccessedDate: epoch(days(now, 1)), LastChangedDate: epoch(days(now, 90)), CreatedDate: epoch(days(now, 400)),
        Tags: [{ Key: "app", Value: "orders" }, { Key: "eks-cluster-name", Value: `prod${sfx}` }],
      },
      policy:
        k === 0
          ? JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${other}:root` }, Action: "secretsmanager:GetSecretValue", Resource: "*" }] })
          : undefined,
    });

    // EC2: two subnets (one nearly full) and a security group open to the world on egress.
    const vpc = `vpc-${id("vpc").slice(0, 17).replace(/-/g, "")}`;
    const subnetIds = ["a", "b"].map((az) => `subnet-${id(`subnet-${az}`).replace(/-/g, "").slice(0, 17)}`);
    ["a", "b"].forEach((az, i) => {
      d.subnets.push({
        subnetId: subnetIds[i], subnetArn: arn("ec2", `subnet/${subnetIds[i]}`), state: "available", ownerId: account, vpcId: vpc,
        cidrBlock: `10.${k % 250}.${i}.0/27`, availableIpAddressCount: i === 0 ? 3 : 20, availabilityZone: `${region}${az}`, availabilityZoneId: `use1-az${i + 1}`,
        defaultForAz: false, mapPublicIpOnLaunch: false, tagSet: [{ key: "Name", value: `emr-${az}${sfx}` }],
      });
    });
    const sgId = `sg-${id("sg").replace(/-/g, "").slice(0, 17)}`;
    d.groups.push({
      ownerId: account, groupId: sgId, groupName: `emr-workers${sfx}`, groupDescription: "EMR workers", vpcId: vpc, securityGroupArn: arn("ec2", `security-group/${sgId}`),
      ipPermissions: [{ ipProtocol: "tcp", fromPort: 22, toPort: 22, ipRanges: [{ cidrIp: "10.0.0.0/8", description: "ssh from corp" }] }],
      ipPermissionsEgress: [{ ipProtocol: "-1", ipRanges: [{ cidrIp: "0.0.0.0/0" }] }],
      tagSet: [{ key: "team", value: "data" }],
    });

    // EKS with a Pod Identity association.
    const clusterName = `prod${sfx}`;
    const assocId = `a-${id("assoc").replace(/-/g, "").slice(0, 17)}`;
    d.clusters.push({
      cluster: {
        name: clusterName, arn: arn("eks", `cluster/${clusterName}`), createdAt: epoch(days(now, 300)), version: "1.31", roleArn: `arn:aws:iam::${account}:role/eks-cluster`,
        endpoint: `https://${id("eks").replace(/-/g, "").toUpperCase()}.gr7.${region}.eks.amazonaws.com`, status: "ACTIVE", platformVersion: "eks.9",
        resourcesVpcConfig: { subnetIds, securityGroupIds: [sgId], clusterSecurityGroupId: sgId, vpcId: vpc, endpointPublicAccess: false, endpointPrivateAccess: true, publicAccessCidrs: [] },
        kubernetesNetworkConfig: { serviceIpv4Cidr: "172.20.0.0/16", ipFamily: "ipv4" },
        logging: { clusterLogging: [{ types: ["api", "audit", "authenticator"], enabled: true }, { types: ["scheduler"], enabled: false }] },
        identity: { oidc: { issuer: `https://oidc.eks.${region}.amazonaws.com/id/${id("oidc").replace(/-/g, "").toUpperCase()}` } },
        accessConfig: { authenticationMode: "API" },
        encryptionConfig: [{ resources: ["secrets"], provider: { keyArn } }],
        tags: { team: "orders" },
      },
      associations: [
        {
          clusterName, namespace: "orders", serviceAccount: "orders-api", roleArn: `arn:aws:iam::${account}:role/orders-api-pod`,
          associationArn: arn("eks", `podidentityassociation/${clusterName}/${assocId}`), associationId: assocId, ownerArn: undefined,
          tags: { app: "orders" }, createdAt: epoch(days(now, 100)), modifiedAt: epoch(days(now, 50)), disableSessionTags: false,
        },
      ],
    });

    // EMR: an instance-fleet cluster over both subnets.
    const emrId = `j-${id("emr").replace(/-/g, "").slice(0, 13).toUpperCase()}`;
    d.emr.push({
      cluster: {
        Id: emrId, Name: `etl${sfx}`, ClusterArn: arn("elasticmapreduce", `cluster/${emrId}`), ReleaseLabel: "emr-7.2.0", InstanceCollectionType: "INSTANCE_FLEET",
        Status: { State: "RUNNING", Timeline: { CreationDateTime: epoch(days(now, 5)) } },
        Ec2InstanceAttributes: { RequestedEc2SubnetIds: subnetIds, Ec2SubnetId: subnetIds[0], Ec2AvailabilityZone: `${region}a` },
        Tags: [{ Key: "team", Value: "data" }],
      },
      fleets: [
        { Id: "if-1", Name: "primary", InstanceFleetType: "MASTER", TargetOnDemandCapacity: 1, TargetSpotCapacity: 0, InstanceTypeSpecifications: [{ InstanceType: "m5.xlarge", WeightedCapacity: 1 }] },
        {
          Id: "if-2", Name: "core", InstanceFleetType: "CORE", TargetOnDemandCapacity: 2, TargetSpotCapacity: 8,
          InstanceTypeSpecifications: [{ InstanceType: "r5.2xlarge", WeightedCapacity: 1 }, { InstanceType: "r5a.2xlarge", WeightedCapacity: 1 }],
          LaunchSpecifications: { SpotSpecification: { TimeoutDurationMinutes: 20, TimeoutAction: "SWITCH_TO_ON_DEMAND", AllocationStrategy: "capacity-optimized" } },
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
        UpdateToken: "t",
        Firewall: {
          FirewallName: `egress${sfx}`, FirewallArn: fwArn, FirewallPolicyArn: policyArn, VpcId: vpc, SubnetMappings: [{ SubnetId: subnetIds[1], IPAddressType: "IPV4" }],
          FirewallId: id("fw"), DeleteProtection: true, SubnetChangeProtection: true, FirewallPolicyChangeProtection: true, Tags: [{ Key: "team", Value: "network" }], EnabledAnalysisTypes: [],
        },
        FirewallStatus: { Status: "READY", ConfigurationSyncStateSummary: "IN_SYNC" },
      },
      logging: {
        FirewallArn: fwArn,
        LoggingConfiguration: { LogDestinationConfigs: k === 0 ? [] : [{ LogType: "ALERT", LogDestinationType: "CloudWatchLogs", LogDestination: { logGroup: "/nfw/alert" } }] },
      },
    });
    d.fwPolicies.push({
      response: { FirewallPolicyName: `egress${sfx}`, FirewallPolicyArn: policyArn, FirewallPolicyId: id("fwp"), FirewallPolicyStatus: "ACTIVE", NumberOfAssociations: 1, Tags: [] },
      policy: {
        StatelessDefaultActions: ["aws:forward_to_sfe"], StatelessFragmentDefaultActions: ["aws:forward_to_sfe"],
        StatefulRuleGroupReferences: [{ ResourceArn: groupArn, Priority: 1 }],
        StatefulDefaultActions: ["aws:drop_established"], StatefulEngineOptions: { RuleOrder: "STRICT_ORDER" },
      },
    });
    d.ruleGroups.push({
      response: { RuleGroupArn: groupArn, RuleGroupName: `allowed-domains${sfx}`, RuleGroupId: id("rg"), Type: "STATEFUL", Capacity: 100, RuleGroupStatus: "ACTIVE", NumberOfAssociations: 1, ConsumedCapacity: 2, Tags: [] },
      group: { RulesSource: { RulesSourceList: { Targets: [".example.com", "api.partner.example"], TargetTypes: ["TLS_SNI", "HTTP_HOST"], GeneratedRulesType: "ALLOWLIST" } }, StatefulRuleOptions: { RuleOrder: "STRICT_ORDER" } },
    });

    // ELBv2 and a web ACL protecting it; WAF logging to a Firehose stream (copy 0 has none).
    const lbName = `orders-alb${sfx}`;
    const lbArn = arn("elasticloadbalancing", `loadbalancer/app/${lbName}/${id("lb").replace(/-/g, "").slice(0, 16)}`);
    d.lbs.push({
      lb: {
        LoadBalancerArn: lbArn, DNSName: `${lbName}-123.${region}.elb.amazonaws.com`, CanonicalHostedZoneId: "Z35SXDOTRQ7X7K", CreatedTime: days(now, 200), LoadBalancerName: lbName,
        Scheme: "internet-facing", VpcId: vpc, State: { Code: "active" }, Type: "application", IpAddressType: "ipv4", SecurityGroups: [sgId],
        AvailabilityZones: subnetIds.map((s, i) => ({ ZoneName: `${region}${"ab"[i]}`, SubnetId: s, LoadBalancerAddresses: [] })),
      },
      tags: [{ Key: "app", Value: "orders" }, { Key: "waf", Value: "required" }],
    });
    const aclId = id("acl");
    const aclArn = arn("wafv2", `regional/webacl/orders${sfx}/${aclId}`);
    d.acls.push({
      summary: { Name: `orders${sfx}`, Id: aclId, ARN: aclArn, Description: "orders", LockToken: "lt" },
      acl: {
        Name: `orders${sfx}`, Id: aclId, ARN: aclArn, DefaultAction: { Allow: {} }, Description: "orders", Capacity: 700, ManagedByFirewallManager: false, LabelNamespace: `awswaf:${account}:webacl:orders${sfx}:`,
        Rules: [
          {
            Name: "AWSManagedRulesCommonRuleSet", Priority: 0, Statement: { ManagedRuleGroupStatement: { VendorName: "AWS", Name: "AWSManagedRulesCommonRuleSet" } },
            OverrideAction: { None: {} }, VisibilityConfig: { SampledRequestsEnabled: true, CloudWatchMetricsEnabled: true, MetricName: "common" },
          },
        ],
        VisibilityConfig: { SampledRequestsEnabled: true, CloudWatchMetricsEnabled: true, MetricName: `orders${sfx}` },
      },
      albs: [lbArn],
      tags: [{ Key: "app", Value: "orders" }],
    });
    const streamName = `aws-waf-logs-orders${sfx}`;
    const streamArn = arn("firehose", `deliverystream/${streamName}`);
    d.streams.push({
      DeliveryStreamName: streamName, DeliveryStreamARN: streamArn, DeliveryStreamStatus: "ACTIVE", DeliveryStreamType: "DirectPut", VersionId: "1",
      CreateTimestamp: epoch(days(now, 100)), Destinations: [], HasMoreDestinations: false,
      DeliveryStreamEncryptionConfiguration: k === 0 ? { Status: "DISABLED" } : { KeyType: "CUSTOMER_MANAGED_CMK", KeyARN: keyArn, Status: "ENABLED" },
    });
    if (k === 0) {
      // A second web ACL, protecting nothing and logging nowhere.
      const legacyId = id("acl-legacy");
      const legacyArn = arn("wafv2", `regional/webacl/legacy/${legacyId}`);
      d.acls.push({
        summary: { Name: "legacy", Id: legacyId, ARN: legacyArn, Description: "legacy", LockToken: "lt" },
        acl: { Name: "legacy", Id: legacyId, ARN: legacyArn, DefaultAction: { Allow: {} }, Rules: [], Capacity: 0, ManagedByFirewallManager: false, VisibilityConfig: { SampledRequestsEnabled: false, CloudWatchMetricsEnabled: false, MetricName: "legacy" } },
        albs: [],
        tags: [],
      });
    }
    {
      d.wafLogging.push({
        ResourceArn: aclArn, LogDestinationConfigs: [streamArn], RedactedFields: [{ SingleHeader: { Name: "authorization" } }], ManagedByFirewallManager: false, LogType: "WAF_LOGS", LogScope: "CUSTOMER",
      });
    }

    // Firewall Manager: a WAF policy, non-compliant in the other account.
    const fmsId = id("fms");
    const fmsArn = `arn:aws:fms:${region}:${account}:policy/${fmsId}`;
    const msd = JSON.stringify({
      type: "WAFV2", preProcessRuleGroups: [{ managedRuleGroupIdentifier: { vendorName: "AWS", managedRuleGroupName: "AWSManagedRulesCommonRuleSet" }, overrideAction: { type: "NONE" }, ruleGroupType: "ManagedRuleGroup", excludeRules: [] }],
      postProcessRuleGroups: [], defaultAction: { type: "ALLOW" }, overrideCustomerWebACLAssociation: false, sampledRequestsEnabledForDefaultActions: true,
      webACLSource: "RETROFIT_EXISTING",
    });
    d.fmsPolicies.push({
      summary: { PolicyArn: fmsArn, PolicyId: fmsId, PolicyName: `waf-baseline${sfx}`, ResourceType: "AWS::ElasticLoadBalancingV2::LoadBalancer", SecurityServiceType: "WAFV2", RemediationEnabled: true, PolicyStatus: "ACTIVE" },
      policy: {
        PolicyId: fmsId, PolicyName: `waf-baseline${sfx}`, PolicyUpdateToken: "1", SecurityServicePolicyData: { Type: "WAFV2", ManagedServiceData: msd },
        ResourceType: "AWS::ElasticLoadBalancingV2::LoadBalancer", ResourceTags: [{ Key: "waf", Value: "required" }], ExcludeResourceTags: false, RemediationEnabled: true,
        DeleteUnusedFMManagedResources: false, IncludeMap: { ACCOUNT: accounts }, PolicyStatus: "ACTIVE",
      },
      arn: fmsArn,
      status: accounts.map((a) => ({
        PolicyOwner: account, PolicyId: fmsId, PolicyName: `waf-baseline${sfx}`, MemberAccount: a, LastUpdated: epoch(days(now, 1)),
        EvaluationResults: [{ ComplianceStatus: a === account ? "COMPLIANT" : "NON_COMPLIANT", ViolatorCount: a === account ? 0 : 1, EvaluationLimitExceeded: false }],
      })),
      violators: [{ ResourceId: lbArn.replace(account, other), ViolationReason: "RESOURCE_MISSING_WEB_ACL", ResourceType: "AWS::ElasticLoadBalancingV2::LoadBalancer" }],
    });

    // WorkMail with one user not linked to Identity Center.
    const orgId = `m-${id("workmail").replace(/-/g, "").slice(0, 32)}`;
    d.orgs.push({
      summary: { OrganizationId: orgId, Alias: `example${k}-${account.slice(-4)}`, DefaultMailDomain: `example${k}.awsapps.com`, State: "Active" },
      described: {
        OrganizationId: orgId, Alias: `example${k}-${account.slice(-4)}`, State: "Active", DirectoryId: `d-${account.slice(-10)}`, DirectoryType: "WorkMailDirectory",
        DefaultMailDomain: `example${k}.awsapps.com`, CompletedDate: epoch(days(now, 365)), ARN: arn("workmail", `organization/${orgId}`), InteroperabilityEnabled: false,
      },
      idp: k === 0
        ? { AuthenticationMode: "IDENTITY_PROVIDER_AND_DIRECTORY", IdentityCenterConfiguration: { InstanceArn: "arn:aws:sso:::instance/ssoins-1", ApplicationArn: "arn:aws:sso::123:application/ssoins-1/apl-1" }, PersonalAccessTokenConfiguration: { Status: "ACTIVE", LifetimeInDays: 365 } }
        : { AuthenticationMode: "IDENTITY_PROVIDER_ONLY", IdentityCenterConfiguration: { InstanceArn: "arn:aws:sso:::instance/ssoins-1", ApplicationArn: "arn:aws:sso::123:application/ssoins-1/apl-1" }, PersonalAccessTokenConfiguration: { Status: "ACTIVE", LifetimeInDays: 30 } },
      users: [
        { Id: "u-1", Email: `alice@example${k}.com`, Name: "alice", State: "ENABLED", UserRole: "USER", IdentityProviderUserId: "idc-alice" },
        { Id: "u-2", Email: `bob@example${k}.com`, Name: "bob", State: "ENABLED", UserRole: "USER" },
      ],
    });

    // GuardDuty (one detector per region) and the EventBridge rule that alerts on its findings.
    if (k === 0) {
      const detectorId = id("gd").replace(/-/g, "").slice(0, 32);
      d.detectors.push({
        id: detectorId,
        detector: {
          createdAt: days(now, 600).toISOString(), findingPublishingFrequency: "FIFTEEN_MINUTES", status: "ENABLED", updatedAt: days(now, 30).toISOString(),
          serviceRole: `arn:aws:iam::${account}:role/aws-service-role/guardduty.amazonaws.com/AWSServiceRoleForAmazonGuardDuty`,
          tags: { team: "secops" },
          features: [
            { name: "S3_DATA_EVENTS", status: "ENABLED", updatedAt: epoch(days(now, 30)) },
            { name: "EKS_AUDIT_LOGS", status: "ENABLED", updatedAt: epoch(days(now, 30)) },
            { name: "RUNTIME_MONITORING", status: "DISABLED", updatedAt: epoch(days(now, 30)), additionalConfiguration: [{ name: "EKS_ADDON_MANAGEMENT", status: "DISABLED", updatedAt: epoch(days(now, 30)) }] },
          ],
        },
        findings: [
          {
            accountId: account, arn: arn("guardduty", `detector/${detectorId}/finding/f-${account}-${region}`), id: `f-${account}-${region}`, type: "CryptoCurrency:EC2/BitcoinTool.B!DNS",
            severity: 8, title: "EC2 instance is querying a domain name associated with Bitcoin.", region, partition: "aws", schemaVersion: "2.0",
            createdAt: days(now, 2).toISOString(), updatedAt: days(now, 1).toISOString(),
            resource: { resourceType: "Instance", instanceDetails: { instanceId: "i-0123456789abcdef0" } },
            service: { archived: false, count: 3, serviceName: "guardduty", detectorId },
          },
        ],
      });
    }
    d.rules.push({
      rule: {
        Name: `guardduty-high${sfx}`, Arn: arn("events", `rule/guardduty-high${sfx}`), EventBusName: "default", State: "ENABLED",
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
}

function iamOf(s: State, account: string): IamData {
  let d = s.iam.get(account);
  if (!d) s.iam.set(account, (d = iamData(account, s.opts.regions, s.opts.callerAccount, s.opts.iamExtra, s.opts.now)));
  return d;
}

/** A member account's regional data, or an empty region (the caller's own account, unknown regions). */
function regionOf(s: State, account: string, region: string): RegionData {
  const key = `${account}|${region}`;
  let d = s.regions.get(key);
  if (!d) {
    const served = s.opts.accounts.includes(account) && s.opts.regions.includes(region);
    s.regions.set(key, (d = regionData(account, region, s.opts.accounts, served ? s.opts.scale : 0, s.opts.now)));
  }
  return d;
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
        throw new StubError(403, "AccessDenied", `User: arn:aws:iam::${r.account}:user/scanner is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`);
      }
      return ok({
        Credentials: { AccessKeyId: accessKeyFor(m[1]), SecretAccessKey: `stub-secret-${m[1]}`, SessionToken: `stub-session-${m[1]}`, Expiration: new Date(Date.now() + 3600_000) },
        AssumedRoleUser: { Arn: `arn:aws:sts::${m[1]}:assumed-role/${m[2]}/${p.get("RoleSessionName") ?? "s"}`, AssumedRoleId: `AROA${m[1]}:${p.get("RoleSessionName") ?? "s"}` },
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
        Roles: pg.items.map((x) => ({ Path: x.Path, RoleName: x.RoleName, RoleId: x.RoleId, Arn: x.Arn, CreateDate: x.CreateDate, AssumeRolePolicyDocument: x.AssumeRolePolicyDocument, Description: `role ${String(x.RoleName)}`, MaxSessionDuration: 3600 })),
        IsTruncated: pg.next !== undefined,
        Marker: pg.next,
      });
    }
    case "iam:GetPolicy": {
      const got = iamOf(s, r.account).awsManaged.get(p.get("PolicyArn") ?? "");
      if (!got) throw new StubError(404, "NoSuchEntity", `Policy ${p.get("PolicyArn")} does not exist or is not attachable.`);
      return ok({ Policy: got.policy });
    }
    case "iam:GetPolicyVersion": {
      const got = iamOf(s, r.account).awsManaged.get(p.get("PolicyArn") ?? "");
      if (!got) throw new StubError(404, "NoSuchEntity", `Policy ${p.get("PolicyArn")} version does not exist.`);
      return ok({ PolicyVersion: { Document: got.document, VersionId: got.policy.DefaultVersionId, IsDefaultVersion: true, CreateDate: got.policy.UpdateDate } });
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
      if (op === "GetKeyPolicy") return { Policy: k.policy, PolicyName: "default" };
      if (op === "GetKeyRotationStatus") return { KeyRotationEnabled: k.rotation, KeyId: k.meta.KeyId };
      return { Tags: [{ TagKey: "team", TagValue: "orders" }], Truncated: false };
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
      return { Clusters: pg.items.map((x) => ({ Id: x.cluster.Id, Name: x.cluster.Name, Status: x.cluster.Status, ClusterArn: x.cluster.ClusterArn })), Marker: pg.next };
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
      return { Instances: Array.from({ length: x.running }, (_, i) => ({ Id: `ci-${i}`, Ec2InstanceId: `i-0${i}`, Status: { State: "RUNNING" }, InstanceFleetId: i === 0 ? "if-1" : "if-2" })) };
    }
    case "network-firewall:ListFirewalls": {
      const pg = page(d.firewalls, tok(), b.MaxResults);
      return { Firewalls: pg.items.map((x) => ({ FirewallName: x.firewall.Firewall.FirewallName, FirewallArn: x.firewall.Firewall.FirewallArn })), NextToken: pg.next };
    }
    case "network-firewall:DescribeFirewall":
    case "network-firewall:DescribeLoggingConfiguration": {
      const x = d.firewalls.find((y) => y.firewall.Firewall.FirewallArn === b.FirewallArn);
      if (!x) throw new StubError(400, "ResourceNotFoundException", `firewall ${String(b.FirewallArn)} not found`);
      return op === "DescribeFirewall" ? x.firewall : x.logging;
    }
    case "network-firewall:ListFirewallPolicies": {
      const pg = page(d.fwPolicies, tok(), b.MaxResults);
      return { FirewallPolicies: pg.items.map((x) => ({ Name: x.response.FirewallPolicyName, Arn: x.response.FirewallPolicyArn })), NextToken: pg.next };
    }
    case "network-firewall:DescribeFirewallPolicy": {
      const x = d.fwPolicies.find((y) => y.response.FirewallPolicyArn === b.FirewallPolicyArn);
      if (!x) throw notFound(`firewall policy ${String(b.FirewallPolicyArn)}`);
      return { UpdateToken: "t", FirewallPolicyResponse: x.response, FirewallPolicy: x.policy };
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
      if (!x) throw new StubError(400, "WAFNonexistentItemException", "AWS WAF couldn’t perform the operation because your resource doesn’t exist.");
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
      return { PolicyComplianceDetail: { PolicyOwner: r.account, PolicyId: b.PolicyId, MemberAccount: b.MemberAccount, EvaluationLimitExceeded: false, Violators: x?.violators ?? [] } };
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
      return { Users: x.users };
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
      return { DeliveryStreamDescription: x };
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
        associations: pg.items.map((a) => ({ clusterName: a.clusterName, namespace: a.namespace, serviceAccount: a.serviceAccount, associationArn: a.associationArn, associationId: a.associationId })),
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

/** Starts the stub on 127.0.0.1 (an ephemeral port). */
export async function startAwsStub(options: StubOptions): Promise<AwsStub> {
  const opts = {
    callerAccount: DEFAULT_CALLER,
    scale: 1,
    iamExtra: 0,
    latencyMs: 0,
    throttleRate: 0,
    seed: 1,
    ...options,
    now: options.now ?? new Date(),
  };
  const state: State = { opts, iam: new Map(), regions: new Map(), denies: [] };
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
        a = errorAnswer(r, proto, proto === "query" || proto === "ec2" ? 403 : 403, DENY[proto], `User: arn:aws:sts::${r.account}:assumed-role/audit/rampart-scan is not authorized to perform: ${action} (stub deny switch)`);
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
