package rampart.rules.emr.cluster_subnet_ip_headroom_test

import data.rampart.rules.emr.cluster_subnet_ip_headroom as rule

_acct := "111122223333"

_live_src := {"kind": "aws", "account": _acct, "region": "us-east-1"}

_cfn_src(id) := {"kind": "cloudformation", "file": "emr.yaml", "line": 1, "pointer": sprintf("/Resources/%s", [id])}

_type(t) := {"InstanceType": t, "WeightedCapacity": 1}

# The article's fleets (lines 1025–1029): primary 1 unit, core 48 units, task 48 units.
_primary := {"Name": "primary", "TargetOnDemandCapacity": 1, "InstanceTypeConfigs": [_type("r8g.xlarge"), _type("r6g.xlarge"), _type("r8g.2xlarge")]}

_core := {"Name": "core", "TargetOnDemandCapacity": 48, "InstanceTypeConfigs": [_type("r6g.xlarge"), _type("r6g.2xlarge"), _type("m7g.2xlarge")]}

_task := {"Name": "task", "TargetOnDemandCapacity": 48, "InstanceTypeConfigs": [_type("m7g.2xlarge"), _type("r6g.xlarge"), _type("r6a.4xlarge")]}

_live_cluster(subnet_ids, observed) := {
	"_ref": "arn:aws:elasticmapreduce:us-east-1:111122223333:cluster/j-X40BEI1OXXX",
	"type": "AWS::EMR::Cluster",
	"id": "arn:aws:elasticmapreduce:us-east-1:111122223333:cluster/j-X40BEI1OXXX",
	"account": _acct,
	"region": "us-east-1",
	"tags": {},
	"properties": {"Name": "fleet-cluster", "Instances": {
		"MasterInstanceFleet": _primary,
		"CoreInstanceFleet": _core,
		"TaskInstanceFleets": [_task],
	}},
	"observed": object.union({"Id": "j-X40BEI1OXXX", "RequestedEc2SubnetIds": subnet_ids}, observed),
	"source": _live_src,
}

_live_subnet(id, free, az) := {
	"_ref": sprintf("arn:aws:ec2:us-east-1:111122223333:subnet/%s", [id]),
	"type": "AWS::EC2::Subnet",
	"id": sprintf("arn:aws:ec2:us-east-1:111122223333:subnet/%s", [id]),
	"account": _acct,
	"region": "us-east-1",
	"tags": {},
	"properties": {"VpcId": "vpc-XXXXXXXXXXXXXXXX1", "AvailabilityZone": az},
	"observed": {"SubnetId": id, "AvailableIpAddressCount": free},
	"source": _live_src,
}

# The article's `aws ec2 describe-subnets` table (lines 1039–1045).
_article_subnets := [
	_live_subnet("subnet-XXXXXXXXXXXXXXXX1", 27, "us-east-1a"),
	_live_subnet("subnet-XXXXXXXXXXXXXXXX2", 251, "us-east-1b"),
	_live_subnet("subnet-XXXXXXXXXXXXXXXX3", 11, "us-east-1a"),
]

_article_ids := ["subnet-XXXXXXXXXXXXXXXX1", "subnet-XXXXXXXXXXXXXXXX2", "subnet-XXXXXXXXXXXXXXXX3"]

_input(clusters, subnets, configs) := {"byType": {
	"AWS::EMR::Cluster": clusters,
	"AWS::EC2::Subnet": subnets,
	"AWS::EMR::InstanceFleetConfig": configs,
}}

# The article's case: 1 + 48 + 48 = 97 instances (107 with 10% headroom); only
# subnet-…2 with 251 free addresses holds them, which EMR picked (line 1056): pass.
test_article_enhanced_subnet_selection_passes if {
	inp := _input([_live_cluster(_article_ids, {})], _article_subnets, [])
	count(rule.results) == 0 with input as inp
	rule.judged == {_live_cluster(_article_ids, {})._ref} with input as inp
}

# Without the 251-address subnet nothing holds even primary + core (49): launch fails.
test_article_without_large_subnet_fails_high if {
	ids := ["subnet-XXXXXXXXXXXXXXXX1", "subnet-XXXXXXXXXXXXXXXX3"]
	res := rule.results with input as _input([_live_cluster(ids, {})], _article_subnets, [])
	count(res) == 1
	some f in res
	f.status == "fail"
	not f.severity
	f.key == "headroom"
	f.pointer == "/observed/RequestedEc2SubnetIds"
	contains(f.message, "needs 49 IP addresses for its primary and core fleets (97 with all fleets)")
	contains(f.message, "subnet-XXXXXXXXXXXXXXXX1: 27, subnet-XXXXXXXXXXXXXXXX3: 11")
	f.evidence.instances == {"primary": 1, "core": 48, "task": 48, "total": 97, "withHeadroom": 107}
	f.evidence.fitsPrimaryAndCore == []
}

