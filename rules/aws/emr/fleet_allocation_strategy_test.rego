package rampart.rules.emr.fleet_allocation_strategy_test

import data.rampart.rules.emr.fleet_allocation_strategy as rule

_src(id) := {"kind": "cloudformation", "file": "emr.yaml", "line": 1, "pointer": sprintf("/Resources/%s", [id])}

_ebs := {"EbsBlockDeviceConfigs": [{"VolumeSpecification": {"VolumeType": "gp2", "SizeInGB": 32}}]}

# The article's cluster (lines 947–1018), exactly as printed.
_article_instances := {
	"MasterInstanceFleet": {
		"Name": "cfnPrimary",
		"InstanceTypeConfigs": [{"BidPrice": "10.50", "InstanceType": "m5.xlarge", "Priority": "1", "EbsConfiguration": _ebs}],
		"TargetOnDemandCapacity": 1,
	},
	"CoreInstanceFleet": {
		"Name": "cfnCore",
		"InstanceTypeConfigs": [{"BidPrice": "10.50", "InstanceType": "m5.xlarge", "Priority": "1", "WeightedCapacity": "1", "EbsConfiguration": _ebs}],
		"LaunchSpecifications": {
			"SpotSpecification": {"TimeoutAction": "SWITCH_TO_ON_DEMAND", "TimeoutDurationMinutes": 20, "AllocationStrategy": "CAPACITY_OPTIMIZED_PRIORITIZED"},
			"OnDemandSpecification": {"AllocationStrategy": "PRIORITIZED"},
		},
		"TargetOnDemandCapacity": "5",
		"TargetSpotCapacity": "0",
	},
}

_cluster(instances) := {
	"_ref": "myCluster",
	"type": "AWS::EMR::Cluster",
	"id": "myCluster",
	"tags": {},
	"properties": {"Instances": instances, "Name": "blog-test", "JobFlowRole": "EMR_EC2_DefaultRole", "ServiceRole": "EMR_DefaultRole", "ReleaseLabel": "emr-7.2.0"},
	"source": _src("myCluster"),
}

_input(clusters, configs) := {"byType": {"AWS::EMR::Cluster": clusters, "AWS::EMR::InstanceFleetConfig": configs}}

_with_core(patch) := json.patch(_article_instances, patch)

test_article_cluster_passes if {
	inp := _input([_cluster(_article_instances)], [])
	count(rule.results) == 0 with input as inp
	rule.judged == {"myCluster"} with input as inp
}

test_spot_capacity_with_article_specification_passes if {
	inst := _with_core([{"op": "replace", "path": "/CoreInstanceFleet/TargetSpotCapacity", "value": "4"}])
	count(rule.results) == 0 with input as _input([_cluster(inst)], [])
}

test_spot_lowest_price_fails if {
	inst := _with_core([
		{"op": "replace", "path": "/CoreInstanceFleet/TargetSpotCapacity", "value": 4},
		{"op": "replace", "path": "/CoreInstanceFleet/LaunchSpecifications/SpotSpecification/AllocationStrategy", "value": "lowest-price"},
	])
	res := rule.results with input as _input([_cluster(inst)], [])
	count(res) == 1
	some f in res
	f.status == "fail"
	f.key == "core:spot-strategy"
	f.pointer == "/Properties/Instances/CoreInstanceFleet/LaunchSpecifications/SpotSpecification/AllocationStrategy"
	contains(f.message, "lowest-price")
}

test_spot_without_strategy_fails if {
	inst := _with_core([
		{"op": "replace", "path": "/CoreInstanceFleet/TargetSpotCapacity", "value": 4},
		{"op": "remove", "path": "/CoreInstanceFleet/LaunchSpecifications/SpotSpecification/AllocationStrategy"},
	])
	res := rule.results with input as _input([_cluster(inst)], [])
	some f in res
	f.key == "core:spot-strategy"
	contains(f.message, "without a Spot allocation strategy")
}

test_price_capacity_optimized_passes if {
	inst := _with_core([
		{"op": "replace", "path": "/CoreInstanceFleet/TargetSpotCapacity", "value": 4},
		{"op": "replace", "path": "/CoreInstanceFleet/LaunchSpecifications/SpotSpecification/AllocationStrategy", "value": "price-capacity-optimized"},
	])
	count(rule.results) == 0 with input as _input([_cluster(inst)], [])
}

