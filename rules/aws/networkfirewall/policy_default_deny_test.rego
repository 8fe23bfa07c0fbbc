package rampart.rules.networkfirewall.policy_default_deny_test

import data.rampart.rules.networkfirewall.policy_default_deny as rule

_src := {"kind": "cloudformation", "file": "egress.yaml", "line": 1, "pointer": "/Resources/EgressPolicy"}

_policy(fp) := {
	"_ref": "EgressPolicy",
	"type": "AWS::NetworkFirewall::FirewallPolicy",
	"id": "EgressPolicy",
	"tags": {},
	"properties": {"FirewallPolicyName": "egress", "FirewallPolicy": fp},
	"source": _src,
}

_input(fp) := {"byType": {"AWS::NetworkFirewall::FirewallPolicy": [_policy(fp)]}}

# The configuration the article builds (lines 808–835): a strict-order policy whose
# default drops established traffic that no domain-allowlist rule passed ("Default Deny",
# line 830). The article prints no policy JSON; this is its configuration as CloudFormation.
_article := {
	"StatelessDefaultActions": ["aws:forward_to_sfe"],
	"StatelessFragmentDefaultActions": ["aws:forward_to_sfe"],
	"StatefulEngineOptions": {"RuleOrder": "STRICT_ORDER"},
	"StatefulDefaultActions": ["aws:drop_established", "aws:alert_established"],
	"StatefulRuleGroupReferences": [{"ResourceArn": {"$ref": "DomainAllowList"}, "Priority": 1}],
}

test_article_default_deny_policy_passes if {
	count(rule.results) == 0 with input as _input(_article)
	rule.judged == {"EgressPolicy"} with input as _input(_article)
}

test_drop_strict_passes if {
	fp := json.patch(_article, [{"op": "replace", "path": "/StatefulDefaultActions", "value": ["aws:drop_strict"]}])
	count(rule.results) == 0 with input as _input(fp)
}

test_default_action_order_fails if {
	fp := json.remove(_article, ["StatefulEngineOptions", "StatefulDefaultActions"])
	res := rule.results with input as _input(fp)
	count(res) == 1
	some f in res
	f.status == "fail"
	f.key == "rule-order"
	f.pointer == "/Properties/FirewallPolicy/StatefulEngineOptions/RuleOrder"
	contains(f.message, "DEFAULT_ACTION_ORDER")
	f.evidence.RuleOrder == "DEFAULT_ACTION_ORDER"
}

test_explicit_default_action_order_fails if {
	fp := json.patch(_article, [{"op": "replace", "path": "/StatefulEngineOptions/RuleOrder", "value": "DEFAULT_ACTION_ORDER"}])
	res := rule.results with input as _input(fp)
	{f.key | some f in res} == {"rule-order"}
}

test_strict_order_without_drop_fails if {
	fp := json.patch(_article, [{"op": "replace", "path": "/StatefulDefaultActions", "value": ["aws:alert_established"]}])
	res := rule.results with input as _input(fp)
	count(res) == 1
	some f in res
	f.status == "fail"
	f.key == "default-action"
	f.pointer == "/Properties/FirewallPolicy/StatefulDefaultActions"
	f.evidence.StatefulDefaultActions == ["aws:alert_established"]
}

test_strict_order_no_default_actions_fails if {
	fp := json.remove(_article, ["StatefulDefaultActions"])
	res := rule.results with input as _input(fp)
	{[f.status, f.key] | some f in res} == {["fail", "default-action"]}
}

test_stateless_pass_fails if {
	fp := json.patch(_article, [{"op": "replace", "path": "/StatelessDefaultActions", "value": ["aws:pass"]}])
	res := rule.results with input as _input(fp)
	count(res) == 1
	some f in res
	f.status == "fail"
	f.key == "stateless:StatelessDefaultActions"
	f.pointer == "/Properties/FirewallPolicy/StatelessDefaultActions"
}

test_stateless_fragment_pass_fails if {
	fp := json.patch(_article, [{"op": "replace", "path": "/StatelessFragmentDefaultActions", "value": ["aws:pass"]}])
	res := rule.results with input as _input(fp)
	{f.key | some f in res} == {"stateless:StatelessFragmentDefaultActions"}
}

test_unknown_policy_document if {
	res := rule.results with input as _input({"$unknown": "Fn::ImportValue SharedPolicy"})
	count(res) == 1
	some f in res
	f.status == "unknown"
	contains(f.message, "Fn::ImportValue SharedPolicy")
}

test_unknown_rule_order if {
	fp := json.patch(_article, [{"op": "replace", "path": "/StatefulEngineOptions/RuleOrder", "value": {"$unknown": "Ref to parameter Order"}}])
	res := rule.results with input as _input(fp)
	count(res) == 1
	some f in res
	f.status == "unknown"
	f.key == "rule-order"
}

test_unknown_engine_options if {
	fp := json.patch(_article, [{"op": "replace", "path": "/StatefulEngineOptions", "value": {"$unknown": "Fn::If on IsStrict"}}])
	res := rule.results with input as _input(fp)
	{[f.status, f.key] | some f in res} == {["unknown", "rule-order"]}
}

test_unknown_default_action if {
	fp := json.patch(_article, [{"op": "replace", "path": "/StatefulDefaultActions", "value": [{"$unknown": "Ref to parameter DefaultAction"}]}])
	res := rule.results with input as _input(fp)
	count(res) == 1
	some f in res
	f.status == "unknown"
	f.key == "default-action"
	contains(f.message, "Ref to parameter DefaultAction")
}

test_known_drop_beside_unknown_passes if {
	fp := json.patch(_article, [{"op": "replace", "path": "/StatefulDefaultActions", "value": ["aws:drop_established", {"$unknown": "Ref to parameter Extra"}]}])
	count(rule.results) == 0 with input as _input(fp)
}

test_unknown_stateless_default if {
	fp := json.patch(_article, [{"op": "replace", "path": "/StatelessDefaultActions", "value": {"$unknown": "Ref to parameter Stateless"}}])
	res := rule.results with input as _input(fp)
	{[f.status, f.key] | some f in res} == {["unknown", "stateless:StatelessDefaultActions"]}
}

test_live_policy if {
	live := object.union(_policy(json.remove(_article, ["StatefulDefaultActions"])), {
		"_ref": "arn:aws:network-firewall:us-east-1:111122223333:firewall-policy/egress",
		"id": "arn:aws:network-firewall:us-east-1:111122223333:firewall-policy/egress",
		"account": "111122223333",
		"source": {"kind": "aws", "account": "111122223333", "region": "us-east-1"},
	})
	res := rule.results with input as {"byType": {"AWS::NetworkFirewall::FirewallPolicy": [live]}}
	some f in res
	f.ref == live._ref
	f.key == "default-action"
}