test_only_primary_and_core_fit_is_medium if {
	subnets := [_live_subnet("subnet-a", 60, "us-east-1a"), _live_subnet("subnet-b", 11, "us-east-1b")]
	res := rule.results with input as _input([_live_cluster(["subnet-a", "subnet-b"], {})], subnets, [])
	count(res) == 1
	some f in res
	f.status == "fail"
	f.severity == "medium"
	contains(f.message, "no subnet has that many free; subnet-a can hold only the primary and core fleets (49)")
	contains(f.message, "task fleet will be short")
	f.evidence.fitsPrimaryAndCore == ["subnet-a"]
}

test_headroom_missing_is_medium if {
	subnets := [_live_subnet("subnet-a", 100, "us-east-1a")]
	res := rule.results with input as _input([_live_cluster(["subnet-a"], {})], subnets, [])
	some f in res
	f.severity == "medium"
	contains(f.message, "107 IP addresses for all fleets plus 10% headroom (97 without headroom)")
}

test_headroom_parameter if {
	subnets := [_live_subnet("subnet-a", 100, "us-east-1a")]
	inp := _input([_live_cluster(["subnet-a"], {})], subnets, [])
	count(rule.results) == 0 with input as inp with data.config.params.headroomPercent as 0
}

test_live_cluster_own_instances_count_back if {
	# The cluster runs in subnet-a with its 97 instances: 20 left free, 117 for a relaunch.
	subnets := [_live_subnet("subnet-a", 20, "us-east-1a")]
	c := _live_cluster(["subnet-a"], {"Ec2SubnetId": "subnet-a", "RunningInstanceCount": 97})
	count(rule.results) == 0 with input as _input([c], subnets, [])
}

test_live_subnet_without_count_is_unknown if {
	s := json.remove(_live_subnet("subnet-a", 0, "us-east-1a"), ["observed/AvailableIpAddressCount"])
	res := rule.results with input as _input([_live_cluster(["subnet-a"], {})], [s], [])
	{f.status | some f in res} == {"unknown"}
}

test_live_subnet_not_collected_is_unknown if {
	res := rule.results with input as _input([_live_cluster(["subnet-a", "subnet-b"], {})], [_live_subnet("subnet-a", 30, "us-east-1a")], [])
	count(res) == 1
	some f in res
	f.status == "unknown"
	contains(f.message, "subnet subnet-b is not in the input")
}

test_unknown_subnet_does_not_block_a_pass if {
	inp := _input([_live_cluster(["subnet-a", "subnet-b"], {})], [_live_subnet("subnet-a", 251, "us-east-1a")], [])
	count(rule.results) == 0 with input as inp
}

test_unknown_subnet_does_not_block_high_when_known_ones_fail if {
	# The missing subnet might hold the cluster: unknown, never high.
	res := rule.results with input as _input([_live_cluster(["subnet-a", "subnet-b"], {})], [_live_subnet("subnet-a", 11, "us-east-1a")], [])
	{f.status | some f in res} == {"unknown"}
}

# --- templates ----------------------------------------------------------------------

_cfn_cluster(instances, extra) := {
	"_ref": "FleetCluster",
	"type": "AWS::EMR::Cluster",
	"id": "FleetCluster",
	"tags": {},
	"properties": object.union(
		{
			"Name": "fleet-cluster",
			"ReleaseLabel": "emr-7.2.0",
			"JobFlowRole": "EMR_EC2_DefaultRole",
			"ServiceRole": "EMR_DefaultRole",
			"Instances": instances,
		},
		extra,
	),
	"source": _cfn_src("FleetCluster"),
}

_cfn_subnet(id, cidr, az) := {
	"_ref": id,
	"type": "AWS::EC2::Subnet",
	"id": id,
	"tags": {},
	"properties": {"VpcId": {"$ref": "Vpc"}, "CidrBlock": cidr, "AvailabilityZone": az},
	"source": _cfn_src(id),
}

# /27, /24 and /28 hold 27, 251 and 11 addresses: the article's subnets as a template.
_cfn_subnets := [
	_cfn_subnet("Subnet1", "10.0.0.0/27", "us-east-1a"),
	_cfn_subnet("Subnet2", "10.0.1.0/24", "us-east-1b"),
	_cfn_subnet("Subnet3", "10.0.2.0/28", "us-east-1a"),
]

