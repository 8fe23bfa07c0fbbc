package rampart.rules.opensearch.domain_fine_grained_access_test

import data.rampart.rules.opensearch.domain_fine_grained_access as rule

_domain(props) := {
	"_ref": "d",
	"type": "AWS::OpenSearchService::Domain",
	"id": "OpenSearchDomain",
	"tags": {},
	"properties": object.union({"DomainName": "rag-knowledge-base"}, props),
	"source": {"kind": "cloudformation", "file": "template.yaml", "line": 3, "pointer": "/Resources/OpenSearchDomain"},
}

_in(r) := {"byType": {"AWS::OpenSearchService::Domain": [r]}}

_fgac := {
	"Enabled": true,
	"InternalUserDatabaseEnabled": false,
	"MasterUserOptions": {"MasterUserARN": "arn:aws:iam::111122223333:role/OpenSearchAdmin"},
}

_keys(res) := {f.key | some f in res}

_statuses(res) := {f.status | some f in res}

# Article, line 3249: "Make sure that your domain is running OpenSearch 2.9 or later,
# and that fine-grained access control is enabled for the domain": such a domain passes.
test_article_opensearch_2_9_with_fgac_passes if {
	r := _domain({"EngineVersion": "OpenSearch_2.9", "AdvancedSecurityOptions": _fgac})
	count(rule.results) == 0 with input as _in(r)
	rule.judged == {"d"} with input as _in(r)
}

# The same domain without fine-grained access control fails.
test_article_without_fgac_fails if {
	r := _domain({"EngineVersion": "OpenSearch_2.9"})
	res := rule.results with input as _in(r)
	_keys(res) == {"fine-grained-access"}
	_statuses(res) == {"fail"}
	some f in res
	contains(f.message, "rag-knowledge-base")
	contains(f.message, "not set")
}

# An OpenSearch version older than 2.9 fails (low).
test_article_older_version_fails if {
	r := _domain({"EngineVersion": "OpenSearch_2.7", "AdvancedSecurityOptions": _fgac})
	res := rule.results with input as _in(r)
	_keys(res) == {"engine-version"}
	some f in res
	f.severity == "low"
	contains(f.message, "OpenSearch_2.7")
}

# Article, lines 4599–4609: the Glue stack also deploys an Elasticsearch domain.
test_article_elasticsearch_domain_fails if {
	r := _domain({"EngineVersion": "Elasticsearch_7.10", "AdvancedSecurityOptions": _fgac})
	_keys(rule.results) == {"engine-version"} with input as _in(r)
}

test_newer_versions_pass if {
	count(rule.results) == 0 with input as _in(_domain({"EngineVersion": "OpenSearch_2.11", "AdvancedSecurityOptions": _fgac}))
	count(rule.results) == 0 with input as _in(_domain({"EngineVersion": "OpenSearch_3.1", "AdvancedSecurityOptions": _fgac}))
	count(rule.results) == 0 with input as _in(_domain({"AdvancedSecurityOptions": object.union(_fgac, {"Enabled": "true"})}))
}

test_version_1_fails if {
	_keys(rule.results) == {"engine-version"} with input as _in(_domain({"EngineVersion": "OpenSearch_1.3", "AdvancedSecurityOptions": _fgac}))
}

test_fgac_disabled_fails if {
	res := rule.results with input as _in(_domain({"AdvancedSecurityOptions": {"Enabled": false}}))
	_keys(res) == {"fine-grained-access"}
}

test_anonymous_auth_fails if {
	res := rule.results with input as _in(_domain({"AdvancedSecurityOptions": object.union(_fgac, {"AnonymousAuthEnabled": true})}))
	_keys(res) == {"anonymous-auth"}
}

test_fgac_unknown if {
	res := rule.results with input as _in(_domain({"AdvancedSecurityOptions": {"Enabled": {"$unknown": "Ref to parameter Fgac"}}}))
	_keys(res) == {"fine-grained-access"}
	_statuses(res) == {"unknown"}
	res2 := rule.results with input as _in(_domain({"AdvancedSecurityOptions": {"$unknown": "Fn::If"}}))
	_statuses(res2) == {"unknown"}
}

test_version_unknown if {
	res := rule.results with input as _in(_domain({"EngineVersion": {"$unknown": "Ref to parameter Version"}, "AdvancedSecurityOptions": _fgac}))
	_keys(res) == {"engine-version"}
	_statuses(res) == {"unknown"}
}

test_label_falls_back_to_id if {
	r := json.remove(_domain({}), ["properties/DomainName"])
	some f in rule.results with input as _in(r)
	contains(f.message, "OpenSearch domain OpenSearchDomain")
}
