import { DescribeSecurityGroupsCommand, DescribeSubnetsCommand, EC2Client, EC2ServiceException, type SecurityGroup, type Subnet } from "@aws-sdk/client-ec2";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ec2, flattenPermissions } from "../../collectors/aws/ec2.js";
import { collect } from "../../collectors/aws/runner.js";
import { ACCOUNT, COLLECTED_AT, testContext } from "./fixtures.js";
import { startLoopback, type Loopback } from "./loopback.js";

const REGION = "us-east-1";
const ec2Mock = mockClient(EC2Client);
const err = (name: string, status: number, message: string, attempts = 1): Error =>
  new EC2ServiceException({ name, $fault: status >= 500 ? "server" : "client", $metadata: { httpStatusCode: status, attempts }, message });

const SUBNETS: Subnet[] = [
  {
    SubnetId: "subnet-0aaaaaaaaaaaaaaa1",
    SubnetArn: `arn:aws:ec2:${REGION}:${ACCOUNT}:subnet/subnet-0aaaaaaaaaaaaaaa1`,
    VpcId: "vpc-0123456789abcdef0",
    CidrBlock: "10.0.0.0/27",
    AvailabilityZone: "us-east-1a",
    AvailabilityZoneId: "use1-az1",
    AvailableIpAddressCount: 3,
    State: "available",
    DefaultForAz: false,
    MapPublicIpOnLaunch: false,
    OwnerId: ACCOUNT,
    Tags: [{ Key: "Name", Value: "emr-a" }],
  },
  {
    SubnetId: "subnet-0bbbbbbbbbbbbbbb2",
    SubnetArn: `arn:aws:ec2:${REGION}:${ACCOUNT}:subnet/subnet-0bbbbbbbbbbbbbbb2`,
    VpcId: "vpc-0123456789abcdef0",
    CidrBlock: "10.0.1.0/24",
    AvailabilityZone: "us-east-1b",
    AvailabilityZoneId: "use1-az2",
    AvailableIpAddressCount: 251,
    State: "available",
    OwnerId: ACCOUNT,
  },
];

const GROUP: SecurityGroup = {
  GroupId: "sg-0123456789abcdef0",
  GroupName: "workload",
  Description: "workload",
  VpcId: "vpc-0123456789abcdef0",
  OwnerId: ACCOUNT,
  Tags: [{ Key: "egress-role", Value: "proxy" }],
  IpPermissions: [{ IpProtocol: "tcp", FromPort: 443, ToPort: 443, UserIdGroupPairs: [{ GroupId: "sg-0fedcba9876543210", UserId: ACCOUNT }] }],
  IpPermissionsEgress: [
    { IpProtocol: "-1", IpRanges: [{ CidrIp: "0.0.0.0/0" }], Ipv6Ranges: [{ CidrIpv6: "::/0" }] },
    { IpProtocol: "tcp", FromPort: 443, ToPort: 443, PrefixListIds: [{ PrefixListId: "pl-0123456789abcdef0", Description: "s3" }] },
    { IpProtocol: "tcp", FromPort: 5432, ToPort: 5432, UserIdGroupPairs: [{ GroupId: "sg-0db0db0db0db0db00", UserId: ACCOUNT }] },
  ],
};

