import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { DescribeSecurityGroupsCommand, DescribeSubnetsCommand, EC2Client } from "@aws-sdk/client-ec2";
import {
  DescribeClusterCommand,
  EMRClient,
  EMRServiceException,
  GetManagedScalingPolicyCommand,
  ListClustersCommand,
  ListInstanceFleetsCommand,
  ListInstancesCommand,
  type Cluster,
  type InstanceFleet,
} from "@aws-sdk/client-emr";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { ec2 } from "../../collectors/aws/ec2.js";
import { emr } from "../../collectors/aws/emr.js";
import { collect } from "../../collectors/aws/runner.js";
import { classifyError } from "../../collectors/aws/util.js";
import { Engine } from "../../engine/engine.js";
import { loadPack } from "../../engine/pack.js";
import { readSnapshot, writeSnapshot } from "../../model/snapshot.js";
import { ACCOUNT, COLLECTED_AT, testContext } from "./fixtures.js";

const REGION = "us-east-1";
const m = mockClient(EMRClient);
const ec2M = mockClient(EC2Client);
const sts = mockClient(STSClient);
const err = (name: string, status: number, message: string, attempts = 1): Error =>
  new EMRServiceException({ name, $fault: status >= 500 ? "server" : "client", $metadata: { httpStatusCode: status, attempts }, message });

const FLEET_ID = "j-X40BEI1OXXX";
const GROUP_ID = "j-GROUPS00001";
const arnOf = (id: string): string => `arn:aws:elasticmapreduce:${REGION}:${ACCOUNT}:cluster/${id}`;
const S = ["subnet-XXXXXXXXXXXXXXXX1", "subnet-XXXXXXXXXXXXXXXX2", "subnet-XXXXXXXXXXXXXXXX3"];

const FLEET_CLUSTER: Cluster = {
  Id: FLEET_ID,
  Name: "fleet-cluster",
  ClusterArn: arnOf(FLEET_ID),
  ReleaseLabel: "emr-7.2.0",
  InstanceCollectionType: "INSTANCE_FLEET",
  Status: { State: "RUNNING" },
  Ec2InstanceAttributes: { RequestedEc2SubnetIds: S, Ec2SubnetId: S[1], Ec2AvailabilityZone: "us-east-1b" },
  Tags: [],
};
const FLEETS: InstanceFleet[] = [
  {
    Id: "if-1",
    Name: "primary",
    InstanceFleetType: "MASTER",
    TargetOnDemandCapacity: 1,
    TargetSpotCapacity: 0,
    InstanceTypeSpecifications: [{ InstanceType: "r6g.xlarge", WeightedCapacity: 1, EbsOptimized: true }],
  },
  {
    Id: "if-2",
    Name: "core",
    InstanceFleetType: "CORE",
    TargetOnDemandCapacity: 48,
    TargetSpotCapacity: 0,
    InstanceTypeSpecifications: [{ InstanceType: "m7g.2xlarge", WeightedCapacity: 1 }],
    LaunchSpecifications: { OnDemandSpecification: { AllocationStrategy: "lowest-price" } },
  },
  {
    Id: "if-3",
    Name: "task",
    InstanceFleetType: "TASK",
    TargetOnDemandCapacity: 0,
    TargetSpotCapacity: 48,
    InstanceTypeSpecifications: [{ InstanceType: "r6g.xlarge", WeightedCapacity: 1, BidPriceAsPercentageOfOnDemandPrice: 100 }],
    LaunchSpecifications: { SpotSpecification: { AllocationStrategy: "capacity-optimized", TimeoutAction: "SWITCH_TO_ON_DEMAND", TimeoutDurationMinutes: 20 } },
  },
];