test_spot_terminate_cluster_fails if {
	inst := _with_core([
		{"op": "replace", "path": "/CoreInstanceFleet/TargetSpotCapacity", "value": 4},
		{"op": "replace", "path": "/CoreInstanceFleet/LaunchSpecifications/SpotSpecification/TimeoutAction", "value": "TERMINATE_CLUSTER"},
	])
	res := rule.results with input as _input([_cluster(inst)], [])
	count(res) == 1
	some f in res
	f.key == "core:spot-timeout"
	contains(f.message, "TERMINATE_CLUSTER")
}

test_spot_without_specification_fails_twice if {
	inst := _with_core([
		{"op": "replace", "path": "/CoreInstanceFleet/TargetSpotCapacity", "value": 4},
		{"op": "remove", "path": "/CoreInstanceFleet/LaunchSpecifications"},
	])
	res := rule.results with input as _input([_cluster(inst)], [])
	{f.key | some f in res} == {"core:spot-strategy", "core:spot-timeout"}
}

test_on_demand_several_types_without_strategy_fails if {
	inst := _with_core([
		{"op": "add", "path": "/CoreInstanceFleet/InstanceTypeConfigs/-", "value": {"InstanceType": "m5.2xlarge", "WeightedCapacity": 2}},
		{"op": "remove", "path": "/CoreInstanceFleet/LaunchSpecifications/OnDemandSpecification"},
	])
	res := rule.results with input as _input([_cluster(inst)], [])
	count(res) == 1
	some f in res
	f.key == "core:on-demand-strategy"
	contains(f.message, "from 2 instance types without an On-Demand allocation strategy")
}

test_on_demand_unrecognised_strategy_fails if {
	inst := _with_core([
		{"op": "add", "path": "/CoreInstanceFleet/InstanceTypeConfigs/-", "value": {"InstanceType": "m5.2xlarge"}},
		{"op": "replace", "path": "/CoreInstanceFleet/LaunchSpecifications/OnDemandSpecification/AllocationStrategy", "value": "random"},
	])
	res := rule.results with input as _input([_cluster(inst)], [])
	some f in res
	contains(f.message, "unrecognised")
}

test_on_demand_lowest_price_passes if {
	inst := _with_core([
		{"op": "add", "path": "/CoreInstanceFleet/InstanceTypeConfigs/-", "value": {"InstanceType": "m5.2xlarge"}},
		{"op": "replace", "path": "/CoreInstanceFleet/LaunchSpecifications/OnDemandSpecification/AllocationStrategy", "value": "lowest-price"},
	])
	count(rule.results) == 0 with input as _input([_cluster(inst)], [])
}

test_task_fleet_inline if {
	task := {"Name": "task", "TargetSpotCapacity": 48, "InstanceTypeConfigs": [{"InstanceType": "m7g.2xlarge"}, {"InstanceType": "r6g.xlarge"}]}
	inst := object.union(_article_instances, {"TaskInstanceFleets": [task]})
	res := rule.results with input as _input([_cluster(inst)], [])
	{f.key | some f in res} == {"task:0:spot-strategy", "task:0:spot-timeout"}
	some f in res
	f.pointer == "/Properties/Instances/TaskInstanceFleets/0/LaunchSpecifications/SpotSpecification/AllocationStrategy"
}

_fleet_config(props) := {
	"_ref": "TaskFleet",
	"type": "AWS::EMR::InstanceFleetConfig",
	"id": "TaskFleet",
	"tags": {},
	"properties": object.union({"ClusterId": {"$ref": "myCluster"}, "InstanceFleetType": "TASK", "Name": "task"}, props),
	"source": _src("TaskFleet"),
}

