# METADATA
# title: EMR instance fleets set allocation strategies and fall back to On-Demand
# description: |
#   Each fleet of an instance-fleet cluster (inline, or AWS::EMR::InstanceFleetConfig)
#   that asks for Spot capacity sets a capacity-optimized family or price-capacity-optimized
#   Spot allocation strategy and the Spot TimeoutAction SWITCH_TO_ON_DEMAND; a fleet that
#   asks for On-Demand capacity from more than one instance type sets an On-Demand
#   allocation strategy (lowest-price or prioritized). With one instance type there is
#   nothing for an On-Demand strategy to choose, as in the article's primary fleet.
# custom:
#   id: emr-fleet-allocation-strategy
#   severity: low
#   family: emr-headroom
#   resourceTypes: [AWS::EMR::Cluster, AWS::EMR::InstanceFleetConfig]
#   inputs: [live, cloudformation, terraform]
#   guidance: "seeds/000_14fc47060cf8555c.txt lines 909–926, 947–1018"
#   rationale: An allocation strategy gives faster provisioning, more accurate Spot allocation and fewer Spot interruptions, and capacity-optimized is the Spot strategy EMR recommends (line 926).
#   compliance:
#     nist-800-53: [CP-2(2)]
#   remediation:
#     summary: |
#       In the fleet's LaunchSpecifications set SpotSpecification.AllocationStrategy to
#       capacity-optimized (or capacity-optimized-prioritized / price-capacity-optimized)
#       with TimeoutAction SWITCH_TO_ON_DEMAND, and OnDemandSpecification.AllocationStrategy
#       to prioritized or lowest-price.
#     automatic: false
package rampart.rules.emr.fleet_allocation_strategy

import data.rampart.lib

_spot_strategies := {"capacity-optimized", "capacity-optimized-prioritized", "price-capacity-optimized"}

_on_demand_strategies := {"lowest-price", "prioritized"}

_clusters := [c | some c in lib.resources("AWS::EMR::Cluster"); _is_fleet_cluster(c)]

_configs := lib.resources("AWS::EMR::InstanceFleetConfig")

judged contains c._ref if some c in _clusters

# Clusters whose whole Instances block is unresolved: fleets or groups is not known.
_unresolved_clusters := [c |
	some c in lib.resources("AWS::EMR::Cluster")
	lib.is_unknown(object.get(c.properties, "Instances", {}))
]

judged contains c._ref if some c in _unresolved_clusters

results contains lib.unknown(c, {
	"message": sprintf("EMR cluster %s cannot be judged for its fleets: Instances is unresolved (%s).", [c.id, lib.unknown_reason(c.properties.Instances)]),
	"pointer": "/Properties/Instances",
	"key": "instances",
}) if some c in _unresolved_clusters

judged contains f._ref if some f in _configs

# _fleets lists every fleet: {r, f (the fleet), ptr (pointer to the fleet), key, name}.
_fleets contains {"r": c, "f": f, "ptr": sprintf("/Properties/Instances/%s", [prop]), "key": key, "name": sprintf("cluster %s %s fleet", [c.id, key])} if {
	some c in _clusters
	some prop, key in {"MasterInstanceFleet": "primary", "CoreInstanceFleet": "core"}
	f := _instances(c)[prop]
	is_object(f)
}

_fleets contains {"r": c, "f": f, "ptr": sprintf("/Properties/Instances/TaskInstanceFleets/%d", [i]), "key": sprintf("task:%d", [i]), "name": sprintf("cluster %s task fleet %d", [c.id, i])} if {
	some c in _clusters
	some i, f in object.get(_instances(c), "TaskInstanceFleets", [])
	is_object(f)
}

_fleets contains {"r": cfg, "f": cfg.properties, "ptr": "/Properties", "key": "fleet", "name": sprintf("instance fleet %s", [cfg.id])} if {
	some cfg in _configs
}

# --- Spot ----------------------------------------------------------------------------

results contains lib.fail(x.r, {
	"message": sprintf(
		"EMR %s asks for Spot capacity (%s) %s. Set LaunchSpecifications.SpotSpecification.AllocationStrategy to capacity-optimized (or capacity-optimized-prioritized / price-capacity-optimized) for fewer interruptions and faster provisioning.",
		[x.name, json.marshal(x.f.TargetSpotCapacity), _spot_problem(strategy)],
	),
	"pointer": sprintf("%s/LaunchSpecifications/SpotSpecification/AllocationStrategy", [x.ptr]),
	"key": sprintf("%s:spot-strategy", [x.key]),
	"evidence": {"SpotSpecification": _spec(x.f, "SpotSpecification")},
}) if {
	some x in _fleets
	_target(x.f, "TargetSpotCapacity") > 0
	strategy := _strategy(x.f, "SpotSpecification")
	not lib.is_unknown(strategy)
	not _normal(strategy) in _spot_strategies
}