function mockEmr(): void {
  m.on(ListClustersCommand).callsFake(({ Marker }: { Marker?: string }) =>
    Marker === undefined ? { Clusters: [{ Id: FLEET_ID, Name: "fleet-cluster" }], Marker: "m2" } : { Clusters: [{ Id: GROUP_ID, Name: "groups" }] },
  );
  m.on(DescribeClusterCommand).callsFake(({ ClusterId }: { ClusterId: string }) => ({
    Cluster:
      ClusterId === FLEET_ID
        ? FLEET_CLUSTER
        : {
            Id: GROUP_ID,
            Name: "groups",
            ClusterArn: arnOf(GROUP_ID),
            ReleaseLabel: "emr-6.15.0",
            InstanceCollectionType: "INSTANCE_GROUP",
            Ec2InstanceAttributes: { Ec2SubnetId: S[0] },
            Tags: [{ Key: "team", Value: "bi" }],
          },
  }));
  m.on(ListInstanceFleetsCommand).callsFake(({ Marker }: { Marker?: string }) =>
    Marker === undefined ? { InstanceFleets: FLEETS.slice(0, 2), Marker: "f2" } : { InstanceFleets: FLEETS.slice(2) },
  );
  m.on(GetManagedScalingPolicyCommand).resolves({
    ManagedScalingPolicy: { ComputeLimits: { UnitType: "InstanceFleetUnits", MinimumCapacityUnits: 49, MaximumCapacityUnits: 120 } },
  });
  m.on(ListInstancesCommand).callsFake(({ Marker }: { Marker?: string }) =>
    Marker === undefined
      ? { Instances: Array.from({ length: 50 }, (_, i) => ({ Id: `ci-${i}` })), Marker: "i2" }
      : { Instances: Array.from({ length: 47 }, (_, i) => ({ Id: `ci-b${i}` })) },
  );
}

beforeEach(() => {
  for (const x of [m, ec2M, sts]) x.reset();
  mockEmr();
});
afterEach(() => {
  for (const x of [m, ec2M, sts]) x.reset();
});
afterAll(() => {
  for (const x of [m, ec2M, sts]) x.restore();
});

describe("emr collector", () => {
  it("lists active clusters over every page and builds the docs/model/emr-headroom.md shape", async () => {
    const ctx = testContext({ region: REGION });
    const rs = await emr.collect(ctx);
    expect(m.commandCalls(ListClustersCommand).map((c) => c.args[0].input)).toEqual([
      { ClusterStates: ["STARTING", "BOOTSTRAPPING", "RUNNING", "WAITING"], Marker: undefined },
      { ClusterStates: ["STARTING", "BOOTSTRAPPING", "RUNNING", "WAITING"], Marker: "m2" },
    ]);
    const c = rs.find((r) => r.id === arnOf(FLEET_ID));
    expect(c?.properties).toEqual({
      Name: "fleet-cluster",
      ReleaseLabel: "emr-7.2.0",
      Instances: {
        MasterInstanceFleet: {
          Name: "primary",
          TargetOnDemandCapacity: 1,
          TargetSpotCapacity: 0,
          InstanceTypeConfigs: [{ InstanceType: "r6g.xlarge", WeightedCapacity: 1 }],
        },
        CoreInstanceFleet: {
          Name: "core",
          TargetOnDemandCapacity: 48,
          TargetSpotCapacity: 0,
          InstanceTypeConfigs: [{ InstanceType: "m7g.2xlarge", WeightedCapacity: 1 }],
          LaunchSpecifications: { OnDemandSpecification: { AllocationStrategy: "lowest-price" } },
        },
        TaskInstanceFleets: [
          {
            Name: "task",
            TargetOnDemandCapacity: 0,
            TargetSpotCapacity: 48,
            InstanceTypeConfigs: [{ InstanceType: "r6g.xlarge", WeightedCapacity: 1 }],
            LaunchSpecifications: {
              SpotSpecification: { AllocationStrategy: "capacity-optimized", TimeoutAction: "SWITCH_TO_ON_DEMAND", TimeoutDurationMinutes: 20 },
            },
          },
        ],
      },
      ManagedScalingPolicy: { ComputeLimits: { UnitType: "InstanceFleetUnits", MinimumCapacityUnits: 49, MaximumCapacityUnits: 120 } },
      Tags: [],
    });
    expect(c?.observed).toMatchObject({ Id: FLEET_ID, RequestedEc2SubnetIds: S, Ec2SubnetId: S[1], RunningInstanceCount: 97 });
    expect(m.commandCalls(ListInstancesCommand)[0].args[0].input.InstanceStates).toEqual(["AWAITING_FULFILLMENT", "PROVISIONING", "BOOTSTRAPPING", "RUNNING"]);
    // instance-group clusters: no fleet calls, no fleets inline
    const g = rs.find((r) => r.id === arnOf(GROUP_ID));
    expect(g).toMatchObject({
      tags: { team: "bi" },
      properties: { Name: "groups", Instances: {} },
      observed: { InstanceCollectionType: "INSTANCE_GROUP", Ec2SubnetId: S[0] },
    });
    expect(m.commandCalls(ListInstanceFleetsCommand).every((x) => x.args[0].input.ClusterId === FLEET_ID)).toBe(true);
    expect(ctx.gaps).toEqual([]);
  });

  it("a denied ListInstanceFleets makes Instances unknown; a denied GetManagedScalingPolicy makes the type unknown (gap)", async () => {
    m.on(ListInstanceFleetsCommand).rejects(err("AccessDeniedException", 400, "not authorized to perform: elasticmapreduce:ListInstanceFleets"));
    m.on(GetManagedScalingPolicyCommand).rejects(err("AccessDeniedException", 400, "not authorized to perform: elasticmapreduce:GetManagedScalingPolicy"));
    const ctx = testContext({ region: REGION });
    const rs = await emr.collect(ctx);
    const c = rs.find((r) => r.id === arnOf(FLEET_ID));
    expect(c?.properties.Instances).toEqual({ $unknown: expect.stringContaining("ListInstanceFleets failed") });
    expect(c?.properties).not.toHaveProperty("ManagedScalingPolicy");
    expect(ctx.gaps.map((g) => [g.action, g.status, g.resourceTypes])).toEqual([
      ["elasticmapreduce:ListInstanceFleets", "denied", []],
      ["elasticmapreduce:GetManagedScalingPolicy", "denied", ["AWS::EMR::Cluster"]],
    ]);
  });

  it("a cluster without a scaling policy has none; throttled ListClusters is an error", async () => {
    m.on(GetManagedScalingPolicyCommand).resolves({});
    const rs = await emr.collect(testContext({ region: REGION }));
    expect(rs.find((r) => r.id === arnOf(FLEET_ID))?.properties).not.toHaveProperty("ManagedScalingPolicy");
    m.on(ListClustersCommand).rejects(err("ThrottlingException", 400, "Rate exceeded", 6));
    expect(classifyError(await emr.collect(testContext({ region: REGION })).catch((e: unknown) => e))).toEqual({
      status: "error",
      detail: "throttled after 6 attempts: ThrottlingException: Rate exceeded",
    });
  });
});

