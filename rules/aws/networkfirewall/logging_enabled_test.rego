package rampart.rules.networkfirewall.logging_enabled_test

import data.rampart.rules.networkfirewall.logging_enabled as rule

_src(id) := {"kind": "cloudformation", "file": "egress.yaml", "line": 1, "pointer": sprintf("/Resources/%s", [id])}

_firewall(id) := {
	"_ref": id,
	"type": "AWS::NetworkFirewall::Firewall",
	"id": id,
	"tags": {},
	"properties": {
		"FirewallName": id,
		"FirewallPolicyArn": {"$ref": "EgressPolicy"},
		"VpcId": "vpc-0123456789abcdef0",
		"SubnetMappings": [{"SubnetId": "subnet-0123456789abcdef0"}],
		"EnabledAnalysisTypes": ["HTTP_HOST", "TLS_SNI"],
	},
	"source": _src(id),
}

_dest(type) := {"LogType": type, "LogDestinationType": "CloudWatchLogs", "LogDestination": {"logGroup": sprintf("/network-firewall/%s", [lower(type)])}}

_config(id, fw_arn, dests) := {
	"_ref": id,
	"type": "AWS::NetworkFirewall::LoggingConfiguration",
	"id": id,
	"tags": {},
	"properties": {"FirewallArn": fw_arn, "LoggingConfiguration": {"LogDestinationConfigs": dests}},
	"source": _src(id),
}

_input(fws, configs) := {"byType": {
	"AWS::NetworkFirewall::Firewall": fws,
	"AWS::NetworkFirewall::LoggingConfiguration": configs,
}}

# "Set up robust logging" (line 839) with alert rules that log what pass rules allow
# (line 835): the firewall sends ALERT and FLOW logs.
test_article_alert_and_flow_logs_pass if {
	inp := _input([_firewall("EgressFirewall")], [_config("EgressLogging", {"$ref": "EgressFirewall"}, [_dest("ALERT"), _dest("FLOW")])])
	count(rule.results) == 0 with input as inp
	rule.judged == {"EgressFirewall"} with input as inp
}

test_getatt_firewall_arn_passes if {
	ref := {"$ref": "EgressFirewall", "attribute": "FirewallArn"}
	inp := _input([_firewall("EgressFirewall")], [_config("EgressLogging", ref, [_dest("FLOW"), _dest("ALERT"), _dest("TLS")])])
	count(rule.results) == 0 with input as inp
}

test_no_logging_configuration_fails if {
	res := rule.results with input as _input([_firewall("EgressFirewall")], [])
	count(res) == 1
	some f in res
	f.status == "fail"
	f.key == "logging"
	f.pointer == "/Properties"
	contains(f.message, "no logging configuration")
}

test_each_firewall_judged if {
	inp := _input(
		[_firewall("A"), _firewall("B")],
		[_config("LogA", {"$ref": "A"}, [_dest("ALERT"), _dest("FLOW")])],
	)
	res := rule.results with input as inp
	{[f.ref, f.status] | some f in res} == {["B", "fail"]}
	rule.judged == {"A", "B"} with input as inp
}

test_alert_only_fails if {
	res := rule.results with input as _input([_firewall("EgressFirewall")], [_config("EgressLogging", {"$ref": "EgressFirewall"}, [_dest("ALERT")])])
	count(res) == 1
	some f in res
	f.status == "fail"
	f.evidence.missing == ["FLOW"]
	f.evidence.loggingConfigurations == ["EgressLogging"]
	contains(f.message, "LogType FLOW")
}

test_empty_destinations_fail if {
	res := rule.results with input as _input([_firewall("EgressFirewall")], [_config("EgressLogging", {"$ref": "EgressFirewall"}, [])])
	some f in res
	f.status == "fail"
	f.evidence.missing == ["ALERT", "FLOW"]
}

test_config_in_other_template_does_not_count if {
	other := object.union(_config("EgressLogging", {"$ref": "EgressFirewall"}, [_dest("ALERT"), _dest("FLOW")]), {"source": {"kind": "cloudformation", "file": "other.yaml", "line": 1, "pointer": "/Resources/EgressLogging"}})
	res := rule.results with input as _input([_firewall("EgressFirewall")], [other])
	{f.status | some f in res} == {"fail"}
}

test_unknown_firewall_arn if {
	res := rule.results with input as _input([_firewall("EgressFirewall")], [_config("EgressLogging", {"$unknown": "Fn::ImportValue FirewallArn"}, [_dest("ALERT"), _dest("FLOW")])])
	count(res) == 1
	some f in res
	f.status == "unknown"
	contains(f.message, "Fn::ImportValue FirewallArn")
}

test_unknown_log_type if {
	res := rule.results with input as _input([_firewall("EgressFirewall")], [_config("EgressLogging", {"$ref": "EgressFirewall"}, [_dest("ALERT"), {"LogType": {"$unknown": "Ref to parameter LogType"}}])])
	{f.status | some f in res} == {"unknown"}
}

test_unknown_destinations_list if {
	c := _config("EgressLogging", {"$ref": "EgressFirewall"}, {"$unknown": "Fn::If Logging"})
	res := rule.results with input as _input([_firewall("EgressFirewall")], [c])
	{f.status | some f in res} == {"unknown"}
}

test_live_join_by_arn if {
	acct := "111122223333"
	arn := "arn:aws:network-firewall:us-east-1:111122223333:firewall/egress"
	live_src := {"kind": "aws", "account": acct, "region": "us-east-1"}
	fw := object.union(_firewall("x"), {"_ref": arn, "id": arn, "arn": arn, "account": acct, "source": live_src})
	c := object.union(_config("x", arn, [_dest("ALERT"), _dest("FLOW")]), {"_ref": "c", "id": sprintf("%s/logging", [arn]), "account": acct, "source": live_src})
	count(rule.results) == 0 with input as _input([fw], [c])
	res := rule.results with input as _input([fw], [])
	{f.status | some f in res} == {"fail"}
}
