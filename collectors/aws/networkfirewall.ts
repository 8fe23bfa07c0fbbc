/**
 * AWS Network Firewall (regional): firewalls, firewall policies, rule groups (the
 * account's own, stateful and stateless, plus the shared ones a policy references) and
 * one logging configuration per firewall, in the shapes of docs/model/egress.md.
 *
 * A failed DescribeLoggingConfiguration still yields the firewall's logging resource,
 * with the configuration as an unknown marker, so the logging rule reports `unknown`
 * for that firewall instead of "no logging configuration".
 */
import {
  DescribeFirewallCommand,
  DescribeFirewallPolicyCommand,
  DescribeLoggingConfigurationCommand,
  DescribeRuleGroupCommand,
  ListFirewallPoliciesCommand,
  ListFirewallsCommand,
  ListRuleGroupsCommand,
  NetworkFirewallClient,
  type DescribeRuleGroupCommandOutput,
  type FirewallPolicy,
} from "@aws-sdk/client-network-firewall";
import type { Resource } from "../../model/types.js";
import { unknown } from "../../model/types.js";
import { mapPool } from "./concurrency.js";
import type { CollectContext, ServiceCollector } from "./types.js";
import { call, classifyError, compact, convertTags, liveResource, tryCall } from "./util.js";

export const NFW_FIREWALL = "AWS::NetworkFirewall::Firewall";
export const NFW_POLICY = "AWS::NetworkFirewall::FirewallPolicy";
export const NFW_RULE_GROUP = "AWS::NetworkFirewall::RuleGroup";
export const NFW_LOGGING = "AWS::NetworkFirewall::LoggingConfiguration";

const INNER_CONCURRENCY = 4;

/** Every page of a NextToken-paginated list call. */
async function pages<P extends { NextToken?: string }, T>(
  ctx: CollectContext,
  action: string,
  fetch: (token: string | undefined) => Promise<P>,
  items: (page: P) => T[] | undefined,
): Promise<T[]> {
  const out: T[] = [];
  let token: string | undefined;
  do {
    const page = await call(ctx, action, () => fetch(token));
    out.push(...(items(page) ?? []));
    token = page.NextToken;
  } while (token);
  return out;
}

function ruleGroupResource(ctx: CollectContext, d: DescribeRuleGroupCommandOutput): Resource | undefined {
  const meta = d.RuleGroupResponse;
  const arn = meta?.RuleGroupArn;
  if (!meta || !arn) return undefined;
  const { tags, Tags } = convertTags(meta.Tags);
  return {
    ...liveResource(ctx, NFW_RULE_GROUP, arn, arn, meta.RuleGroupName, tags),
    properties: compact({
      RuleGroupName: meta.RuleGroupName,
      Type: meta.Type,
      Capacity: meta.Capacity,
      Description: meta.Description,
      RuleGroup: d.RuleGroup ?? unknown(`network-firewall:DescribeRuleGroup returned no rule group for ${arn}`),
      Tags,
    }),
    observed: compact({
      RuleGroupId: meta.RuleGroupId,
      RuleGroupStatus: meta.RuleGroupStatus,
      NumberOfAssociations: meta.NumberOfAssociations,
      ConsumedCapacity: meta.ConsumedCapacity,
    }),
  };
}

function referencedGroups(policy: FirewallPolicy | undefined): string[] {
  const refs = [...(policy?.StatefulRuleGroupReferences ?? []), ...(policy?.StatelessRuleGroupReferences ?? [])];
  return refs.map((r) => r.ResourceArn).filter((a): a is string => typeof a === "string" && a !== "");
}

const isAwsManaged = (arn: string): boolean => arn.includes(":aws-managed:");

