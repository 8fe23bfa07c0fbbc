package rampart.rules.s3.bucket_public_access_blocked_test

import data.rampart.rules.s3.bucket_public_access_blocked as rule

_bucket(props) := {"_ref": 0, "type": "AWS::S3::Bucket", "id": "Logs", "tags": {}, "properties": props, "source": {"kind": "cloudformation", "file": "t.yaml", "line": 1}}

_in(props) := {"byType": {"AWS::S3::Bucket": [_bucket(props)]}}

_all_on := {"BlockPublicAcls": true, "IgnorePublicAcls": true, "BlockPublicPolicy": true, "RestrictPublicBuckets": true}

test_all_four_on_passes if {
	count(rule.results) == 0 with input as _in({"PublicAccessBlockConfiguration": _all_on})
	rule.judged == {0} with input as _in({"PublicAccessBlockConfiguration": _all_on})
}

test_string_true_is_true if {
	count(rule.results) == 0 with input as _in({"PublicAccessBlockConfiguration": object.union(_all_on, {"RestrictPublicBuckets": "true"})})
}

test_no_block_fails_naming_all_four if {
	some f in rule.results with input as _in({})
	f.status == "fail"
	f.message == "Bucket Logs does not block public access: BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy, RestrictPublicBuckets are not true."
}

test_one_off_fails_naming_it if {
	some f in rule.results with input as _in({"PublicAccessBlockConfiguration": object.union(_all_on, {"BlockPublicPolicy": false})})
	f.message == "Bucket Logs does not block public access: BlockPublicPolicy is not true."
}

test_unknown_setting_is_unknown if {
	some f in rule.results with input as _in({"PublicAccessBlockConfiguration": object.union(_all_on, {"BlockPublicAcls": {"$unknown": "parameter Block has no default"}})})
	f.status == "unknown"
}

test_unknown_setting_beside_a_known_gap_is_a_fail if {
	props := {"PublicAccessBlockConfiguration": {"BlockPublicAcls": {"$unknown": "parameter Block has no default"}, "IgnorePublicAcls": false}}
	fs := [f.status | some f in rule.results] with input as _in(props)
	fs == ["fail"]
}

test_unknown_block_is_unknown if {
	some f in rule.results with input as _in({"PublicAccessBlockConfiguration": {"$unknown": "condition IsProd"}})
	f.status == "unknown"
	f.message == "The public access block of bucket Logs cannot be judged: condition IsProd."
}
