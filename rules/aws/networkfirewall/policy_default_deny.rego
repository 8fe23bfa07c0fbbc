# METADATA
# title: Network Firewall policies deny outbound traffic by default
# description: |
#   A firewall policy reaches default deny when its stateful engine evaluates rules in
#   STRICT_ORDER and its stateful default actions drop what no rule passed
#   (aws:drop_established or aws:drop_strict). A stateless default action of aws:pass
#   sends traffic around the stateful engine, so no stateful default deny applies to it.
# custom:
#   id: networkfirewall-policy-default-deny
#   severity: high
#   family: egress
#   resourceTypes: [AWS::NetworkFirewall::FirewallPolicy]
#   inputs: [live, cloudformation, terraform]
#   guidance: "seeds/000_14fc47060cf8555c.txt lines 826–835"
#   rationale: The article's goal is a Default Deny policy (line 830); without it an allowlist only documents traffic it does not stop.
#   compliance:
#     nist-800-53: [AC-4, SC-7(5)]
#   remediation:
#     summary: |
#       Pass the trusted domains with an allowlist rule group first. Then set
#       StatefulEngineOptions.RuleOrder to STRICT_ORDER, add aws:drop_established (or
#       aws:drop_strict) to StatefulDefaultActions and forward stateless traffic to the
#       stateful engine (aws:forward_to_sfe), in one UpdateFirewallPolicy: a policy's rule
#       order can be changed in place. The stateful rule groups it references must use the
#       same order, which is fixed when a group is created, so reference STRICT_ORDER copies
#       of DEFAULT_ACTION_ORDER groups in the same update. Everything no rule passes is then
#       dropped.
#     automatic: true
package rampart.rules.networkfirewall.policy_default_deny

import data.rampart.lib

_drop_actions := {"aws:drop_established", "aws:drop_strict"}

_policies := lib.resources("AWS::NetworkFirewall::FirewallPolicy")

judged contains r._ref if some r in _policies

# --- the whole FirewallPolicy document is unresolved ---------------------------

results contains lib.unknown(r, {
	"message": sprintf("Firewall policy %s cannot be judged: FirewallPolicy is unresolved (%s).", [r.id, lib.unknown_reason(fp)]),
	"pointer": "/Properties/FirewallPolicy",
	"key": "policy",
}) if {
	some r in _policies
	fp := r.properties.FirewallPolicy
	lib.is_unknown(fp)
}

# --- rule order --------------------------------------------------------------

results contains lib.fail(r, {
	"message": sprintf(
		"Firewall policy %s evaluates stateful rules in %s: traffic that no rule matches is passed. Set StatefulEngineOptions.RuleOrder to STRICT_ORDER and StatefulDefaultActions to [\"aws:drop_established\"] so that only allowlisted traffic leaves.",
		[r.id, order],
	),
	"pointer": "/Properties/FirewallPolicy/StatefulEngineOptions/RuleOrder",
	"key": "rule-order",
	"evidence": {"RuleOrder": order, "StatefulDefaultActions": object.get(fp, "StatefulDefaultActions", [])},
}) if {
	some r in _policies
	fp := _policy(r)
	order := _rule_order(fp)
	is_string(order)
	order != "STRICT_ORDER"
}

results contains lib.unknown(r, {
	"message": sprintf("Firewall policy %s cannot be judged: StatefulEngineOptions.RuleOrder is unresolved (%s).", [r.id, lib.unknown_reason(order)]),
	"pointer": "/Properties/FirewallPolicy/StatefulEngineOptions/RuleOrder",
	"key": "rule-order",
}) if {
	some r in _policies
	order := _rule_order(_policy(r))
	lib.is_unknown(order)
}

# --- stateful default actions (judged once the order is STRICT_ORDER) -------------

results contains lib.fail(r, {
	"message": sprintf(
		"Firewall policy %s uses STRICT_ORDER but its StatefulDefaultActions %s drop nothing: traffic that no rule passes still leaves. Add \"aws:drop_established\" (or \"aws:drop_strict\").",
		[r.id, json.marshal(actions)],
	),
	"pointer": "/Properties/FirewallPolicy/StatefulDefaultActions",
	"key": "default-action",
	"evidence": {"StatefulDefaultActions": actions},
}) if {
	some r in _policies
	fp := _policy(r)
	_rule_order(fp) == "STRICT_ORDER"
	actions := _default_actions(fp)
	is_array(actions)
	not _has_drop(actions)
	not _has_unknown(actions)
}

results contains lib.unknown(r, {
	"message": sprintf("Firewall policy %s cannot be judged: StatefulDefaultActions is unresolved (%s).", [r.id, lib.first_unknown(actions)]),
	"pointer": "/Properties/FirewallPolicy/StatefulDefaultActions",
	"key": "default-action",
}) if {
	some r in _policies
	fp := _policy(r)
	_rule_order(fp) == "STRICT_ORDER"
	actions := _default_actions(fp)
	not _has_drop(actions)
	_has_unknown(actions)
}

# --- stateless defaults that bypass the stateful engine --------------------------

results contains lib.fail(r, {
	"message": sprintf(
		"Firewall policy %s has %s %s: packets that no stateless rule matches are passed without stateful inspection, so the stateful default deny never sees them. Use \"aws:forward_to_sfe\".",
		[r.id, prop, json.marshal(actions)],
	),
	"pointer": sprintf("/Properties/FirewallPolicy/%s", [prop]),
	"key": sprintf("stateless:%s", [prop]),
	"evidence": {prop: actions},
}) if {
	some r in _policies
	fp := _policy(r)
	some prop in ["StatelessDefaultActions", "StatelessFragmentDefaultActions"]
	actions := fp[prop]
	is_array(actions)
	"aws:pass" in actions
}

results contains lib.unknown(r, {
	"message": sprintf("Firewall policy %s cannot be judged: %s is unresolved (%s).", [r.id, prop, lib.first_unknown(actions)]),
	"pointer": sprintf("/Properties/FirewallPolicy/%s", [prop]),
	"key": sprintf("stateless:%s", [prop]),
}) if {
	some r in _policies
	fp := _policy(r)
	some prop in ["StatelessDefaultActions", "StatelessFragmentDefaultActions"]
	actions := fp[prop]
	not "aws:pass" in lib.as_array(actions)
	_has_unknown(actions)
}

# --- helpers -----------------------------------------------------------------

# _policy(r) is the resolved FirewallPolicy document.
_policy(r) := fp if {
	fp := r.properties.FirewallPolicy
	is_object(fp)
	not lib.is_unknown(fp)
}

# _rule_order(fp) is RuleOrder (DEFAULT_ACTION_ORDER when absent), or an unknown marker.
_rule_order(fp) := order if {
	engine := object.get(fp, "StatefulEngineOptions", {})
	lib.is_unknown(engine)
	order := engine
}

_rule_order(fp) := object.get(engine, "RuleOrder", "DEFAULT_ACTION_ORDER") if {
	engine := object.get(fp, "StatefulEngineOptions", {})
	not lib.is_unknown(engine)
}

_default_actions(fp) := object.get(fp, "StatefulDefaultActions", [])

_has_drop(actions) if {
	some a in lib.as_array(actions)
	a in _drop_actions
}

_has_unknown(x) if lib.first_unknown(x)
