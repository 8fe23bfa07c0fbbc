package rampart.rules.ec2.security_group_egress_restricted_test

import data.rampart.rules.ec2.security_group_egress_restricted as rule

_src(id) := {"kind": "cloudformation", "file": "network.yaml", "line": 1, "pointer": sprintf("/Resources/%s", [id])}

_group(id, props, tags) := {
	"_ref": id,
	"type": "AWS::EC2::SecurityGroup",
	"id": id,
	"tags": tags,
	"properties": object.union({"GroupDescription": "workload", "VpcId": "vpc-0123456789abcdef0"}, props),
	"source": _src(id),
}

_egress(id, props) := {
	"_ref": id,
	"type": "AWS::EC2::SecurityGroupEgress",
	"id": id,
	"tags": {},
	"properties": props,
	"source": _src(id),
}

_input(groups, egresses) := {"byType": {
	"AWS::EC2::SecurityGroup": groups,
	"AWS::EC2::SecurityGroupEgress": egresses,
}}

_https := {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "0.0.0.0/0"}

_all_v4 := {"IpProtocol": "-1", "CidrIp": "0.0.0.0/0"}

# The article's default-deny stance (lines 733–735, 830) applied to a workload's
# security group: egress only on HTTPS, which the firewall then allowlists by domain.
test_article_https_only_egress_passes if {
	inp := _input([_group("WorkloadSG", {"SecurityGroupEgress": [_https]}, {})], [])
	count(rule.results) == 0 with input as inp
	rule.judged == {"WorkloadSG"} with input as inp
}

test_inline_all_traffic_fails if {
	res := rule.results with input as _input([_group("WorkloadSG", {"SecurityGroupEgress": [_https, _all_v4]}, {})], [])
	count(res) == 1
	some f in res
	f.status == "fail"
	f.key == "egress:1"
	f.pointer == "/Properties/SecurityGroupEgress/1"
	f.evidence == _all_v4
	contains(f.message, "0.0.0.0/0")
}

test_ipv6_all_traffic_fails if {
	rule_v6 := {"IpProtocol": -1, "CidrIpv6": "::/0"}
	res := rule.results with input as _input([_group("WorkloadSG", {"SecurityGroupEgress": [rule_v6]}, {})], [])
	{[f.status, f.key] | some f in res} == {["fail", "egress:0"]}
}

test_protocol_all_keyword_fails if {
	r := {"IpProtocol": "ALL", "CidrIp": "0.0.0.0/0"}
	res := rule.results with input as _input([_group("WorkloadSG", {"SecurityGroupEgress": [r]}, {})], [])
	{f.status | some f in res} == {"fail"}
}

test_all_protocols_to_private_range_passes if {
	r := {"IpProtocol": "-1", "CidrIp": "10.0.0.0/8"}
	count(rule.results) == 0 with input as _input([_group("WorkloadSG", {"SecurityGroupEgress": [r]}, {})], [])
}

test_localhost_rule_removes_default_and_passes if {
	r := {"IpProtocol": "-1", "CidrIp": "127.0.0.1/32"}
	count(rule.results) == 0 with input as _input([_group("WorkloadSG", {"SecurityGroupEgress": [r]}, {})], [])
}

test_prefix_list_destination_passes if {
	r := {"IpProtocol": "-1", "DestinationPrefixListId": "pl-0123456789abcdef0"}
	count(rule.results) == 0 with input as _input([_group("WorkloadSG", {"SecurityGroupEgress": [r]}, {})], [])
}

test_no_egress_declared_gets_default_and_fails if {
	res := rule.results with input as _input([_group("WorkloadSG", {}, {})], [])
	count(res) == 1
	some f in res
	f.status == "fail"
	f.key == "default-egress"
	f.pointer == "/Properties"
}

test_empty_egress_list_gets_default_and_fails if {
	res := rule.results with input as _input([_group("WorkloadSG", {"SecurityGroupEgress": []}, {})], [])
	{f.key | some f in res} == {"default-egress"}
}

test_separate_restricted_egress_passes if {
	e := _egress("WorkloadHttps", object.union(_https, {"GroupId": {"$ref": "WorkloadSG", "attribute": "GroupId"}}))
	inp := _input([_group("WorkloadSG", {}, {})], [e])
	count(rule.results) == 0 with input as inp
	rule.judged == {"WorkloadSG", "WorkloadHttps"} with input as inp
}

test_separate_egress_by_plain_ref_counts if {
	e := _egress("WorkloadHttps", object.union(_https, {"GroupId": {"$ref": "WorkloadSG"}}))
	count(rule.results) == 0 with input as _input([_group("WorkloadSG", {}, {})], [e])
}

