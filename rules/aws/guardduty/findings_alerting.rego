# METADATA
# title: GuardDuty findings raise an alert
# description: |
#   Where a GuardDuty detector is enabled, an enabled EventBridge rule on the default
#   event bus matches GuardDuty findings (source aws.guardduty, detail-type
#   "GuardDuty Finding", not narrowed to a few finding types) and has at least one
#   target. Judged per account and region in a live scan, per template or plan otherwise.
# custom:
#   id: guardduty-findings-alerting
#   severity: medium
#   family: guardduty
#   resourceTypes: [AWS::GuardDuty::Detector, AWS::Events::Rule]
#   inputs: [live, cloudformation, terraform]
#   guidance: "seeds/000_14fc47060cf8555c.txt lines 3931–3945, 3961–3963, 4004–4007"
#   rationale: A finding nobody is told about is not acted on; the article sends every GuardDuty finding to SNS through an EventBridge rule and tests that the alert arrives.
#   compliance:
#     nist-800-53: [IR-6, SI-4(5)]
#   remediation:
#     summary: 'Create an EventBridge rule on the default bus with the pattern {"source": ["aws.guardduty"], "detail-type": ["GuardDuty Finding"]} and an SNS topic (or chat, ticketing or SIEM) target, then test it with a GuardDuty Tester finding.'
#     automatic: false
package rampart.rules.guardduty.findings_alerting

import data.rampart.lib

_detector_type := "AWS::GuardDuty::Detector"

_rule_type := "AWS::Events::Rule"

_disabled(r) if r.properties.Enable == false

_disabled(r) if {
	is_string(r.properties.Enable)
	lower(r.properties.Enable) == "false"
}

_detectors contains d if {
	some d in lib.resources(_detector_type)
	not _disabled(d)
}

judged contains d._ref if some d in _detectors

_label(d) := sprintf("GuardDuty detector %s (%s/%s)", [d.id, d.account, d.region]) if lib.is_live(d)

_label(d) := sprintf("GuardDuty detector %s", [d.id]) if not lib.is_live(d)

# _scope(d, r): the EventBridge rule r sees the detector's findings (same template,
# or same account and region).
_scope(d, r) if {
	lib.same_origin(d, r)
	not lib.is_live(d)
}

_scope(d, r) if {
	lib.is_live(d)
	lib.same_origin(d, r)
	d.region == r.region
}

_rules(d) := [r | some r in lib.resources(_rule_type); _scope(d, r)]

# --- the event pattern -----------------------------------------------------------

# _pattern(r) is the EventPattern as an object (parsed when it is a JSON string).
_pattern(r) := p if {
	p := r.properties.EventPattern
	is_object(p)
	not lib.unresolved(p)
}

_pattern(r) := json.unmarshal(p) if {
	p := r.properties.EventPattern
	is_string(p)
	json.is_valid(p)
}

_matches_value(matchers, value) if {
	some m in lib.as_array(matchers)
	m == value
}

_matches_value(matchers, value) if {
	some m in lib.as_array(matchers)
	is_object(m)
	is_string(m.prefix)
	startswith(value, m.prefix)
}

_matches_value(matchers, value) if {
	some m in lib.as_array(matchers)
	is_object(m)
	is_string(m.wildcard)
	lib.wildcard_match(m.wildcard, value)
}

_finding_pattern(p) if {
	_matches_value(p.source, "aws.guardduty")
	_detail_type_ok(p)
	not _narrowed(p)
}

_detail_type_ok(p) if not "detail-type" in object.keys(p)

_detail_type_ok(p) if _matches_value(p["detail-type"], "GuardDuty Finding")

# A pattern that filters on detail.type only sees the finding types it lists (like
# the article's cryptomining automation rule): it is a response, not an alert.
_narrowed(p) if {
	is_object(p.detail)
	"type" in object.keys(p.detail)
}

_enabled(r) if not "State" in object.keys(r.properties)

_enabled(r) if startswith(r.properties.State, "ENABLED")

