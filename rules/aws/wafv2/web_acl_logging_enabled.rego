# METADATA
# title: WAF web ACLs log to an aws-waf-logs- destination
# description: |
#   Every AWS WAF web ACL has a logging configuration with at least one destination
#   (an Amazon Data Firehose stream, S3 bucket or CloudWatch Logs log group) whose
#   name starts with aws-waf-logs-. A web ACL managed by Firewall Manager counts as
#   logged (the policy configures its logging).
# custom:
#   id: wafv2-web-acl-logging-enabled
#   severity: medium
#   family: waf-logging
#   resourceTypes: [AWS::WAFv2::WebACL, AWS::WAFv2::LoggingConfiguration, AWS::KinesisFirehose::DeliveryStream, AWS::S3::Bucket, AWS::Logs::LogGroup]
#   inputs: [live, cloudformation]
#   guidance: "seeds/000_14fc47060cf8555c.txt lines 1465–1470, 1720, 1742–1745"
#   rationale: Without WAF logs there is no record of the requests a web ACL allowed or blocked, so attacks cannot be monitored or investigated; AWS WAF only delivers to destinations named aws-waf-logs-*.
#   compliance:
#     nist-800-53: [AU-2, AU-12]
#   remediation:
#     summary: Create a destination named aws-waf-logs-<name> (a Direct PUT Firehose stream with server-side encryption, an S3 bucket or a log group) and attach it to the web ACL with an AWS::WAFv2::LoggingConfiguration (PutLoggingConfiguration).
#     automatic: true
package rampart.rules.wafv2.web_acl_logging_enabled

import data.rampart.lib
import data.rampart.lib.fms

_prefix := "aws-waf-logs-"

_acls := [w | some w in lib.resources("AWS::WAFv2::WebACL")]

_configs(w) := [lc |
	some lc in lib.resources("AWS::WAFv2::LoggingConfiguration")
	fms.linked(lc, w)
	fms.refers_to(lc.properties.ResourceArn, w)
]

_maybe_configs(w) := [lc.id |
	some lc in lib.resources("AWS::WAFv2::LoggingConfiguration")
	fms.linked(lc, w)
	lib.is_unknown(lc.properties.ResourceArn)
]

results contains lib.fail(w, {
	"message": sprintf("Web ACL %s has no logging configuration: the requests it allows and blocks are not recorded. Add an AWS::WAFv2::LoggingConfiguration sending its logs to a destination named aws-waf-logs-… (for example a Direct PUT Firehose stream with server-side encryption).", [fms.web_acl_label(w)]),
	"pointer": "/Properties",
	"key": "logging",
}) if {
	some w in _acls
	not fms.fms_managed(w)
	count(_configs(w)) == 0
	count(_maybe_configs(w)) == 0
}

results contains lib.unknown(w, {
	"message": sprintf("Whether web ACL %s is logged cannot be judged: logging configurations %s name an unresolved web ACL.", [fms.web_acl_label(w), concat(", ", _maybe_configs(w))]),
	"pointer": "/Properties",
	"key": "logging",
}) if {
	some w in _acls
	not fms.fms_managed(w)
	count(_configs(w)) == 0
	count(_maybe_configs(w)) > 0
}

# --- each logging configuration's destinations -----------------------------------------

_logged_configs contains [w, lc] if {
	some w in _acls
	some lc in _configs(w)
}

_destinations(lc) := lib.as_array(object.get(lc.properties, "LogDestinationConfigs", []))

results contains lib.fail(lc, {
	"message": sprintf("The logging configuration of web ACL %s has no destination, so nothing is logged. Add a destination named aws-waf-logs-….", [fms.web_acl_label(w)]),
	"pointer": "/Properties/LogDestinationConfigs",
	"key": "destinations",
}) if {
	some [w, lc] in _logged_configs
	not lib.is_unknown(object.get(lc.properties, "LogDestinationConfigs", []))
	count(_destinations(lc)) == 0
}

