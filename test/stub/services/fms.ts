/** Loopback Firewall Manager (JSON 1.1): a retrofit WAF policy, non-compliant in the other account. */

import type { StubService } from "../service.js";
import { days, epoch, notFound, page, unsupported } from "../wire.js";
import { lbArnOf } from "./elbv2.js";

declare module "../service.js" {
  interface RegionData {
    fmsPolicies: {
      summary: Record<string, unknown>;
      policy: Record<string, unknown>;
      arn: string;
      status: Record<string, unknown>[];
      violators: Record<string, unknown>[];
    }[];
  }
}

export const fms: StubService = {
  name: "fms",
  types: ["AWS::FMS::Policy"],
  emptyRegion: () => ({ fmsPolicies: [] }),
  seed(d, c) {
    const { account, region, accounts, other, now, sfx, id } = c;
    const lbArn = lbArnOf(c);
    // Firewall Manager: a WAF policy, non-compliant in the other account.
    const fmsId = id("fms");
    const fmsArn = `arn:aws:fms:${region}:${account}:policy/${fmsId}`;
    const msd = JSON.stringify({
      type: "WAFV2",
      preProcessRuleGroups: [
        {
          managedRuleGroupIdentifier: { vendorName: "AWS", managedRuleGroupName: "AWSManagedRulesCommonRuleSet" },
          overrideAction: { type: "NONE" },
          ruleGroupType: "ManagedRuleGroup",
          excludeRules: [],
        },
      ],
      postProcessRuleGroups: [],
      defaultAction: { type: "ALLOW" },
      overrideCustomerWebACLAssociation: false,
      sampledRequestsEnabledForDefaultActions: true,
      webACLSource: "RETROFIT_EXISTING",
    });
    d.fmsPolicies.push({
      summary: {
        PolicyArn: fmsArn,
        PolicyId: fmsId,
        PolicyName: `waf-baseline${sfx}`,
        ResourceType: "AWS::ElasticLoadBalancingV2::LoadBalancer",
        SecurityServiceType: "WAFV2",
        RemediationEnabled: true,
        PolicyStatus: "ACTIVE",
      },
      policy: {
        PolicyId: fmsId,
        PolicyName: `waf-baseline${sfx}`,
        PolicyUpdateToken: "1",
        SecurityServicePolicyData: { Type: "WAFV2", ManagedServiceData: msd },
        ResourceType: "AWS::ElasticLoadBalancingV2::LoadBalancer",
        ResourceTags: [{ Key: "waf", Value: "required" }],
        ExcludeResourceTags: false,
        RemediationEnabled: true,
        DeleteUnusedFMManagedResources: false,
        IncludeMap: { ACCOUNT: accounts },
        PolicyStatus: "ACTIVE",
      },
      arn: fmsArn,
      status: accounts.map((a) => ({
        PolicyOwner: account,
        PolicyId: fmsId,
        PolicyName: `waf-baseline${sfx}`,
        MemberAccount: a,
        LastUpdated: epoch(days(now, 1)),
        EvaluationResults: [
          { ComplianceStatus: a === account ? "COMPLIANT" : "NON_COMPLIANT", ViolatorCount: a === account ? 0 : 1, EvaluationLimitExceeded: false },
        ],
      })),
      violators: [
        { ResourceId: lbArn.replace(account, other), ViolationReason: "RESOURCE_MISSING_WEB_ACL", ResourceType: "AWS::ElasticLoadBalancingV2::LoadBalancer" },
      ],
    });
  },
  call(op, x) {
    const { r, b, d } = x;
    const tok = (name = "NextToken") => b[name] as string | undefined;
    switch (op) {
      case "ListPolicies": {
        const pg = page(d.fmsPolicies, tok(), b.MaxResults);
        return { PolicyList: pg.items.map((x) => x.summary), NextToken: pg.next };
      }
      case "GetPolicy": {
        const x = d.fmsPolicies.find((y) => y.summary.PolicyId === b.PolicyId);
        if (!x) throw notFound(`policy ${String(b.PolicyId)}`);
        return { Policy: x.policy, PolicyArn: x.arn };
      }
      case "ListTagsForResource":
        return { TagList: [{ Key: "owner", Value: "secops" }] };
      case "ListComplianceStatus": {
        const x = d.fmsPolicies.find((y) => y.summary.PolicyId === b.PolicyId);
        return { PolicyComplianceStatusList: x?.status ?? [] };
      }
      case "GetComplianceDetail": {
        const x = d.fmsPolicies.find((y) => y.summary.PolicyId === b.PolicyId);
        return {
          PolicyComplianceDetail: {
            PolicyOwner: r.account,
            PolicyId: b.PolicyId,
            MemberAccount: b.MemberAccount,
            EvaluationLimitExceeded: false,
            Violators: x?.violators ?? [],
          },
        };
      }
      default:
        throw unsupported(x.r, op);
    }
  },
};
