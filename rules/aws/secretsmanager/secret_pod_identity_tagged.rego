# METADATA
# title: Secrets read by Pod Identity roles carry matching namespace and cluster tags
# description: |
#   A secret that a role trusted by pods.eks.amazonaws.com may read (named in the Resource
#   of a statement allowing secretsmanager:GetSecretValue) must carry the tags
#   kubernetes-namespace and eks-cluster-name that the role's tag conditions compare with
#   the Pod Identity session tags. Where the role's Pod Identity associations are known,
#   the values must be the cluster and namespace of one of them, otherwise the pod is
#   denied (a functional finding, low).
# custom:
#   id: secretsmanager-secret-pod-identity-tagged
#   severity: medium
#   family: pod-identity
#   resourceTypes: [AWS::SecretsManager::Secret, AWS::EKS::PodIdentityAssociation, AWS::IAM::Role, AWS::IAM::Policy, AWS::IAM::ManagedPolicy, AWS::EKS::Cluster]
#   inputs: [live, cloudformation, terraform]
#   guidance: "seeds/000_14fc47060cf8555c.txt lines 2612–2617, 2648"
#   rationale: Tag-based access control only confines a pod to its own namespace's secrets when each secret carries the namespace and cluster tags; a secret without them is either unreachable through the tag conditions or not protected by them.
#   compliance:
#     nist-800-53: [AC-3, AC-16]
#   remediation:
#     summary: Tag the secret with kubernetes-namespace and eks-cluster-name set to the namespace and cluster of the Pod Identity association whose pods read it; keep one secret per namespace when pods of several namespaces read it.
#     automatic: true
package rampart.rules.secretsmanager.secret_pod_identity_tagged

import data.rampart.lib

_secret_type := "AWS::SecretsManager::Secret"

_service := "pods.eks.amazonaws.com"

_action := "secretsmanager:getsecretvalue"

_tags := ["kubernetes-namespace", "eks-cluster-name"]

_secrets := lib.by_key(_secret_type)

# Secrets by live ARN (and by template origin) for Resource patterns with wildcards.
_secrets_by_scope[k] contains s if {
	some s in lib.resources(_secret_type)
	k := _scope_of_secret(s)
}

_scope_of_secret(s) := concat("|", ["aws", s.account]) if lib.is_live(s)

_scope_of_secret(s) := lib.origin(s) if not lib.is_live(s)

_clusters := lib.by_key("AWS::EKS::Cluster")

_assocs_by_role[k] contains a if {
	some a in lib.resources("AWS::EKS::PodIdentityAssociation")
	k := lib.ref_key(a, a.properties.RoleArn)
}

_pod_roles contains r if {
	some r in lib.resources("AWS::IAM::Role")
	some st in lib.statements(r.properties.AssumeRolePolicyDocument)
	lib.trusts_service(st.s, _service)
}

_resource_values(s) := [v | some v in lib.as_array(object.get(s, "Resource", []))]

# [role, secret] for every secret a pod role's GetSecretValue statement names.
_pairs contains [r, s] if {
	some r in _pod_roles
	some d in lib.role_policy_documents(r)
	is_object(d.doc)
	some st in lib.statements(d.doc)
	lib.allows_action(st.s, _action)
	some v in _resource_values(st.s)
	some s in _named(r, v)
}

_named(r, v) := {s | s := _secrets[lib.ref_key(r, v)]} if lib.is_ref(v)

_named(r, v) := {s | s := _secrets[lib.join_key(r, v)]} if {
	is_string(v)
	not lib.has_wildcard(v)
}

# A pattern (not "*", which the tag conditions are meant for) names the secrets it matches
# in the account it names.
_named(r, v) := {s |
	some s in _secrets_by_scope[_pattern_scope(r, v)]
	lib.wildcard_match(v, _secret_arn(s))
} if {
	is_string(v)
	v != "*"
	lib.has_wildcard(v)
}

_pattern_scope(r, v) := concat("|", ["aws", acct]) if {
	lib.is_live(r)
	acct := lib.account_of_arn(v)
	not lib.has_wildcard(acct)
}

_pattern_scope(r, _) := lib.origin(r) if not lib.is_live(r)

_secret_arn(s) := s.arn if is_string(s.arn)

_secret_arn(s) := s.id if not is_string(object.get(s, "arn", null))

_roles_of[k] contains r if {
	some [r, s] in _pairs
	k := s._ref
}

_secrets_read contains s if some [_, s] in _pairs

judged contains s._ref if some s in _secrets_read

_name(x) := n if {
	n := object.get(x, "name", null)
	is_string(n)
} else := x.id

_role_names(s) := sort({_name(r) | some r in _roles_of[s._ref]})

# --- the tags ----------------------------------------------------------------------

_tags_unknown(s) if lib.is_unknown(s.tags)

_tags_unknown(s) if s.observed.tagsUnknown

_tags_unknown(s) if lib.is_unknown(s.properties.Tags)

_tag(s, k) := object.get(object.get(s, "tags", {}), k, null)

_missing(s) := [k | some k in _tags; _tag(s, k) == null]

