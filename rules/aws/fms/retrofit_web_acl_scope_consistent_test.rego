package rampart.rules.fms.retrofit_web_acl_scope_consistent_test

import data.rampart.rules.fms.retrofit_web_acl_scope_consistent as rule

# --- fixtures -------------------------------------------------------------------

_cfn(type, id, props, tags) := {
	"_ref": id, "type": type, "id": id, "tags": tags, "properties": props,
	"source": {"kind": "cloudformation", "file": "fms.yaml", "line": 1, "pointer": sprintf("/Resources/%s", [id])},
}

# The article's policy (Figures 3 and 12): AWS WAF, all Application Load
# Balancers, automatic remediation, "Retrofit existing webACLs", and after
# Figure 12 only resources tagged Tier: Production.
_msd := `{"type":"WAFV2","preProcessRuleGroups":[{"ruleGroupType":"ManagedRuleGroup","managedRuleGroupIdentifier":{"vendorName":"AWS","managedRuleGroupName":"AWSManagedRulesCommonRuleSet"},"overrideAction":{"type":"NONE"},"excludeRules":[]}],"postProcessRuleGroups":[],"defaultAction":{"type":"ALLOW"},"overrideCustomerWebACLAssociation":false,"webACLSource":"RETROFIT_EXISTING"}`

_policy_props := {
	"PolicyName": "AlbWafPolicy",
	"SecurityServicePolicyData": {"Type": "WAFV2", "ManagedServiceData": _msd},
	"ResourceType": "AWS::ElasticLoadBalancingV2::LoadBalancer",
	"ExcludeResourceTags": false,
	"RemediationEnabled": true,
	"ResourceTags": [{"Key": "Tier", "Value": "Production"}],
}

_policy(props) := _cfn("AWS::FMS::Policy", "AlbWafPolicy", props, {})

_acl(id) := _cfn("AWS::WAFv2::WebACL", id, {"Name": id, "Scope": "REGIONAL", "DefaultAction": {"Allow": {}}}, {})

_lb(id, tags) := _cfn("AWS::ElasticLoadBalancingV2::LoadBalancer", id, {"Type": "application", "Subnets": ["subnet-1", "subnet-2"]}, tags)

_assoc(id, lb, acl) := _cfn("AWS::WAFv2::WebACLAssociation", id, {"ResourceArn": {"$ref": lb}, "WebACLArn": {"$ref": acl, "attribute": "Arn"}}, {})

_prod := {"Tier": "Production"}

_article_lbs := [_lb("LoadBalancer1", _prod), _lb("LoadBalancer2", _prod), _lb("LoadBalancer3", {})]

# Figures 9, 13 and 15: the app team's web ACL serves LoadBalancer1 and LoadBalancer2
# (tagged) and the new, untagged LoadBalancer3; MyCustomWebACL is not associated here.
_article_assocs := [
	_assoc("Assoc1", "LoadBalancer1", "AppTeamNewWebACL"),
	_assoc("Assoc2", "LoadBalancer2", "AppTeamNewWebACL"),
	_assoc("Assoc3", "LoadBalancer3", "AppTeamNewWebACL"),
]

_input(policy, lbs, assocs) := {"byType": {
	"AWS::FMS::Policy": [policy],
	"AWS::WAFv2::WebACL": [_acl("AppTeamNewWebACL"), _acl("MyCustomWebACL")],
	"AWS::ElasticLoadBalancingV2::LoadBalancer": lbs,
	"AWS::WAFv2::WebACLAssociation": assocs,
}}

_article := _input(_policy(_policy_props), _article_lbs, _article_assocs)

# --- the article ------------------------------------------------------------------

test_article_loadbalancer3_out_of_scope_fails if {
	res := rule.results with input as _article
	count(res) == 1
	some r in res
	r.status == "fail"
	r.ref == "AppTeamNewWebACL"
	r.key == "policy:AlbWafPolicy"
	r.evidence.inScope == ["LoadBalancer1", "LoadBalancer2"]
	[o.id | some o in r.evidence.outOfScope] == ["LoadBalancer3"]
	contains(r.message, "LoadBalancer3")
	contains(r.message, "Tier: Production")
	contains(r.message, "remove the resource-tag condition")
	contains(r.message, "disassociate LoadBalancer3")
	count(r.evidence.waysOut) == 3
}

