package rampart.rules.emr.cluster_multiple_subnets_test

import data.rampart.rules.emr.cluster_multiple_subnets as rule

_acct := "111122223333"

_live_src := {"kind": "aws", "account": _acct, "region": "us-east-1"}

_cfn_src(id) := {"kind": "cloudformation", "file": "emr.yaml", "line": 1, "pointer": sprintf("/Resources/%s", [id])}

_fleets := {
	"MasterInstanceFleet": {"Name": "primary", "TargetOnDemandCapacity": 1, "InstanceTypeConfigs": [{"InstanceType": "r6g.xlarge"}]},
	"CoreInstanceFleet": {"Name": "core", "TargetOnDemandCapacity": 48, "InstanceTypeConfigs": [{"InstanceType": "m7g.2xlarge"}]},
}

_live_cluster(ids) := {
	"_ref": "j-X40BEI1OXXX",
	"type": "AWS::EMR::Cluster",
	"id": "arn:aws:elasticmapreduce:us-east-1:111122223333:cluster/j-X40BEI1OXXX",
	"account": _acct,
	"tags": {},
	"properties": {"Name": "fleet-cluster", "Instances": _fleets},
	"observed": {"RequestedEc2SubnetIds": ids},
	"source": _live_src,
}

_live_subnet(id, az, az_id) := {
	"_ref": id,
	"type": "AWS::EC2::Subnet",
	"id": sprintf("arn:aws:ec2:us-east-1:111122223333:subnet/%s", [id]),
	"account": _acct,
	"tags": {},
	"properties": {"VpcId": "vpc-XXXXXXXXXXXXXXXX1", "AvailabilityZone": az, "AvailabilityZoneId": az_id},
	"observed": {"SubnetId": id, "AvailableIpAddressCount": 10},
	"source": _live_src,
}

# The article's subnets (lines 1039–1045): two in us-east-1a, one in us-east-1b.
_article_subnets := [
	_live_subnet("subnet-XXXXXXXXXXXXXXXX1", "us-east-1a", "use1-az1"),
	_live_subnet("subnet-XXXXXXXXXXXXXXXX2", "us-east-1b", "use1-az2"),
	_live_subnet("subnet-XXXXXXXXXXXXXXXX3", "us-east-1a", "use1-az1"),
]

_article_ids := ["subnet-XXXXXXXXXXXXXXXX1", "subnet-XXXXXXXXXXXXXXXX2", "subnet-XXXXXXXXXXXXXXXX3"]

_input(clusters, subnets) := {"byType": {"AWS::EMR::Cluster": clusters, "AWS::EC2::Subnet": subnets}}

test_article_three_subnets_two_zones_pass if {
	inp := _input([_live_cluster(_article_ids)], _article_subnets)
	count(rule.results) == 0 with input as inp
	rule.judged == {"j-X40BEI1OXXX"} with input as inp
}

test_article_zone_a_subnets_only_fail if {
	ids := ["subnet-XXXXXXXXXXXXXXXX1", "subnet-XXXXXXXXXXXXXXXX3"]
	res := rule.results with input as _input([_live_cluster(ids)], _article_subnets)
	count(res) == 1
	some f in res
	f.status == "fail"
	f.key == "subnets"
	f.pointer == "/observed/RequestedEc2SubnetIds"
	contains(f.message, "lists 2 subnets, all in us-east-1a")
}

test_one_subnet_fails if {
	res := rule.results with input as _input([_live_cluster(["subnet-XXXXXXXXXXXXXXXX2"])], _article_subnets)
	some f in res
	f.status == "fail"
	contains(f.message, "only one subnet (subnet-XXXXXXXXXXXXXXXX2)")
}

test_same_subnet_twice_fails if {
	res := rule.results with input as _input([_live_cluster(["subnet-XXXXXXXXXXXXXXXX2", "subnet-XXXXXXXXXXXXXXXX2"])], _article_subnets)
	{f.status | some f in res} == {"fail"}
}

test_subnet_not_collected_is_unknown if {
	res := rule.results with input as _input([_live_cluster(["subnet-XXXXXXXXXXXXXXXX1", "subnet-other"])], _article_subnets)
	count(res) == 1
	some f in res
	f.status == "unknown"
	contains(f.message, "subnet subnet-other is not in the input")
}

test_two_known_zones_pass_despite_unknown if {
	ids := array.concat(_article_ids, ["subnet-other"])
	count(rule.results) == 0 with input as _input([_live_cluster(ids)], _article_subnets)
}

test_zone_id_only if {
	a := json.remove(_live_subnet("subnet-a", "x", "use1-az1"), ["properties/AvailabilityZone"])
	b := json.remove(_live_subnet("subnet-b", "x", "use1-az1"), ["properties/AvailabilityZone"])
	res := rule.results with input as _input([_live_cluster(["subnet-a", "subnet-b"])], [a, b])
	some f in res
	contains(f.message, "all in use1-az1")
}