results contains lib.unknown(s, {
	"message": sprintf("Secret \"%s\" can be read by Pod Identity role(s) %s, but its tags cannot be judged: %s.", [_name(s), json.marshal(_role_names(s)), _tags_reason(s)]),
	"pointer": "/Properties/Tags",
	"key": "tags",
}) if {
	some s in _secrets_read
	_tags_unknown(s)
}

_tags_reason(s) := lib.unknown_reason(s.tags) if lib.is_unknown(s.tags)

_tags_reason(s) := lib.unknown_reason(s.observed.tagsUnknown) if lib.is_unknown(s.observed.tagsUnknown)

_tags_reason(s) := lib.unknown_reason(s.properties.Tags) if lib.is_unknown(s.properties.Tags)

_tags_reason(s) := "the tags were not read" if {
	not lib.is_unknown(object.get(s, "tags", null))
	not lib.is_unknown(object.get(object.get(s, "observed", {}), "tagsUnknown", null))
	not lib.is_unknown(object.get(s.properties, "Tags", null))
}

results contains lib.fail(s, {
	"message": sprintf("Secret \"%s\" can be read by Pod Identity role(s) %s but has no %s tag: tag conditions on secretsmanager:ResourceTag/kubernetes-namespace and eks-cluster-name either deny every pod or, without them, nothing ties the secret to a namespace. Tag it with kubernetes-namespace and eks-cluster-name set to the namespace and cluster of the pods that read it.", [_name(s), json.marshal(_role_names(s)), concat(" and ", missing)]),
	"pointer": "/Properties/Tags",
	"key": "tags",
	"evidence": {"tags": object.get(s, "tags", {}), "roles": _role_names(s)},
}) if {
	some s in _secrets_read
	not _tags_unknown(s)
	missing := _missing(s)
	count(missing) > 0
}

# --- tag values against the Pod Identity associations --------------------------------

_role_keys(r) := {lib.join_key(r, r.id)} | {lib.join_key(r, a) | a := r.arn; is_string(a)}

_assocs(r) := {a |
	some k in _role_keys(r)
	some a in _assocs_by_role[k]
}

# _cluster(a) is the association's cluster name, or an unknown marker.
_cluster(a) := c if {
	c := a.properties.ClusterName
	is_string(c)
}

_cluster(a) := n if {
	x := a.properties.ClusterName
	lib.is_ref(x)
	n := _ref_cluster_name(a, x)
}

_cluster(a) := {"$unknown": lib.unknown_reason(a.properties.ClusterName)} if lib.is_unknown(a.properties.ClusterName)

_ref_cluster_name(a, x) := n if {
	n := _clusters[lib.ref_key(a, x)].properties.Name
	is_string(n)
} else := {"$unknown": sprintf("the name of cluster %s is not set in the template", [x["$ref"]])}

_namespace(a) := a.properties.Namespace

_pair(a) := [_cluster(a), _namespace(a)]

_matches(s, a) if {
	_cluster(a) == _tag(s, "eks-cluster-name")
	_namespace(a) == _tag(s, "kubernetes-namespace")
}

_value_unknown(_, a) if lib.is_unknown(_cluster(a))

_value_unknown(_, a) if lib.is_unknown(_namespace(a))

_value_unknown(s, _) if {
	some k in _tags
	lib.is_unknown(_tag(s, k))
}

_text(x) := x if is_string(x)

_text(x) := "(unresolved)" if not is_string(x)

_assoc_texts(r) := sort({sprintf("cluster %s, namespace %s", [_text(_cluster(a)), _text(_namespace(a))]) | some a in _assocs(r)})

_checks contains [s, r] if {
	some [r, s] in _pairs
	not _tags_unknown(s)
	count(_missing(s)) == 0
	count(_assocs(r)) > 0
	not _any_match(s, r)
}

_any_match(s, r) if {
	some a in _assocs(r)
	_matches(s, a)
}

_any_unknown(s, r) if {
	some a in _assocs(r)
	_value_unknown(s, a)
}

results contains lib.fail(s, {
	"message": sprintf("Secret \"%s\" is tagged eks-cluster-name=%s, kubernetes-namespace=%s, but Pod Identity role \"%s\" is associated only with %s: the tag conditions deny those pods the secret. Set the tags to the cluster and namespace of the pods that read it.", [_name(s), _text(_tag(s, "eks-cluster-name")), _text(_tag(s, "kubernetes-namespace")), _name(r), concat("; ", _assoc_texts(r))]),
	"pointer": "/Properties/Tags",
	"key": sprintf("tag-values:%s", [_name(r)]),
	"severity": "low",
	"evidence": {"tags": object.get(s, "tags", {}), "role": _name(r), "associations": _assoc_texts(r)},
}) if {
	some [s, r] in _checks
	not _any_unknown(s, r)
}

results contains lib.unknown(s, {
	"message": sprintf("Whether the tags of secret \"%s\" match the Pod Identity associations of role \"%s\" (%s) cannot be judged: a cluster name, namespace or tag value is not resolved.", [_name(s), _name(r), concat("; ", _assoc_texts(r))]),
	"pointer": "/Properties/Tags",
	"key": sprintf("tag-values:%s", [_name(r)]),
}) if {
	some [s, r] in _checks
	_any_unknown(s, r)
}
