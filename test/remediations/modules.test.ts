/** The structural JSON diff, and the Network Firewall and Firehose fixes against aws-sdk-client-mock. */
import {
  DescribeDeliveryStreamCommand,
  FirehoseClient,
  StartDeliveryStreamEncryptionCommand,
  StopDeliveryStreamEncryptionCommand,
} from "@aws-sdk/client-firehose";
import { DescribeFirewallCommand, NetworkFirewallClient, UpdateFirewallAnalysisSettingsCommand } from "@aws-sdk/client-network-firewall";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import type { Finding } from "../../engine/findings.js";
import { AwsClients } from "../../remediations/clients.js";
import { jsonDiff, jsonEqual, renderDiff } from "../../remediations/jsondiff.js";
import { remediation as firehoseFix } from "../../remediations/aws/firehose/direct_put_encrypted.js";
import { remediation as nfwFix } from "../../remediations/aws/networkfirewall/traffic_analysis_enabled.js";

const aws = (): AwsClients => new AwsClients({ credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "s" }, homeRegion: "eu-west-1", maxAttempts: 1 });
const finding = (ruleId: string, type: string, id: string, name: string): Finding => ({
  id: "f1",
  ruleId,
  status: "fail",
  severity: "low",
  title: "",
  message: "",
  resource: { type, id, arn: id, name, account: "111122223333", region: "eu-west-1" },
});

describe("jsonDiff", () => {
  it("ignores key order, aligns arrays on their common elements, and renders one line per change", () => {
    expect(jsonEqual({ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1 })).toBe(true);
    expect(jsonEqual([1, 2], [2, 1])).toBe(false);
    const ops = jsonDiff(
      { Action: ["sts:AssumeRole", "sts:*"], Sid: "x" },
      { Action: ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"], Condition: { A: 1 } },
    );
    expect(ops).toEqual([
      { op: "remove", path: "/Action/1", value: "sts:*" },
      { op: "add", path: "/Action/1", value: "sts:TagSession" },
      { op: "add", path: "/Action/2", value: "sts:SetSourceIdentity" },
      { op: "remove", path: "/Sid", value: "x" },
      { op: "add", path: "/Condition", value: { A: 1 } },
    ]);
    expect(renderDiff(jsonDiff({ "a/b": "x" }, { "a/b": ["x"] }))).toEqual(['~ /a~1b: "x" → ["x"]']);
    expect(jsonDiff([1, 2, 3], [1, 3])).toEqual([{ op: "remove", path: "/1", value: 2 }]);
  });
});

describe("networkfirewall-traffic-analysis-enabled", () => {
  const nfw = mockClient(NetworkFirewallClient);
  const ARN = "arn:aws:network-firewall:eu-west-1:111122223333:firewall/egress";
  let types: string[];
  beforeEach(() => {
    nfw.reset();
    types = ["TLS_SNI"];
    nfw
      .on(DescribeFirewallCommand)
      .callsFake(() => ({ Firewall: { FirewallArn: ARN, FirewallName: "egress", EnabledAnalysisTypes: types }, UpdateToken: "t" }));
    nfw.on(UpdateFirewallAnalysisSettingsCommand).callsFake((i: { EnabledAnalysisTypes: string[] }) => {
      types = i.EnabledAnalysisTypes;
      return {};
    });
  });

  it("plans the missing analysis type, applies it, reads it back as planned and rolls back", async () => {
    const a = aws();
    const r = await nfwFix.plan([finding(nfwFix.ruleId, "AWS::NetworkFirewall::Firewall", ARN, "egress")], { aws: a, params: {}, packParams: {}, regions: [] });
    const c = r.change!;
    expect(c.calls).toEqual([
      {
        service: "network-firewall",
        region: "eu-west-1",
        action: "UpdateFirewallAnalysisSettings",
        input: { FirewallArn: ARN, EnabledAnalysisTypes: ["HTTP_HOST", "TLS_SNI"] },
      },
    ]);
    expect(jsonDiff(c.before, c.after)).toEqual([{ op: "add", path: "/EnabledAnalysisTypes/0", value: "HTTP_HOST" }]);
    for (const call of c.calls) await a.call(call);
    expect(await nfwFix.read(c.target, a)).toEqual(c.after);
    for (const call of c.rollbackCalls) await a.call(call);
    expect(await nfwFix.read(c.target, a)).toEqual(c.before);
  });
});

describe("firehose-direct-put-encrypted", () => {
  const fh = mockClient(FirehoseClient);
  const ARN = "arn:aws:firehose:eu-west-1:111122223333:deliverystream/clicks";
  let status: string;
  beforeEach(() => {
    fh.reset();
    status = "DISABLED";
    fh.on(DescribeDeliveryStreamCommand).callsFake(() => ({
      DeliveryStreamDescription: {
        DeliveryStreamName: "clicks",
        DeliveryStreamARN: ARN,
        DeliveryStreamType: "DirectPut",
        DeliveryStreamEncryptionConfiguration: { Status: status, ...(status === "DISABLED" ? {} : { KeyType: "AWS_OWNED_CMK" }) },
      },
    }));
    fh.on(StartDeliveryStreamEncryptionCommand).callsFake(() => ((status = "ENABLING"), {}));
    fh.on(StopDeliveryStreamEncryptionCommand).callsFake(() => ((status = "DISABLING"), {}));
  });

  it("starts encryption with an AWS owned key; ENABLING reads as the planned after-state, DISABLING as the before-state", async () => {
    const a = aws();
    const r = await firehoseFix.plan([finding(firehoseFix.ruleId, "AWS::KinesisFirehose::DeliveryStream", ARN, "clicks")], {
      aws: a,
      params: {},
      packParams: {},
      regions: [],
    });
    const c = r.change!;
    expect(c.calls).toEqual([
      {
        service: "firehose",
        region: "eu-west-1",
        action: "StartDeliveryStreamEncryption",
        input: { DeliveryStreamName: "clicks", DeliveryStreamEncryptionConfigurationInput: { KeyType: "AWS_OWNED_CMK" } },
      },
    ]);
    expect(c.before).toEqual({ DeliveryStreamName: "clicks", Encryption: "off" });
    for (const call of c.calls) await a.call(call);
    expect(await firehoseFix.read(c.target, a)).toEqual(c.after);
    for (const call of c.rollbackCalls) await a.call(call);
    expect(await firehoseFix.read(c.target, a)).toEqual(c.before);
  });
});
