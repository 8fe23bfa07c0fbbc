# METADATA
# title: Secrets shared with other accounts are encrypted with a customer managed key
# description: |
#   A secret whose resource policy grants another account (a principal of a foreign
#   account, or "*") must be encrypted with a customer managed KMS key: KmsKeyId set and
#   not alias/aws/secretsmanager. With the AWS managed key the other account cannot
#   decrypt the secret, because that key's policy cannot be changed.
# custom:
#   id: secretsmanager-cross-account-cmk
#   severity: medium
#   family: pod-identity
#   resourceTypes: [AWS::SecretsManager::Secret, AWS::SecretsManager::ResourcePolicy]
#   inputs: [live, cloudformation, terraform]
#   guidance: "seeds/000_14fc47060cf8555c.txt lines 2761, 2901–2907"
#   rationale: The AWS managed key aws/secretsmanager can only be used by the secret's own account, so a cross-account grant on a secret encrypted with it does not work and invites ad-hoc workarounds such as copying the secret.
#   compliance:
#     nist-800-53: [SC-12, SC-28]
#   remediation:
#     summary: Create a customer managed KMS key whose key policy lets the other account decrypt through Secrets Manager (kms:ViaService, kms:CallerAccount), and set it as the secret's KmsKeyId.
#     automatic: false
package rampart.rules.secretsmanager.cross_account_cmk

import data.rampart.lib

_secret_type := "AWS::SecretsManager::Secret"

_secrets := lib.by_key(_secret_type)

# Secrets of a template by Name, for a SecretId given as a name.
_secrets_by_name[k] contains s if {
	some s in lib.resources(_secret_type)
	n := s.properties.Name
	is_string(n)
	k := lib.join_key(s, n)
}

_policies := lib.resources("AWS::SecretsManager::ResourcePolicy")

_secrets_of(rp) := {s |
	s := _secrets[lib.ref_key(rp, rp.properties.SecretId)]
} | {s |
	is_string(rp.properties.SecretId)
	some s in _secrets_by_name[lib.join_key(rp, rp.properties.SecretId)]
}

_doc(rp) := json.unmarshal(rp.properties.ResourcePolicy) if {
	is_string(rp.properties.ResourcePolicy)
	json.is_valid(rp.properties.ResourcePolicy)
} else := rp.properties.ResourcePolicy

# --- who the policy grants -------------------------------------------------------

# _grant(rp) is "foreign" (certainly another account), "maybe" (an account the input
# cannot place) or undefined (only the secret's own account).
_grant(rp) := "foreign" if count(_foreign(rp)) > 0

_grant(rp) := "maybe" if {
	count(_foreign(rp)) == 0
	count(_maybe(rp)) > 0
}

_allow_stmts(rp) := [st |
	is_object(_doc(rp))
	some st in lib.statements(_doc(rp))
	lib.is_allow(st.s)
]

_principals(s) := lib.principal_values(s, "AWS") if is_object(s.Principal)

_principals(s) := ["*"] if s.Principal == "*"

_principals(s) := ["*"] if s.NotPrincipal

_principals(s) := [] if {
	not s.Principal
	not s.NotPrincipal
}

_foreign(rp) := {_text(p) |
	some st in _allow_stmts(rp)
	some p in _principals(st.s)
	_account(rp, p) == "foreign"
}

_maybe(rp) := ({_text(p) |
	some st in _allow_stmts(rp)
	some p in _principals(st.s)
	_account(rp, p) == "maybe"
} | {"the resource policy" | lib.is_unknown(_doc(rp))}) | {"a statement" |
	is_object(_doc(rp))
	some st in lib.statements(_doc(rp))
	_unresolved(st.s)
}

_unresolved(s) if lib.is_unknown(s)

_unresolved(s) if lib.is_unknown(s.Principal)

_unresolved(s) if lib.is_unknown(s.Effect)

# _account(rp, p): "own", "foreign" or "maybe", decided by lib.other_account (the
# account-trust decision every rule shares): without --account a literal account that
# is not in trustedAccounts is another account; a trusted one may be the template's own.
_account(rp, p) := {"no": "own", "yes": "foreign", "maybe": "maybe"}[lib.other_account(rp, lib.principal_account(p))]

_text(p) := p if is_string(p)

_text(p) := p.template if is_string(p.template)

_text(p) := p["$ref"] if lib.is_ref(p)

