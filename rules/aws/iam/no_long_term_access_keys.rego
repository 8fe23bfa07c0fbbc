# METADATA
# title: IAM users have no active long-term access keys
# description: |
#   Active IAM user access keys are the long-term credentials that IAM Roles Anywhere
#   (and Pod Identity) replace with short-lived ones. Each active key is reported with
#   its age and last use (live), and each AWS::IAM::AccessKey that is not Inactive in a
#   template. Users listed in allowedUsers are exempt; keys older than
#   maxAccessKeyAgeDays are reported with high severity.
# custom:
#   id: iam-no-long-term-access-keys
#   severity: medium
#   family: trust-policies
#   resourceTypes: [AWS::IAM::AccessKey, AWS::IAM::User]
#   inputs: [live, cloudformation, terraform]
#   guidance: "seeds/000_14fc47060cf8555c.txt lines 7, 11, 23"
#   rationale: A long-term access key works until someone rotates or deletes it, wherever it was copied to; temporary credentials from Roles Anywhere expire on their own.
#   compliance:
#     nist-800-53: [AC-2, IA-5]
#   remediation:
#     summary: Move the workload to temporary credentials (IAM Roles Anywhere with an X.509 certificate outside AWS, an IAM role inside AWS), then deactivate and delete the key; list users that must keep a key in allowedUsers.
#     automatic: false
package rampart.rules.iam.no_long_term_access_keys

import data.rampart.lib

_keys := lib.resources("AWS::IAM::AccessKey")

_users := lib.by_key("AWS::IAM::User")

_allowed := {u | some u in lib.param("allowedUsers", [])}

_max_age := lib.param("maxAccessKeyAgeDays", 90)

judged contains r._ref if some r in _keys

_status(r) := object.get(r.properties, "Status", "Active")

# _user(r) is the key's user name: a string, the UserName of a referenced user, or the
# referenced logical id when that user has no name of its own.
_user(r) := u if {
	u := r.properties.UserName
	is_string(u)
}

_user(r) := n if {
	x := r.properties.UserName
	lib.is_ref(x)
	n := _ref_user_name(r, x)
}

_ref_user_name(r, x) := n if {
	n := _users[lib.ref_key(r, x)].properties.UserName
	is_string(n)
} else := x["$ref"]

_user_text(r) := sprintf("user \"%s\"", [_user(r)])

_user_text(r) := "an unresolved user" if not _user(r)

_exempt(r) if _user(r) in _allowed

_active(r) if {
	s := _status(r)
	is_string(s)
	s != "Inactive"
}

results contains lib.unknown(r, {
	"message": sprintf("The status of the access key of %s cannot be judged: %s.", [_user_text(r), lib.unknown_reason(_status(r))]),
	"pointer": "/Properties/Status",
	"key": "access-key",
}) if {
	some r in _keys
	lib.is_unknown(_status(r))
	not _exempt(r)
}

results contains lib.unknown(r, {
	"message": sprintf("The access key is active, but whether its user is one of allowedUsers cannot be judged: %s.", [lib.first_unknown(r.properties.UserName)]),
	"pointer": "/Properties/UserName",
	"key": "access-key",
}) if {
	some r in _keys
	_active(r)
	not _user(r)
	count(_allowed) > 0
}

results contains lib.fail(r, object.union(
	{
		"message": _message(r),
		"pointer": "/Properties/Status",
		"key": "access-key",
		"evidence": object.union({"UserName": _user_or_null(r), "Status": _status(r)}, object.get(r, "observed", {})),
	},
	_severity(r),
)) if {
	some r in _keys
	_active(r)
	not _exempt(r)
	_user_judgeable(r)
}

_user_judgeable(r) if _user(r)

_user_judgeable(_) if count(_allowed) == 0

_user_or_null(r) := _user(r)

_user_or_null(r) := null if not _user(r)

_old(r) if {
	age := r.observed.ageDays
	is_number(age)
	is_number(_max_age)
	age > _max_age
}

_severity(r) := {"severity": "high"} if _old(r)

_severity(r) := {} if not _old(r)

_message(r) := sprintf(
	"Access key %s of %s is active: a long-term credential. %s %s Replace it with temporary credentials (IAM Roles Anywhere outside AWS, an IAM role inside AWS), then deactivate and delete it, or list the user in allowedUsers.",
	[_key_id(r), _user_text(r), _age_text(r), _use_text(r)],
) if lib.is_live(r)

_message(r) := sprintf(
	"The template creates an active access key for %s: a long-term credential that works until someone rotates or deletes it. Use temporary credentials instead (IAM Roles Anywhere outside AWS, an IAM role inside AWS), or set Status: Inactive, or list the user in allowedUsers.",
	[_user_text(r)],
) if not lib.is_live(r)

_key_id(r) := sprintf("\"%s\"", [r.observed.AccessKeyId]) if is_string(r.observed.AccessKeyId)

_key_id(r) := sprintf("\"%s\"", [r.id]) if not is_string(object.get(object.get(r, "observed", {}), "AccessKeyId", null))

_obs(r, f) := object.get(object.get(r, "observed", {}), f, null)

_age_text(r) := sprintf("It was created %d days ago (%s), more than maxAccessKeyAgeDays (%d).", [_obs(r, "ageDays"), _date(_obs(r, "CreateDate")), _max_age]) if _old(r)

_age_text(r) := sprintf("It was created %d days ago (%s).", [_obs(r, "ageDays"), _date(_obs(r, "CreateDate"))]) if {
	not _old(r)
	is_number(_obs(r, "ageDays"))
}

_age_text(r) := sprintf("Its age is not known (%s).", [_reason(_obs(r, "ageDays"), "no creation date")]) if not is_number(_obs(r, "ageDays"))

_date(d) := d if is_string(d)

_date(d) := "date unknown" if not is_string(d)

_use_text(r) := sprintf("It was last used %d days ago (%s) with %s.", [_obs(r, "daysSinceLastUse"), _date(_obs(r, "LastUsedDate")), _service(_obs(r, "LastUsedService"))]) if {
	is_number(_obs(r, "daysSinceLastUse"))
}

_use_text(r) := "It has never been used: deactivate it." if {
	not is_number(_obs(r, "daysSinceLastUse"))
	_obs(r, "LastUsedDate") == null
	_obs(r, "daysSinceLastUse") == null
}

_use_text(r) := sprintf("Its last use is not known (%s).", [_reason(x, "not read")]) if {
	x := _obs(r, "daysSinceLastUse")
	not is_number(x)
	not _never(r)
}

_never(r) if {
	_obs(r, "LastUsedDate") == null
	_obs(r, "daysSinceLastUse") == null
}

_service(s) := s if is_string(s)

_service(s) := "an unknown service" if not is_string(s)

_reason(x, _) := lib.unknown_reason(x) if lib.is_unknown(x)

_reason(x, default_reason) := default_reason if not lib.is_unknown(x)