test_article_judges_web_acls_and_policy if {
	j := rule.judged with input as _article
	j == {"AppTeamNewWebACL", "MyCustomWebACL", "AlbWafPolicy"}
}

# Figure 3, before the tag condition: every ALB is in scope.
test_article_policy_without_tag_condition_passes if {
	props := object.remove(_policy_props, ["ResourceTags"])
	count(rule.results) == 0 with input as _input(_policy(props), _article_lbs, _article_assocs)
}

# The three ways out (lines 4190–4194).
test_article_way_out_1_tag_loadbalancer3 if {
	lbs := [_lb("LoadBalancer1", _prod), _lb("LoadBalancer2", _prod), _lb("LoadBalancer3", _prod)]
	count(rule.results) == 0 with input as _input(_policy(_policy_props), lbs, _article_assocs)
}

test_article_way_out_2_drop_tag_from_policy if {
	props := object.union(_policy_props, {"ResourceTags": []})
	count(rule.results) == 0 with input as _input(_policy(props), _article_lbs, _article_assocs)
}

test_article_way_out_3_disassociate_loadbalancer3 if {
	assocs := array.slice(_article_assocs, 0, 2)
	count(rule.results) == 0 with input as _input(_policy(_policy_props), _article_lbs, assocs)
}

# --- other failing shapes -----------------------------------------------------------

test_excluded_tag_fails if {
	props := object.union(_policy_props, {"ExcludeResourceTags": true, "ResourceTags": [{"Key": "Tier", "Value": "Test"}]})
	lbs := [_lb("LoadBalancer1", _prod), _lb("LoadBalancer2", {"Tier": "Test"}), _lb("LoadBalancer3", {})]
	res := rule.results with input as _input(_policy(props), lbs, _article_assocs)
	some r in res
	r.status == "fail"
	[o.id | some o in r.evidence.outOfScope] == ["LoadBalancer2"]
	contains(r.message, "carries the tags the policy excludes")
	contains(r.message, "in scope of the policy")
}

test_or_operator if {
	props := object.union(_policy_props, {"ResourceTagLogicalOperator": "OR", "ResourceTags": [{"Key": "Tier", "Value": "Production"}, {"Key": "Team"}]})
	lbs := [_lb("LoadBalancer1", _prod), _lb("LoadBalancer2", {"Team": ""}), _lb("LoadBalancer3", {"Team": "x"})]
	res := rule.results with input as _input(_policy(props), lbs, _article_assocs)
	some r in res
	r.evidence.inScope == ["LoadBalancer1", "LoadBalancer2"]
	[o.id | some o in r.evidence.outOfScope] == ["LoadBalancer3"]
}

test_and_requires_every_tag if {
	props := object.union(_policy_props, {"ResourceTags": [{"Key": "Tier", "Value": "Production"}, {"Key": "Team", "Value": "a"}]})
	lbs := [_lb("LoadBalancer1", {"Tier": "Production", "Team": "a"}), _lb("LoadBalancer2", _prod), _lb("LoadBalancer3", {"Tier": "Production", "Team": "a"})]
	res := rule.results with input as _input(_policy(props), lbs, _article_assocs)
	some r in res
	[o.id | some o in r.evidence.outOfScope] == ["LoadBalancer2"]
}

test_other_resource_type_is_out_of_scope if {
	stage := _cfn("AWS::ApiGateway::Stage", "ProdStage", {"StageName": "prod"}, _prod)
	props := object.remove(_policy_props, ["ResourceTags"])
	inp := object.union(_input(_policy(props), _article_lbs, array.concat(_article_assocs, [_assoc("Assoc4", "ProdStage", "AppTeamNewWebACL")])), {"byType": {"AWS::ApiGateway::Stage": [stage]}})
	res := rule.results with input as inp
	some r in res
	[o.id | some o in r.evidence.outOfScope] == ["ProdStage"]
	contains(r.message, "is not one of the policy's resource types")
}

