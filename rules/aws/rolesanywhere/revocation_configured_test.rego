package rampart.rules.rolesanywhere.revocation_configured_test

import data.rampart.rules.rolesanywhere.revocation_configured as rule

src := {"kind": "cloudformation", "file": "t.yaml", "line": 1}

anchor := {
	"_ref": "ta", "type": "AWS::RolesAnywhere::TrustAnchor", "id": "TrustAnchor", "source": src, "tags": {},
	"properties": {"Name": "external-ca", "Enabled": true, "Source": {"SourceType": "CERTIFICATE_BUNDLE", "SourceData": {"X509CertificateData": "-----BEGIN CERTIFICATE-----"}}},
}

crl(id, props) := {
	"_ref": id, "type": "AWS::RolesAnywhere::CRL", "id": id, "source": src, "tags": {},
	"properties": object.union({"Name": id, "CrlData": "MIIB", "TrustAnchorArn": {"$ref": "TrustAnchor", "attribute": "TrustAnchorArn"}}, props),
}

inp(crls) := {"byType": {"AWS::RolesAnywhere::TrustAnchor": [anchor], "AWS::RolesAnywhere::CRL": crls}}

statuses(rs) := {[x.key, x.status] | some x in rs}

# The article (line 29): certificate-bundle trust anchors should have revocation through an imported CRL.
test_article_enabled_crl_passes if {
	count(rule.results) == 0 with input as inp([crl("Crl", {"Enabled": true})])
	rule.judged == {"ta"} with input as inp([crl("Crl", {"Enabled": true})])
}

test_no_crl_fails if {
	rs := rule.results with input as inp([])
	statuses(rs) == {["crl", "fail"]}
	some x in rs
	contains(x.message, "no certificate revocation list")
	x.pointer == "/Properties/Source"
}

test_disabled_crl_fails if {
	rs := rule.results with input as inp([crl("Crl", {"Enabled": false}), crl("Crl2", {})])
	statuses(rs) == {["crl", "fail"]}
	some x in rs
	contains(x.message, "disabled: Crl, Crl2")
}

test_one_enabled_of_two_passes if {
	count(rule.results) == 0 with input as inp([crl("Crl", {"Enabled": false}), crl("Crl2", {"Enabled": true})])
}

test_crl_for_other_anchor_fails if {
	statuses(rule.results) == {["crl", "fail"]} with input as inp([crl("Crl", {"Enabled": true, "TrustAnchorArn": {"$ref": "Other", "attribute": "TrustAnchorArn"}})])
}

test_unknown_enabled if {
	statuses(rule.results) == {["crl", "unknown"]} with input as inp([crl("Crl", {"Enabled": {"$unknown": "parameter"}})])
}

test_unknown_source_type if {
	a := json.patch(anchor, [{"op": "replace", "path": "/properties/Source/SourceType", "value": {"$unknown": "parameter"}}])
	statuses(rule.results) == {["crl", "unknown"]} with input as {"byType": {"AWS::RolesAnywhere::TrustAnchor": [a]}}
}

test_pca_anchor_not_judged if {
	a := json.patch(anchor, [{"op": "replace", "path": "/properties/Source/SourceType", "value": "AWS_ACM_PCA"}])
	count(rule.judged) == 0 with input as {"byType": {"AWS::RolesAnywhere::TrustAnchor": [a]}}
}

test_live_join_by_arn if {
	arn := "arn:aws:rolesanywhere:us-east-1:111122223333:trust-anchor/t1"
	s := {"kind": "aws", "account": "111122223333", "region": "us-east-1"}
	a := object.union(anchor, {"_ref": arn, "id": arn, "arn": arn, "account": "111122223333", "region": "us-east-1", "source": s})
	c := object.union(crl("x", {"Enabled": true, "TrustAnchorArn": arn}), {"id": "arn:aws:rolesanywhere:us-east-1:111122223333:crl/c1", "source": s, "account": "111122223333"})
	count(rule.results) == 0 with input as {"byType": {"AWS::RolesAnywhere::TrustAnchor": [a], "AWS::RolesAnywhere::CRL": [c]}}
	statuses(rule.results) == {["crl", "fail"]} with input as {"byType": {"AWS::RolesAnywhere::TrustAnchor": [a]}}
}
