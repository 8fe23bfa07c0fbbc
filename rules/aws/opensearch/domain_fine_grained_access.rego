# METADATA
# title: OpenSearch domains use fine-grained access control on OpenSearch 2.9 or later
# description: |
#   An Amazon OpenSearch Service domain has fine-grained access control enabled
#   (AdvancedSecurityOptions.Enabled, without anonymous access) and runs OpenSearch 2.9
#   or later. Domains still on Elasticsearch, or older OpenSearch versions, are reported.
# custom:
#   id: opensearch-domain-fine-grained-access
#   severity: medium
#   family: breadth
#   resourceTypes: [AWS::OpenSearchService::Domain]
#   inputs: [live, cloudformation, terraform]
#   guidance: "seeds/000_14fc47060cf8555c.txt lines 3249, 4599–4609"
#   rationale: Fine-grained access control gives index-, document- and field-level permissions and is required, with OpenSearch 2.9 or later, by the ML and RAG integrations the article builds.
#   compliance:
#     nist-800-53: [AC-3, AC-6]
#   remediation:
#     summary: Enable fine-grained access control (AdvancedSecurityOptions with Enabled true and a master user ARN or internal user database), turn anonymous access off after migrating, and upgrade the domain to OpenSearch 2.9 or later.
#     automatic: false
package rampart.rules.opensearch.domain_fine_grained_access

import data.rampart.lib

_type := "AWS::OpenSearchService::Domain"

_min := [2, 9]

judged contains r._ref if some r in lib.resources(_type)

_label(r) := sprintf("OpenSearch domain %s", [r.properties.DomainName]) if {
	is_string(r.properties.DomainName)
} else := sprintf("OpenSearch domain %s", [r.id])

_aso(r) := object.get(r.properties, "AdvancedSecurityOptions", {})

_true(v) if v == true

_true(v) if {
	is_string(v)
	lower(v) == "true"
}

# --- fine-grained access control ---------------------------------------------------

results contains lib.fail(r, {
	"message": sprintf("%s does not have fine-grained access control enabled (AdvancedSecurityOptions.Enabled: %v): access is all-or-nothing per domain policy. Enable AdvancedSecurityOptions with a master user.", [_label(r), object.get(_aso(r), "Enabled", "not set")]),
	"pointer": "/Properties/AdvancedSecurityOptions/Enabled",
	"key": "fine-grained-access",
	"evidence": {"AdvancedSecurityOptions": _aso(r)},
}) if {
	some r in lib.resources(_type)
	not lib.unresolved(_aso(r))
	v := object.get(_aso(r), "Enabled", false)
	not lib.unresolved(v)
	not _true(v)
}

results contains lib.unknown(r, {
	"message": sprintf("%s: fine-grained access control cannot be judged: %s.", [_label(r), lib.unknown_reason(v)]),
	"pointer": "/Properties/AdvancedSecurityOptions/Enabled",
	"key": "fine-grained-access",
}) if {
	some r in lib.resources(_type)
	some v in [_aso(r), object.get(_aso(r), "Enabled", false)]
	lib.unresolved(v)
}

results contains lib.fail(r, {
	"message": sprintf("%s has fine-grained access control in migration mode (AnonymousAuthEnabled: true): anonymous requests are still accepted. Turn anonymous access off once clients authenticate.", [_label(r)]),
	"pointer": "/Properties/AdvancedSecurityOptions/AnonymousAuthEnabled",
	"key": "anonymous-auth",
	"evidence": {"AdvancedSecurityOptions": _aso(r)},
}) if {
	some r in lib.resources(_type)
	_true(_aso(r).Enabled)
	_true(_aso(r).AnonymousAuthEnabled)
}

# --- engine version ------------------------------------------------------------------

_version(r) := object.get(r.properties, "EngineVersion", null)

# _parts(v) is [major, minor] of "OpenSearch_<major>.<minor>".
_parts(v) := [to_number(m[1]), to_number(m[2])] if {
	m := regex.find_all_string_submatch_n(`^OpenSearch_([0-9]+)\.([0-9]+)`, v, 1)[0]
}

_too_old(v) if {
	is_string(v)
	not _parts(v)
}

_too_old(v) if {
	p := _parts(v)
	p[0] < _min[0]
}

_too_old(v) if {
	p := _parts(v)
	p[0] == _min[0]
	p[1] < _min[1]
}

results contains lib.fail(r, {
	"message": sprintf("%s runs %s: the ML connectors and RAG search pipelines need OpenSearch 2.9 or later. Upgrade the domain (EngineVersion OpenSearch_2.9 or later).", [_label(r), _version(r)]),
	"pointer": "/Properties/EngineVersion",
	"key": "engine-version",
	"evidence": {"EngineVersion": _version(r)},
	"severity": "low",
}) if {
	some r in lib.resources(_type)
	_too_old(_version(r))
}

results contains lib.unknown(r, {
	"message": sprintf("%s: the engine version cannot be judged: %s.", [_label(r), lib.unknown_reason(_version(r))]),
	"pointer": "/Properties/EngineVersion",
	"key": "engine-version",
}) if {
	some r in lib.resources(_type)
	lib.unresolved(_version(r))
}
