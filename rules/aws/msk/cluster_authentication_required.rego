# METADATA
# title: MSK clusters require client authentication and TLS in transit
# description: |
#   An Amazon MSK provisioned cluster authenticates every client with IAM, SASL/SCRAM
#   or mutual TLS, does not allow unauthenticated access, and encrypts traffic with TLS
#   between clients and brokers (ClientBroker TLS) and inside the cluster.
# custom:
#   id: msk-cluster-authentication-required
#   severity: high
#   family: breadth
#   resourceTypes: [AWS::MSK::Cluster]
#   inputs: [live, cloudformation, terraform]
#   guidance: "seeds/000_14fc47060cf8555c.txt lines 2066, 4457–4471"
#   rationale: Without client authentication anyone who can reach the brokers can read and write every topic, and plaintext listeners expose the data and credentials on the network.
#   compliance:
#     nist-800-53: [AC-3, IA-3, SC-8]
#   remediation:
#     summary: Turn on IAM (Sasl.Iam.Enabled) or SCRAM or TLS client authentication, turn Unauthenticated.Enabled off once clients have moved, and set EncryptionInTransit.ClientBroker to TLS with InCluster true.
#     automatic: false
package rampart.rules.msk.cluster_authentication_required

import data.rampart.lib

_type := "AWS::MSK::Cluster"

judged contains r._ref if some r in lib.resources(_type)

_label(r) := sprintf("MSK cluster %s", [r.properties.ClusterName]) if {
	is_string(r.properties.ClusterName)
} else := sprintf("MSK cluster %s", [r.id])

_auth(r) := object.get(r.properties, "ClientAuthentication", null)

_true(v) if v == true

_true(v) if {
	is_string(v)
	lower(v) == "true"
}

_false(v) if v == false

_false(v) if {
	is_string(v)
	lower(v) == "false"
}

# The authentication methods, each "on" | "off" | "unknown:<reason>".
_methods := {
	"IAM": ["Sasl", "Iam", "Enabled"],
	"SCRAM": ["Sasl", "Scram", "Enabled"],
}

_method_state(r, name) := "on" if {
	_true(object.get(_auth(r), _methods[name], null))
} else := sprintf("unknown:%s", [lib.first_unknown(object.get(_auth(r), _methods[name], null))]) if {
	lib.first_unknown(object.get(_auth(r), _methods[name], null))
} else := "off" if _methods[name]

_method_state(r, "TLS") := _tls_state(object.get(_auth(r), "Tls", null))

_tls_state(tls) := "on" if {
	_true(object.get(tls, "Enabled", null))
} else := "on" if {
	not "Enabled" in object.keys(tls)
	count(tls.CertificateAuthorityArnList) > 0
} else := sprintf("unknown:%s", [lib.first_unknown(tls)]) if {
	lib.first_unknown(tls)
} else := "off"

_states(r) := {name: _method_state(r, name) | some name in ["IAM", "SCRAM", "TLS"]}

_any_on(r) if "on" in {s | some s in _states(r)}

_unknowns(r) := [sprintf("%s: %s", [name, substring(s, 8, -1)]) | some name, s in _states(r); startswith(s, "unknown:")]

# --- client authentication ----------------------------------------------------------

results contains lib.unknown(r, {
	"message": sprintf("%s: client authentication cannot be judged: %s.", [_label(r), lib.unknown_reason(_auth(r))]),
	"pointer": "/Properties/ClientAuthentication",
	"key": "authentication",
}) if {
	some r in lib.resources(_type)
	lib.unresolved(_auth(r))
}

results contains lib.fail(r, {
	"message": sprintf("%s has no client authentication configured, so it accepts unauthenticated clients. Enable IAM (ClientAuthentication.Sasl.Iam.Enabled: true), SASL/SCRAM or mutual TLS.", [_label(r)]),
	"pointer": "/Properties/ClientAuthentication",
	"key": "authentication",
	"evidence": {"ClientAuthentication": _auth(r)},
}) if {
	some r in lib.resources(_type)
	not lib.unresolved(_auth(r))
	not _any_on(r)
	count(_unknowns(r)) == 0
}

