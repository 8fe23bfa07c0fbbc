package rampart.rules.acmpca.issue_certificate_template_restricted_test

import data.rampart.rules.acmpca.issue_certificate_template_restricted as rule

pca_arn := "arn:aws:acm-pca:<region>:012345678912:certificate-authority/8213159d-cad0-481c-bf14-a0ced4d6d479"

# The article's inline-policy.json (seeds/000_14fc47060cf8555c.txt lines 232–258), with
# $PCA_ARN expanded by the shell as the article's heredoc does (value from line 146).
article_policy := {
	"Version": "2012-10-17",
	"Statement": [
		{
			"Sid": "awspcaissuerread",
			"Action": [
				"acm-pca:DescribeCertificateAuthority",
				"acm-pca:GetCertificate",
			],
			"Effect": "Allow",
			"Resource": pca_arn,
		},
		{
			"Sid": "awspcaissuerwrite",
			"Action": ["acm-pca:IssueCertificate"],
			"Effect": "Allow",
			"Resource": pca_arn,
			"Condition": {"StringEquals": {"acm-pca:TemplateArn": "arn:aws:acm-pca:::template/EndEntityCertificate/V1"}},
		},
	],
}

role(doc) := {
	"_ref": "r1",
	"type": "AWS::IAM::Role",
	"id": "arn:aws:iam::012345678912:role/iamra-issuer",
	"account": "012345678912",
	"source": {"kind": "aws", "account": "012345678912", "region": "global"},
	"tags": {},
	"properties": {
		"AssumeRolePolicyDocument": {"Statement": []},
		"Policies": [{"PolicyName": "iamra-issuer", "PolicyDocument": doc}],
	},
}

policy(type, doc) := {
	"_ref": "p1",
	"type": type,
	"id": "Policy",
	"source": {"kind": "cloudformation", "file": "t.yaml", "line": 1, "pointer": "/Resources/Policy"},
	"tags": {},
	"properties": {"PolicyDocument": doc},
}

role_input(doc) := {"byType": {"AWS::IAM::Role": [role(doc)]}}

with_write(stmt) := json.patch(article_policy, [{"op": "replace", "path": "/Statement/1", "value": stmt}])

write(cond) := {"Sid": "awspcaissuerwrite", "Action": "acm-pca:IssueCertificate", "Effect": "Allow", "Resource": pca_arn, "Condition": cond}

statuses(rs) := {[x.key, x.status] | some x in rs}

test_article_inline_policy_passes if {
	count(rule.results) == 0 with input as role_input(article_policy)
	rule.judged == {"r1"} with input as role_input(article_policy)
}

test_without_condition_fails if {
	doc := json.remove(article_policy, ["Statement/1/Condition"])
	rs := rule.results with input as role_input(doc)
	statuses(rs) == {["policy:iamra-issuer:statement:awspcaissuerwrite", "fail"]}
	some x in rs
	x.pointer == "/Properties/Policies/0/PolicyDocument/Statement/1"
	contains(x.message, "without any condition on acm-pca:TemplateArn")
	contains(x.message, "inline policy \"iamra-issuer\"")
}

test_root_ca_template_fails if {
	doc := with_write(write({"StringEquals": {"acm-pca:TemplateArn": ["arn:aws:acm-pca:::template/EndEntityCertificate/V1", "arn:aws:acm-pca:::template/RootCACertificate/V1"]}}))
	rs := rule.results with input as role_input(doc)
	some x in rs
	contains(x.message, "RootCACertificate")
}

test_acm_pca_star_and_star_are_covered if {
	every a in ["acm-pca:*", "*", "acm-pca:Issue*"] {
		doc := {"Statement": [{"Effect": "Allow", "Action": a, "Resource": "*"}]}
		count(rule.results) == 1 with input as role_input(doc)
	}
}

test_not_action_is_covered if {
	doc := {"Statement": {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}}
	rs := rule.results with input as role_input(doc)
	statuses(rs) == {["policy:iamra-issuer:statement:", "fail"]}
}

test_wildcard_end_entity_pattern_passes if {
	doc := with_write(write({"StringLike": {"acm-pca:TemplateArn": "arn:aws:acm-pca:::template/EndEntity*"}}))
	count(rule.results) == 0 with input as role_input(doc)
}

test_wildcard_all_templates_fails if {
	doc := with_write(write({"ArnLike": {"acm-pca:TemplateArn": "arn:aws:acm-pca:::template/*"}}))
	count(rule.results) == 1 with input as role_input(doc)
}

