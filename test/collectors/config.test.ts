import {
  BatchGetAggregateResourceConfigCommand,
  BatchGetResourceConfigCommand,
  ConfigServiceClient,
  ConfigServiceServiceException,
  DescribeConfigurationRecordersCommand,
  SelectAggregateResourceConfigCommand,
  SelectResourceConfigCommand,
} from "@aws-sdk/client-config-service";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { configSource, CONFIG_AGGREGATOR_ACTIONS, CONFIG_RECORDER_ACTIONS, selectQuery } from "../../collectors/aws/config.js";
import { securityGroupResource } from "../../collectors/aws/ec2.js";
import { ec2 } from "../../collectors/aws/ec2.js";
import { eks } from "../../collectors/aws/eks.js";
import { iam } from "../../collectors/aws/iam.js";
import { collectors } from "../../collectors/aws/index.js";
import { kms } from "../../collectors/aws/kms.js";
import { collect } from "../../collectors/aws/runner.js";
import { secretsmanager } from "../../collectors/aws/secretsmanager.js";
import { classifyError } from "../../collectors/aws/util.js";
import {
  KEY_ARN,
  KEY_ITEM,
  KEY_POLICY,
  KEY_ROW_BARE,
  POLICY_ROW,
  REGION,
  ROLE_ARN,
  ROLE_ROW,
  SECRET_ARN,
  SECRET_ROW,
  SG_ID,
  SG_ROW,
  SUBNET_ROW,
} from "./config-fixtures.js";
import { ACCOUNT, ARTICLE_TRUST_POLICY, COLLECTED_AT, testContext } from "./fixtures.js";

const OTHER = "210987654321";
const cfg = mockClient(ConfigServiceClient);
const sts = mockClient(STSClient);
const err = (name: string, status: number, message: string, attempts = 1): Error =>
  new ConfigServiceServiceException({ name, $fault: status >= 500 ? "server" : "client", $metadata: { httpStatusCode: status, attempts }, message });

function mockRecorder(): void {
  cfg.on(DescribeConfigurationRecordersCommand).resolves({
    ConfigurationRecorders: [
      { name: "default", roleARN: "arn:aws:iam::x:role/config", recordingGroup: { allSupported: true, includeGlobalResourceTypes: true } },
    ],
  });
  cfg
    .on(SelectResourceConfigCommand)
    .callsFake(({ NextToken }: { NextToken?: string }) =>
      NextToken === undefined
        ? { Results: [ROLE_ROW, POLICY_ROW, SG_ROW].map((r) => JSON.stringify(r)), NextToken: "q2" }
        : { Results: [SUBNET_ROW, KEY_ROW_BARE, SECRET_ROW].map((r) => JSON.stringify(r)) },
    );
  cfg.on(BatchGetResourceConfigCommand).resolves({
    baseConfigurationItems: [KEY_ITEM],
  });
}

