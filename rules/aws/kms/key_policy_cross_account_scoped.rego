# METADATA
# title: KMS key policies limit cross-account use to trusted accounts
# description: |
#   Every key-policy statement that lets any principal ("*") use the key must limit
#   the caller's account (kms:CallerAccount, aws:PrincipalAccount or
#   aws:PrincipalOrgID) to trusted accounts and should limit kms:ViaService to named
#   services. Principals of other accounts must be trusted, and no other account may
#   administer the key.
# custom:
#   id: kms-key-policy-cross-account-scoped
#   severity: critical
#   family: kms-cross-account
#   resourceTypes: [AWS::KMS::Key]
#   inputs: [live, cloudformation, terraform]
#   guidance: "seeds/000_14fc47060cf8555c.txt lines 2761–2866"
#   rationale: A key policy statement for "*" without an account condition lets every AWS account use the key, and a foreign account that can change the key policy or delete the key owns it in all but name.
#   compliance:
#     nist-800-53: [AC-3, AC-6, SC-12]
#   remediation:
#     summary: Add a StringEquals condition on kms:CallerAccount listing only the accounts that need the key (and kms:ViaService naming the service that uses it, e.g. secretsmanager.<region>.amazonaws.com); name only trusted accounts as principals; keep kms:* and key administration for the key's own account.
#     automatic: true
package rampart.rules.kms.key_policy_cross_account_scoped

import data.rampart.lib

# --- the policy document ---------------------------------------------------------

_policy(r) := p if {
	p := r.properties.KeyPolicy
	is_object(p)
	not lib.is_unknown(p)
}

_policy(r) := json.unmarshal(r.properties.KeyPolicy) if {
	is_string(r.properties.KeyPolicy)
	json.is_valid(r.properties.KeyPolicy)
}

_keys := [r | some r in lib.resources("AWS::KMS::Key")]

_stmts(r) := [s | some s in lib.statements(_policy(r)); lib.is_allow(s.s)]

_label(st, _) := sprintf("statement \"%s\"", [st.Sid]) if is_string(st.Sid)

_label(st, ptr) := sprintf("statement %s", [trim_prefix(ptr, "/Statement/")]) if not is_string(object.get(st, "Sid", null))

_key_of(st, _) := sprintf("statement:%s", [st.Sid]) if is_string(st.Sid)

_key_of(st, ptr) := sprintf("statement:%s", [trim_prefix(trim_prefix(ptr, "/Statement"), "/")]) if not is_string(object.get(st, "Sid", null))

# --- actions ------------------------------------------------------------------

_usage_actions := [
	"kms:encrypt", "kms:decrypt", "kms:reencryptfrom", "kms:reencryptto",
	"kms:generatedatakey", "kms:generatedatakeywithoutplaintext",
	"kms:generatedatakeypair", "kms:generatedatakeypairwithoutplaintext",
	"kms:creategrant",
]

_admin_actions := [
	"kms:putkeypolicy", "kms:schedulekeydeletion", "kms:disablekey",
	"kms:disablekeyrotation", "kms:deletealias", "kms:deleteimportedkeymaterial",
]

_uses_key(st) if {
	some a in _usage_actions
	lib.allows_action(st, a)
}

_administers(st) if {
	some a in _admin_actions
	lib.allows_action(st, a)
}

