# METADATA
# title: GuardDuty is enabled in every scanned region
# description: |
#   Every region of every account scanned has a GuardDuty detector that is enabled.
#   In a template or plan only the detectors it declares are judged: a detector with
#   Enable false fails.
# custom:
#   id: guardduty-detector-enabled
#   severity: high
#   family: guardduty
#   resourceTypes: [AWS::GuardDuty::Detector]
#   inputs: [live, cloudformation, terraform]
#   guidance: "seeds/000_14fc47060cf8555c.txt lines 3867–3871, 3895–3897, 4019–4023"
#   rationale: GuardDuty can only produce findings in a region where a detector runs; a region without one is a blind spot for threat detection.
#   compliance:
#     nist-800-53: [SI-4]
#   remediation:
#     summary: Create a detector (CreateDetector with Enable true) in each region without one, or set Enable to true on the existing detector; in an organization, let the delegated administrator auto-enable members.
#     automatic: true
package rampart.rules.guardduty.detector_enabled

import data.rampart.lib

_type := "AWS::GuardDuty::Detector"

# Absent detectors are reported through results only: judged holds collected resources.
judged contains r._ref if some r in lib.resources(_type)

_is_false(v) if v == false

_is_false(v) if {
	is_string(v)
	lower(v) == "false"
}

_label(r) := sprintf("GuardDuty detector %s (%s/%s)", [r.id, r.account, r.region]) if lib.is_live(r)

_label(r) := sprintf("GuardDuty detector %s", [r.id]) if not lib.is_live(r)

results contains lib.fail(r, {
	"message": sprintf("%s is disabled (Enable: %v): GuardDuty produces no findings here. Set Enable to true.", [_label(r), r.properties.Enable]),
	"pointer": "/Properties/Enable",
	"key": "enable",
	"evidence": {"Enable": r.properties.Enable},
}) if {
	some r in lib.resources(_type)
	_is_false(r.properties.Enable)
}

results contains lib.unknown(r, {
	"message": sprintf("%s: Enable cannot be judged: %s.", [_label(r), lib.unknown_reason(r.properties.Enable)]),
	"pointer": "/Properties/Enable",
	"key": "enable",
}) if {
	some r in lib.resources(_type)
	lib.unresolved(r.properties.Enable)
}

# CloudFormation requires Enable; a template without it cannot be deployed as written.
# (The Terraform provider defaults `enable` to true.)
results contains lib.unknown(r, {
	"message": sprintf("%s: Enable is not set (CloudFormation requires it), so whether the detector is enabled cannot be judged. Set Enable to true.", [_label(r)]),
	"pointer": "/Properties",
	"key": "enable",
}) if {
	some r in lib.resources(_type)
	r.source.kind == "cloudformation"
	not "Enable" in object.keys(r.properties)
}

# --- live: scanned regions without any detector -------------------------------

_context := object.get(input, "context", {})

_scanned contains [account, region] if {
	_context.kind == "live"
	some account in object.get(_context, "accounts", [])
	some region in object.get(_context, "regions", [])
	region != "global"
}

_has_detector(account, region) if {
	some r in lib.resources(_type)
	lib.is_live(r)
	r.account == account
	r.region == region
}

# A region whose GuardDuty read failed is reported by the engine as a coverage gap
# (unknown), not as a region without a detector.
_not_read(account, region) if {
	some c in object.get(input, "coverage", [])
	c.status != "ok"
	_about_detectors(c)
	object.get(c, "account", account) == account
	object.get(c, "region", region) == region
}

_about_detectors(c) if _type in object.get(c, "resourceTypes", [])

_about_detectors(c) if c.service == "guardduty"

# A region counts as without a detector only when detectors were read there: a scan
# limited to other services (--services kms), or an AWS Config source that does not
# record detectors, says nothing about GuardDuty. A snapshot without any coverage
# information (written by hand) is taken as read.
_read(account, region) if {
	some c in object.get(input, "coverage", [])
	c.status == "ok"
	object.get(c, "account", account) == account
	object.get(c, "region", region) == region
	_covers_detectors(c)
}

_read(_, _) if not _coverage_recorded

# The engine gives each evaluation only the coverage of its own accounts; the context says
# whether the snapshot recorded any coverage at all.
_coverage_recorded if count(object.get(input, "coverage", [])) > 0

_coverage_recorded if input.context.coverageRecorded

_covers_detectors(c) if _type in object.get(c, "resourceTypes", [])

_covers_detectors(c) if {
	c.service in {"all", "guardduty"}
	not c.resourceTypes
}

_absent contains lib.absent(_type, account, region) if {
	some [account, region] in _scanned
	not _has_detector(account, region)
	not _not_read(account, region)
	_read(account, region)
}

results contains lib.fail(a, {
	"message": sprintf("Account %s has no GuardDuty detector in %s: threats in this region go undetected. Enable GuardDuty in %s (CreateDetector with Enable true, or the organization's auto-enable).", [a.account, a.region, a.region]),
	"pointer": "",
	"key": sprintf("region:%s", [a.region]),
}) if {
	some a in _absent
}
