/**
 * EC2 (regional): subnets (with the live free-address count the EMR headroom rules need)
 * and security groups with their real ingress and egress rules inline, in the
 * CloudFormation shape (docs/model/egress.md, docs/model/emr-headroom.md).
 *
 * The translation functions take the SDK's shapes; the AWS Config translation (`config`)
 * maps Config's configuration items onto those shapes and reuses them, so both sources
 * produce the same resources.
 */
import {
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  EC2Client,
  type IpPermission,
  type SecurityGroup,
  type Subnet,
  type Tag,
} from "@aws-sdk/client-ec2";
import type { Resource } from "../../model/types.js";
import { arr, bool, f, isObj, itemByItem, num, str, tagsOf } from "./configitem.js";
import type { CollectContext, ConfigItem, ServiceCollector } from "./types.js";
import { call, classifyError, compact, convertTags, originOf, type Origin } from "./util.js";

export const EC2_SUBNET = "AWS::EC2::Subnet";
export const EC2_SECURITY_GROUP = "AWS::EC2::SecurityGroup";

function nameTag(tags: readonly Tag[] | undefined): string | undefined {
  return tags?.find((t) => t.Key === "Name")?.Value;
}

export function subnetResource(o: Origin, s: Subnet): Resource {
  const account = s.OwnerId ?? o.account;
  const arn = s.SubnetArn ?? `arn:${o.partition}:ec2:${o.region}:${account}:subnet/${s.SubnetId ?? ""}`;
  const { tags, Tags } = convertTags(s.Tags);
  return compact({
    type: EC2_SUBNET,
    id: arn,
    arn,
    name: nameTag(s.Tags) ?? s.SubnetId,
    account: o.account,
    region: o.region,
    tags,
    properties: compact({
      VpcId: s.VpcId,
      CidrBlock: s.CidrBlock,
      AvailabilityZone: s.AvailabilityZone,
      AvailabilityZoneId: s.AvailabilityZoneId,
      MapPublicIpOnLaunch: s.MapPublicIpOnLaunch,
      Ipv6CidrBlocks: s.Ipv6CidrBlockAssociationSet?.length
        ? s.Ipv6CidrBlockAssociationSet.map((a) => a.Ipv6CidrBlock).filter((c): c is string => !!c)
        : undefined,
      Tags,
    }),
    observed: compact({
      SubnetId: s.SubnetId,
      // A live subnet without the count stays without it: the rules report it unknown, never empty.
      AvailableIpAddressCount: typeof s.AvailableIpAddressCount === "number" ? s.AvailableIpAddressCount : undefined,
      State: s.State,
      DefaultForAz: s.DefaultForAz,
      OwnerId: s.OwnerId,
    }),
    source: { kind: "aws" as const, account: o.account, region: o.region },
  });
}

export type Direction = "ingress" | "egress";

/**
 * `IpPermissions(Egress)` flattened into CloudFormation rule entries: one per IPv4 range,
 * IPv6 range, prefix list and security-group pair, each with the protocol (`"-1"` kept as
 * is), the ports (absent for `-1`) and the entry's description.
 */
