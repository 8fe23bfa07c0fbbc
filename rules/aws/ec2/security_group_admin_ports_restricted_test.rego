package rampart.rules.ec2.security_group_admin_ports_restricted_test

import data.rampart.rules.ec2.security_group_admin_ports_restricted as rule

_src(id) := {"kind": "cloudformation", "file": "network.yaml", "line": 1, "pointer": sprintf("/Resources/%s", [id])}

_group(id, ingress) := {
	"_ref": id,
	"type": "AWS::EC2::SecurityGroup",
	"id": id,
	"tags": {},
	"properties": {"GroupDescription": "bastion", "VpcId": "vpc-0123456789abcdef0", "SecurityGroupIngress": ingress},
	"source": _src(id),
}

_ingress(id, props) := {
	"_ref": id,
	"type": "AWS::EC2::SecurityGroupIngress",
	"id": id,
	"tags": {},
	"properties": object.union({"GroupId": {"$ref": "BastionSG", "attribute": "GroupId"}}, props),
	"source": _src(id),
}

_input(groups, ingresses) := {"byType": {
	"AWS::EC2::SecurityGroup": groups,
	"AWS::EC2::SecurityGroupIngress": ingresses,
}}

_one(ingress) := res if {
	res := rule.results with input as _input([_group("BastionSG", [ingress])], [])
}

_statuses(ingress) := {[f.status, f.key] | some f in _one(ingress)}

