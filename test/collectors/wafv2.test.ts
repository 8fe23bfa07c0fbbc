import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import {
  GetWebACLCommand,
  ListLoggingConfigurationsCommand,
  ListResourcesForWebACLCommand,
  ListTagsForResourceCommand,
  ListWebACLsCommand,
  WAFV2Client,
} from "@aws-sdk/client-wafv2";
import { mockClient, type AwsStub } from "aws-sdk-client-mock";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { collect } from "../../collectors/aws/runner.js";
import { ASSOCIATION_TYPES, WAF_ASSOCIATION, WAF_LOGGING, WAF_WEB_ACL, wafv2 } from "../../collectors/aws/wafv2.js";
import type { Resource } from "../../model/types.js";
import { ACCOUNT, COLLECTED_AT, accessDenied, serviceError, testContext } from "./fixtures.js";

const REGION = "us-east-1";
const APP_ACL = `arn:aws:wafv2:${REGION}:${ACCOUNT}:regional/webacl/AppTeamNewWebACL/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0`;
const FMS_ACL = `arn:aws:wafv2:${REGION}:${ACCOUNT}:regional/webacl/FMManagedWebACLV2-AlbWafPolicy-1700000000000/11111111-2222-3333-4444-555555555555`;
const CF_ACL = `arn:aws:wafv2:${REGION}:${ACCOUNT}:global/webacl/cdn/99999999-8888-7777-6666-555555555555`;
const ALB = `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:loadbalancer/app/LoadBalancer3/50dc6c495c0c9188`;
const API = `arn:aws:apigateway:${REGION}::/restapis/a1b2c3/stages/prod`;
const FIREHOSE = `arn:aws:firehose:${REGION}:${ACCOUNT}:deliverystream/aws-waf-logs-firehose-iceberg-1`;

const summaries: Record<string, { Name: string; Id: string; ARN: string }[]> = {
  REGIONAL: [
    { Name: "AppTeamNewWebACL", Id: "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0", ARN: APP_ACL },
    { Name: "FMManagedWebACLV2-AlbWafPolicy-1700000000000", Id: "11111111-2222-3333-4444-555555555555", ARN: FMS_ACL },
  ],
  CLOUDFRONT: [{ Name: "cdn", Id: "99999999-8888-7777-6666-555555555555", ARN: CF_ACL }],
};

let waf: AwsStub<any, any, any>;
let sts: AwsStub<any, any, any>;

function mockAccount(): void {
  // Page 1 holds one ACL; WAF then returns a marker, and a final page.
  waf.on(ListWebACLsCommand).callsFake(({ Scope, NextMarker }: { Scope: string; NextMarker?: string }) => {
    const all = summaries[Scope];
    if (Scope === "CLOUDFRONT") return { WebACLs: all };
    return NextMarker === undefined ? { WebACLs: [all[0]], NextMarker: "m2" } : NextMarker === "m2" ? { WebACLs: [all[1]], NextMarker: "m3" } : { WebACLs: [] };
  });
  waf.on(GetWebACLCommand).callsFake(({ Name, Id, Scope }: { Name: string; Id: string; Scope: string }) => {
    const s = summaries[Scope].find((x) => x.Id === Id);
    const fmsManaged = Name.startsWith("FMManagedWebACL");
    return {
      LockToken: "lt",
      WebACL: {
        Name,
        Id,
        ARN: s?.ARN,
        DefaultAction: { Allow: {} },
        Rules: [
          {
            Name: "AWS-AWSManagedRulesCommonRuleSet",
            Priority: 0,
            Statement: { ManagedRuleGroupStatement: { VendorName: "AWS", Name: "AWSManagedRulesCommonRuleSet" } },
            OverrideAction: { None: {} },
            VisibilityConfig: { SampledRequestsEnabled: true, CloudWatchMetricsEnabled: true, MetricName: "common" },
          },
        ],
        VisibilityConfig: { SampledRequestsEnabled: true, CloudWatchMetricsEnabled: true, MetricName: Name },
        Capacity: 700,
        ManagedByFirewallManager: fmsManaged,
        ...(fmsManaged ? {} : { RetrofittedByFirewallManager: false }),
        LabelNamespace: `awswaf:${ACCOUNT}:webacl:${Name}:`,
      },
    };
  });
  waf.on(ListTagsForResourceCommand).callsFake(({ ResourceARN }: { ResourceARN: string }) => ({
    TagInfoForResource: { ResourceARN, TagList: ResourceARN === APP_ACL ? [{ Key: "team", Value: "app" }] : [] },
  }));
  waf.on(ListResourcesForWebACLCommand).callsFake(({ WebACLArn, ResourceType }: { WebACLArn: string; ResourceType: string }) => ({
    ResourceArns:
      WebACLArn === APP_ACL && ResourceType === "APPLICATION_LOAD_BALANCER" ? [ALB] : WebACLArn === APP_ACL && ResourceType === "API_GATEWAY" ? [API] : [],
  }));
  waf.on(ListLoggingConfigurationsCommand).callsFake(({ Scope }: { Scope: string }) => ({
    LoggingConfigurations:
      Scope === "REGIONAL"
        ? [
            {
              ResourceArn: APP_ACL,
              LogDestinationConfigs: [FIREHOSE],
              RedactedFields: [{ SingleHeader: { Name: "authorization" } }, { SingleHeader: { Name: "cookie" } }],
              ManagedByFirewallManager: false,
              LogType: "WAF_LOGS",
              LogScope: "CUSTOMER",
            },
          ]
        : [],
  }));
}

