# METADATA
# title: Roles Anywhere certificate-bundle trust anchors have an enabled CRL
# description: |
#   A trust anchor whose source is a certificate bundle (SourceType CERTIFICATE_BUNDLE, an
#   external CA) should have an enabled AWS::RolesAnywhere::CRL whose TrustAnchorArn is the
#   anchor: Roles Anywhere checks revocation only against imported CRLs.
# custom:
#   id: rolesanywhere-revocation-configured
#   severity: low
#   family: trust-policies
#   resourceTypes: [AWS::RolesAnywhere::TrustAnchor, AWS::RolesAnywhere::CRL]
#   inputs: [live, cloudformation, terraform]
#   guidance: "seeds/000_14fc47060cf8555c.txt line 29"
#   rationale: Without an enabled CRL a compromised certificate from the external CA keeps opening every role the anchor's profiles allow until it expires.
#   compliance:
#     nist-800-53: [IA-5(2), SC-17]
#   remediation:
#     summary: Import the external CA's certificate revocation list for the trust anchor (rolesanywhere:ImportCrl or AWS::RolesAnywhere::CRL with TrustAnchorArn) and enable it; refresh it as the CA publishes new lists.
#     automatic: false
package rampart.rules.rolesanywhere.revocation_configured

import data.rampart.lib

_anchors := [r |
	some r in lib.resources("AWS::RolesAnywhere::TrustAnchor")
	r.properties.Source.SourceType == "CERTIFICATE_BUNDLE"
]

judged contains r._ref if some r in _anchors

judged contains r._ref if {
	some r in lib.resources("AWS::RolesAnywhere::TrustAnchor")
	lib.is_unknown(r.properties.Source.SourceType)
}

# CRLs by the key of the trust anchor they name.
_crls[k] contains c if {
	some c in lib.resources("AWS::RolesAnywhere::CRL")
	k := lib.ref_key(c, c.properties.TrustAnchorArn)
}

_anchor_keys(r) := {lib.join_key(r, r.id)} | {lib.join_key(r, a) | a := r.arn; is_string(a)}

_crls_of(r) := {c |
	some k in _anchor_keys(r)
	some c in _crls[k]
}

# A CRL is enabled only when Enabled is true: ImportCrl leaves a CRL disabled by default.
_enabled(c) if c.properties.Enabled == true

_enabled_unknown(c) if lib.is_unknown(c.properties.Enabled)

_name(r) := n if {
	n := r.properties.Name
	is_string(n)
} else := r.id

results contains lib.unknown(r, {
	"message": sprintf("The source type of trust anchor \"%s\" cannot be judged: %s.", [_name(r), lib.unknown_reason(r.properties.Source.SourceType)]),
	"pointer": "/Properties/Source/SourceType",
	"key": "crl",
}) if {
	some r in lib.resources("AWS::RolesAnywhere::TrustAnchor")
	lib.is_unknown(r.properties.Source.SourceType)
}

_has_enabled(r) if {
	some c in _crls_of(r)
	_enabled(c)
}

_has_unknown(r) if {
	some c in _crls_of(r)
	_enabled_unknown(c)
}

results contains lib.unknown(r, {
	"message": sprintf("Whether the CRL of trust anchor \"%s\" is enabled cannot be judged: %s.", [_name(r), concat("; ", reasons)]),
	"pointer": "/Properties/Source",
	"key": "crl",
}) if {
	some r in _anchors
	not _has_enabled(r)
	_has_unknown(r)
	reasons := sort([sprintf("CRL %s: %s", [c.id, lib.unknown_reason(c.properties.Enabled)]) | some c in _crls_of(r); _enabled_unknown(c)])
}

results contains lib.fail(r, {
	"message": sprintf("Certificate-bundle trust anchor \"%s\" has %s: Roles Anywhere cannot tell that a certificate of the external CA was revoked, so a compromised certificate works until it expires. Import the CA's certificate revocation list for this trust anchor and enable it.", [_name(r), _what(r)]),
	"pointer": "/Properties/Source",
	"key": "crl",
	"evidence": {"SourceType": "CERTIFICATE_BUNDLE", "crls": sort([c.id | some c in _crls_of(r)])},
}) if {
	some r in _anchors
	not _has_enabled(r)
	not _has_unknown(r)
}

_what(r) := "no certificate revocation list (CRL)" if count(_crls_of(r)) == 0

_what(r) := sprintf("no enabled CRL (disabled: %s)", [concat(", ", sort([c.id | some c in _crls_of(r)]))]) if count(_crls_of(r)) > 0
