/** Loopback Firehose (JSON 1.1): the WAF log stream; encryption start/stop (ENABLING and DISABLING seen once, then settled). */

import type { Copy, StubService } from "../service.js";
import { days, epoch, StubError, unsupported } from "../wire.js";
import { keyArnOf } from "./kms.js";

declare module "../service.js" {
  interface RegionData {
    streams: Record<string, unknown>[];
  }
}

/** Copy `c`'s WAF log stream (the orders web ACL logs to it). */
export const wafStreamArnOf = (c: Copy): string => c.arn("firehose", `deliverystream/aws-waf-logs-orders${c.sfx}`);

export const firehose: StubService = {
  name: "firehose",
  types: ["AWS::KinesisFirehose::DeliveryStream"],
  emptyRegion: () => ({ streams: [] }),
  seed(d, c) {
    const { now, k, sfx } = c;
    const keyArn = keyArnOf(c);
    const streamName = `aws-waf-logs-orders${sfx}`;
    const streamArn = wafStreamArnOf(c);
    d.streams.push({
      DeliveryStreamName: streamName,
      DeliveryStreamARN: streamArn,
      DeliveryStreamStatus: "ACTIVE",
      DeliveryStreamType: "DirectPut",
      VersionId: "1",
      CreateTimestamp: epoch(days(now, 100)),
      Destinations: [],
      HasMoreDestinations: false,
      DeliveryStreamEncryptionConfiguration: k === 0 ? { Status: "DISABLED" } : { KeyType: "CUSTOMER_MANAGED_CMK", KeyARN: keyArn, Status: "ENABLED" },
    });
  },
  call(op, x) {
    const { b, d } = x;
    switch (op) {
      case "ListDeliveryStreams": {
        const names = d.streams.map((x) => String(x.DeliveryStreamName)).sort();
        const from = b.ExclusiveStartDeliveryStreamName ? names.indexOf(String(b.ExclusiveStartDeliveryStreamName)) + 1 : 0;
        const n = Math.min(Number(b.Limit) || 100, 100);
        return { DeliveryStreamNames: names.slice(from, from + n), HasMoreDeliveryStreams: from + n < names.length };
      }
      case "DescribeDeliveryStream": {
        const x = d.streams.find((y) => y.DeliveryStreamName === b.DeliveryStreamName);
        if (!x) throw new StubError(400, "ResourceNotFoundException", `Firehose ${String(b.DeliveryStreamName)} not found.`);
        const answer = { DeliveryStreamDescription: JSON.parse(JSON.stringify(x)) as unknown };
        // ENABLING / DISABLING are seen once, then the change has finished.
        const e = x.DeliveryStreamEncryptionConfiguration as Record<string, unknown> | undefined;
        if (e?.Status === "ENABLING") e.Status = "ENABLED";
        if (e?.Status === "DISABLING") x.DeliveryStreamEncryptionConfiguration = { Status: "DISABLED" };
        return answer;
      }
      case "StartDeliveryStreamEncryption":
      case "StopDeliveryStreamEncryption": {
        const x = d.streams.find((y) => y.DeliveryStreamName === b.DeliveryStreamName);
        if (!x) throw new StubError(400, "ResourceNotFoundException", `Firehose ${String(b.DeliveryStreamName)} not found.`);
        if (x.DeliveryStreamType !== "DirectPut")
          throw new StubError(400, "InvalidArgumentException", `Encryption is supported only for Direct PUT delivery streams.`);
        const e = (x.DeliveryStreamEncryptionConfiguration ?? { Status: "DISABLED" }) as Record<string, unknown>;
        if (e.Status === "ENABLING" || e.Status === "DISABLING")
          throw new StubError(400, "ResourceInUseException", `Firehose ${String(b.DeliveryStreamName)} is ${String(e.Status)}.`);
        if (op === "StopDeliveryStreamEncryption") {
          if (e.Status === "ENABLED" || e.Status === "DISABLING_FAILED") x.DeliveryStreamEncryptionConfiguration = { ...e, Status: "DISABLING" };
          return {};
        }
        const input = (b.DeliveryStreamEncryptionConfigurationInput ?? { KeyType: "AWS_OWNED_CMK" }) as { KeyType?: string; KeyARN?: string };
        if (input.KeyType === "CUSTOMER_MANAGED_CMK" && !input.KeyARN)
          throw new StubError(400, "InvalidArgumentException", "KeyARN is required for CUSTOMER_MANAGED_CMK.");
        if (input.KeyType === "AWS_OWNED_CMK" && input.KeyARN) throw new StubError(400, "InvalidArgumentException", "KeyARN is not allowed for AWS_OWNED_CMK.");
        x.DeliveryStreamEncryptionConfiguration = {
          KeyType: input.KeyType ?? "AWS_OWNED_CMK",
          ...(input.KeyARN ? { KeyARN: input.KeyARN } : {}),
          Status: "ENABLING",
        };
        return {};
      }
      case "ListTagsForDeliveryStream":
        return { Tags: [{ Key: "team", Value: "secops" }], HasMoreTags: false };
      default:
        throw unsupported(x.r, op);
    }
  },
};
