# METADATA
# title: EMR instance-fleet clusters list subnets in more than one Availability Zone
# description: |
#   An instance-fleet cluster should list several subnets (Ec2SubnetIds; live:
#   RequestedEc2SubnetIds) in different Availability Zones, so that enhanced subnet
#   selection can pick one with capacity and free addresses and route around an impaired
#   zone. One subnet, or several in one zone, fails.
# custom:
#   id: emr-cluster-multiple-subnets
#   severity: low
#   family: emr-headroom
#   resourceTypes: [AWS::EMR::Cluster, AWS::EC2::Subnet]
#   inputs: [live, cloudformation, terraform]
#   guidance: "seeds/000_14fc47060cf8555c.txt lines 898, 930"
#   rationale: Enhanced subnet selection is enabled when more than one subnet is configured, and multiple zones let EMR launch away from an impacted zone (lines 898, 930).
#   compliance:
#     nist-800-53: [CP-2(2)]
#   remediation:
#     summary: |
#       List subnets from two or more Availability Zones in the cluster's Ec2SubnetIds
#       (a new cluster is needed: the subnets of a running cluster cannot be changed).
#     automatic: false
package rampart.rules.emr.cluster_multiple_subnets

import data.rampart.lib

_clusters := [c | some c in lib.resources("AWS::EMR::Cluster"); _is_fleet_cluster(c)]

_subnets := lib.resources("AWS::EC2::Subnet")

judged contains c._ref if some c in _clusters

# Clusters whose whole Instances block is unresolved: fleets or groups is not known.
_unresolved_clusters := [c |
	some c in lib.resources("AWS::EMR::Cluster")
	lib.is_unknown(object.get(c.properties, "Instances", {}))
]

judged contains c._ref if some c in _unresolved_clusters

results contains lib.unknown(c, {
	"message": sprintf("EMR cluster %s cannot be judged for its subnets: Instances is unresolved (%s).", [c.id, lib.unknown_reason(c.properties.Instances)]),
	"pointer": "/Properties/Instances",
	"key": "instances",
}) if some c in _unresolved_clusters

results contains lib.unknown(c, {
	"message": sprintf("EMR cluster %s cannot be judged: Ec2SubnetIds is unresolved (%s).", [c.id, lib.unknown_reason(ids)]),
	"pointer": _pointer(c),
	"key": "subnets",
}) if {
	some c in _clusters
	ids := _subnet_ids(c)
	lib.is_unknown(ids)
}

results contains lib.fail(c, {
	"message": sprintf(
		"EMR cluster %s lists %s: enhanced subnet selection has nothing to choose from and the cluster cannot move away from that zone. List subnets from two or more Availability Zones in Ec2SubnetIds.",
		[c.id, _one(ids)],
	),
	"pointer": _pointer(c),
	"key": "subnets",
	"evidence": {"subnets": [_name(i) | some i in ids]},
}) if {
	some c in _clusters
	ids := _subnet_ids(c)
	is_array(ids)
	count({i | some i in ids}) < 2
}

results contains lib.fail(c, {
	"message": sprintf(
		"EMR cluster %s lists %d subnets, all in %s: an impaired or exhausted zone stops the cluster. Add a subnet from another Availability Zone to Ec2SubnetIds.",
		[c.id, count({i | some i in ids}), concat(", ", sort({z.zone | some z in zones}))],
	),
	"pointer": _pointer(c),
	"key": "subnets",
	"evidence": {"subnets": [{"subnet": z.name, "zone": z.zone} | some z in zones]},
}) if {
	some c in _clusters
	ids := _subnet_ids(c)
	is_array(ids)
	count({i | some i in ids}) >= 2
	zones := [_zone(c, id) | some id in ids]
	count({z.unknown | some z in zones; z.unknown}) == 0
	count({z.zone | some z in zones}) < 2
}

results contains lib.unknown(c, {
	"message": sprintf(
		"EMR cluster %s cannot be judged: the zones of its subnets are not all known (%s).",
		[c.id, concat("; ", sort({z.unknown | some z in zones; z.unknown}))],
	),
	"pointer": _pointer(c),
	"key": "subnets",
}) if {
	some c in _clusters
	ids := _subnet_ids(c)
	is_array(ids)
	count({i | some i in ids}) >= 2
	zones := [_zone(c, id) | some id in ids]
	count({z.unknown | some z in zones; z.unknown}) > 0
	count({z.zone | some z in zones; z.zone}) < 2
}

# --- helpers -----------------------------------------------------------------------

_instances(c) := i if {
	i := object.get(c.properties, "Instances", {})
	is_object(i)
}

_is_fleet_cluster(c) if _instances(c).MasterInstanceFleet

_is_fleet_cluster(c) if _instances(c).CoreInstanceFleet

# _subnet_ids(c): Ec2SubnetIds, else [Ec2SubnetId], else (live) observed.RequestedEc2SubnetIds.
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

_pointer(c) := "/Properties/Instances/Ec2SubnetIds" if _has_subnet_ids(c)

_pointer(c) := "/Properties/Instances/Ec2SubnetId" if {
	not _has_subnet_ids(c)
	_instances(c).Ec2SubnetId
}

_pointer(c) := "/observed/RequestedEc2SubnetIds" if {
	not _has_subnet_ids(c)
	not _instances(c).Ec2SubnetId
	c.observed.RequestedEc2SubnetIds
}

_pointer(c) := "/Properties/Instances" if {
	not _has_subnet_ids(c)
	not _instances(c).Ec2SubnetId
	not c.observed.RequestedEc2SubnetIds
}

_one(ids) := "no subnet" if count(ids) == 0

_one(ids) := sprintf("only one subnet (%s)", [_name(ids[0])]) if count(ids) > 0

_name(id) := id if is_string(id)

_name(id) := id["$ref"] if lib.is_ref(id)

_name(id) := sprintf("unresolved: %s", [lib.unknown_reason(id)]) if lib.is_unknown(id)

# _zone(c, id): {"name", "zone"} or {"name", "unknown": reason}.
_zone(_, id) := {"name": "?", "unknown": sprintf("a subnet id is unresolved (%s)", [lib.unknown_reason(id)])} if lib.is_unknown(id)

_zone(c, id) := {"name": _name(id), "unknown": sprintf("subnet %s is not in the input", [_name(id)])} if {
	not lib.is_unknown(id)
	count(_matching(c, id)) == 0
}

_zone(c, id) := z if {
	matches := _matching(c, id)
	count(matches) > 0
	first := sort([m.id | some m in matches])[0]
	some s in matches
	s.id == first
	z := _zone_of(s, _name(id))
}

# The zone name when known, else the zone id (live subnets carry both).
_zone_of(s, name) := {"name": name, "zone": zone} if {
	zone := s.properties.AvailabilityZone
	is_string(zone)
}

_zone_of(s, name) := {"name": name, "zone": zone} if {
	not is_string(object.get(s.properties, "AvailabilityZone", null))
	zone := s.properties.AvailabilityZoneId
	is_string(zone)
}

_zone_of(s, name) := {"name": name, "unknown": sprintf("subnet %s has no known Availability Zone", [name])} if {
	not _has_zone(s)
}

_has_zone(s) if {
	some prop in ["AvailabilityZoneId", "AvailabilityZone"]
	is_string(s.properties[prop])
}

_matching(c, id) := {s |
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
