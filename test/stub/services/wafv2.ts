/** Loopback WAFv2 (JSON 1.1): the orders web ACL on the ALB (copy 0 also an unused one), logging to Firehose, and the logging and association writes. */

import type { StubService } from "../service.js";
import { page, StubError, unsupported } from "../wire.js";
import { internalLbArnOf, lbArnOf } from "./elbv2.js";
import { wafStreamArnOf } from "./firehose.js";

declare module "../service.js" {
  interface RegionData {
    acls: { summary: Record<string, unknown>; acl: Record<string, unknown>; albs: string[]; tags: Record<string, unknown>[] }[];
    wafLogging: Record<string, unknown>[];
  }
}

const wafNonexistent = (): StubError =>
  new StubError(400, "WAFNonexistentItemException", "AWS WAF couldn’t perform the operation because your resource doesn’t exist.");

export const wafv2: StubService = {
  name: "wafv2",
  types: ["AWS::WAFv2::LoggingConfiguration", "AWS::WAFv2::WebACL", "AWS::WAFv2::WebACLAssociation"],
  emptyRegion: () => ({ acls: [], wafLogging: [] }),
  seed(d, c) {
    const { account, k, sfx, fix, id, arn } = c;
    const lbArn = lbArnOf(c);
    const internalArn = internalLbArnOf(c);
    const streamArn = wafStreamArnOf(c);
    const aclId = id("acl");
    const aclArn = arn("wafv2", `regional/webacl/orders${sfx}/${aclId}`);
    d.acls.push({
      summary: { Name: `orders${sfx}`, Id: aclId, ARN: aclArn, Description: "orders", LockToken: "lt" },
      acl: {
        Name: `orders${sfx}`,
        Id: aclId,
        ARN: aclArn,
        DefaultAction: { Allow: {} },
        Description: "orders",
        Capacity: 700,
        ManagedByFirewallManager: false,
        LabelNamespace: `awswaf:${account}:webacl:orders${sfx}:`,
        Rules: [
          {
            Name: "AWSManagedRulesCommonRuleSet",
            Priority: 0,
            Statement: { ManagedRuleGroupStatement: { VendorName: "AWS", Name: "AWSManagedRulesCommonRuleSet" } },
            OverrideAction: { None: {} },
            VisibilityConfig: { SampledRequestsEnabled: true, CloudWatchMetricsEnabled: true, MetricName: "common" },
          },
        ],
        VisibilityConfig: { SampledRequestsEnabled: true, CloudWatchMetricsEnabled: true, MetricName: `orders${sfx}` },
      },
      albs: fix ? [lbArn, internalArn].sort() : [lbArn],
      tags: [{ Key: "app", Value: "orders" }],
    });
    if (k === 0) {
      // A second web ACL, protecting nothing and logging nowhere.
      const legacyId = id("acl-legacy");
      const legacyArn = arn("wafv2", `regional/webacl/legacy/${legacyId}`);
      d.acls.push({
        summary: { Name: "legacy", Id: legacyId, ARN: legacyArn, Description: "legacy", LockToken: "lt" },
        acl: {
          Name: "legacy",
          Id: legacyId,
          ARN: legacyArn,
          DefaultAction: { Allow: {} },
          Rules: [],
          Capacity: 0,
          ManagedByFirewallManager: false,
          VisibilityConfig: { SampledRequestsEnabled: false, CloudWatchMetricsEnabled: false, MetricName: "legacy" },
        },
        albs: [],
        tags: [],
      });
    }
    {
      d.wafLogging.push({
        ResourceArn: aclArn,
        LogDestinationConfigs: [streamArn],
        RedactedFields: [{ SingleHeader: { Name: "authorization" } }],
        ManagedByFirewallManager: false,
        LogType: "WAF_LOGS",
        LogScope: "CUSTOMER",
      });
    }
  },
  call(op, x) {
    const { r, b, d } = x;
    const tok = (name = "NextToken") => b[name] as string | undefined;
    switch (op) {
      case "ListWebACLs": {
        const acls = b.Scope === "REGIONAL" ? d.acls : [];
        const pg = page(acls, tok("NextMarker"), b.Limit);
        return { WebACLs: pg.items.map((x) => x.summary), NextMarker: pg.next };
      }
      case "GetWebACL": {
        const x = d.acls.find((y) => y.summary.Id === b.Id && y.summary.Name === b.Name);
        if (!x) throw wafNonexistent();
        return { WebACL: x.acl, LockToken: "lt" };
      }
      case "ListTagsForResource": {
        const x = d.acls.find((y) => y.summary.ARN === b.ResourceARN);
        return { TagInfoForResource: { ResourceARN: b.ResourceARN, TagList: x?.tags ?? [] } };
      }
      case "ListResourcesForWebACL": {
        const x = d.acls.find((y) => y.summary.ARN === b.WebACLArn);
        return { ResourceArns: x && b.ResourceType === "APPLICATION_LOAD_BALANCER" ? x.albs : [] };
      }
      case "GetLoggingConfiguration": {
        const x = d.wafLogging.find((y) => y.ResourceArn === b.ResourceArn);
        if (!x) throw wafNonexistent();
        return { LoggingConfiguration: x };
      }
      case "PutLoggingConfiguration": {
        const lc = (b.LoggingConfiguration ?? {}) as Record<string, any>;
        if (!d.acls.some((y) => y.summary.ARN === lc.ResourceArn)) throw wafNonexistent();
        const dests = (lc.LogDestinationConfigs ?? []) as string[];
        if (dests.length !== 1)
          throw new StubError(
            400,
            "WAFInvalidParameterException",
            "Error reason: LogDestinationConfigs must hold exactly one destination, field: LOG_DESTINATION",
          );
        const dest = dests[0];
        if (!/:(deliverystream\/|log-group:|s3:::)aws-waf-logs-/.test(dest))
          throw new StubError(
            400,
            "WAFInvalidParameterException",
            "Error reason: The ARN isn't valid. A valid ARN begins with arn: and includes other information separated by colons or slashes., field: LOG_DESTINATION",
          );
        if (dest.includes(":deliverystream/")) {
          const [, , , region, account] = dest.split(":");
          const name = dest.split("deliverystream/")[1];
          if (region !== r.region || account !== r.account || !d.streams.some((x) => x.DeliveryStreamName === name)) throw wafNonexistent();
        }
        const stored = JSON.parse(JSON.stringify({ ManagedByFirewallManager: false, LogType: "WAF_LOGS", LogScope: "CUSTOMER", ...lc })) as Record<
          string,
          unknown
        >;
        const i = d.wafLogging.findIndex((y) => y.ResourceArn === lc.ResourceArn);
        if (i >= 0) d.wafLogging[i] = stored;
        else d.wafLogging.push(stored);
        return { LoggingConfiguration: stored };
      }
      case "DeleteLoggingConfiguration": {
        const i = d.wafLogging.findIndex((y) => y.ResourceArn === b.ResourceArn);
        if (i < 0) throw wafNonexistent();
        d.wafLogging.splice(i, 1);
        return {};
      }
      case "GetWebACLForResource": {
        if (!d.lbs.some((y) => y.lb.LoadBalancerArn === b.ResourceArn)) throw wafNonexistent();
        const x = d.acls.find((y) => y.albs.includes(String(b.ResourceArn)));
        return x ? { WebACL: x.acl } : {};
      }
      case "AssociateWebACL": {
        const x = d.acls.find((y) => y.summary.ARN === b.WebACLArn);
        if (!x || !d.lbs.some((y) => y.lb.LoadBalancerArn === b.ResourceArn)) throw wafNonexistent();
        // A resource has at most one web ACL: associating another replaces it.
        for (const y of d.acls) y.albs = y.albs.filter((a) => a !== b.ResourceArn);
        x.albs = [...x.albs, String(b.ResourceArn)].sort();
        return {};
      }
      case "DisassociateWebACL": {
        if (!d.lbs.some((y) => y.lb.LoadBalancerArn === b.ResourceArn)) throw wafNonexistent();
        for (const y of d.acls) y.albs = y.albs.filter((a) => a !== b.ResourceArn);
        return {};
      }
      case "ListLoggingConfigurations": {
        const pg = page(b.Scope === "REGIONAL" ? d.wafLogging : [], tok("NextMarker"), b.Limit);
        return { LoggingConfigurations: pg.items, NextMarker: pg.next };
      }
      default:
        throw unsupported(x.r, op);
    }
  },
};
