# METADATA
# title: Secrets Manager resource policies grant only trusted accounts
# description: |
#   Every Allow statement of a secret's resource policy must name principals of the
#   secret's own account or of trustedAccounts. A principal of another account is high;
#   "*" without a condition on aws:PrincipalAccount, aws:SourceAccount or
#   aws:PrincipalOrgID is critical; a whole trusted foreign account (its :root) is low,
#   with the advice to name the role that reads the secret.
# custom:
#   id: secretsmanager-resource-policy-scoped
#   severity: high
#   family: pod-identity
#   resourceTypes: [AWS::SecretsManager::ResourcePolicy]
#   inputs: [live, cloudformation, terraform]
#   guidance: "seeds/000_14fc47060cf8555c.txt lines 2919–2937"
#   rationale: A resource policy is the only thing between a secret and the principals of other accounts; "*" publishes it, and a whole foreign account lets every principal there that its own policies allow read the secret.
#   compliance:
#     nist-800-53: [AC-3, AC-6]
#   remediation:
#     summary: Name only the roles that read the secret (for example arn:aws:iam::<account>:role/<pod-identity-role>) of trusted accounts; for "*", add a StringEquals condition on aws:PrincipalAccount or aws:PrincipalOrgID.
#     automatic: false
package rampart.rules.secretsmanager.resource_policy_scoped

import data.rampart.lib

_policies := lib.resources("AWS::SecretsManager::ResourcePolicy")

_base := "/Properties/ResourcePolicy"

judged contains r._ref if some r in _policies

_doc(r) := json.unmarshal(r.properties.ResourcePolicy) if {
	is_string(r.properties.ResourcePolicy)
	json.is_valid(r.properties.ResourcePolicy)
} else := r.properties.ResourcePolicy

results contains lib.unknown(r, {
	"message": sprintf("The resource policy cannot be judged: %s.", [lib.unknown_reason(_doc(r))]),
	"pointer": _base,
	"key": "resource-policy",
}) if {
	some r in _policies
	lib.is_unknown(_doc(r))
}

_stmts contains [r, st] if {
	some r in _policies
	is_object(_doc(r))
	some st in lib.statements(_doc(r))
	lib.is_allow(st.s)
}

results contains lib.unknown(r, {
	"message": sprintf("Resource-policy %s cannot be judged: %s.", [_label_text(st), lib.first_unknown(st.s)]),
	"pointer": concat("", [_base, st.ptr]),
	"key": sprintf("statement:%s:unresolved", [_label(st)]),
}) if {
	some r in _policies
	is_object(_doc(r))
	some st in lib.statements(_doc(r))
	_unresolved_statement(st.s)
}

_unresolved_statement(s) if lib.is_unknown(s)

_unresolved_statement(s) if lib.is_unknown(s.Effect)

_unresolved_statement(s) if lib.is_unknown(s.Principal)

_unresolved_statement(s) if {
	lib.is_allow(s)
	_aws_unknown(s)
}

_label(st) := st.s.Sid if {
	is_string(st.s.Sid)
	st.s.Sid != ""
} else := trim_prefix(trim_prefix(st.ptr, "/Statement"), "/")

_label_text(st) := sprintf("statement \"%s\"", [_label(st)]) if _label(st) != ""

_label_text(st) := "statement" if _label(st) == ""

# --- principals ---------------------------------------------------------------------

_aws_principals(s) := [p | some p in lib.principal_values(s, "AWS"); not _aws_unknown(s)] if s.Principal

# A principal that is unresolved as a whole; a partly resolved one (Fn::Sub, with a
# template) is judged by the account in its template.
_aws_unknown(s) if {
	is_object(s.Principal)
	lib.is_unknown(s.Principal.AWS)
	not is_string(object.get(s.Principal.AWS, "template", null))
}

_aws_principals(s) := [] if not s.Principal

# _account(p) is "*", "SELF" (the policy's own account in a template), "UNKNOWN", or an
# account id: lib.principal_account, so an unresolved partition or region does not matter.
_account(p) := lib.principal_account(p)

# _trust(r, p): lib.account_trust, the account-trust decision every rule shares.
_trust(r, p) := lib.account_trust(r, _account(p))

_whole_account(p) if {
	is_string(p)
	regex.match(`^[0-9]{12}$`, p)
}

_whole_account(p) if {
	is_string(p)
	endswith(p, ":root")
}

_whole_account(p) if {
	lib.is_unknown(p)
	is_string(p.template)
	endswith(p.template, ":root")
}

_trusted_orgs := {o | some o in lib.param("trustedOrganizationIds", [])}

_text(p) := p if is_string(p)

_text(p) := p.template if is_string(p.template)

