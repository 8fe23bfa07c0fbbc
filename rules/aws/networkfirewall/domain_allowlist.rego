# METADATA
# title: Network Firewall policies allowlist outbound domains
# description: |
#   A firewall policy must reference a stateful domain-list rule group that is an
#   ALLOWLIST and covers both TLS_SNI (HTTPS) and HTTP_HOST (HTTP), or Suricata pass rules
#   on tls.sni and http.host; deny lists alone only block the domains someone thought of.
#   Allowlist entries that open a whole public top-level domain (".com") get a low note;
#   trusted restricted TLDs such as .gov, .mil and .edu are fine, as the article says.
# custom:
#   id: networkfirewall-domain-allowlist
#   severity: medium
#   family: egress
#   resourceTypes: [AWS::NetworkFirewall::FirewallPolicy, AWS::NetworkFirewall::RuleGroup]
#   inputs: [live, cloudformation, terraform]
#   guidance: "seeds/000_14fc47060cf8555c.txt lines 735, 808–813, 826–835"
#   rationale: Domain allowlisting restricts outbound communication to trusted domains and protects against unknown destinations, where deny lists only stop known ones (line 735).
#   compliance:
#     nist-800-53: [AC-4, SC-7, SC-7(5)]
#   remediation:
#     summary: |
#       Create a stateful domain-list rule group with GeneratedRulesType ALLOWLIST and
#       TargetTypes [TLS_SNI, HTTP_HOST] (a domain report of the firewall's traffic is a
#       good start), reference it from the firewall policy, and keep it generous at first.
#     automatic: false
package rampart.rules.networkfirewall.domain_allowlist

import data.rampart.lib

_targets := {"TLS_SNI", "HTTP_HOST"}

# Top-level domains whose registrations are restricted; allowing them whole is the
# article's own example of a generous but acceptable entry (line 831).
_trusted_tlds := {"gov", "mil", "edu", "int"}

_policies := lib.resources("AWS::NetworkFirewall::FirewallPolicy")

_groups := lib.resources("AWS::NetworkFirewall::RuleGroup")

judged contains r._ref if some r in _policies

judged contains g._ref if {
	some g in _groups
	_is_generated_allowlist(g)
}

# --- policies ----------------------------------------------------------------

results contains lib.unknown(r, {
	"message": sprintf("Firewall policy %s cannot be judged: its stateful rule group references are unresolved (%s).", [r.id, lib.first_unknown(refs)]),
	"pointer": "/Properties/FirewallPolicy/StatefulRuleGroupReferences",
	"key": "allowlist",
}) if {
	some r in _policies
	refs := _refs_value(r)
	_unresolved_list(refs)
}

results contains lib.fail(r, {
	"message": sprintf(
		"Firewall policy %s references no stateful rule group that allowlists domains (%s). Add a domain-list rule group with GeneratedRulesType ALLOWLIST and TargetTypes [TLS_SNI, HTTP_HOST].",
		[r.id, _describe(verdicts)],
	),
	"pointer": "/Properties/FirewallPolicy/StatefulRuleGroupReferences",
	"key": "allowlist",
	"evidence": {"StatefulRuleGroupReferences": [v.evidence | some v in verdicts]},
}) if {
	some r in _policies
	verdicts := _verdicts(r)
	count({v | some v in verdicts; v.state == "unresolved"}) == 0
	count(_allowlists(verdicts)) == 0
}

results contains lib.fail(r, {
	"message": sprintf(
		"Firewall policy %s allowlists domains only for %s: %s traffic is not limited to trusted domains. Add %s to the TargetTypes of %s.",
		[r.id, concat(", ", sort(covered)), concat(", ", sort(missing)), concat(", ", sort(missing)), concat(", ", sort({v.name | some v in _allowlists(verdicts)}))],
	),
	"pointer": "/Properties/FirewallPolicy/StatefulRuleGroupReferences",
	"key": "allowlist-targets",
	"evidence": {"covered": sort(covered), "missing": sort(missing)},
}) if {
	some r in _policies
	verdicts := _verdicts(r)
	count({v | some v in verdicts; v.state == "unresolved"}) == 0
	count(_allowlists(verdicts)) > 0
	covered := _covered(verdicts)
	missing := _targets - covered
	count(missing) > 0
}