beforeEach(() => {
  cfg.reset();
  sts.reset();
  sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/scanner/ci` });
  mockRecorder();
});
afterEach(() => {
  cfg.reset();
  sts.reset();
});

const WANTED = [iam, kms, secretsmanager, ec2, eks];

describe("AWS Config source (recorder)", () => {
  it("selects the recorded types over every page, completes bare items with BatchGet, and translates them into the collectors' shapes", async () => {
    const ctx = testContext({ region: REGION });
    const source = configSource({ collectors: WANTED });
    const rs = await source.collect(ctx);

    const selects = cfg.commandCalls(SelectResourceConfigCommand);
    expect(selects.map((c) => c.args[0].input.NextToken)).toEqual([undefined, "q2"]);
    expect(selects[0].args[0].input.Expression).toBe(
      "SELECT resourceId, resourceType, resourceName, arn, awsRegion, accountId, configuration, supplementaryConfiguration, tags WHERE resourceType IN ('AWS::EC2::SecurityGroup', 'AWS::EC2::Subnet', 'AWS::IAM::Group', 'AWS::IAM::Policy', 'AWS::IAM::Role', 'AWS::IAM::User', 'AWS::KMS::Key', 'AWS::SecretsManager::Secret')",
    );
    expect(cfg.commandCalls(BatchGetResourceConfigCommand).map((c) => c.args[0].input)).toEqual([
      { resourceKeys: [{ resourceType: "AWS::KMS::Key", resourceId: "1234abcd-12ab-34cd-56ef-1234567890ab" }] },
    ]);

    const role = rs.find((r) => r.id === ROLE_ARN);
    expect(role).toMatchObject({ type: "AWS::IAM::Role", region: "global", account: ACCOUNT, tags: { team: "pki" } });
    expect(role?.properties).toMatchObject({
      RoleName: "iamra-issuer",
      AssumeRolePolicyDocument: JSON.parse(ARTICLE_TRUST_POLICY),
      Policies: [{ PolicyName: "inline", PolicyDocument: { Statement: [{ Action: "s3:GetObject" }] } }],
      ManagedPolicyArns: [`arn:aws:iam::${ACCOUNT}:policy/pca-issuer`],
      Tags: [{ Key: "team", Value: "pki" }],
    });
    expect(rs.find((r) => r.type === "AWS::IAM::ManagedPolicy")?.properties).toMatchObject({
      ManagedPolicyName: "pca-issuer",
      Roles: ["iamra-issuer"],
      PolicyDocument: { Statement: [{ Action: "acm-pca:IssueCertificate" }] },
    });

    // the same group read through EC2 gives the same resource
    const sg = rs.find((r) => r.type === "AWS::EC2::SecurityGroup");
    const viaEc2 = securityGroupResource(
      { account: ACCOUNT, region: REGION, partition: "aws" },
      {
        GroupId: SG_ID,
        GroupName: "workload",
        Description: "workload",
        VpcId: "vpc-0123456789abcdef0",
        OwnerId: ACCOUNT,
        Tags: [{ Key: "egress-role", Value: "proxy" }],
        IpPermissions: [],
        IpPermissionsEgress: [
          { IpProtocol: "-1", IpRanges: [{ CidrIp: "0.0.0.0/0" }] },
          { IpProtocol: "tcp", FromPort: 443, ToPort: 443, PrefixListIds: [{ PrefixListId: "pl-0123456789abcdef0" }] },
        ],
      },
    );
    expect(sg).toEqual(viaEc2);
    expect(sg?.properties.SecurityGroupEgress).toEqual([
      { IpProtocol: "-1", CidrIp: "0.0.0.0/0" },
      { IpProtocol: "tcp", FromPort: 443, ToPort: 443, DestinationPrefixListId: "pl-0123456789abcdef0" },
    ]);

    expect(rs.find((r) => r.type === "AWS::EC2::Subnet")).toMatchObject({
      observed: { SubnetId: "subnet-0aaaaaaaaaaaaaaa1", AvailableIpAddressCount: 27 },
      properties: { CidrBlock: "10.0.0.0/27", AvailabilityZone: "eu-west-1a" },
    });
    expect(rs.find((r) => r.type === "AWS::KMS::Key")).toMatchObject({
      id: KEY_ARN,
      properties: { KeyPolicy: KEY_POLICY, EnableKeyRotation: true, KeySpec: "SYMMETRIC_DEFAULT" },
      observed: { KeyManager: "CUSTOMER" },
    });
    expect(rs.find((r) => r.type === "AWS::SecretsManager::Secret")).toMatchObject({
      id: SECRET_ARN,
      tags: { team: "payments" },
      properties: { Name: "prod/db", KmsKeyId: KEY_ARN },
    });

    // types Config does not record (or not with what the rules read) are skipped, named
    expect(ctx.gaps).toEqual([
      {
        action: "config:SelectResourceConfig",
        status: "skipped",
        detail: expect.stringContaining(
          "AWS Config does not record AWS::EKS::Cluster, AWS::EKS::PodIdentityAssociation, AWS::IAM::AccessKey, AWS::SecretsManager::ResourcePolicy",
        ),
        resourceTypes: ["AWS::EKS::Cluster", "AWS::EKS::PodIdentityAssociation", "AWS::IAM::AccessKey", "AWS::SecretsManager::ResourcePolicy"],
      },
    ]);
  });

  it("types the recorder does not record, or no recorder at all, are skipped, not empty", async () => {
    cfg.on(DescribeConfigurationRecordersCommand).resolves({
      ConfigurationRecorders: [
        {
          name: "default",
          recordingGroup: { allSupported: false, resourceTypes: ["AWS::EC2::SecurityGroup"], recordingStrategy: { useOnly: "INCLUSION_BY_RESOURCE_TYPES" } },
        },
      ],
    });
    const ctx = testContext({ region: REGION });
    await configSource({ collectors: [ec2] }).collect(ctx);
    expect(cfg.commandCalls(SelectResourceConfigCommand)[0].args[0].input.Expression).toMatch(/IN \('AWS::EC2::SecurityGroup'\)$/);
    expect(ctx.gaps).toEqual([
      {
        action: "config:DescribeConfigurationRecorders",
        status: "skipped",
        detail: `the AWS Config recorder in ${REGION} does not record AWS::EC2::Subnet`,
        resourceTypes: ["AWS::EC2::Subnet"],
      },
    ]);

    cfg.on(DescribeConfigurationRecordersCommand).resolves({ ConfigurationRecorders: [] });
    const none = testContext({ region: REGION });
    expect(await configSource({ collectors: [ec2] }).collect(none)).toEqual([]);
    expect(none.gaps).toEqual([
      {
        action: "config:DescribeConfigurationRecorders",
        status: "skipped",
        detail: `there is no AWS Config recorder in ${REGION}`,
        resourceTypes: ["AWS::EC2::SecurityGroup", "AWS::EC2::Subnet"],
      },
    ]);
  });

  it("denied select is denied coverage; throttled select is an error", async () => {
    cfg.on(SelectResourceConfigCommand).rejects(err("AccessDeniedException", 400, "not authorized to perform: config:SelectResourceConfig"));
    const snap = await collect({
      source: "config",
      services: ["ec2"],
      credentials: { accessKeyId: "A", secretAccessKey: "s" },
      homeRegion: REGION,
      collectedAt: COLLECTED_AT,
      ratePerSecond: 0,
    });
    expect(snap.coverage).toEqual([
      {
        service: "config",
        account: ACCOUNT,
        region: REGION,
        status: "denied",
        action: "config:SelectResourceConfig",
        detail: expect.stringContaining("AccessDeniedException"),
        resourceTypes: ["AWS::EC2::SecurityGroup", "AWS::EC2::Subnet"],
      },
    ]);
    cfg.on(SelectResourceConfigCommand).rejects(err("ThrottlingException", 400, "Rate exceeded", 6));
    expect(
      classifyError(
        await configSource({ collectors: [ec2] })
          .collect(testContext({ region: REGION }))
          .catch((e: unknown) => e),
      ).status,
    ).toBe("error");
  });

  it("the runner with source 'config' runs the Config source instead of the services and keeps one copy of a global resource", async () => {
    const snap = await collect({
      source: "config",
      services: ["iam", "ec2"],
      regions: [REGION, "us-east-1"],
      credentials: { accessKeyId: "A", secretAccessKey: "s" },
      homeRegion: REGION,
      collectedAt: COLLECTED_AT,
      ratePerSecond: 0,
    });
    expect(snap.resources.filter((r) => r.id === ROLE_ARN)).toHaveLength(1);
    expect(new Set(snap.coverage.map((c) => c.service))).toEqual(new Set(["config"]));
    expect(snap.coverage.filter((c) => c.status === "skipped").map((c) => c.resourceTypes)).toEqual([["AWS::IAM::AccessKey"], ["AWS::IAM::AccessKey"]]);
  });
});

describe("AWS Config source (aggregator)", () => {
  it("reads once through the aggregator, with each item's own account and region", async () => {
    cfg.on(SelectAggregateResourceConfigCommand).resolves({
      Results: [JSON.stringify({ ...SG_ROW, accountId: OTHER, awsRegion: "us-east-2", arn: undefined }), JSON.stringify({ ...KEY_ROW_BARE, accountId: OTHER })],
    });
    cfg.on(BatchGetAggregateResourceConfigCommand).resolves({
      BaseConfigurationItems: [
        {
          resourceType: "AWS::KMS::Key",
          resourceId: KEY_ROW_BARE.resourceId,
          accountId: OTHER,
          awsRegion: REGION,
          configuration: JSON.stringify({ keyId: KEY_ROW_BARE.resourceId, arn: KEY_ARN, keyManager: "CUSTOMER", enabled: true }),
        },
      ],
    });
    const snap = await collect({
      source: "config",
      aggregator: "org-aggregator",
      services: ["ec2", "kms"],
      credentials: { accessKeyId: "A", secretAccessKey: "s" },
      homeRegion: REGION,
      collectedAt: COLLECTED_AT,
      ratePerSecond: 0,
    });
    const sel = cfg.commandCalls(SelectAggregateResourceConfigCommand);
    expect(sel).toHaveLength(1);
    expect(sel[0].args[0].input).toMatchObject({
      ConfigurationAggregatorName: "org-aggregator",
      Expression: selectQuery(["AWS::KMS::Key", "AWS::EC2::SecurityGroup", "AWS::EC2::Subnet"].sort()),
    });
    expect(cfg.commandCalls(BatchGetAggregateResourceConfigCommand)[0].args[0].input.ResourceIdentifiers).toEqual([
      { SourceAccountId: OTHER, SourceRegion: REGION, ResourceId: KEY_ROW_BARE.resourceId, ResourceType: "AWS::KMS::Key", ResourceName: undefined },
    ]);
    const sg = snap.resources.find((r) => r.type === "AWS::EC2::SecurityGroup");
    expect(sg).toMatchObject({ id: `arn:aws:ec2:us-east-2:${ACCOUNT}:security-group/${SG_ID}`, account: OTHER, region: "us-east-2" });
    expect(snap.resources.find((r) => r.type === "AWS::KMS::Key")).toMatchObject({
      account: OTHER,
      properties: { KeyPolicy: { $unknown: expect.stringContaining("no key policy") } },
    });
    expect(cfg.commandCalls(DescribeConfigurationRecordersCommand)).toHaveLength(0);
  });

  it("--aggregator needs --source config and excludes --accounts / --org", async () => {
    const o = { credentials: { accessKeyId: "A", secretAccessKey: "s" }, homeRegion: REGION };
    await expect(collect({ ...o, aggregator: "x" })).rejects.toThrow(/--source config/);
    await expect(collect({ ...o, source: "config", aggregator: "x", org: true })).rejects.toThrow(/drop --accounts \/ --org/);
  });

  it("declares exactly the actions each mode calls, all read-only", async () => {
    const calledActions = (): string[] =>
      [...new Set(cfg.calls().map((c) => `config:${(c.args[0] as object).constructor.name.replace(/Command$/, "")}`))].sort();
    cfg.resetHistory();
    const rec = configSource({ collectors: WANTED });
    await rec.collect(testContext({ region: REGION }));
    expect(calledActions()).toEqual([...rec.actions].sort());
    expect(rec.actions).toEqual(CONFIG_RECORDER_ACTIONS);

    cfg.resetHistory();
    cfg.on(SelectAggregateResourceConfigCommand).resolves({ Results: [JSON.stringify(KEY_ROW_BARE)] });
    cfg.on(BatchGetAggregateResourceConfigCommand).resolves({ BaseConfigurationItems: [] });
    const agg = configSource({ collectors: WANTED, aggregator: "a" });
    await agg.collect(testContext());
    expect(calledActions()).toEqual([...agg.actions].sort());
    expect(agg.actions).toEqual(CONFIG_AGGREGATOR_ACTIONS);
    for (const a of [...CONFIG_RECORDER_ACTIONS, ...CONFIG_AGGREGATOR_ACTIONS]) expect(a).toMatch(/^config:(Get|List|Describe|BatchGet|Select)[A-Za-z]*$/);
  });
});

describe("Config translations (owned by the service modules)", () => {
  it("each collector translates only its own types, and each Config type belongs to one collector", () => {
    const owner = new Map<string, string>();
    for (const c of collectors) {
      for (const [type, recorded] of Object.entries(c.config?.recordedAs ?? {})) {
        expect(c.resourceTypes).toContain(type);
        expect(owner.get(recorded)).toBeUndefined();
        owner.set(recorded, c.service);
      }
    }
    expect(Object.fromEntries([...owner].sort())).toEqual({
      "AWS::EC2::SecurityGroup": "ec2",
      "AWS::EC2::Subnet": "ec2",
      "AWS::IAM::Group": "iam",
      "AWS::IAM::Policy": "iam",
      "AWS::IAM::Role": "iam",
      "AWS::IAM::User": "iam",
      "AWS::KMS::Key": "kms",
      "AWS::SecretsManager::Secret": "secretsmanager",
    });
  });
});