results contains lib.unknown(r, {
	"message": sprintf("%s: whether a client authentication method is on cannot be judged (%s).", [_label(r), concat("; ", _unknowns(r))]),
	"pointer": "/Properties/ClientAuthentication",
	"key": "authentication",
}) if {
	some r in lib.resources(_type)
	not lib.unresolved(_auth(r))
	not _any_on(r)
	count(_unknowns(r)) > 0
}

# --- unauthenticated access -----------------------------------------------------------

_unauth(r) := object.get(_auth(r), ["Unauthenticated", "Enabled"], null)

results contains lib.fail(r, {
	"message": sprintf("%s allows unauthenticated access (ClientAuthentication.Unauthenticated.Enabled: %v) next to %s: any client that reaches the brokers can skip authentication. Set it to false once clients use the authenticated listener.", [_label(r), _unauth(r), concat(", ", sort([n | some n, s in _states(r); s == "on"]))]),
	"pointer": "/Properties/ClientAuthentication/Unauthenticated/Enabled",
	"key": "unauthenticated",
	"evidence": {"Unauthenticated": _auth(r).Unauthenticated},
}) if {
	some r in lib.resources(_type)
	_any_on(r)
	_true(_unauth(r))
}

results contains lib.unknown(r, {
	"message": sprintf("%s: whether unauthenticated access is allowed cannot be judged: %s.", [_label(r), lib.unknown_reason(_unauth(r))]),
	"pointer": "/Properties/ClientAuthentication/Unauthenticated/Enabled",
	"key": "unauthenticated",
}) if {
	some r in lib.resources(_type)
	is_object(_auth(r))
	lib.unresolved(_unauth(r))
}

# --- TLS in transit ----------------------------------------------------------------------

_transit(r) := object.get(r.properties, ["EncryptionInfo", "EncryptionInTransit"], {})

results contains lib.fail(r, {
	"message": sprintf("%s accepts %s traffic between clients and brokers (EncryptionInTransit.ClientBroker: %s): data and SASL credentials can cross the network in clear text. Set ClientBroker to TLS.", [_label(r), lower(cb), cb]),
	"pointer": "/Properties/EncryptionInfo/EncryptionInTransit/ClientBroker",
	"key": "client-broker-tls",
	"evidence": {"EncryptionInTransit": _transit(r)},
	"severity": "medium",
}) if {
	some r in lib.resources(_type)
	cb := object.get(_transit(r), "ClientBroker", "TLS")
	is_string(cb)
	cb != "TLS"
}

results contains lib.fail(r, {
	"message": sprintf("%s does not encrypt traffic between brokers (EncryptionInTransit.InCluster: %v). Set InCluster to true (this replaces the cluster).", [_label(r), _transit(r).InCluster]),
	"pointer": "/Properties/EncryptionInfo/EncryptionInTransit/InCluster",
	"key": "in-cluster-tls",
	"evidence": {"EncryptionInTransit": _transit(r)},
	"severity": "medium",
}) if {
	some r in lib.resources(_type)
	_false(object.get(_transit(r), "InCluster", true))
}

results contains lib.unknown(r, {
	"message": sprintf("%s: encryption in transit cannot be judged: %s.", [_label(r), reason]),
	"pointer": "/Properties/EncryptionInfo/EncryptionInTransit",
	"key": "encryption-in-transit",
}) if {
	some r in lib.resources(_type)
	reason := _transit_unknown(r)
}

_transit_unknown(r) := lib.unknown_reason(r.properties.EncryptionInfo) if {
	lib.is_unknown(r.properties.EncryptionInfo)
} else := lib.first_unknown(_transit(r))