test_resource_type_list if {
	stage := _cfn("AWS::ApiGateway::Stage", "ProdStage", {"StageName": "prod"}, _prod)
	props := object.union(object.remove(_policy_props, ["ResourceTags"]), {"ResourceType": "ResourceTypeList", "ResourceTypeList": ["AWS::ElasticLoadBalancingV2::LoadBalancer", "AWS::ApiGateway::Stage"]})
	inp := object.union(_input(_policy(props), _article_lbs, array.concat(_article_assocs, [_assoc("Assoc4", "ProdStage", "AppTeamNewWebACL")])), {"byType": {"AWS::ApiGateway::Stage": [stage]}})
	count(rule.results) == 0 with input as inp
}

test_managed_service_data_as_object if {
	props := object.union(_policy_props, {"SecurityServicePolicyData": {"Type": "WAFV2", "ManagedServiceData": json.unmarshal(_msd)}})
	count(rule.results) == 1 with input as _input(_policy(props), _article_lbs, _article_assocs)
}

# --- not retrofitting, or not retrofitted --------------------------------------------

test_default_web_acl_source_not_judged if {
	props := object.union(_policy_props, {"SecurityServicePolicyData": {"Type": "WAFV2", "ManagedServiceData": `{"type":"WAFV2","preProcessRuleGroups":[],"postProcessRuleGroups":[],"defaultAction":{"type":"ALLOW"},"overrideCustomerWebACLAssociation":false}`}})
	count(rule.results) == 0 with input as _input(_policy(props), _article_lbs, _article_assocs)
}

test_fms_managed_web_acl_skipped if {
	acl := object.union(_acl("AppTeamNewWebACL"), {"properties": {"Name": "FMManagedWebACLV2-AlbWafPolicy-1700000000000"}})
	inp := object.union(_article, {"byType": {"AWS::WAFv2::WebACL": [acl]}})
	count(rule.results) == 0 with input as inp
}

test_other_template_not_joined if {
	acl := object.union(_acl("AppTeamNewWebACL"), {"source": {"file": "other.yaml"}})
	inp := object.union(_article, {"byType": {"AWS::WAFv2::WebACL": [acl]}})
	count(rule.results) == 0 with input as inp
}

# --- unknowns ----------------------------------------------------------------------

test_template_include_map_makes_scope_unknown if {
	props := object.union(_policy_props, {"IncludeMap": {"ACCOUNT": ["111122223333"]}})
	res := rule.results with input as _input(_policy(props), _article_lbs, _article_assocs)
	count(res) == 1
	some r in res
	r.status == "unknown"
	contains(r.message, "IncludeMap/ExcludeMap could leave it out")
}

test_template_exclude_map_makes_scope_unknown if {
	props := object.union(_policy_props, {"ExcludeMap": {"ORGUNIT": ["ou-abcd-11111111"]}})
	res := rule.results with input as _input(_policy(props), _article_lbs, _article_assocs)
	some r in res
	r.status == "unknown"
}

test_template_unknown_map_makes_scope_unknown if {
	props := object.union(_policy_props, {"IncludeMap": {"ACCOUNT": [{"$unknown": "Ref to parameter Accounts"}]}})
	res := rule.results with input as _input(_policy(props), _article_lbs, _article_assocs)
	some r in res
	r.status == "unknown"
}

test_template_empty_maps_do_not_exclude if {
	props := object.union(_policy_props, {"IncludeMap": {"ACCOUNT": []}, "ExcludeMap": {}})
	res := rule.results with input as _input(_policy(props), _article_lbs, _article_assocs)
	some r in res
	r.status == "fail"
}

test_unknown_tag_value_unknown if {
	lbs := [_lb("LoadBalancer1", _prod), _lb("LoadBalancer2", _prod), _lb("LoadBalancer3", {"Tier": {"$unknown": "Ref to parameter Tier"}})]
	res := rule.results with input as _input(_policy(_policy_props), lbs, _article_assocs)
	count(res) == 1
	some r in res
	r.status == "unknown"
	contains(r.message, "LoadBalancer3")
}