results contains lib.fail(x.r, {
	"message": sprintf(
		"EMR %s asks for Spot capacity but its Spot TimeoutAction is %s: when Spot capacity is short the fleet does not fall back to On-Demand. Set LaunchSpecifications.SpotSpecification.TimeoutAction to SWITCH_TO_ON_DEMAND.",
		[x.name, json.marshal(action)],
	),
	"pointer": sprintf("%s/LaunchSpecifications/SpotSpecification/TimeoutAction", [x.ptr]),
	"key": sprintf("%s:spot-timeout", [x.key]),
	"evidence": {"SpotSpecification": _spec(x.f, "SpotSpecification")},
}) if {
	some x in _fleets
	_target(x.f, "TargetSpotCapacity") > 0
	spec := _spec(x.f, "SpotSpecification")
	not lib.is_unknown(spec)
	action := object.get(spec, "TimeoutAction", "not set")
	not lib.is_unknown(action)
	action != "SWITCH_TO_ON_DEMAND"
}

# --- On-Demand -------------------------------------------------------------------------

results contains lib.fail(x.r, {
	"message": sprintf(
		"EMR %s asks for On-Demand capacity from %d instance types %s. Set LaunchSpecifications.OnDemandSpecification.AllocationStrategy to prioritized (or lowest-price).",
		[x.name, count(x.f.InstanceTypeConfigs), _on_demand_problem(strategy)],
	),
	"pointer": sprintf("%s/LaunchSpecifications/OnDemandSpecification/AllocationStrategy", [x.ptr]),
	"key": sprintf("%s:on-demand-strategy", [x.key]),
	"evidence": {"OnDemandSpecification": _spec(x.f, "OnDemandSpecification")},
}) if {
	some x in _fleets
	_target(x.f, "TargetOnDemandCapacity") > 0
	count(object.get(x.f, "InstanceTypeConfigs", [])) > 1
	strategy := _strategy(x.f, "OnDemandSpecification")
	not lib.is_unknown(strategy)
	not _normal(strategy) in _on_demand_strategies
}

# --- unknowns --------------------------------------------------------------------------

results contains lib.unknown(x.r, {
	"message": sprintf("EMR %s cannot be judged: %s is unresolved (%s).", [x.name, what, reason]),
	"pointer": x.ptr,
	"key": sprintf("%s:unresolved", [x.key]),
}) if {
	some x in _fleets
	some [what, reason] in _unresolved(x.f)
}

# _unresolved(f): [what, reason] for each unresolved value the verdict on f rests on.
_unresolved(f) := ((({[k, lib.unknown_reason(v)] |
	some k in ["TargetSpotCapacity", "TargetOnDemandCapacity"]
	v := object.get(f, k, null)
	lib.is_unknown(v)
} | {["LaunchSpecifications", lib.unknown_reason(v)] |
	v := object.get(f, "LaunchSpecifications", null)
	lib.is_unknown(v)
	_needs_spec(f)
}) | {["InstanceTypeConfigs", lib.unknown_reason(v)] |
	v := object.get(f, "InstanceTypeConfigs", null)
	lib.is_unknown(v)
	_target(f, "TargetOnDemandCapacity") > 0
	not _normal(_strategy(f, "OnDemandSpecification")) in _on_demand_strategies
}) | {["SpotSpecification", reason] |
	_target(f, "TargetSpotCapacity") > 0
	reason := lib.first_unknown(_spec(f, "SpotSpecification"))
}) | {["OnDemandSpecification", reason] |
	_target(f, "TargetOnDemandCapacity") > 0
	count(object.get(f, "InstanceTypeConfigs", [])) > 1
	reason := lib.first_unknown(_spec(f, "OnDemandSpecification"))
}

_needs_spec(f) if _target(f, "TargetSpotCapacity") > 0

_needs_spec(f) if {
	_target(f, "TargetOnDemandCapacity") > 0
	count(object.get(f, "InstanceTypeConfigs", [])) > 1
}

# --- helpers ---------------------------------------------------------------------------

_instances(c) := i if {
	i := object.get(c.properties, "Instances", {})
	is_object(i)
}

_is_fleet_cluster(c) if _instances(c).MasterInstanceFleet

_is_fleet_cluster(c) if _instances(c).CoreInstanceFleet

# _target(f, k): a target capacity as a number (strings such as "5" allowed; absent is 0).
_target(f, k) := n if {
	n := object.get(f, k, 0)
	is_number(n)
}

_target(f, k) := to_number(s) if {
	s := object.get(f, k, 0)
	is_string(s)
	regex.match(`^[0-9]+(\.[0-9]+)?$`, s)
}

_spec(f, name) := s if {
	specs := object.get(f, "LaunchSpecifications", {})
	is_object(specs)
	not lib.is_unknown(specs)
	s := object.get(specs, name, {})
}

_strategy(f, name) := object.get(s, "AllocationStrategy", "") if {
	s := _spec(f, name)
	not lib.is_unknown(s)
}

_strategy(f, name) := s if {
	s := _spec(f, name)
	lib.is_unknown(s)
}

# "CAPACITY_OPTIMIZED_PRIORITIZED" (CloudFormation, the article) and
# "capacity-optimized-prioritized" (the API) are the same strategy.
_normal(s) := replace(lower(s), "_", "-") if is_string(s)

_spot_problem("") := "without a Spot allocation strategy"

_spot_problem(s) := sprintf("with the Spot allocation strategy %s, which does not favour pools with spare capacity", [json.marshal(s)]) if s != ""

_on_demand_problem("") := "without an On-Demand allocation strategy"

_on_demand_problem(s) := sprintf("with the unrecognised On-Demand allocation strategy %s", [json.marshal(s)]) if s != ""
