# METADATA
# title: Network Firewall traffic analysis mode is on for HTTP and HTTPS
# description: |
#   A firewall's EnabledAnalysisTypes must include TLS_SNI (HTTPS) and HTTP_HOST (HTTP),
#   so that Network Firewall records the domains workloads reach and can produce the
#   domain reports from which an allowlist is built and reviewed.
# custom:
#   id: networkfirewall-traffic-analysis-enabled
#   severity: low
#   family: egress
#   resourceTypes: [AWS::NetworkFirewall::Firewall]
#   inputs: [live, cloudformation, terraform]
#   guidance: "seeds/000_14fc47060cf8555c.txt lines 764–776, 841–843"
#   rationale: Without traffic analysis mode no domain report can be generated (line 772), and enabling it does not affect the firewall's performance (line 843).
#   compliance:
#     nist-800-53: [SI-4]
#   remediation:
#     summary: |
#       Add TLS_SNI and HTTP_HOST to the firewall's EnabledAnalysisTypes
#       (UpdateFirewallAnalysisSettings, or "Enable traffic analysis mode" in the console).
#     automatic: true
package rampart.rules.networkfirewall.traffic_analysis_enabled

import data.rampart.lib

_required := {"TLS_SNI", "HTTP_HOST"}

_firewalls := lib.resources("AWS::NetworkFirewall::Firewall")

judged contains r._ref if some r in _firewalls

results contains lib.fail(r, {
	"message": sprintf(
		"Firewall %s does not analyse %s traffic (EnabledAnalysisTypes is %s): no domain report can be made for it. Add %s to EnabledAnalysisTypes.",
		[r.id, _protocols(missing), json.marshal(enabled), concat(" and ", sort(missing))],
	),
	"pointer": "/Properties/EnabledAnalysisTypes",
	"key": "analysis-types",
	"evidence": {"EnabledAnalysisTypes": enabled, "missing": sort(missing)},
}) if {
	some r in _firewalls
	enabled := _enabled(r)
	not lib.first_unknown(enabled)
	missing := _required - {t | some t in enabled}
	count(missing) > 0
}

results contains lib.unknown(r, {
	"message": sprintf("Firewall %s cannot be judged: EnabledAnalysisTypes is unresolved (%s).", [r.id, reason]),
	"pointer": "/Properties/EnabledAnalysisTypes",
	"key": "analysis-types",
}) if {
	some r in _firewalls
	enabled := _enabled(r)
	reason := lib.first_unknown(enabled)
	count(_required - {t | some t in lib.as_array(enabled); is_string(t)}) > 0
}

_enabled(r) := lib.as_array(object.get(r.properties, "EnabledAnalysisTypes", [])) if {
	not lib.is_unknown(object.get(r.properties, "EnabledAnalysisTypes", []))
}

_enabled(r) := r.properties.EnabledAnalysisTypes if lib.is_unknown(r.properties.EnabledAnalysisTypes)

_protocols(missing) := "HTTP and HTTPS" if count(missing) == 2

_protocols(missing) := "HTTPS" if missing == {"TLS_SNI"}

_protocols(missing) := "HTTP" if missing == {"HTTP_HOST"}
