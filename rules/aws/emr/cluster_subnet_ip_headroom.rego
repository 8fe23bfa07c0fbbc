# METADATA
# title: EMR instance-fleet clusters have a subnet with enough free IP addresses
# description: |
#   An instance-fleet cluster needs one IP address per instance, all in the one subnet
#   EMR picks. Each fleet launches at most ceil((TargetOnDemandCapacity +
#   TargetSpotCapacity) / smallest WeightedCapacity) instances (managed scaling: its
#   MaximumCapacityUnits). The cluster passes when one of its subnets holds every fleet
#   plus headroomPercent; it is medium when a subnet holds only the primary and core
#   fleets (the task fleet will be short) and high when none does (the launch fails).
#   Template subnets hold their CIDR size minus the 5 addresses AWS reserves; live
#   subnets report AvailableIpAddressCount.
# custom:
#   id: emr-cluster-subnet-ip-headroom
#   severity: high
#   family: emr-headroom
#   resourceTypes: [AWS::EMR::Cluster, AWS::EMR::InstanceFleetConfig, AWS::EC2::Subnet]
#   inputs: [live, cloudformation, terraform]
#   guidance: "seeds/000_14fc47060cf8555c.txt lines 930, 1022–1060"
#   rationale: EMR launches the whole cluster only in a subnet with an IP for every instance; with primary and core only it launches short, and without that it fails the launch (lines 930, 1046, 1060).
#   compliance:
#     nist-800-53: [CP-2(2)]
#   remediation:
#     summary: |
#       Add a subnet (in another Availability Zone) with enough free addresses to
#       Ec2SubnetIds, free addresses in the existing subnets, or lower the fleets' target
#       capacities / the managed scaling maximum.
#     automatic: false
package rampart.rules.emr.cluster_subnet_ip_headroom

import data.rampart.lib

_clusters := [c | some c in lib.resources("AWS::EMR::Cluster"); _is_fleet_cluster(c)]

_fleet_configs := lib.resources("AWS::EMR::InstanceFleetConfig")

_subnets := lib.resources("AWS::EC2::Subnet")

judged contains c._ref if some c in _clusters

# Clusters whose whole Instances block is unresolved: fleets or groups is not known.
_unresolved_clusters := [c |
	some c in lib.resources("AWS::EMR::Cluster")
	lib.is_unknown(object.get(c.properties, "Instances", {}))
]

judged contains c._ref if some c in _unresolved_clusters

results contains lib.unknown(c, {
	"message": sprintf("EMR cluster %s cannot be judged for subnet IP headroom: Instances is unresolved (%s).", [c.id, lib.unknown_reason(c.properties.Instances)]),
	"pointer": "/Properties/Instances",
	"key": "instances",
}) if some c in _unresolved_clusters

# --- outcomes ----------------------------------------------------------------------

results contains lib.fail(c, {
	"message": sprintf(
		"EMR cluster %s needs %d IP addresses for its primary and core fleets%s, but none of its subnets has that many free (%s): the launch fails. %s",
		[c.id, m.pc, _all_text(m.all_need), _describe(m.subnets), _advice],
	),
	"pointer": m.pointer,
	"key": "headroom",
	"evidence": _evidence(m),
}) if {
	some c in _clusters
	m := _model(c)
	is_number(m.pc)
	count(m.subnets) > 0
	count(_unknown_subnets(m)) == 0
	count(_fits(m, m.pc)) == 0
}

results contains lib.fail(c, {
	"message": sprintf(
		"EMR cluster %s needs %d IP addresses for all fleets plus %d%% headroom (%d without headroom), but no subnet has that many free; %s can hold only the primary and core fleets (%d): the task fleet will be short. %s",
		[c.id, m.need, _pct, m.all_need, concat(", ", sort(_fits(m, m.pc))), m.pc, _advice],
	),
	"pointer": m.pointer,
	"key": "headroom",
	"evidence": _evidence(m),
	"severity": "medium",
}) if {
	some c in _clusters
	m := _model(c)
	is_number(m.need)
	count(_unknown_subnets(m)) == 0
	count(_fits(m, m.pc)) > 0
	count(_fits(m, m.need)) == 0
}

