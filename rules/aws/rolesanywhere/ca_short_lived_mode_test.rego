package rampart.rules.rolesanywhere.ca_short_lived_mode_test

import data.rampart.rules.rolesanywhere.ca_short_lived_mode as rule

src := {"kind": "cloudformation", "file": "t.yaml", "line": 1}

anchor(data_) := {
	"_ref": "ta", "type": "AWS::RolesAnywhere::TrustAnchor", "id": "TrustAnchor", "source": src, "tags": {},
	"properties": {"Name": "anchor", "Enabled": true, "Source": {"SourceType": "AWS_ACM_PCA", "SourceData": data_}},
}

ca(mode) := {
	"_ref": "ca", "type": "AWS::ACMPCA::CertificateAuthority", "id": "CA", "source": src, "tags": {},
	"properties": object.union({"Type": "ROOT", "KeyAlgorithm": "EC_prime256v1", "SigningAlgorithm": "SHA256WITHECDSA"}, mode),
}

inp(a, cas) := {"byType": {"AWS::RolesAnywhere::TrustAnchor": [a], "AWS::ACMPCA::CertificateAuthority": cas}}

statuses(rs) := {[x.key, x.status] | some x in rs}

ref := {"AcmPcaArn": {"$ref": "CA", "attribute": "Arn"}}

# The article (lines 140–143) recommends short-lived certificate mode for the private CA.
test_article_short_lived_ca_passes if {
	count(rule.results) == 0 with input as inp(anchor(ref), [ca({"UsageMode": "SHORT_LIVED_CERTIFICATE"})])
	rule.judged == {"ta"} with input as inp(anchor(ref), [ca({"UsageMode": "SHORT_LIVED_CERTIFICATE"})])
}

test_general_purpose_fails if {
	rs := rule.results with input as inp(anchor(ref), [ca({"UsageMode": "GENERAL_PURPOSE"})])
	statuses(rs) == {["certificate-authority", "fail"]}
	some x in rs
	x.pointer == "/Properties/Source/SourceData/AcmPcaArn"
	contains(x.message, "GENERAL_PURPOSE")
	x.evidence.certificateAuthority == "CA"
}

test_default_mode_fails if {
	statuses(rule.results) == {["certificate-authority", "fail"]} with input as inp(anchor(ref), [ca({})])
}

test_ca_not_in_input_is_unknown if {
	rs := rule.results with input as inp(anchor({"AcmPcaArn": "arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/abc"}), [ca({})])
	statuses(rs) == {["certificate-authority", "unknown"]}
	some x in rs
	contains(x.message, "not in the input")
}

test_unknown_arn_and_missing_arn if {
	statuses(rule.results) == {["certificate-authority", "unknown"]} with input as inp(anchor({"AcmPcaArn": {"$unknown": "parameter CaArn"}}), [])
	statuses(rule.results) == {["certificate-authority", "unknown"]} with input as inp(anchor({}), [])
}

test_unknown_mode if {
	statuses(rule.results) == {["certificate-authority", "unknown"]} with input as inp(anchor(ref), [ca({"UsageMode": {"$unknown": "Fn::If"}})])
}

test_unknown_source_type if {
	a := json.patch(anchor(ref), [{"op": "replace", "path": "/properties/Source/SourceType", "value": {"$unknown": "parameter"}}])
	statuses(rule.results) == {["certificate-authority", "unknown"]} with input as inp(a, [])
	rule.judged == {"ta"} with input as inp(a, [])
}

test_certificate_bundle_not_judged if {
	a := json.patch(anchor({"X509CertificateData": "-----BEGIN"}), [{"op": "replace", "path": "/properties/Source/SourceType", "value": "CERTIFICATE_BUNDLE"}])
	count(rule.results) == 0 with input as inp(a, [])
	count(rule.judged) == 0 with input as inp(a, [])
}

live(type, arn, props) := {
	"_ref": arn, "type": type, "id": arn, "arn": arn, "account": "111122223333", "region": "us-east-1", "tags": {},
	"source": {"kind": "aws", "account": "111122223333", "region": "us-east-1"}, "properties": props,
}

test_live_join_by_arn if {
	arn := "arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/abc"
	a := live("AWS::RolesAnywhere::TrustAnchor", "arn:aws:rolesanywhere:us-east-1:111122223333:trust-anchor/t1", {"Name": "t1", "Source": {"SourceType": "AWS_ACM_PCA", "SourceData": {"AcmPcaArn": arn}}})
	c := live("AWS::ACMPCA::CertificateAuthority", arn, {"UsageMode": "GENERAL_PURPOSE"})
	statuses(rule.results) == {["certificate-authority", "fail"]} with input as inp(a, [c])
	c2 := json.patch(c, [{"op": "replace", "path": "/properties/UsageMode", "value": "SHORT_LIVED_CERTIFICATE"}])
	count(rule.results) == 0 with input as inp(a, [c2])
}