_text(p) := p["$ref"] if lib.is_ref(p)

_text(p) := json.marshal(p) if {
	not is_string(p)
	not is_string(object.get(p, "template", null))
	not lib.is_ref(p)
}

# _class(r, s, p) is "ok", "public", "untrusted", "account-root" or "unknown".
_class(r, s, p) := c if {
	_account(p) == "*"
	c := _public_class(r, s)
}

_class(r, _, p) := "unknown" if _trust(r, p) == "unknown"

_class(r, _, p) := "ok" if _trust(r, p) == "own"

_class(r, _, p) := "untrusted" if _trust(r, p) == "outside"

_class(r, _, p) := "account-root" if {
	_trust(r, p) == "trusted"
	_whole_account(p)
}

_class(r, _, p) := "ok" if {
	_trust(r, p) == "trusted"
	not _whole_account(p)
}

_limit_keys := {"aws:principalaccount", "aws:sourceaccount", "aws:principalorgid", "aws:sourceorgid"}

_limit_ops := {"StringEquals", "StringLike", "StringEqualsIgnoreCase"}

_limits(s) := [c |
	some c in lib.conditions(s)
	c.key in _limit_keys
	c.base in _limit_ops
	c.restricts
]

_limit_ok(r, c) if {
	c.key in {"aws:principalaccount", "aws:sourceaccount"}
	count(c.values) > 0
	every v in c.values {
		_account_value_ok(r, v)
	}
}

_limit_ok(_, c) if {
	c.key in {"aws:principalorgid", "aws:sourceorgid"}
	count(c.values) > 0
	every v in c.values {
		is_string(v)
		v in _trusted_orgs
	}
}

_account_value_ok(r, v) if _trust(r, v) in {"own", "trusted"}

_limit_unknown(c) if {
	some v in c.values
	_account(v) == "UNKNOWN"
}

_public_class(r, s) := "ok" if {
	some c in _limits(s)
	_limit_ok(r, c)
} else := "unknown" if {
	some c in _limits(s)
	_limit_unknown(c)
} else := "unknown" if lib.is_unknown(s.Condition)

else := "untrusted" if {
	count(_limits(s)) > 0
} else := "public"

_everyone(s) if s.NotPrincipal

_findings contains [r, st, class, _text(p)] if {
	some [r, st] in _stmts
	some p in _aws_principals(st.s)
	class := _class(r, st.s, p)
	class != "ok"
}

_findings contains [r, st, _public_class(r, st.s), "NotPrincipal"] if {
	some [r, st] in _stmts
	_everyone(st.s)
	_public_class(r, st.s) != "ok"
}

_names(r, st, class) := sort({_text(p) | some p in _aws_principals(st.s); _class(r, st.s, p) == class} | {"NotPrincipal" | _everyone(st.s); _public_class(r, st.s) == class})

_severity := {"public": "critical", "untrusted": "high", "account-root": "low"}

_message(st, "public", names) := sprintf("Resource-policy %s lets %s read the secret with no condition on aws:PrincipalAccount or aws:PrincipalOrgID: any AWS account can call it. Name the roles that read the secret, or add a StringEquals condition on aws:PrincipalAccount (or aws:PrincipalOrgID) with trusted accounts.", [_label_text(st), json.marshal(names)])

_message(st, "untrusted", names) := sprintf("Resource-policy %s grants %s, outside the secret's account and trustedAccounts (or limited by a condition to untrusted accounts or organizations). Remove the grant, or add the account to trustedAccounts if it is meant to read the secret.", [_label_text(st), json.marshal(names)])

_message(st, "account-root", names) := sprintf("Resource-policy %s grants the whole account %s: every principal there that its own IAM policies allow can read the secret. Name the role that reads it instead (for example the Pod Identity role, arn:aws:iam::<account>:role/<name>).", [_label_text(st), json.marshal(names)])

results contains lib.fail(r, {
	"message": _message(st, class, names),
	"pointer": concat("", [_base, st.ptr]),
	"key": sprintf("statement:%s:%s", [_label(st), class]),
	"severity": _severity[class],
	"evidence": st.s,
}) if {
	some [r, st, class, _] in _findings
	class != "unknown"
	names := _names(r, st, class)
}

results contains lib.unknown(r, {
	"message": sprintf("Whether resource-policy %s grants only trusted accounts cannot be judged: %s is not resolved.", [_label_text(st), json.marshal(names)]),
	"pointer": concat("", [_base, st.ptr]),
	"key": sprintf("statement:%s:unknown", [_label(st)]),
	"evidence": st.s,
}) if {
	some [r, st, "unknown", _] in _findings
	names := _names(r, st, "unknown")
}