test_separate_egress_in_other_template_does_not_count if {
	e := object.union(_egress("WorkloadHttps", object.union(_https, {"GroupId": {"$ref": "WorkloadSG"}})), {"source": {"kind": "cloudformation", "file": "other.yaml", "line": 1, "pointer": "/Resources/WorkloadHttps"}})
	res := rule.results with input as _input([_group("WorkloadSG", {}, {})], [e])
	{[f.ref, f.key] | some f in res} == {["WorkloadSG", "default-egress"]}
}

test_separate_all_traffic_egress_fails if {
	e := _egress("WorkloadAll", object.union(_all_v4, {"GroupId": {"$ref": "WorkloadSG", "attribute": "GroupId"}}))
	res := rule.results with input as _input([_group("WorkloadSG", {}, {})], [e])
	count(res) == 1
	some f in res
	f.ref == "WorkloadAll"
	f.status == "fail"
	f.key == "egress"
	contains(f.message, "WorkloadSG")
}

test_separate_egress_to_external_group_fails if {
	e := _egress("WorkloadAll", object.union(_all_v4, {"GroupId": "sg-0123456789abcdef0"}))
	res := rule.results with input as _input([], [e])
	some f in res
	f.ref == "WorkloadAll"
	contains(f.message, "sg-0123456789abcdef0")
}

test_unknown_group_id_makes_default_unknown if {
	e := _egress("WorkloadHttps", object.union(_https, {"GroupId": {"$unknown": "Fn::ImportValue SharedSG"}}))
	res := rule.results with input as _input([_group("WorkloadSG", {}, {})], [e])
	{[f.ref, f.status, f.key] | some f in res} == {["WorkloadSG", "unknown", "default-egress"]}
	some f in res
	contains(f.message, "Fn::ImportValue SharedSG")
}

test_unknown_group_id_on_open_rule if {
	e := _egress("WorkloadAll", object.union(_all_v4, {"GroupId": {"$unknown": "Fn::ImportValue SharedSG"}}))
	res := rule.results with input as _input([], [e])
	some f in res
	f.status == "fail"
	contains(f.message, "(unresolved group)")
}

test_unknown_egress_list if {
	res := rule.results with input as _input([_group("WorkloadSG", {"SecurityGroupEgress": {"$unknown": "Fn::If Restricted"}}, {})], [])
	{[f.status, f.key] | some f in res} == {["unknown", "egress"]}
}

test_unknown_cidr_with_all_protocols if {
	r := {"IpProtocol": "-1", "CidrIp": {"$unknown": "Ref to parameter EgressCidr"}}
	res := rule.results with input as _input([_group("WorkloadSG", {"SecurityGroupEgress": [r]}, {})], [])
	count(res) == 1
	some f in res
	f.status == "unknown"
	f.key == "egress:0"
	contains(f.message, "Ref to parameter EgressCidr")
}

test_unknown_protocol_to_everywhere if {
	r := {"IpProtocol": {"$unknown": "Ref to parameter Protocol"}, "CidrIp": "0.0.0.0/0"}
	res := rule.results with input as _input([_group("WorkloadSG", {"SecurityGroupEgress": [r]}, {})], [])
	{f.status | some f in res} == {"unknown"}
}

