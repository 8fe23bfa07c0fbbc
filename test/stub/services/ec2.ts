/** Loopback EC2 (EC2 query dialect): enabled regions, two subnets (one nearly full) and a security group open to the world on egress. */

import type { Copy, StubService } from "../service.js";
import { page, unsupported } from "../wire.js";

declare module "../service.js" {
  interface RegionData {
    subnets: Record<string, unknown>[];
    groups: Record<string, unknown>[];
  }
}

/** Copy `c`'s VPC, its two subnets and its security group (EKS, EMR, Network Firewall and the ALBs use them). */
export const vpcOf = (c: Copy): string => `vpc-${c.id("vpc").slice(0, 17).replace(/-/g, "")}`;
export const subnetIdsOf = (c: Copy): string[] => ["a", "b"].map((az) => `subnet-${c.id(`subnet-${az}`).replace(/-/g, "").slice(0, 17)}`);
export const securityGroupIdOf = (c: Copy): string => `sg-${c.id("sg").replace(/-/g, "").slice(0, 17)}`;

export const ec2: StubService = {
  name: "ec2",
  types: ["AWS::EC2::SecurityGroup", "AWS::EC2::Subnet"],
  emptyRegion: () => ({ subnets: [], groups: [] }),
  seed(d, c) {
    const { account, region, k, sfx, arn } = c;
    // EC2: two subnets (one nearly full) and a security group open to the world on egress.
    const vpc = vpcOf(c);
    const subnetIds = subnetIdsOf(c);
    ["a", "b"].forEach((az, i) => {
      d.subnets.push({
        subnetId: subnetIds[i],
        subnetArn: arn("ec2", `subnet/${subnetIds[i]}`),
        state: "available",
        ownerId: account,
        vpcId: vpc,
        cidrBlock: `10.${k % 250}.${i}.0/27`,
        availableIpAddressCount: i === 0 ? 3 : 20,
        availabilityZone: `${region}${az}`,
        availabilityZoneId: `use1-az${i + 1}`,
        defaultForAz: false,
        mapPublicIpOnLaunch: false,
        tagSet: [{ key: "Name", value: `emr-${az}${sfx}` }],
      });
    });
    const sgId = securityGroupIdOf(c);
    d.groups.push({
      ownerId: account,
      groupId: sgId,
      groupName: `emr-workers${sfx}`,
      groupDescription: "EMR workers",
      vpcId: vpc,
      securityGroupArn: arn("ec2", `security-group/${sgId}`),
      ipPermissions: [{ ipProtocol: "tcp", fromPort: 22, toPort: 22, ipRanges: [{ cidrIp: "10.0.0.0/8", description: "ssh from corp" }] }],
      ipPermissionsEgress: [{ ipProtocol: "-1", ipRanges: [{ cidrIp: "0.0.0.0/0" }] }],
      tagSet: [{ key: "team", value: "data" }],
    });
  },
  call(action, x) {
    const { s, p, d } = x;
    const ok = (result: Record<string, unknown>): Record<string, unknown> => result;
    switch (action) {
      case "DescribeRegions":
        return ok({ regionInfo: s.opts.regions.map((x) => ({ regionName: x, regionEndpoint: `ec2.${x}.amazonaws.com`, optInStatus: "opt-in-not-required" })) });
      case "DescribeSubnets": {
        const pg = page(d.subnets, p.get("NextToken"), Number(p.get("MaxResults")) || 100);
        return ok({ subnetSet: pg.items, nextToken: pg.next });
      }
      case "DescribeSecurityGroups": {
        const pg = page(d.groups, p.get("NextToken"), Number(p.get("MaxResults")) || 100);
        return ok({ securityGroupInfo: pg.items, nextToken: pg.next });
      }
      default:
        throw unsupported(x.r, action);
    }
  },
};
