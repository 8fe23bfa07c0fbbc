package rampart.rules.firehose.direct_put_encrypted_test

import data.rampart.rules.firehose.direct_put_encrypted as rule

_stream(props) := {
	"_ref": "S", "type": "AWS::KinesisFirehose::DeliveryStream", "id": "WafLogStream", "tags": {},
	"properties": props,
	"source": {"kind": "cloudformation", "file": "f.yaml", "line": 1, "pointer": "/Resources/WafLogStream"},
}

_live(props, observed) := {
	"_ref": "L", "type": "AWS::KinesisFirehose::DeliveryStream", "id": "arn:aws:firehose:us-east-1:111122223333:deliverystream/aws-waf-logs-firehose-iceberg-1",
	"account": "111122223333", "region": "us-east-1", "tags": {}, "properties": props, "observed": observed,
	"source": {"kind": "aws", "account": "111122223333", "region": "us-east-1"},
}

_in(s) := {"byType": {"AWS::KinesisFirehose::DeliveryStream": [s]}}

# Lines 1717–1733: Direct PUT, and "Enable server-side encryption for source
# records in Firehose stream" selected.
test_article_stream_encrypted_passes if {
	s := _stream({"DeliveryStreamName": "aws-waf-logs-firehose-iceberg-1", "DeliveryStreamType": "DirectPut", "DeliveryStreamEncryptionConfigurationInput": {"KeyType": "AWS_OWNED_CMK"}})
	count(rule.results) == 0 with input as _in(s)
	rule.judged == {"S"} with input as _in(s)
}

test_article_stream_without_encryption_fails if {
	s := _stream({"DeliveryStreamName": "aws-waf-logs-firehose-iceberg-1", "DeliveryStreamType": "DirectPut"})
	res := rule.results with input as _in(s)
	count(res) == 1
	some r in res
	r.status == "fail"
	contains(r.message, "aws-waf-logs-firehose-iceberg-1")
}

test_default_type_is_direct_put if {
	res := rule.results with input as _in(_stream({}))
	some r in res
	r.status == "fail"
	contains(r.message, "WafLogStream")
}

test_kinesis_source_not_judged if {
	s := _stream({"DeliveryStreamType": "KinesisStreamAsSource"})
	count(rule.judged) == 0 with input as _in(s)
}

test_cmk_without_key_arn_fails if {
	res := rule.results with input as _in(_stream({"DeliveryStreamEncryptionConfigurationInput": {"KeyType": "CUSTOMER_MANAGED_CMK"}}))
	some r in res
	contains(r.message, "KeyARN")
	count(rule.results) == 0 with input as _in(_stream({"DeliveryStreamEncryptionConfigurationInput": {"KeyType": "CUSTOMER_MANAGED_CMK", "KeyARN": "arn:aws:kms:us-east-1:111122223333:key/k"}}))
}

test_unknown_encryption if {
	res := rule.results with input as _in(_stream({"DeliveryStreamEncryptionConfigurationInput": {"$unknown": "Fn::If Encrypt"}}))
	some r in res
	r.status == "unknown"
	res2 := rule.results with input as _in(_stream({"DeliveryStreamEncryptionConfigurationInput": {"KeyType": {"$unknown": "Ref KeyType"}}}))
	some r2 in res2
	r2.status == "unknown"
}

test_unknown_type if {
	res := rule.results with input as _in(_stream({"DeliveryStreamType": {"$unknown": "Ref to parameter Source"}}))
	count(res) == 1
	some r in res
	r.status == "unknown"
	contains(r.message, "Source")
	rule.judged == {"S"} with input as _in(_stream({"DeliveryStreamType": {"$unknown": "x"}}))
}

test_live_status if {
	count(rule.results) == 0 with input as _in(_live({"DeliveryStreamType": "DirectPut"}, {"EncryptionStatus": "ENABLED"}))
	res := rule.results with input as _in(_live({"DeliveryStreamType": "DirectPut"}, {"EncryptionStatus": "DISABLED"}))
	some r in res
	r.pointer == "/observed/EncryptionStatus"
	contains(r.message, "disabled")
	res2 := rule.results with input as _in(_live({"DeliveryStreamType": "DirectPut"}, {"EncryptionStatus": "ENABLING_FAILED", "EncryptionFailureDescription": "KMS key disabled"}))
	some r2 in res2
	contains(r2.message, "KMS key disabled")
}

test_live_without_status_reads_properties if {
	res := rule.results with input as _in(_live({"DeliveryStreamType": "DirectPut"}, {}))
	some r in res
	r.pointer == "/Properties/DeliveryStreamEncryptionConfigurationInput"
}

# Required fields (the CloudFormation resource reference, lib.cfn_required): a block
# without KeyType is rejected by the service and encrypts nothing.
test_encryption_block_without_key_type_fails if {
	s := _stream({"DeliveryStreamType": "DirectPut", "DeliveryStreamEncryptionConfigurationInput": {"KeyARN": "arn:aws:kms:us-east-1:111122223333:key/k"}})
	res := rule.results with input as _in(s)
	count(res) == 1
	some r in res
	r.status == "fail"
	contains(r.message, "without KeyType")
}

test_empty_encryption_block_fails if {
	s := _stream({"DeliveryStreamEncryptionConfigurationInput": {}})
	res := rule.results with input as _in(s)
	{r.status | some r in res} == {"fail"}
}

test_unknown_key_type_value_fails if {
	s := _stream({"DeliveryStreamEncryptionConfigurationInput": {"KeyType": "aws_owned_cmk"}})
	res := rule.results with input as _in(s)
	count(res) == 1
	some r in res
	r.pointer == "/Properties/DeliveryStreamEncryptionConfigurationInput/KeyType"
}

test_customer_key_with_arn_passes if {
	s := _stream({"DeliveryStreamEncryptionConfigurationInput": {"KeyType": "CUSTOMER_MANAGED_CMK", "KeyARN": "arn:aws:kms:us-east-1:111122223333:key/k"}})
	count(rule.results) == 0 with input as _in(s)
}

test_unresolved_key_type_is_unknown_not_missing if {
	s := _stream({"DeliveryStreamEncryptionConfigurationInput": {"KeyType": {"$unknown": "Ref to parameter KeyType"}}})
	res := rule.results with input as _in(s)
	{r.status | some r in res} == {"unknown"}
}
