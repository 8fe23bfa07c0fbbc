# METADATA
# title: acm-pca:IssueCertificate is limited to end-entity certificate templates
# description: |
#   Every Allow of acm-pca:IssueCertificate (directly, or through acm-pca:* or *) in an IAM
#   policy must carry a condition on acm-pca:TemplateArn whose values are all end-entity
#   templates (parameter allowedCertificateTemplates). Without it, whoever holds the policy
#   can issue a CA certificate (RootCACertificate, SubordinateCACertificate_*) and mint a CA.
# custom:
#   id: acmpca-issue-certificate-template-restricted
#   severity: high
#   family: trust-policies
#   resourceTypes: [AWS::IAM::Role, AWS::IAM::Policy, AWS::IAM::ManagedPolicy]
#   inputs: [live, cloudformation, terraform]
#   guidance: "seeds/000_14fc47060cf8555c.txt lines 232–258"
#   rationale: A principal that may issue certificates with any template can create a subordinate CA and mint certificates that every trust anchor of the CA accepts.
#   compliance:
#     nist-800-53: [AC-6, SC-17]
#   remediation:
#     summary: Add a StringEquals condition on acm-pca:TemplateArn listing end-entity templates only (for example arn:aws:acm-pca:::template/EndEntityCertificate/V1) to every statement that allows acm-pca:IssueCertificate.
#     automatic: false
package rampart.rules.acmpca.issue_certificate_template_restricted

import data.rampart.lib

_action := "acm-pca:issuecertificate"

_key := "acm-pca:templatearn"

# Operator families (lib.conditions: set qualifier and IfExists are parsed off).
_ops := {"StringEquals", "StringLike", "ArnEquals", "ArnLike"}

_exact_ops := {"StringEquals", "ArnEquals"}

_default_templates := [
	"arn:aws:acm-pca:::template/EndEntityCertificate/V1",
	"arn:aws:acm-pca:::template/EndEntityClientAuthCertificate/V1",
	"arn:aws:acm-pca:::template/EndEntityServerAuthCertificate/V1",
	"arn:aws:acm-pca:::template/EndEntityClientAuthCertificate_APIPassthrough/V1",
	"arn:aws:acm-pca:::template/EndEntityServerAuthCertificate_APIPassthrough/V1",
	"arn:aws:acm-pca:::template/EndEntityCertificate_APIPassthrough/V1",
]

# Templates that issue CA certificates: a wildcard value matching one of them is too broad.
_ca_templates := [
	"RootCACertificate/V1",
	"SubordinateCACertificate_PathLen0/V1",
	"SubordinateCACertificate_PathLen1/V1",
	"SubordinateCACertificate_PathLen2/V1",
	"SubordinateCACertificate_PathLen3/V1",
	"BlankRootCACertificate_APIPassthrough/V1",
	"BlankRootCACertificate_APICSRPassthrough/V1",
	"BlankRootCACertificate_PathLen0_APIPassthrough/V1",
	"BlankSubordinateCACertificate_PathLen0_APIPassthrough/V1",
	"BlankSubordinateCACertificate_PathLen0_APICSRPassthrough/V1",
	"BlankSubordinateCACertificate_PathLen3_APICSRPassthrough/V1",
]

_tpl_re := `^arn:[^:]*:acm-pca:::template/(.+)$`

_tpl_name(v) := m[1] if {
	m := regex.find_all_string_submatch_n(_tpl_re, v, 1)[0]
}

_allowed_names := {n | some t in _templates; n := _tpl_name(t)}

_templates := t if {
	t := lib.param("allowedCertificateTemplates", _default_templates)
} else := _default_templates

# --- the policy documents of each resource -------------------------------------

_docs(r) := [{"ptr": concat("", ["/Properties/Policies/", format_int(i, 10), "/PolicyDocument"]), "doc": p.PolicyDocument, "label": concat("", ["inline policy \"", _pname(p, i), "\""]), "key": concat("", ["policy:", _pname(p, i), ":"])} |
	some i, p in _policy_list(r)
] if r.type == "AWS::IAM::Role"

_docs(r) := [{"ptr": "/Properties/PolicyDocument", "doc": r.properties.PolicyDocument, "label": "the policy", "key": ""}] if {
	r.type in {"AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"}
}

_policy_list(r) := r.properties.Policies if is_array(r.properties.Policies)

_policy_list(r) := [] if not _has_policy_list(r)

_has_policy_list(r) if is_array(r.properties.Policies)

_pname(p, _) := p.PolicyName if is_string(p.PolicyName)

_pname(p, i) := format_int(i, 10) if not _named(p)

_named(p) if is_string(p.PolicyName)

_types := ["AWS::IAM::Role", "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"]

_label(st) := st.s.Sid if {
	is_string(st.s.Sid)
	st.s.Sid != ""
} else := trim_prefix(trim_prefix(st.ptr, "/Statement"), "/")

# _grants: every Allow statement that covers acm-pca:IssueCertificate.
_grants(r) := [{"d": d, "st": st} |
	some d in _docs(r)
	some st in lib.statements(d.doc)
	lib.allows_action(st.s, _action)
]

judged contains r._ref if {
	some rtype in _types
	some r in lib.resources(rtype)
	some d in _docs(r)
	not lib.is_unknown(d.doc)
	some st in lib.statements(d.doc)
	lib.is_allow(st.s)
}

judged contains r._ref if {
	some rtype in _types
	some r in lib.resources(rtype)
	count(_unknown_docs(r)) > 0
}

# --- unknown documents and actions -----------------------------------------------

