package rampart.rules.iam.no_long_term_access_keys_test

import data.rampart.rules.iam.no_long_term_access_keys as rule

live_key(observed, props) := {
	"_ref": "k", "type": "AWS::IAM::AccessKey", "id": "AKIAIOSFODNN7EXAMPLE", "name": "AKIAIOSFODNN7EXAMPLE",
	"account": "111122223333", "region": "global", "tags": {},
	"source": {"kind": "aws", "account": "111122223333", "region": "global"},
	"properties": object.union({"UserName": "ci-deployer", "Status": "Active"}, props),
	"observed": object.union(
		{
			"AccessKeyId": "AKIAIOSFODNN7EXAMPLE", "UserArn": "arn:aws:iam::111122223333:user/ci-deployer",
			"CreateDate": "2025-01-02T00:00:00.000Z", "ageDays": 30,
			"LastUsedDate": "2025-01-30T00:00:00.000Z", "LastUsedService": "s3", "LastUsedRegion": "us-east-1",
			"daysSinceLastUse": 2, "neverUsed": false,
		},
		observed,
	),
}

cfn(id, props) := {
	"_ref": id, "type": "AWS::IAM::AccessKey", "id": id, "tags": {},
	"source": {"kind": "cloudformation", "file": "t.yaml", "line": 1, "pointer": concat("", ["/Resources/", id])},
	"properties": props,
}

user := {
	"_ref": "u", "type": "AWS::IAM::User", "id": "User", "tags": {},
	"source": {"kind": "cloudformation", "file": "t.yaml", "line": 1, "pointer": "/Resources/User"},
	"properties": {"UserName": "legacy-app"},
}

inp(keys) := {"byType": {"AWS::IAM::AccessKey": keys, "AWS::IAM::User": [user]}}

statuses(rs) := {[x.key, x.status, object.get(x, "severity", "")] | some x in rs}

# The article (lines 7, 11, 23): long-term access keys are what Roles Anywhere replaces.
test_article_active_live_key_fails_with_age_and_last_use if {
	rs := rule.results with input as inp([live_key({}, {})])
	statuses(rs) == {["access-key", "fail", ""]}
	some x in rs
	contains(x.message, "AKIAIOSFODNN7EXAMPLE")
	contains(x.message, "user \"ci-deployer\"")
	contains(x.message, "30 days ago")
	contains(x.message, "2 days ago")
	contains(x.message, "s3")
	x.pointer == "/Properties/Status"
	x.evidence.ageDays == 30
	rule.judged == {"k"} with input as inp([live_key({}, {})])
}

test_inactive_key_passes if {
	count(rule.results) == 0 with input as inp([live_key({}, {"Status": "Inactive"})])
	rule.judged == {"k"} with input as inp([live_key({}, {"Status": "Inactive"})])
}

test_old_key_is_high if {
	rs := rule.results with input as inp([live_key({"ageDays": 400}, {})])
	statuses(rs) == {["access-key", "fail", "high"]}
	some x in rs
	contains(x.message, "more than maxAccessKeyAgeDays (90)")
}

test_max_age_parameter if {
	statuses(rule.results) == {["access-key", "fail", ""]} with input as inp([live_key({"ageDays": 400}, {})]) with data.config.params as {"maxAccessKeyAgeDays": 500}
}

test_never_used if {
	rs := rule.results with input as inp([live_key({"LastUsedDate": null, "daysSinceLastUse": null, "LastUsedService": null}, {})])
	some x in rs
	contains(x.message, "never been used")
}

test_unknown_age_and_last_use_still_fail if {
	u := {"$unknown": "iam:GetAccessKeyLastUsed failed"}
	rs := rule.results with input as inp([live_key({"ageDays": {"$unknown": "no date"}, "CreateDate": null, "LastUsedDate": u, "daysSinceLastUse": u, "LastUsedService": u}, {})])
	statuses(rs) == {["access-key", "fail", ""]}
	some x in rs
	contains(x.message, "age is not known (no date)")
	contains(x.message, "last use is not known (iam:GetAccessKeyLastUsed failed)")
}

test_allowed_users if {
	count(rule.results) == 0 with input as inp([live_key({}, {})]) with data.config.params as {"allowedUsers": ["ci-deployer"]}
}

test_cfn_key_default_status_fails if {
	rs := rule.results with input as inp([cfn("Key", {"UserName": {"$ref": "User"}})])
	statuses(rs) == {["access-key", "fail", ""]}
	some x in rs
	contains(x.message, "user \"legacy-app\"")
}

test_cfn_key_ref_to_user_allowed if {
	count(rule.results) == 0 with input as inp([cfn("Key", {"UserName": {"$ref": "User"}})]) with data.config.params as {"allowedUsers": ["legacy-app"]}
}

test_cfn_key_ref_to_user_outside_template if {
	rs := rule.results with input as inp([cfn("Key", {"UserName": {"$ref": "Other"}})])
	some x in rs
	contains(x.message, "user \"Other\"")
}

test_cfn_inactive_passes if {
	count(rule.results) == 0 with input as inp([cfn("Key", {"UserName": "legacy-app", "Status": "Inactive"})])
}

test_unknown_status if {
	statuses(rule.results) == {["access-key", "unknown", ""]} with input as inp([cfn("Key", {"UserName": "a", "Status": {"$unknown": "parameter KeyStatus"}})])
}

test_unknown_user_with_allow_list if {
	i := inp([cfn("Key", {"UserName": {"$unknown": "parameter"}})])
	statuses(rule.results) == {["access-key", "unknown", ""]} with input as i with data.config.params as {"allowedUsers": ["x"]}
	rs := rule.results with input as i
	statuses(rs) == {["access-key", "fail", ""]}
	some x in rs
	contains(x.message, "an unresolved user")
}
