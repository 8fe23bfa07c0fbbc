# METADATA
# title: Firewall Manager retrofit helpers
# description: |
#   Shared by the fms-retrofit rules: which WAFv2 security policies retrofit
#   existing web ACLs, which resources are in a policy's scope, and which
#   resources each web ACL is associated with (template references or live ARNs).
package rampart.lib.fms

import data.rampart.lib

# --- policies -------------------------------------------------------------------

# managed_service_data(p) is the policy's ManagedServiceData, parsed when it is a
# JSON string (its CloudFormation and API shape), as is when already an object.
managed_service_data(p) := json.unmarshal(s) if {
	s := p.properties.SecurityServicePolicyData.ManagedServiceData
	is_string(s)
	json.is_valid(s)
}

managed_service_data(p) := o if {
	o := p.properties.SecurityServicePolicyData.ManagedServiceData
	is_object(o)
	not lib.is_unknown(o)
}

# is_waf_policy(p): an AWS WAF (v2) security policy.
is_waf_policy(p) if p.properties.SecurityServicePolicyData.Type == "WAFV2"

# is_retrofit(p): a WAF policy that retrofits existing web ACLs.
is_retrofit(p) if {
	is_waf_policy(p)
	managed_service_data(p).webACLSource == "RETROFIT_EXISTING"
}

# retrofit_unresolved(p): a WAF policy whose ManagedServiceData cannot be read, so
# whether it retrofits is unknown.
retrofit_unresolved(p) if {
	is_waf_policy(p)
	not managed_service_data(p)
}

retrofit_policies := [p | some p in lib.resources("AWS::FMS::Policy"); is_retrofit(p)]

policy_label(p) := sprintf("%s (%s)", [p.properties.PolicyName, p.id]) if is_string(p.properties.PolicyName)

policy_label(p) := p.id if not is_string(object.get(p.properties, "PolicyName", null))

# policy_types(p) is the resource types in the policy's scope.
policy_types(p) := {t | some t in lib.as_array(p.properties.ResourceTypeList); is_string(t)} | {t |
	t := p.properties.ResourceType
	is_string(t)
	t != "ResourceTypeList"
}

# --- web ACLs ---------------------------------------------------------------------

web_acl_name(w) := w.name if is_string(w.name)

web_acl_name(w) := w.properties.Name if {
	not is_string(object.get(w, "name", null))
	is_string(w.properties.Name)
}

web_acl_label(w) := n if n := web_acl_name(w)

web_acl_label(w) := w.id if not web_acl_name(w)

# fms_managed(w): the web ACL was created and is managed by Firewall Manager.
fms_managed(w) if w.observed.ManagedByFirewallManager == true

fms_managed(w) if startswith(web_acl_name(w), "FMManagedWebACL")

# owned_by(w, p): an FMS-managed web ACL that policy p created
# ("FMManagedWebACLV2-<policy name>-<timestamp>").
owned_by(w, p) if startswith(web_acl_name(w), sprintf("FMManagedWebACLV2-%s-", [p.properties.PolicyName]))

# refers_to(x, r): x (a property value) designates resource r: a {"$ref": id}
# marker in a template, or r's ARN / id live.
refers_to(x, r) if {
	lib.is_ref(x)
	not lib.is_live(r)
	x["$ref"] == r.id
}

refers_to(x, r) if {
	is_string(x)
	x == r.arn
}

refers_to(x, r) if {
	is_string(x)
	x == r.id
}

# linked(a, b): a and b may reference each other (same template, same account).
linked(a, b) if lib.same_origin(a, b)

# target(a, v) is the resource value v designates, from a's point of view.
target(a, v) := t if {
	some type, rs in input.byType
	some t in rs
	linked(a, t)
	refers_to(v, t)
}

