# METADATA
# title: Firewall Manager reports its policies compliant
# description: |
#   Firewall Manager's own verdicts (ListComplianceStatus, GetComplianceDetail),
#   shown as findings so that a scan agrees with the console: each member account
#   a policy reports non-compliant is a finding naming the violating resources.
# custom:
#   id: fms-policy-compliant
#   severity: medium
#   family: fms-retrofit
#   resourceTypes: [AWS::FMS::Policy]
#   inputs: [live]
#   guidance: "seeds/000_14fc47060cf8555c.txt lines 4036–4229"
#   rationale: Firewall Manager marks non-compliant the accounts and resources whose protection does not match the policy (for example a retrofitted web ACL shared with an out-of-scope resource), and those resources are not protected as the policy intends.
#   compliance:
#     nist-800-53: [CA-7, CM-6]
#   remediation:
#     summary: Open the policy in Firewall Manager and fix each violation it lists for the account (the violation reason says what is missing); the fms-retrofit rules explain the retrofit-specific ones.
#     automatic: false
package rampart.rules.fms.policy_compliant

import data.rampart.lib

_live_policies := [p |
	some p in lib.resources("AWS::FMS::Policy")
	lib.is_live(p)
]

_compliance(p) := object.get(p, ["observed", "compliance"], null)

_violator_label(v) := sprintf("%s (%s): %s", [object.get(v, "resourceId", "?"), object.get(v, "resourceType", "?"), object.get(v, "violationReason", "?")])

_violators(c) := [_violator_label(v) | some v in lib.as_array(object.get(c, "violators", []))]

_violator_text(c) := sprintf("; violations: %s", [concat("; ", _violators(c))]) if count(_violators(c)) > 0

_violator_text(c) := "; Firewall Manager has not listed the violating resources" if count(_violators(c)) == 0

results contains lib.unknown(p, {
	"message": sprintf("Firewall Manager's compliance status for policy %s was not collected (%s), so it cannot be judged.", [_name(p), _missing_reason(p)]),
	"pointer": "/observed/compliance",
	"key": "compliance",
}) if {
	some p in _live_policies
	not is_array(_compliance(p))
}

_missing_reason(p) := lib.unknown_reason(_compliance(p)) if lib.is_unknown(_compliance(p))

_missing_reason(p) := "observed.compliance is absent" if not lib.is_unknown(_compliance(p))

_name(p) := sprintf("%s (%s)", [p.properties.PolicyName, p.id]) if is_string(p.properties.PolicyName)

_name(p) := p.id if not is_string(object.get(p.properties, "PolicyName", null))

results contains lib.fail(p, {
	"message": sprintf("Firewall Manager reports account %s non-compliant with policy %s%s.", [c.account, _name(p), _violator_text(c)]),
	"pointer": sprintf("/observed/compliance/%d", [i]),
	"key": sprintf("account:%s", [c.account]),
	"evidence": c,
}) if {
	some p in _live_policies
	some i, c in _compliance(p)
	c.status == "NON_COMPLIANT"
}

results contains lib.unknown(p, {
	"message": sprintf("Firewall Manager could not evaluate account %s for policy %s (status %v%s).", [c.account, _name(p), object.get(c, "status", "absent"), _issues(c)]),
	"pointer": sprintf("/observed/compliance/%d", [i]),
	"key": sprintf("account:%s", [c.account]),
	"evidence": c,
}) if {
	some p in _live_policies
	some i, c in _compliance(p)
	not object.get(c, "status", null) in {"COMPLIANT", "NON_COMPLIANT"}
}

_issues(c) := sprintf("; issues: %s", [concat("; ", [sprintf("%s: %s", [k, v]) | some k, v in c.issues])]) if count(object.get(c, "issues", {})) > 0

_issues(c) := "" if count(object.get(c, "issues", {})) == 0

judged contains p._ref if some p in _live_policies
