package rampart.rules.iam.secrets_access_tag_scoped_test

import data.rampart.rules.iam.secrets_access_tag_scoped as rule

# The article's policy.json (seeds/000_14fc47060cf8555c.txt lines 2630–2646), verbatim
# with $SECRET_ARN filled in.
article_policy := {
	"Version": "2012-10-17",
	"Statement": [{
		"Effect": "Allow",
		"Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
		"Resource": ["arn:aws:secretsmanager:us-east-1:111122223333:secret:dummy-secret-q1w2e3"],
		"Condition": {"StringEquals": {
			"secretsmanager:ResourceTag/kubernetes-namespace": "${aws:PrincipalTag/kubernetes-namespace}",
			"secretsmanager:ResourceTag/eks-cluster-name": "${aws:PrincipalTag/eks-cluster-name}",
		}},
	}],
}

# The article's cross-policy.json (lines 2944–2968).
article_cross_policy := {
	"Version": "2012-10-17",
	"Statement": [
		{
			"Effect": "Allow",
			"Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
			"Resource": ["arn:aws:secretsmanager:us-east-1:444455556666:secret:secret-b-12345"],
			"Condition": {"StringEquals": {
				"secretsmanager:ResourceTag/kubernetes-namespace": "${aws:PrincipalTag/kubernetes-namespace}",
				"secretsmanager:ResourceTag/eks-cluster-name": "${aws:PrincipalTag/eks-cluster-name}",
			}},
		},
		{
			"Effect": "Allow",
			"Action": ["kms:Decrypt", "kms:DescribeKey"],
			"Resource": "arn:aws:kms:us-east-1:444455556666:key/abcdefgh-1234-5678-90ij-klmnopqrstuv",
		},
	],
}

# The article's trust.json (lines 2650–2666).
article_trust := {
	"Version": "2012-10-17",
	"Statement": [{
		"Effect": "Allow",
		"Principal": {"Service": "pods.eks.amazonaws.com"},
		"Action": ["sts:AssumeRole", "sts:TagSession"],
	}],
}

src := {"kind": "cloudformation", "file": "t.yaml", "line": 1}

role(props) := {
	"_ref": "role", "type": "AWS::IAM::Role", "id": "Role", "source": src, "tags": {},
	"properties": object.union({"RoleName": "ascp-podidentity", "AssumeRolePolicyDocument": article_trust}, props),
}

inline(doc) := role({"Policies": [{"PolicyName": "ascp-podidentity", "PolicyDocument": doc}]})

inp(roles) := {"byType": {"AWS::IAM::Role": roles}}

statuses(rs) := {[x.key, x.status, object.get(x, "severity", "")] | some x in rs}

p0 := "/Properties/Policies/0/PolicyDocument"

test_article_policy_passes if {
	count(rule.results) == 0 with input as inp([inline(article_policy)])
	rule.judged == {"role"} with input as inp([inline(article_policy)])
}

test_article_cross_policy_passes if {
	count(rule.results) == 0 with input as inp([inline(article_cross_policy)])
}

test_no_condition_fails_medium if {
	doc := json.patch(article_policy, [{"op": "remove", "path": "/Statement/0/Condition"}])
	rs := rule.results with input as inp([inline(doc)])
	statuses(rs) == {[concat("", [p0, ":statement:0:tags"]), "fail", "medium"]}
	some x in rs
	x.pointer == concat("", [p0, "/Statement/0"])
	contains(x.message, "kubernetes-namespace is not conditioned")
	contains(x.message, "ascp-podidentity")
}

test_star_resource_is_high if {
	doc := json.patch(article_policy, [
		{"op": "remove", "path": "/Statement/0/Condition"},
		{"op": "replace", "path": "/Statement/0/Resource", "value": "*"},
	])
	statuses(rule.results) == {[concat("", [p0, ":statement:0:tags"]), "fail", "high"]} with input as inp([inline(doc)])
}

test_all_secrets_arn_and_not_resource_are_high if {
	doc := json.patch(article_policy, [
		{"op": "remove", "path": "/Statement/0/Condition"},
		{"op": "replace", "path": "/Statement/0/Resource", "value": "arn:aws:secretsmanager:us-east-1:111122223333:secret:*"},
	])
	statuses(rule.results) == {[concat("", [p0, ":statement:0:tags"]), "fail", "high"]} with input as inp([inline(doc)])
	doc2 := {"Statement": {"Effect": "Allow", "Action": "secretsmanager:*", "NotResource": "arn:aws:secretsmanager:*:*:secret:x"}}
	statuses(rule.results) == {[concat("", [p0, ":statement::tags"]), "fail", "high"]} with input as inp([inline(doc2)])
}