export function flattenPermissions(perms: readonly IpPermission[] | undefined, direction: Direction): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const names =
    direction === "egress"
      ? { v4: "CidrIp", v6: "CidrIpv6", pl: "DestinationPrefixListId", sg: "DestinationSecurityGroupId", owner: undefined }
      : { v4: "CidrIp", v6: "CidrIpv6", pl: "SourcePrefixListId", sg: "SourceSecurityGroupId", owner: "SourceSecurityGroupOwnerId" };
  for (const p of perms ?? []) {
    const protocol = p.IpProtocol ?? "-1";
    const all = protocol === "-1";
    const head = compact({ IpProtocol: protocol, FromPort: all ? undefined : p.FromPort, ToPort: all ? undefined : p.ToPort });
    for (const r of p.IpRanges ?? []) if (r.CidrIp) out.push(compact({ ...head, [names.v4]: r.CidrIp, Description: r.Description }));
    for (const r of p.Ipv6Ranges ?? []) if (r.CidrIpv6) out.push(compact({ ...head, [names.v6]: r.CidrIpv6, Description: r.Description }));
    for (const r of p.PrefixListIds ?? []) if (r.PrefixListId) out.push(compact({ ...head, [names.pl]: r.PrefixListId, Description: r.Description }));
    for (const g of p.UserIdGroupPairs ?? []) {
      if (!g.GroupId) continue;
      out.push(compact({ ...head, [names.sg]: g.GroupId, ...(names.owner && g.UserId ? { [names.owner]: g.UserId } : {}), Description: g.Description }));
    }
  }
  return out;
}

export function securityGroupResource(o: Origin, g: SecurityGroup & { SecurityGroupArn?: string }): Resource {
  const account = g.OwnerId ?? o.account;
  const arn = g.SecurityGroupArn ?? `arn:${o.partition}:ec2:${o.region}:${account}:security-group/${g.GroupId ?? ""}`;
  const { tags, Tags } = convertTags(g.Tags);
  return compact({
    type: EC2_SECURITY_GROUP,
    id: arn,
    arn,
    name: g.GroupName,
    account: o.account,
    region: o.region,
    tags,
    properties: compact({
      GroupName: g.GroupName,
      GroupDescription: g.Description,
      VpcId: g.VpcId,
      SecurityGroupIngress: flattenPermissions(g.IpPermissions, "ingress"),
      SecurityGroupEgress: flattenPermissions(g.IpPermissionsEgress, "egress"),
      Tags,
    }),
    observed: compact({ GroupId: g.GroupId, OwnerId: g.OwnerId }),
    source: { kind: "aws" as const, account: o.account, region: o.region },
  });
}

/**
 * Every page of one Describe call. A fault on any page is recorded as a gap for `type`
 * (rules reading it become unknown here) and yields undefined: the other type is still read.
 */
async function allPages<T>(
  ctx: CollectContext,
  action: string,
  type: string,
  page: (token: string | undefined) => Promise<{ items: T[] | undefined; next: string | undefined }>,
): Promise<T[] | undefined> {
  const out: T[] = [];
  let token: string | undefined;
  try {
    do {
      const p = await call(ctx, action, () => page(token));
      out.push(...(p.items ?? []));
      token = p.next;
    } while (token);
  } catch (err) {
    const f = classifyError(err);
    ctx.gap({ action, status: f.status, detail: f.detail, resourceTypes: [type] });
    return undefined;
  }
  return out;
}

// --- AWS Config ------------------------------------------------------------------------

function ipPermission(p: unknown): IpPermission {
  const v4 = arr(f(p, "ipv4Ranges")).filter(isObj);
  return {
    IpProtocol: str(f(p, "ipProtocol")) ?? (num(f(p, "ipProtocol")) !== undefined ? String(num(f(p, "ipProtocol"))) : undefined),
    FromPort: num(f(p, "fromPort")),
    ToPort: num(f(p, "toPort")),
    // Config repeats the IPv4 ranges twice: as objects (with descriptions) and as bare strings.
    IpRanges:
      v4.length > 0
        ? v4.map((r) => ({ CidrIp: str(f(r, "cidrIp")), Description: str(f(r, "description")) }))
        : arr(f(p, "ipRanges")).map((r) => (typeof r === "string" ? { CidrIp: r } : { CidrIp: str(f(r, "cidrIp")), Description: str(f(r, "description")) })),
    Ipv6Ranges: arr(f(p, "ipv6Ranges")).map((r) => ({ CidrIpv6: str(f(r, "cidrIpv6")), Description: str(f(r, "description")) })),
    PrefixListIds: arr(f(p, "prefixListIds")).map((r) => ({ PrefixListId: str(f(r, "prefixListId")), Description: str(f(r, "description")) })),
    UserIdGroupPairs: arr(f(p, "userIdGroupPairs")).map((g) => ({
      GroupId: str(f(g, "groupId")),
      UserId: str(f(g, "userId")),
      Description: str(f(g, "description")),
    })),
  };
}

