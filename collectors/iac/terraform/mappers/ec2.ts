/** EC2: security groups (inline rules and separate rule resources) and subnets. */
import { isObj } from "../plan.js";
import { o, type View } from "../view.js";
import type { Emitted, Family } from "./common.js";

type Dir = "ingress" | "egress";

function protocol(v: unknown): unknown {
  return v === "all" ? "-1" : typeof v === "number" ? String(v) : v;
}

/** One CloudFormation rule per peer of a Terraform rule block (cidr_blocks × ipv6 × groups × prefix lists × self). */
function inlineRules(sg: View, rule: View, dir: Dir): unknown[] {
  const base = o({
    IpProtocol: protocol(rule.val("protocol")),
    FromPort: rule.val("from_port"),
    ToPort: rule.val("to_port"),
    Description: rule.str("description"),
  });
  const peer =
    dir === "egress" ? { sg: "DestinationSecurityGroupId", pl: "DestinationPrefixListId" } : { sg: "SourceSecurityGroupId", pl: "SourcePrefixListId" };
  const out: unknown[] = [];
  const each = (k: string, prop: string) => {
    const vals = rule.refs(k);
    if (Array.isArray(vals)) for (const x of vals) out.push({ ...base, [prop]: x });
    else if (isObj(vals)) out.push({ ...base, [prop]: vals });
  };
  each("cidr_blocks", "CidrIp");
  each("ipv6_cidr_blocks", "CidrIpv6");
  each("security_groups", peer.sg);
  each("prefix_list_ids", peer.pl);
  const self = rule.val("self");
  if (self === true) out.push({ ...base, [peer.sg]: { $ref: sg.inst.address, attribute: "GroupId" } });
  else if (isObj(self)) out.push({ ...base, [peer.sg]: self });
  return out;
}

function rules(v: View, dir: Dir): unknown {
  // Terraform removes the default allow-all egress of a new group unless it is declared;
  // a rule list the configuration does not set is managed elsewhere (separate rule resources).
  if (v.computedDefault(dir)) return [];
  return v.flatList(dir, (b) => inlineRules(v, b, dir)) ?? [];
}

function securityGroup(v: View): Emitted {
  return {
    type: "AWS::EC2::SecurityGroup",
    properties: o({
      GroupName: v.str("name"),
      GroupDescription: v.str("description"),
      VpcId: v.ref("vpc_id"),
      SecurityGroupIngress: rules(v, "ingress"),
      SecurityGroupEgress: rules(v, "egress"),
      Tags: v.tagList(),
    }),
  };
}

/** aws_vpc_security_group_{ingress,egress}_rule: one peer per resource. */
function vpcRule(dir: Dir) {
  return (v: View): Emitted => {
    const ref = v.ref("referenced_security_group_id");
    return {
      type: dir === "egress" ? "AWS::EC2::SecurityGroupEgress" : "AWS::EC2::SecurityGroupIngress",
      properties: o({
        GroupId: v.ref("security_group_id"),
        IpProtocol: protocol(v.val("ip_protocol")),
        FromPort: v.val("from_port"),
        ToPort: v.val("to_port"),
        CidrIp: v.ref("cidr_ipv4"),
        CidrIpv6: v.ref("cidr_ipv6"),
        [dir === "egress" ? "DestinationPrefixListId" : "SourcePrefixListId"]: v.ref("prefix_list_id"),
        [dir === "egress" ? "DestinationSecurityGroupId" : "SourceSecurityGroupId"]: ref,
        Description: v.str("description"),
      }),
    };
  };
}

/** aws_security_group_rule: a CloudFormation rule resource per peer. */
function legacyRule(v: View): Emitted[] | undefined {
  const t = v.val("type");
  if (t !== "egress" && t !== "ingress") return undefined;
  const dir: Dir = t;
  const type = dir === "egress" ? "AWS::EC2::SecurityGroupEgress" : "AWS::EC2::SecurityGroupIngress";
  const groupId = v.ref("security_group_id");
  const entries: Array<Record<string, unknown>> = inlineRules(v, v, dir).map((e) => ({ GroupId: groupId, ...(e as object) }));
  const source = v.val("self") === true || v.computedDefault("source_security_group_id") ? undefined : v.ref("source_security_group_id");
  if (source !== undefined)
    entries.push(
      o({
        GroupId: groupId,
        IpProtocol: protocol(v.val("protocol")),
        FromPort: v.val("from_port"),
        ToPort: v.val("to_port"),
        Description: v.str("description"),
        [dir === "egress" ? "DestinationSecurityGroupId" : "SourceSecurityGroupId"]: source,
      }),
    );
  // `self` refers to the rule's own group, not to this rule resource
  for (const e of entries) {
    for (const k of ["DestinationSecurityGroupId", "SourceSecurityGroupId"]) {
      const x = e[k] as { $ref?: string } | undefined;
      if (x && x.$ref === v.inst.address) e[k] = groupId;
    }
  }
  return entries.map((properties, i) => ({ type, properties, ...(entries.length > 1 ? { idSuffix: `#${i + 1}` } : {}) }));
}

function subnet(v: View): Emitted {
  return {
    type: "AWS::EC2::Subnet",
    properties: o({
      VpcId: v.ref("vpc_id"),
      CidrBlock: v.ref("cidr_block"),
      Ipv6CidrBlock: v.ref("ipv6_cidr_block"),
      AvailabilityZone: v.str("availability_zone"),
      AvailabilityZoneId: v.computedDefault("availability_zone_id") ? undefined : v.str("availability_zone_id"),
      MapPublicIpOnLaunch: v.val("map_public_ip_on_launch"),
      Tags: v.tagList(),
    }),
  };
}

export const ec2: Family = {
  primary: {
    aws_security_group: securityGroup,
    aws_vpc_security_group_egress_rule: vpcRule("egress"),
    aws_vpc_security_group_ingress_rule: vpcRule("ingress"),
    aws_security_group_rule: legacyRule,
    aws_subnet: subnet,
  },
};
