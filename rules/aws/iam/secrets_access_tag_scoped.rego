# METADATA
# title: Pod Identity roles read secrets only through namespace and cluster tag conditions
# description: |
#   For every role trusted by pods.eks.amazonaws.com, each Allow of
#   secretsmanager:GetSecretValue (directly, by wildcard or through NotAction) in its inline
#   policies, attached managed policies and AWS::IAM::Policy resources must carry StringEquals
#   conditions tying secretsmanager:ResourceTag/kubernetes-namespace and
#   secretsmanager:ResourceTag/eks-cluster-name to the matching aws:PrincipalTag session tags.
#   High when the statement covers every secret, medium otherwise.
# custom:
#   id: iam-secrets-access-tag-scoped
#   severity: high
#   family: pod-identity
#   resourceTypes: [AWS::IAM::Role, AWS::IAM::Policy, AWS::IAM::ManagedPolicy]
#   inputs: [live, cloudformation, terraform]
#   guidance: "seeds/000_14fc47060cf8555c.txt lines 2628–2648, 2942–2968"
#   rationale: Without the tag conditions any pod of any namespace or cluster whose service account is associated with the role reads every secret the role can reach; the session tags EKS Pod Identity sets are what confine a pod to its own namespace's secrets.
#   compliance:
#     nist-800-53: [AC-3, AC-6, AC-16]
#   remediation:
#     summary: 'Add to each statement that allows secretsmanager:GetSecretValue a StringEquals condition with "secretsmanager:ResourceTag/kubernetes-namespace": "${aws:PrincipalTag/kubernetes-namespace}" and "secretsmanager:ResourceTag/eks-cluster-name": "${aws:PrincipalTag/eks-cluster-name}" (in a statement of its own when other actions share it), and tag the secrets accordingly.'
#     automatic: true
package rampart.rules.iam.secrets_access_tag_scoped

import data.rampart.lib

_service := "pods.eks.amazonaws.com"

_action := "secretsmanager:getsecretvalue"

_tags := ["kubernetes-namespace", "eks-cluster-name"]

# AWS managed policies known to allow secretsmanager:GetSecretValue on every secret.
_broad_aws_managed := `^arn:aws[a-z-]*:iam::aws:policy/(AdministratorAccess|PowerUserAccess|SecretsManagerReadWrite)$`

_pod_roles := [r |
	some r in lib.resources("AWS::IAM::Role")
	some st in lib.statements(r.properties.AssumeRolePolicyDocument)
	lib.trusts_service(st.s, _service)
]

_docs contains [r, d] if {
	some r in _pod_roles
	some d in lib.role_policy_documents(r)
}

judged contains r._ref if some r in _pod_roles

judged contains d.holder._ref if {
	some [_, d] in _docs
	d.doc
}

_role_name(r) := n if {
	n := r.properties.RoleName
	is_string(n)
} else := r.id

_label(st) := st.s.Sid if {
	is_string(st.s.Sid)
	st.s.Sid != ""
} else := trim_prefix(trim_prefix(st.ptr, "/Statement"), "/")

# _key(r, d, suffix): findings on the role name the document; on a policy, the role.
_key(r, d, suffix) := concat(":", [d.ptr, suffix]) if d.holder._ref == r._ref

_key(r, d, suffix) := concat(":", ["role", _role_name(r), d.ptr, suffix]) if d.holder._ref != r._ref

# --- documents that cannot be read ---------------------------------------------------

results contains lib.unknown(d.holder, {
	"message": sprintf("Whether Pod Identity role \"%s\" can read secrets without tag conditions cannot be judged: %s of the role cannot be read (%s).", [_role_name(r), d.label, d.unknown]),
	"pointer": d.ptr,
	"key": _key(r, d, "unresolved"),
}) if {
	some [r, d] in _docs
	d.unknown
}

results contains lib.fail(r, {
	"message": sprintf("Pod Identity role \"%s\" has the AWS managed policy %s attached, which allows secretsmanager:GetSecretValue on every secret without tag conditions: any pod associated with the role reads every secret of the account. Detach it and grant GetSecretValue in a policy with StringEquals conditions tying secretsmanager:ResourceTag/kubernetes-namespace and secretsmanager:ResourceTag/eks-cluster-name to ${aws:PrincipalTag/…}.", [_role_name(r), d.missing]),
	"pointer": d.ptr,
	"key": _key(r, d, "managed"),
	"evidence": {"managedPolicyArn": d.missing},
}) if {
	some [r, d] in _docs
	is_string(d.missing)
	regex.match(_broad_aws_managed, d.missing)
}

results contains lib.unknown(r, {
	"message": sprintf("Pod Identity role \"%s\" has %s attached, which is not in the input: whether it allows secretsmanager:GetSecretValue without tag conditions cannot be judged.", [_role_name(r), d.label]),
	"pointer": d.ptr,
	"key": _key(r, d, "managed"),
	"evidence": {"managedPolicy": d.missing},
}) if {
	some [r, d] in _docs
	d.missing
	not _known_broad(d.missing)
}

_known_broad(x) if {
	is_string(x)
	regex.match(_broad_aws_managed, x)
}

# --- statements -----------------------------------------------------------------

_statements contains [r, d, st] if {
	some [r, d] in _docs
	is_object(d.doc)
	some st in lib.statements(d.doc)
}

