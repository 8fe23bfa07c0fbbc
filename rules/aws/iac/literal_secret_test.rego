package rampart.rules.iac.literal_secret_test

import data.rampart.rules.iac.literal_secret as rule

_res(type, id, props) := {
	"_ref": id,
	"type": type,
	"id": id,
	"tags": {},
	"properties": props,
	"source": {"kind": "cloudformation", "file": "opensearch-glue-infrastructure.yaml", "line": 20, "pointer": sprintf("/Resources/%s", [id])},
}

_param(name, feeds) := {
	"_ref": name,
	"type": "AWS::CloudFormation::Parameter",
	"id": name,
	"tags": {},
	"properties": {"Type": "String", "NoEcho": true},
	"observed": {"feeds": feeds},
	"source": {"kind": "cloudformation", "file": "opensearch-glue-infrastructure.yaml", "line": 5, "pointer": sprintf("/Parameters/%s", [name])},
}

_domain(password) := _res("AWS::OpenSearchService::Domain", "OpenSearchDomain", {
	"DomainName": "glue-opensearch",
	"AdvancedSecurityOptions": {"Enabled": true, "InternalUserDatabaseEnabled": true, "MasterUserOptions": {"MasterUserName": "admin", "MasterUserPassword": password}},
})

_feed := {"resource": "OpenSearchDomain", "type": "AWS::OpenSearchService::Domain", "property": "AdvancedSecurityOptions/MasterUserOptions/MasterUserPassword", "pointer": "/Resources/OpenSearchDomain/Properties/AdvancedSecurityOptions/MasterUserOptions/MasterUserPassword"}

# Article, lines 4599–4609: the OpenSearch domain's master password is a parameter
# given with --parameter-overrides at deploy time. The loader resolves the Ref to the
# value given (or the default), and records that the parameter feeds the property:
# the template does not hold the value, so the domain passes.
test_article_password_from_parameter_passes if {
	inp := {"byType": {
		"AWS::OpenSearchService::Domain": [_domain("given-at-deploy-time")],
		"AWS::CloudFormation::Parameter": [_param("OSMasterUserPassword", [_feed])],
	}}
	count(rule.results) == 0 with input as inp
	rule.judged == {"OpenSearchDomain"} with input as inp
}

# The same domain with the password written in the template fails, at the property,
# without the value.
test_article_password_written_in_template_fails if {
	inp := {"byType": {"AWS::OpenSearchService::Domain": [_domain("Example-Passw0rd-123")]}}
	res := rule.results with input as inp
	count(res) == 1
	some f in res
	f.status == "fail"
	f.ref == "OpenSearchDomain"
	f.pointer == "/Properties/AdvancedSecurityOptions/MasterUserOptions/MasterUserPassword"
	f.key == "AdvancedSecurityOptions.MasterUserOptions.MasterUserPassword"
	not contains(json.marshal(f), "Passw0rd")
}

# A parameter of another template does not feed this one.
test_parameter_of_another_file_does_not_count if {
	p := json.patch(_param("OSMasterUserPassword", [_feed]), [{"op": "replace", "path": "/source/file", "value": "other.yaml"}])
	inp := {"byType": {"AWS::OpenSearchService::Domain": [_domain("Example-Passw0rd-123")], "AWS::CloudFormation::Parameter": [p]}}
	count(rule.results) == 1 with input as inp
}

test_dynamic_references_pass if {
	inp := {"byType": {"AWS::RDS::DBInstance": [
		_res("AWS::RDS::DBInstance", "A", {"MasterUserPassword": "{{resolve:secretsmanager:db-admin:SecretString:password}}"}),
		_res("AWS::RDS::DBInstance", "B", {"MasterUserPassword": "{{resolve:ssm-secure:/db/admin:3}}"}),
		_res("AWS::RDS::DBInstance", "C", {"MasterUserPassword": {"$unknown": "Ref to parameter P, which has no default"}}),
		_res("AWS::RDS::DBInstance", "D", {"MasterUserPassword": {"$ref": "Secret"}}),
		_res("AWS::RDS::DBInstance", "E", {"ManageMasterUserPassword": true, "MasterUsername": "admin"}),
		_res("AWS::RDS::DBInstance", "F", {"MasterUserPassword": ""}),
	]}}
	count(rule.results) == 0 with input as inp
	rule.judged == {"A", "B", "C", "D", "F"} with input as inp
}

test_list_items_point_at_their_index if {
	broker := _res("AWS::AmazonMQ::Broker", "Broker", {"Users": [
		{"Username": "app", "Password": "{{resolve:secretsmanager:mq:SecretString:app}}"},
		{"Username": "admin", "Password": "s3cr3t-admin"},
	]})
	res := rule.results with input as {"byType": {"AWS::AmazonMQ::Broker": [broker]}}
	{[f.pointer, f.key] | some f in res} == {["/Properties/Users/1/Password", "Users.1.Password"]}
}

test_numbers_are_literals if {
	res := rule.results with input as {"byType": {"AWS::ElastiCache::ReplicationGroup": [_res("AWS::ElastiCache::ReplicationGroup", "Cache", {"AuthToken": 12345678901234567})]}}
	{f.key | some f in res} == {"AuthToken"}
}

test_any_type_with_a_secret_property if {
	res := rule.results with input as {"byType": {"AWS::Custom::Thing": [_res("AWS::Custom::Thing", "X", {"Nested": {"ClientSecret": "abc"}})]}}
	{f.key | some f in res} == {"Nested.ClientSecret"}
}

test_pointer_escapes_keys if {
	res := rule.results with input as {"byType": {"AWS::Custom::Thing": [_res("AWS::Custom::Thing", "X", {"a/b~c": {"Password": "abc"}})]}}
	{f.pointer | some f in res} == {"/Properties/a~1b~0c/Password"}
}

test_live_resources_and_parameters_are_not_judged if {
	live := json.patch(_domain("x"), [{"op": "replace", "path": "/source", "value": {"kind": "aws", "account": "111122223333", "region": "us-east-1"}}])
	inp := {"byType": {"AWS::OpenSearchService::Domain": [live], "AWS::CloudFormation::Parameter": [_param("P", [])]}}
	count(rule.results) == 0 with input as inp
	count(rule.judged) == 0 with input as inp
}