# Every KMS API action (lower case): names in a policy that are none of these and
# have no wildcard grant nothing.
_kms_actions := {
	"kms:cancelkeydeletion", "kms:connectcustomkeystore", "kms:createalias", "kms:createcustomkeystore",
	"kms:creategrant", "kms:createkey", "kms:decrypt", "kms:deletealias", "kms:deletecustomkeystore",
	"kms:deleteimportedkeymaterial", "kms:derivesharedsecret", "kms:describecustomkeystores",
	"kms:describekey", "kms:disablekey", "kms:disablekeyrotation", "kms:disconnectcustomkeystore",
	"kms:enablekey", "kms:enablekeyrotation", "kms:encrypt", "kms:generatedatakey",
	"kms:generatedatakeypair", "kms:generatedatakeypairwithoutplaintext",
	"kms:generatedatakeywithoutplaintext", "kms:generatemac", "kms:generaterandom",
	"kms:getkeypolicy", "kms:getkeyrotationstatus", "kms:getparametersforimport", "kms:getpublickey",
	"kms:importkeymaterial", "kms:listaliases", "kms:listgrants", "kms:listkeypolicies",
	"kms:listkeyrotations", "kms:listkeys", "kms:listresourcetags", "kms:listretirablegrants",
	"kms:putkeypolicy", "kms:reencryptfrom", "kms:reencryptto", "kms:replicatekey", "kms:retiregrant",
	"kms:revokegrant", "kms:rotatekeyondemand", "kms:schedulekeydeletion", "kms:sign",
	"kms:synchronizemultiregionkey", "kms:tagresource", "kms:untagresource", "kms:updatealias",
	"kms:updatecustomkeystore", "kms:updatekeydescription", "kms:updateprimaryregion", "kms:verify",
	"kms:verifymac",
}

_nonexistent(st) := [a |
	some a in lib.as_array(object.get(st, "Action", []))
	is_string(a)
	startswith(lower(a), "kms:")
	not lib.has_wildcard(a)
	not lower(a) in _kms_actions
]

_note(st) := {"nonexistentActions": n, "note": sprintf("%s are not KMS action names and grant nothing; the real names are longer (for example kms:DescribeKey, kms:ReEncryptFrom/ReEncryptTo): use the full names or a wildcard such as kms:Describe*", [concat(", ", n)])} if {
	n := _nonexistent(st)
	count(n) > 0
}

_note(st) := {} if count(_nonexistent(st)) == 0

_evidence(st) := object.union({"statement": st}, _note(st))

# --- principals and accounts --------------------------------------------------------

_aws_principals(st) := lib.principal_values(st, "AWS") if st.Principal

_aws_principals(st) := [] if not st.Principal

_public(st) if "*" in _aws_principals(st)

_public(st) if st.NotPrincipal

_trusted(r) := lib.trusted_accounts(r)

_trusted_orgs := {o | some o in lib.param("trustedOrganizationIds", [])}

# _own_accounts(r, st): accounts the statement can only take effect in as the key's
# own: the key's account when known, and the account of the key ARNs in Resource.
_own_accounts(r, st) := {a | a := r.account; is_string(a)} | {a |
	some x in lib.as_array(object.get(st, "Resource", []))
	is_string(x)
	startswith(x, "arn:")
	a := lib.account_of_arn(x)
	a != ""
	not lib.has_wildcard(a)
}

# Operator families (lib.condition_values: IfExists only where the key is in every request).
_limit_ops := {"StringEquals", "StringEqualsIgnoreCase", "StringLike"}

_caller_values(st) := array.concat(lib.condition_values(st, _limit_ops, "kms:CallerAccount"), lib.condition_values(st, _limit_ops, "aws:PrincipalAccount"))

_org_values(st) := lib.condition_values(st, _limit_ops, "aws:PrincipalOrgID")

_via_values(st) := lib.condition_values(st, _limit_ops, "kms:ViaService")

_bad_caller(r, v) if lib.account_trust(r, lib.principal_account(v)) == "outside"

_bad_caller(_, v) if {
	is_string(v)
	lib.has_wildcard(v)
}

_bad_org(v) if {
	is_string(v)
	not v in _trusted_orgs
}

_bad_org(v) if {
	is_string(v)
	lib.has_wildcard(v)
}

# _unresolved(v): an account value whose account part is not resolved (an unresolved
# partition or region elsewhere in it does not matter).
_unresolved(v) if lib.account_trust({}, lib.principal_account(v)) == "unknown"

_trusted_text(r) := sprintf("trustedAccounts [%s]", [concat(", ", sort(_trusted(r)))])

# --- (a) "*" principals that can use the key -----------------------------------------

_public_users(r) := [[s.ptr, s.s] | some s in _stmts(r); _public(s.s); _uses_key(s.s)]

