/** Loopback ELBv2 (query/XML): the orders ALB (and, with the fixtures, an untagged internal one), tags and their writes. */

import type { Copy, StubService } from "../service.js";
import { days, members, page, StubError, unsupported } from "../wire.js";
import { securityGroupIdOf, subnetIdsOf, vpcOf } from "./ec2.js";

declare module "../service.js" {
  interface RegionData {
    lbs: { lb: Record<string, unknown>; tags: Record<string, unknown>[] }[];
  }
}

/** Copy `c`'s orders ALB and (with the fixtures) the internal one: the web ACL protects them, Firewall Manager reports the other account's. */
export const lbArnOf = (c: Copy): string => c.arn("elasticloadbalancing", `loadbalancer/app/orders-alb${c.sfx}/${c.id("lb").replace(/-/g, "").slice(0, 16)}`);
export const internalLbArnOf = (c: Copy): string =>
  c.arn("elasticloadbalancing", `loadbalancer/app/orders-internal/${c.id("lb-internal").replace(/-/g, "").slice(0, 16)}`);

export const elbv2: StubService = {
  name: "elasticloadbalancing",
  types: ["AWS::ElasticLoadBalancingV2::LoadBalancer"],
  emptyRegion: () => ({ lbs: [] }),
  seed(d, c) {
    const { region, now, sfx, fix } = c;
    const vpc = vpcOf(c);
    const subnetIds = subnetIdsOf(c);
    const sgId = securityGroupIdOf(c);
    // ELBv2 and a web ACL protecting it; WAF logging to a Firehose stream (copy 0 has none).
    const lbName = `orders-alb${sfx}`;
    const lbArn = lbArnOf(c);
    d.lbs.push({
      lb: {
        LoadBalancerArn: lbArn,
        DNSName: `${lbName}-123.${region}.elb.amazonaws.com`,
        CanonicalHostedZoneId: "Z35SXDOTRQ7X7K",
        CreatedTime: days(now, 200),
        LoadBalancerName: lbName,
        Scheme: "internet-facing",
        VpcId: vpc,
        State: { Code: "active" },
        Type: "application",
        IpAddressType: "ipv4",
        SecurityGroups: [sgId],
        AvailabilityZones: subnetIds.map((s, i) => ({ ZoneName: `${region}${"ab"[i]}`, SubnetId: s, LoadBalancerAddresses: [] })),
      },
      tags: [
        { Key: "app", Value: "orders" },
        { Key: "waf", Value: "required" },
      ],
    });
    const internalArn = internalLbArnOf(c);
    if (fix) {
      // An internal ALB without the waf=required tag, sharing the orders web ACL (fms-retrofit-web-acl-scope-consistent).
      d.lbs.push({
        lb: {
          LoadBalancerArn: internalArn,
          DNSName: `internal-orders-internal-456.${region}.elb.amazonaws.com`,
          CanonicalHostedZoneId: "Z35SXDOTRQ7X7K",
          CreatedTime: days(now, 90),
          LoadBalancerName: "orders-internal",
          Scheme: "internal",
          VpcId: vpc,
          State: { Code: "active" },
          Type: "application",
          IpAddressType: "ipv4",
          SecurityGroups: [sgId],
          AvailabilityZones: subnetIds.map((s, i) => ({ ZoneName: `${region}${"ab"[i]}`, SubnetId: s, LoadBalancerAddresses: [] })),
        },
        tags: [{ Key: "app", Value: "orders" }],
      });
    }
  },
  call(action, x) {
    const { p, d } = x;
    const ok = (result: Record<string, unknown>): Record<string, unknown> => result;
    switch (action) {
      case "DescribeLoadBalancers": {
        const pg = page(d.lbs, p.get("Marker"), Number(p.get("PageSize")) || 100);
        return ok({ LoadBalancers: pg.items.map((x) => x.lb), NextMarker: pg.next });
      }
      case "AddTags":
      case "RemoveTags": {
        const arns = members(p, "ResourceArns");
        const lbs = d.lbs;
        const found = arns.map((a) => lbs.find((x) => x.lb.LoadBalancerArn === a));
        if (arns.length === 0 || found.some((x) => !x)) throw new StubError(400, "LoadBalancerNotFound", `One or more load balancers not found`);
        if (action === "AddTags") {
          const tags = members(p, "Tags", ["Key", "Value"]) as { Key: string; Value?: string }[];
          if (new Set(tags.map((t) => t.Key)).size !== tags.length) throw new StubError(400, "DuplicateTagKeys", `A tag key was specified more than once.`);
          for (const x of found as { tags: Record<string, unknown>[] }[]) {
            const next = x.tags.map((t) => ({ ...t }));
            for (const t of tags) {
              const had = next.find((y) => y.Key === t.Key);
              if (had) had.Value = t.Value ?? "";
              else next.push({ Key: t.Key, Value: t.Value ?? "" });
            }
            if (next.length > 50) throw new StubError(400, "TooManyTags", `You've reached the limit on the number of tags for this resource.`);
            x.tags = next;
          }
        } else {
          const keys = members(p, "TagKeys") as string[];
          for (const x of found as { tags: Record<string, unknown>[] }[]) x.tags = x.tags.filter((t) => !keys.includes(String(t.Key)));
        }
        return ok({});
      }
      case "DescribeTags": {
        const want = [...p.entries()].filter(([k]) => k.startsWith("ResourceArns.member.")).map(([, v]) => v);
        const lbs = d.lbs;
        return ok({ TagDescriptions: want.map((a) => ({ ResourceArn: a, Tags: lbs.find((x) => x.lb.LoadBalancerArn === a)?.tags ?? [] })) });
      }
      default:
        throw unsupported(x.r, action);
    }
  },
};