const byId = (rs: Resource[], id: string): Resource => {
  const r = rs.find((x) => x.id === id);
  if (!r) throw new Error(`no ${id} in ${rs.map((x) => x.id).join(", ")}`);
  return r;
};

describe("wafv2 collector", () => {
  beforeAll(() => {
    waf = mockClient(WAFV2Client);
    sts = mockClient(STSClient);
  });
  beforeEach(() => {
    waf.reset();
    sts.reset();
    mockAccount();
    sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/scanner/ci` });
  });
  afterAll(() => {
    waf.restore();
    sts.restore();
  });

  it("in us-east-1: REGIONAL (paginated, ending on an empty page) and CLOUDFRONT web ACLs, associations, logging", async () => {
    const ctx = testContext({ region: REGION });
    const rs = await wafv2.collect(ctx);
    expect(ctx.gaps).toEqual([]);
    const lists = waf.commandCalls(ListWebACLsCommand).map((c) => c.args[0].input);
    expect(lists).toEqual([
      { Scope: "REGIONAL", NextMarker: undefined, Limit: 100 },
      { Scope: "REGIONAL", NextMarker: "m2", Limit: 100 },
      { Scope: "REGIONAL", NextMarker: "m3", Limit: 100 },
      { Scope: "CLOUDFRONT", NextMarker: undefined, Limit: 100 },
    ]);

    expect(byId(rs, APP_ACL)).toMatchObject({
      type: WAF_WEB_ACL,
      arn: APP_ACL,
      name: "AppTeamNewWebACL",
      account: ACCOUNT,
      region: REGION,
      tags: { team: "app" },
      properties: {
        Name: "AppTeamNewWebACL",
        Scope: "REGIONAL",
        DefaultAction: { Allow: {} },
        Rules: [expect.objectContaining({ Name: "AWS-AWSManagedRulesCommonRuleSet" })],
        Tags: [{ Key: "team", Value: "app" }],
      },
      observed: { ManagedByFirewallManager: false, RetrofittedByFirewallManager: false, Capacity: 700 },
    });
    expect(byId(rs, FMS_ACL).observed).toMatchObject({ ManagedByFirewallManager: true });
    expect(byId(rs, CF_ACL)).toMatchObject({ properties: { Name: "cdn", Scope: "CLOUDFRONT" }, region: REGION });

    expect(byId(rs, `${APP_ACL}|${ALB}`)).toEqual({
      type: WAF_ASSOCIATION,
      id: `${APP_ACL}|${ALB}`,
      account: ACCOUNT,
      region: REGION,
      tags: {},
      properties: { WebACLArn: APP_ACL, ResourceArn: ALB },
      observed: { ResourceType: "APPLICATION_LOAD_BALANCER" },
      source: { kind: "aws", account: ACCOUNT, region: REGION },
    });
    expect(byId(rs, `${APP_ACL}|${API}`).properties).toEqual({ WebACLArn: APP_ACL, ResourceArn: API });
    // Every association type for each regional ACL, none for CloudFront (distributions carry WebACLId).
    const assocCalls = waf.commandCalls(ListResourcesForWebACLCommand).map((c) => c.args[0].input);
    expect(assocCalls).toHaveLength(2 * ASSOCIATION_TYPES.length);
    expect(assocCalls.some((i) => i.WebACLArn === CF_ACL)).toBe(false);

    expect(byId(rs, `${APP_ACL}|logging`)).toEqual({
      type: WAF_LOGGING,
      id: `${APP_ACL}|logging`,
      account: ACCOUNT,
      region: REGION,
      tags: {},
      properties: {
        ResourceArn: APP_ACL,
        LogDestinationConfigs: [FIREHOSE],
        RedactedFields: [{ SingleHeader: { Name: "authorization" } }, { SingleHeader: { Name: "cookie" } }],
        LogType: "WAF_LOGS",
        LogScope: "CUSTOMER",
        ManagedByFirewallManager: false,
      },
      source: { kind: "aws", account: ACCOUNT, region: REGION },
    });
    expect(rs.filter((r) => r.type === WAF_LOGGING)).toHaveLength(1);
  });

  it("outside us-east-1 reads only the REGIONAL scope", async () => {
    await wafv2.collect(testContext({ region: "eu-west-1" }));
    expect(new Set(waf.commandCalls(ListWebACLsCommand).map((c) => c.args[0].input.Scope))).toEqual(new Set(["REGIONAL"]));
    expect(new Set(waf.commandCalls(ListLoggingConfigurationsCommand).map((c) => c.args[0].input.Scope))).toEqual(new Set(["REGIONAL"]));
  });

  it("calls exactly the actions it declares", async () => {
    await wafv2.collect(testContext({ region: REGION }));
    const called = [...new Set(waf.calls().map((c) => `wafv2:${(c.args[0] as object).constructor.name.replace(/Command$/, "")}`))].sort();
    expect(called).toEqual([...wafv2.actions].sort());
  });

  it("a failed logging list is a gap on both logging and web ACL types; an unsupported association type is skipped quietly", async () => {
    waf.on(ListLoggingConfigurationsCommand).rejects(accessDenied("wafv2:ListLoggingConfigurations"));
    waf
      .on(ListResourcesForWebACLCommand, { ResourceType: "APP_RUNNER_SERVICE" })
      .rejects(serviceError("WAFInvalidParameterException", 400, "Error reason: invalid value, field: RESOURCE_TYPE"));
    waf.on(ListResourcesForWebACLCommand, { ResourceType: "APPSYNC" }).rejects(accessDenied("wafv2:ListResourcesForWebACL"));
    const ctx = testContext({ region: "eu-west-1" });
    const rs = await wafv2.collect(ctx);
    expect(rs.filter((r) => r.type === WAF_LOGGING)).toEqual([]);
    expect(ctx.gaps).toEqual([
      {
        action: "wafv2:ListResourcesForWebACL",
        status: "denied",
        detail: expect.stringMatching(/^APPSYNC: AccessDeniedException/),
        resourceTypes: [WAF_ASSOCIATION],
      },
      { action: "wafv2:ListResourcesForWebACL", status: "denied", detail: expect.stringMatching(/^APPSYNC: /), resourceTypes: [WAF_ASSOCIATION] },
      {
        action: "wafv2:ListLoggingConfigurations",
        status: "denied",
        detail: expect.stringContaining("AccessDeniedException"),
        resourceTypes: [WAF_LOGGING, WAF_WEB_ACL],
      },
    ]);
  });

  it("through the runner: denied ListWebACLs is denied coverage for all three types; throttling is error", async () => {
    const opts = {
      collectors: [wafv2],
      credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "s" },
      homeRegion: "eu-west-1",
      ratePerSecond: 0,
      collectedAt: COLLECTED_AT,
    };
    waf.on(ListWebACLsCommand).rejects(accessDenied("wafv2:ListWebACLs"));
    expect((await collect(opts)).coverage).toEqual([
      {
        service: "wafv2",
        account: ACCOUNT,
        region: "eu-west-1",
        status: "denied",
        action: "wafv2:ListWebACLs",
        detail: expect.stringContaining("AccessDeniedException"),
        resourceTypes: [WAF_WEB_ACL, WAF_ASSOCIATION, WAF_LOGGING],
      },
    ]);
    waf.on(ListWebACLsCommand).rejects(serviceError("ThrottlingException", 400, "Rate exceeded", 6));
    expect((await collect(opts)).coverage).toEqual([
      expect.objectContaining({ status: "error", action: "wafv2:ListWebACLs", detail: "throttled after 6 attempts: ThrottlingException: Rate exceeded" }),
    ]);
  });
});
