# METADATA
# title: No unarchived high-severity GuardDuty findings
# description: |
#   Every unarchived GuardDuty finding with a severity of 7 or more (high or critical)
#   in a scanned account and region is reported as a finding of its own, with the
#   finding type, title and affected resource, so it is triaged and remediated.
# custom:
#   id: guardduty-high-severity-findings
#   severity: high
#   family: guardduty
#   resourceTypes: [AWS::GuardDuty::Detector]
#   inputs: [live]
#   guidance: "seeds/000_14fc47060cf8555c.txt lines 3867–3869, 3911–3915, 3961–3963, 3969–3973, 4004–4007"
#   rationale: A high-severity finding means a resource is probably compromised; it needs investigation and response following the team's runbook.
#   compliance:
#     nist-800-53: [IR-4, SI-4]
#   remediation:
#     summary: Investigate the finding with the incident response runbook, contain or remediate the resource, then archive the finding (or suppress the finding type when it is expected).
#     automatic: false
package rampart.rules.guardduty.high_severity_findings

import data.rampart.lib

_type := "AWS::GuardDuty::Detector"

_min_severity := 7

_detectors contains d if {
	some d in lib.resources(_type)
	lib.is_live(d)
}

judged contains d._ref if some d in _detectors

_observed(d) := object.get(d, "observed", {})

_findings(d) := object.get(_observed(d), "findings", null)

results contains lib.unknown(d, {
	"message": sprintf("GuardDuty detector %s (%s/%s): its findings cannot be judged: %s.", [d.id, d.account, d.region, _reason(_findings(d))]),
	"pointer": "/observed/findings",
	"key": "findings",
}) if {
	some d in _detectors
	not is_array(_findings(d))
}

_reason(v) := lib.unknown_reason(v) if lib.is_unknown(v)

_reason(v) := "the findings were not collected" if not lib.is_unknown(v)

_id_paths := [
	["InstanceDetails", "InstanceId"],
	["AccessKeyDetails", "UserName"],
	["EksClusterDetails", "Name"],
	["EcsClusterDetails", "Name"],
	["LambdaDetails", "FunctionName"],
	["RdsDbInstanceDetails", "DbInstanceIdentifier"],
	["S3BucketDetails", 0, "Name"],
	["ContainerDetails", "Name"],
]

# _resource_id(res) is the first identifier found in the finding's resource, or "".
_resource_id(res) := ids[0] if {
	ids := [id | some path in _id_paths; id := object.get(res, path, null); is_string(id)]
	count(ids) > 0
} else := ""

_resource_text(f) := sprintf("%s %s", [object.get(f.Resource, "ResourceType", "resource"), _resource_id(f.Resource)]) if {
	is_object(f.Resource)
	_resource_id(f.Resource) != ""
} else := object.get(f.Resource, "ResourceType", "an unknown resource") if {
	is_object(f.Resource)
} else := "an unknown resource"

_archived(f) if f.Archived == true

results contains lib.fail(d, {
	"message": sprintf("GuardDuty finding %s (severity %v) in %s/%s on %s: %s. Investigate and respond with your runbook, then archive it.", [f.Type, f.Severity, d.account, d.region, _resource_text(f), object.get(f, "Title", "no title")]),
	"pointer": sprintf("/observed/findings/%d", [i]),
	"key": sprintf("finding:%s", [f.Id]),
	"evidence": f,
}) if {
	some d in _detectors
	some i, f in _findings(d)
	is_number(f.Severity)
	f.Severity >= _min_severity
	not _archived(f)
	not lib.is_unknown(object.get(f, "Archived", false))
}

results contains lib.unknown(d, {
	"message": sprintf("GuardDuty finding %v in %s/%s cannot be judged: %s.", [object.get(f, "Id", i), d.account, d.region, reason]),
	"pointer": sprintf("/observed/findings/%d", [i]),
	"key": sprintf("finding:%v", [object.get(f, "Id", i)]),
}) if {
	some d in _detectors
	some i, f in _findings(d)
	some v in [f, object.get(f, "Severity", null), object.get(f, "Archived", null)]
	lib.is_unknown(v)
	reason := lib.unknown_reason(v)
}
