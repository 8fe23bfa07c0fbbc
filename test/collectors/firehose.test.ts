import { DescribeDeliveryStreamCommand, FirehoseClient, ListDeliveryStreamsCommand, ListTagsForDeliveryStreamCommand } from "@aws-sdk/client-firehose";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { mockClient, type AwsStub } from "aws-sdk-client-mock";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DELIVERY_STREAM, encryption, firehose } from "../../collectors/aws/firehose.js";
import { collect } from "../../collectors/aws/runner.js";
import { ACCOUNT, COLLECTED_AT, accessDenied, serviceError, testContext } from "./fixtures.js";

const REGION = "us-east-1";
const arnOf = (n: string): string => `arn:aws:firehose:${REGION}:${ACCOUNT}:deliverystream/${n}`;
const WAF = "aws-waf-logs-firehose-iceberg-1";
const PLAIN = "aws-waf-logs-plain";
const CMK = "kinesis-to-s3";
const KEY = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

let fh: AwsStub<any, any, any>;
let sts: AwsStub<any, any, any>;

const description = (name: string): Record<string, unknown> => ({
  DeliveryStreamName: name,
  DeliveryStreamARN: arnOf(name),
  DeliveryStreamStatus: "ACTIVE",
  DeliveryStreamType: name === CMK ? "KinesisStreamAsSource" : "DirectPut",
  VersionId: "1",
  CreateTimestamp: new Date("2025-01-01T00:00:00Z"),
  Destinations: [],
  HasMoreDestinations: false,
  ...(name === WAF
    ? { DeliveryStreamEncryptionConfiguration: { KeyType: "AWS_OWNED_CMK", Status: "ENABLED" } }
    : name === CMK
      ? {
          DeliveryStreamEncryptionConfiguration: {
            KeyType: "CUSTOMER_MANAGED_CMK",
            KeyARN: KEY,
            Status: "ENABLING_FAILED",
            FailureDescription: { Type: "KMS_ACCESS_DENIED", Details: "Firehose cannot use the key" },
          },
        }
      : {}),
});

function mockAccount(): void {
  fh.on(ListDeliveryStreamsCommand).callsFake(({ ExclusiveStartDeliveryStreamName }: { ExclusiveStartDeliveryStreamName?: string }) =>
    ExclusiveStartDeliveryStreamName === undefined
      ? { DeliveryStreamNames: [WAF, PLAIN], HasMoreDeliveryStreams: true }
      : { DeliveryStreamNames: [CMK], HasMoreDeliveryStreams: false },
  );
  fh.on(DescribeDeliveryStreamCommand).callsFake(({ DeliveryStreamName }: { DeliveryStreamName: string }) => ({
    DeliveryStreamDescription: description(DeliveryStreamName),
  }));
  fh.on(ListTagsForDeliveryStreamCommand).callsFake(
    ({ DeliveryStreamName, ExclusiveStartTagKey }: { DeliveryStreamName: string; ExclusiveStartTagKey?: string }) =>
      DeliveryStreamName !== WAF
        ? { Tags: [], HasMoreTags: false }
        : ExclusiveStartTagKey
          ? { Tags: [{ Key: "team", Value: "secops" }], HasMoreTags: false }
          : { Tags: [{ Key: "env", Value: "prod" }], HasMoreTags: true },
  );
}