_unknown_docs(r) := array.concat(_unknown_policies(r), _unknown_documents(r))

_unknown_policies(r) := [{"ptr": "/Properties/Policies", "reason": lib.unknown_reason(r.properties.Policies), "key": "policies"} |
	_policies_unknown(r)
]

_unknown_documents(r) := [{"ptr": d.ptr, "reason": lib.unknown_reason(d.doc), "key": concat("", [d.key, "document"])} |
	some d in _docs(r)
	lib.is_unknown(d.doc)
]

_policies_unknown(r) if {
	r.type == "AWS::IAM::Role"
	lib.is_unknown(r.properties.Policies)
}

results contains lib.unknown(r, {
	"message": sprintf("The policy document cannot be judged for acm-pca:IssueCertificate: %s.", [u.reason]),
	"pointer": u.ptr,
	"key": u.key,
}) if {
	some rtype in _types
	some r in lib.resources(rtype)
	some u in _unknown_docs(r)
}

_action_unknown(s) if lib.is_unknown(s.Action)

_action_unknown(s) if {
	some a in lib.as_array(s.Action)
	lib.is_unknown(a)
}

results contains lib.unknown(r, {
	"message": sprintf("The Action of statement \"%s\" in %s cannot be judged for acm-pca:IssueCertificate: %s.", [_label(st), d.label, lib.first_unknown(st.s.Action)]),
	"pointer": concat("", [d.ptr, st.ptr, "/Action"]),
	"key": sprintf("%sstatement:%s:action", [d.key, _label(st)]),
}) if {
	some rtype in _types
	some r in lib.resources(rtype)
	some d in _docs(r)
	some st in lib.statements(d.doc)
	lib.is_allow(st.s)
	_action_unknown(st.s)
	not lib.allows_action(st.s, _action)
}

# --- the TemplateArn condition ------------------------------------------------------

_blocks(s) := [c |
	some c in lib.conditions(s)
	c.key == _key
	c.base in _ops
	c.restricts
]

# _value_ok(op, v): v names only allowed (end-entity) templates.
_value_ok(op, v) if {
	is_string(v)
	op in _exact_ops
	_tpl_name(v) in _allowed_names
}

_value_ok(op, v) if {
	is_string(v)
	not op in _exact_ops
	not lib.has_wildcard(v)
	_tpl_name(v) in _allowed_names
}

_value_ok(op, v) if {
	is_string(v)
	not op in _exact_ops
	lib.has_wildcard(v)
	not _matches_ca_template(v)
	some n in _allowed_names
	lib.wildcard_match(v, concat("", [_prefix(v), n]))
}

_prefix(v) := concat("", ["arn:", split(v, ":")[1], ":acm-pca:::template/"]) if count(split(v, ":")) > 1

_prefix(v) := "arn:aws:acm-pca:::template/" if count(split(v, ":")) <= 1

_matches_ca_template(v) if {
	some t in _ca_templates
	lib.wildcard_match(v, concat("", [_prefix(v), t]))
}

_restricting(s) if {
	some c in _blocks(s)
	count(c.values) > 0
	every v in c.values {
		_value_ok(c.base, v)
	}
}

# A block whose only doubtful values are unknown markers.
_maybe_restricting(s) if {
	some c in _blocks(s)
	some u in c.values
	lib.is_unknown(u)
	every v in c.values {
		_ok_or_unknown(c.base, v)
	}
}

_ok_or_unknown(op, v) if _value_ok(op, v)

_ok_or_unknown(_, v) if lib.is_unknown(v)

_describe(s) := "without any condition on acm-pca:TemplateArn" if count(_blocks(s)) == 0

_describe(s) := sprintf("with acm-pca:TemplateArn conditions that allow templates other than end-entity ones (%s)", [concat("; ", [sprintf("%s %s", [c.op, json.marshal(c.values)]) | some c in _blocks(s)])]) if count(_blocks(s)) > 0

results contains lib.fail(r, {
	"message": sprintf(
		"Statement \"%s\" in %s allows acm-pca:IssueCertificate %s, so its holder can issue a CA certificate (RootCACertificate/V1, SubordinateCACertificate_*) and mint a CA. Add StringEquals on acm-pca:TemplateArn with end-entity templates only, e.g. arn:aws:acm-pca:::template/EndEntityCertificate/V1.",
		[_label(g.st), g.d.label, _describe(g.st.s)],
	),
	"pointer": concat("", [g.d.ptr, g.st.ptr]),
	"key": sprintf("%sstatement:%s", [g.d.key, _label(g.st)]),
	"evidence": g.st.s,
}) if {
	some rtype in _types
	some r in lib.resources(rtype)
	some g in _grants(r)
	not _restricting(g.st.s)
	not _maybe_restricting(g.st.s)
	not _condition_unknown(g.st.s)
}

_condition_unknown(s) if lib.is_unknown(s.Condition)

results contains lib.unknown(r, {
	"message": sprintf(
		"The acm-pca:TemplateArn condition of statement \"%s\" in %s cannot be judged: %s.",
		[_label(g.st), g.d.label, lib.first_unknown(g.st.s.Condition)],
	),
	"pointer": concat("", [g.d.ptr, g.st.ptr, "/Condition"]),
	"key": sprintf("%sstatement:%s", [g.d.key, _label(g.st)]),
}) if {
	some rtype in _types
	some r in lib.resources(rtype)
	some g in _grants(r)
	not _restricting(g.st.s)
	_unknown_condition(g.st.s)
}

_unknown_condition(s) if _maybe_restricting(s)

_unknown_condition(s) if _condition_unknown(s)
