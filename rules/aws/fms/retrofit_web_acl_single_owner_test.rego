package rampart.rules.fms.retrofit_web_acl_single_owner_test

import data.rampart.rules.fms.retrofit_web_acl_single_owner as rule

_live(type, arn, account, props, tags) := {
	"_ref": arn, "type": type, "id": arn, "arn": arn, "account": account, "region": "us-east-1",
	"tags": tags, "properties": props, "source": {"kind": "aws", "account": account, "region": "us-east-1"},
}

_admin := "111122223333"

_member := "222233334444"

_msd := `{"type":"WAFV2","preProcessRuleGroups":[],"postProcessRuleGroups":[],"defaultAction":{"type":"ALLOW"},"overrideCustomerWebACLAssociation":false,"webACLSource":"RETROFIT_EXISTING"}`

_policy(id, name, tags) := _live(
	"AWS::FMS::Policy", sprintf("arn:aws:fms:us-east-1:%s:policy/%s", [_admin, id]), _admin, {
		"PolicyName": name,
		"SecurityServicePolicyData": {"Type": "WAFV2", "ManagedServiceData": _msd},
		"ResourceType": "AWS::ElasticLoadBalancingV2::LoadBalancer",
		"ExcludeResourceTags": false,
		"RemediationEnabled": true,
		"ResourceTags": tags,
	},
	{},
)

_acl_arn(name) := sprintf("arn:aws:wafv2:us-east-1:%s:regional/webacl/%s/1", [_member, name])

_lb_arn := "arn:aws:elasticloadbalancing:us-east-1:222233334444:loadbalancer/app/LoadBalancer1/abc"

_input(policies, acl_name, observed, lb_tags) := {"byType": {
	"AWS::FMS::Policy": policies,
	"AWS::WAFv2::WebACL": [object.union(_live("AWS::WAFv2::WebACL", _acl_arn(acl_name), _member, {"Name": acl_name}, {}), {"observed": observed})],
	"AWS::ElasticLoadBalancingV2::LoadBalancer": [_live("AWS::ElasticLoadBalancingV2::LoadBalancer", _lb_arn, _member, {"Type": "application"}, lb_tags)],
	"AWS::WAFv2::WebACLAssociation": [_live("AWS::WAFv2::WebACLAssociation", "assoc-1", _member, {"ResourceArn": _lb_arn, "WebACLArn": _acl_arn(acl_name)}, {})],
}}

# Line 4060 / Figure 5: LoadBalancer1 got a web ACL that Firewall Manager created for
# the policy itself: that is the policy's own web ACL, not a conflict.
test_article_own_managed_web_acl_passes if {
	inp := _input([_policy("p-1", "AlbWafPolicy", [])], "FMManagedWebACLV2-AlbWafPolicy-1700000000000", {"ManagedByFirewallManager": true}, {})
	count(rule.results) == 0 with input as inp
	count(rule.judged) == 1 with input as inp
}

test_article_web_acl_managed_for_another_policy_fails if {
	inp := _input([_policy("p-1", "AlbWafPolicy", [])], "FMManagedWebACLV2-OtherPolicy-1700000000000", {"ManagedByFirewallManager": true}, {})
	res := rule.results with input as inp
	count(res) == 1
	some r in res
	r.status == "fail"
	r.key == "policy:arn:aws:fms:us-east-1:111122223333:policy/p-1:managed"
	contains(r.message, "managed by Firewall Manager for another policy")
	contains(r.message, "LoadBalancer1")
}

test_managed_flag_without_fms_name_fails if {
	inp := _input([_policy("p-1", "AlbWafPolicy", [])], "SomeAcl", {"ManagedByFirewallManager": true}, {})
	res := rule.results with input as inp
	some r in res
	r.status == "fail"
}

test_customer_web_acl_one_policy_passes if {
	count(rule.results) == 0 with input as _input([_policy("p-1", "AlbWafPolicy", [])], "AppTeamNewWebACL", {}, {})
}

test_two_retrofit_policies_fail if {
	inp := _input([_policy("p-1", "AlbWafPolicy", []), _policy("p-2", "ProdWafPolicy", [{"Key": "Tier", "Value": "Production"}])], "AppTeamNewWebACL", {}, {"Tier": "Production"})
	res := rule.results with input as inp
	count(res) == 1
	some r in res
	r.status == "fail"
	contains(r.message, "two Firewall Manager policies")
	r.key == "policies:arn:aws:fms:us-east-1:111122223333:policy/p-1|arn:aws:fms:us-east-1:111122223333:policy/p-2"
}

test_two_policies_disjoint_scopes_pass if {
	inp := _input([_policy("p-1", "AlbWafPolicy", [{"Key": "Tier", "Value": "Test"}]), _policy("p-2", "ProdWafPolicy", [{"Key": "Tier", "Value": "Production"}])], "AppTeamNewWebACL", {}, {"Tier": "Production"})
	count(rule.results) == 0 with input as inp
}

test_managed_unknown_scope if {
	inp := _input([_policy("p-1", "AlbWafPolicy", [{"Key": "Tier", "Value": "Production"}])], "FMManagedWebACLV2-Other-1", {}, {"Tier": {"$unknown": "tag read denied"}})
	res := rule.results with input as inp
	some r in res
	r.status == "unknown"
	contains(r.message, "unresolved")
}

test_template_policy_not_judged if {
	p := object.union(_policy("p-1", "AlbWafPolicy", []), {"source": {"kind": "cloudformation", "file": "x.yaml"}})
	inp := _input([p], "FMManagedWebACLV2-Other-1", {}, {})
	count(rule.judged) == 0 with input as inp
}
