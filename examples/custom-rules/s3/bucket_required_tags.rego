# METADATA
# title: S3 buckets carry the tags the team requires
# description: |
#   Every bucket has each tag named by the pack parameter requiredBucketTags (default: owner
#   and data-class), with a value that is not empty. The finding names the missing tags.
# custom:
#   id: s3-bucket-required-tags
#   severity: low
#   family: data-protection
#   resourceTypes: [AWS::S3::Bucket]
#   inputs: [live, cloudformation]
#   guidance: "Example team policy DP-3: every store of data names its owner and class"
#   rationale: An untagged bucket has no owner to ask when its data leaks or its bill grows.
#   remediation:
#     summary: Add the missing tags to the bucket (Tags in the template).
#   parameters:
#     requiredBucketTags: the tag keys every bucket must carry (default [owner, data-class])
package rampart.rules.s3.bucket_required_tags

import data.rampart.lib

_required := lib.param("requiredBucketTags", ["owner", "data-class"])

judged contains r._ref if some r in lib.resources("AWS::S3::Bucket")

_missing(r) := [k |
	some k in _required
	not _has(r, k)
]

_has(r, k) if {
	v := r.tags[k]
	is_string(v)
	v != ""
}

# A tag whose value is unknown is present (its key is known); an unknown tag map is unknown.
_has(r, k) if lib.is_unknown(r.tags[k])

results contains lib.unknown(r, {
	"message": sprintf("The tags of bucket %s cannot be judged: %s.", [r.id, lib.unknown_reason(r.tags)]),
	"pointer": "/Properties/Tags",
	"key": "tags",
}) if {
	some r in lib.resources("AWS::S3::Bucket")
	lib.is_unknown(r.tags)
}

results contains lib.fail(r, {
	"message": sprintf("Bucket %s lacks the required tag(s) %s.", [r.id, concat(", ", _missing(r))]),
	"pointer": "/Properties/Tags",
	"key": "tags",
}) if {
	some r in lib.resources("AWS::S3::Bucket")
	not lib.is_unknown(r.tags)
	count(_missing(r)) > 0
}
