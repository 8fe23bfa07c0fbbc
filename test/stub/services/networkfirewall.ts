/** Loopback Network Firewall (JSON 1.0): firewall, policy, rule group and logging; updates with update tokens and the policy checks AWS makes. */

import type { RegionData, State, StubService } from "../service.js";
import { notFound, page, StubError, unsupported } from "../wire.js";
import { subnetIdsOf, vpcOf } from "./ec2.js";
import { keyArnOf } from "./kms.js";

declare module "../service.js" {
  interface RegionData {
    firewalls: { firewall: { Firewall: Record<string, unknown> } & Record<string, unknown>; logging: Record<string, unknown> }[];
    fwPolicies: { response: Record<string, unknown>; policy: Record<string, unknown>; token: string }[];
    ruleGroups: { response: Record<string, unknown>; group: Record<string, unknown> }[];
  }
}

const staleToken = (): StubError => new StubError(400, "InvalidTokenException", "The token you provided is stale or isn't valid for the operation.");

/** A fresh update token (Network Firewall hands out a new one after every change). */
function newToken(s: State): string {
  s.seq++;
  return `00000000-0000-4000-8000-${s.seq.toString(16).padStart(12, "0")}`;
}

/**
 * The checks UpdateFirewallPolicy makes on the new policy: both stateless default action
 * lists; stateful default actions only with STRICT_ORDER; every referenced stateful group
 * exists and uses the policy's rule order, and with STRICT_ORDER has a priority.
 */
function checkFirewallPolicy(d: RegionData, fp: unknown): void {
  const bad = (m: string): StubError => new StubError(400, "InvalidRequestException", m);
  if (!fp || typeof fp !== "object") throw bad("FirewallPolicy is required");
  const p = fp as Record<string, any>;
  if (!Array.isArray(p.StatelessDefaultActions) || !Array.isArray(p.StatelessFragmentDefaultActions))
    throw bad("StatelessDefaultActions and StatelessFragmentDefaultActions are required");
  const order = p.StatefulEngineOptions?.RuleOrder ?? "DEFAULT_ACTION_ORDER";
  if (order !== "STRICT_ORDER" && Array.isArray(p.StatefulDefaultActions) && p.StatefulDefaultActions.length > 0)
    throw bad("StatefulDefaultActions can only be set with the STRICT_ORDER rule order");
  for (const ref of (p.StatefulRuleGroupReferences ?? []) as Record<string, any>[]) {
    const g = d.ruleGroups.find((x) => x.response.RuleGroupArn === ref.ResourceArn);
    if (!g) throw bad(`rule group ${String(ref.ResourceArn)} does not exist`);
    const gOrder = (g.group.StatefulRuleOptions as { RuleOrder?: string } | undefined)?.RuleOrder ?? "DEFAULT_ACTION_ORDER";
    if (gOrder !== order) throw bad(`rule group ${String(ref.ResourceArn)} uses ${gOrder}, the policy ${order}: they must match`);
    if (order === "STRICT_ORDER" && typeof ref.Priority !== "number")
      throw bad(`rule group reference ${String(ref.ResourceArn)} needs a Priority with STRICT_ORDER`);
  }
}

