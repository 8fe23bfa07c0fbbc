package rampart.rules.workmail.personal_access_tokens_bounded_test

import data.rampart.rules.workmail.personal_access_tokens_bounded as rule

_idc := {
	"InstanceArn": "arn:aws:sso:::instance/ssoins-1234567890abcdef",
	"ApplicationArn": "arn:aws:sso::111122223333:application/ssoins-1234567890abcdef/apl-1234567890abcdef",
}

_org(config) := {
	"_ref": "org",
	"type": "AWS::WorkMail::Organization",
	"id": "arn:aws:workmail:us-east-1:111122223333:organization/m-0123456789abcdef0123456789abcdef",
	"account": "111122223333",
	"region": "us-east-1",
	"tags": {},
	"properties": {
		"OrganizationId": "m-0123456789abcdef0123456789abcdef",
		"Alias": "example-corp",
		"State": "Active",
		"IdentityProviderConfiguration": config,
	},
	"source": {"kind": "aws", "account": "111122223333", "region": "us-east-1"},
}

_input(r) := {"byType": {"AWS::WorkMail::Organization": [r]}}

_cfg(mode, pat) := {"AuthenticationMode": mode, "IdentityCenterConfiguration": _idc, "PersonalAccessTokenConfiguration": pat}

_statuses(res) := [x.status | some x in res]

# Article, lines 1927–1928: "The Personal access token configuration default is set
# to active, and token lifespan set to 365 days": within the default bound.
test_article_default_tokens_pass if {
	cfg := _cfg("IDENTITY_PROVIDER_AND_DIRECTORY", {"Status": "ACTIVE", "LifetimeInDays": 365})
	count(rule.results) == 0 with input as _input(_org(cfg)) with data.config.params as {}
	rule.judged == {"org"} with input as _input(_org(cfg)) with data.config.params as {}
}

# Article, lines 1944–1957, 1966–1967: Identity Center only, clients use tokens.
test_article_identity_center_only_with_tokens_passes if {
	cfg := _cfg("IDENTITY_PROVIDER_ONLY", {"Status": "ACTIVE", "LifetimeInDays": 365})
	count(rule.results) == 0 with input as _input(_org(cfg)) with data.config.params as {}
}

test_identity_center_only_tokens_inactive_fails if {
	cfg := _cfg("IDENTITY_PROVIDER_ONLY", {"Status": "INACTIVE"})
	res := rule.results with input as _input(_org(cfg)) with data.config.params as {}
	_statuses(res) == ["fail"]
	some f in res
	f.key == "status"
	contains(f.message, "INACTIVE")
}

test_identity_center_only_tokens_not_configured_fails if {
	cfg := {"AuthenticationMode": "IDENTITY_PROVIDER_ONLY", "IdentityCenterConfiguration": _idc}
	res := rule.results with input as _input(_org(cfg)) with data.config.params as {}
	_statuses(res) == ["fail"]
	some f in res
	contains(f.message, "not configured")
}

test_directory_mode_tokens_inactive_passes if {
	cfg := _cfg("IDENTITY_PROVIDER_AND_DIRECTORY", {"Status": "INACTIVE"})
	count(rule.results) == 0 with input as _input(_org(cfg)) with data.config.params as {}
}

test_lifetime_too_long_fails if {
	cfg := _cfg("IDENTITY_PROVIDER_ONLY", {"Status": "ACTIVE", "LifetimeInDays": 3650})
	res := rule.results with input as _input(_org(cfg)) with data.config.params as {}
	_statuses(res) == ["fail"]
	some f in res
	f.key == "lifetime"
	contains(f.message, "3650")
	f.pointer == "/Properties/IdentityProviderConfiguration/PersonalAccessTokenConfiguration/LifetimeInDays"
}

test_lifetime_parameter if {
	cfg := _cfg("IDENTITY_PROVIDER_ONLY", {"Status": "ACTIVE", "LifetimeInDays": 365})
	res := rule.results with input as _input(_org(cfg)) with data.config.params as {"maxTokenLifetimeDays": 90}
	_statuses(res) == ["fail"]
}

test_lifetime_missing_is_unknown if {
	cfg := _cfg("IDENTITY_PROVIDER_ONLY", {"Status": "ACTIVE"})
	res := rule.results with input as _input(_org(cfg)) with data.config.params as {}
	_statuses(res) == ["unknown"]
}

test_lifetime_unknown if {
	cfg := _cfg("IDENTITY_PROVIDER_ONLY", {"Status": "ACTIVE", "LifetimeInDays": {"$unknown": "x"}})
	res := rule.results with input as _input(_org(cfg)) with data.config.params as {}
	_statuses(res) == ["unknown"]
}

test_status_unknown if {
	cfg := _cfg("IDENTITY_PROVIDER_ONLY", {"Status": {"$unknown": "not returned"}})
	res := rule.results with input as _input(_org(cfg)) with data.config.params as {}
	_statuses(res) == ["unknown"]
}

test_token_configuration_unknown if {
	cfg := _cfg("IDENTITY_PROVIDER_ONLY", {"$unknown": "not returned"})
	res := rule.results with input as _input(_org(cfg)) with data.config.params as {}
	_statuses(res) == ["unknown"]
}

test_no_identity_center_not_judged if {
	count(rule.judged) == 0 with input as _input(_org(null)) with data.config.params as {}
	count(rule.results) == 0 with input as _input(_org(null)) with data.config.params as {}
}

test_deleted_not_judged if {
	r := json.patch(_org(_cfg("IDENTITY_PROVIDER_ONLY", {"Status": "INACTIVE"})), [{"op": "replace", "path": "/properties/State", "value": "Deleted"}])
	count(rule.judged) == 0 with input as _input(r) with data.config.params as {}
}

test_name_fallbacks if {
	r1 := json.remove(_org(_cfg("IDENTITY_PROVIDER_ONLY", {"Status": "INACTIVE"})), ["properties/Alias"])
	some f1 in rule.results with input as _input(r1) with data.config.params as {}
	contains(f1.message, "m-0123456789abcdef0123456789abcdef")
	r2 := json.remove(r1, ["properties/OrganizationId"])
	some f2 in rule.results with input as _input(r2) with data.config.params as {}
	contains(f2.message, "arn:aws:workmail")
}