# _association_edges(w) lists {via, ptr, value, possible} for every association
# that names w (WAFv2 associations and CloudFront distributions), or that
# might name it (an unresolved web ACL reference in the same template/account).
_association_edges(w) := array.concat(
	[{"via": a, "ptr": "/Properties/ResourceArn", "value": a.properties.ResourceArn, "possible": false} |
		some a in lib.resources("AWS::WAFv2::WebACLAssociation")
		linked(a, w)
		refers_to(a.properties.WebACLArn, w)
	],
	array.concat(
		[{"via": a, "ptr": "/Properties/ResourceArn", "value": a.properties.ResourceArn, "possible": true} |
			some a in lib.resources("AWS::WAFv2::WebACLAssociation")
			linked(a, w)
			lib.is_unknown(a.properties.WebACLArn)
		],
		[{"via": d, "ptr": "", "value": d.id, "possible": false, "self": true} |
			some d in lib.resources("AWS::CloudFront::Distribution")
			linked(d, w)
			refers_to(d.properties.DistributionConfig.WebACLId, w)
		],
	),
)

# members(w) lists the resources w is associated with:
# {id, resource?, via, possible, unresolved?: reason}.
members(w) := m if m := _members[w._ref]

else := _members_of(w)

_members_of(w) := [m |
	some e in _association_edges(w)
	m := _member(e)
]

# Memos: in the Wasm target a function's result is computed again at every call, a rule's
# once per evaluation. The rules ask for a web ACL's members, and for a policy × web ACL
# pair's judged members and account scope, many times each: they are computed once here, for
# every resource of the input (the engine numbers them: _ref), and by the functions for others.
_members := {w._ref: _members_of(w) | some w in lib.resources("AWS::WAFv2::WebACL")}

_pairs contains [p, w] if {
	some p in lib.resources("AWS::FMS::Policy")
	is_waf_policy(p)
	some w in lib.resources("AWS::WAFv2::WebACL")
	applies(p, w)
}

_judged := {[p._ref, w._ref]: _judged_members_of(p, w) | some [p, w] in _pairs}

_account_scopes := {[p._ref, w._ref]: _account_state(p, w) | some [p, w] in _pairs}

_member(e) := {"id": e.via.id, "resource": e.via, "via": e.via.id, "possible": e.possible} if e.self

_member(e) := {"id": t.id, "resource": t, "via": e.via.id, "possible": e.possible} if {
	not e.self
	t := target(e.via, e.value)
}

_member(e) := {"id": _value_label(e.value), "via": e.via.id, "possible": e.possible, "unresolved": _unresolved_reason(e.value)} if {
	not e.self
	not target(e.via, e.value)
}

_value_label(v) := v if is_string(v)

_value_label(v) := v["$ref"] if lib.is_ref(v)

_value_label(v) := "an unresolved resource" if {
	not is_string(v)
	not lib.is_ref(v)
}

_unresolved_reason(v) := sprintf("%s is not in the input", [v]) if is_string(v)

_unresolved_reason(v) := sprintf("%s is not in this template", [v["$ref"]]) if lib.is_ref(v)

_unresolved_reason(v) := sprintf("its ResourceArn is unresolved (%s)", [lib.unknown_reason(v)]) if lib.is_unknown(v)

# --- scope ------------------------------------------------------------------------

# applies(p, w): policy p can cover the resources of w: the same template, or
# live resources of any account.
applies(p, w) if {
	not lib.is_live(p)
	lib.same_origin(p, w)
}

applies(p, w) if {
	lib.is_live(p)
	lib.is_live(w)
}

# scope(p, m) is {"state": "in"|"out"|"unknown", "why": [..]} for member m of a
# web ACL: whether Firewall Manager policy p covers the associated resource.
scope(_, m) := {"state": "unknown", "why": [sprintf("%s cannot be placed: %s", [m.id, m.unresolved])]} if m.unresolved

#
# The account is left out: a web ACL and the resources associated with it are
# in one account, so the account decides for all of them at once (account_scope).
scope(p, m) := _combine([
	_type_state(p, m.resource),
	_region_state(p, m.resource),
	_tag_state(p, m.resource),
]) if {
	not m.unresolved
}