export const networkfirewall: ServiceCollector = {
  service: "network-firewall",
  resourceTypes: [NFW_FIREWALL, NFW_POLICY, NFW_RULE_GROUP, NFW_LOGGING],
  actions: [
    "network-firewall:ListFirewalls",
    "network-firewall:DescribeFirewall",
    "network-firewall:ListFirewallPolicies",
    "network-firewall:DescribeFirewallPolicy",
    "network-firewall:ListRuleGroups",
    "network-firewall:DescribeRuleGroup",
    "network-firewall:DescribeLoggingConfiguration",
  ],
  async collect(ctx) {
    const client = new NetworkFirewallClient(ctx.clientConfig);
    try {
      const resources: Resource[] = [];

      // Firewalls, each with its logging configuration.
      const firewalls = await pages(
        ctx,
        "network-firewall:ListFirewalls",
        (NextToken) => client.send(new ListFirewallsCommand({ NextToken, MaxResults: 100 })),
        (p) => p.Firewalls,
      );
      const described = await mapPool(firewalls, INNER_CONCURRENCY, async (meta): Promise<Resource[]> => {
        if (!meta.FirewallArn) return [];
        const arn = meta.FirewallArn;
        const d = await call(ctx, "network-firewall:DescribeFirewall", () => client.send(new DescribeFirewallCommand({ FirewallArn: arn })));
        const fw = d.Firewall;
        const { tags, Tags } = convertTags(fw?.Tags);
        const firewall: Resource = {
          ...liveResource(ctx, NFW_FIREWALL, arn, arn, fw?.FirewallName ?? meta.FirewallName, tags),
          properties: compact({
            FirewallName: fw?.FirewallName ?? meta.FirewallName,
            FirewallPolicyArn: fw?.FirewallPolicyArn,
            VpcId: fw?.VpcId,
            SubnetMappings: fw?.SubnetMappings?.map((m) => compact({ SubnetId: m.SubnetId, IPAddressType: m.IPAddressType })),
            TransitGatewayId: fw?.TransitGatewayId,
            AvailabilityZoneMappings: fw?.AvailabilityZoneMappings,
            DeleteProtection: fw?.DeleteProtection,
            SubnetChangeProtection: fw?.SubnetChangeProtection,
            FirewallPolicyChangeProtection: fw?.FirewallPolicyChangeProtection,
            Description: fw?.Description,
            EnabledAnalysisTypes: fw?.EnabledAnalysisTypes ?? [],
            Tags,
          }),
          observed: compact({
            FirewallId: fw?.FirewallId,
            Status: d.FirewallStatus?.Status,
            ConfigurationSyncStateSummary: d.FirewallStatus?.ConfigurationSyncStateSummary,
          }),
        };

        let logging: unknown;
        try {
          const l = await call(ctx, "network-firewall:DescribeLoggingConfiguration", () =>
            client.send(new DescribeLoggingConfigurationCommand({ FirewallArn: arn })),
          );
          logging = { LogDestinationConfigs: l.LoggingConfiguration?.LogDestinationConfigs ?? [] };
        } catch (err) {
          const f = classifyError(err);
          ctx.gap({ action: "network-firewall:DescribeLoggingConfiguration", status: f.status, detail: f.detail, resourceTypes: [NFW_LOGGING] });
          logging = unknown(`network-firewall:DescribeLoggingConfiguration ${f.status === "denied" ? "was denied" : "failed"}: ${f.detail}`);
        }
        const loggingResource: Resource = {
          ...liveResource(ctx, NFW_LOGGING, `${arn}/logging`, undefined, undefined, {}),
          properties: { FirewallArn: arn, LoggingConfiguration: logging },
        };
        return [firewall, loggingResource];
      });
      for (const rs of described) resources.push(...rs);

      // Firewall policies.
      const policies = await pages(
        ctx,
        "network-firewall:ListFirewallPolicies",
        (NextToken) => client.send(new ListFirewallPoliciesCommand({ NextToken, MaxResults: 100 })),
        (p) => p.FirewallPolicies,
      );
      const referenced = new Set<string>();
      const policyResources = await mapPool(policies, INNER_CONCURRENCY, async (meta): Promise<Resource | undefined> => {
        if (!meta.Arn) return undefined;
        const arn = meta.Arn;
        const d = await call(ctx, "network-firewall:DescribeFirewallPolicy", () => client.send(new DescribeFirewallPolicyCommand({ FirewallPolicyArn: arn })));
        const r = d.FirewallPolicyResponse;
        referencedGroups(d.FirewallPolicy).forEach((g) => referenced.add(g));
        const { tags, Tags } = convertTags(r?.Tags);
        return {
          ...liveResource(ctx, NFW_POLICY, r?.FirewallPolicyArn ?? arn, r?.FirewallPolicyArn ?? arn, r?.FirewallPolicyName ?? meta.Name, tags),
          properties: compact({
            FirewallPolicyName: r?.FirewallPolicyName ?? meta.Name,
            Description: r?.Description,
            FirewallPolicy: d.FirewallPolicy ?? unknown(`network-firewall:DescribeFirewallPolicy returned no policy for ${arn}`),
            Tags,
          }),
          observed: compact({
            FirewallPolicyId: r?.FirewallPolicyId,
            FirewallPolicyStatus: r?.FirewallPolicyStatus,
            NumberOfAssociations: r?.NumberOfAssociations,
          }),
        };
      });
      for (const p of policyResources) if (p) resources.push(p);

      // The account's rule groups, then the shared ones its policies reference.
      const groups = await pages(
        ctx,
        "network-firewall:ListRuleGroups",
        (NextToken) => client.send(new ListRuleGroupsCommand({ NextToken, MaxResults: 100, Scope: "ACCOUNT" })),
        (p) => p.RuleGroups,
      );
      const own = groups.map((g) => g.Arn).filter((a): a is string => !!a);
      const ownGroups = await mapPool(own, INNER_CONCURRENCY, async (arn) =>
        ruleGroupResource(ctx, await call(ctx, "network-firewall:DescribeRuleGroup", () => client.send(new DescribeRuleGroupCommand({ RuleGroupArn: arn })))),
      );
      const known = new Set(own);
      const shared = [...referenced].filter((a) => !known.has(a) && !isAwsManaged(a)).sort();
      // A shared group that cannot be described stays out of the snapshot: the rules
      // already report a policy referencing a group that is not in the input as unknown.
      const sharedGroups = await mapPool(shared, INNER_CONCURRENCY, async (arn) => {
        const d = await tryCall(ctx, "network-firewall:DescribeRuleGroup", [], () => client.send(new DescribeRuleGroupCommand({ RuleGroupArn: arn })));
        return d ? ruleGroupResource(ctx, d) : undefined;
      });
      for (const g of [...ownGroups, ...sharedGroups]) if (g) resources.push(g);
      return resources;
    } finally {
      client.destroy();
    }
  },
};
