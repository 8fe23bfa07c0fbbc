package rampart.rules.cloudformation.secret_parameters_noecho_test

import data.rampart.rules.cloudformation.secret_parameters_noecho as rule

_param(name, decl) := {
	"_ref": name,
	"type": "AWS::CloudFormation::Parameter",
	"id": name,
	"tags": {},
	"properties": decl,
	"source": {"kind": "cloudformation", "file": "opensearch-glue-infrastructure.yaml", "line": 5, "pointer": sprintf("/Parameters/%s", [name])},
}

_in(params) := {"byType": {"AWS::CloudFormation::Parameter": params}}

_keys(res) := {[f.ref, f.key] | some f in res}

# Article, lines 4599–4609: the Glue/OpenSearch stack takes ESMasterUserPassword and
# OSMasterUserPassword as parameters ("Use a strong password … for ESMasterUserPassword
# and OSMasterUserPassword", passed with --parameter-overrides). Declared NoEcho
# without a default, they pass.
test_article_password_parameters_noecho_pass if {
	params := [
		_param("ESMasterUserPassword", {"Type": "String", "NoEcho": true, "MinLength": 8, "MaxLength": 128}),
		_param("OSMasterUserPassword", {"Type": "String", "NoEcho": "true", "MinLength": 8, "MaxLength": 128}),
	]
	count(rule.results) == 0 with input as _in(params)
	rule.judged == {"ESMasterUserPassword", "OSMasterUserPassword"} with input as _in(params)
}

# The same parameters without NoEcho fail: the passwords given on the command line
# would show in the console and describe-stacks.
test_article_password_parameters_without_noecho_fail if {
	params := [
		_param("ESMasterUserPassword", {"Type": "String"}),
		_param("OSMasterUserPassword", {"Type": "String", "NoEcho": false}),
	]
	res := rule.results with input as _in(params)
	_keys(res) == {["ESMasterUserPassword", "noecho"], ["OSMasterUserPassword", "noecho"]}
	some f in res
	f.ref == "OSMasterUserPassword"
	f.pointer == "/Properties/NoEcho"
	contains(f.message, "OSMasterUserPassword looks like a secret")
}

test_literal_default_fails_high_without_echoing_it if {
	res := rule.results with input as _in([_param("DbPassword", {"Type": "String", "NoEcho": true, "Default": "hunter2hunter2"})])
	_keys(res) == {["DbPassword", "default"]}
	some f in res
	f.severity == "high"
	not contains(json.marshal(f), "hunter2")
	f.evidence.HasDefault == true
}

test_empty_default_ignored if {
	count(rule.results) == 0 with input as _in([_param("ApiToken", {"Type": "String", "NoEcho": true, "Default": ""})])
}

test_secrets_manager_default_passes if {
	p := _param("GitHubToken", {"Type": "String", "Default": "{{resolve:secretsmanager:github-token:SecretString:token}}"})
	count(rule.results) == 0 with input as _in([p])
}

test_ssm_parameter_type_not_judged if {
	p := _param("DbPassword", {"Type": "AWS::SSM::Parameter::Value<String>", "Default": "/prod/db/password-name"})
	count(rule.results) == 0 with input as _in([p])
	count(rule.judged) == 0 with input as _in([p])
}

test_descriptive_names_not_judged if {
	params := [
		_param("DBSecretArn", {"Type": "String"}),
		_param("PasswordMinLength", {"Type": "Number", "Default": "12"}),
		_param("TokenLifetimeDays", {"Type": "Number"}),
		_param("KeyName", {"Type": "AWS::EC2::KeyPair::KeyName"}),
		_param("Environment", {"Type": "String", "Default": "prod"}),
	]
	count(rule.judged) == 0 with input as _in(params)
}

test_other_secret_names_judged if {
	params := [
		_param("SlackWebhookSecret", {"Type": "String"}),
		_param("api_key", {"Type": "String"}),
		_param("PrivateKey", {"Type": "String"}),
		_param("ServiceCredentials", {"Type": "String"}),
	]
	count(rule.results) == 4 with input as _in(params)
}

test_noecho_unknown if {
	res := rule.results with input as _in([_param("DbPassword", {"Type": "String", "NoEcho": {"$unknown": "Fn::If"}})])
	{f.status | some f in res} == {"unknown"}
}

test_live_resource_not_judged if {
	p := object.union(_param("DbPassword", {"Type": "String"}), {"source": {"kind": "aws", "account": "111122223333", "region": "us-east-1"}})
	count(rule.judged) == 0 with input as _in([p])
}

# --- decided by use (issue 15): the property a parameter feeds, the name only as fallback

_fed(name, decl, feeds) := object.union(_param(name, decl), {"observed": {"feeds": feeds}})

_feed(resource, property) := {"resource": resource, "type": "AWS::RDS::DBInstance", "property": property, "pointer": sprintf("/Resources/%s/Properties/%s", [resource, property])}

test_descriptive_name_feeding_a_password_is_judged if {
	params := [_fed("DbPasswordParameter", {"Type": "String"}, [_feed("Db", "MasterUserPassword")])]
	res := rule.results with input as _in(params)
	_keys(res) == {["DbPasswordParameter", "noecho"]}
	some f in res
	contains(f.message, "feeds Db.MasterUserPassword")
}

test_plain_name_feeding_a_secret_is_judged if {
	params := [_fed("Master", {"Type": "String", "Default": "hunter2hunter2"}, [_feed("Cache", "AuthToken")])]
	_keys(rule.results) == {["Master", "noecho"], ["Master", "default"]} with input as _in(params)
}

test_nested_secret_property_path if {
	params := [_fed("Admin", {"Type": "String", "NoEcho": true}, [_feed("Domain", "AdvancedSecurityOptions/MasterUserOptions/MasterUserPassword")])]
	rule.judged == {"Admin"} with input as _in(params)
	count(rule.results) == 0 with input as _in(params)
}

test_name_is_the_fallback_when_no_secret_property_is_fed if {
	params := [
		_fed("ApiToken", {"Type": "String"}, [_feed("Fn", "Environment/Variables/API_TOKEN")]),
		_fed("DbPasswordLength", {"Type": "Number"}, [_feed("Secret", "GenerateSecretString/PasswordLength")]),
		_fed("InstanceClass", {"Type": "String"}, [_feed("Db", "DBInstanceClass")]),
	]
	rule.judged == {"ApiToken"} with input as _in(params)
}
