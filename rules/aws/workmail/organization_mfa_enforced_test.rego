package rampart.rules.workmail.organization_mfa_enforced_test

import data.rampart.rules.workmail.organization_mfa_enforced as rule

_org_id := "m-0123456789abcdef0123456789abcdef"

_idc := {
	"InstanceArn": "arn:aws:sso:::instance/ssoins-1234567890abcdef",
	"ApplicationArn": "arn:aws:sso::111122223333:application/ssoins-1234567890abcdef/apl-1234567890abcdef",
}

_org(config, observed) := {
	"_ref": "org",
	"type": "AWS::WorkMail::Organization",
	"id": sprintf("arn:aws:workmail:us-east-1:111122223333:organization/%s", [_org_id]),
	"account": "111122223333",
	"region": "us-east-1",
	"tags": {},
	"properties": object.union(
		{"OrganizationId": _org_id, "Alias": "example-corp", "State": "Active"},
		{"IdentityProviderConfiguration": config},
	),
	"observed": observed,
	"source": {"kind": "aws", "account": "111122223333", "region": "us-east-1"},
}

_input(r) := {"byType": {"AWS::WorkMail::Organization": [r]}}

_statuses(res) := [x.status | some x in res]

# Article, lines 1925–1928: after Identity Center is integrated, "The default
# Authentication mode is set to WorkMail directory and Identity center. Don't change
# this yet … This will allow WorkMail web-app users to continue to login … without MFA",
# with personal access tokens active for 365 days. That is not MFA-only: it fails.
test_article_default_mode_after_integration_fails if {
	cfg := {
		"AuthenticationMode": "IDENTITY_PROVIDER_AND_DIRECTORY",
		"IdentityCenterConfiguration": _idc,
		"PersonalAccessTokenConfiguration": {"Status": "ACTIVE", "LifetimeInDays": 365},
	}
	res := rule.results with input as _input(_org(cfg, {}))
	count(res) == 1
	some f in res
	f.status == "fail"
	f.key == "authentication-mode"
	f.pointer == "/Properties/IdentityProviderConfiguration/AuthenticationMode"
	contains(f.message, "IDENTITY_PROVIDER_AND_DIRECTORY")
	contains(f.message, "example-corp")
	rule.judged == {"org"} with input as _input(_org(cfg, {}))
}

# Article, lines 1966–1967: "Switch WorkMail Authentication Mode to Identity Center
# only … disable the WorkMail directory Authentication mode": passes.
test_article_identity_center_only_passes if {
	cfg := {
		"AuthenticationMode": "IDENTITY_PROVIDER_ONLY",
		"IdentityCenterConfiguration": _idc,
		"PersonalAccessTokenConfiguration": {"Status": "ACTIVE", "LifetimeInDays": 365},
	}
	count(rule.results) == 0 with input as _input(_org(cfg, {}))
	rule.judged == {"org"} with input as _input(_org(cfg, {}))
}

# Article, lines 1846–1849: the default set-up (username and password only, no
# Identity Center at all) fails.
test_article_no_identity_center_fails if {
	res := rule.results with input as _input(_org(null, {}))
	_statuses(res) == ["fail"]
	some f in res
	f.pointer == "/Properties/IdentityProviderConfiguration"
	contains(f.message, "no IAM Identity Center configuration")
}

test_empty_configuration_object_fails if {
	res := rule.results with input as _input(_org({}, {}))
	_statuses(res) == ["fail"]
}

test_users_without_identity_center_are_named if {
	cfg := {"AuthenticationMode": "IDENTITY_PROVIDER_AND_DIRECTORY", "IdentityCenterConfiguration": _idc}
	res := rule.results with input as _input(_org(cfg, {"usersWithoutIdentityCenter": ["alice", "bob"]}))
	some f in res
	contains(f.message, "2 enabled user(s)")
	contains(f.message, "alice, bob")
	f.evidence.usersWithoutIdentityCenter == ["alice", "bob"]
}

test_identity_center_only_without_application_fails if {
	cfg := {
		"AuthenticationMode": "IDENTITY_PROVIDER_ONLY",
		"IdentityCenterConfiguration": {"InstanceArn": _idc.InstanceArn},
	}
	res := rule.results with input as _input(_org(cfg, {}))
	count(res) == 1
	some f in res
	f.status == "fail"
	f.key == "identity-center:ApplicationArn"
}

test_identity_center_only_without_configuration_fails_twice if {
	cfg := {"AuthenticationMode": "IDENTITY_PROVIDER_ONLY", "IdentityCenterConfiguration": {"InstanceArn": "", "ApplicationArn": 7}}
	res := rule.results with input as _input(_org(cfg, {}))
	{f.key | some f in res} == {"identity-center:InstanceArn", "identity-center:ApplicationArn"}
}

test_unknown_configuration if {
	res := rule.results with input as _input(_org({"$unknown": "workmail:DescribeIdentityProviderConfiguration denied"}, {}))
	_statuses(res) == ["unknown"]
	some f in res
	contains(f.message, "denied")
}

test_unknown_mode if {
	res := rule.results with input as _input(_org({"AuthenticationMode": {"$unknown": "not returned"}}, {}))
	_statuses(res) == ["unknown"]
}

test_unknown_identity_center_arn if {
	cfg := {"AuthenticationMode": "IDENTITY_PROVIDER_ONLY", "IdentityCenterConfiguration": {"InstanceArn": _idc.InstanceArn, "ApplicationArn": {"$unknown": "x"}}}
	res := rule.results with input as _input(_org(cfg, {}))
	_statuses(res) == ["unknown"]
}

test_deleted_organization_not_judged if {
	r := json.patch(_org(null, {}), [{"op": "replace", "path": "/properties/State", "value": "Deleted"}])
	count(rule.results) == 0 with input as _input(r)
	count(rule.judged) == 0 with input as _input(r)
}

test_template_resource_not_judged if {
	r := json.patch(_org(null, {}), [{"op": "replace", "path": "/source", "value": {"kind": "cloudformation", "file": "t.yaml"}}])
	count(rule.results) == 0 with input as _input(r)
}

test_name_falls_back_to_organization_id if {
	r := json.remove(_org(null, {}), ["properties/Alias"])
	some f in rule.results with input as _input(r)
	contains(f.message, _org_id)
}

test_name_falls_back_to_id if {
	r := json.remove(_org(null, {}), ["properties/Alias", "properties/OrganizationId"])
	some f in rule.results with input as _input(r)
	contains(f.message, "arn:aws:workmail")
}