_refs(ids) := [{"$ref": id} | some id in ids]

_instances(ids) := {
	"MasterInstanceFleet": _primary,
	"CoreInstanceFleet": _core,
	"TaskInstanceFleets": [_task],
	"Ec2SubnetIds": _refs(ids),
}

test_article_case_as_template_passes if {
	inp := _input([_cfn_cluster(_instances(["Subnet1", "Subnet2", "Subnet3"]), {})], _cfn_subnets, [])
	count(rule.results) == 0 with input as inp
}

test_template_without_large_subnet_fails_high if {
	res := rule.results with input as _input([_cfn_cluster(_instances(["Subnet1", "Subnet3"]), {})], _cfn_subnets, [])
	some f in res
	f.status == "fail"
	not f.severity
	f.pointer == "/Properties/Instances/Ec2SubnetIds"
	contains(f.message, "Subnet1: 27, Subnet3: 11")
}

test_single_ec2_subnet_id if {
	inst := json.remove(object.union(_instances([]), {"Ec2SubnetId": {"$ref": "Subnet3"}}), ["Ec2SubnetIds"])
	res := rule.results with input as _input([_cfn_cluster(inst, {})], _cfn_subnets, [])
	some f in res
	f.pointer == "/Properties/Instances/Ec2SubnetId"
	f.status == "fail"
}

test_subnet_not_in_template_is_unknown if {
	inst := object.union(_instances([]), {"Ec2SubnetIds": ["subnet-0123456789abcdef0"]})
	res := rule.results with input as _input([_cfn_cluster(inst, {})], _cfn_subnets, [])
	count(res) == 1
	some f in res
	f.status == "unknown"
	contains(f.message, "subnet subnet-0123456789abcdef0 is not in the input")
}

test_subnet_in_other_template_is_unknown if {
	other := object.union(_cfn_subnet("Subnet2", "10.0.1.0/24", "us-east-1b"), {"source": {"kind": "cloudformation", "file": "vpc.yaml", "line": 1, "pointer": "/Resources/Subnet2"}})
	res := rule.results with input as _input([_cfn_cluster(_instances(["Subnet2"]), {})], [other], [])
	{f.status | some f in res} == {"unknown"}
}

test_unknown_cidr_is_unknown if {
	s := _cfn_subnet("Subnet2", {"$unknown": "Fn::Select over Fn::Cidr"}, "us-east-1b")
	res := rule.results with input as _input([_cfn_cluster(_instances(["Subnet2"]), {})], [s], [])
	some f in res
	f.status == "unknown"
	contains(f.message, "Fn::Select over Fn::Cidr")
}

test_ipam_netmask_length if {
	s := {
		"_ref": "Subnet2", "type": "AWS::EC2::Subnet", "id": "Subnet2", "tags": {},
		"properties": {"VpcId": {"$ref": "Vpc"}, "Ipv4IpamPoolId": "ipam-pool-1", "Ipv4NetmaskLength": 24},
		"source": _cfn_src("Subnet2"),
	}
	count(rule.results) == 0 with input as _input([_cfn_cluster(_instances(["Subnet2"]), {})], [s], [])
}

test_subnet_without_cidr_is_unknown if {
	s := json.remove(_cfn_subnet("Subnet2", "x", "us-east-1b"), ["properties/CidrBlock"])
	res := rule.results with input as _input([_cfn_cluster(_instances(["Subnet2"]), {})], [s], [])
	some f in res
	f.status == "unknown"
	contains(f.message, "no CidrBlock")
}

test_unknown_subnet_list if {
	inst := object.union(_instances([]), {"Ec2SubnetIds": {"$unknown": "Ref to parameter Subnets"}})
	res := rule.results with input as _input([_cfn_cluster(inst, {})], _cfn_subnets, [])
	some f in res
	f.status == "unknown"
	contains(f.message, "Ref to parameter Subnets")
}

test_unknown_subnet_entry if {
	inst := object.union(_instances([]), {"Ec2SubnetIds": [{"$unknown": "Fn::ImportValue SubnetA"}]})
	res := rule.results with input as _input([_cfn_cluster(inst, {})], _cfn_subnets, [])
	some f in res
	f.status == "unknown"
	contains(f.message, "Fn::ImportValue SubnetA")
}

test_no_subnet_is_unknown if {
	inst := json.remove(_instances([]), ["Ec2SubnetIds"])
	res := rule.results with input as _input([_cfn_cluster(inst, {})], _cfn_subnets, [])
	some f in res
	f.status == "unknown"
	f.pointer == "/Properties/Instances"
	contains(f.message, "names no subnet")
}

