/** Loopback Amazon MSK (REST-JSON, camelCase members): a well-configured provisioned cluster per copy; copy 0 adds an open one and a serverless one. */

import type { StubService } from "../service.js";
import { days, page, unsupported } from "../wire.js";

declare module "../service.js" {
  interface RegionData {
    mskClusters: Record<string, unknown>[];
  }
}

export const kafka: StubService = {
  name: "kafka",
  types: ["AWS::MSK::Cluster"],
  pathLiterals: ["v2"],
  emptyRegion: () => ({ mskClusters: [] }),
  seed(d, c) {
    const cluster = (name: string, open: boolean): Record<string, unknown> => ({
      clusterArn: c.arn("kafka", `cluster/${name}/${c.id(`msk-${name}`)}`),
      clusterName: name,
      clusterType: "PROVISIONED",
      state: "ACTIVE",
      creationTime: days(c.now, 200).toISOString(),
      currentVersion: "K3AEGXETSR30VB",
      tags: { team: "orders" },
      provisioned: {
        numberOfBrokerNodes: 3,
        currentBrokerSoftwareInfo: { kafkaVersion: "3.6.0" },
        clientAuthentication: {
          sasl: { iam: { enabled: true }, scram: { enabled: false } },
          tls: { enabled: false, certificateAuthorityArnList: [] },
          unauthenticated: { enabled: open },
        },
        encryptionInfo: {
          encryptionAtRest: { dataVolumeKMSKeyId: c.arn("kms", `key/${c.id("msk-key")}`) },
          encryptionInTransit: { clientBroker: open ? "TLS_PLAINTEXT" : "TLS", inCluster: true },
        },
      },
    });
    // IAM authentication and TLS only: passes msk-cluster-authentication-required.
    d.mskClusters.push(cluster(`orders-events${c.sfx}`, false));
    if (c.k !== 0) return;
    // Still lets unauthenticated and plaintext clients in beside IAM: fails it.
    d.mskClusters.push(cluster("legacy-events", true));
    // Another CloudFormation type (AWS::MSK::ServerlessCluster): not collected.
    d.mskClusters.push({
      clusterArn: c.arn("kafka", `cluster/clickstream-serverless/${c.id("msk-serverless")}`),
      clusterName: "clickstream-serverless",
      clusterType: "SERVERLESS",
      state: "ACTIVE",
      creationTime: days(c.now, 30).toISOString(),
      tags: {},
      serverless: { clientAuthentication: { sasl: { iam: { enabled: true } } }, vpcConfigs: [] },
    });
  },
  call(route, x) {
    const q = x.r.url.searchParams;
    switch (route) {
      case "GET /api/v2/clusters": {
        const pg = page(x.d.mskClusters, q.get("nextToken"), Number(q.get("maxResults")));
        return { clusterInfoList: pg.items, ...(pg.next ? { nextToken: pg.next } : {}) };
      }
      default:
        throw unsupported(x.r, route);
    }
  },
};
