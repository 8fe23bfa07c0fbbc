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
} from "@aws-sdk/client-network-firewall";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { mockClient, type AwsStub } from "aws-sdk-client-mock";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { NFW_FIREWALL, NFW_LOGGING, NFW_POLICY, NFW_RULE_GROUP, networkfirewall } from "../../collectors/aws/networkfirewall.js";
import { collect } from "../../collectors/aws/runner.js";
import type { Resource } from "../../model/types.js";
import { ACCOUNT, COLLECTED_AT, accessDenied, serviceError, testContext } from "./fixtures.js";
import { startLoopback, type Loopback } from "./loopback.js";

const REGION = "us-east-1";
const P = `arn:aws:network-firewall:${REGION}:${ACCOUNT}`;
const FW_EGRESS = `${P}:firewall/egress`;
const FW_LAB = `${P}:firewall/lab`;
const POLICY = `${P}:firewall-policy/egress`;
const ALLOWLIST = `${P}:stateful-rulegroup/domain-allowlist`;
const STATELESS = `${P}:stateless-rulegroup/fragments`;
const SHARED = "arn:aws:network-firewall:us-east-1:999988887777:stateful-rulegroup/org-denylist";
const MANAGED = "arn:aws:network-firewall:us-east-1:aws-managed:stateful-rulegroup/ThreatSignaturesBotnetStrictOrder";

const FIREWALL_POLICY = {
  StatelessDefaultActions: ["aws:forward_to_sfe"],
  StatelessFragmentDefaultActions: ["aws:forward_to_sfe"],
  StatelessRuleGroupReferences: [{ ResourceArn: STATELESS, Priority: 10 }],
  StatefulEngineOptions: { RuleOrder: "STRICT_ORDER" as const, StreamExceptionPolicy: "DROP" as const },
  StatefulDefaultActions: ["aws:drop_established", "aws:alert_established"],
  StatefulRuleGroupReferences: [
    { ResourceArn: ALLOWLIST, Priority: 1 },
    { ResourceArn: SHARED, Priority: 2 },
    { ResourceArn: MANAGED, Priority: 3 },
  ],
};

const ALLOWLIST_GROUP = {
  StatefulRuleOptions: { RuleOrder: "STRICT_ORDER" as const },
  RulesSource: {
    RulesSourceList: {
      GeneratedRulesType: "ALLOWLIST" as const,
      TargetTypes: ["TLS_SNI" as const, "HTTP_HOST" as const],
      Targets: ["aws.com", ".aws.com", ".gov"],
    },
  },
};

function describedGroup(arn: string): Omit<DescribeRuleGroupCommandOutput, "$metadata"> {
  const name = arn.split("/").pop() as string;
  const stateless = arn.includes("stateless");
  return {
    UpdateToken: "tok",
    RuleGroup: stateless
      ? {
          RulesSource: {
            StatelessRulesAndCustomActions: {
              StatelessRules: [
                {
                  Priority: 1,
                  RuleDefinition: { Actions: ["aws:drop"], MatchAttributes: { Protocols: [17], DestinationPorts: [{ FromPort: 53, ToPort: 53 }] } },
                },
              ],
            },
          },
        }
      : arn === SHARED
        ? { RulesSource: { RulesString: 'drop tls $HOME_NET any -> $EXTERNAL_NET any (tls.sni; content:"bad.example"; sid:1;)' } }
        : ALLOWLIST_GROUP,
    RuleGroupResponse: {
      RuleGroupArn: arn,
      RuleGroupName: name,
      RuleGroupId: `id-${name}`,
      Type: stateless ? "STATELESS" : "STATEFUL",
      Capacity: 100,
      RuleGroupStatus: "ACTIVE",
      NumberOfAssociations: 1,
      Tags: arn === ALLOWLIST ? [{ Key: "owner", Value: "netsec" }] : [],
    },
  };
}

let nfw: AwsStub<any, any, any>;
let sts: AwsStub<any, any, any>;

