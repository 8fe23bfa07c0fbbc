# METADATA
# title: Pod Identity trust policies allow sts:AssumeRole and sts:TagSession and nothing broader
# description: |
#   A trust-policy statement that trusts pods.eks.amazonaws.com must allow sts:AssumeRole
#   and sts:TagSession: without sts:TagSession, EKS Pod Identity cannot attach the session
#   tags (eks-cluster-name, kubernetes-namespace, …) that tag conditions rely on. A wildcard
#   such as sts:* or *, or NotAction, allows more than the service needs.
# custom:
#   id: iam-pod-identity-trust-actions
#   severity: medium
#   family: pod-identity
#   resourceTypes: [AWS::IAM::Role]
#   inputs: [live, cloudformation, terraform]
#   guidance: "seeds/000_14fc47060cf8555c.txt lines 2650–2670, 2981–2995"
#   rationale: EKS Pod Identity needs sts:AssumeRole and sts:TagSession; without the session tags, tag-based conditions on secrets cannot match, and a wildcard grants more than least privilege allows.
#   compliance:
#     nist-800-53: [AC-3, AC-6]
#   remediation:
#     summary: List exactly sts:AssumeRole and sts:TagSession in the Action of the statement that trusts pods.eks.amazonaws.com.
#     automatic: true
package rampart.rules.iam.pod_identity_trust_actions

import data.rampart.lib

_service := "pods.eks.amazonaws.com"

_required := ["sts:AssumeRole", "sts:TagSession"]

# Actions a trust policy for this service has no use for: a pattern matching one is too broad.
_probes := [
	"sts:SetSourceIdentity", "sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity", "sts:AssumeRoot",
	"sts:GetFederationToken", "sts:GetSessionToken", "sts:DecodeAuthorizationMessage",
	"sts:GetCallerIdentity", "sts:GetAccessKeyInfo", "sts:SetContext",
	"sts:GetServiceBearerToken", "iam:PassRole", "s3:GetObject",
]

_base := "/Properties/AssumeRolePolicyDocument"

_trusting(r) := [st |
	some st in lib.statements(r.properties.AssumeRolePolicyDocument)
	lib.trusts_service(st.s, _service)
]

judged contains r._ref if {
	some r in lib.resources("AWS::IAM::Role")
	count(_trusting(r)) > 0
}

_label(st) := st.s.Sid if {
	is_string(st.s.Sid)
	st.s.Sid != ""
} else := trim_prefix(trim_prefix(st.ptr, "/Statement"), "/")

_label_text(st) := sprintf("statement \"%s\"", [_label(st)]) if _label(st) != ""

_label_text(st) := "statement" if _label(st) == ""

_action_unknown(s) if lib.is_unknown(s.Action)

_action_unknown(s) if {
	some a in lib.as_array(s.Action)
	lib.is_unknown(a)
}

_missing(s) := [a |
	some a in _required
	not lib.allows_action(s, lower(a))
]

_broad(s) := [p |
	some p in lib.as_array(s.Action)
	is_string(p)
	lib.has_wildcard(p)
	some probe in _probes
	lib.wildcard_match(p, probe)
]

results contains lib.unknown(r, {
	"message": sprintf("The Action of trust-policy %s cannot be judged: %s.", [_label_text(st), lib.first_unknown(st.s.Action)]),
	"pointer": concat("", [_base, st.ptr, "/Action"]),
	"key": sprintf("statement:%s:actions", [_label(st)]),
}) if {
	some r in lib.resources("AWS::IAM::Role")
	some st in _trusting(r)
	_action_unknown(st.s)
}

results contains lib.fail(r, {
	"message": sprintf(
		"Trust-policy %s trusts pods.eks.amazonaws.com but does not allow %s: EKS Pod Identity cannot assume the role with the session tags (eks-cluster-name, kubernetes-namespace) that tag conditions rely on. Allow sts:AssumeRole and sts:TagSession.",
		[_label_text(st), concat(", ", missing)],
	),
	"pointer": concat("", [_base, st.ptr]),
	"key": sprintf("statement:%s:missing-actions", [_label(st)]),
	"evidence": st.s,
}) if {
	some r in lib.resources("AWS::IAM::Role")
	some st in _trusting(r)
	not _action_unknown(st.s)
	missing := _missing(st.s)
	count(missing) > 0
}

results contains lib.fail(r, {
	"message": sprintf(
		"Trust-policy %s lets pods.eks.amazonaws.com perform %s, more than it needs. Replace it with exactly sts:AssumeRole and sts:TagSession.",
		[_label_text(st), concat(", ", sort({sprintf("\"%s\"", [p]) | some p in broad}))],
	),
	"pointer": concat("", [_base, st.ptr, "/Action"]),
	"key": sprintf("statement:%s:broad-actions", [_label(st)]),
	"evidence": st.s,
}) if {
	some r in lib.resources("AWS::IAM::Role")
	some st in _trusting(r)
	broad := _broad(st.s)
	count(broad) > 0
}

results contains lib.fail(r, {
	"message": sprintf(
		"Trust-policy %s lets pods.eks.amazonaws.com perform every action except those in NotAction %s. Use Action with exactly sts:AssumeRole and sts:TagSession.",
		[_label_text(st), json.marshal(st.s.NotAction)],
	),
	"pointer": concat("", [_base, st.ptr, "/NotAction"]),
	"key": sprintf("statement:%s:broad-actions", [_label(st)]),
	"evidence": st.s,
}) if {
	some r in lib.resources("AWS::IAM::Role")
	some st in _trusting(r)
	st.s.NotAction
}
