# METADATA
# title: Web ACLs retrofitted by Firewall Manager serve only in-scope resources
# description: |
#   A Firewall Manager AWS WAF policy that retrofits existing web ACLs
#   ("webACLSource": "RETROFIT_EXISTING") only acts on a web ACL whose associated
#   resources are all in the policy's scope (resource type, accounts, resource tags).
#   A web ACL associated with both in-scope and out-of-scope resources is marked
#   non-compliant: the first retrofit is held back and later policy changes pause.
# custom:
#   id: fms-retrofit-web-acl-scope-consistent
#   severity: high
#   family: fms-retrofit
#   resourceTypes: [AWS::FMS::Policy, AWS::WAFv2::WebACL, AWS::WAFv2::WebACLAssociation, AWS::ElasticLoadBalancingV2::LoadBalancer, AWS::ApiGateway::Stage, AWS::CloudFront::Distribution]
#   inputs: [live, cloudformation]
#   guidance: "seeds/000_14fc47060cf8555c.txt lines 4059, 4158–4198"
#   rationale: While an out-of-scope resource shares a retrofitted web ACL with in-scope ones, Firewall Manager neither retrofits the web ACL nor applies later security-policy changes to it, so the central rules silently stop being enforced.
#   compliance:
#     nist-800-53: [CM-6, SC-7]
#   remediation:
#     summary: Bring the out-of-scope resources into the policy's scope (for example add the policy's resource tags to them; Firewall Manager then retrofits the web ACL for every resource associated with it), remove the tag condition from the policy's scope, or disassociate the out-of-scope resources from the web ACL (they lose its protection, so this needs confirmation).
#     automatic: true
package rampart.rules.fms.retrofit_web_acl_scope_consistent

import data.rampart.lib
import data.rampart.lib.fms

_candidates contains [p, w] if {
	some p in fms.retrofit_policies
	some w in lib.resources("AWS::WAFv2::WebACL")
	fms.applies(p, w)
	not fms.fms_managed(w)
}

_out_detail(ms) := concat("; ", sort({sprintf("%s: %s", [m.id, concat("; ", m.why)]) |
	some m in ms
	fms.definite(m)
	m.state == "out"
}))

_tag_condition(p) if {
	count(lib.as_array(object.get(p.properties, "ResourceTags", []))) > 0
	not fms.excludes_tags(p)
}

_way_in(p, outs) := sprintf("make %s in scope: add the tag(s) %s to them", [concat(", ", outs), concat(", ", [sprintf("%v: %v", [t.Key, object.get(t, "Value", "")]) | some t in p.properties.ResourceTags])]) if _tag_condition(p)

_way_in(p, outs) := sprintf("make %s in scope of the policy (its resource types, accounts and tags)", [concat(", ", outs)]) if not _tag_condition(p)

_way_scope(p) := "remove the resource-tag condition from the policy's scope" if count(lib.as_array(object.get(p.properties, "ResourceTags", []))) > 0

_way_scope(p) := "widen the policy's scope (resource types, IncludeMap/ExcludeMap) to cover them" if count(lib.as_array(object.get(p.properties, "ResourceTags", []))) == 0

_ways(p, outs) := [
	_way_in(p, outs),
	_way_scope(p),
	sprintf("disassociate %s from the web ACL (this changes how they are protected: confirm first)", [concat(", ", outs)]),
]

results contains lib.fail(w, {
	"message": sprintf(
		"Web ACL %s is associated with %s, in the scope of Firewall Manager policy %s, which retrofits existing web ACLs, and with %s, which are out of its scope (%s). Firewall Manager marks the web ACL and its in-scope resources non-compliant: it does not retrofit the web ACL and pauses later policy changes for it. Ways out: (1) %s; (2) %s; (3) %s.",
		[fms.web_acl_label(w), concat(", ", ins), fms.policy_label(p), concat(", ", outs), _out_detail(ms), ways[0], ways[1], ways[2]],
	),
	"pointer": "/Properties",
	"key": sprintf("policy:%s", [p.id]),
	"evidence": {
		"policy": p.id,
		"webACL": w.id,
		"inScope": ins,
		"outOfScope": [{"id": m.id, "reason": m.why} | some m in ms; fms.definite(m); m.state == "out"],
		"uncertain": fms.uncertain(ms),
		"waysOut": ways,
	},
}) if {
	some [p, w] in _candidates
	fms.account_scope(p, w).state == "in"
	ms := fms.judged_members(p, w)
	fms.mixed(ms)
	ins := fms.certain(ms, "in")
	outs := fms.certain(ms, "out")
	ways := _ways(p, outs)
}

results contains lib.unknown(w, {
	"message": sprintf(
		"Whether web ACL %s mixes resources in and out of the scope of Firewall Manager policy %s (which retrofits existing web ACLs) cannot be judged: %s.",
		[fms.web_acl_label(w), fms.policy_label(p), concat("; ", _uncertainty(p, w, ms))],
	),
	"pointer": "/Properties",
	"key": sprintf("policy:%s", [p.id]),
	"evidence": {
		"policy": p.id,
		"webACL": w.id,
		"inScope": fms.certain(ms, "in"),
		"outOfScope": fms.certain(ms, "out"),
		"uncertain": _uncertainty(p, w, ms),
	},
}) if {
	some [p, w] in _candidates
	ms := fms.judged_members(p, w)
	_maybe(p, w, ms)
}

_maybe(p, w, ms) if {
	fms.account_scope(p, w).state == "in"
	fms.maybe_mixed(ms)
}

_maybe(p, w, ms) if {
	fms.account_scope(p, w).state == "unknown"
	fms.mixed(ms)
}

_maybe(p, w, ms) if {
	fms.account_scope(p, w).state == "unknown"
	fms.maybe_mixed(ms)
}

_uncertainty(p, w, ms) := array.concat(
	[sprintf("%s (if it is covered, %s are in scope and %s are not)", [a.why, concat(", ", fms.certain(ms, "in")), concat(", ", fms.certain(ms, "out"))]) |
		a := fms.account_scope(p, w)
		a.state == "unknown"
	],
	fms.uncertain(ms),
)

results contains lib.unknown(p, {
	"message": sprintf(
		"Whether Firewall Manager policy %s retrofits existing web ACLs cannot be judged: its ManagedServiceData is unresolved or not valid JSON (%v).",
		[fms.policy_label(p), _msd_reason(p)],
	),
	"pointer": "/Properties/SecurityServicePolicyData/ManagedServiceData",
	"key": "managed-service-data",
}) if {
	some p in lib.resources("AWS::FMS::Policy")
	fms.retrofit_unresolved(p)
	some w in lib.resources("AWS::WAFv2::WebACL")
	fms.applies(p, w)
	count(fms.members(w)) > 1
}

_msd(p) := object.get(p.properties, ["SecurityServicePolicyData", "ManagedServiceData"], null)

_msd_reason(p) := r if r := lib.unknown_reason(_msd(p))

_msd_reason(p) := "not a JSON document" if not lib.unknown_reason(_msd(p))

judged contains w._ref if some [_, w] in _candidates

judged contains p._ref if {
	some p in lib.resources("AWS::FMS::Policy")
	fms.is_waf_policy(p)
}
