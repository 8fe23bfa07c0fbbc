# METADATA
# title: WorkMail organizations require IAM Identity Center sign-in (MFA)
# description: |
#   A WorkMail organization's identity-provider configuration must use the
#   authentication mode IDENTITY_PROVIDER_ONLY with an IAM Identity Center instance
#   and application. The default, IDENTITY_PROVIDER_AND_DIRECTORY (or no
#   configuration at all), still lets web users sign in with a WorkMail password and no MFA.
# custom:
#   id: workmail-organization-mfa-enforced
#   severity: high
#   family: workmail-mfa
#   resourceTypes: [AWS::WorkMail::Organization]
#   inputs: [live]
#   guidance: "seeds/000_14fc47060cf8555c.txt lines 1856–1862, 1880–1885, 1925–1926, 1958–1967"
#   rationale: Until the WorkMail directory mode is switched off, web-app users can still sign in with a username and password alone, without MFA.
#   compliance:
#     nist-800-53: [IA-2(1), IA-2(2)]
#   remediation:
#     summary: Link every enabled WorkMail user to an IAM Identity Center user, test and notify users, then call PutIdentityProviderConfiguration with AuthenticationMode IDENTITY_PROVIDER_ONLY, sending back the current Identity Center and personal access token settings.
#     automatic: true
package rampart.rules.workmail.organization_mfa_enforced

import data.rampart.lib

_type := "AWS::WorkMail::Organization"

_default_mode := "IDENTITY_PROVIDER_AND_DIRECTORY"

# Organizations that are being deleted or failed to create are not judged.
_inactive_states := {"DELETED", "DELETING", "FAILED"}

_orgs contains r if {
	some r in lib.resources(_type)
	lib.is_live(r)
	not _inactive(r)
}

_inactive(r) if upper(r.properties.State) in _inactive_states

judged contains r._ref if some r in _orgs

_config(r) := object.get(r.properties, "IdentityProviderConfiguration", null)

_name(r) := n if {
	n := r.properties.Alias
	is_string(n)
} else := r.properties.OrganizationId if {
	is_string(r.properties.OrganizationId)
} else := r.id

_unlinked(r) := [u | some u in object.get(object.get(r, "observed", {}), "usersWithoutIdentityCenter", []); is_string(u)]

_unlinked_note(r) := sprintf(" %d enabled user(s) have no Identity Center user yet (%s): link them before switching, or they are locked out.", [count(_unlinked(r)), concat(", ", _unlinked(r))]) if {
	count(_unlinked(r)) > 0
} else := ""

# --- the configuration cannot be read --------------------------------------

results contains lib.unknown(r, {
	"message": sprintf("WorkMail organization %s: the identity-provider configuration cannot be judged: %s.", [_name(r), lib.unknown_reason(_config(r))]),
	"pointer": "/Properties/IdentityProviderConfiguration",
	"key": "configuration",
}) if {
	some r in _orgs
	lib.is_unknown(_config(r))
}

results contains lib.unknown(r, {
	"message": sprintf("WorkMail organization %s: AuthenticationMode cannot be judged: %s.", [_name(r), lib.unknown_reason(_config(r).AuthenticationMode)]),
	"pointer": "/Properties/IdentityProviderConfiguration/AuthenticationMode",
	"key": "authentication-mode",
}) if {
	some r in _orgs
	lib.is_unknown(_config(r).AuthenticationMode)
}

# --- no configuration: the default mode ------------------------------------

results contains lib.fail(r, {
	"message": sprintf("WorkMail organization %s has no IAM Identity Center configuration, so it uses the default authentication mode %s: web-app users sign in with a WorkMail password and no MFA. Integrate Identity Center, then set AuthenticationMode to IDENTITY_PROVIDER_ONLY.%s", [_name(r), _default_mode, _unlinked_note(r)]),
	"pointer": "/Properties/IdentityProviderConfiguration",
	"key": "authentication-mode",
	"evidence": {"IdentityProviderConfiguration": _config(r), "usersWithoutIdentityCenter": _unlinked(r)},
}) if {
	some r in _orgs
	_no_config(r)
}

_no_config(r) if is_null(_config(r))

_no_config(r) if {
	is_object(_config(r))
	not lib.is_unknown(_config(r))
	not _config(r).AuthenticationMode
}

# --- a mode other than Identity Center only --------------------------------

results contains lib.fail(r, {
	"message": sprintf("WorkMail organization %s uses AuthenticationMode %s: the WorkMail directory still accepts passwords without MFA. Set it to IDENTITY_PROVIDER_ONLY once users have Identity Center sign-in and personal access tokens.%s", [_name(r), mode, _unlinked_note(r)]),
	"pointer": "/Properties/IdentityProviderConfiguration/AuthenticationMode",
	"key": "authentication-mode",
	"evidence": {"AuthenticationMode": mode, "usersWithoutIdentityCenter": _unlinked(r)},
}) if {
	some r in _orgs
	mode := _config(r).AuthenticationMode
	is_string(mode)
	mode != "IDENTITY_PROVIDER_ONLY"
}

# --- Identity Center only, but no Identity Center instance/application ------

results contains lib.fail(r, {
	"message": sprintf("WorkMail organization %s is set to IDENTITY_PROVIDER_ONLY but IdentityCenterConfiguration.%s is missing: no Identity Center application enforces MFA. Set the Identity Center InstanceArn and ApplicationArn.", [_name(r), field]),
	"pointer": sprintf("/Properties/IdentityProviderConfiguration/IdentityCenterConfiguration/%s", [field]),
	"key": sprintf("identity-center:%s", [field]),
	"evidence": {"IdentityCenterConfiguration": object.get(_config(r), "IdentityCenterConfiguration", null)},
}) if {
	some r in _orgs
	_config(r).AuthenticationMode == "IDENTITY_PROVIDER_ONLY"
	some field in ["InstanceArn", "ApplicationArn"]
	_missing(object.get(object.get(_config(r), "IdentityCenterConfiguration", {}), field, null))
}

results contains lib.unknown(r, {
	"message": sprintf("WorkMail organization %s: IdentityCenterConfiguration.%s cannot be judged: %s.", [_name(r), field, lib.unknown_reason(v)]),
	"pointer": sprintf("/Properties/IdentityProviderConfiguration/IdentityCenterConfiguration/%s", [field]),
	"key": sprintf("identity-center:%s", [field]),
}) if {
	some r in _orgs
	_config(r).AuthenticationMode == "IDENTITY_PROVIDER_ONLY"
	some field in ["InstanceArn", "ApplicationArn"]
	v := object.get(object.get(_config(r), "IdentityCenterConfiguration", {}), field, null)
	lib.is_unknown(v)
}

_missing(v) if is_null(v)

_missing(v) if v == ""

_missing(v) if {
	not is_string(v)
	not lib.is_unknown(v)
	not is_null(v)
}
