package rampart.rules.s3.bucket_versioning_enabled_test

import data.rampart.rules.s3.bucket_versioning_enabled as rule

_in(props) := {"byType": {"AWS::S3::Bucket": [{"_ref": 0, "type": "AWS::S3::Bucket", "id": "Data", "tags": {}, "properties": props, "source": {"kind": "cloudformation", "file": "t.yaml", "line": 1}}]}}

test_enabled_passes if {
	count(rule.results) == 0 with input as _in({"VersioningConfiguration": {"Status": "Enabled"}})
}

test_suspended_fails if {
	some f in rule.results with input as _in({"VersioningConfiguration": {"Status": "Suspended"}})
	f.status == "fail"
	f.message == "Bucket Data does not keep object versions (versioning: Suspended)."
}

test_absent_fails if {
	some f in rule.results with input as _in({})
	f.message == "Bucket Data does not keep object versions (versioning: not configured)."
}

test_unknown_status_is_unknown if {
	some f in rule.results with input as _in({"VersioningConfiguration": {"Status": {"$unknown": "parameter Versioning has no default"}}})
	f.status == "unknown"
}

test_unknown_configuration_is_unknown if {
	some f in rule.results with input as _in({"VersioningConfiguration": {"$unknown": "condition IsProd"}})
	f.status == "unknown"
}
