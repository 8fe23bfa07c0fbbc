package rampart.rules.iam.pod_identity_trust_actions_test

import data.rampart.rules.iam.pod_identity_trust_actions as rule

# The article's trust.json (seeds/000_14fc47060cf8555c.txt lines 2650–2666), verbatim.
article_trust := {
	"Version": "2012-10-17",
	"Statement": [{
		"Effect": "Allow",
		"Principal": {"Service": "pods.eks.amazonaws.com"},
		"Action": [
			"sts:AssumeRole",
			"sts:TagSession",
		],
	}],
}

role(doc) := {
	"_ref": "r1",
	"type": "AWS::IAM::Role",
	"id": "Role",
	"source": {"kind": "cloudformation", "file": "t.yaml", "line": 1, "pointer": "/Resources/Role"},
	"tags": {},
	"properties": {"AssumeRolePolicyDocument": doc},
}

inp(doc) := {"byType": {"AWS::IAM::Role": [role(doc)]}}

with_action(a) := json.patch(article_trust, [{"op": "replace", "path": "/Statement/0/Action", "value": a}])

statuses(rs) := {[x.key, x.status] | some x in rs}

test_article_trust_passes if {
	count(rule.results) == 0 with input as inp(article_trust)
	rule.judged == {"r1"} with input as inp(article_trust)
}

test_missing_tag_session_fails if {
	rs := rule.results with input as inp(with_action("sts:AssumeRole"))
	statuses(rs) == {["statement:0:missing-actions", "fail"]}
	some x in rs
	contains(x.message, "sts:TagSession")
	contains(x.message, "statement \"0\"")
	x.pointer == "/Properties/AssumeRolePolicyDocument/Statement/0"
}

test_sts_star_is_broad if {
	rs := rule.results with input as inp(with_action(["sts:*"]))
	statuses(rs) == {["statement:0:broad-actions", "fail"]}
	some x in rs
	not x.severity
}

test_star_is_broad if {
	statuses(rule.results) == {["statement:0:broad-actions", "fail"]} with input as inp(with_action("*"))
}

test_set_source_identity_wildcard_is_broad if {
	statuses(rule.results) == {["statement:0:broad-actions", "fail"]} with input as inp(with_action(["sts:AssumeRole", "sts:TagSession", "sts:Set*"]))
}

test_not_action_is_broad if {
	doc := {"Statement": {"Sid": "Pods", "Effect": "Allow", "Principal": {"Service": ["pods.eks.amazonaws.com"]}, "NotAction": "iam:*"}}
	rs := rule.results with input as inp(doc)
	statuses(rs) == {["statement:Pods:broad-actions", "fail"]}
}

test_unknown_action_is_unknown if {
	statuses(rule.results) == {["statement:0:actions", "unknown"]} with input as inp(with_action({"$unknown": "Ref to parameter A"}))
}

test_other_principals_not_judged if {
	doc := {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}]}
	count(rule.judged) == 0 with input as inp(doc)
}
