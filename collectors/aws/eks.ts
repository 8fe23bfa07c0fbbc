/**
 * EKS (regional): clusters (DescribeCluster) and their Pod Identity associations
 * (ListPodIdentityAssociations + DescribePodIdentityAssociation, which alone carries the
 * role), in the CloudFormation shapes of AWS::EKS::Cluster and
 * AWS::EKS::PodIdentityAssociation.
 */
import {
  DescribeClusterCommand,
  DescribePodIdentityAssociationCommand,
  EKSClient,
  ListClustersCommand,
  ListPodIdentityAssociationsCommand,
  type Cluster,
  type PodIdentityAssociation,
  type PodIdentityAssociationSummary,
} from "@aws-sdk/client-eks";
import type { Resource } from "../../model/types.js";
import { mapPool } from "./concurrency.js";
import type { CollectContext, ServiceCollector } from "./types.js";
import { call, compact, convertTags, iso, type Origin, originOf, tryCall } from "./util.js";

export const EKS_CLUSTER = "AWS::EKS::Cluster";
export const EKS_POD_IDENTITY_ASSOCIATION = "AWS::EKS::PodIdentityAssociation";

const INNER_CONCURRENCY = 4;

/** `{key: value}` (EKS's tag map) → `[{Key, Value}]`. */
export function tagList(map: Record<string, string> | undefined): { Key: string; Value: string }[] {
  return Object.entries(map ?? {}).map(([Key, Value]) => ({ Key, Value }));
}

export function clusterResource(o: Origin, c: Cluster): Resource {
  const arn = c.arn ?? `arn:${o.partition}:eks:${o.region}:${o.account}:cluster/${c.name ?? ""}`;
  const { tags, Tags } = convertTags(tagList(c.tags));
  const vpc = c.resourcesVpcConfig;
  const net = c.kubernetesNetworkConfig;
  return compact({
    type: EKS_CLUSTER,
    id: arn,
    arn,
    name: c.name,
    account: o.account,
    region: o.region,
    tags,
    properties: compact({
      Name: c.name,
      Version: c.version,
      RoleArn: c.roleArn,
      ResourcesVpcConfig: vpc
        ? compact({
            SubnetIds: vpc.subnetIds,
            SecurityGroupIds: vpc.securityGroupIds,
            EndpointPublicAccess: vpc.endpointPublicAccess,
            EndpointPrivateAccess: vpc.endpointPrivateAccess,
            PublicAccessCidrs: vpc.publicAccessCidrs,
          })
        : undefined,
      AccessConfig: c.accessConfig ? compact({ AuthenticationMode: c.accessConfig.authenticationMode }) : undefined,
      EncryptionConfig: c.encryptionConfig?.map((e) =>
        compact({ Resources: e.resources, Provider: e.provider?.keyArn ? { KeyArn: e.provider.keyArn } : undefined }),
      ),
      KubernetesNetworkConfig: net
        ? compact({ ServiceIpv4Cidr: net.serviceIpv4Cidr, ServiceIpv6Cidr: net.serviceIpv6Cidr, IpFamily: net.ipFamily })
        : undefined,
      Logging: c.logging?.clusterLogging
        ? {
            ClusterLogging: {
              EnabledTypes: c.logging.clusterLogging.filter((l) => l.enabled).flatMap((l) => (l.types ?? []).map((Type) => ({ Type }))),
            },
          }
        : undefined,
      Tags,
    }),
    observed: compact({
      Status: c.status,
      Endpoint: c.endpoint,
      OidcIssuer: c.identity?.oidc?.issuer,
      PlatformVersion: c.platformVersion,
      CreatedAt: iso(c.createdAt),
      ClusterSecurityGroupId: vpc?.clusterSecurityGroupId,
      VpcId: vpc?.vpcId,
    }),
    source: { kind: "aws" as const, account: o.account, region: o.region },
  });
}

