# METADATA
# title: S3 buckets block every kind of public access
# description: |
#   Every bucket sets all four settings of its public access block (BlockPublicAcls,
#   IgnorePublicAcls, BlockPublicPolicy, RestrictPublicBuckets) to true. A missing
#   block, or a setting that is absent or false, is a finding naming the settings.
# custom:
#   id: s3-bucket-public-access-blocked
#   severity: high
#   family: data-protection
#   resourceTypes: [AWS::S3::Bucket]
#   inputs: [live, cloudformation]
#   guidance: "Example team policy DP-1: no bucket can become public by an ACL or a policy"
#   rationale: Without the block, one bucket policy or ACL written in a hurry makes the data public.
#   remediation:
#     summary: Set PublicAccessBlockConfiguration with all four settings true on the bucket.
package rampart.rules.s3.bucket_public_access_blocked

import data.rampart.lib

_settings := ["BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"]

_buckets contains r if some r in lib.resources("AWS::S3::Bucket")

judged contains r._ref if some r in _buckets

_config(r) := object.get(r.properties, "PublicAccessBlockConfiguration", {})

# A setting is on when it is true (a template may spell it "true").
_on(v) if v == true

_on(v) if {
	is_string(v)
	lower(v) == "true"
}

_off(r) := [s |
	some s in _settings
	v := object.get(_config(r), s, false)
	not lib.is_unknown(v)
	not _on(v)
]

_unresolved(r) := [s |
	some s in _settings
	lib.is_unknown(object.get(_config(r), s, false))
]

# The whole block is an unknown value (a parameter without a default).
results contains lib.unknown(r, {
	"message": sprintf("The public access block of bucket %s cannot be judged: %s.", [r.id, lib.unknown_reason(_config(r))]),
	"pointer": "/Properties/PublicAccessBlockConfiguration",
	"key": "block",
}) if {
	some r in _buckets
	lib.is_unknown(_config(r))
}

results contains lib.fail(r, {
	"message": sprintf("Bucket %s does not block public access: %s %s not true.", [r.id, concat(", ", _off(r)), _verb(_off(r))]),
	"pointer": "/Properties/PublicAccessBlockConfiguration",
	"key": "block",
	"evidence": _config(r),
}) if {
	some r in _buckets
	not lib.is_unknown(_config(r))
	count(_off(r)) > 0
}

# Unknown only when no setting is known to be off: a known gap already decides the verdict.
results contains lib.unknown(r, {
	"message": sprintf("The public access block of bucket %s cannot be judged: %s %s unresolved.", [r.id, concat(", ", _unresolved(r)), _verb(_unresolved(r))]),
	"pointer": "/Properties/PublicAccessBlockConfiguration",
	"key": "block",
}) if {
	some r in _buckets
	not lib.is_unknown(_config(r))
	count(_off(r)) == 0
	count(_unresolved(r)) > 0
}

_verb(list) := "is" if count(list) == 1

_verb(list) := "are" if count(list) != 1
