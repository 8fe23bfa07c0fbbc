/**
 * Amazon Data Firehose (regional): delivery streams with their server-side encryption,
 * in the shape of docs/model/waf-logging.md. Only the encryption settings, type and name
 * are translated; destinations are not read into the snapshot.
 */
import {
  DescribeDeliveryStreamCommand,
  FirehoseClient,
  ListDeliveryStreamsCommand,
  ListTagsForDeliveryStreamCommand,
  type DeliveryStreamDescription,
  type Tag,
} from "@aws-sdk/client-firehose";
import type { Resource } from "../../model/types.js";
import { unknown } from "../../model/types.js";
import { mapPool } from "./concurrency.js";
import type { CollectContext, ServiceCollector } from "./types.js";
import { call, compact, convertTags, iso, tryCall } from "./util.js";

export const DELIVERY_STREAM = "AWS::KinesisFirehose::DeliveryStream";

async function listTags(ctx: CollectContext, client: FirehoseClient, name: string): Promise<Tag[] | undefined> {
  const out: Tag[] = [];
  let start: string | undefined;
  for (;;) {
    const page = await tryCall(ctx, "firehose:ListTagsForDeliveryStream", [], () =>
      client.send(new ListTagsForDeliveryStreamCommand({ DeliveryStreamName: name, ExclusiveStartTagKey: start, Limit: 50 })),
    );
    if (!page) return undefined;
    const tags = page.Tags ?? [];
    out.push(...tags);
    const last = tags[tags.length - 1]?.Key;
    if (!page.HasMoreTags || !last || last === start) return out;
    start = last;
  }
}

/** The stream's encryption in the model: the CloudFormation input when encryption is on (or turning on), the live status under observed. */
export function encryption(d: DeliveryStreamDescription): { input?: Record<string, unknown>; status: string; failure?: string } {
  const e = d.DeliveryStreamEncryptionConfiguration;
  const status = e?.Status ?? "DISABLED";
  const on = status === "ENABLED" || status === "ENABLING";
  return compact({
    input: on && e ? compact({ KeyType: e.KeyType, KeyARN: e.KeyARN }) : undefined,
    status,
    failure: e?.FailureDescription?.Details,
  });
}

export const firehose: ServiceCollector = {
  service: "firehose",
  resourceTypes: [DELIVERY_STREAM],
  actions: ["firehose:ListDeliveryStreams", "firehose:DescribeDeliveryStream", "firehose:ListTagsForDeliveryStream"],
  async collect(ctx) {
    const client = new FirehoseClient(ctx.clientConfig);
    try {
      const names: string[] = [];
      let start: string | undefined;
      for (;;) {
        const page = await call(ctx, "firehose:ListDeliveryStreams", () =>
          client.send(new ListDeliveryStreamsCommand({ Limit: 100, ExclusiveStartDeliveryStreamName: start })),
        );
        const got = page.DeliveryStreamNames ?? [];
        names.push(...got);
        const last = got[got.length - 1];
        if (!page.HasMoreDeliveryStreams || !last || last === start) break;
        start = last;
      }

      const out = await mapPool(names, 4, async (name): Promise<Resource | undefined> => {
        const got = await call(ctx, "firehose:DescribeDeliveryStream", () => client.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: name })));
        const d = got.DeliveryStreamDescription;
        if (!d?.DeliveryStreamARN) return undefined;
        const tagList = await listTags(ctx, client, name);
        const t = tagList ? convertTags(tagList) : undefined;
        const notRead = unknown("firehose:ListTagsForDeliveryStream failed, so the tags were not read");
        const enc = encryption(d);
        return {
          type: DELIVERY_STREAM,
          id: d.DeliveryStreamARN,
          arn: d.DeliveryStreamARN,
          name: d.DeliveryStreamName ?? name,
          account: ctx.account,
          region: ctx.region,
          tags: t ? t.tags : {},
          properties: compact({
            DeliveryStreamName: d.DeliveryStreamName ?? name,
            DeliveryStreamType: d.DeliveryStreamType,
            DeliveryStreamEncryptionConfigurationInput: enc.input,
            Tags: t ? t.Tags : notRead,
          }),
          observed: compact({
            EncryptionStatus: enc.status,
            EncryptionFailureDescription: enc.failure,
            DeliveryStreamStatus: d.DeliveryStreamStatus,
            CreateTimestamp: iso(d.CreateTimestamp),
            tagsUnknown: t ? undefined : notRead,
          }),
          source: { kind: "aws", account: ctx.account, region: ctx.region },
        };
      });
      return out.filter((r): r is Resource => r !== undefined);
    } finally {
      client.destroy();
    }
  },
};