_action_unknown(s) if lib.is_unknown(s)

_action_unknown(s) if lib.is_unknown(s.Action)

_action_unknown(s) if {
	some a in lib.as_array(s.Action)
	lib.is_unknown(a)
}

_action_unknown(s) if lib.is_unknown(s.Effect)

results contains lib.unknown(d.holder, {
	"message": sprintf("Statement \"%s\" of %s (Pod Identity role \"%s\") cannot be judged for secretsmanager:GetSecretValue: %s.", [_label(st), d.label, _role_name(r), lib.first_unknown(st.s)]),
	"pointer": concat("", [d.ptr, st.ptr]),
	"key": _key(r, d, concat(":", ["statement", _label(st), "unresolved"])),
}) if {
	some [r, d, st] in _statements
	_action_unknown(st.s)
	not lib.allows_action(st.s, _action)
}

_grants contains [r, d, st] if {
	some [r, d, st] in _statements
	lib.allows_action(st.s, _action)
}

# _tag_state(s, tag) is "ok", "unknown" or a description of what is wrong.
_tag_state(s, _) := "unknown" if lib.is_unknown(s.Condition)

_tag_state(s, tag) := v if {
	not lib.is_unknown(object.get(s, "Condition", null))
	v := _cond_state(s, tag)
}

_tag_keys(tag) := {concat("", ["secretsmanager:resourcetag/", tag]), concat("", ["aws:resourcetag/", tag])}

_expected(tag) := lower(sprintf("${aws:PrincipalTag/%s}", [tag]))

_cond_state(s, tag) := "ok" if {
	some c in lib.conditions(s)
	lib.exact_match(c)
	c.key in _tag_keys(tag)
	count(c.values) > 0
	every v in c.values {
		is_string(v)
		lower(v) == _expected(tag)
	}
} else := "unknown" if {
	some c in lib.conditions(s)
	lib.exact_match(c)
	c.key in _tag_keys(tag)
	some v in c.values
	lib.is_unknown(v)
} else := "unknown" if {
	some _, block in s.Condition
	lib.is_unknown(block)
} else := sprintf("secretsmanager:ResourceTag/%s is %s", [tag, json.marshal([sprintf("%s %s", [c.op, json.marshal(c.values)]) |
	some c in lib.conditions(s)
	c.key in _tag_keys(tag)
])]) if {
	some c in lib.conditions(s)
	c.key in _tag_keys(tag)
} else := sprintf("secretsmanager:ResourceTag/%s is not conditioned", [tag])

_problems(s) := [p |
	some tag in _tags
	p := _tag_state(s, tag)
	p != "ok"
	p != "unknown"
]

_unknown_tags(s) := [tag |
	some tag in _tags
	_tag_state(s, tag) == "unknown"
]

_all_secrets_re := `^arn:[^:]*:secretsmanager:[^:]*:[^:]*:secret:\*$`

_every_secret(s) if s.NotResource

_every_secret(s) if {
	some v in lib.as_array(object.get(s, "Resource", []))
	is_string(v)
	v == "*"
}

_every_secret(s) if {
	some v in lib.as_array(object.get(s, "Resource", []))
	is_string(v)
	regex.match(_all_secrets_re, v)
}

_severity(s) := "high" if _every_secret(s)

_severity(s) := "medium" if not _every_secret(s)

_scope_text(s) := "on every secret" if _every_secret(s)

_scope_text(s) := sprintf("on %s", [json.marshal(object.get(s, "Resource", null))]) if not _every_secret(s)

results contains lib.fail(d.holder, {
	"message": sprintf(
		"Statement \"%s\" of %s lets Pod Identity role \"%s\" call secretsmanager:GetSecretValue %s, but %s: any pod of any namespace or cluster associated with the role can read these secrets. Add a StringEquals condition with \"secretsmanager:ResourceTag/kubernetes-namespace\": \"${aws:PrincipalTag/kubernetes-namespace}\" and \"secretsmanager:ResourceTag/eks-cluster-name\": \"${aws:PrincipalTag/eks-cluster-name}\".",
		[_label(st), d.label, _role_name(r), _scope_text(st.s), concat(" and ", problems)],
	),
	"pointer": concat("", [d.ptr, st.ptr]),
	"key": _key(r, d, concat(":", ["statement", _label(st), "tags"])),
	"severity": _severity(st.s),
	"evidence": st.s,
}) if {
	some [r, d, st] in _grants
	problems := _problems(st.s)
	count(problems) > 0
}

results contains lib.unknown(d.holder, {
	"message": sprintf("The tag conditions of statement \"%s\" of %s (Pod Identity role \"%s\") cannot be judged for %s: %s.", [_label(st), d.label, _role_name(r), concat(", ", unknown_tags), _reason(st.s)]),
	"pointer": concat("", [d.ptr, st.ptr, "/Condition"]),
	"key": _key(r, d, concat(":", ["statement", _label(st), "tags"])),
}) if {
	some [r, d, st] in _grants
	count(_problems(st.s)) == 0
	unknown_tags := _unknown_tags(st.s)
	count(unknown_tags) > 0
}

_reason(s) := lib.first_unknown(s.Condition) if lib.first_unknown(s.Condition)

_reason(s) := "unresolved" if not lib.first_unknown(object.get(s, "Condition", null))
