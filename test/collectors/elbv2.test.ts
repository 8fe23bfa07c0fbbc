import { DescribeLoadBalancersCommand, DescribeTagsCommand, ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { mockClient, type AwsStub } from "aws-sdk-client-mock";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { LOAD_BALANCER, TAG_BATCH, elbv2 } from "../../collectors/aws/elbv2.js";
import { collect } from "../../collectors/aws/runner.js";
import { ACCOUNT, COLLECTED_AT, accessDenied, serviceError, testContext } from "./fixtures.js";

const REGION = "us-east-1";
const lbArn = (i: number): string => `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:loadbalancer/app/lb-${i}/50dc6c495c0c${String(i).padStart(4, "0")}`;
/** 25 load balancers over two pages: two DescribeTags batches (20 + 5). */
const ALL = Array.from({ length: 25 }, (_, i) => i);

let elb: AwsStub<any, any, any>;
let sts: AwsStub<any, any, any>;

function lb(i: number): Record<string, unknown> {
  return {
    LoadBalancerArn: lbArn(i),
    DNSName: `lb-${i}-1234567890.${REGION}.elb.amazonaws.com`,
    CanonicalHostedZoneId: "Z35SXDOTRQ7X7K",
    CreatedTime: new Date("2024-05-01T00:00:00Z"),
    LoadBalancerName: `lb-${i}`,
    Scheme: "internet-facing",
    VpcId: "vpc-0123456789abcdef0",
    State: { Code: "active" },
    Type: "application",
    AvailabilityZones: [
      { ZoneName: "us-east-1a", SubnetId: "subnet-0aaa", LoadBalancerAddresses: [] },
      { ZoneName: "us-east-1b", SubnetId: "subnet-0bbb", LoadBalancerAddresses: [] },
    ],
    SecurityGroups: ["sg-0123456789abcdef0"],
    IpAddressType: "ipv4",
  };
}

function mockAccount(): void {
  elb
    .on(DescribeLoadBalancersCommand)
    .callsFake(({ Marker }: { Marker?: string }) =>
      Marker ? { LoadBalancers: ALL.slice(15).map(lb) } : { LoadBalancers: ALL.slice(0, 15).map(lb), NextMarker: "m2" },
    );
  elb.on(DescribeTagsCommand).callsFake(({ ResourceArns }: { ResourceArns: string[] }) => ({
    TagDescriptions: ResourceArns.map((ResourceArn) => ({ ResourceArn, Tags: ResourceArn === lbArn(3) ? [{ Key: "Tier", Value: "Production" }] : [] })),
  }));
}

describe("elbv2 collector", () => {
  beforeAll(() => {
    elb = mockClient(ElasticLoadBalancingV2Client);
    sts = mockClient(STSClient);
  });
  beforeEach(() => {
    elb.reset();
    sts.reset();
    mockAccount();
    sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/scanner/ci` });
  });
  afterAll(() => {
    elb.restore();
    sts.restore();
  });

  it("follows NextMarker, reads tags in batches of 20 and maps to the CloudFormation shape", async () => {
    const ctx = testContext({ region: REGION });
    const rs = await elbv2.collect(ctx);
    expect(ctx.gaps).toEqual([]);
    expect(elb.commandCalls(DescribeLoadBalancersCommand).map((c) => c.args[0].input.Marker)).toEqual([undefined, "m2"]);
    const batches = elb.commandCalls(DescribeTagsCommand).map((c) => c.args[0].input.ResourceArns as string[]);
    expect(batches.map((b) => b.length).sort((a, b) => b - a)).toEqual([TAG_BATCH, 5]);
    expect(rs).toHaveLength(25);
    expect(rs[3]).toEqual({
      type: LOAD_BALANCER,
      id: lbArn(3),
      arn: lbArn(3),
      name: "lb-3",
      account: ACCOUNT,
      region: REGION,
      tags: { Tier: "Production" },
      properties: {
        Name: "lb-3",
        Type: "application",
        Scheme: "internet-facing",
        IpAddressType: "ipv4",
        SecurityGroups: ["sg-0123456789abcdef0"],
        Subnets: ["subnet-0aaa", "subnet-0bbb"],
        SubnetMappings: [{ SubnetId: "subnet-0aaa" }, { SubnetId: "subnet-0bbb" }],
        Tags: [{ Key: "Tier", Value: "Production" }],
      },
      observed: {
        DNSName: `lb-3-1234567890.${REGION}.elb.amazonaws.com`,
        CanonicalHostedZoneId: "Z35SXDOTRQ7X7K",
        VpcId: "vpc-0123456789abcdef0",
        State: "active",
        CreatedTime: "2024-05-01T00:00:00.000Z",
      },
      source: { kind: "aws", account: ACCOUNT, region: REGION },
    });
    expect(rs[4].tags).toEqual({});
  });

  it("calls exactly the actions it declares", async () => {
    await elbv2.collect(testContext({ region: REGION }));
    const called = [...new Set(elb.calls().map((c) => `elasticloadbalancing:${(c.args[0] as object).constructor.name.replace(/Command$/, "")}`))].sort();
    expect(called).toEqual([...elbv2.actions].sort());
  });

  it("a denied DescribeTags batch leaves those tags an unknown marker (never an empty map) and a gap on the type", async () => {
    elb.on(DescribeTagsCommand).rejects(accessDenied("elasticloadbalancing:DescribeTags"));
    const ctx = testContext({ region: REGION });
    const rs = await elbv2.collect(ctx);
    expect(rs[0].tags).toEqual({ $unknown: expect.stringContaining("DescribeTags failed") });
    expect(rs[0].properties.Tags).toEqual({ $unknown: expect.stringContaining("DescribeTags failed") });
    expect(ctx.gaps[0]).toMatchObject({ action: "elasticloadbalancing:DescribeTags", status: "denied", resourceTypes: [LOAD_BALANCER] });
  });

  it("through the runner: denied DescribeLoadBalancers is denied coverage; throttling is error", async () => {
    const opts = {
      collectors: [elbv2],
      credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "s" },
      homeRegion: REGION,
      ratePerSecond: 0,
      collectedAt: COLLECTED_AT,
    };
    elb
      .on(DescribeLoadBalancersCommand)
      .rejects(serviceError("AccessDenied", 403, "User is not authorized to perform: elasticloadbalancing:DescribeLoadBalancers"));
    expect((await collect(opts)).coverage).toEqual([
      {
        service: "elasticloadbalancing",
        account: ACCOUNT,
        region: REGION,
        status: "denied",
        action: "elasticloadbalancing:DescribeLoadBalancers",
        detail: "AccessDenied: User is not authorized to perform: elasticloadbalancing:DescribeLoadBalancers",
        resourceTypes: [LOAD_BALANCER],
      },
    ]);
    elb.on(DescribeLoadBalancersCommand).rejects(serviceError("Throttling", 400, "Rate exceeded", 6));
    expect((await collect(opts)).coverage).toEqual([
      expect.objectContaining({ status: "error", detail: "throttled after 6 attempts: Throttling: Rate exceeded" }),
    ]);
  });
});
