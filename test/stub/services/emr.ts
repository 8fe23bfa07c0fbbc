/** Loopback EMR (JSON 1.1): an instance-fleet cluster over both subnets. */

import type { StubService } from "../service.js";
import { days, epoch, page, StubError, unsupported } from "../wire.js";
import { subnetIdsOf } from "./ec2.js";

declare module "../service.js" {
  interface RegionData {
    emr: { cluster: Record<string, unknown>; fleets: Record<string, unknown>[]; scaling?: Record<string, unknown>; running: number }[];
  }
}

export const emr: StubService = {
  name: "elasticmapreduce",
  types: ["AWS::EMR::Cluster"],
  emptyRegion: () => ({ emr: [] }),
  seed(d, c) {
    const { region, now, sfx, id, arn } = c;
    const subnetIds = subnetIdsOf(c);
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
  },
  call(op, x) {
    const { b, d } = x;
    const tok = (name = "NextToken") => b[name] as string | undefined;
    switch (op) {
      case "ListClusters": {
        const pg = page(d.emr, tok("Marker"), 50);
        return {
          Clusters: pg.items.map((x) => ({ Id: x.cluster.Id, Name: x.cluster.Name, Status: x.cluster.Status, ClusterArn: x.cluster.ClusterArn })),
          Marker: pg.next,
        };
      }
      case "DescribeCluster":
      case "ListInstanceFleets":
      case "GetManagedScalingPolicy":
      case "ListInstances": {
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
      default:
        throw unsupported(x.r, op);
    }
  },
};
