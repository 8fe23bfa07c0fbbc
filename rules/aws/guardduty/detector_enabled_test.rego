package rampart.rules.guardduty.detector_enabled_test

import data.rampart.rules.guardduty.detector_enabled as rule

_live(ref, account, region, enable) := {
	"_ref": ref,
	"type": "AWS::GuardDuty::Detector",
	"id": sprintf("arn:aws:guardduty:%s:%s:detector/12abc34d567e8fa901bc2d34e56789f0", [region, account]),
	"account": account,
	"region": region,
	"tags": {},
	"properties": {"Enable": enable, "FindingPublishingFrequency": "FIFTEEN_MINUTES"},
	"source": {"kind": "aws", "account": account, "region": region},
}

_cfn(ref, props) := {
	"_ref": ref,
	"type": "AWS::GuardDuty::Detector",
	"id": ref,
	"tags": {},
	"properties": props,
	"source": {"kind": "cloudformation", "file": "template.yaml", "line": 3, "pointer": sprintf("/Resources/%s", [ref])},
}

_ctx := {"kind": "live", "accounts": ["111122223333"], "regions": ["us-east-1", "us-west-2"]}

_statuses(res) := [x.status | some x in res]

# Article, lines 3867–3871 and 3911–3915: the GuardDuty Tester account has GuardDuty
# turned on in the region it tests: an enabled detector in every scanned region passes.
test_article_enabled_detector_in_every_region_passes if {
	inp := {
		"context": _ctx,
		"byType": {"AWS::GuardDuty::Detector": [
			_live("d1", "111122223333", "us-east-1", true),
			_live("d2", "111122223333", "us-west-2", true),
		]},
	}
	count(rule.results) == 0 with input as inp
	rule.judged == {"d1", "d2"} with input as inp
}

test_region_without_detector_fails if {
	inp := {"context": _ctx, "byType": {"AWS::GuardDuty::Detector": [_live("d1", "111122223333", "us-east-1", true)]}}
	res := rule.results with input as inp
	count(res) == 1
	some f in res
	f.status == "fail"
	f.ref == {"absent": true, "type": "AWS::GuardDuty::Detector", "account": "111122223333", "region": "us-west-2"}
	f.key == "region:us-west-2"
	contains(f.message, "us-west-2")
}

test_no_detector_anywhere_fails_per_region if {
	inp := {"context": {"kind": "live", "accounts": ["111122223333", "444455556666"], "regions": ["us-east-1", "global"]}, "byType": {}}
	res := rule.results with input as inp
	{[f.ref.account, f.ref.region] | some f in res} == {["111122223333", "us-east-1"], ["444455556666", "us-east-1"]}
}

test_detector_of_other_account_does_not_count if {
	inp := {"context": {"kind": "live", "accounts": ["111122223333"], "regions": ["us-east-1"]}, "byType": {"AWS::GuardDuty::Detector": [_live("d1", "444455556666", "us-east-1", true)]}}
	res := rule.results with input as inp
	_statuses(res) == ["fail"]
}

test_live_disabled_detector_fails if {
	inp := {"context": _ctx, "byType": {"AWS::GuardDuty::Detector": [
		_live("d1", "111122223333", "us-east-1", true),
		_live("d2", "111122223333", "us-west-2", false),
	]}}
	res := rule.results with input as inp
	count(res) == 1
	some f in res
	f.ref == "d2"
	f.pointer == "/Properties/Enable"
	contains(f.message, "111122223333/us-west-2")
}

test_template_enabled_detector_passes if {
	inp := {"byType": {"AWS::GuardDuty::Detector": [_cfn("Detector", {"Enable": true})]}}
	count(rule.results) == 0 with input as inp
	rule.judged == {"Detector"} with input as inp
}

test_template_disabled_detector_fails if {
	res := rule.results with input as {"byType": {"AWS::GuardDuty::Detector": [_cfn("Detector", {"Enable": false})]}}
	_statuses(res) == ["fail"]
	some f in res
	contains(f.message, "GuardDuty detector Detector is disabled")
}

