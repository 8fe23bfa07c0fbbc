# METADATA
# title: IRSA trust policies pin the service account and the audience
# description: |
#   A trust-policy statement that lets an Amazon EKS OIDC provider call
#   sts:AssumeRoleWithWebIdentity (IAM roles for service accounts) must pin
#   `<provider>:sub` to `system:serviceaccount:<namespace>:<name>` without a wildcard and
#   `<provider>:aud` to `sts.amazonaws.com`. Otherwise any service account of the cluster
#   can assume the role. The finding also suggests moving the role to EKS Pod Identity.
# custom:
#   id: iam-irsa-trust-scoped
#   severity: high
#   family: pod-identity
#   resourceTypes: [AWS::IAM::Role, AWS::IAM::OIDCProvider]
#   inputs: [live, cloudformation, terraform]
#   guidance: "seeds/000_14fc47060cf8555c.txt lines 2522–2540"
#   rationale: Without a pinned sub every pod of the cluster, in any namespace, can exchange its service-account token for the role's credentials.
#   compliance:
#     nist-800-53: [AC-3, AC-6]
#   remediation:
#     summary: Add StringEquals conditions `<provider>:sub = system:serviceaccount:<namespace>:<name>` and `<provider>:aud = sts.amazonaws.com`, or move the workload to EKS Pod Identity (a pods.eks.amazonaws.com trust with tag conditions).
#     automatic: false
package rampart.rules.iam.irsa_trust_scoped

import data.rampart.lib

_action := "sts:assumerolewithwebidentity"

# Operator families (lib.conditions: set qualifier and IfExists are parsed off).
_ops := {"StringEquals", "StringLike"}

_base := "/Properties/AssumeRolePolicyDocument"

_advice := "Better still, move the workload to EKS Pod Identity (a pods.eks.amazonaws.com trust with session-tag conditions), which needs no per-cluster OIDC trust (article lines 2522–2540)."

_eks_re := `oidc-provider/(oidc\.eks\.[^/]+/id/[^/]+)$`

# _provider(r, p) describes a federated principal: {"certain": bool, "host": glob of the issuer host}.
_provider(_, p) := {"certain": true, "host": lower(m[1]), "name": p} if {
	is_string(p)
	m := regex.find_all_string_submatch_n(_eks_re, p, 1)[0]
}

_provider(r, p) := {"certain": true, "host": lower(trim_prefix(url, "https://")), "name": p["$ref"]} if {
	lib.is_ref(p)
	url := _oidc_url(r, p)
	is_string(url)
	contains(url, "oidc.eks.")
}

_provider(r, p) := {"certain": false, "host": "*", "name": p["$ref"]} if {
	lib.is_ref(p)
	not _string_url(r, p)
}

_provider(_, p) := {"certain": true, "host": lower(_globify(m[1])), "name": p.template} if {
	lib.is_unknown(p)
	m := regex.find_all_string_submatch_n(`oidc-provider/(.*oidc\.eks\..*)$`, p.template, 1)[0]
}

_provider(_, p) := {"certain": false, "host": "*", "name": _unknown_name(p)} if {
	lib.is_unknown(p)
	not _eks_template(p)
	_maybe_oidc(p)
}

_eks_template(p) if contains(p.template, "oidc.eks.")

_maybe_oidc(p) if contains(p.template, "oidc-provider/")

_maybe_oidc(p) if not _has_template(p)

_has_template(p) if is_string(p.template)

_unknown_name(p) := p.template if _has_template(p)

_unknown_name(p) := p["$unknown"] if not _has_template(p)

_oidc_url(r, p) := u.properties.Url if {
	some u in lib.resources("AWS::IAM::OIDCProvider")
	lib.same_origin(r, u)
	u.id == p["$ref"]
}

_string_url(r, p) if is_string(_oidc_url(r, p))

_label(st) := st.s.Sid if {
	is_string(st.s.Sid)
	st.s.Sid != ""
} else := trim_prefix(trim_prefix(st.ptr, "/Statement"), "/")

_label_text(st) := sprintf("statement \"%s\"", [_label(st)]) if _label(st) != ""

_label_text(st) := "statement" if _label(st) == ""

