# METADATA
# title: rampart rule library
# description: |
#   Helpers every rule uses: selecting resources, building results, reading
#   parameters, and walking IAM policy documents in every shape the grammar allows.
package rampart.lib

# version is the version of this library, the API user rules are written against
# (docs/authoring.md): the major number changes only when a helper is removed or
# changes meaning; the minor number when helpers are added.
version := "1.0.0"

# --- resources --------------------------------------------------------------

# resources(type) is every resource of a CloudFormation type. Each carries
# `_ref`, the handle results use to point back at it.
resources(type) := object.get(input.byType, type, [])

# same_origin(a, b) holds when two resources can reference each other by id:
# the same template / plan file, or the same live account.
same_origin(a, b) if {
	a.source.kind != "aws"
	a.source.kind == b.source.kind
	a.source.file == b.source.file
}

same_origin(a, b) if {
	a.source.kind == "aws"
	b.source.kind == "aws"
	a.account == b.account
}

# is_live(r) holds for a resource collected from an account.
is_live(r) if r.source.kind == "aws"

# --- unknowns and references -----------------------------------------------

# is_unknown(x): x is an explicit unknown marker written by a loader or collector.
is_unknown(x) if {
	is_object(x)
	x["$unknown"]
}

# is_ref(x): x is a reference to another resource ({"$ref": id, "attribute"?: name}).
is_ref(x) if {
	is_object(x)
	is_string(x["$ref"])
}

# unresolved(x): x is neither a plain value nor a reference a rule could follow.
unresolved(x) if is_unknown(x)

unknown_reason(x) := x["$unknown"] if is_unknown(x)

unknown_reason(x) := sprintf("reference to %s", [x["$ref"]]) if is_ref(x)

# first_unknown(x) is the reason of an unknown marker anywhere inside x.
first_unknown(x) := reason if {
	reasons := [r |
		walk(x, [_, v])
		is_unknown(v)
		r := v["$unknown"]
	]
	count(reasons) > 0
	reason := reasons[0]
}

# --- results ----------------------------------------------------------------

# fail(r, detail) is a failing result for resource r. detail holds
# message (required), pointer (JSON pointer inside the resource, e.g.
# "/Properties/AssumeRolePolicyDocument/Statement/0"), key (a stable detail that
# tells two findings of one rule on one resource apart), evidence, and optionally
# severity (overrides the METADATA severity for this result).
fail(r, detail) := object.union(detail, {"status": "fail", "ref": r._ref})

# unknown(r, detail): the rule cannot decide for r; detail.message says why.
unknown(r, detail) := object.union(detail, {"status": "unknown", "ref": r._ref})

# --- parameters -------------------------------------------------------------

# param(name, default) reads a policy-pack parameter.
param(name, default_value) := v if {
	v := data.config.params[name]
} else := default_value

# trusted_accounts(r) is the accounts a resource may trust: the pack's
# trustedAccounts plus the resource's own account when it is known.
trusted_accounts(r) := {a | some a in param("trustedAccounts", [])} | {a | a := r.account; is_string(a)}

# --- arrays and strings -----------------------------------------------------

# as_array(x) is x when x is an array, [] when null/absent, else [x].
as_array(x) := x if is_array(x)

as_array(x) := [] if is_null(x)

as_array(x) := [x] if {
	not is_array(x)
	not is_null(x)
}

# has_wildcard(s) holds when s contains an IAM wildcard.
has_wildcard(s) if contains(s, "*")

has_wildcard(s) if contains(s, "?")

# wildcard_match(pattern, s): IAM-style case-insensitive match, where * matches any
# run of characters (dots and colons included) and ? any one character. Patterns with
# up to two `*` and no `?` (nearly all IAM actions and ARNs) are matched with string
# functions: the Wasm target's regex cache (behind glob.match) fails on many distinct
# patterns in one evaluation.
wildcard_match(pattern, s) if {
	not has_wildcard(pattern)
	lower(pattern) == lower(s)
}

wildcard_match(pattern, s) if {
	not contains(pattern, "?")
	parts := split(lower(pattern), "*")
	count(parts) in {2, 3}
	_star_match(parts, lower(s))
}

wildcard_match(pattern, s) if {
	has_wildcard(pattern)
	_complex_pattern(pattern)
	glob.match(lower(pattern), [":"], lower(s))
}

_complex_pattern(pattern) if contains(pattern, "?")

