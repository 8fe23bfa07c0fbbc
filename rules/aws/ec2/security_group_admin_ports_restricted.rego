# METADATA
# title: Security groups do not open SSH or RDP to the whole internet
# description: |
#   Flags ingress rules from 0.0.0.0/0 or ::/0 (in any spelling of those ranges: ::0/0,
#   0:0:0:0:0:0:0:0/0, host bits set) whose protocol is TCP, UDP or all (-1) and whose port
#   range includes 22 (SSH) or 3389 (RDP), inline in AWS::EC2::SecurityGroup or as separate
#   AWS::EC2::SecurityGroupIngress resources. A TCP or UDP rule without ports counts as all
#   ports; a rule of all protocols covers every port whatever its ports say.
# custom:
#   id: ec2-security-group-admin-ports-restricted
#   severity: high
#   family: breadth
#   resourceTypes: [AWS::EC2::SecurityGroup, AWS::EC2::SecurityGroupIngress]
#   inputs: [live, cloudformation, terraform]
#   guidance: "CIS AWS Foundations Benchmark v5.0.0 controls 5.3 (0.0.0.0/0) and 5.4 (::/0); 5.2, the same for network ACLs, is not judged by this rule"
#   rationale: Remote administration ports open to every address invite brute-force and exploit attempts against the hosts behind the group (CIS AWS Foundations 5.3, 5.4).
#   compliance:
#     cis-aws-foundations: ["5.3", "5.4"]
#     nist-800-53: [AC-17, CM-7, SC-7]
#   remediation:
#     summary: |
#       Replace the rule's source with the ranges administrators connect from (a VPN or
#       bastion range, a prefix list) or remove it and use Systems Manager Session Manager,
#       which needs no inbound port.
#     automatic: false
package rampart.rules.ec2.security_group_admin_ports_restricted

import data.rampart.lib

_groups := lib.resources("AWS::EC2::SecurityGroup")

_ingresses := lib.resources("AWS::EC2::SecurityGroupIngress")

_admin_ports := {22: "SSH", 3389: "RDP"}

judged contains g._ref if some g in _groups

judged contains i._ref if some i in _ingresses

# --- inline rules ------------------------------------------------------------------

results contains lib.fail(g, {
	"message": sprintf(
		"Security group %s ingress rule %d allows %s from %s, which includes %s. Restrict the source to the ranges administrators connect from, or remove the rule.",
		[g.id, i, _traffic(rule), _open_source(rule), _ports_named(rule)],
	),
	"pointer": sprintf("/Properties/SecurityGroupIngress/%d/%s", [i, _open_prop(rule)]),
	"key": sprintf("ingress:%d", [i]),
	"evidence": rule,
	"controls": _controls(rule),
}) if {
	some g in _groups
	some i, rule in _inline(g)
	_state(rule) == "open"
}

results contains lib.unknown(g, {
	"message": sprintf("Security group %s ingress rule %d cannot be judged: %s.", [g.id, i, _reason(rule)]),
	"pointer": sprintf("/Properties/SecurityGroupIngress/%d", [i]),
	"key": sprintf("ingress:%d", [i]),
}) if {
	some g in _groups
	some i, rule in _inline(g)
	_state(rule) == "unknown"
}

results contains lib.unknown(g, {
	"message": sprintf("Security group %s cannot be judged: SecurityGroupIngress is unresolved (%s).", [g.id, lib.unknown_reason(ingress)]),
	"pointer": "/Properties/SecurityGroupIngress",
	"key": "ingress",
}) if {
	some g in _groups
	ingress := object.get(g.properties, "SecurityGroupIngress", [])
	lib.is_unknown(ingress)
}

# --- separate AWS::EC2::SecurityGroupIngress resources -----------------------------------

results contains lib.fail(r, {
	"message": sprintf(
		"Ingress rule %s allows %s from %s into security group %s, which includes %s. Restrict the source to the ranges administrators connect from, or remove the rule.",
		[r.id, _traffic(r.properties), _open_source(r.properties), _group_name(r), _ports_named(r.properties)],
	),
	"pointer": sprintf("/Properties/%s", [_open_prop(r.properties)]),
	"key": "ingress",
	"controls": _controls(r.properties),
	"evidence": r.properties,
}) if {
	some r in _ingresses
	_state(r.properties) == "open"
}

results contains lib.unknown(r, {
	"message": sprintf("Ingress rule %s cannot be judged: %s.", [r.id, _reason(r.properties)]),
	"pointer": "/Properties",
	"key": "ingress",
}) if {
	some r in _ingresses
	_state(r.properties) == "unknown"
}

# --- helpers -------------------------------------------------------------------------

_inline(g) := rules if {
	rules := object.get(g.properties, "SecurityGroupIngress", [])
	is_array(rules)
}

_group_name(r) := r.properties.GroupId["$ref"] if lib.is_ref(r.properties.GroupId)

_group_name(r) := r.properties.GroupId if is_string(r.properties.GroupId)

_group_name(r) := "(unresolved group)" if {
	gid := object.get(r.properties, "GroupId", null)
	not is_string(gid)
	not lib.is_ref(gid)
}

# _state(rule): "open" (an admin port reachable from everywhere), "unknown" (it could be:
# an unresolved value decides) or "restricted". A rule that is itself unresolved is unknown.
_state(rule) := "unknown" if lib.is_unknown(rule)

_state(rule) := s if {
	not lib.is_unknown(rule)
	parts := {_source(rule), _protocol(rule), _ports(rule)}
	s := _combine(parts)
}