results contains lib.unknown(c, {
	"message": sprintf("EMR cluster %s cannot be judged for subnet IP headroom: %s.", [c.id, concat("; ", sort(reasons))]),
	"pointer": m.pointer,
	"key": "headroom",
}) if {
	some c in _clusters
	m := _model(c)
	not _decided(m)
	reasons := _unknown_reasons(m)
}

# A cluster is decided when one subnet holds everything (pass), or every subnet is
# known and the fleet sizes the verdict rests on are known (fail).
_decided(m) if {
	is_number(m.need)
	count(_fits(m, m.need)) > 0
}

_decided(m) if {
	is_number(m.pc)
	count(m.subnets) > 0
	count(_unknown_subnets(m)) == 0
	count(_fits(m, m.pc)) == 0
}

_decided(m) if {
	is_number(m.need)
	count(_unknown_subnets(m)) == 0
	count(_fits(m, m.pc)) > 0
}

_unknown_reasons(m) := ({r | some r in m.reasons} | {s.unknown | some s in _unknown_subnets(m)}) | _no_subnet(m)

_no_subnet(m) := {"it names no subnet (EMR would use a default subnet that is not in the input)"} if count(m.subnets) == 0

_no_subnet(m) := set() if count(m.subnets) > 0

# headroomPercent (default 10); a value that is not a number falls back to 10.
_pct := p if {
	p := lib.param("headroomPercent", 10)
	is_number(p)
} else := 10

_advice := "Add a subnet with enough free addresses to Ec2SubnetIds (EMR picks one that fits), or lower the fleets' target capacities."

# --- the cluster's needs and subnets ---------------------------------------------------

# _model(c): {pc, all_need, need (with headroom), subnets, reasons, pointer, fleets};
# pc / all_need / need are null when an unresolved value decides them.
_model(c) := {
	"pc": pc,
	"all_need": all_need,
	"need": need,
	"subnets": _cluster_subnets(c),
	"reasons": reasons,
	"pointer": _subnet_pointer(c),
	"fleets": fleets,
} if {
	fleets := _fleet_sizes(c)
	pc := _sum_or_null([fleets.primary, fleets.core])
	all_need := _total(c, fleets)
	need := _with_headroom(all_need)
	reasons := {f.unknown | some f in _all_fleet_values(fleets); f.unknown} | _scaling_reasons(c, fleets)
}

_with_headroom(n) := ceil((n * (100 + _pct)) / 100) if is_number(n)

_with_headroom(null) := null

_fleet_sizes(c) := {
	"primary": _fleet(object.get(_instances(c), "MasterInstanceFleet", null)),
	"core": _fleet(object.get(_instances(c), "CoreInstanceFleet", null)),
	"tasks": _task_fleets(c),
}

_all_fleet_values(fleets) := array.concat([fleets.primary, fleets.core], fleets.tasks)

# _total(c, fleets): every fleet's instances, or with managed scaling the primary plus
# the larger of the launch targets and the scaling maximum.
_total(_, fleets) := null if not is_number(_sum_or_null(_all_fleet_values(fleets)))

_total(c, fleets) := n if {
	n := _sum_or_null(_all_fleet_values(fleets))
	is_number(n)
	not _limits(c)
}

_total(c, fleets) := max([launch, scaled]) if {
	launch := _sum_or_null(_all_fleet_values(fleets))
	is_number(launch)
	max_instances := _scaling_max(c, fleets)
	is_number(max_instances)
	scaled := fleets.primary.n + max_instances
}

_total(c, fleets) := null if {
	is_number(_sum_or_null(_all_fleet_values(fleets)))
	_limits(c)
	not _has_scaling_max(c, fleets)
}

_sum_or_null(values) := sum([v.n | some v in values]) if {
	every v in values {
		is_number(v.n)
	}
}

_sum_or_null(values) := null if {
	some v in values
	not is_number(object.get(v, "n", null))
}

# --- managed scaling ---------------------------------------------------------------

_limits(c) := l if {
	l := object.get(c.properties, ["ManagedScalingPolicy", "ComputeLimits"], null)
	l != null
}

_scaling_max(c, _) := units if {
	l := _limits(c)
	object.get(l, "UnitType", null) == "Instances"
	units := _number(object.get(l, "MaximumCapacityUnits", null))
}

