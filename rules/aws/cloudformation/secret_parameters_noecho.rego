# METADATA
# title: CloudFormation secret parameters are NoEcho
# description: |
#   A template parameter that carries a password, secret, token or key is declared
#   NoEcho: true (or is an SSM parameter type, or resolves a Secrets Manager secret),
#   and has no literal Default value. Parameters are read from the loader's
#   AWS::CloudFormation::Parameter pseudo-resources.
# custom:
#   id: cloudformation-secret-parameters-noecho
#   severity: medium
#   family: breadth
#   resourceTypes: [AWS::CloudFormation::Parameter]
#   inputs: [cloudformation]
#   guidance: "seeds/000_14fc47060cf8555c.txt lines 4599–4609"
#   rationale: A parameter without NoEcho shows its value in plain text in the console, describe-stacks output and stack events; a default in the template puts the secret in source control.
#   compliance:
#     nist-800-53: [IA-5(7)]
#   remediation:
#     summary: Set NoEcho true on the parameter and remove its Default, or better, drop the parameter and reference the secret with a {{resolve:secretsmanager:…}} dynamic reference (or a generated AWS::SecretsManager::Secret).
#     automatic: false
package rampart.rules.cloudformation.secret_parameters_noecho

import data.rampart.lib

_type := "AWS::CloudFormation::Parameter"

_secret_name := `(?i)(password|passwd|passphrase|secret|token|api_?key|private_?key|credential)`

# Names that describe a secret rather than hold one (DBSecretArn, PasswordLength…).
_descriptive_suffix := `(?i)(arn|arns|name|names|id|ids|length|type|path|ttl|days|hours|minutes|seconds|expiry|expiration|version|enabled|policy|rotation|parameter|region|count)$`

# A parameter holds a secret when it feeds a property that holds one (lib.secret_properties:
# MasterUserPassword, SecretString, AuthToken, ...), whatever its name; its name decides
# only when its use does not (a secret-like name that is not descriptive, e.g. ApiToken
# feeding an environment variable).
_secret_params := [r |
	some r in lib.resources(_type)
	not lib.is_live(r)
	_secret(r)
	not _reference_type(r)
]

_secret(r) if count(_secret_feeds(r)) > 0

_secret(r) if {
	regex.match(_secret_name, r.id)
	not regex.match(_descriptive_suffix, r.id)
}

# _secret_feeds(r) is the secret properties r feeds, as "<resource>.<property path>".
_secret_feeds(r) := sort({sprintf("%s.%s", [f.resource, replace(f.property, "/", ".")]) |
	some f in object.get(r, ["observed", "feeds"], [])
	lib.secret_property(f.property)
})

_why(r) := sprintf("feeds %s", [concat(", ", _secret_feeds(r))]) if count(_secret_feeds(r)) > 0

_why(r) := "looks like a secret by its name" if count(_secret_feeds(r)) == 0

# SSM parameter types hold a parameter name, not the secret itself.
_reference_type(r) if startswith(r.properties.Type, "AWS::SSM::Parameter::")

judged contains r._ref if some r in _secret_params

_true(v) if v == true

_true(v) if {
	is_string(v)
	lower(v) == "true"
}

_noecho(r) := object.get(r.properties, "NoEcho", false)

_default(r) := object.get(r.properties, "Default", null)

_resolves_secret(v) if {
	is_string(v)
	contains(v, "{{resolve:secretsmanager:")
}

# Never copy the secret itself into a finding.
_evidence(r) := {"Type": object.get(r.properties, "Type", null), "NoEcho": _noecho(r), "HasDefault": "Default" in object.keys(r.properties)}

results contains lib.fail(r, {
	"message": sprintf("Parameter %s %s but is not NoEcho (NoEcho: %v): its value is shown in plain text in the console, describe-stacks and stack events. Set NoEcho: true, or resolve the secret from Secrets Manager with {{resolve:secretsmanager:…}} instead of a parameter.", [r.id, _why(r), _noecho(r)]),
	"pointer": "/Properties/NoEcho",
	"key": "noecho",
	"evidence": _evidence(r),
}) if {
	some r in _secret_params
	not lib.unresolved(_noecho(r))
	not _true(_noecho(r))
	not _resolves_secret(_default(r))
}

results contains lib.unknown(r, {
	"message": sprintf("Parameter %s: NoEcho cannot be judged: %s.", [r.id, lib.unknown_reason(_noecho(r))]),
	"pointer": "/Properties/NoEcho",
	"key": "noecho",
}) if {
	some r in _secret_params
	lib.unresolved(_noecho(r))
}

results contains lib.fail(r, {
	"message": sprintf("Parameter %s (it %s) has a literal Default value: the secret is stored in the template (and its source control) even when NoEcho hides it in the console. Remove the Default and pass the value at deploy time, or resolve it from Secrets Manager.", [r.id, _why(r)]),
	"pointer": "/Properties/Default",
	"key": "default",
	"evidence": _evidence(r),
	"severity": "high",
}) if {
	some r in _secret_params
	d := _default(r)
	is_string(d)
	d != ""
	not _resolves_secret(d)
}