test_subnet_without_zone_is_unknown if {
	a := json.remove(_live_subnet("subnet-a", "x", "y"), ["properties/AvailabilityZone", "properties/AvailabilityZoneId"])
	res := rule.results with input as _input([_live_cluster(["subnet-a", "subnet-XXXXXXXXXXXXXXXX1"])], [a, _article_subnets[0]])
	some f in res
	f.status == "unknown"
	contains(f.message, "subnet subnet-a has no known Availability Zone")
}

_cfn_cluster(instances) := {
	"_ref": "FleetCluster",
	"type": "AWS::EMR::Cluster",
	"id": "FleetCluster",
	"tags": {},
	"properties": {"Name": "fleet-cluster", "ReleaseLabel": "emr-7.2.0", "JobFlowRole": "EMR_EC2_DefaultRole", "ServiceRole": "EMR_DefaultRole", "Instances": instances},
	"source": _cfn_src("FleetCluster"),
}

_cfn_subnet(id, az) := {
	"_ref": id,
	"type": "AWS::EC2::Subnet",
	"id": id,
	"tags": {},
	"properties": {"VpcId": {"$ref": "Vpc"}, "CidrBlock": "10.0.0.0/24", "AvailabilityZone": az},
	"source": _cfn_src(id),
}

# The article's CloudFormation cluster (lines 947–1018) names no subnet at all.
test_article_cloudformation_cluster_without_subnets_fails if {
	res := rule.results with input as _input([_cfn_cluster(_fleets)], [])
	count(res) == 1
	some f in res
	f.status == "fail"
	f.pointer == "/Properties/Instances"
	contains(f.message, "lists no subnet")
}

test_template_two_zones_pass if {
	inst := object.union(_fleets, {"Ec2SubnetIds": [{"$ref": "SubnetA"}, {"$ref": "SubnetB"}]})
	count(rule.results) == 0 with input as _input([_cfn_cluster(inst)], [_cfn_subnet("SubnetA", "us-east-1a"), _cfn_subnet("SubnetB", "us-east-1b")])
}

test_template_single_subnet_id_fails if {
	inst := object.union(_fleets, {"Ec2SubnetId": {"$ref": "SubnetA"}})
	res := rule.results with input as _input([_cfn_cluster(inst)], [_cfn_subnet("SubnetA", "us-east-1a")])
	some f in res
	f.pointer == "/Properties/Instances/Ec2SubnetId"
	contains(f.message, "only one subnet (SubnetA)")
}

test_template_unknown_zone if {
	inst := object.union(_fleets, {"Ec2SubnetIds": [{"$ref": "SubnetA"}, {"$ref": "SubnetB"}]})
	b := _cfn_subnet("SubnetB", {"$unknown": "Fn::Select [1, Fn::GetAZs]"})
	res := rule.results with input as _input([_cfn_cluster(inst)], [_cfn_subnet("SubnetA", "us-east-1a"), b])
	{f.status | some f in res} == {"unknown"}
}

test_template_unknown_subnet_list if {
	inst := object.union(_fleets, {"Ec2SubnetIds": {"$unknown": "Ref to parameter Subnets"}})
	res := rule.results with input as _input([_cfn_cluster(inst)], [])
	some f in res
	f.status == "unknown"
	f.pointer == "/Properties/Instances/Ec2SubnetIds"
	contains(f.message, "Ref to parameter Subnets")
}

test_template_unknown_subnet_entry if {
	inst := object.union(_fleets, {"Ec2SubnetIds": [{"$ref": "SubnetA"}, {"$unknown": "Fn::ImportValue SubnetB"}]})
	res := rule.results with input as _input([_cfn_cluster(inst)], [_cfn_subnet("SubnetA", "us-east-1a")])
	some f in res
	f.status == "unknown"
	contains(f.message, "Fn::ImportValue SubnetB")
}

test_unknown_single_subnet_named if {
	inst := object.union(_fleets, {"Ec2SubnetId": {"$unknown": "Ref to parameter Subnet"}})
	res := rule.results with input as _input([_cfn_cluster(inst)], [])
	some f in res
	f.status == "fail"
	contains(f.message, "unresolved: Ref to parameter Subnet")
}

test_unknown_instances if {
	c := json.patch(_cfn_cluster({}), [{"op": "replace", "path": "/properties/Instances", "value": {"$unknown": "Fn::If UseFleets"}}])
	res := rule.results with input as _input([c], [])
	{[f.status, f.key] | some f in res} == {["unknown", "instances"]}
}

test_instance_group_cluster_not_judged if {
	inst := {"MasterInstanceGroup": {"InstanceCount": 1, "InstanceType": "m5.xlarge"}, "CoreInstanceGroup": {"InstanceCount": 2, "InstanceType": "m5.xlarge"}, "Ec2SubnetId": "subnet-1"}
	count(rule.judged) == 0 with input as _input([_cfn_cluster(inst)], [])
}