export const networkfirewall: StubService = {
  name: "network-firewall",
  types: [
    "AWS::NetworkFirewall::Firewall",
    "AWS::NetworkFirewall::FirewallPolicy",
    "AWS::NetworkFirewall::LoggingConfiguration",
    "AWS::NetworkFirewall::RuleGroup",
  ],
  emptyRegion: () => ({ firewalls: [], fwPolicies: [], ruleGroups: [] }),
  seed(d, c) {
    const { k, sfx, fix, id, arn } = c;
    const keyArn = keyArnOf(c);
    const vpc = vpcOf(c);
    const subnetIds = subnetIdsOf(c);
    // Network Firewall: firewall, policy, rule group, logging.
    const fwArn = arn("network-firewall", `firewall/egress${sfx}`);
    const policyArn = arn("network-firewall", `firewall-policy/egress${sfx}`);
    const groupArn = arn("network-firewall", `stateful-rulegroup/allowed-domains${sfx}`);
    d.firewalls.push({
      firewall: {
        UpdateToken: id("fw-token"),
        Firewall: {
          FirewallName: `egress${sfx}`,
          FirewallArn: fwArn,
          FirewallPolicyArn: policyArn,
          VpcId: vpc,
          SubnetMappings: [{ SubnetId: subnetIds[1], IPAddressType: "IPV4" }],
          FirewallId: id("fw"),
          DeleteProtection: true,
          SubnetChangeProtection: true,
          FirewallPolicyChangeProtection: true,
          Tags: [{ Key: "team", Value: "network" }],
          EnabledAnalysisTypes: [],
        },
        FirewallStatus: { Status: "READY", ConfigurationSyncStateSummary: "IN_SYNC" },
      },
      logging: {
        FirewallArn: fwArn,
        LoggingConfiguration: {
          LogDestinationConfigs: k === 0 ? [] : [{ LogType: "ALERT", LogDestinationType: "CloudWatchLogs", LogDestination: { logGroup: "/nfw/alert" } }],
        },
      },
    });
    d.fwPolicies.push({
      response: {
        FirewallPolicyName: `egress${sfx}`,
        FirewallPolicyArn: policyArn,
        FirewallPolicyId: id("fwp"),
        FirewallPolicyStatus: "ACTIVE",
        NumberOfAssociations: 1,
        Tags: [],
      },
      policy: {
        StatelessDefaultActions: ["aws:forward_to_sfe"],
        StatelessFragmentDefaultActions: ["aws:forward_to_sfe"],
        StatefulRuleGroupReferences: [{ ResourceArn: groupArn, Priority: 1 }],
        StatefulDefaultActions: ["aws:drop_established"],
        StatefulEngineOptions: { RuleOrder: "STRICT_ORDER" },
      },
      token: id("fwp-token"),
    });
    d.ruleGroups.push({
      response: {
        RuleGroupArn: groupArn,
        RuleGroupName: `allowed-domains${sfx}`,
        RuleGroupId: id("rg"),
        Type: "STATEFUL",
        Capacity: 100,
        RuleGroupStatus: "ACTIVE",
        NumberOfAssociations: 1,
        ConsumedCapacity: 2,
        Tags: [],
      },
      group: {
        RulesSource: {
          RulesSourceList: { Targets: [".example.com", "api.partner.example"], TargetTypes: ["TLS_SNI", "HTTP_HOST"], GeneratedRulesType: "ALLOWLIST" },
        },
        StatefulRuleOptions: { RuleOrder: "STRICT_ORDER" },
      },
    });
    if (fix) {
      // Two policies that are not default deny. egress-legacy is in STRICT_ORDER over an
      // ALLOWLIST group, but its stateful default only alerts and its stateless default
      // passes traffic around the stateful engine (it has a description and a customer
      // managed key, which an update must send back). egress-open is in
      // DEFAULT_ACTION_ORDER over a DENYLIST group in DEFAULT_ACTION_ORDER: a policy and its
      // groups must use the same order, and a group's order is fixed, so it can switch only
      // by referencing blocked-domains-strict, a STRICT_ORDER copy, in the same update.
      const strictGroup = arn("network-firewall", "stateful-rulegroup/allowed-domains-strict");
      const defaultGroup = arn("network-firewall", "stateful-rulegroup/blocked-domains");
      const strictCopy = arn("network-firewall", "stateful-rulegroup/blocked-domains-strict");
      d.ruleGroups.push({
        response: {
          RuleGroupArn: strictGroup,
          RuleGroupName: "allowed-domains-strict",
          RuleGroupId: id("rg-strict"),
          Type: "STATEFUL",
          Capacity: 100,
          RuleGroupStatus: "ACTIVE",
          NumberOfAssociations: 1,
          ConsumedCapacity: 2,
          Tags: [],
        },
        group: {
          RulesSource: { RulesSourceList: { Targets: [".example.com"], TargetTypes: ["TLS_SNI", "HTTP_HOST"], GeneratedRulesType: "ALLOWLIST" } },
          StatefulRuleOptions: { RuleOrder: "STRICT_ORDER" },
        },
      });
      d.ruleGroups.push({
        response: {
          RuleGroupArn: defaultGroup,
          RuleGroupName: "blocked-domains",
          RuleGroupId: id("rg-default"),
          Type: "STATEFUL",
          Capacity: 100,
          RuleGroupStatus: "ACTIVE",
          NumberOfAssociations: 1,
          ConsumedCapacity: 1,
          Tags: [],
        },
        group: {
          RulesSource: { RulesSourceList: { Targets: [".bad.example"], TargetTypes: ["TLS_SNI", "HTTP_HOST"], GeneratedRulesType: "DENYLIST" } },
          StatefulRuleOptions: { RuleOrder: "DEFAULT_ACTION_ORDER" },
        },
      });
      d.ruleGroups.push({
        response: {
          RuleGroupArn: strictCopy,
          RuleGroupName: "blocked-domains-strict",
          RuleGroupId: id("rg-copy"),
          Type: "STATEFUL",
          Capacity: 100,
          RuleGroupStatus: "ACTIVE",
          NumberOfAssociations: 0,
          ConsumedCapacity: 1,
          Tags: [],
        },
        group: {
          RulesSource: { RulesSourceList: { Targets: [".bad.example"], TargetTypes: ["TLS_SNI", "HTTP_HOST"], GeneratedRulesType: "DENYLIST" } },
          StatefulRuleOptions: { RuleOrder: "STRICT_ORDER" },
        },
      });
      for (const [name, group] of [
        ["egress-legacy", strictGroup],
        ["egress-open", defaultGroup],
      ]) {
        d.fwPolicies.push({
          response: {
            FirewallPolicyName: name,
            FirewallPolicyArn: arn("network-firewall", `firewall-policy/${name}`),
            FirewallPolicyId: id(`fwp-${name}`),
            FirewallPolicyStatus: "ACTIVE",
            NumberOfAssociations: 0,
            Tags: [],
            ...(name === "egress-legacy" ? { Description: "legacy egress", EncryptionConfiguration: { KeyId: keyArn, Type: "CUSTOMER_KMS" } } : {}),
          },
          policy:
            name === "egress-legacy"
              ? {
                  StatelessDefaultActions: ["aws:pass"],
                  StatelessFragmentDefaultActions: ["aws:forward_to_sfe"],
                  StatefulRuleGroupReferences: [{ ResourceArn: group, Priority: 10 }],
                  StatefulDefaultActions: ["aws:alert_established"],
                  StatefulEngineOptions: { RuleOrder: "STRICT_ORDER" },
                }
              : {
                  StatelessDefaultActions: ["aws:forward_to_sfe"],
                  StatelessFragmentDefaultActions: ["aws:forward_to_sfe"],
                  StatefulRuleGroupReferences: [{ ResourceArn: group }],
                },
          token: id(`fwp-token-${name}`),
        });
      }
    }
  },
  call(op, x) {
    const { s, b, d } = x;
    const tok = (name = "NextToken") => b[name] as string | undefined;
    switch (op) {
      case "ListFirewalls": {
        const pg = page(d.firewalls, tok(), b.MaxResults);
        return {
          Firewalls: pg.items.map((x) => ({ FirewallName: x.firewall.Firewall.FirewallName, FirewallArn: x.firewall.Firewall.FirewallArn })),
          NextToken: pg.next,
        };
      }
      case "DescribeFirewall":
      case "DescribeLoggingConfiguration":
      case "UpdateFirewallAnalysisSettings": {
        const x = d.firewalls.find((y) =>
          b.FirewallArn ? y.firewall.Firewall.FirewallArn === b.FirewallArn : y.firewall.Firewall.FirewallName === b.FirewallName,
        );
        if (!x) throw new StubError(400, "ResourceNotFoundException", `firewall ${String(b.FirewallArn ?? b.FirewallName)} not found`);
        if (op === "DescribeFirewall") return x.firewall;
        if (op === "DescribeLoggingConfiguration") return x.logging;
        if (b.UpdateToken !== undefined && b.UpdateToken !== x.firewall.UpdateToken) throw staleToken();
        const types = (b.EnabledAnalysisTypes ?? []) as string[];
        if (types.some((t) => t !== "TLS_SNI" && t !== "HTTP_HOST"))
          throw new StubError(400, "InvalidRequestException", `EnabledAnalysisTypes: valid values are TLS_SNI and HTTP_HOST`);
        x.firewall.Firewall.EnabledAnalysisTypes = [...types];
        x.firewall.UpdateToken = newToken(s);
        return {
          EnabledAnalysisTypes: types,
          FirewallArn: x.firewall.Firewall.FirewallArn,
          FirewallName: x.firewall.Firewall.FirewallName,
          UpdateToken: x.firewall.UpdateToken,
        };
      }
      case "ListFirewallPolicies": {
        const pg = page(d.fwPolicies, tok(), b.MaxResults);
        return { FirewallPolicies: pg.items.map((x) => ({ Name: x.response.FirewallPolicyName, Arn: x.response.FirewallPolicyArn })), NextToken: pg.next };
      }
      case "DescribeFirewallPolicy": {
        const x = d.fwPolicies.find((y) => y.response.FirewallPolicyArn === b.FirewallPolicyArn);
        if (!x) throw notFound(`firewall policy ${String(b.FirewallPolicyArn)}`);
        return { UpdateToken: x.token, FirewallPolicyResponse: x.response, FirewallPolicy: x.policy };
      }
      case "UpdateFirewallPolicy": {
        const x = d.fwPolicies.find((y) =>
          b.FirewallPolicyArn ? y.response.FirewallPolicyArn === b.FirewallPolicyArn : y.response.FirewallPolicyName === b.FirewallPolicyName,
        );
        if (!x) throw notFound(`firewall policy ${String(b.FirewallPolicyArn ?? b.FirewallPolicyName)}`);
        if (typeof b.UpdateToken !== "string" || b.UpdateToken !== x.token) throw staleToken();
        checkFirewallPolicy(d, b.FirewallPolicy);
        if (b.DryRun === true) return { UpdateToken: x.token, FirewallPolicyResponse: x.response };
        x.policy = JSON.parse(JSON.stringify(b.FirewallPolicy)) as Record<string, unknown>;
        // The update replaces the description and the encryption: left out, they are cleared
        // (a customer managed key falls back to an AWS owned one).
        if (typeof b.Description === "string") x.response.Description = b.Description;
        else delete x.response.Description;
        if (b.EncryptionConfiguration) x.response.EncryptionConfiguration = JSON.parse(JSON.stringify(b.EncryptionConfiguration)) as unknown;
        else if (x.response.EncryptionConfiguration) x.response.EncryptionConfiguration = { Type: "AWS_OWNED_KMS_KEY" };
        x.token = newToken(s);
        return { UpdateToken: x.token, FirewallPolicyResponse: x.response };
      }
      case "ListRuleGroups": {
        const pg = page(d.ruleGroups, tok(), b.MaxResults);
        return { RuleGroups: pg.items.map((x) => ({ Name: x.response.RuleGroupName, Arn: x.response.RuleGroupArn })), NextToken: pg.next };
      }
      case "DescribeRuleGroup": {
        const x = d.ruleGroups.find((y) => y.response.RuleGroupArn === b.RuleGroupArn);
        if (!x) throw notFound(`rule group ${String(b.RuleGroupArn)}`);
        return { UpdateToken: "t", RuleGroupResponse: x.response, RuleGroup: x.group };
      }
      default:
        throw unsupported(x.r, op);
    }
  },
};
