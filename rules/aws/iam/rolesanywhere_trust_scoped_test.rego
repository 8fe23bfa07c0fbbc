package rampart.rules.iam.rolesanywhere_trust_scoped_test

import data.rampart.rules.iam.rolesanywhere_trust_scoped as rule

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

live_role(doc) := {
	"_ref": "r1",
	"type": "AWS::IAM::Role",
	"id": "arn:aws:iam::012345678912:role/iamra-issuer",
	"account": "012345678912",
	"region": "global",
	"source": {"kind": "aws", "account": "012345678912", "region": "global"},
	"tags": {},
	"properties": {"AssumeRolePolicyDocument": doc},
}

cfn_role(doc) := {
	"_ref": "r1",
	"type": "AWS::IAM::Role",
	"id": "Role",
	"source": {"kind": "cloudformation", "file": "t.yaml", "line": 3, "pointer": "/Resources/Role"},
	"tags": {},
	"properties": {"AssumeRolePolicyDocument": doc},
}

inp(role) := {"byType": {"AWS::IAM::Role": [role]}}

with_condition(cond) := json.patch(article_trust_policy, [{"op": "replace", "path": "/Statement/0/Condition", "value": cond}])

cert_cond := {"StringEquals": {"aws:PrincipalTag/x509Subject/CN": "iamra-issuer"}}

anchor := "arn:aws:rolesanywhere:us-east-2:012345678912:trust-anchor/05d183f8-a34e-4f0c-ad2a-de6f803ac172"

keys(rs) := {x.key | some x in rs}

statuses(rs) := {[x.key, x.status] | some x in rs}

test_article_trust_policy_passes if {
	rs := rule.results with input as inp(live_role(article_trust_policy))
	count(rs) == 0
	rule.judged == {"r1"} with input as inp(live_role(article_trust_policy))
}

test_article_trust_policy_passes_in_template_with_trusted_account if {
	rs := rule.results with input as inp(cfn_role(article_trust_policy))
		with data.config.params as {"trustedAccounts": ["012345678912"]}
	count(rs) == 0
}

test_article_trust_policy_in_template_without_trusted_account_fails if {
	rs := rule.results with input as inp(cfn_role(article_trust_policy))
	statuses(rs) == {["statement:Statement1:source-arn", "fail"]}
	some x in rs
	contains(x.message, "not in trustedAccounts")
}

test_without_arn_equals_fails_source_arn_half if {
	doc := with_condition(cert_cond)
	rs := rule.results with input as inp(live_role(doc))
	count(rs) == 1
	some x in rs
	x.status == "fail"
	x.key == "statement:Statement1:source-arn"
	x.pointer == "/Properties/AssumeRolePolicyDocument/Statement/0"
	contains(x.message, "Statement1")
	x.evidence == doc.Statement[0]
}

test_string_like_star_certificate_fails_certificate_half if {
	doc := with_condition({
		"StringLike": {"aws:PrincipalTag/x509Subject/CN": "*"},
		"ArnEquals": {"aws:SourceArn": [anchor]},
	})
	rs := rule.results with input as inp(live_role(doc))
	statuses(rs) == {["statement:Statement1:certificate", "fail"]}
	some x in rs
	contains(x.message, "not an exact match")
}

test_star_value_under_string_equals_fails if {
	doc := with_condition({
		"StringEquals": {"aws:PrincipalTag/x509Subject/CN": "iamra-*"},
		"ArnEquals": {"aws:SourceArn": anchor},
	})
	rs := rule.results with input as inp(live_role(doc))
	keys(rs) == {"statement:Statement1:certificate"}
}

test_no_conditions_fails_both_halves if {
	doc := json.remove(article_trust_policy, ["Statement/0/Condition"])
	rs := rule.results with input as inp(live_role(doc))
	statuses(rs) == {["statement:Statement1:certificate", "fail"], ["statement:Statement1:source-arn", "fail"]}
	some x in rs
	x.key == "statement:Statement1:certificate"
	contains(x.message, "without any condition on a certificate attribute")
}

test_san_and_for_any_value_accepted if {
	doc := with_condition({
		"ForAnyValue:StringEquals": {"aws:PrincipalTag/x509SAN/DNS": ["a.example.com", "b.example.com"]},
		"StringEquals": {"aws:SourceArn": anchor},
	})
	count(rule.results) == 0 with input as inp(live_role(doc))
}

test_issuer_tag_is_not_a_certificate_subject if {
	doc := with_condition({
		"StringEquals": {"aws:PrincipalTag/x509Issuer/CN": "Blogpost CA"},
		"ArnEquals": {"aws:SourceArn": anchor},
	})
	keys(rule.results) == {"statement:Statement1:certificate"} with input as inp(live_role(doc))
}