_combine(states) := {"state": "out", "why": [w | some s in states; s.state == "out"; w := s.why]} if {
	some s in states
	s.state == "out"
}

_combine(states) := {"state": "unknown", "why": [w | some s in states; s.state == "unknown"; w := s.why]} if {
	not _any_state(states, "out")
	_any_state(states, "unknown")
}

_combine(states) := {"state": "in", "why": []} if {
	not _any_state(states, "out")
	not _any_state(states, "unknown")
}

_any_state(states, x) if {
	some s in states
	s.state == x
}

_in := {"state": "in", "why": ""}

_type_state(p, t) := _in if t.type in policy_types(p)

_type_state(p, t) := {"state": "out", "why": sprintf("its type %s is not one of the policy's resource types (%s)", [t.type, concat(", ", sort(policy_types(p)))])} if {
	not t.type in policy_types(p)
}

_region_state(_, t) := _in if not lib.is_live(t)

_region_state(p, t) := _in if {
	lib.is_live(t)
	t.region == p.region
}

_region_state(p, t) := _in if {
	lib.is_live(t)
	t.type == "AWS::CloudFront::Distribution"
	p.region == "us-east-1"
}

_region_state(p, t) := {"state": "out", "why": sprintf("it is in region %s, the policy in %s", [t.region, p.region])} if {
	lib.is_live(t)
	t.region != p.region
	not _global_in_us_east_1(p, t)
}

_global_in_us_east_1(p, t) if {
	t.type == "AWS::CloudFront::Distribution"
	p.region == "us-east-1"
}

_map_list(m, kind) := [x | some x in lib.as_array(object.get(m, kind, []))] if is_object(m)

_map_list(m, _) := [] if not is_object(m)

_include_accounts(p) := _map_list(object.get(p.properties, "IncludeMap", {}), "ACCOUNT")

_include_ous(p) := _map_list(object.get(p.properties, "IncludeMap", {}), "ORGUNIT")

_exclude_accounts(p) := _map_list(object.get(p.properties, "ExcludeMap", {}), "ACCOUNT")

_exclude_ous(p) := _map_list(object.get(p.properties, "ExcludeMap", {}), "ORGUNIT")

_has_include(p) if count(_include_accounts(p)) + count(_include_ous(p)) > 0

_has_exclude(p) if count(_exclude_accounts(p)) + count(_exclude_ous(p)) > 0

_maps_unknown(p) if lib.is_unknown(p.properties.IncludeMap)

_maps_unknown(p) if lib.is_unknown(p.properties.ExcludeMap)

_maps_unknown(p) if lib.first_unknown([p.properties.IncludeMap, p.properties.ExcludeMap])

# account_scope(p, w) is {"state", "why"}: whether policy p covers the account
# of web ACL w (and so of every resource associated with it).
account_scope(p, w) := a if a := _account_scopes[[p._ref, w._ref]]

else := _account_state(p, w)

# In a template every resource is in the one (unknown) account the stack is
# deployed to: the maps matter only when they could exclude it.
_account_state(p, t) := _in if {
	not lib.is_live(t)
	not _has_include(p)
	not _has_exclude(p)
	not _maps_unknown(p)
}

_account_state(p, t) := {"state": "unknown", "why": "the account the template is deployed to is not known, and the policy's IncludeMap/ExcludeMap could leave it out"} if {
	not lib.is_live(t)
	_map_could_exclude(p)
}

_map_could_exclude(p) if _has_include(p)

_map_could_exclude(p) if _has_exclude(p)

_map_could_exclude(p) if _maps_unknown(p)

_account_state(p, t) := {"state": "unknown", "why": "the policy's IncludeMap/ExcludeMap is unresolved"} if {
	lib.is_live(t)
	_maps_unknown(p)
}

# Live: IncludeMap wins over ExcludeMap (Firewall Manager ignores ExcludeMap
# when IncludeMap is set). Organizational-unit membership is known only through
# Firewall Manager's own compliance list (an account it evaluates is in scope).
_account_state(p, t) := _account_state_live(p, t) if {
	lib.is_live(t)
	not _maps_unknown(p)
}

