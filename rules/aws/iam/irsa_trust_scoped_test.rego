package rampart.rules.iam.irsa_trust_scoped_test

import data.rampart.rules.iam.irsa_trust_scoped as rule

provider := "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"

host := "oidc.eks.us-west-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"

# An IRSA trust policy as the EKS documentation prints it: the baseline the article
# (lines 2522–2540) recommends replacing with Pod Identity.
irsa_trust := {
	"Version": "2012-10-17",
	"Statement": [{
		"Effect": "Allow",
		"Principal": {"Federated": provider},
		"Action": "sts:AssumeRoleWithWebIdentity",
		"Condition": {"StringEquals": {
			"oidc.eks.us-west-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE:sub": "system:serviceaccount:default:serviceaccount-a",
			"oidc.eks.us-west-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE:aud": "sts.amazonaws.com",
		}},
	}],
}

# The article's Pod Identity trust.json (lines 2650–2666): not an IRSA trust.
article_pod_identity_trust := {
	"Version": "2012-10-17",
	"Statement": [{
		"Effect": "Allow",
		"Principal": {"Service": "pods.eks.amazonaws.com"},
		"Action": ["sts:AssumeRole", "sts:TagSession"],
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

oidc(url) := {
	"_ref": "o1",
	"type": "AWS::IAM::OIDCProvider",
	"id": "Oidc",
	"source": {"kind": "cloudformation", "file": "t.yaml", "line": 9, "pointer": "/Resources/Oidc"},
	"tags": {},
	"properties": {"Url": url, "ClientIdList": ["sts.amazonaws.com"]},
}

inp(doc) := {"byType": {"AWS::IAM::Role": [role(doc)]}}

with_condition(c) := json.patch(irsa_trust, [{"op": "replace", "path": "/Statement/0/Condition", "value": c}])

with_principal(p) := json.patch(irsa_trust, [{"op": "replace", "path": "/Statement/0/Principal", "value": {"Federated": p}}])

statuses(rs) := {[x.key, x.status] | some x in rs}

test_article_pod_identity_trust_is_not_irsa if {
	count(rule.results) == 0 with input as inp(article_pod_identity_trust)
	count(rule.judged) == 0 with input as inp(article_pod_identity_trust)
}

test_pinned_irsa_trust_passes if {
	count(rule.results) == 0 with input as inp(irsa_trust)
	rule.judged == {"r1"} with input as inp(irsa_trust)
}

test_no_condition_fails_sub_and_aud if {
	doc := json.remove(irsa_trust, ["Statement/0/Condition"])
	rs := rule.results with input as inp(doc)
	statuses(rs) == {["statement:0:sub", "fail"], ["statement:0:aud", "fail"]}
	some x in rs
	x.key == "statement:0:sub"
	contains(x.message, "Pod Identity")
	contains(x.message, "has no such condition")
	x.pointer == "/Properties/AssumeRolePolicyDocument/Statement/0"
}

test_wildcard_sub_fails if {
	doc := with_condition({
		"StringLike": {concat("", [host, ":sub"]): "system:serviceaccount:default:*"},
		"StringEquals": {concat("", [host, ":aud"]): "sts.amazonaws.com"},
	})
	rs := rule.results with input as inp(doc)
	statuses(rs) == {["statement:0:sub", "fail"]}
	some x in rs
	contains(x.message, "system:serviceaccount:default:*")
}

test_wrong_audience_fails if {
	doc := with_condition({"StringEquals": {
		concat("", [host, ":sub"]): ["system:serviceaccount:a:b", "system:serviceaccount:c:d"],
		concat("", [host, ":aud"]): "other",
	}})
	statuses(rule.results) == {["statement:0:aud", "fail"]} with input as inp(doc)
}

test_condition_for_other_provider_does_not_count if {
	doc := with_condition({"StringEquals": {
		"oidc.eks.eu-west-1.amazonaws.com/id/OTHER:sub": "system:serviceaccount:a:b",
		"oidc.eks.eu-west-1.amazonaws.com/id/OTHER:aud": "sts.amazonaws.com",
	}})
	statuses(rule.results) == {["statement:0:sub", "fail"], ["statement:0:aud", "fail"]} with input as inp(doc)
}

test_unknown_sub_value_is_unknown if {
	doc := with_condition({"StringEquals": {
		concat("", [host, ":sub"]): {"$unknown": "Ref to parameter ServiceAccount"},
		concat("", [host, ":aud"]): "sts.amazonaws.com",
	}})
	rs := rule.results with input as inp(doc)
	statuses(rs) == {["statement:0:sub", "unknown"]}
	some x in rs
	contains(x.message, "ServiceAccount")
}

test_unknown_condition_is_unknown if {
	doc := with_condition({"$unknown": "Fn::If"})
	statuses(rule.results) == {["statement:0:sub", "unknown"], ["statement:0:aud", "unknown"]} with input as inp(doc)
}

test_non_eks_oidc_provider_is_not_judged if {
	doc := with_principal("arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com")
	count(rule.judged) == 0 with input as inp(doc)
}

test_ref_to_eks_oidc_provider if {
	doc := json.remove(with_principal({"$ref": "Oidc", "attribute": "Arn"}), ["Statement/0/Condition"])
	i := {"byType": {"AWS::IAM::Role": [role(doc)], "AWS::IAM::OIDCProvider": [oidc(concat("", ["https://", host]))]}}
	statuses(rule.results) == {["statement:0:sub", "fail"], ["statement:0:aud", "fail"]} with input as i
	i2 := {"byType": {"AWS::IAM::Role": [role(with_principal({"$ref": "Oidc", "attribute": "Arn"}))], "AWS::IAM::OIDCProvider": [oidc(concat("", ["https://", host]))]}}
	count(rule.results) == 0 with input as i2
}

test_ref_to_other_oidc_provider_is_not_judged if {
	doc := json.remove(with_principal({"$ref": "Oidc", "attribute": "Arn"}), ["Statement/0/Condition"])
	i := {"byType": {"AWS::IAM::Role": [role(doc)], "AWS::IAM::OIDCProvider": [oidc("https://token.actions.githubusercontent.com")]}}
	count(rule.judged) == 0 with input as i
}

test_ref_to_provider_not_in_input_is_unknown if {
	doc := json.remove(with_principal({"$ref": "Oidc", "attribute": "Arn"}), ["Statement/0/Condition"])
	rs := rule.results with input as inp(doc)
	statuses(rs) == {["statement:0:sub", "unknown"], ["statement:0:aud", "unknown"]}
	some x in rs
	contains(x.message, "may be an EKS OIDC provider")
}

test_sub_template_with_eks_issuer if {
	p := {"$unknown": "Fn::Sub", "template": "arn:aws:iam::${AWS::AccountId}:oidc-provider/oidc.eks.${AWS::Region}.amazonaws.com/id/${ClusterId}"}
	count(rule.results) == 0 with input as inp(with_principal(p))
	doc := with_condition({"StringLike": {"oidc.eks.us-east-1.amazonaws.com/id/ABC:sub": "system:serviceaccount:*"}})
	statuses(rule.results) == {["statement:0:sub", "fail"], ["statement:0:aud", "fail"]} with input as inp(json.patch(doc, [{"op": "replace", "path": "/Statement/0/Principal/Federated", "value": p}]))
}

test_unresolved_federated_principal_is_unknown if {
	doc := json.remove(with_principal({"$unknown": "Ref to parameter ProviderArn"}), ["Statement/0/Condition"])
	statuses(rule.results) == {["statement:0:sub", "unknown"], ["statement:0:aud", "unknown"]} with input as inp(doc)
	doc2 := json.remove(with_principal({"$unknown": "Fn::Sub", "template": "arn:aws:iam::${AWS::AccountId}:saml-provider/x"}), ["Statement/0/Condition"])
	count(rule.judged) == 0 with input as inp(doc2)
}

test_single_object_statement_and_sid if {
	doc := {"Statement": {"Sid": "Irsa", "Effect": "Allow", "Principal": {"Federated": [provider]}, "Action": ["sts:AssumeRoleWithWebIdentity"]}}
	rs := rule.results with input as inp(doc)
	statuses(rs) == {["statement:Irsa:sub", "fail"], ["statement:Irsa:aud", "fail"]}
	doc2 := {"Statement": {"Effect": "Allow", "Principal": {"Federated": provider}, "Action": "sts:*"}}
	statuses(rule.results) == {["statement::sub", "fail"], ["statement::aud", "fail"]} with input as inp(doc2)
}
