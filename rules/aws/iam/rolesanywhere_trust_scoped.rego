# METADATA
# title: Roles Anywhere trust policies are scoped to certificate and trust anchor
# description: |
#   Every Allow statement of a role trust policy that trusts rolesanywhere.amazonaws.com
#   must condition on an attribute of the client certificate (aws:PrincipalTag/x509Subject/…
#   or x509SAN/…, exact match, no wildcard) and on aws:SourceArn naming trust anchors of
#   trusted accounts without a wildcard in the anchor id. Each missing half is reported.
# custom:
#   id: iam-rolesanywhere-trust-scoped
#   severity: high
#   family: trust-policies
#   resourceTypes: [AWS::IAM::Role]
#   inputs: [live, cloudformation, terraform]
#   guidance: "seeds/000_14fc47060cf8555c.txt lines 191–230, 275"
#   rationale: Without both conditions any certificate from any trust anchor that a profile accepts can assume the role, so a single leaked certificate opens every workload role.
#   compliance:
#     nist-800-53: [AC-3, AC-6, IA-5(2)]
#   remediation:
#     summary: Add a StringEquals condition on aws:PrincipalTag/x509Subject/CN (or another certificate attribute) and an ArnEquals condition on aws:SourceArn listing the exact trust-anchor ARNs; never remove existing conditions.
#     automatic: true
package rampart.rules.iam.rolesanywhere_trust_scoped

import data.rampart.lib

_service := "rolesanywhere.amazonaws.com"

_cert_ops := {"StringEquals"}

_arn_ops := {"ArnEquals", "ArnLike", "StringEquals", "StringLike"}

_base := "/Properties/AssumeRolePolicyDocument"

judged contains r._ref if {
	some r in lib.resources("AWS::IAM::Role")
	_in_scope(r)
}

_in_scope(r) if {
	some st in lib.statements(r.properties.AssumeRolePolicyDocument)
	lib.trusts_service(st.s, _service)
}

_in_scope(r) if lib.is_unknown(r.properties.AssumeRolePolicyDocument)

_in_scope(r) if {
	some st in lib.statements(r.properties.AssumeRolePolicyDocument)
	_unknown_trust(st.s)
}

_label(st) := st.s.Sid if {
	is_string(st.s.Sid)
	st.s.Sid != ""
} else := trim_prefix(trim_prefix(st.ptr, "/Statement"), "/")

_label_text(st) := sprintf("statement \"%s\"", [_label(st)]) if _label(st) != ""

_label_text(st) := "statement" if _label(st) == ""

# --- unknown documents and statements ----------------------------------------

results contains lib.unknown(r, {
	"message": sprintf("The trust policy cannot be judged: %s.", [lib.unknown_reason(doc)]),
	"pointer": _base,
	"key": "trust-policy",
}) if {
	some r in lib.resources("AWS::IAM::Role")
	doc := r.properties.AssumeRolePolicyDocument
	lib.is_unknown(doc)
}

# A statement, or its principal, is unresolved: it may trust Roles Anywhere.
_unknown_trust(s) if lib.is_unknown(s)

_unknown_trust(s) if {
	lib.is_allow(s)
	some p in lib.principal_values(s, "Service")
	lib.is_unknown(p)
}

results contains lib.unknown(r, {
	"message": sprintf("Trust policy %s cannot be judged: %s.", [_label_text(st), reason]),
	"pointer": concat("", [_base, st.ptr]),
	"key": sprintf("statement:%s:unresolved", [_label(st)]),
}) if {
	some r in lib.resources("AWS::IAM::Role")
	some st in lib.statements(r.properties.AssumeRolePolicyDocument)
	_unknown_trust(st.s)
	reason := lib.first_unknown(st.s)
}

_trusting(r) := [st |
	some st in lib.statements(r.properties.AssumeRolePolicyDocument)
	lib.trusts_service(st.s, _service)
]

# --- (a) a certificate attribute ------------------------------------------------

_cert_key(k) if startswith(k, "aws:principaltag/x509subject/")

_cert_key(k) if startswith(k, "aws:principaltag/x509san/")

_cert_conditions(s) := [c |
	some c in lib.conditions(s)
	_cert_key(c.key)
]

_exact_value(v) if {
	is_string(v)
	v != ""
	not lib.has_wildcard(v)
}

_good_cert(s) if {
	some c in _cert_conditions(s)
	c.base in _cert_ops
	c.restricts
	count(c.values) > 0
	every v in c.values {
		_exact_value(v)
	}
}