_account_state_live(p, t) := _in if {
	_has_include(p)
	t.account in _include_accounts(p)
}

_account_state_live(p, t) := _in if {
	_has_include(p)
	not t.account in _include_accounts(p)
	count(_include_ous(p)) > 0
	_evaluated_account(p, t.account)
}

_account_state_live(p, t) := {"state": "unknown", "why": sprintf("account %s is not listed in the policy's IncludeMap and its organizational units (%s) are not known", [t.account, concat(", ", _include_ous(p))])} if {
	_has_include(p)
	not t.account in _include_accounts(p)
	count(_include_ous(p)) > 0
	not _evaluated_account(p, t.account)
}

_account_state_live(p, t) := {"state": "out", "why": sprintf("account %s is not in the policy's IncludeMap", [t.account])} if {
	_has_include(p)
	not t.account in _include_accounts(p)
	count(_include_ous(p)) == 0
}

_account_state_live(p, t) := {"state": "out", "why": sprintf("account %s is in the policy's ExcludeMap", [t.account])} if {
	not _has_include(p)
	t.account in _exclude_accounts(p)
}

_account_state_live(p, t) := _in if {
	not _has_include(p)
	not t.account in _exclude_accounts(p)
	count(_exclude_ous(p)) == 0
}

_account_state_live(p, t) := _in if {
	not _has_include(p)
	not t.account in _exclude_accounts(p)
	count(_exclude_ous(p)) > 0
	_evaluated_account(p, t.account)
}

_account_state_live(p, t) := {"state": "unknown", "why": sprintf("the policy excludes organizational units %s and the organizational unit of account %s is not known", [concat(", ", _exclude_ous(p)), t.account])} if {
	not _has_include(p)
	not t.account in _exclude_accounts(p)
	count(_exclude_ous(p)) > 0
	not _evaluated_account(p, t.account)
}

_evaluated_account(p, account) if {
	some c in lib.as_array(p.observed.compliance)
	c.account == account
}

# Tags: Firewall Manager compares key and value exactly (a missing value is "");
# several tags combine with AND unless ResourceTagLogicalOperator is OR.
_resource_tags(p) := object.get(p.properties, "ResourceTags", [])

_policy_tags(p) := lib.as_array(_resource_tags(p)) if not lib.is_unknown(_resource_tags(p))

_policy_tags(p) := [] if lib.is_unknown(_resource_tags(p))

_tag_state(p, _) := _in if {
	not lib.is_unknown(_resource_tags(p))
	count(_policy_tags(p)) == 0
}

_tag_state(p, _) := {"state": "unknown", "why": sprintf("the policy's ResourceTags are unresolved (%s)", [_reason(p.properties.ResourceTags)])} if {
	lib.is_unknown(p.properties.ResourceTags)
}

_tag_state(p, _) := {"state": "unknown", "why": "the policy's ExcludeResourceTags is unresolved"} if {
	count(_policy_tags(p)) > 0
	lib.is_unknown(p.properties.ExcludeResourceTags)
}

_tag_state(p, t) := _tag_verdict(p, t, _tag_match(p, t)) if {
	count(_policy_tags(p)) > 0
	not lib.is_unknown(object.get(p.properties, "ExcludeResourceTags", false))
}

_reason(x) := r if r := lib.unknown_reason(x)

_tag_label(tag) := sprintf("%v=%v", [tag.Key, object.get(tag, "Value", "")])

_tag_labels(p) := concat(", ", [_tag_label(tag) | some tag in _policy_tags(p)])

_each_tag(p, t) := {_one_tag(tag, t) | some tag in _policy_tags(p)}

_one_tag(tag, _) := "unknown" if lib.first_unknown(tag)

_one_tag(tag, t) := "unknown" if {
	not lib.first_unknown(tag)
	lib.is_unknown(t.tags[tag.Key])
}

