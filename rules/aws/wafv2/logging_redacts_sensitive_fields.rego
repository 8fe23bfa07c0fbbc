# METADATA
# title: WAF logs redact the authorization and cookie headers
# description: |
#   AWS WAF logs record every request header unless it is redacted. A logging
#   configuration should redact the authorization and cookie headers (RedactedFields
#   SingleHeader), so that credentials and session tokens do not end up in the logs.
# custom:
#   id: wafv2-logging-redacts-sensitive-fields
#   severity: low
#   family: waf-logging
#   resourceTypes: [AWS::WAFv2::LoggingConfiguration]
#   inputs: [live, cloudformation]
#   guidance: "seeds/000_14fc47060cf8555c.txt lines 1673–1678"
#   rationale: The article's log table keeps every request header (httpRequest.headers), so bearer tokens and session cookies would be stored in the log destination and readable by everyone who can query it.
#   compliance:
#     nist-800-53: [AU-3(3), IA-5]
#   remediation:
#     summary: "Add RedactedFields entries {SingleHeader: {Name: authorization}} and {SingleHeader: {Name: cookie}} to the logging configuration."
#     automatic: false
package rampart.rules.wafv2.logging_redacts_sensitive_fields

import data.rampart.lib

_sensitive := ["authorization", "cookie"]

_configs contains lc if some lc in lib.resources("AWS::WAFv2::LoggingConfiguration")

_fields(lc) := object.get(lc.properties, "RedactedFields", [])

_redacted(lc) := {lower(n) |
	some f in lib.as_array(_fields(lc))
	n := f.SingleHeader.Name
	is_string(n)
}

_unresolved(lc) := r if r := lib.first_unknown(_fields(lc))

results contains lib.fail(lc, {
	"message": sprintf("WAF logging configuration %s does not redact the %s header: its value (credentials or session tokens) is written to the logs in clear. Add {SingleHeader: {Name: %s}} to RedactedFields.", [lc.id, h, h]),
	"pointer": "/Properties/RedactedFields",
	"key": sprintf("header:%s", [h]),
	"evidence": {"RedactedFields": _fields(lc)},
}) if {
	some lc in _configs
	not _unresolved(lc)
	some h in _sensitive
	not h in _redacted(lc)
}

results contains lib.unknown(lc, {
	"message": sprintf("Whether WAF logging configuration %s redacts the %s header cannot be judged: its RedactedFields are unresolved (%s).", [lc.id, h, _unresolved(lc)]),
	"pointer": "/Properties/RedactedFields",
	"key": sprintf("header:%s", [h]),
}) if {
	some lc in _configs
	_unresolved(lc)
	some h in _sensitive
	not h in _redacted(lc)
}

judged contains lc._ref if some lc in _configs
