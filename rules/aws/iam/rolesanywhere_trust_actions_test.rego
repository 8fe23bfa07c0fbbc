package rampart.rules.iam.rolesanywhere_trust_actions_test

import data.rampart.rules.iam.rolesanywhere_trust_actions as rule

# The article's trust-policy.json (seeds/000_14fc47060cf8555c.txt lines 195–220), verbatim.
article_trust_policy := {
	"Version": "2012-10-17",
	"Statement": [{
		"Sid": "Statement1",
		"Effect": "Allow",
		"Principal": {"Service": "rolesanywhere.amazonaws.com"},
		"Action": [
			"sts:AssumeRole",
			"sts:SetSourceIdentity",
			"sts:TagSession",
		],
		"Condition": {
			"StringEquals": {"aws:PrincipalTag/x509Subject/CN": "iamra-issuer"},
			"ArnEquals": {"aws:SourceArn": ["arn:aws:rolesanywhere:<region>:012345678912:trust-anchor/<TA_ID>"]},
		},
	}],
}

role(doc) := {
	"_ref": "r1",
	"type": "AWS::IAM::Role",
	"id": "arn:aws:iam::012345678912:role/iamra-issuer",
	"account": "012345678912",
	"source": {"kind": "aws", "account": "012345678912", "region": "global"},
	"tags": {},
	"properties": {"AssumeRolePolicyDocument": doc},
}

inp(doc) := {"byType": {"AWS::IAM::Role": [role(doc)]}}

with_action(a) := json.patch(article_trust_policy, [{"op": "replace", "path": "/Statement/0/Action", "value": a}])

statuses(rs) := {[x.key, x.status] | some x in rs}

test_article_trust_policy_passes if {
	count(rule.results) == 0 with input as inp(article_trust_policy)
	rule.judged == {"r1"} with input as inp(article_trust_policy)
}

test_missing_set_source_identity_fails_low if {
	rs := rule.results with input as inp(with_action(["sts:AssumeRole", "sts:TagSession"]))
	statuses(rs) == {["statement:Statement1:missing-actions", "fail"]}
	some x in rs
	contains(x.message, "sts:SetSourceIdentity")
	not x.severity
	x.pointer == "/Properties/AssumeRolePolicyDocument/Statement/0"
}

test_string_action_misses_two if {
	rs := rule.results with input as inp(with_action("sts:AssumeRole"))
	some x in rs
	contains(x.message, "sts:SetSourceIdentity, sts:TagSession")
}

test_sts_star_is_broad_medium if {
	rs := rule.results with input as inp(with_action("sts:*"))
	statuses(rs) == {["statement:Statement1:broad-actions", "fail"]}
	some x in rs
	x.severity == "medium"
	contains(x.message, `"sts:*"`)
}

test_star_is_broad if {
	statuses(rule.results) == {["statement:Statement1:broad-actions", "fail"]} with input as inp(with_action(["*"]))
}

test_narrow_wildcard_is_not_broad if {
	count(rule.results) == 0 with input as inp(with_action(["sts:AssumeRole", "sts:SetSourceIdentity", "sts:Tag*"]))
}

test_not_action_is_broad if {
	doc := json.patch(article_trust_policy, [
		{"op": "remove", "path": "/Statement/0/Action"},
		{"op": "add", "path": "/Statement/0/NotAction", "value": "sts:AssumeRoleWithSAML"},
	])
	rs := rule.results with input as inp(doc)
	statuses(rs) == {["statement:Statement1:broad-actions", "fail"]}
	some x in rs
	x.pointer == "/Properties/AssumeRolePolicyDocument/Statement/0/NotAction"
}

test_unknown_action_is_unknown if {
	rs := rule.results with input as inp(with_action(["sts:AssumeRole", {"$unknown": "Fn::If on condition Tagging"}]))
	statuses(rs) == {["statement:Statement1:actions", "unknown"]}
	statuses(rule.results) == {["statement:Statement1:actions", "unknown"]} with input as inp(with_action({"$unknown": "Ref to parameter Actions"}))
}

test_single_object_statement if {
	doc := {"Statement": {"Effect": "Allow", "Principal": {"Service": "rolesanywhere.amazonaws.com"}, "Action": "sts:AssumeRole"}}
	rs := rule.results with input as inp(doc)
	statuses(rs) == {["statement::missing-actions", "fail"]}
	some x in rs
	startswith(x.message, "Trust-policy statement trusts")
}

test_other_principals_not_judged if {
	docs := [
		{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}]},
		{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::012345678912:root"}, "Action": "*"}]},
	]
	every d in docs {
		count(rule.results) == 0 with input as inp(d)
		count(rule.judged) == 0 with input as inp(d)
	}
}
