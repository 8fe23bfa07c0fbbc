/**
 * AWS Config items as the Config API returns them (SelectResourceConfig rows, and one
 * BatchGetResourceConfig item), shared by the Config source's mock tests
 * (test/collectors/config.test.ts) and its wire test through the CLI
 * (test/e2e/config-source.test.ts).
 */
import type { BaseConfigurationItem } from "@aws-sdk/client-config-service";
import { ACCOUNT, ARTICLE_TRUST_POLICY, iamEncode } from "./fixtures.js";

export const REGION = "eu-west-1";
export const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/iamra-issuer`;
export const SG_ID = "sg-0123456789abcdef0";
export const KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
export const SECRET_ARN = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:prod/db-AbCdEf`;
export const KEY_POLICY = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: "*" }, Action: "kms:Decrypt", Resource: "*" }] };

/** Rows as SelectResourceConfig returns them: JSON text, configuration inline. */
export const ROLE_ROW = {
  resourceId: "AROAEXAMPLEROLEID0001",
  resourceType: "AWS::IAM::Role",
  resourceName: "iamra-issuer",
  arn: ROLE_ARN,
  awsRegion: "global",
  accountId: ACCOUNT,
  configuration: {
    path: "/",
    roleName: "iamra-issuer",
    roleId: "AROAEXAMPLEROLEID0001",
    arn: ROLE_ARN,
    createDate: "2024-01-15T08:30:00.000Z",
    assumeRolePolicyDocument: iamEncode(ARTICLE_TRUST_POLICY),
    instanceProfileList: [],
    rolePolicyList: [
      { policyName: "inline", policyDocument: iamEncode('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}') },
    ],
    attachedManagedPolicies: [{ policyName: "pca-issuer", policyArn: `arn:aws:iam::${ACCOUNT}:policy/pca-issuer` }],
    permissionsBoundary: null,
    tags: [{ key: "team", value: "pki" }],
  },
  tags: [{ key: "team", value: "pki", tag: "team=pki" }],
};
export const POLICY_ROW = {
  resourceId: "ANPAEXAMPLEPOLICY0001",
  resourceType: "AWS::IAM::Policy",
  resourceName: "pca-issuer",
  arn: `arn:aws:iam::${ACCOUNT}:policy/pca-issuer`,
  awsRegion: "global",
  accountId: ACCOUNT,
  configuration: {
    policyName: "pca-issuer",
    policyId: "ANPAEXAMPLEPOLICY0001",
    arn: `arn:aws:iam::${ACCOUNT}:policy/pca-issuer`,
    path: "/",
    defaultVersionId: "v2",
    attachmentCount: 1,
    policyVersionList: [
      { document: iamEncode('{"Version":"2012-10-17","Statement":[]}'), versionId: "v1", isDefaultVersion: false },
      {
        document: iamEncode('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"acm-pca:IssueCertificate","Resource":"*"}]}'),
        versionId: "v2",
        isDefaultVersion: true,
      },
    ],
  },
};
export const SG_CONFIGURATION = {
  description: "workload",
  groupName: "workload",
  ipPermissions: [],
  ownerId: ACCOUNT,
  groupId: SG_ID,
  ipPermissionsEgress: [
    { ipProtocol: "-1", ipv6Ranges: [], prefixListIds: [], userIdGroupPairs: [], ipv4Ranges: [{ cidrIp: "0.0.0.0/0" }], ipRanges: ["0.0.0.0/0"] },
    {
      fromPort: 443,
      ipProtocol: "tcp",
      ipv6Ranges: [],
      prefixListIds: [{ prefixListId: "pl-0123456789abcdef0" }],
      toPort: 443,
      userIdGroupPairs: [],
      ipv4Ranges: [],
      ipRanges: [],
    },
  ],
  tags: [{ key: "egress-role", value: "proxy" }],
  vpcId: "vpc-0123456789abcdef0",
};
export const SG_ROW = {
  resourceId: SG_ID,
  resourceType: "AWS::EC2::SecurityGroup",
  resourceName: "workload",
  arn: `arn:aws:ec2:${REGION}:${ACCOUNT}:security-group/${SG_ID}`,
  awsRegion: REGION,
  accountId: ACCOUNT,
  configuration: SG_CONFIGURATION,
  tags: [{ key: "egress-role", value: "proxy" }],
};
export const SUBNET_ROW = {
  resourceId: "subnet-0aaaaaaaaaaaaaaa1",
  resourceType: "AWS::EC2::Subnet",
  arn: `arn:aws:ec2:${REGION}:${ACCOUNT}:subnet/subnet-0aaaaaaaaaaaaaaa1`,
  awsRegion: REGION,
  accountId: ACCOUNT,
  configuration: {
    availabilityZone: "eu-west-1a",
    availabilityZoneId: "euw1-az1",
    availableIpAddressCount: 27,
    cidrBlock: "10.0.0.0/27",
    defaultForAz: false,
    mapPublicIpOnLaunch: false,
    state: "available",
    subnetId: "subnet-0aaaaaaaaaaaaaaa1",
    vpcId: "vpc-0123456789abcdef0",
    ownerId: ACCOUNT,
    subnetArn: `arn:aws:ec2:${REGION}:${ACCOUNT}:subnet/subnet-0aaaaaaaaaaaaaaa1`,
    tags: [],
  },
};
/** Returned by the select without its configuration: completed with BatchGetResourceConfig. */
export const KEY_ROW_BARE = {
  resourceId: "1234abcd-12ab-34cd-56ef-1234567890ab",
  resourceType: "AWS::KMS::Key",
  arn: KEY_ARN,
  awsRegion: REGION,
  accountId: ACCOUNT,
};
export const SECRET_ROW = {
  resourceId: SECRET_ARN,
  resourceType: "AWS::SecretsManager::Secret",
  resourceName: "prod/db",
  arn: SECRET_ARN,
  awsRegion: REGION,
  accountId: ACCOUNT,
  configuration: {
    arn: SECRET_ARN,
    name: "prod/db",
    description: "database credentials",
    kmsKeyId: KEY_ARN,
    rotationEnabled: false,
    tags: [{ key: "team", value: "payments" }],
  },
};

/** What BatchGetResourceConfig returns for KEY_ROW_BARE: the key policy is supplementary configuration (a JSON string of a JSON string). */
export const KEY_ITEM: BaseConfigurationItem = {
  resourceType: "AWS::KMS::Key",
  resourceId: "1234abcd-12ab-34cd-56ef-1234567890ab",
  arn: KEY_ARN,
  accountId: ACCOUNT,
  awsRegion: REGION,
  configurationItemStatus: "OK",
  configuration: JSON.stringify({
    keyId: "1234abcd-12ab-34cd-56ef-1234567890ab",
    arn: KEY_ARN,
    description: "secrets",
    keyUsage: "ENCRYPT_DECRYPT",
    keyState: "Enabled",
    keyManager: "CUSTOMER",
    customerMasterKeySpec: "SYMMETRIC_DEFAULT",
    enabled: true,
    origin: "AWS_KMS",
  }),
  supplementaryConfiguration: { Policy: JSON.stringify(JSON.stringify(KEY_POLICY)), KeyRotationStatus: "true" },
};