_ssh_world := {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": "0.0.0.0/0"}

# CIS AWS Foundations 5.3: SSH (tcp/22) open to 0.0.0.0/0 is the control's own failing case.
test_cis_ssh_from_anywhere_fails if {
	res := _one(_ssh_world)
	count(res) == 1
	some f in res
	f.status == "fail"
	f.key == "ingress:0"
	f.pointer == "/Properties/SecurityGroupIngress/0/CidrIp"
	f.evidence == _ssh_world
	contains(f.message, "tcp ports 22-22 from 0.0.0.0/0")
	contains(f.message, "SSH (22)")
	rule.judged == {"BastionSG"} with input as _input([_group("BastionSG", [_ssh_world])], [])
}

# A finding points at the property holding the open range: CidrIpv6 when only it is open.
test_pointer_names_the_open_range if {
	some f in _one({"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": "10.0.0.0/8", "CidrIpv6": "::/0"})
	f.pointer == "/Properties/SecurityGroupIngress/0/CidrIpv6"
	res := rule.results with input as _input([], [_ingress("Rule", {"IpProtocol": "-1", "CidrIpv6": "::/0"})])
	some g in res
	g.pointer == "/Properties/CidrIpv6"
}

test_ssh_from_admin_range_passes if {
	count(_one({"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": "203.0.113.0/24"})) == 0
}

test_https_from_anywhere_passes if {
	count(_one({"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "0.0.0.0/0"})) == 0
}

# CIS AWS Foundations 5.4: the same for ::/0, in every spelling of the range.
test_rdp_from_any_ipv6_fails_in_every_spelling if {
	every cidr in ["::/0", "::0/0", "0:0:0:0:0:0:0:0/0", "0000::/0"] {
		_statuses({"IpProtocol": "tcp", "FromPort": 3389, "ToPort": 3389, "CidrIpv6": cidr}) == {["fail", "ingress:0"]}
	}
}

test_host_bits_set_still_covers_everything if {
	_statuses({"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": "10.0.0.1/0"}) == {["fail", "ingress:0"]}
}

test_rdp_over_udp_fails if {
	res := _one({"IpProtocol": "udp", "FromPort": 3389, "ToPort": 3389, "CidrIp": "0.0.0.0/0"})
	{f.status | some f in res} == {"fail"}
	some f in res
	contains(f.message, "RDP (3389)")
}

test_protocol_numbers_are_tcp_and_udp if {
	_statuses({"IpProtocol": "6", "FromPort": 22, "ToPort": 22, "CidrIp": "0.0.0.0/0"}) == {["fail", "ingress:0"]}
	_statuses({"IpProtocol": 17, "FromPort": 3389, "ToPort": 3389, "CidrIp": "0.0.0.0/0"}) == {["fail", "ingress:0"]}
}

test_all_protocols_fail_whatever_the_ports if {
	_statuses({"IpProtocol": "-1", "CidrIp": "0.0.0.0/0"}) == {["fail", "ingress:0"]}
	_statuses({"IpProtocol": -1, "FromPort": 0, "ToPort": 0, "CidrIpv6": "::/0"}) == {["fail", "ingress:0"]}
	_statuses({"IpProtocol": "ALL", "CidrIp": "0.0.0.0/0"}) == {["fail", "ingress:0"]}
}

test_range_including_ssh_fails if {
	res := _one({"IpProtocol": "tcp", "FromPort": "0", "ToPort": "1024", "CidrIp": "0.0.0.0/0"})
	{f.status | some f in res} == {"fail"}
	some f in res
	contains(f.message, "tcp ports 0-1024")
}

test_range_including_both_names_both if {
	some f in _one({"IpProtocol": "tcp", "FromPort": 1, "ToPort": 65535, "CidrIp": "0.0.0.0/0"})
	contains(f.message, "SSH (22) and RDP (3389)")
}

test_tcp_without_ports_is_every_port if {
	_statuses({"IpProtocol": "tcp", "CidrIp": "0.0.0.0/0"}) == {["fail", "ingress:0"]}
	_statuses({"IpProtocol": "tcp", "FromPort": -1, "ToPort": -1, "CidrIp": "0.0.0.0/0"}) == {["fail", "ingress:0"]}
}

test_range_between_admin_ports_passes if {
	count(_one({"IpProtocol": "tcp", "FromPort": 23, "ToPort": 3388, "CidrIp": "0.0.0.0/0"})) == 0
}

test_icmp_from_anywhere_passes if {
	count(_one({"IpProtocol": "icmp", "FromPort": -1, "ToPort": -1, "CidrIp": "0.0.0.0/0"})) == 0
}

test_security_group_and_prefix_list_sources_pass if {
	count(_one({"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "SourceSecurityGroupId": "sg-0123456789abcdef0"})) == 0
	count(_one({"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "SourcePrefixListId": "pl-0123456789abcdef0"})) == 0
}

test_unknown_source_is_unknown if {
	res := _one({"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": {"$unknown": "parameter AdminCidr has no value"}})
	{[f.status, f.key] | some f in res} == {["unknown", "ingress:0"]}
	some f in res
	contains(f.message, "parameter AdminCidr has no value")
}

test_unknown_port_is_unknown if {
	_statuses({"IpProtocol": "tcp", "FromPort": {"$unknown": "var.port"}, "ToPort": {"$unknown": "var.port"}, "CidrIp": "0.0.0.0/0"}) == {["unknown", "ingress:0"]}
}

test_unknown_protocol_is_unknown if {
	_statuses({"IpProtocol": {"$unknown": "var.proto"}, "FromPort": 22, "ToPort": 22, "CidrIp": "0.0.0.0/0"}) == {["unknown", "ingress:0"]}
	_statuses({"IpProtocol": {"$unknown": "var.proto"}, "CidrIp": "0.0.0.0/0"}) == {["unknown", "ingress:0"]}
}

# An unknown that cannot change the verdict is not an unknown.
test_unknown_that_cannot_open_an_admin_port_passes if {
	count(_one({"IpProtocol": "tcp", "FromPort": {"$unknown": "var.port"}, "ToPort": {"$unknown": "var.port"}, "CidrIp": "10.0.0.0/8"})) == 0
	count(_one({"IpProtocol": "icmp", "FromPort": -1, "ToPort": -1, "CidrIp": {"$unknown": "var.cidr"}})) == 0
	count(_one({"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": {"$unknown": "var.cidr"}})) == 0
}

test_unresolved_entry_is_unknown if {
	_statuses({"$unknown": "dynamic block over var.rules"}) == {["unknown", "ingress:0"]}
}

test_unresolved_ingress_list_is_unknown if {
	res := rule.results with input as _input([_group("BastionSG", {"$unknown": "dynamic block over var.rules"})], [])
	{[f.status, f.key] | some f in res} == {["unknown", "ingress"]}
}

test_group_without_ingress_passes if {
	g := object.remove(_group("BastionSG", []), ["properties"])
	inp := _input([object.union(g, {"properties": {"GroupDescription": "x"}})], [])
	count(rule.results) == 0 with input as inp
	rule.judged == {"BastionSG"} with input as inp
}

test_separate_ingress_resource_fails if {
	inp := _input([_group("BastionSG", [])], [_ingress("BastionSsh", {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIpv6": "::/0"})])
	res := rule.results with input as inp
	{[f.ref, f.status, f.key] | some f in res} == {["BastionSsh", "fail", "ingress"]}
	some f in res
	contains(f.message, "into security group BastionSG")
	rule.judged == {"BastionSG", "BastionSsh"} with input as inp
}

test_separate_ingress_resource_restricted_passes if {
	inp := _input([_group("BastionSG", [])], [_ingress("BastionSsh", {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": "198.51.100.7/32"})])
	count(rule.results) == 0 with input as inp
}

test_separate_ingress_resource_unknown if {
	inp := _input([], [_ingress("BastionSsh", {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": {"$unknown": "var.admin_cidr"}})])
	{[f.ref, f.status] | some f in rule.results} == {["BastionSsh", "unknown"]} with input as inp
}
