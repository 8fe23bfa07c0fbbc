package rampart.rules.networkfirewall.traffic_analysis_enabled_test

import data.rampart.rules.networkfirewall.traffic_analysis_enabled as rule

_firewall(props) := {
	"_ref": "EgressFirewall",
	"type": "AWS::NetworkFirewall::Firewall",
	"id": "EgressFirewall",
	"tags": {},
	"properties": object.union(
		{
			"FirewallName": "egress",
			"FirewallPolicyArn": {"$ref": "EgressPolicy"},
			"VpcId": "vpc-0123456789abcdef0",
			"SubnetMappings": [{"SubnetId": "subnet-0123456789abcdef0"}],
		},
		props,
	),
	"source": {"kind": "cloudformation", "file": "egress.yaml", "line": 1, "pointer": "/Resources/EgressFirewall"},
}

_input(fw) := {"byType": {"AWS::NetworkFirewall::Firewall": [fw]}}

# Step 1 of the article (lines 764–772): traffic analysis mode on, which in the API and
# CloudFormation is EnabledAnalysisTypes with both HTTP (HTTP_HOST) and HTTPS (TLS_SNI).
test_article_traffic_analysis_mode_passes if {
	inp := _input(_firewall({"EnabledAnalysisTypes": ["HTTP_HOST", "TLS_SNI"]}))
	count(rule.results) == 0 with input as inp
	rule.judged == {"EgressFirewall"} with input as inp
}

# Figure 2 (lines 774–776): traffic analysis mode cleared, so no domain report.
test_article_traffic_analysis_disabled_fails if {
	res := rule.results with input as _input(_firewall({}))
	count(res) == 1
	some f in res
	f.status == "fail"
	f.key == "analysis-types"
	f.pointer == "/Properties/EnabledAnalysisTypes"
	contains(f.message, "HTTP and HTTPS")
	f.evidence.missing == ["HTTP_HOST", "TLS_SNI"]
}

test_https_only_fails if {
	res := rule.results with input as _input(_firewall({"EnabledAnalysisTypes": ["TLS_SNI"]}))
	some f in res
	f.status == "fail"
	f.evidence.missing == ["HTTP_HOST"]
	contains(f.message, "HTTP traffic")
}

test_http_only_fails if {
	res := rule.results with input as _input(_firewall({"EnabledAnalysisTypes": ["HTTP_HOST"]}))
	some f in res
	f.evidence.missing == ["TLS_SNI"]
	contains(f.message, "HTTPS traffic")
}

test_empty_list_fails if {
	res := rule.results with input as _input(_firewall({"EnabledAnalysisTypes": []}))
	{f.status | some f in res} == {"fail"}
}

test_unknown_list if {
	res := rule.results with input as _input(_firewall({"EnabledAnalysisTypes": {"$unknown": "Fn::If AnalysisOn"}}))
	count(res) == 1
	some f in res
	f.status == "unknown"
	contains(f.message, "Fn::If AnalysisOn")
}

test_unknown_element if {
	res := rule.results with input as _input(_firewall({"EnabledAnalysisTypes": ["TLS_SNI", {"$unknown": "Ref to parameter Second"}]}))
	{f.status | some f in res} == {"unknown"}
}

test_unknown_element_with_both_known_passes if {
	fw := _firewall({"EnabledAnalysisTypes": ["TLS_SNI", "HTTP_HOST", {"$unknown": "Ref to parameter Third"}]})
	count(rule.results) == 0 with input as _input(fw)
}
