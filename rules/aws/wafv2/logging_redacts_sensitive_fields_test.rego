package rampart.rules.wafv2.logging_redacts_sensitive_fields_test

import data.rampart.rules.wafv2.logging_redacts_sensitive_fields as rule

_lc(props) := {
	"_ref": "WebACLLogging", "type": "AWS::WAFv2::LoggingConfiguration", "id": "WebACLLogging", "tags": {},
	"properties": object.union({"ResourceArn": {"$ref": "WebACL", "attribute": "Arn"}, "LogDestinationConfigs": ["arn:aws:firehose:us-east-1:111122223333:deliverystream/aws-waf-logs-firehose-iceberg-1"]}, props),
	"source": {"kind": "cloudformation", "file": "waf.yaml", "line": 1, "pointer": "/Resources/WebACLLogging"},
}

_in(lc) := {"byType": {"AWS::WAFv2::LoggingConfiguration": [lc]}}

# The article enables logging with no redaction (lines 1742–1745), and its table
# keeps every request header (httpRequest.headers, lines 1673–1678): both headers
# would be logged.
test_article_logging_without_redaction_fails if {
	res := rule.results with input as _in(_lc({}))
	{r.key | some r in res} == {"header:authorization", "header:cookie"}
	every r in res {
		r.status == "fail"
		r.pointer == "/Properties/RedactedFields"
	}
}

test_both_redacted_passes if {
	lc := _lc({"RedactedFields": [{"SingleHeader": {"Name": "Authorization"}}, {"SingleHeader": {"Name": "cookie"}}, {"Method": {}}]})
	count(rule.results) == 0 with input as _in(lc)
	rule.judged == {"WebACLLogging"} with input as _in(lc)
}

test_one_missing if {
	res := rule.results with input as _in(_lc({"RedactedFields": [{"SingleHeader": {"Name": "authorization"}}, {"UriPath": {}}]}))
	{r.key | some r in res} == {"header:cookie"}
}

test_single_object_redacted_field if {
	res := rule.results with input as _in(_lc({"RedactedFields": {"SingleHeader": {"Name": "cookie"}}}))
	{r.key | some r in res} == {"header:authorization"}
}

test_unknown_redacted_fields if {
	res := rule.results with input as _in(_lc({"RedactedFields": [{"SingleHeader": {"Name": "cookie"}}, {"SingleHeader": {"Name": {"$unknown": "Ref to parameter Header"}}}]}))
	count(res) == 1
	some r in res
	r.status == "unknown"
	r.key == "header:authorization"
}
