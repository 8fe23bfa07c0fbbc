// Synthetic live snapshots for the engine benchmark: a realistic mix of the resource
// types the rules read, spread over accounts and regions, with a share of bad ones.
import type { Resource, Snapshot } from "../model/types.js";

const accountIds = (n: number) => Array.from({ length: n }, (_, i) => String(100000000000 + i * 7919));
const REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2"];

function trust(kind: number, account: string, i: number): object {
  switch (kind % 5) {
    case 0: // Roles Anywhere, scoped (the article's shape)
      return {
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { Service: "rolesanywhere.amazonaws.com" },
            Action: ["sts:AssumeRole", "sts:SetSourceIdentity", "sts:TagSession"],
            Condition: {
              StringEquals: { "aws:PrincipalTag/x509Subject/CN": `host-${i}.example.com` },
              ArnEquals: { "aws:SourceArn": `arn:aws:rolesanywhere:us-east-1:${account}:trust-anchor/ta-${i}` },
            },
          },
        ],
      };
    case 1: // Roles Anywhere, unscoped
      return { Version: "2012-10-17", Statement: { Effect: "Allow", Principal: { Service: "rolesanywhere.amazonaws.com" }, Action: "sts:*" } };
    case 2: // Pod Identity
      return {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: "pods.eks.amazonaws.com" }, Action: ["sts:AssumeRole", "sts:TagSession"] }],
      };
    case 3: // IRSA, wildcard subject
      return {
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { Federated: `arn:aws:iam::${account}:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC${i}` },
            Action: "sts:AssumeRoleWithWebIdentity",
            Condition: { StringLike: { [`oidc.eks.us-east-1.amazonaws.com/id/ABC${i}:sub`]: "system:serviceaccount:*" } },
          },
        ],
      };
    default: // an ordinary service role
      return { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] };
  }
}

function resource(
  type: string,
  account: string,
  region: string,
  arn: string,
  name: string,
  properties: Record<string, unknown>,
  observed?: Record<string, unknown>,
  tags: Record<string, string> = {},
): Resource {
  return { type, id: arn, arn, name, account, region, tags, properties, ...(observed ? { observed } : {}), source: { kind: "aws", account, region } };
}

/** n resources spread over `accounts` accounts (default 20). */
export function syntheticSnapshot(n: number, accounts = 20): Snapshot {
  const ACCOUNTS = accountIds(accounts);
  const resources: Resource[] = [];
  for (let i = 0; resources.length < n; i++) {
    // Contiguous blocks, so that every account holds the whole mix of types (and its joins).
    const account = ACCOUNTS[Math.min(ACCOUNTS.length - 1, Math.floor((i * ACCOUNTS.length) / n))];
    const region = REGIONS[i % REGIONS.length];
    switch (i % 10) {
      case 0:
      case 1:
      case 2:
      case 3: {
        const name = `role-${i}`;
        resources.push(
          resource("AWS::IAM::Role", account, "global", `arn:aws:iam::${account}:role/${name}`, name, {
            RoleName: name,
            AssumeRolePolicyDocument: trust(i, account, i),
            Policies: [
              {
                PolicyName: "inline",
                PolicyDocument: {
                  Version: "2012-10-17",
                  Statement: [{ Effect: "Allow", Action: i % 3 ? "secretsmanager:GetSecretValue" : "s3:GetObject", Resource: "*" }],
                },
              },
            ],
            ManagedPolicyArns: [`arn:aws:iam::${account}:policy/policy-${i + 4}`],
          }),
        );
        break;
      }
      case 4: {
        const name = `policy-${i}`;
        resources.push(
          resource(
            "AWS::IAM::ManagedPolicy",
            account,
            "global",
            `arn:aws:iam::${account}:policy/${name}`,
            name,
            {
              ManagedPolicyName: name,
              PolicyDocument: {
                Version: "2012-10-17",
                Statement: [{ Effect: "Allow", Action: i % 20 === 4 ? "acm-pca:IssueCertificate" : "ec2:Describe*", Resource: "*" }],
              },
            },
            { attachmentCount: 1 },
          ),
        );
        break;
      }
      case 5: {
        const id = `key-${i}`;
        resources.push(
          resource("AWS::KMS::Key", account, region, `arn:aws:kms:${region}:${account}:key/${id}`, id, {
            KeyPolicy: {
              Version: "2012-10-17",
              Statement: [
                { Sid: "Enable IAM User Permissions", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: "kms:*", Resource: "*" },
                ...(i % 4 === 1
                  ? [{ Sid: "Use", Effect: "Allow", Principal: { AWS: "*" }, Action: ["kms:Decrypt", "kms:GenerateDataKey*"], Resource: "*" }]
                  : []),
              ],
            },
          }),
        );
        break;
      }
      case 6: {
        const id = `sg-${i.toString(16).padStart(8, "0")}`;
        resources.push(
          resource(
            "AWS::EC2::SecurityGroup",
            account,
            region,
            `arn:aws:ec2:${region}:${account}:security-group/${id}`,
            id,
            {
              GroupDescription: "app",
              GroupName: id,
              VpcId: "vpc-1",
              SecurityGroupEgress: [
                i % 2 ? { IpProtocol: "-1", CidrIp: "0.0.0.0/0" } : { IpProtocol: "tcp", FromPort: 443, ToPort: 443, CidrIp: "10.0.0.0/8" },
              ],
            },
            undefined,
            { team: `t${i % 7}` },
          ),
        );
        break;
      }
      case 7: {
        const id = `subnet-${i.toString(16).padStart(8, "0")}`;
        resources.push(
          resource(
            "AWS::EC2::Subnet",
            account,
            region,
            `arn:aws:ec2:${region}:${account}:subnet/${id}`,
            id,
            { VpcId: "vpc-1", CidrBlock: "10.0.0.0/24", AvailabilityZone: `${region}a` },
            { AvailableIpAddressCount: (i * 37) % 251 },
          ),
        );
        break;
      }
      case 8: {
        const name = `secret-${i}`;
        resources.push(
          resource(
            "AWS::SecretsManager::Secret",
            account,
            region,
            `arn:aws:secretsmanager:${region}:${account}:secret:${name}-AbCdEf`,
            name,
            { Name: name, ...(i % 3 ? { KmsKeyId: `arn:aws:kms:${region}:${account}:key/key-${i - 3}` } : {}) },
            undefined,
            { "kubernetes-namespace": "default", "eks-cluster-name": "prod" },
          ),
        );
        break;
      }
      default: {
        const id = `ta-${i}`;
        resources.push(
          resource("AWS::RolesAnywhere::TrustAnchor", account, region, `arn:aws:rolesanywhere:${region}:${account}:trust-anchor/${id}`, id, {
            Name: id,
            Enabled: true,
            Source:
              i % 2
                ? { SourceType: "AWS_ACM_PCA", SourceData: { AcmPcaArn: `arn:aws:acm-pca:${region}:${account}:certificate-authority/ca-${i}` } }
                : { SourceType: "CERTIFICATE_BUNDLE", SourceData: { X509CertificateData: "-----BEGIN CERTIFICATE-----" } },
          }),
        );
      }
    }
  }
  return {
    schemaVersion: "1",
    source: { kind: "aws", collectedAt: "2026-11-25T00:00:00Z", accounts: ACCOUNTS, regions: REGIONS },
    resources,
    coverage: ACCOUNTS.flatMap((a) => REGIONS.map((r) => ({ service: "all", account: a, region: r, status: "ok" as const }))),
  };
}