_complex_pattern(pattern) if count(split(pattern, "*")) > 3

_star_match(parts, t) if {
	count(parts) == 2
	count(t) >= count(parts[0]) + count(parts[1])
	startswith(t, parts[0])
	endswith(t, parts[1])
}

_star_match(parts, t) if {
	count(parts) == 3
	count(t) >= (count(parts[0]) + count(parts[1])) + count(parts[2])
	startswith(t, parts[0])
	endswith(t, parts[2])
	middle := substring(t, count(parts[0]), (count(t) - count(parts[0])) - count(parts[2]))
	contains(middle, parts[1])
}

# --- networks -----------------------------------------------------------------

# CIDRs are compared as address ranges, never as strings: `::0/0`,
# `0:0:0:0:0:0:0:0/0`, `0000::/0` and `::/0` are one range, and so are `0.0.0.0/0`
# and `10.0.0.1/0` (host bits set). net.cidr_contains and net.cidr_intersects are
# natively implemented in the Wasm target (checked in test/cidr-wasm.test.ts);
# net.cidr_is_valid and net.cidr_expand are not, so they are not used. A string
# that is not a CIDR (or an address) is none of these.

# any_ipv4(c): c covers every IPv4 address.
any_ipv4(c) if {
	is_string(c)
	not contains(c, ":")
	net.cidr_contains(c, "0.0.0.0/0")
}

# any_ipv6(c): c covers every IPv6 address.
any_ipv6(c) if {
	is_string(c)
	contains(c, ":")
	net.cidr_contains(c, "::/0")
}

# any_address(c): c covers a whole address family (IPv4 or IPv6).
any_address(c) if any_ipv4(c)

any_address(c) if any_ipv6(c)

# cidr_within(inner, outer): every address of inner is in outer (same family).
cidr_within(inner, outer) if {
	is_string(inner)
	is_string(outer)
	contains(inner, ":") == contains(outer, ":")
	net.cidr_contains(outer, inner)
}

# cidr_overlaps(a, b): a and b share at least one address (same family).
cidr_overlaps(a, b) if {
	is_string(a)
	is_string(b)
	contains(a, ":") == contains(b, ":")
	net.cidr_intersects(a, b)
}

# --- IAM policy documents -----------------------------------------------------

# statements(doc) lists {"ptr": "/Statement/<i>" | "/Statement", "s": statement}
# for a policy document whose Statement is an array or a single object.
statements(doc) := [{"ptr": concat("", ["/Statement/", format_int(i, 10)]), "s": s} | some i, s in doc.Statement] if is_array(doc.Statement)

statements(doc) := [{"ptr": "/Statement", "s": doc.Statement}] if is_object(doc.Statement)

statements(doc) := [] if {
	not is_array(doc.Statement)
	not is_object(doc.Statement)
}

is_allow(s) if s.Effect == "Allow"

# actions(s) is the statement's Action as an array of strings (lower case).
actions(s) := [lower(a) | some a in as_array(s.Action); is_string(a)]

# allows_action(s, action): an Allow statement's Action covers `action` (by
# exact name or wildcard). NotAction statements cover every action they do not list.
allows_action(s, action) if {
	is_allow(s)
	some a in actions(s)
	wildcard_match(a, action)
}

allows_action(s, action) if {
	is_allow(s)
	s.NotAction
	not _not_action_excludes(s, action)
}

_not_action_excludes(s, action) if {
	some a in as_array(s.NotAction)
	is_string(a)
	wildcard_match(a, action)
}

# principal_values(s, kind) is every value of Principal.<kind> ("AWS",
# "Service", "Federated", "CanonicalUser"). Principal "*" counts as {"AWS": "*"}.
principal_values(s, kind) := [v | some v in as_array(s.Principal[kind])] if is_object(s.Principal)

principal_values(s, "AWS") := ["*"] if s.Principal == "*"

principal_values(s, _) := [] if {
	not is_object(s.Principal)
	s.Principal != "*"
}

principal_values(s, kind) := [] if {
	s.Principal == "*"
	kind != "AWS"
}

# trusts_service(s, service): an Allow statement whose principal includes the service.
trusts_service(s, service) if {
	is_allow(s)
	some p in principal_values(s, "Service")
	lower(p) == service
}

