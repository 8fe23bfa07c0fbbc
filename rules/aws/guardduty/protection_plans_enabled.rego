# METADATA
# title: GuardDuty protection plans are enabled
# description: |
#   An enabled GuardDuty detector turns on every protection plan listed in the
#   requiredFeatures parameter (by default S3 data events, EKS audit logs, Runtime
#   Monitoring and EBS malware protection), through Features (Name/Status) or, for
#   older templates, the equivalent DataSources settings.
# custom:
#   id: guardduty-protection-plans-enabled
#   severity: medium
#   family: guardduty
#   resourceTypes: [AWS::GuardDuty::Detector]
#   inputs: [live, cloudformation, terraform]
#   guidance: "seeds/000_14fc47060cf8555c.txt lines 3891–3897, 3911–3915, 4019–4023"
#   rationale: Findings for S3, EKS, runtime and malware threats only exist when the matching protection plan is on; a detector without them misses whole classes of threats.
#   compliance:
#     nist-800-53: [SI-4]
#   remediation:
#     summary: Enable the missing features (UpdateDetector with Features [{Name, Status ENABLED}], or Features in the template).
#     automatic: true
package rampart.rules.guardduty.protection_plans_enabled

import data.rampart.lib

_type := "AWS::GuardDuty::Detector"

_default_features := ["S3_DATA_EVENTS", "EKS_AUDIT_LOGS", "RUNTIME_MONITORING", "EBS_MALWARE_PROTECTION"]

_required := lib.param("requiredFeatures", _default_features)

# Disabled detectors are left to guardduty-detector-enabled.
_disabled(r) if r.properties.Enable == false

_disabled(r) if {
	is_string(r.properties.Enable)
	lower(r.properties.Enable) == "false"
}

_detectors := [r |
	some r in lib.resources(_type)
	not _disabled(r)
]

judged contains r._ref if some r in _detectors

_features(r) := object.get(r.properties, "Features", [])

_label(r) := sprintf("GuardDuty detector %s (%s/%s)", [r.id, r.account, r.region]) if lib.is_live(r)

_label(r) := sprintf("GuardDuty detector %s", [r.id]) if not lib.is_live(r)

# The Features list as a whole cannot be read.
results contains lib.unknown(r, {
	"message": sprintf("%s: the protection plans cannot be judged: %s.", [_label(r), lib.unknown_reason(_features(r))]),
	"pointer": "/Properties/Features",
	"key": "features",
}) if {
	some r in _detectors
	lib.unresolved(_features(r))
}

# _entries(r, name) is every Features entry for the feature, with its index.
_entries(r, name) := [{"i": i, "f": f} |
	is_array(_features(r))
	some i, f in _features(r)
	is_object(f)
	f.Name == name
]

# Entries whose Name itself is unresolved might be any feature.
_unresolved_name(r) if {
	is_array(_features(r))
	some f in _features(r)
	lib.unresolved(object.get(f, "Name", null))
}

_unresolved_name(r) if {
	is_array(_features(r))
	some f in _features(r)
	lib.unresolved(f)
}

# --- the feature's state ---------------------------------------------------------

# "enabled" | "disabled" | "unknown:<reason>" | "absent", from Features first,
# then the legacy DataSources block.
_state(r, name) := "enabled" if {
	some e in _entries(r, name)
	e.f.Status == "ENABLED"
} else := sprintf("unknown:%s", [lib.unknown_reason(e.f.Status)]) if {
	some e in _entries(r, name)
	lib.unresolved(e.f.Status)
} else := "disabled" if {
	count(_entries(r, name)) > 0
} else := _legacy_state(r, name)

_legacy_path := {
	"S3_DATA_EVENTS": ["S3Logs", "Enable"],
	"EKS_AUDIT_LOGS": ["Kubernetes", "AuditLogs", "Enable"],
	"EBS_MALWARE_PROTECTION": ["MalwareProtection", "ScanEc2InstanceWithFindings", "EbsVolumes"],
}

_legacy_state(r, name) := "enabled" if {
	v := object.get(object.get(r.properties, "DataSources", {}), _legacy_path[name], null)
	_true(v)
} else := sprintf("unknown:%s", [lib.unknown_reason(v)]) if {
	v := object.get(object.get(r.properties, "DataSources", {}), _legacy_path[name], null)
	lib.unresolved(v)
} else := sprintf("unknown:%s", [lib.unknown_reason(ds)]) if {
	ds := r.properties.DataSources
	lib.unresolved(ds)
} else := sprintf("unknown:%s", [lib.unknown_reason(_features(r))]) if {
	lib.unresolved(_features(r))
} else := "unknown:a Features entry has an unresolved Name" if {
	_unresolved_name(r)
} else := "absent"

_true(v) if v == true

_true(v) if {
	is_string(v)
	lower(v) == "true"
}

_pointer(r, name) := sprintf("/Properties/Features/%d", [e.i]) if {
	some e in _entries(r, name)
} else := "/Properties/Features"

_evidence(r, name) := e.f if {
	some e in _entries(r, name)
} else := object.get(r.properties, "DataSources", null)

results contains lib.fail(r, {
	"message": sprintf("%s does not enable the %s protection plan (%s): GuardDuty cannot detect the threats it covers. Add {Name: %s, Status: ENABLED} to Features.", [_label(r), name, _why(r, name), name]),
	"pointer": _pointer(r, name),
	"key": sprintf("feature:%s", [name]),
	"evidence": _evidence(r, name),
}) if {
	some r in _detectors
	not lib.unresolved(_features(r))
	some name in _required
	_state(r, name) in {"disabled", "absent"}
}

_why(r, name) := "its status is DISABLED" if _state(r, name) == "disabled"

_why(r, name) := "it is not listed in Features" if _state(r, name) == "absent"

results contains lib.unknown(r, {
	"message": sprintf("%s: whether the %s protection plan is enabled cannot be judged: %s.", [_label(r), name, substring(state, 8, -1)]),
	"pointer": _pointer(r, name),
	"key": sprintf("feature:%s", [name]),
}) if {
	some r in _detectors
	not lib.unresolved(_features(r))
	some name in _required
	state := _state(r, name)
	startswith(state, "unknown:")
}