test_unknown_policy_tags_unknown if {
	props := object.union(_policy_props, {"ResourceTags": {"$unknown": "Fn::If"}})
	res := rule.results with input as _input(_policy(props), _article_lbs, _article_assocs)
	some r in res
	r.status == "unknown"
}

test_unknown_policy_tag_value_unknown if {
	props := object.union(_policy_props, {"ResourceTags": [{"Key": "Tier", "Value": {"$unknown": "Ref to parameter Tier"}}]})
	res := rule.results with input as _input(_policy(props), _article_lbs, _article_assocs)
	some r in res
	r.status == "unknown"
}

test_unknown_exclude_flag_unknown if {
	props := object.union(_policy_props, {"ExcludeResourceTags": {"$unknown": "Ref to parameter Exclude"}})
	res := rule.results with input as _input(_policy(props), _article_lbs, _article_assocs)
	some r in res
	r.status == "unknown"
}

test_or_operator_unknown if {
	props := object.union(_policy_props, {"ResourceTagLogicalOperator": "OR", "ResourceTags": [{"Key": "Tier", "Value": "Production"}, {"Key": "Team", "Value": "a"}]})
	lbs := [_lb("LoadBalancer1", _prod), _lb("LoadBalancer2", _prod), _lb("LoadBalancer3", {"Team": {"$unknown": "x"}})]
	res := rule.results with input as _input(_policy(props), lbs, _article_assocs)
	some r in res
	r.status == "unknown"
}

test_association_to_resource_outside_template_unknown if {
	assocs := [
		_assoc("Assoc2", "LoadBalancer2", "AppTeamNewWebACL"),
		_assoc("Assoc9", "ImportedLb", "AppTeamNewWebACL"),
	]
	res := rule.results with input as _input(_policy(_policy_props), _article_lbs, assocs)
	count(res) == 1
	some r in res
	r.status == "unknown"
	contains(r.message, "ImportedLb is not in this template")
}

test_association_by_unresolved_arn_unknown if {
	a := _cfn("AWS::WAFv2::WebACLAssociation", "Assoc9", {"ResourceArn": {"$unknown": "Fn::ImportValue AlbArn"}, "WebACLArn": {"$ref": "AppTeamNewWebACL", "attribute": "Arn"}}, {})
	res := rule.results with input as _input(_policy(_policy_props), _article_lbs, [_article_assocs[1], a])
	some r in res
	r.status == "unknown"
	contains(r.message, "Fn::ImportValue AlbArn")
}

test_association_by_literal_arn_outside_input_unknown if {
	a := _cfn("AWS::WAFv2::WebACLAssociation", "Assoc9", {"ResourceArn": "arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/app/x/1", "WebACLArn": {"$ref": "AppTeamNewWebACL", "attribute": "Arn"}}, {})
	res := rule.results with input as _input(_policy(_policy_props), _article_lbs, [_article_assocs[1], a])
	some r in res
	r.status == "unknown"
	contains(r.message, "is not in the input")
}

test_association_with_unresolved_web_acl_unknown if {
	a := _cfn("AWS::WAFv2::WebACLAssociation", "Assoc3", {"ResourceArn": {"$ref": "LoadBalancer3"}, "WebACLArn": {"$unknown": "Fn::If UseAppTeamAcl"}}, {})
	res := rule.results with input as _input(_policy(_policy_props), _article_lbs, [_article_assocs[1], a])
	count(res) == 1
	some r in res
	r.status == "unknown"
	r.ref == "AppTeamNewWebACL"
	contains(r.message, "association with this web ACL is unresolved")
}

test_single_unknown_member_passes if {
	assocs := [_assoc("Assoc9", "ImportedLb", "AppTeamNewWebACL")]
	count(rule.results) == 0 with input as _input(_policy(_policy_props), _article_lbs, assocs)
}

