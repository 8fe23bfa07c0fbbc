/**
 * Elastic Load Balancing v2 (regional): application, network and gateway load balancers
 * with their tags: the protected resources the Firewall Manager scope rules place by
 * type, region and tags (docs/model/fms-retrofit.md, "Protected resources").
 *
 * Tags come from DescribeTags, 20 load balancers a call. When a batch cannot be read,
 * its load balancers carry the whole tag map as an unknown marker (never an empty map,
 * which would read as "untagged") and the gap names the type.
 */
import {
  DescribeLoadBalancersCommand,
  DescribeTagsCommand,
  ElasticLoadBalancingV2Client,
  type LoadBalancer,
  type Tag,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import type { Resource } from "../../model/types.js";
import { unknown } from "../../model/types.js";
import { mapPool } from "./concurrency.js";
import type { ServiceCollector } from "./types.js";
import { call, compact, convertTags, iso, tryCall } from "./util.js";

export const LOAD_BALANCER = "AWS::ElasticLoadBalancingV2::LoadBalancer";

/** DescribeTags takes at most 20 ARNs. */
export const TAG_BATCH = 20;

function properties(lb: LoadBalancer): Record<string, unknown> {
  const azs = lb.AvailabilityZones ?? [];
  return compact({
    Name: lb.LoadBalancerName,
    Type: lb.Type,
    Scheme: lb.Scheme,
    IpAddressType: lb.IpAddressType,
    SecurityGroups: lb.SecurityGroups,
    Subnets: azs.map((a) => a.SubnetId).filter((s): s is string => !!s),
    SubnetMappings: azs
      .filter((a) => a.SubnetId)
      .map((a) => {
        const addr = a.LoadBalancerAddresses?.[0];
        return compact({
          SubnetId: a.SubnetId,
          AllocationId: addr?.AllocationId,
          PrivateIPv4Address: addr?.PrivateIPv4Address,
          IPv6Address: addr?.IPv6Address,
        });
      }),
    EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic: lb.EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic,
  });
}

export const elbv2: ServiceCollector = {
  service: "elasticloadbalancing",
  resourceTypes: [LOAD_BALANCER],
  actions: ["elasticloadbalancing:DescribeLoadBalancers", "elasticloadbalancing:DescribeTags"],
  async collect(ctx) {
    const client = new ElasticLoadBalancingV2Client(ctx.clientConfig);
    try {
      const lbs: LoadBalancer[] = [];
      let marker: string | undefined;
      do {
        const page = await call(ctx, "elasticloadbalancing:DescribeLoadBalancers", () =>
          client.send(new DescribeLoadBalancersCommand({ Marker: marker, PageSize: 400 })),
        );
        lbs.push(...(page.LoadBalancers ?? []));
        marker = page.NextMarker;
      } while (marker);

      const arns = lbs.map((lb) => lb.LoadBalancerArn).filter((a): a is string => !!a);
      const batches: string[][] = [];
      for (let i = 0; i < arns.length; i += TAG_BATCH) batches.push(arns.slice(i, i + TAG_BATCH));
      const tagsByArn = new Map<string, Tag[]>();
      const unread = new Set<string>();
      await mapPool(batches, 2, async (batch) => {
        const r = await tryCall(ctx, "elasticloadbalancing:DescribeTags", [LOAD_BALANCER], () => client.send(new DescribeTagsCommand({ ResourceArns: batch })));
        if (!r) batch.forEach((a) => unread.add(a));
        for (const d of r?.TagDescriptions ?? []) if (d.ResourceArn) tagsByArn.set(d.ResourceArn, d.Tags ?? []);
      });

      return lbs
        .filter((lb) => lb.LoadBalancerArn)
        .map((lb): Resource => {
          const arn = lb.LoadBalancerArn as string;
          const notRead = unknown("elasticloadbalancing:DescribeTags failed, so the load balancer's tags were not read");
          const t = unread.has(arn) ? undefined : convertTags(tagsByArn.get(arn) ?? []);
          return compact({
            type: LOAD_BALANCER,
            id: arn,
            arn,
            name: lb.LoadBalancerName,
            account: ctx.account,
            region: ctx.region,
            // The whole map as an unknown marker: a reader must not take "no tags" for a fact.
            tags: t ? t.tags : { ...notRead },
            properties: { ...properties(lb), Tags: t ? t.Tags : notRead },
            observed: compact({
              DNSName: lb.DNSName,
              CanonicalHostedZoneId: lb.CanonicalHostedZoneId,
              VpcId: lb.VpcId,
              State: lb.State?.Code,
              CreatedTime: iso(lb.CreatedTime),
            }),
            source: { kind: "aws" as const, account: ctx.account, region: ctx.region },
          });
        });
    } finally {
      client.destroy();
    }
  },
};
