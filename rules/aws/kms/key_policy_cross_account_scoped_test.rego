package rampart.rules.kms.key_policy_cross_account_scoped_test

import data.rampart.rules.kms.key_policy_cross_account_scoped as rule

# The article's key-policy.json, exactly as printed (lines 2767–2866). The article
# writes it with a shell here-document, so the shell replaces ${ACCOUNT_B},
# $ACCOUNT_A and ${AWS_REGION} before the key is created: _expand does the same.
_article_text := `{
  "Version": "2012-10-17",
  "Id": "cross-account-access",
  "Statement": [
    {
      "Sid": "Enable IAM User Permissions",
      "Effect": "Allow",
      "Principal": {
        "AWS": "arn:aws:iam::${ACCOUNT_B}:root"
      },
      "Action": "kms:*",
      "Resource": "arn:aws:kms:${AWS_REGION}:${ACCOUNT_B}:key/*"
    },
    {
      "Sid": "Allow access for Key Administrators",
      "Effect": "Allow",
      "Principal": {
        "AWS": "arn:aws:iam::${ACCOUNT_B}:role/Admin"
      },
      "Action": [
        "kms:Create",
        "kms:Describe",
        "kms:Enable",
        "kms:List",
        "kms:Put",
        "kms:Update",
        "kms:Revoke",
        "kms:Disable",
        "kms:Get",
        "kms:Delete",
        "kms:TagResource",
        "kms:UntagResource",
        "kms:ScheduleKeyDeletion",
        "kms:CancelKeyDeletion",
        "kms:RotateKeyOnDemand"
      ],
      "Resource": "arn:aws:kms:${AWS_REGION}:${ACCOUNT_B}:key/*"
    },
    {
      "Sid": "Allow access through AWS Secrets Manager",
      "Effect": "Allow",
      "Principal": {
        "AWS": "*"
      },
      "Action": [
        "kms:Encrypt",
        "kms:Decrypt",
        "kms:ReEncrypt",
        "kms:CreateGrant",
        "kms:DescribeKey"
      ],
      "Resource": "arn:aws:kms:${AWS_REGION}:${ACCOUNT_B}:key/*",
      "Condition": {
        "StringEquals": {
          "kms:ViaService": "secretsmanager.${AWS_REGION}.amazonaws.com",
          "kms:CallerAccount": [
            "$ACCOUNT_A",
            "$ACCOUNT_B"
          ]
        }
      }
    },
    {
      "Sid": "Allow access through AWS Secrets Manager for Generate Data Key",
      "Effect": "Allow",
      "Principal": {
        "AWS": "*"
      },
      "Action": "kms:GenerateDataKey",
      "Resource": "arn:aws:kms:${AWS_REGION}:${ACCOUNT_B}:key/*",
      "Condition": {
        "StringEquals": {
          "kms:CallerAccount": [
            "$ACCOUNT_A",
            "$ACCOUNT_B"
          ]
        },
        "StringLike": {
          "kms:ViaService": "secretsmanager.${AWS_REGION}.amazonaws.com"
        }
      }
    },
    {
      "Sid": "Allow direct access to key metadata to the account",
      "Effect": "Allow",
      "Principal": {
        "AWS": [
          "arn:aws:iam::${ACCOUNT_A}:root",
          "arn:aws:iam::${ACCOUNT_B}:root"
        ]
      },
      "Action": [
        "kms:Describe",
        "kms:Get",
        "kms:List",
        "kms:RevokeGrant"
      ],
      "Resource": "arn:aws:kms:${AWS_REGION}:${ACCOUNT_B}:key/*"
    }
  ]
}`

_a := "111111111111"

_b := "222222222222"

_expand(text) := strings.replace_n(
	{
		"${ACCOUNT_A}": _a, "$ACCOUNT_A": _a,
		"${ACCOUNT_B}": _b, "$ACCOUNT_B": _b,
		"${AWS_REGION}": "us-east-1",
	},
	text,
)

_article_policy := json.unmarshal(_expand(_article_text))

_key(policy) := {
	"_ref": "CrossAccountKey", "type": "AWS::KMS::Key", "id": "CrossAccountKey", "tags": {},
	"properties": {"KeyPolicy": policy},
	"source": {"kind": "cloudformation", "file": "kms.yaml", "line": 1, "pointer": "/Resources/CrossAccountKey"},
}

_live_key(policy, account) := {
	"_ref": "k", "type": "AWS::KMS::Key", "id": sprintf("arn:aws:kms:us-east-1:%s:key/abcd", [account]),
	"account": account, "region": "us-east-1", "tags": {},
	"properties": {"KeyPolicy": policy},
	"source": {"kind": "aws", "account": account, "region": "us-east-1"},
}