test_wildcard_matching_nothing_allowed_fails if {
	doc := with_write(write({"StringLike": {"acm-pca:TemplateArn": "arn:aws:acm-pca:::template/CodeSigning*"}}))
	count(rule.results) == 1 with input as role_input(doc)
}

test_wildcard_under_string_equals_is_not_a_pattern if {
	doc := with_write(write({"StringEquals": {"acm-pca:TemplateArn": "arn:aws:acm-pca:::template/EndEntity*"}}))
	count(rule.results) == 1 with input as role_input(doc)
}

test_one_restricting_block_is_enough if {
	doc := with_write(write({
		"StringEquals": {"acm-pca:TemplateArn": "arn:aws:acm-pca:::template/EndEntityClientAuthCertificate/V1"},
		"StringLike": {"acm-pca:TemplateArn": "*"},
	}))
	count(rule.results) == 0 with input as role_input(doc)
}

test_other_partition_and_exact_under_string_like if {
	doc := with_write(write({"StringLike": {"acm-pca:TemplateArn": ["arn:aws-us-gov:acm-pca:::template/EndEntityCertificate/V1", "arn:aws-us-gov:acm-pca:::template/EndEntityServer*"]}}))
	count(rule.results) == 0 with input as role_input(doc)
}

test_parameter_allowed_templates if {
	doc := with_write(write({"StringEquals": {"acm-pca:TemplateArn": "arn:aws:acm-pca:::template/CodeSigningCertificate/V1"}}))
	count(rule.results) == 1 with input as role_input(doc)
	count(rule.results) == 0 with input as role_input(doc)
		with data.config.params as {"allowedCertificateTemplates": ["arn:aws:acm-pca:::template/CodeSigningCertificate/V1"]}
}

test_unknown_template_value_is_unknown if {
	doc := with_write(write({"StringEquals": {"acm-pca:TemplateArn": [{"$unknown": "Ref to parameter Template"}]}}))
	rs := rule.results with input as role_input(doc)
	statuses(rs) == {["policy:iamra-issuer:statement:awspcaissuerwrite", "unknown"]}
	some x in rs
	contains(x.message, "Template")
}

test_unknown_condition_is_unknown if {
	doc := with_write(write({"$unknown": "Fn::If"}))
	statuses(rule.results) == {["policy:iamra-issuer:statement:awspcaissuerwrite", "unknown"]} with input as role_input(doc)
}

test_unknown_action_is_unknown if {
	doc := {"Statement": [{"Sid": "S", "Effect": "Allow", "Action": {"$unknown": "Ref to parameter Actions"}, "Resource": "*"}]}
	statuses(rule.results) == {["policy:iamra-issuer:statement:S:action", "unknown"]} with input as role_input(doc)
}

test_unknown_documents_are_unknown if {
	statuses(rule.results) == {["policy:iamra-issuer:document", "unknown"]} with input as role_input({"$unknown": "Fn::If"})
	r := json.patch(role(article_policy), [{"op": "replace", "path": "/properties/Policies", "value": {"$unknown": "Fn::If"}}])
	statuses(rule.results) == {["policies", "unknown"]} with input as {"byType": {"AWS::IAM::Role": [r]}}
	rule.judged == {"r1"} with input as {"byType": {"AWS::IAM::Role": [r]}}
}

test_standalone_and_managed_policies if {
	doc := {"Statement": [{"Effect": "Allow", "Action": "acm-pca:IssueCertificate", "Resource": "*"}]}
	every t in ["AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"] {
		rs := rule.results with input as {"byType": {t: [policy(t, doc)]}}
		statuses(rs) == {["statement:0", "fail"]}
		some x in rs
		x.pointer == "/Properties/PolicyDocument/Statement/0"
		contains(x.message, "in the policy")
	}
}

test_unnamed_policy_and_deny if {
	r := json.patch(role({}), [{"op": "replace", "path": "/properties/Policies", "value": [
		{"PolicyDocument": {"Statement": [{"Effect": "Deny", "Action": "acm-pca:*", "Resource": "*"}]}},
		{"PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "acm-pca:IssueCertificate", "Resource": "*"}]}},
	]}])
	statuses(rule.results) == {["policy:1:statement:0", "fail"]} with input as {"byType": {"AWS::IAM::Role": [r]}}
}
