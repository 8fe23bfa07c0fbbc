/** EMR clusters, task instance fleets and managed scaling policies. */
import { isObj } from "../plan.js";
import { o, oe, View } from "../view.js";
import type { Ctx, Emitted, Family } from "./common.js";

function fleet(b: View): Record<string, unknown> {
  return o({
    Name: b.str("name"),
    TargetOnDemandCapacity: b.val("target_on_demand_capacity"),
    TargetSpotCapacity: b.val("target_spot_capacity"),
    InstanceTypeConfigs: b.list("instance_type_configs", (c) =>
      o({
        InstanceType: c.str("instance_type"),
        WeightedCapacity: c.val("weighted_capacity"),
        BidPrice: c.str("bid_price"),
        BidPriceAsPercentageOfOnDemandPrice: c.val("bid_price_as_percentage_of_on_demand_price"),
      }),
    ),
    LaunchSpecifications: b.sub("launch_specifications", (l) =>
      oe({
        OnDemandSpecification: l.sub("on_demand_specification", (d) => o({ AllocationStrategy: d.str("allocation_strategy") })),
        SpotSpecification: l.sub("spot_specification", (s) =>
          o({
            AllocationStrategy: s.str("allocation_strategy"),
            TimeoutAction: s.str("timeout_action"),
            TimeoutDurationMinutes: s.val("timeout_duration_minutes"),
            BlockDurationMinutes: s.val("block_duration_minutes") || undefined,
          }),
        ),
      }),
    ),
  });
}

function group(b: View): Record<string, unknown> {
  return o({ Name: b.str("name"), InstanceType: b.str("instance_type"), InstanceCount: b.val("instance_count") });
}

/** Subnets from ec2_attributes.subnet_ids and subnet_id (both computed when not configured). */
function subnetIds(a: View): unknown {
  const ids: unknown[] = [];
  const seen = new Set<string>();
  const add = (x: unknown) => {
    const k = JSON.stringify(x);
    if (x === undefined || seen.has(k)) return;
    seen.add(k);
    ids.push(x);
  };
  if (!a.computedDefault("subnet_ids")) {
    const list = a.refs("subnet_ids");
    if (Array.isArray(list)) list.forEach(add);
    else if (isObj(list)) return list;
  }
  if (!a.computedDefault("subnet_id")) add(a.ref("subnet_id"));
  return ids.length > 0 ? ids : undefined;
}

function scaling(b: View): Record<string, unknown> {
  return {
    ComputeLimits: o({
      UnitType: b.str("unit_type"),
      MinimumCapacityUnits: b.val("minimum_capacity_units"),
      MaximumCapacityUnits: b.val("maximum_capacity_units"),
      MaximumOnDemandCapacityUnits: b.val("maximum_ondemand_capacity_units"),
      MaximumCoreCapacityUnits: b.val("maximum_core_capacity_units"),
    }),
  };
}

function cluster(v: View): Emitted {
  const attrs = v.block("ec2_attributes");
  return {
    type: "AWS::EMR::Cluster",
    properties: o({
      Name: v.str("name"),
      ReleaseLabel: v.str("release_label"),
      Applications: v.computedDefault("applications")
        ? undefined
        : (() => {
            const apps = v.val("applications");
            return Array.isArray(apps) ? apps.map((Name) => ({ Name })) : apps;
          })(),
      ServiceRole: v.ref("service_role"),
      JobFlowRole: attrs instanceof View ? attrs.ref("instance_profile") : undefined,
      Instances: o({
        Ec2SubnetIds: attrs === undefined ? undefined : attrs instanceof View ? subnetIds(attrs) : attrs,
        MasterInstanceFleet: v.sub("master_instance_fleet", fleet),
        CoreInstanceFleet: v.sub("core_instance_fleet", fleet),
        MasterInstanceGroup: v.sub("master_instance_group", group),
        CoreInstanceGroup: v.sub("core_instance_group", group),
      }),
      Tags: v.tagList(),
    }),
  };
}

function taskFleet(v: View): Emitted {
  return { type: "AWS::EMR::InstanceFleetConfig", properties: { ClusterId: v.ref("cluster_id"), InstanceFleetType: "TASK", ...fleet(v) } };
}

function managedScaling(v: View, ctx: Ctx): undefined {
  const target = ctx.find(["aws_emr_cluster"], v.ref("cluster_id"), ["id"]);
  if (target) target.properties.ManagedScalingPolicy = v.sub("compute_limits", scaling);
  else ctx.note(`${v.inst.address}: cluster ${JSON.stringify(v.ref("cluster_id"))} is not in the plan, so its managed scaling policy is not modelled`);
  return undefined;
}

export const emr: Family = {
  primary: { aws_emr_cluster: cluster, aws_emr_instance_fleet: taskFleet },
  secondary: { aws_emr_managed_scaling_policy: managedScaling },
};