test_unresolved_managed_service_data_unknown if {
	props := object.union(_policy_props, {"SecurityServicePolicyData": {"Type": "WAFV2", "ManagedServiceData": {"$unknown": "Fn::Sub with parameter LogArn"}}})
	res := rule.results with input as _input(_policy(props), _article_lbs, _article_assocs)
	count(res) == 1
	some r in res
	r.status == "unknown"
	r.ref == "AlbWafPolicy"
	contains(r.message, "Fn::Sub with parameter LogArn")
}

test_invalid_managed_service_data_unknown if {
	props := object.union(_policy_props, {"SecurityServicePolicyData": {"Type": "WAFV2", "ManagedServiceData": "{not json"}})
	res := rule.results with input as _input(_policy(props), _article_lbs, _article_assocs)
	some r in res
	r.status == "unknown"
	contains(r.message, "not a JSON document")
}

# --- live ---------------------------------------------------------------------------

_live(type, arn, account, region, props, tags) := {
	"_ref": arn, "type": type, "id": arn, "arn": arn, "account": account, "region": region,
	"tags": tags, "properties": props, "source": {"kind": "aws", "account": account, "region": region},
}

_member := "222233334444"

_acl_arn := "arn:aws:wafv2:us-east-1:222233334444:regional/webacl/AppTeamNewWebACL/0f0e"

_lb_arn(n) := sprintf("arn:aws:elasticloadbalancing:us-east-1:222233334444:loadbalancer/app/%s/abc", [n])

_live_input(policy, lb3_region) := {"byType": {
	"AWS::FMS::Policy": [policy],
	"AWS::WAFv2::WebACL": [_live("AWS::WAFv2::WebACL", _acl_arn, _member, "us-east-1", {"Name": "AppTeamNewWebACL", "Scope": "REGIONAL"}, {})],
	"AWS::ElasticLoadBalancingV2::LoadBalancer": [
		_live("AWS::ElasticLoadBalancingV2::LoadBalancer", _lb_arn("LoadBalancer2"), _member, "us-east-1", {"Type": "application"}, _prod),
		_live("AWS::ElasticLoadBalancingV2::LoadBalancer", _lb_arn("LoadBalancer3"), _member, lb3_region, {"Type": "application"}, _prod),
	],
	"AWS::WAFv2::WebACLAssociation": [
		_live("AWS::WAFv2::WebACLAssociation", concat("|", [_acl_arn, _lb_arn("LoadBalancer2")]), _member, "us-east-1", {"ResourceArn": _lb_arn("LoadBalancer2"), "WebACLArn": _acl_arn}, {}),
		_live("AWS::WAFv2::WebACLAssociation", concat("|", [_acl_arn, _lb_arn("LoadBalancer3")]), _member, "us-east-1", {"ResourceArn": _lb_arn("LoadBalancer3"), "WebACLArn": _acl_arn}, {}),
	],
}}

_live_policy(props, observed) := object.union(
	_live("AWS::FMS::Policy", "arn:aws:fms:us-east-1:111122223333:policy/p-1", "111122223333", "us-east-1", props, {}),
	{"observed": observed},
)

test_live_all_in_scope_passes if {
	count(rule.results) == 0 with input as _live_input(_live_policy(_policy_props, {}), "us-east-1")
}

test_live_region_mismatch_is_out if {
	res := rule.results with input as _live_input(_live_policy(_policy_props, {}), "eu-west-1")
	some r in res
	r.status == "fail"
	contains(r.message, "region eu-west-1")
}

test_live_include_map_account_listed if {
	props := object.union(_policy_props, {"IncludeMap": {"ACCOUNT": [_member]}})
	count(rule.results) == 0 with input as _live_input(_live_policy(props, {}), "us-east-1")
}

test_live_include_map_account_not_listed if {
	props := object.union(_policy_props, {"IncludeMap": {"ACCOUNT": ["999988887777"]}})
	count(rule.results) == 0 with input as _live_input(_live_policy(props, {}), "us-east-1")
}