/**
 * An organization-shaped snapshot: n resources over about n/40 small accounts × 3 regions, as
 * an organization of many small accounts looks; a web ACL with its logging configuration in
 * every account, Firewall Manager policies only in the first (administrator) account, and a
 * coverage entry for every account × region × service the collectors read (one per account
 * for global services), as a real scan records them.
 */
export function orgSnapshot(n: number, services: ReadonlyArray<{ service: string; global?: boolean; resourceTypes: string[] }>): Snapshot {
  const accounts = Math.max(1, Math.round(n / 40));
  const ACCOUNTS = accountIds(accounts);
  const admin = ACCOUNTS[0];
  const policies = 24;
  const perAccount = 2; // web ACL + logging configuration
  const base = syntheticSnapshot(Math.max(0, n - policies - accounts * perAccount), accounts);
  const resources = base.resources;
  for (let p = 0; p < policies; p++) {
    const region = REGIONS[p % REGIONS.length];
    const arn = `arn:aws:fms:${region}:${admin}:policy/policy-${p}`;
    const managed = {
      type: "WAFV2",
      preProcessRuleGroups: [],
      postProcessRuleGroups: [],
      defaultAction: { type: "ALLOW" },
      overrideCustomerWebACLAssociation: false,
    };
    resources.push(
      resource("AWS::FMS::Policy", admin, region, arn, `OrgWafPolicy${p}`, {
        PolicyName: `OrgWafPolicy${p}`,
        ExcludeResourceTags: false,
        RemediationEnabled: p % 2 === 0,
        ResourceType: "AWS::ElasticLoadBalancingV2::LoadBalancer",
        ResourceTags: [{ Key: "Tier", Value: `tier-${p % 4}` }],
        ...(p % 3 === 0 ? { IncludeMap: { ACCOUNT: ACCOUNTS.filter((_, i) => i % 5 === p % 5) } } : {}),
        SecurityServicePolicyData: {
          Type: "WAFV2",
          ManagedServiceData: JSON.stringify({ ...managed, ...(p % 4 === 1 ? { webACLSource: "RETROFIT_EXISTING" } : {}) }),
        },
      }),
    );
  }
  ACCOUNTS.forEach((account, i) => {
    const region = REGIONS[i % REGIONS.length];
    const name = `app-${i}`;
    const arn = `arn:aws:wafv2:${region}:${account}:regional/webacl/${name}/${i.toString(16).padStart(8, "0")}`;
    resources.push(
      resource(
        "AWS::WAFv2::WebACL",
        account,
        region,
        arn,
        name,
        { Name: name, Scope: "REGIONAL", DefaultAction: { Allow: {} } },
        { ManagedByFirewallManager: i % 6 === 0 },
      ),
    );
    // A logging configuration has no ARN of its own.
    resources.push({
      type: "AWS::WAFv2::LoggingConfiguration",
      id: `${arn}|logging`,
      account,
      region,
      tags: {},
      properties: {
        ResourceArn: arn,
        LogDestinationConfigs: [`arn:aws:s3:::aws-waf-logs-${name}`],
        RedactedFields: i % 2 ? [{ SingleHeader: { Name: "authorization" } }] : [],
      },
      source: { kind: "aws", account, region },
    });
  });
  const coverage = ACCOUNTS.flatMap((account) =>
    services.flatMap((c) =>
      (c.global ? ["global"] : REGIONS).map((region) => ({ service: c.service, account, region, status: "ok" as const, resourceTypes: [...c.resourceTypes] })),
    ),
  );
  return { ...base, resources, coverage };
}