_scaling_max(c, fleets) := ceil(units / w) if {
	l := _limits(c)
	object.get(l, "UnitType", null) == "InstanceFleetUnits"
	units := _number(object.get(l, "MaximumCapacityUnits", null))
	weights := [x | some f in array.concat([fleets.core], fleets.tasks); x := f.min_weight; is_number(x)]
	count(weights) > 0
	w := min(weights)
}

_scaling_reasons(c, _) := set() if not _limits(c)

_scaling_reasons(c, fleets) := set() if _has_scaling_max(c, fleets)

_scaling_reasons(c, fleets) := {sprintf("the managed scaling maximum (%s %s) cannot be turned into instances", [_show(object.get(l, "MaximumCapacityUnits", null)), _show(object.get(l, "UnitType", null))])} if {
	l := _limits(c)
	not _has_scaling_max(c, fleets)
}

_has_scaling_max(c, fleets) if is_number(_scaling_max(c, fleets))

# --- fleets ------------------------------------------------------------------------

_instances(c) := i if {
	i := object.get(c.properties, "Instances", {})
	is_object(i)
}

_is_fleet_cluster(c) if _instances(c).MasterInstanceFleet

_is_fleet_cluster(c) if _instances(c).CoreInstanceFleet

# _fleet(f): {"n": instances, "min_weight": w} or {"unknown": reason}.
_fleet(f) := {"unknown": sprintf("a fleet is unresolved (%s)", [lib.unknown_reason(f)])} if lib.is_unknown(f)

_fleet(null) := {"n": 0, "min_weight": 1}

_fleet(f) := {"unknown": sprintf("fleet %s has unresolved or non-numeric %s", [_fleet_name(f), concat(", ", sort(bad))])} if {
	is_object(f)
	not lib.is_unknown(f)
	bad := _bad_fields(f)
	count(bad) > 0
}

_fleet(f) := {"n": ceil((od + spot) / w), "min_weight": w} if {
	is_object(f)
	not lib.is_unknown(f)
	count(_bad_fields(f)) == 0
	od := _number(object.get(f, "TargetOnDemandCapacity", 0))
	spot := _number(object.get(f, "TargetSpotCapacity", 0))
	w := _min_weight(f)
}

_bad_fields(f) := ({k |
	some k in ["TargetOnDemandCapacity", "TargetSpotCapacity"]
	not _number(object.get(f, k, 0))
} | {"WeightedCapacity" |
	some t in _type_configs(f)
	not _number(object.get(t, "WeightedCapacity", 1))
}) | {"InstanceTypeConfigs" | lib.is_unknown(object.get(f, "InstanceTypeConfigs", []))}

_type_configs(f) := configs if {
	configs := object.get(f, "InstanceTypeConfigs", [])
	is_array(configs)
}

_min_weight(f) := min([w | some t in _type_configs(f); w := _number(object.get(t, "WeightedCapacity", 1))]) if count(_type_configs(f)) > 0

_min_weight(f) := 1 if count(_type_configs(f)) == 0

_min_weight(f) := 1 if not _type_configs(f)

_fleet_name(f) := name if {
	name := f.Name
	is_string(name)
}

_fleet_name(f) := "(unnamed)" if not is_string(object.get(f, "Name", null))

_number(x) := x if is_number(x)

_number(x) := to_number(x) if {
	is_string(x)
	regex.match(`^[0-9]+(\.[0-9]+)?$`, x)
}

# _task_fleets(c): inline TaskInstanceFleets and AWS::EMR::InstanceFleetConfig TASK fleets
# of the cluster, plus an unknown entry for each config that may belong to it.
_task_fleets(c) := array.concat(array.concat(_inline_tasks(c), _config_tasks(c)), _maybe_tasks(c))

_inline_tasks(c) := [_fleet(f) | some f in fleets] if {
	fleets := object.get(_instances(c), "TaskInstanceFleets", [])
	is_array(fleets)
}

_inline_tasks(c) := [_fleet(fleets)] if {
	fleets := object.get(_instances(c), "TaskInstanceFleets", [])
	lib.is_unknown(fleets)
}

_config_tasks(c) := [_fleet(cfg.properties) |
	some cfg in _fleet_configs
	_belongs(cfg, c)
	cfg.properties.InstanceFleetType == "TASK"
]