describe("ec2 collector (mocked SDK)", () => {
  beforeEach(() => {
    ec2Mock.reset();
    ec2Mock
      .on(DescribeSubnetsCommand)
      .callsFake(({ NextToken }: { NextToken?: string }) =>
        NextToken === undefined ? { Subnets: [SUBNETS[0]], NextToken: "subnets-2" } : { Subnets: [SUBNETS[1]] },
      );
    ec2Mock
      .on(DescribeSecurityGroupsCommand)
      .callsFake(({ NextToken }: { NextToken?: string }) =>
        NextToken === undefined ? { SecurityGroups: [GROUP], NextToken: "groups-2" } : { SecurityGroups: [] },
      );
  });
  afterEach(() => ec2Mock.reset());

  it("pages through DescribeSubnets and keeps the free-address count under observed", async () => {
    const ctx = testContext({ region: REGION });
    const rs = await ec2.collect(ctx);
    expect(ec2Mock.commandCalls(DescribeSubnetsCommand).map((c) => c.args[0].input.NextToken)).toEqual([undefined, "subnets-2"]);
    expect(ec2Mock.commandCalls(DescribeSecurityGroupsCommand).map((c) => c.args[0].input.NextToken)).toEqual([undefined, "groups-2"]);
    const a = rs.find((r) => r.id === SUBNETS[0].SubnetArn);
    expect(a).toEqual({
      type: "AWS::EC2::Subnet",
      id: SUBNETS[0].SubnetArn,
      arn: SUBNETS[0].SubnetArn,
      name: "emr-a",
      account: ACCOUNT,
      region: REGION,
      tags: { Name: "emr-a" },
      properties: {
        VpcId: "vpc-0123456789abcdef0",
        CidrBlock: "10.0.0.0/27",
        AvailabilityZone: "us-east-1a",
        AvailabilityZoneId: "use1-az1",
        MapPublicIpOnLaunch: false,
        Tags: [{ Key: "Name", Value: "emr-a" }],
      },
      observed: { SubnetId: "subnet-0aaaaaaaaaaaaaaa1", AvailableIpAddressCount: 3, State: "available", DefaultForAz: false, OwnerId: ACCOUNT },
      source: { kind: "aws", account: ACCOUNT, region: REGION },
    });
    expect(ctx.gaps).toEqual([]);
    expect(ctx.calls).toBe(4);
  });

  it("puts the group's real egress rules inline, flattened as docs/model/egress.md says", async () => {
    const rs = await ec2.collect(testContext({ region: REGION }));
    const g = rs.find((r) => r.type === "AWS::EC2::SecurityGroup");
    expect(g).toMatchObject({ id: `arn:aws:ec2:${REGION}:${ACCOUNT}:security-group/sg-0123456789abcdef0`, name: "workload", tags: { "egress-role": "proxy" } });
    expect(g?.properties).toEqual({
      GroupName: "workload",
      GroupDescription: "workload",
      VpcId: "vpc-0123456789abcdef0",
      SecurityGroupIngress: [
        { IpProtocol: "tcp", FromPort: 443, ToPort: 443, SourceSecurityGroupId: "sg-0fedcba9876543210", SourceSecurityGroupOwnerId: ACCOUNT },
      ],
      SecurityGroupEgress: [
        { IpProtocol: "-1", CidrIp: "0.0.0.0/0" },
        { IpProtocol: "-1", CidrIpv6: "::/0" },
        { IpProtocol: "tcp", FromPort: 443, ToPort: 443, DestinationPrefixListId: "pl-0123456789abcdef0", Description: "s3" },
        { IpProtocol: "tcp", FromPort: 5432, ToPort: 5432, DestinationSecurityGroupId: "sg-0db0db0db0db0db00" },
      ],
      Tags: [{ Key: "egress-role", Value: "proxy" }],
    });
    expect(flattenPermissions([], "egress")).toEqual([]);
  });

  it("a denied DescribeSecurityGroups is a denied gap for that type only; subnets are still read", async () => {
    ec2Mock.on(DescribeSecurityGroupsCommand).rejects(err("UnauthorizedOperation", 403, "You are not authorized to perform this operation."));
    const ctx = testContext({ region: REGION });
    const rs = await ec2.collect(ctx);
    expect(rs.map((r) => r.type)).toEqual(["AWS::EC2::Subnet", "AWS::EC2::Subnet"]);
    expect(ctx.gaps).toEqual([
      {
        action: "ec2:DescribeSecurityGroups",
        status: "denied",
        detail: "UnauthorizedOperation: You are not authorized to perform this operation.",
        resourceTypes: ["AWS::EC2::SecurityGroup"],
      },
    ]);
  });

  it("throttling on the second subnet page is an error gap for subnets (no half list)", async () => {
    ec2Mock.on(DescribeSubnetsCommand, { NextToken: "subnets-2" }).rejects(err("RequestLimitExceeded", 503, "Request limit exceeded.", 6));
    const ctx = testContext({ region: REGION });
    const rs = await ec2.collect(ctx);
    expect(rs.map((r) => r.type)).toEqual(["AWS::EC2::SecurityGroup"]);
    expect(ctx.gaps).toEqual([
      {
        action: "ec2:DescribeSubnets",
        status: "error",
        detail: "throttled after 6 attempts: RequestLimitExceeded: Request limit exceeded.",
        resourceTypes: ["AWS::EC2::Subnet"],
      },
    ]);
  });
});

// --- wire level: EC2's query protocol with its own XML dialect -----------------------------

