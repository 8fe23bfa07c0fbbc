package rampart.rules.iam.service_trust_confused_deputy_test

import data.rampart.rules.iam.service_trust_confused_deputy as rule

_role(doc) := {
	"_ref": "role",
	"type": "AWS::IAM::Role",
	"id": "PipelineRole",
	"tags": {},
	"properties": {"RoleName": "osis-enrichment-pipeline", "AssumeRolePolicyDocument": doc},
	"source": {"kind": "cloudformation", "file": "template.yaml", "line": 3, "pointer": "/Resources/PipelineRole"},
}

_live(doc) := object.union(_role(doc), {
	"id": "arn:aws:iam::111122223333:role/osis-enrichment-pipeline",
	"account": "111122223333",
	"region": "global",
	"source": {"kind": "aws", "account": "111122223333", "region": "global"},
})

_in(r) := {"byType": {"AWS::IAM::Role": [r]}}

_res(r) := res if {
	res := rule.results with input as _in(r) with data.config.params as {}
}

_statuses(res) := {f.status | some f in res}

# Article, lines 4274–4286: the OpenSearch Ingestion pipeline role's trust
# relationship, exactly as printed.
_article_trust := {
	"Version": "2012-10-17",
	"Statement": [{
		"Effect": "Allow",
		"Principal": {"Service": "osis-pipelines.amazonaws.com"},
		"Action": "sts:AssumeRole",
	}],
}

# With osis-pipelines.amazonaws.com in confusedDeputyServices (the default), the
# article's trust has no aws:SourceAccount / aws:SourceArn: it fails.
test_article_osis_trust_without_source_condition_fails if {
	res := _res(_role(_article_trust))
	count(res) == 1
	some f in res
	f.status == "fail"
	f.pointer == "/Properties/AssumeRolePolicyDocument/Statement/0"
	f.key == "statement:0"
	contains(f.message, "osis-pipelines.amazonaws.com")
	contains(f.message, "${AWS::AccountId}")
	f.evidence == _article_trust.Statement[0]
	rule.judged == {"role"} with input as _in(_role(_article_trust)) with data.config.params as {}
}

# The same trust with the source conditions passes.
test_article_osis_trust_with_source_conditions_passes if {
	doc := json.patch(_article_trust, [{"op": "add", "path": "/Statement/0/Condition", "value": {
		"StringEquals": {"aws:SourceAccount": "111122223333"},
		"ArnLike": {"aws:SourceArn": "arn:aws:osis:us-east-1:111122223333:pipeline/*"},
	}}])
	count(_res(_role(doc))) == 0
}

# Services not listed are not judged.
test_article_trust_not_listed_passes if {
	res := rule.results with input as _in(_role(_article_trust)) with data.config.params as {"confusedDeputyServices": ["config.amazonaws.com"]}
	count(res) == 0
	count(rule.judged) == 0 with input as _in(_role(_article_trust)) with data.config.params as {"confusedDeputyServices": ["config.amazonaws.com"]}
}

test_wildcard_service_list if {
	res := rule.results with input as _in(_role(_article_trust)) with data.config.params as {"confusedDeputyServices": ["*"]}
	_statuses(res) == {"fail"}
}

test_single_statement_object_and_service_list if {
	doc := {"Statement": {"Sid": "Trust", "Effect": "Allow", "Principal": {"Service": ["lambda.amazonaws.com", "Config.amazonaws.com"]}, "Action": ["sts:AssumeRole"]}}
	res := _res(_live(doc))
	count(res) == 1
	some f in res
	f.key == "statement:Trust"
	f.pointer == "/Properties/AssumeRolePolicyDocument/Statement"
	contains(f.message, "statement \"Trust\"")
	contains(f.message, "aws:SourceAccount: 111122223333")
}

