package rampart.rules.fms.policy_compliant_test

import data.rampart.rules.fms.policy_compliant as rule

_policy(observed) := {
	"_ref": "p", "type": "AWS::FMS::Policy", "id": "arn:aws:fms:us-east-1:111122223333:policy/p-1",
	"arn": "arn:aws:fms:us-east-1:111122223333:policy/p-1", "account": "111122223333", "region": "us-east-1",
	"tags": {}, "properties": {"PolicyName": "AlbWafPolicy"}, "observed": observed,
	"source": {"kind": "aws", "account": "111122223333", "region": "us-east-1"},
}

_in(p) := {"byType": {"AWS::FMS::Policy": [p]}}

# Figure 16: after LoadBalancer3 joins AppTeamNewWebACL, Firewall Manager marks the
# web ACL and LoadBalancer2 non-compliant.
_article := {"compliance": [
	{"account": "111122223333", "status": "COMPLIANT", "violators": []},
	{"account": "222233334444", "status": "NON_COMPLIANT", "violators": [
		{"resourceId": "arn:aws:wafv2:us-east-1:222233334444:regional/webacl/AppTeamNewWebACL/1", "resourceType": "AWS::WAFv2::WebACL", "violationReason": "WEB_ACL_CONFIGURATION_OR_SCOPE_OF_USE"},
		{"resourceId": "arn:aws:elasticloadbalancing:us-east-1:222233334444:loadbalancer/app/LoadBalancer2/abc", "resourceType": "AWS::ElasticLoadBalancingV2::LoadBalancer", "violationReason": "WEB_ACL_CONFIGURATION_OR_SCOPE_OF_USE"},
	]},
]}

test_article_non_compliant_account_fails if {
	res := rule.results with input as _in(_policy(_article))
	count(res) == 1
	some r in res
	r.status == "fail"
	r.key == "account:222233334444"
	r.pointer == "/observed/compliance/1"
	contains(r.message, "AppTeamNewWebACL")
	contains(r.message, "LoadBalancer2")
	contains(r.message, "AlbWafPolicy")
}

test_all_compliant_passes if {
	count(rule.results) == 0 with input as _in(_policy({"compliance": [{"account": "1", "status": "COMPLIANT"}]}))
	count(rule.judged) == 1 with input as _in(_policy({"compliance": []}))
}

test_non_compliant_without_violators if {
	res := rule.results with input as _in(_policy({"compliance": [{"account": "1", "status": "NON_COMPLIANT"}]}))
	some r in res
	contains(r.message, "not listed the violating resources")
}

test_not_collected_unknown if {
	res := rule.results with input as _in(_policy({}))
	some r in res
	r.status == "unknown"
	contains(r.message, "observed.compliance is absent")
}

test_unknown_marker if {
	res := rule.results with input as _in(_policy({"compliance": {"$unknown": "fms:ListComplianceStatus denied"}}))
	some r in res
	r.status == "unknown"
	contains(r.message, "denied")
}

test_unevaluated_account_unknown if {
	res := rule.results with input as _in(_policy({"compliance": [{"account": "1", "status": "UNKNOWN", "issues": {"AWSCONFIG": "Config is not enabled"}}]}))
	some r in res
	r.status == "unknown"
	contains(r.message, "Config is not enabled")
	res2 := rule.results with input as _in(_policy({"compliance": [{"account": "1"}]}))
	some r2 in res2
	r2.status == "unknown"
}

test_unnamed_policy if {
	p := object.union(object.remove(_policy({"compliance": [{"account": "1", "status": "NON_COMPLIANT"}]}), ["properties"]), {"properties": {}})
	res := rule.results with input as _in(p)
	some r in res
	contains(r.message, "policy/p-1")
}

test_template_policy_not_judged if {
	p := object.union(_policy({}), {"source": {"kind": "cloudformation", "file": "x.yaml"}})
	count(rule.judged) == 0 with input as _in(p)
}
