# METADATA
# title: Roles Anywhere trust anchors backed by AWS Private CA use a short-lived certificate CA
# description: |
#   A trust anchor whose source is AWS Private CA (SourceType AWS_ACM_PCA) should point at a
#   certificate authority with UsageMode SHORT_LIVED_CERTIFICATE, whose certificates last at
#   most seven days and need no revocation. A CA that is not in the input cannot be judged.
# custom:
#   id: rolesanywhere-ca-short-lived-mode
#   severity: low
#   family: trust-policies
#   resourceTypes: [AWS::RolesAnywhere::TrustAnchor, AWS::ACMPCA::CertificateAuthority]
#   inputs: [live, cloudformation, terraform]
#   guidance: "seeds/000_14fc47060cf8555c.txt lines 15, 54, 140–143"
#   rationale: Certificates from a general-purpose CA live up to years, so a leaked one keeps opening the role until it is revoked; short-lived certificates expire within days and cost less.
#   compliance:
#     nist-800-53: [IA-5(2), SC-17]
#   remediation:
#     summary: Create a private CA with UsageMode SHORT_LIVED_CERTIFICATE (the mode cannot be changed on an existing CA), issue the workload certificates from it and point the trust anchor at it.
#     automatic: false
package rampart.rules.rolesanywhere.ca_short_lived_mode

import data.rampart.lib

_cas := lib.by_key("AWS::ACMPCA::CertificateAuthority")

_ptr := "/Properties/Source/SourceData/AcmPcaArn"

_anchors := [r |
	some r in lib.resources("AWS::RolesAnywhere::TrustAnchor")
	r.properties.Source.SourceType == "AWS_ACM_PCA"
]

judged contains r._ref if some r in _anchors

judged contains r._ref if {
	some r in lib.resources("AWS::RolesAnywhere::TrustAnchor")
	lib.is_unknown(r.properties.Source.SourceType)
}

_name(r) := n if {
	n := r.properties.Name
	is_string(n)
} else := r.id

results contains lib.unknown(r, {
	"message": sprintf("The source type of trust anchor \"%s\" cannot be judged: %s.", [_name(r), lib.unknown_reason(r.properties.Source.SourceType)]),
	"pointer": "/Properties/Source/SourceType",
	"key": "certificate-authority",
}) if {
	some r in lib.resources("AWS::RolesAnywhere::TrustAnchor")
	lib.is_unknown(r.properties.Source.SourceType)
}

_ca_ref(r) := object.get(object.get(object.get(r.properties, "Source", {}), "SourceData", {}), "AcmPcaArn", null)

_ca(r) := _cas[lib.ref_key(r, _ca_ref(r))]

results contains lib.unknown(r, {
	"message": sprintf("The certificate authority of trust anchor \"%s\" cannot be judged: %s.", [_name(r), _why_missing(r)]),
	"pointer": _ptr,
	"key": "certificate-authority",
	"evidence": {"AcmPcaArn": _ca_ref(r)},
}) if {
	some r in _anchors
	not _ca(r)
}

_why_missing(r) := lib.unknown_reason(_ca_ref(r)) if lib.is_unknown(_ca_ref(r))

_why_missing(r) := "the trust anchor names no AcmPcaArn" if _ca_ref(r) == null

_why_missing(r) := sprintf("certificate authority %s is not in the input", [_ca_text(_ca_ref(r))]) if {
	x := _ca_ref(r)
	not lib.is_unknown(x)
	x != null
}

_ca_text(x) := x if is_string(x)

_ca_text(x) := x["$ref"] if lib.is_ref(x)

_ca_text(x) := json.marshal(x) if {
	not is_string(x)
	not lib.is_ref(x)
}

_mode(ca) := object.get(ca.properties, "UsageMode", "GENERAL_PURPOSE")

results contains lib.unknown(r, {
	"message": sprintf("The usage mode of certificate authority %s, behind trust anchor \"%s\", cannot be judged: %s.", [ca.id, _name(r), lib.unknown_reason(_mode(ca))]),
	"pointer": _ptr,
	"key": "certificate-authority",
}) if {
	some r in _anchors
	ca := _ca(r)
	lib.is_unknown(_mode(ca))
}

results contains lib.fail(r, {
	"message": sprintf("Trust anchor \"%s\" accepts certificates from AWS Private CA %s, whose UsageMode is %s: its certificates can be valid for years, so a leaked one works until it is revoked. Issue workload certificates from a CA with UsageMode SHORT_LIVED_CERTIFICATE (at most 7 days, no revocation needed, lower cost) and point the trust anchor at it; the mode of an existing CA cannot be changed.", [_name(r), ca.id, mode]),
	"pointer": _ptr,
	"key": "certificate-authority",
	"evidence": {"certificateAuthority": ca.id, "UsageMode": mode},
}) if {
	some r in _anchors
	ca := _ca(r)
	mode := _mode(ca)
	is_string(mode)
	mode != "SHORT_LIVED_CERTIFICATE"
}
