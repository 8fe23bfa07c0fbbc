package rampart.rules.networkfirewall.domain_allowlist_test

import data.rampart.rules.networkfirewall.domain_allowlist as rule

_src(id) := {"kind": "cloudformation", "file": "egress.yaml", "line": 1, "pointer": sprintf("/Resources/%s", [id])}

_policy(refs) := {
	"_ref": "EgressPolicy",
	"type": "AWS::NetworkFirewall::FirewallPolicy",
	"id": "EgressPolicy",
	"tags": {},
	"properties": {"FirewallPolicyName": "egress", "FirewallPolicy": {
		"StatelessDefaultActions": ["aws:forward_to_sfe"],
		"StatelessFragmentDefaultActions": ["aws:forward_to_sfe"],
		"StatefulEngineOptions": {"RuleOrder": "STRICT_ORDER"},
		"StatefulDefaultActions": ["aws:drop_established"],
		"StatefulRuleGroupReferences": refs,
	}},
	"source": _src("EgressPolicy"),
}

_group(id, rule_group) := {
	"_ref": id,
	"type": "AWS::NetworkFirewall::RuleGroup",
	"id": id,
	"tags": {},
	"properties": {"RuleGroupName": id, "Type": "STATEFUL", "Capacity": 100, "RuleGroup": rule_group},
	"source": _src(id),
}

_list(kind, types, targets) := {
	"StatefulRuleOptions": {"RuleOrder": "STRICT_ORDER"},
	"RulesSource": {"RulesSourceList": {"GeneratedRulesType": kind, "TargetTypes": types, "Targets": targets}},
}

_input(policies, groups) := {"byType": {
	"AWS::NetworkFirewall::FirewallPolicy": policies,
	"AWS::NetworkFirewall::RuleGroup": groups,
}}

# The article's domain list rule group (lines 808–813, 828–833): the domains of the
# domain report (aws.com, subdomains of aws.com) plus generous trusted top-level domains
# (.mil, .gov, .edu), as an ALLOWLIST for HTTP and HTTPS, referenced by the policy.
_article_group := _group("DomainAllowList", _list("ALLOWLIST", ["TLS_SNI", "HTTP_HOST"], ["aws.com", ".aws.com", ".mil", ".gov", ".edu"]))

_ref(id) := {"ResourceArn": {"$ref": id}, "Priority": 1}

test_article_allowlist_passes if {
	inp := _input([_policy([_ref("DomainAllowList")])], [_article_group])
	count(rule.results) == 0 with input as inp
	rule.judged == {"EgressPolicy", "DomainAllowList"} with input as inp
}

test_getatt_reference_passes if {
	ref := {"ResourceArn": {"$ref": "DomainAllowList", "attribute": "RuleGroupArn"}, "Priority": 1}
	count(rule.results) == 0 with input as _input([_policy([ref])], [_article_group])
}

test_denylist_only_fails if {
	deny := _group("BadDomains", _list("DENYLIST", ["TLS_SNI", "HTTP_HOST"], [".evil.example"]))
	res := rule.results with input as _input([_policy([_ref("BadDomains")])], [deny])
	count(res) == 1
	some f in res
	f.status == "fail"
	f.ref == "EgressPolicy"
	f.key == "allowlist"
	f.pointer == "/Properties/FirewallPolicy/StatefulRuleGroupReferences"
	contains(f.message, "BadDomains")
}

test_no_references_fails if {
	res := rule.results with input as _input([_policy([])], [])
	count(res) == 1
	some f in res
	f.status == "fail"
	contains(f.message, "references no stateful rule group")
}

test_absent_references_fails if {
	p := json.remove(_policy([]), ["properties/FirewallPolicy/StatefulRuleGroupReferences"])
	res := rule.results with input as _input([p], [])
	{[f.status, f.key] | some f in res} == {["fail", "allowlist"]}
}

test_managed_group_only_fails if {
	arn := "arn:aws:network-firewall:us-east-1:aws-managed:stateful-rulegroup/AbusedLegitMalwareDomainsStrictOrder"
	res := rule.results with input as _input([_policy([{"ResourceArn": arn, "Priority": 1}])], [])
	{[f.status, f.key] | some f in res} == {["fail", "allowlist"]}
}

test_managed_group_beside_allowlist_passes if {
	arn := "arn:aws:network-firewall:us-east-1:aws-managed:stateful-rulegroup/AbusedLegitMalwareDomainsStrictOrder"
	refs := [{"ResourceArn": arn, "Priority": 1}, _ref("DomainAllowList")]
	count(rule.results) == 0 with input as _input([_policy(refs)], [_article_group])
}

test_https_only_allowlist_fails if {
	g := _group("DomainAllowList", _list("ALLOWLIST", ["TLS_SNI"], ["aws.com"]))
	res := rule.results with input as _input([_policy([_ref("DomainAllowList")])], [g])
	count(res) == 1
	some f in res
	f.status == "fail"
	f.key == "allowlist-targets"
	f.evidence.missing == ["HTTP_HOST"]
}

test_two_groups_cover_both_targets if {
	a := _group("Https", _list("ALLOWLIST", ["TLS_SNI"], ["aws.com"]))
	b := _group("Http", _list("ALLOWLIST", ["HTTP_HOST"], ["aws.com"]))
	count(rule.results) == 0 with input as _input([_policy([_ref("Https"), _ref("Http")])], [a, b])
}