# conditions(s) lists one entry per condition key of a statement, normalised:
#   op        the operator as written ("ForAnyValue:StringEqualsIfExists");
#   base      the operator family without set qualifier and IfExists ("StringEquals");
#   qualifier "ForAnyValue", "ForAllValues" or "";
#   if_exists the operator ends in IfExists;
#   restricts the condition is false when the key is absent from the request, so it limits
#             the statement to requests whose key matches: not IfExists and not ForAllValues
#             (both true for an absent key), unless the key is in every request (always_present_keys);
#   key       lower-cased (condition keys are case-insensitive), raw_key as written;
#   values    an array (a single value and a one-element list are the same).
# Rules compare `base` against operator families and require `restricts`, never the spelling.
conditions(s) := [_condition(op, k, v) |
	is_object(s.Condition)
	some op, block in s.Condition
	is_object(block)
	some k, v in block
]

_condition(op, k, v) := {
	"op": op, "base": b.base, "qualifier": b.qualifier, "if_exists": b.if_exists,
	"restricts": _restricts(b, lower(k)), "key": lower(k), "raw_key": k, "values": as_array(v),
} if b := parse_operator(op)

# parse_operator(op) splits an IAM condition operator into its set qualifier, family and IfExists.
parse_operator(op) := {"qualifier": q, "base": trim_suffix(rest, "IfExists"), "if_exists": endswith(rest, "IfExists")} if {
	parts := split(op, ":")
	count(parts) == 2
	q := parts[0]
	rest := parts[1]
} else := {"qualifier": "", "base": trim_suffix(op, "IfExists"), "if_exists": endswith(op, "IfExists")}

# exact_match(c): a restricting condition that matches values exactly: StringEquals /
# ArnEquals, or StringLike / ArnLike with no wildcard and no policy variable in any value
# (the same test; a variable's value could itself hold a wildcard under StringLike).
exact_match(c) if {
	c.restricts
	c.base in {"StringEquals", "ArnEquals"}
}

exact_match(c) if {
	c.restricts
	c.base in {"StringLike", "ArnLike"}
	every v in c.values {
		not _wild_value(v)
	}
}

_wild_value(v) if {
	is_string(v)
	has_wildcard(v)
}

_wild_value(v) if {
	is_string(v)
	contains(v, "${")
}

_wild_value(v) if not is_string(v)

# always_present_keys: condition keys in every request of the calls the rules judge, for
# which IfExists and ForAllValues cannot be satisfied by leaving the key out.
always_present_keys := {"aws:principalaccount", "aws:principalarn", "aws:principaltype", "kms:calleraccount"}

_restricts(b, key) if {
	key in always_present_keys
	is_object(b)
} else := false if b.if_exists

else := false if b.qualifier == "ForAllValues"

else := true

# condition_values(s, families, key) is the values of key under a restricting condition
# whose operator family (base) is in families (e.g. {"StringEquals", "StringLike"}).
condition_values(s, families, key) := [v |
	some c in conditions(s)
	c.base in families
	c.restricts == true
	c.key == lower(key)
	some v in c.values
]

# has_condition_key(s, key): the key appears under any operator.
has_condition_key(s, key) if {
	some c in conditions(s)
	c.key == lower(key)
}

# account_of_arn(arn) is the account field of an ARN string ("" when absent).
account_of_arn(arn) := parts[4] if {
	parts := split(arn, ":")
	count(parts) >= 6
}

# account_of_principal(p) is the account a principal string names: a 12-digit
# id, or the account field of an ARN.
account_of_principal(p) := p if regex.match(`^[0-9]{12}$`, p)

account_of_principal(p) := account_of_arn(p) if startswith(p, "arn:")

# --- secrets --------------------------------------------------------------------------

