package rampart.rules.guardduty.high_severity_findings_test

import data.rampart.rules.guardduty.high_severity_findings as rule

_det(findings) := {
	"_ref": "d",
	"type": "AWS::GuardDuty::Detector",
	"id": "arn:aws:guardduty:us-east-1:111122223333:detector/12abc34d567e8fa901bc2d34e56789f0",
	"account": "111122223333",
	"region": "us-east-1",
	"tags": {},
	"properties": {"Enable": true},
	"observed": {"findings": findings},
	"source": {"kind": "aws", "account": "111122223333", "region": "us-east-1"},
}

_in(d) := {"byType": {"AWS::GuardDuty::Detector": [d]}}

_statuses(res) := [f.status | some f in res]

# Article, lines 3997–4011: the tester's finding 'CryptoCurrency:EC2/BitcoinTool.B!DNS'
# on an EC2 instance, a high-severity finding: it is reported with type and resource.
_article_crypto := {
	"Id": "a1b2c3d4e5f60718293a4b5c6d7e8f90",
	"Type": "CryptoCurrency:EC2/BitcoinTool.B!DNS",
	"Severity": 8,
	"Title": "EC2 instance i-0123456789abcdef0 is querying a domain name that is associated with Bitcoin-related activity.",
	"Resource": {"ResourceType": "Instance", "InstanceDetails": {"InstanceId": "i-0123456789abcdef0"}},
	"Archived": false,
}

test_article_crypto_mining_finding_fails if {
	res := rule.results with input as _in(_det([_article_crypto]))
	count(res) == 1
	some f in res
	f.status == "fail"
	f.key == "finding:a1b2c3d4e5f60718293a4b5c6d7e8f90"
	f.pointer == "/observed/findings/0"
	contains(f.message, "CryptoCurrency:EC2/BitcoinTool.B!DNS (severity 8)")
	contains(f.message, "Instance i-0123456789abcdef0")
	f.evidence == _article_crypto
}

# Article, lines 4011–4013: once handled, the finding is archived: it passes.
test_article_archived_finding_passes if {
	archived := json.patch(_article_crypto, [{"op": "replace", "path": "/Archived", "value": true}])
	count(rule.results) == 0 with input as _in(_det([archived]))
	rule.judged == {"d"} with input as _in(_det([archived]))
}

test_no_findings_passes if {
	count(rule.results) == 0 with input as _in(_det([]))
}

test_medium_finding_ignored if {
	f := json.patch(_article_crypto, [{"op": "replace", "path": "/Severity", "value": 5.5}])
	count(rule.results) == 0 with input as _in(_det([f]))
}

test_resource_names if {
	iam := {"Id": "f2", "Type": "UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS", "Severity": 8.0, "Title": "t", "Resource": {"ResourceType": "AccessKey", "AccessKeyDetails": {"UserName": "app-role"}}, "Archived": false}
	s3 := {"Id": "f3", "Type": "Exfiltration:S3/AnomalousBehavior", "Severity": 9, "Resource": {"ResourceType": "S3Bucket", "S3BucketDetails": [{"Name": "bucket-a"}]}}
	bare := {"Id": "f4", "Type": "X", "Severity": 7, "Resource": {"ResourceType": "Container"}}
	none := {"Id": "f5", "Type": "Y", "Severity": 7}
	res := rule.results with input as _in(_det([iam, s3, bare, none]))
	count(res) == 4
	msgs := {f.message | some f in res}
	some m1 in msgs
	contains(m1, "AccessKey app-role")
	some m2 in msgs
	contains(m2, "S3Bucket bucket-a: no title")
	some m3 in msgs
	contains(m3, "on Container:")
	some m4 in msgs
	contains(m4, "on an unknown resource")
}

test_findings_not_collected_unknown if {
	d := json.remove(_det([]), ["observed"])
	res := rule.results with input as _in(d)
	_statuses(res) == ["unknown"]
	some f in res
	contains(f.message, "not collected")
}

test_findings_unknown if {
	res := rule.results with input as _in(_det({"$unknown": "guardduty:ListFindings denied"}))
	_statuses(res) == ["unknown"]
	some f in res
	contains(f.message, "ListFindings denied")
}

test_finding_fields_unknown if {
	f1 := json.patch(_article_crypto, [{"op": "replace", "path": "/Archived", "value": {"$unknown": "not returned"}}])
	res := rule.results with input as _in(_det([f1]))
	_statuses(res) == ["unknown"]
	res2 := rule.results with input as _in(_det([{"$unknown": "page 2 not read"}]))
	_statuses(res2) == ["unknown"]
}

test_template_detector_not_judged if {
	d := object.union(_det([_article_crypto]), {"source": {"kind": "cloudformation", "file": "t.yaml"}})
	count(rule.judged) == 0 with input as _in(d)
	count(rule.results) == 0 with input as _in(d)
}