test_live_include_map_org_unit_unknown if {
	props := object.union(_policy_props, {"IncludeMap": {"ORGUNIT": ["ou-abcd-11111111"]}})
	count(rule.results) == 0 with input as _live_input(_live_policy(props, {}), "us-east-1")
	res := rule.results with input as _live_input(_live_policy(props, {}), "eu-west-1")
	some r in res
	r.status == "unknown"
	contains(r.message, "organizational units")
}

test_live_include_map_org_unit_resolved_by_compliance if {
	props := object.union(_policy_props, {"IncludeMap": {"ORGUNIT": ["ou-abcd-11111111"]}})
	res := rule.results with input as _live_input(_live_policy(props, {"compliance": [{"account": _member, "status": "COMPLIANT", "violators": []}]}), "eu-west-1")
	some r in res
	r.status == "fail"
}

test_live_exclude_map if {
	props := object.union(_policy_props, {"ExcludeMap": {"ACCOUNT": [_member]}})
	count(rule.results) == 0 with input as _live_input(_live_policy(props, {}), "eu-west-1")
	props2 := object.union(_policy_props, {"ExcludeMap": {"ACCOUNT": ["999988887777"]}})
	res := rule.results with input as _live_input(_live_policy(props2, {}), "eu-west-1")
	some r in res
	r.status == "fail"
}

test_live_exclude_org_unit if {
	props := object.union(_policy_props, {"ExcludeMap": {"ORGUNIT": ["ou-abcd-11111111"]}})
	res := rule.results with input as _live_input(_live_policy(props, {}), "eu-west-1")
	some r in res
	r.status == "unknown"
	res2 := rule.results with input as _live_input(_live_policy(props, {"compliance": [{"account": _member, "status": "COMPLIANT"}]}), "eu-west-1")
	some r2 in res2
	r2.status == "fail"
}

test_live_unknown_maps if {
	props := object.union(_policy_props, {"IncludeMap": {"$unknown": "denied"}})
	res := rule.results with input as _live_input(_live_policy(props, {}), "eu-west-1")
	some r in res
	r.status == "unknown"
}

test_live_cloudfront_distribution if {
	props := object.union(object.remove(_policy_props, ["ResourceTags"]), {"ResourceType": "ResourceTypeList", "ResourceTypeList": ["AWS::CloudFront::Distribution"]})
	acl := "arn:aws:wafv2:us-east-1:222233334444:global/webacl/Edge/1"
	d1 := _live("AWS::CloudFront::Distribution", "arn:aws:cloudfront::222233334444:distribution/E1", _member, "global", {"DistributionConfig": {"WebACLId": acl}}, {})
	lb := _live("AWS::ElasticLoadBalancingV2::LoadBalancer", _lb_arn("x"), _member, "us-east-1", {}, {})
	inp := {"byType": {
		"AWS::FMS::Policy": [_live_policy(props, {})],
		"AWS::WAFv2::WebACL": [_live("AWS::WAFv2::WebACL", acl, _member, "us-east-1", {"Name": "Edge", "Scope": "CLOUDFRONT"}, {})],
		"AWS::CloudFront::Distribution": [d1],
		"AWS::ElasticLoadBalancingV2::LoadBalancer": [lb],
		"AWS::WAFv2::WebACLAssociation": [_live("AWS::WAFv2::WebACLAssociation", "a", _member, "us-east-1", {"ResourceArn": _lb_arn("x"), "WebACLArn": acl}, {})],
	}}
	res := rule.results with input as inp
	some r in res
	r.evidence.inScope == ["arn:aws:cloudfront::222233334444:distribution/E1"]
	contains(r.message, "widen the policy's scope")
}

test_live_managed_flag_skipped if {
	inp := _live_input(_live_policy(_policy_props, {}), "eu-west-1")
	acl := object.union(inp.byType["AWS::WAFv2::WebACL"][0], {"observed": {"ManagedByFirewallManager": true}})
	count(rule.results) == 0 with input as object.union(inp, {"byType": {"AWS::WAFv2::WebACL": [acl]}})
}
