# METADATA
# title: WorkMail personal access tokens are active and short-lived
# description: |
#   For a WorkMail organization integrated with IAM Identity Center, personal access
#   tokens are ACTIVE when the organization is Identity Center only (desktop and mobile
#   clients cannot sign in otherwise), and an active token lifetime is at most
#   maxTokenLifetimeDays (365 by default).
# custom:
#   id: workmail-personal-access-tokens-bounded
#   severity: low
#   family: workmail-mfa
#   resourceTypes: [AWS::WorkMail::Organization]
#   inputs: [live]
#   guidance: "seeds/000_14fc47060cf8555c.txt lines 1857–1858, 1927–1928, 1944–1957"
#   rationale: Personal access tokens replace passwords for desktop and mobile clients once MFA is enforced; tokens that live for years are long-term credentials again.
#   compliance:
#     nist-800-53: [IA-5]
#   remediation:
#     summary: Call PutIdentityProviderConfiguration with the current mode and Identity Center settings and PersonalAccessTokenConfiguration {Status ACTIVE, LifetimeInDays at most maxTokenLifetimeDays}.
#     automatic: false
package rampart.rules.workmail.personal_access_tokens_bounded

import data.rampart.lib

_type := "AWS::WorkMail::Organization"

_inactive_states := {"DELETED", "DELETING", "FAILED"}

_max_days := lib.param("maxTokenLifetimeDays", 365)

_ptr := "/Properties/IdentityProviderConfiguration/PersonalAccessTokenConfiguration"

_config(r) := object.get(r.properties, "IdentityProviderConfiguration", null)

# Only organizations with an Identity Center integration have tokens to judge.
_orgs contains r if {
	some r in lib.resources(_type)
	lib.is_live(r)
	not upper(object.get(r.properties, "State", "ACTIVE")) in _inactive_states
	is_object(_config(r))
	not lib.is_unknown(_config(r))
	_config(r).AuthenticationMode
}

judged contains r._ref if some r in _orgs

_name(r) := n if {
	n := r.properties.Alias
	is_string(n)
} else := r.properties.OrganizationId if {
	is_string(r.properties.OrganizationId)
} else := r.id

_pat(r) := object.get(_config(r), "PersonalAccessTokenConfiguration", null)

_status(r) := object.get(_pat(r), "Status", null) if is_object(_pat(r))

_status(r) := null if not is_object(_pat(r))

_lifetime(r) := object.get(_pat(r), "LifetimeInDays", null) if is_object(_pat(r))

# --- unknowns ----------------------------------------------------------------

results contains lib.unknown(r, {
	"message": sprintf("WorkMail organization %s: the personal access token configuration cannot be judged: %s.", [_name(r), reason]),
	"pointer": _ptr,
	"key": "status",
}) if {
	some r in _orgs
	some v in [_pat(r), _status(r), _config(r).AuthenticationMode]
	lib.is_unknown(v)
	reason := lib.unknown_reason(v)
}

results contains lib.unknown(r, {
	"message": sprintf("WorkMail organization %s: the personal access token lifetime cannot be judged: %s.", [_name(r), reason]),
	"pointer": concat("", [_ptr, "/LifetimeInDays"]),
	"key": "lifetime",
}) if {
	some r in _orgs
	_status(r) == "ACTIVE"
	reason := _lifetime_unknown(_lifetime(r))
}

_lifetime_unknown(v) := lib.unknown_reason(v) if lib.is_unknown(v)

_lifetime_unknown(v) := "LifetimeInDays was not reported" if is_null(v)

# --- Identity Center only, tokens off ----------------------------------------

results contains lib.fail(r, {
	"message": sprintf("WorkMail organization %s is Identity Center only but personal access tokens are %s: desktop and mobile email clients cannot sign in. Set PersonalAccessTokenConfiguration.Status to ACTIVE with LifetimeInDays at most %v.", [_name(r), _status_text(r), _max_days]),
	"pointer": _ptr,
	"key": "status",
	"evidence": {"AuthenticationMode": "IDENTITY_PROVIDER_ONLY", "PersonalAccessTokenConfiguration": _pat(r)},
}) if {
	some r in _orgs
	_config(r).AuthenticationMode == "IDENTITY_PROVIDER_ONLY"
	not lib.is_unknown(_pat(r))
	not lib.is_unknown(_status(r))
	_status(r) != "ACTIVE"
}

_status_text(r) := _status(r) if is_string(_status(r))

_status_text(r) := "not configured" if not is_string(_status(r))

# --- tokens live too long ------------------------------------------------------

results contains lib.fail(r, {
	"message": sprintf("WorkMail organization %s lets personal access tokens live %v days, more than the allowed %v: a leaked token stays usable that long. Lower LifetimeInDays to at most %v.", [_name(r), days, _max_days, _max_days]),
	"pointer": concat("", [_ptr, "/LifetimeInDays"]),
	"key": "lifetime",
	"evidence": _pat(r),
}) if {
	some r in _orgs
	_status(r) == "ACTIVE"
	days := _lifetime(r)
	is_number(days)
	days > _max_days
}
