# METADATA
# title: Retrofitted web ACLs have no logging configuration of their own that conflicts with the policy's
# description: |
#   When a Firewall Manager AWS WAF policy that retrofits existing web ACLs defines a
#   logging configuration, and a web ACL it retrofits already has a different logging
#   configuration, Firewall Manager keeps the existing configuration and marks the
#   web ACL non-compliant.
# custom:
#   id: fms-retrofit-logging-conflict
#   severity: medium
#   family: fms-retrofit
#   resourceTypes: [AWS::FMS::Policy, AWS::WAFv2::LoggingConfiguration, AWS::WAFv2::WebACL, AWS::WAFv2::WebACLAssociation]
#   inputs: [live, cloudformation]
#   guidance: "seeds/000_14fc47060cf8555c.txt line 4065"
#   rationale: Firewall Manager does not replace a web ACL's existing logging configuration; it marks the web ACL non-compliant, so the central logging the policy defines never reaches that web ACL.
#   compliance:
#     nist-800-53: [AU-12, CM-6]
#   remediation:
#     summary: Point the web ACL's logging configuration at the destination the policy defines, or delete the web ACL's own logging configuration so that Firewall Manager adds the policy's, or remove logging from the policy.
#     automatic: false
package rampart.rules.fms.retrofit_logging_conflict

import data.rampart.lib
import data.rampart.lib.fms

# _policy_destinations(p) is the log destinations the policy's ManagedServiceData defines.
_policy_destinations(p) := dests if {
	dests := lib.as_array(fms.managed_service_data(p).loggingConfiguration.logDestinationConfigs)
	count(dests) > 0
}

_fms_owned(lc) if lc.properties.ManagedByFirewallManager == true

_fms_owned(lc) if lc.observed.ManagedByFirewallManager == true

_pairs contains [p, w, lc] if {
	some p in fms.retrofit_policies
	_policy_destinations(p)
	some w in lib.resources("AWS::WAFv2::WebACL")
	fms.applies(p, w)
	not fms.fms_managed(w)
	some lc in lib.resources("AWS::WAFv2::LoggingConfiguration")
	fms.linked(lc, w)
	fms.refers_to(lc.properties.ResourceArn, w)
	not _fms_owned(lc)
}

_destinations(lc) := lib.as_array(object.get(lc.properties, "LogDestinationConfigs", []))

_comparable(lc) if every d in _destinations(lc) {
	is_string(d)
}

_differs(p, lc) if {
	_comparable(lc)
	{d | some d in _destinations(lc)} != {d | some d in _policy_destinations(p)}
}

_labels(xs) := concat(", ", [_label(x) | some x in xs])

_label(x) := x if is_string(x)

_label(x) := x["$ref"] if lib.is_ref(x)

_label(x) := sprintf("<%s>", [lib.unknown_reason(x)]) if lib.is_unknown(x)

results contains lib.fail(lc, {
	"message": sprintf(
		"Web ACL %s already logs to %s, while Firewall Manager policy %s, which retrofits it, defines logging to %s. Firewall Manager keeps the existing logging configuration and marks the web ACL non-compliant. Point this logging configuration at the policy's destination, delete it so that Firewall Manager adds the policy's, or remove logging from the policy.",
		[fms.web_acl_label(w), _labels(_destinations(lc)), fms.policy_label(p), _labels(_policy_destinations(p))],
	),
	"pointer": "/Properties/LogDestinationConfigs",
	"key": sprintf("policy:%s", [p.id]),
	"evidence": {
		"policy": p.id,
		"webACL": w.id,
		"webACLDestinations": _destinations(lc),
		"policyDestinations": _policy_destinations(p),
	},
}) if {
	some [p, w, lc] in _pairs
	fms.in_scope(p, w)
	_differs(p, lc)
}

results contains lib.unknown(lc, {
	"message": sprintf(
		"Whether the logging configuration of web ACL %s conflicts with the logging that Firewall Manager policy %s defines cannot be judged: %s.",
		[fms.web_acl_label(w), fms.policy_label(p), concat("; ", reasons)],
	),
	"pointer": "/Properties/LogDestinationConfigs",
	"key": sprintf("policy:%s", [p.id]),
	"evidence": {"policy": p.id, "webACL": w.id, "webACLDestinations": _destinations(lc), "policyDestinations": _policy_destinations(p)},
}) if {
	some [p, w, lc] in _pairs
	reasons := _uncertain(p, w, lc)
	count(reasons) > 0
}

_uncertain(p, w, lc) := [r |
	fms.in_scope(p, w)
	not _comparable(lc)
	r := sprintf("its destinations (%s) are not resolved to ARNs", [_labels(_destinations(lc))])
] if fms.in_scope(p, w)

_uncertain(p, w, lc) := array.concat(
	[r | a := fms.account_scope(p, w); a.state == "unknown"; r := a.why],
	fms.uncertain(fms.judged_members(p, w)),
) if {
	fms.maybe_in_scope(p, w)
	not _matches(p, lc)
}

_matches(p, lc) if {
	_comparable(lc)
	not _differs(p, lc)
}

judged contains lc._ref if some [_, _, lc] in _pairs