describe("EC2 over the query/XML wire protocol (loopback stub)", () => {
  const EC2_NS = "http://ec2.amazonaws.com/doc/2016-11-15/";
  const STS_NS = "https://sts.amazonaws.com/doc/2011-06-15/";
  const seen: { params: URLSearchParams; authorization?: string }[] = [];
  let server: Loopback;

  const subnetXml = (s: Subnet): string => `<item>
        <subnetId>${s.SubnetId}</subnetId>
        <subnetArn>${s.SubnetArn}</subnetArn>
        <state>available</state>
        <ownerId>${ACCOUNT}</ownerId>
        <vpcId>${s.VpcId}</vpcId>
        <cidrBlock>${s.CidrBlock}</cidrBlock>
        <ipv6CidrBlockAssociationSet/>
        <availableIpAddressCount>${s.AvailableIpAddressCount}</availableIpAddressCount>
        <availabilityZone>${s.AvailabilityZone}</availabilityZone>
        <availabilityZoneId>${s.AvailabilityZoneId}</availabilityZoneId>
        <defaultForAz>false</defaultForAz>
        <mapPublicIpOnLaunch>false</mapPublicIpOnLaunch>
        <assignIpv6AddressOnCreation>false</assignIpv6AddressOnCreation>
        ${s.Tags ? `<tagSet>${s.Tags.map((t) => `<item><key>${t.Key}</key><value>${t.Value}</value></item>`).join("")}</tagSet>` : ""}
      </item>`;

  function respond(params: URLSearchParams): { status: number; body: string } {
    switch (params.get("Action")) {
      case "GetCallerIdentity":
        return {
          status: 200,
          body: `<GetCallerIdentityResponse xmlns="${STS_NS}"><GetCallerIdentityResult><Arn>arn:aws:iam::${ACCOUNT}:user/scanner</Arn><UserId>AIDAEXAMPLE</UserId><Account>${ACCOUNT}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
        };
      case "DescribeSubnets": {
        const first = params.get("NextToken") === null;
        return {
          status: 200,
          body: `<?xml version="1.0" encoding="UTF-8"?>
<DescribeSubnetsResponse xmlns="${EC2_NS}">
    <requestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</requestId>
    <subnetSet>
      ${subnetXml(first ? SUBNETS[0] : SUBNETS[1])}
    </subnetSet>
    ${first ? "<nextToken>eyJ2IjoiMiIsImMiOiJwYWdlMiJ9</nextToken>" : ""}
</DescribeSubnetsResponse>`,
        };
      }
      case "DescribeSecurityGroups":
        // EC2's error envelope differs from IAM's: <Response><Errors><Error>.
        return {
          status: 403,
          body: `<?xml version="1.0" encoding="UTF-8"?>
<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>You are not authorized to perform this operation. User: arn:aws:iam::${ACCOUNT}:user/scanner is not authorized to perform: ec2:DescribeSecurityGroups</Message></Error></Errors><RequestID>b1c2d3e4-EXAMPLE</RequestID></Response>`,
        };
      default:
        return {
          status: 400,
          body: `<Response><Errors><Error><Code>InvalidAction</Code><Message>unexpected</Message></Error></Errors><RequestID>x</RequestID></Response>`,
        };
    }
  }

  beforeAll(async () => {
    ec2Mock.restore();
    server = await startLoopback(
      (req, body) => {
        const params = new URLSearchParams(body);
        seen.push({ params, authorization: req.headers.authorization });
        const r = respond(params);
        return { status: r.status, headers: { "content-type": "text/xml;charset=UTF-8" }, body: r.body };
      },
      { sdkEndpoint: true },
    );
  });

  afterAll(() => server.close());

  it("serializes DescribeSubnets as an EC2 query, parses the XML item sets and the EC2 error envelope", async () => {
    const snap = await collect({
      services: ["ec2"],
      homeRegion: REGION,
      credentials: { accessKeyId: "AKIDLOOPBACKTEST", secretAccessKey: "loopback-secret" },
      maxAttempts: 1,
      collectedAt: COLLECTED_AT,
    });
    const calls = seen.filter((s) => s.params.get("Action") === "DescribeSubnets");
    expect(calls.map((s) => s.params.get("NextToken"))).toEqual([null, "eyJ2IjoiMiIsImMiOiJwYWdlMiJ9"]);
    expect(calls[0].params.get("Version")).toBe("2016-11-15");
    expect(calls[0].params.get("MaxResults")).toBe("1000");
    expect(calls[0].authorization).toMatch(new RegExp(`^AWS4-HMAC-SHA256 Credential=AKIDLOOPBACKTEST/\\d{8}/${REGION}/ec2/aws4_request`));

    expect(snap.resources.map((r) => [r.type, r.id, r.observed?.AvailableIpAddressCount])).toEqual([
      ["AWS::EC2::Subnet", SUBNETS[0].SubnetArn, 3],
      ["AWS::EC2::Subnet", SUBNETS[1].SubnetArn, 251],
    ]);
    expect(snap.resources[0]).toMatchObject({
      name: "emr-a",
      tags: { Name: "emr-a" },
      properties: { CidrBlock: "10.0.0.0/27", AvailabilityZone: "us-east-1a", VpcId: "vpc-0123456789abcdef0" },
    });
    expect(snap.coverage).toEqual([
      {
        service: "ec2",
        account: ACCOUNT,
        region: REGION,
        status: "denied",
        action: "ec2:DescribeSecurityGroups",
        detail: expect.stringMatching(/^UnauthorizedOperation: You are not authorized/),
        resourceTypes: ["AWS::EC2::SecurityGroup"],
      },
      { service: "ec2", account: ACCOUNT, region: REGION, status: "ok", resourceTypes: ["AWS::EC2::Subnet"] },
    ]);
  });
});