describe("firehose collector", () => {
  beforeAll(() => {
    fh = mockClient(FirehoseClient);
    sts = mockClient(STSClient);
  });
  beforeEach(() => {
    fh.reset();
    sts.reset();
    mockAccount();
    sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/scanner/ci` });
  });
  afterAll(() => {
    fh.restore();
    sts.restore();
  });

  it("pages by the last stream name and maps encryption into the CloudFormation input plus observed status", async () => {
    const ctx = testContext({ region: REGION });
    const rs = await firehose.collect(ctx);
    expect(ctx.gaps).toEqual([]);
    expect(fh.commandCalls(ListDeliveryStreamsCommand).map((c) => c.args[0].input.ExclusiveStartDeliveryStreamName)).toEqual([undefined, PLAIN]);
    expect(
      fh
        .commandCalls(ListTagsForDeliveryStreamCommand)
        .filter((c) => c.args[0].input.DeliveryStreamName === WAF)
        .map((c) => c.args[0].input.ExclusiveStartTagKey),
    ).toEqual([undefined, "env"]);

    expect(rs[0]).toEqual({
      type: DELIVERY_STREAM,
      id: arnOf(WAF),
      arn: arnOf(WAF),
      name: WAF,
      account: ACCOUNT,
      region: REGION,
      tags: { env: "prod", team: "secops" },
      properties: {
        DeliveryStreamName: WAF,
        DeliveryStreamType: "DirectPut",
        DeliveryStreamEncryptionConfigurationInput: { KeyType: "AWS_OWNED_CMK" },
        Tags: [
          { Key: "env", Value: "prod" },
          { Key: "team", Value: "secops" },
        ],
      },
      observed: { EncryptionStatus: "ENABLED", DeliveryStreamStatus: "ACTIVE", CreateTimestamp: "2025-01-01T00:00:00.000Z" },
      source: { kind: "aws", account: ACCOUNT, region: REGION },
    });
    // No encryption configuration at all: DISABLED, no input.
    expect(rs[1].properties.DeliveryStreamEncryptionConfigurationInput).toBeUndefined();
    expect(rs[1].observed).toMatchObject({ EncryptionStatus: "DISABLED" });
    // A failed CMK: the input is absent (not on), the status and reason are observed.
    expect(rs[2].properties).toEqual({ DeliveryStreamName: CMK, DeliveryStreamType: "KinesisStreamAsSource", Tags: [] });
    expect(rs[2].observed).toMatchObject({ EncryptionStatus: "ENABLING_FAILED", EncryptionFailureDescription: "Firehose cannot use the key" });
  });

  it("keeps the key of a stream whose encryption is being enabled", () => {
    expect(encryption({ DeliveryStreamEncryptionConfiguration: { KeyType: "CUSTOMER_MANAGED_CMK", KeyARN: KEY, Status: "ENABLING" } } as never)).toEqual({
      input: { KeyType: "CUSTOMER_MANAGED_CMK", KeyARN: KEY },
      status: "ENABLING",
    });
  });

  it("calls exactly the actions it declares", async () => {
    await firehose.collect(testContext({ region: REGION }));
    const called = [...new Set(fh.calls().map((c) => `firehose:${(c.args[0] as object).constructor.name.replace(/Command$/, "")}`))].sort();
    expect(called).toEqual([...firehose.actions].sort());
  });

  it("through the runner: denied ListDeliveryStreams is denied coverage; throttling on DescribeDeliveryStream is error", async () => {
    const opts = {
      collectors: [firehose],
      credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "s" },
      homeRegion: REGION,
      ratePerSecond: 0,
      collectedAt: COLLECTED_AT,
    };
    fh.on(ListDeliveryStreamsCommand).rejects(accessDenied("firehose:ListDeliveryStreams"));
    expect((await collect(opts)).coverage).toEqual([
      {
        service: "firehose",
        account: ACCOUNT,
        region: REGION,
        status: "denied",
        action: "firehose:ListDeliveryStreams",
        detail: expect.stringContaining("AccessDeniedException"),
        resourceTypes: [DELIVERY_STREAM],
      },
    ]);
    fh.on(ListDeliveryStreamsCommand).resolves({ DeliveryStreamNames: [WAF], HasMoreDeliveryStreams: false });
    fh.on(DescribeDeliveryStreamCommand).rejects(serviceError("ThrottlingException", 400, "Rate exceeded", 6));
    expect((await collect(opts)).coverage).toEqual([
      expect.objectContaining({
        status: "error",
        action: "firehose:DescribeDeliveryStream",
        detail: "throttled after 6 attempts: ThrottlingException: Rate exceeded",
      }),
    ]);
  });
});
