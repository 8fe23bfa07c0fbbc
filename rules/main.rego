# METADATA
# title: rampart aggregate entrypoint
# description: |
#   The one entrypoint the engine evaluates: every enabled rule's results
#   (fail / unknown) and the resources it judged (the rest of which pass).
package rampart.main

# results[service][rule] is {"results": [...], "judged": [...]} for every enabled rule.
results[svc][name] := {"results": r, "judged": j} if {
	some svc, name
	r := data.rampart.rules[svc][name].results
	not _disabled(svc, name)
	j := object.get(data.rampart.rules[svc][name], "judged", set())
}

_disabled(svc, name) if data.config.disabled[concat(".", [svc, name])]
