# METADATA
# title: Web ACLs a Firewall Manager policy should retrofit have no other owner
# description: |
#   Retrofitting only modifies customer-created web ACLs. A web ACL associated with
#   resources in the scope of a retrofitting AWS WAF policy is not retrofitted, and is
#   marked non-compliant with its resources, when it is managed by Firewall Manager
#   for another policy or when another retrofitting policy also covers it.
# custom:
#   id: fms-retrofit-web-acl-single-owner
#   severity: medium
#   family: fms-retrofit
#   resourceTypes: [AWS::FMS::Policy, AWS::WAFv2::WebACL, AWS::WAFv2::WebACLAssociation]
#   inputs: [live]
#   guidance: "seeds/000_14fc47060cf8555c.txt line 4060"
#   rationale: Firewall Manager does not retrofit a web ACL that it manages or that another policy retrofitted, so the policy's rule groups never reach the resources behind it.
#   compliance:
#     nist-800-53: [CM-6]
#   remediation:
#     summary: Associate the in-scope resources with a customer-created web ACL that no other policy retrofits, or narrow the scopes of the overlapping policies so that one policy covers the web ACL's resources.
#     automatic: false
package rampart.rules.fms.retrofit_web_acl_single_owner

import data.rampart.lib
import data.rampart.lib.fms

_candidates contains [p, w] if {
	some p in fms.retrofit_policies
	lib.is_live(p)
	some w in lib.resources("AWS::WAFv2::WebACL")
	fms.applies(p, w)
}

# The retrofitting policies of each web ACL, so that pairs of policies are found per web ACL
# (not by matching every candidate with every other).
_policies_of[w._ref] contains p if some [p, w] in _candidates

_foreign_managed(p, w) if {
	fms.fms_managed(w)
	not fms.owned_by(w, p)
}

results contains lib.fail(w, {
	"message": sprintf(
		"Web ACL %s serves %s, in the scope of Firewall Manager policy %s, which retrofits existing web ACLs, but the web ACL is managed by Firewall Manager for another policy. Retrofitting only acts on customer-created web ACLs: this web ACL and its resources are marked non-compliant. Associate the resources with a customer-created web ACL, or take them out of one of the two policies.",
		[fms.web_acl_label(w), concat(", ", fms.certain(fms.judged_members(p, w), "in")), fms.policy_label(p)],
	),
	"pointer": "/observed/ManagedByFirewallManager",
	"key": sprintf("policy:%s:managed", [p.id]),
	"evidence": {"policy": p.id, "webACL": w.id, "name": fms.web_acl_label(w), "inScope": fms.certain(fms.judged_members(p, w), "in")},
}) if {
	some [p, w] in _candidates
	_foreign_managed(p, w)
	fms.in_scope(p, w)
}

results contains lib.fail(w, {
	"message": sprintf(
		"Web ACL %s serves resources in the scope of two Firewall Manager policies that retrofit existing web ACLs: %s (%s) and %s (%s). A web ACL retrofitted by one policy is not retrofitted by another, so it is non-compliant with one of them. Narrow the policies' scopes so that one policy covers these resources, or give each policy's resources their own web ACL.",
		[fms.web_acl_label(w), fms.policy_label(p), concat(", ", fms.certain(fms.judged_members(p, w), "in")), fms.policy_label(q), concat(", ", fms.certain(fms.judged_members(q, w), "in"))],
	),
	"pointer": "/Properties",
	"key": sprintf("policies:%s|%s", [p.id, q.id]),
	"evidence": {"policies": [p.id, q.id], "webACL": w.id},
}) if {
	some [p, w] in _candidates
	some q in _policies_of[w._ref]
	p.id < q.id
	not fms.fms_managed(w)
	fms.in_scope(p, w)
	fms.in_scope(q, w)
}

results contains lib.unknown(w, {
	"message": sprintf(
		"Web ACL %s is managed by Firewall Manager for another policy; whether its resources are in the scope of retrofitting policy %s cannot be judged: %s.",
		[fms.web_acl_label(w), fms.policy_label(p), concat("; ", _why(p, w))],
	),
	"pointer": "/observed/ManagedByFirewallManager",
	"key": sprintf("policy:%s:managed", [p.id]),
}) if {
	some [p, w] in _candidates
	_foreign_managed(p, w)
	fms.maybe_in_scope(p, w)
}

_why(p, w) := array.concat(
	[r | a := fms.account_scope(p, w); a.state == "unknown"; r := a.why],
	fms.uncertain(fms.judged_members(p, w)),
)

judged contains w._ref if {
	some [p, w] in _candidates
	count(fms.members(w)) > 0
}