_cert_unknown(s) if {
	some c in _cert_conditions(s)
	c.base in _cert_ops
	c.restricts
	some v in c.values
	lib.is_unknown(v)
}

_cert_unknown(s) if _condition_unknown(s)

_condition_unknown(s) if lib.is_unknown(s.Condition)

_has_template(v) if is_string(v.template)

results contains lib.fail(r, {
	"message": sprintf(
		"Trust policy %s lets rolesanywhere.amazonaws.com assume the role %s. Add a StringEquals condition on aws:PrincipalTag/x509Subject/CN (or another x509Subject/x509SAN attribute) with the exact value of the workload's certificate, so that only that certificate can assume the role.",
		[_label_text(st), _cert_problem(st.s)],
	),
	"pointer": concat("", [_base, st.ptr]),
	"key": sprintf("statement:%s:certificate", [_label(st)]),
	"evidence": st.s,
}) if {
	some r in lib.resources("AWS::IAM::Role")
	some st in _trusting(r)
	not _good_cert(st.s)
	not _cert_unknown(st.s)
}

_cert_problem(s) := msg if {
	conds := _cert_conditions(s)
	count(conds) > 0
	msg := sprintf("with a certificate condition that is not an exact match (%s)", [concat("; ", [sprintf("%s %s = %s", [c.op, c.raw_key, json.marshal(c.values)]) | some c in conds])])
} else := "without any condition on a certificate attribute (aws:PrincipalTag/x509Subject/… or aws:PrincipalTag/x509SAN/…)"

results contains lib.unknown(r, {
	"message": sprintf("The certificate condition of trust policy %s cannot be judged: %s.", [_label_text(st), reason]),
	"pointer": concat("", [_base, st.ptr, "/Condition"]),
	"key": sprintf("statement:%s:certificate", [_label(st)]),
}) if {
	some r in lib.resources("AWS::IAM::Role")
	some st in _trusting(r)
	not _good_cert(st.s)
	_cert_unknown(st.s)
	reason := lib.first_unknown(st.s.Condition)
}

# --- (b) aws:SourceArn to trust anchors ---------------------------------------------

_source_conditions(s) := [c |
	some c in lib.conditions(s)
	c.key == "aws:sourcearn"
	c.base in _arn_ops
	c.restricts
]

_source_values(s) := [v |
	some c in _source_conditions(s)
	some v in c.values
]

# _verdict(r, v) is "ok", "unknown" or a reason the value is not a scoped anchor ARN.
_verdict(r, v) := _string_verdict(r, v, false) if is_string(v)

_verdict(_, v) := "ok" if {
	lib.is_ref(v)
	v.attribute == "TrustAnchorArn"
}

_verdict(_, v) := "unknown" if {
	lib.is_ref(v)
	not v.attribute == "TrustAnchorArn"
}

_verdict(r, v) := _string_verdict(r, _pseudo(v.template), true) if {
	lib.is_unknown(v)
	is_string(v.template)
}

# _pseudo(t) writes ${AWS::X} as ${AWS.X} so that the ARN splits on ":".
_pseudo(t) := replace(t, "${AWS::", "${AWS.")

_verdict(_, v) := "unknown" if {
	lib.is_unknown(v)
	not _has_template(v)
}

_verdict(_, v) := "is not a string" if {
	not is_string(v)
	not lib.is_ref(v)
	not lib.is_unknown(v)
}

_anchor_re := `^arn:[^:]+:rolesanywhere:[^:]*:([^:]*):trust-anchor/(.*)$`

_string_verdict(_, s, false) := "is not a Roles Anywhere trust-anchor ARN" if not regex.match(_anchor_re, s)

_string_verdict(_, s, true) := "is not a Roles Anywhere trust-anchor ARN" if {
	not regex.match(_anchor_re, s)
	not contains(s, "${")
}

# A template that is not an anchor ARN around its unresolved parts (e.g. a bare parameter) could be anything.
_string_verdict(_, s, true) := "unknown" if {
	not regex.match(_anchor_re, s)
	contains(s, "${")
}

_string_verdict(r, s, templated) := v if {
	parts := regex.find_all_string_submatch_n(_anchor_re, s, 1)[0]
	v := _parts_verdict(r, parts[1], parts[2], templated)
}

_parts_verdict(_, _, id, _) := "has a wildcard in the trust-anchor id" if lib.has_wildcard(id)

_parts_verdict(_, _, id, _) := "has no trust-anchor id" if id == ""

_parts_verdict(r, account, id, templated) := v if {
	not lib.has_wildcard(id)
	id != ""
	v := _account_verdict(r, account, id, templated)
}

