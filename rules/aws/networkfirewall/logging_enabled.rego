# METADATA
# title: Network Firewall logs alerts and flows
# description: |
#   Each firewall needs a logging configuration (AWS::NetworkFirewall::LoggingConfiguration,
#   joined on FirewallArn) whose LogDestinationConfigs include an ALERT log and a FLOW log:
#   alert logs record what the rules dropped or alerted on, flow logs the traffic itself.
#   A firewall with no logging configuration fails.
# custom:
#   id: networkfirewall-logging-enabled
#   severity: medium
#   family: egress
#   resourceTypes: [AWS::NetworkFirewall::Firewall, AWS::NetworkFirewall::LoggingConfiguration]
#   inputs: [live, cloudformation, terraform]
#   guidance: "seeds/000_14fc47060cf8555c.txt lines 835–839"
#   rationale: The article asks for robust logging and alert rules that log the domains pass rules let through (lines 835–839); without logs a default-deny policy cannot be tuned or investigated.
#   compliance:
#     nist-800-53: [AU-2, AU-12]
#   remediation:
#     summary: |
#       Add an AWS::NetworkFirewall::LoggingConfiguration for the firewall with one
#       LogDestinationConfig of LogType ALERT and one of LogType FLOW (S3, CloudWatch Logs
#       or Firehose).
#     automatic: false
package rampart.rules.networkfirewall.logging_enabled

import data.rampart.lib

_required := {"ALERT", "FLOW"}

_firewalls := lib.resources("AWS::NetworkFirewall::Firewall")

_configs := lib.resources("AWS::NetworkFirewall::LoggingConfiguration")

judged contains r._ref if some r in _firewalls

results contains lib.fail(r, {
	"message": _fail_message(r, configs, types, missing),
	"pointer": "/Properties",
	"key": "logging",
	"evidence": {
		"loggingConfigurations": sort([c.id | some c in configs]),
		"logTypes": sort(types),
		"missing": sort(missing),
	},
}) if {
	some r in _firewalls
	configs := _configs_of(r)
	types := _log_types(configs)
	missing := _required - types
	count(missing) > 0
	count(_unresolved(r, configs)) == 0
}

results contains lib.unknown(r, {
	"message": sprintf(
		"Firewall %s cannot be judged: %s, so whether it logs %s is not known.",
		[r.id, concat("; ", sort(unresolved)), concat(" and ", sort(missing))],
	),
	"pointer": "/Properties",
	"key": "logging",
}) if {
	some r in _firewalls
	configs := _configs_of(r)
	missing := _required - _log_types(configs)
	count(missing) > 0
	unresolved := _unresolved(r, configs)
	count(unresolved) > 0
}

# --- joins ----------------------------------------------------------------------

# _configs_of(r): logging configurations whose FirewallArn names firewall r, by
# {"$ref": logical id} in a template or by ARN in a live snapshot.
_configs_of(r) := {c |
	some c in _configs
	_names(c.properties.FirewallArn, r, c)
}

_names(arn, r, c) if {
	lib.is_ref(arn)
	arn["$ref"] == r.id
	lib.same_origin(r, c)
}

_names(arn, r, _) if {
	is_string(arn)
	arn in {r.id, object.get(r, "arn", "")}
}

# _unresolved(r, configs): why the configurations of r are not fully known: configurations
# whose FirewallArn is unresolved (one might be for r), and unresolved log settings.
_unresolved(r, configs) := {sprintf("logging configuration %s has an unresolved FirewallArn (%s)", [c.id, lib.unknown_reason(c.properties.FirewallArn)]) |
	some c in _configs
	lib.is_unknown(c.properties.FirewallArn)
	lib.same_origin(r, c)
} | {sprintf("logging configuration %s is unresolved (%s)", [c.id, reason]) |
	some c in configs
	reason := lib.first_unknown(object.get(c.properties, "LoggingConfiguration", {}))
}

_log_types(configs) := {t |
	some c in configs
	some d in lib.as_array(object.get(c.properties, ["LoggingConfiguration", "LogDestinationConfigs"], []))
	t := d.LogType
	is_string(t)
}

# --- messages -------------------------------------------------------------------

_fail_message(r, configs, _, _) := sprintf(
	"Firewall %s has no logging configuration: neither alerts nor flows are logged. Add an AWS::NetworkFirewall::LoggingConfiguration with ALERT and FLOW LogDestinationConfigs.",
	[r.id],
) if count(configs) == 0

_fail_message(r, configs, types, missing) := sprintf(
	"Firewall %s logs %s but not %s (logging configuration %s). Add a LogDestinationConfig of LogType %s.",
	[r.id, _names_of(types), concat(" and ", sort(missing)), concat(", ", sort([c.id | some c in configs])), concat(" and ", sort(missing))],
) if count(configs) > 0

_names_of(types) := "nothing" if count(types) == 0

_names_of(types) := concat(" and ", sort(types)) if count(types) > 0
