package rampart.rules.secretsmanager.cross_account_cmk_test

import data.rampart.lib

import data.rampart.rules.secretsmanager.cross_account_cmk as rule

secret_arn := "arn:aws:secretsmanager:us-east-1:444455556666:secret:secret-b-12345"

# The article's resource-policy.json (lines 2921–2933) on Account B's secret.
article_policy := {
	"Version": "2012-10-17",
	"Statement": [{
		"Effect": "Allow",
		"Principal": {"AWS": "arn:aws:iam::111122223333:root"},
		"Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
		"Resource": secret_arn,
	}],
}

live(type, id, props) := {
	"_ref": id, "type": type, "id": id, "arn": id, "account": "444455556666", "region": "us-east-1", "tags": {},
	"source": {"kind": "aws", "account": "444455556666", "region": "us-east-1"}, "properties": props,
}

rp(doc) := live("AWS::SecretsManager::ResourcePolicy", concat("", [secret_arn, "|resource-policy"]), {"SecretId": secret_arn, "ResourcePolicy": doc})

# The article (lines 2868–2880) creates secret-b with --kms-key-id $KEY_ID.
article_secret := live("AWS::SecretsManager::Secret", secret_arn, {"Name": "secret-b", "KmsKeyId": "arn:aws:kms:us-east-1:444455556666:key/abcdefgh-1234-5678-90ij-klmnopqrstuv"})

inp(s, p) := {"byType": {"AWS::SecretsManager::Secret": [s], "AWS::SecretsManager::ResourcePolicy": [p]}}

statuses(rs) := {[x.key, x.status] | some x in rs}

no_key := json.patch(article_secret, [{"op": "remove", "path": "/properties/KmsKeyId"}])

test_article_secret_with_cmk_passes if {
	count(rule.results) == 0 with input as inp(article_secret, rp(article_policy))
	rule.judged == {secret_arn} with input as inp(article_secret, rp(article_policy))
}

test_default_key_fails if {
	rs := rule.results with input as inp(no_key, rp(article_policy))
	statuses(rs) == {["kms-key", "fail"]}
	some x in rs
	x.ref == secret_arn
	x.pointer == "/Properties/KmsKeyId"
	contains(x.message, "arn:aws:iam::111122223333:root")
}

test_alias_aws_secretsmanager_fails if {
	s := json.patch(article_secret, [{"op": "replace", "path": "/properties/KmsKeyId", "value": "alias/aws/secretsmanager"}])
	statuses(rule.results) == {["kms-key", "fail"]} with input as inp(s, rp(article_policy))
	s2 := json.patch(article_secret, [{"op": "replace", "path": "/properties/KmsKeyId", "value": "arn:aws:kms:us-east-1:444455556666:alias/aws/secretsmanager"}])
	statuses(rule.results) == {["kms-key", "fail"]} with input as inp(s2, rp(article_policy))
}

test_own_account_only_passes if {
	p := json.patch(article_policy, [{"op": "replace", "path": "/Statement/0/Principal", "value": {"AWS": "arn:aws:iam::444455556666:role/reader"}}])
	count(rule.results) == 0 with input as inp(no_key, rp(p))
}

test_star_principal_is_foreign if {
	p := json.patch(article_policy, [{"op": "replace", "path": "/Statement/0/Principal", "value": "*"}])
	statuses(rule.results) == {["kms-key", "fail"]} with input as inp(no_key, rp(p))
}

test_unknown_key if {
	s := json.patch(article_secret, [{"op": "replace", "path": "/properties/KmsKeyId", "value": {"$unknown": "parameter"}}])
	statuses(rule.results) == {["kms-key", "unknown"]} with input as inp(s, rp(article_policy))
}

test_secret_not_in_input if {
	rs := rule.results with input as {"byType": {"AWS::SecretsManager::ResourcePolicy": [rp(article_policy)]}}
	statuses(rs) == {["secret", "unknown"]}
}