_one_tag(tag, t) := "yes" if {
	not lib.first_unknown(tag)
	t.tags[tag.Key] == object.get(tag, "Value", "")
}

_one_tag(tag, t) := "no" if {
	not lib.first_unknown(tag)
	not lib.is_unknown(object.get(t.tags, tag.Key, null))
	object.get(t.tags, tag.Key, null) != object.get(tag, "Value", "")
}

_or(p) if upper(p.properties.ResourceTagLogicalOperator) == "OR"

_tag_match(p, t) := "no" if {
	not _or(p)
	"no" in _each_tag(p, t)
}

_tag_match(p, t) := "unknown" if {
	not _or(p)
	s := _each_tag(p, t)
	not "no" in s
	"unknown" in s
}

_tag_match(p, t) := "yes" if {
	not _or(p)
	_each_tag(p, t) == {"yes"}
}

_tag_match(p, t) := "yes" if {
	_or(p)
	"yes" in _each_tag(p, t)
}

_tag_match(p, t) := "unknown" if {
	_or(p)
	s := _each_tag(p, t)
	not "yes" in s
	"unknown" in s
}

_tag_match(p, t) := "no" if {
	_or(p)
	_each_tag(p, t) == {"no"}
}

_tag_verdict(p, _, "unknown") := {"state": "unknown", "why": sprintf("its tags for the policy's tag condition (%s) are unresolved", [_tag_labels(p)])}

excludes_tags(p) if p.properties.ExcludeResourceTags == true

_tag_verdict(p, _, "yes") := _in if not excludes_tags(p)

_tag_verdict(p, _, "no") := _in if excludes_tags(p)

_tag_verdict(p, _, "yes") := {"state": "out", "why": sprintf("it carries the tags the policy excludes (%s)", [_tag_labels(p)])} if {
	excludes_tags(p)
}

_tag_verdict(p, _, "no") := {"state": "out", "why": sprintf("it lacks the tags the policy requires (%s)", [_tag_labels(p)])} if {
	not excludes_tags(p)
}

# --- membership verdicts -----------------------------------------------------------

# judged_members(p, w) is members(w) each with its scope under p.
judged_members(p, w) := ms if ms := _judged[[p._ref, w._ref]]

else := _judged_members_of(p, w)

_judged_members_of(p, w) := [object.union(m, scope(p, m)) | some m in members(w)]

definite(m) if {
	not m.possible
	m.state != "unknown"
}

can_be(m, state) if m.state == state

can_be(m, _) if m.state == "unknown"

# certain(ms, state) is the ids of the members certainly associated and in that state.
certain(ms, state) := sort({m.id | some m in ms; definite(m); m.state == state})

# mixed(ms): certainly one member in scope and another out of scope.
mixed(ms) if {
	count(certain(ms, "in")) > 0
	count(certain(ms, "out")) > 0
}

# maybe_mixed(ms): not certainly mixed, but two members could be.
maybe_mixed(ms) if {
	not mixed(ms)
	some i, a in ms
	some j, b in ms
	i != j
	can_be(a, "in")
	can_be(b, "out")
}

# uncertain(ms) lists "id: why" for members whose scope or association is unsure.
uncertain(ms) := sort({sprintf("%s (%s)", [m.id, concat("; ", _why(m))]) | some m in ms; not definite(m)})

_why(m) := array.concat(["its association with this web ACL is unresolved"], m.why) if m.possible

_why(m) := m.why if not m.possible

# in_scope(p, w): at least one resource associated with w is certainly in p's scope.
in_scope(p, w) if {
	account_scope(p, w).state == "in"
	some m in judged_members(p, w)
	definite(m)
	m.state == "in"
}

# maybe_in_scope(p, w): no associated resource is certainly in scope, but one may be.
maybe_in_scope(p, w) if {
	not in_scope(p, w)
	account_scope(p, w).state != "out"
	some m in judged_members(p, w)
	can_be(m, "in")
}
