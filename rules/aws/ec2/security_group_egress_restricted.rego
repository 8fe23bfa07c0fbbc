# METADATA
# title: Security groups do not allow all outbound traffic
# description: |
#   Flags egress rules that allow all protocols to 0.0.0.0/0 or ::/0 (in any spelling of
#   those ranges: ::0/0, 0:0:0:0:0:0:0:0/0, host bits set), inline in
#   AWS::EC2::SecurityGroup or as separate AWS::EC2::SecurityGroupEgress resources. A
#   template group that declares no egress at all (neither inline nor separately) gets
#   that allow-all rule from EC2 when it is created, and fails too. Groups carrying one of
#   the exemptTags (tag key → value, "*" for any value) are not judged.
# custom:
#   id: ec2-security-group-egress-restricted
#   severity: medium
#   family: egress
#   resourceTypes: [AWS::EC2::SecurityGroup, AWS::EC2::SecurityGroupEgress]
#   inputs: [live, cloudformation, terraform]
#   guidance: "seeds/000_14fc47060cf8555c.txt lines 733–735, 828–830"
#   rationale: Unrestricted outbound access lets a compromised dependency reach command-and-control servers or send data anywhere (lines 733–735); default deny applies to security groups as much as to the firewall.
#   compliance:
#     nist-800-53: [AC-4, SC-7, SC-7(5)]
#   remediation:
#     summary: |
#       Replace the allow-all egress rule with rules for the protocols, ports and
#       destinations the workload needs (e.g. tcp/443 to a prefix list or the firewall's
#       path). Revoking it can cut traffic the workload relies on: review flow logs first.
#     automatic: false
package rampart.rules.ec2.security_group_egress_restricted

import data.rampart.lib

_groups := lib.resources("AWS::EC2::SecurityGroup")

_egresses := lib.resources("AWS::EC2::SecurityGroupEgress")

judged contains g._ref if {
	some g in _groups
	not _exempt(g)
}

judged contains e._ref if {
	some e in _egresses
	not _exempt_target(e)
}

# --- inline rules ------------------------------------------------------------------

results contains lib.fail(g, {
	"message": sprintf(
		"Security group %s egress rule %d allows all protocols to %s: workloads can reach any destination. Replace it with rules for the ports and destinations they need.",
		[g.id, i, _open_dest(rule)],
	),
	"pointer": sprintf("/Properties/SecurityGroupEgress/%d", [i]),
	"key": sprintf("egress:%d", [i]),
	"evidence": rule,
}) if {
	some g in _groups
	not _skip(g)
	some i, rule in _inline(g)
	_state(rule) == "open"
}

results contains lib.unknown(g, {
	"message": sprintf("Security group %s egress rule %d cannot be judged: %s.", [g.id, i, lib.first_unknown(rule)]),
	"pointer": sprintf("/Properties/SecurityGroupEgress/%d", [i]),
	"key": sprintf("egress:%d", [i]),
}) if {
	some g in _groups
	not _skip(g)
	some i, rule in _inline(g)
	_state(rule) == "unknown"
}

results contains lib.unknown(g, {
	"message": sprintf("Security group %s cannot be judged: SecurityGroupEgress is unresolved (%s).", [g.id, lib.unknown_reason(egress)]),
	"pointer": "/Properties/SecurityGroupEgress",
	"key": "egress",
}) if {
	some g in _groups
	not _skip(g)
	egress := object.get(g.properties, "SecurityGroupEgress", [])
	lib.is_unknown(egress)
}

# --- the allow-all rule EC2 adds to a template group that declares no egress ----------

results contains lib.fail(g, {
	"message": sprintf(
		"Security group %s declares no egress rule, inline or as AWS::EC2::SecurityGroupEgress, so EC2 gives it the default rule allowing all outbound IPv4 and IPv6 traffic. Declare the egress the workload needs (a rule to 127.0.0.1/32 if it needs none).",
		[g.id],
	),
	"pointer": "/Properties",
	"key": "default-egress",
	"evidence": {"SecurityGroupEgress": null},
}) if {
	some g in _groups
	_implicit_default(g)
	count(_unresolved_egress_targets(g)) == 0
}

results contains lib.unknown(g, {
	"message": sprintf(
		"Security group %s declares no inline egress, and %s may add its egress: whether it keeps the default allow-all rule is not known.",
		[g.id, concat(", ", sort(_unresolved_egress_targets(g)))],
	),
	"pointer": "/Properties",
	"key": "default-egress",
}) if {
	some g in _groups
	_implicit_default(g)
	count(_unresolved_egress_targets(g)) > 0
}

# --- separate AWS::EC2::SecurityGroupEgress resources ------------------------------------

results contains lib.fail(e, {
	"message": sprintf(
		"Egress rule %s allows all protocols from security group %s to %s: workloads can reach any destination. Replace it with rules for the ports and destinations they need.",
		[e.id, _group_name(e), _open_dest(e.properties)],
	),
	"pointer": "/Properties",
	"key": "egress",
	"evidence": e.properties,
}) if {
	some e in _egresses
	not _skip_target(e)
	_state(e.properties) == "open"
}

