/**
 * EMR (regional): active clusters in the shape docs/model/emr-headroom.md describes.
 * Instance-fleet clusters get their fleets inline (ListInstanceFleets, as CloudFormation
 * InstanceFleetConfigs), their managed scaling limits (GetManagedScalingPolicy) and the
 * number of instances they hold (ListInstances); the subnets they asked for and the one
 * EMR chose are live-only facts under `observed`.
 */
import {
  DescribeClusterCommand,
  EMRClient,
  GetManagedScalingPolicyCommand,
  ListClustersCommand,
  ListInstanceFleetsCommand,
  ListInstancesCommand,
  type Cluster,
  type ClusterSummary,
  type InstanceFleet,
  type ManagedScalingPolicy,
} from "@aws-sdk/client-emr";
import type { Resource } from "../../model/types.js";
import { unknown } from "../../model/types.js";
import { mapPool } from "./concurrency.js";
import type { CollectContext, ServiceCollector } from "./types.js";
import { call, compact, convertTags, iso, type Origin, originOf, tryCall } from "./util.js";

export const EMR_CLUSTER = "AWS::EMR::Cluster";

/** The states of a cluster that exists and holds (or is getting) instances. */
export const ACTIVE_STATES = ["STARTING", "BOOTSTRAPPING", "RUNNING", "WAITING"] as const;
/** The states of an instance that holds an address in its subnet. */
export const HOLDING_STATES = ["AWAITING_FULFILLMENT", "PROVISIONING", "BOOTSTRAPPING", "RUNNING"] as const;

const INNER_CONCURRENCY = 4;

/** A fleet as a CloudFormation InstanceFleetConfig. */
export function fleetConfig(f: InstanceFleet): Record<string, unknown> {
  const spot = f.LaunchSpecifications?.SpotSpecification;
  const onDemand = f.LaunchSpecifications?.OnDemandSpecification;
  const launch = compact({
    SpotSpecification: spot
      ? compact({
          AllocationStrategy: spot.AllocationStrategy,
          TimeoutAction: spot.TimeoutAction,
          TimeoutDurationMinutes: spot.TimeoutDurationMinutes,
          BlockDurationMinutes: spot.BlockDurationMinutes,
        })
      : undefined,
    OnDemandSpecification: onDemand ? compact({ AllocationStrategy: onDemand.AllocationStrategy }) : undefined,
  });
  return compact({
    Name: f.Name,
    TargetOnDemandCapacity: f.TargetOnDemandCapacity,
    TargetSpotCapacity: f.TargetSpotCapacity,
    InstanceTypeConfigs: (f.InstanceTypeSpecifications ?? []).map((s) =>
      compact({ InstanceType: s.InstanceType, WeightedCapacity: s.WeightedCapacity, BidPrice: s.BidPrice, Priority: s.Priority }),
    ),
    LaunchSpecifications: Object.keys(launch).length > 0 ? launch : undefined,
  });
}

/** MASTER / CORE / TASK fleets → `Instances` (an unknown marker when the fleets could not be read). */
export function fleetInstances(fleets: InstanceFleet[] | undefined): Record<string, unknown> | ReturnType<typeof unknown> {
  if (!fleets) return unknown("elasticmapreduce:ListInstanceFleets failed, so the cluster's instance fleets were not read");
  const master = fleets.find((f) => f.InstanceFleetType === "MASTER");
  const core = fleets.find((f) => f.InstanceFleetType === "CORE");
  const tasks = fleets.filter((f) => f.InstanceFleetType === "TASK");
  return compact({
    MasterInstanceFleet: master ? fleetConfig(master) : undefined,
    CoreInstanceFleet: core ? fleetConfig(core) : undefined,
    TaskInstanceFleets: tasks.length > 0 ? tasks.map(fleetConfig) : undefined,
  });
}

export interface ClusterFacts {
  cluster: Cluster;
  /** Instance-fleet clusters only; undefined when not read. */
  fleets?: InstanceFleet[];
  /** null: the cluster has no managed scaling policy; undefined: not read (or not asked). */
  scaling?: ManagedScalingPolicy | null;
  running?: number;
}