test_weighted_capacity_and_string_numbers if {
	# 48 units with weights 4 and 8: at most 12 instances; 1 + 12 + 12 = 25, 28 with headroom.
	core := {"Name": "core", "TargetOnDemandCapacity": "24", "TargetSpotCapacity": "24", "InstanceTypeConfigs": [{"InstanceType": "r6g.xlarge", "WeightedCapacity": "4"}, {"InstanceType": "r6g.2xlarge", "WeightedCapacity": 8}]}
	task := object.union(core, {"Name": "task"})
	inst := object.union(_instances(["Subnet1"]), {"CoreInstanceFleet": core, "TaskInstanceFleets": [task]})
	res := rule.results with input as _input([_cfn_cluster(inst, {})], _cfn_subnets, [])
	some f in res
	f.severity == "medium"
	f.evidence.instances == {"primary": 1, "core": 12, "task": 12, "total": 25, "withHeadroom": 28}
}

test_fleet_without_type_configs_counts_units if {
	core := {"Name": "core", "TargetOnDemandCapacity": 20}
	inst := {"MasterInstanceFleet": _primary, "CoreInstanceFleet": core, "Ec2SubnetIds": _refs(["Subnet1"])}
	count(rule.results) == 0 with input as _input([_cfn_cluster(inst, {})], _cfn_subnets, [])
}

test_unknown_fleet_target if {
	core := object.union(_core, {"TargetOnDemandCapacity": {"$unknown": "Ref to parameter CoreNodes"}})
	inst := object.union(_instances(["Subnet2"]), {"CoreInstanceFleet": core})
	res := rule.results with input as _input([_cfn_cluster(inst, {})], _cfn_subnets, [])
	count(res) == 1
	some f in res
	f.status == "unknown"
	contains(f.message, "fleet core has unresolved or non-numeric TargetOnDemandCapacity")
}

test_unknown_task_fleets_do_not_block_high if {
	inst := object.union(_instances(["Subnet1", "Subnet3"]), {"TaskInstanceFleets": {"$unknown": "Fn::If WithTasks"}})
	res := rule.results with input as _input([_cfn_cluster(inst, {})], _cfn_subnets, [])
	some f in res
	f.status == "fail"
	contains(f.message, "needs 49 IP addresses for its primary and core fleets, but")
}

test_unknown_task_fleets_block_a_pass if {
	inst := object.union(_instances(["Subnet2"]), {"TaskInstanceFleets": [{"$unknown": "Fn::If WithTasks"}]})
	res := rule.results with input as _input([_cfn_cluster(inst, {})], _cfn_subnets, [])
	{f.status | some f in res} == {"unknown"}
}

test_unknown_weight if {
	core := object.union(_core, {"InstanceTypeConfigs": [{"InstanceType": "r6g.xlarge", "WeightedCapacity": {"$unknown": "Ref to parameter Weight"}}]})
	inst := object.union(_instances(["Subnet2"]), {"CoreInstanceFleet": core})
	res := rule.results with input as _input([_cfn_cluster(inst, {})], _cfn_subnets, [])
	some f in res
	f.status == "unknown"
	contains(f.message, "WeightedCapacity")
}

test_unknown_whole_fleet if {
	inst := object.union(_instances(["Subnet2"]), {"CoreInstanceFleet": {"$unknown": "Fn::If Big"}})
	res := rule.results with input as _input([_cfn_cluster(inst, {})], _cfn_subnets, [])
	some f in res
	f.status == "unknown"
	contains(f.message, "Fn::If Big")
}

_task_config(cluster_ref, type, target) := {
	"_ref": "TaskFleet",
	"type": "AWS::EMR::InstanceFleetConfig",
	"id": "TaskFleet",
	"tags": {},
	"properties": {
		"ClusterId": cluster_ref,
		"InstanceFleetType": type,
		"Name": "task",
		"TargetOnDemandCapacity": target,
		"InstanceTypeConfigs": [_type("m7g.2xlarge")],
	},
	"source": _cfn_src("TaskFleet"),
}

test_instance_fleet_config_task_counts if {
	# Primary + core (49) fit Subnet1 (27)? no; with a /26 (59) they do, the 48-task
	# fleet from AWS::EMR::InstanceFleetConfig does not: medium.
	inst := object.union(_instances(["Subnet4"]), {"TaskInstanceFleets": []})
	s4 := _cfn_subnet("Subnet4", "10.0.3.0/26", "us-east-1c")
	count(rule.results) == 0 with input as _input([_cfn_cluster(inst, {})], [s4], [])
	res := rule.results with input as _input([_cfn_cluster(inst, {})], [s4], [_task_config({"$ref": "FleetCluster"}, "TASK", 48)])
	some f in res
	f.severity == "medium"
	f.evidence.instances.task == 48
}

