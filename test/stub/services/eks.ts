/** Loopback EKS (REST-JSON): a cluster with a Pod Identity association. */

import type { StubService } from "../service.js";
import { days, epoch, page, StubError, unsupported } from "../wire.js";
import { securityGroupIdOf, subnetIdsOf, vpcOf } from "./ec2.js";
import { keyArnOf } from "./kms.js";

declare module "../service.js" {
  interface RegionData {
    clusters: { cluster: Record<string, unknown>; associations: Record<string, unknown>[] }[];
  }
}

export const eks: StubService = {
  name: "eks",
  pathLiterals: ["pod-identity-associations"],
  types: ["AWS::EKS::Cluster", "AWS::EKS::PodIdentityAssociation"],
  emptyRegion: () => ({ clusters: [] }),
  seed(d, c) {
    const { account, region, now, sfx, id, arn } = c;
    const keyArn = keyArnOf(c);
    const vpc = vpcOf(c);
    const subnetIds = subnetIdsOf(c);
    const sgId = securityGroupIdOf(c);
    // EKS with a Pod Identity association.
    const clusterName = `prod${sfx}`;
    const assocId = `a-${id("assoc").replace(/-/g, "").slice(0, 17)}`;
    d.clusters.push({
      cluster: {
        name: clusterName,
        arn: arn("eks", `cluster/${clusterName}`),
        createdAt: epoch(days(now, 300)),
        version: "1.31",
        roleArn: `arn:aws:iam::${account}:role/eks-cluster`,
        endpoint: `https://${id("eks").replace(/-/g, "").toUpperCase()}.gr7.${region}.eks.amazonaws.com`,
        status: "ACTIVE",
        platformVersion: "eks.9",
        resourcesVpcConfig: {
          subnetIds,
          securityGroupIds: [sgId],
          clusterSecurityGroupId: sgId,
          vpcId: vpc,
          endpointPublicAccess: false,
          endpointPrivateAccess: true,
          publicAccessCidrs: [],
        },
        kubernetesNetworkConfig: { serviceIpv4Cidr: "172.20.0.0/16", ipFamily: "ipv4" },
        logging: {
          clusterLogging: [
            { types: ["api", "audit", "authenticator"], enabled: true },
            { types: ["scheduler"], enabled: false },
          ],
        },
        identity: { oidc: { issuer: `https://oidc.eks.${region}.amazonaws.com/id/${id("oidc").replace(/-/g, "").toUpperCase()}` } },
        accessConfig: { authenticationMode: "API" },
        encryptionConfig: [{ resources: ["secrets"], provider: { keyArn } }],
        tags: { team: "orders" },
      },
      associations: [
        {
          clusterName,
          namespace: "orders",
          serviceAccount: "orders-api",
          roleArn: `arn:aws:iam::${account}:role/orders-api-pod`,
          associationArn: arn("eks", `podidentityassociation/${clusterName}/${assocId}`),
          associationId: assocId,
          ownerArn: undefined,
          tags: { app: "orders" },
          createdAt: epoch(days(now, 100)),
          modifiedAt: epoch(days(now, 50)),
          disableSessionTags: false,
        },
      ],
    });
  },
  call(route, x) {
    const { d, r } = x;
    const q = r.url.searchParams;
    const parts = r.url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
    switch (route) {
      case "GET /clusters": {
        const pg = page(d.clusters, q.get("nextToken"), Number(q.get("maxResults")));
        return { clusters: pg.items.map((x) => x.cluster.name), nextToken: pg.next };
      }
      case "GET /clusters/{}": {
        const x = d.clusters.find((y) => y.cluster.name === parts[1]);
        if (!x) throw new StubError(404, "ResourceNotFoundException", `No cluster found for name: ${parts[1]}.`);
        return { cluster: x.cluster };
      }
      case "GET /clusters/{}/pod-identity-associations": {
        const x = d.clusters.find((y) => y.cluster.name === parts[1]);
        if (!x) throw new StubError(404, "ResourceNotFoundException", `No cluster found for name: ${parts[1]}.`);
        const pg = page(x.associations, q.get("nextToken"), Number(q.get("maxResults")));
        return {
          associations: pg.items.map((a) => ({
            clusterName: a.clusterName,
            namespace: a.namespace,
            serviceAccount: a.serviceAccount,
            associationArn: a.associationArn,
            associationId: a.associationId,
          })),
          nextToken: pg.next,
        };
      }
      case "GET /clusters/{}/pod-identity-associations/{}": {
        const a = d.clusters.find((y) => y.cluster.name === parts[1])?.associations.find((y) => y.associationId === parts[3]);
        if (!a) throw new StubError(404, "ResourceNotFoundException", `association ${parts[3]} not found`);
        return { association: a };
      }
      default:
        throw unsupported(x.r, route);
    }
  },
};