export function clusterResource(o: Origin, f: ClusterFacts): Resource {
  const c = f.cluster;
  const arn = c.ClusterArn ?? `arn:${o.partition}:elasticmapreduce:${o.region}:${o.account}:cluster/${c.Id ?? ""}`;
  const { tags, Tags } = convertTags(c.Tags);
  const isFleet = c.InstanceCollectionType === "INSTANCE_FLEET";
  const limits = f.scaling?.ComputeLimits;
  const attrs = c.Ec2InstanceAttributes;
  return compact({
    type: EMR_CLUSTER,
    id: arn,
    arn,
    name: c.Name,
    account: o.account,
    region: o.region,
    tags,
    properties: compact({
      Name: c.Name,
      ReleaseLabel: c.ReleaseLabel,
      // Instance-group clusters are not judged by the headroom family: no fleets inline.
      Instances: isFleet ? fleetInstances(f.fleets) : {},
      ManagedScalingPolicy: limits
        ? {
            ComputeLimits: compact({
              UnitType: limits.UnitType,
              MinimumCapacityUnits: limits.MinimumCapacityUnits,
              MaximumCapacityUnits: limits.MaximumCapacityUnits,
              MaximumOnDemandCapacityUnits: limits.MaximumOnDemandCapacityUnits,
              MaximumCoreCapacityUnits: limits.MaximumCoreCapacityUnits,
            }),
          }
        : undefined,
      Tags,
    }),
    observed: compact({
      Id: c.Id,
      State: c.Status?.State,
      InstanceCollectionType: c.InstanceCollectionType,
      RequestedEc2SubnetIds: attrs?.RequestedEc2SubnetIds ?? [],
      Ec2SubnetId: attrs?.Ec2SubnetId,
      Ec2AvailabilityZone: attrs?.Ec2AvailabilityZone,
      RunningInstanceCount: f.running,
      CreationDateTime: iso(c.Status?.Timeline?.CreationDateTime),
    }),
    source: { kind: "aws" as const, account: o.account, region: o.region },
  });
}

async function listFleets(ctx: CollectContext, client: EMRClient, clusterId: string): Promise<InstanceFleet[] | undefined> {
  const out: InstanceFleet[] = [];
  let marker: string | undefined;
  do {
    // The marker inside `Instances` says why the fleets are missing; the cluster is then unknown.
    const page = await tryCall(ctx, "elasticmapreduce:ListInstanceFleets", [], () =>
      client.send(new ListInstanceFleetsCommand({ ClusterId: clusterId, Marker: marker })),
    );
    if (!page) return undefined;
    out.push(...(page.InstanceFleets ?? []));
    marker = page.Marker;
  } while (marker);
  return out;
}

async function countRunning(ctx: CollectContext, client: EMRClient, clusterId: string): Promise<number | undefined> {
  let n = 0;
  let marker: string | undefined;
  do {
    // Without the count the rule would judge a running cluster against the addresses it
    // already holds: the whole type becomes unknown here instead.
    const page = await tryCall(ctx, "elasticmapreduce:ListInstances", [EMR_CLUSTER], () =>
      client.send(new ListInstancesCommand({ ClusterId: clusterId, InstanceStates: [...HOLDING_STATES], Marker: marker })),
    );
    if (!page) return undefined;
    n += (page.Instances ?? []).length;
    marker = page.Marker;
  } while (marker);
  return n;
}

async function clusterFacts(ctx: CollectContext, client: EMRClient, s: ClusterSummary): Promise<ClusterFacts | undefined> {
  const id = s.Id;
  if (!id) return undefined;
  const d = await tryCall(ctx, "elasticmapreduce:DescribeCluster", [EMR_CLUSTER], () => client.send(new DescribeClusterCommand({ ClusterId: id })));
  const cluster = d?.Cluster;
  if (!cluster) return undefined;
  if (cluster.InstanceCollectionType !== "INSTANCE_FLEET") return { cluster };
  const fleets = await listFleets(ctx, client, id);
  // A missing scaling policy changes the verdict (the limits raise the need): a failed read makes the type unknown.
  const sp = await tryCall(ctx, "elasticmapreduce:GetManagedScalingPolicy", [EMR_CLUSTER], () =>
    client.send(new GetManagedScalingPolicyCommand({ ClusterId: id })),
  );
  const running = await countRunning(ctx, client, id);
  return { cluster, fleets, scaling: sp ? (sp.ManagedScalingPolicy ?? null) : undefined, running };
}

export const emr: ServiceCollector = {
  service: "elasticmapreduce",
  resourceTypes: [EMR_CLUSTER],
  actions: [
    "elasticmapreduce:ListClusters",
    "elasticmapreduce:DescribeCluster",
    "elasticmapreduce:ListInstanceFleets",
    "elasticmapreduce:GetManagedScalingPolicy",
    "elasticmapreduce:ListInstances",
  ],
  async collect(ctx) {
    const client = new EMRClient(ctx.clientConfig);
    try {
      const summaries: ClusterSummary[] = [];
      let marker: string | undefined;
      do {
        const page = await call(ctx, "elasticmapreduce:ListClusters", () =>
          client.send(new ListClustersCommand({ ClusterStates: [...ACTIVE_STATES], Marker: marker })),
        );
        summaries.push(...(page.Clusters ?? []));
        marker = page.Marker;
      } while (marker);
      const o = originOf(ctx);
      const facts = await mapPool(summaries, INNER_CONCURRENCY, (s) => clusterFacts(ctx, client, s));
      return facts.filter((f): f is ClusterFacts => !!f).map((f) => clusterResource(o, f));
    } finally {
      client.destroy();
    }
  },
};