test_instance_fleet_config_unknown_cluster_id if {
	inst := object.union(_instances(["Subnet2"]), {"TaskInstanceFleets": []})
	res := rule.results with input as _input([_cfn_cluster(inst, {})], _cfn_subnets, [_task_config({"$unknown": "Fn::ImportValue ClusterId"}, "TASK", 48)])
	some f in res
	f.status == "unknown"
	contains(f.message, "instance fleet TaskFleet has an unresolved ClusterId")
}

test_instance_fleet_config_unknown_type if {
	inst := object.union(_instances(["Subnet2"]), {"TaskInstanceFleets": []})
	res := rule.results with input as _input([_cfn_cluster(inst, {})], _cfn_subnets, [_task_config({"$ref": "FleetCluster"}, {"$unknown": "Ref to parameter FleetType"}, 48)])
	{f.status | some f in res} == {"unknown"}
}

test_live_instance_fleet_config_by_cluster_id if {
	cfg := object.union(_task_config("j-X40BEI1OXXX", "TASK", 200), {"source": _live_src, "account": _acct})
	res := rule.results with input as _input([_live_cluster(_article_ids, {})], _article_subnets, [cfg])
	some f in res
	f.severity == "medium"
	f.evidence.instances.task == 248
}

test_managed_scaling_instances if {
	# Up to 200 core + task instances: 201, 222 with headroom: still fits 251.
	scaling := {"ManagedScalingPolicy": {"ComputeLimits": {"UnitType": "Instances", "MinimumCapacityUnits": 2, "MaximumCapacityUnits": 200}}}
	count(rule.results) == 0 with input as _input([_cfn_cluster(_instances(["Subnet2"]), scaling)], _cfn_subnets, [])
	big := {"ManagedScalingPolicy": {"ComputeLimits": {"UnitType": "Instances", "MinimumCapacityUnits": 2, "MaximumCapacityUnits": 300}}}
	res := rule.results with input as _input([_cfn_cluster(_instances(["Subnet2"]), big)], _cfn_subnets, [])
	some f in res
	f.severity == "medium"
	f.evidence.instances.total == 301
}

test_managed_scaling_fleet_units if {
	# 1000 units, smallest weight 4: 250 instances.
	core := object.union(_core, {"InstanceTypeConfigs": [{"InstanceType": "r6g.4xlarge", "WeightedCapacity": 4}]})
	task := object.union(core, {"Name": "task"})
	inst := object.union(_instances(["Subnet2"]), {"CoreInstanceFleet": core, "TaskInstanceFleets": [task]})
	scaling := {"ManagedScalingPolicy": {"ComputeLimits": {"UnitType": "InstanceFleetUnits", "MinimumCapacityUnits": 4, "MaximumCapacityUnits": "1000"}}}
	res := rule.results with input as _input([_cfn_cluster(inst, scaling)], _cfn_subnets, [])
	some f in res
	f.evidence.instances.total == 251
}

test_managed_scaling_vcpu_is_unknown if {
	scaling := {"ManagedScalingPolicy": {"ComputeLimits": {"UnitType": "VCPU", "MinimumCapacityUnits": 4, "MaximumCapacityUnits": 1000}}}
	res := rule.results with input as _input([_cfn_cluster(_instances(["Subnet2"]), scaling)], _cfn_subnets, [])
	some f in res
	f.status == "unknown"
	contains(f.message, "managed scaling maximum (1000 VCPU)")
}

test_instance_group_cluster_not_judged if {
	inst := {"MasterInstanceGroup": {"InstanceCount": 1, "InstanceType": "m5.xlarge"}, "CoreInstanceGroup": {"InstanceCount": 2, "InstanceType": "m5.xlarge"}, "Ec2SubnetId": {"$ref": "Subnet3"}}
	inp := _input([_cfn_cluster(inst, {})], _cfn_subnets, [])
	count(rule.results) == 0 with input as inp
	count(rule.judged) == 0 with input as inp
}

test_unknown_instances if {
	c := json.patch(_cfn_cluster({}, {}), [{"op": "replace", "path": "/properties/Instances", "value": {"$unknown": "Fn::If UseFleets"}}])
	res := rule.results with input as _input([c], [], [])
	{[f.status, f.key] | some f in res} == {["unknown", "instances"]}
	rule.judged == {"FleetCluster"} with input as _input([c], [], [])
}
