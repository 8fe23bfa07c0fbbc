# METADATA
# title: Service-principal trust policies guard against the confused deputy
# description: |
#   A role trust-policy statement that lets an AWS service in confusedDeputyServices
#   assume the role must condition aws:SourceAccount, aws:SourceArn, aws:SourceOrgID or
#   aws:SourceOrgPaths (or, for services that pass it, sts:ExternalId). Without one, the
#   service can be made to use the role on behalf of another customer's resource.
# custom:
#   id: iam-service-trust-confused-deputy
#   severity: medium
#   family: breadth
#   resourceTypes: [AWS::IAM::Role]
#   inputs: [live, cloudformation, terraform]
#   guidance: "seeds/000_14fc47060cf8555c.txt lines 4274–4286"
#   rationale: A service principal acts for every customer of that service; a trust without a source condition lets a resource in another account get the service to act with this role (the cross-service confused deputy problem).
#   compliance:
#     nist-800-53: [AC-3, AC-6]
#   remediation:
#     summary: Add a condition to the trust statement, e.g. StringEquals aws:SourceAccount with the role's account and ArnLike aws:SourceArn with the ARN pattern of the resources that use the role.
#     automatic: false
package rampart.rules.iam.service_trust_confused_deputy

import data.rampart.lib

# The default pack's list, plus the article's OpenSearch Ingestion service.
_default_services := [
	"cloudtrail.amazonaws.com",
	"config.amazonaws.com",
	"s3.amazonaws.com",
	"sns.amazonaws.com",
	"events.amazonaws.com",
	"logs.amazonaws.com",
	"osis-pipelines.amazonaws.com",
]

_services := [lower(s) | some s in lib.param("confusedDeputyServices", _default_services); is_string(s)]

_base := "/Properties/AssumeRolePolicyDocument"

# Condition keys that tie the service's request to the caller's resource or account.
_source_keys := {"aws:sourceaccount", "aws:sourcearn", "aws:sourceorgid", "aws:sourceorgpaths", "sts:externalid"}

# Operators that require the key to be present and to match (not IfExists, not negated).
_positive_ops := {"StringEquals", "StringEqualsIgnoreCase", "StringLike", "ArnEquals", "ArnLike"}

_listed(svc) if {
	some p in _services
	p == lower(svc)
}

_listed(svc) if {
	some p in _services
	lib.has_wildcard(p)
	lib.wildcard_match(p, svc)
}

_roles := [r | some r in lib.resources("AWS::IAM::Role")]

_doc(r) := object.get(r.properties, "AssumeRolePolicyDocument", null)

_role_name(r) := r.properties.RoleName if {
	is_string(r.properties.RoleName)
} else := r.id

# Statements that trust a listed service, with the listed services they name.
_trusting(r) := [{"st": st, "services": svcs} |
	some st in lib.statements(_doc(r))
	lib.is_allow(st.s)
	svcs := sort([svc |
		some svc in lib.principal_values(st.s, "Service")
		is_string(svc)
		_listed(svc)
	])
	count(svcs) > 0
]

judged contains r._ref if {
	some r in _roles
	count(_trusting(r)) > 0
}

judged contains r._ref if {
	some r in _roles
	lib.unresolved(_doc(r))
}

_label(st) := sprintf("statement \"%s\"", [st.s.Sid]) if {
	is_string(st.s.Sid)
	st.s.Sid != ""
} else := sprintf("statement %s", [trim_prefix(trim_prefix(st.ptr, "/Statement"), "/")])

_assumes(s) if lib.allows_action(s, "sts:AssumeRole")

_names_listed(s) if {
	some svc in lib.principal_values(s, "Service")
	is_string(svc)
	_listed(svc)
}

_guarded(s) if {
	some c in lib.conditions(s)
	c.base in _positive_ops
	c.restricts
	c.key in _source_keys
	some v in c.values
	v != "*"
}

_condition_unknown(s) if lib.unresolved(s.Condition)

_condition_unknown(s) if {
	some op, block in s.Condition
	lib.unresolved(block)
}

_account_hint(r) := r.account if {
	lib.is_live(r)
	is_string(r.account)
} else := "${AWS::AccountId}"

_key(st) := sprintf("statement:%s", [st.s.Sid]) if {
	is_string(st.s.Sid)
	st.s.Sid != ""
} else := sprintf("statement:%s", [trim_prefix(trim_prefix(st.ptr, "/Statement"), "/")])

results contains lib.fail(r, {
	"message": sprintf("Role %s: %s lets %s assume the role without aws:SourceAccount or aws:SourceArn: the service could be made to use this role for another account's resource (confused deputy). Add StringEquals aws:SourceAccount: %s and ArnLike aws:SourceArn with the ARNs of the resources that use the role.", [_role_name(r), _label(t.st), concat(", ", t.services), _account_hint(r)]),
	"pointer": concat("", [_base, t.st.ptr]),
	"key": _key(t.st),
	"evidence": t.st.s,
}) if {
	some r in _roles
	some t in _trusting(r)
	_assumes(t.st.s)
	not _guarded(t.st.s)
	not _condition_unknown(t.st.s)
}

results contains lib.unknown(r, {
	"message": sprintf("Role %s: %s trusts %s but its %s cannot be judged: %s.", [_role_name(r), _label(t.st), concat(", ", t.services), what, reason]),
	"pointer": concat("", [_base, t.st.ptr]),
	"key": _key(t.st),
}) if {
	some r in _roles
	some t in _trusting(r)
	not _guarded(t.st.s)
	some [what, reason] in _unknowns(t.st.s)
}

# An unresolved Action may include sts:AssumeRole; an unresolved Condition may hold
# the source condition.
_unknowns(s) := [["Action", x] | x := lib.first_unknown(object.get(s, "Action", null))] if {
	not _assumes(s)
} else := [["Condition", x] | x := lib.first_unknown(object.get(s, "Condition", null))]

results contains lib.unknown(r, {
	"message": sprintf("Role %s: the trust policy cannot be judged: %s.", [_role_name(r), lib.unknown_reason(_doc(r))]),
	"pointer": _base,
	"key": "trust-policy",
}) if {
	some r in _roles
	lib.unresolved(_doc(r))
}

results contains lib.unknown(r, {
	"message": sprintf("Role %s: %s names a service principal that cannot be resolved (%s), so it may trust a service in confusedDeputyServices.", [_role_name(r), _label(st), reason]),
	"pointer": concat("", [_base, st.ptr]),
	"key": _key(st),
}) if {
	some r in _roles
	some st in lib.statements(_doc(r))
	lib.is_allow(st.s)
	not _guarded(st.s)
	not _names_listed(st.s)
	reason := lib.first_unknown(object.get(object.get(st.s, "Principal", {}), "Service", null))
}