function mockAccount(): void {
  // Two pages of firewalls.
  nfw
    .on(ListFirewallsCommand)
    .callsFake(({ NextToken }: { NextToken?: string }) =>
      NextToken === undefined
        ? { Firewalls: [{ FirewallName: "egress", FirewallArn: FW_EGRESS }], NextToken: "fw-page-2" }
        : { Firewalls: [{ FirewallName: "lab", FirewallArn: FW_LAB }] },
    );
  nfw.on(DescribeFirewallCommand).callsFake(({ FirewallArn }: { FirewallArn: string }) => ({
    UpdateToken: "t",
    Firewall: {
      FirewallName: FirewallArn.split("/").pop(),
      FirewallArn,
      FirewallId: "a1b2c3d4",
      FirewallPolicyArn: POLICY,
      VpcId: "vpc-0123456789abcdef0",
      SubnetMappings: [{ SubnetId: "subnet-0123456789abcdef0", IPAddressType: "IPV4" }],
      DeleteProtection: true,
      // The lab firewall: traffic analysis off, so the API leaves the field out.
      ...(FirewallArn === FW_EGRESS ? { EnabledAnalysisTypes: ["HTTP_HOST", "TLS_SNI"] } : {}),
      Tags: FirewallArn === FW_EGRESS ? [{ Key: "env", Value: "prod" }] : [],
    },
    FirewallStatus: { Status: "READY", ConfigurationSyncStateSummary: "IN_SYNC" },
  }));
  nfw.on(DescribeLoggingConfigurationCommand).callsFake(({ FirewallArn }: { FirewallArn: string }) =>
    FirewallArn === FW_EGRESS
      ? {
          FirewallArn,
          LoggingConfiguration: {
            LogDestinationConfigs: [
              { LogType: "ALERT", LogDestinationType: "CloudWatchLogs", LogDestination: { logGroup: "/network-firewall/egress/alert" } },
              { LogType: "FLOW", LogDestinationType: "S3", LogDestination: { bucketName: "egress-flow-logs" } },
            ],
          },
        }
      : { FirewallArn },
  );
  nfw.on(ListFirewallPoliciesCommand).resolves({ FirewallPolicies: [{ Name: "egress", Arn: POLICY }] });
  nfw.on(DescribeFirewallPolicyCommand).resolves({
    UpdateToken: "t",
    FirewallPolicyResponse: { FirewallPolicyName: "egress", FirewallPolicyArn: POLICY, FirewallPolicyId: "p-1", FirewallPolicyStatus: "ACTIVE", Tags: [] },
    FirewallPolicy: FIREWALL_POLICY,
  });
  nfw
    .on(ListRuleGroupsCommand)
    .callsFake(({ NextToken }: { NextToken?: string }) =>
      NextToken === undefined
        ? { RuleGroups: [{ Name: "domain-allowlist", Arn: ALLOWLIST }], NextToken: "rg-2" }
        : { RuleGroups: [{ Name: "fragments", Arn: STATELESS }] },
    );
  nfw.on(DescribeRuleGroupCommand).callsFake(({ RuleGroupArn }: { RuleGroupArn: string }) => describedGroup(RuleGroupArn));
}

const byId = (rs: Resource[], id: string): Resource => {
  const r = rs.find((x) => x.id === id);
  if (!r) throw new Error(`no ${id} in ${rs.map((x) => x.id).join(", ")}`);
  return r;
};