results contains lib.unknown(r, {
	"message": sprintf(
		"Firewall policy %s cannot be judged: %s, so whether it allowlists %s is not known.",
		[r.id, concat("; ", sort({v.reason | some v in verdicts; v.state == "unresolved"})), concat(" and ", sort(_targets - _covered(verdicts)))],
	),
	"pointer": "/Properties/FirewallPolicy/StatefulRuleGroupReferences",
	"key": "allowlist",
}) if {
	some r in _policies
	verdicts := _verdicts(r)
	count({v | some v in verdicts; v.state == "unresolved"}) > 0
	count(_targets - _covered(verdicts)) > 0
}

# --- broad allowlist entries (low) -------------------------------------------

results contains lib.fail(g, {
	"message": sprintf(
		"Allowlist rule group %s allows every domain under the public top-level domain \"%s\": anyone can register a name there. Narrow it to the second-level domains you trust.",
		[g.id, entry],
	),
	"pointer": sprintf("/Properties/RuleGroup/RulesSource/RulesSourceList/Targets/%d", [i]),
	"key": sprintf("broad:%s", [entry]),
	"evidence": {"target": entry},
	"severity": "low",
}) if {
	some g in _groups
	_is_generated_allowlist(g)
	targets := g.properties.RuleGroup.RulesSource.RulesSourceList.Targets
	is_array(targets)
	some i, entry in targets
	is_string(entry)
	_broad(entry)
}

results contains lib.unknown(g, {
	"message": sprintf("Allowlist rule group %s cannot be checked for whole top-level domains: Targets is unresolved (%s).", [g.id, reason]),
	"pointer": "/Properties/RuleGroup/RulesSource/RulesSourceList/Targets",
	"key": "broad",
}) if {
	some g in _groups
	_is_generated_allowlist(g)
	reason := lib.first_unknown(g.properties.RuleGroup.RulesSource.RulesSourceList.Targets)
}

# --- helpers -----------------------------------------------------------------

_refs_value(r) := object.get(r.properties, ["FirewallPolicy", "StatefulRuleGroupReferences"], []) if {
	not lib.is_unknown(object.get(r.properties, "FirewallPolicy", {}))
}

_refs_value(r) := r.properties.FirewallPolicy if lib.is_unknown(r.properties.FirewallPolicy)

_unresolved_list(refs) if lib.is_unknown(refs)

# _verdicts(r) judges every referenced rule group: {state, name, covers, reason, evidence}
# with state "allowlist" | "other" | "unresolved".
_verdicts(r) := [_verdict(r, i, ref) | some i, ref in _refs_value(r)] if is_array(_refs_value(r))

_verdicts(r) := [] if {
	refs := _refs_value(r)
	not is_array(refs)
	not lib.is_unknown(refs)
}

_verdict(_, i, ref) := {"state": "unresolved", "name": sprintf("reference %d", [i]), "reason": sprintf("reference %d has an unresolved ResourceArn (%s)", [i, lib.unknown_reason(arn)]), "evidence": ref} if {
	arn := object.get(ref, "ResourceArn", null)
	lib.is_unknown(arn)
}

_verdict(r, _, ref) := v if {
	arn := object.get(ref, "ResourceArn", null)
	not lib.is_unknown(arn)
	matches := _matching_groups(r, arn)
	count(matches) > 0
	g := sort([m.id | some m in matches])[0]
	group := [m | some m in matches; m.id == g][0]
	v := _judge_group(group, ref)
}

_verdict(r, i, ref) := {"state": state, "name": name, "reason": reason, "covers": set(), "evidence": ref} if {
	arn := object.get(ref, "ResourceArn", null)
	not lib.is_unknown(arn)
	count(_matching_groups(r, arn)) == 0
	name := _arn_name(arn)
	[state, reason] := _missing(i, arn)
}

