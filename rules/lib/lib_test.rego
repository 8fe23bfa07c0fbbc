package rampart.lib_test

import data.rampart.lib

# --- principal_account: the account part decides, other unresolved parts do not -----

test_principal_account_literal_forms if {
	lib.principal_account("111122223333") == "111122223333"
	lib.principal_account("arn:aws:iam::111122223333:root") == "111122223333"
	lib.principal_account("arn:aws-us-gov:iam::111122223333:role/R") == "111122223333"
	lib.principal_account("*") == "*"
	lib.principal_account({"$ref": "Role", "attribute": "Arn"}) == "SELF"
}

test_principal_account_templates if {
	lib.principal_account({"$unknown": "x", "template": "arn:${AWS::Partition}:iam::111122223333:root"}) == "111122223333"
	lib.principal_account({"$unknown": "x", "template": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}) == "SELF"
	lib.principal_account({"$unknown": "x", "template": "${AWS::AccountId}"}) == "SELF"
	lib.principal_account({"$unknown": "x", "template": "arn:aws:iam::${Consumer}:root"}) == "UNKNOWN"
	lib.principal_account({"$unknown": "x"}) == "UNKNOWN"
}

test_principal_account_names_no_account if {
	not lib.principal_account("ec2.amazonaws.com")
}

# --- account_trust / other_account: one decision for every rule ---------------------

_tmpl := {"type": "AWS::KMS::Key"}

_live := {"type": "AWS::KMS::Key", "account": "111122223333"}

test_account_trust_without_account if {
	lib.account_trust(_tmpl, "SELF") == "own"
	lib.account_trust(_tmpl, "444455556666") == "outside" with data.config.params as {}
	lib.account_trust(_tmpl, "444455556666") == "trusted" with data.config.params as {"trustedAccounts": ["444455556666"]}
	lib.account_trust(_tmpl, "*") == "any"
	lib.account_trust(_tmpl, "UNKNOWN") == "unknown"
	lib.other_account(_tmpl, "444455556666") == "yes" with data.config.params as {}
	lib.other_account(_tmpl, "444455556666") == "maybe" with data.config.params as {"trustedAccounts": ["444455556666"]}
}

test_account_trust_with_account if {
	lib.account_trust(_live, "111122223333") == "own"
	lib.other_account(_live, "111122223333") == "no"
	lib.account_trust(_live, "444455556666") == "trusted" with data.config.params as {"trustedAccounts": ["444455556666"]}
	lib.other_account(_live, "444455556666") == "yes" with data.config.params as {"trustedAccounts": ["444455556666"]}
	lib.account_trust(_live, "555566667777") == "outside"
}

# --- the condition normaliser: operator families, IfExists, set qualifiers -----------

test_parse_operator if {
	lib.parse_operator("StringEquals") == {"qualifier": "", "base": "StringEquals", "if_exists": false}
	lib.parse_operator("ForAnyValue:StringLikeIfExists") == {"qualifier": "ForAnyValue", "base": "StringLike", "if_exists": true}
	lib.parse_operator("ArnEqualsIfExists") == {"qualifier": "", "base": "ArnEquals", "if_exists": true}
}

_cond(op, key, v) := lib.conditions({"Condition": {op: {key: v}}})[0]

test_restricts_unless_absent_key_satisfies_it if {
	_cond("StringEquals", "aws:SourceAccount", "1").restricts == true
	_cond("ForAnyValue:StringEquals", "aws:SourceAccount", "1").restricts == true
	_cond("StringEqualsIfExists", "aws:SourceAccount", "1").restricts == false
	_cond("ForAllValues:StringEquals", "aws:SourceAccount", "1").restricts == false

	# keys in every request: IfExists / ForAllValues cannot be met by leaving the key out
	_cond("StringEqualsIfExists", "kms:CallerAccount", "1").restricts == true
	_cond("ForAllValues:StringEquals", "aws:PrincipalAccount", "1").restricts == true
}

test_condition_values_by_family_and_shape if {
	s1 := {"Condition": {"StringEquals": {"KMS:CallerAccount": "111122223333"}}}
	s2 := {"Condition": {"ForAnyValue:StringEquals": {"kms:calleraccount": ["111122223333"]}}}
	lib.condition_values(s1, {"StringEquals"}, "kms:CallerAccount") == ["111122223333"]
	lib.condition_values(s2, {"StringEquals"}, "kms:CallerAccount") == ["111122223333"]
	lib.condition_values({"Condition": {"StringEqualsIfExists": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}}, {"StringEquals"}, "kms:ViaService") == []
}

test_exact_match if {
	lib.exact_match(_cond("StringEquals", "k", "a*"))
	lib.exact_match(_cond("StringLike", "k", ["a", "b"]))
	not lib.exact_match(_cond("StringLike", "k", "a*"))
	not lib.exact_match(_cond("StringLike", "k", "${aws:PrincipalTag/x}"))
	not lib.exact_match(_cond("StringEqualsIfExists", "k", "a"))
}