_in_scope := [{"r": r, "st": st, "p": prov} |
	some r in lib.resources("AWS::IAM::Role")
	some st in lib.statements(r.properties.AssumeRolePolicyDocument)
	lib.allows_action(st.s, _action)
	some fp in lib.principal_values(st.s, "Federated")
	prov := _provider(r, fp)
]

judged contains x.r._ref if some x in _in_scope

# --- checks -----------------------------------------------------------------------

_blocks(s, host, suffix) := [c |
	some c in lib.conditions(s)
	c.base in _ops
	c.restricts
	lib.wildcard_match(concat("", [host, suffix]), c.key)
]

_sub_ok(v) if {
	is_string(v)
	regex.match(`^system:serviceaccount:[^:*?]+:[^:*?]+$`, v)
}

_aud_ok(v) if v == "sts.amazonaws.com"

_good(s, host, ":sub") if {
	some c in _blocks(s, host, ":sub")
	count(c.values) > 0
	every v in c.values {
		_sub_ok(v)
	}
}

_good(s, host, ":aud") if {
	some c in _blocks(s, host, ":aud")
	count(c.values) > 0
	every v in c.values {
		_aud_ok(v)
	}
}

_maybe_good(s, host, suffix) if {
	some c in _blocks(s, host, suffix)
	some v in c.values
	lib.is_unknown(v)
}

_maybe_good(s, _, _) if lib.is_unknown(s.Condition)

_checks := [
	{"suffix": ":sub", "key": "sub", "want": "system:serviceaccount:<namespace>:<service-account> with no wildcard", "why": "any service account of the cluster, in any namespace, can assume the role"},
	{"suffix": ":aud", "key": "aud", "want": "sts.amazonaws.com", "why": "tokens issued for other audiences are accepted"},
]

_found(s, host, suffix) := [sprintf("%s %s = %s", [c.op, c.raw_key, json.marshal(c.values)]) | some c in _blocks(s, host, suffix)]

_problem(s, host, suffix) := "has no such condition" if count(_found(s, host, suffix)) == 0

_problem(s, host, suffix) := sprintf("has %s", [concat("; ", f)]) if {
	f := _found(s, host, suffix)
	count(f) > 0
}

results contains lib.fail(x.r, {
	"message": sprintf(
		"Trust policy %s lets the EKS OIDC provider %s call sts:AssumeRoleWithWebIdentity, but the condition on %s%s %s: %s. Pin it with StringEquals to %s. %s",
		[_label_text(x.st), x.p.name, x.p.host, c.suffix, _problem(x.st.s, x.p.host, c.suffix), c.why, c.want, _advice],
	),
	"pointer": concat("", [_base, x.st.ptr]),
	"key": sprintf("statement:%s:%s", [_label(x.st), c.key]),
	"evidence": x.st.s,
}) if {
	some x in _in_scope
	x.p.certain
	some c in _checks
	not _good(x.st.s, x.p.host, c.suffix)
	not _maybe_good(x.st.s, x.p.host, c.suffix)
}

results contains lib.unknown(x.r, {
	"message": sprintf(
		"The %s condition of trust policy %s cannot be judged: %s. %s",
		[c.key, _label_text(x.st), _reason(x), _advice],
	),
	"pointer": concat("", [_base, x.st.ptr]),
	"key": sprintf("statement:%s:%s", [_label(x.st), c.key]),
}) if {
	some x in _in_scope
	some c in _checks
	not _good(x.st.s, x.p.host, c.suffix)
	_undecided(x, c.suffix)
}

_undecided(x, suffix) if _maybe_good(x.st.s, x.p.host, suffix)

_undecided(x, _) if not x.p.certain

_reason(x) := reason if {
	reason := lib.first_unknown(x.st.s.Condition)
} else := sprintf("the federated principal %s is not resolved, so it may be an EKS OIDC provider", [x.p.name])

# _globify(s) writes each ${...} of a template as the glob "*".
_globify(s) := concat("", array.concat([parts[0]], [_after_brace(p) | some p in array.slice(parts, 1, count(parts))])) if {
	parts := split(s, "${")
}

_after_brace(p) := concat("", ["*", substring(p, indexof(p, "}") + 1, -1)]) if indexof(p, "}") >= 0

_after_brace(p) := "*" if indexof(p, "}") < 0