test_unknown_cidr_with_tcp_passes if {
	r := {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": {"$unknown": "Ref to parameter EgressCidr"}}
	count(rule.results) == 0 with input as _input([_group("WorkloadSG", {"SecurityGroupEgress": [r]}, {})], [])
}

test_unknown_separate_rule if {
	e := _egress("WorkloadX", {"GroupId": {"$ref": "WorkloadSG"}, "IpProtocol": "-1", "CidrIp": {"$unknown": "Ref to parameter Cidr"}})
	res := rule.results with input as _input([_group("WorkloadSG", {}, {})], [e])
	{[f.ref, f.status] | some f in res} == {["WorkloadX", "unknown"]}
}

test_exempt_tag if {
	g := _group("ProxySG", {"SecurityGroupEgress": [_all_v4]}, {"egress": "proxy"})
	e := _egress("ProxyAll", object.union(_all_v4, {"GroupId": {"$ref": "ProxySG"}}))
	inp := _input([g], [e])
	count(rule.results) == 0 with input as inp with data.config.params.exemptTags as {"egress": "proxy"}
	count(rule.judged) == 0 with input as inp with data.config.params.exemptTags as {"egress": "proxy"}
}

test_exempt_tag_any_value if {
	g := _group("ProxySG", {"SecurityGroupEgress": [_all_v4]}, {"egress-exempt": "ticket-42"})
	count(rule.results) == 0 with input as _input([g], []) with data.config.params.exemptTags as {"egress-exempt": "*"}
}

test_exempt_tag_other_value_fails if {
	g := _group("ProxySG", {"SecurityGroupEgress": [_all_v4]}, {"egress": "app"})
	res := rule.results with input as _input([g], []) with data.config.params.exemptTags as {"egress": "proxy"}
	{f.status | some f in res} == {"fail"}
}

test_unknown_exempt_tag if {
	g := _group("ProxySG", {"SecurityGroupEgress": [_all_v4]}, {"egress": {"$unknown": "Ref to parameter Role"}})
	res := rule.results with input as _input([g], []) with data.config.params.exemptTags as {"egress": "proxy"}
	{[f.status, f.key] | some f in res} == {["unknown", "exempt-tag:egress"]}
}

_live_group(rules) := {
	"_ref": "arn:aws:ec2:us-east-1:111122223333:security-group/sg-0123456789abcdef0",
	"type": "AWS::EC2::SecurityGroup",
	"id": "arn:aws:ec2:us-east-1:111122223333:security-group/sg-0123456789abcdef0",
	"arn": "arn:aws:ec2:us-east-1:111122223333:security-group/sg-0123456789abcdef0",
	"account": "111122223333",
	"region": "us-east-1",
	"tags": {},
	"properties": {"GroupDescription": "workload", "GroupName": "workload", "VpcId": "vpc-0123456789abcdef0", "SecurityGroupEgress": rules},
	"source": {"kind": "aws", "account": "111122223333", "region": "us-east-1"},
}

test_live_group_with_default_rule_fails if {
	res := rule.results with input as _input([_live_group([_all_v4])], [])
	{[f.status, f.key] | some f in res} == {["fail", "egress:0"]}
}

test_live_group_without_rules_passes if {
	# A live group lists its real rules: none means no outbound traffic at all.
	count(rule.results) == 0 with input as _input([_live_group([])], [])
}

test_live_separate_rule_joins_by_group_id if {
	e := object.union(_egress("sgr-1", object.union(_all_v4, {"GroupId": "sg-0123456789abcdef0"})), {"source": {"kind": "aws", "account": "111122223333", "region": "us-east-1"}})
	res := rule.results with input as _input([_live_group([])], [e])
	some f in res
	f.ref == "sgr-1"
	count(rule.results) == 0 with input as _input([object.union(_live_group([]), {"tags": {"egress": "proxy"}})], [e]) with data.config.params.exemptTags as {"egress": "proxy"}
}

# CIDRs are ranges, not strings: every spelling of the whole IPv4 or IPv6 space fails,
# and a narrower range (however spelled) does not.
test_any_address_spellings_fail if {
	every dest in [
		{"CidrIpv6": "::0/0"},
		{"CidrIpv6": "0:0:0:0:0:0:0:0/0"},
		{"CidrIpv6": "0000:0000::/0"},
		{"CidrIpv6": "2001:db8::/0"},
		{"CidrIp": "10.0.0.1/0"},
		{"CidrIp": "0.0.0.0/00"},
	] {
		r := object.union({"IpProtocol": "-1"}, dest)
		res := rule.results with input as _input([_group("WorkloadSG", {"SecurityGroupEgress": [r]}, {})], [])
		{[f.status, f.key] | some f in res} == {["fail", "egress:0"]}
	}
}

test_narrower_ranges_pass if {
	every dest in [
		{"CidrIpv6": "::/1"},
		{"CidrIpv6": "8000::/1"},
		{"CidrIp": "0.0.0.0/1"},
		{"CidrIp": "128.0.0.0/1"},
		{"CidrIp": "not-a-cidr"},
	] {
		r := object.union({"IpProtocol": "-1"}, dest)
		count(rule.results) == 0 with input as _input([_group("WorkloadSG", {"SecurityGroupEgress": [r]}, {})], [])
	}
}

test_separate_egress_uncompressed_ipv6_fails if {
	e := _egress("AllOutV6", {"GroupId": {"$ref": "WorkloadSG"}, "IpProtocol": "-1", "CidrIpv6": "0:0:0:0:0:0:0:0/0"})
	res := rule.results with input as _input([_group("WorkloadSG", {}, {})], [e])
	{[f.ref, f.status] | some f in res} == {["AllOutV6", "fail"]}
}
