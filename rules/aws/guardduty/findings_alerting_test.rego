package rampart.rules.guardduty.findings_alerting_test

import data.rampart.rules.guardduty.findings_alerting as rule

_src(ref) := {"kind": "cloudformation", "file": "template.yaml", "line": 3, "pointer": sprintf("/Resources/%s", [ref])}

_det := {
	"_ref": "Detector",
	"type": "AWS::GuardDuty::Detector",
	"id": "Detector",
	"tags": {},
	"properties": {"Enable": true},
	"source": _src("Detector"),
}

_rule(ref, props) := {
	"_ref": ref,
	"type": "AWS::Events::Rule",
	"id": ref,
	"tags": {},
	"properties": props,
	"source": _src(ref),
}

_in(rules) := {"byType": {"AWS::GuardDuty::Detector": [_det], "AWS::Events::Rule": rules}}

_statuses(res) := [f.status | some f in res]

# Article, lines 3931–3945 (Figure 4): "EventBridge rule to send GuardDuty findings
# to SNS". The rule matches every GuardDuty finding and targets an SNS topic: passes.
_article_sns_rule := _rule("GuardDutyFindingsToSns", {
	"State": "ENABLED",
	"EventPattern": {"source": ["aws.guardduty"], "detail-type": ["GuardDuty Finding"]},
	"Targets": [{"Id": "sns", "Arn": {"$ref": "AlertTopic"}}],
})

# Article, lines 4004–4007 (Figure 6): "EventBridge rule for crypto mining GuardDuty
# finding" with the Lambda function as target: an automated response to one finding
# type, not an alert on findings.
_article_crypto_rule := _rule("CryptoMiningResponse", {
	"State": "ENABLED",
	"EventPattern": {
		"source": ["aws.guardduty"],
		"detail-type": ["GuardDuty Finding"],
		"detail": {"type": ["CryptoCurrency:EC2/BitcoinTool.B!DNS"]},
	},
	"Targets": [{"Id": "tagger", "Arn": {"$ref": "TagInstanceFunction", "attribute": "Arn"}}],
})

test_article_sns_alert_rule_passes if {
	count(rule.results) == 0 with input as _in([_article_sns_rule])
	rule.judged == {"Detector"} with input as _in([_article_sns_rule])
}

test_article_both_rules_pass if {
	count(rule.results) == 0 with input as _in([_article_sns_rule, _article_crypto_rule])
}

test_article_crypto_rule_alone_fails if {
	res := rule.results with input as _in([_article_crypto_rule])
	_statuses(res) == ["fail"]
	some f in res
	f.ref == "Detector"
	contains(f.message, "CryptoMiningResponse only matches finding types")
	f.evidence.candidateRules == ["CryptoMiningResponse"]
}

test_no_rule_fails if {
	res := rule.results with input as _in([])
	_statuses(res) == ["fail"]
	some f in res
	contains(f.message, "in this template")
}

test_event_pattern_as_json_string_passes if {
	r := _rule("R", {"EventPattern": "{\"source\":[\"aws.guardduty\"],\"detail-type\":[\"GuardDuty Finding\"]}", "Targets": [{"Id": "t", "Arn": "arn:aws:sns:us-east-1:111122223333:alerts"}]})
	count(rule.results) == 0 with input as _in([r])
}

test_prefix_and_wildcard_matchers_pass if {
	r1 := _rule("R1", {"EventPattern": {"source": [{"prefix": "aws.guard"}]}, "Targets": [{"Id": "t", "Arn": "x"}]})
	count(rule.results) == 0 with input as _in([r1])
	r2 := _rule("R2", {"EventPattern": {"source": [{"wildcard": "aws.*"}], "detail-type": [{"prefix": "GuardDuty"}]}, "Targets": [{"Id": "t", "Arn": "x"}]})
	count(rule.results) == 0 with input as _in([r2])
}

test_severity_filter_still_counts if {
	r := _rule("R", {"EventPattern": {"source": ["aws.guardduty"], "detail": {"severity": [{"numeric": [">=", 7]}]}}, "Targets": [{"Id": "t", "Arn": "x"}]})
	count(rule.results) == 0 with input as _in([r])
}

test_other_source_fails if {
	r := _rule("R", {"EventPattern": {"source": ["aws.securityhub"]}, "Targets": [{"Id": "t", "Arn": "x"}]})
	_statuses(rule.results) == ["fail"] with input as _in([r])
}

test_other_detail_type_fails if {
	r := _rule("R", {"EventPattern": {"source": ["aws.guardduty"], "detail-type": ["GuardDuty Malware Protection Object Scan Result"]}, "Targets": [{"Id": "t", "Arn": "x"}]})
	_statuses(rule.results) == ["fail"] with input as _in([r])
}

