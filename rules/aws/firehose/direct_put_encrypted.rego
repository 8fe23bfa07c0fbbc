# METADATA
# title: Direct PUT Firehose streams encrypt data at rest
# description: |
#   An Amazon Data Firehose stream whose source is Direct PUT (the default, and the
#   source AWS WAF logging uses) has server-side encryption enabled
#   (DeliveryStreamEncryptionConfigurationInput; live: the stream's encryption status).
# custom:
#   id: firehose-direct-put-encrypted
#   severity: medium
#   family: waf-logging
#   resourceTypes: [AWS::KinesisFirehose::DeliveryStream]
#   inputs: [live, cloudformation]
#   guidance: "seeds/000_14fc47060cf8555c.txt line 1730"
#   rationale: Records such as WAF logs (client IPs, URIs, headers) wait in the stream's buffer before delivery; without server-side encryption they are stored unencrypted there.
#   compliance:
#     nist-800-53: [SC-28, SC-28(1)]
#   remediation:
#     summary: Enable server-side encryption for source records (DeliveryStreamEncryptionConfigurationInput with KeyType AWS_OWNED_CMK, or CUSTOMER_MANAGED_CMK with a KeyARN; StartDeliveryStreamEncryption). An AWS owned key is safe to turn on.
#     automatic: true
package rampart.rules.firehose.direct_put_encrypted

import data.rampart.lib

_type(r) := object.get(r.properties, "DeliveryStreamType", "DirectPut")

_streams := [r |
	some r in lib.resources("AWS::KinesisFirehose::DeliveryStream")
	_type(r) == "DirectPut"
]

_name(r) := r.properties.DeliveryStreamName if is_string(r.properties.DeliveryStreamName)

_name(r) := r.id if not is_string(object.get(r.properties, "DeliveryStreamName", null))

_status(r) := r.observed.EncryptionStatus if {
	lib.is_live(r)
	is_string(r.observed.EncryptionStatus)
}

_enc(r) := object.get(r.properties, "DeliveryStreamEncryptionConfigurationInput", null)

_ok_status := {"ENABLED", "ENABLING"}

results contains lib.fail(r, {
	"message": sprintf("Direct PUT Firehose stream %s has server-side encryption %s%s: records wait unencrypted in the stream. Enable encryption for source records (an AWS owned key is enough: StartDeliveryStreamEncryption with KeyType AWS_OWNED_CMK).", [_name(r), lower(s), _failure(r)]),
	"pointer": "/observed/EncryptionStatus",
	"key": "encryption",
	"evidence": {"EncryptionStatus": s},
}) if {
	some r in _streams
	s := _status(r)
	not s in _ok_status
}

_failure(r) := sprintf(" (%s)", [r.observed.EncryptionFailureDescription]) if is_string(r.observed.EncryptionFailureDescription)

_failure(r) := "" if not is_string(object.get(r.observed, "EncryptionFailureDescription", null))

results contains lib.fail(r, {
	"message": sprintf("Direct PUT Firehose stream %s has no server-side encryption: records wait unencrypted in the stream. Add DeliveryStreamEncryptionConfigurationInput (KeyType AWS_OWNED_CMK, or CUSTOMER_MANAGED_CMK with a KeyARN).", [_name(r)]),
	"pointer": "/Properties/DeliveryStreamEncryptionConfigurationInput",
	"key": "encryption",
}) if {
	some r in _streams
	not _status(r)
	_enc(r) == null
}

_enc_path := "DeliveryStreamEncryptionConfigurationInput"

# A block the service rejects (a required field missing, a KeyType it does not know)
# encrypts nothing: judged with the CloudFormation resource reference (lib.cfn_required).
results contains lib.fail(r, {
	"message": sprintf("Direct PUT Firehose stream %s has a DeliveryStreamEncryptionConfigurationInput without %s, which the CloudFormation resource reference requires: the block is rejected, so records are not encrypted. Set KeyType AWS_OWNED_CMK (or CUSTOMER_MANAGED_CMK with a KeyARN).", [_name(r), concat(", ", missing)]),
	"pointer": "/Properties/DeliveryStreamEncryptionConfigurationInput",
	"key": "encryption",
	"evidence": {"DeliveryStreamEncryptionConfigurationInput": _enc(r)},
}) if {
	some r in _streams
	not _status(r)
	missing := lib.missing_required(r, _enc_path)
	count(missing) > 0
}

results contains lib.fail(r, {
	"message": sprintf("Direct PUT Firehose stream %s has KeyType %s, which is not a key type the service knows (AWS_OWNED_CMK, CUSTOMER_MANAGED_CMK; the values are case-sensitive): the block is rejected, so records are not encrypted.", [_name(r), json.marshal(v)]),
	"pointer": "/Properties/DeliveryStreamEncryptionConfigurationInput/KeyType",
	"key": "encryption",
	"evidence": {"DeliveryStreamEncryptionConfigurationInput": _enc(r)},
}) if {
	some r in _streams
	not _status(r)
	v := lib.invalid_value(r, "DeliveryStreamEncryptionConfigurationInput/KeyType")
}

results contains lib.fail(r, {
	"message": sprintf("Direct PUT Firehose stream %s asks for a customer managed key for server-side encryption but names none (KeyARN): the stream cannot be created or encrypted. Add KeyARN, or use KeyType AWS_OWNED_CMK.", [_name(r)]),
	"pointer": "/Properties/DeliveryStreamEncryptionConfigurationInput/KeyARN",
	"key": "encryption",
}) if {
	some r in _streams
	not _status(r)
	_enc(r).KeyType == "CUSTOMER_MANAGED_CMK"
	object.get(_enc(r), "KeyARN", null) == null
}

results contains lib.unknown(r, {
	"message": sprintf("Whether Firehose stream %s encrypts its records cannot be judged: %s.", [r.id, reason]),
	"pointer": "/Properties/DeliveryStreamEncryptionConfigurationInput",
	"key": "encryption",
}) if {
	some r in _streams
	not _status(r)
	reason := lib.first_unknown({"e": _enc(r)})
}

results contains lib.unknown(r, {
	"message": sprintf("Whether Firehose stream %s is a Direct PUT stream that must encrypt its records cannot be judged: DeliveryStreamType is unresolved (%s).", [r.id, lib.unknown_reason(r.properties.DeliveryStreamType)]),
	"pointer": "/Properties/DeliveryStreamType",
	"key": "encryption",
}) if {
	some r in lib.resources("AWS::KinesisFirehose::DeliveryStream")
	lib.is_unknown(r.properties.DeliveryStreamType)
}

judged contains r._ref if some r in _streams

judged contains r._ref if {
	some r in lib.resources("AWS::KinesisFirehose::DeliveryStream")
	lib.is_unknown(r.properties.DeliveryStreamType)
}