_default_bus(r) if not "EventBusName" in object.keys(r.properties)

_default_bus(r) if r.properties.EventBusName == "default"

_default_bus(r) if {
	is_string(r.properties.EventBusName)
	endswith(r.properties.EventBusName, ":event-bus/default")
}

_targets(r) := t if {
	t := r.properties.Targets
	is_array(t)
} else := []

# _alerting(r): the rule certainly forwards GuardDuty findings somewhere.
_alerting(r) if {
	_finding_pattern(_pattern(r))
	_enabled(r)
	_default_bus(r)
	some t in _targets(r)
	not lib.unresolved(t)
}

# _maybe(r) lists the reasons a rule might alert but cannot be judged.
_maybe(r) := array.concat(_maybe_pattern(r), array.concat(_maybe_fields(r), _maybe_targets(r)))

_maybe_pattern(r) := [sprintf("the EventPattern of rule %s is unresolved (%s)", [r.id, lib.unknown_reason(r.properties.EventPattern)]) |
	lib.unresolved(r.properties.EventPattern)
]

_maybe_fields(r) := [sprintf("%s of rule %s is unresolved (%s)", [field, r.id, lib.unknown_reason(v)]) |
	_finding_pattern(_pattern(r))
	some field in ["State", "EventBusName", "Targets"]
	v := object.get(r.properties, field, null)
	lib.unresolved(v)
]

_maybe_targets(r) := [sprintf("a target of rule %s is unresolved (%s)", [r.id, lib.unknown_reason(t)]) |
	_finding_pattern(_pattern(r))
	some t in _targets(r)
	lib.unresolved(t)
]

_covered(d) if {
	some r in _rules(d)
	_alerting(r)
}

_reasons(d) := [reason | some r in _rules(d); some reason in _maybe(r)]

results contains lib.unknown(d, {
	"message": sprintf("%s: whether its findings raise an alert cannot be judged: %s.", [_label(d), concat("; ", _reasons(d))]),
	"pointer": "/Properties",
	"key": "alerting",
}) if {
	some d in _detectors
	not _covered(d)
	count(_reasons(d)) > 0
}

results contains lib.fail(d, {
	"message": sprintf("%s: no enabled EventBridge rule with a target matches GuardDuty findings %s%s. Add a rule with the pattern {\"source\": [\"aws.guardduty\"], \"detail-type\": [\"GuardDuty Finding\"]} and an SNS (or other) target, and test it with a GuardDuty Tester finding.", [_label(d), _where(d), _near_misses(d)]),
	"pointer": "/Properties",
	"key": "alerting",
	"evidence": {"candidateRules": [r.id | some r in _rules(d); _near_miss_text(r)]},
}) if {
	some d in _detectors
	not _covered(d)
	count(_reasons(d)) == 0
}

_where(d) := sprintf("in %s/%s", [d.account, d.region]) if lib.is_live(d)

_where(d) := "in this template" if not lib.is_live(d)

_near_misses(d) := sprintf(" (%s)", [concat("; ", texts)]) if {
	texts := [t | some r in _rules(d); t := _near_miss_text(r)]
	count(texts) > 0
} else := ""

_near_miss_text(r) := sprintf("rule %s only matches finding types %v", [r.id, _pattern(r).detail.type]) if {
	p := _pattern(r)
	_matches_value(p.source, "aws.guardduty")
	_narrowed(p)
} else := sprintf("rule %s is %s", [r.id, r.properties.State]) if {
	_finding_pattern(_pattern(r))
	not _enabled(r)
	is_string(r.properties.State)
} else := sprintf("rule %s is on event bus %v, which GuardDuty does not send to", [r.id, r.properties.EventBusName]) if {
	_finding_pattern(_pattern(r))
	not _default_bus(r)
} else := sprintf("rule %s has no target", [r.id]) if {
	_finding_pattern(_pattern(r))
	not "Targets" in object.keys(r.properties)
} else := sprintf("rule %s has no target", [r.id]) if {
	_finding_pattern(_pattern(r))
	r.properties.Targets == []
}