src := {"kind": "cloudformation", "file": "t.yaml", "line": 1}

cfn_secret(props) := {"_ref": "s", "type": "AWS::SecretsManager::Secret", "id": "Secret", "source": src, "tags": {}, "properties": object.union({"Name": "secret-b"}, props)}

cfn_rp(secret_id, doc) := {"_ref": "p", "type": "AWS::SecretsManager::ResourcePolicy", "id": "Policy", "source": src, "tags": {}, "properties": {"SecretId": secret_id, "ResourcePolicy": doc}}

# The shared account-trust decision (lib.account_trust): without --account, a literal
# account outside trustedAccounts is another account (the same verdict
# secretsmanager-resource-policy-scoped and kms-key-policy-cross-account-scoped give it);
# a trusted one may be the template's own account, so it is unknown.
test_template_literal_untrusted_account_is_foreign_with_default_key if {
	statuses(rule.results) == {["kms-key", "fail"]} with input as inp(cfn_secret({}), cfn_rp({"$ref": "Secret"}, article_policy))
}

test_template_literal_trusted_account_is_unknown_with_default_key if {
	acct := lib.principal_account(article_policy.Statement[0].Principal.AWS)
	statuses(rule.results) == {["kms-key", "unknown"]} with input as inp(cfn_secret({}), cfn_rp({"$ref": "Secret"}, article_policy)) with data.config.params as {"trustedAccounts": [acct]}
}

test_template_literal_account_with_cmk_passes if {
	count(rule.results) == 0 with input as inp(cfn_secret({"KmsKeyId": {"$ref": "Key"}}), cfn_rp({"$ref": "Secret"}, article_policy))
}

test_template_star_by_name if {
	p := json.patch(article_policy, [{"op": "replace", "path": "/Statement/0/Principal", "value": {"AWS": "*"}}])
	statuses(rule.results) == {["kms-key", "fail"]} with input as inp(cfn_secret({}), cfn_rp("secret-b", p))
}

test_template_self_principals_pass if {
	p := json.patch(article_policy, [{"op": "replace", "path": "/Statement/0/Principal", "value": {"AWS": [{"$unknown": "Fn::Sub", "template": "arn:aws:iam::${AWS::AccountId}:root"}, {"$ref": "Role", "attribute": "Arn"}]}}])
	count(rule.results) == 0 with input as inp(cfn_secret({}), cfn_rp({"$ref": "Secret"}, p))
}

test_template_unknown_policy if {
	statuses(rule.results) == {["kms-key", "unknown"]} with input as inp(cfn_secret({}), cfn_rp({"$ref": "Secret"}, {"$unknown": "Fn::If"}))
	p := {"Statement": {"Effect": "Allow", "Principal": {"$unknown": "x"}, "Action": "*"}}
	statuses(rule.results) == {["kms-key", "unknown"]} with input as inp(cfn_secret({}), cfn_rp({"$ref": "Secret"}, json.marshal(p)))
}

test_edge_principals if {
	p := {"Statement": [
		{"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::444455556666:root"}, "Action": "secretsmanager:GetSecretValue", "Resource": "*"},
		{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "*"},
		{"Effect": "Allow", "Action": "*"},
	]}
	statuses(rule.results) == {["kms-key", "fail"]} with input as inp(no_key, rp(p))
	u := {"Statement": [{"$unknown": "Fn::If"}]}
	statuses(rule.results) == {["kms-key", "unknown"]} with input as inp(cfn_secret({}), cfn_rp({"$ref": "Secret"}, u))
	statuses(rule.results) == {["secret", "unknown"]} with input as {"byType": {"AWS::SecretsManager::ResourcePolicy": [cfn_rp({"$ref": "Other"}, u)]}}
	statuses(rule.results) == {["secret", "unknown"]} with input as {"byType": {"AWS::SecretsManager::ResourcePolicy": [cfn_rp({"$unknown": "param"}, u)]}}
}