results contains lib.unknown(e, {
	"message": sprintf("Egress rule %s cannot be judged: %s.", [e.id, lib.first_unknown(e.properties)]),
	"pointer": "/Properties",
	"key": "egress",
}) if {
	some e in _egresses
	not _skip_target(e)
	_state(e.properties) == "unknown"
}

# --- exemptions ----------------------------------------------------------------------

_exempt(g) if {
	some k, v in lib.param("exemptTags", {})
	tag := g.tags[k]
	is_string(tag)
	v in {"*", tag}
}

# A group whose exempting tag is unresolved may be exempt: it is reported unknown.
_exempt_unknown(g) if {
	not _exempt(g)
	some k, _ in lib.param("exemptTags", {})
	lib.is_unknown(g.tags[k])
}

_skip(g) if _exempt(g)

_skip(g) if _exempt_unknown(g)

results contains lib.unknown(g, {
	"message": sprintf("Security group %s cannot be judged: its tag %s, which exemptTags may exempt, is unresolved (%s).", [g.id, k, lib.unknown_reason(g.tags[k])]),
	"pointer": "/Properties/Tags",
	"key": sprintf("exempt-tag:%s", [k]),
}) if {
	some g in _groups
	_exempt_unknown(g)
	some k, _ in lib.param("exemptTags", {})
	lib.is_unknown(g.tags[k])
}

# A separate rule is exempt with its group (when the group is in the input).
_exempt_target(e) if {
	some g in _targets(e)
	_exempt(g)
}

_skip_target(e) if {
	some g in _targets(e)
	_skip(g)
}

# --- helpers -------------------------------------------------------------------------

_inline(g) := rules if {
	rules := object.get(g.properties, "SecurityGroupEgress", [])
	is_array(rules)
}

# _implicit_default(g): a template group with no egress of its own and no separate
# egress resource that names it.
_implicit_default(g) if {
	not lib.is_live(g)
	not _skip(g)
	_inline(g) == []
	count({e | some e in _egresses; g in _targets(e)}) == 0
}

# _targets(e) is the security groups a separate egress rule's GroupId names: a
# {"$ref"} (Ref or Fn::GetAtt GroupId) in the same template, or a group id.
_targets(e) := {g |
	gid := e.properties.GroupId
	lib.is_ref(gid)
	some g in _groups
	g.id == gid["$ref"]
	lib.same_origin(e, g)
} | {g |
	gid := e.properties.GroupId
	is_string(gid)
	some g in _groups
	_has_group_id(g, gid)
}

_has_group_id(g, gid) if g.id == gid

_has_group_id(g, gid) if endswith(g.id, concat("/", ["", gid]))

_has_group_id(g, gid) if object.get(g.properties, "GroupId", null) == gid

_unresolved_egress_targets(g) := {sprintf("egress rule %s (GroupId unresolved: %s)", [e.id, lib.unknown_reason(e.properties.GroupId)]) |
	some e in _egresses
	lib.is_unknown(e.properties.GroupId)
	lib.same_origin(e, g)
}

_group_name(e) := name if {
	gid := e.properties.GroupId
	lib.is_ref(gid)
	name := gid["$ref"]
}

_group_name(e) := e.properties.GroupId if is_string(e.properties.GroupId)

_group_name(e) := "(unresolved group)" if {
	gid := object.get(e.properties, "GroupId", null)
	not is_string(gid)
	not lib.is_ref(gid)
}

# _state(rule): "open" (all protocols to everywhere), "unknown" (could be, an
# unresolved value decides) or "restricted".
_state(rule) := "open" if {
	_protocol(rule) == "all"
	_destination(rule) == "open"
}

_state(rule) := "unknown" if {
	{_protocol(rule), _destination(rule)} & {"other"} == set()
	"unknown" in {_protocol(rule), _destination(rule)}
}

_state(rule) := "restricted" if "other" in {_protocol(rule), _destination(rule)}

_protocol(rule) := "unknown" if lib.is_unknown(object.get(rule, "IpProtocol", null))

_protocol(rule) := "all" if {
	p := object.get(rule, "IpProtocol", null)
	not lib.is_unknown(p)
	_all_protocols(p)
}

_protocol(rule) := "other" if {
	p := object.get(rule, "IpProtocol", null)
	not lib.is_unknown(p)
	not _all_protocols(p)
}

_all_protocols(p) if p == -1

_all_protocols(p) if {
	is_string(p)
	lower(p) in {"-1", "all"}
}

_destination(rule) := "open" if {
	some prop in ["CidrIp", "CidrIpv6"]
	lib.any_address(rule[prop])
}

_destination(rule) := "unknown" if {
	not _open_dest(rule)
	some prop in ["CidrIp", "CidrIpv6"]
	lib.is_unknown(rule[prop])
}

_destination(rule) := "other" if {
	not _open_dest(rule)
	not _unknown_dest(rule)
}

_unknown_dest(rule) if {
	some prop in ["CidrIp", "CidrIpv6"]
	lib.is_unknown(rule[prop])
}

_open_dest(rule) := concat(" and ", [rule[prop] | some prop in ["CidrIp", "CidrIpv6"]; lib.any_address(rule[prop])]) if {
	some prop in ["CidrIp", "CidrIpv6"]
	lib.any_address(rule[prop])
}