# secret_properties is the CloudFormation property names whose value is a secret (a
# password, token or secret key), matched on the last segment of a property path.
# The one list every rule that asks "does this property hold a secret" uses.
secret_properties := {
	"Password", # AWS::DirectoryService::*, AWS::DMS::Endpoint, AWS::AmazonMQ::Broker Users, AWS::IAM::User LoginProfile, AWS::Amplify::App BasicAuthConfig, AWS::Events::Connection BasicAuthParameters
	"MasterUserPassword", # AWS::RDS::DBInstance/DBCluster, AWS::Redshift::Cluster, AWS::DocDB::DBCluster, AWS::OpenSearchService::Domain MasterUserOptions
	"SecretString", # AWS::SecretsManager::Secret
	"AuthToken", # AWS::ElastiCache::ReplicationGroup
	"SecretToken", # AWS::CodePipeline::Webhook AuthenticationConfiguration
	"Token", # AWS::CodeBuild::SourceCredential
	"AccessToken", "OauthToken", # AWS::Amplify::App
	"ClientSecret", # AWS::Events::Connection OAuthParameters, AWS::Cognito::UserPoolIdentityProvider details
	"ApiKeyValue", # AWS::Events::Connection ApiKeyAuthParameters
	"HECToken", # AWS::KinesisFirehose::DeliveryStream SplunkDestinationConfiguration
	"AccessKey", # AWS::KinesisFirehose::DeliveryStream HttpEndpointDestinationConfiguration
	"ADDomainJoinPassword", "CrossRealmTrustPrincipalPassword", "KdcAdminPassword", # AWS::EMR::Cluster KerberosAttributes
}

# secret_property(path): the property at path ("A/B/C") holds a secret.
secret_property(path) if {
	parts := split(path, "/")
	parts[count(parts) - 1] in secret_properties
}

# --- the CloudFormation resource reference: required fields, allowed values -----------

# cfn_required[type][path] is the fields the CloudFormation resource reference marks
# "Required: Yes" inside the property block at path ("Block" or "Block/Inner"): without
# them the service rejects the block, so it does not do what the block asks for (an
# encryption block without KeyType encrypts nothing). Declared here once for every rule.
cfn_required := {"AWS::KinesisFirehose::DeliveryStream": {"DeliveryStreamEncryptionConfigurationInput": ["KeyType"]}}

# cfn_allowed[type][path] is the values the reference allows for the field at path.
cfn_allowed := {"AWS::KinesisFirehose::DeliveryStream": {"DeliveryStreamEncryptionConfigurationInput/KeyType": ["AWS_OWNED_CMK", "CUSTOMER_MANAGED_CMK"]}}

# property(r, path) is the value at path ("A/B") in r's properties (undefined when absent).
property(r, path) := v if {
	v := object.get(r.properties, split(path, "/"), null)
	v != null
}

# missing_required(r, path) is the required fields (cfn_required) that r's block at path
# lacks, [] when it has them all; undefined when the block is absent or unresolved.
missing_required(r, path) := [f |
	some f in object.get(cfn_required, [r.type, path], [])
	not f in object.keys(b)
] if {
	b := property(r, path)
	is_object(b)
	not is_unknown(b)
}

# invalid_value(r, path) is the value at path when it is a literal outside cfn_allowed.
invalid_value(r, path) := v if {
	allowed := cfn_allowed[r.type][path]
	v := property(r, path)
	is_string(v)
	not v in allowed
}

# --- accounts ---------------------------------------------------------------------

# principal_account(p) is the account that a principal (or an account-valued
# condition value) names: a 12-digit id (also from an ARN's account field), "*" (any
# account), "SELF" (the resource's own account: ${AWS::AccountId}, or a reference to a
# resource of the same template), or "UNKNOWN" when the account part itself is not
# resolved. An unresolved part elsewhere (${AWS::Partition}, ${AWS::Region},
# ${AWS::URLSuffix}) cannot change the account, so it does not make the value unknown.
# Undefined for a string that names no account (a service principal, a canonical user).
principal_account(p) := "*" if p == "*"

principal_account(p) := a if {
	is_string(p)
	p != "*"
	a := account_of_principal(p)
}

principal_account(p) := "SELF" if is_ref(p)

principal_account(p) := _template_account(p.template) if {
	is_unknown(p)
	is_string(p.template)
}

principal_account(p) := "UNKNOWN" if {
	is_unknown(p)
	not is_string(object.get(p, "template", null))
}

# _template_account(t): the account of a partly resolved string (each unresolved part
# kept as ${...}): ${AWS::AccountId} is the own account; other pseudo parameters are
# written without their "::" so that an ARN still splits on ":".
_template_account(t) := a if {
	u := replace(replace(t, "${AWS::AccountId}", "SELF"), "${AWS::", "${AWS.")
	a := _literal_account(u)
} else := "UNKNOWN"

_literal_account("SELF") := "SELF"

_literal_account(u) := u if regex.match(`^[0-9]{12}$`, u)

_literal_account(u) := a if {
	startswith(u, "arn:")
	a := account_of_arn(u)
	a != ""
	not contains(a, "${")
}