test_suricata_pass_rules_count_as_allowlist if {
	rules := concat("\n", [
		`pass tls $HOME_NET any -> $EXTERNAL_NET any (tls.sni; content:"aws.com"; endswith; msg:"ok"; sid:1; rev:1;)`,
		`pass http $HOME_NET any -> $EXTERNAL_NET any (http.host; content:"aws.com"; endswith; msg:"ok"; sid:2; rev:1;)`,
		`drop tcp $HOME_NET any -> $EXTERNAL_NET any (msg:"deny"; sid:3; rev:1;)`,
	])
	g := _group("Suricata", {"RulesSource": {"RulesString": rules}})
	inp := _input([_policy([_ref("Suricata")])], [g])
	count(rule.results) == 0 with input as inp
	rule.judged == {"EgressPolicy"} with input as inp
}

test_suricata_drop_rules_only_fail if {
	g := _group("Suricata", {"RulesSource": {"RulesString": `drop tls $HOME_NET any -> $EXTERNAL_NET any (tls.sni; content:"evil.example"; sid:1;)`}})
	res := rule.results with input as _input([_policy([_ref("Suricata")])], [g])
	{[f.status, f.key] | some f in res} == {["fail", "allowlist"]}
}

test_broad_entry_is_a_low_note if {
	g := _group("DomainAllowList", _list("ALLOWLIST", ["TLS_SNI", "HTTP_HOST"], ["aws.com", ".com", ".gov"]))
	res := rule.results with input as _input([_policy([_ref("DomainAllowList")])], [g])
	count(res) == 1
	some f in res
	f.status == "fail"
	f.ref == "DomainAllowList"
	f.severity == "low"
	f.key == "broad:.com"
	f.pointer == "/Properties/RuleGroup/RulesSource/RulesSourceList/Targets/1"
}

test_missing_group_in_template_is_unknown if {
	res := rule.results with input as _input([_policy([_ref("Elsewhere")])], [])
	count(res) == 1
	some f in res
	f.status == "unknown"
	contains(f.message, "Elsewhere")
}

test_group_in_another_template_is_unknown if {
	other := object.union(_article_group, {"source": {"kind": "cloudformation", "file": "other.yaml", "line": 1, "pointer": "/Resources/DomainAllowList"}})
	res := rule.results with input as _input([_policy([_ref("DomainAllowList")])], [other])
	{f.status | some f in res; f.ref == "EgressPolicy"} == {"unknown"}
}

test_literal_arn_not_in_input_is_unknown if {
	arn := "arn:aws:network-firewall:us-east-1:111122223333:stateful-rulegroup/shared-allowlist"
	res := rule.results with input as _input([_policy([{"ResourceArn": arn, "Priority": 1}])], [])
	{f.status | some f in res} == {"unknown"}
}

test_unknown_resource_arn if {
	res := rule.results with input as _input([_policy([{"ResourceArn": {"$unknown": "Fn::ImportValue AllowListArn"}, "Priority": 1}])], [])
	count(res) == 1
	some f in res
	f.status == "unknown"
	contains(f.message, "Fn::ImportValue AllowListArn")
}

test_unknown_references_list if {
	res := rule.results with input as _input([_policy({"$unknown": "Fn::If HasGroups"})], [])
	{[f.status, f.key] | some f in res} == {["unknown", "allowlist"]}
}

test_unknown_policy_document if {
	p := json.patch(_policy([]), [{"op": "replace", "path": "/properties/FirewallPolicy", "value": {"$unknown": "Ref to parameter Policy"}}])
	res := rule.results with input as _input([p], [])
	{f.status | some f in res} == {"unknown"}
}

test_unknown_generated_type if {
	g := _group("DomainAllowList", _list({"$unknown": "Ref to parameter ListType"}, ["TLS_SNI", "HTTP_HOST"], ["aws.com"]))
	res := rule.results with input as _input([_policy([_ref("DomainAllowList")])], [g])
	{f.status | some f in res} == {"unknown"}
}

test_unknown_rule_group_document if {
	g := _group("DomainAllowList", {"$unknown": "Fn::Transform"})
	res := rule.results with input as _input([_policy([_ref("DomainAllowList")])], [g])
	{f.status | some f in res} == {"unknown"}
}

test_unknown_targets_pass_the_policy_but_not_the_group if {
	g := _group("DomainAllowList", _list("ALLOWLIST", ["TLS_SNI", "HTTP_HOST"], {"$unknown": "Ref to parameter Domains"}))
	res := rule.results with input as _input([_policy([_ref("DomainAllowList")])], [g])
	{[f.ref, f.status, f.key] | some f in res} == {["DomainAllowList", "unknown", "broad"]}
}

test_unknown_beside_denylist_is_unknown if {
	deny := _group("BadDomains", _list("DENYLIST", ["TLS_SNI"], [".evil.example"]))
	refs := [_ref("BadDomains"), {"ResourceArn": {"$unknown": "Fn::ImportValue Other"}, "Priority": 2}]
	res := rule.results with input as _input([_policy(refs)], [deny])
	{f.status | some f in res} == {"unknown"}
}

test_live_join_by_arn if {
	acct := "111122223333"
	live_src := {"kind": "aws", "account": acct, "region": "us-east-1"}
	arn := "arn:aws:network-firewall:us-east-1:111122223333:stateful-rulegroup/allow"
	g := object.union(_article_group, {"_ref": arn, "id": arn, "arn": arn, "account": acct, "source": live_src})
	p := object.union(_policy([{"ResourceArn": arn, "Priority": 1}]), {"_ref": "policy-arn", "id": "policy-arn", "account": acct, "source": live_src})
	count(rule.results) == 0 with input as _input([p], [g])
}