# An AWS managed rule group is a threat or deny list, never the account's allowlist.
_missing(_, arn) := ["other", ""] if _is_managed(arn)

_missing(i, arn) := ["unresolved", sprintf("rule group %s (reference %d) is not in the input", [_arn_name(arn), i])] if {
	not _is_managed(arn)
}

_is_managed(arn) if {
	is_string(arn)
	contains(arn, ":aws-managed:")
}

_arn_name(arn) := arn if is_string(arn)

_arn_name(arn) := arn["$ref"] if lib.is_ref(arn)

_arn_name(arn) := "an unnamed rule group" if {
	not is_string(arn)
	not lib.is_ref(arn)
}

# _matching_groups(r, arn): rule groups a ResourceArn names: a {"$ref"} to a logical id of
# the same template, or an ARN (live snapshots and literal ARNs in templates).
_matching_groups(r, arn) := {g |
	some g in _groups
	g.id == arn["$ref"]
	lib.same_origin(r, g)
} if lib.is_ref(arn)

_matching_groups(_, arn) := {g |
	some g in _groups
	arn in {g.id, object.get(g, "arn", "")}
} if is_string(arn)

_matching_groups(_, arn) := set() if {
	not is_string(arn)
	not lib.is_ref(arn)
}

_judge_group(g, ref) := {"state": "unresolved", "name": g.id, "reason": sprintf("rule group %s is unresolved (%s)", [g.id, reason]), "evidence": ref} if {
	reason := lib.first_unknown(_source(g))
	count(_covers(g)) < 2
}

_judge_group(g, ref) := {"state": "allowlist", "name": g.id, "covers": covers, "evidence": ref} if {
	covers := _covers(g)
	_is_allowlist(g)
	not _source_unknown_partial(g, covers)
}

_judge_group(g, ref) := {"state": "other", "name": g.id, "covers": set(), "evidence": ref} if {
	not _is_allowlist(g)
	not lib.first_unknown(_source(g))
}

_source_unknown_partial(g, covers) if {
	lib.first_unknown(_source(g))
	count(covers) < 2
}

_source(g) := object.get(g.properties, ["RuleGroup", "RulesSource"], {}) if not lib.is_unknown(object.get(g.properties, "RuleGroup", {}))

_source(g) := g.properties.RuleGroup if lib.is_unknown(g.properties.RuleGroup)

# _is_allowlist(g): a generated domain allowlist, or Suricata pass rules on domains.
_is_allowlist(g) if _is_generated_allowlist(g)

_is_allowlist(g) if count(_suricata_covers(g)) > 0

_is_generated_allowlist(g) if g.properties.RuleGroup.RulesSource.RulesSourceList.GeneratedRulesType == "ALLOWLIST"

_covers(g) := _list_covers(g) | _suricata_covers(g)

_list_covers(g) := {t |
	_is_generated_allowlist(g)
	some t in lib.as_array(g.properties.RuleGroup.RulesSource.RulesSourceList.TargetTypes)
	t in _targets
}

_list_covers(g) := set() if not _is_generated_allowlist(g)

_suricata_covers(g) := {t |
	rules := _source(g).RulesString
	is_string(rules)
	some line in split(rules, "\n")
	regex.match(`^\s*pass\s`, line)
	some t, keyword in {"TLS_SNI": "tls.sni", "HTTP_HOST": "http.host"}
	contains(line, keyword)
}

_allowlists(verdicts) := {v | some v in verdicts; v.state == "allowlist"}

_covered(verdicts) := {t | some v in verdicts; v.state == "allowlist"; some t in v.covers}

_describe(verdicts) := "it references no stateful rule group" if count(verdicts) == 0

_describe(verdicts) := sprintf("stateful rule groups: %s", [concat(", ", [v.name | some v in verdicts])]) if count(verdicts) > 0

# _broad(entry): a whole open top-level domain (".com", "com", ".").
_broad(entry) if {
	name := trim_prefix(lower(entry), ".")
	not contains(name, ".")
	not name in _trusted_tlds
}