test_wildcard_anchor_fails if {
	doc := with_condition({
		"StringEquals": {"aws:PrincipalTag/x509Subject/CN": "iamra-issuer"},
		"ArnLike": {"aws:SourceArn": "arn:aws:rolesanywhere:us-east-2:012345678912:trust-anchor/*"},
	})
	rs := rule.results with input as inp(live_role(doc))
	statuses(rs) == {["statement:Statement1:source-arn", "fail"]}
	some x in rs
	contains(x.message, "wildcard in the trust-anchor id")
	x.pointer == "/Properties/AssumeRolePolicyDocument/Statement/0/Condition"
}

test_source_arn_star_fails if {
	doc := with_condition({
		"StringEquals": {"aws:PrincipalTag/x509Subject/CN": "iamra-issuer"},
		"StringLike": {"aws:SourceArn": "*"},
	})
	rs := rule.results with input as inp(live_role(doc))
	some x in rs
	x.key == "statement:Statement1:source-arn"
	contains(x.message, "is not a Roles Anywhere trust-anchor ARN")
}

test_empty_anchor_id_and_wildcard_account_fail if {
	doc := with_condition({
		"StringEquals": {"aws:PrincipalTag/x509Subject/CN": "iamra-issuer"},
		"ArnEquals": {"aws:SourceArn": [
			"arn:aws:rolesanywhere:us-east-2:012345678912:trust-anchor/",
			"arn:aws:rolesanywhere:us-east-2:*:trust-anchor/abc",
		]},
	})
	rs := rule.results with input as inp(live_role(doc))
	some x in rs
	contains(x.message, "has no trust-anchor id")
	contains(x.message, "wildcard in the account")
}

test_foreign_account_anchor_fails_unless_trusted if {
	foreign := "arn:aws:rolesanywhere:us-east-2:444455556666:trust-anchor/abc"
	doc := with_condition({
		"StringEquals": {"aws:PrincipalTag/x509Subject/CN": "iamra-issuer"},
		"ArnEquals": {"aws:SourceArn": foreign},
	})
	rs := rule.results with input as inp(live_role(doc))
	some x in rs
	contains(x.message, "444455556666")
	count(rule.results) == 0 with input as inp(live_role(doc)) with data.config.params as {"trustedAccounts": ["444455556666"]}
}

test_source_arn_not_a_string_fails if {
	doc := with_condition({
		"StringEquals": {"aws:PrincipalTag/x509Subject/CN": "iamra-issuer"},
		"ArnEquals": {"aws:SourceArn": 42},
	})
	rs := rule.results with input as inp(live_role(doc))
	some x in rs
	contains(x.message, "is not a string")
}

test_template_getatt_trust_anchor_arn_passes if {
	doc := with_condition({
		"StringEquals": {"aws:PrincipalTag/x509Subject/CN": "iamra-issuer"},
		"ArnEquals": {"aws:SourceArn": {"$ref": "TrustAnchor", "attribute": "TrustAnchorArn"}},
	})
	count(rule.results) == 0 with input as inp(cfn_role(doc))
}

test_template_ref_without_arn_attribute_is_unknown if {
	doc := with_condition({
		"StringEquals": {"aws:PrincipalTag/x509Subject/CN": "iamra-issuer"},
		"ArnEquals": {"aws:SourceArn": {"$ref": "TrustAnchor"}},
	})
	rs := rule.results with input as inp(cfn_role(doc))
	statuses(rs) == {["statement:Statement1:source-arn", "unknown"]}
	some x in rs
	contains(x.message, "reference to TrustAnchor")
}

test_template_sub_own_account_passes if {
	doc := with_condition({
		"StringEquals": {"aws:PrincipalTag/x509Subject/CN": "iamra-issuer"},
		"ArnEquals": {"aws:SourceArn": {
			"$unknown": "Fn::Sub with pseudo parameters",
			"template": "arn:aws:rolesanywhere:${AWS::Region}:${AWS::AccountId}:trust-anchor/${TrustAnchor.TrustAnchorId}",
		}},
	})
	count(rule.results) == 0 with input as inp(cfn_role(doc))
}

test_template_sub_wildcard_anchor_fails if {
	doc := with_condition({
		"StringEquals": {"aws:PrincipalTag/x509Subject/CN": "iamra-issuer"},
		"ArnLike": {"aws:SourceArn": {
			"$unknown": "Fn::Sub with pseudo parameters",
			"template": "arn:aws:rolesanywhere:${AWS::Region}:${AWS::AccountId}:trust-anchor/*",
		}},
	})
	statuses(rule.results) == {["statement:Statement1:source-arn", "fail"]} with input as inp(cfn_role(doc))
}

test_template_sub_parameter_anchor_is_unknown if {
	doc := with_condition({
		"StringEquals": {"aws:PrincipalTag/x509Subject/CN": "iamra-issuer"},
		"ArnEquals": {"aws:SourceArn": {
			"$unknown": "Ref to parameter AnchorId, which has no default",
			"template": "arn:aws:rolesanywhere:${AWS::Region}:${AWS::AccountId}:trust-anchor/${AnchorId}",
		}},
	})
	rs := rule.results with input as inp(cfn_role(doc))
	statuses(rs) == {["statement:Statement1:source-arn", "unknown"]}
	some x in rs
	contains(x.message, "AnchorId")
}