_in(k) := {"byType": {"AWS::KMS::Key": [k]}}

_params(accounts) := {"trustedAccounts": accounts}

_keys_of(res) := {r.key | some r in res}

# --- the article ---------------------------------------------------------------------

test_article_passes_with_both_accounts_trusted if {
	res := rule.results with input as _in(_key(_article_policy)) with data.config.params as _params([_a, _b])
	count(res) == 0
}

test_article_fails_with_only_account_a_trusted if {
	res := rule.results with input as _in(_key(_article_policy)) with data.config.params as _params([_a])
	every r in res {
		r.status == "fail"
	}
	_keys_of(res) == {
		"statement:Enable IAM User Permissions:principal:222222222222",
		"statement:Allow access for Key Administrators:principal:222222222222",
		"statement:Allow access through AWS Secrets Manager:caller-account",
		"statement:Allow access through AWS Secrets Manager for Generate Data Key:caller-account",
		"statement:Allow direct access to key metadata to the account:principal:222222222222",
	}
	some r in res
	r.key == "statement:Allow access through AWS Secrets Manager:caller-account"
	r.pointer == "/Properties/KeyPolicy/Statement/2/Condition"
	contains(r.message, "222222222222")
	r.evidence.nonexistentActions == ["kms:ReEncrypt"]
	some r2 in res
	r2.key == "statement:Allow access for Key Administrators:principal:222222222222"
	"kms:Create" in r2.evidence.nonexistentActions
	"kms:Describe" in r2.evidence.nonexistentActions
	contains(r2.evidence.note, "grant nothing")
}

# Live, in account B (the key's own account), account A is the only one to trust.
test_article_live_in_account_b_passes_with_account_a if {
	res := rule.results with input as _in(_live_key(_article_policy, _b)) with data.config.params as _params([_a])
	count(res) == 0
}

test_article_live_in_account_b_fails_with_no_trusted_accounts if {
	res := rule.results with input as _in(_live_key(_article_policy, _b)) with data.config.params as _params([])
	_keys_of(res) == {
		"statement:Allow access through AWS Secrets Manager:caller-account",
		"statement:Allow access through AWS Secrets Manager for Generate Data Key:caller-account",
		"statement:Allow direct access to key metadata to the account:principal:111111111111",
	}
}

test_article_judged if {
	rule.judged == {"CrossAccountKey"} with input as _in(_key(_article_policy))
}

# --- failing shapes -------------------------------------------------------------------

_stmt(extra) := object.union({"Sid": "Use", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": ["kms:Encrypt", "kms:Decrypt"], "Resource": "*"}, extra)

_doc(stmts) := {"Version": "2012-10-17", "Statement": stmts}

_run(doc, accounts) := res if {
	res := rule.results with input as _in(_key(doc)) with data.config.params as _params(accounts)
}

test_star_without_caller_account_fails if {
	res := _run(_doc([_stmt({})]), [_a])
	_keys_of(res) == {"statement:Use:caller-account", "statement:Use:via-service"}
	some r in res
	r.key == "statement:Use:via-service"
	r.severity == "medium"
	some r2 in res
	r2.key == "statement:Use:caller-account"
	not r2.severity
	contains(r2.message, "every AWS account")
}

test_principal_star_string_and_single_statement if {
	doc := {"Statement": {"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*"}}
	res := _run(doc, [_a])
	_keys_of(res) == {"statement::caller-account", "statement::via-service"}
	some r in res
	r.pointer == "/Properties/KeyPolicy/Statement"
	contains(r.message, "statement ")
}

test_not_action_covers_usage if {
	doc := _doc([{"Effect": "Allow", "Principal": {"AWS": "*"}, "NotAction": "kms:Decrypt", "Resource": "arn:aws:kms:us-east-1:111111111111:key/*", "Condition": {"StringEquals": {"kms:CallerAccount": _a, "kms:ViaService": "s3.us-east-1.amazonaws.com"}}}])
	count(_run(doc, [_a])) == 0
	res := _run(doc, [])
	_keys_of(res) == {"statement:0:caller-account"}
}

test_not_principal_is_public if {
	doc := _doc([{"Sid": "NP", "Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::111111111111:root"}, "Action": "kms:Decrypt", "Resource": "*"}])
	res := _run(doc, [_a])
	"statement:NP:caller-account" in _keys_of(res)
}

test_wildcard_caller_account_fails if {
	res := _run(_doc([_stmt({"Condition": {"StringLike": {"kms:CallerAccount": "*", "kms:ViaService": "ec2.*.amazonaws.com"}}})]), [_a])
	_keys_of(res) == {"statement:Use:caller-account"}
}

test_principal_account_key_and_org if {
	doc := _doc([_stmt({"Condition": {"StringEquals": {"aws:PrincipalAccount": [_a], "kms:ViaService": "rds.us-east-1.amazonaws.com"}}})])
	count(_run(doc, [_a])) == 0
	doc2 := _doc([_stmt({"Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc", "kms:ViaService": "rds.us-east-1.amazonaws.com"}}})])
	res := rule.results with input as _in(_key(doc2)) with data.config.params as {"trustedOrganizationIds": ["o-xyz"]}
	_keys_of(res) == {"statement:Use:organization"}
	count(rule.results) == 0 with input as _in(_key(doc2)) with data.config.params as {"trustedOrganizationIds": ["o-abc"]}
}

