package rampart.rules.s3.bucket_required_tags_test

import data.rampart.rules.s3.bucket_required_tags as rule

_in(tags) := {"byType": {"AWS::S3::Bucket": [{"_ref": 0, "type": "AWS::S3::Bucket", "id": "Data", "tags": tags, "properties": {}, "source": {"kind": "cloudformation", "file": "t.yaml", "line": 1}}]}}

test_both_default_tags_pass if {
	count(rule.results) == 0 with input as _in({"owner": "team-a", "data-class": "internal"})
}

test_missing_tags_named if {
	some f in rule.results with input as _in({"owner": ""})
	f.message == "Bucket Data lacks the required tag(s) owner, data-class."
}

test_parameter_sets_the_tags if {
	count(rule.results) == 0 with input as _in({"cost-center": "42"})
		with data.config.params.requiredBucketTags as ["cost-center"]
}

test_unknown_tag_value_counts_as_present if {
	count(rule.results) == 0 with input as _in({"owner": {"$unknown": "parameter Owner has no default"}, "data-class": "internal"})
}