results contains lib.fail(lc, {
	"message": sprintf("Web ACL %s logs to %s, whose name \"%s\" does not start with aws-waf-logs-: AWS WAF only delivers logs to destinations named aws-waf-logs-…. Use (or rename to) a destination named aws-waf-logs-….", [fms.web_acl_label(w), _dest_label(d), name]),
	"pointer": sprintf("/Properties/LogDestinationConfigs/%d", [i]),
	"key": sprintf("destination:%d", [i]),
	"evidence": {"destination": d, "name": name},
}) if {
	some [w, lc] in _logged_configs
	some i, d in _destinations(lc)
	name := _dest_name(lc, d)
	is_string(name)
	not startswith(name, _prefix)
}

results contains lib.unknown(lc, {
	"message": sprintf("The name of logging destination %s of web ACL %s cannot be judged: %s.", [_dest_label(d), fms.web_acl_label(w), _dest_reason(lc, d)]),
	"pointer": sprintf("/Properties/LogDestinationConfigs/%d", [i]),
	"key": sprintf("destination:%d", [i]),
}) if {
	some [w, lc] in _logged_configs
	some i, d in _destinations(lc)
	not _dest_name(lc, d)
}

results contains lib.unknown(lc, {
	"message": sprintf("The destinations of the logging configuration of web ACL %s are unresolved (%s).", [fms.web_acl_label(w), lib.unknown_reason(lc.properties.LogDestinationConfigs)]),
	"pointer": "/Properties/LogDestinationConfigs",
	"key": "destinations",
}) if {
	some [w, lc] in _logged_configs
	lib.is_unknown(lc.properties.LogDestinationConfigs)
}

_dest_label(d) := d if is_string(d)

_dest_label(d) := d["$ref"] if lib.is_ref(d)

_dest_label(d) := object.get(d, "template", "an unresolved destination") if lib.is_unknown(d)

# _dest_name(lc, d) is the name of a destination: from its ARN, from an ARN
# template whose name part is resolved, or from the referenced resource.
_dest_name(_, d) := _name_of_arn(d) if is_string(d)

_dest_name(_, d) := n if {
	lib.is_unknown(d)
	is_string(d.template)
	n := _name_of_arn(d.template)
	not contains(n, "${")
}

_dest_name(lc, d) := n if {
	lib.is_ref(d)
	t := fms.target(lc, d)
	n := _resource_name(t)
}

_name_of_arn(arn) := n if {
	parts := split(arn, ":")
	count(parts) >= 6
	resource := concat(":", array.slice(parts, 5, count(parts)))
	rest := trim_prefix(trim_prefix(resource, "deliverystream/"), "log-group:")
	n := split(split(rest, "/")[0], ":")[0]
}

_name_props := {
	"AWS::KinesisFirehose::DeliveryStream": "DeliveryStreamName",
	"AWS::S3::Bucket": "BucketName",
	"AWS::Logs::LogGroup": "LogGroupName",
}

# A destination created without a name gets a generated one, which never starts
# with aws-waf-logs-.
_resource_name(t) := n if {
	n := t.properties[_name_props[t.type]]
	is_string(n)
}

_resource_name(t) := sprintf("<generated by CloudFormation for %s>", [t.id]) if {
	_name_props[t.type]
	not t.properties[_name_props[t.type]]
}

_dest_reason(lc, d) := sprintf("%s is not in the input", [d["$ref"]]) if {
	lib.is_ref(d)
	not fms.target(lc, d)
}

_dest_reason(lc, d) := sprintf("the name of %s is unresolved", [d["$ref"]]) if {
	lib.is_ref(d)
	fms.target(lc, d)
}

_dest_reason(_, d) := lib.unknown_reason(d) if lib.is_unknown(d)

_dest_reason(_, d) := "it is not an ARN" if is_string(d)

judged contains w._ref if some w in _acls

judged contains lc._ref if some [_, lc] in _logged_configs
