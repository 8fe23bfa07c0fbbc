package rampart.rules.secretsmanager.resource_policy_scoped_test

import data.rampart.rules.secretsmanager.resource_policy_scoped as rule

account_a := "111122223333"

account_b := "444455556666"

# The article's resource-policy.json (seeds/000_14fc47060cf8555c.txt lines 2921–2933),
# with ${ACCOUNT_A} and $SECRET_CROSS_ARN filled in.
article_policy := {
	"Version": "2012-10-17",
	"Statement": [{
		"Effect": "Allow",
		"Principal": {"AWS": "arn:aws:iam::111122223333:root"},
		"Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
		"Resource": "arn:aws:secretsmanager:us-east-1:444455556666:secret:secret-b-12345",
	}],
}

live_rp(doc) := {
	"_ref": "rp", "type": "AWS::SecretsManager::ResourcePolicy", "id": "arn:aws:secretsmanager:us-east-1:444455556666:secret:secret-b-12345|resource-policy",
	"account": account_b, "region": "us-east-1", "tags": {},
	"source": {"kind": "aws", "account": account_b, "region": "us-east-1"},
	"properties": {"SecretId": "arn:aws:secretsmanager:us-east-1:444455556666:secret:secret-b-12345", "ResourcePolicy": doc},
}

cfn_rp(doc) := {
	"_ref": "rp", "type": "AWS::SecretsManager::ResourcePolicy", "id": "Policy", "tags": {},
	"source": {"kind": "cloudformation", "file": "t.yaml", "line": 1},
	"properties": {"SecretId": {"$ref": "Secret"}, "ResourcePolicy": doc},
}

inp(rp) := {"byType": {"AWS::SecretsManager::ResourcePolicy": [rp]}}

statuses(rs) := {[x.key, x.status, object.get(x, "severity", "")] | some x in rs}

with_principal(p) := json.patch(article_policy, [{"op": "replace", "path": "/Statement/0/Principal", "value": p}])

test_article_policy_low_with_trusted_account if {
	rs := rule.results with input as inp(live_rp(article_policy)) with data.config.params as {"trustedAccounts": [account_a]}
	statuses(rs) == {["statement:0:account-root", "fail", "low"]}
	some x in rs
	contains(x.message, "arn:aws:iam::111122223333:root")
	contains(x.message, "Name the role")
	rule.judged == {"rp"} with input as inp(live_rp(article_policy))
}

test_article_policy_high_without_trust if {
	statuses(rule.results) == {["statement:0:untrusted", "fail", "high"]} with input as inp(live_rp(article_policy))
}

test_named_role_of_trusted_account_passes if {
	p := with_principal({"AWS": "arn:aws:iam::111122223333:role/ascp-podidentity-cross"})
	count(rule.results) == 0 with input as inp(live_rp(p)) with data.config.params as {"trustedAccounts": [account_a]}
}

test_own_account_passes if {
	count(rule.results) == 0 with input as inp(live_rp(with_principal({"AWS": ["arn:aws:iam::444455556666:root", "444455556666"]})))
}

test_star_is_critical if {
	statuses(rule.results) == {["statement:0:public", "fail", "critical"]} with input as inp(live_rp(with_principal("*")))
	statuses(rule.results) == {["statement:0:public", "fail", "critical"]} with input as inp(live_rp(with_principal({"AWS": "*"})))
}

test_star_with_account_condition if {
	p := json.patch(with_principal("*"), [{"op": "add", "path": "/Statement/0/Condition", "value": {"StringEquals": {"aws:PrincipalAccount": account_a}}}])
	count(rule.results) == 0 with input as inp(live_rp(p)) with data.config.params as {"trustedAccounts": [account_a]}
	statuses(rule.results) == {["statement:0:untrusted", "fail", "high"]} with input as inp(live_rp(p))
}

test_star_with_org_condition if {
	p := json.patch(with_principal("*"), [{"op": "add", "path": "/Statement/0/Condition", "value": {"StringEquals": {"aws:PrincipalOrgID": "o-abc"}}}])
	count(rule.results) == 0 with input as inp(live_rp(p)) with data.config.params as {"trustedOrganizationIds": ["o-abc"]}
	statuses(rule.results) == {["statement:0:untrusted", "fail", "high"]} with input as inp(live_rp(p))
}

test_star_with_unknown_condition if {
	p := json.patch(with_principal("*"), [{"op": "add", "path": "/Statement/0/Condition", "value": {"StringEquals": {"aws:PrincipalAccount": {"$unknown": "parameter"}}}}])
	statuses(rule.results) == {["statement:0:unknown", "unknown", ""]} with input as inp(live_rp(p))
}

test_not_principal_is_critical if {
	p := {"Statement": {"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::444455556666:role/x"}, "Action": "secretsmanager:GetSecretValue", "Resource": "*"}}
	statuses(rule.results) == {["statement::public", "fail", "critical"]} with input as inp(live_rp(p))
}

test_deny_and_service_ignored if {
	p := {"Statement": [
		{"Effect": "Deny", "Principal": "*", "Action": "secretsmanager:*", "Resource": "*"},
		{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "secretsmanager:GetSecretValue", "Resource": "*"},
	]}
	count(rule.results) == 0 with input as inp(live_rp(p))
}

test_policy_as_json_string if {
	statuses(rule.results) == {["statement:0:untrusted", "fail", "high"]} with input as inp(live_rp(json.marshal(article_policy)))
}

test_template_self_account_and_ref_pass if {
	p := with_principal({"AWS": [{"$unknown": "Fn::Sub", "template": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}, {"$ref": "Role", "attribute": "Arn"}]})
	count(rule.results) == 0 with input as inp(cfn_rp(p))
}

test_template_parameter_account_unknown if {
	p := with_principal({"AWS": [{"$unknown": "Fn::Sub", "template": "arn:aws:iam::${AccountA}:root"}]})
	statuses(rule.results) == {["statement:0:unknown", "unknown", ""]} with input as inp(cfn_rp(p))
	p2 := with_principal({"AWS": {"$unknown": "Fn::ImportValue"}})
	statuses(rule.results) == {["statement:0:unresolved", "unknown", ""]} with input as inp(cfn_rp(p2))
}

test_template_literal_account if {
	statuses(rule.results) == {["statement:0:account-root", "fail", "low"]} with input as inp(cfn_rp(article_policy)) with data.config.params as {"trustedAccounts": [account_a]}
}

test_unknown_document if {
	statuses(rule.results) == {["resource-policy", "unknown", ""]} with input as inp(cfn_rp({"$unknown": "Fn::If"}))
}
