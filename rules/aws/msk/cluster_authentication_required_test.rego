package rampart.rules.msk.cluster_authentication_required_test

import data.rampart.rules.msk.cluster_authentication_required as rule

_cluster(props) := {
	"_ref": "c",
	"type": "AWS::MSK::Cluster",
	"id": "TargetCluster",
	"tags": {},
	"properties": object.union(
		{
			"ClusterName": "clickstream-express",
			"KafkaVersion": "3.6.0",
			"NumberOfBrokerNodes": 3,
			"BrokerNodeGroupInfo": {"InstanceType": "express.m7g.large", "ClientSubnets": ["subnet-1", "subnet-2", "subnet-3"]},
		},
		props,
	),
	"source": {"kind": "cloudformation", "file": "template.yaml", "line": 3, "pointer": "/Resources/TargetCluster"},
}

_in(r) := {"byType": {"AWS::MSK::Cluster": [r]}}

_keys(res) := {f.key | some f in res}

_statuses(res) := {f.status | some f in res}

_iam := {"Sasl": {"Iam": {"Enabled": true}}}

# Article, line 2066: "Both clusters … with IAM authentication enabled", and lines
# 4457–4471: clients connect with tls_enabled = true and sasl_mechanism = "aws-iam".
# IAM authentication with the default TLS-only client-broker encryption passes.
test_article_iam_authentication_passes if {
	r := _cluster({"ClientAuthentication": _iam})
	count(rule.results) == 0 with input as _in(r)
	rule.judged == {"c"} with input as _in(r)
}

test_article_iam_with_explicit_tls_in_transit_passes if {
	r := _cluster({
		"ClientAuthentication": {"Sasl": {"Iam": {"Enabled": true}}, "Unauthenticated": {"Enabled": false}},
		"EncryptionInfo": {"EncryptionInTransit": {"ClientBroker": "TLS", "InCluster": true}},
	})
	count(rule.results) == 0 with input as _in(r)
}

test_no_client_authentication_fails if {
	res := rule.results with input as _in(_cluster({}))
	_keys(res) == {"authentication"}
	_statuses(res) == {"fail"}
	some f in res
	contains(f.message, "clickstream-express")
}

test_all_methods_off_fails if {
	r := _cluster({"ClientAuthentication": {"Sasl": {"Iam": {"Enabled": false}, "Scram": {"Enabled": "false"}}, "Tls": {"Enabled": false}, "Unauthenticated": {"Enabled": true}}})
	res := rule.results with input as _in(r)
	_keys(res) == {"authentication"}
}

test_scram_and_tls_pass if {
	count(rule.results) == 0 with input as _in(_cluster({"ClientAuthentication": {"Sasl": {"Scram": {"Enabled": "true"}}}}))
	count(rule.results) == 0 with input as _in(_cluster({"ClientAuthentication": {"Tls": {"Enabled": true}}}))
	count(rule.results) == 0 with input as _in(_cluster({"ClientAuthentication": {"Tls": {"CertificateAuthorityArnList": ["arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/abc"]}}}))
}

test_tls_with_empty_list_is_off if {
	res := rule.results with input as _in(_cluster({"ClientAuthentication": {"Tls": {"CertificateAuthorityArnList": []}}}))
	_keys(res) == {"authentication"}
}

test_unauthenticated_alongside_iam_fails if {
	r := _cluster({"ClientAuthentication": {"Sasl": {"Iam": {"Enabled": true}}, "Unauthenticated": {"Enabled": true}}})
	res := rule.results with input as _in(r)
	_keys(res) == {"unauthenticated"}
	some f in res
	contains(f.message, "next to IAM")
	f.pointer == "/Properties/ClientAuthentication/Unauthenticated/Enabled"
}

test_plaintext_client_broker_fails_medium if {
	r := _cluster({"ClientAuthentication": _iam, "EncryptionInfo": {"EncryptionInTransit": {"ClientBroker": "TLS_PLAINTEXT"}}})
	res := rule.results with input as _in(r)
	_keys(res) == {"client-broker-tls"}
	some f in res
	f.severity == "medium"
	contains(f.message, "tls_plaintext")
}

test_in_cluster_off_fails if {
	r := _cluster({"ClientAuthentication": _iam, "EncryptionInfo": {"EncryptionInTransit": {"InCluster": false}}})
	res := rule.results with input as _in(r)
	_keys(res) == {"in-cluster-tls"}
}

test_client_authentication_unknown if {
	res := rule.results with input as _in(_cluster({"ClientAuthentication": {"$unknown": "Fn::If on condition UseIam"}}))
	_keys(res) == {"authentication"}
	_statuses(res) == {"unknown"}
}

test_method_unknown if {
	r := _cluster({"ClientAuthentication": {"Sasl": {"Iam": {"Enabled": {"$unknown": "Ref to parameter UseIam"}}}}})
	res := rule.results with input as _in(r)
	_statuses(res) == {"unknown"}
	some f in res
	contains(f.message, "IAM: Ref to parameter UseIam")
}

test_tls_unknown if {
	r := _cluster({"ClientAuthentication": {"Tls": {"Enabled": {"$unknown": "Ref to parameter UseTls"}}}})
	res := rule.results with input as _in(r)
	_statuses(res) == {"unknown"}
}

test_method_unknown_but_other_on_passes if {
	r := _cluster({"ClientAuthentication": {"Sasl": {"Iam": {"Enabled": true}, "Scram": {"Enabled": {"$unknown": "x"}}}}})
	count(rule.results) == 0 with input as _in(r)
}

test_unauthenticated_unknown if {
	r := _cluster({"ClientAuthentication": {"Sasl": {"Iam": {"Enabled": true}}, "Unauthenticated": {"Enabled": {"$unknown": "Ref to parameter Open"}}}})
	res := rule.results with input as _in(r)
	_keys(res) == {"unauthenticated"}
	_statuses(res) == {"unknown"}
}

test_encryption_unknown if {
	r := _cluster({"ClientAuthentication": _iam, "EncryptionInfo": {"$unknown": "Fn::If"}})
	res := rule.results with input as _in(r)
	_keys(res) == {"encryption-in-transit"}
	r2 := _cluster({"ClientAuthentication": _iam, "EncryptionInfo": {"EncryptionInTransit": {"ClientBroker": {"$unknown": "Ref to parameter Mode"}}}})
	res2 := rule.results with input as _in(r2)
	_keys(res2) == {"encryption-in-transit"}
	_statuses(res2) == {"unknown"}
}

test_unknown_key_at_rest_does_not_matter if {
	r := _cluster({"ClientAuthentication": _iam, "EncryptionInfo": {"EncryptionAtRest": {"DataVolumeKMSKeyId": {"$unknown": "Ref to parameter Key"}}}})
	count(rule.results) == 0 with input as _in(r)
}

test_label_falls_back_to_id if {
	r := json.remove(_cluster({}), ["properties/ClusterName"])
	some f in rule.results with input as _in(r)
	contains(f.message, "MSK cluster TargetCluster")
}