_maybe_tasks(c) := [{"unknown": sprintf("instance fleet %s has an unresolved ClusterId or InstanceFleetType", [cfg.id])} |
	some cfg in _fleet_configs
	lib.same_origin(cfg, c)
	_maybe_belongs(cfg, c)
]

_maybe_belongs(cfg, _) if lib.is_unknown(cfg.properties.ClusterId)

_maybe_belongs(cfg, c) if {
	_belongs(cfg, c)
	lib.is_unknown(cfg.properties.InstanceFleetType)
}

_belongs(cfg, c) if {
	ref := cfg.properties.ClusterId
	lib.is_ref(ref)
	ref["$ref"] == c.id
	lib.same_origin(cfg, c)
}

_belongs(cfg, c) if {
	id := cfg.properties.ClusterId
	is_string(id)
	_is_cluster_id(c, id)
}

_is_cluster_id(c, id) if c.id == id

_is_cluster_id(c, id) if endswith(c.id, concat("/", ["", id]))

_is_cluster_id(c, id) if object.get(c, ["observed", "Id"], null) == id

# --- subnets -----------------------------------------------------------------------

# _subnet_ids(c): Ec2SubnetIds, else Ec2SubnetId, else (live) observed.RequestedEc2SubnetIds.
_subnet_ids(c) := ids if {
	ids := object.get(_instances(c), "Ec2SubnetIds", [])
	lib.is_unknown(ids)
}

_subnet_ids(c) := ids if {
	ids := object.get(_instances(c), "Ec2SubnetIds", [])
	is_array(ids)
	count(ids) > 0
}

_subnet_ids(c) := [id] if {
	not _has_subnet_ids(c)
	id := _instances(c).Ec2SubnetId
}

_subnet_ids(c) := ids if {
	not _has_subnet_ids(c)
	not _instances(c).Ec2SubnetId
	ids := object.get(c, ["observed", "RequestedEc2SubnetIds"], [])
}

_has_subnet_ids(c) if lib.is_unknown(object.get(_instances(c), "Ec2SubnetIds", []))

_has_subnet_ids(c) if count(object.get(_instances(c), "Ec2SubnetIds", [])) > 0

_subnet_pointer(c) := "/Properties/Instances/Ec2SubnetIds" if _has_subnet_ids(c)

_subnet_pointer(c) := "/Properties/Instances/Ec2SubnetId" if {
	not _has_subnet_ids(c)
	_instances(c).Ec2SubnetId
}

_subnet_pointer(c) := "/observed/RequestedEc2SubnetIds" if {
	not _has_subnet_ids(c)
	not _instances(c).Ec2SubnetId
	c.observed.RequestedEc2SubnetIds
}

_subnet_pointer(c) := "/Properties/Instances" if {
	not _has_subnet_ids(c)
	not _instances(c).Ec2SubnetId
	not c.observed.RequestedEc2SubnetIds
}

# _cluster_subnets(c): [{name, capacity} | {name, unknown}] for each subnet of c.
_cluster_subnets(c) := [{"name": "Ec2SubnetIds", "unknown": sprintf("Ec2SubnetIds is unresolved (%s)", [lib.unknown_reason(ids)])}] if {
	ids := _subnet_ids(c)
	lib.is_unknown(ids)
}

_cluster_subnets(c) := [_subnet(c, id) | some id in ids] if {
	ids := _subnet_ids(c)
	is_array(ids)
}

_subnet(_, id) := {"name": "?", "unknown": sprintf("a subnet id is unresolved (%s)", [lib.unknown_reason(id)])} if lib.is_unknown(id)

_subnet(c, id) := {"name": _subnet_name(id), "unknown": sprintf("subnet %s is not in the input", [_subnet_name(id)])} if {
	not lib.is_unknown(id)
	count(_matching_subnets(c, id)) == 0
}

_subnet(c, id) := _capacity(c, s, _subnet_name(id)) if {
	matches := _matching_subnets(c, id)
	count(matches) > 0
	first := sort([m.id | some m in matches])[0]
	some s in matches
	s.id == first
}

_subnet_name(id) := id if is_string(id)

_subnet_name(id) := id["$ref"] if lib.is_ref(id)

_matching_subnets(c, id) := {s |
	lib.is_ref(id)
	some s in _subnets
	s.id == id["$ref"]
	lib.same_origin(c, s)
} | {s |
	is_string(id)
	some s in _subnets
	_is_subnet_id(s, id)
}