_text(p) := "an unresolved principal" if {
	not is_string(p)
	not is_string(object.get(p, "template", null))
	not lib.is_ref(p)
}

# --- the secret's key -----------------------------------------------------------------

# _kms(s) is "cmk", "default" or "unknown".
_kms(s) := "unknown" if lib.is_unknown(s.properties.KmsKeyId)

_kms(s) := "default" if object.get(s.properties, "KmsKeyId", null) in {null, ""}

_kms(s) := "default" if {
	k := s.properties.KmsKeyId
	is_string(k)
	k != ""
	_aws_managed_alias(k)
}

_kms(s) := "cmk" if {
	k := s.properties.KmsKeyId
	is_string(k)
	k != ""
	not _aws_managed_alias(k)
}

_kms(s) := "cmk" if lib.is_ref(s.properties.KmsKeyId)

_aws_managed_alias(k) if lower(k) == "alias/aws/secretsmanager"

_aws_managed_alias(k) if endswith(lower(k), ":alias/aws/secretsmanager")

_key_text(s) := sprintf("the AWS managed key (KmsKeyId %s)", [s.properties.KmsKeyId]) if is_string(s.properties.KmsKeyId)

_key_text(s) := "the AWS managed key aws/secretsmanager (no KmsKeyId)" if not is_string(object.get(s.properties, "KmsKeyId", null))

# --- results --------------------------------------------------------------------------

_pairs contains [rp, s] if {
	some rp in _policies
	some s in _secrets_of(rp)
}

judged contains s._ref if some [_, s] in _pairs

judged contains rp._ref if {
	some rp in _policies
	count(_secrets_of(rp)) == 0
	_grant(rp)
}

_name(s) := n if {
	n := s.properties.Name
	is_string(n)
} else := s.id

results contains lib.fail(s, {
	"message": sprintf("Secret \"%s\" is shared with other accounts by its resource policy (%s) but is encrypted with %s: the other accounts cannot decrypt it, because the AWS managed key's policy cannot grant them. Encrypt the secret with a customer managed KMS key whose key policy lets those accounts decrypt through Secrets Manager, and set it as KmsKeyId.", [_name(s), concat(", ", sort(_foreign(rp))), _key_text(s)]),
	"pointer": "/Properties/KmsKeyId",
	"key": "kms-key",
	"evidence": {"KmsKeyId": object.get(s.properties, "KmsKeyId", null), "resourcePolicy": rp.id, "foreignPrincipals": sort(_foreign(rp))},
}) if {
	some [rp, s] in _pairs
	_grant(rp) == "foreign"
	_kms(s) == "default"
}

results contains lib.unknown(s, {
	"message": sprintf("Whether secret \"%s\" needs a customer managed key cannot be judged: its resource policy grants %s, whose account is not known to be the secret's own, and it is encrypted with %s.", [_name(s), concat(", ", sort(_maybe(rp))), _key_text(s)]),
	"pointer": "/Properties/KmsKeyId",
	"key": "kms-key",
	"evidence": {"KmsKeyId": object.get(s.properties, "KmsKeyId", null), "resourcePolicy": rp.id},
}) if {
	some [rp, s] in _pairs
	_grant(rp) == "maybe"
	_kms(s) == "default"
}

results contains lib.unknown(s, {
	"message": sprintf("Secret \"%s\" is shared by its resource policy (%s), but its KmsKeyId cannot be judged: %s.", [_name(s), concat(", ", sort(_foreign(rp) | _maybe(rp))), lib.unknown_reason(s.properties.KmsKeyId)]),
	"pointer": "/Properties/KmsKeyId",
	"key": "kms-key",
}) if {
	some [rp, s] in _pairs
	_grant(rp)
	_kms(s) == "unknown"
}

results contains lib.unknown(rp, {
	"message": sprintf("The resource policy grants other accounts (%s), but its secret %s is not in the input: whether the secret is encrypted with a customer managed key cannot be judged.", [concat(", ", sort(_foreign(rp) | _maybe(rp))), _secret_text(object.get(rp.properties, "SecretId", null))]),
	"pointer": "/Properties/SecretId",
	"key": "secret",
}) if {
	some rp in _policies
	count(_secrets_of(rp)) == 0
	_grant(rp)
}

_secret_text(x) := x if is_string(x)

_secret_text(x) := x["$ref"] if lib.is_ref(x)

_secret_text(x) := lib.unknown_reason(x) if lib.is_unknown(x)

_secret_text(x) := "(none)" if x == null