# In a template, ${AWS::AccountId} is the role's own account and other ${...} parts are unknown.
_account_verdict(r, account, _, false) := _literal_account_verdict(r, account)

_account_verdict(_, _, id, true) := "unknown" if _unresolved_id(id)

_account_verdict(_, "${AWS.AccountId}", id, true) := "ok" if not _unresolved_id(id)

_account_verdict(_, account, id, true) := "unknown" if {
	not _unresolved_id(id)
	account != "${AWS.AccountId}"
	contains(account, "${")
}

_account_verdict(r, account, id, true) := _literal_account_verdict(r, account) if {
	not _unresolved_id(id)
	not contains(account, "${")
}

# An anchor id from ${X.TrustAnchorId} (a trust anchor of the same template) is resolved;
# any other ${...} (a parameter) could be anything.
_unresolved_id(id) if {
	some m in regex.find_all_string_submatch_n(`\$\{([^}]*)\}`, id, -1)
	not endswith(m[1], ".TrustAnchorId")
}

_literal_account_verdict(_, account) := "has a wildcard in the account" if lib.has_wildcard(account)

_literal_account_verdict(r, account) := "ok" if {
	not lib.has_wildcard(account)
	lib.account_trust(r, account) in {"own", "trusted"}
}

_literal_account_verdict(r, account) := sprintf("names account \"%s\", which is not in trustedAccounts", [account]) if {
	not lib.has_wildcard(account)
	not lib.account_trust(r, account) in {"own", "trusted"}
}

_bad_values(r, s) := [{"value": v, "problem": p} |
	some v in _source_values(s)
	p := _verdict(r, v)
	not p in {"ok", "unknown"}
]

_unknown_values(r, s) := [v |
	some v in _source_values(s)
	_verdict(r, v) == "unknown"
]

results contains lib.fail(r, {
	"message": sprintf(
		"Trust policy %s lets rolesanywhere.amazonaws.com assume the role without limiting aws:SourceArn to trust anchors. Add an ArnEquals condition on aws:SourceArn with the exact ARNs of the trust anchors whose certificates may use this role.",
		[_label_text(st)],
	),
	"pointer": concat("", [_base, st.ptr]),
	"key": sprintf("statement:%s:source-arn", [_label(st)]),
	"evidence": st.s,
}) if {
	some r in lib.resources("AWS::IAM::Role")
	some st in _trusting(r)
	count(_source_values(st.s)) == 0
	not _condition_unknown(st.s)
}

results contains lib.fail(r, {
	"message": sprintf(
		"Trust policy %s limits aws:SourceArn to values that are not single trust anchors of trusted accounts: %s. Use ArnEquals with the exact trust-anchor ARNs (no wildcard in the anchor id, accounts in trustedAccounts).",
		[_label_text(st), concat("; ", [sprintf("%s %s", [_show(b.value), b.problem]) | some b in bad])],
	),
	"pointer": concat("", [_base, st.ptr, "/Condition"]),
	"key": sprintf("statement:%s:source-arn", [_label(st)]),
	"evidence": st.s,
}) if {
	some r in lib.resources("AWS::IAM::Role")
	some st in _trusting(r)
	bad := _bad_values(r, st.s)
	count(bad) > 0
}

results contains lib.unknown(r, {
	"message": sprintf(
		"The aws:SourceArn condition of trust policy %s cannot be judged: %s.",
		[_label_text(st), concat("; ", [_reason(v) | some v in unknowns])],
	),
	"pointer": concat("", [_base, st.ptr, "/Condition"]),
	"key": sprintf("statement:%s:source-arn", [_label(st)]),
}) if {
	some r in lib.resources("AWS::IAM::Role")
	some st in _trusting(r)
	count(_bad_values(r, st.s)) == 0
	unknowns := _unknown_values(r, st.s)
	count(unknowns) > 0
}

results contains lib.unknown(r, {
	"message": sprintf("The conditions of trust policy %s cannot be judged: %s.", [_label_text(st), lib.unknown_reason(st.s.Condition)]),
	"pointer": concat("", [_base, st.ptr, "/Condition"]),
	"key": sprintf("statement:%s:source-arn", [_label(st)]),
}) if {
	some r in lib.resources("AWS::IAM::Role")
	some st in _trusting(r)
	lib.is_unknown(st.s.Condition)
}

_reason(v) := sprintf("%s (%s)", [lib.unknown_reason(v), v.template]) if is_string(v.template)

_reason(v) := lib.unknown_reason(v) if not _has_template(v)

_show(v) := sprintf("\"%s\"", [v]) if is_string(v)

_show(v) := json.marshal(v) if not is_string(v)