_is_subnet_id(s, id) if s.id == id

_is_subnet_id(s, id) if endswith(s.id, concat("/", ["", id]))

_is_subnet_id(s, id) if object.get(s, ["observed", "SubnetId"], null) == id

# Live subnets report their free addresses; a live cluster's own instances are added
# back to the subnet it runs in (they would be free for a relaunch).
_capacity(c, s, name) := {"name": name, "capacity": n + _own(c, s)} if {
	lib.is_live(s)
	n := object.get(s, ["observed", "AvailableIpAddressCount"], null)
	is_number(n)
}

_capacity(_, s, name) := {"name": name, "unknown": sprintf("subnet %s has no observed AvailableIpAddressCount", [name])} if {
	lib.is_live(s)
	not is_number(object.get(s, ["observed", "AvailableIpAddressCount"], null))
}

# Template subnets: the CIDR size minus the 5 addresses AWS reserves.
_capacity(_, s, name) := {"name": name, "capacity": bits.lsh(1, 32 - prefix) - 5} if {
	not lib.is_live(s)
	prefix := _prefix(s)
	is_number(prefix)
}

_capacity(_, s, name) := {"name": name, "unknown": sprintf("subnet %s has an unresolved CidrBlock (%s)", [name, reason])} if {
	not lib.is_live(s)
	not _has_prefix(s)
	reason := _cidr_reason(s)
}

_prefix(s) := to_number(parts[1]) if {
	cidr := object.get(s.properties, "CidrBlock", null)
	is_string(cidr)
	parts := split(cidr, "/")
	count(parts) == 2
	regex.match(`^[0-9]{1,2}$`, parts[1])
}

_prefix(s) := n if {
	not is_string(object.get(s.properties, "CidrBlock", null))
	n := object.get(s.properties, "Ipv4NetmaskLength", null)
	is_number(n)
}

_has_prefix(s) if is_number(_prefix(s))

_cidr_reason(s) := lib.unknown_reason(cidr) if {
	cidr := object.get(s.properties, "CidrBlock", null)
	lib.is_unknown(cidr)
}

_cidr_reason(s) := "no CidrBlock" if not lib.is_unknown(object.get(s.properties, "CidrBlock", null))

_own(c, s) := n if {
	lib.is_live(c)
	own := object.get(c, ["observed", "Ec2SubnetId"], null)
	_is_subnet_id(s, own)
	n := object.get(c, ["observed", "RunningInstanceCount"], 0)
	is_number(n)
}

_own(c, s) := 0 if not _owns(c, s)

_owns(c, s) if {
	lib.is_live(c)
	own := object.get(c, ["observed", "Ec2SubnetId"], null)
	_is_subnet_id(s, own)
	is_number(object.get(c, ["observed", "RunningInstanceCount"], 0))
}

_unknown_subnets(m) := {s | some s in m.subnets; s.unknown}

# _fits(m, n): names of the known subnets with at least n free addresses.
_fits(m, n) := {s.name |
	some s in m.subnets
	is_number(s.capacity)
	s.capacity >= n
}

# --- messages ----------------------------------------------------------------------

_describe(subnets) := concat(", ", [_describe_one(s) | some s in subnets])

_describe_one(s) := sprintf("%s: %d", [s.name, s.capacity]) if is_number(s.capacity)

_describe_one(s) := sprintf("%s: unknown", [s.name]) if not is_number(object.get(s, "capacity", null))

_all_text(n) := sprintf(" (%d with all fleets)", [n]) if is_number(n)

_all_text(null) := ""

_evidence(m) := {
	"instances": {
		"primary": m.fleets.primary.n,
		"core": m.fleets.core.n,
		"task": sum([f.n | some f in m.fleets.tasks]),
		"total": m.all_need,
		"withHeadroom": m.need,
	},
	"headroomPercent": _pct,
	"subnets": [{"subnet": s.name, "availableIpAddresses": s.capacity} | some s in m.subnets; is_number(s.capacity)],
	"fitsPrimaryAndCore": sort(_fits(m, m.pc)),
}

# _show(x): x as text, strings without quotes.
_show(x) := x if is_string(x)

_show(x) := json.marshal(x) if not is_string(x)