test_via_service_wildcard_is_not_named if {
	res := _run(_doc([_stmt({"Condition": {"StringEquals": {"kms:CallerAccount": _a}, "StringLike": {"kms:ViaService": "*"}}})]), [_a])
	_keys_of(res) == {"statement:Use:via-service"}
	res2 := _run(_doc([_stmt({"Condition": {"StringEquals": {"kms:CallerAccount": _a}, "StringLike": {"kms:ViaService": "*.amazonaws.com"}}})]), [_a])
	_keys_of(res2) == {"statement:Use:via-service"}
}

test_deny_and_non_usage_ignored if {
	doc := _doc([
		{"Effect": "Deny", "Principal": "*", "Action": "kms:*", "Resource": "*"},
		{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:DescribeKey", "Resource": "*"},
		{"Effect": "Allow", "Principal": {"Service": "logs.amazonaws.com"}, "Action": "kms:Encrypt", "Resource": "*"},
	])
	count(_run(doc, [])) == 0
}

test_foreign_account_id_principal if {
	doc := _doc([{"Sid": "X", "Effect": "Allow", "Principal": {"AWS": ["333333333333"]}, "Action": "kms:Decrypt", "Resource": "*"}])
	_keys_of(_run(doc, [_a])) == {"statement:X:principal:333333333333"}
}

test_foreign_admin_fails_even_when_trusted if {
	doc := _doc([{"Sid": "Adm", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:role/Admin"}, "Action": ["kms:PutKeyPolicy"], "Resource": "arn:aws:kms:us-east-1:222222222222:key/*"}])
	res := _run(doc, [_a, _b])
	_keys_of(res) == {"statement:Adm:admin:111111111111"}
	some r in res
	contains(r.message, "never get kms:*")
}

test_foreign_admin_via_wildcard_live if {
	doc := _doc([{"Sid": "Adm", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:root"}, "Action": "kms:Disable*", "Resource": "*"}])
	res := rule.results with input as _in(_live_key(doc, _b)) with data.config.params as _params([_a])
	_keys_of(res) == {"statement:Adm:admin:111111111111"}
}

test_public_admin_to_other_account if {
	doc := _doc([_stmt({"Action": "kms:*", "Resource": "arn:aws:kms:us-east-1:222222222222:key/*", "Condition": {"StringEquals": {"kms:CallerAccount": [_a, _b], "kms:ViaService": "secretsmanager.us-east-1.amazonaws.com"}}})])
	_keys_of(_run(doc, [_a, _b])) == {"statement:Use:admin:111111111111"}
}

test_admin_with_unknown_own_account_unknown if {
	doc := _doc([{"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:root"}, "Action": "kms:*", "Resource": "*"}])
	res := _run(doc, [_a])
	count(res) == 1
	some r in res
	r.status == "unknown"
	r.key == "statement:Root:admin"
}

test_admin_own_account_from_sub_marker_passes if {
	doc := _doc([{"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": {"$unknown": "Fn::Sub", "template": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}}, "Action": "kms:*", "Resource": "*"}])
	count(_run(doc, [])) == 0
}

test_caller_account_own_marker_passes if {
	doc := _doc([_stmt({"Condition": {"StringEquals": {"kms:CallerAccount": {"$unknown": "Ref AWS::AccountId", "template": "${AWS::AccountId}"}, "kms:ViaService": "s3.us-east-1.amazonaws.com"}}})])
	count(_run(doc, [])) == 0
}

# --- unknowns ---------------------------------------------------------------------

test_unknown_caller_account_value if {
	doc := _doc([_stmt({"Condition": {"StringEquals": {"kms:CallerAccount": {"$unknown": "Ref to parameter ConsumerAccount"}, "kms:ViaService": "s3.us-east-1.amazonaws.com"}}})])
	res := _run(doc, [_a])
	count(res) == 1
	some r in res
	r.status == "unknown"
	contains(r.message, "ConsumerAccount")
}

test_unknown_principal if {
	doc := _doc([{"Sid": "P", "Effect": "Allow", "Principal": {"AWS": {"$unknown": "Ref to parameter ConsumerRole"}}, "Action": "kms:Decrypt", "Resource": "*"}])
	res := _run(doc, [_a])
	count(res) == 1
	some r in res
	r.status == "unknown"
	r.key == "statement:P:principal"
}

test_unknown_key_policy if {
	k := _key({"$unknown": "Fn::If UseStrictPolicy"})
	res := rule.results with input as _in(k)
	some r in res
	r.status == "unknown"
	contains(r.message, "Fn::If UseStrictPolicy")
}

test_string_key_policy_live if {
	res := rule.results with input as _in(_live_key(json.marshal(_doc([_stmt({})])), _b)) with data.config.params as _params([])
	"statement:Use:caller-account" in _keys_of(res)
	res2 := rule.results with input as _in(_live_key("not json", _b))
	some r in res2
	contains(r.message, "not a JSON policy document")
}

test_unknown_action if {
	doc := _doc([{"Sid": "U", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": {"$unknown": "Fn::If"}, "Resource": "*"}])
	res := _run(doc, [_a])
	some r in res
	r.status == "unknown"
	r.key == "statement:U:unresolved"
}

test_default_key_policy_passes if {
	k := object.union(_key({}), {"properties": {"KeyPolicy": null}})
	count(rule.results) == 0 with input as _in(object.union(k, {"properties": {}}))
	count(rule.results) == 0 with input as _in({"_ref": "K", "type": "AWS::KMS::Key", "id": "K", "tags": {}, "properties": {}, "source": {"kind": "cloudformation", "file": "k.yaml"}})
}

# --- unknowns that cannot change the verdict (issue 15) -----------------------------

_partition_root(account) := {"$unknown": "Fn::Sub with AWS::Partition", "template": sprintf("arn:${AWS::Partition}:iam::%s:root", [account])}

test_partition_in_trusted_principal_is_not_unknown if {
	doc := _doc([{"Sid": "P", "Effect": "Allow", "Principal": {"AWS": _partition_root(_a)}, "Action": "kms:Decrypt", "Resource": "*"}])
	count(_run(doc, [_a])) == 0
}

test_partition_in_untrusted_principal_fails if {
	doc := _doc([{"Sid": "P", "Effect": "Allow", "Principal": {"AWS": _partition_root("999999999999")}, "Action": "kms:Decrypt", "Resource": "*"}])
	res := _run(doc, [_a])
	count(res) == 1
	some r in res
	r.status == "fail"
	r.key == "statement:P:principal:999999999999"
	contains(r.message, "arn:${AWS::Partition}:iam::999999999999:root")
}

test_unresolved_account_part_stays_unknown if {
	p := {"$unknown": "Fn::Sub with a parameter", "template": "arn:${AWS::Partition}:iam::${Consumer}:root"}
	doc := _doc([{"Sid": "P", "Effect": "Allow", "Principal": {"AWS": p}, "Action": "kms:Decrypt", "Resource": "*"}])
	res := _run(doc, [_a])
	count(res) == 1
	some r in res
	r.status == "unknown"
	r.key == "statement:P:principal"
}

test_partition_in_caller_account_value_is_not_unknown if {
	v := {"$unknown": "Fn::Sub", "template": _a}
	doc := _doc([_stmt({"Condition": {"StringEquals": {"kms:CallerAccount": v, "kms:ViaService": "s3.us-east-1.amazonaws.com"}}})])
	count(_run(doc, [_a])) == 0
}

# --- condition operators by meaning (lib.conditions) ----------------------------------

test_via_service_if_exists_does_not_limit if {
	doc := _doc([_stmt({"Condition": {"StringEquals": {"kms:CallerAccount": _a}, "StringEqualsIfExists": {"kms:ViaService": "secretsmanager.us-east-1.amazonaws.com"}}})])
	_keys_of(_run(doc, [_a])) == {"statement:Use:via-service"}
}

test_caller_account_if_exists_and_for_any_value_limit if {
	d1 := _doc([_stmt({"Condition": {"StringEqualsIfExists": {"kms:CallerAccount": _a}, "StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}})])
	count(_run(d1, [_a])) == 0
	d2 := _doc([_stmt({"Condition": {"ForAnyValue:StringLike": {"KMS:CallerAccount": [_a]}, "StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}})])
	count(_run(d2, [_a])) == 0
}
