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
