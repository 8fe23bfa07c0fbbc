/**
 * Amazon MSK (regional): provisioned clusters with their client authentication and
 * encryption in transit, in the CloudFormation shape of AWS::MSK::Cluster (read by
 * msk-cluster-authentication-required). Serverless clusters are another CloudFormation
 * type (AWS::MSK::ServerlessCluster, IAM authentication only) and are not translated.
 */
import { KafkaClient, ListClustersV2Command, type Cluster } from "@aws-sdk/client-kafka";
import type { Resource } from "../../model/types.js";
import type { ServiceCollector } from "./types.js";
import { call, compact } from "./util.js";

export const MSK_CLUSTER = "AWS::MSK::Cluster";

/** A provisioned cluster as an AWS::MSK::Cluster resource (undefined for a serverless one). */
export function clusterResource(c: Cluster, account: string, region: string): Resource | undefined {
  const p = c.Provisioned;
  if (!c.ClusterArn || c.ClusterType !== "PROVISIONED" || !p) return undefined;
  const a = p.ClientAuthentication;
  const t = p.EncryptionInfo?.EncryptionInTransit;
  return {
    type: MSK_CLUSTER,
    id: c.ClusterArn,
    arn: c.ClusterArn,
    name: c.ClusterName,
    account,
    region,
    tags: { ...(c.Tags ?? {}) },
    properties: compact({
      ClusterName: c.ClusterName,
      KafkaVersion: p.CurrentBrokerSoftwareInfo?.KafkaVersion,
      NumberOfBrokerNodes: p.NumberOfBrokerNodes,
      // As the service reports it: an absent method is off (the API's default).
      ClientAuthentication: a
        ? compact({
            Sasl: a.Sasl
              ? compact({
                  Iam: a.Sasl.Iam ? { Enabled: a.Sasl.Iam.Enabled ?? false } : undefined,
                  Scram: a.Sasl.Scram ? { Enabled: a.Sasl.Scram.Enabled ?? false } : undefined,
                })
              : undefined,
            Tls: a.Tls ? compact({ Enabled: a.Tls.Enabled, CertificateAuthorityArnList: a.Tls.CertificateAuthorityArnList }) : undefined,
            Unauthenticated: a.Unauthenticated ? { Enabled: a.Unauthenticated.Enabled ?? false } : undefined,
          })
        : undefined,
      EncryptionInfo: p.EncryptionInfo
        ? compact({
            EncryptionAtRest: p.EncryptionInfo.EncryptionAtRest
              ? compact({ DataVolumeKMSKeyId: p.EncryptionInfo.EncryptionAtRest.DataVolumeKMSKeyId })
              : undefined,
            EncryptionInTransit: t ? compact({ ClientBroker: t.ClientBroker, InCluster: t.InCluster }) : undefined,
          })
        : undefined,
      Tags: { ...(c.Tags ?? {}) },
    }),
    observed: compact({ State: c.State, CreationTime: c.CreationTime?.toISOString() }),
    source: { kind: "aws", account, region },
  };
}

export const kafka: ServiceCollector = {
  service: "kafka",
  resourceTypes: [MSK_CLUSTER],
  actions: ["kafka:ListClustersV2"],
  async collect(ctx) {
    const client = new KafkaClient(ctx.clientConfig);
    try {
      const out: Resource[] = [];
      let token: string | undefined;
      for (;;) {
        const page = await call(ctx, "kafka:ListClustersV2", () => client.send(new ListClustersV2Command({ MaxResults: 100, NextToken: token })));
        for (const c of page.ClusterInfoList ?? []) {
          const r = clusterResource(c, ctx.account, ctx.region);
          if (r) out.push(r);
        }
        if (!page.NextToken || page.NextToken === token) return out;
        token = page.NextToken;
      }
    } finally {
      client.destroy();
    }
  },
};