test_template_string_false_fails if {
	res := rule.results with input as {"byType": {"AWS::GuardDuty::Detector": [_cfn("Detector", {"Enable": "False"})]}}
	_statuses(res) == ["fail"]
}

test_template_unknown_enable if {
	res := rule.results with input as {"byType": {"AWS::GuardDuty::Detector": [_cfn("Detector", {"Enable": {"$unknown": "Ref to parameter EnableGuardDuty, which has no default"}})]}}
	_statuses(res) == ["unknown"]
	some f in res
	contains(f.message, "EnableGuardDuty")
}

test_template_missing_enable_unknown if {
	res := rule.results with input as {"byType": {"AWS::GuardDuty::Detector": [_cfn("Detector", {})]}}
	_statuses(res) == ["unknown"]
}

test_terraform_missing_enable_passes if {
	r := object.union(_cfn("aws_guardduty_detector.main", {}), {"source": {"kind": "terraform", "file": "plan.json", "address": "aws_guardduty_detector.main"}})
	count(rule.results) == 0 with input as {"byType": {"AWS::GuardDuty::Detector": [r]}}
}

test_template_without_context_has_no_region_findings if {
	count(rule.results) == 0 with input as {"byType": {}}
}

test_iac_context_has_no_region_findings if {
	count(rule.results) == 0 with input as {"context": {"kind": "iac", "accounts": ["111122223333"], "regions": ["us-east-1"]}, "byType": {}}
}

test_region_not_read_is_not_absent if {
	denied := {"service": "guardduty", "account": "111122223333", "region": "us-west-2", "status": "denied", "action": "guardduty:ListDetectors"}
	inp := {"context": _ctx, "coverage": [denied], "byType": {"AWS::GuardDuty::Detector": [_live("d1", "111122223333", "us-east-1", true)]}}
	count(rule.results) == 0 with input as inp
	typed := {"service": "x", "status": "error", "resourceTypes": ["AWS::GuardDuty::Detector"]}
	count(rule.results) == 0 with input as object.union(inp, {"coverage": [typed]})
	ok := object.union(denied, {"status": "ok"})
	count(rule.results) == 1 with input as object.union(inp, {"coverage": [ok]})
}

test_region_of_a_scan_without_guardduty_is_not_absent if {
	# --services kms: the collectors read KMS only; nothing is known about detectors.
	kms := {"service": "kms", "account": "111122223333", "region": "us-west-2", "status": "ok", "resourceTypes": ["AWS::KMS::Key"]}
	count(rule.results) == 0 with input as {"context": _ctx, "coverage": [kms], "byType": {}}

	# The GuardDuty collector read the region and found no detector.
	gd := {"service": "guardduty", "account": "111122223333", "region": "us-west-2", "status": "ok", "resourceTypes": ["AWS::GuardDuty::Detector"]}
	count(rule.results) == 1 with input as {"context": _ctx, "coverage": [kms, gd], "byType": {}}

	# A whole-account entry (hand-made snapshots) covers it too.
	all := {"service": "all", "account": "111122223333", "region": "us-west-2", "status": "ok"}
	count(rule.results) == 1 with input as {"context": _ctx, "coverage": [all], "byType": {}}
}

test_coverage_of_other_accounts_only_is_not_read if {
	# The engine hands each evaluation only the coverage of its own accounts: a snapshot that
	# recorded coverage (for other accounts) says nothing about detectors here.
	ctx := object.union(_ctx, {"coverageRecorded": true})
	count(rule.results) == 0 with input as {"context": ctx, "coverage": [], "byType": {}}

	# A snapshot with no coverage at all (written by hand) is taken as read.
	count(rule.results) == 2 with input as {"context": object.union(_ctx, {"coverageRecorded": false}), "coverage": [], "byType": {}}
}