# account_trust(r, a) places an account (a value of principal_account) against resource
# r's trusted set, the one decision every rule uses:
#   "own"       r's own account (SELF, or r.account: live, or `rampart iac --account`);
#   "trusted"   in the pack's trustedAccounts (and not known to be r's own);
#   "outside"   neither: another account, not trusted. Without --account a template's own
#               account is not known, so a literal account must be in trustedAccounts;
#   "any"       every account ("*");
#   "unknown"   the account is not resolved.
account_trust(_, "*") := "any"

account_trust(_, "UNKNOWN") := "unknown"

account_trust(_, "SELF") := "own"

account_trust(r, a) := "own" if {
	not a in {"*", "UNKNOWN", "SELF"}
	a == object.get(r, "account", null)
}

account_trust(r, a) := "trusted" if {
	not a in {"*", "UNKNOWN", "SELF"}
	a != object.get(r, "account", null)
	a in {t | some t in param("trustedAccounts", [])}
}

account_trust(r, a) := "outside" if {
	not a in {"*", "UNKNOWN", "SELF"}
	a != object.get(r, "account", null)
	not a in {t | some t in param("trustedAccounts", [])}
}

# other_account(r, a): "yes" when a is certainly not r's own account, "maybe" when it
# may be (a trusted account while r's own account is not known), "no" when it is r's own.
other_account(r, a) := "no" if account_trust(r, a) == "own"

other_account(r, a) := "yes" if account_trust(r, a) in {"outside", "any"}

other_account(r, a) := "yes" if {
	account_trust(r, a) == "trusted"
	is_string(object.get(r, "account", null))
}

other_account(r, a) := "maybe" if {
	account_trust(r, a) == "trusted"
	not is_string(object.get(r, "account", null))
}

other_account(r, a) := "maybe" if account_trust(r, a) == "unknown"

# --- absent resources ---------------------------------------------------------

# absent(type, account, region) is a stand-in resource for something that should
# exist in a scanned account/region and does not (e.g. no GuardDuty detector).
# Results built on it carry ref {"absent": true, "type", "account", "region"}; the
# engine reports them against that account/region instead of a collected resource.
absent(type, account, region) := {
	"_ref": {"absent": true, "type": type, "account": account, "region": region},
	"type": type,
	"account": account,
	"region": region,
	"source": {"kind": "aws", "account": account, "region": region},
}

# --- joins by id (appended for the §1/§2 secrets and Roles Anywhere rules) ----------

# origin(r) is the scope in which r's ids and references resolve: one template or plan
# file, or "aws" for live resources (whose ids are ARNs, unique across accounts).
origin(r) := "aws" if r.source.kind == "aws"

origin(r) := concat("|", [r.source.kind, object.get(r.source, "file", "")]) if r.source.kind != "aws"

# join_key(r, id) is the lookup key of an id (logical id, Terraform address, ARN) seen from r.
join_key(r, id) := concat("|", [origin(r), id])

# ref_key(r, x) is the lookup key of what x points at: a {"$ref"} marker or an id/ARN string.
ref_key(r, x) := join_key(r, x["$ref"]) if is_ref(x)

ref_key(r, x) := join_key(r, x) if is_string(x)

# by_key(type) indexes the resources of a type by join_key(r, r.id).
by_key(type) := {join_key(r, r.id): r | some r in resources(type)}

_managed_policy_index := by_key("AWS::IAM::ManagedPolicy")

# AWS::IAM::Policy and AWS::IAM::ManagedPolicy resources by the roles their `Roles`
# list names: "{origin}|{logical id}" for a reference, "{origin}|name:{RoleName}" for a name.
_policies_by_role_key[k] contains p if {
	some t in ["AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"]
	some p in resources(t)
	roles := object.get(p.properties, "Roles", [])
	is_array(roles)
	some x in roles
	k := _role_entry_key(p, x)
}

_role_entry_key(p, x) := join_key(p, x["$ref"]) if is_ref(x)

_role_entry_key(p, x) := join_key(p, concat("", ["name:", x])) if is_string(x)

_role_keys(role) := {join_key(role, role.id)} | {join_key(role, concat("", ["name:", n])) |
	n := role.properties.RoleName
	is_string(n)
}