describe("snapshot round trip (--snapshot-out, then scan --snapshot)", () => {
  it("a collected snapshot written to disk reads back and gives the same findings", async () => {
    sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/scanner/ci` });
    // The subnets of the docs' example: the cluster needs ~100 addresses, no subnet has them with headroom.
    ec2M.on(DescribeSubnetsCommand).resolves({
      Subnets: S.map((id, i) => ({
        SubnetId: id,
        SubnetArn: `arn:aws:ec2:${REGION}:${ACCOUNT}:subnet/${id}`,
        VpcId: "vpc-XXXXXXXXXXXXXXXX1",
        CidrBlock: `10.0.${i}.0/26`,
        AvailabilityZone: `us-east-1${"abc"[i]}`,
        AvailableIpAddressCount: [20, 10, 30][i],
      })),
    });
    ec2M.on(DescribeSecurityGroupsCommand).resolves({
      SecurityGroups: [
        {
          GroupId: "sg-0123456789abcdef0",
          GroupName: "workload",
          Description: "workload",
          VpcId: "vpc-XXXXXXXXXXXXXXXX1",
          OwnerId: ACCOUNT,
          IpPermissionsEgress: [{ IpProtocol: "-1", IpRanges: [{ CidrIp: "0.0.0.0/0" }] }],
        },
      ],
    });
    const snapshot = await collect({
      collectors: [ec2, emr],
      credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "secret" },
      homeRegion: REGION,
      collectedAt: COLLECTED_AT,
      ratePerSecond: 0,
    });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rampart-snap-"));
    try {
      const file = path.join(dir, "snapshot.json");
      writeSnapshot(file, snapshot);
      const back = readSnapshot(file);
      expect(back).toEqual(JSON.parse(JSON.stringify(snapshot)));

      const engine = await Engine.load();
      const pack = loadPack();
      const ids = (s: typeof snapshot): string[] =>
        engine
          .evaluate(s, pack, { kind: "live", startedAt: COLLECTED_AT, targets: [ACCOUNT] })
          .findings.map((f) => `${f.ruleId}|${f.status}|${f.resource.id}|${f.id}`)
          .sort();
      const before = ids(snapshot);
      expect(ids(back)).toEqual(before);
      const rules = new Set(before.map((x) => x.split("|")[0]));
      expect(rules.has("ec2-security-group-egress-restricted")).toBe(true);
      expect(rules.has("emr-cluster-subnet-ip-headroom")).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