test_template_sub_parameter_account_is_unknown if {
	doc := with_condition({
		"StringEquals": {"aws:PrincipalTag/x509Subject/CN": "iamra-issuer"},
		"ArnEquals": {"aws:SourceArn": {
			"$unknown": "Ref to parameter Account",
			"template": "arn:aws:rolesanywhere:us-east-1:${Account}:trust-anchor/${TrustAnchor.TrustAnchorId}",
		}},
	})
	statuses(rule.results) == {["statement:Statement1:source-arn", "unknown"]} with input as inp(cfn_role(doc))
}

test_template_sub_literal_account_uses_trusted_accounts if {
	doc := with_condition({
		"StringEquals": {"aws:PrincipalTag/x509Subject/CN": "iamra-issuer"},
		"ArnEquals": {"aws:SourceArn": {
			"$unknown": "Fn::Sub",
			"template": "arn:aws:rolesanywhere:${AWS::Region}:111122223333:trust-anchor/${TrustAnchor.TrustAnchorId}",
		}},
	})
	statuses(rule.results) == {["statement:Statement1:source-arn", "fail"]} with input as inp(cfn_role(doc))
	count(rule.results) == 0 with input as inp(cfn_role(doc)) with data.config.params as {"trustedAccounts": ["111122223333"]}
}

test_unknown_source_arn_without_template_is_unknown if {
	doc := with_condition({
		"StringEquals": {"aws:PrincipalTag/x509Subject/CN": "iamra-issuer"},
		"ArnEquals": {"aws:SourceArn": {"$unknown": "Ref to parameter AnchorArn"}},
	})
	statuses(rule.results) == {["statement:Statement1:source-arn", "unknown"]} with input as inp(cfn_role(doc))
}

test_parameter_source_arn_with_template_is_unknown if {
	doc := with_condition({
		"StringEquals": {"aws:PrincipalTag/x509Subject/CN": "iamra-issuer"},
		"ArnEquals": {"aws:SourceArn": {"$unknown": "Ref to parameter AnchorArn, which has no default", "template": "${AnchorArn}"}},
	})
	statuses(rule.results) == {["statement:Statement1:source-arn", "unknown"]} with input as inp(cfn_role(doc))
}

test_unknown_certificate_value_is_unknown if {
	doc := with_condition({
		"StringEquals": {"aws:PrincipalTag/x509Subject/CN": {"$unknown": "Ref to parameter CommonName"}},
		"ArnEquals": {"aws:SourceArn": anchor},
	})
	rs := rule.results with input as inp(live_role(doc))
	statuses(rs) == {["statement:Statement1:certificate", "unknown"]}
	some x in rs
	contains(x.message, "CommonName")
}

test_unknown_condition_block_is_unknown_for_both_halves if {
	doc := with_condition({"$unknown": "Fn::If on condition UseAnchor"})
	statuses(rule.results) == {
		["statement:Statement1:certificate", "unknown"],
		["statement:Statement1:source-arn", "unknown"],
	} with input as inp(cfn_role(doc))
}

test_unknown_document_is_unknown if {
	rs := rule.results with input as inp(cfn_role({"$unknown": "Fn::If on condition Prod"}))
	statuses(rs) == {["trust-policy", "unknown"]}
	rule.judged == {"r1"} with input as inp(cfn_role({"$unknown": "x"}))
}

test_unknown_statement_and_principal_are_unknown if {
	doc := {"Statement": [
		{"$unknown": "Fn::If"},
		{"Effect": "Allow", "Principal": {"Service": {"$unknown": "Ref to parameter Service"}}, "Action": "sts:AssumeRole"},
	]}
	statuses(rule.results) == {["statement:0:unresolved", "unknown"], ["statement:1:unresolved", "unknown"]} with input as inp(cfn_role(doc))
}

test_single_object_statement_and_string_action if {
	doc := {"Statement": {
		"Effect": "Allow",
		"Principal": {"Service": ["rolesanywhere.amazonaws.com"]},
		"Action": "sts:AssumeRole",
	}}
	rs := rule.results with input as inp(live_role(doc))
	keys(rs) == {"statement::certificate", "statement::source-arn"}
	some x in rs
	x.pointer == "/Properties/AssumeRolePolicyDocument/Statement"
	contains(x.message, "Trust policy statement lets")
}

test_other_principals_are_not_judged if {
	docs := [
		{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}]},
		{"Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
		{"Statement": [{"Effect": "Deny", "Principal": {"Service": "rolesanywhere.amazonaws.com"}, "NotAction": "sts:TagSession"}]},
	]
	every d in docs {
		count(rule.results) == 0 with input as inp(live_role(d))
		count(rule.judged) == 0 with input as inp(live_role(d))
	}
}

test_index_label_without_sid if {
	doc := json.remove(article_trust_policy, ["Statement/0/Sid", "Statement/0/Condition/ArnEquals"])
	keys(rule.results) == {"statement:0:source-arn"} with input as inp(live_role(doc))
}