test_one_tag_missing if {
	doc := json.patch(article_policy, [{"op": "remove", "path": "/Statement/0/Condition/StringEquals/secretsmanager:ResourceTag~1eks-cluster-name"}])
	rs := rule.results with input as inp([inline(doc)])
	count(rs) == 1
	some x in rs
	contains(x.message, "eks-cluster-name is not conditioned")
	not contains(x.message, "kubernetes-namespace is")
}

test_wrong_operator_and_literal_value if {
	doc := {"Version": "2012-10-17", "Statement": [{
		"Sid": "Read", "Effect": "Allow", "Action": "secretsmanager:Get*", "Resource": "arn:aws:secretsmanager:us-east-1:111122223333:secret:a-*",
		"Condition": {
			"StringLike": {"secretsmanager:ResourceTag/kubernetes-namespace": "${aws:PrincipalTag/kubernetes-namespace}"},
			"StringEquals": {"secretsmanager:ResourceTag/eks-cluster-name": ["${aws:PrincipalTag/eks-cluster-name}", "prod"]},
		},
	}]}
	rs := rule.results with input as inp([inline(doc)])
	statuses(rs) == {[concat("", [p0, ":statement:Read:tags"]), "fail", "medium"]}
	some x in rs
	contains(x.message, "StringLike")
	contains(x.message, "prod")
}

test_aws_resource_tag_is_accepted if {
	doc := {"Statement": [{
		"Effect": "Allow", "Action": ["secretsmanager:GetSecretValue"], "Resource": "*",
		"Condition": {"StringEquals": {
			"aws:ResourceTag/kubernetes-namespace": "${aws:PrincipalTag/kubernetes-namespace}",
			"aws:ResourceTag/eks-cluster-name": "${aws:PrincipalTag/eks-cluster-name}",
		}},
	}]}
	count(rule.results) == 0 with input as inp([inline(doc)])
}

test_not_action_statement_fails if {
	doc := {"Statement": [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}]}
	statuses(rule.results) == {[concat("", [p0, ":statement:0:tags"]), "fail", "high"]} with input as inp([inline(doc)])
}

test_deny_and_other_actions_ignored if {
	doc := {"Statement": [
		{"Effect": "Deny", "Action": "secretsmanager:GetSecretValue", "Resource": "*"},
		{"Effect": "Allow", "Action": "secretsmanager:DescribeSecret", "Resource": "*"},
	]}
	count(rule.results) == 0 with input as inp([inline(doc)])
}

test_role_not_trusted_by_pods_ignored if {
	r := json.patch(inline({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}), [{"op": "replace", "path": "/properties/AssumeRolePolicyDocument/Statement/0/Principal/Service", "value": "ec2.amazonaws.com"}])
	count(rule.results) == 0 with input as inp([r])
	count(rule.judged) == 0 with input as inp([r])
}

test_unknown_condition_value if {
	doc := json.patch(article_policy, [{"op": "replace", "path": "/Statement/0/Condition/StringEquals/secretsmanager:ResourceTag~1eks-cluster-name", "value": {"$unknown": "Fn::Sub of a parameter"}}])
	statuses(rule.results) == {[concat("", [p0, ":statement:0:tags"]), "unknown", ""]} with input as inp([inline(doc)])
}

test_unknown_condition_block if {
	doc := json.patch(article_policy, [{"op": "replace", "path": "/Statement/0/Condition", "value": {"$unknown": "Fn::If"}}])
	statuses(rule.results) == {[concat("", [p0, ":statement:0:tags"]), "unknown", ""]} with input as inp([inline(doc)])
	doc2 := json.patch(article_policy, [{"op": "replace", "path": "/Statement/0/Condition/StringEquals", "value": {"$unknown": "Fn::If"}}])
	statuses(rule.results) == {[concat("", [p0, ":statement:0:tags"]), "unknown", ""]} with input as inp([inline(doc2)])
}

test_unknown_action if {
	doc := json.patch(article_policy, [{"op": "replace", "path": "/Statement/0/Action", "value": {"$unknown": "parameter"}}])
	statuses(rule.results) == {[concat("", [p0, ":statement:0:unresolved"]), "unknown", ""]} with input as inp([inline(doc)])
}

test_unknown_statement_list if {
	statuses(rule.results) == {[concat("", [p0, ":statement::unresolved"]), "unknown", ""]} with input as inp([inline({"Statement": {"$unknown": "Fn::If"}})])
}

test_unknown_documents if {
	rs := rule.results with input as inp([role({"Policies": {"$unknown": "Fn::If"}, "ManagedPolicyArns": [{"$unknown": "a parameter"}]})])
	statuses(rs) == {["/Properties/Policies:unresolved", "unknown", ""], ["/Properties/ManagedPolicyArns/0:unresolved", "unknown", ""]}
	rs2 := rule.results with input as inp([inline({"$unknown": "Fn::Sub"})])
	statuses(rs2) == {["/Properties/Policies/0:unresolved", "unknown", ""]}
}