results contains lib.fail(r, {
	"message": sprintf("Key policy %s lets any AWS principal (\"*\") use the key (%s) with no condition on kms:CallerAccount, aws:PrincipalAccount or aws:PrincipalOrgID, so every AWS account can use it. Add StringEquals on kms:CallerAccount listing the accounts that need the key (%s).", [_label(st, ptr), concat(", ", lib.actions(st)), _trusted_text(r)]),
	"pointer": concat("", ["/Properties/KeyPolicy", ptr]),
	"key": sprintf("%s:caller-account", [_key_of(st, ptr)]),
	"evidence": _evidence(st),
}) if {
	some r in _keys
	some [ptr, st] in _public_users(r)
	count(_caller_values(st)) == 0
	count(_org_values(st)) == 0
}

results contains lib.fail(r, {
	"message": sprintf("Key policy %s lets principals of accounts %s use the key through kms:CallerAccount / aws:PrincipalAccount, which are not in %s (or contain a wildcard). Remove them or add them to trustedAccounts if they are meant to use the key.", [_label(st, ptr), concat(", ", bad), _trusted_text(r)]),
	"pointer": concat("", ["/Properties/KeyPolicy", ptr, "/Condition"]),
	"key": sprintf("%s:caller-account", [_key_of(st, ptr)]),
	"evidence": _evidence(st),
}) if {
	some r in _keys
	some [ptr, st] in _public_users(r)
	bad := sort({v | some v in _caller_values(st); _bad_caller(r, v)})
	count(bad) > 0
}

results contains lib.fail(r, {
	"message": sprintf("Key policy %s lets principals of organizations %s use the key, which are not in trustedOrganizationIds [%s].", [_label(st, ptr), concat(", ", bad), concat(", ", sort(_trusted_orgs))]),
	"pointer": concat("", ["/Properties/KeyPolicy", ptr, "/Condition"]),
	"key": sprintf("%s:organization", [_key_of(st, ptr)]),
	"evidence": _evidence(st),
}) if {
	some r in _keys
	some [ptr, st] in _public_users(r)
	bad := sort({v | some v in _org_values(st); _bad_org(v)})
	count(bad) > 0
}

results contains lib.unknown(r, {
	"message": sprintf("Which accounts key policy %s lets use the key cannot be judged: a caller-account or organization condition value is unresolved (%s).", [_label(st, ptr), reason]),
	"pointer": concat("", ["/Properties/KeyPolicy", ptr, "/Condition"]),
	"key": sprintf("%s:caller-account", [_key_of(st, ptr)]),
}) if {
	some r in _keys
	some [ptr, st] in _public_users(r)
	vs := array.concat(_caller_values(st), _org_values(st))
	some v in vs
	_unresolved(v)
	reason := lib.unknown_reason(v)
	not _caller_fails(r, st)
}

_caller_fails(r, st) if {
	some v in _caller_values(st)
	_bad_caller(r, v)
}

_caller_fails(_, st) if {
	some v in _org_values(st)
	_bad_org(v)
}

results contains lib.fail(r, {
	"message": sprintf("Key policy %s lets any AWS principal (\"*\") use the key without limiting kms:ViaService to named services, so the trusted accounts can use the key directly, not only through the service it is meant for. Add a kms:ViaService condition such as secretsmanager.<region>.amazonaws.com.", [_label(st, ptr)]),
	"pointer": concat("", ["/Properties/KeyPolicy", ptr]),
	"key": sprintf("%s:via-service", [_key_of(st, ptr)]),
	"severity": "medium",
	"evidence": _evidence(st),
}) if {
	some r in _keys
	some [ptr, st] in _public_users(r)
	not _named_via(st)
}

_named_via(st) if {
	some v in _via_values(st)
	not _unnamed_service(v)
}

_unnamed_service(v) if v == "*"

_unnamed_service(v) if {
	is_string(v)
	startswith(v, "*")
}

# --- (b) principals of other accounts ------------------------------------------------

_named(st) := [p | some p in _aws_principals(st); p != "*"]

_ptext(p) := p if is_string(p)

_ptext(p) := p.template if is_string(p.template)

