/**
 * AWS WAF (v2): web ACLs, their associations with protected resources and their logging
 * configurations, in the shapes of docs/model/fms-retrofit.md and docs/model/waf-logging.md.
 *
 * REGIONAL resources are read in every scanned region; CLOUDFRONT resources once, in
 * us-east-1 (their only endpoint), so they appear only when us-east-1 is scanned.
 * CloudFront associations are not listed here: the rules read the distribution's
 * `DistributionConfig.WebACLId`.
 */
import {
  GetWebACLCommand,
  ListLoggingConfigurationsCommand,
  ListResourcesForWebACLCommand,
  ListTagsForResourceCommand,
  ListWebACLsCommand,
  WAFV2Client,
  type GetWebACLCommandOutput,
  type LoggingConfiguration,
  type ResourceType,
  type Scope,
  type Tag,
  type WebACLSummary,
} from "@aws-sdk/client-wafv2";
import type { Resource } from "../../model/types.js";
import { unknown } from "../../model/types.js";
import { mapPool } from "./concurrency.js";
import type { CollectContext, ServiceCollector } from "./types.js";
import { call, classifyError, compact, convertTags, liveResource, tryCall } from "./util.js";

export const WAF_WEB_ACL = "AWS::WAFv2::WebACL";
export const WAF_ASSOCIATION = "AWS::WAFv2::WebACLAssociation";
export const WAF_LOGGING = "AWS::WAFv2::LoggingConfiguration";

/** Where CLOUDFRONT-scoped WAF resources live. */
export const CLOUDFRONT_REGION = "us-east-1";

/** Resource types a regional web ACL can be associated with (docs/model/fms-retrofit.md). */
export const ASSOCIATION_TYPES: readonly ResourceType[] = [
  "APPLICATION_LOAD_BALANCER",
  "API_GATEWAY",
  "APPSYNC",
  "COGNITO_USER_POOL",
  "APP_RUNNER_SERVICE",
  "VERIFIED_ACCESS_INSTANCE",
  "AMPLIFY",
];

const INNER_CONCURRENCY = 4;

/**
 * Every page of a NextMarker-paginated WAF list. WAF returns a NextMarker on the last
 * page too when it is exactly full, so an empty page (or a repeated marker) also ends it.
 */
async function markerPages<P extends { NextMarker?: string }, T>(
  fetch: (marker: string | undefined) => Promise<P | undefined>,
  items: (page: P) => T[] | undefined,
): Promise<T[] | undefined> {
  const out: T[] = [];
  const seen = new Set<string>();
  let marker: string | undefined;
  do {
    const page = await fetch(marker);
    if (!page) return undefined;
    const got = items(page) ?? [];
    out.push(...got);
    marker = got.length > 0 && page.NextMarker && !seen.has(page.NextMarker) ? page.NextMarker : undefined;
    if (marker) seen.add(marker);
  } while (marker);
  return out;
}

async function listTags(ctx: CollectContext, client: WAFV2Client, arn: string): Promise<Tag[] | undefined> {
  return markerPages(
    (NextMarker) =>
      tryCall(ctx, "wafv2:ListTagsForResource", [], () => client.send(new ListTagsForResourceCommand({ ResourceARN: arn, NextMarker, Limit: 100 }))),
    (p) => p.TagInfoForResource?.TagList,
  );
}

function webAclResource(ctx: CollectContext, scope: Scope, summary: WebACLSummary, got: GetWebACLCommandOutput, tagList: Tag[] | undefined): Resource {
  const w = got.WebACL;
  const arn = w?.ARN ?? summary.ARN ?? "";
  const t = tagList ? convertTags(tagList) : undefined;
  return {
    ...liveResource(ctx, WAF_WEB_ACL, arn, arn, w?.Name ?? summary.Name, t ? t.tags : {}),
    properties: compact({
      Name: w?.Name ?? summary.Name,
      Scope: scope,
      Description: w?.Description,
      DefaultAction: w?.DefaultAction,
      Rules: w?.Rules ?? [],
      VisibilityConfig: w?.VisibilityConfig,
      DataProtectionConfig: w?.DataProtectionConfig,
      CustomResponseBodies: w?.CustomResponseBodies,
      CaptchaConfig: w?.CaptchaConfig,
      ChallengeConfig: w?.ChallengeConfig,
      TokenDomains: w?.TokenDomains,
      AssociationConfig: w?.AssociationConfig,
      Tags: t ? t.Tags : unknown("wafv2:ListTagsForResource failed, so the tags were not read"),
    }),
    observed: compact({
      Id: w?.Id ?? summary.Id,
      ManagedByFirewallManager: w?.ManagedByFirewallManager ?? false,
      RetrofittedByFirewallManager: w?.RetrofittedByFirewallManager,
      Capacity: w?.Capacity,
      LabelNamespace: w?.LabelNamespace,
      PreProcessFirewallManagerRuleGroups: w?.PreProcessFirewallManagerRuleGroups,
      PostProcessFirewallManagerRuleGroups: w?.PostProcessFirewallManagerRuleGroups,
      tagsUnknown: t ? undefined : unknown("wafv2:ListTagsForResource failed, so the tags were not read"),
    }),
  };
}

