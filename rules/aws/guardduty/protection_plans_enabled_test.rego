package rampart.rules.guardduty.protection_plans_enabled_test

import data.rampart.rules.guardduty.protection_plans_enabled as rule

_all_enabled := [
	{"Name": "S3_DATA_EVENTS", "Status": "ENABLED"},
	{"Name": "EKS_AUDIT_LOGS", "Status": "ENABLED"},
	{"Name": "RUNTIME_MONITORING", "Status": "ENABLED", "AdditionalConfiguration": [{"Name": "EKS_ADDON_MANAGEMENT", "Status": "ENABLED"}]},
	{"Name": "EBS_MALWARE_PROTECTION", "Status": "ENABLED"},
]

_det(props) := {
	"_ref": "d",
	"type": "AWS::GuardDuty::Detector",
	"id": "Detector",
	"tags": {},
	"properties": props,
	"source": {"kind": "cloudformation", "file": "template.yaml", "line": 3, "pointer": "/Resources/Detector"},
}

_live(props) := object.union(_det(props), {
	"id": "arn:aws:guardduty:us-east-1:111122223333:detector/12abc34d567e8fa901bc2d34e56789f0",
	"account": "111122223333",
	"region": "us-east-1",
	"source": {"kind": "aws", "account": "111122223333", "region": "us-east-1"},
})

_in(r) := {"byType": {"AWS::GuardDuty::Detector": [r]}}

_res(r) := res if {
	res := rule.results with input as _in(r) with data.config.params as {}
}

_keys(res) := {f.key | some f in res}

_statuses(res) := {f.status | some f in res}

# Article, lines 3891–3897 and 3911–3915: the tester exercises S3, EKS, runtime
# monitoring and malware protection plans ("if you've chosen … runtime monitoring
# feature but don't have this feature enabled, the GuardDuty Tester will enable it"):
# a detector with all of them on passes.
test_article_all_protection_plans_enabled_passes if {
	count(_res(_det({"Enable": true, "Features": _all_enabled}))) == 0
	rule.judged == {"d"} with input as _in(_det({"Enable": true, "Features": _all_enabled})) with data.config.params as {}
}

# Article, lines 3911–3915: runtime monitoring not enabled is the gap the tester
# has to fill temporarily: it fails.
test_article_runtime_monitoring_disabled_fails if {
	features := [
		{"Name": "S3_DATA_EVENTS", "Status": "ENABLED"},
		{"Name": "EKS_AUDIT_LOGS", "Status": "ENABLED"},
		{"Name": "RUNTIME_MONITORING", "Status": "DISABLED"},
		{"Name": "EBS_MALWARE_PROTECTION", "Status": "ENABLED"},
	]
	res := _res(_live({"Enable": true, "Features": features}))
	count(res) == 1
	some f in res
	f.status == "fail"
	f.key == "feature:RUNTIME_MONITORING"
	f.pointer == "/Properties/Features/2"
	contains(f.message, "status is DISABLED")
	contains(f.message, "111122223333/us-east-1")
}

test_no_features_fails_for_each_required if {
	res := _res(_det({"Enable": true}))
	_keys(res) == {"feature:S3_DATA_EVENTS", "feature:EKS_AUDIT_LOGS", "feature:RUNTIME_MONITORING", "feature:EBS_MALWARE_PROTECTION"}
	_statuses(res) == {"fail"}
	some f in res
	f.pointer == "/Properties/Features"
	contains(f.message, "not listed in Features")
}

test_legacy_data_sources_count if {
	ds := {
		"S3Logs": {"Enable": true},
		"Kubernetes": {"AuditLogs": {"Enable": "true"}},
		"MalwareProtection": {"ScanEc2InstanceWithFindings": {"EbsVolumes": true}},
	}
	res := _res(_det({"Enable": true, "DataSources": ds, "Features": [{"Name": "RUNTIME_MONITORING", "Status": "ENABLED"}]}))
	count(res) == 0
}

test_legacy_data_source_disabled_fails if {
	ds := {"S3Logs": {"Enable": false}}
	res := _res(_det({"Enable": true, "DataSources": ds}))
	"feature:S3_DATA_EVENTS" in _keys(res)
}

test_legacy_data_source_unknown if {
	ds := {"S3Logs": {"Enable": {"$unknown": "Ref to parameter S3"}}}
	res := _res(_det({"Enable": true, "DataSources": ds}))
	some f in res
	f.key == "feature:S3_DATA_EVENTS"
	f.status == "unknown"
}

test_data_sources_unknown if {
	res := _res(_det({"Enable": true, "DataSources": {"$unknown": "Fn::If"}}))
	some f in res
	f.key == "feature:S3_DATA_EVENTS"
	f.status == "unknown"
}

test_required_features_parameter if {
	res := rule.results with input as _in(_det({"Enable": true, "Features": [{"Name": "S3_DATA_EVENTS", "Status": "ENABLED"}]}))
		with data.config.params as {"requiredFeatures": ["S3_DATA_EVENTS", "RDS_LOGIN_EVENTS"]}
	_keys(res) == {"feature:RDS_LOGIN_EVENTS"}
}

test_features_unknown if {
	res := _res(_det({"Enable": true, "Features": {"$unknown": "Fn::If on condition Prod"}}))
	count(res) == 1
	_statuses(res) == {"unknown"}
}

test_feature_status_unknown if {
	features := array.concat(
		[{"Name": "S3_DATA_EVENTS", "Status": {"$unknown": "Ref to parameter S3Status"}}],
		array.slice(_all_enabled, 1, 4),
	)
	res := _res(_det({"Enable": true, "Features": features}))
	count(res) == 1
	some f in res
	f.status == "unknown"
	contains(f.message, "S3Status")
}

test_feature_name_unknown if {
	features := array.concat([{"Name": {"$unknown": "Ref to parameter F"}, "Status": "ENABLED"}], array.slice(_all_enabled, 1, 4))
	res := _res(_det({"Enable": true, "Features": features}))
	count(res) == 1
	some f in res
	f.status == "unknown"
	f.key == "feature:S3_DATA_EVENTS"
}

test_feature_entry_unknown if {
	features := array.concat([{"$unknown": "Fn::If"}], array.slice(_all_enabled, 1, 4))
	res := _res(_det({"Enable": true, "Features": features}))
	_statuses(res) == {"unknown"}
}

test_disabled_detector_not_judged if {
	count(_res(_det({"Enable": false}))) == 0
	count(_res(_det({"Enable": "false"}))) == 0
	count(rule.judged) == 0 with input as _in(_det({"Enable": false})) with data.config.params as {}
}