test_source_org_and_external_id_count if {
	d1 := json.patch(_article_trust, [{"op": "add", "path": "/Statement/0/Condition", "value": {"StringEquals": {"aws:SourceOrgID": "o-abc123"}}}])
	count(_res(_role(d1))) == 0
	d2 := json.patch(_article_trust, [{"op": "add", "path": "/Statement/0/Condition", "value": {"StringEquals": {"sts:ExternalId": "111122223333"}}}])
	count(_res(_role(d2))) == 0
}

test_weak_conditions_fail if {
	d1 := json.patch(_article_trust, [{"op": "add", "path": "/Statement/0/Condition", "value": {"StringLike": {"aws:SourceAccount": "*"}}}])
	_statuses(_res(_role(d1))) == {"fail"}
	d2 := json.patch(_article_trust, [{"op": "add", "path": "/Statement/0/Condition", "value": {"StringEqualsIfExists": {"aws:SourceAccount": "111122223333"}}}])
	_statuses(_res(_role(d2))) == {"fail"}
	d3 := json.patch(_article_trust, [{"op": "add", "path": "/Statement/0/Condition", "value": {"StringEquals": {"aws:PrincipalAccount": "111122223333"}}}])
	_statuses(_res(_role(d3))) == {"fail"}
}

test_wildcard_and_not_action if {
	d1 := json.patch(_article_trust, [{"op": "replace", "path": "/Statement/0/Action", "value": "sts:*"}])
	_statuses(_res(_role(d1))) == {"fail"}
	d2 := json.remove(json.patch(_article_trust, [{"op": "add", "path": "/Statement/0/NotAction", "value": "iam:*"}]), ["Statement/0/Action"])
	_statuses(_res(_role(d2))) == {"fail"}
}

test_other_actions_and_deny_not_flagged if {
	d1 := json.patch(_article_trust, [{"op": "replace", "path": "/Statement/0/Action", "value": "sts:TagSession"}])
	count(_res(_role(d1))) == 0
	d2 := json.patch(_article_trust, [{"op": "replace", "path": "/Statement/0/Effect", "value": "Deny"}])
	count(_res(_role(d2))) == 0
}

test_principal_star_not_a_service if {
	doc := {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}]}
	count(_res(_role(doc))) == 0
}

test_trust_policy_unknown if {
	res := _res(_role({"$unknown": "Fn::If on condition Prod"}))
	_statuses(res) == {"unknown"}
	some f in res
	f.key == "trust-policy"
}

test_action_unknown if {
	d := json.patch(_article_trust, [{"op": "replace", "path": "/Statement/0/Action", "value": {"$unknown": "Ref to parameter Actions"}}])
	res := _res(_role(d))
	_statuses(res) == {"unknown"}
	some f in res
	contains(f.message, "Action cannot be judged")
}

test_condition_unknown if {
	d := json.patch(_article_trust, [{"op": "add", "path": "/Statement/0/Condition", "value": {"$unknown": "Fn::If on condition Scoped"}}])
	res := _res(_role(d))
	_statuses(res) == {"unknown"}
	d2 := json.patch(_article_trust, [{"op": "add", "path": "/Statement/0/Condition", "value": {"StringEquals": {"$unknown": "Fn::If"}}}])
	_statuses(_res(_role(d2))) == {"unknown"}
}

test_condition_value_unknown_counts_as_guarded if {
	d := json.patch(_article_trust, [{"op": "add", "path": "/Statement/0/Condition", "value": {"StringEquals": {"aws:SourceAccount": {"$unknown": "Ref to parameter Account"}}}}])
	count(_res(_role(d))) == 0
}

test_service_unknown if {
	d := json.patch(_article_trust, [{"op": "replace", "path": "/Statement/0/Principal/Service", "value": {"$unknown": "Ref to parameter Service"}}])
	res := _res(_role(d))
	_statuses(res) == {"unknown"}
	some f in res
	contains(f.message, "cannot be resolved")
}

test_role_name_falls_back_to_id if {
	r := json.remove(_role(_article_trust), ["properties/RoleName"])
	some f in _res(r)
	contains(f.message, "Role PipelineRole")
}