describe("network-firewall collector (aws-sdk-client-mock)", () => {
  beforeAll(() => {
    nfw = mockClient(NetworkFirewallClient);
    sts = mockClient(STSClient);
  });
  beforeEach(() => {
    nfw.reset();
    sts.reset();
    mockAccount();
    sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/scanner/ci` });
  });
  afterAll(() => {
    nfw.restore();
    sts.restore();
  });

  it("follows NextToken and emits firewalls, one logging configuration each, the policy and its rule groups", async () => {
    const ctx = testContext({ region: REGION });
    const rs = await networkfirewall.collect(ctx);
    expect(ctx.gaps).toEqual([]);
    expect(nfw.commandCalls(ListFirewallsCommand).map((c) => c.args[0].input.NextToken)).toEqual([undefined, "fw-page-2"]);
    expect(nfw.commandCalls(ListRuleGroupsCommand).map((c) => c.args[0].input)).toEqual([
      { NextToken: undefined, MaxResults: 100, Scope: "ACCOUNT" },
      { NextToken: "rg-2", MaxResults: 100, Scope: "ACCOUNT" },
    ]);

    expect(byId(rs, FW_EGRESS)).toEqual({
      type: NFW_FIREWALL,
      id: FW_EGRESS,
      arn: FW_EGRESS,
      name: "egress",
      account: ACCOUNT,
      region: REGION,
      tags: { env: "prod" },
      properties: {
        FirewallName: "egress",
        FirewallPolicyArn: POLICY,
        VpcId: "vpc-0123456789abcdef0",
        SubnetMappings: [{ SubnetId: "subnet-0123456789abcdef0", IPAddressType: "IPV4" }],
        DeleteProtection: true,
        EnabledAnalysisTypes: ["HTTP_HOST", "TLS_SNI"],
        Tags: [{ Key: "env", Value: "prod" }],
      },
      observed: { FirewallId: "a1b2c3d4", Status: "READY", ConfigurationSyncStateSummary: "IN_SYNC" },
      source: { kind: "aws", account: ACCOUNT, region: REGION },
    });
    // Traffic analysis off: an explicit empty list, not a missing property.
    expect(byId(rs, FW_LAB).properties.EnabledAnalysisTypes).toEqual([]);

    expect(byId(rs, `${FW_EGRESS}/logging`)).toEqual({
      type: NFW_LOGGING,
      id: `${FW_EGRESS}/logging`,
      account: ACCOUNT,
      region: REGION,
      tags: {},
      properties: {
        FirewallArn: FW_EGRESS,
        LoggingConfiguration: {
          LogDestinationConfigs: [
            { LogType: "ALERT", LogDestinationType: "CloudWatchLogs", LogDestination: { logGroup: "/network-firewall/egress/alert" } },
            { LogType: "FLOW", LogDestinationType: "S3", LogDestination: { bucketName: "egress-flow-logs" } },
          ],
        },
      },
      source: { kind: "aws", account: ACCOUNT, region: REGION },
    });
    expect(byId(rs, `${FW_LAB}/logging`).properties).toEqual({ FirewallArn: FW_LAB, LoggingConfiguration: { LogDestinationConfigs: [] } });

    expect(byId(rs, POLICY)).toMatchObject({
      type: NFW_POLICY,
      name: "egress",
      properties: { FirewallPolicyName: "egress", FirewallPolicy: FIREWALL_POLICY, Tags: [] },
      observed: { FirewallPolicyId: "p-1", FirewallPolicyStatus: "ACTIVE" },
    });
    expect(byId(rs, ALLOWLIST)).toMatchObject({
      type: NFW_RULE_GROUP,
      tags: { owner: "netsec" },
      properties: { RuleGroupName: "domain-allowlist", Type: "STATEFUL", Capacity: 100, RuleGroup: ALLOWLIST_GROUP, Tags: [{ Key: "owner", Value: "netsec" }] },
    });
    expect(byId(rs, STATELESS).properties).toMatchObject({
      Type: "STATELESS",
      RuleGroup: { RulesSource: { StatelessRulesAndCustomActions: expect.any(Object) } },
    });
    // The shared group the policy references is described too; the AWS managed one is not.
    expect(byId(rs, SHARED).properties.RuleGroup).toEqual({ RulesSource: { RulesString: expect.stringContaining("bad.example") } });
    expect(
      nfw
        .commandCalls(DescribeRuleGroupCommand)
        .map((c) => c.args[0].input.RuleGroupArn)
        .sort(),
    ).toEqual([SHARED, ALLOWLIST, STATELESS].sort());
    expect(rs.map((r) => r.type).sort()).toEqual(
      [NFW_FIREWALL, NFW_FIREWALL, NFW_POLICY, NFW_LOGGING, NFW_LOGGING, NFW_RULE_GROUP, NFW_RULE_GROUP, NFW_RULE_GROUP].sort(),
    );
  });

  it("calls exactly the actions it declares, all of them read-only", async () => {
    const ctx = testContext({ region: REGION });
    await networkfirewall.collect(ctx);
    const called = [...new Set(nfw.calls().map((c) => `network-firewall:${(c.args[0] as object).constructor.name.replace(/Command$/, "")}`))].sort();
    expect(called).toEqual([...networkfirewall.actions].sort());
    for (const a of networkfirewall.actions) expect(a).toMatch(/^network-firewall:(Describe|List)[A-Za-z]+$/);
  });

  it("a denied DescribeLoggingConfiguration keeps the logging resource as unknown and records a denied gap", async () => {
    nfw.on(DescribeLoggingConfigurationCommand).rejects(accessDenied("network-firewall:DescribeLoggingConfiguration"));
    const ctx = testContext({ region: REGION });
    const rs = await networkfirewall.collect(ctx);
    expect(byId(rs, `${FW_EGRESS}/logging`).properties.LoggingConfiguration).toEqual({
      $unknown: expect.stringMatching(/^network-firewall:DescribeLoggingConfiguration was denied: AccessDeniedException/),
    });
    expect(ctx.gaps[0]).toEqual({
      action: "network-firewall:DescribeLoggingConfiguration",
      status: "denied",
      detail: expect.stringContaining("not authorized"),
      resourceTypes: [NFW_LOGGING],
    });
    expect(ctx.gaps).toHaveLength(2);
  });

  it("a shared rule group that cannot be described is left out with a gap that names no type", async () => {
    nfw.on(DescribeRuleGroupCommand, { RuleGroupArn: SHARED }).rejects(serviceError("ResourceNotFoundException", 400, "Rule group not found"));
    const ctx = testContext({ region: REGION });
    const rs = await networkfirewall.collect(ctx);
    expect(rs.find((r) => r.id === SHARED)).toBeUndefined();
    expect(ctx.gaps).toEqual([
      { action: "network-firewall:DescribeRuleGroup", status: "error", detail: "ResourceNotFoundException: Rule group not found", resourceTypes: [] },
    ]);
  });

  it("through the runner: AccessDenied on ListFirewalls is denied coverage for every type, throttling is error", async () => {
    nfw.on(ListFirewallsCommand).rejects(accessDenied("network-firewall:ListFirewalls"));
    const opts = {
      collectors: [networkfirewall],
      credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "s" },
      homeRegion: REGION,
      ratePerSecond: 0,
      collectedAt: COLLECTED_AT,
    };
    const denied = await collect(opts);
    expect(denied.resources).toEqual([]);
    expect(denied.coverage).toEqual([
      {
        service: "network-firewall",
        account: ACCOUNT,
        region: REGION,
        status: "denied",
        action: "network-firewall:ListFirewalls",
        detail: expect.stringMatching(/^AccessDeniedException: .*network-firewall:ListFirewalls/),
        resourceTypes: [NFW_FIREWALL, NFW_POLICY, NFW_RULE_GROUP, NFW_LOGGING],
      },
    ]);

    nfw.on(ListFirewallsCommand).resolves({ Firewalls: [] });
    nfw.on(DescribeFirewallPolicyCommand).rejects(serviceError("ThrottlingException", 400, "Rate exceeded", 6));
    const throttled = await collect(opts);
    expect(throttled.coverage).toEqual([
      expect.objectContaining({
        status: "error",
        action: "network-firewall:DescribeFirewallPolicy",
        detail: "throttled after 6 attempts: ThrottlingException: Rate exceeded",
      }),
    ]);
  });
});

// ---------------------------------------------------------------------------------
// Wire level: AWS JSON 1.0 through a loopback stub, so the SDK's own serialization,
// signing, parsing and error handling run (no mock of the client).

interface Seen {
  target: string;
  contentType?: string;
  authorization?: string;
  body: Record<string, unknown>;
}

describe("network-firewall over the JSON 1.0 wire protocol (loopback stub)", () => {
  const seen: Seen[] = [];
  let server: Loopback;
  let endpoint: string;

  function respond(target: string, body: Record<string, unknown>): { status: number; body: unknown } {
    switch (target) {
      case "NetworkFirewall_20201112.ListFirewalls":
        return body.NextToken === undefined
          ? { status: 200, body: { Firewalls: [{ FirewallName: "egress", FirewallArn: FW_EGRESS }], NextToken: "AAAA/page+2==" } }
          : { status: 200, body: { Firewalls: [] } };
      case "NetworkFirewall_20201112.DescribeFirewall":
        return {
          status: 200,
          body: {
            UpdateToken: "6b2f2b9e-0000-4000-8000-000000000000",
            Firewall: {
              FirewallName: "egress",
              FirewallArn: FW_EGRESS,
              FirewallPolicyArn: POLICY,
              VpcId: "vpc-0123456789abcdef0",
              SubnetMappings: [{ SubnetId: "subnet-0123456789abcdef0", IPAddressType: "IPV4" }],
              FirewallId: "a1b2c3d4",
              DeleteProtection: false,
              EnabledAnalysisTypes: ["TLS_SNI"],
              Tags: [{ Key: "env", Value: "prod" }],
            },
            FirewallStatus: { Status: "READY", ConfigurationSyncStateSummary: "IN_SYNC", SyncStates: {} },
          },
        };
      case "NetworkFirewall_20201112.DescribeLoggingConfiguration":
        return {
          status: 400,
          body: {
            __type: "com.amazonaws.networkfirewall#AccessDeniedException",
            Message: `User: arn:aws:sts::${ACCOUNT}:assumed-role/scanner/ci is not authorized to perform: network-firewall:DescribeLoggingConfiguration`,
          },
        };
      case "NetworkFirewall_20201112.ListFirewallPolicies":
      case "NetworkFirewall_20201112.ListRuleGroups":
        return { status: 200, body: target.endsWith("Policies") ? { FirewallPolicies: [] } : { RuleGroups: [] } };
      default:
        return { status: 400, body: { __type: "InvalidRequestException", Message: `unexpected ${target}` } };
    }
  }

  beforeAll(async () => {
    server = await startLoopback((req, raw) => {
      const target = String(req.headers["x-amz-target"]);
      const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
      seen.push({ target, contentType: req.headers["content-type"], authorization: req.headers.authorization, body });
      const r = respond(target, body);
      return {
        status: r.status,
        headers: { "content-type": "application/x-amz-json-1.0", "x-amzn-requestid": "00000000-0000-4000-8000-00000000beef" },
        body: JSON.stringify(r.body),
      };
    });
    endpoint = server.url;
  });
  afterAll(() => server.close());

  it("serializes ListFirewalls / DescribeFirewall, echoes the NextToken and parses the error of a denied call", async () => {
    const ctx = testContext({ region: REGION, clientConfig: { ...testContext().clientConfig, region: REGION, endpoint } });
    const rs = await networkfirewall.collect(ctx);

    const targets = seen.map((s) => s.target);
    expect(targets.filter((t) => t.endsWith(".ListFirewalls"))).toHaveLength(2);
    const lists = seen.filter((s) => s.target.endsWith(".ListFirewalls"));
    expect(lists[0].body).toEqual({ MaxResults: 100 });
    expect(lists[1].body).toEqual({ MaxResults: 100, NextToken: "AAAA/page+2==" });
    expect(lists[0].contentType).toBe("application/x-amz-json-1.0");
    expect(lists[0].authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDTEST\/\d{8}\/us-east-1\/network-firewall\/aws4_request/);
    expect(seen.find((s) => s.target.endsWith(".DescribeFirewall"))?.body).toEqual({ FirewallArn: FW_EGRESS });
    expect(seen.find((s) => s.target.endsWith(".ListRuleGroups"))?.body).toEqual({ MaxResults: 100, Scope: "ACCOUNT" });

    expect(byId(rs, FW_EGRESS)).toMatchObject({
      tags: { env: "prod" },
      properties: {
        FirewallName: "egress",
        FirewallPolicyArn: POLICY,
        EnabledAnalysisTypes: ["TLS_SNI"],
        SubnetMappings: [{ SubnetId: "subnet-0123456789abcdef0", IPAddressType: "IPV4" }],
      },
      observed: { Status: "READY" },
    });
    expect(byId(rs, `${FW_EGRESS}/logging`).properties.LoggingConfiguration).toEqual({
      $unknown: expect.stringContaining("was denied: AccessDeniedException"),
    });
    expect(ctx.gaps).toEqual([
      {
        action: "network-firewall:DescribeLoggingConfiguration",
        status: "denied",
        detail: expect.stringMatching(/^AccessDeniedException: User: .* is not authorized/),
        resourceTypes: [NFW_LOGGING],
      },
    ]);
  });
});