results contains lib.fail(r, {
	"message": sprintf("Key policy %s names principal %s of account %s, which is not in %s. Remove it, or add the account to trustedAccounts if it is meant to use the key.", [_label(st, ptr), _ptext(p), acct, _trusted_text(r)]),
	"pointer": concat("", ["/Properties/KeyPolicy", ptr, "/Principal"]),
	"key": sprintf("%s:principal:%s", [_key_of(st, ptr), acct]),
	"evidence": _evidence(st),
}) if {
	some r in _keys
	some s in _stmts(r)
	st := s.s
	ptr := s.ptr
	some p in _named(st)
	acct := lib.principal_account(p)
	lib.account_trust(r, acct) == "outside"
}

results contains lib.unknown(r, {
	"message": sprintf("Key policy %s names a principal that is unresolved (%s), so whether it is of a trusted account cannot be judged.", [_label(st, ptr), lib.unknown_reason(p)]),
	"pointer": concat("", ["/Properties/KeyPolicy", ptr, "/Principal"]),
	"key": sprintf("%s:principal", [_key_of(st, ptr)]),
}) if {
	some r in _keys
	some s in _stmts(r)
	st := s.s
	ptr := s.ptr
	some p in _named(st)
	_unresolved(p)
}

# --- (c) key administration by another account -------------------------------------

_grantee_accounts(st) := {a | some p in _named(st); a := lib.principal_account(p); not a in {"SELF", "UNKNOWN"}} | {a |
	_public(st)
	some v in _caller_values(st)
	a := lib.principal_account(v)
	not a in {"SELF", "UNKNOWN"}
}

results contains lib.fail(r, {
	"message": sprintf("Key policy %s lets account %s, which is not the key's own account (%s), administer the key (%s): another account must never get kms:* or key administration (PutKeyPolicy, ScheduleKeyDeletion, Disable*, Delete*). Grant it only the usage actions it needs.", [_label(st, ptr), acct, concat(", ", sort(own)), concat(", ", lib.actions(st))]),
	"pointer": concat("", ["/Properties/KeyPolicy", ptr, "/Action"]),
	"key": sprintf("%s:admin:%s", [_key_of(st, ptr), acct]),
	"evidence": _evidence(st),
}) if {
	some r in _keys
	some s in _stmts(r)
	st := s.s
	ptr := s.ptr
	_administers(st)
	own := _own_accounts(r, st)
	count(own) > 0
	some acct in _grantee_accounts(st)
	not acct in own
}

results contains lib.unknown(r, {
	"message": sprintf("Key policy %s lets account(s) %s administer the key, and whether they are the key's own account cannot be judged: the key's account is not known here and the statement's Resource does not name it.", [_label(st, ptr), concat(", ", sort(accts))]),
	"pointer": concat("", ["/Properties/KeyPolicy", ptr, "/Action"]),
	"key": sprintf("%s:admin", [_key_of(st, ptr)]),
	"evidence": _evidence(st),
}) if {
	some r in _keys
	some s in _stmts(r)
	st := s.s
	ptr := s.ptr
	_administers(st)
	count(_own_accounts(r, st)) == 0
	accts := {a | some a in _grantee_accounts(st); a in _trusted(r)}
	count(accts) > 0
}

# --- the policy itself unresolved -----------------------------------------------------

results contains lib.unknown(r, {
	"message": sprintf("The key policy cannot be judged: %s.", [_policy_reason(r)]),
	"pointer": "/Properties/KeyPolicy",
	"key": "key-policy",
}) if {
	some r in _keys
	_kp(r) != null
	not _policy(r)
}

results contains lib.unknown(r, {
	"message": sprintf("Key policy %s cannot be judged: %s.", [_label(s.s, s.ptr), reason]),
	"pointer": concat("", ["/Properties/KeyPolicy", s.ptr]),
	"key": sprintf("%s:unresolved", [_key_of(s.s, s.ptr)]),
}) if {
	some r in _keys
	some s in lib.statements(_policy(r))
	reason := lib.first_unknown([object.get(s.s, "Action", null), object.get(s.s, "NotAction", null), object.get(s.s, "Effect", null)])
}

_kp(r) := object.get(r.properties, "KeyPolicy", null)

_policy_reason(r) := lib.unknown_reason(_kp(r)) if lib.is_unknown(_kp(r))

_policy_reason(r) := "KeyPolicy is not a JSON policy document" if not lib.is_unknown(_kp(r))

judged contains r._ref if some r in _keys
