# METADATA
# title: S3 buckets keep object versions
# description: |
#   Every bucket has versioning enabled (VersioningConfiguration.Status is Enabled), so an
#   overwritten or deleted object can be recovered. Suspended or never enabled is a finding.
# custom:
#   id: s3-bucket-versioning-enabled
#   severity: medium
#   family: data-protection
#   resourceTypes: [AWS::S3::Bucket]
#   inputs: [live, cloudformation]
#   guidance: "Example team policy DP-2: data can be recovered after a bad write"
#   rationale: Without versions, a bad deployment or a compromised key destroys data for good.
#   remediation:
#     summary: "Set VersioningConfiguration: {Status: Enabled} on the bucket."
package rampart.rules.s3.bucket_versioning_enabled

import data.rampart.lib

judged contains r._ref if some r in lib.resources("AWS::S3::Bucket")

_status(r) := object.get(r.properties, ["VersioningConfiguration", "Status"], "not configured")

results contains lib.unknown(r, {
	"message": sprintf("Versioning of bucket %s cannot be judged: %s.", [r.id, lib.unknown_reason(v)]),
	"pointer": "/Properties/VersioningConfiguration",
	"key": "versioning",
}) if {
	some r in lib.resources("AWS::S3::Bucket")
	v := object.get(r.properties, "VersioningConfiguration", {})
	lib.is_unknown(v)
}

results contains lib.unknown(r, {
	"message": sprintf("Versioning of bucket %s cannot be judged: %s.", [r.id, lib.unknown_reason(_status(r))]),
	"pointer": "/Properties/VersioningConfiguration/Status",
	"key": "versioning",
}) if {
	some r in lib.resources("AWS::S3::Bucket")
	not lib.is_unknown(object.get(r.properties, "VersioningConfiguration", {}))
	lib.is_unknown(_status(r))
}

results contains lib.fail(r, {
	"message": sprintf("Bucket %s does not keep object versions (versioning: %s).", [r.id, _status(r)]),
	"pointer": "/Properties/VersioningConfiguration",
	"key": "versioning",
}) if {
	some r in lib.resources("AWS::S3::Bucket")
	not lib.is_unknown(object.get(r.properties, "VersioningConfiguration", {}))
	s := _status(r)
	not lib.is_unknown(s)
	s != "Enabled"
}
