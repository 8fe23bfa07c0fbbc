package rampart.rules.secretsmanager.secret_pod_identity_tagged_test

import data.rampart.rules.secretsmanager.secret_pod_identity_tagged as rule

acct := "111122223333"

secret_arn := "arn:aws:secretsmanager:us-east-1:111122223333:secret:dummy-secret-q1w2e3"

role_arn := "arn:aws:iam::111122223333:role/ascp-podidentity"

# The article's policy.json and trust.json (lines 2630–2666) with $SECRET_ARN filled in.
article_policy := {
	"Version": "2012-10-17",
	"Statement": [{
		"Effect": "Allow",
		"Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
		"Resource": [secret_arn],
		"Condition": {"StringEquals": {
			"secretsmanager:ResourceTag/kubernetes-namespace": "${aws:PrincipalTag/kubernetes-namespace}",
			"secretsmanager:ResourceTag/eks-cluster-name": "${aws:PrincipalTag/eks-cluster-name}",
		}},
	}],
}

article_trust := {
	"Version": "2012-10-17",
	"Statement": [{"Effect": "Allow", "Principal": {"Service": "pods.eks.amazonaws.com"}, "Action": ["sts:AssumeRole", "sts:TagSession"]}],
}

live(type, id, props, tags) := {
	"_ref": id, "type": type, "id": id, "arn": id, "name": object.get(props, "Name", object.get(props, "RoleName", null)),
	"account": acct, "region": "us-east-1", "tags": tags,
	"source": {"kind": "aws", "account": acct, "region": "us-east-1"}, "properties": props,
}

role_with(doc) := live("AWS::IAM::Role", role_arn, {"RoleName": "ascp-podidentity", "AssumeRolePolicyDocument": article_trust, "Policies": [{"PolicyName": "ascp-podidentity", "PolicyDocument": doc}]}, {})

# The article's secret (lines 2612–2617): tagged with the namespace and cluster.
secret(tags) := live("AWS::SecretsManager::Secret", secret_arn, {"Name": "secret-a"}, tags)

article_tags := {"kubernetes-namespace": "ns-a", "eks-cluster-name": "cluster-a"}

# The association of lines 2680–2690: cluster-a, namespace ns-a, serviceaccount-a.
assoc(cluster, ns) := live("AWS::EKS::PodIdentityAssociation", "arn:aws:eks:us-east-1:111122223333:podidentityassociation/cluster-a/a-1", {"ClusterName": cluster, "Namespace": ns, "ServiceAccount": "serviceaccount-a", "RoleArn": role_arn}, {})

inp(roles, secrets, assocs) := {"byType": {"AWS::IAM::Role": roles, "AWS::SecretsManager::Secret": secrets, "AWS::EKS::PodIdentityAssociation": assocs}}

statuses(rs) := {[x.key, x.status, object.get(x, "severity", "")] | some x in rs}

test_article_tagged_secret_passes if {
	i := inp([role_with(article_policy)], [secret(article_tags)], [assoc("cluster-a", "ns-a")])
	count(rule.results) == 0 with input as i
	rule.judged == {secret_arn} with input as i
}

test_untagged_secret_fails if {
	rs := rule.results with input as inp([role_with(article_policy)], [secret({"kubernetes-namespace": "ns-a"})], [])
	statuses(rs) == {["tags", "fail", ""]}
	some x in rs
	contains(x.message, "eks-cluster-name")
	contains(x.message, "ascp-podidentity")
	x.pointer == "/Properties/Tags"
}

test_tag_mismatch_is_low if {
	rs := rule.results with input as inp([role_with(article_policy)], [secret({"kubernetes-namespace": "ns-b", "eks-cluster-name": "cluster-a"})], [assoc("cluster-a", "ns-a")])
	statuses(rs) == {["tag-values:ascp-podidentity", "fail", "low"]}
	some x in rs
	contains(x.message, "cluster cluster-a, namespace ns-a")
}

test_no_association_no_value_check if {
	count(rule.results) == 0 with input as inp([role_with(article_policy)], [secret({"kubernetes-namespace": "x", "eks-cluster-name": "y"})], [])
}

test_unknown_tags if {
	s := json.patch(secret({}), [{"op": "add", "path": "/observed", "value": {"tagsUnknown": {"$unknown": "ListTags failed"}}}])
	statuses(rule.results) == {["tags", "unknown", ""]} with input as inp([role_with(article_policy)], [s], [])
}

test_unknown_association_value if {
	rs := rule.results with input as inp([role_with(article_policy)], [secret({"kubernetes-namespace": "ns-b", "eks-cluster-name": "cluster-a"})], [assoc({"$unknown": "parameter"}, "ns-a")])
	statuses(rs) == {["tag-values:ascp-podidentity", "unknown", ""]}
}

test_wildcard_resource_pattern if {
	doc := json.patch(article_policy, [{"op": "replace", "path": "/Statement/0/Resource", "value": "arn:aws:secretsmanager:us-east-1:111122223333:secret:dummy-*"}])
	statuses(rule.results) == {["tags", "fail", ""]} with input as inp([role_with(doc)], [secret({})], [])
}

test_star_resource_names_no_secret if {
	doc := json.patch(article_policy, [{"op": "replace", "path": "/Statement/0/Resource", "value": "*"}])
	count(rule.results) == 0 with input as inp([role_with(doc)], [secret({})], [])
}

test_non_pod_role_ignored if {
	r := json.patch(role_with(article_policy), [{"op": "replace", "path": "/properties/AssumeRolePolicyDocument/Statement/0/Principal/Service", "value": "lambda.amazonaws.com"}])
	count(rule.judged) == 0 with input as inp([r], [secret({})], [])
}

src := {"kind": "cloudformation", "file": "t.yaml", "line": 1}

cfn(type, id, props, tags) := {"_ref": id, "type": type, "id": id, "source": src, "tags": tags, "properties": props}

test_template_join if {
	doc := json.patch(article_policy, [{"op": "replace", "path": "/Statement/0/Resource", "value": [{"$ref": "Secret"}]}])
	r := cfn("AWS::IAM::Role", "Role", {"AssumeRolePolicyDocument": article_trust, "Policies": [{"PolicyName": "p", "PolicyDocument": doc}]}, {})
	s := cfn("AWS::SecretsManager::Secret", "Secret", {"Name": "secret-a"}, article_tags)
	a := cfn("AWS::EKS::PodIdentityAssociation", "Assoc", {"ClusterName": {"$ref": "Cluster"}, "Namespace": "ns-a", "ServiceAccount": "sa", "RoleArn": {"$ref": "Role", "attribute": "Arn"}}, {})
	c := cfn("AWS::EKS::Cluster", "Cluster", {"Name": "cluster-a"}, {})
	i := {"byType": {"AWS::IAM::Role": [r], "AWS::SecretsManager::Secret": [s], "AWS::EKS::PodIdentityAssociation": [a], "AWS::EKS::Cluster": [c]}}
	count(rule.results) == 0 with input as i
	rule.judged == {"Secret"} with input as i
	c2 := json.patch(c, [{"op": "replace", "path": "/properties/Name", "value": "cluster-b"}])
	statuses(rule.results) == {["tag-values:Role", "fail", "low"]} with input as json.patch(i, [{"op": "replace", "path": "/byType/AWS::EKS::Cluster/0", "value": c2}])
	c3 := json.patch(c, [{"op": "remove", "path": "/properties/Name"}])
	statuses(rule.results) == {["tag-values:Role", "unknown", ""]} with input as json.patch(i, [{"op": "replace", "path": "/byType/AWS::EKS::Cluster/0", "value": c3}])
}