/** ListResourcesForWebACL for every association type; a type whose read failed is left out with a gap. */
async function associations(ctx: CollectContext, client: WAFV2Client, aclArn: string): Promise<Resource[]> {
  const out: Resource[] = [];
  for (const ResourceType of ASSOCIATION_TYPES) {
    let arns: string[] | undefined;
    try {
      const r = await call(ctx, "wafv2:ListResourcesForWebACL", () => client.send(new ListResourcesForWebACLCommand({ WebACLArn: aclArn, ResourceType })));
      arns = r.ResourceArns ?? [];
    } catch (err) {
      // A resource type the region does not offer cannot be associated with anything there.
      if ((err as { name?: string }).name === "WAFInvalidParameterException") continue;
      const f = classifyError(err);
      ctx.gap({ action: "wafv2:ListResourcesForWebACL", status: f.status, detail: `${ResourceType}: ${f.detail}`, resourceTypes: [WAF_ASSOCIATION] });
      continue;
    }
    for (const resourceArn of arns) {
      out.push({
        ...liveResource(ctx, WAF_ASSOCIATION, `${aclArn}|${resourceArn}`, undefined, undefined, {}),
        properties: { WebACLArn: aclArn, ResourceArn: resourceArn },
        observed: { ResourceType },
      });
    }
  }
  return out;
}

function loggingResource(ctx: CollectContext, lc: LoggingConfiguration): Resource | undefined {
  const aclArn = lc.ResourceArn;
  if (!aclArn) return undefined;
  return {
    ...liveResource(ctx, WAF_LOGGING, `${aclArn}|logging`, undefined, undefined, {}),
    properties: compact({
      ResourceArn: aclArn,
      LogDestinationConfigs: lc.LogDestinationConfigs ?? [],
      RedactedFields: lc.RedactedFields,
      LoggingFilter: lc.LoggingFilter,
      LogType: lc.LogType,
      LogScope: lc.LogScope,
      ManagedByFirewallManager: lc.ManagedByFirewallManager ?? false,
    }),
  };
}

async function collectScope(ctx: CollectContext, client: WAFV2Client, scope: Scope): Promise<Resource[]> {
  const listAcls = (NextMarker: string | undefined) => client.send(new ListWebACLsCommand({ Scope: scope, NextMarker, Limit: 100 }));
  // The regional list decides whether the service is readable at all; the CLOUDFRONT one only costs its own types.
  const summaries =
    scope === "REGIONAL"
      ? await markerPages(
          (m) => call(ctx, "wafv2:ListWebACLs", () => listAcls(m)),
          (p) => p.WebACLs,
        )
      : await markerPages(
          (m) => tryCall(ctx, "wafv2:ListWebACLs", [WAF_WEB_ACL, WAF_LOGGING], () => listAcls(m)),
          (p) => p.WebACLs,
        );
  if (!summaries) return [];

  const perAcl = await mapPool(summaries, INNER_CONCURRENCY, async (s): Promise<Resource[]> => {
    if (!s.Name || !s.Id) return [];
    const got = await call(ctx, "wafv2:GetWebACL", () => client.send(new GetWebACLCommand({ Name: s.Name, Id: s.Id, Scope: scope })));
    const arn = got.WebACL?.ARN ?? s.ARN;
    if (!arn) return [];
    const tagList = await listTags(ctx, client, arn);
    const acl = webAclResource(ctx, scope, s, got, tagList);
    return scope === "REGIONAL" ? [acl, ...(await associations(ctx, client, arn))] : [acl];
  });

  const configs = await markerPages(
    (NextMarker) =>
      tryCall(ctx, "wafv2:ListLoggingConfigurations", [WAF_LOGGING, WAF_WEB_ACL], () =>
        client.send(new ListLoggingConfigurationsCommand({ Scope: scope, NextMarker, Limit: 100 })),
      ),
    (p) => p.LoggingConfigurations,
  );
  const logging = (configs ?? []).map((lc) => loggingResource(ctx, lc)).filter((r): r is Resource => r !== undefined);
  return [...perAcl.flat(), ...logging];
}

export const wafv2: ServiceCollector = {
  service: "wafv2",
  resourceTypes: [WAF_WEB_ACL, WAF_ASSOCIATION, WAF_LOGGING],
  actions: ["wafv2:ListWebACLs", "wafv2:GetWebACL", "wafv2:ListTagsForResource", "wafv2:ListResourcesForWebACL", "wafv2:ListLoggingConfigurations"],
  async collect(ctx) {
    const client = new WAFV2Client(ctx.clientConfig);
    try {
      const out = await collectScope(ctx, client, "REGIONAL");
      if (ctx.region === CLOUDFRONT_REGION) out.push(...(await collectScope(ctx, client, "CLOUDFRONT")));
      return out;
    } finally {
      client.destroy();
    }
  },
};