_combine(parts) := "restricted" if "other" in parts

_combine(parts) := "unknown" if {
	not "other" in parts
	"unknown" in parts
}

_combine(parts) := "open" if parts == {"open"}

_reason(rule) := lib.unknown_reason(rule) if lib.is_unknown(rule)

_reason(rule) := lib.first_unknown(rule) if not lib.is_unknown(rule)

# --- source ---------------------------------------------------------------------------

_source(rule) := "open" if _open_source(rule)

_source(rule) := "unknown" if {
	not _open_source(rule)
	some prop in ["CidrIp", "CidrIpv6"]
	lib.is_unknown(rule[prop])
}

_source(rule) := "other" if {
	not _open_source(rule)
	not _unknown_source(rule)
}

_unknown_source(rule) if {
	some prop in ["CidrIp", "CidrIpv6"]
	lib.is_unknown(rule[prop])
}

# The CIS control a finding concerns: 5.3 for 0.0.0.0/0, 5.4 for ::/0 (the METADATA maps both).
_controls(rule) := {"cis-aws-foundations": sort([c |
	some prop in ["CidrIp", "CidrIpv6"]
	lib.any_address(rule[prop])
	c := {"CidrIp": "5.3", "CidrIpv6": "5.4"}[prop]
])}

_open_source(rule) := concat(" and ", [rule[prop] | some prop in ["CidrIp", "CidrIpv6"]; lib.any_address(rule[prop])]) if {
	some prop in ["CidrIp", "CidrIpv6"]
	lib.any_address(rule[prop])
}

# _open_prop(rule): the property holding the open range, where a failing finding points.
_open_prop(rule) := [prop | some prop in ["CidrIp", "CidrIpv6"]; lib.any_address(rule[prop])][0]

# --- protocol ---------------------------------------------------------------------------

_protocol(rule) := "unknown" if lib.is_unknown(object.get(rule, "IpProtocol", null))

_protocol(rule) := "open" if _proto_name(rule) in {"all", "tcp", "udp"}

_protocol(rule) := "other" if {
	p := object.get(rule, "IpProtocol", null)
	not lib.is_unknown(p)
	not _proto_name(rule) in {"all", "tcp", "udp"}
}

# _proto_name(rule): "all", "tcp", "udp", or the protocol as written (lower case) when it
# is any other. Numbers and their strings are one protocol: 6 is tcp, 17 udp, -1 all.
_proto_name(rule) := n if {
	p := object.get(rule, "IpProtocol", null)
	is_number(p)
	n := _proto_by_number(format_int(p, 10))
}

_proto_name(rule) := n if {
	p := object.get(rule, "IpProtocol", null)
	is_string(p)
	n := _proto_by_number(lower(p))
}

_proto_by_number(s) := "all" if s in {"-1", "all"}

_proto_by_number(s) := "tcp" if s in {"6", "tcp"}

_proto_by_number(s) := "udp" if s in {"17", "udp"}

_proto_by_number(s) := s if not s in {"-1", "all", "6", "tcp", "17", "udp"}

# --- ports ------------------------------------------------------------------------------

# _ports(rule): "open" when the range includes an admin port. All protocols ignore the
# ports; a missing port or -1 is the whole range.
_ports(rule) := "open" if _all_protocols(rule)

_ports(rule) := "unknown" if {
	not _all_protocols(rule)
	_unknown_ports(rule)
}

_ports(rule) := "open" if {
	not _all_protocols(rule)
	not _unknown_ports(rule)
	count(_admin_in_range(rule)) > 0
}

_ports(rule) := "other" if {
	not _all_protocols(rule)
	not _unknown_ports(rule)
	count(_admin_in_range(rule)) == 0
}

_all_protocols(rule) if _proto_name(rule) == "all"

_unknown_ports(rule) if {
	some prop in ["FromPort", "ToPort"]
	lib.is_unknown(object.get(rule, prop, null))
}

_admin_in_range(rule) := {p |
	lo := _port(rule, "FromPort", 0)
	hi := _port(rule, "ToPort", 65535)
	some p, _ in _admin_ports
	lo <= p
	p <= hi
}

# _port(rule, prop, whole): the port as a number (CloudFormation writes "22" as often as 22);
# absent or -1 is the whole range.
_port(rule, prop, whole) := whole if {
	v := object.get(rule, prop, null)
	_whole_range(v)
}

_port(rule, prop, _) := n if {
	v := object.get(rule, prop, null)
	not _whole_range(v)
	is_number(v)
	n := v
}

_port(rule, prop, _) := n if {
	v := object.get(rule, prop, null)
	not _whole_range(v)
	is_string(v)
	regex.match(`^[0-9]+$`, v)
	n := to_number(v)
}

_whole_range(v) if is_null(v)

_whole_range(v) if v == -1

_whole_range(v) if v == "-1"

# --- words ------------------------------------------------------------------------------

_traffic(rule) := "all traffic" if _all_protocols(rule)

_traffic(rule) := sprintf("%s ports %d-%d", [_proto_name(rule), _port(rule, "FromPort", 0), _port(rule, "ToPort", 65535)]) if not _all_protocols(rule)

_ports_named(rule) := "SSH (22) and RDP (3389)" if _all_protocols(rule)

_ports_named(rule) := concat(" and ", [sprintf("%s (%d)", [_admin_ports[p], p]) | some p in sort(_admin_in_range(rule))]) if not _all_protocols(rule)