test_instance_fleet_config if {
	good := _fleet_config({
		"TargetSpotCapacity": 48,
		"InstanceTypeConfigs": [{"InstanceType": "m7g.2xlarge"}],
		"LaunchSpecifications": {"SpotSpecification": {"AllocationStrategy": "capacity-optimized", "TimeoutAction": "SWITCH_TO_ON_DEMAND", "TimeoutDurationMinutes": 10}},
	})
	inp := _input([_cluster(_article_instances)], [good])
	count(rule.results) == 0 with input as inp
	rule.judged == {"myCluster", "TaskFleet"} with input as inp
	bad := json.remove(good, ["properties/LaunchSpecifications"])
	res := rule.results with input as _input([], [bad])
	{[f.ref, f.key] | some f in res} == {["TaskFleet", "fleet:spot-strategy"], ["TaskFleet", "fleet:spot-timeout"]}
	some f in res
	f.pointer == "/Properties/LaunchSpecifications/SpotSpecification/AllocationStrategy"
}

test_unknown_spot_target if {
	inst := _with_core([{"op": "replace", "path": "/CoreInstanceFleet/TargetSpotCapacity", "value": {"$unknown": "Ref to parameter SpotNodes"}}])
	res := rule.results with input as _input([_cluster(inst)], [])
	count(res) == 1
	some f in res
	f.status == "unknown"
	f.key == "core:unresolved"
	contains(f.message, "TargetSpotCapacity is unresolved (Ref to parameter SpotNodes)")
}

test_unknown_strategy if {
	inst := _with_core([
		{"op": "replace", "path": "/CoreInstanceFleet/TargetSpotCapacity", "value": 4},
		{"op": "replace", "path": "/CoreInstanceFleet/LaunchSpecifications/SpotSpecification/AllocationStrategy", "value": {"$unknown": "Ref to parameter Strategy"}},
	])
	res := rule.results with input as _input([_cluster(inst)], [])
	{[f.status, f.key] | some f in res} == {["unknown", "core:unresolved"]}
}

test_unknown_spot_specification if {
	inst := _with_core([
		{"op": "replace", "path": "/CoreInstanceFleet/TargetSpotCapacity", "value": 4},
		{"op": "replace", "path": "/CoreInstanceFleet/LaunchSpecifications/SpotSpecification", "value": {"$unknown": "Fn::If Spot"}},
	])
	res := rule.results with input as _input([_cluster(inst)], [])
	{f.status | some f in res} == {"unknown"}
}

test_unknown_launch_specifications if {
	inst := _with_core([
		{"op": "replace", "path": "/CoreInstanceFleet/TargetSpotCapacity", "value": 4},
		{"op": "replace", "path": "/CoreInstanceFleet/LaunchSpecifications", "value": {"$unknown": "Fn::If Spot"}},
	])
	res := rule.results with input as _input([_cluster(inst)], [])
	{f.status | some f in res} == {"unknown"}
}

test_unknown_launch_specifications_not_needed if {
	inst := _with_core([{"op": "replace", "path": "/CoreInstanceFleet/LaunchSpecifications", "value": {"$unknown": "Fn::If Spot"}}])
	count(rule.results) == 0 with input as _input([_cluster(inst)], [])
}

test_unknown_instance_types_with_on_demand if {
	inst := _with_core([
		{"op": "replace", "path": "/CoreInstanceFleet/InstanceTypeConfigs", "value": {"$unknown": "Ref to parameter Types"}},
		{"op": "remove", "path": "/CoreInstanceFleet/LaunchSpecifications/OnDemandSpecification"},
	])
	res := rule.results with input as _input([_cluster(inst)], [])
	{f.status | some f in res} == {"unknown"}
}

test_unknown_on_demand_specification if {
	inst := _with_core([
		{"op": "add", "path": "/CoreInstanceFleet/InstanceTypeConfigs/-", "value": {"InstanceType": "m5.2xlarge"}},
		{"op": "replace", "path": "/CoreInstanceFleet/LaunchSpecifications/OnDemandSpecification", "value": {"AllocationStrategy": {"$unknown": "Ref to parameter OD"}}},
	])
	res := rule.results with input as _input([_cluster(inst)], [])
	{f.status | some f in res} == {"unknown"}
}

test_unknown_instances if {
	c := json.patch(_cluster({}), [{"op": "replace", "path": "/properties/Instances", "value": {"$unknown": "Fn::If UseFleets"}}])
	res := rule.results with input as _input([c], [])
	{[f.status, f.key] | some f in res} == {["unknown", "instances"]}
}