# role_policy_documents(role) is the set of permission policies of a role, each
# {"holder": resource holding the document, "ptr": pointer to the document inside it,
# "doc": the document, "label": words for a person}, or, when a document cannot be read,
# {"holder": role, "ptr", "label", "unknown": reason} or, for a managed policy that is not
# in the input, {"holder": role, "ptr", "label", "missing": ARN or reference}. Sources:
# inline Policies, ManagedPolicyArns (references to, or ARNs of, AWS::IAM::ManagedPolicy
# resources) and AWS::IAM::Policy / ManagedPolicy resources whose Roles name the role.
role_policy_documents(role) := (_inline_docs(role) | _managed_docs(role)) | _attached_docs(role)

_inline_docs(role) := {{"holder": role, "ptr": "/Properties/Policies", "label": "inline policies", "unknown": unknown_reason(ps)} |
	ps := role.properties.Policies
	is_unknown(ps)
} | {_inline_doc(role, i, p) |
	ps := object.get(role.properties, "Policies", [])
	is_array(ps)
	some i, p in ps
}

_inline_doc(role, i, p) := d if {
	doc := object.get(p, "PolicyDocument", null)
	not is_unknown(doc)
	not is_unknown(p)
	d := {"holder": role, "ptr": concat("", ["/Properties/Policies/", format_int(i, 10), "/PolicyDocument"]), "label": _inline_label(p, i), "doc": _parsed(doc)}
} else := {"holder": role, "ptr": concat("", ["/Properties/Policies/", format_int(i, 10)]), "label": _inline_label(p, i), "unknown": first_unknown(p)}

_inline_label(p, _) := concat("", ["inline policy \"", p.PolicyName, "\""]) if is_string(p.PolicyName)

_inline_label(p, i) := concat("", ["inline policy ", format_int(i, 10)]) if not is_string(object.get(p, "PolicyName", null))

# _parsed(doc): a policy document given as a JSON string is parsed.
_parsed(doc) := json.unmarshal(doc) if {
	is_string(doc)
	json.is_valid(doc)
} else := doc

_managed_docs(role) := {{"holder": role, "ptr": "/Properties/ManagedPolicyArns", "label": "managed policy ARNs", "unknown": unknown_reason(arns)} |
	arns := role.properties.ManagedPolicyArns
	is_unknown(arns)
} | {_managed_doc(role, i, x) |
	arns := object.get(role.properties, "ManagedPolicyArns", [])
	is_array(arns)
	some i, x in arns
}

_managed_doc(role, i, x) := {"holder": role, "ptr": concat("", ["/Properties/ManagedPolicyArns/", format_int(i, 10)]), "label": "a managed policy", "unknown": unknown_reason(x)} if is_unknown(x)

_managed_doc(role, i, x) := d if {
	not is_unknown(x)
	p := _managed_policy_index[ref_key(role, x)]
	d := _policy_resource_doc(p)
} else := {"holder": role, "ptr": concat("", ["/Properties/ManagedPolicyArns/", format_int(i, 10)]), "label": _missing_label(x), "missing": x} if {
	not is_unknown(x)
}

_missing_label(x) := sprintf("managed policy %s", [x]) if is_string(x)

_missing_label(x) := sprintf("managed policy %s", [x["$ref"]]) if is_ref(x)

_missing_label(x) := "a managed policy" if {
	not is_string(x)
	not is_ref(x)
}

_policy_resource_doc(p) := {"holder": p, "ptr": "/Properties/PolicyDocument", "label": _policy_label(p), "unknown": unknown_reason(p.properties.PolicyDocument)} if {
	is_unknown(p.properties.PolicyDocument)
} else := {"holder": p, "ptr": "/Properties/PolicyDocument", "label": _policy_label(p), "doc": _parsed(object.get(p.properties, "PolicyDocument", {}))}

_policy_label(p) := sprintf("managed policy \"%s\"", [_policy_name(p)]) if p.type == "AWS::IAM::ManagedPolicy"

_policy_label(p) := sprintf("policy \"%s\"", [_policy_name(p)]) if p.type != "AWS::IAM::ManagedPolicy"

_policy_name(p) := n if {
	n := object.get(p, "name", null)
	is_string(n)
} else := n if {
	n := object.get(p.properties, "ManagedPolicyName", object.get(p.properties, "PolicyName", null))
	is_string(n)
} else := p.id

_attached_docs(role) := {_policy_resource_doc(p) |
	some k in _role_keys(role)
	some p in _policies_by_role_key[k]
}