export function podIdentityResource(o: Origin, a: PodIdentityAssociation): Resource {
  const arn = a.associationArn ?? `arn:${o.partition}:eks:${o.region}:${o.account}:podidentityassociation/${a.clusterName ?? ""}/${a.associationId ?? ""}`;
  const { tags, Tags } = convertTags(tagList(a.tags));
  return compact({
    type: EKS_POD_IDENTITY_ASSOCIATION,
    id: arn,
    arn,
    name: a.namespace && a.serviceAccount ? `${a.clusterName ?? "?"}/${a.namespace}/${a.serviceAccount}` : a.associationId,
    account: o.account,
    region: o.region,
    tags,
    properties: compact({
      ClusterName: a.clusterName,
      Namespace: a.namespace,
      ServiceAccount: a.serviceAccount,
      RoleArn: a.roleArn,
      TargetRoleArn: a.targetRoleArn,
      DisableSessionTags: a.disableSessionTags,
      Tags,
    }),
    observed: compact({
      AssociationId: a.associationId,
      OwnerArn: a.ownerArn,
      ExternalId: a.externalId,
      CreatedAt: iso(a.createdAt),
      ModifiedAt: iso(a.modifiedAt),
    }),
    source: { kind: "aws" as const, account: o.account, region: o.region },
  });
}

async function clusterNames(ctx: CollectContext, client: EKSClient): Promise<string[]> {
  const out: string[] = [];
  let token: string | undefined;
  do {
    const page = await call(ctx, "eks:ListClusters", () => client.send(new ListClustersCommand({ nextToken: token, maxResults: 100 })));
    out.push(...(page.clusters ?? []));
    token = page.nextToken;
  } while (token);
  return out;
}

/** The associations of one cluster; undefined (with a gap for the association type) when they could not all be read. */
async function associations(ctx: CollectContext, client: EKSClient, clusterName: string): Promise<PodIdentityAssociation[] | undefined> {
  const summaries: PodIdentityAssociationSummary[] = [];
  let token: string | undefined;
  do {
    const page = await tryCall(ctx, "eks:ListPodIdentityAssociations", [EKS_POD_IDENTITY_ASSOCIATION], () =>
      client.send(new ListPodIdentityAssociationsCommand({ clusterName, nextToken: token, maxResults: 100 })),
    );
    if (!page) return undefined;
    summaries.push(...(page.associations ?? []));
    token = page.nextToken;
  } while (token);
  const out: PodIdentityAssociation[] = [];
  for (const s of summaries) {
    const id = s.associationId;
    if (!id) continue;
    const d = await tryCall(ctx, "eks:DescribePodIdentityAssociation", [EKS_POD_IDENTITY_ASSOCIATION], () =>
      client.send(new DescribePodIdentityAssociationCommand({ clusterName, associationId: id })),
    );
    if (d?.association) out.push(d.association);
  }
  return out;
}

export const eks: ServiceCollector = {
  service: "eks",
  resourceTypes: [EKS_CLUSTER, EKS_POD_IDENTITY_ASSOCIATION],
  actions: ["eks:ListClusters", "eks:DescribeCluster", "eks:ListPodIdentityAssociations", "eks:DescribePodIdentityAssociation"],
  async collect(ctx) {
    const client = new EKSClient(ctx.clientConfig);
    try {
      const names = await clusterNames(ctx, client);
      const o = originOf(ctx);
      const out = await mapPool(names, INNER_CONCURRENCY, async (name): Promise<Resource[]> => {
        const rs: Resource[] = [];
        const d = await tryCall(ctx, "eks:DescribeCluster", [EKS_CLUSTER], () => client.send(new DescribeClusterCommand({ name })));
        if (d?.cluster) rs.push(clusterResource(o, d.cluster));
        const as = await associations(ctx, client, name);
        for (const a of as ?? []) rs.push(podIdentityResource(o, a));
        return rs;
      });
      return out.flat();
    } finally {
      client.destroy();
    }
  },
};