function securityGroupFromItem(o: Origin, item: ConfigItem): Resource {
  const c = item.configuration ?? {};
  const g: SecurityGroup & { SecurityGroupArn?: string } = {
    GroupId: str(f(c, "groupId")) ?? item.resourceId,
    GroupName: str(f(c, "groupName")) ?? item.resourceName,
    Description: str(f(c, "description")),
    VpcId: str(f(c, "vpcId")),
    OwnerId: str(f(c, "ownerId")) ?? item.accountId,
    IpPermissions: arr(f(c, "ipPermissions")).map(ipPermission),
    IpPermissionsEgress: arr(f(c, "ipPermissionsEgress")).map(ipPermission),
    Tags: tagsOf(item),
    SecurityGroupArn: item.arn,
  };
  return securityGroupResource(o, g);
}

function subnetFromItem(o: Origin, item: ConfigItem): Resource {
  const c = item.configuration ?? {};
  const s: Subnet = {
    SubnetId: str(f(c, "subnetId")) ?? item.resourceId,
    SubnetArn: str(f(c, "subnetArn")) ?? item.arn,
    VpcId: str(f(c, "vpcId")),
    CidrBlock: str(f(c, "cidrBlock")),
    AvailabilityZone: str(f(c, "availabilityZone")),
    AvailabilityZoneId: str(f(c, "availabilityZoneId")),
    AvailableIpAddressCount: num(f(c, "availableIpAddressCount")),
    MapPublicIpOnLaunch: bool(f(c, "mapPublicIpOnLaunch")),
    DefaultForAz: bool(f(c, "defaultForAz")),
    State: str(f(c, "state")) as Subnet["State"],
    OwnerId: str(f(c, "ownerId")) ?? item.accountId,
    Ipv6CidrBlockAssociationSet: arr(f(c, "ipv6CidrBlockAssociationSet")).map((a) => ({ Ipv6CidrBlock: str(f(a, "ipv6CidrBlock")) })),
    Tags: tagsOf(item),
  };
  return subnetResource(o, s);
}

export const ec2: ServiceCollector = {
  service: "ec2",
  resourceTypes: [EC2_SUBNET, EC2_SECURITY_GROUP],
  actions: ["ec2:DescribeSubnets", "ec2:DescribeSecurityGroups"],
  async collect(ctx) {
    const client = new EC2Client(ctx.clientConfig);
    try {
      const o = originOf(ctx);
      const ss = await allPages(ctx, "ec2:DescribeSubnets", EC2_SUBNET, async (token) => {
        const r = await client.send(new DescribeSubnetsCommand({ NextToken: token, MaxResults: 1000 }));
        return { items: r.Subnets, next: r.NextToken };
      });
      const gs = await allPages(ctx, "ec2:DescribeSecurityGroups", EC2_SECURITY_GROUP, async (token) => {
        const r = await client.send(new DescribeSecurityGroupsCommand({ NextToken: token, MaxResults: 1000 }));
        return { items: r.SecurityGroups, next: r.NextToken };
      });
      return [...(ss ?? []).map((s) => subnetResource(o, s)), ...(gs ?? []).map((g) => securityGroupResource(o, g))];
    } finally {
      client.destroy();
    }
  },
  config: itemByItem({
    [EC2_SUBNET]: { recordedAs: "AWS::EC2::Subnet", fromItem: subnetFromItem },
    [EC2_SECURITY_GROUP]: { recordedAs: "AWS::EC2::SecurityGroup", fromItem: securityGroupFromItem },
  }),
};
