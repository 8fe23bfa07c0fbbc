package rampart.rules.fms.retrofit_logging_conflict_test

import data.rampart.rules.fms.retrofit_logging_conflict as rule

_cfn(type, id, props, tags) := {
	"_ref": id, "type": type, "id": id, "tags": tags, "properties": props,
	"source": {"kind": "cloudformation", "file": "fms.yaml", "line": 1, "pointer": sprintf("/Resources/%s", [id])},
}

_central := "arn:aws:firehose:us-east-1:111122223333:deliverystream/aws-waf-logs-central"

_app := "arn:aws:firehose:us-east-1:222233334444:deliverystream/aws-waf-logs-app-team"

# The article's retrofit policy (Figure 3) with a logging configuration defined
# in the policy (line 4065).
_msd := sprintf(`{"type":"WAFV2","preProcessRuleGroups":[],"postProcessRuleGroups":[],"defaultAction":{"type":"ALLOW"},"overrideCustomerWebACLAssociation":false,"loggingConfiguration":{"logDestinationConfigs":["%s"],"redactedFields":[]},"webACLSource":"RETROFIT_EXISTING"}`, [_central])

_props := {
	"PolicyName": "AlbWafPolicy",
	"SecurityServicePolicyData": {"Type": "WAFV2", "ManagedServiceData": _msd},
	"ResourceType": "AWS::ElasticLoadBalancingV2::LoadBalancer",
	"ExcludeResourceTags": false,
	"RemediationEnabled": true,
}

_lc(dests) := _cfn("AWS::WAFv2::LoggingConfiguration", "MyCustomWebACLLogging", {"ResourceArn": {"$ref": "MyCustomWebACL", "attribute": "Arn"}, "LogDestinationConfigs": dests}, {})

# Figures 6–7: LoadBalancer2 keeps the app team's MyCustomWebACL, which already logs.
_input(props, lc) := {"byType": {
	"AWS::FMS::Policy": [_cfn("AWS::FMS::Policy", "AlbWafPolicy", props, {})],
	"AWS::WAFv2::WebACL": [_cfn("AWS::WAFv2::WebACL", "MyCustomWebACL", {"Name": "MyCustomWebACL", "Scope": "REGIONAL"}, {})],
	"AWS::ElasticLoadBalancingV2::LoadBalancer": [_cfn("AWS::ElasticLoadBalancingV2::LoadBalancer", "LoadBalancer2", {"Type": "application"}, {"Tier": "Production"})],
	"AWS::WAFv2::WebACLAssociation": [_cfn("AWS::WAFv2::WebACLAssociation", "Assoc2", {"ResourceArn": {"$ref": "LoadBalancer2"}, "WebACLArn": {"$ref": "MyCustomWebACL", "attribute": "Arn"}}, {})],
	"AWS::WAFv2::LoggingConfiguration": [lc],
}}

test_article_existing_logging_conflicts if {
	res := rule.results with input as _input(_props, _lc([_app]))
	count(res) == 1
	some r in res
	r.status == "fail"
	r.ref == "MyCustomWebACLLogging"
	r.key == "policy:AlbWafPolicy"
	contains(r.message, "aws-waf-logs-app-team")
	contains(r.message, "aws-waf-logs-central")
	r.evidence.policyDestinations == [_central]
}

test_article_judges_logging_configuration if {
	rule.judged == {"MyCustomWebACLLogging"} with input as _input(_props, _lc([_app]))
}

test_same_destination_passes if {
	count(rule.results) == 0 with input as _input(_props, _lc([_central]))
}

test_policy_without_logging_not_judged if {
	props := object.union(_props, {"SecurityServicePolicyData": {"Type": "WAFV2", "ManagedServiceData": `{"type":"WAFV2","webACLSource":"RETROFIT_EXISTING"}`}})
	count(rule.judged) == 0 with input as _input(props, _lc([_app]))
}

test_fms_owned_logging_not_judged if {
	lc := object.union(_lc([_app]), {"observed": {"ManagedByFirewallManager": true}})
	count(rule.judged) == 0 with input as _input(_props, lc)
	lc2 := object.union(_lc([_app]), {"properties": {"ManagedByFirewallManager": true}})
	count(rule.judged) == 0 with input as _input(_props, lc2)
}

test_out_of_scope_web_acl_passes if {
	props := object.union(_props, {"ResourceTags": [{"Key": "Tier", "Value": "Test"}]})
	count(rule.results) == 0 with input as _input(props, _lc([_app]))
}

test_destination_reference_unknown if {
	res := rule.results with input as _input(_props, _lc([{"$ref": "AppStream", "attribute": "Arn"}]))
	some r in res
	r.status == "unknown"
	contains(r.message, "AppStream")
}

test_destination_unknown_marker_unknown if {
	res := rule.results with input as _input(_props, _lc([{"$unknown": "Ref to parameter Dest"}]))
	some r in res
	r.status == "unknown"
	contains(r.message, "Ref to parameter Dest")
}

test_scope_unknown_and_differs_unknown if {
	props := object.union(_props, {"IncludeMap": {"ACCOUNT": ["222233334444"]}})
	res := rule.results with input as _input(props, _lc([_app]))
	some r in res
	r.status == "unknown"
	contains(r.message, "IncludeMap/ExcludeMap")
}

test_scope_unknown_and_same_passes if {
	props := object.union(_props, {"IncludeMap": {"ACCOUNT": ["222233334444"]}})
	count(rule.results) == 0 with input as _input(props, _lc([_central]))
}