# --- joins ------------------------------------------------------------------------

mp(id, doc, props) := {
	"_ref": id, "type": "AWS::IAM::ManagedPolicy", "id": id, "source": src, "tags": {},
	"properties": object.union({"PolicyDocument": doc}, props),
}

bad_doc := {"Statement": [{"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": "*"}]}

test_managed_policy_by_ref if {
	r := role({"ManagedPolicyArns": [{"$ref": "MP"}]})
	i := {"byType": {"AWS::IAM::Role": [r], "AWS::IAM::ManagedPolicy": [mp("MP", bad_doc, {})]}}
	rs := rule.results with input as i
	statuses(rs) == {["role:ascp-podidentity:/Properties/PolicyDocument:statement:0:tags", "fail", "high"]}
	some x in rs
	x.ref == "MP"
	x.pointer == "/Properties/PolicyDocument/Statement/0"
	rule.judged == {"role", "MP"} with input as i
}

test_policy_resource_by_roles_list if {
	p := {"_ref": "P", "type": "AWS::IAM::Policy", "id": "P", "source": src, "tags": {}, "properties": {"PolicyName": "p", "PolicyDocument": bad_doc, "Roles": [{"$ref": "Role"}]}}
	p2 := json.patch(p, [{"op": "replace", "path": "/properties/Roles", "value": ["ascp-podidentity"]}, {"op": "replace", "path": "/_ref", "value": "P2"}, {"op": "replace", "path": "/id", "value": "P2"}])
	other := json.patch(p, [{"op": "replace", "path": "/properties/Roles", "value": ["someone-else"]}, {"op": "replace", "path": "/_ref", "value": "P3"}, {"op": "replace", "path": "/id", "value": "P3"}])
	i := {"byType": {"AWS::IAM::Role": [role({})], "AWS::IAM::Policy": [p, p2, other]}}
	{x.ref | some x in rule.results} == {"P", "P2"} with input as i
}

test_managed_policy_in_other_file_not_joined if {
	r := role({"ManagedPolicyArns": [{"$ref": "MP"}]})
	m := json.patch(mp("MP", bad_doc, {}), [{"op": "replace", "path": "/source/file", "value": "other.yaml"}])
	statuses(rule.results) == {["/Properties/ManagedPolicyArns/0:managed", "unknown", ""]} with input as {"byType": {"AWS::IAM::Role": [r], "AWS::IAM::ManagedPolicy": [m]}}
}

test_aws_managed_policies if {
	r := role({"ManagedPolicyArns": [
		"arn:aws:iam::aws:policy/SecretsManagerReadWrite",
		"arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
	]})
	rs := rule.results with input as inp([r])
	statuses(rs) == {["/Properties/ManagedPolicyArns/0:managed", "fail", ""], ["/Properties/ManagedPolicyArns/1:managed", "unknown", ""]}
}

live(type, arn, props) := {
	"_ref": arn, "type": type, "id": arn, "arn": arn, "account": "111122223333", "region": "global",
	"source": {"kind": "aws", "account": "111122223333", "region": "global"}, "tags": {}, "properties": props,
}

test_live_managed_policy_by_arn if {
	arn := "arn:aws:iam::111122223333:policy/read-secrets"
	r := live("AWS::IAM::Role", "arn:aws:iam::111122223333:role/ascp-podidentity", {"RoleName": "ascp-podidentity", "AssumeRolePolicyDocument": article_trust, "Policies": [], "ManagedPolicyArns": [arn]})
	p := live("AWS::IAM::ManagedPolicy", arn, {"ManagedPolicyName": "read-secrets", "PolicyDocument": article_policy, "Roles": ["ascp-podidentity"]})
	i := {"byType": {"AWS::IAM::Role": [r], "AWS::IAM::ManagedPolicy": [p]}}
	count(rule.results) == 0 with input as i
	bad := json.patch(p, [{"op": "replace", "path": "/properties/PolicyDocument", "value": bad_doc}])
	rs := rule.results with input as {"byType": {"AWS::IAM::Role": [r], "AWS::IAM::ManagedPolicy": [bad]}}
	count(rs) == 1
	some x in rs
	x.ref == arn
	contains(x.message, "managed policy \"read-secrets\"")
}

test_policy_document_as_json_string if {
	r := role({"Policies": [{"PolicyName": "s", "PolicyDocument": json.marshal(bad_doc)}]})
	statuses(rule.results) == {[concat("", [p0, ":statement:0:tags"]), "fail", "high"]} with input as inp([r])
}