test_invalid_json_pattern_fails if {
	r := _rule("R", {"EventPattern": "{not json", "Targets": [{"Id": "t", "Arn": "x"}]})
	_statuses(rule.results) == ["fail"] with input as _in([r])
}

test_disabled_rule_fails if {
	r := json.patch(_article_sns_rule, [{"op": "replace", "path": "/properties/State", "value": "DISABLED"}])
	res := rule.results with input as _in([r])
	_statuses(res) == ["fail"]
	some f in res
	contains(f.message, "GuardDutyFindingsToSns is DISABLED")
}

test_rule_without_target_fails if {
	r := json.remove(_article_sns_rule, ["properties/Targets"])
	res := rule.results with input as _in([r])
	some f in res
	contains(f.message, "has no target")
}

test_custom_bus_fails if {
	r := json.patch(_article_sns_rule, [{"op": "add", "path": "/properties/EventBusName", "value": "security-bus"}])
	res := rule.results with input as _in([r])
	some f in res
	contains(f.message, "event bus security-bus")
}

test_default_bus_by_name_and_arn_pass if {
	r1 := json.patch(_article_sns_rule, [{"op": "add", "path": "/properties/EventBusName", "value": "default"}])
	count(rule.results) == 0 with input as _in([r1])
	r2 := json.patch(_article_sns_rule, [{"op": "add", "path": "/properties/EventBusName", "value": "arn:aws:events:us-east-1:111122223333:event-bus/default"}])
	count(rule.results) == 0 with input as _in([r2])
}

test_unknown_pattern if {
	r := _rule("R", {"EventPattern": {"$unknown": "Fn::If on condition Prod"}, "Targets": [{"Id": "t", "Arn": "x"}]})
	res := rule.results with input as _in([r])
	_statuses(res) == ["unknown"]
	some f in res
	contains(f.message, "EventPattern of rule R is unresolved")
}

test_unknown_state if {
	r := json.patch(_article_sns_rule, [{"op": "replace", "path": "/properties/State", "value": {"$unknown": "Ref to parameter RuleState"}}])
	res := rule.results with input as _in([r])
	_statuses(res) == ["unknown"]
}

test_unknown_targets if {
	r := json.patch(_article_sns_rule, [{"op": "replace", "path": "/properties/Targets", "value": {"$unknown": "Fn::If"}}])
	_statuses(rule.results) == ["unknown"] with input as _in([r])
	r2 := json.patch(_article_sns_rule, [{"op": "replace", "path": "/properties/Targets", "value": [{"$unknown": "Fn::If"}]}])
	_statuses(rule.results) == ["unknown"] with input as _in([r2])
}

test_known_alert_beats_unknown if {
	r := _rule("R", {"EventPattern": {"$unknown": "x"}})
	count(rule.results) == 0 with input as _in([r, _article_sns_rule])
}

test_rule_in_other_template_does_not_count if {
	r := object.union(_article_sns_rule, {"source": {"kind": "cloudformation", "file": "other.yaml", "line": 1, "pointer": "/Resources/R"}})
	_statuses(rule.results) == ["fail"] with input as _in([r])
}

test_disabled_detector_not_judged if {
	d := json.patch(_det, [{"op": "replace", "path": "/properties/Enable", "value": false}])
	count(rule.judged) == 0 with input as {"byType": {"AWS::GuardDuty::Detector": [d]}}
	d2 := json.patch(_det, [{"op": "replace", "path": "/properties/Enable", "value": "false"}])
	count(rule.judged) == 0 with input as {"byType": {"AWS::GuardDuty::Detector": [d2]}}
}

_live_det(region) := {
	"_ref": sprintf("det-%s", [region]),
	"type": "AWS::GuardDuty::Detector",
	"id": sprintf("arn:aws:guardduty:%s:111122223333:detector/abc", [region]),
	"account": "111122223333",
	"region": region,
	"tags": {},
	"properties": {"Enable": true},
	"source": {"kind": "aws", "account": "111122223333", "region": region},
}

_live_rule(region) := {
	"_ref": sprintf("rule-%s", [region]),
	"type": "AWS::Events::Rule",
	"id": sprintf("arn:aws:events:%s:111122223333:rule/guardduty-to-sns", [region]),
	"account": "111122223333",
	"region": region,
	"tags": {},
	"properties": _article_sns_rule.properties,
	"source": {"kind": "aws", "account": "111122223333", "region": region},
}

test_live_rule_per_region if {
	inp := {"byType": {
		"AWS::GuardDuty::Detector": [_live_det("us-east-1"), _live_det("eu-west-1")],
		"AWS::Events::Rule": [_live_rule("us-east-1")],
	}}
	res := rule.results with input as inp
	count(res) == 1
	some f in res
	f.ref == "det-eu-west-1"
	contains(f.message, "in 111122223333/eu-west-1")
}
